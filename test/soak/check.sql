-- test/soak/check.sql: the replay and the checks of the soak (SPEC 5-7).
--
-- For every schedule under test ("chain"), soak_check.check_pending()
-- takes the finished jobs in job order and, for each SUCCEEDED job J with
-- snapshot S whose predecessor in the chain had snapshot P:
--
--   1. reads each of J's files as a user would: CSV with COPY FROM (FORMAT
--      csv, HEADER MATCH) into text columns, JSONL with dataexport.read_file,
--      one JSON object per line; checks the file's bytes and sha256 against
--      dataexport.job_files, the part names and sizes, the header, the JSON
--      keys and their order, and the text of every value against SPEC
--      section 6; converts each record to a row of the source table;
--   2. computes what J must contain from the ground truth (setup.sql): for a
--      full export, every row as of S; for a delta, every key with a change
--      that S sees and P did not, with its state as of S, or, if S sees no
--      row, deleted = true with its last values; and compares both ways;
--   3. replays J onto the mirror table (upsert by key for deleted = false,
--      delete by key for deleted = true) and compares the mirror with the
--      truth as of S (EXCEPT ALL both ways).
--
-- Every difference is a row in soak_check.finding.  soak_check.check_store()
-- checks every file in the storage directory; soak_check.final_compare()
-- compares the mirrors with the live tables once the writers have stopped.
--
-- Rows are compared by their text (row::text), with settings fixed by the
-- functions, so that 2.50 and 2.5, -0 and 0, or json white space differ.

SET client_min_messages = warning;

CREATE TABLE soak_check.finding (
    id       bigserial PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    job_id   bigint,
    schedule_id bigint,
    tbl      name,
    kind     text NOT NULL,
    detail   text
);

-- The chains under test: a schedule and the tables checked in it.
CREATE TABLE soak_check.chain (
    schedule_id   bigint NOT NULL,
    tbl           name NOT NULL,
    entity_type   text NOT NULL,
    last_job_id   bigint,
    last_snapshot pg_snapshot,
    PRIMARY KEY (schedule_id, tbl)
);

-- Per schedule, the last job looked at.
CREATE TABLE soak_check.progress (
    schedule_id bigint PRIMARY KEY,
    last_job_id bigint NOT NULL DEFAULT 0
);

-- One row per job and table checked.
CREATE TABLE soak_check.job_check (
    job_id      bigint NOT NULL,
    schedule_id bigint NOT NULL,
    tbl         name NOT NULL,
    full_export boolean NOT NULL,
    files       int NOT NULL,
    file_rows   bigint NOT NULL,
    expected    bigint NOT NULL,
    mirror_rows bigint NOT NULL,
    differences bigint NOT NULL,
    seconds     numeric NOT NULL,
    PRIMARY KEY (job_id, tbl)
);

CREATE FUNCTION soak_check.note(p_job bigint, p_sid bigint, p_tbl name, p_kind text, p_detail text)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO soak_check.finding (job_id, schedule_id, tbl, kind, detail)
    VALUES (p_job, p_sid, p_tbl, p_kind, left(p_detail, 2000))
$$;

-- The directory of this database's job files.
CREATE FUNCTION soak_check.store_dir() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN d LIKE '/%' THEN d ELSE current_setting('data_directory') || '/' || d END
           || '/' || (SELECT oid FROM pg_database WHERE datname = current_database())
      FROM coalesce(nullif(current_setting('dataexport.storage_dir', true), ''), 'pg_dataexport') d
$$;

-- The columns of a source table, in order.
CREATE FUNCTION soak_check.cols(p_tbl name,
    OUT attname name, OUT typname name, OUT is_array boolean)
RETURNS SETOF record LANGUAGE sql STABLE AS $$
    SELECT a.attname, t.typname, t.typcategory = 'A'
      FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
     WHERE a.attrelid = soak_check.qual(p_tbl)::regclass AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum
$$;

-- Is v the text SPEC section 6 prescribes for a value of type typ?
-- (Whether it is the right value is checked by the comparison.)
CREATE FUNCTION soak_check.fmt_ok(typ name, v text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT v IS NULL OR CASE typ
        WHEN 'int2' THEN v ~ '^-?[0-9]+$'
        WHEN 'int4' THEN v ~ '^-?[0-9]+$'
        WHEN 'int8' THEN v ~ '^-?[0-9]+$'
        WHEN 'numeric' THEN v ~ '^-?[0-9]+(\.[0-9]+)?$' OR v IN ('NaN', 'Infinity', '-Infinity')
        WHEN 'float4' THEN v ~ '^-?[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?$' OR v IN ('NaN', 'Infinity', '-Infinity')
        WHEN 'float8' THEN v ~ '^-?[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?$' OR v IN ('NaN', 'Infinity', '-Infinity')
        WHEN 'bool' THEN v IN ('true', 'false')
        WHEN 'timestamptz' THEN v ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]*[1-9])?Z$'
                                OR v IN ('infinity', '-infinity')
        WHEN 'timestamp' THEN v ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]*[1-9])?$'
                              OR v IN ('infinity', '-infinity')
        WHEN 'date' THEN v ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' OR v IN ('infinity', '-infinity')
        WHEN 'interval' THEN v ~ '^P(-?[0-9]+Y)?(-?[0-9]+M)?(-?[0-9]+W)?(-?[0-9]+D)?(T(-?[0-9]+H)?(-?[0-9]+M)?(-?[0-9]+(\.[0-9]+)?S)?)?$'
                             AND v NOT IN ('P') AND v !~ 'T$'
        WHEN 'bytea' THEN v ~ '^[A-Za-z0-9+/]*={0,2}$' AND length(v) % 4 = 0
        WHEN 'uuid' THEN v ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        ELSE true
    END
$$;

-- The JSON types SPEC section 6 prescribes for a non-null value of type typ.
CREATE FUNCTION soak_check.json_type_ok(typ name, is_array boolean, j json) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT j IS NULL OR json_typeof(j) = 'null' OR CASE
        WHEN is_array THEN json_typeof(j) = 'array'
        WHEN typ IN ('json', 'jsonb') THEN true
        WHEN typ IN ('int2', 'int4', 'int8') THEN json_typeof(j) = 'number'
        WHEN typ IN ('numeric', 'float4', 'float8') THEN json_typeof(j) = 'number'
             OR (json_typeof(j) = 'string' AND j #>> '{}' IN ('NaN', 'Infinity', '-Infinity'))
        WHEN typ = 'bool' THEN json_typeof(j) = 'boolean'
        ELSE json_typeof(j) = 'string'
    END
$$;

-- SQL text of: the json value of column c, for json_populate_record: from
-- CSV text column "s.c", or from the JSONL line's value array "v[i]" (i the
-- column's position); bytea from base64.
CREATE FUNCTION soak_check.json_value_expr(c name, i bigint, typ name, is_array boolean, csv boolean)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN NOT csv AND typ = 'bytea' THEN
            format($e$CASE WHEN json_typeof(v[%1$s]) = 'string' THEN to_json('\x' || encode(decode(v[%1$s] #>> '{}', 'base64'), 'hex')) END$e$, i)
        WHEN NOT csv THEN format('v[%s]', i)
        WHEN typ = 'bytea' THEN
            format($e$to_json('\x' || encode(decode(s.%1$I, 'base64'), 'hex'))$e$, c)
        WHEN is_array OR typ IN ('json', 'jsonb') THEN format('s.%I::json', c)
        ELSE format('to_json(s.%I)', c)
    END
$$;

-- The key of a row value "x" of table p_tbl, as SQL text: (x).a, (x).b
CREATE FUNCTION soak_check.key_expr(p_tbl name, x text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT string_agg(format('(%s).%I', x, k), ', ' ORDER BY o)
      FROM soak_check.tracked, unnest(keys) WITH ORDINALITY AS u(k, o)
     WHERE tbl = p_tbl
$$;

-- Staging tables of a source table: cs_<t> (CSV fields as text, named as
-- the columns) and st_<t> (the rows read from a job's files).
CREATE FUNCTION soak_check.prepare_table(p_tbl name) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE IF NOT EXISTS soak_check.%I (%s, deleted text)', 'cs_' || p_tbl,
                   (SELECT string_agg(format('%I text', attname), ', ') FROM soak_check.cols(p_tbl)));
    EXECUTE format('CREATE TABLE IF NOT EXISTS soak_check.%I (job bigint, part int, deleted boolean, r %s)',
                   'st_' || p_tbl, soak_check.qual(p_tbl));
    EXECUTE format('CREATE TABLE IF NOT EXISTS soak_check.%I (deleted boolean, r %s)', 'ex_' || p_tbl, soak_check.qual(p_tbl));
END
$$;

-- A mirror (m_<schedule>_<t>) and a truth (t_<schedule>_<t>) per chain.
CREATE FUNCTION soak_check.add_chain(p_sid bigint, p_tbl name, p_entity text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    pk text := (SELECT string_agg(quote_ident(k), ', ') FROM soak_check.tracked, unnest(keys) k
                 WHERE tbl = p_tbl);
BEGIN
    PERFORM soak_check.prepare_table(p_tbl);
    EXECUTE format('CREATE TABLE soak_check.%I (LIKE %s, PRIMARY KEY (%s))',
                   format('m_%s_%s', p_sid, p_tbl), soak_check.qual(p_tbl), pk);
    EXECUTE format('CREATE TABLE soak_check.%I (LIKE %s, PRIMARY KEY (%s))',
                   format('t_%s_%s', p_sid, p_tbl), soak_check.qual(p_tbl), pk);
    INSERT INTO soak_check.chain (schedule_id, tbl, entity_type) VALUES (p_sid, p_tbl, p_entity);
    INSERT INTO soak_check.progress VALUES (p_sid, 0) ON CONFLICT DO NOTHING;
END
$$;

-- Read one file of a job into st_<t> (appending); returns the records read.
-- Checks the file itself; what it finds is noted.  p_expect_rows, bytes and
-- sha256 are NULL for a file that the catalog does not list.
CREATE FUNCTION soak_check.load_file(p_job bigint, p_sid bigint, p_tbl name, p_entity text,
                                     p_format text, p_part int, p_file text,
                                     p_expect_rows bigint, p_bytes bigint, p_sha256 text)
RETURNS bigint LANGUAGE plpgsql
SET TimeZone = 'UTC' SET DateStyle = 'ISO' SET extra_float_digits = 1 AS $$
DECLARE
    path    text := soak_check.store_dir() || '/' || p_job || '/' || p_file;
    raw     bytea;
    nrec    bigint;
    bad     bigint;
    colsv   text;
    fmtchk  text;
    keys    text[];
    header  text;
    maxsize bigint := pg_size_bytes(current_setting('dataexport.max_file_size', true));
BEGIN
    BEGIN
        raw := pg_read_binary_file(path);
    EXCEPTION WHEN others THEN
        PERFORM soak_check.note(p_job, p_sid, p_tbl, 'file_unreadable', p_file || ': ' || SQLERRM);
        RETURN 0;
    END;
    IF p_bytes IS NOT NULL AND length(raw) <> p_bytes THEN
        PERFORM soak_check.note(p_job, p_sid, p_tbl, 'file_bytes',
                                format('%s: %s bytes, job_files says %s', p_file, length(raw), p_bytes));
    END IF;
    IF p_sha256 IS NOT NULL AND encode(sha256(raw), 'hex') <> p_sha256 THEN
        PERFORM soak_check.note(p_job, p_sid, p_tbl, 'file_sha256', p_file || ' does not match job_files.sha256');
    END IF;
    IF length(raw) > 0 AND get_byte(raw, length(raw) - 1) <> 10 THEN
        PERFORM soak_check.note(p_job, p_sid, p_tbl, 'file_incomplete', p_file || ' does not end with a newline');
    END IF;
    IF maxsize IS NOT NULL AND length(raw) > maxsize AND coalesce(p_expect_rows, 2) > 1 THEN
        PERFORM soak_check.note(p_job, p_sid, p_tbl, 'file_size',
                                format('%s: %s bytes > max_file_size %s with %s rows', p_file,
                                       length(raw), maxsize, p_expect_rows));
    END IF;

    SELECT array_agg(attname) INTO keys FROM soak_check.cols(p_tbl);
    BEGIN
        IF p_format = 'CSV' THEN
            header := (SELECT string_agg(CASE WHEN k ~ '[,"\r\n]' OR k = ''
                                              THEN '"' || replace(k, '"', '""') || '"' ELSE k END, ',')
                         FROM unnest(keys || 'deleted'::name) k);
            IF position(convert_to(header || E'\n', 'UTF8') IN raw) <> 1 THEN
                PERFORM soak_check.note(p_job, p_sid, p_tbl, 'csv_header',
                                        p_file || ' does not start with the header ' || header);
            END IF;
            EXECUTE format('TRUNCATE soak_check.%I', 'cs_' || p_tbl);
            EXECUTE format('COPY soak_check.%I FROM %L WITH (FORMAT csv, HEADER match, ENCODING ''UTF8'')',
                           'cs_' || p_tbl, path);
            GET DIAGNOSTICS nrec = ROW_COUNT;
            SELECT string_agg(format('%L, %s', attname, soak_check.json_value_expr(attname, 0, typname, is_array, true)), ', '),
                   string_agg(CASE WHEN is_array OR typname IN ('json', 'jsonb')
                                   THEN format('(s.%I IS NULL OR s.%I::json IS NOT NULL)', attname, attname)
                                   ELSE format('soak_check.fmt_ok(%L, s.%I)', typname, attname) END, ' AND ')
              INTO colsv, fmtchk FROM soak_check.cols(p_tbl);
            EXECUTE format('SELECT count(*) FROM soak_check.%I s WHERE NOT (%s AND s.deleted IN (''true'', ''false''))',
                           'cs_' || p_tbl, fmtchk) INTO bad;
            IF bad > 0 THEN
                PERFORM soak_check.note(p_job, p_sid, p_tbl, 'value_format',
                                        format('%s: %s records with a value not written as SPEC 6 says', p_file, bad));
            END IF;
            EXECUTE format('INSERT INTO soak_check.%I SELECT $1, $2, s.deleted = ''true'','
                           ' json_populate_record(NULL::%s, json_build_object(%s)) FROM soak_check.%I s',
                           'st_' || p_tbl, soak_check.qual(p_tbl), colsv, 'cs_' || p_tbl) USING p_job, p_part;
        ELSE
            -- One parse per line: its keys and values, in order.
            CREATE TEMP TABLE IF NOT EXISTS soak_lines (n bigserial, j json);
            CREATE TEMP TABLE IF NOT EXISTS soak_vals (n bigint, k text[], v json[]);
            TRUNCATE soak_lines, soak_vals;
            IF p_expect_rows IS NOT NULL THEN	-- a listed file: as a user downloads it
                INSERT INTO soak_lines (j)
                SELECT line::json FROM dataexport.read_file(p_job, p_entity, p_part) line;
            ELSIF length(raw) > 0 THEN
                INSERT INTO soak_lines (j)
                SELECT x::json FROM string_to_table(convert_from(substr(raw, 1, length(raw) - 1), 'UTF8'), E'\n') x;
            END IF;
            GET DIAGNOSTICS nrec = ROW_COUNT;
            IF (length(raw) = 0) <> (nrec = 0) THEN
                PERFORM soak_check.note(p_job, p_sid, p_tbl, 'jsonl_empty',
                                        format('%s: %s bytes, %s lines', p_file, length(raw), nrec));
            END IF;
            INSERT INTO soak_vals
            SELECT l.n, array_agg(e.key ORDER BY e.o), array_agg(e.value ORDER BY e.o)
              FROM soak_lines l, LATERAL json_each(l.j) WITH ORDINALITY AS e(key, value, o)
             GROUP BY l.n;
            SELECT nrec - count(*) + count(*) FILTER (WHERE k <> (keys || 'deleted'::name)::text[]
                                                     OR json_typeof(v[cardinality(keys) + 1]) <> 'boolean')
              INTO bad FROM soak_vals;
            IF bad > 0 THEN
                PERFORM soak_check.note(p_job, p_sid, p_tbl, 'jsonl_keys',
                                        format('%s: %s lines without exactly the keys %s in order', p_file, bad,
                                               keys || 'deleted'::name));
            END IF;
            SELECT string_agg(format('%L, %s', attname, soak_check.json_value_expr(attname, i, typname, is_array, false)), ', '),
                   string_agg(format('soak_check.json_type_ok(%L, %L, v[%s]) AND (json_typeof(v[%s]) <> ''string'' OR soak_check.fmt_ok(%L, v[%s] #>> ''{}''))',
                                     typname, is_array, i, i, typname, i), ' AND ')
              INTO colsv, fmtchk FROM soak_check.cols(p_tbl) WITH ORDINALITY AS c(attname, typname, is_array, i);
            EXECUTE format('SELECT count(*) FROM soak_vals WHERE NOT (%s)', fmtchk) INTO bad;
            IF bad > 0 THEN
                PERFORM soak_check.note(p_job, p_sid, p_tbl, 'value_format',
                                        format('%s: %s lines with a value not written as SPEC 6 says', p_file, bad));
            END IF;
            EXECUTE format('INSERT INTO soak_check.%I SELECT $1, $2, v[%s]::text = ''true'','
                           ' json_populate_record(NULL::%s, json_build_object(%s)) FROM soak_vals ORDER BY n',
                           'st_' || p_tbl, cardinality(keys) + 1, soak_check.qual(p_tbl), colsv) USING p_job, p_part;
        END IF;
    EXCEPTION WHEN others THEN
        PERFORM soak_check.note(p_job, p_sid, p_tbl, 'file_unparsable', p_file || ': ' || SQLERRM);
        RETURN 0;
    END;
    IF p_expect_rows IS NOT NULL AND nrec <> p_expect_rows THEN
        PERFORM soak_check.note(p_job, p_sid, p_tbl, 'file_rows',
                                format('%s: %s records, job_files says %s', p_file, nrec, p_expect_rows));
    END IF;
    RETURN nrec;
END
$$;

-- Check one SUCCEEDED job's export of one table of a chain, and replay it.
CREATE FUNCTION soak_check.check_job_table(p_job dataexport.job, c soak_check.chain)
RETURNS void LANGUAGE plpgsql
SET TimeZone = 'UTC' SET DateStyle = 'ISO' SET IntervalStyle = 'postgres'
SET extra_float_digits = 1 SET bytea_output = 'hex' AS $$
DECLARE
    t0       timestamptz := clock_timestamp();
    h        text := format('soak_check.%I', 'h_' || c.tbl);
    st       text := format('soak_check.%I', 'st_' || c.tbl);
    ex       text := format('soak_check.%I', 'ex_' || c.tbl);
    m        text := format('soak_check.%I', format('m_%s_%s', c.schedule_id, c.tbl));
    tr       text := format('soak_check.%I', format('t_%s_%s', c.schedule_id, c.tbl));
    keyr     text := soak_check.key_expr(c.tbl, 'r');
    keyx     text := soak_check.key_expr(c.tbl, 'x.r');
    keyt     text := (SELECT string_agg('t.' || quote_ident(k), ', ') FROM soak_check.tracked, unnest(keys) k
                       WHERE tbl = c.tbl);
    keycols  text := (SELECT string_agg(quote_ident(k), ', ') FROM soak_check.tracked, unnest(keys) k
                       WHERE tbl = c.tbl);
    ext      text := CASE p_job.export_file_format WHEN 'CSV' THEN 'csv' ELSE 'jsonl' END;
    s        pg_snapshot := p_job.snapshot;
    p        pg_snapshot := c.last_snapshot;
    f        record;
    nfiles   int := 0;
    nrows    bigint := 0;
    nexp     bigint;
    nmirror  bigint;
    ndiff    bigint := 0;
    n        bigint;
    sample   text;
BEGIN
    EXECUTE format('TRUNCATE %s', st);
    FOR f IN SELECT * FROM dataexport.job_files
              WHERE job_id = p_job.job_id AND entity_type = c.entity_type ORDER BY part LOOP
        nfiles := nfiles + 1;
        IF f.part <> nfiles OR f.file_name <> (lower(c.entity_type)
               || (CASE WHEN f.part > 1 THEN '_part' || f.part ELSE '' END) || '.' || ext) THEN
            PERFORM soak_check.note(p_job.job_id, c.schedule_id, c.tbl, 'file_name',
                                    format('part %s is named %s', f.part, f.file_name));
        END IF;
        nrows := nrows + soak_check.load_file(p_job.job_id, c.schedule_id, c.tbl, c.entity_type,
                                              p_job.export_file_format, f.part, f.file_name,
                                              f.rows, f.bytes, f.sha256);
    END LOOP;
    IF nfiles = 0 THEN
        PERFORM soak_check.note(p_job.job_id, c.schedule_id, c.tbl, 'no_file', 'the job has no file for ' || c.entity_type);
    END IF;

    -- The job's snapshot must see everything its predecessor saw.
    IF p IS NOT NULL THEN
        EXECUTE format('SELECT count(*) FROM %s WHERE txid >= pg_snapshot_xmin($1) AND txid < pg_snapshot_xmax($2)'
                       ' AND pg_visible_in_snapshot(txid, $2) AND NOT pg_visible_in_snapshot(txid, $1)', h)
            INTO n USING s, p;
        IF n > 0 THEN
            PERFORM soak_check.note(p_job.job_id, c.schedule_id, c.tbl, 'snapshot_order',
                                    format('%s changes seen by the previous job (%s, %s) are not seen by this one (%s)',
                                           n, c.last_job_id, p, s));
        END IF;
    END IF;

    -- What the job must contain, from the ground truth, into ex_<t>: for a
    -- full export every row as of S; for a delta, the latest version as of S
    -- of each key changed by a transaction that S sees and P did not.
    EXECUTE format('TRUNCATE %s', ex);
    IF p IS NULL THEN
        EXECUTE format('INSERT INTO %s SELECT false, x.r FROM'
                       ' (SELECT DISTINCT ON (%s) op, r FROM %s WHERE txid < pg_snapshot_xmax($1)'
                       '   AND pg_visible_in_snapshot(txid, $1) ORDER BY %s, seq DESC) x WHERE x.op = %L',
                       ex, keyr, h, keyr, 'U') USING s;
    ELSE
        EXECUTE format('INSERT INTO %s SELECT x.op = %L, x.r FROM'
                       ' (SELECT DISTINCT ON (%s) op, r FROM %s WHERE txid >= pg_snapshot_xmin($2)'
                       '   AND txid < pg_snapshot_xmax($1) AND pg_visible_in_snapshot(txid, $1)'
                       '   AND NOT pg_visible_in_snapshot(txid, $2) ORDER BY %s, seq DESC) x',
                       ex, 'D', keyr, h, keyr) USING s, p;
    END IF;
    EXECUTE format('SELECT count(*) FROM %s', ex) INTO nexp;

    -- Each key once per job.
    EXECUTE format('SELECT count(*) - count(DISTINCT ROW(%s)) FROM %s', keyr, st) INTO n;
    IF n > 0 THEN
        PERFORM soak_check.note(p_job.job_id, c.schedule_id, c.tbl, 'duplicate_key',
                                format('%s keys appear more than once', n));
        ndiff := ndiff + n;
    END IF;

    -- The files against the truth, both ways.
    EXECUTE format('SELECT count(*), string_agg(x, %L) FILTER (WHERE rn <= 3) FROM'
                   ' (SELECT x, row_number() OVER () rn FROM (SELECT deleted, r::text FROM %s'
                   '   EXCEPT ALL SELECT deleted, r::text FROM %s) d(deleted, x)) z', E'\n', ex, st)
        INTO n, sample;
    IF n > 0 THEN
        PERFORM soak_check.note(p_job.job_id, c.schedule_id, c.tbl, 'missing_or_wrong',
                                format('%s rows expected (as of the job''s snapshot) are not in the files, e.g. %s', n, sample));
        ndiff := ndiff + n;
    END IF;
    EXECUTE format('SELECT count(*), string_agg(deleted || %L || x, %L) FILTER (WHERE rn <= 3) FROM'
                   ' (SELECT deleted, x, row_number() OVER () rn FROM (SELECT deleted, r::text FROM %s'
                   '   EXCEPT ALL SELECT deleted, r::text FROM %s) d(deleted, x)) z', ' ', E'\n', st, ex)
        INTO n, sample;
    IF n > 0 THEN
        PERFORM soak_check.note(p_job.job_id, c.schedule_id, c.tbl, 'extra_or_wrong',
                                format('%s rows in the files are not expected, e.g. %s', n, sample));
        ndiff := ndiff + n;
    END IF;

    -- Replay onto the mirror (upsert by key for deleted = false, delete by
    -- key for deleted = true: keys are unique in a job, so as sets); move the
    -- truth to S.
    IF p IS NULL THEN
        EXECUTE format('TRUNCATE %s, %s', m, tr);
    END IF;
    EXECUTE format('DELETE FROM %s t USING %s x WHERE (%s) = (%s)', m, st, keyx, keyt);
    EXECUTE format('INSERT INTO %s SELECT (x.r).* FROM %s x WHERE NOT x.deleted ON CONFLICT (%s) DO NOTHING',
                   m, st, keycols);
    EXECUTE format('DELETE FROM %s t USING %s x WHERE (%s) = (%s)', tr, ex, keyx, keyt);
    EXECUTE format('INSERT INTO %s SELECT (x.r).* FROM %s x WHERE NOT x.deleted', tr, ex);

    -- The mirror against the table as of S: whole for the first job of the
    -- chain and every tenth; else at the keys this job touched (mirror and
    -- truth were compared after the previous job; only these keys changed
    -- since, in either).  final_compare() compares them whole at the end.
    EXECUTE format('SELECT count(*) FROM %s', m) INTO nmirror;
    IF p IS NULL OR (SELECT count(*) FROM soak_check.job_check j
                      WHERE j.schedule_id = c.schedule_id AND j.tbl = c.tbl) % 10 = 9 THEN
        EXECUTE format('SELECT count(*) FROM ((SELECT t::text FROM %1$s t EXCEPT ALL SELECT t::text FROM %2$s t)'
                       ' UNION ALL (SELECT t::text FROM %2$s t EXCEPT ALL SELECT t::text FROM %1$s t)) d', m, tr)
            INTO n;
    ELSE
        EXECUTE format('SELECT count(*) FROM ('
                       ' WITH k AS (SELECT %3$s FROM %4$s x UNION SELECT %3$s FROM %5$s x),'
                       '      a AS (SELECT t::text FROM %1$s t WHERE (%6$s) IN (SELECT * FROM k)),'
                       '      b AS (SELECT t::text FROM %2$s t WHERE (%6$s) IN (SELECT * FROM k))'
                       ' (SELECT * FROM a EXCEPT ALL SELECT * FROM b) UNION ALL'
                       ' (SELECT * FROM b EXCEPT ALL SELECT * FROM a)) d',
                       m, tr, keyx, ex, st, keyt)
            INTO n;
    END IF;
    IF n > 0 THEN
        PERFORM soak_check.note(p_job.job_id, c.schedule_id, c.tbl, 'mirror_differs',
                                format('after replaying job %s the mirror differs from the table as of its snapshot in %s rows',
                                       p_job.job_id, n));
        ndiff := ndiff + n;
    END IF;

    UPDATE soak_check.chain x SET last_job_id = p_job.job_id, last_snapshot = s
     WHERE x.schedule_id = c.schedule_id AND x.tbl = c.tbl;
    INSERT INTO soak_check.job_check VALUES (p_job.job_id, c.schedule_id, c.tbl, p IS NULL, nfiles, nrows,
                                             nexp, nmirror, ndiff,
                                             extract(epoch FROM clock_timestamp() - t0));
END
$$;

-- Check the jobs of the chains that finished since the last call, in job
-- order; stop at a job that has not finished.  Returns the jobs checked.
CREATE FUNCTION soak_check.check_pending() RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    pr   soak_check.progress;
    j    dataexport.job;
    c    soak_check.chain;
    done int := 0;
    prev text;
BEGIN
    PERFORM pg_advisory_xact_lock(7007);	-- one check at a time
    FOR pr IN SELECT * FROM soak_check.progress ORDER BY schedule_id LOOP
        FOR j IN SELECT * FROM dataexport.job x
                  WHERE x.schedule_id = pr.schedule_id AND x.job_id > pr.last_job_id
                  ORDER BY x.job_id LOOP
            EXIT WHEN j.status NOT IN ('SUCCEEDED', 'FAILED');
            IF j.status = 'SUCCEEDED' THEN
                -- The engine's chain must be ours: the manifest names the snapshots.
                SELECT string_agg(DISTINCT coalesce(last_snapshot::text, 'null'), ' ') INTO prev
                  FROM soak_check.chain WHERE schedule_id = pr.schedule_id
                   AND entity_type = ANY (j.entity_types);
                IF j.manifest->'snapshot'->>'current' IS DISTINCT FROM j.snapshot::text
                   OR coalesce(j.manifest->'snapshot'->>'previous', 'null') IS DISTINCT FROM prev THEN
                    PERFORM soak_check.note(j.job_id, j.schedule_id, NULL, 'manifest_snapshot',
                                            format('manifest %s, job snapshot %s, previous in the chain %s',
                                                   j.manifest->'snapshot', j.snapshot, prev));
                END IF;
                FOR c IN SELECT * FROM soak_check.chain
                          WHERE schedule_id = pr.schedule_id AND entity_type = ANY (j.entity_types)
                          ORDER BY tbl LOOP
                    PERFORM soak_check.check_job_table(j, c);
                END LOOP;
            END IF;
            UPDATE soak_check.progress SET last_job_id = j.job_id WHERE schedule_id = pr.schedule_id;
            done := done + 1;
        END LOOP;
    END LOOP;
    RETURN done;
END
$$;

-- Every file in the storage directory: a final name means a complete file
-- that the catalog knows with its sha256 (or, after a crash between the
-- rename and the catalog, a complete file of a job that FAILED); *.tmp
-- files are allowed.  Returns the number of *.tmp files.
CREATE FUNCTION soak_check.check_store(OUT final_files bigint, OUT tmp_files bigint, OUT unlisted_files bigint)
LANGUAGE plpgsql
SET TimeZone = 'UTC' SET DateStyle = 'ISO' SET extra_float_digits = 1 AS $$
DECLARE
    base text := soak_check.store_dir();
    d    text;
    fn   text;
    j    dataexport.job;
    jf   dataexport.job_file;
    tbl  name;
    raw  bytea;
BEGIN
    final_files := 0; tmp_files := 0; unlisted_files := 0;
    FOR d IN SELECT x FROM pg_ls_dir(base, true, false) x WHERE x ~ '^[0-9]+$' ORDER BY x::bigint LOOP
        SELECT * INTO j FROM dataexport.job WHERE job_id = d::bigint;
        IF NOT FOUND THEN
            PERFORM soak_check.note(d::bigint, NULL, NULL, 'unknown_job_dir', base || '/' || d);
            CONTINUE;
        END IF;
        -- A job that has not finished has files in the making.
        CONTINUE WHEN j.status NOT IN ('SUCCEEDED', 'FAILED');
        FOR fn IN SELECT x FROM pg_ls_dir(base || '/' || d, true, false) x ORDER BY x LOOP
            IF fn LIKE '%.tmp' THEN
                tmp_files := tmp_files + 1;
                CONTINUE;
            END IF;
            final_files := final_files + 1;
            IF fn = 'manifest.json' THEN
                raw := pg_read_binary_file(base || '/' || d || '/' || fn);
                IF j.status <> 'SUCCEEDED' OR convert_from(raw, 'UTF8')::jsonb IS DISTINCT FROM j.manifest THEN
                    PERFORM soak_check.note(j.job_id, j.schedule_id, NULL, 'manifest_file',
                                            format('manifest.json of a %s job differs from job_manifest()', j.status));
                END IF;
                CONTINUE;
            END IF;
            SELECT * INTO jf FROM dataexport.job_file f WHERE f.job_id = j.job_id AND f.file_name = fn;
            tbl := lower(substring(fn FROM '^(.*?)(_part[0-9]+)?\.(csv|jsonl)$'));
            IF FOUND THEN
                IF j.status = 'SUCCEEDED' AND (j.schedule_id, tbl) IN (SELECT schedule_id, c.tbl FROM soak_check.chain c) THEN
                    CONTINUE;   -- read and compared by check_job_table
                END IF;
                raw := pg_read_binary_file(base || '/' || d || '/' || fn);
                IF encode(sha256(raw), 'hex') <> jf.sha256 OR length(raw) <> jf.bytes THEN
                    PERFORM soak_check.note(j.job_id, j.schedule_id, tbl, 'file_sha256',
                                            format('%s of a %s job does not match job_files', fn, j.status));
                END IF;
                CONTINUE;
            END IF;
            -- A final name the catalog does not list: it must be complete.
            unlisted_files := unlisted_files + 1;
            IF j.status <> 'FAILED' THEN
                PERFORM soak_check.note(j.job_id, j.schedule_id, tbl, 'unlisted_file',
                                        format('%s of a %s job is not in job_files', fn, j.status));
            ELSIF tbl IS NULL OR to_regclass(soak_check.qual(tbl)) IS NULL THEN
                raw := pg_read_binary_file(base || '/' || d || '/' || fn);
                IF length(raw) > 0 AND get_byte(raw, length(raw) - 1) <> 10 THEN
                    PERFORM soak_check.note(j.job_id, j.schedule_id, tbl, 'file_incomplete', fn);
                END IF;
            ELSE
                PERFORM soak_check.prepare_table(tbl);
                EXECUTE format('TRUNCATE soak_check.%I', 'st_' || tbl);
                PERFORM soak_check.load_file(j.job_id, j.schedule_id, tbl, upper(tbl),
                                             CASE WHEN fn LIKE '%.csv' THEN 'CSV' ELSE 'JSONL' END,
                                             0, fn, NULL, NULL, NULL);
            END IF;
        END LOOP;
    END LOOP;

    -- Files the catalog lists must exist.
    FOR jf IN SELECT f.* FROM dataexport.job_file f WHERE NOT f.expired LOOP
        IF pg_stat_file(base || '/' || jf.job_id || '/' || jf.file_name, true) IS NULL THEN
            PERFORM soak_check.note(jf.job_id, NULL, NULL, 'missing_file', jf.file_name);
        END IF;
    END LOOP;
END
$$;

-- Once the writers have stopped and a last job ran for every chain: the
-- mirror, the truth and the live table must be equal.
CREATE FUNCTION soak_check.final_compare() RETURNS TABLE (schedule_id bigint, tbl name, live_rows bigint,
                                                          mirror_rows bigint, differences bigint)
LANGUAGE plpgsql
SET TimeZone = 'UTC' SET DateStyle = 'ISO' SET IntervalStyle = 'postgres'
SET extra_float_digits = 1 SET bytea_output = 'hex' AS $$
DECLARE
    c  soak_check.chain;
    m  text;
    tr text;
    n  bigint;
    d  bigint;
BEGIN
    FOR c IN SELECT * FROM soak_check.chain ORDER BY schedule_id, tbl LOOP
        m := format('soak_check.%I', format('m_%s_%s', c.schedule_id, c.tbl));
        tr := format('soak_check.%I', format('t_%s_%s', c.schedule_id, c.tbl));
        EXECUTE format('SELECT count(*) FROM ((SELECT t::text FROM %1$s t EXCEPT ALL SELECT t::text FROM %2$s t)'
                       ' UNION ALL (SELECT t::text FROM %2$s t EXCEPT ALL SELECT t::text FROM %1$s t)) d', soak_check.qual(c.tbl), m)
            INTO d;
        IF d > 0 THEN
            PERFORM soak_check.note(c.last_job_id, c.schedule_id, c.tbl, 'final_mirror',
                                    format('the replayed mirror differs from the live table in %s rows', d));
        END IF;
        EXECUTE format('SELECT count(*) FROM ((SELECT t::text FROM %1$s t EXCEPT ALL SELECT t::text FROM %2$s t)'
                       ' UNION ALL (SELECT t::text FROM %2$s t EXCEPT ALL SELECT t::text FROM %1$s t)) d', soak_check.qual(c.tbl), tr)
            INTO n;
        IF n > 0 THEN
            PERFORM soak_check.note(c.last_job_id, c.schedule_id, c.tbl, 'final_truth',
                                    format('the ground truth differs from the live table in %s rows (soak bug?)', n));
        END IF;
        schedule_id := c.schedule_id;
        tbl := c.tbl;
        EXECUTE format('SELECT count(*) FROM %s', soak_check.qual(c.tbl)) INTO live_rows;
        EXECUTE format('SELECT count(*) FROM %s', m) INTO mirror_rows;
        differences := d;
        RETURN NEXT;
    END LOOP;
END
$$;

-- Wait (up to p_timeout) until job p_job runs and is in the middle of a file
-- whose name starts with p_prefix (a *.tmp with data, after at least
-- p_min_parts complete parts of that name); then run
-- p_program, if given, through COPY TO PROGRAM with {pid} replaced by the
-- pid running the job (the fault strikes within milliseconds, where a
-- client would take tens), and return that pid.  NULL if the job ended or
-- the time ran out first.
CREATE FUNCTION soak_check.wait_mid_file(p_job bigint, p_timeout interval DEFAULT '60s',
                                         p_min_parts int DEFAULT 0, p_program text DEFAULT NULL,
                                         p_prefix text DEFAULT '')
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    deadline timestamptz := clock_timestamp() + p_timeout;
    dir  text := soak_check.store_dir() || '/' || p_job;
    st   text;
    pid  int;
BEGIN
    LOOP
        -- A fresh snapshot per statement: the job's progress is seen.
        SELECT status, worker_pid INTO st, pid FROM dataexport.job WHERE job_id = p_job;
        IF st IN ('SUCCEEDED', 'FAILED') OR clock_timestamp() > deadline THEN
            RETURN NULL;
        END IF;
        IF st = 'RUNNING' AND EXISTS (
               SELECT 1 FROM pg_ls_dir(dir, true, false) f
                WHERE f LIKE p_prefix || '%.tmp' AND (pg_stat_file(dir || '/' || f, true)).size > 0)
           AND (SELECT count(*) FROM pg_ls_dir(dir, true, false) f
                 WHERE f LIKE p_prefix || '%' AND f NOT LIKE '%.tmp') >= p_min_parts THEN
            IF p_program IS NOT NULL THEN
                EXECUTE format('COPY (SELECT 1) TO PROGRAM %L', replace(p_program, '{pid}', pid::text));
            END IF;
            RETURN pid;
        END IF;
        PERFORM pg_sleep(0.001);
    END LOOP;
END
$$;

-- test/soak/setup.sql: the soak's source tables, their random writers'
-- helpers, and the ground truth the replay is judged against.
--
-- Schema soak holds the tables the writers change (registered as entity
-- types ACCT, LINE and EVT) and the functions that make random values of
-- every kind an export must survive: text with commas, quotes, newlines,
-- backslashes, control characters and non-ASCII; numeric with trailing zeros
-- and huge or tiny values; float NaN, infinities and -0; infinite dates and
-- timestamps; intervals of mixed sign; arrays with NULL and "NULL" elements
-- and two dimensions; json and jsonb; bytea with zero bytes; NULLs.
--
-- Schema soak_check holds the ground truth: a trigger on each source table
-- appends every row version it writes to soak_check.h_<table> (sequence
-- number, top-level transaction id, 'U' for a live version, 'D' for a key
-- that went away with its last values), in the writing transaction.  The
-- table as of any snapshot S is then "the latest entry per key among those
-- whose transaction S sees, unless it is a D": see check.sql.  This is
-- independent of the extension's own change capture.
--
-- Run once, as a superuser, after CREATE EXTENSION pg_dataexport.

SET client_min_messages = warning;
CREATE SCHEMA soak;
CREATE SCHEMA soak_check;

-- ---------------------------------------------------------------------------
-- Random values
-- ---------------------------------------------------------------------------

-- Text made of pieces that break naive CSV and JSON writers and readers.
CREATE FUNCTION soak.rtext(parts int DEFAULT 4) RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT CASE
        WHEN random() < 0.06 THEN NULL
        WHEN random() < 0.05 THEN ''
        ELSE (SELECT string_agg(CASE floor(random() * 20)::int
                  WHEN 0 THEN ',' WHEN 1 THEN '"' WHEN 2 THEN E'\n'
                  WHEN 3 THEN E'\r\n' WHEN 4 THEN E'\\' WHEN 5 THEN ''''
                  WHEN 6 THEN ' ' WHEN 7 THEN E'\t' WHEN 8 THEN 'é'
                  WHEN 9 THEN '中文' WHEN 10 THEN '😀' WHEN 11 THEN E'\x01'
                  WHEN 12 THEN E'\u2028' WHEN 13 THEN 'null' WHEN 14 THEN '{"a":[1]}'
                  WHEN 15 THEN E'\\N' WHEN 16 THEN E'\x1f'
                  ELSE substr(md5(random()::text), 1, 1 + floor(random() * 12)::int) END, '')
                FROM generate_series(0, floor(random() * parts)::int))
    END
$$;

-- numeric: any scale, trailing zeros kept; special values when asked.
CREATE FUNCTION soak.rnum(special boolean DEFAULT false) RETURNS numeric
LANGUAGE sql VOLATILE AS $$
    SELECT CASE
        WHEN random() < 0.05 THEN NULL
        WHEN special AND random() < 0.04 THEN 'NaN'::numeric
        WHEN special AND random() < 0.04 THEN 'Infinity'::numeric
        WHEN special AND random() < 0.04 THEN '-Infinity'::numeric
        WHEN special AND random() < 0.05 THEN round((random() * 1e30)::numeric, 8)
        WHEN special AND random() < 0.05 THEN 0.00000000000000000001::numeric
        WHEN random() < 0.05 THEN 0.000::numeric
        ELSE round(((random() - 0.3) * 10 ^ floor(random() * 8))::numeric,
                   floor(random() * 7)::int)
    END
$$;

-- float8: the values whose text form is easy to get wrong.
CREATE FUNCTION soak.rfloat() RETURNS float8
LANGUAGE sql VOLATILE AS $$
    SELECT CASE floor(random() * 16)::int
        WHEN 0 THEN NULL WHEN 1 THEN 'NaN' WHEN 2 THEN 'Infinity'
        WHEN 3 THEN '-Infinity' WHEN 4 THEN '-0' WHEN 5 THEN 5e-324
        WHEN 6 THEN 1.7976931348623157e308 WHEN 7 THEN 0.1 WHEN 8 THEN 100
        ELSE (random() - 0.5) * 10 ^ (random() * 40 - 20)
    END
$$;

CREATE FUNCTION soak.rreal() RETURNS real
LANGUAGE sql VOLATILE AS $$
    SELECT CASE floor(random() * 10)::int
        WHEN 0 THEN NULL WHEN 1 THEN 'NaN'::real WHEN 2 THEN '-Infinity'::real
        WHEN 3 THEN '-0'::real WHEN 4 THEN 3.4028235e38::real
        ELSE ((random() - 0.5) * 10 ^ (random() * 10 - 5))::real
    END
$$;

CREATE FUNCTION soak.rts() RETURNS timestamptz
LANGUAGE sql VOLATILE AS $$
    SELECT CASE
        WHEN random() < 0.05 THEN NULL
        WHEN random() < 0.03 THEN 'infinity'::timestamptz
        WHEN random() < 0.03 THEN '-infinity'::timestamptz
        WHEN random() < 0.3 THEN date_trunc('second', now() - random() * interval '30 years')
        ELSE timestamptz '1900-01-01 00:00:00+00' + random() * interval '150 years'
    END
$$;

CREATE FUNCTION soak.rinterval() RETURNS interval
LANGUAGE sql VOLATILE AS $$
    SELECT CASE
        WHEN random() < 0.05 THEN NULL
        WHEN random() < 0.05 THEN interval '0'
        ELSE make_interval(years => floor(random() * 5 - 2)::int,
                           months => floor(random() * 30 - 10)::int,
                           days => floor(random() * 60 - 20)::int,
                           hours => floor(random() * 50 - 20)::int,
                           secs => CASE WHEN random() < 0.5 THEN floor(random() * 100)
                                        ELSE round((random() * 1000 - 300)::numeric, 6)::float8 END)
    END
$$;

-- text[]: NULL elements, the string "NULL", empty strings, quotes, braces.
CREATE FUNCTION soak.rtags() RETURNS text[]
LANGUAGE sql VOLATILE AS $$
    SELECT CASE
        WHEN random() < 0.08 THEN NULL
        WHEN random() < 0.08 THEN '{}'::text[]
        ELSE (SELECT array_agg(CASE floor(random() * 8)::int
                  WHEN 0 THEN NULL WHEN 1 THEN 'NULL' WHEN 2 THEN ''
                  WHEN 3 THEN '{a,b}' WHEN 4 THEN 'say "hi", bye'
                  ELSE coalesce(soak.rtext(2), 'x') END)
                FROM generate_series(0, floor(random() * 4)::int))
    END
$$;

-- int[]: one or two dimensions.
CREATE FUNCTION soak.rints() RETURNS int[]
LANGUAGE sql VOLATILE AS $$
    SELECT CASE
        WHEN random() < 0.08 THEN NULL
        WHEN random() < 0.2 THEN ARRAY[[floor(random() * 100)::int, -1],
                                       [NULL, 2147483647]]
        ELSE (SELECT array_agg(CASE WHEN random() < 0.1 THEN NULL
                                    ELSE floor(random() * 2e9 - 1e9)::int END)
                FROM generate_series(0, floor(random() * 5)::int))
    END
$$;

CREATE FUNCTION soak.rnums() RETURNS numeric[]
LANGUAGE sql VOLATILE AS $$
    SELECT CASE WHEN random() < 0.1 THEN NULL
                ELSE ARRAY[soak.rnum(), soak.rnum(), 2.50] END
$$;

-- jsonb: nested, with escapes and numbers whose scale matters.  No JSON
-- null at the top level: see doc/soak.md (JSONL cannot tell it from NULL).
CREATE FUNCTION soak.rjsonb() RETURNS jsonb
LANGUAGE sql VOLATILE AS $$
    SELECT CASE floor(random() * 8)::int
        WHEN 0 THEN NULL
        WHEN 1 THEN to_jsonb(coalesce(soak.rtext(3), 'plain'))
        WHEN 2 THEN to_jsonb(floor(random() * 1000)::int)
        WHEN 3 THEN jsonb_build_array(1, 'two', NULL, 3.50, jsonb_build_object('x', soak.rtext(2)))
        ELSE jsonb_build_object('s', soak.rtext(3), 'n', soak.rnum(), 'f', 1.50,
                                'b', random() < 0.5, 'z', NULL,
                                'a', jsonb_build_array(1, 'x', NULL),
                                'o', jsonb_build_object('deep', soak.rtext(2), 'e', '{}'::jsonb))
    END
$$;

-- json: kept as written (white space, key order, duplicate keys).
CREATE FUNCTION soak.rjson() RETURNS json
LANGUAGE sql VOLATILE AS $$
    SELECT CASE floor(random() * 5)::int
        WHEN 0 THEN NULL
        WHEN 1 THEN json_build_object('k', soak.rtext(2), 'n', 1.50)
        WHEN 2 THEN '{ "b" : 1,  "a" : [ 1 , 2 ] , "b": "dup" }'::json
        WHEN 3 THEN to_json(coalesce(soak.rtext(2), ''))
        ELSE json_build_array(soak.rnum(), true, 'x')
    END
$$;

CREATE FUNCTION soak.rbytes() RETURNS bytea
LANGUAGE sql VOLATILE AS $$
    SELECT CASE
        WHEN random() < 0.08 THEN NULL
        WHEN random() < 0.05 THEN ''::bytea
        ELSE decode(md5(random()::text), 'hex') || '\x000aff22'::bytea
             || decode(repeat(md5(random()::text), floor(random() * 6)::int), 'hex')
    END
$$;

-- ---------------------------------------------------------------------------
-- Source tables
-- ---------------------------------------------------------------------------

-- Accounts: a uuid key, every kind of column.  slot picks random rows.
CREATE TABLE soak.acct (
    id       uuid PRIMARY KEY,
    slot     int NOT NULL,
    name     text,
    note     text,
    balance  numeric(18,4),
    ratio    numeric,
    rate     float8,
    score    real,
    created  timestamptz,
    day      date,
    local_at timestamp,
    span     interval,
    tags     text[],
    nums     int[],
    attrs    jsonb,
    doc      json,
    flag     boolean,
    blob     bytea,
    n        bigint,
    small    smallint,
    code     varchar(12),
    letter   char(3)
);
CREATE INDEX acct_slot ON soak.acct (slot);

-- Lines: a two-column key, either part of which may change.
CREATE SEQUENCE soak.line_seq;
CREATE TABLE soak.line (
    batch   int NOT NULL,
    seq     bigint NOT NULL,
    qty     numeric,
    price   numeric(12,2),
    amounts numeric[],
    txt     text,
    at      timestamptz,
    meta    jsonb,
    PRIMARY KEY (batch, seq)
);

-- Events: a bigint key and a wide payload, so that exports take time and
-- split into many parts.
CREATE SEQUENCE soak.evt_id;
CREATE TABLE soak.evt (
    id      bigint PRIMARY KEY,
    kind    text,
    payload text,
    at      timestamptz,
    n       int
);

CREATE FUNCTION soak.new_acct(p_slot int) RETURNS SETOF soak.acct
LANGUAGE sql VOLATILE AS $$
    SELECT gen_random_uuid(), p_slot, soak.rtext(2), soak.rtext(),
           round((random() * 1e6)::numeric, floor(random() * 5)::int), soak.rnum(true),
           soak.rfloat(), soak.rreal(), soak.rts(),
           CASE WHEN random() < 0.03 THEN 'infinity'::date
                WHEN random() < 0.05 THEN NULL
                ELSE date '1950-01-01' + floor(random() * 40000)::int END,
           CASE WHEN random() < 0.05 THEN NULL
                ELSE timestamp '2000-01-01' + random() * interval '40 years' END,
           soak.rinterval(), soak.rtags(), soak.rints(), soak.rjsonb(), soak.rjson(),
           CASE WHEN random() < 0.1 THEN NULL ELSE random() < 0.5 END,
           soak.rbytes(),
           CASE WHEN random() < 0.05 THEN 9223372036854775807
                ELSE floor(random() * 1e12)::bigint END,
           floor(random() * 65535 - 32768)::smallint,
           left(md5(random()::text), floor(random() * 13)::int),
           CASE WHEN random() < 0.2 THEN NULL ELSE left(md5(random()::text), floor(random() * 4)::int) END
$$;

CREATE FUNCTION soak.new_line(p_batch int, p_count int DEFAULT 1) RETURNS SETOF soak.line
LANGUAGE sql VOLATILE AS $$
    SELECT p_batch, nextval('soak.line_seq'), soak.rnum(true),
           round((random() * 1e5)::numeric, 2), soak.rnums(), soak.rtext(),
           soak.rts(), soak.rjsonb()
      FROM generate_series(1, p_count)
$$;

CREATE FUNCTION soak.new_evt(p_count int DEFAULT 1) RETURNS SETOF soak.evt
LANGUAGE sql VOLATILE AS $$
    SELECT nextval('soak.evt_id'),
           (ARRAY['usage', 'bill', 'credit', 'note, "quoted"'])[1 + floor(random() * 4)::int],
           repeat(md5(random()::text), 8) || coalesce(soak.rtext(2), ''),
           clock_timestamp(), floor(random() * 1000)::int
      FROM generate_series(1, p_count)
$$;

-- ---------------------------------------------------------------------------
-- Ground truth: every row version, in the writing transaction
-- ---------------------------------------------------------------------------

CREATE SEQUENCE soak_check.hseq;

-- soak_check.track(table, key columns, schema): the history table
-- h_<table> and the triggers that fill it.  Key changes log the old key as 'D'.  TRUNCATE logs
-- every row as 'D'; its trigger runs after the table lock is granted, and
-- each statement of a plpgsql function takes a fresh snapshot, so it sees
-- every row that TRUNCATE removes.
CREATE FUNCTION soak_check.track(p_table name, p_keys name[], p_schema name DEFAULT 'soak') RETURNS void
LANGUAGE plpgsql AS $f$
DECLARE
    rel  text := format('%I.%I', p_schema, p_table);
    oldk text := (SELECT string_agg('OLD.' || quote_ident(k), ', ') FROM unnest(p_keys) k);
    newk text := (SELECT string_agg('NEW.' || quote_ident(k), ', ') FROM unnest(p_keys) k);
BEGIN
    EXECUTE format('CREATE TABLE soak_check.%I (seq bigint NOT NULL, txid xid8 NOT NULL,'
                   ' op "char" NOT NULL, r %s NOT NULL)', 'h_' || p_table, rel);
    EXECUTE format('CREATE INDEX ON soak_check.%I (txid)', 'h_' || p_table);
    EXECUTE format($t$
        CREATE FUNCTION soak_check.%1$I() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE' THEN
                INSERT INTO soak_check.%2$I
                SELECT nextval('soak_check.hseq'), pg_current_xact_id(), 'D', t FROM %3$s t;
                RETURN NULL;
            END IF;
            IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND ROW(%4$s) IS DISTINCT FROM ROW(%5$s)) THEN
                INSERT INTO soak_check.%2$I VALUES (nextval('soak_check.hseq'), pg_current_xact_id(), 'D', OLD);
            END IF;
            IF TG_OP <> 'DELETE' THEN
                INSERT INTO soak_check.%2$I VALUES (nextval('soak_check.hseq'), pg_current_xact_id(), 'U', NEW);
            END IF;
            RETURN NULL;
        END $$;$t$, 'track_' || p_table, 'h_' || p_table, rel, oldk, newk);
    EXECUTE format('CREATE TRIGGER soak_track AFTER INSERT OR UPDATE OR DELETE ON %s'
                   ' FOR EACH ROW EXECUTE FUNCTION soak_check.%I()', rel, 'track_' || p_table);
    EXECUTE format('CREATE TRIGGER soak_track_truncate BEFORE TRUNCATE ON %s'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION soak_check.%I()', rel, 'track_' || p_table);
    INSERT INTO soak_check.tracked VALUES (p_table, p_keys, p_schema);
END
$f$;

-- The tables with a history (table names are unique across schemas here).
CREATE TABLE soak_check.tracked (tbl name PRIMARY KEY, keys name[] NOT NULL, nsp name NOT NULL);

-- The qualified name of a tracked table (or of a table in schema soak).
CREATE FUNCTION soak_check.qual(p_tbl name) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT format('%I.%I', nsp, tbl) FROM soak_check.tracked WHERE tbl = p_tbl),
                    format('soak.%I', p_tbl))
$$;

SELECT soak_check.track('acct', '{id}');
SELECT soak_check.track('line', '{batch,seq}');
SELECT soak_check.track('evt', '{id}');

SELECT dataexport.register_entity('ACCT', 'soak.acct');
SELECT dataexport.register_entity('LINE', 'soak.line');
SELECT dataexport.register_entity('EVT', 'soak.evt');

-- Tables dropped while their schedule runs (fault "drop"): all alike.
CREATE FUNCTION soak.new_victim(p_name name) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE soak.%I (id int PRIMARY KEY, v text)', p_name);
    EXECUTE format('INSERT INTO soak.%I SELECT g, soak.rtext() FROM generate_series(1, 200) g', p_name);
    PERFORM dataexport.register_entity(upper(p_name), format('soak.%I', p_name)::regclass);
END
$$;

-- test/soak/m3ter.sql: random writers for tables of the bundled m3ter model
-- (dataexport.create_m3ter_model), loaded by soak.sh when the model exists,
-- after setup.sql, with the model created and tracked but not yet filled.
--
-- The tables are linked by foreign keys, so the writers keep them valid: a
-- table that other tables reference gets updates and inserts (a copy of one
-- of its rows under a new id, some values new); a table that nothing
-- references ("leaf") also gets key changes, deletes and TRUNCATE.  Foreign
-- key columns are never changed; new rows copy valid ones.

SET client_min_messages = warning;

CREATE TABLE soak.m3ter_target (
    tbl    name PRIMARY KEY,
    leaf   boolean NOT NULL,
    weight int NOT NULL
);

-- The columns a writer may set, with the SQL of a random value: not the key,
-- not a foreign key column, not NOT NULL, of a type with a generator.
CREATE TABLE soak.m3ter_cols (
    tbl     name NOT NULL,
    attname name NOT NULL,
    expr    text NOT NULL
);

-- soak.m3ter_add(table): write to m3ter.<table> from now on.
CREATE FUNCTION soak.m3ter_add(p_tbl name, p_weight int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    rel regclass := format('m3ter.%I', p_tbl)::regclass;
BEGIN
    INSERT INTO soak.m3ter_target
    VALUES (p_tbl, NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.confrelid = rel AND k.contype = 'f'),
            p_weight);
    INSERT INTO soak.m3ter_cols
    SELECT p_tbl, a.attname,
           CASE a.atttypid
               WHEN 'text'::regtype THEN 'soak.rtext()'
               WHEN 'jsonb'::regtype THEN 'soak.rjsonb()'
               WHEN 'numeric'::regtype THEN 'soak.rnum(true)'
               WHEN 'integer'::regtype THEN 'floor(random() * 1000)::int'
               WHEN 'bigint'::regtype THEN 'floor(random() * 1e12)::bigint'
               WHEN 'boolean'::regtype THEN 'CASE WHEN random() < 0.1 THEN NULL ELSE random() < 0.5 END'
               WHEN 'date'::regtype THEN $e$date '2000-01-01' + floor(random() * 15000)::int$e$
               WHEN 'timestamptz'::regtype THEN 'soak.rts()'
               WHEN 'text[]'::regtype THEN 'soak.rtags()'
               WHEN 'uuid'::regtype THEN 'gen_random_uuid()'
               WHEN 'float8'::regtype THEN 'soak.rfloat()'
           END
      FROM pg_attribute a
     WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped AND NOT a.attnotnull
       AND a.attname <> 'id'
       AND a.atttypid IN ('text'::regtype, 'jsonb'::regtype, 'numeric'::regtype, 'integer'::regtype,
                          'bigint'::regtype, 'boolean'::regtype, 'date'::regtype, 'timestamptz'::regtype,
                          'text[]'::regtype, 'uuid'::regtype, 'float8'::regtype)
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                        WHERE k.conrelid = rel AND k.contype = 'f' AND a.attnum = ANY (k.conkey));
END
$$;

-- One random write to one of the tables; returns what it did.
CREATE FUNCTION soak.m3ter_write() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    t     soak.m3ter_target;
    r     float8 := random();
    op    text;
    id    uuid;
    sets  text;
    cols  text;
    vals  text;
BEGIN
    SELECT * INTO t FROM soak.m3ter_target
     ORDER BY -ln(1.0 - random()) / weight LIMIT 1;	-- weighted choice
    op := CASE WHEN r < 0.5 THEN 'update' WHEN r < 0.75 THEN 'insert'
               WHEN r < 0.88 THEN 'rekey' ELSE 'delete' END;
    IF NOT t.leaf AND op IN ('rekey', 'delete') THEN
        op := 'update';
    END IF;
    EXECUTE format('SELECT id FROM m3ter.%1$I OFFSET floor(random() * (SELECT count(*) FROM m3ter.%1$I)) LIMIT 1',
                   t.tbl) INTO id;
    IF id IS NULL THEN
        RETURN 'none';
    END IF;
    IF op = 'update' THEN
        SELECT string_agg(format('%I = %s', c.attname, c.expr), ', ') INTO sets
          FROM (SELECT * FROM soak.m3ter_cols WHERE tbl = t.tbl ORDER BY random() LIMIT 3) c;
        EXECUTE format('UPDATE m3ter.%I SET %s WHERE id = $1', t.tbl, sets) USING id;
    ELSIF op = 'insert' THEN
        -- A copy under a new id; each settable column new with chance 1/2.
        SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),
               string_agg(CASE WHEN a.attname = 'id' THEN 'gen_random_uuid()'
                               WHEN c.expr IS NOT NULL AND random() < 0.5 THEN c.expr
                               ELSE 'x.' || quote_ident(a.attname) END, ', ' ORDER BY a.attnum)
          INTO cols, vals
          FROM pg_attribute a
          LEFT JOIN soak.m3ter_cols c ON c.tbl = t.tbl AND c.attname = a.attname
         WHERE a.attrelid = format('m3ter.%I', t.tbl)::regclass AND a.attnum > 0 AND NOT a.attisdropped;
        EXECUTE format('INSERT INTO m3ter.%1$I (%2$s) SELECT %3$s FROM m3ter.%1$I x WHERE x.id = $1',
                       t.tbl, cols, vals) USING id;
    ELSIF op = 'rekey' THEN
        EXECUTE format('UPDATE m3ter.%I SET id = gen_random_uuid() WHERE id = $1', t.tbl) USING id;
    ELSE
        EXECUTE format('DELETE FROM m3ter.%I WHERE id = $1', t.tbl) USING id;
    END IF;
    RETURN op || ' ' || t.tbl;
END
$$;

-- TRUNCATE of a leaf table, then its rows again (under new ids) from a copy
-- taken at the start.
CREATE FUNCTION soak.m3ter_truncate() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    t    name;
    cols text;
    vals text;
BEGIN
    SELECT tbl INTO t FROM soak.m3ter_target WHERE leaf ORDER BY random() LIMIT 1;
    IF t IS NULL THEN
        RETURN 'none';
    END IF;
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),
           string_agg(CASE WHEN a.attname = 'id' THEN 'gen_random_uuid()' ELSE quote_ident(a.attname) END,
                      ', ' ORDER BY a.attnum)
      INTO cols, vals
      FROM pg_attribute a
     WHERE a.attrelid = format('m3ter.%I', t)::regclass AND a.attnum > 0 AND NOT a.attisdropped;
    EXECUTE format('TRUNCATE m3ter.%I', t);
    EXECUTE format('INSERT INTO m3ter.%1$I (%2$s) SELECT %3$s FROM soak.%4$I', t, cols, vals, 'seed_' || t);
    RETURN 'truncate ' || t;
END
$$;

-- The seeds of the leaf tables, once the model is filled.
CREATE FUNCTION soak.m3ter_seed() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t name;
BEGIN
    FOR t IN SELECT tbl FROM soak.m3ter_target WHERE leaf LOOP
        EXECUTE format('CREATE TABLE soak.%I AS SELECT * FROM m3ter.%I', 'seed_' || t, t);
    END LOOP;
END
$$;

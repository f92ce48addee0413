-- ALTER EXTENSION pg_dataexport UPDATE from 0.1 to 0.2, which changed the
-- change log's layout (0.1: one change a row; 0.2: many a row), then to
-- 0.3, which changed the capture triggers (0.2: one AFTER INSERT OR UPDATE
-- OR DELETE trigger; 0.3: the INSERT trigger captures in its WHEN
-- condition) and dropped the log's index.  A database on an older version keeps working with the
-- new library until it is updated: its changes are captured as that
-- version did and its jobs read them.  The first update converts the log in
-- place, the second replaces the triggers; the jobs before, between and
-- after them, replayed, give exactly the table; and the updated schema is
-- the one a fresh install of 0.3 has (this database's, installed by
-- pg_regress).

SELECT current_database() AS regress_db \gset
-- One line per object of the extension's schema: columns, functions (with
-- a hash of their definition), indexes, constraints, views, privileges.
SELECT $def$
CREATE FUNCTION pg_temp.ext_lines() RETURNS SETOF text LANGUAGE sql AS $$
    SELECT 'member ' || pg_describe_object(d.classid, d.objid, d.objsubid)
      FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
     WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
       AND e.extname = 'pg_dataexport'
    UNION ALL
    SELECT format('column %s.%s %s not null %s default %s', c.relname, a.attname,
                  format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(ad.adbin, ad.adrelid))
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
      LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
     WHERE c.relnamespace = 'dataexport'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT format('relation %s %s acl %s', c.relname, c.relkind, c.relacl)
      FROM pg_class c WHERE c.relnamespace = 'dataexport'::regnamespace
    UNION ALL
    SELECT format('function %s acl %s definition %s', p.oid::regprocedure, p.proacl,
                  md5(pg_get_functiondef(p.oid)))
      FROM pg_proc p WHERE p.pronamespace = 'dataexport'::regnamespace AND p.prokind IN ('f', 'p')
    UNION ALL
    SELECT 'index ' || pg_get_indexdef(i.indexrelid)
      FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
     WHERE c.relnamespace = 'dataexport'::regnamespace
    UNION ALL
    SELECT format('constraint %s %s', conname, pg_get_constraintdef(oid))
      FROM pg_constraint WHERE connamespace = 'dataexport'::regnamespace
    UNION ALL
    SELECT format('view %s %s', c.relname, md5(pg_get_viewdef(c.oid)))
      FROM pg_class c WHERE c.relnamespace = 'dataexport'::regnamespace AND c.relkind = 'v'
$$
$def$ AS ext_lines_def \gset
:ext_lines_def;
SELECT string_agg(l, E'\n') AS fresh_lines FROM pg_temp.ext_lines() AS l \gset

CREATE DATABASE dataexport_upgrade;
\c dataexport_upgrade
CREATE EXTENSION pg_dataexport VERSION '0.1';
SELECT extversion FROM pg_extension WHERE extname = 'pg_dataexport';

CREATE TABLE up (id integer PRIMARY KEY, v text);
SELECT dataexport.register_entity('UP', 'up');
INSERT INTO up SELECT i, 'v' || i FROM generate_series(1, 100) i;
SELECT dataexport.create_schedule('upgrade', ARRAY['UP'], 'DAY', 1) AS sid \gset
CALL dataexport.run_pending();

-- On 0.1 with the new library: changes logged one to a row, as 0.1 did.
INSERT INTO up SELECT i, 'v' || i FROM generate_series(101, 150) i;
UPDATE up SET v = 'changed' WHERE id BETWEEN 1 AND 10;
DELETE FROM up WHERE id BETWEEN 11 AND 15;
UPDATE up SET id = 1000 WHERE id = 16;
SELECT count(*) AS log_rows, count(old_row) AS deletions, count(*) FILTER (WHERE seq IS NULL) AS without_seq
  FROM dataexport.change_log;
-- and a job reads them.
SELECT dataexport.run_schedule_now(:sid) AS j2 \gset
CALL dataexport.run_pending();
SELECT status, rows_exported FROM dataexport.jobs WHERE job_id = :j2;

-- Changes left in the log for the update to convert.
UPDATE up SET v = 'before update' WHERE id BETWEEN 20 AND 29;
DELETE FROM up WHERE id BETWEEN 30 AND 34;

ALTER EXTENSION pg_dataexport UPDATE TO '0.2';
SELECT extversion FROM pg_extension WHERE extname = 'pg_dataexport';
SELECT attname, format_type(atttypid, atttypmod), attnotnull
  FROM pg_attribute WHERE attrelid = 'dataexport.change_log'::regclass AND attnum > 0
 ORDER BY attnum;
-- Each 0.1 entry is a row of one entry, its seq and last values kept.
SELECT count(*) AS log_rows, sum(cardinality(keys)) AS entries,
       count(old_rows) AS deletions, count(*) FILTER (WHERE seq IS NULL) AS without_seq,
       bool_and(cardinality(keys) = 1 AND coalesce(cardinality(old_rows), 1) = 1) AS one_each
  FROM dataexport.change_log;

-- On 0.2: batched.
INSERT INTO up SELECT i, 'v' || i FROM generate_series(200, 300) i;
DELETE FROM up WHERE id BETWEEN 40 AND 44;
UPDATE up SET id = 2000 WHERE id = 50;
SELECT dataexport.run_schedule_now(:sid) AS j3 \gset
CALL dataexport.run_pending();
SELECT status, rows_exported FROM dataexport.jobs WHERE job_id = :j3;

-- On 0.2 with the new library: the 0.2 trigger, one for every row event.
SELECT tgname, tgtype, tgqual IS NOT NULL AS has_when FROM pg_trigger
 WHERE tgrelid = 'up'::regclass ORDER BY tgname;
-- Changes left in the log across the update, by the 0.2 trigger.
UPDATE up SET v = 'before 0.3' WHERE id BETWEEN 60 AND 64;
UPDATE up SET id = 3000 WHERE id = 65;
DELETE FROM up WHERE id = 66;

ALTER EXTENSION pg_dataexport UPDATE TO '0.3';
SELECT extversion FROM pg_extension WHERE extname = 'pg_dataexport';
-- The 0.3 triggers, as register_entity makes them on a fresh table.
CREATE TABLE fresh (LIKE up INCLUDING ALL);
SELECT dataexport.register_entity('FRESH', 'fresh');
SELECT tgname, tgtype, tgqual IS NOT NULL AS has_when FROM pg_trigger
 WHERE tgrelid = 'up'::regclass ORDER BY tgname;
SELECT u.tgname, regexp_replace(pg_get_triggerdef(u.oid), '\mup\M', 'fresh', 'g') = pg_get_triggerdef(f.oid)
           AS same_as_fresh
  FROM pg_trigger u JOIN pg_trigger f ON f.tgname = u.tgname AND f.tgrelid = 'fresh'::regclass
 WHERE u.tgrelid = 'up'::regclass ORDER BY 1;
SELECT dataexport.unregister_entity('FRESH');
DROP TABLE fresh;

-- On 0.3: the upserts gathered by the WHEN conditions, a key change and a
-- deletion by the triggers.
BEGIN;
INSERT INTO up SELECT i, 'v' || i FROM generate_series(400, 450) i;
UPDATE up SET v = 'on 0.3' WHERE id BETWEEN 70 AND 79;
SELECT count(*) AS log_rows, sum(cardinality(keys)) AS entries, count(old_rows) AS deletions
  FROM dataexport.change_log WHERE txid = pg_current_xact_id();
COMMIT;
UPDATE up SET id = 4000 WHERE id = 80;
DELETE FROM up WHERE id = 81;
SELECT dataexport.run_schedule_now(:sid) AS j4 \gset
CALL dataexport.run_pending();
SELECT status, rows_exported FROM dataexport.jobs WHERE job_id = :j4;

-- The four jobs replayed in order onto an empty copy give the table.
CREATE TABLE mirror (id integer PRIMARY KEY, v text);
DO $$
DECLARE
    j bigint;
    r record;
BEGIN
    FOR j IN SELECT job_id FROM dataexport.jobs WHERE status = 'SUCCEEDED' ORDER BY job_id LOOP
        FOR r IN SELECT split_part(line, ',', 1)::integer AS id, split_part(line, ',', 2) AS v,
                        split_part(line, ',', 3)::boolean AS deleted
                   FROM dataexport.read_file(j, 'UP') WITH ORDINALITY AS f(line, n) WHERE n > 1
        LOOP
            IF r.deleted THEN
                DELETE FROM mirror WHERE id = r.id;
            ELSE
                INSERT INTO mirror VALUES (r.id, r.v) ON CONFLICT (id) DO UPDATE SET v = excluded.v;
            END IF;
        END LOOP;
    END LOOP;
END
$$;
SELECT count(*) AS jobs FROM dataexport.jobs WHERE status = 'SUCCEEDED';
SELECT (SELECT count(*) FROM (SELECT * FROM up EXCEPT SELECT * FROM mirror) a)
     + (SELECT count(*) FROM (SELECT * FROM mirror EXCEPT SELECT * FROM up) b) AS differences,
       (SELECT count(*) FROM up) AS table_rows;

-- The updated schema is a fresh install's: nothing on one side only.
:ext_lines_def;
SELECT count(*) > 200 AS many_objects_compared FROM unnest(string_to_array(:'fresh_lines', E'\n'));
SELECT l AS only_in_fresh_install
  FROM unnest(string_to_array(:'fresh_lines', E'\n')) AS l
EXCEPT SELECT pg_temp.ext_lines();
SELECT l AS only_in_updated FROM pg_temp.ext_lines() AS l
EXCEPT SELECT unnest(string_to_array(:'fresh_lines', E'\n'));

\c :regress_db
DROP DATABASE dataexport_upgrade;

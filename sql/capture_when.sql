-- Capture in the WHEN condition of the INSERT trigger (capture.c, version
-- 0.3): the key of an inserted row is gathered as soon as the row is
-- written and the condition is false, so PostgreSQL queues nothing and
-- fetches nothing again; UPDATE and DELETE keep a trigger of their own.
-- What a user relies on: every way of writing a row is captured once, with
-- the key the row ends up with; and the WHEN function, open to every role,
-- called by hand can do no more than an insert into the table could.

CREATE TABLE cw (id integer PRIMARY KEY, v text);
CREATE TABLE cw2 (a text, b integer, v text, PRIMARY KEY (a, b));
SELECT dataexport.register_entity('CW', 'cw');
SELECT dataexport.register_entity('CW2', 'cw2');
-- An error as SQLSTATE and message.
CREATE FUNCTION cw_try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
-- The entries logged for table t: key, entries of that key, deletions.
CREATE FUNCTION cw_log(t regclass) RETURNS TABLE (key text, entries bigint, deletions bigint)
LANGUAGE sql AS $$
    SELECT e.key::text, count(*), count(e.old_row)
      FROM dataexport.change_log l, unnest(l.keys, l.old_rows) AS e(key, old_row)
     WHERE l.relid = t GROUP BY e.key::text ORDER BY e.key::text
$$;
CREATE FUNCTION cw_clear() RETURNS void LANGUAGE sql AS $$
    DELETE FROM dataexport.change_log WHERE relid IN ('cw'::regclass, 'cw2'::regclass)
$$;

-- The triggers register_entity installs: the INSERT trigger's WHEN
-- condition is given the table and the new row's key columns.
SELECT tgname, pg_get_triggerdef(oid) AS definition
  FROM pg_trigger WHERE tgrelid = 'cw2'::regclass ORDER BY tgname;

-- Inserts and updates of a two-column key: upserts only, once per row and
-- statement, however the unchanged key's values were computed (a text
-- recomputed is a new value of the same bytes).
INSERT INTO cw2 VALUES ('x', 1, 'one'), ('y', 2, 'two'), ('z"q', 3, 'three');
UPDATE cw2 SET v = v || '!';
UPDATE cw2 SET a = a || '', b = b + 0 WHERE b = 1;
SELECT * FROM cw_log('cw2');
-- A change of one key column: the old key deleted with its last values,
-- the new one upserted.
SELECT cw_clear();
UPDATE cw2 SET b = 20 WHERE a = 'y';
UPDATE cw2 SET a = 'zz' WHERE b = 3;
SELECT * FROM cw_log('cw2');
SELECT e.key::text, e.old_row::text
  FROM dataexport.change_log l, unnest(l.keys, l.old_rows) AS e(key, old_row)
 WHERE l.relid = 'cw2'::regclass AND l.old_rows IS NOT NULL ORDER BY l.seq;

-- A BEFORE trigger that changes the key: the key the row was written with
-- is logged, not the one the statement gave.
SELECT cw_clear();
CREATE FUNCTION cw_shift() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.id := NEW.id + 1000;
    RETURN NEW;
END
$$;
CREATE TRIGGER cw_shift BEFORE INSERT ON cw FOR EACH ROW EXECUTE FUNCTION cw_shift();
INSERT INTO cw VALUES (1, 'shifted');
DROP TRIGGER cw_shift ON cw;
SELECT * FROM cw_log('cw');

-- INSERT ... ON CONFLICT: a row skipped is not logged; a row updated
-- instead is, once.
SELECT cw_clear();
INSERT INTO cw VALUES (1001, 'skipped'), (2, 'new') ON CONFLICT DO NOTHING;
INSERT INTO cw VALUES (1001, 'upserted'), (3, 'new') ON CONFLICT (id) DO UPDATE SET v = excluded.v;
SELECT * FROM cw_log('cw');

-- MERGE inserts, updates and deletes.
SELECT cw_clear();
MERGE INTO cw USING (VALUES (2, 'merged'), (3, NULL), (4, 'merged new')) AS s(id, v) ON cw.id = s.id
  WHEN MATCHED AND s.v IS NULL THEN DELETE
  WHEN MATCHED THEN UPDATE SET v = s.v
  WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.v);
SELECT * FROM cw_log('cw');

-- A foreign key's ON UPDATE CASCADE updates a registered child table: its
-- rows are logged as changed (their key is not the foreign key).
CREATE TABLE cw_child (id integer PRIMARY KEY, parent integer REFERENCES cw ON UPDATE CASCADE);
SELECT dataexport.register_entity('CW_CHILD', 'cw_child');
INSERT INTO cw_child VALUES (1, 2), (2, 2), (3, 4);
DELETE FROM dataexport.change_log WHERE relid = 'cw_child'::regclass;
UPDATE cw SET id = 200 WHERE id = 2;
SELECT * FROM cw_log('cw_child');
SELECT * FROM cw_child ORDER BY id;

-- A renamed table keeps its capture (the WHEN condition holds its OID).
SELECT cw_clear();
ALTER TABLE cw2 RENAME TO cw2_renamed;
INSERT INTO cw2_renamed VALUES ('after rename', 1, 'r');
SELECT * FROM cw_log('cw2_renamed');
ALTER TABLE cw2_renamed RENAME TO cw2;

-- Roles that may write only some columns are captured like any writer.
SELECT cw_clear();
CREATE ROLE cw_writer;
GRANT USAGE ON SCHEMA public TO cw_writer;
GRANT SELECT, UPDATE (v) ON cw TO cw_writer;
GRANT INSERT (id, v) ON cw TO cw_writer;
SET ROLE cw_writer;
UPDATE cw SET v = 'by writer' WHERE id = 4;
INSERT INTO cw (id, v) VALUES (5, 'by writer');
RESET ROLE;
SELECT * FROM cw_log('cw');

-- Called by hand: the caller must be allowed to insert into the table, and
-- the arguments must be its key columns; a call that may logs the key, as
-- an insert of that key would.
SELECT cw_clear();
CREATE ROLE cw_reader;
GRANT USAGE ON SCHEMA public TO cw_reader;
GRANT SELECT, UPDATE ON cw TO cw_reader;
SET ROLE cw_reader;
SELECT cw_try($$SELECT dataexport._capture_insert('cw', 9)$$);
RESET ROLE;
SET ROLE cw_writer;
SELECT cw_try($$SELECT dataexport._capture_insert('cw', 9)$$);
SELECT cw_try($$SELECT dataexport._capture_insert('cw', 9, 10)$$);
SELECT cw_try($$SELECT dataexport._capture_insert('cw')$$);
SELECT cw_try($$SELECT dataexport._capture_insert('cw', 9::bigint)$$);
SELECT cw_try($$SELECT dataexport._capture_insert('cw', VARIADIC ARRAY[9])$$);
RESET ROLE;
SELECT * FROM cw_log('cw');
CREATE TABLE cw_plain (id integer PRIMARY KEY);
SELECT cw_try($$SELECT dataexport._capture_insert('cw_plain', 1)$$);
SELECT cw_try($$SELECT dataexport._capture_insert(NULL, 1)$$);
SELECT cw_try($$SELECT dataexport._capture_insert(1::oid::regclass, 1)$$);
-- Losing the privilege takes effect at once, in a session that used it.
REVOKE INSERT ON cw FROM cw_writer;
SET ROLE cw_writer;
SELECT cw_try($$SELECT dataexport._capture_insert('cw', 9)$$);
RESET ROLE;
SELECT * FROM cw_log('cw');

-- A job exports exactly the rows changed since the last one: replayed onto
-- a copy taken at the first job, they give the table.
SELECT dataexport.create_schedule('when', ARRAY['CW', 'CW2'], 'DAY', 1) AS sid \gset
CALL dataexport.run_pending();
CREATE TABLE cw_mirror AS SELECT * FROM cw;
INSERT INTO cw SELECT i, 'bulk ' || i FROM generate_series(20000, 20500) i;
UPDATE cw SET v = v || ' updated' WHERE id % 3 = 0;
UPDATE cw SET id = id + 100000 WHERE id % 7 = 0;
DELETE FROM cw WHERE id % 11 = 0;
INSERT INTO cw VALUES (20009, 'reused key'), (4, 'upserted') ON CONFLICT (id) DO UPDATE SET v = excluded.v;
SELECT dataexport.run_schedule_now(:sid) AS j \gset
CALL dataexport.run_pending();
SELECT status FROM dataexport.jobs WHERE job_id = :j;
CREATE TEMP TABLE cw_job AS SELECT :j::bigint AS job_id;
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT split_part(line, ',', 1)::integer AS id, split_part(line, ',', 2) AS v,
                    split_part(line, ',', 3)::boolean AS deleted
               FROM dataexport.read_file((SELECT job_id FROM cw_job), 'CW')
                    WITH ORDINALITY AS f(line, n) WHERE n > 1
    LOOP
        DELETE FROM cw_mirror WHERE id = r.id;
        IF NOT r.deleted THEN
            INSERT INTO cw_mirror VALUES (r.id, r.v);
        END IF;
    END LOOP;
END
$$;
SELECT (SELECT count(*) FROM (SELECT * FROM cw EXCEPT SELECT * FROM cw_mirror) a)
     + (SELECT count(*) FROM (SELECT * FROM cw_mirror EXCEPT SELECT * FROM cw) b) AS differences,
       (SELECT count(*) FROM cw) AS table_rows;

-- A capture trigger disabled or dropped fails the next delta job, loudly,
-- instead of leaving changes out of its files.  The INSERT trigger's WHEN
-- condition depends on the key columns: changing a key column's type is
-- refused, and dropping one with CASCADE drops the trigger.
ALTER TABLE cw DISABLE TRIGGER dataexport_capture_insert;
INSERT INTO cw VALUES (30000, 'not captured');
SELECT dataexport.run_schedule_now(:sid) AS j \gset
CALL dataexport.run_pending();
SELECT status, error_message FROM dataexport.jobs WHERE job_id = :j;
SELECT error_sqlstate FROM dataexport.job WHERE job_id = :j;
ALTER TABLE cw ENABLE TRIGGER dataexport_capture_insert;
DELETE FROM cw WHERE id = 30000;
SELECT dataexport.run_schedule_now(:sid) AS j \gset
CALL dataexport.run_pending();
SELECT status, rows_exported FROM dataexport.jobs WHERE job_id = :j;
SELECT cw_try($$ALTER TABLE cw ALTER COLUMN id TYPE bigint$$);
ALTER TABLE cw2 DROP COLUMN b CASCADE;
SELECT dataexport.run_schedule_now(:sid) AS j \gset
CALL dataexport.run_pending();
SELECT status, error_message FROM dataexport.jobs WHERE job_id = :j;

SELECT dataexport.delete_schedule(:sid);
SELECT dataexport.unregister_entity(e) FROM unnest(ARRAY['CW_CHILD', 'CW', 'CW2']) AS e;
SELECT count(*) AS triggers_left FROM pg_trigger
 WHERE tgrelid IN ('cw'::regclass, 'cw2'::regclass, 'cw_child'::regclass) AND NOT tgisinternal;
DROP TABLE cw_child, cw, cw2, cw_plain, cw_mirror;
DROP FUNCTION cw_try(text), cw_log(regclass), cw_clear(), cw_shift();
REVOKE ALL ON SCHEMA public FROM cw_writer, cw_reader;
DROP ROLE cw_writer, cw_reader;

-- Incremental semantics (SPEC sections 1 and 7): the first export of a
-- schedule is full, later ones contain only what changed, deletions appear
-- once with their last values, and nothing is lost when a job fails.
-- Jobs run in this session with CALL dataexport.run_pending().

CREATE TABLE items (id integer PRIMARY KEY, name text, qty integer);
CREATE TABLE notes (id integer PRIMARY KEY, body text);
SELECT dataexport.register_entity('ITEMS', 'items');
SELECT dataexport.register_entity('NOTES', 'notes');
INSERT INTO items VALUES (1, 'apple', 10), (2, 'pear', 20), (3, 'fig', 30);

-- Creating a schedule queues its initial export: every row.
SELECT dataexport.create_schedule('items hourly', ARRAY['ITEMS'], 'HOUR', 1) AS sid \gset
SELECT kind, status FROM dataexport.jobs WHERE schedule_id = :sid;
CALL dataexport.run_pending();
SELECT job_id AS j1, kind, status, rows_exported FROM dataexport.jobs WHERE schedule_id = :sid \gset
SELECT :'kind', :'status', :rows_exported;
SELECT * FROM dataexport.read_file(:j1, 'ITEMS');

-- Nothing changed: an empty file (the header only).
SELECT dataexport.run_schedule_now(:sid) AS j2 \gset
CALL dataexport.run_pending();
SELECT status, rows_exported FROM dataexport.jobs WHERE job_id = :j2;
SELECT * FROM dataexport.read_file(:j2, 'ITEMS');

-- Changes: only the changed rows, a deleted row once with its last values,
-- a row changed many times once with its latest state.
INSERT INTO items VALUES (4, 'kiwi', 40);
UPDATE items SET qty = 11 WHERE id = 1;
UPDATE items SET qty = 12 WHERE id = 1;
DELETE FROM items WHERE id = 2;
SELECT dataexport.run_schedule_now(:sid) AS j3 \gset
CALL dataexport.run_pending();
SELECT * FROM dataexport.read_file(:j3, 'ITEMS');

-- The deletion is not repeated.
UPDATE items SET name = 'FIG' WHERE id = 3;
SELECT dataexport.run_schedule_now(:sid) AS j4 \gset
CALL dataexport.run_pending();
SELECT * FROM dataexport.read_file(:j4, 'ITEMS');

-- A key change: the old key is deleted (with its last values), the new key live.
UPDATE items SET id = 30 WHERE id = 3;
-- A row created and deleted between two exports appears once, deleted.
INSERT INTO items VALUES (5, 'plum', 50);
DELETE FROM items WHERE id = 5;
-- Deleted and created again: live.
DELETE FROM items WHERE id = 4;
INSERT INTO items VALUES (4, 'kiwi again', 41);
SELECT dataexport.run_schedule_now(:sid) AS j5 \gset
CALL dataexport.run_pending();
SELECT line FROM dataexport.read_file(:j5, 'ITEMS') WITH ORDINALITY AS f(line, n)
 ORDER BY n > 1, line;

-- TRUNCATE deletes every row, each with its last values.
INSERT INTO items VALUES (6, 'lime', 60);
TRUNCATE items;
INSERT INTO items VALUES (7, 'date', 70);
SELECT dataexport.run_schedule_now(:sid) AS j6 \gset
CALL dataexport.run_pending();
SELECT line FROM dataexport.read_file(:j6, 'ITEMS') WITH ORDINALITY AS f(line, n)
 ORDER BY n > 1, line;

-- Changes rolled back, in a transaction or a savepoint, are not exported.
BEGIN;
INSERT INTO items VALUES (8, 'never', 0);
ROLLBACK;
BEGIN;
INSERT INTO items VALUES (9, 'kept', 9);
SAVEPOINT s;
UPDATE items SET name = 'rolled back' WHERE id = 9;
INSERT INTO items VALUES (10, 'rolled back', 10);
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT dataexport.run_schedule_now(:sid) AS j7 \gset
CALL dataexport.run_pending();
SELECT * FROM dataexport.read_file(:j7, 'ITEMS');

-- A failed job's interval is covered by the next successful job.
CREATE ROLE incr_owner;
GRANT SELECT ON items TO incr_owner;
SET ROLE incr_owner;
SELECT dataexport.create_schedule('owned', ARRAY['ITEMS'], 'DAY', 1) AS osid \gset
RESET ROLE;
CALL dataexport.run_pending();
UPDATE items SET qty = 71 WHERE id = 7;
REVOKE SELECT ON items FROM incr_owner;
SELECT dataexport.run_schedule_now(:osid) AS jf \gset
CALL dataexport.run_pending();
SELECT status, error_message FROM dataexport.jobs WHERE job_id = :jf;
SELECT count(*) AS files_of_failed_job FROM dataexport.job_files WHERE job_id = :jf;
GRANT SELECT ON items TO incr_owner;
UPDATE items SET qty = 91 WHERE id = 9;
SELECT dataexport.run_schedule_now(:osid) AS jg \gset
CALL dataexport.run_pending();
SELECT status FROM dataexport.jobs WHERE job_id = :jg;
SELECT line FROM dataexport.read_file(:jg, 'ITEMS') WITH ORDINALITY AS f(line, n)
 ORDER BY n > 1, line;

-- Changing the frequency keeps the chain: the next export is a delta.
SELECT dataexport.update_schedule(:sid, schedule_type => 'DAY', period => 2);
UPDATE items SET qty = 72 WHERE id = 7;
SELECT dataexport.run_schedule_now(:sid) AS j8 \gset
CALL dataexport.run_pending();
SELECT * FROM dataexport.read_file(:j8, 'ITEMS');

-- An entity type added to a schedule is exported in full on its first run,
-- the others go on incrementally; a removed type is dropped.
INSERT INTO notes VALUES (1, 'first'), (2, 'second');
SELECT dataexport.update_schedule(:sid, entity_types => ARRAY['ITEMS', 'NOTES']);
SELECT dataexport.run_schedule_now(:sid) AS j9 \gset
CALL dataexport.run_pending();
SELECT entity_type, part, file_name, rows FROM dataexport.job_files WHERE job_id = :j9 ORDER BY 1;
SELECT * FROM dataexport.read_file(:j9, 'NOTES');
SELECT * FROM dataexport.read_file(:j9, 'ITEMS');
UPDATE notes SET body = 'SECOND' WHERE id = 2;
SELECT dataexport.update_schedule(:sid, entity_types => ARRAY['NOTES']);
SELECT dataexport.run_schedule_now(:sid) AS j10 \gset
CALL dataexport.run_pending();
SELECT entity_type, rows FROM dataexport.job_files WHERE job_id = :j10;
SELECT * FROM dataexport.read_file(:j10, 'NOTES');

-- An ad hoc export is full and leaves the schedules' chains alone.
SELECT dataexport.export_now(ARRAY['ITEMS', 'NOTES'], 'JSONL') AS ja \gset
CALL dataexport.run_pending();
SELECT kind, status, rows_exported FROM dataexport.jobs WHERE job_id = :ja;
SELECT * FROM dataexport.read_file(:ja, 'NOTES');

-- The manifest describes the job and its files.
SELECT m->'job_id' = to_jsonb(:j9) AS job_id_ok, m->>'kind' AS kind, m->>'format' AS format,
       m->'snapshot'->>'previous' IS NOT NULL AS has_previous,
       jsonb_array_length(m->'files') AS files,
       (SELECT bool_and(f->>'sha256' = jf.sha256)
          FROM jsonb_array_elements(m->'files') f
          JOIN dataexport.job_files jf ON jf.job_id = :j9 AND jf.entity_type = f->>'entity_type'
                                      AND jf.part = (f->>'part')::int) AS sha256_match
  FROM dataexport.job_manifest(:j9) m;

-- Files split at dataexport.max_file_size; each part is complete (CSV parts
-- have the header), and a row larger than the limit gets a part of its own.
INSERT INTO items VALUES (99, repeat('x', 100), 1);
SET dataexport.max_file_size = 40;
SELECT dataexport.export_now(ARRAY['ITEMS']) AS js \gset
CALL dataexport.run_pending();
RESET dataexport.max_file_size;
SELECT part, file_name, rows, bytes <= 40 OR rows = 1 AS within_limit
  FROM dataexport.job_files WHERE job_id = :js ORDER BY part;
SELECT * FROM dataexport.read_file(:js, 'ITEMS', 2);

-- The change log is pruned once every schedule has exported past it: one
-- change is left, which schedule "owned" has not exported yet.
SELECT coalesce(sum(cardinality(keys)), 0) AS log_entries_left FROM dataexport.change_log;
SELECT dataexport.run_schedule_now(:osid) AS jh \gset
CALL dataexport.run_pending();
SELECT coalesce(sum(cardinality(keys)), 0) AS log_entries_left FROM dataexport.change_log;

SELECT dataexport.delete_schedule(:sid);
SELECT dataexport.delete_schedule(:osid);
-- Without schedules, nothing is kept.
UPDATE items SET qty = 0;
CALL dataexport.run_pending();
SELECT coalesce(sum(cardinality(keys)), 0) AS log_entries_left FROM dataexport.change_log;
REVOKE SELECT ON items FROM incr_owner;
DROP ROLE incr_owner;

-- A job that fails after completing some of its files is FAILED; the
-- complete files stay readable until they expire, and the next job of the
-- schedule exports the interval again.
SELECT dataexport.create_schedule('two types', ARRAY['ITEMS', 'NOTES'], 'DAY', 1) AS tsid \gset
CALL dataexport.run_pending();
UPDATE items SET qty = 1 WHERE id = 7;
UPDATE notes SET body = 'changed' WHERE id = 1;
ALTER TABLE notes RENAME COLUMN id TO note_id;   -- breaks the NOTES delta
SELECT dataexport.run_schedule_now(:tsid) AS jx \gset
CALL dataexport.run_pending();
SELECT status, error_message FROM dataexport.jobs WHERE job_id = :jx;
SELECT entity_type, rows FROM dataexport.job_files WHERE job_id = :jx;
SELECT * FROM dataexport.read_file(:jx, 'ITEMS');
ALTER TABLE notes RENAME COLUMN note_id TO id;
SELECT dataexport.run_schedule_now(:tsid) AS jy \gset
CALL dataexport.run_pending();
SELECT status FROM dataexport.jobs WHERE job_id = :jy;
SELECT * FROM dataexport.read_file(:jy, 'ITEMS');
SELECT * FROM dataexport.read_file(:jy, 'NOTES');
SELECT dataexport.delete_schedule(:tsid);
SELECT dataexport.unregister_entity('ITEMS');
SELECT dataexport.unregister_entity('NOTES');
DROP TABLE items, notes;
DELETE FROM dataexport.job;

-- Capture in batches (capture.c): the keys of inserted and updated rows are
-- gathered per table and written as log rows of many keys, at the end of
-- each statement and at the latest just before commit; deletions are
-- written at once.  What a user relies on: every committed change is in the
-- log once and no rolled-back change is, whatever savepoints, exception
-- blocks, COPY, two-phase commit or a session's first use of the library
-- do; and a job exports exactly the committed changes.

CREATE TABLE cb (id integer PRIMARY KEY, v text);
SELECT dataexport.register_entity('CB', 'cb');
-- The entries logged for table t: key, entries of that key, deletions.
CREATE FUNCTION cb_log(t regclass) RETURNS TABLE (key json, entries bigint, deletions bigint)
LANGUAGE sql AS $$
    SELECT e.key::text::json, count(*), count(e.old_row)
      FROM dataexport.change_log l, unnest(l.keys, l.old_rows) AS e(key, old_row)
     WHERE l.relid = t GROUP BY e.key::text ORDER BY e.key::text
$$;
-- Log rows and entries of table t.
CREATE FUNCTION cb_rows(t regclass, OUT log_rows bigint, OUT entries bigint)
LANGUAGE sql AS $$
    SELECT count(*), coalesce(sum(cardinality(keys)), 0)
      FROM dataexport.change_log WHERE relid = t
$$;
CREATE FUNCTION cb_clear() RETURNS void LANGUAGE sql AS $$
    DELETE FROM dataexport.change_log WHERE relid = 'cb'::regclass
$$;

-- A bulk INSERT: one entry per row, dozens of keys to a log row.
INSERT INTO cb SELECT i, 'v' || i FROM generate_series(1, 1000) i;
SELECT entries, log_rows > 1 AS several_rows, log_rows <= entries / 20 AS batched
  FROM cb_rows('cb');
SELECT count(*) AS keys, count(*) FILTER (WHERE entries <> 1 OR deletions <> 0) AS wrong
  FROM cb_log('cb');
-- An UPDATE of every row the same; upserts carry no seq, no old rows.
SELECT cb_clear();
UPDATE cb SET v = v || '!';
SELECT entries, log_rows <= entries / 20 AS batched FROM cb_rows('cb');
SELECT count(*) FILTER (WHERE seq IS NOT NULL OR old_rows IS NOT NULL) AS with_seq_or_old_rows
  FROM dataexport.change_log WHERE relid = 'cb'::regclass;
-- A key change: the old key deleted with its last values (with a seq), the
-- new key upserted; a DELETE likewise at once.
SELECT cb_clear();
UPDATE cb SET id = 5000 WHERE id = 1;
DELETE FROM cb WHERE id = 2;
SELECT * FROM cb_log('cb');
SELECT e.key, e.old_row, l.seq IS NOT NULL AS has_seq
  FROM dataexport.change_log l, unnest(l.keys, l.old_rows) AS e(key, old_row)
 WHERE l.relid = 'cb'::regclass AND l.old_rows IS NOT NULL ORDER BY l.seq;

-- Savepoints: what is rolled back to is not logged, what is released is.
SELECT cb_clear();
BEGIN;
INSERT INTO cb VALUES (2001, 'kept');
SAVEPOINT a;
INSERT INTO cb VALUES (2002, 'rolled back');
UPDATE cb SET v = 'rolled back' WHERE id = 3;
ROLLBACK TO a;
INSERT INTO cb VALUES (2003, 'kept');
SAVEPOINT b;
INSERT INTO cb VALUES (2004, 'released');
RELEASE b;
COMMIT;
SELECT * FROM cb_log('cb');

-- Exception blocks are subtransactions too.
SELECT cb_clear();
DO $$
BEGIN
    INSERT INTO cb VALUES (3001, 'kept');
    BEGIN
        INSERT INTO cb VALUES (3002, 'rolled back');
        RAISE EXCEPTION 'undo';
    EXCEPTION WHEN raise_exception THEN
        NULL;
    END;
    INSERT INTO cb VALUES (3003, 'kept');
END
$$;
SELECT * FROM cb_log('cb');

-- COPY fires the trigger without the executor's end of statement: its
-- keys wait for the end of the (sub)transaction.
SELECT cb_clear();
BEGIN;
COPY cb FROM stdin;
4001	copied
4002	copied
\.
SAVEPOINT s;
COPY cb FROM stdin;
4003	rolled back
\.
ROLLBACK TO s;
SAVEPOINT t;
COPY cb FROM stdin;
4004	released
\.
RELEASE t;
COMMIT;
SELECT * FROM cb_log('cb');
-- A parallel query after a COPY in the same transaction: the keys still
-- reach the log (nothing is written while in parallel mode).
SELECT cb_clear();
BEGIN;
COPY cb FROM stdin;
4051	copied
\.
SET LOCAL force_parallel_mode = on;
SET LOCAL parallel_setup_cost = 0;
SELECT count(*) FROM cb WHERE id = 4051;
COMMIT;
SELECT * FROM cb_log('cb');
-- A transaction rolled back leaves nothing, whether its keys were written
-- yet or not.
SELECT cb_clear();
BEGIN;
INSERT INTO cb VALUES (4101, 'rolled back');
COPY cb FROM stdin;
4102	rolled back
\.
ROLLBACK;
SELECT * FROM cb_rows('cb');

-- Two-phase commit: the keys are written before the transaction is prepared.
BEGIN;
COPY cb FROM stdin;
4201	prepared
\.
PREPARE TRANSACTION 'capture_batches';
COMMIT PREPARED 'capture_batches';
SELECT * FROM cb_log('cb');

-- A session's first capture loads the library inside the statement's
-- triggers, after its end-of-statement hook would have run: its keys wait
-- for the commit, past a savepoint rolled back in between.
SELECT cb_clear();
\c
BEGIN;
INSERT INTO cb VALUES (6001, 'first in session');
SAVEPOINT s;
INSERT INTO cb VALUES (6002, 'rolled back');
ROLLBACK TO s;
COMMIT;
SELECT * FROM cb_log('cb');

-- Unregistering a table in the transaction that changed it leaves none of
-- its log behind.
CREATE TABLE cb2 (id integer PRIMARY KEY);
SELECT dataexport.register_entity('CB2', 'cb2');
BEGIN;
COPY cb2 FROM stdin;
1
\.
SELECT dataexport.unregister_entity('CB2');
COMMIT;
SELECT * FROM cb_rows('cb2');

-- TRUNCATE logs every row deleted, many to a log row, each row with a seq.
CREATE TABLE cb3 (id integer PRIMARY KEY, v text);
INSERT INTO cb3 SELECT i, repeat('x', 100) FROM generate_series(1, 2500) i;
SELECT dataexport.register_entity('CB3', 'cb3');
TRUNCATE cb3;
SELECT entries, log_rows > 1 AS several_rows, log_rows < 10 AS batched FROM cb_rows('cb3');
SELECT count(DISTINCT seq) = count(*) AS seq_per_row,
       bool_and(cardinality(keys) = cardinality(old_rows)) AS old_rows_align
  FROM dataexport.change_log WHERE relid = 'cb3'::regclass;
SELECT count(*) FILTER (WHERE (e.old_row->>'id') <> (e.key->>'id')) AS misaligned
  FROM dataexport.change_log l, unnest(l.keys, l.old_rows) AS e(key, old_row)
 WHERE l.relid = 'cb3'::regclass;

-- Keys larger than a log row's share: one to a row, exact.
CREATE TABLE cb4 (k text PRIMARY KEY);
SELECT dataexport.register_entity('CB4', 'cb4');
INSERT INTO cb4 VALUES ('a'), (repeat('b', 10000)), ('c'), (repeat('d', 3000));
SELECT length(key::text) AS key_length, entries FROM cb_log('cb4') ORDER BY 1;
SELECT log_rows, entries FROM cb_rows('cb4');

-- A job exports exactly the committed changes: here every key logged above
-- for cb, and the rows that exist, once each.
SELECT dataexport.create_schedule('batches', ARRAY['CB'], 'DAY', 1) AS sid \gset
CALL dataexport.run_pending();
BEGIN;
INSERT INTO cb SELECT i, 'new' FROM generate_series(7001, 7300) i;
SAVEPOINT s;
INSERT INTO cb SELECT i, 'rolled back' FROM generate_series(7301, 7400) i;
ROLLBACK TO s;
UPDATE cb SET v = 'changed' WHERE id BETWEEN 10 AND 19;
DELETE FROM cb WHERE id BETWEEN 20 AND 24;
COPY cb FROM stdin;
7500	copied
\.
COMMIT;
SELECT dataexport.run_schedule_now(:sid) AS j \gset
CALL dataexport.run_pending();
SELECT status, rows_exported FROM dataexport.jobs WHERE job_id = :j;
SELECT count(*) AS lines,
       count(*) FILTER (WHERE line LIKE '%,false') AS live,
       count(*) FILTER (WHERE line LIKE '%,true') AS deleted,
       count(*) FILTER (WHERE line LIKE '%rolled back%') AS rolled_back,
       count(DISTINCT split_part(line, ',', 1)) AS distinct_keys
  FROM dataexport.read_file(:j, 'CB') WITH ORDINALITY AS f(line, n) WHERE n > 1;

SELECT dataexport.delete_schedule(:sid);
SELECT dataexport.unregister_entity(e) FROM unnest(ARRAY['CB', 'CB3', 'CB4']) AS e;
DROP TABLE cb, cb2, cb3, cb4;
DROP FUNCTION cb_log(regclass), cb_rows(regclass), cb_clear();

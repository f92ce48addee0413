-- The main job of pg_dataexport, end to end, on the bundled m3ter model: a
-- schedule's initial export, a few changes, the next export with only those
-- changes.  Run by `make demo` (test/demo.sh) with psql -X -e, so every
-- statement is printed before its result.  Files are printed as they are
-- stored, one line per line, with \g (tuples_only format=unaligned).
\set ON_ERROR_STOP on

\echo
\echo '== 1. The extension and the m3ter model: 20 entity tables in schema m3ter,'
\echo '==    each registered as an entity type (change capture starts here)'
CREATE EXTENSION pg_dataexport;
SELECT dataexport.create_m3ter_model();
SELECT entity_type, relation, key_columns FROM dataexport.entities ORDER BY entity_type;

\echo
\echo '== 2. Some realistic data: 20 accounts with their plans, contracts, bills, ...'
SELECT dataexport.generate_m3ter_data('m3ter', 20);
SELECT (SELECT count(*) FROM m3ter.accounts) AS accounts,
       (SELECT count(*) FROM m3ter.plans) AS plans,
       (SELECT count(*) FROM m3ter.bills) AS bills;
\echo '== One more customer, who will close their account after the first export'
INSERT INTO m3ter.accounts (id, code, name, email_address, currency, version,
                            dt_created, dt_last_modified)
VALUES (gen_random_uuid(), 'closing-co', 'Closing Co', 'ap@closing.example',
        'USD', 1, now(), now());

\echo
\echo '== 3. An hourly schedule over three entity types.  Creating it queues the'
\echo '==    initial export; run_pending() runs it now, in this session (the'
\echo '==    background scheduler is off in this demo so the output stays in order)'
SELECT dataexport.create_schedule('demo', ARRAY['ACCOUNTS', 'PLANS', 'BILLS'],
                                  'HOUR', 1) AS schedule_id \gset
SELECT schedule_id, name, entity_types, schedule_type, period,
       export_file_format, next_run_at
FROM dataexport.schedules;
CALL dataexport.run_pending();
SELECT job_id AS job1 FROM dataexport.jobs
WHERE schedule_id = :schedule_id AND kind = 'INITIAL' \gset
SELECT dataexport.wait_for_job(:job1);
SELECT job_id, kind, status, rows_exported, bytes_written, expires_at
FROM dataexport.jobs ORDER BY job_id;
SELECT entity_type, part, file_name, rows, bytes, left(sha256, 16) AS sha256
FROM dataexport.job_files WHERE job_id = :job1 ORDER BY entity_type, part;

\echo
\echo '== The initial export has every row: accounts.csv'
SELECT * FROM dataexport.read_file(:job1, 'ACCOUNTS') \g (tuples_only format=unaligned)
\echo
\echo '== plans.csv and bills.csv (first lines)'
SELECT * FROM dataexport.read_file(:job1, 'PLANS') LIMIT 4 \g (tuples_only format=unaligned)
SELECT * FROM dataexport.read_file(:job1, 'BILLS') LIMIT 4 \g (tuples_only format=unaligned)

\echo
\echo '== 4. A few changes: a new account, a renamed one, a closed one'
INSERT INTO m3ter.accounts (id, code, name, email_address, currency, version,
                            dt_created, dt_last_modified)
VALUES (gen_random_uuid(), 'new-co', 'New Co', 'billing@new.example',
        'EUR', 1, now(), now());
UPDATE m3ter.accounts
SET name = name || ' (renamed)', version = version + 1, dt_last_modified = now()
WHERE id = (SELECT id FROM m3ter.accounts
            WHERE code NOT IN ('closing-co', 'new-co')
            ORDER BY code, id LIMIT 1);
DELETE FROM m3ter.accounts WHERE code = 'closing-co';

\echo
\echo '== 5. The next export, at once instead of at the next hour'
SELECT dataexport.run_schedule_now(:schedule_id) AS job2 \gset
CALL dataexport.run_pending();
SELECT dataexport.wait_for_job(:job2);
SELECT job_id, kind, status, rows_exported, bytes_written
FROM dataexport.jobs ORDER BY job_id;
SELECT entity_type, part, file_name, rows, bytes, left(sha256, 16) AS sha256
FROM dataexport.job_files WHERE job_id = :job2 ORDER BY entity_type, part;

\echo
\echo '== Only the changes: accounts.csv has the new, the renamed and the closed'
\echo '== account (deleted = true, with its last values)'
SELECT * FROM dataexport.read_file(:job2, 'ACCOUNTS') \g (tuples_only format=unaligned)
\echo
\echo '== Nothing changed in plans and bills: their files have the header only'
SELECT * FROM dataexport.read_file(:job2, 'PLANS') \g (tuples_only format=unaligned)
SELECT * FROM dataexport.read_file(:job2, 'BILLS') \g (tuples_only format=unaligned)

\echo
\echo '== The manifest of the job, for loaders'
SELECT jsonb_pretty(dataexport.job_manifest(:job2)) \g (tuples_only format=unaligned)

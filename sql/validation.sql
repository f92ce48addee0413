-- Validation (SPEC section 4): bad input gets an ERROR that names the field,
-- with SQLSTATE 22023 (bad value), 22004 (NULL), 42704 (unknown), 42710
-- (duplicate), 42501 (privilege); nothing is created or changed.

CREATE OR REPLACE FUNCTION try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- Start from an empty job history (earlier test files leave theirs).
DELETE FROM dataexport.job;

-- The same, with schedule and job ids masked (they depend on earlier tests).
CREATE FUNCTION try_id(sql text) RETURNS text LANGUAGE sql AS $$
    SELECT regexp_replace(try(sql), '(schedule|job) \d+', '\1 <id>', 'g')
$$;

CREATE TABLE plans (id integer PRIMARY KEY, name text);
CREATE TABLE secret (id integer PRIMARY KEY);
SELECT dataexport.register_entity('PLANS', 'plans');
SELECT dataexport.register_entity('SECRET', 'secret');

-- create_schedule
SELECT try($$SELECT dataexport.create_schedule(NULL, ARRAY['PLANS'], 'DAY', 1)$$);
SELECT try($$SELECT dataexport.create_schedule('', ARRAY['PLANS'], 'DAY', 1)$$);
SELECT try($$SELECT dataexport.create_schedule(repeat('n', 201), ARRAY['PLANS'], 'DAY', 1)$$);
SELECT try($$SELECT dataexport.create_schedule(E'tab\there', ARRAY['PLANS'], 'DAY', 1)$$);
SELECT try($$SELECT dataexport.create_schedule('s', NULL, 'DAY', 1)$$);
SELECT try($$SELECT dataexport.create_schedule('s', ARRAY[]::text[], 'DAY', 1)$$);
SELECT try($$SELECT dataexport.create_schedule('s', ARRAY['PLANS', NULL], 'DAY', 1)$$);
SELECT try($$SELECT dataexport.create_schedule('s', ARRAY['PLANS', 'PLANS'], 'DAY', 1)$$);
SELECT try($$SELECT dataexport.create_schedule('s', ARRAY['NOPE'], 'DAY', 1)$$);
SELECT try($$SELECT dataexport.create_schedule('s', ARRAY['PLANS'], 'DAY', 1, export_file_format => 'XML')$$);
SELECT try($$SELECT dataexport.create_schedule('s', ARRAY['PLANS'], 'DAY', 1, export_file_format => NULL)$$);
SELECT try($$SELECT dataexport.create_schedule('s', ARRAY['PLANS'], 'DAY', 1, destinations => NULL)$$);
SELECT try($$SELECT dataexport.create_schedule('s', ARRAY['PLANS'], 'DAY', 1, destinations => ARRAY['nowhere'])$$);
SELECT try($$SELECT dataexport.create_schedule('s', ARRAY['PLANS'], 'DAY', 1, code => '')$$);
SELECT try($$SELECT dataexport.create_schedule('s', ARRAY['PLANS'], 'DAY', 1, code => ' padded')$$);
SELECT try($$SELECT dataexport.create_schedule('s', ARRAY['PLANS'], 'DAY', 1, code => repeat('c', 81))$$);
SELECT count(*) AS schedules, (SELECT count(*) FROM dataexport.jobs) AS jobs FROM dataexport.schedules;

-- Letter case of schedule_type and export_file_format is free; stored upper case.
SELECT dataexport.create_schedule('daily plans', ARRAY['PLANS'], 'day', 1,
                                  export_file_format => 'jsonl', code => 'plans-daily') AS sid \gset
SELECT name, code, entity_types, schedule_type, period, export_file_format, destinations, enabled
  FROM dataexport.schedules;
-- Codes are unique among the owner's schedules.
SELECT try($$SELECT dataexport.create_schedule('again', ARRAY['PLANS'], 'DAY', 1, code => 'plans-daily')$$);

-- update_schedule: NULL leaves a parameter unchanged; bad values change nothing.
SELECT try($$SELECT dataexport.update_schedule(NULL)$$);
SELECT try($$SELECT dataexport.update_schedule(999999, name => 'x')$$);
SELECT try_id(format($$SELECT dataexport.update_schedule(%s, name => '')$$, :sid));
SELECT try_id(format($$SELECT dataexport.update_schedule(%s, entity_types => ARRAY['NOPE'])$$, :sid));
SELECT try_id(format($$SELECT dataexport.update_schedule(%s, export_file_format => 'PARQUET')$$, :sid));
SELECT try_id(format($$SELECT dataexport.update_schedule(%s, name => 'renamed', code => E'bad\ncode')$$, :sid));
SELECT name, code, entity_types, export_file_format FROM dataexport.schedules;
SELECT dataexport.update_schedule(:sid, name => 'renamed', enabled => false);
SELECT name, code, enabled, next_run_at IS NULL AS no_next_run FROM dataexport.schedules;

-- Other roles' schedules and jobs are unknown to a role; superusers see all.
SELECT min(job_id) AS jid FROM dataexport.job \gset
CREATE ROLE val_other;
GRANT SELECT ON plans TO val_other;
SET ROLE val_other;
SELECT count(*) AS visible_schedules FROM dataexport.schedules;
SELECT count(*) AS visible_jobs FROM dataexport.jobs;
SELECT try_id(format($$SELECT dataexport.update_schedule(%s, name => 'mine now')$$, :sid));
SELECT try_id(format($$SELECT dataexport.delete_schedule(%s)$$, :sid));
SELECT try_id(format($$SELECT dataexport.run_schedule_now(%s)$$, :sid));
SELECT try_id(format($$SELECT * FROM dataexport.next_runs(%s)$$, :sid));
SELECT try_id(format($$SELECT dataexport.wait_for_job(%s, '0s')$$, :jid));
SELECT try_id(format($$SELECT dataexport.job_manifest(%s)$$, :jid));
SELECT try_id(format($$SELECT dataexport.read_file(%s, 'PLANS')$$, :jid));
-- A role needs SELECT on a table to export it.
SELECT try($$SELECT dataexport.create_schedule('s', ARRAY['SECRET'], 'DAY', 1)$$);
SELECT try($$SELECT dataexport.export_now(ARRAY['SECRET'])$$);
-- The same code is free for another owner.
SELECT dataexport.create_schedule('other daily', ARRAY['PLANS'], 'DAY', 1, code => 'plans-daily') > 0 AS created;
RESET ROLE;
SELECT name, code, owner FROM dataexport.schedules ORDER BY schedule_id;

-- export_now, wait_for_job, read_file, job_manifest
SELECT try($$SELECT dataexport.export_now(NULL)$$);
SELECT try($$SELECT dataexport.export_now(ARRAY['PLANS'], 'TSV')$$);
SELECT try($$SELECT dataexport.wait_for_job(NULL)$$);
SELECT try($$SELECT dataexport.wait_for_job(999999)$$);
SELECT try_id(format($$SELECT dataexport.wait_for_job(%s, NULL)$$, :jid));
SELECT try_id(format($$SELECT dataexport.wait_for_job(%s, '-1s')$$, :jid));
-- A job nobody runs: wait_for_job returns its status when the timeout passes.
SELECT dataexport.wait_for_job(min(job_id), '0.1s') FROM dataexport.job;
SELECT try($$SELECT dataexport.read_file(999999, 'PLANS')$$);
SELECT try($$SELECT dataexport.read_file(NULL, 'PLANS')$$);
SELECT try_id(format($$SELECT dataexport.read_file(%s, 'PLANS')$$, :jid));
SELECT try($$SELECT dataexport.job_manifest(999999)$$);
SELECT try($$SELECT * FROM dataexport.next_runs(999999)$$);
SELECT try_id(format($$SELECT * FROM dataexport.next_runs(%s, NULL)$$, :sid));
SELECT try_id(format($$SELECT * FROM dataexport.next_runs(%s, -1)$$, :sid));

-- run_pending commits between jobs, so it cannot run in a transaction block.
BEGIN;
CALL dataexport.run_pending();
ROLLBACK;

-- delete_schedule removes the schedule and its queued jobs.
SELECT dataexport.delete_schedule(:sid);
SELECT try_id(format($$SELECT dataexport.delete_schedule(%s)$$, :sid));
SELECT count(*) FILTER (WHERE schedule_id = :sid) AS jobs_left FROM dataexport.jobs;
SELECT dataexport.delete_schedule(schedule_id) FROM dataexport.schedules;
DELETE FROM dataexport.job;
REVOKE SELECT ON plans FROM val_other;
DROP ROLE val_other;
SELECT dataexport.unregister_entity('PLANS');
SELECT dataexport.unregister_entity('SECRET');
DROP TABLE plans, secret;
DROP FUNCTION try_id(text);

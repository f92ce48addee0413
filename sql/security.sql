-- Access control (SPEC sections 4, 5 and 8).  Jobs run with their owner's
-- privileges: SELECT is checked again at run time and row-level security
-- applies.  A role sees and changes only its own schedules, jobs and files;
-- superusers see all.  The catalog cannot be read or written around the
-- functions, and nothing the caller controls (its search_path, its own
-- operators) runs with the superuser's rights.

-- An error as SQLSTATE and message; ids masked.
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN regexp_replace(SQLSTATE || ': ' || SQLERRM, '(schedule|job) \d+', '\1 <id>', 'g');
END
$$;

CREATE ROLE regress_sec_alice;
CREATE ROLE regress_sec_bob;
CREATE SCHEMA sec;
GRANT USAGE ON SCHEMA sec TO regress_sec_alice, regress_sec_bob;
CREATE TABLE sec.customers (id integer PRIMARY KEY, region text NOT NULL, note text);
INSERT INTO sec.customers VALUES (1, 'EU', 'one'), (2, 'US', 'two'), (3, 'EU', 'three'), (4, 'US', 'four');
CREATE TABLE sec.salaries (id integer PRIMARY KEY, amount integer);
INSERT INTO sec.salaries VALUES (1, 100);
SELECT dataexport.register_entity('SEC_CUSTOMERS', 'sec.customers');
SELECT dataexport.register_entity('SEC_SALARIES', 'sec.salaries');
GRANT SELECT ON sec.customers TO regress_sec_alice, regress_sec_bob;
-- Alice sees the European customers only; Bob sees all.
ALTER TABLE sec.customers ENABLE ROW LEVEL SECURITY;
CREATE POLICY europe ON sec.customers FOR SELECT TO regress_sec_alice USING (region = 'EU');
CREATE POLICY everyone ON sec.customers FOR SELECT TO regress_sec_bob USING (true);

-- ---------------------------------------------------------------------------
-- Exporting needs SELECT on the table; row-level security applies.
-- ---------------------------------------------------------------------------
SET ROLE regress_sec_alice;
SELECT pg_temp.try($$SELECT dataexport.create_schedule('pay', ARRAY['SEC_SALARIES'], 'DAY', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.export_now(ARRAY['SEC_SALARIES'])$$);
SELECT dataexport.create_schedule('alice customers', ARRAY['SEC_CUSTOMERS'], 'DAY', 1) AS alice_sid \gset
SELECT max(job_id) AS alice_j1 FROM dataexport.jobs WHERE schedule_id = :alice_sid \gset
RESET ROLE;

SET ROLE regress_sec_bob;
SELECT dataexport.create_schedule('bob customers', ARRAY['SEC_CUSTOMERS'], 'DAY', 1) AS bob_sid \gset
SELECT max(job_id) AS bob_j1 FROM dataexport.jobs WHERE schedule_id = :bob_sid \gset
-- run_pending runs the caller's own jobs only: Alice's stays queued.
CALL dataexport.run_pending();
RESET ROLE;
SELECT j.status, r.rolname FROM dataexport.job j JOIN pg_roles r ON r.oid = j.owner
 WHERE j.job_id IN (:alice_j1, :bob_j1) ORDER BY 2;

SET ROLE regress_sec_alice;
CALL dataexport.run_pending();
SELECT status FROM dataexport.jobs WHERE job_id = :alice_j1;
SELECT * FROM dataexport.read_file(:alice_j1, 'SEC_CUSTOMERS');
RESET ROLE;
SET ROLE regress_sec_bob;
SELECT * FROM dataexport.read_file(:bob_j1, 'SEC_CUSTOMERS');
RESET ROLE;

-- Changes to rows the owner may not see export no values: such a key is
-- written as deleted, with its key alone (so that a row that leaves the
-- owner's view leaves a replayed copy too; see README, Security).
UPDATE sec.customers SET note = note || '!' WHERE id IN (2, 3);
SET ROLE regress_sec_alice;
SELECT dataexport.run_schedule_now(:alice_sid) AS alice_j2 \gset
CALL dataexport.run_pending();
SELECT * FROM dataexport.read_file(:alice_j2, 'SEC_CUSTOMERS');
RESET ROLE;
-- Under row-level security, a deleted row is written with its key alone too:
-- its last values cannot be checked against the policies.
DELETE FROM sec.customers WHERE id = 3;
UPDATE sec.customers SET note = 'four again' WHERE id = 4;
SET ROLE regress_sec_alice;
SELECT dataexport.run_schedule_now(:alice_sid) AS alice_j2b \gset
CALL dataexport.run_pending();
SELECT * FROM dataexport.read_file(:alice_j2b, 'SEC_CUSTOMERS');
-- The change log is read only by export jobs, never directly.
SELECT pg_temp.try(format($$SELECT * FROM dataexport._changes(%s, '1:1:')$$,
                          'sec.customers'::regclass::oid));
RESET ROLE;

-- SELECT revoked since the schedule was created: the next job fails with
-- 42501 and writes nothing; the export chain stays where it was.
REVOKE SELECT ON sec.customers FROM regress_sec_alice;
UPDATE sec.customers SET note = note || '?' WHERE id = 1;
SET ROLE regress_sec_alice;
SELECT dataexport.run_schedule_now(:alice_sid) AS alice_j3 \gset
CALL dataexport.run_pending();
SELECT status, error_message FROM dataexport.jobs WHERE job_id = :alice_j3;
SELECT count(*) AS files FROM dataexport.job_files WHERE job_id = :alice_j3;
RESET ROLE;
SELECT error_sqlstate FROM dataexport.job WHERE job_id = :alice_j3;
SELECT pg_stat_file(format('%s/%s/%s', current_setting('dataexport.storage_dir'),
                           (SELECT oid FROM pg_database WHERE datname = current_database()),
                           :alice_j3), true) IS NULL AS no_job_directory;
GRANT SELECT ON sec.customers TO regress_sec_alice;
SET ROLE regress_sec_alice;
SELECT dataexport.run_schedule_now(:alice_sid) AS alice_j4 \gset
CALL dataexport.run_pending();
SELECT * FROM dataexport.read_file(:alice_j4, 'SEC_CUSTOMERS');
RESET ROLE;

-- ---------------------------------------------------------------------------
-- Isolation: Bob sees and changes nothing of Alice's; "does not exist".
-- ---------------------------------------------------------------------------
SET ROLE regress_sec_bob;
SELECT name FROM dataexport.schedules ORDER BY name COLLATE "C";
SELECT count(*) AS alice_jobs FROM dataexport.jobs WHERE schedule_id = :alice_sid;
SELECT count(*) AS alice_files FROM dataexport.job_files WHERE job_id = :alice_j1;
SELECT pg_temp.try(format($$SELECT * FROM dataexport.read_file(%s, 'SEC_CUSTOMERS')$$, :alice_j1));
SELECT pg_temp.try(format($$SELECT dataexport.job_manifest(%s)$$, :alice_j1));
SELECT pg_temp.try(format($$SELECT dataexport.wait_for_job(%s, '0s')$$, :alice_j1));
SELECT pg_temp.try(format($$SELECT dataexport.next_runs(%s)$$, :alice_sid));
SELECT pg_temp.try(format($$SELECT dataexport.update_schedule(%s, name => 'mine now')$$, :alice_sid));
SELECT pg_temp.try(format($$SELECT dataexport.update_schedule(%s, enabled => false)$$, :alice_sid));
SELECT pg_temp.try(format($$SELECT dataexport.run_schedule_now(%s)$$, :alice_sid));
SELECT pg_temp.try(format($$SELECT dataexport.delete_schedule(%s)$$, :alice_sid));
-- Bob's own are there.
SELECT dataexport.job_manifest(:bob_j1) ->> 'kind' AS kind;
SELECT dataexport.wait_for_job(:bob_j1, '0s');
SELECT count(*) AS next_runs FROM dataexport.next_runs(:bob_sid, 3);
RESET ROLE;
-- Nothing of Alice's changed.
SELECT name, enabled FROM dataexport.schedules WHERE schedule_id = :alice_sid;
SELECT count(*) AS alice_jobs FROM dataexport.jobs WHERE schedule_id = :alice_sid;
-- A superuser sees everyone's.
SELECT name FROM dataexport.schedules WHERE name LIKE '% customers' ORDER BY name COLLATE "C";
SELECT * FROM dataexport.read_file(:alice_j1, 'SEC_CUSTOMERS');

-- ---------------------------------------------------------------------------
-- The catalog: not readable or writable directly, nor its internal
-- functions callable; only the views and the public API are open.
-- ---------------------------------------------------------------------------
SET ROLE regress_sec_bob;
SELECT c.relname, op,
       pg_temp.try(CASE op
           WHEN 'SELECT' THEN format('SELECT * FROM dataexport.%I', c.relname)
           WHEN 'INSERT' THEN format('INSERT INTO dataexport.%I DEFAULT VALUES', c.relname)
           WHEN 'UPDATE' THEN format('UPDATE dataexport.%I SET %I = %I', c.relname, a.attname, a.attname)
           WHEN 'DELETE' THEN format('DELETE FROM dataexport.%I', c.relname)
           WHEN 'TRUNCATE' THEN format('TRUNCATE dataexport.%I', c.relname)
       END) AS result
  FROM pg_class c
  JOIN LATERAL (SELECT a.attname FROM pg_attribute a
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND a.attidentity = ''
                 ORDER BY a.attnum LIMIT 1) a ON true,
       unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) op
 WHERE c.relnamespace = 'dataexport'::regnamespace AND c.relkind = 'r'
 ORDER BY c.relname, op COLLATE "C";
SELECT pg_temp.try($$SELECT nextval('dataexport.change_seq')$$);
SELECT pg_temp.try(format($$SELECT dataexport._delete_schedule(%s, %s)$$,
                          'regress_sec_alice'::regrole::oid, :alice_sid));
SELECT pg_temp.try(format($$SELECT dataexport._create_schedule(%s, 'forged', ARRAY['SEC_CUSTOMERS'], 'DAY', 1, NULL, NULL, 'CSV', '{}', NULL)$$,
                          'regress_sec_alice'::regrole::oid));
SELECT pg_temp.try($$SELECT dataexport._destination_directory('/tmp/anywhere')$$);
SELECT pg_temp.try($$SELECT dataexport._claim_job(10, 1)$$);
-- The functions a role without any privilege may execute: the public API,
-- and the helpers the views and exports call as the role itself.
SELECT p.oid::regprocedure AS executable
  FROM pg_proc p
 WHERE p.pronamespace = 'dataexport'::regnamespace
   AND has_function_privilege(p.oid, 'EXECUTE')
 ORDER BY p.oid::regprocedure::text COLLATE "C";
-- The relations it may read: the views.
SELECT c.relname AS readable
  FROM pg_class c
 WHERE c.relnamespace = 'dataexport'::regnamespace
   AND has_table_privilege(c.oid, 'SELECT')
 ORDER BY 1;
RESET ROLE;

-- No SECURITY DEFINER function; every SQL and PL/pgSQL function (they run
-- as the superuser behind the public functions) pins its search_path.
SELECT p.oid::regprocedure AS security_definer
  FROM pg_proc p WHERE p.pronamespace = 'dataexport'::regnamespace AND p.prosecdef;
SELECT p.oid::regprocedure AS unpinned
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'dataexport'::regnamespace
   AND l.lanname IN ('sql', 'plpgsql')
   AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false);

-- ---------------------------------------------------------------------------
-- The caller's search_path never chooses what runs as the superuser.  Bob
-- has a schema of his own and puts an equality operator on bigint in it,
-- first in his search_path; were it called with the superuser's rights, it
-- would make Bob a superuser.
-- ---------------------------------------------------------------------------
CREATE SCHEMA regress_sec_trap AUTHORIZATION regress_sec_bob;
SET ROLE regress_sec_bob;
CREATE TABLE regress_sec_trap.calls (rolname name, was_superuser boolean);
CREATE FUNCTION regress_sec_trap.eq(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    su boolean := (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user);
BEGIN
    INSERT INTO regress_sec_trap.calls VALUES (current_user, su);
    IF su THEN
        EXECUTE 'ALTER ROLE regress_sec_bob SUPERUSER';
    END IF;
    RETURN $1 OPERATOR(pg_catalog.=) $2;
END
$$;
CREATE OPERATOR regress_sec_trap.= (FUNCTION = regress_sec_trap.eq, LEFTARG = bigint, RIGHTARG = bigint);
CREATE FUNCTION regress_sec_trap.eq(text, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        EXECUTE 'ALTER ROLE regress_sec_bob SUPERUSER';
    END IF;
    RETURN $1 OPERATOR(pg_catalog.=) $2;
END
$$;
CREATE OPERATOR regress_sec_trap.= (FUNCTION = regress_sec_trap.eq, LEFTARG = text, RIGHTARG = text);
SET search_path = regress_sec_trap, pg_catalog;
SELECT count(*) AS lines FROM dataexport.read_file(:bob_j1, 'SEC_CUSTOMERS');
SELECT dataexport.job_manifest(:bob_j1) ->> 'kind' AS kind;
SELECT dataexport.wait_for_job(:bob_j1, '0s');
SELECT count(*) AS next_runs FROM dataexport.next_runs(:bob_sid, 3);
SELECT dataexport.update_schedule(:bob_sid, name => 'bob customers, renamed');
SELECT dataexport.run_schedule_now(:bob_sid) AS bob_j2 \gset
CALL dataexport.run_pending();
SELECT status FROM dataexport.jobs WHERE job_id = :bob_j2;
SELECT pg_temp.try($$SELECT dataexport.create_schedule('x', ARRAY['NOPE'], 'DAY', 1)$$);
RESET search_path;
RESET ROLE;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_sec_bob';
SELECT count(*) FILTER (WHERE was_superuser) AS calls_as_superuser FROM regress_sec_trap.calls;

-- Clean up.
DROP SCHEMA regress_sec_trap CASCADE;
SELECT dataexport.delete_schedule(:alice_sid);
SELECT dataexport.delete_schedule(:bob_sid);
DELETE FROM dataexport.job WHERE owner IN ('regress_sec_alice'::regrole, 'regress_sec_bob'::regrole);
SELECT dataexport.unregister_entity('SEC_CUSTOMERS');
SELECT dataexport.unregister_entity('SEC_SALARIES');
DROP SCHEMA sec CASCADE;
DROP ROLE regress_sec_alice, regress_sec_bob;

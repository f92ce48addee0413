
-- ---------------------------------------------------------------------------
-- Privileges, granted deliberately.
--
-- Catalog tables and sequences: nothing for PUBLIC; they change only through
-- the functions.  The views show each role its own rows.
--
-- Functions: EXECUTE is taken from PUBLIC on every function of the schema,
-- then given back by name to the public API below, so that a function added
-- later is closed until someone decides otherwise.  Every public function
-- checks the caller's rights itself (register_entity: ownership of the table;
-- create_m3ter_model: CREATE on the database; create_destination: superuser
-- or pg_write_server_files; the rest: the caller's own schedules and jobs),
-- so EXECUTE for PUBLIC opens nothing more.  The internal functions (named
-- _...) stay closed: the public functions reach them through pgde_forward as
-- the superuser, passing the true caller.  A few internal helpers stay open
-- because the views call them as the querying role (_may_manage,
-- _is_superuser, _may_use_destination, _timing_next; they reveal nothing a
-- role cannot see in pg_roles) or because every owner's export calls it
-- (_changes, which answers only the export job running in the same backend,
-- and checks SELECT on the table), or because every write to a registered
-- table evaluates it (_capture_insert: the INSERT capture trigger's WHEN
-- condition, which checks that the caller may insert into the table).  The
-- capture trigger function is closed: a trigger runs without an EXECUTE
-- check, and closing it keeps roles from attaching it to tables of their
-- own.
-- ---------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA dataexport FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA dataexport FROM PUBLIC;

DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure
               FROM pg_proc p
              WHERE p.pronamespace = 'dataexport'::regnamespace
    LOOP
        EXECUTE format('REVOKE EXECUTE ON ROUTINE %s FROM PUBLIC', f);
    END LOOP;

    FOR f IN SELECT p.oid::regprocedure
               FROM pg_proc p
              WHERE p.pronamespace = 'dataexport'::regnamespace
                AND p.proname IN (
                    -- the public API (SPEC sections 3 to 8)
                    'register_entity', 'unregister_entity', 'create_m3ter_model',
                    'generate_m3ter_data',
                    'create_schedule', 'update_schedule', 'delete_schedule',
                    'run_schedule_now', 'next_runs',
                    'export_now', 'wait_for_job', 'job_manifest', 'read_file',
                    'run_pending',
                    'create_destination', 'delete_destination',
                    -- helpers the views and exports call as the role itself
                    '_may_manage', '_is_superuser', '_may_use_destination',
                    '_timing_next', '_changes',
                    -- the INSERT capture trigger's WHEN condition
                    '_capture_insert')
    LOOP
        EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO PUBLIC', f);
    END LOOP;
END
$$;

GRANT USAGE ON SCHEMA dataexport TO PUBLIC;
GRANT SELECT ON dataexport.entities, dataexport.schedules, dataexport.jobs,
                dataexport.job_files, dataexport.destinations TO PUBLIC;


-- ---------------------------------------------------------------------------
-- Privileges, granted deliberately.
--
-- Catalog tables: no privileges for PUBLIC (the default); they change only
-- through the functions.  Internal functions (named _...): not executable by
-- PUBLIC; the public functions reach them through pgde_forward.  The
-- capture trigger and _changes must stay executable: the first runs inside
-- every role's writes, the second inside every owner's export (it checks
-- SELECT on the table itself).  The views call _may_manage and _timing_next
-- as the querying role, so those stay executable too (they reveal nothing).
-- ---------------------------------------------------------------------------

DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure
               FROM pg_proc p
              WHERE p.pronamespace = 'dataexport'::regnamespace
                AND p.proname LIKE '\_%'
                AND p.proname NOT IN ('_capture', '_changes', '_may_manage', '_is_superuser', '_timing_next')
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END
$$;

GRANT USAGE ON SCHEMA dataexport TO PUBLIC;
GRANT SELECT ON dataexport.entities, dataexport.schedules, dataexport.jobs,
                dataexport.job_files TO PUBLIC;

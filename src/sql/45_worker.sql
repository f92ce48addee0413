
-- ---------------------------------------------------------------------------
-- The background scheduler (worker*.c): how it is woken, which jobs it
-- starts, what it records, and retention.
--
-- With pg_dataexport in shared_preload_libraries a launcher keeps a
-- scheduler running in each database of dataexport.database_names; each
-- job runs in a worker process of its own, connected as its owner.  These
-- functions are the scheduler's view of the catalog; it calls them as the
-- bootstrap superuser.
-- ---------------------------------------------------------------------------

-- Wake this database's scheduler when the calling transaction commits (the
-- functions that queue work call it).  Does nothing without preloading.
CREATE FUNCTION dataexport._wake_scheduler() RETURNS void
AS 'MODULE_PATHNAME', 'pgde_wake_scheduler' LANGUAGE C VOLATILE;

-- Whether the library was preloaded, and whether this database is one of
-- dataexport.database_names: both are needed for schedules to fire.
CREATE FUNCTION dataexport._scheduler_coverage(OUT preloaded boolean,
                                               OUT database_listed boolean)
AS 'MODULE_PATHNAME', 'pgde_scheduler_coverage' LANGUAGE C STABLE;

-- The PENDING jobs that may start now, earliest due first, at most p_limit:
-- of each schedule its first pending job (they run in job order, see
-- _start_job), none of a schedule that has a job running or starting
-- (p_starting: jobs whose worker is starting).
CREATE FUNCTION dataexport._startable_jobs(p_starting bigint[], p_limit integer)
RETURNS TABLE (job_id bigint, owner oid, due_at timestamptz)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT j.job_id, j.owner::oid, j.due_at
      FROM (SELECT DISTINCT ON (coalesce(x.schedule_id, -x.job_id)) x.*
              FROM dataexport.job x
             WHERE x.status = 'PENDING' AND NOT (x.job_id = ANY (p_starting))
             ORDER BY coalesce(x.schedule_id, -x.job_id), x.job_id) j
     WHERE j.schedule_id IS NULL
        OR NOT EXISTS (SELECT 1 FROM dataexport.job r
                        WHERE r.schedule_id = j.schedule_id
                          AND (r.status = 'RUNNING' OR r.job_id = ANY (p_starting)))
     ORDER BY j.due_at, j.job_id
     LIMIT p_limit
$$;

-- A PENDING job that could not be started (its owner was dropped, its
-- worker could not connect as the owner): FAILED with the reason.
CREATE FUNCTION dataexport._fail_pending_job(p_job_id bigint, p_message text,
                                             p_sqlstate text) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    UPDATE dataexport.job j
       SET status = 'FAILED', completed_at = clock_timestamp(),
           error_message = p_message, error_sqlstate = p_sqlstate
     WHERE j.job_id = p_job_id AND j.status = 'PENDING'
$$;

-- The next instant a schedule falls due (the scheduler sleeps until then).
CREATE FUNCTION dataexport._next_due() RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT min(s.next_run_at) FROM dataexport.schedule s WHERE s.enabled
$$;

-- Retention.  Files expire dataexport.file_retention after their job
-- completed; job records (with their manifests and job_file rows) go
-- dataexport.job_history_retention after it.  Both are in seconds here.

CREATE INDEX job_file_unexpired ON dataexport.job_file (job_id) WHERE NOT expired;
CREATE INDEX job_completed ON dataexport.job (completed_at)
    WHERE status IN ('SUCCEEDED', 'FAILED');

-- Mark the files of jobs past retention expired (their directories are
-- removed next, by the scheduler).  The expiry shown in dataexport.jobs
-- follows the setting as it is now.
CREATE FUNCTION dataexport._expire_files(p_retention_s integer) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_retention interval := make_interval(secs => p_retention_s);
    n integer;
BEGIN
    UPDATE dataexport.job j
       SET expires_at = j.completed_at + v_retention
     WHERE j.job_id IN (SELECT f.job_id FROM dataexport.job_file f WHERE NOT f.expired)
       AND j.expires_at IS DISTINCT FROM j.completed_at + v_retention;
    UPDATE dataexport.job_file f
       SET expired = true
      FROM dataexport.job j
     WHERE NOT f.expired AND j.job_id = f.job_id
       AND j.completed_at <= now() - v_retention;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- Remove the records of jobs that completed longer ago than the history is
-- kept.
CREATE FUNCTION dataexport._prune_job_history(p_history_s integer) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM dataexport.job j
     WHERE j.status IN ('SUCCEEDED', 'FAILED')
       AND j.completed_at < now() - make_interval(secs => p_history_s);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- Of the job directories found in storage (p_ids), those to remove: their
-- job completed before retention, or its record is gone.
CREATE FUNCTION dataexport._removable_job_dirs(p_ids bigint[], p_retention_s integer)
RETURNS SETOF bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT d.id
      FROM unnest(p_ids) AS d(id)
     WHERE NOT EXISTS (SELECT 1 FROM dataexport.job j
                        WHERE j.job_id = d.id
                          AND (j.completed_at IS NULL
                               OR j.completed_at > now() - make_interval(secs => p_retention_s)))
$$;

-- The next instant retention has something to do: a file expires or a job
-- record goes.  NULL when nothing will.
CREATE FUNCTION dataexport._next_expiry(p_retention_s integer, p_history_s integer)
RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT least(
        (SELECT min(j.completed_at)
           FROM dataexport.job_file f JOIN dataexport.job j ON j.job_id = f.job_id
          WHERE NOT f.expired) + make_interval(secs => p_retention_s),
        (SELECT min(j.completed_at) FROM dataexport.job j
          WHERE j.status IN ('SUCCEEDED', 'FAILED')) + make_interval(secs => p_history_s))
$$;

-- Say so when schedules will not fire by themselves here; then wake the
-- scheduler, which finds the extension when this transaction commits.
DO $$
DECLARE
    c record;
BEGIN
    SELECT * INTO c FROM dataexport._scheduler_coverage();
    -- CREATE EXTENSION hides notices of its script; this one is for the
    -- user (the setting reverts when the script ends).
    PERFORM pg_catalog.set_config('client_min_messages', 'notice', true);
    IF NOT c.preloaded THEN
        RAISE NOTICE 'pg_dataexport is not in shared_preload_libraries: schedules will not fire by themselves'
            USING DETAIL = 'Everything else works; CALL dataexport.run_pending() runs what is due.',
                  HINT = 'Add pg_dataexport to shared_preload_libraries and restart the server, or run dataexport.run_pending() from cron.';
    ELSIF NOT c.database_listed THEN
        RAISE NOTICE 'database "%" is not in dataexport.database_names: schedules will not fire by themselves',
                     current_database()
            USING DETAIL = 'Everything else works; CALL dataexport.run_pending() runs what is due.',
                  HINT = 'Add the database to dataexport.database_names and restart the server.';
    END IF;
    PERFORM dataexport._wake_scheduler();
END
$$;

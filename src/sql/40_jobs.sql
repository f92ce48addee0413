
-- ---------------------------------------------------------------------------
-- Jobs and files (SPEC section 5)
-- ---------------------------------------------------------------------------

-- The log entries of a table that the caller's snapshot sees and a previous
-- snapshot did not (job_runner.c).  Checks SELECT on the table.
CREATE FUNCTION dataexport._changes(relid oid, previous text,
                                    OUT seq bigint, OUT key json, OUT old_row json)
RETURNS SETOF record AS 'MODULE_PATHNAME', 'pgde_changes'
LANGUAGE C STABLE STRICT ROWS 1000;

-- An instant as ISO 8601 in UTC with Z; fractional seconds only when non-zero.
CREATE FUNCTION dataexport._utc_text(p_ts timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT to_char(p_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
           || CASE WHEN extract(microseconds FROM p_ts AT TIME ZONE 'UTC')::bigint % 1000000 = 0
                   THEN '' ELSE rtrim(to_char(p_ts AT TIME ZONE 'UTC', '.US'), '0') END
           || 'Z'
$$;

-- A job's manifest (SPEC section 5), built when it succeeds.
CREATE FUNCTION dataexport._manifest(p_job_id bigint, p_snapshot text, p_previous text)
RETURNS jsonb LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT jsonb_build_object(
               'schedule_id', j.schedule_id,
               'job_id', j.job_id,
               'kind', j.kind,
               'format', j.export_file_format,
               'snapshot', jsonb_build_object('current', p_snapshot, 'previous', p_previous),
               'created_at', dataexport._utc_text(j.created_at),
               'files', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                      'entity_type', f.entity_type, 'part', f.part,
                                      'file_name', f.file_name, 'rows', f.rows,
                                      'bytes', f.bytes, 'sha256', f.sha256)
                                   ORDER BY array_position(j.entity_types, f.entity_type), f.part)
                                  FROM dataexport.job_file f WHERE f.job_id = j.job_id),
                                 '[]'::jsonb))
      FROM dataexport.job j WHERE j.job_id = p_job_id
$$;

-- The job row if the caller may see it; else 42704.
CREATE FUNCTION dataexport._job_for(p_caller oid, p_job_id bigint)
RETURNS dataexport.job LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    j dataexport.job;
BEGIN
    IF p_job_id IS NULL THEN
        RAISE EXCEPTION 'job_id must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT * INTO j FROM dataexport.job x WHERE x.job_id = p_job_id;
    IF NOT FOUND OR NOT dataexport._may_manage(p_caller, j.owner) THEN
        RAISE EXCEPTION 'job % does not exist', p_job_id USING ERRCODE = '42704';
    END IF;
    RETURN j;
END
$$;

-- Queue a full export of the given entity types, outside any schedule.
CREATE FUNCTION dataexport.export_now(entity_types text[],
                                      export_file_format text DEFAULT 'CSV',
                                      destinations text[] DEFAULT '{}')
RETURNS bigint AS 'MODULE_PATHNAME', 'pgde_forward' LANGUAGE C;

CREATE FUNCTION dataexport._export_now(caller oid, p_entity_types text[],
                                       p_export_file_format text, p_destinations text[])
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_types  text[] := dataexport._valid_entity_types(caller, p_entity_types);
    v_format text := dataexport._valid_format(p_export_file_format);
    v_dests  text[] := dataexport._valid_destinations(caller, p_destinations);
    v_id     bigint;
BEGIN
    INSERT INTO dataexport.job (schedule_id, owner, kind, entity_types,
                                export_file_format, destinations)
    VALUES (NULL, caller, 'AD_HOC', v_types, v_format, v_dests)
    RETURNING job_id INTO v_id;
    PERFORM dataexport._wake_scheduler();
    RETURN v_id;
END
$$;

-- Wait until a job ends, or the timeout passes; returns its status then.
CREATE FUNCTION dataexport.wait_for_job(job_id bigint, timeout interval DEFAULT '60s')
RETURNS text AS 'MODULE_PATHNAME', 'pgde_forward' LANGUAGE C;

CREATE FUNCTION dataexport._wait_for_job(caller oid, p_job_id bigint, p_timeout interval)
RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_status   text := (dataexport._job_for(caller, p_job_id)).status;
    v_deadline timestamptz;
BEGIN
    IF p_timeout IS NULL THEN
        RAISE EXCEPTION 'timeout must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_timeout < interval '0' THEN
        RAISE EXCEPTION 'timeout must not be negative' USING ERRCODE = '22023';
    END IF;
    v_deadline := clock_timestamp() + p_timeout;
    LOOP
        -- Each statement of a READ COMMITTED caller sees new commits.
        SELECT j.status INTO v_status FROM dataexport.job j WHERE j.job_id = p_job_id;
        EXIT WHEN v_status IN ('SUCCEEDED', 'FAILED') OR v_status IS NULL
                  OR clock_timestamp() >= v_deadline;
        PERFORM pg_sleep(least(0.05, extract(epoch FROM v_deadline - clock_timestamp())));
    END LOOP;
    RETURN v_status;
END
$$;

-- The manifest of a job (kept after its files expire).
CREATE FUNCTION dataexport.job_manifest(job_id bigint)
RETURNS jsonb AS 'MODULE_PATHNAME', 'pgde_forward' LANGUAGE C;

CREATE FUNCTION dataexport._job_manifest(caller oid, p_job_id bigint)
RETURNS jsonb LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT (dataexport._job_for(caller, p_job_id)).manifest
$$;

-- The lines of a job's file: psql -XAt reproduces it byte for byte.
CREATE FUNCTION dataexport.read_file(job_id bigint, entity_type text, part integer DEFAULT 1)
RETURNS SETOF text AS 'MODULE_PATHNAME', 'pgde_read_file' LANGUAGE C;

-- Run the queued jobs and due schedules the caller may run, in this session.
CREATE PROCEDURE dataexport.run_pending()
AS 'MODULE_PATHNAME', 'pgde_run_pending' LANGUAGE C;

-- Jobs left RUNNING by a process that is gone: FAILED, so that the next job
-- of their schedule covers their interval.
CREATE FUNCTION dataexport._fail_orphaned_jobs(p_reason text) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    UPDATE dataexport.job j
       SET status = 'FAILED', completed_at = clock_timestamp(),
           error_message = p_reason, error_sqlstate = '57P01'
     WHERE j.status = 'RUNNING'
       AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                        WHERE a.pid = j.worker_pid AND a.backend_start <= j.started_at);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- Queue one SCHEDULED job for each due schedule of the caller (all for a
-- superuser), unless one is already waiting: due runs coalesce, and after
-- downtime a schedule runs once, then goes back to its grid.
CREATE FUNCTION dataexport._queue_due_jobs(caller oid, p_now timestamptz) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s dataexport.schedule;
    n integer := 0;
BEGIN
    FOR s IN SELECT * FROM dataexport.schedule x
              WHERE x.enabled AND x.next_run_at <= p_now
                AND dataexport._may_manage(caller, x.owner)
              ORDER BY x.next_run_at
                FOR UPDATE SKIP LOCKED
    LOOP
        IF NOT EXISTS (SELECT 1 FROM dataexport.job j
                        WHERE j.schedule_id = s.schedule_id AND j.status = 'PENDING') THEN
            INSERT INTO dataexport.job (schedule_id, owner, kind, entity_types,
                                        export_file_format, destinations, due_at)
            VALUES (s.schedule_id, s.owner, 'SCHEDULED', s.entity_types,
                    s.export_file_format, s.destinations, s.next_run_at);
            n := n + 1;
        END IF;
        UPDATE dataexport.schedule x
           SET next_run_at = (SELECT t FROM dataexport._timing_next(
                                  s.schedule_type, s.period, s.schedule_offset,
                                  s.cron_expression, s.timing_anchor, p_now, 1) t)
         WHERE x.schedule_id = s.schedule_id;
    END LOOP;
    RETURN n;
END
$$;

-- Start one PENDING job in process p_pid: RUNNING, started now.  False when
-- the job is no longer PENDING, or its schedule has a job running or an
-- earlier job pending (one job of a schedule at a time, in job order:
-- serialized on the schedule row, which is locked before the job's, as
-- delete_schedule does).  The background scheduler's job workers claim
-- their job with it; run_pending through _claim_job.
CREATE FUNCTION dataexport._start_job(p_job_id bigint, p_pid integer) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_schedule_id bigint;
    j dataexport.job;
BEGIN
    SELECT x.schedule_id INTO v_schedule_id FROM dataexport.job x WHERE x.job_id = p_job_id;
    IF v_schedule_id IS NOT NULL THEN
        PERFORM 1 FROM dataexport.schedule s WHERE s.schedule_id = v_schedule_id FOR UPDATE;
    END IF;
    SELECT * INTO j FROM dataexport.job x WHERE x.job_id = p_job_id FOR UPDATE;
    IF NOT FOUND OR j.status <> 'PENDING' THEN
        RETURN false;
    END IF;
    IF EXISTS (SELECT 1 FROM dataexport.job r
                WHERE r.schedule_id = j.schedule_id AND r.status = 'RUNNING') THEN
        RETURN false;
    END IF;
    -- And in job order: the files of a schedule replay in job order (SPEC
    -- section 7), so a job's snapshot must follow those of the schedule's
    -- earlier jobs.
    IF EXISTS (SELECT 1 FROM dataexport.job r
                WHERE r.schedule_id = j.schedule_id AND r.status = 'PENDING'
                  AND r.job_id < j.job_id) THEN
        RETURN false;
    END IF;
    UPDATE dataexport.job x
       SET status = 'RUNNING', started_at = clock_timestamp(), worker_pid = p_pid
     WHERE x.job_id = p_job_id;
    RETURN true;
END
$$;

-- Claim the next job to run: the earliest due PENDING job of the caller's
-- (all for a superuser) whose schedule has no job running.  Marks it RUNNING
-- and returns its id, or NULL.
CREATE FUNCTION dataexport._claim_job(caller oid, p_pid integer) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    j dataexport.job;
BEGIN
    FOR j IN SELECT * FROM dataexport.job x
              WHERE x.status = 'PENDING' AND dataexport._may_manage(caller, x.owner)
              ORDER BY x.due_at, x.job_id
                FOR UPDATE SKIP LOCKED
    LOOP
        IF dataexport._start_job(j.job_id, p_pid) THEN
            RETURN j.job_id;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

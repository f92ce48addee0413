
-- ---------------------------------------------------------------------------
-- Schedules (SPEC section 4)
--
-- The timing itself (grid, cron grammar, min_interval) lives in C
-- (schedule_timing.c, cron.c) behind _timing_check and _timing_next.
-- ---------------------------------------------------------------------------

-- Validation shared by create_schedule, update_schedule and export_now.
-- Each raises an error that names the parameter, or returns the value to store.

CREATE FUNCTION dataexport._valid_name(p_name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_name IS NULL THEN
        RAISE EXCEPTION 'name must not be null' USING ERRCODE = '22004';
    END IF;
    IF length(p_name) NOT BETWEEN 1 AND 200 OR p_name ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION 'invalid name'
            USING ERRCODE = '22023',
                  HINT = 'A name is 1 to 200 characters without control characters.';
    END IF;
    RETURN p_name;
END
$$;

CREATE FUNCTION dataexport._valid_code(p_owner oid, p_code text, p_schedule_id bigint)
RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_code IS NULL THEN
        RETURN NULL;
    END IF;
    IF length(p_code) NOT BETWEEN 1 AND 80 OR p_code ~ '[[:cntrl:]]'
       OR p_code <> btrim(p_code, E' \t\r\n\f\v') THEN
        RAISE EXCEPTION 'invalid code "%"', left(p_code, 80)
            USING ERRCODE = '22023',
                  HINT = 'A code is 1 to 80 characters, without control characters or leading or trailing white space.';
    END IF;
    IF EXISTS (SELECT 1 FROM dataexport.schedule s
                WHERE s.owner = p_owner AND s.code = p_code
                  AND s.schedule_id IS DISTINCT FROM p_schedule_id) THEN
        RAISE EXCEPTION 'a schedule with code "%" already exists', p_code
            USING ERRCODE = '42710';
    END IF;
    RETURN p_code;
END
$$;

CREATE FUNCTION dataexport._valid_entity_types(p_owner oid, p_types text[])
RETURNS text[] LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t   text;
    rel regclass;
    seen text[] := '{}';
BEGIN
    IF p_types IS NULL THEN
        RAISE EXCEPTION 'entity_types must not be null' USING ERRCODE = '22004';
    END IF;
    IF cardinality(p_types) = 0 THEN
        RAISE EXCEPTION 'entity_types must name at least one entity type'
            USING ERRCODE = '22023';
    END IF;
    IF array_ndims(p_types) > 1 THEN
        RAISE EXCEPTION 'entity_types must be a one-dimensional array'
            USING ERRCODE = '22023';
    END IF;
    FOREACH t IN ARRAY p_types LOOP
        IF t IS NULL THEN
            RAISE EXCEPTION 'entity_types must not contain null' USING ERRCODE = '22004';
        END IF;
        IF t = ANY (seen) THEN
            RAISE EXCEPTION 'entity type "%" appears twice in entity_types', left(t, 100)
                USING ERRCODE = '22023';
        END IF;
        SELECT e.relation INTO rel FROM dataexport.entity e WHERE e.entity_type = t;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'entity type "%" does not exist', left(t, 100)
                USING ERRCODE = '42704',
                      HINT = 'The registered entity types are listed in dataexport.entities.';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = rel) THEN
            RAISE EXCEPTION 'the table of entity type "%" no longer exists', t
                USING ERRCODE = '42P01';
        END IF;
        IF NOT has_table_privilege(p_owner, rel, 'SELECT') THEN
            RAISE EXCEPTION 'permission denied for table % of entity type "%"', rel, t
                USING ERRCODE = '42501',
                      HINT = 'A schedule''s owner needs SELECT on the tables it exports.';
        END IF;
        seen := seen || t;
    END LOOP;
    RETURN seen;
END
$$;

CREATE FUNCTION dataexport._valid_format(p_format text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_format IS NULL THEN
        RAISE EXCEPTION 'export_file_format must not be null' USING ERRCODE = '22004';
    END IF;
    IF upper(p_format) NOT IN ('CSV', 'JSONL') THEN
        RAISE EXCEPTION 'invalid export_file_format "%"', left(p_format, 100)
            USING ERRCODE = '22023',
                  HINT = 'export_file_format is CSV or JSONL.';
    END IF;
    RETURN upper(p_format);
END
$$;

CREATE FUNCTION dataexport._valid_destinations(p_owner oid, p_destinations text[])
RETURNS text[] LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    d    text;
    dst  record;
    seen text[] := '{}';
BEGIN
    IF p_destinations IS NULL THEN
        RAISE EXCEPTION 'destinations must not be null' USING ERRCODE = '22004',
              HINT = 'Pass ''{}'' for no destination.';
    END IF;
    IF array_ndims(p_destinations) > 1 THEN
        RAISE EXCEPTION 'destinations must be a one-dimensional array'
            USING ERRCODE = '22023';
    END IF;
    FOREACH d IN ARRAY p_destinations LOOP
        IF d IS NULL THEN
            RAISE EXCEPTION 'destinations must not contain null' USING ERRCODE = '22004';
        END IF;
        IF d = ANY (seen) THEN
            RAISE EXCEPTION 'destination "%" appears twice in destinations', left(d, 100)
                USING ERRCODE = '22023';
        END IF;
        -- Locked until commit, so that delete_destination cannot remove it
        -- from under the schedule being written (35_destinations.sql).
        SELECT * INTO dst FROM dataexport.destination x WHERE x.name = d FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'destination "%" does not exist', left(d, 100)
                USING ERRCODE = '42704',
                      HINT = 'The destinations a role may use are listed in dataexport.destinations.';
        END IF;
        IF NOT dataexport._may_use_destination(p_owner, dst.created_by) THEN
            RAISE EXCEPTION 'permission denied for destination "%"', d
                USING ERRCODE = '42501',
                      HINT = 'Using a destination needs pg_write_server_files or membership in the role that created it.';
        END IF;
        seen := seen || d;
    END LOOP;
    RETURN seen;
END
$$;

-- Whether a role is a superuser (NULL-safe, for roles that were dropped).
CREATE FUNCTION dataexport._is_superuser(p_role oid) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.oid = p_role), false)
$$;

-- Whether the caller may see and change what p_owner owns.
CREATE FUNCTION dataexport._may_manage(p_caller oid, p_owner oid) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT p_caller = p_owner OR dataexport._is_superuser(p_caller)
$$;

-- The schedule row, locked, if the caller may manage it; else 42704.
CREATE FUNCTION dataexport._schedule_for(p_caller oid, p_schedule_id bigint)
RETURNS dataexport.schedule LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s dataexport.schedule;
BEGIN
    IF p_schedule_id IS NULL THEN
        RAISE EXCEPTION 'schedule_id must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT * INTO s FROM dataexport.schedule x WHERE x.schedule_id = p_schedule_id FOR UPDATE;
    IF NOT FOUND OR NOT dataexport._may_manage(p_caller, s.owner) THEN
        RAISE EXCEPTION 'schedule % does not exist', p_schedule_id USING ERRCODE = '42704';
    END IF;
    RETURN s;
END
$$;

-- The functions below that queue work call dataexport._wake_scheduler()
-- (45_worker.sql): the background scheduler wakes when they commit.

-- Create a schedule and queue its initial export.
CREATE FUNCTION dataexport.create_schedule(
    name text,
    entity_types text[],
    schedule_type text DEFAULT NULL,
    period integer DEFAULT NULL,
    schedule_offset integer DEFAULT NULL,
    cron_expression text DEFAULT NULL,
    export_file_format text DEFAULT 'CSV',
    destinations text[] DEFAULT '{}',
    code text DEFAULT NULL)
RETURNS bigint AS 'MODULE_PATHNAME', 'pgde_forward' LANGUAGE C;

CREATE FUNCTION dataexport._create_schedule(
    caller oid, p_name text, p_entity_types text[], p_schedule_type text,
    p_period integer, p_schedule_offset integer, p_cron_expression text,
    p_export_file_format text, p_destinations text[], p_code text)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_name    text := dataexport._valid_name(p_name);
    v_types   text[] := dataexport._valid_entity_types(caller, p_entity_types);
    v_unit    text := dataexport._timing_check(p_schedule_type, p_period,
                                               p_schedule_offset, p_cron_expression);
    v_format  text := dataexport._valid_format(p_export_file_format);
    v_dests   text[] := dataexport._valid_destinations(caller, p_destinations);
    v_code    text := dataexport._valid_code(caller, p_code, NULL);
    v_anchor  timestamptz := date_trunc('second', now());
    v_id      bigint;
BEGIN
    INSERT INTO dataexport.schedule
        (name, code, owner, entity_types, schedule_type, period, schedule_offset,
         cron_expression, export_file_format, destinations, created_at,
         timing_anchor, next_run_at)
    VALUES
        (v_name, v_code, caller, v_types, v_unit,
         CASE WHEN v_unit IS NULL THEN NULL ELSE p_period END,
         CASE WHEN v_unit IS NULL THEN NULL ELSE p_schedule_offset END,
         CASE WHEN v_unit IS NULL THEN p_cron_expression END,
         v_format, v_dests, now(), v_anchor,
         (SELECT t FROM dataexport._timing_next(v_unit, p_period, p_schedule_offset,
                                                p_cron_expression, v_anchor, v_anchor, 1) t))
    RETURNING schedule_id INTO v_id;

    INSERT INTO dataexport.job (schedule_id, owner, kind, entity_types,
                                export_file_format, destinations)
    VALUES (v_id, caller, 'INITIAL', v_types, v_format, v_dests);

    PERFORM dataexport._wake_scheduler();
    RETURN v_id;
END
$$;

-- Change a schedule; NULL leaves a parameter unchanged.  Any timing
-- parameter replaces the whole timing and re-anchors it; the export chain
-- is kept.
CREATE FUNCTION dataexport.update_schedule(
    schedule_id bigint,
    name text DEFAULT NULL,
    entity_types text[] DEFAULT NULL,
    schedule_type text DEFAULT NULL,
    period integer DEFAULT NULL,
    schedule_offset integer DEFAULT NULL,
    cron_expression text DEFAULT NULL,
    export_file_format text DEFAULT NULL,
    destinations text[] DEFAULT NULL,
    code text DEFAULT NULL,
    enabled boolean DEFAULT NULL)
RETURNS void AS 'MODULE_PATHNAME', 'pgde_forward' LANGUAGE C;

CREATE FUNCTION dataexport._update_schedule(
    caller oid, p_schedule_id bigint, p_name text, p_entity_types text[],
    p_schedule_type text, p_period integer, p_schedule_offset integer,
    p_cron_expression text, p_export_file_format text, p_destinations text[],
    p_code text, p_enabled boolean)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s        dataexport.schedule := dataexport._schedule_for(caller, p_schedule_id);
    v_unit   text;
    v_anchor timestamptz;
BEGIN
    IF p_name IS NOT NULL THEN
        s.name := dataexport._valid_name(p_name);
    END IF;
    IF p_entity_types IS NOT NULL THEN
        s.entity_types := dataexport._valid_entity_types(s.owner, p_entity_types);
        -- A type dropped from the schedule loses its place in the chain, so
        -- that adding it again later starts with a full export.
        DELETE FROM dataexport.schedule_entity se
         WHERE se.schedule_id = s.schedule_id
           AND NOT (se.entity_type = ANY (s.entity_types));
    END IF;
    IF p_schedule_type IS NOT NULL OR p_period IS NOT NULL
       OR p_schedule_offset IS NOT NULL OR p_cron_expression IS NOT NULL THEN
        v_unit := dataexport._timing_check(p_schedule_type, p_period,
                                           p_schedule_offset, p_cron_expression);
        v_anchor := date_trunc('second', now());
        s.schedule_type := v_unit;
        s.period := CASE WHEN v_unit IS NULL THEN NULL ELSE p_period END;
        s.schedule_offset := CASE WHEN v_unit IS NULL THEN NULL ELSE p_schedule_offset END;
        s.cron_expression := CASE WHEN v_unit IS NULL THEN p_cron_expression END;
        s.timing_anchor := v_anchor;
        s.next_run_at := (SELECT t FROM dataexport._timing_next(
                              s.schedule_type, s.period, s.schedule_offset,
                              s.cron_expression, v_anchor, v_anchor, 1) t);
    END IF;
    IF p_export_file_format IS NOT NULL THEN
        s.export_file_format := dataexport._valid_format(p_export_file_format);
    END IF;
    IF p_destinations IS NOT NULL THEN
        s.destinations := dataexport._valid_destinations(s.owner, p_destinations);
    END IF;
    IF p_code IS NOT NULL THEN
        s.code := dataexport._valid_code(s.owner, p_code, s.schedule_id);
    END IF;
    IF p_enabled IS NOT NULL THEN
        IF p_enabled AND NOT s.enabled THEN
            -- Re-enabled: the grid goes on from now, with no catch-up for the
            -- time it was off.
            s.next_run_at := (SELECT t FROM dataexport._timing_next(
                                  s.schedule_type, s.period, s.schedule_offset,
                                  s.cron_expression, s.timing_anchor, now(), 1) t);
        END IF;
        s.enabled := p_enabled;
    END IF;

    UPDATE dataexport.schedule x
       SET name = s.name, code = s.code, entity_types = s.entity_types,
           schedule_type = s.schedule_type, period = s.period,
           schedule_offset = s.schedule_offset, cron_expression = s.cron_expression,
           export_file_format = s.export_file_format, destinations = s.destinations,
           enabled = s.enabled, timing_anchor = s.timing_anchor,
           next_run_at = s.next_run_at
     WHERE x.schedule_id = s.schedule_id;
    PERFORM dataexport._wake_scheduler();
END
$$;

-- Delete a schedule and its queued jobs.  A job already running finishes;
-- the history of finished jobs stays until it expires.
CREATE FUNCTION dataexport.delete_schedule(schedule_id bigint)
RETURNS void AS 'MODULE_PATHNAME', 'pgde_forward' LANGUAGE C;

CREATE FUNCTION dataexport._delete_schedule(caller oid, p_schedule_id bigint)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s dataexport.schedule := dataexport._schedule_for(caller, p_schedule_id);
BEGIN
    DELETE FROM dataexport.job j WHERE j.schedule_id = s.schedule_id AND j.status = 'PENDING';
    DELETE FROM dataexport.schedule x WHERE x.schedule_id = s.schedule_id;
    PERFORM dataexport._wake_scheduler();
END
$$;

-- Queue the schedule's next incremental export now (disabled schedules too).
CREATE FUNCTION dataexport.run_schedule_now(schedule_id bigint)
RETURNS bigint AS 'MODULE_PATHNAME', 'pgde_forward' LANGUAGE C;

CREATE FUNCTION dataexport._run_schedule_now(caller oid, p_schedule_id bigint)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s    dataexport.schedule := dataexport._schedule_for(caller, p_schedule_id);
    v_id bigint;
BEGIN
    INSERT INTO dataexport.job (schedule_id, owner, kind, entity_types,
                                export_file_format, destinations)
    VALUES (s.schedule_id, s.owner, 'MANUAL', s.entity_types,
            s.export_file_format, s.destinations)
    RETURNING job_id INTO v_id;
    PERFORM dataexport._wake_scheduler();
    RETURN v_id;
END
$$;

-- The schedule's next n grid instants strictly after "after".
CREATE FUNCTION dataexport.next_runs(schedule_id bigint, n integer DEFAULT 5,
                                     after timestamptz DEFAULT now())
RETURNS SETOF timestamptz AS 'MODULE_PATHNAME', 'pgde_forward' LANGUAGE C;

CREATE FUNCTION dataexport._next_runs(caller oid, p_schedule_id bigint, p_n integer,
                                      p_after timestamptz)
RETURNS SETOF timestamptz LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s dataexport.schedule;
BEGIN
    IF p_schedule_id IS NULL THEN
        RAISE EXCEPTION 'schedule_id must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_n IS NULL THEN
        RAISE EXCEPTION 'n must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_after IS NULL THEN
        RAISE EXCEPTION 'after must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_n < 0 OR p_n > 100000 THEN
        RAISE EXCEPTION 'n must be between 0 and 100000' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO s FROM dataexport.schedule x WHERE x.schedule_id = p_schedule_id;
    IF NOT FOUND OR NOT dataexport._may_manage(caller, s.owner) THEN
        RAISE EXCEPTION 'schedule % does not exist', p_schedule_id USING ERRCODE = '42704';
    END IF;
    RETURN QUERY
        SELECT t FROM dataexport._timing_next(s.schedule_type, s.period, s.schedule_offset,
                                              s.cron_expression, s.timing_anchor, p_after, p_n) t;
END
$$;


-- ---------------------------------------------------------------------------
-- Destinations (SPEC section 8)
--
-- A destination is a directory below dataexport.destination_root to which
-- every successful job of the schedules naming it delivers its files
-- (destinations.c).  Destination directories let a role write files as the
-- server's operating-system user, so creating one needs what COPY TO a file
-- needs: superuser or pg_write_server_files.
-- ---------------------------------------------------------------------------

-- Whether a role may use (and see) a destination: a superuser, a member of
-- pg_write_server_files, or a member of the role that created it.
CREATE FUNCTION dataexport._may_use_destination(p_role oid, p_created_by oid)
RETURNS boolean LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT dataexport._is_superuser(p_role)
        OR pg_has_role(p_role, 'pg_write_server_files', 'USAGE')
        OR (EXISTS (SELECT 1 FROM pg_roles r WHERE r.oid = p_created_by)
            AND pg_has_role(p_role, p_created_by, 'MEMBER'))
$$;

-- Check a requested directory (resolved below destination_root, outside the
-- data directory), create it if missing, and return it resolved.
CREATE FUNCTION dataexport._destination_directory(directory text) RETURNS text
    AS 'MODULE_PATHNAME', 'pgde_destination_directory' LANGUAGE C;

-- Create a destination.
CREATE FUNCTION dataexport.create_destination(name text, directory text,
                                              partition_order text DEFAULT 'TIME_FIRST',
                                              compression text DEFAULT 'none')
RETURNS void AS 'MODULE_PATHNAME', 'pgde_forward' LANGUAGE C;

CREATE FUNCTION dataexport._create_destination(caller oid, p_name text, p_directory text,
                                               p_partition_order text, p_compression text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_name        text;
    v_order       text;
    v_compression text;
    v_directory   text;
BEGIN
    IF p_name IS NULL THEN
        RAISE EXCEPTION 'name must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_directory IS NULL THEN
        RAISE EXCEPTION 'directory must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_partition_order IS NULL THEN
        RAISE EXCEPTION 'partition_order must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_compression IS NULL THEN
        RAISE EXCEPTION 'compression must not be null' USING ERRCODE = '22004';
    END IF;
    IF NOT (dataexport._is_superuser(caller)
            OR pg_has_role(caller, 'pg_write_server_files', 'USAGE')) THEN
        RAISE EXCEPTION 'permission denied to create destination "%"', left(p_name, 100)
            USING ERRCODE = '42501',
                  HINT = 'Creating a destination needs superuser or membership in pg_write_server_files.';
    END IF;
    IF current_setting('dataexport.destination_root') = '' THEN
        RAISE EXCEPTION 'destinations are disabled'
            USING ERRCODE = '55000',
                  DETAIL = 'dataexport.destination_root is empty.',
                  HINT = 'Set dataexport.destination_root in postgresql.conf to the directory below which destinations may lie, and restart the server.';
    END IF;

    v_name := dataexport._valid_name(p_name);
    v_order := upper(p_partition_order);
    IF v_order NOT IN ('TIME_FIRST', 'TYPE_FIRST') THEN
        RAISE EXCEPTION 'invalid partition_order "%"', left(p_partition_order, 100)
            USING ERRCODE = '22023',
                  HINT = 'partition_order is TIME_FIRST or TYPE_FIRST.';
    END IF;
    v_compression := lower(p_compression);
    IF v_compression NOT IN ('none', 'gzip') THEN
        RAISE EXCEPTION 'invalid compression "%"', left(p_compression, 100)
            USING ERRCODE = '22023',
                  HINT = 'compression is none or gzip.';
    END IF;
    IF EXISTS (SELECT 1 FROM dataexport.destination d WHERE d.name = v_name) THEN
        RAISE EXCEPTION 'destination "%" already exists', v_name USING ERRCODE = '42710';
    END IF;

    v_directory := dataexport._destination_directory(p_directory);

    INSERT INTO dataexport.destination (name, directory, partition_order, compression, created_by)
    VALUES (v_name, v_directory, v_order, v_compression, caller)
    ON CONFLICT (name) DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'destination "%" already exists', v_name USING ERRCODE = '42710';
    END IF;
END
$$;

-- Delete a destination.  Refused while a schedule or a queued job uses it;
-- the files already delivered stay where they are.
CREATE FUNCTION dataexport.delete_destination(name text)
RETURNS void AS 'MODULE_PATHNAME', 'pgde_forward' LANGUAGE C;

CREATE FUNCTION dataexport._delete_destination(caller oid, p_name text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    d     dataexport.destination;
    users text;
BEGIN
    IF p_name IS NULL THEN
        RAISE EXCEPTION 'name must not be null' USING ERRCODE = '22004';
    END IF;
    -- Locked: a schedule being created with it waits, or is seen below.
    SELECT * INTO d FROM dataexport.destination x WHERE x.name = p_name FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'destination "%" does not exist', left(p_name, 100)
            USING ERRCODE = '42704';
    END IF;
    IF NOT (dataexport._is_superuser(caller)
            OR (EXISTS (SELECT 1 FROM pg_roles r WHERE r.oid = d.created_by)
                AND pg_has_role(caller, d.created_by, 'MEMBER'))) THEN
        RAISE EXCEPTION 'permission denied to delete destination "%"', p_name
            USING ERRCODE = '42501',
                  HINT = 'Only members of the role that created a destination, and superusers, may delete it.';
    END IF;
    SELECT string_agg(format('%s (%s)', s.schedule_id, s.name), ', ' ORDER BY s.schedule_id)
      INTO users
      FROM dataexport.schedule s WHERE p_name = ANY (s.destinations);
    IF users IS NOT NULL THEN
        RAISE EXCEPTION 'destination "%" is used by schedules', p_name
            USING ERRCODE = '55006',
                  DETAIL = 'Used by schedule ' || users || '.',
                  HINT = 'Remove the destination from those schedules, or delete them, first.';
    END IF;
    SELECT string_agg(j.job_id::text, ', ' ORDER BY j.job_id)
      INTO users
      FROM dataexport.job j
     WHERE j.status IN ('PENDING', 'RUNNING') AND p_name = ANY (j.destinations);
    IF users IS NOT NULL THEN
        RAISE EXCEPTION 'destination "%" is used by jobs that have not finished', p_name
            USING ERRCODE = '55006',
                  DETAIL = 'Used by job ' || users || '.',
                  HINT = 'Wait for those jobs to finish.';
    END IF;
    DELETE FROM dataexport.destination x WHERE x.name = p_name;
END
$$;

-- The destinations a role may use.  Their directories are server paths, so a
-- role that may not use a destination does not see it.
CREATE VIEW dataexport.destinations WITH (security_barrier) AS
    SELECT d.name, d.directory, d.partition_order, d.compression
      FROM dataexport.destination d
     WHERE dataexport._may_use_destination(current_user::regrole, d.created_by);

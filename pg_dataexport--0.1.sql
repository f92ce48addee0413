-- pg_dataexport 0.1: scheduled, exact, incremental exports to CSV and JSONL.
--
-- This script is assembled from src/sql/*.sql, one file per concept.
\echo Use "CREATE EXTENSION pg_dataexport" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Catalog: what is registered, scheduled, run and written.
--
-- Only the extension's functions write these tables.  Roles read them through
-- the views in 50_views.sql, which show each role its own rows.  Public
-- functions run their internal counterparts (named _<function>) through
-- pgde_forward, which passes the caller's role as the first argument; the
-- internal functions are not executable by PUBLIC.
-- ---------------------------------------------------------------------------

-- Registered entity types and the tables behind them.
CREATE TABLE dataexport.entity (
    entity_type   text PRIMARY KEY
                  CHECK (entity_type ~ '^[A-Z][A-Z0-9_]{0,62}$'),
    relation      regclass NOT NULL UNIQUE,
    key_columns   name[] NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now()
);

-- The change log written by the capture trigger (capture.c).  One row per
-- changed key: txid is the top-level transaction that changed it, key its key
-- columns as a JSON object, old_row the row's last values when the key went
-- away (DELETE, TRUNCATE, or an UPDATE that changed the key).  seq orders the
-- changes of one key.  Which rows a job exports is decided by transaction
-- snapshots over txid (job_runner.c), never by seq or by time.
CREATE SEQUENCE dataexport.change_seq;

CREATE TABLE dataexport.change_log (
    txid     xid8   NOT NULL,
    relid    oid    NOT NULL,
    seq      bigint NOT NULL,
    key      json   NOT NULL,
    old_row  json
);
CREATE INDEX change_log_relid_txid ON dataexport.change_log (relid, txid);

-- Destinations (SPEC section 8).
CREATE TABLE dataexport.destination (
    name            text PRIMARY KEY,
    directory       text NOT NULL,
    partition_order text NOT NULL DEFAULT 'TIME_FIRST'
                    CHECK (partition_order IN ('TIME_FIRST', 'TYPE_FIRST')),
    compression     text NOT NULL DEFAULT 'none'
                    CHECK (compression IN ('none', 'gzip')),
    created_by      regrole NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Schedules (SPEC section 4).  timing_anchor is the creation time, or the
-- time of the last timing change, truncated to the second; next_run_at is
-- the next grid instant the scheduler has not fired yet.
CREATE TABLE dataexport.schedule (
    schedule_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name               text NOT NULL,
    code               text,
    owner              regrole NOT NULL,
    entity_types       text[] NOT NULL,
    schedule_type      text CHECK (schedule_type IN ('MINUTE', 'HOUR', 'DAY')),
    period             integer,
    schedule_offset    integer,
    cron_expression    text,
    export_file_format text NOT NULL CHECK (export_file_format IN ('CSV', 'JSONL')),
    destinations       text[] NOT NULL DEFAULT '{}',
    enabled            boolean NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL,
    timing_anchor      timestamptz NOT NULL,
    next_run_at        timestamptz,
    last_run_at        timestamptz,
    UNIQUE (owner, code)
);

-- The export chain: per schedule and entity type, the snapshot of the last
-- successful job that exported the type.  No row means that the next export
-- of the type is a full one (a new schedule, an added type, a restored dump).
CREATE TABLE dataexport.schedule_entity (
    schedule_id   bigint NOT NULL REFERENCES dataexport.schedule ON DELETE CASCADE,
    entity_type   text NOT NULL,
    last_snapshot pg_snapshot NOT NULL,
    last_job_id   bigint NOT NULL,
    PRIMARY KEY (schedule_id, entity_type)
);

-- Jobs (SPEC section 5).  schedule_id is NULL for ad hoc exports and is kept
-- (without a foreign key) after the schedule is deleted, for the history.
CREATE TABLE dataexport.job (
    job_id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    schedule_id        bigint,
    owner              regrole NOT NULL,
    kind               text NOT NULL
                       CHECK (kind IN ('INITIAL', 'SCHEDULED', 'MANUAL', 'AD_HOC')),
    status             text NOT NULL DEFAULT 'PENDING'
                       CHECK (status IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    entity_types       text[] NOT NULL,
    export_file_format text NOT NULL,
    destinations       text[] NOT NULL DEFAULT '{}',
    created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    due_at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    started_at         timestamptz,
    completed_at       timestamptz,
    worker_pid         integer,
    rows_exported      bigint,
    bytes_written      bigint,
    error_message      text,
    error_sqlstate     text,
    snapshot           pg_snapshot,
    manifest           jsonb,
    expires_at         timestamptz
);
CREATE INDEX job_active ON dataexport.job (due_at, job_id)
    WHERE status IN ('PENDING', 'RUNNING');
CREATE INDEX job_schedule ON dataexport.job (schedule_id);

-- One row per file a job wrote.  Rows stay after the file expires.
CREATE TABLE dataexport.job_file (
    job_id      bigint NOT NULL REFERENCES dataexport.job ON DELETE CASCADE,
    entity_type text NOT NULL,
    part        integer NOT NULL,
    file_name   text NOT NULL,
    rows        bigint NOT NULL,
    bytes       bigint NOT NULL,
    sha256      text NOT NULL,
    expired     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (job_id, entity_type, part)
);

-- pg_dump keeps what a user defined; snapshots and jobs belong to this
-- cluster's transaction history and are not dumped (a restored schedule
-- starts its chain with a full export).
SELECT pg_catalog.pg_extension_config_dump('dataexport.entity', '');
SELECT pg_catalog.pg_extension_config_dump('dataexport.destination', '');
SELECT pg_catalog.pg_extension_config_dump('dataexport.schedule', '');

-- The single C entry point through which public functions run their internal
-- counterparts with the caller's role passed explicitly (see catalog.c).
-- (Declared per function below, e.g. AS 'MODULE_PATHNAME', 'pgde_forward'.)

-- ---------------------------------------------------------------------------
-- Entity types (SPEC section 3)
-- ---------------------------------------------------------------------------

-- The capture trigger (capture.c): AFTER INSERT/UPDATE/DELETE FOR EACH ROW and
-- BEFORE TRUNCATE FOR EACH STATEMENT on every registered table.
CREATE FUNCTION dataexport._capture() RETURNS trigger
    AS 'MODULE_PATHNAME', 'pgde_capture' LANGUAGE C;

-- Register a table as an entity type and start tracking its changes.
CREATE FUNCTION dataexport.register_entity(entity_type text, relation regclass,
                                           key_columns text[] DEFAULT NULL)
RETURNS void AS 'MODULE_PATHNAME', 'pgde_forward' LANGUAGE C;

CREATE FUNCTION dataexport._register_entity(caller oid, p_entity_type text,
                                            p_relation regclass, p_key_columns text[])
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel      record;
    keys     name[];
    col      text;
    att      record;
    users    text;
BEGIN
    IF p_entity_type IS NULL THEN
        RAISE EXCEPTION 'entity_type must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_relation IS NULL THEN
        RAISE EXCEPTION 'relation must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_entity_type !~ '^[A-Z][A-Z0-9_]{0,62}$' THEN
        RAISE EXCEPTION 'invalid entity_type "%"', left(p_entity_type, 100)
            USING ERRCODE = '22023',
                  HINT = 'An entity type is 1 to 63 upper-case letters, digits and underscores, starting with a letter, such as ACCOUNTS.';
    END IF;

    SELECT c.oid, c.relkind, c.relowner, c.relpersistence INTO rel
      FROM pg_class c WHERE c.oid = p_relation;
    IF rel.relkind <> 'r' THEN
        RAISE EXCEPTION '"%" is not a table', p_relation
            USING ERRCODE = '22023',
                  HINT = 'Only ordinary tables can be registered (not views, partitioned tables or foreign tables).';
    END IF;
    IF rel.relpersistence = 't' THEN
        RAISE EXCEPTION '"%" is a temporary table', p_relation
            USING ERRCODE = '22023',
                  HINT = 'Exports run in other sessions, which cannot see temporary tables.';
    END IF;
    IF NOT pg_has_role(caller, rel.relowner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', p_relation
            USING ERRCODE = '42501';
    END IF;

    IF EXISTS (SELECT 1 FROM dataexport.entity e WHERE e.entity_type = p_entity_type) THEN
        RAISE EXCEPTION 'entity type "%" is already registered', p_entity_type
            USING ERRCODE = '42710';
    END IF;
    SELECT e.entity_type INTO col FROM dataexport.entity e WHERE e.relation = p_relation;
    IF FOUND THEN
        RAISE EXCEPTION 'table % is already registered as entity type "%"', p_relation, col
            USING ERRCODE = '42710';
    END IF;

    IF p_key_columns IS NULL THEN
        SELECT array_agg(a.attname ORDER BY k.ord) INTO keys
          FROM pg_index i,
               unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord),
               pg_attribute a
         WHERE i.indrelid = p_relation AND i.indisprimary
           AND a.attrelid = p_relation AND a.attnum = k.attnum;
        IF keys IS NULL THEN
            RAISE EXCEPTION 'table % has no primary key', p_relation
                USING ERRCODE = '22023',
                      HINT = 'Add a primary key, or name the key columns in key_columns.';
        END IF;
    ELSE
        IF cardinality(p_key_columns) = 0 THEN
            RAISE EXCEPTION 'key_columns must not be empty'
                USING ERRCODE = '22023';
        END IF;
        IF array_ndims(p_key_columns) > 1 THEN
            RAISE EXCEPTION 'key_columns must be a one-dimensional array'
                USING ERRCODE = '22023';
        END IF;
        keys := '{}';
        FOREACH col IN ARRAY p_key_columns LOOP
            IF col IS NULL THEN
                RAISE EXCEPTION 'key_columns must not contain null'
                    USING ERRCODE = '22004';
            END IF;
            SELECT a.attname, a.attnotnull INTO att
              FROM pg_attribute a
             WHERE a.attrelid = p_relation AND a.attname = col
               AND a.attnum > 0 AND NOT a.attisdropped;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'column "%" of key_columns does not exist in table %',
                                left(col, 100), p_relation
                    USING ERRCODE = '42703';
            END IF;
            IF NOT att.attnotnull THEN
                RAISE EXCEPTION 'key column "%" of table % may be null', col, p_relation
                    USING ERRCODE = '22023',
                          HINT = 'Key columns must be NOT NULL.';
            END IF;
            IF col = ANY (keys) THEN
                RAISE EXCEPTION 'key column "%" is named twice', col
                    USING ERRCODE = '22023';
            END IF;
            keys := keys || col::name;
        END LOOP;
    END IF;

    IF EXISTS (SELECT 1 FROM pg_attribute a
                WHERE a.attrelid = p_relation AND a.attname = 'deleted'
                  AND a.attnum > 0 AND NOT a.attisdropped) THEN
        RAISE EXCEPTION 'table % has a column named "deleted"', p_relation
            USING ERRCODE = '22023',
                  DETAIL = 'Exported files add a column "deleted" after the table''s columns.',
                  HINT = 'Rename the column, or register a view-free copy of the table.';
    END IF;

    INSERT INTO dataexport.entity (entity_type, relation, key_columns)
    VALUES (p_entity_type, p_relation, keys);

    -- The trigger's arguments are the key columns: the trigger needs no
    -- catalog look-up per statement.
    SELECT string_agg(quote_literal(k), ', ') INTO col FROM unnest(keys) AS k;
    EXECUTE format('CREATE TRIGGER dataexport_capture'
                   ' AFTER INSERT OR UPDATE OR DELETE ON %s'
                   ' FOR EACH ROW EXECUTE FUNCTION dataexport._capture(%s)', p_relation, col);
    EXECUTE format('CREATE TRIGGER dataexport_capture_truncate'
                   ' BEFORE TRUNCATE ON %s'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION dataexport._capture(%s)', p_relation, col);
END
$$;

-- Stop tracking an entity type.  Refused while a schedule uses it.
CREATE FUNCTION dataexport.unregister_entity(entity_type text)
RETURNS void AS 'MODULE_PATHNAME', 'pgde_forward' LANGUAGE C;

CREATE FUNCTION dataexport._unregister_entity(caller oid, p_entity_type text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    ent   record;
    users text;
BEGIN
    IF p_entity_type IS NULL THEN
        RAISE EXCEPTION 'entity_type must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT e.entity_type, e.relation::oid AS relid,
           (SELECT c.relowner FROM pg_class c WHERE c.oid = e.relation) AS relowner
      INTO ent
      FROM dataexport.entity e WHERE e.entity_type = p_entity_type
       FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'entity type "%" does not exist', left(p_entity_type, 100)
            USING ERRCODE = '42704';
    END IF;
    IF ent.relowner IS NOT NULL AND NOT pg_has_role(caller, ent.relowner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', ent.relid::regclass
            USING ERRCODE = '42501';
    END IF;
    SELECT string_agg(format('%s (%s)', s.schedule_id, s.name), ', ' ORDER BY s.schedule_id)
      INTO users
      FROM dataexport.schedule s WHERE p_entity_type = ANY (s.entity_types);
    IF users IS NOT NULL THEN
        RAISE EXCEPTION 'entity type "%" is used by schedules', p_entity_type
            USING ERRCODE = '55006',
                  DETAIL = 'Used by schedule ' || users || '.',
                  HINT = 'Remove the entity type from those schedules, or delete them, first.';
    END IF;

    IF ent.relowner IS NOT NULL THEN
        EXECUTE format('DROP TRIGGER IF EXISTS dataexport_capture ON %s', ent.relid::regclass);
        EXECUTE format('DROP TRIGGER IF EXISTS dataexport_capture_truncate ON %s', ent.relid::regclass);
    END IF;
    DELETE FROM dataexport.change_log l WHERE l.relid = ent.relid;
    DELETE FROM dataexport.entity e WHERE e.entity_type = p_entity_type;
END
$$;

-- ---------------------------------------------------------------------------
-- Schedule timing (schedule_timing.c, cron.c): when a schedule runs.
--
-- Internal functions: create_schedule, update_schedule, next_runs and the
-- scheduler build on them.  They read neither the clock nor the catalog, so
-- a timing can be evaluated at any instant.  Everything is UTC.
-- ---------------------------------------------------------------------------

-- Validate a timing as create_schedule and update_schedule take it: exactly
-- one of (schedule_type with period [, schedule_offset]) or cron_expression,
-- and no two runs closer than dataexport.min_interval.  Returns schedule_type
-- as stored (upper case), or NULL for a cron expression.  Raises 22023 (bad
-- value) or 22004 (missing value) naming the field otherwise.
CREATE FUNCTION dataexport._timing_check(
    schedule_type text,
    period integer,
    schedule_offset integer,
    cron_expression text)
RETURNS text
LANGUAGE C STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'dataexport_timing_check';

COMMENT ON FUNCTION dataexport._timing_check(text, integer, integer, text) IS
'internal: validate a schedule timing; returns the stored schedule_type, or NULL in cron mode';

-- The first n instants of a timing's grid strictly after "after".  anchor is
-- the creation (or last timing change) of a simple-mode schedule; cron mode
-- ignores it.  dataexport.min_interval is not applied here: a timing stored
-- earlier stays readable after the setting is raised.
CREATE FUNCTION dataexport._timing_next(
    schedule_type text,
    period integer,
    schedule_offset integer,
    cron_expression text,
    anchor timestamptz,
    after timestamptz,
    n integer)
RETURNS SETOF timestamptz
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'dataexport_timing_next';

COMMENT ON FUNCTION dataexport._timing_next(text, integer, integer, text, timestamptz, timestamptz, integer) IS
'internal: the first n instants of a schedule timing''s grid strictly after a given instant, in UTC';

-- The shortest gap between two consecutive instants of a timing's grid, over
-- the whole calendar (what dataexport.min_interval is compared with).
CREATE FUNCTION dataexport._timing_shortest_gap(
    schedule_type text,
    period integer,
    schedule_offset integer,
    cron_expression text)
RETURNS interval
LANGUAGE C IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'dataexport_timing_shortest_gap';

COMMENT ON FUNCTION dataexport._timing_shortest_gap(text, integer, integer, text) IS
'internal: the shortest gap between two consecutive runs of a schedule timing';

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

-- ---------------------------------------------------------------------------
-- Views: what a role may see of the catalog.  A role sees its own schedules,
-- jobs and files; a superuser sees all.  security_barrier keeps a role's own
-- functions in a WHERE clause from seeing other roles' rows.
-- ---------------------------------------------------------------------------

CREATE VIEW dataexport.entities AS
    SELECT e.entity_type, e.relation, e.key_columns::text[] AS key_columns, e.registered_at
      FROM dataexport.entity e;

CREATE VIEW dataexport.schedules WITH (security_barrier) AS
    SELECT s.schedule_id, s.name, s.code, s.owner::name AS owner, s.entity_types,
           s.schedule_type, s.period, s.schedule_offset, s.cron_expression,
           s.export_file_format, s.destinations, s.enabled, s.created_at,
           CASE WHEN s.enabled THEN
               (SELECT t FROM dataexport._timing_next(s.schedule_type, s.period,
                    s.schedule_offset, s.cron_expression, s.timing_anchor, now(), 1) t)
           END AS next_run_at,
           s.last_run_at
      FROM dataexport.schedule s
     WHERE dataexport._may_manage(current_user::regrole, s.owner);

CREATE VIEW dataexport.jobs WITH (security_barrier) AS
    SELECT j.job_id, j.schedule_id, j.kind, j.status, j.created_at, j.started_at,
           j.completed_at, j.rows_exported, j.bytes_written, j.error_message, j.expires_at
      FROM dataexport.job j
     WHERE dataexport._may_manage(current_user::regrole, j.owner);

CREATE VIEW dataexport.job_files WITH (security_barrier) AS
    SELECT f.job_id, f.entity_type, f.part, f.file_name, f.rows, f.bytes, f.sha256, f.expired
      FROM dataexport.job_file f
      JOIN dataexport.job j USING (job_id)
     WHERE dataexport._may_manage(current_user::regrole, j.owner);
-- 60_m3ter.sql: the m3ter operational data model and its data generator.
--
-- GENERATED by tools/gen_m3ter_model.py from tools/m3ter-entities.json.
-- Do not edit by hand: change the script (or the catalogue) and run
--     python3 tools/gen_m3ter_model.py
-- `python3 tools/gen_m3ter_model.py --check` tells whether this file is
-- up to date.
--
-- What this file owns:
--   dataexport.create_m3ter_model(schema_name)   the 20 m3ter entity tables
--   dataexport.generate_m3ter_data(schema_name, accounts)   demo data
-- It must not touch the registry itself: registration goes through
-- dataexport.register_entity, like any user's table.
--
-- Tables and columns.  Each m3ter entity type gets a table named after the
-- type in lower case (ACCOUNTS -> accounts, BILL_LINE_ITEMS ->
-- bill_line_items).  Its columns are the catalogue's fields, in catalogue
-- order, named in snake_case (accountId -> account_id, dtCreated ->
-- dt_created, startDateTimeUTC -> start_date_time_utc), then the added
-- columns: BALANCE_TRANSACTIONS.balance_id (the API keeps the balance in the
-- request path).  PRICING_BANDS is the standalone band record, with its
-- pricing_id.  Every column carries a comment naming its m3ter field (and its
-- enum values), so a column maps back to the API.
--
-- Types.
--   id, and string fields named *Id           uuid (m3ter ids are UUIDs)
--   string, format date-time                   timestamptz
--   string, format date                        date
--   other strings (enums included)             text
--   integer int32 / int64                      integer / bigint
--   number (with or without format double)     numeric
--   boolean                                    boolean
--   object, array of objects                   jsonb
--   array of ids                               uuid[]
--   other arrays of strings                    text[]
-- number -> numeric, not double precision: almost all m3ter numbers are money
-- (amounts, prices, totals) or exact quantities, which must keep their digits
-- (2.50 stays 2.50 in an export) and add up exactly.  createdBy,
-- lastModifiedBy, approvedBy and lockedBy stay text: they name users or
-- service users, outside the 20 types.  Enum columns are plain text without
-- CHECK constraints: m3ter adds enum values over time (see the field
-- catalogue), and a copy of m3ter data should not reject a value m3ter sends;
-- the allowed values are in the column comments.
--
-- Keys.  id is the primary key (DEFAULT gen_random_uuid()); version defaults
-- to 1 and dt_created / dt_last_modified to now(), so that hand-written
-- demo rows stay short.  Every single-id reference the catalogue names is a
-- foreign key (NO ACTION, not deferrable; self references included).  Arrays
-- of ids (product_ids) cannot be foreign keys.  Foreign keys into the tables
-- that grow with the number of accounts (accounts, contracts, commitments,
-- balances, bills, charges, bill_line_items) have a partial index
-- (WHERE col IS NOT NULL), so deleting such a row does not scan its
-- referencing tables.

-- create_m3ter_model(schema_name): creates the 20 m3ter entity tables in
-- schema_name (creating the schema if needed) and registers each under its
-- m3ter type name.  The caller owns the tables, so it needs CREATE on the
-- database.  Nothing is created when one of the 20 types is already
-- registered (type names are unique: one m3ter model per database) or one
-- of the tables already exists.
CREATE FUNCTION dataexport.create_m3ter_model(schema_name name DEFAULT 'm3ter')
RETURNS void
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    table_names constant text[] := ARRAY['accounts', 'bills', 'contracts',
                                         'products', 'balances', 'meters',
                                         'aggregations',
                                         'compound_aggregations',
                                         'plan_groups', 'plan_templates',
                                         'plans', 'commitments',
                                         'account_plans', 'pricing',
                                         'pricing_bands', 'plan_group_links',
                                         'transaction_types',
                                         'balance_transactions', 'charges',
                                         'bill_line_items'];
    type_names  constant text[] := ARRAY['ACCOUNTS', 'BILLS', 'CONTRACTS',
                                         'PRODUCTS', 'BALANCES', 'METERS',
                                         'AGGREGATIONS',
                                         'COMPOUND_AGGREGATIONS',
                                         'PLAN_GROUPS', 'PLAN_TEMPLATES',
                                         'PLANS', 'COMMITMENTS',
                                         'ACCOUNT_PLANS', 'PRICING',
                                         'PRICING_BANDS', 'PLAN_GROUP_LINKS',
                                         'TRANSACTION_TYPES',
                                         'BALANCE_TRANSACTIONS', 'CHARGES',
                                         'BILL_LINE_ITEMS'];
    existing    text;
    registered  text;
BEGIN
    IF schema_name IS NULL THEN
        RAISE EXCEPTION 'schema_name must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF schema_name = '' THEN
        RAISE EXCEPTION 'schema_name must not be empty'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF schema_name = 'dataexport' THEN
        RAISE EXCEPTION 'schema_name must not be "dataexport"'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The schema dataexport belongs to the extension.',
                  HINT = 'Use another schema, for example m3ter.';
    END IF;
    IF NOT pg_catalog.has_database_privilege(pg_catalog.current_database(),
                                             'CREATE') THEN
        RAISE EXCEPTION 'permission denied to create the m3ter model in database %',
                pg_catalog.current_database()
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'create_m3ter_model needs the CREATE privilege on the database.',
                  HINT = pg_catalog.format('GRANT CREATE ON DATABASE %I TO %I;',
                                           pg_catalog.current_database(),
                                           current_user);
    END IF;

    -- Entity type names are unique in the database: one model registers them.
    SELECT pg_catalog.min(e.entity_type || ' for ' || e.relation::text)
           || CASE WHEN pg_catalog.count(*) > 1
                   THEN ' and ' || (pg_catalog.count(*) - 1) || ' more' ELSE '' END
      INTO registered
      FROM dataexport.entities e
     WHERE e.entity_type = ANY (type_names);
    IF registered IS NOT NULL THEN
        RAISE EXCEPTION 'm3ter entity types are already registered'
            USING ERRCODE = 'duplicate_object',
                  DETAIL = 'Registered: ' || registered || '.',
                  HINT = 'Use that model, or unregister its types with dataexport.unregister_entity first.';
    END IF;

    SELECT pg_catalog.string_agg(pg_catalog.format('%I.%I', schema_name, t),
                                 ', ' ORDER BY ord)
      INTO existing
      FROM pg_catalog.unnest(table_names) WITH ORDINALITY AS u(t, ord)
     WHERE pg_catalog.to_regclass(pg_catalog.format('%I.%I', schema_name, t)) IS NOT NULL;
    IF existing IS NOT NULL THEN
        RAISE EXCEPTION 'm3ter model tables already exist in schema %', schema_name
            USING ERRCODE = 'duplicate_table',
                  DETAIL = 'Existing: ' || existing || '.',
                  HINT = 'Choose another schema_name, or drop those tables first.';
    END IF;

    EXECUTE pg_catalog.format('CREATE SCHEMA IF NOT EXISTS %I', schema_name);

    -- ACCOUNTS: AccountResponse, 19 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.accounts (
            id                           uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version                      bigint DEFAULT 1,
            custom_fields                jsonb,
            name                         text,
            code                         text,
            address                      jsonb,
            email_address                text,
            parent_account_id            uuid REFERENCES %1$I.accounts (id),
            bill_epoch                   date,
            purchase_order_number        text,
            currency                     text,
            statement_definition_id      uuid,
            dt_created                   timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified             timestamptz DEFAULT pg_catalog.now(),
            created_by                   text,
            last_modified_by             text,
            auto_generate_statement_mode text,
            credit_application_order     text[],
            days_before_bill_due         integer
        );
        CREATE INDEX ON %1$I.accounts (parent_account_id) WHERE parent_account_id IS NOT NULL;
        COMMENT ON TABLE %1$I.accounts IS 'm3ter ACCOUNTS (AccountResponse)';
        COMMENT ON COLUMN %1$I.accounts.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.accounts.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.accounts.custom_fields IS 'm3ter field customFields';
        COMMENT ON COLUMN %1$I.accounts.name IS 'm3ter field name';
        COMMENT ON COLUMN %1$I.accounts.code IS 'm3ter field code';
        COMMENT ON COLUMN %1$I.accounts.address IS 'm3ter field address';
        COMMENT ON COLUMN %1$I.accounts.email_address IS 'm3ter field emailAddress';
        COMMENT ON COLUMN %1$I.accounts.parent_account_id IS 'm3ter field parentAccountId (references ACCOUNTS)';
        COMMENT ON COLUMN %1$I.accounts.bill_epoch IS 'm3ter field billEpoch';
        COMMENT ON COLUMN %1$I.accounts.purchase_order_number IS 'm3ter field purchaseOrderNumber';
        COMMENT ON COLUMN %1$I.accounts.currency IS 'm3ter field currency';
        COMMENT ON COLUMN %1$I.accounts.statement_definition_id IS 'm3ter field statementDefinitionId';
        COMMENT ON COLUMN %1$I.accounts.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.accounts.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.accounts.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.accounts.last_modified_by IS 'm3ter field lastModifiedBy';
        COMMENT ON COLUMN %1$I.accounts.auto_generate_statement_mode IS 'm3ter field autoGenerateStatementMode; one of: NONE, JSON, JSON_AND_CSV';
        COMMENT ON COLUMN %1$I.accounts.credit_application_order IS 'm3ter field creditApplicationOrder; one of: PREPAYMENT, BALANCE';
        COMMENT ON COLUMN %1$I.accounts.days_before_bill_due IS 'm3ter field daysBeforeBillDue';
    $ddl$, schema_name);

    -- BILLS: BillResponse, 37 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.bills (
            id                         uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version                    bigint DEFAULT 1,
            account_id                 uuid REFERENCES %1$I.accounts (id),
            account_code               text,
            start_date                 date,
            end_date                   date,
            start_date_time_utc        timestamptz,
            end_date_time_utc          timestamptz,
            bill_date                  date,
            due_date                   date,
            billing_frequency          text,
            bill_frequency_interval    integer,
            timezone                   text,
            currency                   text,
            locked                     boolean,
            created_date               timestamptz,
            status                     text,
            bill_job_id                uuid,
            currency_conversions       jsonb,
            last_calculated_date       timestamptz,
            line_items                 jsonb,
            purchase_order_number      text,
            external_invoice_reference text,
            external_invoice_date      date,
            json_statement_generated   boolean,
            csv_statement_generated    boolean,
            statement_stale            boolean,
            bill_total                 numeric,
            sequential_invoice_number  text,
            dt_created                 timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified           timestamptz DEFAULT pg_catalog.now(),
            created_by                 text,
            last_modified_by           text,
            dt_approved                timestamptz,
            approved_by                text,
            dt_locked                  timestamptz,
            locked_by                  text
        );
        CREATE INDEX ON %1$I.bills (account_id) WHERE account_id IS NOT NULL;
        COMMENT ON TABLE %1$I.bills IS 'm3ter BILLS (BillResponse)';
        COMMENT ON COLUMN %1$I.bills.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.bills.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.bills.account_id IS 'm3ter field accountId (references ACCOUNTS)';
        COMMENT ON COLUMN %1$I.bills.account_code IS 'm3ter field accountCode';
        COMMENT ON COLUMN %1$I.bills.start_date IS 'm3ter field startDate';
        COMMENT ON COLUMN %1$I.bills.end_date IS 'm3ter field endDate';
        COMMENT ON COLUMN %1$I.bills.start_date_time_utc IS 'm3ter field startDateTimeUTC';
        COMMENT ON COLUMN %1$I.bills.end_date_time_utc IS 'm3ter field endDateTimeUTC';
        COMMENT ON COLUMN %1$I.bills.bill_date IS 'm3ter field billDate';
        COMMENT ON COLUMN %1$I.bills.due_date IS 'm3ter field dueDate';
        COMMENT ON COLUMN %1$I.bills.billing_frequency IS 'm3ter field billingFrequency; one of: DAILY, WEEKLY, MONTHLY, ANNUALLY, AD_HOC, MIXED';
        COMMENT ON COLUMN %1$I.bills.bill_frequency_interval IS 'm3ter field billFrequencyInterval';
        COMMENT ON COLUMN %1$I.bills.timezone IS 'm3ter field timezone';
        COMMENT ON COLUMN %1$I.bills.currency IS 'm3ter field currency';
        COMMENT ON COLUMN %1$I.bills.locked IS 'm3ter field locked';
        COMMENT ON COLUMN %1$I.bills.created_date IS 'm3ter field createdDate';
        COMMENT ON COLUMN %1$I.bills.status IS 'm3ter field status; one of: PENDING, APPROVED';
        COMMENT ON COLUMN %1$I.bills.bill_job_id IS 'm3ter field billJobId';
        COMMENT ON COLUMN %1$I.bills.currency_conversions IS 'm3ter field currencyConversions';
        COMMENT ON COLUMN %1$I.bills.last_calculated_date IS 'm3ter field lastCalculatedDate';
        COMMENT ON COLUMN %1$I.bills.line_items IS 'm3ter field lineItems';
        COMMENT ON COLUMN %1$I.bills.purchase_order_number IS 'm3ter field purchaseOrderNumber';
        COMMENT ON COLUMN %1$I.bills.external_invoice_reference IS 'm3ter field externalInvoiceReference';
        COMMENT ON COLUMN %1$I.bills.external_invoice_date IS 'm3ter field externalInvoiceDate';
        COMMENT ON COLUMN %1$I.bills.json_statement_generated IS 'm3ter field jsonStatementGenerated';
        COMMENT ON COLUMN %1$I.bills.csv_statement_generated IS 'm3ter field csvStatementGenerated';
        COMMENT ON COLUMN %1$I.bills.statement_stale IS 'm3ter field statementStale';
        COMMENT ON COLUMN %1$I.bills.bill_total IS 'm3ter field billTotal';
        COMMENT ON COLUMN %1$I.bills.sequential_invoice_number IS 'm3ter field sequentialInvoiceNumber';
        COMMENT ON COLUMN %1$I.bills.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.bills.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.bills.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.bills.last_modified_by IS 'm3ter field lastModifiedBy';
        COMMENT ON COLUMN %1$I.bills.dt_approved IS 'm3ter field dtApproved';
        COMMENT ON COLUMN %1$I.bills.approved_by IS 'm3ter field approvedBy';
        COMMENT ON COLUMN %1$I.bills.dt_locked IS 'm3ter field dtLocked';
        COMMENT ON COLUMN %1$I.bills.locked_by IS 'm3ter field lockedBy';
    $ddl$, schema_name);

    -- CONTRACTS: ContractResponse, 17 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.contracts (
            id                           uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version                      bigint DEFAULT 1,
            custom_fields                jsonb,
            account_id                   uuid REFERENCES %1$I.accounts (id),
            name                         text,
            code                         text,
            description                  text,
            purchase_order_number        text,
            apply_contract_period_limits boolean,
            usage_filters                jsonb,
            bill_grouping_key_id         uuid,
            start_date                   date,
            end_date                     date,
            dt_created                   timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified             timestamptz DEFAULT pg_catalog.now(),
            created_by                   text,
            last_modified_by             text
        );
        CREATE INDEX ON %1$I.contracts (account_id) WHERE account_id IS NOT NULL;
        COMMENT ON TABLE %1$I.contracts IS 'm3ter CONTRACTS (ContractResponse)';
        COMMENT ON COLUMN %1$I.contracts.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.contracts.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.contracts.custom_fields IS 'm3ter field customFields';
        COMMENT ON COLUMN %1$I.contracts.account_id IS 'm3ter field accountId (references ACCOUNTS)';
        COMMENT ON COLUMN %1$I.contracts.name IS 'm3ter field name';
        COMMENT ON COLUMN %1$I.contracts.code IS 'm3ter field code';
        COMMENT ON COLUMN %1$I.contracts.description IS 'm3ter field description';
        COMMENT ON COLUMN %1$I.contracts.purchase_order_number IS 'm3ter field purchaseOrderNumber';
        COMMENT ON COLUMN %1$I.contracts.apply_contract_period_limits IS 'm3ter field applyContractPeriodLimits';
        COMMENT ON COLUMN %1$I.contracts.usage_filters IS 'm3ter field usageFilters';
        COMMENT ON COLUMN %1$I.contracts.bill_grouping_key_id IS 'm3ter field billGroupingKeyId';
        COMMENT ON COLUMN %1$I.contracts.start_date IS 'm3ter field startDate';
        COMMENT ON COLUMN %1$I.contracts.end_date IS 'm3ter field endDate';
        COMMENT ON COLUMN %1$I.contracts.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.contracts.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.contracts.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.contracts.last_modified_by IS 'm3ter field lastModifiedBy';
    $ddl$, schema_name);

    -- PRODUCTS: ProductResponse, 9 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.products (
            id               uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version          bigint DEFAULT 1,
            custom_fields    jsonb,
            name             text,
            code             text,
            dt_created       timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified timestamptz DEFAULT pg_catalog.now(),
            created_by       text,
            last_modified_by text
        );
        COMMENT ON TABLE %1$I.products IS 'm3ter PRODUCTS (ProductResponse)';
        COMMENT ON COLUMN %1$I.products.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.products.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.products.custom_fields IS 'm3ter field customFields';
        COMMENT ON COLUMN %1$I.products.name IS 'm3ter field name';
        COMMENT ON COLUMN %1$I.products.code IS 'm3ter field code';
        COMMENT ON COLUMN %1$I.products.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.products.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.products.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.products.last_modified_by IS 'm3ter field lastModifiedBy';
    $ddl$, schema_name);

    -- BALANCES: BalanceResponse, 26 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.balances (
            id                                 uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version                            bigint DEFAULT 1,
            custom_fields                      jsonb,
            code                               text,
            name                               text,
            description                        text,
            account_id                         uuid REFERENCES %1$I.accounts (id),
            amount                             numeric,
            currency                           text,
            start_date                         timestamptz,
            end_date                           timestamptz,
            rollover_amount                    numeric,
            rollover_end_date                  timestamptz,
            balance_draw_down_description      text,
            overage_surcharge_percent          numeric,
            overage_description                text,
            product_ids                        uuid[],
            line_item_types                    text[],
            contract_id                        uuid REFERENCES %1$I.contracts (id),
            consumptions_accounting_product_id uuid REFERENCES %1$I.products (id),
            fees_accounting_product_id         uuid REFERENCES %1$I.products (id),
            allow_overdraft                    boolean,
            dt_created                         timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified                   timestamptz DEFAULT pg_catalog.now(),
            created_by                         text,
            last_modified_by                   text
        );
        CREATE INDEX ON %1$I.balances (account_id) WHERE account_id IS NOT NULL;
        CREATE INDEX ON %1$I.balances (contract_id) WHERE contract_id IS NOT NULL;
        COMMENT ON TABLE %1$I.balances IS 'm3ter BALANCES (BalanceResponse)';
        COMMENT ON COLUMN %1$I.balances.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.balances.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.balances.custom_fields IS 'm3ter field customFields';
        COMMENT ON COLUMN %1$I.balances.code IS 'm3ter field code';
        COMMENT ON COLUMN %1$I.balances.name IS 'm3ter field name';
        COMMENT ON COLUMN %1$I.balances.description IS 'm3ter field description';
        COMMENT ON COLUMN %1$I.balances.account_id IS 'm3ter field accountId (references ACCOUNTS)';
        COMMENT ON COLUMN %1$I.balances.amount IS 'm3ter field amount';
        COMMENT ON COLUMN %1$I.balances.currency IS 'm3ter field currency';
        COMMENT ON COLUMN %1$I.balances.start_date IS 'm3ter field startDate';
        COMMENT ON COLUMN %1$I.balances.end_date IS 'm3ter field endDate';
        COMMENT ON COLUMN %1$I.balances.rollover_amount IS 'm3ter field rolloverAmount';
        COMMENT ON COLUMN %1$I.balances.rollover_end_date IS 'm3ter field rolloverEndDate';
        COMMENT ON COLUMN %1$I.balances.balance_draw_down_description IS 'm3ter field balanceDrawDownDescription';
        COMMENT ON COLUMN %1$I.balances.overage_surcharge_percent IS 'm3ter field overageSurchargePercent';
        COMMENT ON COLUMN %1$I.balances.overage_description IS 'm3ter field overageDescription';
        COMMENT ON COLUMN %1$I.balances.product_ids IS 'm3ter field productIds (ids of PRODUCTS)';
        COMMENT ON COLUMN %1$I.balances.line_item_types IS 'm3ter field lineItemTypes; one of: STANDING_CHARGE, USAGE, MINIMUM_SPEND, COUNTER_RUNNING_TOTAL_CHARGE, COUNTER_ADJUSTMENT_DEBIT, AD_HOC';
        COMMENT ON COLUMN %1$I.balances.contract_id IS 'm3ter field contractId (references CONTRACTS)';
        COMMENT ON COLUMN %1$I.balances.consumptions_accounting_product_id IS 'm3ter field consumptionsAccountingProductId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.balances.fees_accounting_product_id IS 'm3ter field feesAccountingProductId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.balances.allow_overdraft IS 'm3ter field allowOverdraft';
        COMMENT ON COLUMN %1$I.balances.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.balances.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.balances.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.balances.last_modified_by IS 'm3ter field lastModifiedBy';
    $ddl$, schema_name);

    -- METERS: MeterResponse, 13 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.meters (
            id               uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version          bigint DEFAULT 1,
            custom_fields    jsonb,
            product_id       uuid REFERENCES %1$I.products (id),
            group_id         uuid,
            name             text,
            code             text,
            data_fields      jsonb,
            derived_fields   jsonb,
            dt_created       timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified timestamptz DEFAULT pg_catalog.now(),
            created_by       text,
            last_modified_by text
        );
        COMMENT ON TABLE %1$I.meters IS 'm3ter METERS (MeterResponse)';
        COMMENT ON COLUMN %1$I.meters.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.meters.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.meters.custom_fields IS 'm3ter field customFields';
        COMMENT ON COLUMN %1$I.meters.product_id IS 'm3ter field productId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.meters.group_id IS 'm3ter field groupId';
        COMMENT ON COLUMN %1$I.meters.name IS 'm3ter field name';
        COMMENT ON COLUMN %1$I.meters.code IS 'm3ter field code';
        COMMENT ON COLUMN %1$I.meters.data_fields IS 'm3ter field dataFields';
        COMMENT ON COLUMN %1$I.meters.derived_fields IS 'm3ter field derivedFields';
        COMMENT ON COLUMN %1$I.meters.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.meters.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.meters.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.meters.last_modified_by IS 'm3ter field lastModifiedBy';
    $ddl$, schema_name);

    -- AGGREGATIONS: AggregationResponse, 20 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.aggregations (
            id                    uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version               bigint DEFAULT 1,
            custom_fields         jsonb,
            name                  text,
            rounding              text,
            quantity_per_unit     numeric,
            unit                  text,
            code                  text,
            segments              jsonb,
            accounting_product_id uuid REFERENCES %1$I.products (id),
            meter_id              uuid REFERENCES %1$I.meters (id),
            target_field          text,
            aggregation           text,
            segmented_fields      text[],
            default_value         numeric,
            custom_sql            text,
            dt_created            timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified      timestamptz DEFAULT pg_catalog.now(),
            created_by            text,
            last_modified_by      text
        );
        COMMENT ON TABLE %1$I.aggregations IS 'm3ter AGGREGATIONS (AggregationResponse)';
        COMMENT ON COLUMN %1$I.aggregations.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.aggregations.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.aggregations.custom_fields IS 'm3ter field customFields';
        COMMENT ON COLUMN %1$I.aggregations.name IS 'm3ter field name';
        COMMENT ON COLUMN %1$I.aggregations.rounding IS 'm3ter field rounding; one of: UP, DOWN, NEAREST, NONE';
        COMMENT ON COLUMN %1$I.aggregations.quantity_per_unit IS 'm3ter field quantityPerUnit';
        COMMENT ON COLUMN %1$I.aggregations.unit IS 'm3ter field unit';
        COMMENT ON COLUMN %1$I.aggregations.code IS 'm3ter field code';
        COMMENT ON COLUMN %1$I.aggregations.segments IS 'm3ter field segments';
        COMMENT ON COLUMN %1$I.aggregations.accounting_product_id IS 'm3ter field accountingProductId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.aggregations.meter_id IS 'm3ter field meterId (references METERS)';
        COMMENT ON COLUMN %1$I.aggregations.target_field IS 'm3ter field targetField';
        COMMENT ON COLUMN %1$I.aggregations.aggregation IS 'm3ter field aggregation; one of: SUM, MIN, MAX, COUNT, LATEST, MEAN, UNIQUE, CUSTOM_SQL';
        COMMENT ON COLUMN %1$I.aggregations.segmented_fields IS 'm3ter field segmentedFields';
        COMMENT ON COLUMN %1$I.aggregations.default_value IS 'm3ter field defaultValue';
        COMMENT ON COLUMN %1$I.aggregations.custom_sql IS 'm3ter field customSql';
        COMMENT ON COLUMN %1$I.aggregations.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.aggregations.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.aggregations.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.aggregations.last_modified_by IS 'm3ter field lastModifiedBy';
    $ddl$, schema_name);

    -- COMPOUND_AGGREGATIONS: CompoundAggregationResponse, 17 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.compound_aggregations (
            id                         uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version                    bigint DEFAULT 1,
            custom_fields              jsonb,
            name                       text,
            rounding                   text,
            quantity_per_unit          numeric,
            unit                       text,
            code                       text,
            segments                   jsonb,
            accounting_product_id      uuid REFERENCES %1$I.products (id),
            calculation                text,
            product_id                 uuid REFERENCES %1$I.products (id),
            evaluate_null_aggregations boolean,
            dt_created                 timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified           timestamptz DEFAULT pg_catalog.now(),
            created_by                 text,
            last_modified_by           text
        );
        COMMENT ON TABLE %1$I.compound_aggregations IS 'm3ter COMPOUND_AGGREGATIONS (CompoundAggregationResponse)';
        COMMENT ON COLUMN %1$I.compound_aggregations.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.compound_aggregations.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.compound_aggregations.custom_fields IS 'm3ter field customFields';
        COMMENT ON COLUMN %1$I.compound_aggregations.name IS 'm3ter field name';
        COMMENT ON COLUMN %1$I.compound_aggregations.rounding IS 'm3ter field rounding; one of: UP, DOWN, NEAREST, NONE';
        COMMENT ON COLUMN %1$I.compound_aggregations.quantity_per_unit IS 'm3ter field quantityPerUnit';
        COMMENT ON COLUMN %1$I.compound_aggregations.unit IS 'm3ter field unit';
        COMMENT ON COLUMN %1$I.compound_aggregations.code IS 'm3ter field code';
        COMMENT ON COLUMN %1$I.compound_aggregations.segments IS 'm3ter field segments';
        COMMENT ON COLUMN %1$I.compound_aggregations.accounting_product_id IS 'm3ter field accountingProductId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.compound_aggregations.calculation IS 'm3ter field calculation';
        COMMENT ON COLUMN %1$I.compound_aggregations.product_id IS 'm3ter field productId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.compound_aggregations.evaluate_null_aggregations IS 'm3ter field evaluateNullAggregations';
        COMMENT ON COLUMN %1$I.compound_aggregations.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.compound_aggregations.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.compound_aggregations.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.compound_aggregations.last_modified_by IS 'm3ter field lastModifiedBy';
    $ddl$, schema_name);

    -- PLAN_GROUPS: PlanGroupResponse, 19 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.plan_groups (
            id                                    uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version                               bigint DEFAULT 1,
            custom_fields                         jsonb,
            name                                  text,
            code                                  text,
            standing_charge                       numeric,
            standing_charge_description           text,
            minimum_spend                         numeric,
            minimum_spend_description             text,
            currency                              text,
            standing_charge_bill_in_advance       boolean,
            minimum_spend_bill_in_advance         boolean,
            account_id                            uuid REFERENCES %1$I.accounts (id),
            minimum_spend_accounting_product_id   uuid REFERENCES %1$I.products (id),
            standing_charge_accounting_product_id uuid REFERENCES %1$I.products (id),
            dt_created                            timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified                      timestamptz DEFAULT pg_catalog.now(),
            created_by                            text,
            last_modified_by                      text
        );
        CREATE INDEX ON %1$I.plan_groups (account_id) WHERE account_id IS NOT NULL;
        COMMENT ON TABLE %1$I.plan_groups IS 'm3ter PLAN_GROUPS (PlanGroupResponse)';
        COMMENT ON COLUMN %1$I.plan_groups.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.plan_groups.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.plan_groups.custom_fields IS 'm3ter field customFields';
        COMMENT ON COLUMN %1$I.plan_groups.name IS 'm3ter field name';
        COMMENT ON COLUMN %1$I.plan_groups.code IS 'm3ter field code';
        COMMENT ON COLUMN %1$I.plan_groups.standing_charge IS 'm3ter field standingCharge';
        COMMENT ON COLUMN %1$I.plan_groups.standing_charge_description IS 'm3ter field standingChargeDescription';
        COMMENT ON COLUMN %1$I.plan_groups.minimum_spend IS 'm3ter field minimumSpend';
        COMMENT ON COLUMN %1$I.plan_groups.minimum_spend_description IS 'm3ter field minimumSpendDescription';
        COMMENT ON COLUMN %1$I.plan_groups.currency IS 'm3ter field currency';
        COMMENT ON COLUMN %1$I.plan_groups.standing_charge_bill_in_advance IS 'm3ter field standingChargeBillInAdvance';
        COMMENT ON COLUMN %1$I.plan_groups.minimum_spend_bill_in_advance IS 'm3ter field minimumSpendBillInAdvance';
        COMMENT ON COLUMN %1$I.plan_groups.account_id IS 'm3ter field accountId (references ACCOUNTS)';
        COMMENT ON COLUMN %1$I.plan_groups.minimum_spend_accounting_product_id IS 'm3ter field minimumSpendAccountingProductId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.plan_groups.standing_charge_accounting_product_id IS 'm3ter field standingChargeAccountingProductId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.plan_groups.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.plan_groups.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.plan_groups.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.plan_groups.last_modified_by IS 'm3ter field lastModifiedBy';
    $ddl$, schema_name);

    -- PLAN_TEMPLATES: PlanTemplateResponse, 22 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.plan_templates (
            id                              uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version                         bigint DEFAULT 1,
            custom_fields                   jsonb,
            product_id                      uuid REFERENCES %1$I.products (id),
            name                            text,
            currency                        text,
            standing_charge                 numeric,
            standing_charge_description     text,
            standing_charge_interval        integer,
            standing_charge_offset          integer,
            bill_frequency_interval         integer,
            bill_frequency                  text,
            ordinal                         bigint,
            code                            text,
            minimum_spend                   numeric,
            minimum_spend_description       text,
            standing_charge_bill_in_advance boolean,
            minimum_spend_bill_in_advance   boolean,
            dt_created                      timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified                timestamptz DEFAULT pg_catalog.now(),
            created_by                      text,
            last_modified_by                text
        );
        COMMENT ON TABLE %1$I.plan_templates IS 'm3ter PLAN_TEMPLATES (PlanTemplateResponse)';
        COMMENT ON COLUMN %1$I.plan_templates.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.plan_templates.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.plan_templates.custom_fields IS 'm3ter field customFields';
        COMMENT ON COLUMN %1$I.plan_templates.product_id IS 'm3ter field productId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.plan_templates.name IS 'm3ter field name';
        COMMENT ON COLUMN %1$I.plan_templates.currency IS 'm3ter field currency';
        COMMENT ON COLUMN %1$I.plan_templates.standing_charge IS 'm3ter field standingCharge';
        COMMENT ON COLUMN %1$I.plan_templates.standing_charge_description IS 'm3ter field standingChargeDescription';
        COMMENT ON COLUMN %1$I.plan_templates.standing_charge_interval IS 'm3ter field standingChargeInterval';
        COMMENT ON COLUMN %1$I.plan_templates.standing_charge_offset IS 'm3ter field standingChargeOffset';
        COMMENT ON COLUMN %1$I.plan_templates.bill_frequency_interval IS 'm3ter field billFrequencyInterval';
        COMMENT ON COLUMN %1$I.plan_templates.bill_frequency IS 'm3ter field billFrequency; one of: DAILY, WEEKLY, MONTHLY, ANNUALLY, AD_HOC, MIXED';
        COMMENT ON COLUMN %1$I.plan_templates.ordinal IS 'm3ter field ordinal';
        COMMENT ON COLUMN %1$I.plan_templates.code IS 'm3ter field code';
        COMMENT ON COLUMN %1$I.plan_templates.minimum_spend IS 'm3ter field minimumSpend';
        COMMENT ON COLUMN %1$I.plan_templates.minimum_spend_description IS 'm3ter field minimumSpendDescription';
        COMMENT ON COLUMN %1$I.plan_templates.standing_charge_bill_in_advance IS 'm3ter field standingChargeBillInAdvance';
        COMMENT ON COLUMN %1$I.plan_templates.minimum_spend_bill_in_advance IS 'm3ter field minimumSpendBillInAdvance';
        COMMENT ON COLUMN %1$I.plan_templates.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.plan_templates.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.plan_templates.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.plan_templates.last_modified_by IS 'm3ter field lastModifiedBy';
    $ddl$, schema_name);

    -- PLANS: PlanResponse, 22 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.plans (
            id                                    uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version                               bigint DEFAULT 1,
            custom_fields                         jsonb,
            plan_template_id                      uuid REFERENCES %1$I.plan_templates (id),
            product_id                            uuid REFERENCES %1$I.products (id),
            name                                  text,
            code                                  text,
            standing_charge                       numeric,
            standing_charge_description           text,
            ordinal                               bigint,
            bespoke                               boolean,
            minimum_spend                         numeric,
            minimum_spend_description             text,
            standing_charge_bill_in_advance       boolean,
            minimum_spend_bill_in_advance         boolean,
            minimum_spend_accounting_product_id   uuid REFERENCES %1$I.products (id),
            standing_charge_accounting_product_id uuid REFERENCES %1$I.products (id),
            account_id                            uuid REFERENCES %1$I.accounts (id),
            dt_created                            timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified                      timestamptz DEFAULT pg_catalog.now(),
            created_by                            text,
            last_modified_by                      text
        );
        CREATE INDEX ON %1$I.plans (account_id) WHERE account_id IS NOT NULL;
        COMMENT ON TABLE %1$I.plans IS 'm3ter PLANS (PlanResponse)';
        COMMENT ON COLUMN %1$I.plans.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.plans.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.plans.custom_fields IS 'm3ter field customFields';
        COMMENT ON COLUMN %1$I.plans.plan_template_id IS 'm3ter field planTemplateId (references PLAN_TEMPLATES)';
        COMMENT ON COLUMN %1$I.plans.product_id IS 'm3ter field productId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.plans.name IS 'm3ter field name';
        COMMENT ON COLUMN %1$I.plans.code IS 'm3ter field code';
        COMMENT ON COLUMN %1$I.plans.standing_charge IS 'm3ter field standingCharge';
        COMMENT ON COLUMN %1$I.plans.standing_charge_description IS 'm3ter field standingChargeDescription';
        COMMENT ON COLUMN %1$I.plans.ordinal IS 'm3ter field ordinal';
        COMMENT ON COLUMN %1$I.plans.bespoke IS 'm3ter field bespoke';
        COMMENT ON COLUMN %1$I.plans.minimum_spend IS 'm3ter field minimumSpend';
        COMMENT ON COLUMN %1$I.plans.minimum_spend_description IS 'm3ter field minimumSpendDescription';
        COMMENT ON COLUMN %1$I.plans.standing_charge_bill_in_advance IS 'm3ter field standingChargeBillInAdvance';
        COMMENT ON COLUMN %1$I.plans.minimum_spend_bill_in_advance IS 'm3ter field minimumSpendBillInAdvance';
        COMMENT ON COLUMN %1$I.plans.minimum_spend_accounting_product_id IS 'm3ter field minimumSpendAccountingProductId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.plans.standing_charge_accounting_product_id IS 'm3ter field standingChargeAccountingProductId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.plans.account_id IS 'm3ter field accountId (references ACCOUNTS)';
        COMMENT ON COLUMN %1$I.plans.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.plans.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.plans.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.plans.last_modified_by IS 'm3ter field lastModifiedBy';
    $ddl$, schema_name);

    -- COMMITMENTS: CommitmentResponse, 32 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.commitments (
            id                              uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version                         bigint DEFAULT 1,
            account_id                      uuid REFERENCES %1$I.accounts (id),
            billing_plan_id                 uuid REFERENCES %1$I.plans (id),
            product_ids                     uuid[],
            start_date                      date,
            end_date                        date,
            currency                        text,
            amount                          numeric,
            amount_pre_paid                 numeric,
            amount_first_bill               numeric,
            amount_spent                    numeric,
            overage_surcharge_percent       numeric,
            separate_overage_usage          boolean,
            billing_interval                integer,
            billing_offset                  integer,
            commitment_fee_description      text,
            commitment_usage_description    text,
            overage_description             text,
            commitment_fee_bill_in_advance  boolean,
            bill_epoch                      date,
            contract_id                     uuid REFERENCES %1$I.contracts (id),
            accounting_product_id           uuid REFERENCES %1$I.products (id),
            fees_accounting_product_id      uuid REFERENCES %1$I.products (id),
            drawdowns_accounting_product_id uuid REFERENCES %1$I.products (id),
            fee_dates                       jsonb,
            child_billing_mode              text,
            line_item_types                 text[],
            dt_created                      timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified                timestamptz DEFAULT pg_catalog.now(),
            created_by                      text,
            last_modified_by                text
        );
        CREATE INDEX ON %1$I.commitments (account_id) WHERE account_id IS NOT NULL;
        CREATE INDEX ON %1$I.commitments (contract_id) WHERE contract_id IS NOT NULL;
        COMMENT ON TABLE %1$I.commitments IS 'm3ter COMMITMENTS (CommitmentResponse)';
        COMMENT ON COLUMN %1$I.commitments.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.commitments.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.commitments.account_id IS 'm3ter field accountId (references ACCOUNTS)';
        COMMENT ON COLUMN %1$I.commitments.billing_plan_id IS 'm3ter field billingPlanId (references PLANS)';
        COMMENT ON COLUMN %1$I.commitments.product_ids IS 'm3ter field productIds (ids of PRODUCTS)';
        COMMENT ON COLUMN %1$I.commitments.start_date IS 'm3ter field startDate';
        COMMENT ON COLUMN %1$I.commitments.end_date IS 'm3ter field endDate';
        COMMENT ON COLUMN %1$I.commitments.currency IS 'm3ter field currency';
        COMMENT ON COLUMN %1$I.commitments.amount IS 'm3ter field amount';
        COMMENT ON COLUMN %1$I.commitments.amount_pre_paid IS 'm3ter field amountPrePaid';
        COMMENT ON COLUMN %1$I.commitments.amount_first_bill IS 'm3ter field amountFirstBill';
        COMMENT ON COLUMN %1$I.commitments.amount_spent IS 'm3ter field amountSpent';
        COMMENT ON COLUMN %1$I.commitments.overage_surcharge_percent IS 'm3ter field overageSurchargePercent';
        COMMENT ON COLUMN %1$I.commitments.separate_overage_usage IS 'm3ter field separateOverageUsage';
        COMMENT ON COLUMN %1$I.commitments.billing_interval IS 'm3ter field billingInterval';
        COMMENT ON COLUMN %1$I.commitments.billing_offset IS 'm3ter field billingOffset';
        COMMENT ON COLUMN %1$I.commitments.commitment_fee_description IS 'm3ter field commitmentFeeDescription';
        COMMENT ON COLUMN %1$I.commitments.commitment_usage_description IS 'm3ter field commitmentUsageDescription';
        COMMENT ON COLUMN %1$I.commitments.overage_description IS 'm3ter field overageDescription';
        COMMENT ON COLUMN %1$I.commitments.commitment_fee_bill_in_advance IS 'm3ter field commitmentFeeBillInAdvance';
        COMMENT ON COLUMN %1$I.commitments.bill_epoch IS 'm3ter field billEpoch';
        COMMENT ON COLUMN %1$I.commitments.contract_id IS 'm3ter field contractId (references CONTRACTS)';
        COMMENT ON COLUMN %1$I.commitments.accounting_product_id IS 'm3ter field accountingProductId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.commitments.fees_accounting_product_id IS 'm3ter field feesAccountingProductId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.commitments.drawdowns_accounting_product_id IS 'm3ter field drawdownsAccountingProductId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.commitments.fee_dates IS 'm3ter field feeDates';
        COMMENT ON COLUMN %1$I.commitments.child_billing_mode IS 'm3ter field childBillingMode; one of: PARENT_SUMMARY, PARENT_BREAKDOWN, CHILD';
        COMMENT ON COLUMN %1$I.commitments.line_item_types IS 'm3ter field lineItemTypes; one of: STANDING_CHARGE, USAGE, MINIMUM_SPEND, COUNTER_RUNNING_TOTAL_CHARGE, COUNTER_ADJUSTMENT_DEBIT';
        COMMENT ON COLUMN %1$I.commitments.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.commitments.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.commitments.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.commitments.last_modified_by IS 'm3ter field lastModifiedBy';
    $ddl$, schema_name);

    -- ACCOUNT_PLANS: AccountPlanResponse, 17 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.account_plans (
            id                 uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version            bigint DEFAULT 1,
            custom_fields      jsonb,
            account_id         uuid REFERENCES %1$I.accounts (id),
            product_id         uuid REFERENCES %1$I.products (id),
            plan_id            uuid REFERENCES %1$I.plans (id),
            plan_group_id      uuid REFERENCES %1$I.plan_groups (id),
            start_date         timestamptz,
            end_date           timestamptz,
            code               text,
            bill_epoch         date,
            contract_id        uuid REFERENCES %1$I.contracts (id),
            child_billing_mode text,
            dt_created         timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified   timestamptz DEFAULT pg_catalog.now(),
            created_by         text,
            last_modified_by   text
        );
        CREATE INDEX ON %1$I.account_plans (account_id) WHERE account_id IS NOT NULL;
        CREATE INDEX ON %1$I.account_plans (contract_id) WHERE contract_id IS NOT NULL;
        COMMENT ON TABLE %1$I.account_plans IS 'm3ter ACCOUNT_PLANS (AccountPlanResponse)';
        COMMENT ON COLUMN %1$I.account_plans.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.account_plans.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.account_plans.custom_fields IS 'm3ter field customFields';
        COMMENT ON COLUMN %1$I.account_plans.account_id IS 'm3ter field accountId (references ACCOUNTS)';
        COMMENT ON COLUMN %1$I.account_plans.product_id IS 'm3ter field productId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.account_plans.plan_id IS 'm3ter field planId (references PLANS)';
        COMMENT ON COLUMN %1$I.account_plans.plan_group_id IS 'm3ter field planGroupId (references PLAN_GROUPS)';
        COMMENT ON COLUMN %1$I.account_plans.start_date IS 'm3ter field startDate';
        COMMENT ON COLUMN %1$I.account_plans.end_date IS 'm3ter field endDate';
        COMMENT ON COLUMN %1$I.account_plans.code IS 'm3ter field code';
        COMMENT ON COLUMN %1$I.account_plans.bill_epoch IS 'm3ter field billEpoch';
        COMMENT ON COLUMN %1$I.account_plans.contract_id IS 'm3ter field contractId (references CONTRACTS)';
        COMMENT ON COLUMN %1$I.account_plans.child_billing_mode IS 'm3ter field childBillingMode; one of: PARENT_SUMMARY, PARENT_BREAKDOWN, CHILD';
        COMMENT ON COLUMN %1$I.account_plans.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.account_plans.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.account_plans.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.account_plans.last_modified_by IS 'm3ter field lastModifiedBy';
    $ddl$, schema_name);

    -- PRICING: PricingResponse, 26 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.pricing (
            id                            uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version                       bigint DEFAULT 1,
            dt_created                    timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified              timestamptz DEFAULT pg_catalog.now(),
            created_by                    text,
            last_modified_by              text,
            plan_id                       uuid REFERENCES %1$I.plans (id),
            plan_template_id              uuid REFERENCES %1$I.plan_templates (id),
            cumulative                    boolean,
            start_date                    timestamptz,
            end_date                      timestamptz,
            code                          text,
            description                   text,
            accounting_product_id         uuid REFERENCES %1$I.products (id),
            pricing_bands                 jsonb,
            aggregation_id                uuid REFERENCES %1$I.aggregations (id),
            compound_aggregation_id       uuid REFERENCES %1$I.compound_aggregations (id),
            type                          text,
            segment                       jsonb,
            tiers_span_plan               boolean,
            minimum_spend                 numeric,
            minimum_spend_description     text,
            minimum_spend_bill_in_advance boolean,
            aggregation_type              text,
            segment_string                text,
            overage_pricing_bands         jsonb
        );
        COMMENT ON TABLE %1$I.pricing IS 'm3ter PRICING (PricingResponse)';
        COMMENT ON COLUMN %1$I.pricing.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.pricing.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.pricing.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.pricing.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.pricing.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.pricing.last_modified_by IS 'm3ter field lastModifiedBy';
        COMMENT ON COLUMN %1$I.pricing.plan_id IS 'm3ter field planId (references PLANS)';
        COMMENT ON COLUMN %1$I.pricing.plan_template_id IS 'm3ter field planTemplateId (references PLAN_TEMPLATES)';
        COMMENT ON COLUMN %1$I.pricing.cumulative IS 'm3ter field cumulative';
        COMMENT ON COLUMN %1$I.pricing.start_date IS 'm3ter field startDate';
        COMMENT ON COLUMN %1$I.pricing.end_date IS 'm3ter field endDate';
        COMMENT ON COLUMN %1$I.pricing.code IS 'm3ter field code';
        COMMENT ON COLUMN %1$I.pricing.description IS 'm3ter field description';
        COMMENT ON COLUMN %1$I.pricing.accounting_product_id IS 'm3ter field accountingProductId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.pricing.pricing_bands IS 'm3ter field pricingBands';
        COMMENT ON COLUMN %1$I.pricing.aggregation_id IS 'm3ter field aggregationId (references AGGREGATIONS)';
        COMMENT ON COLUMN %1$I.pricing.compound_aggregation_id IS 'm3ter field compoundAggregationId (references COMPOUND_AGGREGATIONS)';
        COMMENT ON COLUMN %1$I.pricing.type IS 'm3ter field type; one of: DEBIT, PRODUCT_CREDIT, GLOBAL_CREDIT';
        COMMENT ON COLUMN %1$I.pricing.segment IS 'm3ter field segment';
        COMMENT ON COLUMN %1$I.pricing.tiers_span_plan IS 'm3ter field tiersSpanPlan';
        COMMENT ON COLUMN %1$I.pricing.minimum_spend IS 'm3ter field minimumSpend';
        COMMENT ON COLUMN %1$I.pricing.minimum_spend_description IS 'm3ter field minimumSpendDescription';
        COMMENT ON COLUMN %1$I.pricing.minimum_spend_bill_in_advance IS 'm3ter field minimumSpendBillInAdvance';
        COMMENT ON COLUMN %1$I.pricing.aggregation_type IS 'm3ter field aggregationType; one of: SIMPLE, COMPOUND';
        COMMENT ON COLUMN %1$I.pricing.segment_string IS 'm3ter field segmentString';
        COMMENT ON COLUMN %1$I.pricing.overage_pricing_bands IS 'm3ter field overagePricingBands';
    $ddl$, schema_name);

    -- PRICING_BANDS: PricingBandResponse, 8 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.pricing_bands (
            id             uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version        bigint DEFAULT 1,
            lower_limit    numeric,
            fixed_price    numeric,
            unit_price     numeric,
            credit_type_id uuid,
            type           text,
            pricing_id     uuid REFERENCES %1$I.pricing (id)
        );
        COMMENT ON TABLE %1$I.pricing_bands IS 'm3ter PRICING_BANDS (PricingBandResponse)';
        COMMENT ON COLUMN %1$I.pricing_bands.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.pricing_bands.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.pricing_bands.lower_limit IS 'm3ter field lowerLimit';
        COMMENT ON COLUMN %1$I.pricing_bands.fixed_price IS 'm3ter field fixedPrice';
        COMMENT ON COLUMN %1$I.pricing_bands.unit_price IS 'm3ter field unitPrice';
        COMMENT ON COLUMN %1$I.pricing_bands.credit_type_id IS 'm3ter field creditTypeId';
        COMMENT ON COLUMN %1$I.pricing_bands.type IS 'm3ter field type; one of: STANDARD, OVERAGE';
        COMMENT ON COLUMN %1$I.pricing_bands.pricing_id IS 'm3ter field pricingId (references PRICING)';
    $ddl$, schema_name);

    -- PLAN_GROUP_LINKS: PlanGroupLinkResponse, 8 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.plan_group_links (
            id               uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version          bigint DEFAULT 1,
            plan_group_id    uuid REFERENCES %1$I.plan_groups (id),
            plan_id          uuid REFERENCES %1$I.plans (id),
            dt_created       timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified timestamptz DEFAULT pg_catalog.now(),
            created_by       text,
            last_modified_by text
        );
        COMMENT ON TABLE %1$I.plan_group_links IS 'm3ter PLAN_GROUP_LINKS (PlanGroupLinkResponse)';
        COMMENT ON COLUMN %1$I.plan_group_links.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.plan_group_links.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.plan_group_links.plan_group_id IS 'm3ter field planGroupId (references PLAN_GROUPS)';
        COMMENT ON COLUMN %1$I.plan_group_links.plan_id IS 'm3ter field planId (references PLANS)';
        COMMENT ON COLUMN %1$I.plan_group_links.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.plan_group_links.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.plan_group_links.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.plan_group_links.last_modified_by IS 'm3ter field lastModifiedBy';
    $ddl$, schema_name);

    -- TRANSACTION_TYPES: TransactionTypeResponse, 9 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.transaction_types (
            id               uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version          bigint DEFAULT 1,
            code             text,
            name             text,
            archived         boolean,
            dt_created       timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified timestamptz DEFAULT pg_catalog.now(),
            created_by       text,
            last_modified_by text
        );
        COMMENT ON TABLE %1$I.transaction_types IS 'm3ter TRANSACTION_TYPES (TransactionTypeResponse)';
        COMMENT ON COLUMN %1$I.transaction_types.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.transaction_types.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.transaction_types.code IS 'm3ter field code';
        COMMENT ON COLUMN %1$I.transaction_types.name IS 'm3ter field name';
        COMMENT ON COLUMN %1$I.transaction_types.archived IS 'm3ter field archived';
        COMMENT ON COLUMN %1$I.transaction_types.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.transaction_types.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.transaction_types.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.transaction_types.last_modified_by IS 'm3ter field lastModifiedBy';
    $ddl$, schema_name);

    -- BALANCE_TRANSACTIONS: BalanceTransactionResponse, 15 fields + 1 added
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.balance_transactions (
            id                  uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version             bigint DEFAULT 1,
            description         text,
            amount              numeric,
            paid                numeric,
            currency_paid       text,
            entity_type         text,
            entity_id           uuid,
            transaction_type_id uuid REFERENCES %1$I.transaction_types (id),
            applied_date        timestamptz,
            transaction_date    timestamptz,
            dt_created          timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified    timestamptz DEFAULT pg_catalog.now(),
            created_by          text,
            last_modified_by    text,
            balance_id          uuid REFERENCES %1$I.balances (id)
        );
        CREATE INDEX ON %1$I.balance_transactions (balance_id) WHERE balance_id IS NOT NULL;
        COMMENT ON TABLE %1$I.balance_transactions IS 'm3ter BALANCE_TRANSACTIONS (BalanceTransactionResponse)';
        COMMENT ON COLUMN %1$I.balance_transactions.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.balance_transactions.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.balance_transactions.description IS 'm3ter field description';
        COMMENT ON COLUMN %1$I.balance_transactions.amount IS 'm3ter field amount';
        COMMENT ON COLUMN %1$I.balance_transactions.paid IS 'm3ter field paid';
        COMMENT ON COLUMN %1$I.balance_transactions.currency_paid IS 'm3ter field currencyPaid';
        COMMENT ON COLUMN %1$I.balance_transactions.entity_type IS 'm3ter field entityType; one of: BILL, COMMITMENT, USER, SERVICE_USER, SCHEDULER';
        COMMENT ON COLUMN %1$I.balance_transactions.entity_id IS 'm3ter field entityId';
        COMMENT ON COLUMN %1$I.balance_transactions.transaction_type_id IS 'm3ter field transactionTypeId (references TRANSACTION_TYPES)';
        COMMENT ON COLUMN %1$I.balance_transactions.applied_date IS 'm3ter field appliedDate';
        COMMENT ON COLUMN %1$I.balance_transactions.transaction_date IS 'm3ter field transactionDate';
        COMMENT ON COLUMN %1$I.balance_transactions.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.balance_transactions.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.balance_transactions.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.balance_transactions.last_modified_by IS 'm3ter field lastModifiedBy';
        COMMENT ON COLUMN %1$I.balance_transactions.balance_id IS 'added: the balance this transaction belongs to (the API keeps it in the request path) (references BALANCES)';
    $ddl$, schema_name);

    -- CHARGES: ChargeResponse, 25 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.charges (
            id                        uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version                   bigint DEFAULT 1,
            name                      text,
            code                      text,
            account_id                uuid REFERENCES %1$I.accounts (id),
            bill_date                 date,
            amount                    numeric,
            units                     numeric,
            unit_price                numeric,
            currency                  text,
            description               text,
            entity_type               text,
            entity_id                 uuid,
            bill_id                   uuid REFERENCES %1$I.bills (id),
            accounting_product_id     uuid REFERENCES %1$I.products (id),
            service_period_start_date timestamptz,
            service_period_end_date   timestamptz,
            notes                     text,
            contract_id               uuid REFERENCES %1$I.contracts (id),
            line_item_type            text,
            dt_created                timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified          timestamptz DEFAULT pg_catalog.now(),
            created_by                text,
            last_modified_by          text,
            schedule_id               uuid
        );
        CREATE INDEX ON %1$I.charges (account_id) WHERE account_id IS NOT NULL;
        CREATE INDEX ON %1$I.charges (bill_id) WHERE bill_id IS NOT NULL;
        CREATE INDEX ON %1$I.charges (contract_id) WHERE contract_id IS NOT NULL;
        COMMENT ON TABLE %1$I.charges IS 'm3ter CHARGES (ChargeResponse)';
        COMMENT ON COLUMN %1$I.charges.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.charges.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.charges.name IS 'm3ter field name';
        COMMENT ON COLUMN %1$I.charges.code IS 'm3ter field code';
        COMMENT ON COLUMN %1$I.charges.account_id IS 'm3ter field accountId (references ACCOUNTS)';
        COMMENT ON COLUMN %1$I.charges.bill_date IS 'm3ter field billDate';
        COMMENT ON COLUMN %1$I.charges.amount IS 'm3ter field amount';
        COMMENT ON COLUMN %1$I.charges.units IS 'm3ter field units';
        COMMENT ON COLUMN %1$I.charges.unit_price IS 'm3ter field unitPrice';
        COMMENT ON COLUMN %1$I.charges.currency IS 'm3ter field currency';
        COMMENT ON COLUMN %1$I.charges.description IS 'm3ter field description';
        COMMENT ON COLUMN %1$I.charges.entity_type IS 'm3ter field entityType; one of: AD_HOC, BALANCE';
        COMMENT ON COLUMN %1$I.charges.entity_id IS 'm3ter field entityId';
        COMMENT ON COLUMN %1$I.charges.bill_id IS 'm3ter field billId (references BILLS)';
        COMMENT ON COLUMN %1$I.charges.accounting_product_id IS 'm3ter field accountingProductId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.charges.service_period_start_date IS 'm3ter field servicePeriodStartDate';
        COMMENT ON COLUMN %1$I.charges.service_period_end_date IS 'm3ter field servicePeriodEndDate';
        COMMENT ON COLUMN %1$I.charges.notes IS 'm3ter field notes';
        COMMENT ON COLUMN %1$I.charges.contract_id IS 'm3ter field contractId (references CONTRACTS)';
        COMMENT ON COLUMN %1$I.charges.line_item_type IS 'm3ter field lineItemType; one of: BALANCE_FEE, AD_HOC';
        COMMENT ON COLUMN %1$I.charges.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.charges.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.charges.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.charges.last_modified_by IS 'm3ter field lastModifiedBy';
        COMMENT ON COLUMN %1$I.charges.schedule_id IS 'm3ter field scheduleId';
    $ddl$, schema_name);

    -- BILL_LINE_ITEMS: BillLineItemResponse, 46 fields
    EXECUTE pg_catalog.format($ddl$
        CREATE TABLE %1$I.bill_line_items (
            id                        uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
            version                   bigint DEFAULT 1,
            line_item_type            text,
            product_id                uuid REFERENCES %1$I.products (id),
            description               text,
            service_period_start_date timestamptz,
            service_period_end_date   timestamptz,
            referenced_bill_id        uuid REFERENCES %1$I.bills (id),
            referenced_line_item_id   uuid REFERENCES %1$I.bill_line_items (id),
            dt_created                timestamptz DEFAULT pg_catalog.now(),
            dt_last_modified          timestamptz DEFAULT pg_catalog.now(),
            created_by                text,
            last_modified_by          text,
            product_name              text,
            product_code              text,
            accounting_product_id     uuid REFERENCES %1$I.products (id),
            accounting_product_name   text,
            accounting_product_code   text,
            aggregation_id            uuid REFERENCES %1$I.aggregations (id),
            compound_aggregation_id   uuid REFERENCES %1$I.compound_aggregations (id),
            counter_id                uuid,
            charge_id                 uuid REFERENCES %1$I.charges (id),
            segment                   jsonb,
            "group"                   jsonb,
            meter_id                  uuid REFERENCES %1$I.meters (id),
            plan_id                   uuid REFERENCES %1$I.plans (id),
            plan_group_id             uuid REFERENCES %1$I.plan_groups (id),
            commitment_id             uuid REFERENCES %1$I.commitments (id),
            balance_id                uuid REFERENCES %1$I.balances (id),
            bill_id                   uuid REFERENCES %1$I.bills (id),
            quantity                  numeric,
            units                     numeric,
            unit                      text,
            subtotal                  numeric,
            currency                  text,
            conversion_rate           numeric,
            converted_subtotal        numeric,
            credit_type_id            uuid,
            pricing_id                uuid REFERENCES %1$I.pricing (id),
            band_usage                jsonb,
            reason_id                 uuid,
            contract_id               uuid REFERENCES %1$I.contracts (id),
            json_usage_generated      boolean,
            average_unit_price        numeric,
            sequence_number           integer,
            additional                jsonb
        );
        CREATE INDEX ON %1$I.bill_line_items (referenced_bill_id) WHERE referenced_bill_id IS NOT NULL;
        CREATE INDEX ON %1$I.bill_line_items (referenced_line_item_id) WHERE referenced_line_item_id IS NOT NULL;
        CREATE INDEX ON %1$I.bill_line_items (charge_id) WHERE charge_id IS NOT NULL;
        CREATE INDEX ON %1$I.bill_line_items (commitment_id) WHERE commitment_id IS NOT NULL;
        CREATE INDEX ON %1$I.bill_line_items (balance_id) WHERE balance_id IS NOT NULL;
        CREATE INDEX ON %1$I.bill_line_items (bill_id) WHERE bill_id IS NOT NULL;
        CREATE INDEX ON %1$I.bill_line_items (contract_id) WHERE contract_id IS NOT NULL;
        COMMENT ON TABLE %1$I.bill_line_items IS 'm3ter BILL_LINE_ITEMS (BillLineItemResponse)';
        COMMENT ON COLUMN %1$I.bill_line_items.id IS 'm3ter field id';
        COMMENT ON COLUMN %1$I.bill_line_items.version IS 'm3ter field version';
        COMMENT ON COLUMN %1$I.bill_line_items.line_item_type IS 'm3ter field lineItemType; one of: STANDING_CHARGE, USAGE, COUNTER_RUNNING_TOTAL_CHARGE, COUNTER_ADJUSTMENT_DEBIT, COUNTER_ADJUSTMENT_CREDIT, USAGE_CREDIT, MINIMUM_SPEND, MINIMUM_SPEND_REFUND, CREDIT_DEDUCTION, MANUAL_ADJUSTMENT, CREDIT_MEMO, DEBIT_MEMO, COMMITMENT_CONSUMED, COMMITMENT_FEE, OVERAGE_SURCHARGE, OVERAGE_USAGE, BALANCE_CONSUMED, BALANCE_FEE, AD_HOC';
        COMMENT ON COLUMN %1$I.bill_line_items.product_id IS 'm3ter field productId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.bill_line_items.description IS 'm3ter field description';
        COMMENT ON COLUMN %1$I.bill_line_items.service_period_start_date IS 'm3ter field servicePeriodStartDate';
        COMMENT ON COLUMN %1$I.bill_line_items.service_period_end_date IS 'm3ter field servicePeriodEndDate';
        COMMENT ON COLUMN %1$I.bill_line_items.referenced_bill_id IS 'm3ter field referencedBillId (references BILLS)';
        COMMENT ON COLUMN %1$I.bill_line_items.referenced_line_item_id IS 'm3ter field referencedLineItemId (references BILL_LINE_ITEMS)';
        COMMENT ON COLUMN %1$I.bill_line_items.dt_created IS 'm3ter field dtCreated';
        COMMENT ON COLUMN %1$I.bill_line_items.dt_last_modified IS 'm3ter field dtLastModified';
        COMMENT ON COLUMN %1$I.bill_line_items.created_by IS 'm3ter field createdBy';
        COMMENT ON COLUMN %1$I.bill_line_items.last_modified_by IS 'm3ter field lastModifiedBy';
        COMMENT ON COLUMN %1$I.bill_line_items.product_name IS 'm3ter field productName';
        COMMENT ON COLUMN %1$I.bill_line_items.product_code IS 'm3ter field productCode';
        COMMENT ON COLUMN %1$I.bill_line_items.accounting_product_id IS 'm3ter field accountingProductId (references PRODUCTS)';
        COMMENT ON COLUMN %1$I.bill_line_items.accounting_product_name IS 'm3ter field accountingProductName';
        COMMENT ON COLUMN %1$I.bill_line_items.accounting_product_code IS 'm3ter field accountingProductCode';
        COMMENT ON COLUMN %1$I.bill_line_items.aggregation_id IS 'm3ter field aggregationId (references AGGREGATIONS)';
        COMMENT ON COLUMN %1$I.bill_line_items.compound_aggregation_id IS 'm3ter field compoundAggregationId (references COMPOUND_AGGREGATIONS)';
        COMMENT ON COLUMN %1$I.bill_line_items.counter_id IS 'm3ter field counterId';
        COMMENT ON COLUMN %1$I.bill_line_items.charge_id IS 'm3ter field chargeId (references CHARGES)';
        COMMENT ON COLUMN %1$I.bill_line_items.segment IS 'm3ter field segment';
        COMMENT ON COLUMN %1$I.bill_line_items."group" IS 'm3ter field group';
        COMMENT ON COLUMN %1$I.bill_line_items.meter_id IS 'm3ter field meterId (references METERS)';
        COMMENT ON COLUMN %1$I.bill_line_items.plan_id IS 'm3ter field planId (references PLANS)';
        COMMENT ON COLUMN %1$I.bill_line_items.plan_group_id IS 'm3ter field planGroupId (references PLAN_GROUPS)';
        COMMENT ON COLUMN %1$I.bill_line_items.commitment_id IS 'm3ter field commitmentId (references COMMITMENTS)';
        COMMENT ON COLUMN %1$I.bill_line_items.balance_id IS 'm3ter field balanceId (references BALANCES)';
        COMMENT ON COLUMN %1$I.bill_line_items.bill_id IS 'm3ter field billId (references BILLS)';
        COMMENT ON COLUMN %1$I.bill_line_items.quantity IS 'm3ter field quantity';
        COMMENT ON COLUMN %1$I.bill_line_items.units IS 'm3ter field units';
        COMMENT ON COLUMN %1$I.bill_line_items.unit IS 'm3ter field unit';
        COMMENT ON COLUMN %1$I.bill_line_items.subtotal IS 'm3ter field subtotal';
        COMMENT ON COLUMN %1$I.bill_line_items.currency IS 'm3ter field currency';
        COMMENT ON COLUMN %1$I.bill_line_items.conversion_rate IS 'm3ter field conversionRate';
        COMMENT ON COLUMN %1$I.bill_line_items.converted_subtotal IS 'm3ter field convertedSubtotal';
        COMMENT ON COLUMN %1$I.bill_line_items.credit_type_id IS 'm3ter field creditTypeId';
        COMMENT ON COLUMN %1$I.bill_line_items.pricing_id IS 'm3ter field pricingId (references PRICING)';
        COMMENT ON COLUMN %1$I.bill_line_items.band_usage IS 'm3ter field bandUsage';
        COMMENT ON COLUMN %1$I.bill_line_items.reason_id IS 'm3ter field reasonId';
        COMMENT ON COLUMN %1$I.bill_line_items.contract_id IS 'm3ter field contractId (references CONTRACTS)';
        COMMENT ON COLUMN %1$I.bill_line_items.json_usage_generated IS 'm3ter field jsonUsageGenerated';
        COMMENT ON COLUMN %1$I.bill_line_items.average_unit_price IS 'm3ter field averageUnitPrice';
        COMMENT ON COLUMN %1$I.bill_line_items.sequence_number IS 'm3ter field sequenceNumber';
        COMMENT ON COLUMN %1$I.bill_line_items.additional IS 'm3ter field additional';
    $ddl$, schema_name);

    PERFORM dataexport.register_entity('ACCOUNTS', pg_catalog.format('%I.%I', schema_name, 'accounts')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('ACCOUNT_PLANS', pg_catalog.format('%I.%I', schema_name, 'account_plans')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('AGGREGATIONS', pg_catalog.format('%I.%I', schema_name, 'aggregations')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('BALANCES', pg_catalog.format('%I.%I', schema_name, 'balances')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('BALANCE_TRANSACTIONS', pg_catalog.format('%I.%I', schema_name, 'balance_transactions')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('BILLS', pg_catalog.format('%I.%I', schema_name, 'bills')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('BILL_LINE_ITEMS', pg_catalog.format('%I.%I', schema_name, 'bill_line_items')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('CHARGES', pg_catalog.format('%I.%I', schema_name, 'charges')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('COMMITMENTS', pg_catalog.format('%I.%I', schema_name, 'commitments')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('COMPOUND_AGGREGATIONS', pg_catalog.format('%I.%I', schema_name, 'compound_aggregations')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('CONTRACTS', pg_catalog.format('%I.%I', schema_name, 'contracts')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('METERS', pg_catalog.format('%I.%I', schema_name, 'meters')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('PLANS', pg_catalog.format('%I.%I', schema_name, 'plans')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('PLAN_GROUPS', pg_catalog.format('%I.%I', schema_name, 'plan_groups')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('PLAN_GROUP_LINKS', pg_catalog.format('%I.%I', schema_name, 'plan_group_links')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('PLAN_TEMPLATES', pg_catalog.format('%I.%I', schema_name, 'plan_templates')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('PRICING', pg_catalog.format('%I.%I', schema_name, 'pricing')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('PRICING_BANDS', pg_catalog.format('%I.%I', schema_name, 'pricing_bands')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('PRODUCTS', pg_catalog.format('%I.%I', schema_name, 'products')::pg_catalog.regclass);
    PERFORM dataexport.register_entity('TRANSACTION_TYPES', pg_catalog.format('%I.%I', schema_name, 'transaction_types')::pg_catalog.regclass);
END
$function$;

COMMENT ON FUNCTION dataexport.create_m3ter_model(name) IS
'creates the 20 m3ter entity tables in a schema and registers them';

-- generate_m3ter_data(schema_name, accounts): fills an empty m3ter model
-- (from create_m3ter_model) with plausible, reproducible data.  `accounts`
-- sets the scale: the price book (products, meters, plans, pricing, ...)
-- grows slowly with it, the customer tables in proportion (per account: one
-- contract, one or two account plans, two bills with two to seven line items
-- each, and for some accounts a commitment, a balance with transactions, a
-- charge, a bespoke plan).  Every value is a function of row numbers, so two
-- runs with the same arguments produce identical rows.  Set-based: the
-- customer tables are filled in slices of accounts, one INSERT ... SELECT per
-- table and slice, which keeps each statement's pending foreign-key checks
-- bounded.
CREATE FUNCTION dataexport.generate_m3ter_data(schema_name name DEFAULT 'm3ter',
                                               accounts integer DEFAULT 100)
RETURNS void
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
-- The statements are long expressions run once each: compiling them with
-- JIT costs seconds and saves nothing.
SET jit = off
AS $function$
DECLARE
    table_names  constant text[] := ARRAY['accounts', 'bills', 'contracts',
                                          'products', 'balances', 'meters',
                                          'aggregations',
                                          'compound_aggregations',
                                          'plan_groups', 'plan_templates',
                                          'plans', 'commitments',
                                          'account_plans', 'pricing',
                                          'pricing_bands', 'plan_group_links',
                                          'transaction_types',
                                          'balance_transactions', 'charges',
                                          'bill_line_items'];
    slice        constant integer := 50000;
    model        pg_catalog.regclass[];
    rel          pg_catalog.regclass;
    missing      text;
    n_missing    bigint;
    not_empty    boolean;
    owner        boolean;
    add_fks      text[];
    drop_fks     text[];
    add_indexes  text[];
    drop_indexes text[];
    ddl          text;
    n_products   integer;
    lo           bigint := 1;
    hi           bigint;
BEGIN
    IF schema_name IS NULL THEN
        RAISE EXCEPTION 'schema_name must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF accounts IS NULL THEN
        RAISE EXCEPTION 'accounts must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF accounts < 0 THEN
        RAISE EXCEPTION 'accounts must be zero or more, not %', accounts
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    SELECT pg_catalog.array_agg(x.rel ORDER BY u.ord),
           pg_catalog.string_agg(u.t, ', ' ORDER BY u.ord) FILTER (WHERE x.rel IS NULL),
           pg_catalog.count(*) FILTER (WHERE x.rel IS NULL)
      INTO model, missing, n_missing
      FROM pg_catalog.unnest(table_names) WITH ORDINALITY AS u(t, ord),
           LATERAL (SELECT pg_catalog.to_regclass(pg_catalog.format('%I.%I', schema_name, u.t))) AS x(rel);
    IF n_missing > 0 THEN
        RAISE EXCEPTION 'schema % does not hold the m3ter model', schema_name
            USING ERRCODE = 'undefined_table',
                  DETAIL = 'Missing tables: '
                           || CASE WHEN n_missing = 20 THEN 'all 20 of them' ELSE missing END || '.',
                  HINT = pg_catalog.format('Create it with SELECT dataexport.create_m3ter_model(%L).',
                                           schema_name);
    END IF;

    FOREACH rel IN ARRAY model LOOP
        EXECUTE pg_catalog.format('SELECT EXISTS (SELECT FROM %s)', rel) INTO not_empty;
        IF not_empty THEN
            RAISE EXCEPTION 'table % is not empty', rel
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = 'generate_m3ter_data fills an empty m3ter model.',
                      HINT = 'Truncate the model''s tables, or use a new schema.';
        END IF;
    END LOOP;

    -- Load the way pg_restore does: when the caller owns the tables, drop
    -- their foreign keys and (non-unique) secondary indexes for the load and
    -- add them back afterwards: each key is then checked with one join
    -- instead of one lookup per row, and each index built by one sort,
    -- several times faster.  The definitions are kept verbatim and restored
    -- in the same transaction (keys validated); on error all rolls back.
    -- Other callers insert with every key checked row by row.
    SELECT pg_catalog.bool_and(pg_catalog.pg_has_role(c.relowner, 'USAGE'))
      INTO owner
      FROM pg_catalog.pg_class c
     WHERE c.oid = ANY (model);
    IF owner THEN
        SELECT pg_catalog.array_agg(pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s',
                                                      con.conrelid::pg_catalog.regclass, con.conname,
                                                      pg_catalog.pg_get_constraintdef(con.oid))
                                    ORDER BY con.oid),
               pg_catalog.array_agg(pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I',
                                                      con.conrelid::pg_catalog.regclass, con.conname)
                                    ORDER BY con.oid)
          INTO add_fks, drop_fks
          FROM pg_catalog.pg_constraint con
         WHERE con.contype = 'f' AND con.conrelid = ANY (model);
        SELECT pg_catalog.array_agg(pg_catalog.pg_get_indexdef(i.indexrelid)
                                    ORDER BY i.indexrelid),
               pg_catalog.array_agg(pg_catalog.format('DROP INDEX %s',
                                                      i.indexrelid::pg_catalog.regclass)
                                    ORDER BY i.indexrelid)
          INTO add_indexes, drop_indexes
          FROM pg_catalog.pg_index i
         WHERE NOT i.indisunique AND i.indrelid = ANY (model);
        FOREACH ddl IN ARRAY coalesce(drop_fks, '{}') || coalesce(drop_indexes, '{}') LOOP
            EXECUTE ddl;
        END LOOP;
    END IF;

    -- The price book grows slowly with the customer base.
    n_products := 3 + accounts / 50000;

    -- products: 3, plus one per 50,000 accounts
    EXECUTE pg_catalog.format($sql$
        INSERT INTO %1$I.products (id, version, custom_fields, name, code, dt_created, dt_last_modified, created_by, last_modified_by)
        SELECT
                md5('PRODUCTS/' || p)::uuid AS id,
                1 AS version,
                jsonb_build_object('family', CASE WHEN mod(p, 2) = 0 THEN 'platform' ELSE 'usage' END) AS custom_fields,
                (ARRAY['Compute', 'Storage', 'Data Transfer', 'API Gateway', 'Analytics', 'Messaging', 'Search', 'Observability', 'Identity', 'Streaming', 'Backup', 'Support'])[1 + mod(p - 1, 12)] || CASE WHEN p > 12 THEN ' ' || ((p - 1) / 12 + 1) ELSE '' END AS name,
                (ARRAY['compute', 'storage', 'data_transfer', 'api_gateway', 'analytics', 'messaging', 'search', 'observability', 'identity', 'streaming', 'backup', 'support'])[1 + mod(p - 1, 12)] || CASE WHEN p > 12 THEN '_' || ((p - 1) / 12 + 1) ELSE '' END AS code,
                timestamptz '2022-11-01 09:00:00+00' + p * interval '24 hours' AS dt_created,
                timestamptz '2022-11-01 09:00:00+00' + p * interval '24 hours' AS dt_last_modified,
                md5('USER/1')::uuid::text AS created_by,
                md5('USER/1')::uuid::text AS last_modified_by
          FROM generate_series(1, $2) AS p
    $sql$, schema_name) USING accounts, n_products, lo, hi;

    -- meters: two per product (usage and requests)
    -- (left NULL: group_id)
    EXECUTE pg_catalog.format($sql$
        INSERT INTO %1$I.meters (id, version, custom_fields, product_id, name, code, data_fields, derived_fields, dt_created, dt_last_modified, created_by, last_modified_by)
        SELECT
                md5('METERS/' || m)::uuid AS id,
                1 AS version,
                '{}'::jsonb AS custom_fields,
                md5('PRODUCTS/' || (m + 1) / 2)::uuid AS product_id,
                (ARRAY['Compute', 'Storage', 'Data Transfer', 'API Gateway', 'Analytics', 'Messaging', 'Search', 'Observability', 'Identity', 'Streaming', 'Backup', 'Support'])[1 + mod(((m + 1) / 2) - 1, 12)] || CASE WHEN ((m + 1) / 2) > 12 THEN ' ' || ((((m + 1) / 2) - 1) / 12 + 1) ELSE '' END || CASE WHEN mod(m, 2) = 1 THEN ' usage' ELSE ' requests' END AS name,
                (ARRAY['compute', 'storage', 'data_transfer', 'api_gateway', 'analytics', 'messaging', 'search', 'observability', 'identity', 'streaming', 'backup', 'support'])[1 + mod(((m + 1) / 2) - 1, 12)] || CASE WHEN ((m + 1) / 2) > 12 THEN '_' || ((((m + 1) / 2) - 1) / 12 + 1) ELSE '' END || CASE WHEN mod(m, 2) = 1 THEN '_usage' ELSE '_requests' END AS code,
                jsonb_build_array(
                    jsonb_build_object('category', 'WHO', 'code', 'customer', 'name', 'Customer'),
                    jsonb_build_object('category', 'WHERE', 'code', 'region', 'name', 'Region'),
                    CASE WHEN mod(m, 2) = 1
                         THEN jsonb_build_object('category', 'MEASURE', 'code', 'quantity', 'name', 'Quantity', 'unit', (ARRAY['vCPU-hours', 'GiB-months', 'GiB', 'calls', 'queries', 'messages', 'searches', 'GiB ingested', 'active users', 'stream-hours', 'GiB-months', 'tickets'])[1 + mod(((m + 1) / 2) - 1, 12)])
                         ELSE jsonb_build_object('category', 'WHAT', 'code', 'requestId', 'name', 'Request id')
                    END) AS data_fields,
                '[]'::jsonb AS derived_fields,
                timestamptz '2022-11-15 09:00:00+00' + m * interval '1 hour' AS dt_created,
                timestamptz '2022-11-15 09:00:00+00' + m * interval '1 hour' AS dt_last_modified,
                md5('USER/1')::uuid::text AS created_by,
                md5('USER/1')::uuid::text AS last_modified_by
          FROM generate_series(1, 2 * $2) AS m
    $sql$, schema_name) USING accounts, n_products, lo, hi;

    -- aggregations: two per meter (SUM and MAX of usage, COUNT and UNIQUE of requests)
    -- (left NULL: custom_sql)
    EXECUTE pg_catalog.format($sql$
        INSERT INTO %1$I.aggregations (id, version, custom_fields, name, rounding, quantity_per_unit, unit, code, segments, accounting_product_id, meter_id, target_field, aggregation, segmented_fields, default_value, dt_created, dt_last_modified, created_by, last_modified_by)
        SELECT
                md5('AGGREGATIONS/' || g)::uuid AS id,
                1 AS version,
                '{}'::jsonb AS custom_fields,
                (ARRAY['Compute', 'Storage', 'Data Transfer', 'API Gateway', 'Analytics', 'Messaging', 'Search', 'Observability', 'Identity', 'Streaming', 'Backup', 'Support'])[1 + mod(((g + 3) / 4) - 1, 12)] || CASE WHEN ((g + 3) / 4) > 12 THEN ' ' || ((((g + 3) / 4) - 1) / 12 + 1) ELSE '' END || ' ' || (ARRAY['total usage', 'peak usage', 'requests', 'unique customers'])[1 + mod(g - 1, 4)] AS name,
                (ARRAY['NONE', 'UP', 'NONE', 'NONE'])[1 + mod(g - 1, 4)] AS rounding,
                1 AS quantity_per_unit,
                CASE mod(g - 1, 4) WHEN 2 THEN 'requests' WHEN 3 THEN 'customers' ELSE (ARRAY['vCPU-hours', 'GiB-months', 'GiB', 'calls', 'queries', 'messages', 'searches', 'GiB ingested', 'active users', 'stream-hours', 'GiB-months', 'tickets'])[1 + mod(((g + 3) / 4) - 1, 12)] END AS unit,
                (ARRAY['compute', 'storage', 'data_transfer', 'api_gateway', 'analytics', 'messaging', 'search', 'observability', 'identity', 'streaming', 'backup', 'support'])[1 + mod(((g + 3) / 4) - 1, 12)] || CASE WHEN ((g + 3) / 4) > 12 THEN '_' || ((((g + 3) / 4) - 1) / 12 + 1) ELSE '' END || '_' || (ARRAY['sum', 'max', 'count', 'unique'])[1 + mod(g - 1, 4)] AS code,
                CASE WHEN mod(g - 1, 4) = 0 THEN '[{"region": "us-east"}, {"region": "eu-west"}, {"region": "ap-northeast"}]'::jsonb ELSE '[]'::jsonb END AS segments,
                md5('PRODUCTS/' || (g + 3) / 4)::uuid AS accounting_product_id,
                md5('METERS/' || (g + 1) / 2)::uuid AS meter_id,
                (ARRAY['quantity', 'quantity', 'requestId', 'customer'])[1 + mod(g - 1, 4)] AS target_field,
                (ARRAY['SUM', 'MAX', 'COUNT', 'UNIQUE'])[1 + mod(g - 1, 4)] AS aggregation,
                CASE WHEN mod(g - 1, 4) = 0 THEN '{region}'::text[] ELSE '{}'::text[] END AS segmented_fields,
                CASE WHEN mod(g - 1, 4) = 0 THEN 0 END AS default_value,
                timestamptz '2022-11-20 09:00:00+00' + g * interval '1 hour' AS dt_created,
                timestamptz '2022-11-20 09:00:00+00' + g * interval '1 hour' AS dt_last_modified,
                md5('USER/1')::uuid::text AS created_by,
                md5('USER/1')::uuid::text AS last_modified_by
          FROM generate_series(1, 4 * $2) AS g
    $sql$, schema_name) USING accounts, n_products, lo, hi;

    -- compound aggregations: one per product
    EXECUTE pg_catalog.format($sql$
        INSERT INTO %1$I.compound_aggregations (id, version, custom_fields, name, rounding, quantity_per_unit, unit, code, segments, accounting_product_id, calculation, product_id, evaluate_null_aggregations, dt_created, dt_last_modified, created_by, last_modified_by)
        SELECT
                md5('COMPOUND_AGGREGATIONS/' || c)::uuid AS id,
                1 AS version,
                '{}'::jsonb AS custom_fields,
                (ARRAY['Compute', 'Storage', 'Data Transfer', 'API Gateway', 'Analytics', 'Messaging', 'Search', 'Observability', 'Identity', 'Streaming', 'Backup', 'Support'])[1 + mod(c - 1, 12)] || CASE WHEN c > 12 THEN ' ' || ((c - 1) / 12 + 1) ELSE '' END || ' blended usage' AS name,
                'NEAREST' AS rounding,
                1 AS quantity_per_unit,
                'units' AS unit,
                (ARRAY['compute', 'storage', 'data_transfer', 'api_gateway', 'analytics', 'messaging', 'search', 'observability', 'identity', 'streaming', 'backup', 'support'])[1 + mod(c - 1, 12)] || CASE WHEN c > 12 THEN '_' || ((c - 1) / 12 + 1) ELSE '' END || '_blended' AS code,
                '[]'::jsonb AS segments,
                md5('PRODUCTS/' || c)::uuid AS accounting_product_id,
                'aggregation.' || (ARRAY['compute', 'storage', 'data_transfer', 'api_gateway', 'analytics', 'messaging', 'search', 'observability', 'identity', 'streaming', 'backup', 'support'])[1 + mod(c - 1, 12)] || CASE WHEN c > 12 THEN '_' || ((c - 1) / 12 + 1) ELSE '' END || '_sum + aggregation.' || (ARRAY['compute', 'storage', 'data_transfer', 'api_gateway', 'analytics', 'messaging', 'search', 'observability', 'identity', 'streaming', 'backup', 'support'])[1 + mod(c - 1, 12)] || CASE WHEN c > 12 THEN '_' || ((c - 1) / 12 + 1) ELSE '' END || '_count / 1000' AS calculation,
                md5('PRODUCTS/' || c)::uuid AS product_id,
                false AS evaluate_null_aggregations,
                timestamptz '2022-11-25 09:00:00+00' + c * interval '1 hour' AS dt_created,
                timestamptz '2022-11-25 09:00:00+00' + c * interval '1 hour' AS dt_last_modified,
                md5('USER/1')::uuid::text AS created_by,
                md5('USER/1')::uuid::text AS last_modified_by
          FROM generate_series(1, $2) AS c
    $sql$, schema_name) USING accounts, n_products, lo, hi;

    -- plan templates: Starter, Growth and Enterprise per product
    EXECUTE pg_catalog.format($sql$
        INSERT INTO %1$I.plan_templates (id, version, custom_fields, product_id, name, currency, standing_charge, standing_charge_description, standing_charge_interval, standing_charge_offset, bill_frequency_interval, bill_frequency, ordinal, code, minimum_spend, minimum_spend_description, standing_charge_bill_in_advance, minimum_spend_bill_in_advance, dt_created, dt_last_modified, created_by, last_modified_by)
        SELECT
                md5('PLAN_TEMPLATES/' || t)::uuid AS id,
                1 AS version,
                '{}'::jsonb AS custom_fields,
                md5('PRODUCTS/' || ((t + 2) / 3))::uuid AS product_id,
                (ARRAY['Compute', 'Storage', 'Data Transfer', 'API Gateway', 'Analytics', 'Messaging', 'Search', 'Observability', 'Identity', 'Streaming', 'Backup', 'Support'])[1 + mod(((t + 2) / 3) - 1, 12)] || CASE WHEN ((t + 2) / 3) > 12 THEN ' ' || ((((t + 2) / 3) - 1) / 12 + 1) ELSE '' END || ' ' || (ARRAY['Starter', 'Growth', 'Enterprise'])[(1 + mod(t - 1, 3))] AS name,
                'USD' AS currency,
                round((ARRAY[49.00, 249.00, 1499.00])[(1 + mod(t - 1, 3))] * 1, 2) AS standing_charge,
                'Monthly platform fee' AS standing_charge_description,
                1 AS standing_charge_interval,
                0 AS standing_charge_offset,
                1 AS bill_frequency_interval,
                'MONTHLY' AS bill_frequency,
                (1 + mod(t - 1, 3)) AS ordinal,
                (ARRAY['compute', 'storage', 'data_transfer', 'api_gateway', 'analytics', 'messaging', 'search', 'observability', 'identity', 'streaming', 'backup', 'support'])[1 + mod(((t + 2) / 3) - 1, 12)] || CASE WHEN ((t + 2) / 3) > 12 THEN '_' || ((((t + 2) / 3) - 1) / 12 + 1) ELSE '' END || '_' || lower((ARRAY['Starter', 'Growth', 'Enterprise'])[(1 + mod(t - 1, 3))]) AS code,
                (ARRAY[0.00, 0.00, 5000.00])[(1 + mod(t - 1, 3))] AS minimum_spend,
                CASE WHEN (1 + mod(t - 1, 3)) = 3 THEN 'Monthly minimum spend' END AS minimum_spend_description,
                true AS standing_charge_bill_in_advance,
                false AS minimum_spend_bill_in_advance,
                timestamptz '2022-12-01 09:00:00+00' + t * interval '1 hour' AS dt_created,
                timestamptz '2022-12-01 09:00:00+00' + t * interval '1 hour' AS dt_last_modified,
                md5('USER/1')::uuid::text AS created_by,
                md5('USER/1')::uuid::text AS last_modified_by
          FROM generate_series(1, 3 * $2) AS t
    $sql$, schema_name) USING accounts, n_products, lo, hi;

    -- plans: one standard plan per plan template
    -- (left NULL: account_id)
    EXECUTE pg_catalog.format($sql$
        INSERT INTO %1$I.plans (id, version, custom_fields, plan_template_id, product_id, name, code, standing_charge, standing_charge_description, ordinal, bespoke, minimum_spend, minimum_spend_description, standing_charge_bill_in_advance, minimum_spend_bill_in_advance, minimum_spend_accounting_product_id, standing_charge_accounting_product_id, dt_created, dt_last_modified, created_by, last_modified_by)
        SELECT
                md5('PLANS/' || pl.key)::uuid AS id,
                1 AS version,
                '{}'::jsonb AS custom_fields,
                md5('PLAN_TEMPLATES/' || pl.std)::uuid AS plan_template_id,
                md5('PRODUCTS/' || ((pl.std + 2) / 3))::uuid AS product_id,
                (ARRAY['Compute', 'Storage', 'Data Transfer', 'API Gateway', 'Analytics', 'Messaging', 'Search', 'Observability', 'Identity', 'Streaming', 'Backup', 'Support'])[1 + mod(((pl.std + 2) / 3) - 1, 12)] || CASE WHEN ((pl.std + 2) / 3) > 12 THEN ' ' || ((((pl.std + 2) / 3) - 1) / 12 + 1) ELSE '' END || ' ' || (ARRAY['Starter', 'Growth', 'Enterprise'])[(1 + mod(pl.std - 1, 3))] || CASE WHEN pl.account IS NULL THEN '' ELSE ' (bespoke ' || pl.account || ')' END AS name,
                (ARRAY['compute', 'storage', 'data_transfer', 'api_gateway', 'analytics', 'messaging', 'search', 'observability', 'identity', 'streaming', 'backup', 'support'])[1 + mod(((pl.std + 2) / 3) - 1, 12)] || CASE WHEN ((pl.std + 2) / 3) > 12 THEN '_' || ((((pl.std + 2) / 3) - 1) / 12 + 1) ELSE '' END || '_' || lower((ARRAY['Starter', 'Growth', 'Enterprise'])[(1 + mod(pl.std - 1, 3))]) || CASE WHEN pl.account IS NULL THEN '' ELSE '_' || pl.account END AS code,
                round((ARRAY[49.00, 249.00, 1499.00])[(1 + mod(pl.std - 1, 3))] * pl.discount, 2) AS standing_charge,
                'Monthly platform fee' AS standing_charge_description,
                (1 + mod(pl.std - 1, 3)) AS ordinal,
                pl.account IS NOT NULL AS bespoke,
                round((ARRAY[0.00, 0.00, 5000.00])[(1 + mod(pl.std - 1, 3))] * pl.discount, 2) AS minimum_spend,
                CASE WHEN (1 + mod(pl.std - 1, 3)) = 3 THEN 'Monthly minimum spend' END AS minimum_spend_description,
                true AS standing_charge_bill_in_advance,
                false AS minimum_spend_bill_in_advance,
                md5('PRODUCTS/' || ((pl.std + 2) / 3))::uuid AS minimum_spend_accounting_product_id,
                md5('PRODUCTS/' || ((pl.std + 2) / 3))::uuid AS standing_charge_accounting_product_id,
                timestamptz '2022-12-15 09:00:00+00' + pl.std * interval '1 hour' AS dt_created,
                timestamptz '2022-12-15 09:00:00+00' + pl.std * interval '1 hour' AS dt_last_modified,
                md5('USER/1')::uuid::text AS created_by,
                md5('USER/1')::uuid::text AS last_modified_by
          FROM (SELECT 's' || s AS key, s AS std, NULL::integer AS account,
                         1 AS discount
                    FROM generate_series(1, 3 * $2) AS s) AS pl
    $sql$, schema_name) USING accounts, n_products, lo, hi;

    -- plan groups: two standard bundles
    -- (left NULL: minimum_spend_description, account_id)
    EXECUTE pg_catalog.format($sql$
        INSERT INTO %1$I.plan_groups (id, version, custom_fields, name, code, standing_charge, standing_charge_description, minimum_spend, currency, standing_charge_bill_in_advance, minimum_spend_bill_in_advance, minimum_spend_accounting_product_id, standing_charge_accounting_product_id, dt_created, dt_last_modified, created_by, last_modified_by)
        SELECT
                md5('PLAN_GROUPS/' || pg.key)::uuid AS id,
                1 AS version,
                '{}'::jsonb AS custom_fields,
                CASE WHEN pg.account IS NULL THEN (ARRAY['Starter bundle', 'Growth bundle'])[pg.n] ELSE 'Bundle for account ' || pg.account END AS name,
                CASE WHEN pg.account IS NULL THEN (ARRAY['starter_bundle', 'growth_bundle'])[pg.n] ELSE 'bundle_' || pg.account END AS code,
                coalesce((ARRAY[79.00, 399.00])[pg.n], 149.00) AS standing_charge,
                'Bundle platform fee' AS standing_charge_description,
                0.00 AS minimum_spend,
                'USD' AS currency,
                true AS standing_charge_bill_in_advance,
                false AS minimum_spend_bill_in_advance,
                md5('PRODUCTS/' || 1)::uuid AS minimum_spend_accounting_product_id,
                md5('PRODUCTS/' || 1)::uuid AS standing_charge_accounting_product_id,
                CASE WHEN pg.account IS NULL THEN timestamptz '2023-01-10 09:00:00+00' + pg.n * interval '1 hour' ELSE timestamptz '2024-01-03 09:00:00+00' + pg.account * interval '1 second' END AS dt_created,
                CASE WHEN pg.account IS NULL THEN timestamptz '2023-01-10 09:00:00+00' + pg.n * interval '1 hour' ELSE timestamptz '2024-01-03 09:00:00+00' + pg.account * interval '1 second' END AS dt_last_modified,
                md5('USER/1')::uuid::text AS created_by,
                md5('USER/1')::uuid::text AS last_modified_by
          FROM (SELECT 'g' || n AS key, n, n AS std, NULL::integer AS account
                    FROM generate_series(1, 2) AS n) AS pg
    $sql$, schema_name) USING accounts, n_products, lo, hi;

    -- plan group links: two plans per bundle
    EXECUTE pg_catalog.format($sql$
        INSERT INTO %1$I.plan_group_links (id, version, plan_group_id, plan_id, dt_created, dt_last_modified, created_by, last_modified_by)
        SELECT
                md5('PLAN_GROUP_LINKS/' || pg.key || '/' || j)::uuid AS id,
                1 AS version,
                md5('PLAN_GROUPS/' || pg.key)::uuid AS plan_group_id,
                md5('PLANS/' || CASE j WHEN 1 THEN CASE WHEN pg.account IS NULL THEN 's' || pg.n ELSE 'a' || pg.account END ELSE 's' || (1 + mod(pg.std + 2, 3 * $2)) END)::uuid AS plan_id,
                CASE WHEN pg.account IS NULL THEN timestamptz '2023-01-10 09:00:00+00' + pg.n * interval '1 hour' ELSE timestamptz '2024-01-03 09:00:00+00' + pg.account * interval '1 second' END AS dt_created,
                CASE WHEN pg.account IS NULL THEN timestamptz '2023-01-10 09:00:00+00' + pg.n * interval '1 hour' ELSE timestamptz '2024-01-03 09:00:00+00' + pg.account * interval '1 second' END AS dt_last_modified,
                md5('USER/1')::uuid::text AS created_by,
                md5('USER/1')::uuid::text AS last_modified_by
          FROM (SELECT 'g' || n AS key, n, n AS std, NULL::integer AS account
                    FROM generate_series(1, 2) AS n) AS pg
                CROSS JOIN generate_series(1, 2) AS j
    $sql$, schema_name) USING accounts, n_products, lo, hi;

    -- pricing: three per plan (usage, requests, blended)
    -- (left NULL: plan_template_id, end_date, segment, minimum_spend, minimum_spend_description, minimum_spend_bill_in_advance, segment_string)
    EXECUTE pg_catalog.format($sql$
        INSERT INTO %1$I.pricing (id, version, dt_created, dt_last_modified, created_by, last_modified_by, plan_id, cumulative, start_date, code, description, accounting_product_id, pricing_bands, aggregation_id, compound_aggregation_id, type, tiers_span_plan, aggregation_type, overage_pricing_bands)
        SELECT
                md5('PRICING/' || pl.key || '/' || k)::uuid AS id,
                1 AS version,
                timestamptz '2022-12-20 09:00:00+00' + pl.std * interval '1 hour' AS dt_created,
                timestamptz '2022-12-20 09:00:00+00' + pl.std * interval '1 hour' AS dt_last_modified,
                md5('USER/1')::uuid::text AS created_by,
                md5('USER/1')::uuid::text AS last_modified_by,
                md5('PLANS/' || pl.key)::uuid AS plan_id,
                true AS cumulative,
                timestamptz '2023-01-01 00:00:00+00' AS start_date,
                (ARRAY['compute', 'storage', 'data_transfer', 'api_gateway', 'analytics', 'messaging', 'search', 'observability', 'identity', 'streaming', 'backup', 'support'])[1 + mod(((pl.std + 2) / 3) - 1, 12)] || CASE WHEN ((pl.std + 2) / 3) > 12 THEN '_' || ((((pl.std + 2) / 3) - 1) / 12 + 1) ELSE '' END || '_' || lower((ARRAY['Starter', 'Growth', 'Enterprise'])[(1 + mod(pl.std - 1, 3))]) || CASE WHEN pl.account IS NULL THEN '' ELSE '_' || pl.account END || '_' || (ARRAY['usage', 'requests', 'blended'])[k] AS code,
                (ARRAY['Usage', 'Requests', 'Blended usage'])[k] || ', tiered' AS description,
                md5('PRODUCTS/' || ((pl.std + 2) / 3))::uuid AS accounting_product_id,
                jsonb_build_array(jsonb_build_object('id', md5('PRICING_BANDS/' || pl.key || '/' || k || '/' || 1)::uuid, 'lowerLimit', (ARRAY[0, 1000, 10000, 0])[1], 'fixedPrice', 0, 'unitPrice', round((ARRAY[0.01, 0.0001, 0.01])[k] * (1 + mod((hashint8extended((pl.std * 3 + k)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * pl.discount, 6)), jsonb_build_object('id', md5('PRICING_BANDS/' || pl.key || '/' || k || '/' || 2)::uuid, 'lowerLimit', (ARRAY[0, 1000, 10000, 0])[2], 'fixedPrice', 0, 'unitPrice', round((ARRAY[0.01, 0.0001, 0.01])[k] * (1 + mod((hashint8extended((pl.std * 3 + k)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[2] * pl.discount, 6)), jsonb_build_object('id', md5('PRICING_BANDS/' || pl.key || '/' || k || '/' || 3)::uuid, 'lowerLimit', (ARRAY[0, 1000, 10000, 0])[3], 'fixedPrice', 0, 'unitPrice', round((ARRAY[0.01, 0.0001, 0.01])[k] * (1 + mod((hashint8extended((pl.std * 3 + k)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[3] * pl.discount, 6))) AS pricing_bands,
                CASE WHEN k < 3 THEN md5('AGGREGATIONS/' || (4 * (((pl.std + 2) / 3) - 1) + 2 * k - 1))::uuid END AS aggregation_id,
                CASE WHEN k = 3 THEN md5('COMPOUND_AGGREGATIONS/' || ((pl.std + 2) / 3))::uuid END AS compound_aggregation_id,
                'DEBIT' AS type,
                false AS tiers_span_plan,
                CASE WHEN k < 3 THEN 'SIMPLE' ELSE 'COMPOUND' END AS aggregation_type,
                CASE WHEN mod(pl.std + k, 5) = 0 THEN jsonb_build_array(jsonb_build_object('id', md5('PRICING_BANDS/' || pl.key || '/' || k || '/' || 4)::uuid, 'lowerLimit', (ARRAY[0, 1000, 10000, 0])[4], 'fixedPrice', 0, 'unitPrice', round((ARRAY[0.01, 0.0001, 0.01])[k] * (1 + mod((hashint8extended((pl.std * 3 + k)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[4] * pl.discount, 6))) ELSE '[]'::jsonb END AS overage_pricing_bands
          FROM (SELECT 's' || s AS key, s AS std, NULL::integer AS account,
                         1 AS discount
                    FROM generate_series(1, 3 * $2) AS s) AS pl
                CROSS JOIN generate_series(1, 3) AS k
    $sql$, schema_name) USING accounts, n_products, lo, hi;

    -- pricing bands: three tiers per pricing, and an overage band for one pricing in five
    -- (left NULL: credit_type_id)
    EXECUTE pg_catalog.format($sql$
        INSERT INTO %1$I.pricing_bands (id, version, lower_limit, fixed_price, unit_price, type, pricing_id)
        SELECT
                md5('PRICING_BANDS/' || pl.key || '/' || k || '/' || band)::uuid AS id,
                1 AS version,
                (ARRAY[0, 1000, 10000, 0])[band] AS lower_limit,
                0 AS fixed_price,
                round((ARRAY[0.01, 0.0001, 0.01])[k] * (1 + mod((hashint8extended((pl.std * 3 + k)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[band] * pl.discount, 6) AS unit_price,
                (ARRAY['STANDARD', 'STANDARD', 'STANDARD', 'OVERAGE'])[band] AS type,
                md5('PRICING/' || pl.key || '/' || k)::uuid AS pricing_id
          FROM (SELECT 's' || s AS key, s AS std, NULL::integer AS account,
                         1 AS discount
                    FROM generate_series(1, 3 * $2) AS s) AS pl
                CROSS JOIN generate_series(1, 3) AS k
                CROSS JOIN generate_series(1, 4) AS band
               WHERE band < 4 OR mod(pl.std + k, 5) = 0
    $sql$, schema_name) USING accounts, n_products, lo, hi;

    -- transaction types: five, one archived
    EXECUTE pg_catalog.format($sql$
        INSERT INTO %1$I.transaction_types (id, version, code, name, archived, dt_created, dt_last_modified, created_by, last_modified_by)
        SELECT
                md5('TRANSACTION_TYPES/' || t)::uuid AS id,
                1 AS version,
                lower((ARRAY['Payment', 'Credit', 'Refund', 'Promotion', 'Adjustment'])[t]) AS code,
                (ARRAY['Payment', 'Credit', 'Refund', 'Promotion', 'Adjustment'])[t] AS name,
                t = 3 AS archived,
                timestamptz '2023-01-05 09:00:00+00' + t * interval '1 minute' AS dt_created,
                timestamptz '2023-01-05 09:00:00+00' + t * interval '1 minute' AS dt_last_modified,
                md5('USER/1')::uuid::text AS created_by,
                md5('USER/1')::uuid::text AS last_modified_by
          FROM generate_series(1, 5) AS t
    $sql$, schema_name) USING accounts, n_products, lo, hi;

    -- The customers, a slice of accounts [lo, hi] at a time.
    WHILE lo <= accounts LOOP
        hi := least(lo + slice - 1, accounts);

        -- accounts: one in ten is the child of one of the nine accounts before it
        -- (left NULL: statement_definition_id)
        EXECUTE pg_catalog.format($sql$
            INSERT INTO %1$I.accounts (id, version, custom_fields, name, code, address, email_address, parent_account_id, bill_epoch, purchase_order_number, currency, dt_created, dt_last_modified, created_by, last_modified_by, auto_generate_statement_mode, credit_application_order, days_before_bill_due)
            SELECT
                    acct.id AS id,
                    acct.version AS version,
                    jsonb_build_object('segment', (ARRAY['SMB', 'SMB', 'SMB', 'Mid-Market', 'Enterprise'])[1 + mod((hashint8extended((a)::bigint, 15) & 2147483647), 5)], 'salesRegion', (ARRAY['AMER', 'AMER', 'AMER', 'AMER', 'AMER', 'AMER', 'EMEA', 'EMEA', 'EMEA', 'APAC'])[acct.slot]) AS custom_fields,
                    acct.adjective || ' ' || acct.noun || ' ' || (ARRAY['Inc.', 'LLC', 'Inc.', 'Corp.', 'Inc.', 'LLC', 'Inc.', 'Corp.', 'Inc.', 'LLC', 'Inc.', 'Corp.', 'Inc.', 'LLC', 'Inc.', 'Corp.', 'Inc.', 'LLC', 'Inc.', 'Corp.', 'Inc.', 'LLC', 'Inc.', 'Corp.', 'GmbH', 'SAS', 'B.V.', 'Ltd', 'GmbH', 'SAS', 'B.V.', 'Ltd', 'Ltd', 'Ltd', 'Ltd', 'plc', 'K.K.', 'K.K.', 'K.K.', 'K.K.'])[acct.place] AS name,
                    lower(acct.adjective) || '-' || lower(acct.noun) || '-' || a AS code,
                    jsonb_build_object(
                        'addressLine1', (1 + mod((hashint8extended((a)::bigint, 17) & 2147483647), 998)) || ' ' || (ARRAY['Main Street', 'Market Street', 'High Street', 'King Street', 'Station Road', 'Park Avenue', 'Church Lane', 'Harbour Road'])[1 + mod((hashint8extended((a)::bigint, 18) & 2147483647), 8)],
                        'locality', (ARRAY['New York', 'Austin', 'Seattle', 'Chicago', 'New York', 'Austin', 'Seattle', 'Chicago', 'New York', 'Austin', 'Seattle', 'Chicago', 'New York', 'Austin', 'Seattle', 'Chicago', 'New York', 'Austin', 'Seattle', 'Chicago', 'New York', 'Austin', 'Seattle', 'Chicago', 'Berlin', 'Paris', 'Amsterdam', 'Dublin', 'Berlin', 'Paris', 'Amsterdam', 'Dublin', 'London', 'Manchester', 'Edinburgh', 'Bristol', 'Tokyo', 'Osaka', 'Yokohama', 'Kyoto'])[acct.place],
                        'region', (ARRAY['NY', 'TX', 'WA', 'IL', 'NY', 'TX', 'WA', 'IL', 'NY', 'TX', 'WA', 'IL', 'NY', 'TX', 'WA', 'IL', 'NY', 'TX', 'WA', 'IL', 'NY', 'TX', 'WA', 'IL', 'BE', 'IDF', 'NH', 'D', 'BE', 'IDF', 'NH', 'D', 'LND', 'MAN', 'EDH', 'BST', '13', '27', '14', '26'])[acct.place],
                        'postCode', lpad(mod((hashint8extended((a)::bigint, 19) & 2147483647), 100000)::text, 5, '0'),
                        'country', (ARRAY['US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'US', 'DE', 'FR', 'NL', 'IE', 'DE', 'FR', 'NL', 'IE', 'GB', 'GB', 'GB', 'GB', 'JP', 'JP', 'JP', 'JP'])[acct.place]) AS address,
                    'billing@' || lower(acct.adjective) || '-' || lower(acct.noun) || '-' || a || '.example' AS email_address,
                    CASE WHEN mod(a, 10) = 0 THEN md5('ACCOUNTS/' || (a - 1 - mod((hashint8extended((a)::bigint, 7) & 2147483647), 9)))::uuid END AS parent_account_id,
                    date_trunc('month', acct.created AT TIME ZONE 'UTC')::date AS bill_epoch,
                    acct.purchase_order_number AS purchase_order_number,
                    (ARRAY['USD', 'USD', 'USD', 'USD', 'USD', 'USD', 'EUR', 'EUR', 'GBP', 'JPY'])[acct.slot] AS currency,
                    acct.created AS dt_created,
                    acct.created + (acct.version - 1) * interval '408 hours' AS dt_last_modified,
                    md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 20) & 2147483647), 3)))::uuid::text AS created_by,
                    md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 20) & 2147483647), 3)))::uuid::text AS last_modified_by,
                    (ARRAY['NONE', 'NONE', 'NONE', 'JSON', 'JSON_AND_CSV'])[1 + mod((hashint8extended((a)::bigint, 14) & 2147483647), 5)] AS auto_generate_statement_mode,
                    ((ARRAY['{PREPAYMENT,BALANCE}', '{BALANCE,PREPAYMENT}', '{PREPAYMENT}'])[1 + mod((hashint8extended((a)::bigint, 23) & 2147483647), 3)])::text[] AS credit_application_order,
                    acct.days_before_bill_due AS days_before_bill_due
              FROM (SELECT
                        ARRAY(SELECT md5('PRODUCTS/' || p)::uuid FROM generate_series(1, $2) AS p ORDER BY p) AS product,
                        ARRAY(SELECT md5('METERS/' || m)::uuid FROM generate_series(1, 2 * $2) AS m ORDER BY m) AS meter,
                        ARRAY(SELECT md5('AGGREGATIONS/' || g)::uuid FROM generate_series(1, 4 * $2) AS g ORDER BY g) AS aggregation,
                        ARRAY(SELECT md5('COMPOUND_AGGREGATIONS/' || c)::uuid FROM generate_series(1, $2) AS c ORDER BY c) AS compound,
                        ARRAY(SELECT md5('PLANS/' || 's' || s)::uuid FROM generate_series(1, 3 * $2) AS s ORDER BY s) AS plan,
                        ARRAY(SELECT md5('PRICING/' || 's' || s || '/' || k)::uuid
                                FROM generate_series(1, 3 * $2) AS s, generate_series(1, 3) AS k
                               ORDER BY s, k) AS pricing) AS book
                    CROSS JOIN generate_series($3, $4) AS a
                    CROSS JOIN LATERAL (SELECT
                            md5('ACCOUNTS/' || a)::uuid AS id,
                            mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 AS slot,
                            4 * mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 + mod((hashint8extended((a)::bigint, 5) & 2147483647), 4) AS place,
                            (ARRAY['Apex', 'Blue', 'Cedar', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor', 'Iron', 'Juniper', 'Keystone', 'Lumen', 'Maple', 'Nova', 'Orbit', 'Pioneer', 'Quartz', 'River', 'Summit', 'Titan'])[1 + mod((hashint8extended((a)::bigint, 21) & 2147483647), 20)] AS adjective,
                            (ARRAY['Analytics', 'Logistics', 'Labs', 'Systems', 'Health', 'Media', 'Robotics', 'Energy', 'Foods', 'Software', 'Networks', 'Capital', 'Studios', 'Retail', 'Biotech', 'Motors'])[1 + mod((hashint8extended((a)::bigint, 22) & 2147483647), 16)] AS noun,
                            timestamptz '2023-01-01 00:00:00+00' + mod((hashint8extended((a)::bigint, 1) & 2147483647), 39312000) * interval '1 second' AS created,
                            1 + mod((hashint8extended((a)::bigint, 9) & 2147483647), 3) AS version,
                            (1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) AS std_plan,
                            (((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3) AS product,
                            book.product[(((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3)] AS product_id,
                            CASE WHEN mod(a, 100) = 0 THEN md5('PLANS/' || 'a' || a)::uuid
                                 ELSE book.plan[(1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2))] END AS plan_id,
                            md5('CONTRACTS/' || a)::uuid AS contract_id,
                            mod(a, 100) = 0 AS bespoke,
                            CASE WHEN mod(a, 100) = 0 THEN 0.80 ELSE 1 END AS discount,
                            (ARRAY[30, 30, 30, 14, 45, 60])[1 + mod((hashint8extended((a)::bigint, 8) & 2147483647), 6)] AS days_before_bill_due,
                            CASE WHEN mod((hashint8extended((a)::bigint, 10) & 2147483647), 3) = 0 THEN 'PO-' || (100000 + mod((hashint8extended((a)::bigint, 13) & 2147483647), 900000)) END AS purchase_order_number
                            OFFSET 0) AS acct
        $sql$, schema_name) USING accounts, n_products, lo, hi;

        -- plans: a bespoke plan (80 percent of a standard plan) for every 100th account
        EXECUTE pg_catalog.format($sql$
            INSERT INTO %1$I.plans (id, version, custom_fields, plan_template_id, product_id, name, code, standing_charge, standing_charge_description, ordinal, bespoke, minimum_spend, minimum_spend_description, standing_charge_bill_in_advance, minimum_spend_bill_in_advance, minimum_spend_accounting_product_id, standing_charge_accounting_product_id, account_id, dt_created, dt_last_modified, created_by, last_modified_by)
            SELECT
                    md5('PLANS/' || pl.key)::uuid AS id,
                    1 AS version,
                    '{}'::jsonb AS custom_fields,
                    md5('PLAN_TEMPLATES/' || pl.std)::uuid AS plan_template_id,
                    md5('PRODUCTS/' || ((pl.std + 2) / 3))::uuid AS product_id,
                    (ARRAY['Compute', 'Storage', 'Data Transfer', 'API Gateway', 'Analytics', 'Messaging', 'Search', 'Observability', 'Identity', 'Streaming', 'Backup', 'Support'])[1 + mod(((pl.std + 2) / 3) - 1, 12)] || CASE WHEN ((pl.std + 2) / 3) > 12 THEN ' ' || ((((pl.std + 2) / 3) - 1) / 12 + 1) ELSE '' END || ' ' || (ARRAY['Starter', 'Growth', 'Enterprise'])[(1 + mod(pl.std - 1, 3))] || CASE WHEN pl.account IS NULL THEN '' ELSE ' (bespoke ' || pl.account || ')' END AS name,
                    (ARRAY['compute', 'storage', 'data_transfer', 'api_gateway', 'analytics', 'messaging', 'search', 'observability', 'identity', 'streaming', 'backup', 'support'])[1 + mod(((pl.std + 2) / 3) - 1, 12)] || CASE WHEN ((pl.std + 2) / 3) > 12 THEN '_' || ((((pl.std + 2) / 3) - 1) / 12 + 1) ELSE '' END || '_' || lower((ARRAY['Starter', 'Growth', 'Enterprise'])[(1 + mod(pl.std - 1, 3))]) || CASE WHEN pl.account IS NULL THEN '' ELSE '_' || pl.account END AS code,
                    round((ARRAY[49.00, 249.00, 1499.00])[(1 + mod(pl.std - 1, 3))] * pl.discount, 2) AS standing_charge,
                    'Monthly platform fee' AS standing_charge_description,
                    (1 + mod(pl.std - 1, 3)) AS ordinal,
                    pl.account IS NOT NULL AS bespoke,
                    round((ARRAY[0.00, 0.00, 5000.00])[(1 + mod(pl.std - 1, 3))] * pl.discount, 2) AS minimum_spend,
                    CASE WHEN (1 + mod(pl.std - 1, 3)) = 3 THEN 'Monthly minimum spend' END AS minimum_spend_description,
                    true AS standing_charge_bill_in_advance,
                    false AS minimum_spend_bill_in_advance,
                    md5('PRODUCTS/' || ((pl.std + 2) / 3))::uuid AS minimum_spend_accounting_product_id,
                    md5('PRODUCTS/' || ((pl.std + 2) / 3))::uuid AS standing_charge_accounting_product_id,
                    md5('ACCOUNTS/' || pl.account)::uuid AS account_id,
                    timestamptz '2024-01-02 09:00:00+00' + pl.account * interval '1 second' AS dt_created,
                    timestamptz '2024-01-02 09:00:00+00' + pl.account * interval '1 second' AS dt_last_modified,
                    md5('USER/1')::uuid::text AS created_by,
                    md5('USER/1')::uuid::text AS last_modified_by
              FROM (SELECT 'a' || a AS key, (1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) AS std,
                             a AS account, 0.80 AS discount
                        FROM generate_series($3, $4) AS a
                       WHERE mod(a, 100) = 0) AS pl
        $sql$, schema_name) USING accounts, n_products, lo, hi;

        -- plan groups: a bespoke bundle for every 200th account
        -- (left NULL: minimum_spend_description)
        EXECUTE pg_catalog.format($sql$
            INSERT INTO %1$I.plan_groups (id, version, custom_fields, name, code, standing_charge, standing_charge_description, minimum_spend, currency, standing_charge_bill_in_advance, minimum_spend_bill_in_advance, minimum_spend_accounting_product_id, standing_charge_accounting_product_id, account_id, dt_created, dt_last_modified, created_by, last_modified_by)
            SELECT
                    md5('PLAN_GROUPS/' || pg.key)::uuid AS id,
                    1 AS version,
                    '{}'::jsonb AS custom_fields,
                    CASE WHEN pg.account IS NULL THEN (ARRAY['Starter bundle', 'Growth bundle'])[pg.n] ELSE 'Bundle for account ' || pg.account END AS name,
                    CASE WHEN pg.account IS NULL THEN (ARRAY['starter_bundle', 'growth_bundle'])[pg.n] ELSE 'bundle_' || pg.account END AS code,
                    coalesce((ARRAY[79.00, 399.00])[pg.n], 149.00) AS standing_charge,
                    'Bundle platform fee' AS standing_charge_description,
                    0.00 AS minimum_spend,
                    'USD' AS currency,
                    true AS standing_charge_bill_in_advance,
                    false AS minimum_spend_bill_in_advance,
                    md5('PRODUCTS/' || 1)::uuid AS minimum_spend_accounting_product_id,
                    md5('PRODUCTS/' || 1)::uuid AS standing_charge_accounting_product_id,
                    md5('ACCOUNTS/' || pg.account)::uuid AS account_id,
                    CASE WHEN pg.account IS NULL THEN timestamptz '2023-01-10 09:00:00+00' + pg.n * interval '1 hour' ELSE timestamptz '2024-01-03 09:00:00+00' + pg.account * interval '1 second' END AS dt_created,
                    CASE WHEN pg.account IS NULL THEN timestamptz '2023-01-10 09:00:00+00' + pg.n * interval '1 hour' ELSE timestamptz '2024-01-03 09:00:00+00' + pg.account * interval '1 second' END AS dt_last_modified,
                    md5('USER/1')::uuid::text AS created_by,
                    md5('USER/1')::uuid::text AS last_modified_by
              FROM (SELECT 'a' || a AS key, 0 AS n,
                             (1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) AS std, a AS account
                        FROM generate_series($3, $4) AS a
                       WHERE mod(a, 200) = 0) AS pg
        $sql$, schema_name) USING accounts, n_products, lo, hi;

        -- plan group links of the bespoke bundles
        EXECUTE pg_catalog.format($sql$
            INSERT INTO %1$I.plan_group_links (id, version, plan_group_id, plan_id, dt_created, dt_last_modified, created_by, last_modified_by)
            SELECT
                    md5('PLAN_GROUP_LINKS/' || pg.key || '/' || j)::uuid AS id,
                    1 AS version,
                    md5('PLAN_GROUPS/' || pg.key)::uuid AS plan_group_id,
                    md5('PLANS/' || CASE j WHEN 1 THEN CASE WHEN pg.account IS NULL THEN 's' || pg.n ELSE 'a' || pg.account END ELSE 's' || (1 + mod(pg.std + 2, 3 * $2)) END)::uuid AS plan_id,
                    CASE WHEN pg.account IS NULL THEN timestamptz '2023-01-10 09:00:00+00' + pg.n * interval '1 hour' ELSE timestamptz '2024-01-03 09:00:00+00' + pg.account * interval '1 second' END AS dt_created,
                    CASE WHEN pg.account IS NULL THEN timestamptz '2023-01-10 09:00:00+00' + pg.n * interval '1 hour' ELSE timestamptz '2024-01-03 09:00:00+00' + pg.account * interval '1 second' END AS dt_last_modified,
                    md5('USER/1')::uuid::text AS created_by,
                    md5('USER/1')::uuid::text AS last_modified_by
              FROM (SELECT 'a' || a AS key, 0 AS n,
                             (1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) AS std, a AS account
                        FROM generate_series($3, $4) AS a
                       WHERE mod(a, 200) = 0) AS pg
                    CROSS JOIN generate_series(1, 2) AS j
        $sql$, schema_name) USING accounts, n_products, lo, hi;

        -- pricing of the bespoke plans
        -- (left NULL: plan_template_id, end_date, segment, minimum_spend, minimum_spend_description, minimum_spend_bill_in_advance, segment_string)
        EXECUTE pg_catalog.format($sql$
            INSERT INTO %1$I.pricing (id, version, dt_created, dt_last_modified, created_by, last_modified_by, plan_id, cumulative, start_date, code, description, accounting_product_id, pricing_bands, aggregation_id, compound_aggregation_id, type, tiers_span_plan, aggregation_type, overage_pricing_bands)
            SELECT
                    md5('PRICING/' || pl.key || '/' || k)::uuid AS id,
                    1 AS version,
                    timestamptz '2022-12-20 09:00:00+00' + pl.std * interval '1 hour' AS dt_created,
                    timestamptz '2022-12-20 09:00:00+00' + pl.std * interval '1 hour' AS dt_last_modified,
                    md5('USER/1')::uuid::text AS created_by,
                    md5('USER/1')::uuid::text AS last_modified_by,
                    md5('PLANS/' || pl.key)::uuid AS plan_id,
                    true AS cumulative,
                    timestamptz '2023-01-01 00:00:00+00' AS start_date,
                    (ARRAY['compute', 'storage', 'data_transfer', 'api_gateway', 'analytics', 'messaging', 'search', 'observability', 'identity', 'streaming', 'backup', 'support'])[1 + mod(((pl.std + 2) / 3) - 1, 12)] || CASE WHEN ((pl.std + 2) / 3) > 12 THEN '_' || ((((pl.std + 2) / 3) - 1) / 12 + 1) ELSE '' END || '_' || lower((ARRAY['Starter', 'Growth', 'Enterprise'])[(1 + mod(pl.std - 1, 3))]) || CASE WHEN pl.account IS NULL THEN '' ELSE '_' || pl.account END || '_' || (ARRAY['usage', 'requests', 'blended'])[k] AS code,
                    (ARRAY['Usage', 'Requests', 'Blended usage'])[k] || ', tiered' AS description,
                    md5('PRODUCTS/' || ((pl.std + 2) / 3))::uuid AS accounting_product_id,
                    jsonb_build_array(jsonb_build_object('id', md5('PRICING_BANDS/' || pl.key || '/' || k || '/' || 1)::uuid, 'lowerLimit', (ARRAY[0, 1000, 10000, 0])[1], 'fixedPrice', 0, 'unitPrice', round((ARRAY[0.01, 0.0001, 0.01])[k] * (1 + mod((hashint8extended((pl.std * 3 + k)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * pl.discount, 6)), jsonb_build_object('id', md5('PRICING_BANDS/' || pl.key || '/' || k || '/' || 2)::uuid, 'lowerLimit', (ARRAY[0, 1000, 10000, 0])[2], 'fixedPrice', 0, 'unitPrice', round((ARRAY[0.01, 0.0001, 0.01])[k] * (1 + mod((hashint8extended((pl.std * 3 + k)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[2] * pl.discount, 6)), jsonb_build_object('id', md5('PRICING_BANDS/' || pl.key || '/' || k || '/' || 3)::uuid, 'lowerLimit', (ARRAY[0, 1000, 10000, 0])[3], 'fixedPrice', 0, 'unitPrice', round((ARRAY[0.01, 0.0001, 0.01])[k] * (1 + mod((hashint8extended((pl.std * 3 + k)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[3] * pl.discount, 6))) AS pricing_bands,
                    CASE WHEN k < 3 THEN md5('AGGREGATIONS/' || (4 * (((pl.std + 2) / 3) - 1) + 2 * k - 1))::uuid END AS aggregation_id,
                    CASE WHEN k = 3 THEN md5('COMPOUND_AGGREGATIONS/' || ((pl.std + 2) / 3))::uuid END AS compound_aggregation_id,
                    'DEBIT' AS type,
                    false AS tiers_span_plan,
                    CASE WHEN k < 3 THEN 'SIMPLE' ELSE 'COMPOUND' END AS aggregation_type,
                    CASE WHEN mod(pl.std + k, 5) = 0 THEN jsonb_build_array(jsonb_build_object('id', md5('PRICING_BANDS/' || pl.key || '/' || k || '/' || 4)::uuid, 'lowerLimit', (ARRAY[0, 1000, 10000, 0])[4], 'fixedPrice', 0, 'unitPrice', round((ARRAY[0.01, 0.0001, 0.01])[k] * (1 + mod((hashint8extended((pl.std * 3 + k)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[4] * pl.discount, 6))) ELSE '[]'::jsonb END AS overage_pricing_bands
              FROM (SELECT 'a' || a AS key, (1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) AS std,
                             a AS account, 0.80 AS discount
                        FROM generate_series($3, $4) AS a
                       WHERE mod(a, 100) = 0) AS pl
                    CROSS JOIN generate_series(1, 3) AS k
        $sql$, schema_name) USING accounts, n_products, lo, hi;

        -- pricing bands of the bespoke plans
        -- (left NULL: credit_type_id)
        EXECUTE pg_catalog.format($sql$
            INSERT INTO %1$I.pricing_bands (id, version, lower_limit, fixed_price, unit_price, type, pricing_id)
            SELECT
                    md5('PRICING_BANDS/' || pl.key || '/' || k || '/' || band)::uuid AS id,
                    1 AS version,
                    (ARRAY[0, 1000, 10000, 0])[band] AS lower_limit,
                    0 AS fixed_price,
                    round((ARRAY[0.01, 0.0001, 0.01])[k] * (1 + mod((hashint8extended((pl.std * 3 + k)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[band] * pl.discount, 6) AS unit_price,
                    (ARRAY['STANDARD', 'STANDARD', 'STANDARD', 'OVERAGE'])[band] AS type,
                    md5('PRICING/' || pl.key || '/' || k)::uuid AS pricing_id
              FROM (SELECT 'a' || a AS key, (1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) AS std,
                             a AS account, 0.80 AS discount
                        FROM generate_series($3, $4) AS a
                       WHERE mod(a, 100) = 0) AS pl
                    CROSS JOIN generate_series(1, 3) AS k
                    CROSS JOIN generate_series(1, 4) AS band
                   WHERE band < 4 OR mod(pl.std + k, 5) = 0
        $sql$, schema_name) USING accounts, n_products, lo, hi;

        -- contracts: one per account, for one to three years
        -- (left NULL: bill_grouping_key_id)
        EXECUTE pg_catalog.format($sql$
            INSERT INTO %1$I.contracts (id, version, custom_fields, account_id, name, code, description, purchase_order_number, apply_contract_period_limits, usage_filters, start_date, end_date, dt_created, dt_last_modified, created_by, last_modified_by)
            SELECT
                    acct.contract_id AS id,
                    1 AS version,
                    '{}'::jsonb AS custom_fields,
                    acct.id AS account_id,
                    acct.adjective || ' ' || acct.noun || ' ' || (ARRAY['Inc.', 'LLC', 'Inc.', 'Corp.', 'Inc.', 'LLC', 'Inc.', 'Corp.', 'Inc.', 'LLC', 'Inc.', 'Corp.', 'Inc.', 'LLC', 'Inc.', 'Corp.', 'Inc.', 'LLC', 'Inc.', 'Corp.', 'Inc.', 'LLC', 'Inc.', 'Corp.', 'GmbH', 'SAS', 'B.V.', 'Ltd', 'GmbH', 'SAS', 'B.V.', 'Ltd', 'Ltd', 'Ltd', 'Ltd', 'plc', 'K.K.', 'K.K.', 'K.K.', 'K.K.'])[acct.place] || ' master agreement' AS name,
                    'ctr-' || lower(acct.adjective) || '-' || lower(acct.noun) || '-' || a AS code,
                    (1 + mod((hashint8extended((a)::bigint, 16) & 2147483647), 3)) || '-year subscription' AS description,
                    acct.purchase_order_number AS purchase_order_number,
                    false AS apply_contract_period_limits,
                    '[]'::jsonb AS usage_filters,
                    date_trunc('month', acct.created AT TIME ZONE 'UTC')::date AS start_date,
                    (date_trunc('month', acct.created AT TIME ZONE 'UTC')::date + (1 + mod((hashint8extended((a)::bigint, 16) & 2147483647), 3)) * interval '1 year')::date AS end_date,
                    acct.created + interval '1 hour' AS dt_created,
                    acct.created + interval '1 hour' AS dt_last_modified,
                    md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 20) & 2147483647), 3)))::uuid::text AS created_by,
                    md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 20) & 2147483647), 3)))::uuid::text AS last_modified_by
              FROM (SELECT
                        ARRAY(SELECT md5('PRODUCTS/' || p)::uuid FROM generate_series(1, $2) AS p ORDER BY p) AS product,
                        ARRAY(SELECT md5('METERS/' || m)::uuid FROM generate_series(1, 2 * $2) AS m ORDER BY m) AS meter,
                        ARRAY(SELECT md5('AGGREGATIONS/' || g)::uuid FROM generate_series(1, 4 * $2) AS g ORDER BY g) AS aggregation,
                        ARRAY(SELECT md5('COMPOUND_AGGREGATIONS/' || c)::uuid FROM generate_series(1, $2) AS c ORDER BY c) AS compound,
                        ARRAY(SELECT md5('PLANS/' || 's' || s)::uuid FROM generate_series(1, 3 * $2) AS s ORDER BY s) AS plan,
                        ARRAY(SELECT md5('PRICING/' || 's' || s || '/' || k)::uuid
                                FROM generate_series(1, 3 * $2) AS s, generate_series(1, 3) AS k
                               ORDER BY s, k) AS pricing) AS book
                    CROSS JOIN generate_series($3, $4) AS a
                    CROSS JOIN LATERAL (SELECT
                            md5('ACCOUNTS/' || a)::uuid AS id,
                            mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 AS slot,
                            4 * mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 + mod((hashint8extended((a)::bigint, 5) & 2147483647), 4) AS place,
                            (ARRAY['Apex', 'Blue', 'Cedar', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor', 'Iron', 'Juniper', 'Keystone', 'Lumen', 'Maple', 'Nova', 'Orbit', 'Pioneer', 'Quartz', 'River', 'Summit', 'Titan'])[1 + mod((hashint8extended((a)::bigint, 21) & 2147483647), 20)] AS adjective,
                            (ARRAY['Analytics', 'Logistics', 'Labs', 'Systems', 'Health', 'Media', 'Robotics', 'Energy', 'Foods', 'Software', 'Networks', 'Capital', 'Studios', 'Retail', 'Biotech', 'Motors'])[1 + mod((hashint8extended((a)::bigint, 22) & 2147483647), 16)] AS noun,
                            timestamptz '2023-01-01 00:00:00+00' + mod((hashint8extended((a)::bigint, 1) & 2147483647), 39312000) * interval '1 second' AS created,
                            1 + mod((hashint8extended((a)::bigint, 9) & 2147483647), 3) AS version,
                            (1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) AS std_plan,
                            (((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3) AS product,
                            book.product[(((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3)] AS product_id,
                            CASE WHEN mod(a, 100) = 0 THEN md5('PLANS/' || 'a' || a)::uuid
                                 ELSE book.plan[(1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2))] END AS plan_id,
                            md5('CONTRACTS/' || a)::uuid AS contract_id,
                            mod(a, 100) = 0 AS bespoke,
                            CASE WHEN mod(a, 100) = 0 THEN 0.80 ELSE 1 END AS discount,
                            (ARRAY[30, 30, 30, 14, 45, 60])[1 + mod((hashint8extended((a)::bigint, 8) & 2147483647), 6)] AS days_before_bill_due,
                            CASE WHEN mod((hashint8extended((a)::bigint, 10) & 2147483647), 3) = 0 THEN 'PO-' || (100000 + mod((hashint8extended((a)::bigint, 13) & 2147483647), 900000)) END AS purchase_order_number
                            OFFSET 0) AS acct
        $sql$, schema_name) USING accounts, n_products, lo, hi;

        -- account plans: every account on a plan, and every fourth also on a plan group
        -- (left NULL: end_date)
        EXECUTE pg_catalog.format($sql$
            INSERT INTO %1$I.account_plans (id, version, custom_fields, account_id, product_id, plan_id, plan_group_id, start_date, code, bill_epoch, contract_id, child_billing_mode, dt_created, dt_last_modified, created_by, last_modified_by)
            SELECT
                    md5('ACCOUNT_PLANS/' || a || '/' || j)::uuid AS id,
                    1 AS version,
                    '{}'::jsonb AS custom_fields,
                    acct.id AS account_id,
                    CASE WHEN j = 1 THEN acct.product_id END AS product_id,
                    CASE WHEN j = 1 THEN acct.plan_id END AS plan_id,
                    CASE WHEN j = 2 THEN md5('PLAN_GROUPS/' || (CASE WHEN mod(a, 200) = 0 THEN 'a' || a ELSE 'g' || (1 + mod((hashint8extended((a)::bigint, 12) & 2147483647), 2)) END))::uuid END AS plan_group_id,
                    date_trunc('month', acct.created, 'UTC') AS start_date,
                    lower(acct.adjective) || '-' || lower(acct.noun) || '-' || a || CASE j WHEN 1 THEN '-plan' ELSE '-bundle' END AS code,
                    date_trunc('month', acct.created AT TIME ZONE 'UTC')::date AS bill_epoch,
                    acct.contract_id AS contract_id,
                    CASE WHEN mod(a, 10) = 0 THEN 'CHILD' END AS child_billing_mode,
                    acct.created + interval '2 hours' AS dt_created,
                    acct.created + interval '2 hours' AS dt_last_modified,
                    md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 20) & 2147483647), 3)))::uuid::text AS created_by,
                    md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 20) & 2147483647), 3)))::uuid::text AS last_modified_by
              FROM (SELECT
                        ARRAY(SELECT md5('PRODUCTS/' || p)::uuid FROM generate_series(1, $2) AS p ORDER BY p) AS product,
                        ARRAY(SELECT md5('METERS/' || m)::uuid FROM generate_series(1, 2 * $2) AS m ORDER BY m) AS meter,
                        ARRAY(SELECT md5('AGGREGATIONS/' || g)::uuid FROM generate_series(1, 4 * $2) AS g ORDER BY g) AS aggregation,
                        ARRAY(SELECT md5('COMPOUND_AGGREGATIONS/' || c)::uuid FROM generate_series(1, $2) AS c ORDER BY c) AS compound,
                        ARRAY(SELECT md5('PLANS/' || 's' || s)::uuid FROM generate_series(1, 3 * $2) AS s ORDER BY s) AS plan,
                        ARRAY(SELECT md5('PRICING/' || 's' || s || '/' || k)::uuid
                                FROM generate_series(1, 3 * $2) AS s, generate_series(1, 3) AS k
                               ORDER BY s, k) AS pricing) AS book
                    CROSS JOIN generate_series($3, $4) AS a
                    CROSS JOIN LATERAL (SELECT
                            md5('ACCOUNTS/' || a)::uuid AS id,
                            mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 AS slot,
                            4 * mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 + mod((hashint8extended((a)::bigint, 5) & 2147483647), 4) AS place,
                            (ARRAY['Apex', 'Blue', 'Cedar', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor', 'Iron', 'Juniper', 'Keystone', 'Lumen', 'Maple', 'Nova', 'Orbit', 'Pioneer', 'Quartz', 'River', 'Summit', 'Titan'])[1 + mod((hashint8extended((a)::bigint, 21) & 2147483647), 20)] AS adjective,
                            (ARRAY['Analytics', 'Logistics', 'Labs', 'Systems', 'Health', 'Media', 'Robotics', 'Energy', 'Foods', 'Software', 'Networks', 'Capital', 'Studios', 'Retail', 'Biotech', 'Motors'])[1 + mod((hashint8extended((a)::bigint, 22) & 2147483647), 16)] AS noun,
                            timestamptz '2023-01-01 00:00:00+00' + mod((hashint8extended((a)::bigint, 1) & 2147483647), 39312000) * interval '1 second' AS created,
                            1 + mod((hashint8extended((a)::bigint, 9) & 2147483647), 3) AS version,
                            (1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) AS std_plan,
                            (((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3) AS product,
                            book.product[(((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3)] AS product_id,
                            CASE WHEN mod(a, 100) = 0 THEN md5('PLANS/' || 'a' || a)::uuid
                                 ELSE book.plan[(1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2))] END AS plan_id,
                            md5('CONTRACTS/' || a)::uuid AS contract_id,
                            mod(a, 100) = 0 AS bespoke,
                            CASE WHEN mod(a, 100) = 0 THEN 0.80 ELSE 1 END AS discount,
                            (ARRAY[30, 30, 30, 14, 45, 60])[1 + mod((hashint8extended((a)::bigint, 8) & 2147483647), 6)] AS days_before_bill_due,
                            CASE WHEN mod((hashint8extended((a)::bigint, 10) & 2147483647), 3) = 0 THEN 'PO-' || (100000 + mod((hashint8extended((a)::bigint, 13) & 2147483647), 900000)) END AS purchase_order_number
                            OFFSET 0) AS acct
                    CROSS JOIN generate_series(1, 2) AS j
                   WHERE j = 1 OR mod(a, 4) = 0
        $sql$, schema_name) USING accounts, n_products, lo, hi;

        -- commitments: every fifth account, a yearly commitment for 2024 with quarterly fees
        EXECUTE pg_catalog.format($sql$
            INSERT INTO %1$I.commitments (id, version, account_id, billing_plan_id, product_ids, start_date, end_date, currency, amount, amount_pre_paid, amount_first_bill, amount_spent, overage_surcharge_percent, separate_overage_usage, billing_interval, billing_offset, commitment_fee_description, commitment_usage_description, overage_description, commitment_fee_bill_in_advance, bill_epoch, contract_id, accounting_product_id, fees_accounting_product_id, drawdowns_accounting_product_id, child_billing_mode, fee_dates, line_item_types, dt_created, dt_last_modified, created_by, last_modified_by)
            SELECT
                    md5('COMMITMENTS/' || a)::uuid AS id,
                    1 AS version,
                    acct.id AS account_id,
                    acct.plan_id AS billing_plan_id,
                    ARRAY[acct.product_id] AS product_ids,
                    date '2024-01-01' AS start_date,
                    date '2025-01-01' AS end_date,
                    'USD' AS currency,
                    cm.amount AS amount,
                    CASE WHEN mod((hashint8extended((a)::bigint, 25) & 2147483647), 2) = 0 THEN cm.amount ELSE 0.00 END AS amount_pre_paid,
                    round(cm.amount / 4, 2) AS amount_first_bill,
                    round(round(round(mod((hashint8extended((a * 2 + 1)::bigint, 52) & 2147483647), 2000000) / 100.0, 2) * round((ARRAY[0.01, 0.0001, 0.01])[1] * (1 + mod((hashint8extended((acct.std_plan * 3 + 1)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * acct.discount, 6), 2) * 0.6, 2) + round(round(round(mod((hashint8extended((a * 2 + 2)::bigint, 52) & 2147483647), 2000000) / 100.0, 2) * round((ARRAY[0.01, 0.0001, 0.01])[1] * (1 + mod((hashint8extended((acct.std_plan * 3 + 1)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * acct.discount, 6), 2) * 0.6, 2) AS amount_spent,
                    (ARRAY[0, 5, 10])[1 + mod((hashint8extended((a)::bigint, 26) & 2147483647), 3)] AS overage_surcharge_percent,
                    false AS separate_overage_usage,
                    3 AS billing_interval,
                    0 AS billing_offset,
                    'Quarterly commitment fee' AS commitment_fee_description,
                    'Commitment drawdown' AS commitment_usage_description,
                    'Usage above commitment' AS overage_description,
                    true AS commitment_fee_bill_in_advance,
                    date '2024-01-01' AS bill_epoch,
                    acct.contract_id AS contract_id,
                    acct.product_id AS accounting_product_id,
                    acct.product_id AS fees_accounting_product_id,
                    acct.product_id AS drawdowns_accounting_product_id,
                    CASE WHEN mod(a, 10) = 0 THEN 'CHILD' END AS child_billing_mode,
                    (SELECT jsonb_agg(jsonb_build_object(
                            'date', to_char(date '2024-01-01' + q * interval '3 months', 'YYYY-MM-DD'),
                            'amount', round(cm.amount / 4, 2),
                            'servicePeriodStartDate', to_char(date '2024-01-01' + q * interval '3 months', 'YYYY-MM-DD') || 'T00:00:00Z',
                            'servicePeriodEndDate', to_char(date '2024-04-01' + q * interval '3 months', 'YYYY-MM-DD') || 'T00:00:00Z')
                            ORDER BY q)
                       FROM generate_series(0, 3) AS q) AS fee_dates,
                    ((ARRAY['{USAGE}', '{STANDING_CHARGE,USAGE}'])[1 + mod((hashint8extended((a)::bigint, 27) & 2147483647), 2)])::text[] AS line_item_types,
                    timestamptz '2023-12-15 10:00:00+00' + a * interval '1 second' AS dt_created,
                    timestamptz '2024-07-01 02:00:00+00' + a * interval '1 second' AS dt_last_modified,
                    md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 20) & 2147483647), 3)))::uuid::text AS created_by,
                    md5('USER/1')::uuid::text AS last_modified_by
              FROM (SELECT
                        ARRAY(SELECT md5('PRODUCTS/' || p)::uuid FROM generate_series(1, $2) AS p ORDER BY p) AS product,
                        ARRAY(SELECT md5('METERS/' || m)::uuid FROM generate_series(1, 2 * $2) AS m ORDER BY m) AS meter,
                        ARRAY(SELECT md5('AGGREGATIONS/' || g)::uuid FROM generate_series(1, 4 * $2) AS g ORDER BY g) AS aggregation,
                        ARRAY(SELECT md5('COMPOUND_AGGREGATIONS/' || c)::uuid FROM generate_series(1, $2) AS c ORDER BY c) AS compound,
                        ARRAY(SELECT md5('PLANS/' || 's' || s)::uuid FROM generate_series(1, 3 * $2) AS s ORDER BY s) AS plan,
                        ARRAY(SELECT md5('PRICING/' || 's' || s || '/' || k)::uuid
                                FROM generate_series(1, 3 * $2) AS s, generate_series(1, 3) AS k
                               ORDER BY s, k) AS pricing) AS book
                    CROSS JOIN generate_series($3, $4) AS a
                    CROSS JOIN LATERAL (SELECT
                            md5('ACCOUNTS/' || a)::uuid AS id,
                            mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 AS slot,
                            4 * mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 + mod((hashint8extended((a)::bigint, 5) & 2147483647), 4) AS place,
                            (ARRAY['Apex', 'Blue', 'Cedar', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor', 'Iron', 'Juniper', 'Keystone', 'Lumen', 'Maple', 'Nova', 'Orbit', 'Pioneer', 'Quartz', 'River', 'Summit', 'Titan'])[1 + mod((hashint8extended((a)::bigint, 21) & 2147483647), 20)] AS adjective,
                            (ARRAY['Analytics', 'Logistics', 'Labs', 'Systems', 'Health', 'Media', 'Robotics', 'Energy', 'Foods', 'Software', 'Networks', 'Capital', 'Studios', 'Retail', 'Biotech', 'Motors'])[1 + mod((hashint8extended((a)::bigint, 22) & 2147483647), 16)] AS noun,
                            timestamptz '2023-01-01 00:00:00+00' + mod((hashint8extended((a)::bigint, 1) & 2147483647), 39312000) * interval '1 second' AS created,
                            1 + mod((hashint8extended((a)::bigint, 9) & 2147483647), 3) AS version,
                            (1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) AS std_plan,
                            (((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3) AS product,
                            book.product[(((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3)] AS product_id,
                            CASE WHEN mod(a, 100) = 0 THEN md5('PLANS/' || 'a' || a)::uuid
                                 ELSE book.plan[(1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2))] END AS plan_id,
                            md5('CONTRACTS/' || a)::uuid AS contract_id,
                            mod(a, 100) = 0 AS bespoke,
                            CASE WHEN mod(a, 100) = 0 THEN 0.80 ELSE 1 END AS discount,
                            (ARRAY[30, 30, 30, 14, 45, 60])[1 + mod((hashint8extended((a)::bigint, 8) & 2147483647), 6)] AS days_before_bill_due,
                            CASE WHEN mod((hashint8extended((a)::bigint, 10) & 2147483647), 3) = 0 THEN 'PO-' || (100000 + mod((hashint8extended((a)::bigint, 13) & 2147483647), 900000)) END AS purchase_order_number
                            OFFSET 0) AS acct
                    CROSS JOIN LATERAL (SELECT (ARRAY[12000.00, 24000.00, 60000.00, 120000.00])[1 + mod((hashint8extended((a)::bigint, 24) & 2147483647), 4)] AS amount) AS cm
                   WHERE mod(a, 5) = 0
        $sql$, schema_name) USING accounts, n_products, lo, hi;

        -- balances: every third account, a prepaid balance for 2024
        -- (left NULL: overage_description)
        EXECUTE pg_catalog.format($sql$
            INSERT INTO %1$I.balances (id, version, custom_fields, code, name, description, account_id, amount, currency, start_date, end_date, rollover_amount, rollover_end_date, balance_draw_down_description, overage_surcharge_percent, product_ids, line_item_types, contract_id, consumptions_accounting_product_id, fees_accounting_product_id, allow_overdraft, dt_created, dt_last_modified, created_by, last_modified_by)
            SELECT
                    md5('BALANCES/' || a)::uuid AS id,
                    1 AS version,
                    '{}'::jsonb AS custom_fields,
                    'bal-' || lower(acct.adjective) || '-' || lower(acct.noun) || '-' || a AS code,
                    'Prepaid credit' AS name,
                    'Prepaid usage credit for 2024' AS description,
                    acct.id AS account_id,
                    bl.amount AS amount,
                    (ARRAY['USD', 'USD', 'USD', 'USD', 'USD', 'USD', 'EUR', 'EUR', 'GBP', 'JPY'])[acct.slot] AS currency,
                    timestamptz '2024-01-01 00:00:00+00' AS start_date,
                    timestamptz '2025-01-01 00:00:00+00' AS end_date,
                    CASE WHEN mod((hashint8extended((a)::bigint, 29) & 2147483647), 2) = 0 THEN round(bl.amount * 0.1, 2) END AS rollover_amount,
                    CASE WHEN mod((hashint8extended((a)::bigint, 29) & 2147483647), 2) = 0 THEN timestamptz '2025-04-01 00:00:00+00' END AS rollover_end_date,
                    'Drawdown from prepaid credit' AS balance_draw_down_description,
                    0 AS overage_surcharge_percent,
                    ARRAY[acct.product_id] AS product_ids,
                    '{USAGE}'::text[] AS line_item_types,
                    acct.contract_id AS contract_id,
                    acct.product_id AS consumptions_accounting_product_id,
                    acct.product_id AS fees_accounting_product_id,
                    mod((hashint8extended((a)::bigint, 30) & 2147483647), 4) = 0 AS allow_overdraft,
                    timestamptz '2023-12-20 10:00:00+00' + a * interval '1 second' AS dt_created,
                    timestamptz '2023-12-20 10:00:00+00' + a * interval '1 second' AS dt_last_modified,
                    md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 20) & 2147483647), 3)))::uuid::text AS created_by,
                    md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 20) & 2147483647), 3)))::uuid::text AS last_modified_by
              FROM (SELECT
                        ARRAY(SELECT md5('PRODUCTS/' || p)::uuid FROM generate_series(1, $2) AS p ORDER BY p) AS product,
                        ARRAY(SELECT md5('METERS/' || m)::uuid FROM generate_series(1, 2 * $2) AS m ORDER BY m) AS meter,
                        ARRAY(SELECT md5('AGGREGATIONS/' || g)::uuid FROM generate_series(1, 4 * $2) AS g ORDER BY g) AS aggregation,
                        ARRAY(SELECT md5('COMPOUND_AGGREGATIONS/' || c)::uuid FROM generate_series(1, $2) AS c ORDER BY c) AS compound,
                        ARRAY(SELECT md5('PLANS/' || 's' || s)::uuid FROM generate_series(1, 3 * $2) AS s ORDER BY s) AS plan,
                        ARRAY(SELECT md5('PRICING/' || 's' || s || '/' || k)::uuid
                                FROM generate_series(1, 3 * $2) AS s, generate_series(1, 3) AS k
                               ORDER BY s, k) AS pricing) AS book
                    CROSS JOIN generate_series($3, $4) AS a
                    CROSS JOIN LATERAL (SELECT
                            md5('ACCOUNTS/' || a)::uuid AS id,
                            mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 AS slot,
                            4 * mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 + mod((hashint8extended((a)::bigint, 5) & 2147483647), 4) AS place,
                            (ARRAY['Apex', 'Blue', 'Cedar', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor', 'Iron', 'Juniper', 'Keystone', 'Lumen', 'Maple', 'Nova', 'Orbit', 'Pioneer', 'Quartz', 'River', 'Summit', 'Titan'])[1 + mod((hashint8extended((a)::bigint, 21) & 2147483647), 20)] AS adjective,
                            (ARRAY['Analytics', 'Logistics', 'Labs', 'Systems', 'Health', 'Media', 'Robotics', 'Energy', 'Foods', 'Software', 'Networks', 'Capital', 'Studios', 'Retail', 'Biotech', 'Motors'])[1 + mod((hashint8extended((a)::bigint, 22) & 2147483647), 16)] AS noun,
                            timestamptz '2023-01-01 00:00:00+00' + mod((hashint8extended((a)::bigint, 1) & 2147483647), 39312000) * interval '1 second' AS created,
                            1 + mod((hashint8extended((a)::bigint, 9) & 2147483647), 3) AS version,
                            (1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) AS std_plan,
                            (((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3) AS product,
                            book.product[(((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3)] AS product_id,
                            CASE WHEN mod(a, 100) = 0 THEN md5('PLANS/' || 'a' || a)::uuid
                                 ELSE book.plan[(1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2))] END AS plan_id,
                            md5('CONTRACTS/' || a)::uuid AS contract_id,
                            mod(a, 100) = 0 AS bespoke,
                            CASE WHEN mod(a, 100) = 0 THEN 0.80 ELSE 1 END AS discount,
                            (ARRAY[30, 30, 30, 14, 45, 60])[1 + mod((hashint8extended((a)::bigint, 8) & 2147483647), 6)] AS days_before_bill_due,
                            CASE WHEN mod((hashint8extended((a)::bigint, 10) & 2147483647), 3) = 0 THEN 'PO-' || (100000 + mod((hashint8extended((a)::bigint, 13) & 2147483647), 900000)) END AS purchase_order_number
                            OFFSET 0) AS acct
                    CROSS JOIN LATERAL (SELECT (ARRAY[1000.00, 5000.00, 10000.00, 25000.00])[1 + mod((hashint8extended((a)::bigint, 28) & 2147483647), 4)] AS amount) AS bl
                   WHERE mod(a, 3) = 0
        $sql$, schema_name) USING accounts, n_products, lo, hi;

        -- balance transactions: a payment, a promotion and an adjustment per balance
        EXECUTE pg_catalog.format($sql$
            INSERT INTO %1$I.balance_transactions (id, version, description, amount, paid, currency_paid, entity_type, entity_id, transaction_type_id, applied_date, transaction_date, dt_created, dt_last_modified, created_by, last_modified_by, balance_id)
            SELECT
                    md5('BALANCE_TRANSACTIONS/' || a || '/' || j)::uuid AS id,
                    1 AS version,
                    (ARRAY['Initial top-up', 'Promotional credit', 'Manual adjustment'])[j] AS description,
                    tx.amount AS amount,
                    CASE WHEN j = 1 THEN tx.amount ELSE 0.00 END AS paid,
                    (ARRAY['USD', 'USD', 'USD', 'USD', 'USD', 'USD', 'EUR', 'EUR', 'GBP', 'JPY'])[acct.slot] AS currency_paid,
                    (ARRAY['USER', 'SERVICE_USER', 'SCHEDULER'])[j] AS entity_type,
                    CASE WHEN j = 1 THEN (md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 20) & 2147483647), 3)))::uuid::text)::uuid END AS entity_id,
                    md5('TRANSACTION_TYPES/' || (ARRAY[1, 4, 5])[j])::uuid AS transaction_type_id,
                    tx.at AS applied_date,
                    tx.at AS transaction_date,
                    tx.at + interval '1 minute' AS dt_created,
                    tx.at + interval '1 minute' AS dt_last_modified,
                    md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 20) & 2147483647), 3)))::uuid::text AS created_by,
                    md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 20) & 2147483647), 3)))::uuid::text AS last_modified_by,
                    md5('BALANCES/' || a)::uuid AS balance_id
              FROM (SELECT
                        ARRAY(SELECT md5('PRODUCTS/' || p)::uuid FROM generate_series(1, $2) AS p ORDER BY p) AS product,
                        ARRAY(SELECT md5('METERS/' || m)::uuid FROM generate_series(1, 2 * $2) AS m ORDER BY m) AS meter,
                        ARRAY(SELECT md5('AGGREGATIONS/' || g)::uuid FROM generate_series(1, 4 * $2) AS g ORDER BY g) AS aggregation,
                        ARRAY(SELECT md5('COMPOUND_AGGREGATIONS/' || c)::uuid FROM generate_series(1, $2) AS c ORDER BY c) AS compound,
                        ARRAY(SELECT md5('PLANS/' || 's' || s)::uuid FROM generate_series(1, 3 * $2) AS s ORDER BY s) AS plan,
                        ARRAY(SELECT md5('PRICING/' || 's' || s || '/' || k)::uuid
                                FROM generate_series(1, 3 * $2) AS s, generate_series(1, 3) AS k
                               ORDER BY s, k) AS pricing) AS book
                    CROSS JOIN generate_series($3, $4) AS a
                    CROSS JOIN LATERAL (SELECT
                            md5('ACCOUNTS/' || a)::uuid AS id,
                            mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 AS slot,
                            4 * mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 + mod((hashint8extended((a)::bigint, 5) & 2147483647), 4) AS place,
                            (ARRAY['Apex', 'Blue', 'Cedar', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor', 'Iron', 'Juniper', 'Keystone', 'Lumen', 'Maple', 'Nova', 'Orbit', 'Pioneer', 'Quartz', 'River', 'Summit', 'Titan'])[1 + mod((hashint8extended((a)::bigint, 21) & 2147483647), 20)] AS adjective,
                            (ARRAY['Analytics', 'Logistics', 'Labs', 'Systems', 'Health', 'Media', 'Robotics', 'Energy', 'Foods', 'Software', 'Networks', 'Capital', 'Studios', 'Retail', 'Biotech', 'Motors'])[1 + mod((hashint8extended((a)::bigint, 22) & 2147483647), 16)] AS noun,
                            timestamptz '2023-01-01 00:00:00+00' + mod((hashint8extended((a)::bigint, 1) & 2147483647), 39312000) * interval '1 second' AS created,
                            1 + mod((hashint8extended((a)::bigint, 9) & 2147483647), 3) AS version,
                            (1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) AS std_plan,
                            (((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3) AS product,
                            book.product[(((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3)] AS product_id,
                            CASE WHEN mod(a, 100) = 0 THEN md5('PLANS/' || 'a' || a)::uuid
                                 ELSE book.plan[(1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2))] END AS plan_id,
                            md5('CONTRACTS/' || a)::uuid AS contract_id,
                            mod(a, 100) = 0 AS bespoke,
                            CASE WHEN mod(a, 100) = 0 THEN 0.80 ELSE 1 END AS discount,
                            (ARRAY[30, 30, 30, 14, 45, 60])[1 + mod((hashint8extended((a)::bigint, 8) & 2147483647), 6)] AS days_before_bill_due,
                            CASE WHEN mod((hashint8extended((a)::bigint, 10) & 2147483647), 3) = 0 THEN 'PO-' || (100000 + mod((hashint8extended((a)::bigint, 13) & 2147483647), 900000)) END AS purchase_order_number
                            OFFSET 0) AS acct
                    CROSS JOIN generate_series(1, 3) AS j
                    CROSS JOIN LATERAL (SELECT CASE j WHEN 1 THEN (ARRAY[1000.00, 5000.00, 10000.00, 25000.00])[1 + mod((hashint8extended((a)::bigint, 28) & 2147483647), 4)] WHEN 2 THEN (ARRAY[50.00, 100.00, 250.00])[1 + mod((hashint8extended((a)::bigint, 31) & 2147483647), 3)] ELSE (ARRAY[-25.00, -10.00, 15.00, 40.00])[1 + mod((hashint8extended((a)::bigint, 32) & 2147483647), 4)] END AS amount, timestamptz '2024-01-01 08:00:00+00' + (j - 1) * interval '1080 hours' + mod((hashint8extended((a * 3 + j)::bigint, 33) & 2147483647), 86400) * interval '1 second' AS at) AS tx
                   WHERE mod(a, 3) = 0
        $sql$, schema_name) USING accounts, n_products, lo, hi;

        -- bills: May 2024 (approved, locked) and June 2024 (pending) for every account; the total is the sum of the line items
        -- (left NULL: line_items)
        EXECUTE pg_catalog.format($sql$
            INSERT INTO %1$I.bills (id, version, account_id, account_code, start_date, end_date, start_date_time_utc, end_date_time_utc, bill_date, due_date, billing_frequency, bill_frequency_interval, timezone, currency, locked, created_date, status, bill_job_id, currency_conversions, last_calculated_date, purchase_order_number, external_invoice_reference, external_invoice_date, json_statement_generated, csv_statement_generated, statement_stale, bill_total, sequential_invoice_number, dt_created, dt_last_modified, created_by, last_modified_by, dt_approved, approved_by, dt_locked, locked_by)
            SELECT
                    per.bill_id AS id,
                    CASE k WHEN 1 THEN 3 ELSE 1 END AS version,
                    acct.id AS account_id,
                    lower(acct.adjective) || '-' || lower(acct.noun) || '-' || a AS account_code,
                    per.start_date AS start_date,
                    per.end_date AS end_date,
                    per.start_date::timestamp AT TIME ZONE 'UTC' AS start_date_time_utc,
                    per.end_date::timestamp AT TIME ZONE 'UTC' AS end_date_time_utc,
                    per.end_date AS bill_date,
                    per.end_date + acct.days_before_bill_due AS due_date,
                    'MONTHLY' AS billing_frequency,
                    1 AS bill_frequency_interval,
                    'UTC' AS timezone,
                    (ARRAY['USD', 'USD', 'USD', 'USD', 'USD', 'USD', 'EUR', 'EUR', 'GBP', 'JPY'])[acct.slot] AS currency,
                    k = 1 AS locked,
                    per.end_date::timestamp AT TIME ZONE 'UTC' + interval '2 hours' AS created_date,
                    CASE k WHEN 1 THEN 'APPROVED' ELSE 'PENDING' END AS status,
                    md5('BILL_JOBS/' || k)::uuid AS bill_job_id,
                    CASE WHEN (ARRAY['USD', 'USD', 'USD', 'USD', 'USD', 'USD', 'EUR', 'EUR', 'GBP', 'JPY'])[acct.slot] = 'USD' THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object('from', 'USD', 'to', (ARRAY['USD', 'USD', 'USD', 'USD', 'USD', 'USD', 'EUR', 'EUR', 'GBP', 'JPY'])[acct.slot], 'multiplier', (ARRAY[1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 0.92, 0.92, 0.79, 157.30])[acct.slot])) END AS currency_conversions,
                    per.end_date::timestamp AT TIME ZONE 'UTC' + interval '2 hours' AS last_calculated_date,
                    acct.purchase_order_number AS purchase_order_number,
                    CASE WHEN k = 1 THEN 'EXT-' || to_char(per.start_date, 'YYYYMM') || '-' || a END AS external_invoice_reference,
                    CASE WHEN k = 1 THEN per.end_date + 1 END AS external_invoice_date,
                    k = 1 AS json_statement_generated,
                    false AS csv_statement_generated,
                    false AS statement_stale,
                    bt.total AS bill_total,
                    CASE WHEN k = 1 THEN 'INV-' || lpad(a::text, 8, '0') END AS sequential_invoice_number,
                    per.end_date::timestamp AT TIME ZONE 'UTC' + interval '2 hours' AS dt_created,
                    per.end_date::timestamp AT TIME ZONE 'UTC' + CASE k WHEN 1 THEN interval '72 hours' ELSE interval '2 hours' END AS dt_last_modified,
                    'SCHEDULER' AS created_by,
                    CASE k WHEN 1 THEN md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 34) & 2147483647), 3)))::uuid::text ELSE 'SCHEDULER' END AS last_modified_by,
                    CASE WHEN k = 1 THEN per.end_date::timestamp AT TIME ZONE 'UTC' + interval '72 hours' END AS dt_approved,
                    CASE WHEN k = 1 THEN md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 34) & 2147483647), 3)))::uuid::text END AS approved_by,
                    CASE WHEN k = 1 THEN per.end_date::timestamp AT TIME ZONE 'UTC' + interval '72 hours' END AS dt_locked,
                    CASE WHEN k = 1 THEN md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 34) & 2147483647), 3)))::uuid::text END AS locked_by
              FROM (SELECT
                        ARRAY(SELECT md5('PRODUCTS/' || p)::uuid FROM generate_series(1, $2) AS p ORDER BY p) AS product,
                        ARRAY(SELECT md5('METERS/' || m)::uuid FROM generate_series(1, 2 * $2) AS m ORDER BY m) AS meter,
                        ARRAY(SELECT md5('AGGREGATIONS/' || g)::uuid FROM generate_series(1, 4 * $2) AS g ORDER BY g) AS aggregation,
                        ARRAY(SELECT md5('COMPOUND_AGGREGATIONS/' || c)::uuid FROM generate_series(1, $2) AS c ORDER BY c) AS compound,
                        ARRAY(SELECT md5('PLANS/' || 's' || s)::uuid FROM generate_series(1, 3 * $2) AS s ORDER BY s) AS plan,
                        ARRAY(SELECT md5('PRICING/' || 's' || s || '/' || k)::uuid
                                FROM generate_series(1, 3 * $2) AS s, generate_series(1, 3) AS k
                               ORDER BY s, k) AS pricing) AS book
                    CROSS JOIN generate_series($3, $4) AS a
                    CROSS JOIN LATERAL (SELECT
                            md5('ACCOUNTS/' || a)::uuid AS id,
                            mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 AS slot,
                            4 * mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 + mod((hashint8extended((a)::bigint, 5) & 2147483647), 4) AS place,
                            (ARRAY['Apex', 'Blue', 'Cedar', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor', 'Iron', 'Juniper', 'Keystone', 'Lumen', 'Maple', 'Nova', 'Orbit', 'Pioneer', 'Quartz', 'River', 'Summit', 'Titan'])[1 + mod((hashint8extended((a)::bigint, 21) & 2147483647), 20)] AS adjective,
                            (ARRAY['Analytics', 'Logistics', 'Labs', 'Systems', 'Health', 'Media', 'Robotics', 'Energy', 'Foods', 'Software', 'Networks', 'Capital', 'Studios', 'Retail', 'Biotech', 'Motors'])[1 + mod((hashint8extended((a)::bigint, 22) & 2147483647), 16)] AS noun,
                            timestamptz '2023-01-01 00:00:00+00' + mod((hashint8extended((a)::bigint, 1) & 2147483647), 39312000) * interval '1 second' AS created,
                            1 + mod((hashint8extended((a)::bigint, 9) & 2147483647), 3) AS version,
                            (1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) AS std_plan,
                            (((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3) AS product,
                            book.product[(((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3)] AS product_id,
                            CASE WHEN mod(a, 100) = 0 THEN md5('PLANS/' || 'a' || a)::uuid
                                 ELSE book.plan[(1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2))] END AS plan_id,
                            md5('CONTRACTS/' || a)::uuid AS contract_id,
                            mod(a, 100) = 0 AS bespoke,
                            CASE WHEN mod(a, 100) = 0 THEN 0.80 ELSE 1 END AS discount,
                            (ARRAY[30, 30, 30, 14, 45, 60])[1 + mod((hashint8extended((a)::bigint, 8) & 2147483647), 6)] AS days_before_bill_due,
                            CASE WHEN mod((hashint8extended((a)::bigint, 10) & 2147483647), 3) = 0 THEN 'PO-' || (100000 + mod((hashint8extended((a)::bigint, 13) & 2147483647), 900000)) END AS purchase_order_number
                            OFFSET 0) AS acct
                    CROSS JOIN generate_series(1, 2) AS k
                    CROSS JOIN LATERAL (SELECT (date '2024-04-01' + k * interval '1 month')::date AS start_date,
                                   (date '2024-05-01' + k * interval '1 month')::date AS end_date,
                                   md5('BILLS/' || a || '/' || k)::uuid AS bill_id
                            OFFSET 0) AS per
                    CROSS JOIN LATERAL (SELECT sum(round((CASE kind
                        WHEN 1 THEN round((ARRAY[49.00, 249.00, 1499.00])[(1 + mod(acct.std_plan - 1, 3))] * acct.discount, 2)
                        WHEN 2 THEN round(round(mod((hashint8extended((a * 2 + k)::bigint, 52) & 2147483647), 2000000) / 100.0, 2) * round((ARRAY[0.01, 0.0001, 0.01])[1] * (1 + mod((hashint8extended((acct.std_plan * 3 + 1)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * acct.discount, 6), 2)
                        WHEN 3 THEN round(mod((hashint8extended((a * 2 + k)::bigint, 53) & 2147483647), 5000000)::numeric * round((ARRAY[0.01, 0.0001, 0.01])[2] * (1 + mod((hashint8extended((acct.std_plan * 3 + 2)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * acct.discount, 6), 2)
                        WHEN 4 THEN round(round(mod((hashint8extended((a * 2 + k)::bigint, 54) & 2147483647), 1000000) / 100.0, 2) * round((ARRAY[0.01, 0.0001, 0.01])[3] * (1 + mod((hashint8extended((acct.std_plan * 3 + 3)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * acct.discount, 6), 2)
                        WHEN 5 THEN -round(round(round(mod((hashint8extended((a * 2 + k)::bigint, 52) & 2147483647), 2000000) / 100.0, 2) * round((ARRAY[0.01, 0.0001, 0.01])[1] * (1 + mod((hashint8extended((acct.std_plan * 3 + 1)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * acct.discount, 6), 2) * 0.6, 2)
                        WHEN 6 THEN -round(round(round(mod((hashint8extended((a * 2 + k)::bigint, 52) & 2147483647), 2000000) / 100.0, 2) * round((ARRAY[0.01, 0.0001, 0.01])[1] * (1 + mod((hashint8extended((acct.std_plan * 3 + 1)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * acct.discount, 6), 2) * 0.3, 2)
                        WHEN 7 THEN (1 + mod((hashint8extended((a)::bigint, 61) & 2147483647), 10)) * (ARRAY[25.00, 50.00, 100.00, 250.00])[1 + mod((hashint8extended((a)::bigint, 62) & 2147483647), 4)]
                        WHEN 8 THEN -round(round(round(mod((hashint8extended((a * 2 + 1)::bigint, 52) & 2147483647), 2000000) / 100.0, 2) * round((ARRAY[0.01, 0.0001, 0.01])[1] * (1 + mod((hashint8extended((acct.std_plan * 3 + 1)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * acct.discount, 6), 2) * 0.1, 2)
                    END) * (ARRAY[1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 0.92, 0.92, 0.79, 157.30])[acct.slot], 2)) AS total
                      FROM generate_series(1, 8) AS kind
                     WHERE CASE kind WHEN 3 THEN mod((hashint8extended((a * 2 + k)::bigint, 43) & 2147483647), 3) <> 0 WHEN 4 THEN mod((hashint8extended((a * 2 + k)::bigint, 44) & 2147483647), 4) = 0 WHEN 5 THEN mod(a, 5) = 0 WHEN 6 THEN mod(a, 3) = 0 WHEN 7 THEN mod(a, 4) = 0 AND k = 2 WHEN 8 THEN mod(a, 50) = 0 AND k = 2 ELSE true END) AS bt
        $sql$, schema_name) USING accounts, n_products, lo, hi;

        -- charges: every fourth account, on its June bill (a fee on the balance for every twelfth)
        -- (left NULL: notes, schedule_id)
        EXECUTE pg_catalog.format($sql$
            INSERT INTO %1$I.charges (id, version, name, code, account_id, bill_date, amount, units, unit_price, currency, description, entity_type, entity_id, bill_id, accounting_product_id, service_period_start_date, service_period_end_date, contract_id, line_item_type, dt_created, dt_last_modified, created_by, last_modified_by)
            SELECT
                    md5('CHARGES/' || a)::uuid AS id,
                    1 AS version,
                    CASE WHEN mod(a, 12) = 0 THEN 'Balance top-up fee' ELSE 'Onboarding services' END AS name,
                    'chg-' || lower(acct.adjective) || '-' || lower(acct.noun) || '-' || a AS code,
                    acct.id AS account_id,
                    date '2024-07-01' AS bill_date,
                    (1 + mod((hashint8extended((a)::bigint, 61) & 2147483647), 10)) * (ARRAY[25.00, 50.00, 100.00, 250.00])[1 + mod((hashint8extended((a)::bigint, 62) & 2147483647), 4)] AS amount,
                    (1 + mod((hashint8extended((a)::bigint, 61) & 2147483647), 10)) AS units,
                    (ARRAY[25.00, 50.00, 100.00, 250.00])[1 + mod((hashint8extended((a)::bigint, 62) & 2147483647), 4)] AS unit_price,
                    'USD' AS currency,
                    CASE WHEN mod(a, 12) = 0 THEN 'Fee for topping up the prepaid balance' ELSE 'Professional services, hours' END AS description,
                    CASE WHEN mod(a, 12) = 0 THEN 'BALANCE' ELSE 'AD_HOC' END AS entity_type,
                    CASE WHEN mod(a, 12) = 0 THEN md5('BALANCES/' || a)::uuid END AS entity_id,
                    md5('BILLS/' || a || '/2')::uuid AS bill_id,
                    acct.product_id AS accounting_product_id,
                    timestamptz '2024-06-01 00:00:00+00' AS service_period_start_date,
                    timestamptz '2024-07-01 00:00:00+00' AS service_period_end_date,
                    acct.contract_id AS contract_id,
                    CASE WHEN mod(a, 12) = 0 THEN 'BALANCE_FEE' ELSE 'AD_HOC' END AS line_item_type,
                    timestamptz '2024-06-10 09:00:00+00' + a * interval '1 second' AS dt_created,
                    timestamptz '2024-06-10 09:00:00+00' + a * interval '1 second' AS dt_last_modified,
                    md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 20) & 2147483647), 3)))::uuid::text AS created_by,
                    md5('USER/' || (1 + mod((hashint8extended((a)::bigint, 20) & 2147483647), 3)))::uuid::text AS last_modified_by
              FROM (SELECT
                        ARRAY(SELECT md5('PRODUCTS/' || p)::uuid FROM generate_series(1, $2) AS p ORDER BY p) AS product,
                        ARRAY(SELECT md5('METERS/' || m)::uuid FROM generate_series(1, 2 * $2) AS m ORDER BY m) AS meter,
                        ARRAY(SELECT md5('AGGREGATIONS/' || g)::uuid FROM generate_series(1, 4 * $2) AS g ORDER BY g) AS aggregation,
                        ARRAY(SELECT md5('COMPOUND_AGGREGATIONS/' || c)::uuid FROM generate_series(1, $2) AS c ORDER BY c) AS compound,
                        ARRAY(SELECT md5('PLANS/' || 's' || s)::uuid FROM generate_series(1, 3 * $2) AS s ORDER BY s) AS plan,
                        ARRAY(SELECT md5('PRICING/' || 's' || s || '/' || k)::uuid
                                FROM generate_series(1, 3 * $2) AS s, generate_series(1, 3) AS k
                               ORDER BY s, k) AS pricing) AS book
                    CROSS JOIN generate_series($3, $4) AS a
                    CROSS JOIN LATERAL (SELECT
                            md5('ACCOUNTS/' || a)::uuid AS id,
                            mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 AS slot,
                            4 * mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 + mod((hashint8extended((a)::bigint, 5) & 2147483647), 4) AS place,
                            (ARRAY['Apex', 'Blue', 'Cedar', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor', 'Iron', 'Juniper', 'Keystone', 'Lumen', 'Maple', 'Nova', 'Orbit', 'Pioneer', 'Quartz', 'River', 'Summit', 'Titan'])[1 + mod((hashint8extended((a)::bigint, 21) & 2147483647), 20)] AS adjective,
                            (ARRAY['Analytics', 'Logistics', 'Labs', 'Systems', 'Health', 'Media', 'Robotics', 'Energy', 'Foods', 'Software', 'Networks', 'Capital', 'Studios', 'Retail', 'Biotech', 'Motors'])[1 + mod((hashint8extended((a)::bigint, 22) & 2147483647), 16)] AS noun,
                            timestamptz '2023-01-01 00:00:00+00' + mod((hashint8extended((a)::bigint, 1) & 2147483647), 39312000) * interval '1 second' AS created,
                            1 + mod((hashint8extended((a)::bigint, 9) & 2147483647), 3) AS version,
                            (1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) AS std_plan,
                            (((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3) AS product,
                            book.product[(((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3)] AS product_id,
                            CASE WHEN mod(a, 100) = 0 THEN md5('PLANS/' || 'a' || a)::uuid
                                 ELSE book.plan[(1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2))] END AS plan_id,
                            md5('CONTRACTS/' || a)::uuid AS contract_id,
                            mod(a, 100) = 0 AS bespoke,
                            CASE WHEN mod(a, 100) = 0 THEN 0.80 ELSE 1 END AS discount,
                            (ARRAY[30, 30, 30, 14, 45, 60])[1 + mod((hashint8extended((a)::bigint, 8) & 2147483647), 6)] AS days_before_bill_due,
                            CASE WHEN mod((hashint8extended((a)::bigint, 10) & 2147483647), 3) = 0 THEN 'PO-' || (100000 + mod((hashint8extended((a)::bigint, 13) & 2147483647), 900000)) END AS purchase_order_number
                            OFFSET 0) AS acct
                   WHERE mod(a, 4) = 0
        $sql$, schema_name) USING accounts, n_products, lo, hi;

        -- bill line items: two to seven per bill (standing charge, usage, commitment and balance drawdowns, charges, credits)
        -- (left NULL: counter_id, segment, group, plan_group_id, credit_type_id, reason_id, additional)
        EXECUTE pg_catalog.format($sql$
            INSERT INTO %1$I.bill_line_items (id, version, line_item_type, product_id, description, service_period_start_date, service_period_end_date, referenced_bill_id, referenced_line_item_id, dt_created, dt_last_modified, created_by, last_modified_by, product_name, product_code, accounting_product_id, accounting_product_name, accounting_product_code, aggregation_id, compound_aggregation_id, charge_id, meter_id, plan_id, commitment_id, balance_id, bill_id, quantity, units, unit, subtotal, currency, conversion_rate, converted_subtotal, pricing_id, band_usage, contract_id, json_usage_generated, average_unit_price, sequence_number)
            SELECT
                    md5('BILL_LINE_ITEMS/' || a || '/' || k || '/' || li.kind)::uuid AS id,
                    1 AS version,
                    CASE WHEN li.kind = 7 THEN CASE WHEN mod(a, 12) = 0 THEN 'BALANCE_FEE' ELSE 'AD_HOC' END ELSE (ARRAY['STANDING_CHARGE', 'USAGE', 'USAGE', 'USAGE', 'COMMITMENT_CONSUMED', 'BALANCE_CONSUMED', 'AD_HOC', 'USAGE_CREDIT'])[li.kind] END AS line_item_type,
                    acct.product_id AS product_id,
                    CASE li.kind
                        WHEN 1 THEN 'Standing charge'
                        WHEN 5 THEN 'Commitment drawdown'
                        WHEN 6 THEN 'Prepaid balance drawdown'
                        WHEN 7 THEN CASE WHEN mod(a, 12) = 0 THEN 'Balance top-up fee' ELSE 'Onboarding services' END
                        WHEN 8 THEN 'Credit: usage adjustment for May 2024'
                        ELSE (ARRAY['Usage', 'Requests', 'Blended usage'])[amt.pricing_no] || ' (' || (ARRAY['Compute', 'Storage', 'Data Transfer', 'API Gateway', 'Analytics', 'Messaging', 'Search', 'Observability', 'Identity', 'Streaming', 'Backup', 'Support'])[1 + mod(acct.product - 1, 12)] || CASE WHEN acct.product > 12 THEN ' ' || ((acct.product - 1) / 12 + 1) ELSE '' END || ')'
                    END AS description,
                    per.start_date::timestamp AT TIME ZONE 'UTC' AS service_period_start_date,
                    per.end_date::timestamp AT TIME ZONE 'UTC' AS service_period_end_date,
                    CASE WHEN li.kind = 8 THEN md5('BILLS/' || a || '/1')::uuid END AS referenced_bill_id,
                    CASE WHEN li.kind = 8 THEN md5('BILL_LINE_ITEMS/' || a || '/1/2')::uuid END AS referenced_line_item_id,
                    per.end_date::timestamp AT TIME ZONE 'UTC' + interval '2 hours' AS dt_created,
                    per.end_date::timestamp AT TIME ZONE 'UTC' + interval '2 hours' AS dt_last_modified,
                    'SCHEDULER' AS created_by,
                    'SCHEDULER' AS last_modified_by,
                    (ARRAY['Compute', 'Storage', 'Data Transfer', 'API Gateway', 'Analytics', 'Messaging', 'Search', 'Observability', 'Identity', 'Streaming', 'Backup', 'Support'])[1 + mod(acct.product - 1, 12)] || CASE WHEN acct.product > 12 THEN ' ' || ((acct.product - 1) / 12 + 1) ELSE '' END AS product_name,
                    (ARRAY['compute', 'storage', 'data_transfer', 'api_gateway', 'analytics', 'messaging', 'search', 'observability', 'identity', 'streaming', 'backup', 'support'])[1 + mod(acct.product - 1, 12)] || CASE WHEN acct.product > 12 THEN '_' || ((acct.product - 1) / 12 + 1) ELSE '' END AS product_code,
                    acct.product_id AS accounting_product_id,
                    (ARRAY['Compute', 'Storage', 'Data Transfer', 'API Gateway', 'Analytics', 'Messaging', 'Search', 'Observability', 'Identity', 'Streaming', 'Backup', 'Support'])[1 + mod(acct.product - 1, 12)] || CASE WHEN acct.product > 12 THEN ' ' || ((acct.product - 1) / 12 + 1) ELSE '' END AS accounting_product_name,
                    (ARRAY['compute', 'storage', 'data_transfer', 'api_gateway', 'analytics', 'messaging', 'search', 'observability', 'identity', 'streaming', 'backup', 'support'])[1 + mod(acct.product - 1, 12)] || CASE WHEN acct.product > 12 THEN '_' || ((acct.product - 1) / 12 + 1) ELSE '' END AS accounting_product_code,
                    CASE WHEN amt.pricing_no < 3 THEN book.aggregation[(4 * (((acct.std_plan + 2) / 3) - 1) + 2 * amt.pricing_no - 1)] END AS aggregation_id,
                    CASE WHEN amt.pricing_no = 3 THEN book.compound[acct.product] END AS compound_aggregation_id,
                    CASE WHEN li.kind = 7 THEN md5('CHARGES/' || a)::uuid END AS charge_id,
                    CASE WHEN amt.pricing_no < 3 THEN book.meter[2 * (acct.product - 1) + amt.pricing_no] END AS meter_id,
                    CASE WHEN li.kind <= 4 THEN acct.plan_id END AS plan_id,
                    CASE WHEN li.kind = 5 THEN md5('COMMITMENTS/' || a)::uuid END AS commitment_id,
                    CASE WHEN li.kind = 6 THEN md5('BALANCES/' || a)::uuid END AS balance_id,
                    per.bill_id AS bill_id,
                    amt.quantity AS quantity,
                    amt.quantity AS units,
                    CASE amt.pricing_no
                        WHEN 1 THEN (ARRAY['vCPU-hours', 'GiB-months', 'GiB', 'calls', 'queries', 'messages', 'searches', 'GiB ingested', 'active users', 'stream-hours', 'GiB-months', 'tickets'])[1 + mod(acct.product - 1, 12)]
                        WHEN 2 THEN 'requests'
                        WHEN 3 THEN 'units'
                    END AS unit,
                    amt.subtotal AS subtotal,
                    'USD' AS currency,
                    (ARRAY[1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 0.92, 0.92, 0.79, 157.30])[acct.slot] AS conversion_rate,
                    round(amt.subtotal * (ARRAY[1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 0.92, 0.92, 0.79, 157.30])[acct.slot], 2) AS converted_subtotal,
                    CASE WHEN amt.pricing_no IS NOT NULL THEN CASE WHEN acct.bespoke THEN md5('PRICING/' || 'a' || a || '/' || amt.pricing_no)::uuid ELSE book.pricing[3 * (acct.std_plan - 1) + amt.pricing_no] END END AS pricing_id,
                    CASE WHEN amt.pricing_no IS NOT NULL THEN jsonb_build_array(jsonb_build_object(
                        'lowerLimit', 0, 'bandQuantity', amt.quantity,
                        'unitPrice', round((ARRAY[0.01, 0.0001, 0.01])[amt.pricing_no] * (1 + mod((hashint8extended((acct.std_plan * 3 + amt.pricing_no)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * acct.discount, 6),
                        'bandSubtotal', amt.subtotal)) END AS band_usage,
                    acct.contract_id AS contract_id,
                    false AS json_usage_generated,
                    CASE WHEN amt.quantity <> 0 THEN round(amt.subtotal / amt.quantity, 6) END AS average_unit_price,
                    li.seq AS sequence_number
              FROM (SELECT
                        ARRAY(SELECT md5('PRODUCTS/' || p)::uuid FROM generate_series(1, $2) AS p ORDER BY p) AS product,
                        ARRAY(SELECT md5('METERS/' || m)::uuid FROM generate_series(1, 2 * $2) AS m ORDER BY m) AS meter,
                        ARRAY(SELECT md5('AGGREGATIONS/' || g)::uuid FROM generate_series(1, 4 * $2) AS g ORDER BY g) AS aggregation,
                        ARRAY(SELECT md5('COMPOUND_AGGREGATIONS/' || c)::uuid FROM generate_series(1, $2) AS c ORDER BY c) AS compound,
                        ARRAY(SELECT md5('PLANS/' || 's' || s)::uuid FROM generate_series(1, 3 * $2) AS s ORDER BY s) AS plan,
                        ARRAY(SELECT md5('PRICING/' || 's' || s || '/' || k)::uuid
                                FROM generate_series(1, 3 * $2) AS s, generate_series(1, 3) AS k
                               ORDER BY s, k) AS pricing) AS book
                    CROSS JOIN generate_series($3, $4) AS a
                    CROSS JOIN LATERAL (SELECT
                            md5('ACCOUNTS/' || a)::uuid AS id,
                            mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 AS slot,
                            4 * mod((hashint8extended((a)::bigint, 3) & 2147483647), 10) + 1 + mod((hashint8extended((a)::bigint, 5) & 2147483647), 4) AS place,
                            (ARRAY['Apex', 'Blue', 'Cedar', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor', 'Iron', 'Juniper', 'Keystone', 'Lumen', 'Maple', 'Nova', 'Orbit', 'Pioneer', 'Quartz', 'River', 'Summit', 'Titan'])[1 + mod((hashint8extended((a)::bigint, 21) & 2147483647), 20)] AS adjective,
                            (ARRAY['Analytics', 'Logistics', 'Labs', 'Systems', 'Health', 'Media', 'Robotics', 'Energy', 'Foods', 'Software', 'Networks', 'Capital', 'Studios', 'Retail', 'Biotech', 'Motors'])[1 + mod((hashint8extended((a)::bigint, 22) & 2147483647), 16)] AS noun,
                            timestamptz '2023-01-01 00:00:00+00' + mod((hashint8extended((a)::bigint, 1) & 2147483647), 39312000) * interval '1 second' AS created,
                            1 + mod((hashint8extended((a)::bigint, 9) & 2147483647), 3) AS version,
                            (1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) AS std_plan,
                            (((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3) AS product,
                            book.product[(((1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2)) + 2) / 3)] AS product_id,
                            CASE WHEN mod(a, 100) = 0 THEN md5('PLANS/' || 'a' || a)::uuid
                                 ELSE book.plan[(1 + mod((hashint8extended((a)::bigint, 11) & 2147483647), 3 * $2))] END AS plan_id,
                            md5('CONTRACTS/' || a)::uuid AS contract_id,
                            mod(a, 100) = 0 AS bespoke,
                            CASE WHEN mod(a, 100) = 0 THEN 0.80 ELSE 1 END AS discount,
                            (ARRAY[30, 30, 30, 14, 45, 60])[1 + mod((hashint8extended((a)::bigint, 8) & 2147483647), 6)] AS days_before_bill_due,
                            CASE WHEN mod((hashint8extended((a)::bigint, 10) & 2147483647), 3) = 0 THEN 'PO-' || (100000 + mod((hashint8extended((a)::bigint, 13) & 2147483647), 900000)) END AS purchase_order_number
                            OFFSET 0) AS acct
                    CROSS JOIN generate_series(1, 2) AS k
                    CROSS JOIN LATERAL (SELECT (date '2024-04-01' + k * interval '1 month')::date AS start_date,
                                   (date '2024-05-01' + k * interval '1 month')::date AS end_date,
                                   md5('BILLS/' || a || '/' || k)::uuid AS bill_id
                            OFFSET 0) AS per
                    CROSS JOIN LATERAL (SELECT kind, row_number() OVER (ORDER BY kind) AS seq
                              FROM generate_series(1, 8) AS kind
                             WHERE CASE kind WHEN 3 THEN mod((hashint8extended((a * 2 + k)::bigint, 43) & 2147483647), 3) <> 0 WHEN 4 THEN mod((hashint8extended((a * 2 + k)::bigint, 44) & 2147483647), 4) = 0 WHEN 5 THEN mod(a, 5) = 0 WHEN 6 THEN mod(a, 3) = 0 WHEN 7 THEN mod(a, 4) = 0 AND k = 2 WHEN 8 THEN mod(a, 50) = 0 AND k = 2 ELSE true END) AS li
                    CROSS JOIN LATERAL (SELECT
                        CASE li.kind
                            WHEN 1 THEN round((ARRAY[49.00, 249.00, 1499.00])[(1 + mod(acct.std_plan - 1, 3))] * acct.discount, 2)
                            WHEN 2 THEN round(round(mod((hashint8extended((a * 2 + k)::bigint, 52) & 2147483647), 2000000) / 100.0, 2) * round((ARRAY[0.01, 0.0001, 0.01])[1] * (1 + mod((hashint8extended((acct.std_plan * 3 + 1)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * acct.discount, 6), 2)
                            WHEN 3 THEN round(mod((hashint8extended((a * 2 + k)::bigint, 53) & 2147483647), 5000000)::numeric * round((ARRAY[0.01, 0.0001, 0.01])[2] * (1 + mod((hashint8extended((acct.std_plan * 3 + 2)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * acct.discount, 6), 2)
                            WHEN 4 THEN round(round(mod((hashint8extended((a * 2 + k)::bigint, 54) & 2147483647), 1000000) / 100.0, 2) * round((ARRAY[0.01, 0.0001, 0.01])[3] * (1 + mod((hashint8extended((acct.std_plan * 3 + 3)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * acct.discount, 6), 2)
                            WHEN 5 THEN -round(round(round(mod((hashint8extended((a * 2 + k)::bigint, 52) & 2147483647), 2000000) / 100.0, 2) * round((ARRAY[0.01, 0.0001, 0.01])[1] * (1 + mod((hashint8extended((acct.std_plan * 3 + 1)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * acct.discount, 6), 2) * 0.6, 2)
                            WHEN 6 THEN -round(round(round(mod((hashint8extended((a * 2 + k)::bigint, 52) & 2147483647), 2000000) / 100.0, 2) * round((ARRAY[0.01, 0.0001, 0.01])[1] * (1 + mod((hashint8extended((acct.std_plan * 3 + 1)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * acct.discount, 6), 2) * 0.3, 2)
                            WHEN 7 THEN (1 + mod((hashint8extended((a)::bigint, 61) & 2147483647), 10)) * (ARRAY[25.00, 50.00, 100.00, 250.00])[1 + mod((hashint8extended((a)::bigint, 62) & 2147483647), 4)]
                            WHEN 8 THEN -round(round(round(mod((hashint8extended((a * 2 + 1)::bigint, 52) & 2147483647), 2000000) / 100.0, 2) * round((ARRAY[0.01, 0.0001, 0.01])[1] * (1 + mod((hashint8extended((acct.std_plan * 3 + 1)::bigint, 31) & 2147483647), 50)) * (ARRAY[1, 0.8, 0.6, 1.5])[1] * acct.discount, 6), 2) * 0.1, 2)
                        END AS subtotal,
                        CASE li.kind
                            WHEN 2 THEN round(mod((hashint8extended((a * 2 + k)::bigint, 52) & 2147483647), 2000000) / 100.0, 2)
                            WHEN 3 THEN mod((hashint8extended((a * 2 + k)::bigint, 53) & 2147483647), 5000000)::numeric
                            WHEN 4 THEN round(mod((hashint8extended((a * 2 + k)::bigint, 54) & 2147483647), 1000000) / 100.0, 2)
                            WHEN 7 THEN (1 + mod((hashint8extended((a)::bigint, 61) & 2147483647), 10))
                            ELSE 1
                        END AS quantity,
                        CASE WHEN li.kind IN (2, 3, 4) THEN li.kind - 1 END AS pricing_no) AS amt
        $sql$, schema_name) USING accounts, n_products, lo, hi;

        lo := hi + 1;
    END LOOP;

    FOREACH ddl IN ARRAY coalesce(add_indexes, '{}') || coalesce(add_fks, '{}') LOOP
        EXECUTE ddl;
    END LOOP;
END
$function$;

COMMENT ON FUNCTION dataexport.generate_m3ter_data(name, integer) IS
'fills an empty m3ter model with reproducible demo data, scaled by a number of accounts';

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
-- and checks SELECT on the table).  The capture trigger
-- function is closed: a trigger runs without an EXECUTE check, and closing
-- it keeps roles from attaching it to tables of their own.
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
                    '_timing_next', '_changes')
    LOOP
        EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO PUBLIC', f);
    END LOOP;
END
$$;

GRANT USAGE ON SCHEMA dataexport TO PUBLIC;
GRANT SELECT ON dataexport.entities, dataexport.schedules, dataexport.jobs,
                dataexport.job_files, dataexport.destinations TO PUBLIC;

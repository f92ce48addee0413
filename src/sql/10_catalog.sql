
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

-- The change log written by the capture trigger (capture.c).  Each row holds
-- entries of one table changed by one top-level transaction (txid): keys,
-- the changed keys as JSON objects of the key columns, and for deletions
-- old_rows, each key's last values, in the same order (DELETE, TRUNCATE,
-- or an UPDATE that changed the key).  A row without old_rows lists
-- upserts (INSERT, UPDATE), dozens of keys to a row.  seq orders the
-- deletions of a key; upserts have none.  Which rows a job exports is
-- decided by transaction snapshots over txid (job_runner.c), never by seq
-- or by time.  The log has no index: an index entry per log row cost a
-- single-row write as much as the log row itself, and a job reads the log
-- whole, once per table, which pruning keeps to the changes some schedule
-- has yet to export.
CREATE SEQUENCE dataexport.change_seq;

CREATE TABLE dataexport.change_log (
    txid     xid8   NOT NULL,
    relid    oid    NOT NULL,
    seq      bigint,
    keys     json[] NOT NULL,
    old_rows json[]
);

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


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

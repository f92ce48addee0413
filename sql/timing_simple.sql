--
-- Simple-mode timing: every N minutes, hours or days, with an optional
-- offset (SPEC section 4).  dataexport._timing_next(schedule_type, period,
-- schedule_offset, cron_expression, anchor, after, n) lists the first n
-- instants of the grid strictly after "after"; the anchor is the creation
-- (or last timing change) of the schedule.  Everything is UTC.
--
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

CREATE FUNCTION pg_temp.grid(schedule_type text, period int, schedule_offset int,
                             anchor timestamptz, after timestamptz, n int DEFAULT 4)
RETURNS SETOF text LANGUAGE sql AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'Dy YYYY-MM-DD HH24:MI:SS') || ' UTC'
    FROM dataexport._timing_next(schedule_type, period, schedule_offset, NULL,
                                 anchor, after, n) AS t
$$;

-- schedule_type is accepted in any letter case and stored upper case.
SELECT dataexport._timing_check('minute', 15, NULL, NULL) AS minute,
       dataexport._timing_check('Hour', 1, NULL, NULL) AS hour,
       dataexport._timing_check('dAY', 1, 0, NULL) AS day;

-- SPEC's example: created at 10:00 on 1 June 2024, every 2 days.  The
-- initial export runs at once (not part of the grid); then 3 June, 5 June ...
SELECT * FROM pg_temp.grid('DAY', 2, NULL,
                           '2024-06-01 10:00:00+00', '2024-06-01 10:00:00+00');

-- The anchor is the creation time truncated to the second.
SELECT * FROM pg_temp.grid('MINUTE', 15, NULL,
                           '2024-06-01 10:00:07.750+00', '2024-06-01 10:00:07.750+00', 3);

-- "Strictly after": an instant of the grid is not after itself; anything
-- before the first instant yields the grid from its start.
SELECT * FROM pg_temp.grid('HOUR', 6, NULL,
                           '2024-06-01 10:00:00+00', '2024-06-01 22:00:00+00', 2);
SELECT * FROM pg_temp.grid('HOUR', 6, NULL,
                           '2024-06-01 10:00:00+00', '2024-06-01 21:59:59.999999+00', 2);
SELECT * FROM pg_temp.grid('HOUR', 6, NULL,
                           '2024-06-01 10:00:00+00', '2020-01-01 00:00:00+00', 2);

-- Far from the anchor the grid stays on anchor + k * period (every 7 hours
-- from 10:00 on 1 June 2024, a million hours later).
SELECT * FROM pg_temp.grid('HOUR', 7, NULL,
                           '2024-06-01 10:00:00+00', '2138-07-28 00:00:00+00', 3);

-- HOUR with an offset: minute "offset" of the hour, from the first such
-- instant strictly after the anchor, then every period hours.
SELECT * FROM pg_temp.grid('HOUR', 1, 30,
                           '2024-06-01 10:00:00+00', '2024-06-01 10:00:00+00', 3);
SELECT * FROM pg_temp.grid('HOUR', 1, 30,   -- created exactly at 10:30
                           '2024-06-01 10:30:00+00', '2024-06-01 10:30:00+00', 2);
SELECT * FROM pg_temp.grid('HOUR', 2, 15,   -- period > 1 with an offset
                           '2024-06-01 10:20:00+00', '2024-06-01 10:20:00+00');
SELECT * FROM pg_temp.grid('HOUR', 5, 59,   -- across midnight into 29 February
                           '2024-02-28 22:00:00+00', '2024-02-28 22:00:00+00');
SELECT * FROM pg_temp.grid('HOUR', 3, 0,    -- offset 0: on the hour
                           '2024-06-01 10:00:00.5+00', '2024-06-01 10:00:00.5+00', 3);

-- DAY with an offset: hour "offset" (UTC) at minute 0, from the first such
-- instant strictly after the anchor, then every period days.
SELECT * FROM pg_temp.grid('DAY', 1, 6,
                           '2024-06-01 10:00:00+00', '2024-06-01 10:00:00+00', 3);
SELECT * FROM pg_temp.grid('DAY', 2, 23,    -- the first run can come soon after creation
                           '2024-06-01 22:59:00+00', '2024-06-01 22:59:00+00', 3);
SELECT * FROM pg_temp.grid('DAY', 3, 0,     -- created at midnight: next midnight; across 29 February
                           '2024-02-27 00:00:00+00', '2024-02-27 00:00:00+00');
SELECT * FROM pg_temp.grid('DAY', 7, 12,    -- across the end of the year
                           '2024-12-20 13:00:00+00', '2024-12-20 13:00:00+00', 3);

-- The longest periods: ten years' worth of each unit.
SELECT * FROM pg_temp.grid('MINUTE', 5256000, NULL,
                           '2024-06-01 10:00:00+00', '2024-06-01 10:00:00+00', 2);
SELECT * FROM pg_temp.grid('HOUR', 87600, NULL,
                           '2024-06-01 10:00:00+00', '2024-06-01 10:00:00+00', 2);
SELECT * FROM pg_temp.grid('DAY', 3650, NULL,
                           '2024-06-01 10:00:00+00', '2024-06-01 10:00:00+00', 2);

-- n counts instants; none for n <= 0.
SELECT count(*) FROM dataexport._timing_next('MINUTE', 15, NULL, NULL,
    '2024-06-01 10:00+00', '2024-06-01 10:00+00', 1000);
SELECT count(*) FROM dataexport._timing_next('MINUTE', 15, NULL, NULL,
    '2024-06-01 10:00+00', '2024-06-01 10:00+00', 0);
SELECT count(*) FROM dataexport._timing_next('MINUTE', 15, NULL, NULL,
    '2024-06-01 10:00+00', '2024-06-01 10:00+00', -3);
-- The grid ends with the timestamp range; "infinity" has nothing after it.
SELECT * FROM pg_temp.grid('DAY', 1, NULL,
                           '294276-12-28 10:00:00+00', '294276-12-28 10:00:00+00', 10);
SELECT count(*) FROM dataexport._timing_next('DAY', 1, NULL, NULL,
    '2024-06-01 10:00+00', 'infinity', 5);

-- The session's TimeZone changes how instants print, never which instants
-- they are.  In America/New_York, across the start of daylight saving time
-- (10 March 2024) and its end (3 November 2024), a daily run at 06:00 UTC
-- stays at 06:00 UTC: 01:00 local in winter, 02:00 in summer.
CREATE TEMP TABLE utc_grid AS
SELECT s.*, t
FROM (VALUES ('DAY', 1, 6, '2024-03-08 12:00+00'::timestamptz),
             ('DAY', 1, 6, '2024-11-01 12:00+00'),
             ('HOUR', 12, 30, '2024-03-09 20:00+00'),
             ('HOUR', 12, 30, '2024-11-02 20:00+00'),
             ('HOUR', 25, NULL, '2024-03-09 00:00+00'),
             ('DAY', 1, NULL, '2024-11-02 05:30+00')) AS s(schedule_type, period, schedule_offset, anchor),
     dataexport._timing_next(schedule_type, period, schedule_offset, NULL, anchor, anchor, 4) AS t;
SET TimeZone = 'America/New_York';
SELECT schedule_type, period, schedule_offset,
       to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' AS utc,
       t AS new_york
FROM utc_grid
ORDER BY anchor, schedule_type, t;
-- the same instants computed under New York time: no difference
SELECT s.schedule_type, s.anchor, t
FROM (SELECT DISTINCT schedule_type, period, schedule_offset, anchor FROM utc_grid) AS s,
     dataexport._timing_next(schedule_type, period, schedule_offset, NULL, anchor, anchor, 4) AS t
EXCEPT
SELECT schedule_type, anchor, t FROM utc_grid;
SET TimeZone = 'UTC';

-- dataexport.min_interval (default 15min): the gap between runs is
-- period * unit; a gap equal to the minimum is fine.
SELECT dataexport._timing_check('MINUTE', 15, NULL, NULL);
SELECT dataexport._timing_check('MINUTE', 14, NULL, NULL);
SELECT dataexport._timing_shortest_gap(u, p, o, NULL) AS shortest_gap, u, p, o
FROM (VALUES ('MINUTE', 15, NULL), ('MINUTE', 90, NULL), ('HOUR', 2, 30),
             ('DAY', 2, NULL), ('DAY', 3650, 6)) AS v(u, p, o);

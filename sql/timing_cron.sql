--
-- Cron-mode timing: the five-field grammar pg_cron accepts, evaluated in
-- UTC (SPEC section 4).  dataexport._timing_next(NULL, NULL, NULL,
-- cron_expression, NULL, after, n) lists the first n instants strictly
-- after "after".
--
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

CREATE FUNCTION pg_temp.cron(expression text, after timestamptz, n int DEFAULT 5)
RETURNS SETOF text LANGUAGE sql AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'Dy YYYY-MM-DD HH24:MI') || ' UTC'
    FROM dataexport._timing_next(NULL, NULL, NULL, expression, NULL, after, n) AS t
$$;

-- _timing_check accepts a cron expression and returns NULL (no schedule_type).
SELECT dataexport._timing_check(NULL, NULL, NULL, '30 2 * * *') IS NULL AS cron_mode;

-- Values, lists, ranges and steps.
SELECT * FROM pg_temp.cron('30 2 * * *', '2024-06-01 02:30:00+00', 3);     -- strictly after
SELECT * FROM pg_temp.cron('30 2 * * *', '2024-06-01 02:29:59.999+00', 2);
SELECT * FROM pg_temp.cron('*/20 * * * *', '2024-06-01 10:05:00+00', 4);
SELECT * FROM pg_temp.cron('1-30/7 * * * *', '2024-06-01 10:00:00+00', 6);
SELECT * FROM pg_temp.cron('0,30 8-9,17 * * *', '2024-06-01 00:00:00+00', 7);
SELECT * FROM pg_temp.cron('0 */6 * * *', '2024-06-01 07:00:00+00', 4);
SELECT * FROM pg_temp.cron('0 0 1 */4 *', '2024-06-01 00:00:00+00', 4);

-- Month and weekday names, in any letter case; 0 and 7 are both Sunday.
SELECT * FROM pg_temp.cron('0 9 * * MON-FRI', '2024-06-07 08:00:00+00', 4);
SELECT * FROM pg_temp.cron('0 9 * * mon,Wed,FRI', '2024-06-07 10:00:00+00', 4);
SELECT * FROM pg_temp.cron('0 0 1 jan-JUL/3 *', '2024-01-01 00:00:00+00', 4);
SELECT * FROM pg_temp.cron('0 6 * * 7', '2024-06-01 00:00:00+00', 2);
SELECT * FROM pg_temp.cron('0 6 * * 0', '2024-06-01 00:00:00+00', 2);
SELECT * FROM pg_temp.cron('0 6 * * 5-7', '2024-06-06 00:00:00+00', 4);

-- The @ forms.
SELECT e, (SELECT string_agg(c, ', ') FROM pg_temp.cron(e, '2024-06-01 10:00:00+00', 2) AS c) AS next_two
FROM unnest(ARRAY['@hourly', '@daily', '@midnight', '@weekly', '@monthly',
                  '@yearly', '@annually', '@Daily']) AS e;

-- Blanks around and between fields do not matter.
SELECT * FROM pg_temp.cron(E'  15\t10   * *  *  ', '2024-06-01 00:00:00+00', 2);

-- Month ends: day 31 skips the shorter months, day 30 skips February.
SELECT * FROM pg_temp.cron('0 0 31 * *', '2024-01-01 00:00:00+00', 7);
SELECT * FROM pg_temp.cron('0 0 30 * *', '2025-01-01 00:00:00+00', 3);
SELECT * FROM pg_temp.cron('59 23 31 12 *', '2024-12-31 23:59:00+00', 2);  -- across years

-- 29 February fires only in leap years (2100 is not one).
SELECT * FROM pg_temp.cron('0 0 29 2 *', '2023-01-01 00:00:00+00', 3);
SELECT * FROM pg_temp.cron('0 0 29 2 *', '2096-03-01 00:00:00+00', 2);

-- $ is the last day of the month: 28 or 29 February.
SELECT * FROM pg_temp.cron('0 12 $ * *', '2023-12-31 12:00:00+00', 4);
SELECT * FROM pg_temp.cron('0 12 $ 2 *', '2023-01-01 00:00:00+00', 3);
SELECT * FROM pg_temp.cron('0 12 $ 2 *', '2099-03-01 00:00:00+00', 2);
SELECT * FROM pg_temp.cron('0 12 $ 2 *', '1999-03-01 00:00:00+00', 2);

-- Day-of-month and day-of-week both restricted: a day matching either
-- fires.  October 2024: Fridays are 4, 11, 18 and 25; the 13th is a Sunday.
SELECT * FROM pg_temp.cron('0 0 13 * FRI', '2024-10-01 00:00:00+00', 6);
SELECT * FROM pg_temp.cron('0 0 $ * MON', '2024-09-25 00:00:00+00', 4);
-- A field that begins with * counts as unrestricted: then a day must match
-- both fields.  Odd days that are Fridays; the first Sunday of each month.
SELECT * FROM pg_temp.cron('0 0 */2 * FRI', '2024-10-01 00:00:00+00', 5);
SELECT * FROM pg_temp.cron('0 10 1-7 * */7', '2024-06-01 00:00:00+00', 4);
SELECT * FROM pg_temp.cron('0 0 * * FRI', '2024-10-01 00:00:00+00', 2);

-- Rare expressions are found however far they are: 29 February on a Sunday.
SELECT * FROM pg_temp.cron('0 0 29 2 */7', '2024-06-01 00:00:00+00', 2);

-- The session's TimeZone changes how instants print, never which instants
-- they are: 06:00 UTC each day across both daylight saving time changes of
-- America/New_York in 2024.
CREATE TEMP TABLE utc_cron AS
SELECT e, a, t
FROM (VALUES ('0 6 * * *', '2024-03-08 12:00+00'::timestamptz),
             ('0 6 * * *', '2024-11-01 12:00+00'),
             ('30 1,7 * * SUN', '2024-03-01 00:00+00'),
             ('30 1,7 * * SUN', '2024-10-25 00:00+00')) AS v(e, a),
     dataexport._timing_next(NULL, NULL, NULL, e, NULL, a, 4) AS t;
SET TimeZone = 'America/New_York';
SELECT e, to_char(t AT TIME ZONE 'UTC', 'Dy YYYY-MM-DD HH24:MI') || ' UTC' AS utc,
       t AS new_york
FROM utc_cron ORDER BY e, t;
SELECT v.e, v.a, t
FROM (SELECT DISTINCT e, a FROM utc_cron) AS v,
     dataexport._timing_next(NULL, NULL, NULL, v.e, NULL, v.a, 4) AS t
EXCEPT
SELECT e, a, t FROM utc_cron;
SET TimeZone = 'UTC';

-- dataexport.min_interval (default 15min) applies to the true shortest gap
-- between consecutive runs over the whole calendar: within an hour, across
-- an hour, a day, a month or a year, with $ and with the day-of-month /
-- day-of-week rule.  A gap equal to the minimum is fine.
CREATE FUNCTION timing_test_check(expression text, OUT accepted text, OUT refusal text)
LANGUAGE plpgsql AS $$
BEGIN
    -- "MINUTE 5" stands for schedule_type MINUTE with period 5
    IF expression ~ '^(MINUTE|HOUR|DAY) [0-9]+$' THEN
        PERFORM dataexport._timing_check(split_part(expression, ' ', 1),
                                         split_part(expression, ' ', 2)::int, NULL, NULL);
    ELSE
        PERFORM dataexport._timing_check(NULL, NULL, NULL, expression);
    END IF;
    accepted := 'yes';
EXCEPTION WHEN invalid_parameter_value THEN
    accepted := 'no';
    refusal := SQLERRM;
END $$;
SELECT e AS cron_expression,
       dataexport._timing_shortest_gap(NULL, NULL, NULL, e) AS shortest_gap,
       (timing_test_check(e)).*
FROM unnest(ARRAY[
    '*/15 * * * *',             -- exactly 15 minutes
    '0,15,30,45 * * * *',
    '*/5 * * * *',
    '0,5 * * * *',
    '0,50 * * * *',             -- 00:50 -> 01:00
    '5,55 0,23 * * *',          -- 23:55 -> 00:05 the next day
    '5,55 0,23 31 * *',         -- the 31st never follows the 31st
    '5,55 0,23 30,31 * *',      -- the 30th is followed by the 31st
    '5,55 0,23 1,31 1,12 *',    -- 31 December -> 1 January
    '5,55 0,23 1,28 2,3 *',     -- 28 February -> 1 March in common years
    '5,55 0,23 $ * *',          -- last days are never consecutive
    '5,55 0,23 $ * SAT',        -- a last day on Friday, then Saturday
    '5,55 0,23 */2 * SAT',      -- odd Saturdays only: never consecutive
    '@hourly',
    '@yearly',
    '0 0 29 2 *',
    '0 0 29 2 */7']) AS e;

-- dataexport.min_interval is reloadable (superuser, configuration file):
-- lowered to its floor of one minute, then raised to an hour.  Each new
-- session sees the reloaded value.
ALTER SYSTEM SET dataexport.min_interval = '1min';
SELECT pg_reload_conf();
\c -
SELECT e AS timing, (timing_test_check(e)).*
FROM unnest(ARRAY['* * * * *', '*/5 * * * *', '0,1 * * * *', 'MINUTE 1']) AS e;
SHOW dataexport.min_interval;
ALTER SYSTEM SET dataexport.min_interval = '1h';
SELECT pg_reload_conf();
\c -
SELECT e AS timing, (timing_test_check(e)).*
FROM unnest(ARRAY['*/30 * * * *', '0 * * * *', '0 9,10 * * *', '30 23 * * *',
                  'MINUTE 59', 'MINUTE 60', 'HOUR 1']) AS e;
SHOW dataexport.min_interval;
ALTER SYSTEM RESET dataexport.min_interval;
SELECT pg_reload_conf();
\c -
SELECT e AS timing, (timing_test_check(e)).*
FROM unnest(ARRAY['*/5 * * * *', '*/15 * * * *', 'MINUTE 14', 'MINUTE 15']) AS e;
SHOW dataexport.min_interval;
DROP FUNCTION timing_test_check(text);

--
-- Timing parameters that are refused (SPEC section 4): every malformed
-- cron expression, every out-of-range simple-mode value and every invalid
-- combination gets an ERROR naming the field: SQLSTATE 22023 for a bad
-- value, 22004 for a missing one.
--
SET TimeZone = 'UTC';

-- Shows what a call of _timing_check raises.
CREATE FUNCTION pg_temp.refusal(schedule_type text, period int, schedule_offset int,
                                cron_expression text,
                                OUT code text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dataexport._timing_check(schedule_type, period, schedule_offset, cron_expression);
    code := 'accepted';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;

-- Shows what a statement raises: SQLSTATE and message.
CREATE FUNCTION pg_temp.raises(statement text, OUT code text, OUT message text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    code := 'no error';
EXCEPTION WHEN OTHERS THEN
    code := SQLSTATE;
    message := SQLERRM;
END $$;

-- One refusal in full, as a client sees it.
SELECT dataexport._timing_check(NULL, NULL, NULL, '0 0 * * * *');

-- Every malformed cron expression is refused with 22023, a detail saying
-- what is wrong and the grammar in the hint.
\x on
SELECT label, r.code, r.message, r.detail
FROM (VALUES
    ('six fields', '0 0 * * * *'),
    ('four fields', '0 0 * *'),
    ('minute 60', '60 * * * *'),
    ('hour 24', '0 24 * * *'),
    ('day 0', '0 0 0 * *'),
    ('day 32', '0 0 32 * *'),
    ('month 13', '0 0 * 13 *'),
    ('weekday 8', '0 0 * * 8'),
    ('step 0', '*/0 * * * *'),
    ('step beyond the field', '*/60 * * * *'),
    ('reversed range', '5-1 * * * *'),
    ('reversed weekday names', '0 0 * * FRI-MON'),
    ('step without range', '5/15 * * * *'),
    ('step missing', '*/ * * * *'),
    ('range end missing', '5- * * * *'),
    ('negative', '-5 * * * *'),
    ('empty list item', '1,,2 * * * *'),
    ('trailing comma', '1, * * * *'),
    ('text after *', '*x * * * *'),
    ('huge number', '99999999999999999999 * * * *'),
    ('name in the minute field', 'MON * * * *'),
    ('unknown month name', '0 0 * JANUARY *'),
    ('unknown weekday name', '0 0 * * FOO'),
    ('$ with other days', '0 0 1,$ * *'),
    ('$ outside day-of-month', '$ * * * *'),
    ('L (not pg_cron)', '0 0 L * *'),
    ('no such day', '0 0 30 2 *'),
    ('no such day (31 April)', '0 0 31 4 *'),
    ('empty', ''),
    ('blanks only', '   '),
    ('garbage', 'garbage'),
    ('non-ASCII digits', '１ * * * *'),
    ('@reboot', '@reboot'),
    ('unknown @ form', '@every_5m'),
    ('@ form with fields', '@daily 0'),
    ('seconds form (pg_cron)', '30 seconds'),
    ('10 kB of text', repeat('0 ', 5000))
) AS v(label, expression),
LATERAL pg_temp.refusal(NULL, NULL, NULL, v.expression) AS r;
\x off

-- All of them carry the same hint: the grammar.
SELECT r.hint, count(*)
FROM unnest(ARRAY['0 0 * * * *', '60 * * * *', '*/0 * * * *', '5-1 * * * *', '',
                  'garbage', repeat('0 ', 5000), '@reboot', '0 0 30 2 *']) AS e,
     LATERAL pg_temp.refusal(NULL, NULL, NULL, e) AS r
GROUP BY r.hint;

-- Simple mode: schedule_type, period and schedule_offset.
\x on
SELECT label, r.code, r.message, r.detail, r.hint
FROM (VALUES
    ('unknown schedule_type', 'WEEK', 1, NULL::int),
    ('empty schedule_type', '', 1, NULL),
    ('schedule_type with blanks', ' DAY', 1, NULL),
    ('period 0', 'DAY', 0, NULL),
    ('negative period', 'HOUR', -1, NULL),
    ('MINUTE beyond ten years', 'MINUTE', 5256001, NULL),
    ('HOUR beyond ten years', 'HOUR', 87601, NULL),
    ('DAY beyond ten years', 'DAY', 3651, NULL),
    ('offset with MINUTE', 'MINUTE', 15, 0),
    ('HOUR offset 60', 'HOUR', 1, 60),
    ('HOUR offset -1', 'HOUR', 1, -1),
    ('DAY offset 24', 'DAY', 1, 24),
    ('too frequent', 'MINUTE', 10, NULL)
) AS v(label, schedule_type, period, schedule_offset),
LATERAL pg_temp.refusal(v.schedule_type, v.period, v.schedule_offset, NULL) AS r;

-- Exactly one of (schedule_type with period) or cron_expression.
SELECT label, r.code, r.message, r.hint
FROM (VALUES
    ('nothing', NULL, NULL::int, NULL::int, NULL),
    ('both modes', 'DAY', 1, NULL, '0 0 * * *'),
    ('offset with cron', NULL, NULL, 5, '0 0 * * *'),
    ('schedule_type without period', 'HOUR', NULL, NULL, NULL),
    ('period without schedule_type', NULL, 5, NULL, NULL),
    ('offset alone', NULL, NULL, 5, NULL)
) AS v(label, schedule_type, period, schedule_offset, cron_expression),
LATERAL pg_temp.refusal(v.schedule_type, v.period, v.schedule_offset, v.cron_expression) AS r;
\x off

-- _timing_next: the timing is checked the same way (min_interval aside),
-- and n, after and (in simple mode) anchor are required.
SELECT statement, r.code, r.message
FROM unnest(ARRAY[
    $$SELECT dataexport._timing_next(NULL, NULL, NULL, '5-1 * * * *', NULL, now(), 1)$$,
    $$SELECT dataexport._timing_next('DAY', 1, NULL, '@daily', '2024-06-01', '2024-06-01', 1)$$,
    $$SELECT dataexport._timing_next('DAY', 1, NULL, NULL, '2024-06-01', '2024-06-01', NULL)$$,
    $$SELECT dataexport._timing_next('DAY', 1, NULL, NULL, '2024-06-01', NULL, 1)$$,
    $$SELECT dataexport._timing_next('DAY', 1, NULL, NULL, NULL, '2024-06-01', 1)$$,
    $$SELECT dataexport._timing_next('DAY', 1, NULL, NULL, '2024-06-01', '-infinity', 1)$$,
    $$SELECT dataexport._timing_next('DAY', 1, NULL, NULL, 'infinity', '2024-06-01', 1)$$,
    $$SELECT dataexport._timing_next(NULL, NULL, NULL, '@daily', NULL, '2024-06-01', 1)$$
    ]) AS statement,
LATERAL pg_temp.raises(statement) AS r;
-- a stored timing stays readable whatever dataexport.min_interval says
SELECT count(*) FROM dataexport._timing_next(NULL, NULL, NULL, '* * * * *', NULL, '2024-06-01', 3);
SELECT count(*) FROM dataexport._timing_next('MINUTE', 1, NULL, NULL, '2024-06-01', '2024-06-01', 3);

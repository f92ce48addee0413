--
-- What an export file contains (SPEC section 6): CSV quoting, JSON Lines
-- typing, and text that does not depend on any session setting.
--
-- Lines of a CSV file are shown with CR and TAB made visible (\r, \t),
-- since pg_regress compares output ignoring white space; exact values are
-- asserted on the JSON Lines file instead.
--
CREATE TYPE mood AS ENUM ('happy', 'so "so"', 'sad,ish');
CREATE TABLE hostile_t (
    id      integer PRIMARY KEY,
    t       text,
    "odd, ""name""" text,
    i8      bigint,
    f8      double precision,
    f4      real,
    n       numeric,
    b       boolean,
    ts      timestamp,
    tstz    timestamptz,
    d       date,
    tm      time,
    ttz     timetz,
    iv      interval,
    j       json,
    jb      jsonb,
    ia      integer[],
    ta      text[],
    by      bytea,
    u       uuid,
    m       mood,
    r       tstzrange
);
SELECT dataexport.register_entity('HOSTILE', 'hostile_t');

SET TimeZone = 'UTC';
INSERT INTO hostile_t VALUES
  -- 1: ordinary values
  (1, 'plain', 'x', 42, 0.1, 0.1, 2.50, true,
   '2024-06-01 10:00:00', '2024-06-01 10:00:00+00', '2024-06-01',
   '10:00:00', '10:00:00+05:30', '1 day 2 hours',
   '{"a": 1}', '{"a": 1}', '{1,2,3}', '{a,b}', '\xdeadbeef',
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'happy',
   '[2024-06-01 10:00+00,2024-06-02 10:00+00)'),
  -- 2: strings that need quoting or escaping
  (2, E'quo"te, comma\nnext line\rcr\\back\ttab\u0001 é 😀', E'\\.', -9223372036854775808,
   '-0', 1.5, -0.000, false,
   '2024-02-29 23:59:59.12', '2024-06-01 10:00:00.5+00', '2000-01-01',
   '23:59:59.999999', '00:00:00.000001-08:00', '-1 year 2 mons 3 days -04:05:06.789',
   E'{\n  "a" : "x\\ny" ,\r\n  "b":[1,\t2 ]}', '{"s": "q\"\\\\ \n", "n": 1.50, "z": null}',
   '{{1,NULL},{3,4}}', '{{"a,b","q\"q"},{NULL,"NULL"}}', '\x00ff10',
   NULL, 'so "so"', 'empty'),
  -- 3: NULL in every column
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  -- 4: empty values, which are not NULL
  (4, '', '', 0, 0, 0, 0, false, '1970-01-01', '1970-01-01 00:00+00',
   '1970-01-01', '00:00', '00:00+00', '0', '""', '{}', '{}', '{""}', '',
   '00000000-0000-0000-0000-000000000000', 'sad,ish', '(,)'),
  -- 5: special numbers and infinite dates
  (5, 'specials', ',', 9223372036854775807, 'NaN', 'Infinity', 'NaN', true,
   'infinity', '-infinity', 'infinity', '24:00:00', '12:00+05:43:21',
   '1.5 seconds', 'null', '[1, "a", {"b": [true, false]}]', '{NULL}',
   '{"\\","\"\""}', '\x2c0a22', NULL, NULL, NULL),
  -- 6: more special numbers, long numerics, far years
  (6, 'far', NULL, 1, '-Infinity', '-Infinity', '-Infinity', NULL,
   '0044-03-15 12:34:56.789 BC', '10000-01-01 00:00:00+00', '0001-01-01 BC',
   NULL, NULL, '-0.5 seconds', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (7, 'digits', NULL, NULL, 1e300, 3.4028235e38,
   1234567890123456789012345678901234567890.0000000001, NULL,
   NULL, NULL, NULL, NULL, NULL, '1 mon -1 day 0.000001 seconds',
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
RESET TimeZone;

-- CSV: header, RFC 4180 quoting, NULL as an empty field, '' as "".
SELECT dataexport.export_now(ARRAY['HOSTILE'], 'CSV') AS csv1 \gset
CALL dataexport.run_pending();
SELECT dataexport.wait_for_job(:csv1) AS status;
SELECT n, replace(replace(line, E'\r', '\r'), E'\t', '\t') AS line
  FROM dataexport.read_file(:csv1, 'HOSTILE') WITH ORDINALITY AS f(line, n)
 ORDER BY n;

-- JSON Lines: one valid object per line, columns in table order, then deleted.
SELECT dataexport.export_now(ARRAY['HOSTILE'], 'JSONL') AS jsonl1 \gset
CALL dataexport.run_pending();
SELECT dataexport.wait_for_job(:jsonl1) AS status;
SELECT n, replace(replace(line, E'\r', '\r'), E'\t', '\t') AS line
  FROM dataexport.read_file(:jsonl1, 'HOSTILE') WITH ORDINALITY AS f(line, n)
 ORDER BY n;
SELECT count(*) AS lines,
       count(*) FILTER (WHERE json_typeof(line::json) = 'object') AS objects,
       count(*) FILTER (WHERE line ~ '[\r\n]') AS raw_line_breaks
  FROM dataexport.read_file(:jsonl1, 'HOSTILE') AS line;

-- The JSON type of every column, and the key order.
SELECT k.ordinality AS position, k.key, json_typeof(k.value) AS type, k.value
  FROM dataexport.read_file(:jsonl1, 'HOSTILE') AS line,
       json_each(line::json) WITH ORDINALITY AS k
 WHERE (line::json)->>'id' = '1'
 ORDER BY k.ordinality;

-- Every value reads back as what the table holds.
SET TimeZone = 'UTC';
CREATE TEMP TABLE exported AS
  SELECT ((line::json)->>'id')::int AS id, line::json AS o
    FROM dataexport.read_file(:jsonl1, 'HOSTILE') AS line;
SELECT h.id,
       (o->>'t') IS NOT DISTINCT FROM h.t AS t,
       (o->>'odd, "name"') IS NOT DISTINCT FROM h."odd, ""name""" AS odd_name,
       (o->>'i8')::bigint IS NOT DISTINCT FROM h.i8 AS i8,
       (o->>'f8')::float8 IS NOT DISTINCT FROM h.f8 AS f8,
       (o->>'f4')::real IS NOT DISTINCT FROM h.f4 AS f4,
       (o->>'n') IS NOT DISTINCT FROM h.n::text AS n,
       (o->>'b')::boolean IS NOT DISTINCT FROM h.b AS b,
       (o->>'tstz')::timestamptz IS NOT DISTINCT FROM h.tstz AS tstz,
       (o->>'d')::date IS NOT DISTINCT FROM h.d AS d,
       (o->>'tm')::time IS NOT DISTINCT FROM h.tm AS tm,
       (o->>'ttz')::timetz IS NOT DISTINCT FROM h.ttz AS ttz,
       (o->>'iv')::interval IS NOT DISTINCT FROM h.iv AS iv,
       (o->'jb')::jsonb IS NOT DISTINCT FROM (CASE WHEN h.jb IS NULL THEN 'null' ELSE h.jb END) AS jb,
       (o->'ia')::jsonb IS NOT DISTINCT FROM coalesce(to_jsonb(h.ia), 'null') AS ia,
       (o->'ta')::jsonb IS NOT DISTINCT FROM coalesce(to_jsonb(h.ta), 'null') AS ta,
       decode(o->>'by', 'base64') IS NOT DISTINCT FROM h.by AS by,
       (o->>'u')::uuid IS NOT DISTINCT FROM h.u AS u,
       (o->>'m')::mood IS NOT DISTINCT FROM h.m AS m,
       (o->>'deleted')::boolean = false AS deleted
  FROM hostile_t h JOIN exported e USING (id)
 WHERE h.id <> 6   -- years outside 0001-9999: see below
 ORDER BY h.id;
-- timestamp without time zone, and json kept as written (line breaks made spaces)
SELECT h.id, (o->>'ts')::timestamp IS NOT DISTINCT FROM h.ts AS ts,
       (o->'j')::text = translate(h.j::text, E'\r\n', '  ') AS j
  FROM hostile_t h JOIN exported e USING (id)
 WHERE h.id IN (1, 2, 4, 5)
 ORDER BY h.id;
-- Years outside 0001-9999 are ISO 8601 astronomical years (1 BC is 0000)
-- with a sign when they need more than four digits.
SELECT o->>'ts' AS ts, o->>'tstz' AS tstz, o->>'d' AS d, o->>'iv' AS iv
  FROM exported WHERE id = 6;
RESET TimeZone;

-- No session setting changes a byte of either file.
SET TimeZone = 'Pacific/Chatham';
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SET extra_float_digits = -15;
SET bytea_output = 'escape';
SELECT dataexport.export_now(ARRAY['HOSTILE'], 'CSV') AS csv2 \gset
SELECT dataexport.export_now(ARRAY['HOSTILE'], 'JSONL') AS jsonl2 \gset
CALL dataexport.run_pending();
SET TimeZone = 'America/St_Johns';
SET DateStyle = 'German';
SET IntervalStyle = 'postgres_verbose';
SET extra_float_digits = 3;
SELECT dataexport.export_now(ARRAY['HOSTILE'], 'CSV') AS csv3 \gset
SELECT dataexport.export_now(ARRAY['HOSTILE'], 'JSONL') AS jsonl3 \gset
CALL dataexport.run_pending();
RESET ALL;
SELECT dataexport.wait_for_job(:csv3) AS csv_status,
       dataexport.wait_for_job(:jsonl3) AS jsonl_status;
SELECT count(*) AS files, count(DISTINCT sha256) AS distinct_contents
  FROM dataexport.job_files WHERE job_id IN (:csv1, :csv2, :csv3);
SELECT count(*) AS files, count(DISTINCT sha256) AS distinct_contents
  FROM dataexport.job_files WHERE job_id IN (:jsonl1, :jsonl2, :jsonl3);

SELECT dataexport.unregister_entity('HOSTILE');
DROP TABLE hostile_t;
DROP TYPE mood;

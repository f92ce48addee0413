-- test/bench/report.sql: the markdown tables of a benchmark run, from
-- bench.result (one value per measure per run; see run.sh).
--
-- Each pair is computed run by run (the sides of a run were measured one
-- right after the other), then summarised by the median, min and max of the
-- per-run figures; "holds" compares the median with the target.  Kinds:
--   ratio         a / b
--   overhead      (a - base) / (c - base): our capture's added time over
--                 PgQ's added time, on the same workload
--   tps_overhead  the same for throughputs: added time per transaction,
--                 1/tps
--   diff_mb       (a - b) / 1024, for kB figures

\pset footer off
\pset format unaligned
\pset tuples_only on

CREATE TEMP TABLE pair (
    ord      integer,
    what     text,
    target   text,
    kind     text,
    a        text,
    b        text,
    c        text,
    lim      double precision,
    at_least boolean
);
INSERT INTO pair VALUES
 (1,  'full CSV export vs COPY (SELECT * FROM t) TO file (FORMAT csv, HEADER)', '<= 1.00', 'ratio', 'export_csv', 'copy_csv', NULL, 1.00, false),
 (2,  'full JSONL export vs the same COPY CSV', '<= 1.30', 'ratio', 'export_jsonl', 'copy_csv', NULL, 1.30, false),
 (3,  'full JSONL export vs COPY (SELECT row_to_json(t) FROM t t) TO file', '<= 0.55', 'ratio', 'export_jsonl', 'copy_json', NULL, 0.55, false),
 (4,  'delta of the changed rows vs a full CSV export (large table)', '<= 0.02', 'ratio', 'delta_large', 'export_csv', NULL, 0.02, false),
 (5,  'delta cost, large table vs mid table, same number of changes', '<= 1.5', 'ratio', 'delta_large', 'delta_mid', NULL, 1.5, false),
 (6,  'bulk INSERT with capture vs without', '<= 1.25', 'ratio', 'insert_capture', 'insert_plain', NULL, 1.25, false),
 (7,  'bulk UPDATE with capture vs without', '<= 1.25', 'ratio', 'update_capture', 'update_plain', NULL, 1.25, false),
 (8,  'single-row UPDATE throughput (pgbench) with capture vs without', '>= 0.90', 'ratio', 'tps_capture', 'tps_plain', NULL, 0.90, true),
 (9,  'capture overhead vs PgQ logutriga: bulk INSERT', '<= 1.00', 'overhead', 'insert_capture', 'insert_plain', 'insert_pgq', 1.00, false),
 (10, 'capture overhead vs PgQ logutriga: bulk UPDATE', '<= 1.00', 'overhead', 'update_capture', 'update_plain', 'update_pgq', 1.00, false),
 (11, 'capture overhead vs PgQ logutriga: single-row UPDATE (pgbench)', '<= 1.00', 'tps_overhead', 'tps_capture', 'tps_plain', 'tps_pgq', 1.00, false),
 (12, 'peak memory of the exporting backend, large vs mid table (MB more)', '<= +20 MB', 'diff_mb', 'hwm_large', 'hwm_mid', NULL, 20, false);

-- Per run and pair: the figure by wall-clock time (measures as named) and
-- by CPU time (measures named with ".cpu"; pgbench and memory have none).
CREATE TEMP VIEW per_run AS
SELECT p.ord, p.what, p.target, p.lim, p.at_least, basis.name AS basis, a.run,
       CASE p.kind
           WHEN 'ratio' THEN a.value / nullif(b.value, 0)
           WHEN 'overhead' THEN (a.value - b.value) / nullif(c.value - b.value, 0)
           WHEN 'tps_overhead' THEN (1 / a.value - 1 / b.value) / nullif(1 / c.value - 1 / b.value, 0)
           WHEN 'diff_mb' THEN (a.value - b.value) / 1024
       END AS r
  FROM pair p
 CROSS JOIN (VALUES ('wall', ''), ('CPU', '.cpu')) AS basis(name, suffix)
  JOIN bench.result a ON a.measure = p.a || basis.suffix
  JOIN bench.result b ON b.measure = p.b || basis.suffix AND b.run = a.run
  LEFT JOIN bench.result c ON c.measure = p.c || basis.suffix AND c.run = a.run
 WHERE p.c IS NULL OR c.value IS NOT NULL;

CREATE TEMP VIEW summary AS
SELECT ord, what, target, lim, at_least, basis,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY r) AS med,
       min(r) AS mn, max(r) AS mx, count(r) AS n
  FROM per_run GROUP BY ord, what, target, lim, at_least, basis;

\echo '| what | target | median (wall) | min | max | holds | median (CPU) | min | max | holds | runs |'
\echo '|---|---|---|---|---|---|---|---|---|---|---|'
SELECT format('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |',
              w.what, w.target,
              to_char(w.med, 'FM9990.000'), to_char(w.mn, 'FM9990.000'), to_char(w.mx, 'FM9990.000'),
              CASE WHEN (w.at_least AND w.med >= w.lim) OR (NOT w.at_least AND w.med <= w.lim)
                   THEN 'yes' ELSE 'NO' END,
              coalesce(to_char(c.med, 'FM9990.000'), '-'), coalesce(to_char(c.mn, 'FM9990.000'), '-'),
              coalesce(to_char(c.mx, 'FM9990.000'), '-'),
              CASE WHEN c.med IS NULL THEN '-'
                   WHEN (c.at_least AND c.med >= c.lim) OR (NOT c.at_least AND c.med <= c.lim)
                   THEN 'yes' ELSE 'NO' END,
              w.n)
  FROM summary w
  LEFT JOIN summary c ON c.ord = w.ord AND c.basis = 'CPU'
 WHERE w.basis = 'wall'
 ORDER BY w.ord;

\echo ''
\echo '| measure | unit | median | min | max | runs |'
\echo '|---|---|---|---|---|---|'
SELECT format('| %s | %s | %s | %s | %s | %s |', measure, unit,
              to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY value), 'FM999999990.0'),
              to_char(min(value), 'FM999999990.0'), to_char(max(value), 'FM999999990.0'),
              count(*))
  FROM bench.result
 GROUP BY measure, unit
 ORDER BY min(ord), measure;

-- A long transaction on the m3ter tables, across exports.
\set ms random(300, 3000)
BEGIN;
SELECT soak.m3ter_write();
SELECT soak.m3ter_write();
SELECT pg_sleep(:ms / 1000.0);
SELECT soak.m3ter_write();
COMMIT;

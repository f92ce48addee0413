-- TRUNCATE of a leaf table of the m3ter model, its rows again after.
BEGIN;
SELECT soak.m3ter_truncate();
COMMIT;

-- m3ter writes in a transaction: one rolled back to a savepoint.
BEGIN;
SELECT soak.m3ter_write();
SAVEPOINT s1;
SELECT soak.m3ter_write();
SELECT soak.m3ter_write();
ROLLBACK TO SAVEPOINT s1;
SELECT soak.m3ter_write();
COMMIT;

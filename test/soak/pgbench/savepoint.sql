-- Savepoints: what is rolled back to must never be exported; what is
-- released is.
\set slot random(1, :slots)
\set batch random(1, :batches)
\set a random(1, :evt_max)
BEGIN;
INSERT INTO soak.acct SELECT * FROM soak.new_acct(:slot);
SAVEPOINT s1;
UPDATE soak.acct SET note = 'rolled back' WHERE slot = :slot;
DELETE FROM soak.evt WHERE id BETWEEN :a AND :a + 10;
INSERT INTO soak.line SELECT * FROM soak.new_line(:batch, 3);
UPDATE soak.acct SET id = gen_random_uuid() WHERE slot = :slot;
ROLLBACK TO SAVEPOINT s1;
UPDATE soak.line SET txt = soak.rtext() WHERE batch = :batch;
SAVEPOINT s2;
UPDATE soak.evt SET kind = 'kept' WHERE id BETWEEN :a AND :a + 3;
RELEASE SAVEPOINT s2;
SAVEPOINT s3;
DELETE FROM soak.line WHERE batch = :batch;
ROLLBACK TO SAVEPOINT s3;
COMMIT;

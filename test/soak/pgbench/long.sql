-- A long transaction: writes, sleeps across exports, writes, commits.  A
-- job whose snapshot was taken while it ran must not see it; the next one
-- must export all of it.
\set slot random(1, :slots)
\set batch random(1, :batches)
\set a random(1, :evt_max)
\set ms random(300, 4000)
BEGIN;
UPDATE soak.acct SET note = soak.rtext(), code = 'long' WHERE slot = :slot;
INSERT INTO soak.line SELECT * FROM soak.new_line(:batch, 2);
SELECT pg_sleep(:ms / 1000.0);
UPDATE soak.evt SET n = n + 1, kind = 'long' WHERE id BETWEEN :a AND :a + 5;
DELETE FROM soak.line WHERE batch = :batch AND seq % 3 = 0;
SELECT pg_sleep(:ms / 2000.0);
INSERT INTO soak.acct SELECT * FROM soak.new_acct(:slot);
COMMIT;

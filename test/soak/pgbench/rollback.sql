-- A transaction rolled back whole: nothing of it may be exported.
\set slot random(1, :slots)
\set batch random(1, :batches)
\set a random(1, :evt_max)
BEGIN;
INSERT INTO soak.acct SELECT * FROM soak.new_acct(:slot);
UPDATE soak.line SET txt = 'never' WHERE batch = :batch;
DELETE FROM soak.evt WHERE id BETWEEN :a AND :a + 10;
ROLLBACK;

\set slot random(1, :slots)
DELETE FROM soak.acct WHERE slot = :slot;

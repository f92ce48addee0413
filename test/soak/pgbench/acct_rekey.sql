-- A key change: the old key is deleted, the new one appears.
\set slot random(1, :slots)
UPDATE soak.acct SET id = gen_random_uuid() WHERE slot = :slot;

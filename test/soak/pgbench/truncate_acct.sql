-- TRUNCATE on its own; new rows in a later transaction.
TRUNCATE soak.acct;
INSERT INTO soak.acct SELECT a.* FROM generate_series(1, :slots, 3) s, LATERAL soak.new_acct(s) a;

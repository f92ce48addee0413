-- A new account (uuid key) in a random slot.
\set slot random(1, :slots)
INSERT INTO soak.acct SELECT * FROM soak.new_acct(:slot);

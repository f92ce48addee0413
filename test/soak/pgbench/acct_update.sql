-- New values for every kind of column of the accounts of a slot.
\set slot random(1, :slots)
UPDATE soak.acct
   SET note = soak.rtext(), balance = round((random() * 1e6)::numeric, floor(random() * 5)::int),
       ratio = soak.rnum(true), rate = soak.rfloat(), score = soak.rreal(), created = soak.rts(),
       span = soak.rinterval(), tags = soak.rtags(), nums = soak.rints(), attrs = soak.rjsonb(),
       doc = soak.rjson(), flag = NOT flag, blob = soak.rbytes(),
       n = CASE WHEN n < 1000000000000 THEN n + 1 ELSE 0 END
 WHERE slot = :slot;

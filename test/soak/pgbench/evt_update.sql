\set a random(1, :evt_max)
UPDATE soak.evt SET n = n + 1, at = clock_timestamp(), kind = 'updated' WHERE id BETWEEN :a AND :a + 10;

\set a random(1, :evt_max)
DELETE FROM soak.evt WHERE id BETWEEN :a AND :a + 5;

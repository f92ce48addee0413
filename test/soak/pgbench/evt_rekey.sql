\set a random(1, :evt_max)
UPDATE soak.evt SET id = nextval('soak.evt_id') WHERE id = :a;

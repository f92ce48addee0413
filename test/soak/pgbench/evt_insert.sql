INSERT INTO soak.evt SELECT * FROM soak.new_evt(3);

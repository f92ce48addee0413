\set batch random(1, :batches)
INSERT INTO soak.line SELECT * FROM soak.new_line(:batch, 2);

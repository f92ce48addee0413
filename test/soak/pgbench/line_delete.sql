\set batch random(1, :batches)
DELETE FROM soak.line WHERE batch = :batch AND seq % 2 = 0;

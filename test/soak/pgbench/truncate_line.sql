-- TRUNCATE, then new rows, in one transaction.
BEGIN;
TRUNCATE soak.line;
INSERT INTO soak.line SELECT l.* FROM generate_series(1, :batches, 5) b, LATERAL soak.new_line(b, 2) l;
COMMIT;

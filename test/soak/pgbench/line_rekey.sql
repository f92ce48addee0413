-- Key changes on a two-column key: one part, then the other.  seq values
-- come from a sequence, so the new keys are free.
\set batch random(1, :batches)
\set nbatch random(1, :batches)
UPDATE soak.line SET batch = :nbatch
 WHERE (batch, seq) IN (SELECT batch, seq FROM soak.line WHERE batch = :batch ORDER BY seq LIMIT 1);
UPDATE soak.line SET seq = nextval('soak.line_seq')
 WHERE (batch, seq) IN (SELECT batch, seq FROM soak.line WHERE batch = :nbatch ORDER BY seq DESC LIMIT 1);

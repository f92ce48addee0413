\set batch random(1, :batches)
UPDATE soak.line
   SET qty = soak.rnum(true), amounts = soak.rnums(), txt = soak.rtext(), meta = soak.rjsonb(),
       at = soak.rts()
 WHERE batch = :batch;

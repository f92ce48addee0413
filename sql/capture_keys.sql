-- Capture of keys: the trigger logs each key as exactly the text row_to_json
-- gives for the key columns (capture.c writes it by hand for int, uuid and
-- text keys, for speed).  One line per key type: entries logged, entries
-- that differ.  test/bench/run.sh runs this file too before it measures.
CREATE SCHEMA keycheck;
CREATE DOMAIN keycheck.dint AS integer;
CREATE TABLE keycheck.i2 (k smallint PRIMARY KEY);
CREATE TABLE keycheck.i4 (k integer PRIMARY KEY);
CREATE TABLE keycheck.i8 (k bigint PRIMARY KEY);
CREATE TABLE keycheck.u (k uuid PRIMARY KEY);
CREATE TABLE keycheck.t (k text PRIMARY KEY);
CREATE TABLE keycheck.vc (k varchar(50) PRIMARY KEY);
CREATE TABLE keycheck.multi ("odd ""name""\" text, b bigint, u uuid, PRIMARY KEY ("odd ""name""\", b, u));
CREATE TABLE keycheck.dom (k keycheck.dint PRIMARY KEY);
CREATE TABLE keycheck.num (k numeric PRIMARY KEY);
SELECT dataexport.register_entity('KEYCHECK_' || upper(t), ('keycheck.' || t)::regclass)
  FROM unnest(ARRAY['i2', 'i4', 'i8', 'u', 't', 'vc', 'multi', 'dom', 'num']) AS t;

INSERT INTO keycheck.i2 VALUES (0), (-32768), (32767), (7);
INSERT INTO keycheck.i4 VALUES (0), (-2147483648), (2147483647), (-1);
INSERT INTO keycheck.i8 VALUES (0), (-9223372036854775808), (9223372036854775807), (123456789012);
INSERT INTO keycheck.u SELECT md5('KEYCHECK/' || i)::uuid FROM generate_series(1, 20) i;
INSERT INTO keycheck.u VALUES ('00000000-0000-0000-0000-000000000000'), ('ffffffff-ffff-ffff-ffff-ffffffffffff');
INSERT INTO keycheck.t SELECT chr(i) FROM generate_series(1, 127) i;
INSERT INTO keycheck.t VALUES (''), ('quote"back\slash'), ('ünïcödé ✓'), (E'tab\tnl\ncr\rbs\bff\f'),
                              (repeat('long', 5000)), ('/slash'), (chr(127) || chr(128) || chr(2047));
INSERT INTO keycheck.vc SELECT k FROM keycheck.t WHERE length(k) <= 50;
INSERT INTO keycheck.multi VALUES (E'a\u0001"b', -1, md5('m1')::uuid), ('', 0, '00000000-0000-0000-0000-000000000001');
INSERT INTO keycheck.dom VALUES (1), (-5);
INSERT INTO keycheck.num VALUES (1.50), (-0.0001), ('NaN');
UPDATE keycheck.t SET k = k || '!' WHERE k = 'A';
DELETE FROM keycheck.i4 WHERE k = -1;

-- Each logged key, read back into the key columns, against row_to_json of
-- those columns.
CREATE FUNCTION keycheck.check(p_entity text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    e    record;
    n    bigint;
    bad  bigint;
    cols text;
BEGIN
    SELECT * INTO e FROM dataexport.entity WHERE entity_type = p_entity;
    SELECT string_agg(format('r.%I', k), ', ') INTO cols FROM unnest(e.key_columns) AS k;
    EXECUTE format('SELECT count(*), count(*) FILTER (WHERE l.key::text IS DISTINCT FROM'
                   ' (SELECT row_to_json(x)::text FROM (SELECT %s FROM json_populate_record(NULL::%s, l.key) r) x))'
                   ' FROM dataexport.change_log c, unnest(c.keys) AS l(key) WHERE c.relid = %s',
                   cols, e.relation, e.relation::oid)
        INTO n, bad;
    RETURN format('%s: %s entries, differ %s', p_entity, n, bad);
END
$$;
SELECT keycheck.check(entity_type) FROM dataexport.entity
 WHERE entity_type LIKE 'KEYCHECK\_%' ORDER BY 1;

SELECT dataexport.unregister_entity(entity_type) FROM dataexport.entity
 WHERE entity_type LIKE 'KEYCHECK\_%';
DROP SCHEMA keycheck CASCADE;

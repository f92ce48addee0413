-- Replay (SPEC section 7): replaying a schedule's files in job order onto an
-- empty table (upsert by key when deleted = false, delete by key when true)
-- yields the table as of the last job's snapshot.  Random inserts, updates,
-- key changes, deletes and a TRUNCATE, interleaved with jobs, in CSV and
-- JSONL.  (Concurrent writers: test/isolation and the soak in test/soak.)

CREATE TABLE src (id integer PRIMARY KEY, name text, amount numeric,
                  at timestamptz, doc jsonb);
SELECT dataexport.register_entity('SRC', 'src');
SELECT dataexport.create_schedule('replay csv', ARRAY['SRC'], 'DAY', 1) AS csv_sid \gset
SELECT dataexport.create_schedule('replay jsonl', ARRAY['SRC'], 'DAY', 1,
                                  export_file_format => 'JSONL') AS jsonl_sid \gset

-- One round of random changes.
CREATE FUNCTION random_changes(n integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    i integer;
    k integer;
    r double precision;
BEGIN
    FOR i IN 1..n LOOP
        k := 1 + floor(random() * 60)::integer;
        r := random();
        IF r < 0.40 THEN
            INSERT INTO src VALUES (k, 'name ' || k || E', "quoted"\nline', round((random() * 1000)::numeric, 2),
                                    timestamptz '2024-06-01 10:00Z' + k * interval '1 hour 1.5 second',
                                    jsonb_build_object('k', k, 's', E'back\\slash'))
            ON CONFLICT (id) DO UPDATE SET amount = excluded.amount + 1;
        ELSIF r < 0.70 THEN
            UPDATE src SET name = name || '+', amount = amount * 2, doc = doc || '{"u": true}' WHERE id = k;
        ELSIF r < 0.80 THEN
            -- a key change, unless the new key is taken
            UPDATE src SET id = k + 100 WHERE id = k AND NOT EXISTS (SELECT 1 FROM src WHERE id = k + 100);
        ELSIF r < 0.85 THEN
            UPDATE src SET name = NULL, at = NULL, doc = NULL WHERE id = k;
        ELSE
            DELETE FROM src WHERE id = k OR id = k + 100;
        END IF;
    END LOOP;
END
$$;

-- The mirrors, rebuilt from the files.
CREATE TABLE mirror_csv (LIKE src);
CREATE TABLE mirror_jsonl (LIKE src);
CREATE TABLE stage (id text, name text, amount text, at text, doc text, deleted text);

CREATE FUNCTION replay_csv(p_schedule bigint) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    j record;
    n integer := 0;
BEGIN
    TRUNCATE mirror_csv;
    FOR j IN SELECT f.job_id, f.file_name
               FROM dataexport.jobs x JOIN dataexport.job_files f USING (job_id)
              WHERE x.schedule_id = p_schedule AND x.status = 'SUCCEEDED'
              ORDER BY x.job_id, f.part
    LOOP
        TRUNCATE stage;
        EXECUTE format('COPY stage FROM %L (FORMAT csv, HEADER)',
                       format('%s/pg_dataexport/%s/%s/%s', current_setting('data_directory'),
                              (SELECT oid FROM pg_database WHERE datname = current_database()),
                              j.job_id, j.file_name));
        DELETE FROM mirror_csv m USING stage s WHERE m.id = s.id::integer;
        INSERT INTO mirror_csv
            SELECT s.id::integer, s.name, s.amount::numeric, s.at::timestamptz, s.doc::jsonb
              FROM stage s WHERE s.deleted = 'false';
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

CREATE FUNCTION replay_jsonl(p_schedule bigint) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    j record;
    line text;
    n integer := 0;
BEGIN
    TRUNCATE mirror_jsonl;
    FOR j IN SELECT x.job_id FROM dataexport.jobs x
              WHERE x.schedule_id = p_schedule AND x.status = 'SUCCEEDED'
              ORDER BY x.job_id
    LOOP
        FOR line IN SELECT * FROM dataexport.read_file(j.job_id, 'SRC') LOOP
            DELETE FROM mirror_jsonl m WHERE m.id = (line::json->>'id')::integer;
            IF NOT (line::json->>'deleted')::boolean THEN
                INSERT INTO mirror_jsonl SELECT * FROM json_populate_record(NULL::mirror_jsonl, line::json);
            END IF;
        END LOOP;
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

CREATE FUNCTION differences(mirror regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    d bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM ((SELECT * FROM src EXCEPT ALL SELECT * FROM %s)'
                   ' UNION ALL (SELECT * FROM %s EXCEPT ALL SELECT * FROM src)) x', mirror, mirror)
       INTO d;
    RETURN d;
END
$$;

SELECT setseed(0.42);
CALL dataexport.run_pending();
SELECT random_changes(80);
CALL dataexport.run_pending();
SELECT dataexport.run_schedule_now(:csv_sid) > 0 AND dataexport.run_schedule_now(:jsonl_sid) > 0 AS queued;
SELECT random_changes(80);
CALL dataexport.run_pending();
SELECT dataexport.run_schedule_now(:csv_sid) > 0 AND dataexport.run_schedule_now(:jsonl_sid) > 0 AS queued;
SELECT random_changes(80);
TRUNCATE src;
SELECT random_changes(80);
CALL dataexport.run_pending();
SELECT dataexport.run_schedule_now(:csv_sid) > 0 AS queued;
SELECT random_changes(80);
CALL dataexport.run_pending();
SELECT dataexport.run_schedule_now(:csv_sid) > 0 AND dataexport.run_schedule_now(:jsonl_sid) > 0 AS queued;
SELECT random_changes(80);
CALL dataexport.run_pending();

SELECT count(*) > 20 AS enough_rows FROM src;
SELECT replay_csv(:csv_sid) AS csv_jobs, differences('mirror_csv') AS csv_differences;
SELECT replay_jsonl(:jsonl_sid) AS jsonl_jobs, differences('mirror_jsonl') AS jsonl_differences;

-- Each stored file has the sha256 that job_files shows, and read_file's
-- lines, each followed by a newline (as psql -XAt prints them), give back
-- the file byte for byte.
SELECT count(*) AS files,
       count(*) FILTER (WHERE encode(sha256(content), 'hex') = f.sha256) AS sha256_ok,
       count(*) FILTER (WHERE content = (SELECT coalesce(convert_to(string_agg(line || E'\n', '' ORDER BY n), 'UTF8'), '')
                                           FROM dataexport.read_file(f.job_id, f.entity_type, f.part)
                                                WITH ORDINALITY AS r(line, n))) AS read_file_exact
  FROM dataexport.job_files f,
       LATERAL pg_read_binary_file(format('%s/pg_dataexport/%s/%s/%s', current_setting('data_directory'),
                                          (SELECT oid FROM pg_database WHERE datname = current_database()),
                                          f.job_id, f.file_name)) AS content;

-- Every JSONL line is a JSON object.
SELECT count(*) FILTER (WHERE json_typeof(line::json) <> 'object') AS not_objects
  FROM dataexport.jobs x, dataexport.read_file(x.job_id, 'SRC') line
 WHERE x.schedule_id = :jsonl_sid;

SELECT dataexport.delete_schedule(:csv_sid);
SELECT dataexport.delete_schedule(:jsonl_sid);
SELECT dataexport.unregister_entity('SRC');
DROP FUNCTION random_changes(integer), replay_csv(bigint), replay_jsonl(bigint), differences(regclass);
DROP TABLE src, mirror_csv, mirror_jsonl, stage;
DELETE FROM dataexport.job;

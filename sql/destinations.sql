-- Destinations (SPEC section 8): directories below dataexport.destination_root
-- to which each successful job delivers its files, Hive-style, the manifest
-- last; confinement below the root; who may create and use them.
--
-- The instance must set dataexport.destination_root (test/regress.conf).
-- This file works below <root>/<system identifier>, so that instances that
-- share the root do not meet, and uses COPY ... PROGRAM (superuser) to look
-- at and tamper with the file system.  Paths, job ids, dates and hours are
-- masked in the output: <base>, <outside>, <j1>..., date=<D>, hour=<H>.

SELECT current_setting('dataexport.destination_root') || '/' || system_identifier AS base,
       '/tmp/pg_dataexport_regress_outside_' || system_identifier AS outside
  FROM pg_control_system() \gset

SELECT set_config('regress_dest.base', :'base', false),
       set_config('regress_dest.outside', :'outside', false),
       set_config('regress_dest.root', current_setting('dataexport.destination_root'), false) \gset ignored_

-- The lines a shell command prints.
CREATE TEMP TABLE sh_out (line text);
CREATE FUNCTION pg_temp.sh_lines(cmd text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE sh_out;
    EXECUTE format('COPY sh_out FROM PROGRAM %L WITH (FORMAT csv, DELIMITER E''\x01'', QUOTE E''\x02'')', cmd);
    RETURN QUERY SELECT line FROM sh_out;
END
$$;

-- Run a shell command that prints nothing.
CREATE FUNCTION pg_temp.sh(cmd text) RETURNS void LANGUAGE sql AS $$
    SELECT FROM pg_temp.sh_lines(cmd)
$$;

-- Paths, dates, hours, schedule ids and this file's job ids masked.
CREATE FUNCTION pg_temp.mask(s text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    j1 bigint := nullif(current_setting('regress_dest.j1', true), '')::bigint;
    i  int;
BEGIN
    s := replace(s, current_setting('regress_dest.base'), '<base>');
    s := replace(s, current_setting('regress_dest.outside'), '<outside>');
    s := replace(s, current_setting('regress_dest.root'), '<root>');
    s := regexp_replace(s, 'date=\d{4}-\d{2}-\d{2}', 'date=<D>', 'g');
    s := regexp_replace(s, 'hour=\d{2}', 'hour=<H>', 'g');
    s := regexp_replace(s, 'schedule \d+', 'schedule <id>', 'g');
    FOR i IN 0 .. CASE WHEN j1 IS NULL THEN -1 ELSE 100 END LOOP
        s := regexp_replace(s, '\m' || (j1 + i) || '(?=_|\.json)', '<j' || (i + 1) || '>', 'g');
        s := regexp_replace(s, '(job )' || (j1 + i) || '\M', '\1<j' || (i + 1) || '>', 'g');
    END LOOP;
    RETURN s;
END
$$;

-- Every file and directory below dir: its relative path and mode, masked.
CREATE FUNCTION pg_temp.tree(dir text) RETURNS SETOF text LANGUAGE sql AS $$
    SELECT line FROM (
        SELECT DISTINCT pg_temp.mask(l) AS line
          FROM pg_temp.sh_lines(format('cd %s && find . -mindepth 1 -printf ''%%P %%M\n''', dir)) l) t
     ORDER BY line COLLATE "C"
$$;

-- Each delivered file of a job compared with the stored one: gzip files
-- must decompress to the same bytes.
CREATE FUNCTION pg_temp.same_bytes(p_destination text, p_job bigint)
RETURNS TABLE (entity_type text, part int, path text, same_bytes boolean) LANGUAGE sql AS $$
    SELECT f->>'entity_type', (f->>'part')::int, pg_temp.mask(f->>'path'),
           CASE WHEN d.compression = 'gzip'
                THEN (SELECT left(l, 64) FROM pg_temp.sh_lines(format('gzip -dc ''%s/%s'' | sha256sum',
                                                               d.directory, f->>'path')) l)
                ELSE encode(sha256(pg_read_binary_file(d.directory || '/' || (f->>'path'))), 'hex')
           END = jf.sha256
      FROM dataexport.destinations d,
           jsonb_array_elements(pg_read_file(format('%s/_manifests/%s.json', d.directory, p_job))::jsonb
                                -> 'files') f
      JOIN dataexport.job_files jf ON jf.job_id = p_job AND jf.entity_type = f->>'entity_type'
                                  AND jf.part = (f->>'part')::int
     WHERE d.name = p_destination
     ORDER BY f->>'entity_type' COLLATE "C", (f->>'part')::int
$$;

-- An error as SQLSTATE, message and detail, masked.
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN pg_temp.mask(SQLSTATE || ': ' || SQLERRM
                        || CASE WHEN detail <> '' THEN ' (' || detail || ')' ELSE '' END);
END
$$;

-- A clean start for this cluster's directories.
SELECT pg_temp.sh(format('rm -rf %s %s && mkdir -p %s', :'base', :'outside', :'outside'));

CREATE SCHEMA dst;
CREATE TABLE dst.accounts (id integer PRIMARY KEY, name text);
CREATE TABLE dst.bill_line_items (id integer PRIMARY KEY, memo text);
INSERT INTO dst.accounts VALUES (1, 'Acme'), (2, 'Globex');
INSERT INTO dst.bill_line_items SELECT g, repeat('x', 100) FROM generate_series(1, 30) g;
SELECT dataexport.register_entity('DST_ACCOUNTS', 'dst.accounts');
SELECT dataexport.register_entity('DST_BILL_LINE_ITEMS', 'dst.bill_line_items');

-- Small parts, so that an entity type has several files.
LOAD 'pg_dataexport';
SET dataexport.max_file_size = '2000';

-- ---------------------------------------------------------------------------
-- Creating destinations: the directory is created (0750, parents too) and
-- stored resolved; partition_order and compression in any letter case.
-- ---------------------------------------------------------------------------
SELECT dataexport.create_destination('lake_time', :'base' || '/lake');
SELECT dataexport.create_destination('lake_type', :'base' || '/deep//er/./lake/', 'type_first', 'GZIP');
SELECT name, pg_temp.mask(directory) AS directory, partition_order, compression
  FROM dataexport.destinations WHERE name LIKE 'lake%' ORDER BY name COLLATE "C";
SELECT * FROM pg_temp.tree(:'base');

-- Refused: a duplicate name, bad options, relative paths, "..", directories
-- outside the root, symbolic links that lead out (followed at creation), a
-- file where a directory should be.
SELECT pg_temp.sh(format('ln -s %s %s/out && ln -s /nonexistent/dir %s/dangling && touch %s/afile',
                         :'outside', :'base', :'base', :'base'));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('lake_time', %L)$$, :'base' || '/x'));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('x', %L, 'SIDEWAYS')$$, :'base' || '/x'));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('x', %L, compression => 'zip')$$, :'base' || '/x'));
SELECT pg_temp.try($$SELECT dataexport.create_destination('x', 'relative/lake')$$);
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('x', %L)$$, :'base' || '/lake/../../escape'));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('x', %L)$$, :'base' || '/a/..'));
SELECT pg_temp.try($$SELECT dataexport.create_destination('x', '/tmp')$$);
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('x', %L)$$, current_setting('dataexport.destination_root')));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('x', %L)$$, current_setting('dataexport.destination_root') || '_sibling/x'));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('x', %L)$$, :'base' || '/out'));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('x', %L)$$, :'base' || '/out/new/deeper'));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('x', %L)$$, :'base' || '/dangling/new'));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('x', %L)$$, :'base' || '/afile'));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('x', %L)$$, :'base' || '/afile/sub'));
-- Nothing was created, inside the root or out.
SELECT count(*) AS destinations FROM dataexport.destinations WHERE name NOT LIKE 'lake%';
SELECT * FROM pg_temp.tree(:'base');
SELECT * FROM pg_temp.tree(:'outside');
SELECT pg_temp.sh(format('rm -f %s/out %s/dangling %s/afile', :'base', :'base', :'base'));

-- ---------------------------------------------------------------------------
-- Delivery: every file of the job, then the manifest, in each destination.
-- ---------------------------------------------------------------------------
SELECT dataexport.create_schedule('to the lake', ARRAY['DST_ACCOUNTS', 'DST_BILL_LINE_ITEMS'],
                                  'DAY', 1, destinations => ARRAY['lake_time', 'lake_type']) AS sid \gset
SELECT max(job_id) AS j1 FROM dataexport.jobs WHERE schedule_id = :sid \gset
SELECT set_config('regress_dest.j1', :'j1', false) \gset ignored_
CALL dataexport.run_pending();
SELECT status, rows_exported FROM dataexport.jobs WHERE job_id = :j1;
SELECT entity_type, part, file_name, rows FROM dataexport.job_files WHERE job_id = :j1 ORDER BY entity_type COLLATE "C", part;
-- TIME_FIRST and TYPE_FIRST layouts; directories 0750, files 0640.
SELECT * FROM pg_temp.tree(:'base');
-- The bytes are the stored file's; gzip files decompress to them.
SELECT * FROM pg_temp.same_bytes('lake_time', :j1);
SELECT * FROM pg_temp.same_bytes('lake_type', :j1);
-- The date and hour are those of the job's start, in UTC, whatever the
-- session's TimeZone (pg_regress runs in PST8PDT).
SELECT bool_and(f->>'path' = format('date=%s/hour=%s/type=%s/%s_%s',
                    to_char(j.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
                    to_char(j.started_at AT TIME ZONE 'UTC', 'HH24'),
                    lower(f->>'entity_type'), j.job_id, f->>'file_name')) AS utc_paths
  FROM dataexport.jobs j,
       jsonb_array_elements(pg_read_file(format('%s/lake/_manifests/%s.json', :'base', :j1))::jsonb -> 'files') f
 WHERE j.job_id = :j1;
-- A delivered manifest is the job's manifest, with the destination, its
-- compression, and each file's path relative to the destination directory.
CREATE TEMP TABLE delivered AS
    SELECT d AS directory, pg_read_file(format('%s/%s/_manifests/%s.json', :'base', d, :j1))::jsonb AS m
      FROM unnest(ARRAY['lake', 'deep/er/lake']) d;
SELECT m->>'destination' AS destination, m->>'compression' AS compression,
       pg_temp.mask(f->>'path') AS path
  FROM delivered, jsonb_array_elements(m->'files') f ORDER BY m->>'destination' COLLATE "C", f->>'path' COLLATE "C";
SELECT directory,
       m - 'destination' - 'compression'
         || jsonb_build_object('files', (SELECT jsonb_agg(f - 'path') FROM jsonb_array_elements(m->'files') f))
         = dataexport.job_manifest(:j1) AS same_as_job_manifest
  FROM delivered ORDER BY directory COLLATE "C";

-- An ad hoc export delivers too.
SELECT dataexport.export_now(ARRAY['DST_ACCOUNTS'], 'JSONL', ARRAY['lake_time']) AS j2 \gset
CALL dataexport.run_pending();
SELECT kind, status FROM dataexport.jobs WHERE job_id = :j2;
SELECT * FROM pg_temp.same_bytes('lake_time', :j2);

-- ---------------------------------------------------------------------------
-- A delivery that fails fails the job: the export chain does not move, no
-- manifest appears, and the next job exports and delivers the interval
-- again.  (lake_type is made read-only; lake_time, delivered to first, is
-- emptied to show what the failed job left there.)
-- ---------------------------------------------------------------------------
SELECT pg_temp.sh(format('rm -rf %s/lake/* && chmod -R u-w %s/deep/er/lake', :'base', :'base'));
INSERT INTO dst.accounts VALUES (3, 'Initech');
SELECT dataexport.run_schedule_now(:sid) AS j3 \gset
CALL dataexport.run_pending();
-- (The message goes on with the file or directory that could not be created.)
SELECT j.status, split_part(pg_temp.mask(j.error_message), ': ', 1) AS error_message,
       j.error_message LIKE '%: Permission denied' AS permission_denied, x.error_sqlstate
  FROM dataexport.jobs j JOIN dataexport.job x USING (job_id) WHERE job_id = :j3;
-- lake_time has the data files of the failed job, but no manifest for it.
SELECT * FROM pg_temp.tree(:'base' || '/lake');
SELECT * FROM pg_temp.tree(:'base' || '/deep/er/lake');
SELECT pg_temp.sh(format('chmod -R u+w %s/deep/er/lake', :'base'));
SELECT dataexport.run_schedule_now(:sid) AS j4 \gset
CALL dataexport.run_pending();
SELECT status, rows_exported FROM dataexport.jobs WHERE job_id = :j4;
SELECT * FROM dataexport.read_file(:j4, 'DST_ACCOUNTS');
SELECT * FROM pg_temp.same_bytes('lake_time', :j4);
SELECT * FROM pg_temp.same_bytes('lake_type', :j4);

-- A destination directory that was removed is created again.
SELECT pg_temp.sh(format('rm -rf %s/lake', :'base'));
SELECT dataexport.run_schedule_now(:sid) AS j5 \gset
CALL dataexport.run_pending();
SELECT status FROM dataexport.jobs WHERE job_id = :j5;
SELECT * FROM pg_temp.tree(:'base' || '/lake');

-- A destination directory swapped for a symbolic link, even one that leads
-- back into the root, fails the job; nothing is written where it leads.
SELECT pg_temp.sh(format('mv %s/lake %s/lake.moved && ln -s %s %s/lake', :'base', :'base', :'outside', :'base'));
SELECT dataexport.run_schedule_now(:sid) AS j6 \gset
CALL dataexport.run_pending();
SELECT status, pg_temp.mask(error_message) AS error_message
  FROM dataexport.jobs WHERE job_id = :j6;
SELECT pg_temp.sh(format('rm %s/lake && ln -s %s/lake.moved %s/lake', :'base', :'base', :'base'));
SELECT dataexport.run_schedule_now(:sid) AS j7 \gset
CALL dataexport.run_pending();
SELECT status, pg_temp.mask(error_message) AS error_message
  FROM dataexport.jobs WHERE job_id = :j7;
-- So does a symbolic link planted below the destination directory.
SELECT pg_temp.sh(format('rm %s/lake && mv %s/lake.moved %s/lake', :'base', :'base', :'base'));
SELECT pg_temp.sh(format('rm -rf %s/deep/er/lake/type=dst_accounts && ln -s %s %s/deep/er/lake/type=dst_accounts',
                         :'base', :'outside', :'base'));
SELECT dataexport.run_schedule_now(:sid) AS j8 \gset
CALL dataexport.run_pending();
SELECT status, pg_temp.mask(error_message) AS error_message
  FROM dataexport.jobs WHERE job_id = :j8;
SELECT * FROM pg_temp.tree(:'outside');
SELECT pg_temp.sh(format('rm %s/deep/er/lake/type=dst_accounts', :'base'));

-- ---------------------------------------------------------------------------
-- Who may create, see, use and delete destinations.
-- ---------------------------------------------------------------------------
CREATE ROLE regress_dest_plain;
CREATE ROLE regress_dest_writer IN ROLE pg_write_server_files;
-- NOINHERIT: a member of the writer that does not get pg_write_server_files.
CREATE ROLE regress_dest_member NOINHERIT IN ROLE regress_dest_writer;
GRANT USAGE ON SCHEMA dst TO regress_dest_plain, regress_dest_writer, regress_dest_member;
GRANT SELECT ON dst.accounts TO regress_dest_plain, regress_dest_writer, regress_dest_member;

SET ROLE regress_dest_plain;
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('mine', %L)$$, :'base' || '/mine'));
SELECT count(*) AS visible FROM dataexport.destinations;
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['DST_ACCOUNTS'], 'DAY', 1, destinations => ARRAY['lake_time'])$$);
SELECT pg_temp.try($$SELECT dataexport.export_now(ARRAY['DST_ACCOUNTS'], destinations => ARRAY['lake_time'])$$);
SELECT pg_temp.try($$SELECT dataexport.delete_destination('lake_time')$$);
RESET ROLE;

SET ROLE regress_dest_writer;
SELECT dataexport.create_destination('writer_lake', :'base' || '/writer');
-- A member of pg_write_server_files sees and may use every destination.
SELECT name FROM dataexport.destinations ORDER BY name COLLATE "C";
RESET ROLE;

SET ROLE regress_dest_member;
-- A member of the creating role may use its destinations, and only those.
SELECT name FROM dataexport.destinations ORDER BY name COLLATE "C";
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('m', %L)$$, :'base' || '/m'));
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['DST_ACCOUNTS'], 'DAY', 1, destinations => ARRAY['lake_time'])$$);
SELECT dataexport.create_schedule('member to writer lake', ARRAY['DST_ACCOUNTS'], 'DAY', 1,
                                  destinations => ARRAY['writer_lake']) AS msid \gset
CALL dataexport.run_pending();
SELECT status FROM dataexport.jobs WHERE schedule_id = :msid;
RESET ROLE;

-- The right to use a destination is checked again when the job runs.
REVOKE regress_dest_writer FROM regress_dest_member;
SET ROLE regress_dest_member;
SELECT dataexport.run_schedule_now(:msid) AS j10 \gset
CALL dataexport.run_pending();
SELECT status, pg_temp.mask(error_message) AS error_message FROM dataexport.jobs WHERE job_id = :j10;
RESET ROLE;

-- ---------------------------------------------------------------------------
-- Deleting: refused while a schedule or an unfinished job uses it, naming
-- them; the files delivered stay.
-- ---------------------------------------------------------------------------
SELECT pg_temp.try($$SELECT dataexport.delete_destination('nowhere')$$);
SELECT pg_temp.try($$SELECT dataexport.delete_destination('lake_type')$$) AS refused;
SELECT dataexport.update_schedule(:sid, destinations => '{}');
SELECT dataexport.export_now(ARRAY['DST_ACCOUNTS'], destinations => ARRAY['lake_type']) AS j11 \gset
SELECT pg_temp.try($$SELECT dataexport.delete_destination('lake_type')$$) AS refused;
CALL dataexport.run_pending();
SELECT dataexport.delete_destination('lake_type');
SELECT name FROM dataexport.destinations ORDER BY name COLLATE "C";
SELECT count(*) > 0 AS files_stay FROM pg_temp.tree(:'base' || '/deep/er/lake');

-- Clean up.
SELECT dataexport.delete_schedule(:sid);
SELECT dataexport.delete_schedule(:msid);
SELECT dataexport.delete_destination(name) FROM dataexport.destinations;
SELECT dataexport.unregister_entity('DST_ACCOUNTS');
SELECT dataexport.unregister_entity('DST_BILL_LINE_ITEMS');
DROP SCHEMA dst CASCADE;
DELETE FROM dataexport.job WHERE owner IN ('regress_dest_plain'::regrole,
    'regress_dest_writer'::regrole, 'regress_dest_member'::regrole);
DROP ROLE regress_dest_plain, regress_dest_member, regress_dest_writer;
SELECT pg_temp.sh(format('rm -rf %s %s', :'base', :'outside'));

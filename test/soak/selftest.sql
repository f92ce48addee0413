-- test/soak/selftest.sql: the checks of check.sql must catch wrong exports.
--
-- Run by soak.sh in a database of its own (setup.sql and check.sql loaded,
-- no other data) before the soak: a CSV and a JSONL schedule export
-- soak.acct; the files of some jobs are then altered, each in one way, and
-- soak_check.check_pending() / check_store() must report each alteration
-- with the expected kind of finding, and nothing before any alteration.
-- Where an alteration must get past the sha256 check (to prove that the
-- replay itself catches it), job_files is altered to match the new file.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- Write bytes to a server file (lo_export writes them unchanged).
CREATE FUNCTION soak_check.write_file(p_path text, p_data bytea) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    lo oid := lo_from_bytea(0, p_data);
BEGIN
    PERFORM lo_export(lo, p_path);
    PERFORM lo_unlink(lo);
END
$$;

-- Alter a job's file with f(text) -> text; with p_fix, make job_files
-- (bytes, sha256, rows) match the new file.
CREATE FUNCTION soak_check.alter_file(p_job bigint, p_file text, p_from text, p_to text,
                                      p_fix boolean, p_rows_delta int DEFAULT 0)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    path text := soak_check.store_dir() || '/' || p_job || '/' || p_file;
    old  text := convert_from(pg_read_binary_file(path), 'UTF8');
    new  text := regexp_replace(old, p_from, p_to);
BEGIN
    IF new = old THEN
        RAISE EXCEPTION 'self-test: /%/ does not occur in %', p_from, path;
    END IF;
    PERFORM soak_check.write_file(path, convert_to(new, 'UTF8'));
    IF p_fix THEN
        UPDATE dataexport.job_file
           SET bytes = octet_length(convert_to(new, 'UTF8')),
               sha256 = encode(sha256(convert_to(new, 'UTF8')), 'hex'),
               rows = rows + p_rows_delta
         WHERE job_id = p_job AND file_name = p_file;
    END IF;
END
$$;

CREATE TABLE soak_check.expectation (job_id bigint, kind text, what text);

INSERT INTO soak.acct SELECT a.* FROM generate_series(1, 300) s, LATERAL soak.new_acct(s) a;
SELECT dataexport.create_schedule('selftest csv', ARRAY['ACCT'], 'DAY', 1) AS c \gset
SELECT dataexport.create_schedule('selftest jsonl', ARRAY['ACCT'], 'DAY', 1,
                                  export_file_format => 'JSONL') AS j \gset
SELECT soak_check.add_chain(:c, 'acct', 'ACCT'), soak_check.add_chain(:j, 'acct', 'ACCT');
CALL dataexport.run_pending();

-- Round 2: changes; then a row is dropped from the JSONL file (sha256
-- fixed), and a record is doubled in the CSV file (sha256 fixed).
UPDATE soak.acct SET note = soak.rtext(), ratio = soak.rnum(true) WHERE slot % 10 = 1;
UPDATE soak.acct SET id = gen_random_uuid() WHERE slot % 50 = 2;
DELETE FROM soak.acct WHERE slot % 50 = 3;
INSERT INTO soak.acct SELECT a.* FROM generate_series(1, 10) s, LATERAL soak.new_acct(s) a;
SELECT dataexport.run_schedule_now(:c) AS c2, dataexport.run_schedule_now(:j) AS j2 \gset
CALL dataexport.run_pending();
SELECT soak_check.check_pending() AS checked_before \gset
DO $$ BEGIN IF (SELECT count(*) FROM soak_check.finding) > 0 THEN
    RAISE EXCEPTION 'self-test: % findings on unaltered files', (SELECT count(*) FROM soak_check.finding);
END IF; END $$;

-- (The round-2 jobs were checked above; their chains go on from them.)
UPDATE soak.acct SET ratio = 2.50, note = 'round 3' WHERE slot % 7 = 0;
DELETE FROM soak.acct WHERE slot % 60 = 5;
SELECT dataexport.run_schedule_now(:c) AS c3, dataexport.run_schedule_now(:j) AS j3 \gset
CALL dataexport.run_pending();

-- JSONL: the first line with "deleted":false goes (a change lost).
SELECT soak_check.alter_file(:j3, 'acct.jsonl', '(^|\n)[^\n]*"deleted":false}\n', '\1', true, -1);
INSERT INTO soak_check.expectation VALUES (:j3, 'missing_or_wrong', 'a line removed from a JSONL file'),
                                          (:j3, 'mirror_differs', 'a line removed from a JSONL file');
-- CSV: 2.50 written 2.5 (the scale of a numeric lost): same value,
-- other digits.  (The column is numeric without a scale: loaded into a
-- numeric(p,s) column, the text 2.5 gets its scale back.)
SELECT soak_check.alter_file(:c3, 'acct.csv', ',2\.50,', ',2.5,', true);
INSERT INTO soak_check.expectation VALUES (:c3, 'missing_or_wrong', 'numeric 2.50 written 2.5'),
                                          (:c3, 'extra_or_wrong', 'numeric 2.50 written 2.5');
SELECT soak_check.check_pending() >= 2 AS checked;

UPDATE soak.acct SET note = 'round 4', created = now() WHERE slot % 5 = 0;
DELETE FROM soak.acct WHERE slot % 60 = 7;
SELECT dataexport.run_schedule_now(:c) AS c4, dataexport.run_schedule_now(:j) AS j4 \gset
CALL dataexport.run_pending();
-- CSV: a record written twice (sha256 fixed).
SELECT soak_check.alter_file(:c4, 'acct.csv', '(\n)([0-9a-f]{8}-[^\n]*,false\n)', '\1\2\2', true, 1);
INSERT INTO soak_check.expectation VALUES (:c4, 'duplicate_key', 'a CSV record written twice');
-- JSONL: a live row marked deleted (sha256 fixed).
SELECT soak_check.alter_file(:j4, 'acct.jsonl', '"deleted":false}', '"deleted":true}', true);
INSERT INTO soak_check.expectation VALUES (:j4, 'extra_or_wrong', 'a live row marked deleted'),
                                          (:j4, 'mirror_differs', 'a live row marked deleted');
SELECT soak_check.check_pending() >= 2 AS checked;

UPDATE soak.acct SET note = 'round 5', created = '2024-06-01 10:00:00+00' WHERE slot % 4 = 0;
SELECT dataexport.run_schedule_now(:c) AS c5, dataexport.run_schedule_now(:j) AS j5 \gset
CALL dataexport.run_pending();
-- CSV: a timestamp written with +00:00 instead of Z (same instant: only
-- the check of SPEC 6's text sees it; sha256 fixed).
SELECT soak_check.alter_file(:c5, 'acct.csv', '2024-06-01T10:00:00Z', '2024-06-01T10:00:00+00:00', true);
INSERT INTO soak_check.expectation VALUES (:c5, 'value_format', 'timestamptz with +00:00 instead of Z');
-- JSONL: the file cut short (not fixed): size, sha256, last line.
SELECT soak_check.alter_file(:j5, 'acct.jsonl', '.{20}\n$', '', false);
INSERT INTO soak_check.expectation VALUES (:j5, 'file_sha256', 'a JSONL file cut short'),
                                          (:j5, 'file_bytes', 'a JSONL file cut short');
SELECT soak_check.check_pending() >= 2 AS checked;

-- A complete-looking file that the catalog does not know, in a SUCCEEDED
-- job's directory.
SELECT soak_check.write_file(soak_check.store_dir() || '/' || :c5 || '/acct_part7.csv',
                             pg_read_binary_file(soak_check.store_dir() || '/' || :c5 || '/acct.csv'));
INSERT INTO soak_check.expectation VALUES (:c5, 'unlisted_file', 'a final-named file not in job_files');
SELECT count(*) >= 0 AS stored FROM soak_check.check_store();

-- Every alteration found, as expected.
SELECT e.job_id, e.what, e.kind,
       EXISTS (SELECT 1 FROM soak_check.finding f WHERE f.job_id = e.job_id AND f.kind = e.kind) AS found
  FROM soak_check.expectation e ORDER BY e.job_id, e.kind;
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM soak_check.expectation e
                WHERE NOT EXISTS (SELECT 1 FROM soak_check.finding f
                                   WHERE f.job_id = e.job_id AND f.kind = e.kind)) THEN
        RAISE EXCEPTION 'self-test: an alteration of an export went unnoticed';
    END IF;
END $$;
SELECT 'self-test passed: ' || count(*) || ' alterations, each found' AS result FROM soak_check.expectation;

-- Hostile input: every parameter of every public function given NULL, SQL,
-- quotes, control characters, 10 kB strings, out-of-range numbers and
-- unknown names.  Each call gets an ERROR with its SQLSTATE (22004 NULL,
-- 22023 bad value, 42704 unknown, 42710 duplicate, 42501 privilege) and a
-- message that names the field; nothing is created or changed.  Text that
-- is merely unusual (quotes, semicolons) is a valid name, stored as given.

-- A directory below the destination root for this cluster, shown as <dir>.
SELECT current_setting('dataexport.destination_root') || '/' || system_identifier || '/hostile' AS dir
  FROM pg_control_system() \gset
SELECT set_config('regress_hostile.dir', :'dir', false) \gset ignored_

-- SQLSTATE and message (ids masked; a message longer than 200 characters is
-- cut, with its length, so that an echoed 10 kB input shows).
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    msg text;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    msg := regexp_replace(SQLERRM, '(schedule|job) \d+', '\1 <id>', 'g');
    msg := replace(msg, current_setting('regress_hostile.dir'), '<dir>');
    IF length(msg) > 200 THEN
        msg := left(msg, 200) || format('... (%s characters)', length(msg));
    END IF;
    RETURN SQLSTATE || ': ' || msg;
END
$$;

CREATE SCHEMA hostile;
CREATE TABLE hostile.accounts (id integer PRIMARY KEY, name text);
CREATE TABLE hostile.victim (id integer);
CREATE TABLE hostile.keyed (id integer PRIMARY KEY, code text NOT NULL);
CREATE VIEW hostile.a_view AS SELECT * FROM hostile.accounts;
SELECT dataexport.register_entity('HOSTILE_ACCOUNTS', 'hostile.accounts');
SELECT dataexport.create_schedule('target', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, code => 'target')
    AS sid \gset
SELECT max(job_id) AS jid FROM dataexport.jobs WHERE schedule_id = :sid \gset
CALL dataexport.run_pending();

-- What the functions can change, fingerprinted.
CREATE FUNCTION pg_temp.fingerprint() RETURNS text LANGUAGE sql AS $$
    SELECT md5(concat_ws('|',
        (SELECT string_agg(e::text, ',' ORDER BY e.entity_type) FROM dataexport.entity e),
        (SELECT string_agg(s::text, ',' ORDER BY s.schedule_id) FROM dataexport.schedule s),
        (SELECT string_agg(x::text, ',' ORDER BY x.schedule_id, x.entity_type)
           FROM dataexport.schedule_entity x),
        (SELECT string_agg(j::text, ',' ORDER BY j.job_id) FROM dataexport.job j),
        (SELECT string_agg(f::text, ',' ORDER BY f.job_id, f.entity_type, f.part)
           FROM dataexport.job_file f),
        (SELECT string_agg(d::text, ',' ORDER BY d.name) FROM dataexport.destination d),
        (SELECT string_agg(c.relname || ':' || (SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = c.oid),
                           ',' ORDER BY c.relname)
           FROM pg_class c WHERE c.relnamespace = 'hostile'::regnamespace)))
$$;
SELECT pg_temp.fingerprint() AS before \gset

\pset tuples_only on
\pset format unaligned

-- register_entity(entity_type, relation, key_columns)
SELECT pg_temp.try($$SELECT dataexport.register_entity(NULL, 'hostile.victim')$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('VICTIM', NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('ACCOUNTS; DROP TABLE hostile.victim', 'hostile.victim')$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('victim', 'hostile.victim')$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('', 'hostile.victim')$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity(E'VIC\nTIM', 'hostile.victim')$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('VICTIM''', 'hostile.victim')$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity(repeat('V', 10000), 'hostile.victim')$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('HOSTILE_ACCOUNTS', 'hostile.victim')$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('VICTIM', 'hostile.victim; DROP TABLE hostile.victim')$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('VICTIM', 'hostile.a_view')$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('VICTIM', 'hostile.victim')$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('VICTIM', 'hostile.victim', '{}')$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('VICTIM', 'hostile.victim', ARRAY[NULL])$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('VICTIM', 'hostile.victim', ARRAY['id; DROP TABLE hostile.victim'])$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('VICTIM', 'hostile.victim', ARRAY[repeat('c', 10000)])$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('VICTIM', 'hostile.victim', ARRAY['id'])$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('KEYED', 'hostile.keyed', ARRAY['id', 'id'])$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('KEYED', 'hostile.keyed', '{{id}}')$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('KEYED', 'hostile.keyed', '{{id,code},{code,id}}')$$);

-- unregister_entity(entity_type)
SELECT pg_temp.try($$SELECT dataexport.unregister_entity(NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.unregister_entity('ACCOUNTS; DROP TABLE hostile.victim')$$);
SELECT pg_temp.try($$SELECT dataexport.unregister_entity(repeat('A', 10000))$$);
SELECT pg_temp.try($$SELECT dataexport.unregister_entity('HOSTILE_ACCOUNTS')$$);

-- create_schedule(name, entity_types, schedule_type, period, schedule_offset,
--                 cron_expression, export_file_format, destinations, code)
SELECT pg_temp.try($$SELECT dataexport.create_schedule(NULL, ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule(E'a\x01b', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule(E'a\nb', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule(repeat('n', 10000), ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', NULL, 'HOUR', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', '{}', 'HOUR', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY[NULL], 'HOUR', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['ACCOUNTS; DROP TABLE hostile.victim'], 'HOUR', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['hostile_accounts'], 'HOUR', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY[repeat('A', 10000)], 'HOUR', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS', 'HOSTILE_ACCOUNTS'], 'HOUR', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', '{{HOSTILE_ACCOUNTS}}', 'HOUR', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'])$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], NULL, 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'WEEK', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR; DROP TABLE hostile.victim', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], repeat('H', 10000), 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 0)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', -1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', -2147483648)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 2147483647)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'DAY', 3651)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'MINUTE', 5256001)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'MINUTE', 1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'MINUTE', 30, 5)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, -1)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, 60)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'DAY', 1, 24)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'DAY', 1, 2147483647)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'DAY', 1, -2147483648)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], cron_expression => 'not a cron expression')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], cron_expression => '0 0 * * *; DROP TABLE hostile.victim')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], cron_expression => E'0 0 * * *\n0 1 * * *')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], cron_expression => '0 0 0 * * *')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], cron_expression => '@reboot')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], cron_expression => '0 5-1 * * *')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], cron_expression => '99999999999999999999 * * * *')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], cron_expression => repeat('1,', 5000) || '1 * * * *')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], cron_expression => '')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, cron_expression => '0 * * * *')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, export_file_format => NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, export_file_format => 'XML')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, export_file_format => 'CSV; DROP TABLE hostile.victim')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, export_file_format => ' CSV')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, export_file_format => repeat('J', 10000))$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, destinations => NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, destinations => ARRAY[NULL])$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, destinations => ARRAY['nowhere'])$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, destinations => ARRAY['x''; DROP TABLE hostile.victim; --'])$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, destinations => ARRAY[repeat('d', 10000)])$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, destinations => '{{a}}')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, code => '')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, code => ' lead')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, code => E'trail\t')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, code => E'a\x7fb')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, code => repeat('c', 81))$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, code => repeat('c', 10000))$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1, code => 'target')$$);
SELECT pg_temp.fingerprint() = :'before' AS unchanged;

-- update_schedule(schedule_id, ...): each bad value refused, nothing changed.
SELECT pg_temp.try($$SELECT dataexport.update_schedule(NULL, name => 'x')$$);
SELECT pg_temp.try($$SELECT dataexport.update_schedule(-1, name => 'x')$$);
SELECT pg_temp.try($$SELECT dataexport.update_schedule(9223372036854775807, name => 'x')$$);
SELECT pg_temp.try(format($$SELECT dataexport.update_schedule(%s, name => '')$$, :sid));
SELECT pg_temp.try(format($$SELECT dataexport.update_schedule(%s, name => repeat('n', 10000))$$, :sid));
SELECT pg_temp.try(format($$SELECT dataexport.update_schedule(%s, entity_types => '{}')$$, :sid));
SELECT pg_temp.try(format($$SELECT dataexport.update_schedule(%s, entity_types => ARRAY['ACCOUNTS; DROP TABLE hostile.victim'])$$, :sid));
SELECT pg_temp.try(format($$SELECT dataexport.update_schedule(%s, schedule_type => 'WEEK', period => 1)$$, :sid));
SELECT pg_temp.try(format($$SELECT dataexport.update_schedule(%s, period => 2)$$, :sid));
SELECT pg_temp.try(format($$SELECT dataexport.update_schedule(%s, schedule_type => 'HOUR', period => -5)$$, :sid));
SELECT pg_temp.try(format($$SELECT dataexport.update_schedule(%s, schedule_type => 'HOUR', period => 1, schedule_offset => 600)$$, :sid));
SELECT pg_temp.try(format($$SELECT dataexport.update_schedule(%s, cron_expression => '61 * * * *')$$, :sid));
SELECT pg_temp.try(format($$SELECT dataexport.update_schedule(%s, export_file_format => 'parquet')$$, :sid));
SELECT pg_temp.try(format($$SELECT dataexport.update_schedule(%s, destinations => ARRAY['nowhere'])$$, :sid));
SELECT pg_temp.try(format($$SELECT dataexport.update_schedule(%s, code => E'new\ncode')$$, :sid));
SELECT pg_temp.try(format($$SELECT dataexport.update_schedule(%s, name => 'renamed', code => repeat('c', 81))$$, :sid));
SELECT pg_temp.fingerprint() = :'before' AS unchanged;

-- delete_schedule, run_schedule_now, next_runs
SELECT pg_temp.try($$SELECT dataexport.delete_schedule(NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.delete_schedule(-1)$$);
SELECT pg_temp.try($$SELECT dataexport.run_schedule_now(NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.run_schedule_now(9223372036854775807)$$);
SELECT pg_temp.try($$SELECT dataexport.next_runs(NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.next_runs(-1)$$);
SELECT pg_temp.try(format($$SELECT dataexport.next_runs(%s, NULL)$$, :sid));
SELECT pg_temp.try(format($$SELECT dataexport.next_runs(%s, 5, NULL)$$, :sid));
SELECT pg_temp.try(format($$SELECT dataexport.next_runs(%s, -1)$$, :sid));
SELECT pg_temp.try(format($$SELECT dataexport.next_runs(%s, 2147483647)$$, :sid));
SELECT pg_temp.try(format($$SELECT dataexport.next_runs(%s, 5, '-infinity')$$, :sid));

-- export_now(entity_types, export_file_format, destinations)
SELECT pg_temp.try($$SELECT dataexport.export_now(NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.export_now('{}')$$);
SELECT pg_temp.try($$SELECT dataexport.export_now(ARRAY['ACCOUNTS; DROP TABLE hostile.victim'])$$);
SELECT pg_temp.try($$SELECT dataexport.export_now(ARRAY['HOSTILE_ACCOUNTS'], NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.export_now(ARRAY['HOSTILE_ACCOUNTS'], 'TSV')$$);
SELECT pg_temp.try($$SELECT dataexport.export_now(ARRAY['HOSTILE_ACCOUNTS'], 'CSV', NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.export_now(ARRAY['HOSTILE_ACCOUNTS'], 'CSV', ARRAY['nowhere'])$$);

-- wait_for_job, job_manifest, read_file
SELECT pg_temp.try($$SELECT dataexport.wait_for_job(NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.wait_for_job(-1)$$);
SELECT pg_temp.try(format($$SELECT dataexport.wait_for_job(%s, NULL)$$, :jid));
SELECT pg_temp.try(format($$SELECT dataexport.wait_for_job(%s, '-1 second')$$, :jid));
SELECT pg_temp.try($$SELECT dataexport.job_manifest(NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.job_manifest(-1)$$);
SELECT pg_temp.try($$SELECT dataexport.read_file(NULL, 'HOSTILE_ACCOUNTS')$$);
SELECT pg_temp.try(format($$SELECT dataexport.read_file(%s, NULL)$$, :jid));
SELECT pg_temp.try(format($$SELECT dataexport.read_file(%s, 'HOSTILE_ACCOUNTS', NULL)$$, :jid));
SELECT pg_temp.try($$SELECT dataexport.read_file(-1, 'HOSTILE_ACCOUNTS')$$);
SELECT pg_temp.try(format($$SELECT dataexport.read_file(%s, '../../../../etc/passwd')$$, :jid));
SELECT pg_temp.try(format($$SELECT dataexport.read_file(%s, 'ACCOUNTS; DROP TABLE hostile.victim')$$, :jid));
SELECT pg_temp.try(format($$SELECT dataexport.read_file(%s, repeat('A', 10000))$$, :jid));
SELECT pg_temp.try(format($$SELECT dataexport.read_file(%s, 'HOSTILE_ACCOUNTS', 0)$$, :jid));
SELECT pg_temp.try(format($$SELECT dataexport.read_file(%s, 'HOSTILE_ACCOUNTS', -2147483648)$$, :jid));

-- run_pending: a procedure that commits, so not inside a transaction block.
SELECT pg_temp.try($$CALL dataexport.run_pending()$$);

-- create_destination(name, directory, partition_order, compression),
-- delete_destination(name)
SELECT pg_temp.try($$SELECT dataexport.create_destination(NULL, '/x')$$);
SELECT pg_temp.try($$SELECT dataexport.create_destination('d', NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.create_destination('d', '/x', NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.create_destination('d', '/x', 'TIME_FIRST', NULL)$$);
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('', %L)$$, :'dir'));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination(E'd\te', %L)$$, :'dir'));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination(repeat('d', 10000), %L)$$, :'dir'));
SELECT pg_temp.try($$SELECT dataexport.create_destination('d', '')$$);
SELECT pg_temp.try($$SELECT dataexport.create_destination('d', 'lake')$$);
SELECT pg_temp.try($$SELECT dataexport.create_destination('d', '../lake')$$);
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('d', %L)$$, :'dir' || E'/a\nb'));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('d', %L)$$, :'dir' || '/' || repeat('x', 10000)));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('d', %L)$$, :'dir' || repeat('/x', 600)));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('d', %L)$$, :'dir' || '/..'));
SELECT pg_temp.try($$SELECT dataexport.create_destination('d', '/etc')$$);
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('d', %L, 'HIVE')$$, :'dir'));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('d', %L, 'TIME_FIRST; DROP TABLE hostile.victim')$$, :'dir'));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('d', %L, compression => 'zstd')$$, :'dir'));
SELECT pg_temp.try(format($$SELECT dataexport.create_destination('d', %L, compression => repeat('z', 10000))$$, :'dir'));
SELECT pg_temp.try($$SELECT dataexport.delete_destination(NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.delete_destination('x''; DROP TABLE hostile.victim; --')$$);
SELECT pg_temp.try($$SELECT dataexport.delete_destination(repeat('d', 10000))$$);
SELECT pg_temp.fingerprint() = :'before' AS unchanged;

-- A role without privileges gets 42501 before anything about its input is
-- looked at, and NULL is still 22004.
CREATE ROLE regress_hostile_nobody;
GRANT USAGE ON SCHEMA hostile TO regress_hostile_nobody;
SET ROLE regress_hostile_nobody;
SELECT pg_temp.try($$SELECT dataexport.create_destination('d', '/etc')$$);
SELECT pg_temp.try($$SELECT dataexport.create_destination(NULL, NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.register_entity('VICTIM', 'hostile.victim')$$);
SELECT pg_temp.try($$SELECT dataexport.unregister_entity('HOSTILE_ACCOUNTS')$$);
SELECT pg_temp.try($$SELECT dataexport.create_schedule('s', ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1)$$);
RESET ROLE;
SELECT pg_temp.fingerprint() = :'before' AS unchanged;

\pset tuples_only off
\pset format aligned

-- Quotes and semicolons are text like any other: the schedule is created
-- with exactly that name and code, and nothing else happens.
SELECT dataexport.create_schedule($$Robert'); DROP TABLE hostile.victim; --$$,
                                  ARRAY['HOSTILE_ACCOUNTS'], 'HOUR', 1,
                                  code => $$x"; DELETE FROM dataexport.job; '$$) AS odd \gset
SELECT name, code FROM dataexport.schedules WHERE schedule_id = :odd;
SELECT count(*) AS victim_rows FROM hostile.victim;
SELECT count(*) > 0 AS jobs_still_there FROM dataexport.jobs;

-- Clean up.
SELECT dataexport.delete_schedule(:odd);
SELECT dataexport.delete_schedule(:sid);
SELECT dataexport.unregister_entity('HOSTILE_ACCOUNTS');
DROP SCHEMA hostile CASCADE;
DROP ROLE regress_hostile_nobody;

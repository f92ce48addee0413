# Operating the scheduler: it survives SIGTERM (the launcher is restarted by
# the postmaster, a scheduler by the launcher); a job worker that is
# cancelled or terminated fails its job only; a broken schedule (owner
# dropped or unable to log in, table dropped, storage unwritable) fails its
# own job with a clear error and nothing else; dataexport.enabled = off
# stops new jobs at once and on again starts what waited, earliest due
# first, within dataexport.max_workers.  Without shared_preload_libraries,
# CREATE EXTENSION works and says that schedules will not fire.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use DataexportWorker;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = worker_node('operations', 'dataexport.max_workers' => 1);
setup_accounts($node, 'postgres', 10);

sub pid_of
{
	my ($type) = @_;
	return $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_dataexport $type'");
}

sub run_job
{
	my ($role, $types) = @_;
	$types //= "'ACCOUNTS'";
	my $job = $node->safe_psql('postgres',
		"SET ROLE $role; SELECT dataexport.export_now(ARRAY[$types])");
	$node->safe_psql('postgres', "SELECT dataexport.wait_for_job($job, '30s')");
	return $job;
}

sub job_result
{
	my ($job) = @_;
	return $node->safe_psql('postgres',
		"SELECT status || ': ' || coalesce(error_sqlstate || ' ', '') || coalesce(error_message, '') FROM dataexport.job WHERE job_id = $job"
	);
}

# SIGTERM: the launcher and the scheduler come back, and jobs still run.
ok($node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pg_dataexport scheduler'"),
	'a scheduler runs');
my $launcher  = pid_of('launcher');
my $scheduler = pid_of('scheduler');
kill 'TERM', $launcher;
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pg_dataexport launcher' AND pid <> $launcher"
	),
	'a launcher terminated by SIGTERM is restarted');
is(pid_of('scheduler'), $scheduler, 'its scheduler ran on meanwhile');
kill 'TERM', $scheduler;
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pg_dataexport scheduler' AND pid <> $scheduler"
	),
	'a scheduler terminated by SIGTERM is restarted');
is(job_result(run_job('alice')), 'SUCCEEDED: ', 'jobs run after both restarts');
$launcher  = pid_of('launcher');
$scheduler = pid_of('scheduler');

# A job worker cancelled, or terminated, fails its own job.
make_slow($node, 'postgres', 1);
for my $how ('cancel', 'terminate')
{
	my $job = $node->safe_psql('postgres',
		"SET ROLE alice; SELECT dataexport.export_now(ARRAY['ACCOUNTS'])");
	ok( $node->poll_query_until(
			'postgres', "SELECT status = 'RUNNING' FROM dataexport.job WHERE job_id = $job"),
		"$how: the job runs");
	$node->safe_psql('postgres',
		"SELECT pg_${how}_backend(worker_pid) FROM dataexport.job WHERE job_id = $job");
	$node->safe_psql('postgres', "SELECT dataexport.wait_for_job($job, '30s')");
	like(
		job_result($job),
		$how eq 'cancel'
		? qr/^FAILED: 57014 .*canceling statement due to user request/
		: qr/^FAILED: 57P01 interrupted: the process running it exited$/,
		"$how: the job is FAILED, and says why");
}
make_slow($node, 'postgres', 0);

# Broken schedules, each failing its own job.
$node->safe_psql(
	'postgres', q{
	CREATE ROLE bob LOGIN;
	CREATE ROLE carol LOGIN;
	GRANT SELECT ON accounts TO bob, carol;
	CREATE TABLE public.gone (id integer PRIMARY KEY);
	ALTER TABLE public.gone OWNER TO alice;
	SET ROLE alice;
	SELECT dataexport.register_entity('GONE', 'public.gone');
});
my $bob_sid = $node->safe_psql('postgres',
	"SET ROLE bob; SELECT dataexport.create_schedule('bob', ARRAY['ACCOUNTS'], 'DAY', 1)");
$node->safe_psql('postgres',
	"SELECT dataexport.wait_for_job(job_id) FROM dataexport.job WHERE schedule_id = $bob_sid");
$node->safe_psql('postgres', 'REVOKE SELECT ON accounts FROM bob; DROP ROLE bob');
my $job = $node->safe_psql('postgres', "SELECT dataexport.run_schedule_now($bob_sid)");
$node->safe_psql('postgres', "SELECT dataexport.wait_for_job($job, '30s')");
is( job_result($job),
	"FAILED: 42704 the owner of job $job no longer exists",
	'a job whose owner was dropped fails, saying so');

$node->safe_psql('postgres', 'ALTER ROLE carol NOLOGIN');
$job = run_job('carol');
is( job_result($job),
	'FAILED: 28000 role "carol" is not permitted to log in',
	'a job whose owner cannot log in fails with the error of its connection');

my $gone_sid = $node->safe_psql('postgres',
	"SET ROLE alice; SELECT dataexport.create_schedule('gone', ARRAY['ACCOUNTS', 'GONE'], 'DAY', 1)"
);
$node->safe_psql('postgres',
	"SELECT dataexport.wait_for_job(job_id) FROM dataexport.job WHERE schedule_id = $gone_sid");
$node->safe_psql('postgres', 'DROP TABLE public.gone');
$job = $node->safe_psql('postgres',
	"SET ROLE alice; SELECT dataexport.run_schedule_now($gone_sid)");
$node->safe_psql('postgres', "SELECT dataexport.wait_for_job($job, '30s')");
like(
	job_result($job),
	qr/^FAILED: 42P01 the table of entity type "GONE" no longer exists/,
	'a job whose table was dropped fails, saying so');
$node->safe_psql('postgres',
	"SELECT dataexport.delete_schedule($gone_sid), dataexport.unregister_entity('GONE')");

my $store = $node->data_dir . '/pg_dataexport/'
  . $node->safe_psql('postgres', "SELECT oid FROM pg_database WHERE datname = 'postgres'");
chmod 0500, $store;
$job = run_job('alice');
like(
	job_result($job),
	qr/^FAILED: 42501 could not create directory .*Permission denied/,
	'a job whose storage is not writable fails, saying so');
chmod 0700, $store;
is(job_result(run_job('alice')), 'SUCCEEDED: ', 'once writable again, jobs succeed');
is(pid_of('launcher'), $launcher, 'the launcher lived through all of that');
is(pid_of('scheduler'), $scheduler, 'and so did the scheduler');

# dataexport.enabled = off stops new jobs at once, on again starts what
# waited, earliest due first, one at a time (max_workers = 1).
my $sid = $node->safe_psql('postgres',
	"SET ROLE alice; SELECT dataexport.create_schedule('minutely', ARRAY['ACCOUNTS'], 'MINUTE', 1)"
);
$node->safe_psql('postgres',
	"SELECT dataexport.wait_for_job(job_id) FROM dataexport.jobs WHERE schedule_id = $sid");
$node->append_conf('postgresql.conf', 'dataexport.enabled = off');
$node->reload;
ok($node->poll_query_until('postgres', "SELECT current_setting('dataexport.enabled') = 'off'"),
	'the scheduler is turned off by a reload');
my $due = $node->safe_psql('postgres',
	"SELECT extract(epoch FROM next_run_at) FROM dataexport.schedule WHERE schedule_id = $sid");
sleep($due + 1 - time()) if $due + 1 > time();
my $waiting = $node->safe_psql('postgres',
	"SET ROLE alice; SELECT dataexport.export_now(ARRAY['ACCOUNTS'])");
sleep 3;
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM dataexport.job WHERE schedule_id = $sid AND kind = 'SCHEDULED'"),
	0,
	'while off, a schedule that falls due does not run');
is($node->safe_psql('postgres', "SELECT status FROM dataexport.job WHERE job_id = $waiting"),
	'PENDING', 'and a queued job waits');
make_slow($node, 'postgres', 0.1);
$node->append_conf('postgresql.conf', 'dataexport.enabled = on');
my $on_at = time();
$node->reload;
is($node->safe_psql('postgres', "SELECT dataexport.wait_for_job($waiting, '30s')"),
	'SUCCEEDED', 'turned on again, the waiting job runs');
my ($scheduled_first, $one_at_a_time, $catch_up_started) = split /\|/,
  $node->safe_psql(
	'postgres', qq{
	SELECT s.started_at < w.started_at, s.completed_at <= w.started_at,
	       extract(epoch FROM s.started_at)
	  FROM dataexport.job s, dataexport.job w
	 WHERE s.schedule_id = $sid AND s.kind = 'SCHEDULED' AND w.job_id = $waiting});
is($scheduled_first, 't',
	'the scheduled run, due earlier, started first though queued later');
is($one_at_a_time, 't', 'the next started only once it was done (max_workers = 1)');
cmp_ok($catch_up_started - $on_at, '<', 1.5,
	'the first started as soon as the scheduler was turned on');
make_slow($node, 'postgres', 0);
$node->stop;

# Without shared_preload_libraries.
my $plain = PostgreSQL::Test::Cluster->new('plain');
$plain->init;
$plain->start;
my ($ret, $stdout, $stderr) =
  $plain->psql('postgres', 'CREATE EXTENSION pg_dataexport', on_error_stop => 1);
is($ret, 0, 'CREATE EXTENSION works without shared_preload_libraries');
like(
	$stderr,
	qr/NOTICE:  pg_dataexport is not in shared_preload_libraries: schedules will not fire by themselves/,
	'and says that schedules will not fire by themselves');
$plain->stop;

done_testing();

# The background scheduler starts queued jobs at once, each in a worker of
# its own connected as the job's owner: the initial export of a new
# schedule starts within a second of the commit that created it (not before
# that commit), and so do run_schedule_now and export_now jobs; two jobs of
# one schedule never run at the same time.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use DataexportWorker;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = worker_node('start');
setup_accounts($node, 'postgres', 20);

# A new schedule: its INITIAL job runs, as alice, with every row.
my $sid = $node->safe_psql('postgres',
	"SET ROLE alice; SELECT dataexport.create_schedule('hourly', ARRAY['ACCOUNTS'], 'HOUR', 1)"
);
is( $node->safe_psql(
		'postgres',
		"SET ROLE alice; SELECT dataexport.wait_for_job(job_id, '30s') FROM dataexport.jobs WHERE schedule_id = $sid"
	),
	'SUCCEEDED',
	'the initial job of a new schedule succeeds without anyone running it');
my ($kind, $delay, $rows) = split /\|/,
  $node->safe_psql('postgres',
	"SELECT kind, extract(epoch FROM started_at - created_at), rows_exported FROM dataexport.jobs WHERE schedule_id = $sid"
  );
is($kind, 'INITIAL', 'the first job is the initial export');
cmp_ok($delay, '<', 1.0,
	"the initial job started within a second of its creation ($delay s)");
is($rows, 20, 'the initial job exported every row');

# While a job runs, its worker is connected as the job's owner, with the pid
# the job records.
make_slow($node, 'postgres', 0.1);
my $job = $node->safe_psql('postgres',
	"SET ROLE alice; SELECT dataexport.export_now(ARRAY['ACCOUNTS'])");
my $seen;
ok( wait_until(
		10,
		sub {
			$seen = $node->safe_psql(
				'postgres', qq{
			SELECT a.usename || ':' || (a.pid = j.worker_pid)
			  FROM pg_stat_activity a, dataexport.job j
			 WHERE a.backend_type = 'pg_dataexport job' AND j.job_id = $job
			   AND j.status = 'RUNNING'});
			return $seen ne '';
		}),
	'a running job has a worker');
is($seen, 'alice:true',
	'the job worker is connected as the owner, with the pid the job records');
make_slow($node, 'postgres', 0);
is($node->safe_psql('postgres', "SELECT dataexport.wait_for_job($job)"),
	'SUCCEEDED', 'the ad hoc job succeeds');

# The scheduler reads a queued job only once its transaction commits, and
# starts it at once then.
my $bg = $node->background_psql('postgres');
$bg->query_safe('BEGIN');
my $pending =
  $bg->query_safe("SET LOCAL ROLE alice; SELECT dataexport.export_now(ARRAY['ACCOUNTS'])");
sleep 2;
is($node->safe_psql('postgres', "SELECT status FROM dataexport.job WHERE job_id = $pending"),
	'', 'an uncommitted job is invisible, so not started');
my $committed_at = $bg->query_safe("SELECT extract(epoch FROM clock_timestamp())");
$bg->query_safe('COMMIT');
$bg->quit;
is($node->safe_psql('postgres', "SELECT dataexport.wait_for_job($pending, '30s')"),
	'SUCCEEDED', 'the job queued in that transaction runs after its commit');
$delay = $node->safe_psql('postgres',
	"SELECT extract(epoch FROM started_at) - $committed_at FROM dataexport.job WHERE job_id = $pending"
);
cmp_ok($delay, '<', 1.0,
	"it started within a second of the commit ($delay s)");

# run_schedule_now: the next incremental export, started at once; a second
# one queued while the first runs waits for it.
$node->safe_psql('postgres', "UPDATE accounts SET name = 'b' || id WHERE id <= 5");
make_slow($node, 'postgres', 0.2);
my ($first, $second) = grep { /^\d+$/ } split /\n/,
  $node->safe_psql(
	'postgres', qq{
	SET ROLE alice;
	SELECT dataexport.run_schedule_now($sid);
	SELECT pg_sleep(0.3);
	SELECT dataexport.run_schedule_now($sid);
	RESET ROLE;
	UPDATE public.slowness SET delay = 0;
});
is($node->safe_psql('postgres', "SELECT dataexport.wait_for_job($second, '30s')"),
	'SUCCEEDED', 'both manual jobs succeed');
my ($overlap, $first_delay) = split /\|/,
  $node->safe_psql(
	'postgres', qq{
	SELECT b.started_at < a.completed_at, extract(epoch FROM a.started_at - a.created_at)
	  FROM dataexport.job a, dataexport.job b
	 WHERE a.job_id = $first AND b.job_id = $second});
is($overlap, 'f', 'the second job of the schedule started after the first ended');
cmp_ok($first_delay, '<', 1.0,
	"run_schedule_now started its job within a second ($first_delay s)");
is( $node->safe_psql(
		'postgres', "SELECT rows_exported FROM dataexport.job WHERE job_id = $first"),
	5,
	'the manual job exported the changed rows only');

$node->stop;
done_testing();

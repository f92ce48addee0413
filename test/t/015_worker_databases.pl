# One scheduler per database of dataexport.database_names: two databases
# run their own schedules (one of them created after the server started),
# a missing one is reported and does no harm, one not in the list is told
# at CREATE EXTENSION that its schedules will not fire by themselves.
# DROP DATABASE and DROP EXTENSION are not blocked by the scheduler, even
# with a job running.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use DataexportWorker;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = worker_node('databases',
	'dataexport.database_names' => "'postgres, db2, missing'");
setup_accounts($node, 'postgres', 10);

ok( $node->wait_for_log(
		qr/database "missing" of dataexport.database_names does not exist/),
	'a database of the list that does not exist is reported');

# db2 is created after the server started: its scheduler starts when the
# extension is created there.
$node->safe_psql('postgres', 'CREATE DATABASE db2');
setup_accounts($node, 'db2', 5);

my %schedule;
for my $db ('postgres', 'db2')
{
	$schedule{$db} = $node->safe_psql($db,
		"SET ROLE alice; SELECT dataexport.create_schedule('in $db', ARRAY['ACCOUNTS'], 'HOUR', 1)"
	);
	is( $node->safe_psql(
			$db,
			"SELECT dataexport.wait_for_job(job_id, '30s') FROM dataexport.jobs WHERE schedule_id = $schedule{$db}"
		),
		'SUCCEEDED',
		"$db: the initial job ran by itself");
	my ($job, $delay, $rows) = split /\|/,
	  $node->safe_psql($db,
		"SELECT job_id, extract(epoch FROM started_at - created_at), rows_exported FROM dataexport.jobs WHERE schedule_id = $schedule{$db}"
	  );
	cmp_ok($delay, '<', 1.0, "$db: within a second ($delay s)");
	ok(-e job_dir($node, $db, $job) . '/accounts.csv',
		"$db: its files are stored under the database's directory");
	is($rows, $db eq 'postgres' ? 10 : 5, "$db: with the rows of its own table");
}
is( $node->safe_psql(
		'postgres',
		q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_dataexport scheduler'}
	),
	2,
	'one scheduler per database');
my $launcher = $node->safe_psql('postgres',
	q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_dataexport launcher'});

# A database not in the list: CREATE EXTENSION says so; jobs wait for
# run_pending.
$node->safe_psql('postgres', 'CREATE DATABASE db3');
my ($ret, $stdout, $stderr) =
  $node->psql('db3', 'CREATE EXTENSION pg_dataexport', on_error_stop => 1);
like(
	$stderr,
	qr/NOTICE:  database "db3" is not in dataexport.database_names: schedules will not fire by themselves/,
	'CREATE EXTENSION in a database not in the list says schedules will not fire');
unlike($stderr, qr/shared_preload_libraries/,
	'and does not claim the library is not preloaded');
setup_accounts_in_db3();
sub setup_accounts_in_db3
{
	$node->safe_psql(
		'db3', q{
		CREATE TABLE t3 (id integer PRIMARY KEY);
		SELECT dataexport.register_entity('T3', 't3');
	});
	return;
}
my $job3 = $node->safe_psql('db3', "SELECT dataexport.export_now(ARRAY['T3'])");
is($node->safe_psql('db3', "SELECT dataexport.wait_for_job($job3, '2s')"),
	'PENDING', 'a job there is not run by the scheduler');
$node->safe_psql('db3', 'CALL dataexport.run_pending()');
is($node->safe_psql('db3', "SELECT status FROM dataexport.jobs WHERE job_id = $job3"),
	'SUCCEEDED', 'run_pending runs it');

# DROP DATABASE with its scheduler connected and a job running in it.
make_slow($node, 'db2', 0.5);
my $slow = $node->safe_psql('db2',
	"SET ROLE alice; SELECT dataexport.export_now(ARRAY['ACCOUNTS'])");
ok( $node->poll_query_until(
		'db2', "SELECT status = 'RUNNING' FROM dataexport.job WHERE job_id = $slow"),
	'a slow job runs in db2');
my $db2_dir = $node->data_dir . '/pg_dataexport/'
  . $node->safe_psql('postgres', "SELECT oid FROM pg_database WHERE datname = 'db2'");
ok(-d $db2_dir, 'db2 has stored files');
my $t0 = time();
($ret, $stdout, $stderr) = $node->psql('postgres', 'DROP DATABASE db2');
my $took = time() - $t0;
is($ret, 0, 'DROP DATABASE db2 succeeds') or diag $stderr;
cmp_ok($took, '<', 3, "without waiting for the scheduler or the job ($took s)");
ok(!-e $db2_dir, "db2's stored files are removed with it");
is( $node->safe_psql(
		'postgres',
		q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_dataexport launcher'}),
	$launcher,
	'the launcher is unaffected');

# db2 again: a new database of that name gets a scheduler when the
# extension is created in it.
$node->safe_psql('postgres', 'CREATE DATABASE db2');
setup_accounts($node, 'db2', 3);
my $again = $node->safe_psql('db2',
	"SET ROLE alice; SELECT dataexport.create_schedule('again', ARRAY['ACCOUNTS'], 'HOUR', 1)");
is( $node->safe_psql(
		'db2',
		"SELECT dataexport.wait_for_job(job_id, '30s') FROM dataexport.jobs WHERE schedule_id = $again"
	),
	'SUCCEEDED',
	'a database created again under a listed name runs its schedules');

# Commands that need db2 without other connections are not blocked by its
# scheduler either; renamed away and back, db2 gets its scheduler again.
$t0 = time();
$node->safe_psql('postgres', 'CREATE DATABASE db2copy TEMPLATE db2');
$took = time() - $t0;
cmp_ok($took, '<', 3, "CREATE DATABASE ... TEMPLATE db2 is not blocked ($took s)");
$t0 = time();
$node->safe_psql('postgres', 'ALTER DATABASE db2 RENAME TO db2old');
$took = time() - $t0;
cmp_ok($took, '<', 3, "ALTER DATABASE db2 RENAME is not blocked ($took s)");
ok( $node->poll_query_until(
		'postgres',
		q{SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'pg_dataexport scheduler' AND datname = 'db2old'}
	),
	'no scheduler runs for the renamed database');
$node->safe_psql('postgres', 'ALTER DATABASE db2old RENAME TO db2');
ok( $node->poll_query_until(
		'postgres',
		q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pg_dataexport scheduler' AND datname = 'db2'}
	),
	'renamed back, db2 has its scheduler again');
my $after_rename = $node->safe_psql('db2',
	"SET ROLE alice; SELECT dataexport.export_now(ARRAY['ACCOUNTS'])");
is($node->safe_psql('db2', "SELECT dataexport.wait_for_job($after_rename, '30s')"),
	'SUCCEEDED', 'and its jobs run');

# DROP EXTENSION with a job running.
make_slow($node, 'postgres', 0.5);
$slow = $node->safe_psql('postgres',
	"SET ROLE alice; SELECT dataexport.export_now(ARRAY['ACCOUNTS'])");
ok( $node->poll_query_until(
		'postgres', "SELECT status = 'RUNNING' FROM dataexport.job WHERE job_id = $slow"),
	'a slow job runs in postgres');
my $pg_dir = job_dir($node, 'postgres', $slow);
$t0 = time();
($ret, $stdout, $stderr) =
  $node->psql('postgres', 'DROP EXTENSION pg_dataexport CASCADE');
$took = time() - $t0;
is($ret, 0, 'DROP EXTENSION succeeds') or diag $stderr;
cmp_ok($took, '<', 3, "without waiting for the job ($took s)");
ok(!-e $pg_dir, "the extension's stored files are removed with it");
$node->safe_psql('postgres',
	'DROP TABLE accounts, slowness; DROP FUNCTION row_gate(integer)');
setup_accounts($node, 'postgres', 4);
my $back = $node->safe_psql('postgres',
	"SET ROLE alice; SELECT dataexport.create_schedule('back', ARRAY['ACCOUNTS'], 'HOUR', 1)");
is( $node->safe_psql(
		'postgres',
		"SELECT dataexport.wait_for_job(job_id, '30s') FROM dataexport.jobs WHERE schedule_id = $back"
	),
	'SUCCEEDED',
	'created again, the extension runs its schedules');

$node->stop;
done_testing();

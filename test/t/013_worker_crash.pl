# A crash in the middle of an export loses nothing.  kill -9 of the job
# worker (the postmaster then restarts every process) and kill -9 of the
# postmaster (then a restart) each leave the job FAILED "interrupted by
# server restart", no file under a final name that is not complete, and
# the schedule's next job exports what the interrupted one would have, with
# the changes made since: replaying the successful jobs' files gives the
# table.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use DataexportWorker;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# Small files, so that an export writes several parts, one after another;
# enough rows that the export fetches them in several batches (and writes
# parts between them), each row made slow to read (make_slow).
# The server restarts itself after a process crashes, as by default.
my $node = worker_node(
	'crash',
	'dataexport.max_file_size' => "'2kB'",
	restart_after_crash => 'on');
setup_accounts($node, 'postgres', 2500);

my $sid = $node->safe_psql('postgres',
	"SET ROLE alice; SELECT dataexport.create_schedule('daily', ARRAY['ACCOUNTS'], 'DAY', 1)"
);
my $initial = $node->safe_psql('postgres',
	"SELECT job_id FROM dataexport.jobs WHERE schedule_id = $sid");
is($node->safe_psql('postgres', "SELECT dataexport.wait_for_job($initial)"),
	'SUCCEEDED', 'the initial export succeeds');
my %replayed;
replay_csv(\%replayed, export_lines($node, 'postgres', $initial));
is_deeply(\%replayed, table_rows($node, 'postgres'),
	'the initial export is the table');

# Start a slow run of the schedule; return its job id and worker pid once
# it has written at least one complete part and is writing the next.
sub start_slow_run
{
	my $job = $node->safe_psql('postgres',
		"SET ROLE alice; SELECT dataexport.run_schedule_now($sid)");
	my $dir = job_dir($node, 'postgres', $job);
	ok( wait_until(
			60,
			sub {
				return -e "$dir/accounts.csv"
				  && grep { /\.tmp$/ } glob("$dir/*");
			}),
		"job $job is in the middle of its export");
	my $pid = $node->safe_psql('postgres',
		"SELECT worker_pid FROM dataexport.job WHERE job_id = $job AND status = 'RUNNING'"
	);
	like($pid, qr/^\d+$/, "job $job is RUNNING in worker $pid");
	return ($job, $pid);
}

# After the restart: the interrupted job is FAILED, has no files on record,
# and every file it left under a final name is a complete CSV file.
sub check_interrupted
{
	my ($job, $what) = @_;
	ok(wait_ready($node), "$what: the server accepts connections again");
	ok( $node->poll_query_until(
			'postgres',
			"SELECT status FROM dataexport.jobs WHERE job_id = $job",
			'FAILED'),
		"$what: the interrupted job is FAILED");
	is( $node->safe_psql(
			'postgres',
			"SELECT error_message FROM dataexport.jobs WHERE job_id = $job"),
		'interrupted by server restart',
		"$what: its error says the server restarted");
	is( $node->safe_psql(
			'postgres',
			"SELECT count(*) FROM dataexport.job_files WHERE job_id = $job"),
		0,
		"$what: it has no files on record");
	my $dir = job_dir($node, 'postgres', $job);
	my @final = grep { !/\.tmp$/ } glob("$dir/*");
	my @bad;
	for my $file (@final)
	{
		my $content = slurp_file($file);
		my @lines = split /\n/, $content;
		push @bad, $file
		  unless $content =~ /\n\z/
		  && shift(@lines) eq 'id,name,deleted'
		  && !grep { !/^\d+,[a-z0-9-]+,(true|false)$/ } @lines;
	}
	is_deeply(\@bad, [], "$what: each file under a final name is complete ("
		  . scalar(@final) . ' such files)');
	return;
}

# The next run exports everything since the last successful job.
sub check_next_run
{
	my ($what) = @_;
	make_slow($node, 'postgres', 0);
	my $job = $node->safe_psql('postgres',
		"SET ROLE alice; SELECT dataexport.run_schedule_now($sid)");
	is($node->safe_psql('postgres', "SELECT dataexport.wait_for_job($job)"),
		'SUCCEEDED', "$what: the next job succeeds");
	replay_csv(\%replayed, export_lines($node, 'postgres', $job));
	is_deeply(\%replayed, table_rows($node, 'postgres'),
		"$what: replaying the successful jobs gives the table: nothing was lost");
	return;
}

# kill -9 of the job worker.
$node->safe_psql(
	'postgres', q{
	UPDATE accounts SET name = 'c1-' || id;
	DELETE FROM accounts WHERE id IN (1, 2);
	INSERT INTO accounts SELECT g, 'c1-' || g FROM generate_series(2501, 2510) g;
});
make_slow($node, 'postgres', 0.004);
my ($job, $pid) = start_slow_run();
kill 'KILL', $pid;
check_interrupted($job, 'worker killed');
$node->safe_psql(
	'postgres', q{
	UPDATE accounts SET name = 'c2-' || id WHERE id <= 10;
	INSERT INTO accounts VALUES (2511, 'c2-2511');
});
check_next_run('worker killed');

# kill -9 of the postmaster.  Every process of the server, the job worker
# included, stops by itself; then the server starts again.  The export is
# busy computing (it never waits on anything that would notice the
# postmaster's death): the worker must notice by itself.
$node->safe_psql('postgres', q{UPDATE accounts SET name = 'c3-' || id});
make_slow($node, 'postgres', 0.004, 1);
($job, $pid) = start_slow_run();
my @pids = split /\n/,
  $node->safe_psql('postgres',
	'SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid()');
ok((grep { $_ == $pid } @pids), 'the job worker is among the server processes');
$node->kill9;
ok(wait_until(30, sub { !pids_alive(@pids) }),
	'after the postmaster died, every server process exited (the job worker too)');
$node->start;
check_interrupted($job, 'postmaster killed');
$node->safe_psql('postgres', q{DELETE FROM accounts WHERE id = 3});
check_next_run('postmaster killed');

$node->stop;
done_testing();

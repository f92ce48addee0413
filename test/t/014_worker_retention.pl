# Retention: a job's files are removed dataexport.file_retention after the
# job completes (its job_files rows stay, expired), failed jobs' files too;
# the job records go dataexport.job_history_retention after completion.
# Both settings take effect on reload.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use DataexportWorker;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = worker_node(
	'retention',
	'dataexport.file_retention' => "'3s'",
	'dataexport.job_history_retention' => "'60s'");
setup_accounts($node, 'postgres', 10);

# A second entity type whose export fails on demand.
$node->safe_psql(
	'postgres', q{
	CREATE TABLE public.breaks (on_export boolean NOT NULL);
	INSERT INTO public.breaks VALUES (false);
	GRANT SELECT ON public.breaks TO PUBLIC;
	CREATE FUNCTION public.fail_gate(integer) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
	BEGIN
		IF (SELECT on_export FROM public.breaks) THEN
			RAISE EXCEPTION 'bills are broken';
		END IF;
		RETURN true;
	END $$;
	CREATE TABLE public.bills (id integer PRIMARY KEY);
	ALTER TABLE public.bills OWNER TO alice;
	ALTER TABLE public.bills ENABLE ROW LEVEL SECURITY;
	ALTER TABLE public.bills FORCE ROW LEVEL SECURITY;
	CREATE POLICY gate ON public.bills USING (public.fail_gate(id));
	INSERT INTO public.bills VALUES (1);
	SET ROLE alice;
	SELECT dataexport.register_entity('BILLS', 'public.bills');
});

sub export_now
{
	my $job = $node->safe_psql('postgres',
		"SET ROLE alice; SELECT dataexport.export_now(ARRAY['ACCOUNTS', 'BILLS'])");
	$node->safe_psql('postgres', "SELECT dataexport.wait_for_job($job)");
	return $job;
}

# A job's files live until file_retention after it completed, then go.
sub check_expiry
{
	my ($job, $what) = @_;
	my $dir = job_dir($node, 'postgres', $job);
	ok(-e "$dir/accounts.csv", "$what: its files are stored");
	ok( $node->poll_query_until(
			'postgres',
			"SELECT bool_and(expired) FROM dataexport.job_files WHERE job_id = $job"),
		"$what: its files expire");
	my $age = $node->safe_psql('postgres',
		"SELECT extract(epoch FROM clock_timestamp() - completed_at) FROM dataexport.jobs WHERE job_id = $job"
	);
	ok($age >= 3 && $age < 5, "$what: $age s after the job completed");
	ok(wait_until(5, sub { !-e $dir }), "$what: its directory is gone");
	my ($ret, $stdout, $stderr) = $node->psql('postgres',
		"SELECT * FROM dataexport.read_file($job, 'ACCOUNTS')");
	like($stderr, qr/has expired/, "$what: read_file says the file expired");
	return;
}

my $first = export_now();
is($node->safe_psql('postgres', "SELECT status FROM dataexport.jobs WHERE job_id = $first"),
	'SUCCEEDED', 'a job succeeds');
is( $node->safe_psql(
		'postgres',
		"SELECT round(extract(epoch FROM expires_at - completed_at), 1) FROM dataexport.jobs WHERE job_id = $first"
	),
	'3.0',
	'its files expire 3 s after it completed');
check_expiry($first, 'succeeded job');
isnt($node->safe_psql('postgres', "SELECT dataexport.job_manifest($first)"),
	'', 'its manifest stays');

$node->safe_psql('postgres', 'UPDATE public.breaks SET on_export = true');
my $failed = export_now();
is( $node->safe_psql(
		'postgres', "SELECT status, error_message FROM dataexport.jobs WHERE job_id = $failed"),
	'FAILED|could not export entity type "BILLS": bills are broken',
	'a job fails on its second entity type');
check_expiry($failed, 'failed job');
$node->safe_psql('postgres', 'UPDATE public.breaks SET on_export = false');

# Retention follows a reload, for the files already stored too.
$node->append_conf('postgresql.conf', "dataexport.file_retention = '1h'");
$node->reload;
ok( $node->poll_query_until(
		'postgres', "SELECT current_setting('dataexport.file_retention') = '1h'"),
	'file_retention is raised by a reload');
my $kept = export_now();
is( $node->safe_psql(
		'postgres',
		"SELECT round(extract(epoch FROM expires_at - completed_at), 1) FROM dataexport.jobs WHERE job_id = $kept"
	),
	'3600.0',
	'a job completed now keeps its files an hour');
sleep 4;
ok(-e job_dir($node, 'postgres', $kept) . '/accounts.csv',
	'they are still there after 4 s');
$node->append_conf('postgresql.conf', "dataexport.file_retention = '3s'");
$node->reload;
ok( $node->poll_query_until(
		'postgres',
		"SELECT bool_and(expired) FROM dataexport.job_files WHERE job_id = $kept"),
	'lowered back to 3 s by a reload, they expire');
ok(wait_until(5, sub { !-e job_dir($node, 'postgres', $kept) }),
	'and are removed');

# Job records go 60 s after completion, not before.
my $left = $node->safe_psql('postgres',
	"SELECT 55 - extract(epoch FROM clock_timestamp() - completed_at) FROM dataexport.jobs WHERE job_id = $first"
);
sleep($left) if $left > 0;
is($node->safe_psql('postgres', "SELECT count(*) FROM dataexport.jobs WHERE job_id = $first"),
	1, 'the first job is still on record 55 s after it completed');
my $completed = $node->safe_psql('postgres',
	"SELECT extract(epoch FROM completed_at) FROM dataexport.jobs WHERE job_id = $first");
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) FROM dataexport.jobs WHERE job_id = $first", '0'),
	'then its record goes');
my $gone_after = time() - $completed;
ok($gone_after >= 60 && $gone_after < 63,
	"$gone_after s after it completed");
is( $node->safe_psql(
		'postgres', "SELECT count(*) FROM dataexport.job_files WHERE job_id = $first"),
	0,
	'with its job_files rows');

$node->stop;
done_testing();

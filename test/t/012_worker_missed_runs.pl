# After downtime a schedule that missed runs runs once as soon as the server
# is back (a SCHEDULED job for its first missed instant), then returns to
# its grid: no burst of catch-up runs.  The catch-up job exports what
# changed before the downtime.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use DataexportWorker;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = worker_node('missed');
setup_accounts($node, 'postgres', 10);

my @schedules = split /\n/,
  $node->safe_psql(
	'postgres', q{
	SET ROLE alice;
	SELECT dataexport.create_schedule('every minute', ARRAY['ACCOUNTS'], 'MINUTE', 1);
	SELECT dataexport.create_schedule('cron every minute', ARRAY['ACCOUNTS'],
	                                  cron_expression => '* * * * *');
});
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) FROM dataexport.jobs WHERE kind = 'INITIAL' AND status = 'SUCCEEDED'",
		'2'),
	'the initial jobs ran');

# Not right before a grid instant: the runs before the downtime are over.
my $ids = join ',', @schedules;
while (
	(my $gap = $node->safe_psql(
			'postgres', qq{
			SELECT extract(epoch FROM min(t) - now())
			  FROM unnest(ARRAY[$ids]) sid, LATERAL dataexport.next_runs(sid, 1) t})) < 5)
{
	sleep($gap + 2);
}
$node->safe_psql('postgres',
	"UPDATE accounts SET name = 'before downtime' WHERE id <= 3");

# Down until each schedule has missed two runs.
my $resume = $node->safe_psql(
	'postgres', qq{
	SELECT extract(epoch FROM max(t)) + 1
	  FROM unnest(ARRAY[$ids]) sid,
	       LATERAL (SELECT t FROM dataexport.next_runs(sid, 2) t OFFSET 1) n});
my $stopped_at = $node->safe_psql('postgres', 'SELECT now()');
$node->stop('fast');
my $wait = $resume - time();
note "server down for $wait s";
sleep($wait) if $wait > 0;
$node->start;
my $started_at = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

for my $sid (@schedules)
{
	ok( $node->poll_query_until(
			'postgres',
			"SELECT count(*) FROM dataexport.jobs WHERE schedule_id = $sid AND kind = 'SCHEDULED' AND status = 'SUCCEEDED' AND created_at > '$stopped_at'",
			'1'),
		"schedule $sid: a catch-up job ran after the restart");
}
sleep 3;
for my $sid (@schedules)
{
	my ($count, $missed, $delay, $rows) = split /\|/,
	  $node->safe_psql(
		'postgres', qq{
		SELECT count(*),
		       min(j.due_at) = (SELECT t FROM dataexport.next_runs($sid, 1, '$stopped_at') t),
		       extract(epoch FROM min(j.started_at) - '$started_at'),
		       min(j.rows_exported)
		  FROM dataexport.job j
		 WHERE j.schedule_id = $sid AND j.kind = 'SCHEDULED' AND j.created_at > '$stopped_at'});
	is($count, 1, "schedule $sid: it ran once for all the runs it missed");
	is($missed, 't', "schedule $sid: for its first missed instant");
	cmp_ok($delay, '<', 2.0,
		"schedule $sid: the catch-up job started $delay s after the server did");
	is($rows, 3, "schedule $sid: it exported the changes made before the downtime");
	is( $node->safe_psql(
			'postgres', qq{
			SELECT s.next_run_at = (SELECT t FROM dataexport.next_runs($sid, 1) t)
			  FROM dataexport.schedule s WHERE s.schedule_id = $sid}),
		't',
		"schedule $sid: its next run is the next instant of its grid");
}

$node->stop;
done_testing();

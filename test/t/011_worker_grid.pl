# Schedules fire on their grid, in UTC, on a server whose TimeZone is not
# UTC (Asia/Kolkata, UTC+05:30).  A schedule of every minute fires at its
# grid instants, within a second of each; a cron schedule restricted to the
# current UTC hour fires at every UTC minute, one restricted to the current
# local hour does not fire at all; each scheduled job exports what changed
# since the previous one.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use DataexportWorker;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = worker_node('grid');
setup_accounts($node, 'postgres', 10);

is($node->safe_psql('postgres', 'SHOW TimeZone'),
	'Asia/Kolkata', 'the server does not run in UTC');

# The hours (UTC and local) of now and of the next hour, as cron lists.
my ($utc_hours, $local_hours) = split /\|/,
  $node->safe_psql(
	'postgres', q{
	SELECT extract(hour FROM now() AT TIME ZONE 'UTC') || ',' ||
	       extract(hour FROM (now() + interval '1 hour') AT TIME ZONE 'UTC'),
	       extract(hour FROM now()) || ',' || extract(hour FROM now() + interval '1 hour')});

my ($every_minute, $utc_cron, $local_cron) = split /\n/,
  $node->safe_psql(
	'postgres', qq{
	SET ROLE alice;
	SELECT dataexport.create_schedule('every minute', ARRAY['ACCOUNTS'], 'MINUTE', 1);
	SELECT dataexport.create_schedule('utc hours', ARRAY['ACCOUNTS'],
	                                  cron_expression => '* $utc_hours * * *');
	SELECT dataexport.create_schedule('local hours', ARRAY['ACCOUNTS'],
	                                  cron_expression => '* $local_hours * * *');
});

# Rows keep being written between the runs, so that each scheduled job has
# something to export.
my $written = 0;
sub write_some
{
	$written++;
	$node->safe_psql('postgres',
		"INSERT INTO accounts VALUES (100 + $written, 'w$written')");
	return;
}

# Two scheduled runs of each of the first two schedules.
ok( wait_until(
		200,
		sub {
			write_some();
			return $node->safe_psql(
				'postgres', qq{
				SELECT count(*) FILTER (WHERE schedule_id = $every_minute) >= 2
				   AND count(*) FILTER (WHERE schedule_id = $utc_cron) >= 2
				  FROM dataexport.jobs WHERE kind = 'SCHEDULED' AND status = 'SUCCEEDED'})
			  eq 't';
		}),
	'both schedules ran twice by themselves');

# Each scheduled job was due at an instant of its schedule's grid (as
# next_runs gives it) and started within a second of it, never before.
for my $sid ($every_minute, $utc_cron)
{
	my $rows = $node->safe_psql(
		'postgres', qq{
		SELECT j.job_id,
		       j.due_at IN (SELECT dataexport.next_runs($sid, 10, s.created_at)),
		       extract(epoch FROM j.started_at - j.due_at),
		       to_char(j.due_at AT TIME ZONE 'UTC', 'HH24:MI:SS')
		  FROM dataexport.job j JOIN dataexport.schedules s USING (schedule_id)
		 WHERE j.schedule_id = $sid AND j.kind = 'SCHEDULED'
		 ORDER BY j.job_id});
	for my $row (split /\n/, $rows)
	{
		my ($job, $on_grid, $delay, $utc) = split /\|/, $row;
		is($on_grid, 't', "schedule $sid: job $job was due at a grid instant ($utc UTC)");
		ok($delay >= 0 && $delay < 1.0,
			"schedule $sid: job $job started $delay s after it was due");
	}
}

# The cron grid is UTC: whole UTC minutes, in the UTC hours named.
is( $node->safe_psql(
		'postgres', qq{
		SELECT bool_and(extract(second FROM due_at) = 0
		                AND extract(hour FROM due_at AT TIME ZONE 'UTC') IN ($utc_hours))
		  FROM dataexport.job WHERE schedule_id = $utc_cron AND kind = 'SCHEDULED'}),
	't',
	'the cron schedule fired at whole minutes of the UTC hours it names');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM dataexport.job WHERE schedule_id = $local_cron AND kind = 'SCHEDULED'"
	),
	0,
	'the schedule restricted to the local hours never fired');

# Runs of the minute schedule are a minute apart, and each exported only
# the rows written since the previous run.
is( $node->safe_psql(
		'postgres', qq{
		SELECT bool_and(due_at - lag = interval '1 minute')
		  FROM (SELECT due_at, lag(due_at) OVER (ORDER BY job_id) AS lag
		          FROM dataexport.job
		         WHERE schedule_id = $every_minute AND kind = 'SCHEDULED') x
		 WHERE lag IS NOT NULL}),
	't',
	'the minute schedule ran every minute');
my $last = $node->safe_psql('postgres',
	"SET ROLE alice; SELECT dataexport.run_schedule_now($every_minute)");
is($node->safe_psql('postgres', "SELECT dataexport.wait_for_job($last)"),
	'SUCCEEDED', 'a last run, after the writes stopped, succeeds');
my @runs = split /\n/,
  $node->safe_psql(
	'postgres', qq{
	SELECT job_id FROM dataexport.job
	 WHERE schedule_id = $every_minute AND status = 'SUCCEEDED' ORDER BY job_id});
my %seen;
for my $job (@runs)
{
	for my $line (export_lines($node, 'postgres', $job))
	{
		my ($id) = split /,/, $line;
		$seen{$id}++;
	}
}
is_deeply(
	[ grep { $seen{$_} != 1 } keys %seen ], [],
	'across the runs of the minute schedule, each row was exported once');
is(scalar(keys %seen),
	$node->safe_psql('postgres', 'SELECT count(*) FROM accounts'),
	'and every row was');

$node->stop;
done_testing();

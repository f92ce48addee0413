# Shared by the TAP tests of the background scheduler (test/t/01*_worker_*.pl).
#
# worker_node makes a cluster the way a user sets one up for the scheduler:
# the library preloaded, dataexport.min_interval lowered to one minute so
# that tests take minutes, not hours, and a server TimeZone that is not UTC
# (schedules must not care).  The rest are small helpers to read jobs and
# their files as a user would.
package DataexportWorker;

use strict;
use warnings;

use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

our @EXPORT = qw(worker_node setup_accounts make_slow job_dir export_lines
  replay_csv table_rows wait_until pids_alive wait_ready);

# A cluster that preloads pg_dataexport; %conf adds or overrides settings.
sub worker_node
{
	my ($name, %conf) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	my %settings = (
		shared_preload_libraries => "'pg_dataexport'",
		'dataexport.min_interval' => "'1min'",
		timezone => "'Asia/Kolkata'",
		log_min_messages => 'info',
		%conf);
	$node->append_conf('postgresql.conf',
		join("\n", map { "$_ = $settings{$_}" } sort keys %settings) . "\n");
	$node->start;
	return $node;
}

# In $db: the extension, role alice (LOGIN), her table accounts with $n rows
# registered as ACCOUNTS.  Row-level security (forced, so that it applies to
# alice too) lets every row through after a delay read from table slowness,
# 0 at first: make_slow turns an export into a slow one without changing
# what it exports.
sub setup_accounts
{
	my ($node, $db, $n) = @_;
	$node->safe_psql(
		$db, qq{
		CREATE EXTENSION pg_dataexport;
		DO \$\$ BEGIN
			IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'alice') THEN
				CREATE ROLE alice LOGIN;
			END IF;
		END \$\$;
		CREATE TABLE public.slowness (delay float8 NOT NULL, busy boolean NOT NULL);
		INSERT INTO public.slowness VALUES (0, false);
		GRANT SELECT ON public.slowness TO PUBLIC;
		CREATE FUNCTION public.row_gate(integer) RETURNS boolean
			LANGUAGE plpgsql STABLE AS \$f\$
			DECLARE
				s record;
				t timestamptz := clock_timestamp();
			BEGIN
				SELECT * INTO s FROM public.slowness;
				IF s.delay > 0 AND s.busy THEN
					WHILE clock_timestamp() < t + make_interval(secs => s.delay) LOOP
					END LOOP;
				ELSIF s.delay > 0 THEN
					PERFORM pg_sleep(s.delay);
				END IF;
				RETURN true;
			END \$f\$;
		CREATE TABLE public.accounts (id integer PRIMARY KEY, name text NOT NULL);
		ALTER TABLE public.accounts OWNER TO alice;
		ALTER TABLE public.accounts ENABLE ROW LEVEL SECURITY;
		ALTER TABLE public.accounts FORCE ROW LEVEL SECURITY;
		CREATE POLICY gate ON public.accounts USING (public.row_gate(id));
		SET ROLE alice;
		SELECT dataexport.register_entity('ACCOUNTS', 'public.accounts');
		INSERT INTO public.accounts SELECT g, 'a' || g FROM generate_series(1, $n) g;
	});
	return;
}

# Each exported row of ACCOUNTS takes $delay seconds from now on: asleep,
# or busy (computing, never waiting on anything) when $busy is true.
sub make_slow
{
	my ($node, $db, $delay, $busy) = @_;
	$busy = $busy ? 'true' : 'false';
	$node->safe_psql($db,
		"UPDATE public.slowness SET delay = $delay, busy = $busy");
	return;
}

# Where a job's files are: <data>/pg_dataexport/<database oid>/<job id>.
sub job_dir
{
	my ($node, $db, $job_id) = @_;
	my $dboid = $node->safe_psql('postgres',
		"SELECT oid FROM pg_database WHERE datname = '$db'");
	return $node->data_dir . "/pg_dataexport/$dboid/$job_id";
}

# The lines of a job's ACCOUNTS files (all parts, header lines dropped).
sub export_lines
{
	my ($node, $db, $job_id) = @_;
	my @lines;
	my $parts = $node->safe_psql($db,
		"SELECT count(*) FROM dataexport.job_files WHERE job_id = $job_id AND entity_type = 'ACCOUNTS'"
	);
	for my $part (1 .. $parts)
	{
		my @part = split /\n/,
		  $node->safe_psql($db,
			"SELECT * FROM dataexport.read_file($job_id, 'ACCOUNTS', $part)");
		shift @part;    # the header
		push @lines, @part;
	}
	return @lines;
}

# Apply CSV lines "id,name,deleted" to %$state (upsert, or delete by key).
sub replay_csv
{
	my ($state, @lines) = @_;
	for my $line (@lines)
	{
		my ($id, $name, $deleted) = split /,/, $line;
		if ($deleted eq 'true') { delete $state->{$id}; }
		else { $state->{$id} = $name; }
	}
	return;
}

# The table as a hash id => name.
sub table_rows
{
	my ($node, $db) = @_;
	my %rows;
	for my $line (split /\n/,
		$node->safe_psql($db, 'SELECT id, name FROM public.accounts'))
	{
		my ($id, $name) = split /\|/, $line;
		$rows{$id} = $name;
	}
	return \%rows;
}

# Call $check every 100 ms until it returns true or $seconds pass.
sub wait_until
{
	my ($seconds, $check) = @_;
	my $tries = $seconds * 10;
	while ($tries-- > 0)
	{
		return 1 if $check->();
		usleep(100_000);
	}
	return $check->();
}

# Wait until the server accepts connections again (after a crash).
sub wait_ready
{
	my ($node, $seconds) = @_;
	return wait_until(
		$seconds // 60,
		sub {
			system('pg_isready', '-q', '-h', $node->host, '-p', $node->port) == 0;
		});
}

# The pids of @pids that are still running.
sub pids_alive
{
	return grep { kill 0, $_ } @_;
}

1;

# Installation on a server that preloads the library, as the README tells a
# user to do: the extension installs, the settings have their documented
# defaults, reloadable settings change on reload, restart-only ones only at
# restart.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('install');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'pg_dataexport'");
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION pg_dataexport');
is( $node->safe_psql(
		'postgres',
		"SELECT extversion, extnamespace::regnamespace FROM pg_extension WHERE extname = 'pg_dataexport'"
	),
	'0.3|dataexport',
	'CREATE EXTENSION installs version 0.3 in schema dataexport');

my %defaults = (
	'dataexport.database_names'   => 'postgres',
	'dataexport.storage_dir'      => 'pg_dataexport',
	'dataexport.destination_root' => '',
	'dataexport.max_file_size'    => '6GB',
	'dataexport.file_retention'   => '1d',
	'dataexport.min_interval'     => '15min',
	'dataexport.max_workers'      => '4',
	'dataexport.enabled'          => 'on',);
foreach my $name (sort keys %defaults)
{
	is($node->safe_psql('postgres', "SHOW $name"),
		$defaults{$name}, "$name defaults to '$defaults{$name}'");
}

# max_file_size is reloadable; max_workers needs a restart.
$node->append_conf('postgresql.conf',
	"dataexport.max_file_size = '100MB'\ndataexport.max_workers = 2");
$node->reload;
ok( $node->poll_query_until(
		'postgres',
		"SELECT current_setting('dataexport.max_file_size') = '100MB'"),
	'max_file_size changes on reload');
is($node->safe_psql('postgres', 'SHOW dataexport.max_workers'),
	'4', 'max_workers does not change on reload');
is( $node->safe_psql(
		'postgres',
		"SELECT pending_restart FROM pg_settings WHERE name = 'dataexport.max_workers'"
	),
	't',
	'max_workers is pending a restart');

$node->restart;
is($node->safe_psql('postgres', 'SHOW dataexport.max_workers'),
	'2', 'max_workers changes at restart');

$node->stop;
done_testing();

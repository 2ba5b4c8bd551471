
# 001_act_as.pl: enroll.act_as() through one persistent connection.
#
# The acting account set by act_as() must hold for the rest of its
# transaction and be gone in the next one on the SAME connection (what a
# transaction-mode pooler needs), and only members of enroll_app may set it.

use strict;
use warnings FATAL => 'all';

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('act_as');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION pg_enroll');
my $alice = $node->safe_psql('postgres',
	q{SELECT id FROM enroll.register_account('alice@example.org', 'Alice', 'Martin')});
my $bob = $node->safe_psql('postgres',
	q{SELECT id FROM enroll.register_account('bob@example.org', 'Bob', 'Durand')});
like($alice, qr/^\d+$/, 'the superuser registers an account');
$node->safe_psql('postgres', q{
	CREATE ROLE app1 LOGIN IN ROLE enroll_app;
	CREATE ROLE outsider LOGIN;
	GRANT USAGE ON SCHEMA enroll TO outsider;
	GRANT EXECUTE ON FUNCTION enroll.act_as(bigint) TO outsider;
});

# one connection as app1 for everything below
my $app = $node->background_psql('postgres', extra_params => [ '-U', 'app1' ]);

is($app->query_safe('SELECT current_user'), 'app1', 'the session runs as app1');
is($app->query_safe('SELECT enroll.current_account() IS NULL'),
	't', 'anonymous before act_as');

$app->query_safe('BEGIN');
$app->query_safe("SELECT enroll.act_as($alice)");
is($app->query_safe('SELECT enroll.current_account()'),
	$alice, 'act_as sets the acting account for the transaction');
is($app->query_safe('SELECT pg_catalog.string_agg(email, \',\') FROM enroll.account'),
	'alice@example.org', 'row-level security shows only the acting account');
$app->query_safe('COMMIT');

is($app->query_safe('SELECT enroll.current_account() IS NULL'),
	't', 'the next transaction on the same connection is anonymous again');
is($app->query_safe('SELECT pg_catalog.count(*) FROM enroll.account'),
	'0', 'an anonymous application sees no account');

# ROLLBACK forgets it too, and act_as in a rolled-back savepoint is undone
$app->query_safe('BEGIN');
$app->query_safe("SELECT enroll.act_as($alice)");
$app->query_safe('SAVEPOINT s');
$app->query_safe("SELECT enroll.act_as($bob)");
is($app->query_safe('SELECT enroll.current_account()'), $bob,
	'act_as inside a savepoint switches the account');
$app->query_safe('ROLLBACK TO SAVEPOINT s');
is($app->query_safe('SELECT enroll.current_account()'), $alice,
	'ROLLBACK TO SAVEPOINT restores the account from before it');
$app->query_safe('ROLLBACK');
is($app->query_safe('SELECT enroll.current_account() IS NULL'),
	't', 'after ROLLBACK the connection is anonymous again');

$app->quit;

# a role outside enroll_app: refused with 42501, even with EXECUTE granted
my ($ret, $stdout, $stderr) = $node->psql(
	'postgres',
	"\\set VERBOSITY verbose\nSELECT enroll.act_as($alice)",
	extra_params => [ '-U', 'outsider' ]);
isnt($ret, 0, 'act_as by a role outside enroll_app fails');
like($stderr, qr/ERROR:\s+42501:/, 'with SQLSTATE 42501');
like($stderr, qr/permission denied to act as an account/,
	'refused by act_as itself, not only by the EXECUTE privilege');

done_testing();

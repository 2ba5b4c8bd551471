# 004_upgrade.pl: an upgraded database equals a fresh install of the current
# version, in its catalogue and in its behaviour (contrib's oldextversions).
#
# Three databases of one cluster:
#   fresh   CREATE EXTENSION pg_enroll (the current version, built from
#           sql/install/)
#   from10  the released 1.0 script, data written through 1.0's functions
#           (test/upgrade/data_1.0.sql), UPDATE TO '1.1', more data
#           (data_1.1.sql), then UPDATE to the current version
#   from11  the released 1.0 + 1.0--1.1 scripts (CREATE ... VERSION '1.1'),
#           data, then UPDATE
# The released scripts are the ones sql/released.sha256 pins
# (003_released.pl), and the data is written by the released LIBRARY too:
# scripts/test builds it from the commit sql/released.library names into a
# private installation whose path it passes as PE_RELEASED_PG.  The cluster
# runs that installation for the 1.0 and 1.1 data, then restarts on the
# current one -- a package upgrade -- where the 1.1 database must say that
# its update is due (55000) until ALTER EXTENSION UPDATE.  Without
# PE_RELEASED_PG (make installcheck by hand) the data steps are skipped.
# Then:
#   - test/upgrade/fingerprint.sql lists every object property (functions
#     with signature, result, volatility, SECURITY DEFINER, settings, ACL and
#     definition; columns; relations; constraints; indexes; triggers;
#     policies; types; config dump; extension members; schema ACL): the
#     three lists must be equal, and every difference is printed;
#   - the data written before the upgrade is intact and check_invariants()
#     is empty;
#   - test/upgrade/story.sql, a scripted story through the public functions,
#     gives the same output on the three databases.

use strict;
use warnings FATAL => 'all';

use FindBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $dir = "$FindBin::Bin/../upgrade";
my $released = $ENV{PE_RELEASED_PG};
$released = undef unless defined $released && -x "$released/bin/postgres";
my $node = PostgreSQL::Test::Cluster->new('upgrade',
	defined $released ? (install_path => $released) : ());
$node->init(extra => [ '--encoding=UTF8', '--locale=C.UTF-8' ]);
$node->start;

open my $ctl, '<', "$FindBin::Bin/../../pg_enroll.control" or die $!;
my ($current) = map { /^default_version\s*=\s*'([^']+)'/ ? $1 : () } <$ctl>;
close $ctl;

# psql -f FILE on DB; returns stdout and stderr together (errors are part of
# the story's output)
sub psql_file
{
	my ($db, $file) = @_;
	my ($ret, $out, $err) = $node->psql($db, undef,
		extra_params => [ '-X', '-f', $file ], on_error_stop => 0);
	return "$out\n--- stderr ---\n$err";
}

sub query { my ($db, $sql) = @_; return $node->safe_psql($db, $sql); }

for my $db (qw(fresh from10 from11)) { $node->safe_psql('postgres', "CREATE DATABASE $db"); }


# 1.0 -> 1.1 -> current, and 1.1 -> current, with data written through the
# released library
query('from10', q{CREATE EXTENSION pg_enroll VERSION '1.0'});
query('from11', q{CREATE EXTENSION pg_enroll VERSION '1.1'});
SKIP:
{
	skip 'PE_RELEASED_PG is not set: no data written through the released library', 3
	  unless defined $released;
	my $out = psql_file('from10', "$dir/data_1.0.sql");
	unlike($out, qr/ERROR/, 'data written under 1.0 without errors') or diag($out);
	query('from10', q{ALTER EXTENSION pg_enroll UPDATE TO '1.1'});
	$out = psql_file('from10', "$dir/data_1.1.sql");
	unlike($out, qr/ERROR/, 'more data written under 1.1 without errors') or diag($out);
	$out = psql_file('from11', "$dir/data_1.0.sql") . psql_file('from11', "$dir/data_1.1.sql");
	unlike($out, qr/ERROR/, 'data written under 1.1 without errors') or diag($out);
}
query('from10', q{ALTER EXTENSION pg_enroll UPDATE TO '1.1'}) unless defined $released;

# what the data looks like before the upgrades (compared after them)
my $rows_sql = q{
	SELECT string_agg(t || '=' || n, ' ' ORDER BY t) FROM (
		SELECT 'account' AS t, count(*) AS n FROM enroll.account UNION ALL
		SELECT 'license', count(*) FROM enroll.license UNION ALL
		SELECT 'enrollment', count(*) FROM enroll.enrollment UNION ALL
		SELECT 'membership', count(*) FROM enroll.membership UNION ALL
		SELECT 'role_assignment', count(*) FROM enroll.role_assignment UNION ALL
		SELECT 'group_member', count(*) FROM enroll.group_member UNION ALL
		SELECT 'purchase_order', count(*) FROM enroll.purchase_order UNION ALL
		SELECT 'event', count(*) FROM enroll.event) c};
my $status_sql = q{
	SET enroll.clock = '2026-05-06 08:00:00+00';
	SELECT string_agg(a.email || ':' || enroll.access_status(a.id, c.id), ' ' ORDER BY a.email)
	  FROM enroll.account a, enroll.course c WHERE c.shortname = 'UPG'};
# personal data in the log: 1.0 and 1.1 wrote the address of an account
# registered by register_account into its event's details
my $personal_sql = q{
	SELECT count(*) FROM enroll.event
	 WHERE details ?| '{email,firstname,lastname}'::text[]
	    OR EXISTS (SELECT FROM enroll.account a WHERE position(lower(a.email) IN lower(details::text)) > 0)};
my %before;
for my $db (qw(from10 from11))
{
	$before{$db} = [ query($db, $rows_sql), query($db, $status_sql) ];
	cmp_ok(query($db, $personal_sql), '>', 0, "$db: before the upgrade the log holds addresses")
	  if defined $released;
}

# the package upgrade: the same cluster, restarted on the current library
if (defined $released)
{
	my $current = `pg_config --bindir`;
	chomp $current;
	$current =~ s{/bin$}{};
	$node->stop;
	$node->{_install_path} = $current;
	$node->start;
	my ($ret, $stdout, $stderr) = $node->psql('from11',
		q{SELECT enroll.access_status(1, 1)}, extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	like($stderr, qr/55000.*library is version 1\.2 but the extension in this database is older/s,
		'before its update, a 1.1 database says that the update is due (55000)');
	like($stderr, qr/ALTER EXTENSION pg_enroll UPDATE/, 'and how to do it');
	is(query('from11', q{SELECT count(*) > 0 FROM enroll.account}), 't',
		'its tables still read before the update');
}

query('fresh', 'CREATE EXTENSION pg_enroll');
is(query('fresh', q{SELECT extversion FROM pg_extension WHERE extname = 'pg_enroll'}), $current,
	"a fresh install is $current");

for my $db (qw(from10 from11))
{
	my ($ret, $stdout, $stderr) = $node->psql($db, 'ALTER EXTENSION pg_enroll UPDATE');
	is($ret, 0, "$db: ALTER EXTENSION pg_enroll UPDATE succeeds") or diag($stderr);
	is(query($db, q{SELECT extversion FROM pg_extension WHERE extname = 'pg_enroll'}), $current,
		"$db: now at $current");
	is(query($db, $rows_sql), $before{$db}[0], "$db: every row is still there");
	is(query($db, $status_sql), $before{$db}[1], "$db: every access status is unchanged");
	is(query($db, 'SELECT count(*) FROM enroll.check_invariants()'), '0',
		"$db: check_invariants() is empty after the upgrade");
	# the one sanctioned rewrite of the log: no address or name is left in
	# it, every event about one account names it, and the chain covers it
	is(query($db, $personal_sql), '0', "$db: no event holds an address or a name after the upgrade");
	is(query($db, q{SELECT count(*) FROM enroll.event WHERE table_name = 'account' AND subject_account IS DISTINCT FROM row_id}),
		'0', "$db: every event on an account is about that account");
	is(query($db, q{SELECT (SELECT count(*) FROM enroll.audit_chain) = (SELECT count(*) FROM enroll.event)}),
		't', "$db: the audit chain covers the events written before the upgrade");
}

# the catalogues
my %fp;
for my $db (qw(fresh from10 from11))
{
	my ($ret, $stdout, $stderr) = $node->psql($db, undef,
		extra_params => [ '-X', '-A', '-t', '-f', "$dir/fingerprint.sql" ]);
	is($ret, 0, "$db: fingerprint taken") or diag($stderr);
	$fp{$db} = { map { $_ => 1 } split /\n/, $stdout };
}
cmp_ok(scalar(keys %{ $fp{fresh} }), '>', 500, 'the fingerprint covers the catalogue (over 500 properties)');
for my $db (qw(from10 from11))
{
	my @only_up = sort grep { !$fp{fresh}{$_} } keys %{ $fp{$db} };
	my @only_fresh = sort grep { !$fp{$db}{$_} } keys %{ $fp{fresh} };
	is(scalar(@only_up) + scalar(@only_fresh), 0, "$db: the same catalogue as a fresh $current")
	  or diag(join("\n", (map { "only after upgrade: $_" } @only_up),
			(map { "only in fresh: $_" } @only_fresh)));
}

# the same behaviour
my %story;
$story{$_} = psql_file($_, "$dir/story.sql") for qw(fresh from10 from11);
like($story{fresh}, qr/already_done/, 'the story runs on the fresh database');
unlike($story{fresh}, qr/ERROR:  (XX|42P|42703|42883|0A)/, 'the story hits no internal or catalogue error');
for my $db (qw(from10 from11))
{
	is($story{$db}, $story{fresh}, "$db: the story gives the same output as on a fresh $current");
}
for my $db (qw(fresh from10 from11))
{
	is(query($db, 'SELECT count(*) FROM enroll.check_invariants()'), '0',
		"$db: check_invariants() is empty after the story");
}

$node->stop;
done_testing();

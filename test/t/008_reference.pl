# 008_reference.pl: doc/reference.md is what scripts/reference prints for a
# fresh install of the current version, and a database updated from an older
# version prints the same.
#
# One cluster, four databases:
#   fresh   CREATE EXTENSION pg_enroll (the default version): the generator's
#           output must equal the committed doc/reference.md, byte for byte;
#           on a difference the test prints the diff (what to commit is
#           `scripts/reference --scratch BINDIR`, see its header)
#   odd     the same, read by a session with unusual settings (DateStyle,
#           IntervalStyle, TimeZone, search_path, extra_float_digits): the
#           output must not change
#   from11  CREATE EXTENSION pg_enroll VERSION '1.1', then ALTER EXTENSION
#           pg_enroll UPDATE
#   from10  VERSION '1.0', then UPDATE (through 1.1)
# The two updated databases must print what the fresh one prints: a
# difference is a difference of catalogue (a comment, a grant, a default, a
# column) that the update script misses; test/t/004_upgrade.pl compares the
# catalogues in full, this shows it in the reference's words.

use strict;
use warnings FATAL => 'all';

use FindBin;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $top = "$FindBin::Bin/../..";
my $committed = "$top/doc/reference.md";
my $tmp = PostgreSQL::Test::Utils::tempdir;

my $node = PostgreSQL::Test::Cluster->new('reference');
$node->init(extra => [ '--encoding=UTF8', '--locale=C.UTF-8' ]);
$node->start;

# scripts/reference -o FILE against DB; returns the output file's text
sub generate
{
	my ($db, %env) = @_;
	my $file = "$tmp/$db.md";
	local $ENV{PGHOST} = $node->host;
	local $ENV{PGPORT} = $node->port;
	local $ENV{PGOPTIONS} = $env{PGOPTIONS} if defined $env{PGOPTIONS};
	my ($stdout, $stderr);
	my $ok = IPC::Run::run([ 'bash', "$top/scripts/reference", '-o', $file, '-d', $db ],
		'<', \undef, '>', \$stdout, '2>', \$stderr);
	ok($ok, "$db: scripts/reference succeeds") or diag($stderr);
	return '' unless $ok && -f $file;
	return PostgreSQL::Test::Utils::slurp_file($file);
}

# is() for two long texts: the unified diff on failure
sub same_text
{
	my ($got, $want, $got_name, $want_name, $what) = @_;
	if ($got eq $want)
	{
		pass($what);
		return;
	}
	my $a = "$tmp/want." . int(rand(1e9));
	my $b = "$tmp/got." . int(rand(1e9));
	PostgreSQL::Test::Utils::append_to_file($a, $want);
	PostgreSQL::Test::Utils::append_to_file($b, $got);
	my ($diff, $err);
	IPC::Run::run([ 'diff', '-u', '--label', $want_name, '--label', $got_name, $a, $b ],
		'>', \$diff, '2>', \$err);
	fail($what);
	diag($diff);
}

for my $db (qw(fresh odd from11 from10))
{
	$node->safe_psql('postgres', "CREATE DATABASE $db");
}
$node->safe_psql('fresh', 'CREATE EXTENSION pg_enroll');
$node->safe_psql('odd', 'CREATE EXTENSION pg_enroll');
$node->safe_psql('from11', q{CREATE EXTENSION pg_enroll VERSION '1.1'});
$node->safe_psql('from10', q{CREATE EXTENSION pg_enroll VERSION '1.0'});

my $fresh = generate('fresh');
like($fresh, qr/^# pg_enroll \S+ reference\n/, 'fresh: the output is the reference');
like($fresh, qr/^### enroll\.accept_offer$/m, 'fresh: it describes the functions');
like($fresh, qr/^\| `PE001` \| `ERRCODE_ENROLL_\w+` \| \S/m, 'fresh: it lists the SQLSTATEs of src/errcodes.h');
unlike($fresh, qr/\b\d{4}-\d\d-\d\d\b/, 'fresh: no date in it');

ok(-f $committed, 'doc/reference.md is committed');
my $doc = -f $committed ? PostgreSQL::Test::Utils::slurp_file($committed) : '';
same_text($fresh, $doc, 'scripts/reference (fresh install)', 'doc/reference.md',
	'doc/reference.md is up to date (regenerate it with scripts/reference --scratch BINDIR)');

# the session's settings do not show through
my $odd = generate('odd',
	PGOPTIONS => '-c DateStyle=SQL,DMY -c IntervalStyle=iso_8601 -c TimeZone=Pacific/Chatham '
	  . '-c search_path=enroll,public -c extra_float_digits=-3 -c bytea_output=escape');
same_text($odd, $fresh, 'scripts/reference (odd session settings)', 'scripts/reference (fresh install)',
	'the output does not depend on the session settings');

# the updated databases
for my $db (qw(from11 from10))
{
	my ($ret, $out, $err) = $node->psql($db, 'ALTER EXTENSION pg_enroll UPDATE');
	is($ret, 0, "$db: ALTER EXTENSION pg_enroll UPDATE succeeds") or diag($err);
	is($node->safe_psql($db, q{SELECT extversion FROM pg_extension WHERE extname = 'pg_enroll'}),
		$node->safe_psql('fresh', q{SELECT extversion FROM pg_extension WHERE extname = 'pg_enroll'}),
		"$db: now at the fresh install's version");
	my $updated = generate($db);
	same_text($updated, $fresh, "scripts/reference ($db, updated)", 'scripts/reference (fresh install)',
		"$db: the reference of the updated database is the fresh install's");
}

$node->stop;
done_testing();

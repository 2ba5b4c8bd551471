
# 002_pgtap.pl: runs every test/pgtap/*.sql through pg_prove against a
# fresh cluster with pgtap and pg_enroll installed.
#
# pg_prove's whole output goes to the log (note); each pgTAP assertion is
# repeated here as one test, so the totals count them, and each file gets
# one more test: pg_prove's own verdict for it.  The pgTAP files create the
# roles they need inside their transaction and roll everything back.

use strict;
use warnings FATAL => 'all';

use Cwd ();
use File::Basename qw(basename dirname);
use File::Spec;
use IPC::Run qw(run);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# test/t/ -> test/pgtap/
my $pgtap_dir =
  Cwd::realpath(File::Spec->catdir(dirname(__FILE__), '..', 'pgtap'));
my @files = sort glob("$pgtap_dir/*.sql");
plan skip_all => "no pgTAP files in $pgtap_dir" unless @files;

my $pg_prove = '/usr/bin/pg_prove';
$pg_prove = 'pg_prove' unless -x $pg_prove;

my $node = PostgreSQL::Test::Cluster->new('pgtap');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pgtap; CREATE EXTENSION pg_enroll;');
my $superuser = $node->safe_psql('postgres', 'SELECT current_user');

my @cmd = (
	$pg_prove, '--verbose', '--failures',
	'-h', $node->host, '-p', $node->port,
	'-d', 'postgres', '-U', $superuser,
	map { File::Spec->abs2rel($_) } @files);
my ($out, $err) = ('', '');
my $ok = run(\@cmd, '>', \$out, '2>', \$err);
my $rc = $? >> 8;

note(join(' ', @cmd));
note("pg_prove output:\n$out");
diag("pg_prove stderr:\n$err") if $err ne '';

# Replay pg_prove's verbose TAP: "file.sql .. " opens a file's section,
# unindented "ok N - text" / "not ok N - text" are its assertions, and a
# line "ok" closes a file that passed (anything else: failures, "Dubious").
my %seen;
my $current;
for my $line (split /\n/, $out)
{
	if ($line =~ m{^(\S+\.sql) \.+\s*$})
	{
		$current = basename($1);
		$seen{$current} = { asserts => 0, verdict => '' };
		next;
	}
	next unless defined $current;
	if ($line =~ /^(not )?ok (\d+)(?:\s*-\s*(.*))?$/)
	{
		my ($failed, $num, $desc) = ($1, $2, $3 // '');
		ok(!$failed, "$current $num - $desc");
		$seen{$current}{asserts}++;
	}
	elsif ($line =~ /^ok(?:\s+\d+ ms)?\s*$/)
	{
		$seen{$current}{verdict} = 'ok';
		undef $current;
	}
}

for my $f (map { basename($_) } @files)
{
	my $s = $seen{$f} // { asserts => 0, verdict => 'not run' };
	ok($s->{verdict} eq 'ok' && $s->{asserts} > 0,
		"$f: pg_prove passes the file ($s->{asserts} assertions)");
}
is($rc, 0, 'pg_prove exits 0 (every plan met, no assertion failed)')
  or diag("pg_prove output:\n$out");

done_testing();

# 003_released.pl: released scripts never change, byte for byte.
#
# sql/released.sha256 records the SHA-256 of every released install and
# upgrade script (README "Versions": a script is added there the day its
# version is released, and never removed).  A database that installed a
# released version must reach the current one through the upgrade scripts;
# editing a released script would give it a catalogue that differs from a
# fresh install's, and nothing would say so.  This test fails on any edit,
# and also when a released script is missing or an install/upgrade script in
# sql/ is neither released nor the current version's.

use strict;
use warnings FATAL => 'all';

use Digest::SHA;
use FindBin;
use Test::More;

my $top = "$FindBin::Bin/../..";

open my $ctl, '<', "$top/pg_enroll.control" or die "pg_enroll.control: $!";
my ($current) = map { /^default_version\s*=\s*'([^']+)'/ ? $1 : () } <$ctl>;
close $ctl;
ok(defined $current, "pg_enroll.control names the default version ($current)");

open my $sums, '<', "$top/sql/released.sha256" or die "sql/released.sha256: $!";
my %released;
while (<$sums>)
{
	next if /^\s*(#|$)/;
	/^([0-9a-f]{64})\s+(\S+)$/ or die "sql/released.sha256: bad line: $_";
	$released{$2} = $1;
}
close $sums;
ok(exists $released{'sql/pg_enroll--1.0.sql'}, '1.0 is recorded as released');
ok(exists $released{'sql/pg_enroll--1.0--1.1.sql'}, '1.1 is recorded as released');

for my $file (sort keys %released)
{
	ok(-f "$top/$file", "$file is still in the tree") or next;
	my $sha = Digest::SHA->new(256)->addfile("$top/$file")->hexdigest;
	is($sha, $released{$file}, "$file is byte for byte as released");
}

# every script is either released or belongs to the version being built:
# its install script (built from sql/install/) and the upgrade to it
for my $path (sort glob("$top/sql/pg_enroll--*.sql"))
{
	my ($file) = $path =~ m{(sql/pg_enroll--[^/]+\.sql)$};
	next if exists $released{$file};
	next if $file eq "sql/pg_enroll--$current.sql";    # built, not committed
	like($file, qr/^sql\/pg_enroll--[0-9.]+--\Q$current\E\.sql$/,
		"$file is the upgrade to the current version $current");
}
ok(!exists $released{"sql/pg_enroll--$current.sql"},
	"the current version $current is built from sql/install/, not a released script");

done_testing();

# 009_tutorial.pl: doc/tutorial.md runs as written.
#
# The tutorial's fenced code blocks are run in document order against a
# fresh cluster, in a temporary directory (the files it writes, a dump, a
# CSV, land there).  The info string of a block says what it is:
#   ```sql               SQL typed in `psql training` as the superuser: must
#                        not fail.  Consecutive SQL blocks are one psql
#                        session (psql -X -f, so \gset variables and SET ROLE
#                        carry over), until the next shell block.
#   ```sql fails CODE    the same, but it must fail with SQLSTATE CODE (the
#                        psql variable LAST_ERROR_SQLSTATE after the block;
#                        ON_ERROR_STOP is off for that block only).  When
#                        the next block is a ```text block, each of its
#                        lines that starts with "ERROR:" must be what psql
#                        printed.
#   ```sh                shell commands (bash -e -o pipefail), as the
#                        cluster's superuser with PGHOST and PGPORT set:
#                        must exit 0
#   ```sh not-run        shown, never run: they need root (apt-get,
#                        scripts/package, make install) or a source tree
# Any other block whose info string starts with sql or sh is an error (a
# typo must not skip a block); blocks of other languages (text, json) are
# not run.  Each SQL block must end with a complete statement (";") or a
# psql meta-command, so that blocks cannot run into each other.

use strict;
use warnings FATAL => 'all';

use FindBin;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $doc = "$FindBin::Bin/../../doc/tutorial.md";
my $dir = PostgreSQL::Test::Utils::tempdir;

# ---------------------------------------------------------------------------
# the blocks

open my $fh, '<', $doc or die "$doc: $!";
my @lines = <$fh>;
close $fh;

my (@blocks, $open);
for my $i (0 .. $#lines)
{
	my $line = $lines[$i];
	if (!defined $open)
	{
		next unless $line =~ /^```(.*?)\s*$/;
		$open = { info => $1, line => $i + 1, code => '' };
	}
	elsif ($line =~ /^```\s*$/)
	{
		push @blocks, $open;
		undef $open;
	}
	else
	{
		$open->{code} .= $line;
	}
}
ok(!defined $open, 'every code block of the tutorial is closed');

my @bad;
for my $b (@blocks)
{
	my $info = $b->{info};
	if ($info eq 'sql') { $b->{kind} = 'sql'; }
	elsif ($info =~ /^sql fails ([0-9A-Z]{5})$/) { $b->{kind} = 'sql'; $b->{fails} = $1; }
	elsif ($info eq 'sh') { $b->{kind} = 'sh'; }
	elsif ($info eq 'sh not-run') { $b->{kind} = 'not-run'; }
	elsif ($info =~ /^(sql|sh)\b/) { push @bad, "line $b->{line}: ```$info"; $b->{kind} = 'bad'; }
	else { $b->{kind} = 'other'; }

	if ($b->{kind} eq 'sql')
	{
		my @code = grep { /\S/ && !/^\s*--/ } split /\n/, $b->{code};
		push @bad, "line $b->{line}: the SQL block does not end with a complete statement"
		  unless @code && ($code[-1] =~ /;\s*(--.*)?$/ || $code[-1] =~ /\\[a-z!?]/);
	}
}
is(join("\n", @bad), '', 'every sql and sh block has a known info string and ends cleanly');
my %count;
$count{ $_->{kind} }++ for @blocks;
cmp_ok($count{sql} // 0, '>=', 10, 'the tutorial has SQL blocks');
cmp_ok($count{sh} // 0, '>=', 1, 'the tutorial has shell blocks the test runs');
cmp_ok(scalar(grep { $_->{fails} } @blocks), '>=', 1, 'the tutorial has blocks that fail on purpose');

# ---------------------------------------------------------------------------
# the cluster and the runners

my $node = PostgreSQL::Test::Cluster->new('tutorial');
$node->init(extra => [ '--encoding=UTF8', '--locale=C.UTF-8' ]);
$node->start;

local $ENV{PGHOST} = $node->host;
local $ENV{PGPORT} = $node->port;
delete local $ENV{PGDATABASE};
delete local $ENV{PGOPTIONS};

# one psql session: the SQL blocks @session, as one script
sub run_session
{
	my @session = @_;
	my $script = "\\set ON_ERROR_STOP 1\n";
	for my $b (@session)
	{
		my $n = $b->{line};
		if ($b->{fails})
		{
			$script .= "\\set ON_ERROR_STOP 0\n\\set LAST_ERROR_SQLSTATE 00000\n";
		}
		$script .= "\\echo \@\@block $n\@\@\n$b->{code}\\echo \@\@done $n :LAST_ERROR_SQLSTATE \@\@\n";
		$script .= "\\set ON_ERROR_STOP 1\n" if $b->{fails};
	}
	my $file = "$dir/session-$session[0]{line}.sql";
	open my $out, '>', $file or die "$file: $!";
	print $out $script;
	close $out;

	my ($stdout, $stderr) = ('', '');
	IPC::Run::run([ 'psql', '-X', '-d', 'training', '-f', $file ],
		'<', \undef, '>', \$stdout, '2>', \$stderr, init => sub { chdir $dir or die "$dir: $!"; });
	my $ret = $? >> 8;

	my %done;
	while ($stdout =~ /^\@\@done (\d+) (\S*) \@\@$/mg) { $done{$1} = $2; }
	for my $b (@session)
	{
		my $n = $b->{line};
		if (!exists $done{$n})
		{
			fail("line $n: SQL block runs");
			diag("psql exited with $ret; stderr:\n$stderr\nstdout (end):\n" . substr($stdout, -3000));
			return;
		}
		if ($b->{fails})
		{
			is($done{$n}, $b->{fails}, "line $n: SQL block fails with $b->{fails}")
			  or diag("stderr:\n$stderr");
			for my $want (@{ $b->{errors} || [] })
			{
				ok(index($stderr, $want) >= 0, "line $n: psql says \"$want\"")
				  or diag("stderr:\n$stderr");
			}
		}
		else
		{
			pass("line $n: SQL block runs");
		}
	}
	is($ret, 0, "psql session from line $session[0]{line} ends cleanly") or diag("stderr:\n$stderr");
}

sub run_shell
{
	my ($b) = @_;
	my ($stdout, $stderr) = ('', '');
	my $ok = IPC::Run::run([ 'bash', '-e', '-o', 'pipefail', '-c', $b->{code} ],
		'<', \undef, '>', \$stdout, '2>', \$stderr, init => sub { chdir $dir or die "$dir: $!"; });
	ok($ok, "line $b->{line}: shell block runs") or diag("stdout:\n$stdout\nstderr:\n$stderr");
}

# the error text shown after a failing block
for my $i (0 .. $#blocks - 1)
{
	next unless $blocks[$i]{fails} && $blocks[ $i + 1 ]{info} eq 'text';
	$blocks[$i]{errors} = [ grep { /^ERROR:/ } split /\n/, $blocks[ $i + 1 ]{code} ];
}

# ---------------------------------------------------------------------------
# run them, in order

my @session;
for my $b (@blocks)
{
	if ($b->{kind} eq 'sql')
	{
		push @session, $b;
		next;
	}
	next unless $b->{kind} eq 'sh';
	run_session(@session) if @session;
	@session = ();
	run_shell($b);
}
run_session(@session) if @session;

$node->stop;
done_testing();

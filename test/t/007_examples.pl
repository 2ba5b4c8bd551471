
# 007_examples.pl: the client examples run, against a real cluster.
#
# examples/python (psycopg 3) and examples/node (node-postgres) are small
# shop backends, one function per action, each action one transaction in one
# network round trip.  Their runners (test_shop.py, test.js) drive a whole
# story as an application login role that is a member of enroll_app: sign-up,
# browse, requirements and consent, accept, the access check, an operator's
# order (dry run, then real), an organization admin's seats, a learner's
# licenses, the event listener; they count the round trips of every action
# through a proxy on a Unix socket, and exit non-zero on any failure.  Each
# "ok"/"not ok" line they print is repeated here as one test.
#
# The node example is installed from its package-lock.json with `npm ci`
# into a copy of examples/node in the test's temporary directory (the one
# use of the network).  A language whose runtime is missing (python3 with
# psycopg 3.1+; node and npm) is skipped, except under CI (CI set), where
# scripts/test has installed python3-psycopg, nodejs and npm.

use strict;
use warnings FATAL => 'all';

use Cwd ();
use File::Basename qw(dirname);
use File::Copy qw(copy);
use File::Path qw(make_path);
use IPC::Run qw(run timeout);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $top = Cwd::realpath(dirname(__FILE__) . '/../..');
my $ci = defined $ENV{CI} && $ENV{CI} ne '' && $ENV{CI} ne 'false';

# a command's exit status and output (stdout and stderr together)
sub capture
{
	my ($cmd, %opt) = @_;
	my $out = '';
	my $ok = eval {
		run($cmd, '<', \undef, '>&', \$out, init => sub { chdir $opt{dir} if $opt{dir} },
			timeout($opt{timeout} // 60));
	};
	return ($ok ? 0 : ($? >> 8 || 1), $out . ($@ ? "\n$@" : ''));
}

# python3 with psycopg 3.1 or later (Debian's: the system python3, not
# another one found first on PATH)
my $python = -x '/usr/bin/python3' ? '/usr/bin/python3' : 'python3';
my ($py_rc, $py_out) = capture([ $python, '-c',
	'import sys, psycopg; v = tuple(int(x) for x in psycopg.__version__.split(".")[:2]); '
	  . 'print(psycopg.__version__); sys.exit(0 if v >= (3, 1) else 1)' ]);
my $has_python = $py_rc == 0;
my ($node_rc, $node_out) = capture([ 'node', '--version' ]);
my ($npm_rc, $npm_out) = capture([ 'npm', '--version' ]);
my $has_node = $node_rc == 0 && $npm_rc == 0;
chomp($py_out, $node_out, $npm_out);
note("python: $python, psycopg " . ($has_python ? $py_out : "missing: $py_out"));
note('node: ' . ($has_node ? "$node_out npm $npm_out" : "missing: $node_out $npm_out"));

my $node = PostgreSQL::Test::Cluster->new('examples');
$node->init(extra => [ '--encoding=UTF8', '--locale=C.UTF-8' ]);
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION pg_enroll;
	CREATE ROLE shop_app LOGIN IN ROLE enroll_app;
	SELECT enroll.register_account('admin@shop.example', 'Ada', 'Admin');
	UPDATE enroll.account SET is_admin = true WHERE email = 'admin@shop.example';
});

my %env = (
	PGHOST => $node->host,
	PGPORT => $node->port,
	PGUSER => 'shop_app',
	PGDATABASE => 'postgres',
	SHOP_ADMIN_EMAIL => 'admin@shop.example',
	PYTHONDONTWRITEBYTECODE => 1,
	SHOP_ERRCODES_H => "$top/src/errcodes.h",
);

# run a runner; each of its check lines becomes a test here
sub runner
{
	my ($lang, $cmd, $dir) = @_;
	local @ENV{ keys %env } = values %env;
	my $t0 = time;
	my ($rc, $out) = capture($cmd, dir => $dir, timeout => 300);
	note("$lang runner output:\n$out");
	my $n = 0;
	for my $line (split /\n/, $out)
	{
		next unless $line =~ /^(not )?ok \d+ - (.*)$/;
		ok(!$1, "$lang: $2");
		$n++;
	}
	ok($n > 50, "$lang: the runner checked the whole story ($n checks)");
	is($rc, 0, "$lang: the runner exits 0 (" . (time - $t0) . ' s)')
	  or diag("$lang runner output:\n$out");
	note("$lang: $1") if $out =~ /^# (\d+ actions, .*)$/m;
	return;
}

SKIP:
{
	skip "python3 with psycopg 3.1+ is not installed (Debian: python3-psycopg)", 1
	  unless $has_python || $ci;
	runner('python', [ $python, "$top/examples/python/test_shop.py" ]);
}

SKIP:
{
	skip 'node and npm are not installed (Debian: nodejs npm)', 1
	  unless $has_node || $ci;

	# npm ci into a copy: the tree gets no node_modules, the cache stays here
	my $work = PostgreSQL::Test::Utils::tempdir('examples');
	my $copy = "$work/node";
	make_path($copy);
	for my $f (glob("$top/examples/node/*.js"), "$top/examples/node/package.json",
		"$top/examples/node/package-lock.json")
	{
		copy($f, $copy) or die "copy $f: $!";
	}
	local $ENV{npm_config_cache} = "$work/npm-cache";
	local $ENV{npm_config_update_notifier} = 'false';
	local $ENV{npm_config_fund} = 'false';
	local $ENV{npm_config_audit} = 'false';
	my ($rc, $out) = capture([ 'npm', 'ci', '--no-audit', '--no-fund', '--loglevel=warn' ],
		dir => $copy, timeout => 300);
	is($rc, 0, 'node: npm ci installs the locked dependencies') or diag($out);
	skip 'npm ci failed', 1 if $rc != 0;
	runner('node', [ 'node', 'test.js' ], $copy);
}

$node->stop;
done_testing();

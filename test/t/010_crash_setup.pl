
# 010_crash_setup.pl: enroll.setup_course_session() across server crashes.
#
# S1.1 says a session setup is all or nothing.  A crash is the hardest case:
# the setup of a 10,000-participant order is interrupted twice,
#   A. while the setup statement itself runs (it is made to wait on a lock
#      half-way, after it has written accounts, licenses and enrollments),
#      then a CHECKPOINT puts its uncommitted rows on disk and the server
#      stops in immediate mode (no shutdown checkpoint: crash recovery);
#   B. after the statement returned its report but before COMMIT, again
#      after a CHECKPOINT, by kill -9 of that backend (the postmaster then
#      resets every process and recovers);
# and each time, after recovery, every enroll table is exactly as before the
# attempt (row count and content digest), and the order left no trace by name
# either.  The same order then runs to completion.  Last, committed orders
# survive an immediate stop byte for byte, and check_invariants() is clean.

use strict;
use warnings FATAL => 'all';

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $N = 10_000;    # participants of the big order
my $BIG = 'PO-CRASH-10000';

my $node = PostgreSQL::Test::Cluster->new('crash_setup');
# setup_course_session needs a UTF8 database, whatever the environment's locale
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
# variant B kills one backend: the postmaster must then reinitialize
# instead of shutting down (the framework's default is off)
$node->append_conf('postgresql.conf', "restart_after_crash = on\n");
$node->start;

# ---------------------------------------------------------------------------
# helpers

# Every table of schema enroll => "rows md5", the digest of all its rows as
# text in a fixed order, under fixed output settings.
sub table_state
{
	my ($n) = @_;
	my @tables = split /\n/, $n->safe_psql('postgres', q{
		SELECT c.relname FROM pg_catalog.pg_class c
		 WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind = 'r'
		 ORDER BY 1});
	my $sql = join("\nUNION ALL\n",
		map {
			"SELECT '$_', count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text COLLATE \"C\"), '')) FROM enroll.$_ t"
		} @tables);
	my %state;
	for my $line (split /\n/, $n->safe_psql('postgres',
		"SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres';\n$sql"))
	{
		my ($t, $v) = split /\|/, $line, 2;
		$state{$t} = $v;
	}
	return \%state;
}

# the server log written since byte offset $from
sub log_since
{
	my ($from) = @_;
	my $log = slurp_file($node->logfile);
	return substr($log, $from);
}

# a script run in one transaction acting as account $op, by an application
# role (what an operator's shop does: the report is the operator's view)
sub as_operator
{
	my ($op, $sql) = @_;
	return $node->safe_psql('postgres',
		"SET ROLE crash_app;\nBEGIN;\nSELECT enroll.act_as($op) \\g /dev/null\n$sql\nCOMMIT;");
}

# a script run in one transaction acting as account $op (as the superuser:
# a system admin, who sees the full report)
sub as_account
{
	my ($op, $sql) = @_;
	return $node->safe_psql('postgres',
		"BEGIN;\nSELECT enroll.act_as($op) \\g /dev/null\n$sql\nCOMMIT;");
}

# ---------------------------------------------------------------------------
# the catalogue, an operator, an offer with handler_params, and one person
# who already holds a license for the course (the big order supersedes it)

$node->safe_psql('postgres', 'CREATE EXTENSION pg_enroll');
$node->safe_psql('postgres', 'CREATE ROLE crash_app IN ROLE enroll_app');
my ($course, $offer, $free, $op, $kim) = split /\|/, $node->safe_psql('postgres', q{
	SELECT c.id, o.id, f.id, op.id, k.id
	  FROM enroll.create_course('CRASH1', 'Crash-proof setup') c,
	       enroll.create_course('SUPPORT', 'Customer support') s,
	       enroll.create_offer('CRASH-SESSION', 'Session of CRASH1', c.id, 0, 'EUR',
	                           now() - interval '1 day', now() + interval '1 year', '35 days',
	                           handler_params => 'coursename=CRASH1&customersupport=SUPPORT') o,
	       enroll.create_offer('CRASH-FREE', 'Free access to CRASH1', c.id, 0, 'EUR',
	                           now() - interval '1 day', now() + interval '1 year', '30 days') f,
	       enroll.register_account('operator@shop.example', 'Olivia', 'Operator') op,
	       enroll.register_account('kim@example.org', 'Kim', 'Known') k});
like($offer, qr/^\d+$/, 'catalogue, operator and offer created');
my $kim_license = as_account($kim, "SELECT id FROM enroll.accept_offer($free);");
like($kim_license, qr/^\d+$/, 'kim holds a current license for the course before the order');

# 9,999 new addresses (every 1000th a tutor) and kim's, in capitals
my $participants = qq{(SELECT jsonb_agg(x ORDER BY i) FROM (
	SELECT i, CASE WHEN i = $N THEN '{"email": "KIM\@Example.org"}'::jsonb
	               ELSE jsonb_build_object('email', format('p%s\@crash.example', i),
	                                       'firstname', 'P', 'lastname', i::text)
	                    || CASE WHEN i % 1000 = 0 THEN '{"role": "tutor"}'::jsonb ELSE '{}' END
	          END AS x
	  FROM generate_series(1, $N) i) s)};
my $setup_call = "enroll.setup_course_session('$BIG', $offer, $op, $N, $participants)";

my $before = table_state($node);
cmp_ok(scalar(keys %$before), '>=', 16, 'a digest of every enroll table');
like($before->{account}, qr/^2 [0-9a-f]{32}$/, 'the operator and kim are the only accounts');

# No trace of the big order: by name in every table that records it, and
# every table equal to the state before the attempt.
sub no_trace
{
	my ($label) = @_;
	is( $node->safe_psql('postgres', qq{
		SELECT (SELECT count(*) FROM enroll.purchase_order WHERE order_ref = '$BIG')
		    || ' ' || (SELECT count(*) FROM enroll.course_group WHERE idnumber = '$BIG')
		    || ' ' || (SELECT count(*) FROM enroll.account WHERE email LIKE '%\@crash.example')
		    || ' ' || (SELECT count(*) FROM enroll.enrollment WHERE order_ref = '$BIG')
		    || ' ' || (SELECT count(*) FROM enroll.license WHERE order_ref = '$BIG')
		    || ' ' || (SELECT count(*) FROM enroll.role_assignment WHERE order_ref = '$BIG')
		    || ' ' || (SELECT count(*) FROM enroll.event
		                WHERE details ->> 'order' = '$BIG' OR details::text LIKE '%$BIG%'
		                   OR what LIKE 'purchase_order.%')}),
		'0 0 0 0 0 0 0',
		"$label: no order, group, account, enrollment, license, role or event of the order");
	is( $node->safe_psql('postgres',
			"SELECT ended_at IS NULL FROM enroll.license WHERE id = $kim_license"),
		't', "$label: kim's license, superseded inside the lost transaction, is current again");
	is_deeply(table_state($node), $before,
		"$label: every enroll table has the rows and content it had before the attempt");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM enroll.check_invariants()'),
		'0', "$label: check_invariants() reports nothing");
}

# ---------------------------------------------------------------------------
# A. crash while the setup statement runs

# another session holds a lock the setup needs late (the cross role
# assignments, written after accounts, licenses and enrollments)
my $locker = $node->background_psql('postgres');
$locker->query_safe('BEGIN');
$locker->query_safe('LOCK TABLE enroll.role_assignment IN SHARE MODE');

my $setup = $node->background_psql('postgres');
$setup->query_until(qr/setup_started/,
	"\\echo setup_started\nBEGIN;\nSELECT enroll.act_as($op);\nSELECT $setup_call ->> 'status';\n");

ok( $node->poll_query_until('postgres', q{
		SELECT count(*) = 1 FROM pg_stat_activity
		 WHERE pid <> pg_backend_pid() AND state = 'active'
		   AND query LIKE '%setup_course_session(%'
		   AND wait_event_type = 'Lock' AND backend_xid IS NOT NULL}),
	'A: the setup statement is running, has written (it has an xid) and waits on the lock');
my $setup_pid = $node->safe_psql('postgres', q{
	SELECT pid FROM pg_stat_activity
	 WHERE pid <> pg_backend_pid() AND query LIKE '%setup_course_session(%'});
my %locks = map { split /=/ } split /\n/, $node->safe_psql('postgres', qq{
	SELECT c.relname || '=' || l.granted FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
	 WHERE l.pid = $setup_pid AND l.mode = 'RowExclusiveLock'
	   AND c.relnamespace = 'enroll'::regnamespace AND c.relkind = 'r'});
is( join(',', map { "$_=" . ($locks{$_} // 'none') }
		qw(purchase_order course_group account license enrollment group_member event role_assignment)),
	'purchase_order=true,course_group=true,account=true,license=true,enrollment=true,group_member=true,event=none,role_assignment=false',
	'A: it is half-way: it wrote orders, groups, accounts, licenses, enrollments and group members, and waits to write role assignments (its events come last)');

# the uncommitted rows go to disk, so recovery must really undo them
$node->safe_psql('postgres', 'CHECKPOINT');
cmp_ok($node->safe_psql('postgres', q{SELECT pg_relation_size('enroll.enrollment')}),
	'>', 100_000, 'A: the uncommitted enrollments fill pages of the table, written out by the CHECKPOINT');

my $offset = -s $node->logfile;
$node->stop('immediate');
$node->start;
like(log_since($offset), qr/database system was interrupted|automatic recovery in progress/,
	'A: the restart ran crash recovery');
$setup->{run}->kill_kill;
$locker->{run}->kill_kill;

no_trace('A');

# ---------------------------------------------------------------------------
# B. crash after the statement, before COMMIT: kill -9 of the backend

$setup = $node->background_psql('postgres');
$setup->query_safe('BEGIN');
$setup_pid = $setup->query_safe('SELECT pg_backend_pid()');
$setup->query_safe("SELECT enroll.act_as($op)");
is( $setup->query_safe("SELECT r ->> 'status' || ' ' || jsonb_array_length(r -> 'enrollments') FROM $setup_call r"),
	"done $N", 'B: the setup statement returned its report, the transaction is still open');
is( $node->safe_psql('postgres', qq{SELECT state FROM pg_stat_activity WHERE pid = $setup_pid}),
	'idle in transaction', 'B: its transaction is open, not committed');
$node->safe_psql('postgres', 'CHECKPOINT');

$offset = -s $node->logfile;
kill 'KILL', $setup_pid;
$node->wait_for_log(qr/all server processes terminated; reinitializing/, $offset);
ok($node->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()'),
	'B: the server is back after the backend was killed');
like(log_since($offset), qr/was terminated by signal 9/, 'B: the backend died by SIGKILL');
like(log_since($offset), qr/database system was not properly shut down; automatic recovery in progress/,
	'B: and the server recovered from the crash');
$setup->{run}->kill_kill;

no_trace('B');

# ---------------------------------------------------------------------------
# the same order, run again, completes

my ($status, $enrolled, $created, $reused, $superseded, $roles, $support) = split /\|/,
  as_account($op, qq{
	SELECT r ->> 'status', jsonb_array_length(r -> 'enrollments'),
	       jsonb_array_length(r -> 'accounts' -> 'created'), r -> 'accounts' ->> 'reused',
	       r ->> 'superseded_licenses', r ->> 'delegated_roles', r ->> 'support_enrollments'
	  FROM $setup_call r;});
is($status, 'done', 'the same order run again completes');
is($enrolled, $N, "its report lists $N enrollments");
is($created, $N - 1, 'it created an account for every new address');
is($reused, '["kim@example.org"]', 'and reused kim\'s account, given in capitals, reported with its stored address (S1.5)');
is($superseded, '1', 'kim\'s license was superseded (S2.23): one license, counted in a system admin\'s report');
is($roles, 2 * $N, 'cross delegated roles both ways (S1.6)');
is($support, $N, 'and support-course enrollments (S1.7)');
is( $node->safe_psql('postgres', qq{
	SELECT (SELECT count(*) FROM enroll.enrollment e JOIN enroll.course_group g ON g.id = e.group_id
	         WHERE g.idnumber = '$BIG')
	    || ' ' || (SELECT count(*) FROM enroll.license WHERE order_ref = '$BIG' AND ended_at IS NULL)
	    || ' ' || (SELECT count(*) FROM enroll.purchase_order WHERE order_ref = '$BIG')}),
	"$N $N 1", "$N enrollments in the order's group, $N current licenses, one order row");
is($node->safe_psql('postgres', 'SELECT count(*) FROM enroll.check_invariants()'),
	'0', 'check_invariants() reports nothing after the rerun');

# ---------------------------------------------------------------------------
# C. committed orders survive an immediate stop byte for byte

my %orders = (
	'PO-C1' => q{[{"email": "c1a@shop.example", "firstname": "Ana"}, {"email": "c1b@shop.example"},
	              {"email": "c1c@shop.example", "role": "tutor"}]},
	'PO-C2' => q{[{"email": "c2a@shop.example"}, {"email": "P1@crash.example"},
	              {"email": "c2c@shop.example", "firstname": "Zoé", "lastname": "Ürkmez"}]},
	'PO-C3' => q{[{"email": "c3a@shop.example"}, {"email": "c3b@shop.example"},
	              {"email": "c3c@shop.example"}, {"email": "kim@example.org", "role": "tutor"}]});
my (%result, %report);
for my $ref (sort keys %orders)
{
	$result{$ref} = as_operator($op,
		"SELECT enroll.setup_course_session('$ref', $offer, $op, 5, '$orders{$ref}');");
	$report{$ref} = $node->safe_psql('postgres',
		"SELECT report::text FROM enroll.purchase_order WHERE order_ref = '$ref'");
	like($result{$ref}, qr/"status": "done"/, "$ref committed");
	is($report{$ref}, $result{$ref}, "$ref: the stored report is the one the call returned");
}
my $committed = table_state($node);

$offset = -s $node->logfile;
$node->stop('immediate');
$node->start;
like(log_since($offset), qr/database system was interrupted|automatic recovery in progress/,
	'C: the restart ran crash recovery');

for my $ref (sort keys %orders)
{
	is( $node->safe_psql('postgres',
			"SELECT report::text FROM enroll.purchase_order WHERE order_ref = '$ref'"),
		$report{$ref}, "C: $ref is there with byte for byte the same report");
}
is_deeply(table_state($node), $committed,
	'C: every enroll table is exactly as committed before the crash');
is($node->safe_psql('postgres', 'SELECT count(*) FROM enroll.check_invariants()'),
	'0', 'C: check_invariants() reports nothing');
for my $ref (sort keys %orders)
{
	is( as_account($op, qq{
		SELECT (r - 'status')::text = (SELECT (report - 'status')::text FROM enroll.purchase_order WHERE order_ref = '$ref')
		       AND r ->> 'status' = 'already_done'
		  FROM enroll.setup_course_session('$ref', $offer, $op, 5, '$orders{$ref}') r;}),
		't', "C: calling $ref again after recovery answers already_done with the stored report");
}

done_testing();

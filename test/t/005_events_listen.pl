
# 005_events_listen.pl: every event is announced with NOTIFY enroll_events.
#
# A real LISTEN connection (psql through background_psql) hears each event
# when its transaction commits, never before, never after a rollback, in
# commit order and, within a transaction, in event order; the payload is the
# documented JSON {"id", "what", "table", "row"} and names no person.  psql
# prints a notification after the next query it runs, so the listener polls
# with SELECT 1.

use strict;
use warnings FATAL => 'all';

use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('events_listen');
$node->init(extra => [ '--encoding=UTF8', '--locale=C.UTF-8' ]);
$node->append_conf('postgresql.conf', 'max_prepared_transactions = 2');
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_enroll');

my $listener = $node->background_psql('postgres');
$listener->query_safe('LISTEN enroll_events');
my $writer = $node->background_psql('postgres');
my $writer_pid = $writer->query_safe('SELECT pg_backend_pid()');

# the notifications psql printed since the last call: [payload, pid] each,
# polling until at least $want arrived (at most 10 s; 0: poll once)
sub heard
{
	my ($want) = @_;
	my @got;
	for (my $i = 0; $i < 100; $i++)
	{
		my $out = $listener->query_safe('SELECT 1');
		push @got, [ $1, $2 ]
		  while $out =~ /^Asynchronous notification "enroll_events" with payload "(.*)" received from server process with PID (\d+)\.$/mg;
		last if @got >= $want;
		select(undef, undef, undef, 0.1);
	}
	return @got;
}

sub payloads { return map { decode_json($_->[0]) } @_; }

# ---------------------------------------------------------------------------
# at commit, not before

$writer->query_safe('BEGIN');
my $course = $writer->query_safe(q{SELECT id FROM enroll.create_course('LISTEN1', 'Course heard of')});
is(scalar(heard(0)), 0, 'nothing is heard while the transaction is open');
$writer->query_safe('COMMIT');
my @n = heard(1);
is(scalar(@n), 1, 'one notification at commit');
is($n[0][1], $writer_pid, 'sent by the writing session');
my ($p) = payloads(@n);
my $event = $node->safe_psql('postgres', q{SELECT id FROM enroll.event WHERE what = 'course.create'});
is_deeply($p, { id => $event, what => 'course.create', table => 'course', row => $course },
	'the payload is {"id", "what", "table", "row"} of the event');
like($n[0][0], qr/^\{"id": \d+, "what": "course\.create", "table": "course", "row": \d+\}$/,
	'the payload text is the documented JSON, keys in order');

# ---------------------------------------------------------------------------
# not on rollback: a committed marker comes, the rolled-back event never

$writer->query_safe('BEGIN');
$writer->query_safe(q{SELECT enroll.create_course('LISTEN2', 'Course rolled back')});
$writer->query_safe('ROLLBACK');
$writer->query_safe(q{SELECT enroll.log_event('test.marker', NULL, NULL, NULL)});
@n = heard(1);
is_deeply([ map { $_->{what} } payloads(@n) ], ['test.marker'],
	'a rolled-back event is never announced; the next committed one is');
is_deeply((payloads(@n))[0], { id => (payloads(@n))[0]{id}, what => 'test.marker', table => undef, row => undef },
	'an event without table and row: both null');

# a kind or table name longer than 200 bytes (only a hand-written event can
# have one) is announced as null, the others as they are: the payload stays
# far below NOTIFY's 8000 bytes; the event keeps the names in full
my $long = 'x' x 201;
$writer->query_safe(qq{SELECT enroll.log_event('test.$long', 'ok_table', 7, NULL)});
$writer->query_safe(qq{SELECT enroll.log_event('test.short', '$long', NULL, NULL)});
@n = heard(2);
is_deeply([ map { [ $_->{what}, $_->{table}, $_->{row} ] } payloads(@n) ],
	[ [ undef, 'ok_table', 7 ], [ 'test.short', undef, undef ] ],
	'a name over 200 bytes is announced as null, the others as they are');
is($node->safe_psql('postgres', qq{SELECT count(*) FROM enroll.event WHERE what = 'test.$long' OR table_name = '$long'}),
	2, 'the events keep the long names');

# ---------------------------------------------------------------------------
# subtransactions: a rolled-back savepoint takes its events away, a released
# one hands them to its parent (the trigger records an announcement and
# hands it to NOTIFY just before the commit: see event.c)

$writer->query_safe('BEGIN');
$writer->query_safe(q{SELECT enroll.log_event('test.sub_kept', NULL, 1, NULL)});
$writer->query_safe('SAVEPOINT a');
$writer->query_safe(q{SELECT enroll.log_event('test.sub_dropped', NULL, 2, NULL)});
$writer->query_safe('SAVEPOINT b');
$writer->query_safe(q{SELECT enroll.log_event('test.sub_dropped', NULL, 3, NULL)});
$writer->query_safe('RELEASE b');
$writer->query_safe('ROLLBACK TO a');
$writer->query_safe(q{SELECT enroll.log_event('test.sub_after', NULL, 4, NULL)});
$writer->query_safe('SAVEPOINT c');
$writer->query_safe('SAVEPOINT d');
$writer->query_safe(q{SELECT enroll.log_event('test.sub_released', NULL, 5, NULL)});
$writer->query_safe('RELEASE d');
$writer->query_safe('RELEASE c');
$writer->query_safe(q{
	DO $$
	BEGIN
		BEGIN
			PERFORM enroll.log_event('test.sub_dropped', NULL, 6, NULL);
			RAISE EXCEPTION 'undo';
		EXCEPTION WHEN raise_exception THEN
			PERFORM enroll.log_event('test.sub_handler', NULL, 7, NULL);
		END;
	END
	$$});
is(scalar(heard(0)), 0, 'nothing is heard before the commit');
$writer->query_safe('COMMIT');
@n = heard(4);
is_deeply([ map { "$_->{what} $_->{row}" } payloads(@n) ],
	[ 'test.sub_kept 1', 'test.sub_after 4', 'test.sub_released 5', 'test.sub_handler 7' ],
	'rolled-back subtransactions announce nothing, committed ones all, in event order');
my @sub_ids = split /\n/, $node->safe_psql('postgres',
	q{SELECT id FROM enroll.event WHERE what LIKE 'test.sub%' ORDER BY id});
is_deeply([ map { $_->{id} } payloads(@n) ], \@sub_ids, 'exactly the events that were committed');

# PREPARE TRANSACTION is refused as for any transaction that sent NOTIFY
my $stderr;
$node->psql('postgres', q{
	BEGIN;
	SELECT enroll.log_event('test.prepared', NULL, NULL, NULL);
	PREPARE TRANSACTION 'events'}, stderr => \$stderr);
like($stderr, qr/cannot PREPARE a transaction that has executed LISTEN, UNLISTEN, or NOTIFY/,
	'a transaction that wrote an event cannot be prepared');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_prepared_xacts}), '0', 'nothing was prepared');
is(scalar(heard(0)), 0, 'and nothing is heard');

# ---------------------------------------------------------------------------
# within a transaction in event order; no person in the payload

$writer->query_safe('BEGIN');
my @accounts = map {
	$writer->query_safe("SELECT id FROM enroll.register_account('person$_\@example.org', 'First$_', 'Last$_')")
} 1 .. 3;
$writer->query_safe('COMMIT');
@n = heard(3);
is(scalar(@n), 3, 'three registrations, three notifications');
is_deeply([ map { $_->{row} } payloads(@n) ], \@accounts, 'in the order the events were written');
my @ids = map { $_->{id} } payloads(@n);
is_deeply(\@ids, [ sort { $a <=> $b } @ids ], 'event ids ascending');
is_deeply([ map { join(',', sort keys %$_) } payloads(@n) ], [ ('id,row,table,what') x 3 ],
	'only id, what, table and row');
unlike(join(' ', map { $_->[0] } @n), qr/@|person|First|Last/, 'no address, no name');

# ---------------------------------------------------------------------------
# across transactions in commit order (the smaller id committing last is
# heard last; events_since() returns it in (xid, id) order, see
# audit_chain.spec)

my $second = $node->background_psql('postgres');
$writer->query_safe('BEGIN');
$writer->query_safe(q{SELECT enroll.log_event('test.first_written', NULL, NULL, NULL)});
$second->query_safe('BEGIN');
$second->query_safe(q{SELECT enroll.log_event('test.second_written', NULL, NULL, NULL)});
$second->query_safe('COMMIT');
$writer->query_safe('COMMIT');
@n = heard(2);
is_deeply([ map { $_->{what} } payloads(@n) ], [ 'test.second_written', 'test.first_written' ],
	'transactions are heard in commit order');
cmp_ok((payloads(@n))[1]{id}, '<', (payloads(@n))[0]{id}, 'the one heard last has the smaller id');
$second->quit;

# ---------------------------------------------------------------------------
# a bulk insert announces every event, in id order

my $bulk = 2000;
$writer->query_safe(qq{
	INSERT INTO enroll.event (at, db_role, what, table_name, row_id, digest)
	SELECT enroll.clock_now(), current_user, 'test.bulk', 'bulk', n, '' FROM generate_series(1, $bulk) n});
@n = heard($bulk);
is(scalar(@n), $bulk, "$bulk events in one statement, $bulk notifications");
is_deeply([ map { $_->{row} } payloads(@n) ], [ 1 .. $bulk ], 'each announced once, in order');
is_deeply([ map { $_->{id} } payloads(@n) ],
	[ split /\n/, $node->safe_psql('postgres', q{SELECT id FROM enroll.event WHERE what = 'test.bulk' ORDER BY id}) ],
	'with the ids of the events written');

is(scalar(heard(0)), 0, 'nothing else was announced');
$writer->quit;
$listener->quit;
$node->stop;
done_testing();

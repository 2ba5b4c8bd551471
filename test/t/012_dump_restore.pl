
# 012_dump_restore.pl: pg_dump of a pg_enroll database, restored elsewhere.
#
# Every table and sequence of the extension is registered with
# pg_extension_config_dump (enroll.role only for rows that are not builtin:
# the seeded roles come with CREATE EXTENSION).  The demo data
# (scripts/demo.sql) plus what it lacks (an organization license and its
# seat, private offers with addressees, one capped and accepted (its counter
# offer.acceptances_made must come back as dumped: the restore's INSERT fires
# the trigger offer_cap_count), a revoked license, a role added by the DBA)
# is dumped in custom format and restored with pg_restore into a
# new cluster (the roles first, from pg_dumpall --roles-only); a plain-format
# dump restored by psql must give the same rows.  On the restored side every
# table must hold the same rows as the source, every sequence must continue
# after the restored ids, check_invariants() must be clean, and the rules
# must still hold: one current license per holder and course, superseding on
# acceptance, the append-only audit log, and the same access answers as the
# source.

use strict;
use warnings FATAL => 'all';

use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $demo = dirname(__FILE__) . '/../../scripts/demo.sql';
my $tmp = PostgreSQL::Test::Utils::tempdir;

my $src = PostgreSQL::Test::Cluster->new('source');
$src->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$src->start;
$src->safe_psql('postgres', 'CREATE DATABASE demo');
$src->safe_psql('demo', 'CREATE EXTENSION pg_enroll');
$src->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'demo', '-f', $demo ],
	'scripts/demo.sql loads the demo data');

# what the demo does not have
$src->safe_psql('demo', <<'EOSQL');
SET enroll.clock = '2026-10-21 09:00+00';
INSERT INTO enroll.role (shortname, name) VALUES ('observer', 'Observer (added by the DBA)');
SELECT id AS orgc FROM enroll.create_course('ORGCOURSE', 'Course bought by organizations') \gset
SELECT id AS tutoring FROM enroll.create_course('TUTORING', 'Private tutoring') \gset
SELECT id AS asso FROM enroll.organization WHERE name = 'Les Amis du Numérique' \gset
SELECT id AS carol FROM enroll.account WHERE email = 'carol@example.org' \gset
SELECT id AS ana FROM enroll.account WHERE email = 'ana.lima@example.org' \gset
SELECT id AS orgoffer FROM enroll.create_offer('ORG-SEATS', 'Seats for the association', :orgc, 0, 'EUR',
       '2026-10-01 00:00+00', '2027-10-01 00:00+00', '365 days', visibility => 'private',
       recipient_kind => 'organization', seats => 3) \gset
SELECT enroll.add_offer_recipient(:orgoffer, organization => :asso) \g /dev/null
SELECT id AS priv FROM enroll.create_offer('TUTORING-ANA', 'Tutoring for Ana', :tutoring, 0, 'EUR',
       '2026-10-01 00:00+00', '2027-10-01 00:00+00', '60 days', visibility => 'private',
       max_acceptances => 5) \gset
SELECT enroll.add_offer_recipient(:priv, account => :ana) \g /dev/null
SELECT enroll.set_organization_admin(:asso, :carol) \g /dev/null
BEGIN;
SELECT enroll.act_as(:carol) \g /dev/null
SELECT id AS org_license FROM enroll.accept_offer(:orgoffer, for_organization => :asso) \gset
SELECT enroll.allocate_seat(:org_license, :carol) \g /dev/null
COMMIT;
BEGIN;
SELECT enroll.act_as(:ana) \g /dev/null
SELECT id AS ana_license FROM enroll.accept_offer(:priv) \gset
COMMIT;
SET enroll.clock = '2026-10-22 09:00+00';
SELECT enroll.revoke_license(:ana_license, 'booked by mistake') \g /dev/null
EOSQL

# ---------------------------------------------------------------------------
# helpers

sub tables
{
	my ($n, $db) = @_;
	return split /\n/, $n->safe_psql($db // 'demo', q{
		SELECT c.relname FROM pg_catalog.pg_class c
		 WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind = 'r' ORDER BY 1});
}

# table => "rows md5" of all its rows as text, in a fixed order and format
sub table_state
{
	my ($n, $db) = @_;
	$db //= 'demo';
	my $sql = join("\nUNION ALL\n",
		map {
			"SELECT '$_', count(*) || ' ' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text COLLATE \"C\"), '')) FROM enroll.$_ t"
		} tables($n, $db));
	return { map { split /\|/, $_, 2 } split /\n/, $n->safe_psql($db,
		"SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres';\n$sql") };
}

# sequence => "last_value is_called owner_table owner_column"
sub sequences
{
	my ($n) = @_;
	return { map { split /\|/, $_, 2 } split /\n/, $n->safe_psql('demo', q{
		SELECT s.relname, coalesce(q.last_value::text, 'none') || ' ' || (q.last_value IS NOT NULL)
		       || ' ' || t.relname || ' ' || a.attname
		  FROM pg_class s
		  JOIN pg_sequences q ON q.schemaname = 'enroll' AND q.sequencename = s.relname
		  JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype = 'a'
		  JOIN pg_class t ON t.oid = d.refobjid
		  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
		 WHERE s.relnamespace = 'enroll'::regnamespace AND s.relkind = 'S'
		 ORDER BY 1}) };
}

my $source_state = table_state($src);
my @empty = grep { $source_state->{$_} =~ /^0 / } sort keys %$source_state;
is(join(',', @empty), '', 'every enroll table of the source holds rows');

# ---------------------------------------------------------------------------
# dump, then restore into a new cluster

$src->command_ok([ 'pg_dump', '-Fc', '-f', "$tmp/demo.dump", '-d', 'demo' ], 'pg_dump -Fc of the demo database');
$src->command_ok([ 'pg_dumpall', '--roles-only', '-f', "$tmp/roles.sql" ], 'pg_dumpall --roles-only');

my $dst = PostgreSQL::Test::Cluster->new('restored');
$dst->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$dst->start;
# the bootstrap superuser exists already: that one statement fails, the rest applies
$dst->psql('postgres', slurp_file("$tmp/roles.sql"), on_error_stop => 0);
is( $dst->safe_psql('postgres', q{
	SELECT string_agg(r.rolname || (CASE WHEN pg_has_role(r.rolname, 'enroll_app', 'MEMBER') THEN '+app' ELSE '' END), ',' ORDER BY r.rolname)
	  FROM pg_roles r WHERE r.rolname IN ('enroll_admin', 'enroll_app', 'enroll_reader', 'demo_app')}),
	'demo_app+app,enroll_admin,enroll_app+app,enroll_reader', 'the roles are restored, demo_app in enroll_app');
$dst->safe_psql('postgres', 'CREATE DATABASE demo');
$dst->command_ok([ 'pg_restore', '--exit-on-error', '-d', 'demo', "$tmp/demo.dump" ],
	'pg_restore into the new cluster');
is( $dst->safe_psql('demo', q{SELECT extversion FROM pg_extension WHERE extname = 'pg_enroll'}),
	$src->safe_psql('demo', q{SELECT extversion FROM pg_extension WHERE extname = 'pg_enroll'}),
	'the dump\'s CREATE EXTENSION created the extension, same version');

# the same dump in plain format, restored by psql into a second database
$src->command_ok([ 'pg_dump', '-Fp', '-f', "$tmp/demo.sql", '-d', 'demo' ], 'pg_dump -Fp of the demo database');
$dst->safe_psql('postgres', 'CREATE DATABASE demo_plain');
$dst->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'demo_plain', '-f', "$tmp/demo.sql" ],
	'the plain dump restores with psql');

# ---------------------------------------------------------------------------
# the same data

my $restored_state = table_state($dst);
is_deeply(table_state($dst, 'demo_plain'), $restored_state,
	'the plain-format restore holds the same rows as the custom-format one');
is_deeply([ sort keys %$restored_state ], [ sort keys %$source_state ], 'the same enroll tables');
for my $t (sort keys %$source_state)
{
	is($restored_state->{$t}, $source_state->{$t}, "enroll.$t: same row count and content digest");
}
is( $dst->safe_psql('demo', 'SELECT string_agg(r::text, E\'\n\' ORDER BY r.id) FROM enroll.role r'),
	$src->safe_psql('demo', 'SELECT string_agg(r::text, E\'\n\' ORDER BY r.id) FROM enroll.role r'),
	'enroll.role: the builtin rows (from CREATE EXTENSION) and the DBA\'s row (from the dump) are equal');
is($dst->safe_psql('demo', 'SELECT count(*) FROM enroll.role WHERE NOT builtin'), '1',
	'the role added by the DBA came back once');
is($dst->safe_psql('demo', 'SELECT count(*) FROM enroll.check_invariants()'), '0',
	'check_invariants() is empty on the restored side');

# sequences continue
my $src_seq = sequences($src);
my $dst_seq = sequences($dst);
is_deeply([ sort keys %$dst_seq ], [ sort keys %$src_seq ], 'the same enroll sequences');
for my $seq (sort keys %$src_seq)
{
	is($dst_seq->{$seq}, $src_seq->{$seq}, "$seq: same position as on the source");
	my ($last, $called, $table, $column) = split / /, $dst_seq->{$seq};
	my $max = $dst->safe_psql('demo', "SELECT coalesce(max($column), 0) FROM enroll.$table");
	ok($called eq 'true' ? $last >= $max : $max == 0, "$seq: last_value $last >= max(enroll.$table.$column) $max");
}

# ---------------------------------------------------------------------------
# the same access answers, for every (account, course) with a license, at
# the demo's instants and later

my $pairs = q{SELECT DISTINCT account_id, course_id FROM enroll.license WHERE account_id IS NOT NULL};
my $npairs = $src->safe_psql('demo', "SELECT count(*) FROM ($pairs) p");
cmp_ok($npairs, '>=', 7, "$npairs (account, course) pairs with a license");
my %statuses;
for my $at ('2026-09-01 10:00+00', '2026-09-11 10:00+00', '2026-10-16 10:00+00', '2026-10-21 10:00+00',
	'2026-12-01 10:00+00', '2027-09-01 10:00+00')
{
	my $sql = "SET enroll.clock = '$at';\n"
	  . "SELECT p.account_id || ' ' || p.course_id || ' ' || enroll.access_status(p.account_id, p.course_id)"
	  . " || ' ' || enroll.can_access(p.account_id, p.course_id) FROM ($pairs) p ORDER BY 1";
	my $answers = $src->safe_psql('demo', $sql);
	is($dst->safe_psql('demo', $sql), $answers, "can_access and access_status agree at $at");
	$statuses{ (split / /)[2] }++ for split /\n/, $answers;
}
cmp_ok(scalar(keys %statuses), '>=', 5, 'the answers compared cover several statuses: ' . join(',', sort keys %statuses));

# ---------------------------------------------------------------------------
# the rules still hold after the restore; each step runs on both clusters,
# which must answer alike

# run $sql on both clusters with verbose errors; returns [ret, out, err] each
sub both
{
	my ($sql) = @_;
	return map {
		my ($ret, $out, $err) = $_->psql('demo', "\\set VERBOSITY verbose\n$sql", on_error_stop => 1);
		$err =~ s/^psql:<stdin>:\d+: //mg;
		[ $ret, $out, $err ]
	} ($src, $dst);
}

# a new account gets an id after every restored one
my $max_account = $dst->safe_psql('demo', 'SELECT max(id) FROM enroll.account');
my ($s, $d) = both(q{SELECT id FROM enroll.register_account('after.restore@example.org', 'After', 'Restore');});
cmp_ok($d->[1], '>', $max_account, 'a new account on the restored side gets an id after every restored one');
is($d->[1], $s->[1], 'the same id as on the source');

# S2.23 as a constraint: a second current license for a holder and course
($s, $d) = both(q{
	INSERT INTO enroll.license (offer_id, course_id, holder_kind, account_id, accepted_via, price_paid, currency,
	                            access_from, access_until)
	SELECT offer_id, course_id, holder_kind, account_id, accepted_via, price_paid, currency, access_from, access_until
	  FROM enroll.license WHERE ended_at IS NULL AND holder_kind = 'person' ORDER BY id LIMIT 1;});
isnt($d->[0], 0, 'a second current license for a holder and course is refused after restore');
like($d->[2], qr/ERROR:\s+23505: duplicate key value violates unique constraint "license_current_person_key"/,
	'by license_current_person_key (23505)');
is($d->[2], $s->[2], 'exactly as on the source');

# accept_offer supersedes: lea takes the free maths offer after her paid one
my $accept = q{
	SET enroll.clock = '2026-10-25 09:00+00';
	BEGIN;
	SELECT enroll.act_as(a.id) FROM enroll.account a WHERE a.email = 'lea.moreau@example.org' \g /dev/null
	SELECT n.id AS new_id, n.access_from = enroll.clock_now() AS starts_now,
	       n.access_until - n.access_from AS period, o.code
	  FROM enroll.accept_offer((SELECT id FROM enroll.offer WHERE code = 'MATHS-FREE')) n
	  JOIN enroll.offer o ON o.id = n.offer_id \gset
	SELECT :new_id, :'starts_now', :'period', :'code';
	SELECT l.id || ' ' || o.code || ' ' || coalesce(l.end_reason::text, 'current') || ' '
	       || coalesce(l.superseded_by::text, '-') || ' ' || coalesce(l.ended_at = enroll.clock_now(), false)
	  FROM enroll.license l JOIN enroll.offer o ON o.id = l.offer_id
	 WHERE l.account_id = enroll.current_account() ORDER BY l.id;
	COMMIT;};
($s, $d) = both($accept);
is($d->[0], 0, 'accept_offer works on the restored side') or diag($d->[2]);
my ($new, @history) = split /\n/, $d->[1];
my ($new_id) = split /\|/, $new;
is($new, "$new_id|t|30 days|MATHS-FREE", 'the new license starts now for the offer\'s 30 days, never the sum (S2.23)');
like($history[-2], qr/^\d+ MATHS-SCHOOL superseded $new_id true$/, 'the paid license ended now, superseded by the new one');
like($history[-1], qr/^$new_id MATHS-FREE current - false$/, 'the new license is the current one');
is($d->[1], $s->[1], 'the same licenses as on the source after the same acceptance');
is($dst->safe_psql('demo', 'SELECT count(*) FROM enroll.check_invariants()'), '0',
	'check_invariants() is still empty');

# the audit log is append-only
for my $stmt ('UPDATE enroll.event SET what = \'tampered.with\' WHERE id = 1',
	'DELETE FROM enroll.event WHERE id = 1', 'TRUNCATE enroll.event')
{
	my ($verb) = $stmt =~ /^(\w+)/;
	($s, $d) = both("$stmt;");
	isnt($d->[0], 0, "$verb of enroll.event is refused after restore");
	like($d->[2], qr/ERROR:\s+PE012:/, "$verb: PE012");
	is($d->[2], $s->[2], "$verb: the same error as on the source");
}
is( $dst->safe_psql('demo', 'SELECT count(*) FROM enroll.event WHERE id = 1'), '1', 'the first event is still there');

done_testing();

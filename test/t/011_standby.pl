
# 011_standby.pl: pg_enroll's read path on a hot standby.
#
# The access check, the offers an actor may see and the requirements of an
# offer only read (README: "works in read-only transactions and on hot
# standbys"), so an application may send them to a streaming standby.  A
# small story is loaded on the primary through the functions; once the
# standby has replayed it, both servers must give the same answers for every
# (account, course), every actor and every offer, at several instants of the
# rule clock (enroll.clock), covering every access status.  act_as works on
# the standby (it only sets backend memory).  Every write function is refused
# there with SQLSTATE 25006, and succeeds on the primary.

use strict;
use warnings FATAL => 'all';

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1, extra => [ '--encoding=UTF8', '--locale=C' ]);
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION pg_enroll');

# ---------------------------------------------------------------------------
# the story, at 2026-09-01 09:00 on the rule clock

$primary->safe_psql('postgres', <<'EOSQL');
SET enroll.clock = '2026-09-01 09:00+00';
SELECT id AS maths FROM enroll.create_course('MATHS', 'Maths exam preparation') \gset
SELECT id AS science FROM enroll.create_course('SCIENCE', 'Science') \gset
SELECT id AS tutoring FROM enroll.create_course('TUTORING', 'Private tutoring') \gset
SELECT id AS orgc FROM enroll.create_course('ORGCOURSE', 'Course bought by organizations') \gset
SELECT enroll.create_organization_type('school', 'School') \g /dev/null
SELECT enroll.create_organization_type('non_profit', 'Non-profit') \g /dev/null
SELECT id AS lycee FROM enroll.create_organization('school', 'Lycée Victor Hugo') \gset
SELECT id AS college FROM enroll.create_organization('school', 'Collège Jean Moulin') \gset
SELECT id AS asso FROM enroll.create_organization('non_profit', 'Les Amis du Numérique') \gset
SELECT id AS club FROM enroll.create_organization('non_profit', 'Club des Maths') \gset

SELECT id AS dora FROM enroll.register_account('dora@example.org', 'Dora', 'Admin') \gset
SELECT id AS alice FROM enroll.register_account('alice@example.org', 'Alice', 'Martin') \gset
SELECT id AS bob FROM enroll.register_account('bob@example.org', 'Bob', 'Durand') \gset
SELECT id AS carol FROM enroll.register_account('carol@example.org', 'Carol', 'Petit') \gset
SELECT id AS lea FROM enroll.register_account('lea@example.org', 'Léa', 'Moreau') \gset
SELECT id AS sam FROM enroll.register_account('sam@example.org', 'Sam', 'Leroy') \gset
SELECT id AS oscar FROM enroll.register_account('oscar@example.org', 'Oscar', 'Org') \gset
SELECT id AS nina FROM enroll.register_account('nina@example.org', 'Nina', 'Seat') \gset
SELECT id AS zoe FROM enroll.register_account('zoe@example.org', 'Zoé', 'Newcomer') \gset
UPDATE enroll.account SET is_admin = true WHERE id = :dora;

-- public, registrar-restricted (school, condition, documents), upcoming,
-- private for a person, public and private organization offers, a session offer
SELECT id AS free FROM enroll.create_offer('MATHS-FREE', 'Maths: free discovery', :maths, 0, 'EUR',
       '2026-08-01 00:00+00', '2027-06-30 00:00+00', '30 days') \gset
SELECT id AS school_offer FROM enroll.create_offer('MATHS-SCHOOL', 'Maths: school-supported', :maths, 49.90, 'EUR',
       '2026-08-01 00:00+00', '2027-06-30 00:00+00', '180 days',
       extra_condition => 'My school supports my registration.', documents_grace => '21 days') \gset
SELECT enroll.add_offer_registrar_type(:school_offer, 'school') \g /dev/null
SELECT enroll.create_offer('SCI-SOON', 'Science, next term', :science, 0, 'EUR',
       '2026-12-01 00:00+00', '2027-06-30 00:00+00', '90 days') \g /dev/null
SELECT id AS priv FROM enroll.create_offer('TUTORING-ALICE', 'Tutoring for Alice', :tutoring, 0, 'EUR',
       '2026-08-01 00:00+00', '2027-06-30 00:00+00', '60 days', visibility => 'private') \gset
SELECT enroll.add_offer_recipient(:priv, account => :alice) \g /dev/null
SELECT id AS orgoffer FROM enroll.create_offer('ORG-SEATS', 'Seats for organizations', :orgc, 0, 'EUR',
       '2026-08-01 00:00+00', '2027-06-30 00:00+00', '365 days', recipient_kind => 'organization', seats => 2) \gset
SELECT id AS privorg FROM enroll.create_offer('SCI-ASSO', 'Science for the association', :science, 0, 'EUR',
       '2026-08-01 00:00+00', '2027-06-30 00:00+00', '365 days', visibility => 'private',
       recipient_kind => 'organization', seats => 5) \gset
SELECT enroll.add_offer_recipient(:privorg, organization => :asso) \g /dev/null
SELECT enroll.create_offer('SCI-SESSION', 'Science sessions', :science, 0, 'EUR',
       '2026-08-01 00:00+00', '2027-06-30 00:00+00', '35 days', handler_params => 'coursename=SCIENCE') \g /dev/null

-- organization memberships
INSERT INTO enroll.membership (account_id, organization_id)
VALUES (:carol, :asso), (:oscar, :asso), (:oscar, :club), (:nina, :club), (:sam, :lycee), (:zoe, :college);
SELECT enroll.set_organization_admin(:asso, :oscar) \g /dev/null
SELECT enroll.set_organization_admin(:club, :oscar) \g /dev/null

-- alice: the free offer and her private offer
BEGIN;
SELECT enroll.act_as(:alice) \g /dev/null
SELECT enroll.accept_offer(:free) \g /dev/null
SELECT enroll.accept_offer(:priv) \g /dev/null
COMMIT;
-- bob: the free offer, revoked
BEGIN;
SELECT enroll.act_as(:bob) \g /dev/null
SELECT id AS bob_license FROM enroll.accept_offer(:free) \gset
COMMIT;
SELECT enroll.revoke_license(:bob_license, 'payment refunded') \g /dev/null
-- lea: billing profile, joins the lycée, accepts the school offer (documents due in 21 days)
BEGIN;
SELECT enroll.act_as(:lea) \g /dev/null
SELECT enroll.upgrade_profile('billing', '{"address": {"street": "12 rue Garibaldi", "postal_code": "69006", "city": "Lyon", "country": "FR"}}') \g /dev/null
SELECT enroll.accept_offer(:school_offer, registrar_org => :lycee, join_registrar => true, accept_condition => true) \g /dev/null
COMMIT;
-- sam: the school offer through his lycée membership, then leaves the lycée
BEGIN;
SELECT enroll.act_as(:sam) \g /dev/null
SELECT enroll.upgrade_profile('billing', '{"address": {"street": "3 place Bellecour", "postal_code": "69002", "city": "Lyon", "country": "FR"}}') \g /dev/null
SELECT enroll.accept_offer(:school_offer, registrar_org => :lycee, accept_condition => true) \g /dev/null
SELECT enroll.leave_organization(:lycee) \g /dev/null
COMMIT;
-- oscar: organization licenses for the association and the club, a seat each
BEGIN;
SELECT enroll.act_as(:oscar) \g /dev/null
SELECT id AS asso_license FROM enroll.accept_offer(:orgoffer, for_organization => :asso) \gset
SELECT enroll.allocate_seat(:asso_license, :carol) \g /dev/null
SELECT id AS club_license FROM enroll.accept_offer(:orgoffer, for_organization => :club) \gset
SELECT enroll.allocate_seat(:club_license, :nina) \g /dev/null
COMMIT;
-- the club's license is revoked: nina's seat is withdrawn
SELECT enroll.revoke_license(:club_license, 'club closed') \g /dev/null

-- an application role, and a database role mapped to lea
CREATE ROLE app LOGIN IN ROLE enroll_app;
CREATE ROLE lea_login LOGIN IN ROLE enroll_reader;
SELECT enroll.set_login_role(:lea, 'lea_login') \g /dev/null

-- offer_requirements, errors included, as one line (the same helper on both
-- servers: it comes to the standby with the rest)
CREATE FUNCTION public.requirements(offer bigint) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    RETURN enroll.offer_requirements(offer)::text;
EXCEPTION WHEN OTHERS THEN
    RETURN 'ERROR ' || SQLSTATE || ' ' || SQLERRM;
END
$$;
EOSQL

my %account = map { split /\|/ } split /\n/,
  $primary->safe_psql('postgres', q{SELECT split_part(email, '@', 1), id FROM enroll.account ORDER BY id});
my %offer = map { split /\|/ } split /\n/,
  $primary->safe_psql('postgres', q{SELECT code, id FROM enroll.offer ORDER BY id});
is(scalar(keys %account), 9, 'the story has its nine accounts');
is(scalar(keys %offer), 7, 'and its seven offers');

# ---------------------------------------------------------------------------
# the standby

$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is in recovery');
is( $standby->safe_psql('postgres', 'SELECT count(*) FROM enroll.license'),
	$primary->safe_psql('postgres', 'SELECT count(*) FROM enroll.license'),
	'the standby has replayed the story');

my @instants = (
	[ 'before acceptance', '2026-08-20 12:00+00' ],
	[ 'during the documents grace', '2026-09-10 12:00+00' ],
	[ 'after grace and free period', '2026-10-01 12:00+00' ],
	[ 'next term', '2026-12-15 12:00+00' ]);

# run $sql on both servers (as $role when given, by SET ROLE after the clock
# is set: enroll.clock is superuser-only) and return both outputs
sub both
{
	my ($sql, %opt) = @_;
	my $script = '';
	$script .= "SET enroll.clock = '$opt{at}';\n" if $opt{at};
	$script .= "SET ROLE $opt{role};\n" if $opt{role};
	$script .= $sql;
	return map { $_->safe_psql('postgres', $script) } ($primary, $standby);
}

# ---------------------------------------------------------------------------
# access_status and can_access for every (account, course)

my %seen_status;
my %at;
for my $i (@instants)
{
	my ($label, $ts) = @$i;
	my ($p, $s) = both(q{
		SELECT split_part(a.email, '@', 1) || ' ' || c.shortname || ' '
		       || enroll.access_status(a.id, c.id) || ' ' || enroll.can_access(a.id, c.id)
		  FROM enroll.account a CROSS JOIN enroll.course c ORDER BY a.id, c.id}, at => $ts);
	is($s, $p, "access_status and can_access of every account and course agree ($label)");
	for (split /\n/, $p)
	{
		my ($who, $course, $status, $can) = split / /;
		$seen_status{$status}++;
		$at{$label}{"$who $course"} = "$status $can";
	}
}
is( join(',', sort keys %seen_status),
	'active,documents_missing,expired,no_license,not_started,registrar_membership_ended,revoked,seat_withdrawn',
	'the comparison covers every access status');
is($at{'during the documents grace'}{'alice MATHS'}, 'active true', 'alice uses the free offer');
is($at{'during the documents grace'}{'alice TUTORING'}, 'active true', 'and her private offer');
is($at{'during the documents grace'}{'bob MATHS'}, 'revoked false', 'bob\'s license was revoked');
is($at{'during the documents grace'}{'lea MATHS'}, 'active true', 'lea is within the documents grace');
is($at{'after grace and free period'}{'lea MATHS'}, 'documents_missing false', 'then misses her documents (S2.18)');
is($at{'after grace and free period'}{'alice MATHS'}, 'expired false', 'alice\'s 30 days are over');
is($at{'during the documents grace'}{'sam MATHS'}, 'registrar_membership_ended false', 'sam left his registrar (S2.19)');
is($at{'during the documents grace'}{'carol ORGCOURSE'}, 'active true', 'carol holds a seat');
is($at{'during the documents grace'}{'nina ORGCOURSE'}, 'seat_withdrawn false', 'nina\'s seat was withdrawn');
is($at{'before acceptance'}{'alice MATHS'}, 'not_started false', 'before acceptance: not started');
is($at{'during the documents grace'}{'zoe MATHS'}, 'no_license false', 'zoe has no license');

# the same check by an application role, and by lea's mapped role, on a
# real connection (real time)
# (a reporting role asks about its own account only: 42501 otherwise)
for my $role (qw(app lea_login))
{
	my $accounts = $role eq 'app' ? 'generate_series(1, 10)' : "(VALUES ($account{lea}::bigint))";
	my $sql = qq{SELECT string_agg(enroll.access_status(a, c) || ' ' || enroll.can_access(a, c), ',' ORDER BY a, c)
	              FROM $accounts x(a), generate_series(1, 4) c};
	is( $standby->safe_psql('postgres', $sql, extra_params => [ '-U', $role ]),
		$primary->safe_psql('postgres', $sql, extra_params => [ '-U', $role ]),
		"$role connected to each server gets the same access answers");
}

# ---------------------------------------------------------------------------
# act_as on the standby

is( $standby->safe_psql('postgres',
		"BEGIN;\nSELECT enroll.act_as($account{alice}) \\g /dev/null\nSELECT enroll.current_account();\nCOMMIT;",
		extra_params => [ '-U', 'app' ]),
	$account{alice}, 'act_as works on the standby (it only sets backend memory)');
is( $standby->safe_psql('postgres', 'SELECT enroll.current_account()', extra_params => [ '-U', 'lea_login' ]),
	$account{lea}, 'the login_role mapping works on the standby');

# ---------------------------------------------------------------------------
# visible_offers and offer_requirements for every actor

# actor => the script prefix that makes it act (after the clock is set)
my %actor = (
	anonymous => "SET ROLE app;\nBEGIN;\n",
	superuser => "BEGIN;\n",
	lea_login => "SET ROLE lea_login;\nBEGIN;\n");
$actor{$_} = "SET ROLE app;\nBEGIN;\nSELECT enroll.act_as($account{$_}) \\g /dev/null\n" for keys %account;

my %visible;
for my $i (@instants[ 1, 3 ])
{
	my ($label, $ts) = @$i;
	for my $who (sort keys %actor)
	{
		my ($p, $s) = both("$actor{$who}SELECT v::text FROM enroll.visible_offers v ORDER BY v.code;\nCOMMIT;",
			at => $ts);
		is($s, $p, "visible_offers for $who agree ($label)");
		$visible{$label}{$who} = join(',', map { /^\(\d+,([^,]+),/ ? $1 : '?' } split /\n/, $p);
	}
}
my $grace = 'during the documents grace';
is($visible{$grace}{anonymous}, 'MATHS-FREE,MATHS-SCHOOL,ORG-SEATS,SCI-SESSION', 'anonymous sees the active public offers');
is($visible{$grace}{alice}, 'MATHS-FREE,MATHS-SCHOOL,ORG-SEATS,SCI-SESSION,TUTORING-ALICE', 'alice also sees her private offer');
is($visible{$grace}{carol}, 'MATHS-FREE,MATHS-SCHOOL,ORG-SEATS,SCI-ASSO,SCI-SESSION', 'carol also sees her association\'s');
is($visible{$grace}{dora}, 'MATHS-FREE,MATHS-SCHOOL,ORG-SEATS,SCI-ASSO,SCI-SESSION,SCI-SOON,TUTORING-ALICE', 'an admin sees every offer');
is($visible{$grace}{lea_login}, $visible{$grace}{lea}, 'lea\'s mapped role sees what act_as(lea) sees');
is($visible{'next term'}{anonymous}, 'MATHS-FREE,MATHS-SCHOOL,ORG-SEATS,SCI-SESSION,SCI-SOON', 'next term the upcoming offer is public');

# every offer by id (row-level security hides private offers from enroll.offer)
my $offers = join(', ', map { "($offer{$_}, '$_')" } sort keys %offer);
my %req;
for my $who (sort keys %actor)
{
	my ($p, $s) = both("$actor{$who}SELECT o.code || ' ' || public.requirements(o.id) FROM (VALUES $offers) o(id, code) ORDER BY o.code;\nCOMMIT;",
		at => $instants[1][1]);
	is($s, $p, "offer_requirements of every offer for $who agree");
	$req{$who} = { map { split / /, $_, 2 } split /\n/, $p };
	is(scalar(keys %{ $req{$who} }), scalar(keys %offer), "offer_requirements answered for all seven offers for $who");
}
like($req{anonymous}{'TUTORING-ALICE'}, qr/^ERROR PE003 /, 'a private offer is not described to others');
like($req{alice}{'TUTORING-ALICE'}, qr/"step": "login", "satisfied": true/, 'but is to its addressee');
like($req{zoe}{'MATHS-SCHOOL'}, qr/"step": "registrar_organization".*"satisfied": false/, 'zoe still needs a registrar');
like($req{zoe}{'MATHS-SCHOOL'}, qr/Collège Jean Moulin", "type": "school", "member": true/,
	'and her school is a candidate (S2.16)');

# ---------------------------------------------------------------------------
# writes on the standby: SQLSTATE 25006

my $free = $offer{'MATHS-FREE'};
my $lycee = $primary->safe_psql('postgres', q{SELECT id FROM enroll.organization WHERE name LIKE 'Lycée%'});
my @writes = (
	[ 'register_account', 'superuser', q{SELECT enroll.register_account('newcomer@example.org', 'New', 'Comer');} ],
	[ 'accept_offer', 'app', "BEGIN;\nSELECT enroll.act_as($account{zoe});\nSELECT enroll.accept_offer($free);\nCOMMIT;" ],
	[ 'join_organization', 'app', "BEGIN;\nSELECT enroll.act_as($account{zoe});\nSELECT enroll.join_organization($lycee);\nCOMMIT;" ],
	[ 'setup_course_session', 'app',
		"BEGIN;\nSELECT enroll.act_as($account{oscar});\nSELECT enroll.setup_course_session('PO-STANDBY', $offer{'SCI-SESSION'}, $account{oscar}, 2, '[{\"email\": \"s1\@example.org\"}, {\"email\": \"zoe\@example.org\"}]');\nCOMMIT;" ],
	[ 'create_course', 'superuser', q{SELECT enroll.create_course('STANDBY', 'Written on the standby');} ]);
for my $w (@writes)
{
	my ($what, $role, $sql) = @$w;
	my @user = $role eq 'superuser' ? () : ('-U', $role);
	my ($ret, $out, $err) = $standby->psql('postgres', "\\set VERBOSITY verbose\n$sql",
		on_error_stop => 1, extra_params => \@user);
	isnt($ret, 0, "$what on the standby fails");
	like($err, qr/ERROR:\s+25006: cannot execute [A-Z ]+ in a read-only transaction/,
		"$what on the standby: SQLSTATE 25006, cannot execute ... in a read-only transaction");
}

# the same statements succeed on the primary, and the standby follows
for my $w (@writes)
{
	my ($what, $role, $sql) = @$w;
	my @user = $role eq 'superuser' ? () : ('-U', $role);
	my ($ret, $out, $err) = $primary->psql('postgres', $sql, on_error_stop => 1, extra_params => \@user);
	is($ret, 0, "$what succeeds on the primary") or diag($err);
}
$primary->wait_for_catchup($standby);
my ($p, $s) = both("SELECT enroll.access_status($account{zoe}, c.id) FROM enroll.course c WHERE c.shortname = 'MATHS'");
is("$p $s", 'active active', 'zoe\'s new license is active on both servers once replayed');
($p, $s) = both(q{SELECT count(*) FROM enroll.account WHERE email = 'newcomer@example.org'});
is("$p $s", '1 1', 'and the new account is on the standby');

done_testing();

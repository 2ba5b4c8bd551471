-- 11_consent: nobody can harm or read a person through someone else's
-- action (1.2).  The consent rule (an operator's order, an organization
-- admin's seat, a system admin on a learner's behalf never reduce the
-- person's access, and a license that starts later does not cut access
-- before it starts), the replaces_current_license step, privacy (profile
-- data, reports, errors, private offers, who may ask about whom) and the
-- holes an independent review found, each shown failing the 1.1 way no more.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
SET enroll.clock = '2026-03-01 10:00:00+00';
CREATE FUNCTION pg_temp.error_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; det text; hnt text;
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
    RETURN st || ': ' || msg || coalesce(E'\n  DETAIL: ' || nullif(det, ''), '') || coalesce(E'\n  HINT: ' || nullif(hnt, ''), '');
END $$;
SELECT count(pg_catalog.setval(c.oid, 11000)) AS sequences_moved
  FROM pg_class c WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind = 'S';
CREATE ROLE regress_consent_app LOGIN IN ROLE enroll_app;
CREATE ROLE regress_consent_reader LOGIN IN ROLE enroll_reader;
-- the licenses of a person for a course, as they stand
CREATE FUNCTION pg_temp.licenses(account bigint, course bigint) RETURNS TABLE (offer text, via enroll.acceptance_mode,
    access_from timestamptz, access_until timestamptz, ended_at timestamptz, end_reason enroll.license_end_reason)
LANGUAGE sql AS $$
    SELECT o.code, l.accepted_via, l.access_from, l.access_until, l.ended_at, l.end_reason
      FROM enroll.license l JOIN enroll.offer o ON o.id = l.offer_id
     WHERE l.account_id = $1 AND l.course_id = $2 ORDER BY l.id
$$;

SELECT id AS course FROM enroll.create_course('CON-MOODLE', 'Moodle appropriation') \gset
SELECT id AS school_type FROM enroll.create_organization_type('con_school', 'School') \gset
SELECT id AS acme FROM enroll.create_organization('con_school', 'Acme Training') \gset
SELECT id AS admin FROM enroll.register_account('root@consent.example', 'Root', 'Admin') \gset
UPDATE enroll.account SET is_admin = true WHERE id = :admin;
SELECT id AS victim FROM enroll.register_account('victim@x.example', 'Vic', 'Tim') \gset
SELECT id AS olga FROM enroll.register_account('olga@shop.example', 'Olga', 'Operator') \gset
SELECT id AS oscar FROM enroll.register_account('oscar@shop.example', 'Oscar', 'Other') \gset
SELECT id AS mia FROM enroll.register_account('mia@x.example', 'Mia', 'Member') \gset
SELECT id AS boss FROM enroll.register_account('boss@x.example', 'Bo', 'Ss') \gset
SELECT id AS june FROM enroll.register_account('june@x.example', 'June', 'Later') \gset
SELECT id AS april FROM enroll.register_account('april@x.example', 'April', 'Ends') \gset
-- a paid year-long license, a cheap public session offer (5 weeks of access
-- from the purchase), a session sold in March for June, an organization pack
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period)
    VALUES ('CON-YEAR', 'A year', :course, 0, 'EUR', '2026-01-01', '2026-12-31', '365 days') RETURNING id AS year \gset
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period, handler_params)
    VALUES ('CON-CHEAP', 'Cheap session', :course, 0, 'EUR', '2026-01-01', '2026-12-31', '7 days', 'coursename=CON-MOODLE')
    RETURNING id AS cheap \gset
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period, handler_params)
    VALUES ('CON-JUNE', 'June session', :course, 0, 'EUR', '2026-01-01', '2026-12-31', '35 days',
            'coursename=CON-MOODLE&starttime=' || extract(epoch FROM timestamptz '2026-06-01 08:00+00')::bigint
            || '&endtime=' || extract(epoch FROM timestamptz '2026-07-06 18:00+00')::bigint)
    RETURNING id AS junesession \gset
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period)
    VALUES ('CON-MONTH', 'A month', :course, 0, 'EUR', '2026-01-01', '2026-12-31', '30 days') RETURNING id AS month \gset
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period, recipient_kind, seats)
    VALUES ('CON-PACK', 'Team pack', :course, 0, 'EUR', '2026-01-01', '2026-12-31', '90 days', 'organization', 3)
    RETURNING id AS pack \gset

-------------------------------------------------------------------------------
-- 1. An operator's order never ends a license its participant obtained
--    otherwise, and never reduces their access at any instant
-------------------------------------------------------------------------------
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:victim);
SELECT outcome, access_until FROM enroll.accept_offer(:year);
COMMIT;
-- the review's attack: a one-seat order naming the victim, 7 days of access
BEGIN;
SELECT enroll.act_as(:olga);
SELECT r #> '{seats}' AS seats, r -> 'enrollments' AS enrollments
  FROM enroll.setup_course_session('CON-1', :cheap, :olga, 1, '[{"email": "victim@x.example"}]') r;
COMMIT;
RESET ROLE;
-- the victim keeps the year: no license was created, theirs did not end
SELECT * FROM pg_temp.licenses(:victim, :course);
SET enroll.clock = '2026-03-09 10:00:00+00';
SELECT enroll.access_status(:victim, :course) AS victim_a_week_later;
SET enroll.clock = '2026-03-01 10:00:00+00';
-- the person sees what happened to them (an event about them)
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:victim);
SELECT what, details ->> 'outcome' AS outcome FROM enroll.event
 WHERE subject_account = :victim AND what = 'session.participant';
COMMIT;
RESET ROLE;
-- a system admin running the same kind of order sees the outcome word
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:admin);
SELECT e ->> 'email' AS email, e ->> 'outcome' AS outcome, e ? 'license' AS shows_license
  FROM jsonb_array_elements((enroll.setup_course_session('CON-2', :cheap, :olga, 1, '[{"email": "victim@x.example"}]',
                                                         dry_run => true)) -> 'enrollments') e;
COMMIT;
RESET ROLE;

-------------------------------------------------------------------------------
-- 2. A session sold in March for June: the new license does not cut access
--    before it starts; a current license that ends before then is kept until
--    its own end; one that runs past the session is kept (no license)
-------------------------------------------------------------------------------
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:june);
SELECT outcome FROM enroll.accept_offer(:month);          -- until 2026-03-31
COMMIT;
BEGIN;
SELECT enroll.act_as(:april);
SELECT outcome FROM enroll.accept_offer(:year);           -- until 2027-03-01: runs past the session
COMMIT;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT r -> 'access' AS access
  FROM enroll.setup_course_session('CON-JUNE-1', :junesession, :olga, 2,
                                   '[{"email": "june@x.example"}, {"email": "april@x.example"}]') r;
COMMIT;
RESET ROLE;
SELECT * FROM pg_temp.licenses(:june, :course);
SELECT * FROM pg_temp.licenses(:april, :course);
-- June's month runs out at its own end, then nothing until the session, then the session
SELECT t AS instant, enroll.access_status(:june, :course) AS june, enroll.access_status(:april, :course) AS april
  FROM (VALUES (timestamptz '2026-03-15 10:00+00'), ('2026-04-15 10:00+00'), ('2026-06-01 08:00+00'),
               ('2026-07-06 17:59+00'), ('2026-07-06 18:00+00'), ('2027-03-01 10:00+00')) v(t),
       LATERAL (SELECT set_config('enroll.clock', v.t::text, true)) c;
SET enroll.clock = '2026-03-01 10:00:00+00';
-- a license that hands over later is still current until then: a system
-- admin can revoke it now (it no longer names a successor)
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:admin);
SELECT end_reason, ended_at, superseded_by IS NULL AS no_successor
  FROM enroll.revoke_license((SELECT id FROM enroll.license WHERE account_id = :june ORDER BY id LIMIT 1), 'test: chargeback');
ROLLBACK;
RESET ROLE;
-- the enrollment and the license agree: June's enrollment is the session's window
SELECT e.time_start, e.time_end, l.access_from = e.time_start AND l.access_until = e.time_end AS agree
  FROM enroll.enrollment e JOIN enroll.license l ON l.id = e.license_id WHERE e.account_id = :june;
-- June changes her mind on her own (S2.23): a month from now replaces the
-- session at once, and the month she held until the session gives up the
-- rest of its hand-over too: no two licenses give her access at one instant
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:june);
SELECT outcome FROM enroll.accept_offer(:month);
RESET ROLE;
SELECT * FROM pg_temp.licenses(:june, :course);
SELECT enroll.access_status(:june, :course) AS june_now;
ROLLBACK;

-------------------------------------------------------------------------------
-- 3. An organization admin's seat does not take a member's own license
-------------------------------------------------------------------------------
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:mia);
SELECT (enroll.join_organization(:acme)).organization_id = :acme AS mia_joined;
SELECT outcome FROM enroll.accept_offer(:year);
COMMIT;
BEGIN;
SELECT enroll.act_as(:boss);
SELECT (enroll.join_organization(:acme)).organization_id = :acme AS boss_joined;
COMMIT;
RESET ROLE;
SELECT (enroll.set_organization_admin(:acme, :boss)).is_admin AS boss_is_admin;
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:boss);
SELECT id AS pack_license FROM enroll.accept_offer(:pack, for_organization => :acme) \gset
-- the seat (90 days) would give Mia less than her year: she keeps it, no seat
-- is used, and the admin learns that she keeps hers, nothing about it
SELECT outcome, account_id = :mia AS mia, id IS NULL AND access_until IS NULL AND offer_id IS NULL AND price_paid IS NULL AS nothing_of_hers
  FROM enroll.allocate_seat(:pack_license, :mia);
SELECT count(*) AS seats_used FROM enroll.license WHERE parent_license = :pack_license AND ended_at IS NULL;
-- the admin giving a seat to themself is their own choice
SELECT outcome, parent_license = :pack_license AS seat FROM enroll.allocate_seat(:pack_license, :boss);
COMMIT;
RESET ROLE;
SELECT offer, ended_at FROM pg_temp.licenses(:mia, :course);

-------------------------------------------------------------------------------
-- 4. A system admin accepting on a learner's behalf: kept when it would not
--    give more, replaced when it does; the learner's own acceptance always
--    supersedes (S2.23), and says so first (replaces_current_license)
-------------------------------------------------------------------------------
SELECT id AS lou FROM enroll.register_account('lou@x.example', 'Lou', 'Learner') \gset
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:admin);
SELECT outcome FROM enroll.accept_offer(:month, for_account => :lou);
SELECT outcome FROM enroll.accept_offer(:month, for_account => :lou);    -- the same again: nothing more
SELECT outcome FROM enroll.accept_offer(:year, for_account => :lou);     -- a year: more
COMMIT;
BEGIN;
SELECT enroll.act_as(:lou);
SELECT s ->> 'step' AS step, s ->> 'license' IS NOT NULL AS names_license, s ->> 'ends_at' AS ends_at,
       s ->> 'time_lost' AS time_lost, s ->> 'time_lost_seconds' AS seconds
  FROM jsonb_array_elements(enroll.offer_requirements(:month) -> 'steps') s;
SELECT outcome, access_until FROM enroll.accept_offer(:month);           -- her own choice: the year is lost
COMMIT;
RESET ROLE;
SELECT offer, via, ended_at, end_reason FROM pg_temp.licenses(:lou, :course);

-------------------------------------------------------------------------------
-- 5. Only revoke_license and the person's own acceptance end a license
--    early: revoking a license someone else gave gives back the one it
--    superseded; revoking the person's own does not
-------------------------------------------------------------------------------
SELECT id AS rob FROM enroll.register_account('rob@x.example', 'Rob', 'Revoked') \gset
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:rob);
SELECT id AS rob_month FROM enroll.accept_offer(:month) \gset
SELECT enroll.act_as(:admin);
SELECT id AS rob_year, outcome FROM enroll.accept_offer(:year, for_account => :rob) \gset
SELECT :'outcome' AS admin_gave;
SELECT end_reason FROM enroll.revoke_license(:rob_year, 'sold by mistake');
COMMIT;
RESET ROLE;
SELECT offer, ended_at, end_reason FROM pg_temp.licenses(:rob, :course);
SELECT enroll.access_status(:rob, :course) AS rob_has_his_month_back;

-------------------------------------------------------------------------------
-- 6. Privacy: profile data is the account's and system admins' only
-------------------------------------------------------------------------------
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:victim);
SELECT profile_level FROM enroll.upgrade_profile('billing',
    '{"address": {"street": "1 rue A", "postal_code": "75001", "city": "Paris", "country": "FR"}}');
-- an application reads names and addresses, never the profile columns
SELECT pg_temp.error_of('SELECT profile FROM enroll.account');
SELECT pg_temp.error_of('SELECT is_admin, login_role FROM enroll.account');
SELECT pg_temp.error_of('SELECT * FROM enroll.account');
SELECT id = :victim AS own_row, profile_level, profile -> 'address' ->> 'city' AS city FROM enroll.account_profile;
COMMIT;
-- the operator of an order that named the victim reads nothing about them:
-- not the account, not their profile; the order's participant as given
BEGIN;
SELECT enroll.act_as(:olga);
SELECT count(*) AS accounts_seen FROM enroll.account WHERE id = :victim;
SELECT count(*) AS profiles_seen FROM enroll.account_profile WHERE id = :victim;
SELECT count(*) AS licenses_seen FROM enroll.license WHERE account_id = :victim;
SELECT order_ref, email, firstname, role, status FROM enroll.order_participants WHERE account_id = :victim ORDER BY order_ref;
COMMIT;
-- an organization admin sees a member's address and names, not the profile
BEGIN;
SELECT enroll.act_as(:boss);
SELECT email FROM enroll.account WHERE id = :mia;
SELECT count(*) AS mia_profile_seen FROM enroll.account_profile WHERE id = :mia;
COMMIT;
-- register_account on a known address returns the id and the address, nothing else
BEGIN;
SELECT id = :victim AS same_person, email, firstname, lastname, profile_level, profile, is_admin, login_role
  FROM enroll.register_account('  VICTIM@x.example ', 'Someone', 'Else');
SELECT enroll.act_as(:victim);
SELECT firstname, profile_level FROM enroll.register_account('victim@x.example');
COMMIT;
RESET ROLE;

-------------------------------------------------------------------------------
-- 7. Reports and errors name nobody the operator did not create
-------------------------------------------------------------------------------
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:olga);
-- a dry run is no oracle: the existing person's stored spelling, id, license
-- and outcome stay hidden, the new person's are the operator's own
SELECT e ->> 'email' AS email, e ? 'account' AS shows_account, e ? 'license' AS shows_license, e ? 'outcome' AS shows_outcome
  FROM jsonb_array_elements((enroll.setup_course_session('CON-3', :cheap, :olga, 2,
        '[{"email": " Victim@X.example"}, {"email": "brand.new@x.example"}]', dry_run => true)) -> 'enrollments') e;
SELECT (enroll.setup_course_session('CON-3', :cheap, :olga, 2,
        '[{"email": " Victim@X.example"}, {"email": "brand.new@x.example"}]', dry_run => true)) -> 'accounts' AS accounts;
COMMIT;
-- order references are the operator's own: Oscar's CON-1 is another order,
-- and a conflict names nothing of Olga's
BEGIN;
SELECT enroll.act_as(:oscar);
SELECT r ->> 'status' AS status, r ->> 'order' AS ref
  FROM enroll.setup_course_session('CON-1', :cheap, :oscar, 1, '[{"email": "oscar.friend@x.example"}]') r;
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('CON-1', %s, %s, 2, '[{"email": "a@x.example"}]')$$,
                               :cheap, :oscar));
COMMIT;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT r ->> 'status' AS olga_con1 FROM enroll.setup_course_session('CON-1', :cheap, :olga, 1, '[{"email": "victim@x.example"}]') r;
COMMIT;
RESET ROLE;
SELECT order_ref, operator_id = :olga AS olga, operator_id = :oscar AS oscar FROM enroll.purchase_order
 WHERE order_ref = 'CON-1' ORDER BY id;
SELECT g.idnumber, count(*) AS groups FROM enroll.course_group g WHERE g.idnumber = 'CON-1' GROUP BY 1;

-------------------------------------------------------------------------------
-- 8. Private offers tell nothing of themselves to whom they are not addressed
-------------------------------------------------------------------------------
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period, visibility)
    VALUES ('CON-SECRET-DEAL', 'Secret', :course, 0, 'EUR', '2026-06-01', '2026-12-31', '30 days', 'private')
    RETURNING id AS secret \gset
INSERT INTO enroll.offer_recipient (offer_id, recipient_kind, account_id) VALUES (:secret, 'person', :mia);
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:victim);
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s)', :secret)) AS accept;
SELECT pg_temp.error_of(format('SELECT enroll.offer_state(%s)', :secret)) AS state;
SELECT pg_temp.error_of(format('SELECT enroll.offer_requirements(%s)', :secret)) AS requirements;
SELECT enroll.act_as(:mia);
SELECT enroll.offer_state(:secret) AS state_for_the_addressee;
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s)', :secret)) AS addressee_learns_why;
COMMIT;
-- allocate_seat on someone's personal license names nobody
RESET ROLE;
SELECT id AS victim_license FROM enroll.license WHERE account_id = :victim AND ended_at IS NULL \gset
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:boss);
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s)', :victim_license, :mia)) AS foreign_license;
COMMIT;
RESET ROLE;

-------------------------------------------------------------------------------
-- 9. Who may ask about whom: applications and admins about anyone, a
--    reporting role about the account it acts as only
-------------------------------------------------------------------------------
SELECT (enroll.set_login_role(:mia, 'regress_consent_reader')).login_role AS mapped;
SET ROLE regress_consent_reader;
SELECT enroll.access_status(:mia, :course) AS own_status;
SELECT pg_temp.error_of(format('SELECT enroll.access_status(%s, %s)', :victim, :course)) AS about_victim;
SELECT pg_temp.error_of(format('SELECT enroll.can_access(%s, %s)', :victim, :course)) AS can_victim;
RESET ROLE;
SET ROLE regress_consent_app;
SELECT enroll.access_status(:victim, :course) AS the_application_asks;
RESET ROLE;

-------------------------------------------------------------------------------
-- 10. Holes of 1.1
-------------------------------------------------------------------------------
-- (1) the billing level is always backed by complete data: wiping it at
--     default level is refused, the level never outlives its data
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:victim);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('default', '{"address": {"street": "", "postal_code": "", "city": "", "country": ""}}')$$) AS wipe;
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('default', '{"firstname": "", "lastname": ""}')$$) AS wipe_names;
SELECT profile_level, profile -> 'address' ->> 'city' AS city FROM enroll.account_profile;
COMMIT;
RESET ROLE;
-- (2) re-accepting never resets an unmet documents deadline (S2.18)
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period, documents_grace)
    VALUES ('CON-DOCS', 'With documents', :course, 0, 'EUR', '2026-01-01', '2026-12-31', '180 days', '30 days')
    RETURNING id AS docs \gset
SELECT id AS dora FROM enroll.register_account('dora@x.example', 'Dora', 'Docs') \gset
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:dora);
SELECT documents_due_at FROM enroll.accept_offer(:docs);
COMMIT;
RESET ROLE;
SET enroll.clock = '2026-04-05 10:00:00+00';
SELECT enroll.access_status(:dora, :course) AS after_the_grace;
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:dora);
SELECT documents_due_at, outcome FROM enroll.accept_offer(:docs);
COMMIT;
RESET ROLE;
SELECT enroll.access_status(:dora, :course) AS still_missing_after_reaccepting;
SET enroll.clock = '2026-03-01 10:00:00+00';
-- (5) one mailbox, one account: every spelling of alice's mailbox finds her
SELECT id AS alice FROM enroll.register_account('alice@example.org') \gset
SELECT v AS spelling, (enroll.register_account(v)).id = :alice AS same_account
  FROM (VALUES ('"alice"@example.org'), ('"al\ice"@example.org'), ('alice@example.org' || U&'\00A0'),
               ('ALICE@EXAMPLE.ORG')) x(v);
-- a DBA writing a second spelling of her mailbox by hand passes the unique
-- index (it compares the stored text), and check_invariants() finds the twin
INSERT INTO enroll.account (email) VALUES ('"alice"@EXAMPLE.org') RETURNING id AS twin \gset
SELECT invariant, violations, example FROM enroll.check_invariants();
DELETE FROM enroll.account WHERE id = :twin;
SELECT pg_temp.error_of(format('SELECT enroll.register_account(%L)', 'ali' || U&'\200B' || 'ce@example.org')) AS zero_width;
SELECT pg_temp.error_of(format('SELECT enroll.register_account(%L)', 'ali' || chr(133) || 'ce@example.org')) AS c1_control;
SELECT enroll.normalize_email(U&'e\0301l\00E8ve@example.org') = U&'\00E9l\00E8ve@example.org' AS nfd_is_nfc,
       enroll.normalize_email('x@[IPv6:0:0:0:0:0:0:0:1]') AS ipv6_canonical;
-- (7) unbounded input: a participants cap per call, seat counts bounded, and
--     no message echoes more than 64 characters of a value
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT pg_temp.error_of(format('SELECT enroll.setup_course_session(%L, %s, %s, 100000, %L)', 'CON-BIG', :cheap, :olga,
       (SELECT jsonb_agg(jsonb_build_object('email', 'p' || i || '@big.example')) FROM generate_series(1, 100001) i))) AS too_many;
SELECT pg_temp.error_of(format('SELECT enroll.setup_course_session(%L, %s, %s, 2147483647, %L)', 'CON-BIG', :cheap, :olga,
       '[{"email": "p1@big.example"}]')) AS seats_2_31;
SELECT length(pg_temp.error_of(format('SELECT enroll.setup_course_session(%L, %L)',
       'order=CON-BIG&offer=1&operator=1&seats=' || repeat('9', 60000), '[]'))) < 300 AS huge_value_cut;
COMMIT;
RESET ROLE;
SELECT length(pg_temp.error_of(format('SET enroll.clock = %L', repeat('x', 60000)))) < 400 AS huge_clock_cut;
-- nothing broke on the way
SELECT * FROM enroll.check_invariants();

-- (5) the holder's own acceptance of a session that starts later (S2.23,
--     outcome follows): the current license gives access until the session
--     starts, or until its own end when that comes first, and names the
--     session's license as its successor at once
SELECT id AS rae FROM enroll.register_account('rae@y.example', 'Rae', 'Later') \gset
SELECT id AS sol FROM enroll.register_account('sol@y.example', 'Sol', 'Sooner') \gset
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:rae);
SELECT outcome FROM enroll.accept_offer(:year);
SELECT enroll.act_as(:sol);
SELECT outcome FROM enroll.accept_offer(:month);
COMMIT;
BEGIN;
SELECT enroll.act_as(:rae);
SELECT outcome, access_from, access_until FROM enroll.accept_offer(:junesession);
SELECT enroll.act_as(:sol);
SELECT outcome, access_from, access_until FROM enroll.accept_offer(:junesession);
COMMIT;
RESET ROLE;
SELECT * FROM pg_temp.licenses(:rae, :course);
SELECT * FROM pg_temp.licenses(:sol, :course);
SELECT o.superseded_by = n.id AS rae_year_names_the_session
  FROM enroll.license o JOIN enroll.license n ON n.account_id = o.account_id AND n.ended_at IS NULL
 WHERE o.account_id = :rae AND o.ended_at IS NOT NULL;
SELECT t AS instant, enroll.access_status(:rae, :course) AS rae, enroll.access_status(:sol, :course) AS sol
  FROM (VALUES (timestamptz '2026-03-15 10:00+00'), ('2026-04-15 10:00+00'), ('2026-06-01 07:59+00'),
               ('2026-06-01 08:00+00'), ('2026-07-06 18:00+00')) v(t),
       LATERAL (SELECT set_config('enroll.clock', v.t::text, true)) c;
SET enroll.clock = '2026-03-01 10:00:00+00';
SELECT * FROM enroll.check_invariants();

-- (4) a session setting cannot make the access check read a revoked,
--     superseded or left license as active: the check opens its indexes
--     itself and re-checks every row (ignore_system_indexes can only be set
--     at connection start, so the statuses are kept in a table and compared
--     from a second connection)
SELECT id AS gus FROM enroll.register_account('gus@x.example', 'Gus', 'Gone') \gset
SET ROLE regress_consent_app;
BEGIN;
SELECT enroll.act_as(:gus);
SELECT id AS gus_month FROM enroll.accept_offer(:month) \gset
SELECT enroll.act_as(:admin);
SELECT end_reason FROM enroll.revoke_license(:gus_month, 'chargeback');
COMMIT;
RESET ROLE;
CREATE TABLE public.statuses_normal AS
SELECT a.email, enroll.access_status(a.id, :course) AS status
  FROM enroll.account a WHERE a.email LIKE '%x.example';
SELECT status, count(*) FROM public.statuses_normal GROUP BY 1 ORDER BY 1;
\c "dbname=contrib_regression options='-c ignore_system_indexes=on -c client_min_messages=error'"
SHOW ignore_system_indexes;
SET enroll.clock = '2026-03-01 10:00:00+00';
SELECT count(*) AS statuses, count(*) FILTER (WHERE n.status = enroll.access_status(a.id, c.id)) AS same
  FROM public.statuses_normal n JOIN enroll.account a ON a.email = n.email, enroll.course c
 WHERE c.shortname = 'CON-MOODLE';
\c "dbname=contrib_regression options=''"
SHOW ignore_system_indexes;
DROP TABLE public.statuses_normal;
DROP ROLE regress_consent_app, regress_consent_reader;

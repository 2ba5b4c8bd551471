-- scripts/demo.sql: the pg_enroll story, run by scripts/demo as the
-- superuser of a throwaway cluster where pg_enroll is installed.
--
-- 1-6: the DBA builds a small catalogue (course SPOCM1 of S1.8, organization
-- types, organizations, accounts, memberships); an application role says
-- which account it acts for with enroll.act_as(), and row-level security
-- shows each actor its own rows; the superuser travels in time with
-- enroll.clock.
-- 7: the maths-exam example of S2.14, a learner accepting an offer step by
-- step; 8: ten days later she switches to the paid offer (S2.23), documents
-- (S2.18) and leaving the school (S2.19); 9: the SPOCM1 purchase of S1,
-- sold in October for a November session.
-- 10-14 (1.2): a participant swapped and an order cancelled; nobody harmed
-- through someone else's order (the consent rule); a company renewing its
-- seats; a school that approves its learners; what applications read and
-- hear, and erasure.
\set ON_ERROR_STOP 1
\set ECHO none
\set QUIET 1
\pset null '(null)'

-- a helper for the demo only: runs a statement and tells whether it was
-- refused, so that expected refusals do not stop the script
CREATE FUNCTION pg_temp.attempt(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'done';
EXCEPTION WHEN OTHERS THEN
    RETURN format('refused: %s (SQLSTATE %s)', SQLERRM, SQLSTATE);
END
$$;
\unset QUIET
\set ECHO queries

\echo
\echo '=== 1. The DBA (superuser) creates the catalogue ========================='
\echo '--- the course of the SPOC sessions (S1.8)'
SELECT id, shortname, fullname FROM enroll.create_course('SPOCM1', 'SPOC Moodle appropriation, 5 weeks');
\echo '--- organization types and two registrar organizations'
SELECT id, code, name FROM enroll.create_organization_type('school', 'School');
SELECT id, code, name FROM enroll.create_organization_type('non_profit', 'Non-profit organization');
SELECT id AS school FROM enroll.create_organization('school', 'Lycée Victor Hugo') \gset
SELECT id AS asso FROM enroll.create_organization('non_profit', 'Les Amis du Numérique') \gset
SELECT o.id, o.name, t.code AS type
  FROM enroll.organization o JOIN enroll.organization_type t ON t.id = o.type_id
 ORDER BY o.id;

\echo
\echo '=== 2. Accounts: one per e-mail address (S1.5) ==========================='
SELECT id AS alice FROM enroll.register_account('alice@example.org', 'Alice', 'Martin') \gset
SELECT id AS bob FROM enroll.register_account('bob@example.org', 'Bob', 'Durand') \gset
SELECT id AS carol FROM enroll.register_account('carol@example.org', 'Carol', 'Petit') \gset
SELECT id AS dora FROM enroll.register_account('dora@example.org', 'Dora', 'Leroy') \gset
\echo '--- registering "ALICE@example.org " again (capitals, trailing space) returns alice''s account, names untouched'
SELECT id, email, firstname, lastname, id = :alice AS is_alice
  FROM enroll.register_account('ALICE@example.org ', 'Alicia', 'Other');

\echo
\echo '=== 3. DBA step: dora becomes a system administrator ====================='
\echo '--- (no function for this on purpose: only the DBA may grant is_admin)'
UPDATE enroll.account SET is_admin = true WHERE id = :dora;
SELECT id, email, firstname, lastname, is_admin FROM enroll.account ORDER BY id;

\echo
\echo '=== 4. Memberships and an organization administrator ===================='
\echo '--- (the DBA writes these rows by hand; an acting account uses enroll.join_organization)'
INSERT INTO enroll.membership (account_id, organization_id)
VALUES (:alice, :school), (:bob, :school), (:carol, :asso);
SELECT organization_id, account_id, is_admin FROM enroll.set_organization_admin(:school, :bob);
SELECT o.name AS organization, a.email, m.is_admin
  FROM enroll.membership m
  JOIN enroll.organization o ON o.id = m.organization_id
  JOIN enroll.account a ON a.id = m.account_id
 ORDER BY m.id;

\echo
\echo '=== 5. The application: role demo_app, member of enroll_app ============='
CREATE ROLE demo_app LOGIN IN ROLE enroll_app;
SET ROLE demo_app;
\echo '--- connected, acting for nobody: anonymous, and row-level security hides every account'
SELECT current_user, enroll.current_account() AS acting_account;
SELECT count(*) AS accounts_visible FROM enroll.account;
\echo '--- the application may not write the tables itself'
SELECT pg_temp.attempt($$UPDATE enroll.account SET is_admin = true$$) AS outcome;

\echo
\echo '--- a transaction on behalf of alice'
BEGIN;
SELECT enroll.act_as(:alice);
SELECT enroll.current_account() AS acting_account, enroll.acting_as_admin() AS is_admin;
SELECT id, email, firstname, lastname FROM enroll.account ORDER BY id;
SELECT organization_id, account_id, is_admin FROM enroll.membership ORDER BY id;
\echo '--- an application never reads profile columns directly'
SELECT pg_temp.attempt($$SELECT profile FROM enroll.account$$) AS outcome;
\echo '--- alice is no administrator: creating a course is refused'
SELECT pg_temp.attempt($$SELECT enroll.create_course('HACK1', 'Not allowed')$$) AS outcome;
COMMIT;
\echo '--- the transaction is over: the same connection acts for nobody again'
SELECT enroll.current_account() AS acting_account;

\echo
\echo '--- a transaction on behalf of dora, a system administrator: every row is visible'
BEGIN;
SELECT enroll.act_as(:dora);
SELECT enroll.current_account() AS acting_account, enroll.acting_as_admin() AS is_admin;
\echo '--- profile data (level, billing data, is_admin) is the account''s and system admins'' only: enroll.account_profile'
SELECT id, email, profile_level, is_admin FROM enroll.account_profile ORDER BY id;
SELECT id, name FROM enroll.create_organization('school', 'Collège Jean Jaurès');
\echo '--- the audit log: who acted (account_id), through which database role, what, on which row'
SELECT id, account_id, db_role, what, table_name, row_id, details
  FROM enroll.event ORDER BY id;
COMMIT;

\echo
\echo '--- the log is append-only, even for the superuser'
RESET ROLE;
SELECT pg_temp.attempt($$DELETE FROM enroll.event$$) AS outcome;

\echo
\echo '=== 6. Time travel: enroll.clock (superuser only) ========================'
SELECT enroll.clock_now() = now() AS clock_is_transaction_time;
SET enroll.clock = '2027-01-01 00:00+00';
SELECT enroll.clock_now();
\echo '--- every rule and default reads that clock: a course created "in 2027"'
SELECT id, shortname, created_at FROM enroll.create_course('SPOCM1-2027', 'SPOC Moodle appropriation, 5 weeks (2027 run)');
SELECT id, at, what FROM enroll.event ORDER BY id DESC LIMIT 1;
RESET enroll.clock;
SELECT enroll.clock_now() = now() AS back_to_real_time;
\echo '--- an application may not move the clock'
SET ROLE demo_app;
SELECT pg_temp.attempt($$SET enroll.clock = '2030-01-01 00:00+00'$$) AS outcome;
RESET ROLE;

\echo
\echo '=== 7. S2.14: a foundation''s maths exam preparation, the school as registrar'
SET enroll.clock = '2026-09-01 09:00+00';
SELECT id AS maths FROM enroll.create_course('MATHS-EXAM', 'Maths exam preparation (foundation)') \gset
\echo '--- a free discovery offer and a paid, school-supported offer with a declaration to tick'
SELECT id AS free_offer, code, price, currency, required_level, valid_from, valid_until, access_period
  FROM enroll.create_offer('MATHS-FREE', 'Maths: free discovery', :maths, 0, 'EUR',
                           '2026-09-01 00:00+00', '2027-06-30 00:00+00', '30 days') \gset
SELECT id AS paid_offer FROM enroll.create_offer('MATHS-SCHOOL', 'Maths: full preparation, school-supported', :maths,
       49.90, 'EUR', '2026-09-01 00:00+00', '2027-06-30 00:00+00', '180 days',
       extra_condition => 'I declare that my school supports my registration for this course.',
       documents_grace => '21 days') \gset
SELECT organization_type_id FROM enroll.add_offer_registrar_type(:paid_offer, 'school');
SELECT id AS lea FROM enroll.register_account('lea.moreau@example.org', 'Léa', 'Moreau') \gset
SET ROLE demo_app;
\echo '--- before login: anyone sees the public offers and the condition''s text (S2.6, S2.21)'
SELECT code, title, price, currency, state, required_level, registrar_types, extra_condition
  FROM enroll.visible_offers ORDER BY code;
\echo '--- the requirements of the paid offer, as an anonymous visitor'
SELECT jsonb_pretty(enroll.offer_requirements(:paid_offer));
BEGIN;
\echo '--- Léa logs in: the application acts for her'
SELECT enroll.act_as(:lea);
SELECT step ->> 'step' AS step, step ->> 'satisfied' AS satisfied
  FROM jsonb_array_elements(enroll.offer_requirements(:paid_offer) -> 'steps') step;
\echo '--- accepting now is refused, with the step to take'
SELECT pg_temp.attempt(format('SELECT enroll.accept_offer(%s)', :paid_offer)) AS outcome;
\echo '--- she starts with the free offer'
SELECT l.id AS free_license, o.code, l.access_from, l.access_until
  FROM enroll.accept_offer(:free_offer) l JOIN enroll.offer o ON o.id = l.offer_id;
COMMIT;
RESET ROLE;

\echo
\echo '=== 8. Ten days later: the paid offer, documents, leaving the school ===='
SET enroll.clock = '2026-09-11 09:00+00';
SET ROLE demo_app;
BEGIN;
SELECT enroll.act_as(:lea);
\echo '--- the profile upgrade lists every missing field at once (S2.12) ...'
SELECT pg_temp.attempt($$SELECT enroll.upgrade_profile('billing', '{"address": {"city": "Lyon"}}')$$) AS outcome;
\echo '--- ... and accepts complete data'
SELECT profile_level, profile FROM enroll.upgrade_profile('billing',
    '{"address": {"street": "12 rue Garibaldi", "postal_code": "69006", "city": "Lyon", "country": "FR"}}');
\echo '--- the registrar candidates: organizations of type school she could join (S2.16, S2.17)'
SELECT c ->> 'name' AS organization, c ->> 'member' AS member
  FROM jsonb_array_elements(enroll.offer_requirements(:paid_offer) #> '{steps,2,candidates}') c;
\echo '--- she joins her school, ticks the declaration and accepts'
SELECT l.id AS paid_license, o.code, l.price_paid, l.currency, l.access_from, l.access_until,
       g.name AS registrar, l.accepted_condition, l.documents_due_at
  FROM enroll.accept_offer(:paid_offer, registrar_org => :school, join_registrar => true, accept_condition => true) l
  JOIN enroll.offer o ON o.id = l.offer_id JOIN enroll.organization g ON g.id = l.registrar_org_id;
COMMIT;
RESET ROLE;
\echo '--- the free license ended, superseded: its 20 remaining days are not carried over (S2.23)'
SELECT l.id, o.code, l.access_from, l.access_until, l.ended_at, l.end_reason, l.superseded_by
  FROM enroll.license l JOIN enroll.offer o ON o.id = l.offer_id
 WHERE l.account_id = :lea ORDER BY l.id;
SELECT id AS paid_license FROM enroll.license WHERE account_id = :lea AND ended_at IS NULL \gset
SELECT enroll.access_status(:lea, :maths) AS status_now;
\echo '--- five weeks later, the documents were not presented: no access (S2.18)'
SET enroll.clock = '2026-10-16 09:00+00';
SELECT enroll.access_status(:lea, :maths) AS status, enroll.can_access(:lea, :maths) AS can_access;
\echo '--- the school''s administrator (bob) validates them'
SET ROLE demo_app;
BEGIN;
SELECT enroll.act_as(:bob);
SELECT documents_validated_at, documents_validated_by = :bob AS by_bob FROM enroll.validate_documents(:paid_license);
COMMIT;
RESET ROLE;
SELECT enroll.access_status(:lea, :maths) AS status, enroll.can_access(:lea, :maths) AS can_access;
\echo '--- Léa leaves the school: only that membership is checked while the license is used (S2.19)'
SET ROLE demo_app;
BEGIN;
SELECT enroll.act_as(:lea);
SELECT left_at FROM enroll.leave_organization(:school);
COMMIT;
RESET ROLE;
SELECT enroll.access_status(:lea, :maths) AS status, enroll.can_access(:lea, :maths) AS can_access;

\echo
\echo '=== 9. S1: an operator buys a SPOCM1 session for 3 learners and 1 tutor ='
SET enroll.clock = '2026-10-20 09:00+00';
SELECT id AS spocm1 FROM enroll.course WHERE shortname = 'SPOCM1' \gset
SELECT id AS support FROM enroll.create_course('SUPPORT', 'Customer support') \gset
\echo '--- the product of S1.8: 10.00 EUR incl. VAT per seat, tutors take seats too (S1.3)'
SELECT id AS spoc_offer FROM enroll.create_offer('SPOCM1', 'SPOC Moodle appropriation, 5 weeks', :spocm1, 10.00, 'EUR',
       '2026-10-01 00:00+00', '2027-10-01 00:00+00', '35 days',
       handler_params => 'coursename=SPOCM1&customersupport=SUPPORT&starttime=1793523600&endtime=1796547600') \gset
SELECT code, title, price, currency, required_level, handler_params FROM enroll.offer WHERE id = :spoc_offer;
SELECT id AS operator FROM enroll.register_account('olivia@training-shop.example', 'Olivia', 'Operator') \gset
SET ROLE demo_app;
BEGIN;
SELECT enroll.act_as(:operator);
SELECT profile_level FROM enroll.upgrade_profile('billing',
    '{"address": {"street": "5 quai Perrache", "postal_code": "69002", "city": "Lyon", "country": "FR"}}');
\echo '--- one call: 4 seats, 3 learners and a tutor; carol is already known (written in capitals here)'
SELECT jsonb_pretty(enroll.setup_course_session('PO-2026-0042', :spoc_offer, :operator, 4,
  '[{"email": "ana.lima@example.org", "firstname": "Ana", "lastname": "Lima"},
    {"email": "CAROL@Example.org", "firstname": "Caroline", "lastname": "Other"},
    {"email": "ben.roux@example.org", "firstname": "Ben", "lastname": "Roux"},
    {"email": "tess.tutor@example.org", "firstname": "Tess", "lastname": "Tutor", "role": "tutor"}]')) AS report;
COMMIT;
RESET ROLE;
\echo '--- the group named after the order (S1.4) and its enrollments, with the session dates (S1.10)'
SELECT g.idnumber AS group, a.email, a.firstname, r.shortname AS role, e.time_start, e.time_end
  FROM enroll.enrollment e JOIN enroll.account a ON a.id = e.account_id
  JOIN enroll.role r ON r.id = e.role_id JOIN enroll.course_group g ON g.id = e.group_id
 WHERE e.course_id = :spocm1 ORDER BY a.email;
\echo '--- carol''s account was reused and her names kept (S1.5)'
SELECT id = :carol AS same_carol, email, firstname, lastname FROM enroll.account WHERE email = 'carol@example.org';
\echo '--- the delegated roles, both ways (S1.6)'
SELECT r.shortname AS role, h.email AS holder, ra.context_level, c.email AS in_context_of
  FROM enroll.role_assignment ra JOIN enroll.role r ON r.id = ra.role_id
  JOIN enroll.account h ON h.id = ra.account_id JOIN enroll.account c ON c.id = ra.context_id
 WHERE ra.order_ref = 'PO-2026-0042' ORDER BY r.shortname, h.email, c.email;
\echo '--- the support-course enrollments (S1.7)'
SELECT a.email FROM enroll.enrollment e JOIN enroll.account a ON a.id = e.account_id
 WHERE e.course_id = :support ORDER BY a.email;
SET ROLE demo_app;
BEGIN;
SELECT enroll.act_as(:operator);
\echo '--- the same call again changes nothing'
SELECT enroll.setup_course_session('PO-2026-0042', :spoc_offer, :operator, 4,
  '[{"email": "ana.lima@example.org", "firstname": "Ana", "lastname": "Lima"},
    {"email": "CAROL@Example.org", "firstname": "Caroline", "lastname": "Other"},
    {"email": "ben.roux@example.org", "firstname": "Ben", "lastname": "Roux"},
    {"email": "tess.tutor@example.org", "firstname": "Tess", "lastname": "Tutor", "role": "tutor"}]') ->> 'status' AS status;
\echo '--- an order with too few seats is refused as a whole (PE021), nothing written'
SELECT count(*) AS accounts_before FROM enroll.account \gset
SELECT pg_temp.attempt(format($$SELECT enroll.setup_course_session('PO-2026-0043', %s, %s, 1,
  '[{"email": "dan@example.org"}, {"email": "eve@example.org"}]')$$, :spoc_offer, :operator)) AS outcome;
SELECT count(*) = :accounts_before AS nothing_written FROM enroll.account;
COMMIT;
RESET ROLE;

\echo
\echo '=== 10. 1.2: the session''s dates are the access window; a swap; a refund ='
SELECT id AS ana FROM enroll.account WHERE email = 'ana.lima@example.org' \gset
SELECT id AS ben FROM enroll.account WHERE email = 'ben.roux@example.org' \gset
SELECT id AS tess FROM enroll.account WHERE email = 'tess.tutor@example.org' \gset
\echo '--- sold on 20 October for 1 November - 6 December: nobody has access before the start, nor after the end'
SELECT t AS instant, enroll.access_status(:ana, :spocm1) AS ana_learner, enroll.access_status(:tess, :spocm1) AS tess_tutor,
       enroll.access_status(:ana, :support) AS ana_support
  FROM unnest(ARRAY[timestamptz '2026-10-20 09:00+00', '2026-11-01 09:00+00', '2026-12-06 08:59+00', '2026-12-06 09:00+00']) t,
       LATERAL (SELECT set_config('enroll.clock', t::text, true)) c;
SET enroll.clock = '2026-10-22 09:00+00';
SET ROLE demo_app;
BEGIN;
SELECT enroll.act_as(:operator);
\echo '--- Ben falls ill: the operator takes him out of the order; his seat is free again'
SELECT r ->> 'status' AS status, r -> 'seats' AS seats, r -> 'seats_freed' AS seats_freed
  FROM enroll.remove_participant('PO-2026-0042', :ben, 'ill, replaced by Dan') r;
\echo '--- the same order, called again with Dan instead: Dan takes the free seat'
SELECT r -> 'seats' AS seats, r -> 'accounts' AS accounts
  FROM enroll.setup_course_session('PO-2026-0042', :spoc_offer, :operator, 4,
  '[{"email": "ana.lima@example.org"}, {"email": "CAROL@Example.org"},
    {"email": "dan.dupont@example.org", "firstname": "Dan", "lastname": "Dupont"},
    {"email": "tess.tutor@example.org", "role": "tutor"}]') r;
\echo '--- what the operator sees of its participants: what it gave, nothing the people supplied themselves'
SELECT email, firstname, role, status, removed_reason FROM enroll.order_participants
 WHERE order_ref = 'PO-2026-0042' ORDER BY email;
\echo '--- another order, for two people, that the customer will ask to refund'
SELECT r -> 'seats' AS seats FROM enroll.setup_course_session('PO-2026-0050', :spoc_offer, :operator, 2,
  '[{"email": "eve@example.org"}, {"email": "finn@example.org"}]') r;
\echo '--- a refund is the merchant''s decision: the operator cannot cancel'
SELECT pg_temp.attempt($$SELECT enroll.cancel_order('PO-2026-0050', 'refund')$$) AS outcome;
COMMIT;
BEGIN;
SELECT enroll.act_as(:dora);
\echo '--- dora, a system administrator, cancels it: licenses, group, enrollments, roles and support access go'
SELECT jsonb_pretty(enroll.cancel_order('PO-2026-0050', 'customer refund #4411') - 'order_id') AS report;
\echo '--- cancelling again changes nothing, and the order takes nobody any more (PE026)'
SELECT enroll.cancel_order('PO-2026-0050') ->> 'status' AS again;
COMMIT;
RESET ROLE;
SELECT a.email, enroll.access_status(a.id, :spocm1) AS status
  FROM enroll.account a WHERE a.email IN ('eve@example.org', 'finn@example.org', 'ben.roux@example.org', 'dan.dupont@example.org')
 ORDER BY a.email;

\echo
\echo '=== 11. Nobody can harm a person through someone else''s order (consent) ==='
SELECT id AS year_offer FROM enroll.create_offer('SPOCM1-YEAR', 'SPOCM1, a year of self-study', :spocm1, 0, 'EUR',
       '2026-10-01 00:00+00', '2027-10-01 00:00+00', '365 days') \gset
SET ROLE demo_app;
BEGIN;
SELECT enroll.act_as(:alice);
\echo '--- alice takes a year of SPOCM1 herself'
SELECT outcome, access_from, access_until FROM enroll.accept_offer(:year_offer);
COMMIT;
BEGIN;
SELECT enroll.act_as(:operator);
\echo '--- an operator''s order names her for the five-week session: her year is not cut short'
SELECT r -> 'enrollments' AS enrollments_as_the_operator_sees_them
  FROM enroll.setup_course_session('PO-2026-0051', :spoc_offer, :operator, 1, '[{"email": "alice@example.org"}]') r;
COMMIT;
BEGIN;
SELECT enroll.act_as(:alice);
\echo '--- alice still holds her year, and reads what the order did, in an event about her'
SELECT offer_code, license_state, access_until FROM enroll.my_licenses WHERE course = 'SPOCM1';
SELECT what, details ->> 'outcome' AS outcome FROM enroll.event
 WHERE subject_account = :alice AND what = 'session.participant';
\echo '--- if she chose a shorter offer herself, she would be told first what she loses (S2.23)'
SELECT s ->> 'step' AS step, s ->> 'ends_at' AS ends_at, s ->> 'time_lost' AS time_lost
  FROM jsonb_array_elements(enroll.offer_requirements(:spoc_offer) -> 'steps') s
 WHERE s ->> 'step' = 'replaces_current_license';
COMMIT;
RESET ROLE;

\echo
\echo '=== 12. A company renews its seats: the holders keep their access ========='
SELECT id AS safety FROM enroll.create_course('SAFETY', 'Workplace safety') \gset
SELECT id AS company_type FROM enroll.create_organization_type('company', 'Company') \gset
SELECT id AS initech FROM enroll.create_organization('company', 'Initech') \gset
SELECT id AS grace FROM enroll.register_account('grace@initech.example', 'Grace', 'Manager') \gset
SELECT id AS henry FROM enroll.register_account('henry@initech.example', 'Henry', 'Worker') \gset
SELECT id AS ivy FROM enroll.register_account('ivy@initech.example', 'Ivy', 'Worker') \gset
INSERT INTO enroll.membership (account_id, organization_id) VALUES (:grace, :initech), (:henry, :initech), (:ivy, :initech);
SELECT is_admin FROM enroll.set_organization_admin(:initech, :grace);
SELECT id AS pack2 FROM enroll.create_offer('SAFETY-2', 'Safety, 2 seats', :safety, 200, 'EUR',
       '2026-10-01 00:00+00', '2027-10-01 00:00+00', '60 days', recipient_kind => 'organization', seats => 2) \gset
SELECT id AS pack5 FROM enroll.create_offer('SAFETY-5', 'Safety, 5 seats', :safety, 450, 'EUR',
       '2026-10-01 00:00+00', '2027-10-01 00:00+00', '180 days', recipient_kind => 'organization', seats => 5) \gset
SET ROLE demo_app;
BEGIN;
SELECT enroll.act_as(:grace);
\echo '--- a paid organization offer checks the company''s invoice data, not Grace''s own'
SELECT pg_temp.attempt(format('SELECT enroll.accept_offer(%s, for_organization => %s)', :pack2, :initech)) AS outcome;
SELECT profile_level FROM enroll.upgrade_organization_profile(:initech, 'billing',
    '{"legal_name": "Initech SARL", "vat_number": "FR40123456789",
      "address": {"street": "1 rue du Parc", "postal_code": "69003", "city": "Lyon", "country": "FR"}}');
SELECT outcome, seats, access_until FROM enroll.accept_offer(:pack2, for_organization => :initech);
\echo '--- seats given by organization and course, the form an administration page needs'
SELECT outcome FROM enroll.allocate_seat(:initech, :safety, :henry);
SELECT outcome FROM enroll.allocate_seat(:initech, :safety, :ivy);
COMMIT;
RESET ROLE;
SET enroll.clock = '2026-12-01 09:00+00';
SET ROLE demo_app;
BEGIN;
SELECT enroll.act_as(:grace);
\echo '--- six weeks later Grace renews with five seats: the two live seats move to the new license at once'
SELECT outcome, seats, access_until FROM enroll.accept_offer(:pack5, for_organization => :initech);
SELECT offer_code, license_state, seats, used, free, jsonb_path_query_array(holders, '$[*].email') AS holders
  FROM enroll.organization_seats ORDER BY license_id;
\echo '--- Ivy moves to another team: Grace takes her seat back'
SELECT end_reason, end_note FROM enroll.release_seat(
    (SELECT (h ->> 'seat_license')::bigint FROM enroll.organization_seats, jsonb_array_elements(holders) h
      WHERE license_state = 'active' AND h ->> 'email' = 'ivy@initech.example'), 'moved to another team');
COMMIT;
RESET ROLE;
SELECT t AS instant, enroll.access_status(:henry, :safety) AS henry, enroll.access_status(:ivy, :safety) AS ivy
  FROM unnest(ARRAY[timestamptz '2026-12-01 09:00+00', '2026-12-21 09:00+00', '2027-05-30 09:00+00']) t,
       LATERAL (SELECT set_config('enroll.clock', t::text, true)) c;
SET enroll.clock = '2026-12-01 09:00+00';

\echo
\echo '=== 13. A school that approves its learners (S2.13) ======================'
SELECT id AS jade FROM enroll.register_account('jade@example.org', 'Jade', 'Lambert') \gset
SET ROLE demo_app;
BEGIN;
SELECT enroll.act_as(:bob);
SELECT name, join_policy FROM enroll.update_organization(:school, join_policy => 'approval');
SELECT enroll.act_as(:jade);
\echo '--- Jade cannot join by herself any more (PE022)'
SELECT pg_temp.attempt(format('SELECT enroll.join_organization(%s)', :school)) AS outcome;
SELECT enroll.act_as(:bob);
\echo '--- Bob, its administrator, adds her: by id and address (an id alone reveals nobody)'
SELECT account_id = :jade AS jade_added FROM enroll.join_organization(:school, :jade, 'jade@example.org');
COMMIT;
RESET ROLE;

\echo
\echo '=== 14. What applications read and hear; erasure ========================='
CREATE ROLE demo_reports LOGIN IN ROLE enroll_reader;
SET ROLE demo_reports;
\echo '--- a reporting role reads aggregates, never a person'
SELECT offer_code, to_char(month, 'YYYY-MM') AS month, acceptances, withdrawn, revenue, currency
  FROM enroll.report_acceptances ORDER BY offer_code, month;
SELECT organization, course, seats, used FROM enroll.report_seats;
SELECT count(*) AS addresses_readable FROM enroll.account;
RESET ROLE;
SET ROLE demo_app;
BEGIN;
SELECT enroll.act_as(:dora);
\echo '--- reminders: the licenses ending within 30 days'
SELECT email, course, access_until FROM enroll.licenses_ending('30 days') ORDER BY access_until, email;
\echo '--- Ben asks to be forgotten'
SELECT email, firstname, lastname, erased_at IS NOT NULL AS erased FROM enroll.erase_account(:ben, 'erasure request 2026-117');
COMMIT;
RESET ROLE;
\echo '--- his licenses and the log stay, as anonymous history; nobody acts for him any more (PE025)'
SELECT count(*) AS bens_licenses FROM enroll.license WHERE account_id = :ben;
SELECT count(*) AS events_about_ben FROM enroll.event WHERE subject_account = :ben;
SELECT count(*) AS mentions_of_his_address FROM enroll.event e, enroll.purchase_order p
 WHERE e.details::text LIKE '%ben.roux%' OR p.report::text LIKE '%ben.roux%';
SET ROLE demo_app;
SELECT pg_temp.attempt(format('SELECT enroll.act_as(%s)', :ben)) AS outcome;
RESET ROLE;
\echo '--- every event is announced (NOTIFY enroll_events) and can be caught up with events_since; the log is a hash chain'
SELECT event_id, sealed_events FROM enroll.audit_head();
SELECT * FROM enroll.check_invariants();
RESET enroll.clock;

\echo
\echo '=== end of the demo ======================================================'

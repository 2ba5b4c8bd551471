-- 04_views_by_role.sql: what each kind of caller reads through the views of
-- 1.2 (my_licenses, organization_seats, order_participants, account_profile,
-- report_acceptances, report_active_learners, report_seats, visible_offers),
-- the functions licenses_ending(interval), documents_due(interval),
-- events_since(bigint, integer) and the table enroll.event (API.md, "Version
-- 1.2": "Consent" and "What applications read and hear").
--
-- The callers: a role with no enroll membership; an application acting for
-- nobody (anonymous); an enroll_reader role mapped to no account (reporting:
-- aggregates only, no personal data anywhere); learners; two operators, each
-- with an order (Sam in both, under other names than his own); two companies
-- X and Y with an administrator, members and a seat each (and X a member who
-- had a seat and left); two schools S and T that register learners with
-- documents due (S's second learner left S); a system administrator (an
-- account with is_admin, through the application).
--
-- Everything runs in one transaction that is rolled back, roles included,
-- except a short prelude: events_since() returns only the events of
-- transactions that have ended, so the prelude commits a few events (a
-- learner who holds a year's license of their own, a second learner, and an
-- operator whose order names both) before the main transaction.  Its rows
-- stay in the database (the log is append-only); their names start with
-- T4E and a second run skips the prelude.  Anonymous and reader checks come
-- before any act_as: an act_as stays in force until the end of the
-- transaction.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

------------------------------------------------------------------------------
-- prelude, committed: events of ended transactions for events_since()
------------------------------------------------------------------------------
SET enroll.clock = '2026-03-01 10:00:00+00';
DO $prelude$
DECLARE
    kai bigint; ela bigint; oto bigint; c bigint; o_own bigint; o_sess bigint;
BEGIN
    IF EXISTS (SELECT FROM enroll.course WHERE shortname = 'T4E-C') THEN
        RETURN;
    END IF;
    kai := (enroll.register_account('t4e-kai@example.org', 'Kaimana', 'Keeperson')).id;
    ela := (enroll.register_account('t4e-ela@example.org', 'Elanora', 'Eventful')).id;
    oto := (enroll.register_account('t4e-oto@shop.example', 'Otokar', 'Operatorski')).id;
    c := (enroll.create_course('T4E-C', 'Events course')).id;
    o_own := (enroll.create_offer('T4E-OWN', 'A year', c, 0, 'EUR', '2026-01-01', '2027-01-01', '365 days')).id;
    o_sess := (enroll.create_offer('T4E-SESS', 'A month', c, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days',
                                   handler_params => 'coursename=T4E-C')).id;
    -- Kai takes a year of the course himself; then the operator's month
    -- for Ela and Kai: Kai keeps his year (consent rule, outcome kept)
    PERFORM enroll.act_as(kai);
    PERFORM enroll.accept_offer(o_own);
    PERFORM enroll.act_as(oto);
    PERFORM enroll.setup_course_session('T4E-ORDER', o_sess, oto, 2,
                                        '[{"email": "t4e-ela@example.org"}, {"email": "t4e-kai@example.org"}]');
END
$prelude$;
RESET enroll.clock;
-- wait (at most 30 s) until the prelude's transactions are below every
-- snapshot's horizon (an autovacuum may hold a transaction id a moment)
DO $settle$
BEGIN
    FOR i IN 1..600 LOOP
        EXIT WHEN pg_snapshot_xmin(pg_current_snapshot())
                  > (SELECT max(e.xid) FROM enroll.event e);
        PERFORM pg_sleep(0.05);
    END LOOP;
END
$settle$;

BEGIN;

SELECT plan(115);

SET LOCAL enroll.clock = '2026-03-01 10:00:00+00';
SET LOCAL TIME ZONE 'UTC';

------------------------------------------------------------------------------
-- fixtures (as the superuser, mapped to an admin account)
------------------------------------------------------------------------------
CREATE ROLE pgtap_v_app LOGIN IN ROLE enroll_app;
CREATE ROLE pgtap_v_reader LOGIN IN ROLE enroll_reader;
CREATE ROLE pgtap_v_nobody LOGIN;
GRANT USAGE ON SCHEMA enroll TO pgtap_v_nobody;   -- the objects' own privileges refuse it

-- the committed events of the prelude, as the superuser reads them
CREATE TEMP TABLE committed_events AS
SELECT e.id, e.what, e.account_id, e.subject_account FROM enroll.event e;
GRANT SELECT ON committed_events TO PUBLIC;
SELECT id AS kai FROM enroll.account WHERE email = 't4e-kai@example.org' \gset
SELECT id AS ela FROM enroll.account WHERE email = 't4e-ela@example.org' \gset
SELECT id AS oto FROM enroll.account WHERE email = 't4e-oto@shop.example' \gset
SELECT l.id AS kai_own FROM enroll.license l JOIN enroll.offer o ON o.id = l.offer_id
 WHERE l.account_id = :kai AND o.code = 'T4E-OWN' \gset

INSERT INTO enroll.account (email, firstname, lastname, is_admin)
VALUES ('t4-root@example.org', 'Rootine', 'Adminova', true) RETURNING id AS root \gset
SELECT is((enroll.set_login_role(:root, session_user)).login_role, session_user,
          'the superuser is mapped to an admin account for the fixtures');

SELECT id AS lea FROM enroll.register_account('t4-lea@example.org', 'Leandra', 'Learnwell') \gset
-- Lea's billing data (a DBA row: upgrade_profile wants Lea acting)
UPDATE enroll.account SET profile_level = 'billing',
       profile = '{"address": {"street": "12 Secretive Street", "postal_code": "75011", "city": "Paris", "country": "FR"}}'
 WHERE id = :lea;
SELECT id AS op_a FROM enroll.register_account('t4-op-a@shop.example', 'Anneliese', 'Operawska') \gset
SELECT id AS op_b FROM enroll.register_account('t4-op-b@shop.example', 'Borislav', 'Operawski') \gset
SELECT id AS sam FROM enroll.register_account('t4-sam@example.org', 'Samuelito', 'Ownname') \gset
SELECT id AS xa FROM enroll.register_account('t4-xa@example.org', 'Xenophon', 'Xadmin') \gset
SELECT id AS x1 FROM enroll.register_account('t4-x1@example.org', 'Xaviera', 'Xseated') \gset
SELECT id AS x2 FROM enroll.register_account('t4-x2@example.org', 'Xiomara', 'Xunseated') \gset
SELECT id AS xl FROM enroll.register_account('t4-xl@example.org', 'Xerxesio', 'Xformer') \gset
SELECT id AS ya FROM enroll.register_account('t4-ya@example.org', 'Yasmeena', 'Yadmin') \gset
SELECT id AS y1 FROM enroll.register_account('t4-y1@example.org', 'Yvonnette', 'Yseated') \gset
SELECT id AS sa FROM enroll.register_account('t4-sa@example.org', 'Sabrinette', 'Sadmin') \gset
SELECT id AS r1 FROM enroll.register_account('t4-r1@example.org', 'Rosalinde', 'Registered') \gset
SELECT id AS r2 FROM enroll.register_account('t4-r2@example.org', 'Rupertino', 'Leftschool') \gset
SELECT id AS ta FROM enroll.register_account('t4-ta@example.org', 'Tatianna', 'Tadmin') \gset
SELECT id AS t1 FROM enroll.register_account('t4-t1@example.org', 'Theodoric', 'Tregistered') \gset

SELECT id AS c_self FROM enroll.create_course('T4-SELF', 'Self study') \gset
SELECT id AS c_paid FROM enroll.create_course('T4-PAID', 'Paid course') \gset
SELECT id AS c_a FROM enroll.create_course('T4-SESS-A', 'Session of operator A') \gset
SELECT id AS c_b FROM enroll.create_course('T4-SESS-B', 'Session of operator B') \gset
SELECT id AS c_org FROM enroll.create_course('T4-ORG', 'Bought by companies') \gset
SELECT id AS c_reg FROM enroll.create_course('T4-REG', 'For registered pupils') \gset
SELECT code AS t_company FROM enroll.create_organization_type('t4_company', 'Company') \gset
SELECT code AS t_school FROM enroll.create_organization_type('t4_school', 'School') \gset
SELECT id AS org_x FROM enroll.create_organization('t4_company', 'T4 X Corp') \gset
SELECT id AS org_y FROM enroll.create_organization('t4_company', 'T4 Y Corp') \gset
SELECT id AS org_s FROM enroll.create_organization('t4_school', 'T4 S School') \gset
SELECT id AS org_t FROM enroll.create_organization('t4_school', 'T4 T School') \gset

SELECT id AS o_self FROM enroll.create_offer('T4-SELF', 'Alone', :c_self, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days') \gset
SELECT id AS o_paid FROM enroll.create_offer('T4-PAID', 'Paid', :c_paid, 120, 'EUR', '2026-01-01', '2027-01-01', '90 days') \gset
SELECT id AS o_priv FROM enroll.create_offer('T4-PRIVATE', 'For Lea only', :c_self, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days',
                                             visibility => 'private') \gset
SELECT offer_id AS addressed FROM enroll.add_offer_recipient(:o_priv, account => :lea) \gset
SELECT id AS o_up FROM enroll.create_offer('T4-UPCOMING', 'Next term', :c_self, 0, 'EUR', '2026-09-01', '2027-01-01', '30 days') \gset
-- an offer that is over cannot be created through create_offer: a DBA row
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period)
VALUES ('T4-EXPIRED', 'Last term', :c_self, 0, 'EUR', '2025-09-01', '2026-02-01', '30 days') RETURNING id AS o_exp \gset
SELECT id AS o_a FROM enroll.create_offer('T4-SESS-A', 'Session A', :c_a, 0, 'EUR', '2026-01-01', '2027-01-01', '60 days',
                                          handler_params => 'coursename=T4-SESS-A') \gset
SELECT id AS o_b FROM enroll.create_offer('T4-SESS-B', 'Session B', :c_b, 0, 'EUR', '2026-01-01', '2027-01-01', '60 days',
                                          handler_params => 'coursename=T4-SESS-B') \gset
SELECT id AS o_org FROM enroll.create_offer('T4-ORG', 'Company pack', :c_org, 0, 'EUR', '2026-01-01', '2027-01-01', '365 days',
                                            recipient_kind => 'organization', seats => 5) \gset
SELECT id AS o_reg FROM enroll.create_offer('T4-REG', 'For schools', :c_reg, 0, 'EUR', '2026-01-01', '2027-01-01', '60 days',
                                            documents_grace => '14 days') \gset
SELECT offer_id AS narrowed FROM enroll.add_offer_registrar_type(:o_reg, 't4_school') \gset

-- Lea's own licenses (the admin accepts on her behalf)
SELECT id AS lea_self FROM enroll.accept_offer(:o_self, for_account => :lea) \gset
SELECT id AS lea_paid FROM enroll.accept_offer(:o_paid, for_account => :lea) \gset
-- the two orders; Sam (an existing account with names of his own) is in
-- both, under the names each operator gave
SELECT enroll.setup_course_session('T4-ORDER', :o_a, :op_a, 3,
    '[{"email": "t4-pa@example.org", "firstname": "Patricius", "lastname": "Givenby-A"},
      {"email": "T4-Sam@Example.org", "firstname": "Sammy-A", "lastname": "Givenby-A"}]') ->> 'status' AS status_a \gset
SELECT enroll.setup_course_session('T4-ORDER', :o_b, :op_b, 3,
    '[{"email": "t4-sam@example.org", "firstname": "Sammy-B", "lastname": "Givenby-B"},
      {"email": "t4-pb@example.org", "firstname": "Paulinus", "lastname": "Givenby-B"}]') ->> 'status' AS status_b \gset
SELECT id AS pa FROM enroll.account WHERE email = 't4-pa@example.org' \gset
SELECT id AS pb FROM enroll.account WHERE email = 't4-pb@example.org' \gset

-- the organizations' members (DBA rows: join_organization wants the member acting)
INSERT INTO enroll.membership (account_id, organization_id, is_admin, joined_at) VALUES
    (:xa, :org_x, true, '2026-01-05'), (:x1, :org_x, false, '2026-01-05'), (:x2, :org_x, false, '2026-01-05'),
    (:xl, :org_x, false, '2026-01-05'), (:ya, :org_y, true, '2026-01-05'), (:y1, :org_y, false, '2026-01-05'),
    (:sa, :org_s, true, '2026-01-05'), (:r1, :org_s, false, '2026-01-05'), (:r2, :org_s, false, '2026-01-05'),
    (:ta, :org_t, true, '2026-01-05'), (:t1, :org_t, false, '2026-01-05');
-- each company's license (a DBA row: accept_offer wants the company's own
-- admin acting) and its seats; Xerxesio leaves X, which ends his seat
INSERT INTO enroll.license (offer_id, course_id, holder_kind, organization_id, accepted_by, accepted_via,
                            price_paid, currency, access_from, access_until, seats)
VALUES (:o_org, :c_org, 'organization', :org_x, :xa, 'org_admin', 0, 'EUR', '2026-03-01 10:00+00', '2027-03-01 10:00+00', 5)
RETURNING id AS lic_x \gset
INSERT INTO enroll.license (offer_id, course_id, holder_kind, organization_id, accepted_by, accepted_via,
                            price_paid, currency, access_from, access_until, seats)
VALUES (:o_org, :c_org, 'organization', :org_y, :ya, 'org_admin', 0, 'EUR', '2026-03-01 10:00+00', '2027-03-01 10:00+00', 5)
RETURNING id AS lic_y \gset
SELECT id AS seat_x1 FROM enroll.allocate_seat(:lic_x, :x1) \gset
SELECT id AS seat_xl FROM enroll.allocate_seat(:lic_x, :xl) \gset
SELECT id AS seat_y1 FROM enroll.allocate_seat(:lic_y, :y1) \gset
SELECT left_at AS xl_left FROM enroll.leave_organization(:org_x, :xl) \gset
-- the schools register their pupils (documents due in 14 days); Rupertino leaves S
SELECT id AS lic_r1 FROM enroll.accept_offer(:o_reg, registrar_org => :org_s, for_account => :r1) \gset
SELECT id AS lic_r2 FROM enroll.accept_offer(:o_reg, registrar_org => :org_s, for_account => :r2) \gset
SELECT id AS lic_t1 FROM enroll.accept_offer(:o_reg, registrar_org => :org_t, for_account => :t1) \gset
SELECT left_at AS r2_left FROM enroll.leave_organization(:org_s, :r2) \gset

SELECT results_eq(
    $$SELECT a.email, o.code, l.ended_at IS NULL
        FROM enroll.license l JOIN enroll.account a ON a.id = l.account_id JOIN enroll.offer o ON o.id = l.offer_id
       WHERE o.code LIKE 'T4-%' ORDER BY 1, 2$$,
    $$VALUES ('t4-lea@example.org', 'T4-PAID', true), ('t4-lea@example.org', 'T4-SELF', true),
             ('t4-pa@example.org', 'T4-SESS-A', true), ('t4-pb@example.org', 'T4-SESS-B', true),
             ('t4-r1@example.org', 'T4-REG', true), ('t4-r2@example.org', 'T4-REG', true),
             ('t4-sam@example.org', 'T4-SESS-A', true), ('t4-sam@example.org', 'T4-SESS-B', true),
             ('t4-t1@example.org', 'T4-REG', true), ('t4-x1@example.org', 'T4-ORG', true),
             ('t4-xl@example.org', 'T4-ORG', false), ('t4-y1@example.org', 'T4-ORG', true)$$,
    'fixtures: the person licenses (Xerxesio''s seat ended when he left X)');

-- the expected answers, as query texts used by several callers
\set anon_offers 'SELECT unnest(ARRAY[''T4-ORG'', ''T4-PAID'', ''T4-REG'', ''T4-SELF'', ''T4-SESS-A'', ''T4-SESS-B''])'
\set rep_acceptances 'VALUES (''T4-ORG'', ''2026-03-01 00:00+00''::timestamptz, ''EUR'', 2::bigint, 0::bigint, 0::numeric), (''T4-PAID'', ''2026-03-01 00:00+00'', ''EUR'', 1, 0, 120), (''T4-REG'', ''2026-03-01 00:00+00'', ''EUR'', 3, 0, 0), (''T4-SELF'', ''2026-03-01 00:00+00'', ''EUR'', 1, 0, 0), (''T4-SESS-A'', ''2026-03-01 00:00+00'', ''EUR'', 2, 0, 0), (''T4-SESS-B'', ''2026-03-01 00:00+00'', ''EUR'', 2, 0, 0)'
\set rep_learners 'VALUES (''T4-ORG'', 2::bigint, 0::bigint), (''T4-PAID'', 1, 0), (''T4-REG'', 2, 0), (''T4-SELF'', 1, 0), (''T4-SESS-A'', 2, 0), (''T4-SESS-B'', 2, 0)'
\set rep_seats 'VALUES (''T4 X Corp'', ''T4-ORG'', 5, 1), (''T4 Y Corp'', ''T4-ORG'', 5, 1)'
\set q_acceptances 'SELECT offer_code, month, currency, acceptances, withdrawn, revenue FROM enroll.report_acceptances WHERE offer_code LIKE ''T4-%'' ORDER BY 1'
\set q_learners 'SELECT course, active_learners, starting_later FROM enroll.report_active_learners WHERE course LIKE ''T4-%'' ORDER BY 1'
\set q_seats 'SELECT organization, course, seats, used FROM enroll.report_seats WHERE course LIKE ''T4-%'' ORDER BY 1'

-- every relation of enroll with the number of rows its reader sees, for
-- "which relations show this caller anything"
CREATE FUNCTION pg_temp.rows_seen(rel regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM %s', rel) INTO n;
    RETURN n;
END $$;
CREATE TEMP VIEW readable_relations AS
SELECT c.oid::regclass AS rel, c.relname::text COLLATE "default" AS relname
  FROM pg_catalog.pg_class c
 WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind IN ('r', 'p', 'v')
   AND has_any_column_privilege(c.oid, 'SELECT');
GRANT SELECT ON readable_relations TO PUBLIC;
-- the relations about people: all but the catalogues, the offers and the
-- aggregates (every enroll.report_* view); which of them show this caller a row
\set q_personal_rows 'SELECT relname FROM readable_relations WHERE NOT (relname IN (''course'', ''offer'', ''offer_registrar_type'', ''organization'', ''organization_type'', ''role'', ''visible_offers'') OR relname LIKE ''report\\_%'') AND pg_temp.rows_seen(rel) > 0 ORDER BY 1'

------------------------------------------------------------------------------
-- a role with no enroll membership (12)
------------------------------------------------------------------------------
SET ROLE pgtap_v_nobody;
SELECT throws_ok(format('SELECT * FROM enroll.%s', v), '42501', NULL,
                 format('a role outside the enroll roles may not read enroll.%s', v))
  FROM unnest(ARRAY['my_licenses', 'organization_seats', 'order_participants', 'account_profile',
                    'report_acceptances', 'report_active_learners', 'report_seats', 'visible_offers', 'event']) AS v;
SELECT throws_ok(f, '42501', NULL, format('a role outside the enroll roles may not call %s', f))
  FROM unnest(ARRAY['SELECT * FROM enroll.licenses_ending(''30 days'')',
                    'SELECT * FROM enroll.documents_due(''30 days'')',
                    'SELECT * FROM enroll.events_since(0, 100)']) AS f;
RESET ROLE;

------------------------------------------------------------------------------
-- an application acting for nobody (12)
------------------------------------------------------------------------------
SET ROLE pgtap_v_app;
SELECT is(enroll.current_account(), NULL, 'anonymous: no acting account');
SELECT is_empty(:'q_personal_rows',
                'anonymous: no table or view about people shows a row (only catalogues, offers and aggregates do)');
SELECT is_empty(v, 'anonymous: ' || v || ' is empty')
  FROM unnest(ARRAY['SELECT * FROM enroll.my_licenses', 'SELECT * FROM enroll.organization_seats',
                    'SELECT * FROM enroll.order_participants', 'SELECT * FROM enroll.account_profile']) AS v;
SELECT is_empty(f, 'anonymous: ' || f || ' is empty')
  FROM unnest(ARRAY['SELECT * FROM enroll.licenses_ending(''5 years'')',
                    'SELECT * FROM enroll.documents_due(''5 years'')',
                    'SELECT * FROM enroll.events_since(0, 10000)']) AS f;
SELECT results_eq($$SELECT code FROM enroll.visible_offers WHERE code LIKE 'T4-%' ORDER BY 1$$, :'anon_offers',
                  'anonymous: visible_offers lists the active public offers (not the private, upcoming or expired one)');
SELECT throws_ok(:'q_seats', '42501', NULL, 'anonymous: the report views are for reporting roles, not applications');
SELECT throws_ok('SELECT profile FROM enroll.account', '42501', NULL,
                 'anonymous: the profile column of enroll.account is not readable at all');
RESET ROLE;

------------------------------------------------------------------------------
-- a reporting role mapped to no account: aggregates only (10)
------------------------------------------------------------------------------
SET ROLE pgtap_v_reader;
SELECT is(enroll.current_account(), NULL, 'reader: acts for nobody');
SELECT is_empty(:'q_personal_rows',
                'reader: no table or view about people shows a row (only catalogues, offers and aggregates do)');
SELECT results_eq(:'q_acceptances', :'rep_acceptances',
                  'reader: report_acceptances counts acceptances and revenue per offer and month (seats are not acceptances)');
SELECT results_eq(:'q_learners', :'rep_learners',
                  'reader: report_active_learners counts who has access now (not the seat withdrawn, not the pupil who left the school)');
SELECT results_eq(:'q_seats', :'rep_seats', 'reader: report_seats counts the live seats of each company');
SELECT is_empty(f, 'reader: ' || f || ' is empty')
  FROM unnest(ARRAY['SELECT * FROM enroll.licenses_ending(''5 years'')',
                    'SELECT * FROM enroll.documents_due(''5 years'')',
                    'SELECT * FROM enroll.events_since(0, 10000)']) AS f;
SELECT results_eq($$SELECT code FROM enroll.visible_offers WHERE code LIKE 'T4-%' ORDER BY 1$$, :'anon_offers',
                  'reader: visible_offers lists the active public offers');
SELECT throws_ok('SELECT email, profile FROM enroll.account', '42501', NULL,
                 'reader: the profile column of enroll.account is not readable');
RESET ROLE;

------------------------------------------------------------------------------
-- the aggregate views hold no personal data, by construction (3)
------------------------------------------------------------------------------
-- every aggregate view, those added after this file too: enroll.report_*
CREATE TEMP VIEW report_views AS
SELECT c.oid AS oid FROM pg_catalog.pg_class c
 WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind = 'v' AND c.relname LIKE 'report\_%';
SELECT cmp_ok((SELECT count(*) FROM report_views), '>=', 3::bigint, 'the aggregate views are there (enroll.report_*)');
-- no output column names a person (an account id is a person's identifier
-- too) or could carry free-form data; the one exception is the operator of
-- report_orders (orders per operator, asked for by the reporting issue: an
-- operator is the shop's business account, and the view shows its id only)
SELECT is_empty(
    $$SELECT c.relname, a.attname
        FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
       WHERE c.oid IN (SELECT oid FROM report_views)
         AND a.attnum > 0 AND NOT a.attisdropped
         AND NOT (c.relname = 'report_orders' AND a.attname = 'operator_id')
         AND (a.attname ~ '(email|firstname|lastname|profile|login|given|holder|account|person|member|operator|user|address|reason)'
              OR a.atttypid IN ('json'::regtype, 'jsonb'::regtype, 'text[]'::regtype))$$,
    'no column of the report views identifies a person or could hold personal data (address, name, profile, account, operator, JSON)');
-- nor does any read a personal column, even to aggregate it
SELECT is_empty(
    $$SELECT DISTINCT v.ev_class::regclass::text, d.refobjid::regclass::text, a.attname
        FROM pg_catalog.pg_rewrite v
        JOIN pg_catalog.pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = v.oid
        LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
       WHERE v.ev_class IN (SELECT oid FROM report_views)
         AND (d.refobjid IN ('enroll.account_profile'::regclass, 'enroll.order_participants'::regclass,
                             'enroll.organization_seats'::regclass, 'enroll.my_licenses'::regclass)
              OR (d.refobjid = 'enroll.account'::regclass
                  AND a.attname IN ('email', 'firstname', 'lastname', 'profile', 'profile_level', 'login_role', 'is_admin'))
              OR (d.refobjid = 'enroll.group_member'::regclass
                  AND a.attname IN ('given_email', 'given_firstname', 'given_lastname', 'removed_reason'))
              OR (d.refobjid = 'enroll.organization'::regclass AND a.attname = 'profile')
              OR (d.refobjid = 'enroll.license'::regclass AND a.attname IN ('accepted_condition', 'end_note'))
              OR (d.refobjid = 'enroll.purchase_order'::regclass AND a.attname IN ('request', 'report', 'cancel_reason'))
              OR (d.refobjid = 'enroll.event'::regclass AND a.attname = 'details'))$$,
    'the report views read no personal column (addresses, names, profiles, given names, reasons, reports)');

------------------------------------------------------------------------------
-- learners (21)
------------------------------------------------------------------------------
SET ROLE pgtap_v_app;
SELECT lives_ok(format('SELECT enroll.act_as(%s)', :lea), 'the application acts for Lea');
SELECT results_eq(
    'SELECT course, offer_code, accepted_via::text, license_state, access_status, time_left, seat_of_organization_name FROM enroll.my_licenses ORDER BY 1',
    $$VALUES ('T4-PAID', 'T4-PAID', 'admin', 'active', 'active', '90 days'::interval, NULL::text),
             ('T4-SELF', 'T4-SELF', 'admin', 'active', 'active', '30 days', NULL)$$,
    'Lea: my_licenses lists her two licenses with their state, access and time left');
SELECT results_eq(:'q_personal_rows',
                  $$SELECT unnest(ARRAY['account', 'account_profile', 'event', 'license', 'my_licenses', 'offer_recipient'])$$,
                  'Lea: the relations about people that show her rows (hers: the check above is not vacuous)');
SELECT results_eq('SELECT id, email, profile_level::text, profile #>> ''{address,street}'' FROM enroll.account_profile',
                  format($$VALUES (%s::bigint, 't4-lea@example.org', 'billing', '12 Secretive Street')$$, :lea),
                  'Lea: account_profile shows her own row with her billing data, nobody else''s');
SELECT is_empty(v, 'Lea: ' || v || ' is empty')
  FROM unnest(ARRAY['SELECT * FROM enroll.order_participants', 'SELECT * FROM enroll.organization_seats',
                    'SELECT * FROM enroll.licenses_ending(''5 years'')', 'SELECT * FROM enroll.documents_due(''5 years'')']) AS v;
SELECT results_eq($$SELECT code FROM enroll.visible_offers WHERE code LIKE 'T4-%' ORDER BY 1$$,
                  $$SELECT unnest(ARRAY['T4-ORG', 'T4-PAID', 'T4-PRIVATE', 'T4-REG', 'T4-SELF', 'T4-SESS-A', 'T4-SESS-B'])$$,
                  'Lea: visible_offers adds the private offer addressed to her');
SELECT bag_has('SELECT what, account_id, subject_account FROM enroll.event',
               format($$VALUES ('account.register', %1$s::bigint, %2$s::bigint), ('license.accept', %1$s, %2$s),
                               ('license.accept', %1$s, %2$s)$$, :root, :lea),
               'Lea: enroll.event shows the events about her: her registration, her two licenses');
SELECT is_empty(format('SELECT id, what FROM enroll.event WHERE account_id IS DISTINCT FROM %1$s AND subject_account IS DISTINCT FROM %1$s', :lea),
                'Lea: enroll.event shows no event she neither caused nor is the subject of');

SELECT lives_ok(format('SELECT enroll.act_as(%s)', :sam), 'the application acts for Sam');
SELECT results_eq('SELECT course, accepted_via::text, license_state FROM enroll.my_licenses ORDER BY 1',
                  $$VALUES ('T4-SESS-A', 'operator', 'active'), ('T4-SESS-B', 'operator', 'active')$$,
                  'Sam: my_licenses lists the licenses of both orders');
SELECT results_eq('SELECT firstname, lastname FROM enroll.account_profile',
                  $$VALUES ('Samuelito', 'Ownname')$$,
                  'Sam: his profile keeps his own names, not those the operators gave');

SELECT lives_ok(format('SELECT enroll.act_as(%s)', :x1), 'the application acts for Xaviera, seated at X');
SELECT results_eq('SELECT course, license_state, access_status, seat_of_organization_name FROM enroll.my_licenses',
                  $$VALUES ('T4-ORG', 'active', 'active', 'T4 X Corp')$$,
                  'Xaviera: my_licenses shows her seat and whose it is');

SELECT lives_ok(format('SELECT enroll.act_as(%s)', :xl), 'the application acts for Xerxesio, who left X');
SELECT results_eq('SELECT course, license_state, access_status, end_reason::text FROM enroll.my_licenses',
                  $$VALUES ('T4-ORG', 'released', 'seat_withdrawn', 'released')$$,
                  'Xerxesio: my_licenses shows the seat that ended when he left');
SELECT results_eq($$SELECT what, (details ->> 'organization')::bigint FROM enroll.event WHERE what LIKE 'membership.%'$$,
                  format($$VALUES ('membership.leave', %s::bigint)$$, :org_x),
                  'Xerxesio reads the event about him: an administrator took him out of X');

SELECT lives_ok(format('SELECT enroll.act_as(%s)', :r2), 'the application acts for Rupertino, who left school S');
SELECT results_eq('SELECT course, registrar, license_state, access_status FROM enroll.my_licenses',
                  $$VALUES ('T4-REG', 'T4 S School', 'registrar_membership_ended', 'registrar_membership_ended')$$,
                  'Rupertino: my_licenses shows that his registrar membership ended (S2.19)');

------------------------------------------------------------------------------
-- operators: their own orders' participants, as they gave them (14)
------------------------------------------------------------------------------
SELECT lives_ok(format('SELECT enroll.act_as(%s)', :op_a), 'the application acts for operator A');
SELECT results_eq(
    'SELECT order_ref, account_id, email, firstname, lastname, role, status FROM enroll.order_participants ORDER BY 2',
    format($$SELECT * FROM (VALUES ('T4-ORDER', %s::bigint, 'T4-Sam@Example.org', 'Sammy-A', 'Givenby-A', 'learner', 'active'),
                                   ('T4-ORDER', %s::bigint, 't4-pa@example.org', 'Patricius', 'Givenby-A', 'learner', 'active')) v
            ORDER BY 2$$, :sam, :pa),
    'A: order_participants lists A''s two participants with the address and names A gave, not B''s order');
SELECT is_empty($$SELECT account_id FROM enroll.order_participants WHERE firstname IN ('Samuelito', 'Sammy-B') OR lastname = 'Ownname'$$,
                'A: never Sam''s own names nor those B gave');
SELECT results_eq('SELECT id FROM enroll.account_profile', ARRAY[:op_a::bigint],
                  'A: account_profile shows A''s own row only, no participant''s profile');
SELECT results_eq('SELECT id FROM enroll.account', ARRAY[:op_a::bigint],
                  'A: enroll.account shows A''s own row only, no participant''s');
SELECT is_empty('SELECT id FROM enroll.license UNION ALL SELECT id FROM enroll.enrollment',
                'A: no license and no enrollment, not even those of A''s order');
SELECT is(jsonb_strip_nulls(to_jsonb(r)) - 'email', jsonb_build_object('id', :lea),
          'A: register_account of a known address returns its id and the address, nothing else of the person')
  FROM enroll.register_account('T4-Lea@Example.org', 'Someone', 'Else') r;
SELECT is_empty(format($$SELECT e FROM enroll.purchase_order p, jsonb_array_elements(p.report -> 'enrollments') e
                          WHERE p.operator_id = %s AND lower(e ->> 'email') = 't4-sam@example.org'
                            AND (e ? 'account' OR e ? 'license' OR e ? 'outcome')$$, :op_a),
                'A: the stored report of A''s order names no account, license or outcome of Sam, whose account existed');
SELECT is_empty(v, 'A: ' || v || ' is empty')
  FROM unnest(ARRAY['SELECT * FROM enroll.my_licenses', 'SELECT * FROM enroll.organization_seats',
                    'SELECT * FROM enroll.licenses_ending(''5 years'')', 'SELECT * FROM enroll.documents_due(''5 years'')']) AS v;

SELECT lives_ok(format('SELECT enroll.act_as(%s)', :op_b), 'the application acts for operator B');
SELECT results_eq(
    'SELECT account_id, email, firstname, lastname FROM enroll.order_participants ORDER BY 1',
    format($$SELECT * FROM (VALUES (%s::bigint, 't4-sam@example.org', 'Sammy-B', 'Givenby-B'),
                                   (%s::bigint, 't4-pb@example.org', 'Paulinus', 'Givenby-B')) v ORDER BY 1$$, :sam, :pb),
    'B: order_participants lists B''s participants as B gave them, not A''s');

------------------------------------------------------------------------------
-- company administrators: their company's seats and members only (14)
------------------------------------------------------------------------------
SELECT lives_ok(format('SELECT enroll.act_as(%s)', :xa), 'the application acts for X''s administrator');
SELECT results_eq(
    'SELECT organization_id, license_id, course, seats, used, free, license_state FROM enroll.organization_seats',
    format($$VALUES (%s::bigint, %s::bigint, 'T4-ORG', 5, 1, 4, 'active')$$, :org_x, :lic_x),
    'X''s admin: organization_seats shows X''s license only: 5 seats, 1 used, 4 free');
SELECT results_eq(
    $$SELECT (h ->> 'seat_license')::bigint, (h ->> 'account_id')::bigint, h ->> 'email', h ->> 'firstname', h ->> 'lastname'
        FROM enroll.organization_seats, jsonb_array_elements(holders) h WHERE h ->> 'state' = 'active'$$,
    format($$VALUES (%s::bigint, %s::bigint, 't4-x1@example.org', 'Xaviera', 'Xseated')$$, :seat_x1, :x1),
    'X''s admin: the live seat''s holder, a current member, with address and names');
SELECT ok(NOT EXISTS (SELECT FROM enroll.organization_seats, jsonb_array_elements(holders) h
                       WHERE (h ->> 'seat_license')::bigint <> :seat_x1 AND h ->> 'state' = 'active'),
          'X''s admin: no other live seat (Xerxesio''s ended when he left)');
SELECT is_empty(
    format($$SELECT h FROM enroll.organization_seats, jsonb_array_elements(holders) h
              WHERE (h ->> 'account_id')::bigint = %s
                AND (h ->> 'email' IS NOT NULL OR h ->> 'firstname' IS NOT NULL OR h ->> 'lastname' IS NOT NULL)$$, :xl),
    'X''s admin: no address or name of a former member in organization_seats (it sees the accounts of current members only)');
SELECT results_eq('SELECT id FROM enroll.account ORDER BY 1',
                  format('SELECT unnest(ARRAY[%s, %s, %s]::bigint[]) ORDER BY 1', :xa, :x1, :x2),
                  'X''s admin: enroll.account shows X''s current members, not the one who left');
SELECT results_eq('SELECT account_id, email, course, organization FROM enroll.licenses_ending(''5 years'')',
                  format($$VALUES (%s::bigint, 't4-x1@example.org', 'T4-ORG', 'T4 X Corp')$$, :x1),
                  'X''s admin: licenses_ending lists X''s live seat only');
SELECT results_eq('SELECT id FROM enroll.account_profile', ARRAY[:xa::bigint],
                  'X''s admin: account_profile shows its own row only, no member''s profile');
SELECT is_empty(v, 'X''s admin: ' || v || ' is empty')
  FROM unnest(ARRAY['SELECT * FROM enroll.my_licenses', 'SELECT * FROM enroll.order_participants',
                    'SELECT * FROM enroll.documents_due(''5 years'')']) AS v;

SELECT lives_ok(format('SELECT enroll.act_as(%s)', :ya), 'the application acts for Y''s administrator');
SELECT results_eq('SELECT organization, used, jsonb_array_length(holders) FROM enroll.organization_seats',
                  $$VALUES ('T4 Y Corp', 1, 1)$$, 'Y''s admin: organization_seats shows Y''s license only');
SELECT results_eq('SELECT account_id, organization FROM enroll.licenses_ending(''5 years'')',
                  format($$VALUES (%s::bigint, 'T4 Y Corp')$$, :y1),
                  'Y''s admin: licenses_ending lists Y''s seat only, none of X');

------------------------------------------------------------------------------
-- school administrators: the licenses they register, for their members (9)
------------------------------------------------------------------------------
SELECT lives_ok(format('SELECT enroll.act_as(%s)', :sa), 'the application acts for school S''s administrator');
SELECT results_eq('SELECT license_id, email, course, documents_due_at, overdue, organization FROM enroll.documents_due(''30 days'')',
                  format($$VALUES (%s::bigint, 't4-r1@example.org', 'T4-REG', '2026-03-15 10:00+00'::timestamptz, false, 'T4 S School')$$, :lic_r1),
                  'S''s admin: documents_due lists its member''s documents, not the pupil who left S nor T''s');
SELECT results_eq('SELECT license_id, email, organization FROM enroll.licenses_ending(''5 years'')',
                  format($$VALUES (%s::bigint, 't4-r1@example.org', 'T4 S School')$$, :lic_r1),
                  'S''s admin: licenses_ending lists the license it registers for its member, not the pupil who left S');
SELECT is_empty('SELECT * FROM enroll.organization_seats', 'S''s admin: no organization_seats (S holds no license)');
SELECT throws_ok('SELECT * FROM enroll.licenses_ending(NULL)', '22004', NULL, 'licenses_ending(NULL): 22004');
SELECT throws_ok('SELECT * FROM enroll.documents_due(''-1 day'')', '22023', NULL, 'documents_due of a negative window: 22023');
SELECT throws_ok('SELECT * FROM enroll.licenses_ending(''6 years'')', '22023', NULL, 'licenses_ending beyond 5 years: 22023');

SELECT lives_ok(format('SELECT enroll.act_as(%s)', :ta), 'the application acts for school T''s administrator');
SELECT results_eq('SELECT license_id, email, organization FROM enroll.documents_due(''30 days'') UNION ALL
                   SELECT license_id, email, organization FROM enroll.licenses_ending(''5 years'')',
                  format($$VALUES (%1$s::bigint, 't4-t1@example.org', 'T4 T School'), (%1$s, 't4-t1@example.org', 'T4 T School')$$, :lic_t1),
                  'T''s admin: documents_due and licenses_ending list T''s pupil only');

------------------------------------------------------------------------------
-- the system administrator (an is_admin account, through the application) (11)
------------------------------------------------------------------------------
SELECT lives_ok(format('SELECT enroll.act_as(%s)', :root), 'the application acts for the system administrator');
SELECT ok(enroll.acting_as_admin(), 'an is_admin account acts as a system administrator');
SELECT is_empty('SELECT * FROM enroll.my_licenses', 'admin: my_licenses is its own: empty');
SELECT results_eq($$SELECT organization, used FROM enroll.organization_seats WHERE course LIKE 'T4-%' ORDER BY 1$$,
                  $$VALUES ('T4 X Corp', 1), ('T4 Y Corp', 1)$$, 'admin: organization_seats of every company');
SELECT results_eq($$SELECT operator_id, count(*) FROM enroll.order_participants WHERE order_ref = 'T4-ORDER' GROUP BY 1 ORDER BY 1$$,
                  format($$VALUES (%s::bigint, 2::bigint), (%s, 2)$$, :op_a, :op_b),
                  'admin: order_participants of every operator''s order');
SELECT results_eq($$SELECT profile #>> '{address,city}' FROM enroll.account_profile WHERE email LIKE 't4-%' AND profile <> '{}'$$,
                  ARRAY['Paris'], 'admin: account_profile shows every profile (Lea''s billing data)');
SELECT results_eq($$SELECT email, course FROM enroll.licenses_ending('5 years') WHERE email LIKE 't4-%' ORDER BY 1, 2$$,
                  $$VALUES ('t4-lea@example.org', 'T4-PAID'), ('t4-lea@example.org', 'T4-SELF'), ('t4-pa@example.org', 'T4-SESS-A'),
                           ('t4-pb@example.org', 'T4-SESS-B'), ('t4-r1@example.org', 'T4-REG'), ('t4-r2@example.org', 'T4-REG'),
                           ('t4-sam@example.org', 'T4-SESS-A'), ('t4-sam@example.org', 'T4-SESS-B'), ('t4-t1@example.org', 'T4-REG'),
                           ('t4-x1@example.org', 'T4-ORG'), ('t4-y1@example.org', 'T4-ORG')$$,
                  'admin: licenses_ending of every person license giving access now');
SELECT results_eq($$SELECT email, course FROM enroll.licenses_ending('45 days') WHERE email LIKE 't4-%'$$,
                  $$VALUES ('t4-lea@example.org', 'T4-SELF')$$, 'admin: licenses_ending within 45 days: Lea''s month only');
SELECT results_eq($$SELECT email FROM enroll.documents_due('30 days') WHERE email LIKE 't4-%' ORDER BY 1$$,
                  ARRAY['t4-r1@example.org', 't4-r2@example.org', 't4-t1@example.org'],
                  'admin: documents_due of every school');
SELECT results_eq($$SELECT code, state FROM enroll.visible_offers WHERE code LIKE 'T4-%' ORDER BY 1$$,
                  $$VALUES ('T4-EXPIRED', 'expired'), ('T4-ORG', 'active'), ('T4-PAID', 'active'), ('T4-PRIVATE', 'active'),
                           ('T4-REG', 'active'), ('T4-SELF', 'active'), ('T4-SESS-A', 'active'), ('T4-SESS-B', 'active'),
                           ('T4-UPCOMING', 'upcoming')$$,
                  'admin: visible_offers shows every offer in any state');
SELECT set_eq('SELECT id FROM enroll.events_since(0, 10000)', 'SELECT id FROM committed_events',
              'admin: events_since returns every finished event');

------------------------------------------------------------------------------
-- events_since: the people of the committed prelude (6)
------------------------------------------------------------------------------
SELECT lives_ok(format('SELECT enroll.act_as(%s)', :kai), 'the application acts for Kai (prelude)');
SELECT results_eq('SELECT what, account_id, subject_account FROM enroll.events_since(0, 10000)',
                  format($$VALUES ('account.register', NULL::bigint, %1$s::bigint), ('license.accept', %1$s, %1$s),
                                  ('session.participant', %2$s, %1$s)$$, :kai, :oto),
                  'Kai: events_since returns the events about him: his registration, his license, the order that named him');
SELECT lives_ok(format('SELECT enroll.act_as(%s)', :oto), 'the application acts for operator Otokar (prelude)');
SELECT set_eq('SELECT id FROM enroll.events_since(0, 10000)',
              'SELECT id FROM enroll.event WHERE id IN (SELECT id FROM committed_events)',
              'Otokar: events_since returns exactly the finished events enroll.event shows him');
SELECT is_empty(
    format($$SELECT e.id, e.what, e.details FROM enroll.event e
              WHERE (e.table_name = 'license' AND e.row_id = %1$s) OR e.details ->> 'license' = '%1$s' OR e.details ->> 'superseded' = '%1$s'
                 OR e.details ->> 'restored' = '%1$s' OR e.details ->> 'outcome' = 'kept'$$, :kai_own),
    'Otokar learns nothing about Kai''s own license (not its id, not that Kai kept it) from the events he can read');
SELECT ok(NOT EXISTS (SELECT FROM enroll.events_since(0, 10000) e WHERE e.account_id IN (:kai, :ela)),
          'Otokar reads none of the events Kai or Ela caused themselves');
RESET ROLE;

------------------------------------------------------------------------------
-- the whole log, as the superuser reads it: no personal data (1)
------------------------------------------------------------------------------
SELECT is_empty(
    $$SELECT e.id, e.what, v.value
        FROM enroll.event e,
             (SELECT a.email AS value FROM enroll.account a WHERE a.email ~ '^t4e?-'
              UNION SELECT a.firstname FROM enroll.account a WHERE a.email ~ '^t4e?-'
              UNION SELECT a.lastname FROM enroll.account a WHERE a.email ~ '^t4e?-'
              UNION SELECT unnest(ARRAY[m.given_email, m.given_firstname, m.given_lastname]) FROM enroll.group_member m
              UNION SELECT '12 Secretive Street') v
       WHERE length(v.value) >= 5 AND strpos(lower(coalesce(e.details::text, '')), lower(v.value)) > 0$$,
    'no event, written by any caller, holds a person''s address, name or profile data');

SELECT * FROM finish();
ROLLBACK;

-- 14_applications: what applications read (1.2).  A learner's licenses with
-- their state and time left (my_licenses), an organization admin's seats
-- (organization_seats), the deadline lists (licenses_ending, documents_due)
-- for admins and registrar admins, the reporting views without personal
-- data, progress NOTICEs of long work, and erasure: afterwards no column of
-- any table holds the person's address or names.
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
SELECT count(pg_catalog.setval(c.oid, 14000)) AS sequences_moved
  FROM pg_class c WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind = 'S';
CREATE ROLE regress_apps_app LOGIN IN ROLE enroll_app;
CREATE ROLE regress_apps_reader LOGIN IN ROLE enroll_reader;

SELECT id AS course FROM enroll.create_course('APP-COURSE', 'Applications course') \gset
SELECT id AS other FROM enroll.create_course('APP-OTHER', 'Another course') \gset
SELECT id AS school_type FROM enroll.create_organization_type('app_school', 'School') \gset
SELECT id AS school FROM enroll.create_organization('app_school', 'App School') \gset
SELECT id AS firm FROM enroll.create_organization('app_school', 'App Firm') \gset
SELECT id AS root FROM enroll.register_account('root@apps.example', 'Root', 'Admin') \gset
UPDATE enroll.account SET is_admin = true WHERE id = :root;
SELECT id AS liv FROM enroll.register_account('liv@apps.example', 'Liv', 'Learner') \gset
SELECT id AS reg FROM enroll.register_account('reg@apps.example', 'Reggie', 'Registrar') \gset
SELECT id AS fae FROM enroll.register_account('fae@apps.example', 'Fae', 'Firm admin') \gset
SELECT id AS olga FROM enroll.register_account('olga@apps.example', 'Olga', 'Operator') \gset
SELECT id AS erin FROM enroll.register_account('Erin.Erased@Apps.example', 'Erinmarie', 'Eraseworthy') \gset
SELECT id AS month FROM enroll.create_offer('APP-MONTH', 'A month', :course, 0, 'EUR', '2026-01-01', '2026-12-31', '30 days') \gset
SELECT id AS year FROM enroll.create_offer('APP-YEAR', 'A year', :course, 120, 'EUR', '2026-01-01', '2026-12-31', '365 days') \gset
SELECT id AS docs FROM enroll.create_offer('APP-DOCS', 'Registered, documents', :other, 0, 'EUR', '2026-01-01', '2026-12-31', '90 days',
       documents_grace => '20 days') \gset
INSERT INTO enroll.offer_registrar_type (offer_id, organization_type_id) VALUES (:docs, :school_type);
SELECT id AS pack FROM enroll.create_offer('APP-PACK', 'Firm pack', :other, 0, 'EUR', '2026-01-01', '2026-12-31', '60 days',
       recipient_kind => 'organization', seats => 2) \gset
SELECT id AS session FROM enroll.create_offer('APP-SESSION', 'Session', :course, 0, 'EUR', '2026-01-01', '2026-12-31', '30 days',
       handler_params => 'coursename=APP-COURSE') \gset

-- Liv: a month, then a year (her own choice supersedes the month), and a
-- license of the other course registered by the school, documents due in 20
-- days; Fae's firm gives a seat of the other course to Reggie, the school's
-- admin and a member of the firm
SET ROLE regress_apps_app;
BEGIN;
SELECT enroll.act_as(:reg);
SELECT (enroll.join_organization(:school)).organization_id = :school AS reg_in_school;
SELECT (enroll.join_organization(:firm)).organization_id = :firm AS reg_in_firm;
SELECT enroll.act_as(:fae);
SELECT (enroll.join_organization(:firm)).organization_id = :firm AS fae_in_firm;
COMMIT;
RESET ROLE;
SELECT (enroll.set_organization_admin(:school, :reg)).is_admin AND (enroll.set_organization_admin(:firm, :fae)).is_admin AS admins;
SET ROLE regress_apps_app;
BEGIN;
SELECT enroll.act_as(:liv);
SELECT outcome FROM enroll.accept_offer(:month);
SELECT profile_level FROM enroll.upgrade_profile('billing',
       '{"address": {"street": "5 Livweg", "postal_code": "3000", "city": "Leuven", "country": "BE"}}');
COMMIT;
RESET ROLE;
SET enroll.clock = '2026-03-05 10:00:00+00';
SET ROLE regress_apps_app;
BEGIN;
SELECT enroll.act_as(:liv);
SELECT outcome FROM enroll.accept_offer(:year);
SELECT outcome FROM enroll.accept_offer(:docs, registrar_org => :school, join_registrar => true);
SELECT enroll.act_as(:fae);
SELECT id AS firm_license FROM enroll.accept_offer(:pack, for_organization => :firm) \gset
SELECT outcome FROM enroll.allocate_seat(:firm, :other, :reg);
COMMIT;
RESET ROLE;

-------------------------------------------------------------------------------
-- 1. my_licenses: the acting account's licenses, nobody else's
-------------------------------------------------------------------------------
SET enroll.clock = '2026-03-20 10:00:00+00';
SET ROLE regress_apps_app;
BEGIN;
SELECT enroll.act_as(:liv);
SELECT course, offer_code, accepted_via, license_state, access_status, time_left, registrar,
       documents_due_at, seat_of_organization_name, end_reason
  FROM enroll.my_licenses ORDER BY license_id;
SELECT enroll.act_as(:reg);
SELECT course, offer_code, license_state, access_status, time_left, seat_of_organization_name FROM enroll.my_licenses;
COMMIT;
SELECT count(*) AS anonymous_application_sees FROM enroll.my_licenses;
RESET ROLE;
-- the state follows the clock: the documents deadline passes
SET enroll.clock = '2026-03-26 10:00:00+00';
SET ROLE regress_apps_app;
BEGIN;
SELECT enroll.act_as(:liv);
SELECT course, license_state, access_status FROM enroll.my_licenses WHERE end_reason IS NULL ORDER BY license_id;
COMMIT;
RESET ROLE;
SET enroll.clock = '2026-03-20 10:00:00+00';

-------------------------------------------------------------------------------
-- 2. organization_seats: an organization's administrators, and system admins
-------------------------------------------------------------------------------
SET ROLE regress_apps_app;
BEGIN;
SELECT enroll.act_as(:fae);
SELECT organization, course, offer_code, license_state, seats, used, free,
       jsonb_path_query_array(holders, '$[*].email') AS holders, jsonb_path_query_array(holders, '$[*].state') AS states
  FROM enroll.organization_seats;
SELECT enroll.act_as(:reg);      -- the school's admin, a member of the firm
SELECT count(*) AS reg_sees_firm_seats FROM enroll.organization_seats;
SELECT enroll.act_as(:root);
SELECT count(*) AS admin_sees FROM enroll.organization_seats;
COMMIT;
RESET ROLE;

-------------------------------------------------------------------------------
-- 3. The deadline lists: licenses ending, documents due
-------------------------------------------------------------------------------
SET ROLE regress_apps_app;
BEGIN;
SELECT enroll.act_as(:root);
SELECT email, course, offer_code, access_until, time_left, organization FROM enroll.licenses_ending('80 days')
 WHERE course LIKE 'APP-%';
SELECT email, course, documents_due_at, overdue, organization FROM enroll.documents_due('10 days') WHERE course LIKE 'APP-%';
SELECT count(*) AS due_within_a_day FROM enroll.documents_due('1 day');
-- the school's admin: the licenses it registers (Liv's), not the firm's seats
SELECT enroll.act_as(:reg);
SELECT email, course, organization FROM enroll.licenses_ending('80 days');
SELECT email, course, overdue FROM enroll.documents_due('10 days');
-- the firm's admin: its seats
SELECT enroll.act_as(:fae);
SELECT email, course, organization FROM enroll.licenses_ending('80 days');
SELECT count(*) AS fae_documents FROM enroll.documents_due('10 days');
-- a learner: nothing
SELECT enroll.act_as(:liv);
SELECT count(*) AS liv_ending FROM enroll.licenses_ending('1 year');
COMMIT;
RESET ROLE;

-------------------------------------------------------------------------------
-- 4. Reporting without personal data (enroll_reader)
-------------------------------------------------------------------------------
SET ROLE regress_apps_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT r ->> 'status' AS status FROM enroll.setup_course_session('APP-1', :session, :olga, 3,
       '[{"email": "erin.erased@apps.example", "firstname": "Erinmarie", "lastname": "Eraseworthy"},
         {"email": "Pat.Part@Apps.example", "firstname": "Pat", "lastname": "Part"}]') r;
COMMIT;
RESET ROLE;
SET ROLE regress_apps_reader;
SELECT offer_code, month, currency, acceptances, withdrawn, revenue FROM enroll.report_acceptances
 WHERE offer_code LIKE 'APP-%' ORDER BY offer_code, month;
SELECT course, active_learners, starting_later FROM enroll.report_active_learners WHERE course LIKE 'APP-%' ORDER BY course;
SELECT organization, course, seats, used FROM enroll.report_seats WHERE organization LIKE 'App %';
SELECT operator_id = :olga AS olga, status, orders, seats_bought, seats_used FROM enroll.report_orders
 WHERE operator_id = :olga;
-- no reporting view has a column that could hold an address, a name or profile data
SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'enroll'::regnamespace AND c.relname LIKE 'report\_%' AND a.attnum > 0
   AND (a.attname ~ '(email|name|profile|address)' AND a.attname NOT IN ('organization', 'course'))
 ORDER BY 1, 2;
-- the reader reads no person's address
SELECT count(*) AS addresses_read FROM enroll.account;
RESET ROLE;

-------------------------------------------------------------------------------
-- 5. Progress of long work, when asked for (enroll.progress)
-------------------------------------------------------------------------------
\set VERBOSITY terse
SET enroll.progress = on;
SET ROLE regress_apps_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT r ->> 'status' AS status FROM enroll.setup_course_session('APP-2', :session, :olga, 2,
       '[{"email": "q1@apps.example"}, {"email": "q2@apps.example"}]') r;
SELECT enroll.act_as(:root);
SELECT r ->> 'status' AS status FROM enroll.cancel_order('APP-2', 'progress demo') r;
COMMIT;
RESET ROLE;
RESET enroll.progress;
\set VERBOSITY default

-------------------------------------------------------------------------------
-- 6. Erasure: the person's data is gone from every table; the history stays
-------------------------------------------------------------------------------
SET ROLE regress_apps_app;
BEGIN;
SELECT enroll.act_as(:erin);
SELECT profile_level FROM enroll.upgrade_profile('billing',
       '{"address": {"street": "3 Erinstraat", "postal_code": "1000", "city": "Erinville", "country": "BE"}}');
COMMIT;
RESET ROLE;
-- before: the address, the names and the city are stored in several places
CREATE FUNCTION pg_temp.mentions(needles text[]) RETURNS TABLE (table_column text, rows bigint)
LANGUAGE plpgsql AS $$
DECLARE
    c record;
    n bigint;
BEGIN
    FOR c IN SELECT cl.relname, a.attname
               FROM pg_attribute a JOIN pg_class cl ON cl.oid = a.attrelid
               JOIN pg_type t ON t.oid = a.atttypid
              WHERE cl.relnamespace = 'enroll'::regnamespace AND cl.relkind = 'r' AND a.attnum > 0
                AND NOT a.attisdropped AND t.typname IN ('text', 'jsonb', 'name', 'varchar')
              ORDER BY 1, 2 LOOP
        EXECUTE format('SELECT count(*) FROM enroll.%I x WHERE EXISTS (SELECT FROM unnest($1) s WHERE lower(x.%I::text) LIKE ''%%'' || lower(s) || ''%%'')',
                       c.relname, c.attname) INTO n USING needles;
        IF n > 0 THEN
            table_column := c.relname || '.' || c.attname;
            rows := n;
            RETURN NEXT;
        END IF;
    END LOOP;
END $$;
SELECT * FROM pg_temp.mentions(ARRAY['erin.erased@apps.example', 'Erinmarie', 'Eraseworthy', 'Erinville', 'Erinstraat']);
SELECT count(*) AS erin_events FROM enroll.event WHERE subject_account = :erin OR account_id = :erin \gset
SET ROLE regress_apps_app;
BEGIN;
SELECT enroll.act_as(:root);
SELECT email, firstname, lastname, profile_level, erased_at IS NOT NULL AS erased FROM enroll.erase_account(:erin, 'erasure request 42');
-- again: nothing more to erase
SELECT erased_at = '2026-03-20 10:00:00+00' AS same_erasure FROM enroll.erase_account(:erin, 'erasure request 42');
COMMIT;
RESET ROLE;
-- after: nowhere
SELECT * FROM pg_temp.mentions(ARRAY['erin.erased@apps.example', 'Erinmarie', 'Eraseworthy', 'Erinville', 'Erinstraat']);
-- the history stays, anonymous: her licenses, her enrollment, her events
SELECT count(*) AS licenses FROM enroll.license WHERE account_id = :erin;
SELECT count(*) AS enrollments FROM enroll.enrollment WHERE account_id = :erin;
SELECT count(*) >= :erin_events AS events_kept FROM enroll.event WHERE subject_account = :erin OR account_id = :erin;
SELECT email, firstname, lastname, status FROM enroll.order_participants WHERE account_id = :erin;
SELECT (SELECT report FROM enroll.purchase_order WHERE order_ref = 'APP-1') -> 'accounts' AS report_accounts;
-- nobody acts as or for her; her address is free for a new account
SET ROLE regress_apps_app;
SELECT pg_temp.error_of(format('SELECT enroll.act_as(%s)', :erin)) AS act_as_erased;
BEGIN;
SELECT enroll.act_as(:root);
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_account => %s)', :month, :erin)) AS accept_for_erased;
SELECT pg_temp.error_of(format('SELECT enroll.join_organization(%s, %s, %L)', :school, :erin, 'erased-' || :erin || '@erased.invalid')) AS add_erased;
COMMIT;
RESET ROLE;
SELECT id <> :erin AS a_new_account FROM enroll.register_account('erin.erased@apps.example');
-- the erased accounts' domain is theirs alone
SELECT pg_temp.error_of(format('SELECT enroll.register_account(%L)', 'erased-' || :erin || '@ERASED.invalid')) AS reserved_domain;
-- and the table keeps it so, for a DBA too
SELECT pg_temp.error_of(format('UPDATE enroll.account SET firstname = %L WHERE id = %s', 'Back', :erin)) AS refill_by_hand;

SELECT * FROM enroll.check_invariants();
RESET enroll.clock;
DROP ROLE regress_apps_app, regress_apps_reader;

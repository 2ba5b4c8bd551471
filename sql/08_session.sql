-- 08_session: enroll.setup_course_session, both forms (S1.1-S1.11).  The
-- SPOCM1 purchase of S1.8 end to end (accounts created or reused, the order's
-- group, enrollments, licenses, cross roles, support course, dates), then
-- idempotency and seats, the dry run, the URL-encoded form, and every refusal,
-- each followed by the proof that it changed nothing.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
SET enroll.clock = '2026-03-01 10:00:00+00';
-- the error a statement raises: SQLSTATE, message, detail and hint; the
-- statement runs in a subtransaction, so the enclosing transaction goes on
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
-- ids in reports and messages stay the same whatever earlier tests created
SELECT count(pg_catalog.setval(c.oid, 8000)) AS sequences_moved
  FROM pg_class c WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind = 'S';
-- everything a setup may write: row counts, and a digest of the rows it may
-- update (accounts, licenses, enrollments), so that an UPDATE shows too.
-- SECURITY DEFINER: it sees every row, whatever row-level security lets the
-- acting account see.
CREATE FUNCTION pg_temp.counts() RETURNS text LANGUAGE sql SECURITY DEFINER AS $$
    SELECT format('accounts=%s groups=%s members=%s enrollments=%s licenses=%s roles=%s orders=%s events=%s digest=%s',
        (SELECT count(*) FROM enroll.account), (SELECT count(*) FROM enroll.course_group),
        (SELECT count(*) FROM enroll.group_member), (SELECT count(*) FROM enroll.enrollment),
        (SELECT count(*) FROM enroll.license), (SELECT count(*) FROM enroll.role_assignment),
        (SELECT count(*) FROM enroll.purchase_order), (SELECT count(*) FROM enroll.event),
        md5((SELECT string_agg(a::text, '|' ORDER BY a.id) FROM enroll.account a) ||
            (SELECT string_agg(l::text, '|' ORDER BY l.id) FROM enroll.license l) ||
            (SELECT string_agg(e::text, '|' ORDER BY e.id) FROM enroll.enrollment e) ||
            (SELECT coalesce(string_agg(p::text, '|' ORDER BY p.id), '') FROM enroll.purchase_order p)))
$$;
CREATE ROLE regress_enroll_app LOGIN IN ROLE enroll_app;

-- S1.8: "SPOC Moodle appropriation, 5 weeks", ref SPOCM1, 10.00 EUR a seat; a
-- customer-support course (S1.7); a dedicated tutor role for another offer (S1.9)
-- (02_constraints and 04_catalogue_audit may have created SPOCM1 already: reuse it)
SELECT coalesce((SELECT id FROM enroll.course WHERE shortname = 'SPOCM1'),
                (SELECT id FROM enroll.create_course('SPOCM1', 'SPOC Moodle appropriation, 5 weeks'))) AS spoc \gset
SELECT id AS support FROM enroll.create_course('SPOC-SUPPORT', 'SPOC customer support') \gset
SELECT id AS other FROM enroll.create_course('SES-OTHER', 'Another course') \gset
INSERT INTO enroll.role (shortname, name) VALUES ('spoc_tutor', 'SPOC tutor') RETURNING id AS spoc_tutor \gset
SELECT id AS olga FROM enroll.register_account('olga.operator@shop.example', 'Olga', 'Operator') \gset
SELECT id AS admin FROM enroll.register_account('ses-root@example.org', 'Root', 'Admin') \gset
SELECT id AS pat FROM enroll.register_account('pat.plain@example.org', 'Pat', 'Plain') \gset
-- a learner the platform already knows, who already holds a license for SPOCM1
SELECT id AS kim FROM enroll.register_account('kim.known@example.org', 'Kim', 'Known') \gset
UPDATE enroll.account SET is_admin = true WHERE id = :admin;
-- the session runs 2026-03-09 08:00 to 2026-04-13 18:00 UTC: five weeks (S1.10)
SELECT extract(epoch FROM timestamptz '2026-03-09 08:00+00')::bigint AS t_start,
       extract(epoch FROM timestamptz '2026-04-13 18:00+00')::bigint AS t_end \gset
SELECT id AS spocm1, price, currency, required_level, handler_params
  FROM enroll.create_offer('SPOCM1', 'SPOC Moodle appropriation, 5 weeks', :spoc, 10.00, 'EUR',
                           '2026-01-01', '2026-06-30', '60 days',
                           handler_params => format('coursename=SPOCM1&customersupport=SPOC-SUPPORT&starttime=%s&endtime=%s', :t_start, :t_end)) \gset
SELECT :'price' AS price, :'currency' AS currency, :'required_level' AS required_level, :'handler_params' AS handler_params;
-- a free offer of the same course: a dedicated tutor role, a support course that does not exist, no dates
SELECT id AS team FROM enroll.create_offer('SPOCM1-TEAM', 'SPOC for teams', :spoc, 0, 'EUR', '2026-01-01', '2026-06-30', '90 days',
                           handler_params => 'coursename=SPOCM1&supervisor=spoc_tutor&customersupport=NO-SUCH-COURSE') \gset
-- a trial Kim took herself: her current license, to be superseded (S2.23)
SELECT id AS trial FROM enroll.create_offer('SPOCM1-TRIAL', 'Try SPOCM1', :spoc, 0, 'EUR', '2026-01-01', '2026-06-30', '14 days') \gset
-- offers that cannot set up a session
SELECT id AS closing FROM enroll.create_offer('SES-CLOSING', 'Ends mid-March', :spoc, 0, 'EUR', '2026-01-01', '2026-03-15', '30 days',
                           handler_params => 'coursename=SPOCM1') \gset
SELECT id AS later FROM enroll.create_offer('SES-LATER', 'Next autumn', :spoc, 0, 'EUR', '2026-09-01', '2026-12-31', '30 days',
                           handler_params => 'coursename=SPOCM1') \gset
SELECT id AS no_params FROM enroll.create_offer('SES-NOPARAMS', 'No handler', :spoc, 0, 'EUR', '2026-01-01', '2026-06-30', '30 days') \gset
SELECT id AS wrong_course FROM enroll.create_offer('SES-WRONG', 'Names another course', :spoc, 0, 'EUR', '2026-01-01', '2026-06-30', '30 days') \gset
SELECT id AS no_role FROM enroll.create_offer('SES-NOROLE', 'Missing tutor role', :spoc, 0, 'EUR', '2026-01-01', '2026-06-30', '30 days',
                           handler_params => 'coursename=SPOCM1&supervisor=coach') \gset
SELECT id AS bad_start FROM enroll.create_offer('SES-BADSTART', 'Bad start', :spoc, 0, 'EUR', '2026-01-01', '2026-06-30', '30 days') \gset
SELECT id AS backwards FROM enroll.create_offer('SES-BACKWARDS', 'Ends before it starts', :spoc, 0, 'EUR', '2026-01-01', '2026-06-30', '30 days') \gset
SELECT id AS bad_key FROM enroll.create_offer('SES-BADKEY', 'Unknown key', :spoc, 0, 'EUR', '2026-01-01', '2026-06-30', '30 days') \gset
SELECT id AS no_name FROM enroll.create_offer('SES-NONAME', 'No coursename', :spoc, 0, 'EUR', '2026-01-01', '2026-06-30', '30 days') \gset
SELECT id AS orgs FROM enroll.create_offer('SES-ORG', 'For organizations', :spoc, 0, 'EUR', '2026-01-01', '2026-06-30', '30 days',
                           recipient_kind => 'organization', seats => 10, handler_params => 'coursename=SPOCM1') \gset
SELECT id AS registrar FROM enroll.create_offer('SES-REGISTRAR', 'Needs a school', :spoc, 0, 'EUR', '2026-01-01', '2026-06-30', '30 days',
                           handler_params => 'coursename=SPOCM1') \gset
-- handler_params are checked when an offer is created or edited (22023) ...
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, handler_params => %L)$$, :wrong_course, 'coursename=SES-OTHER'));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, handler_params => %L)$$, :bad_start, 'coursename=SPOCM1&starttime=2026-03-09'));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, handler_params => %L)$$, :backwards, format('coursename=SPOCM1&starttime=%s&endtime=%s', :t_end, :t_start)));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, handler_params => %L)$$, :bad_key, 'coursename=SPOCM1&groupmode=separate'));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, handler_params => %L)$$, :no_name, 'supervisor=teacher'));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('SES-BAD', 'Bad', %s, 0, 'EUR', '2026-01-01', '2026-06-30', '30 days', handler_params => %L)$$, :spoc, 'coursename=SPOCM1&&x'));
-- ... and again at setup, for a DBA who writes them by hand
UPDATE enroll.offer SET handler_params = 'coursename=SES-OTHER' WHERE id = :wrong_course;
UPDATE enroll.offer SET handler_params = 'coursename=SPOCM1&starttime=2026-03-09' WHERE id = :bad_start;
UPDATE enroll.offer SET handler_params = format('coursename=SPOCM1&starttime=%s&endtime=%s', :t_end, :t_start) WHERE id = :backwards;
UPDATE enroll.offer SET handler_params = 'coursename=SPOCM1&groupmode=separate' WHERE id = :bad_key;
UPDATE enroll.offer SET handler_params = 'supervisor=teacher' WHERE id = :no_name;
SELECT code FROM enroll.create_organization_type('ses_school', 'School');
SELECT count(*) AS registrar_types FROM enroll.add_offer_registrar_type(:registrar, 'ses_school');

-- the participants of the S1.8 purchase: three learners and one tutor; Kim's
-- address in another case and with spaces, and other names
\set spocm1_people '[{"email": "ana.lopez@client.example", "firstname": "Ana", "lastname": "Lopez", "role": "learner"}, {"email": "ben.ng@client.example", "firstname": "Ben", "lastname": "Ng"}, {"email": "  KIM.Known@Example.ORG ", "firstname": "Kimberly", "lastname": "Other", "role": "learner"}, {"email": "theo.tutor@client.example", "firstname": "Théo", "lastname": "Tutor", "role": "tutor"}]'

SET ROLE regress_enroll_app;
BEGIN;
SELECT enroll.act_as(:kim);
SELECT offer_id = :trial AS kim_trial, access_until FROM enroll.accept_offer(:trial);
COMMIT;

-- not logged in (PE001): nobody acts
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('SO-2026-0001', %s, %s, 4, %L)$$, :spocm1, :olga, :'spocm1_people'));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('order=SO-2026-0001&offer=%s&operator=%s&seats=4', %L)$$, :spocm1, :olga, :'spocm1_people'));
SELECT pg_temp.counts() = :'before' AS nothing_changed;

BEGIN;
SELECT enroll.act_as(:olga);
-- the paid offer needs the operator's billing level (S2.11): PE004 until she supplies it
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('SO-2026-0001', %s, %s, 4, %L)$$, :spocm1, :olga, :'spocm1_people'));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
SELECT profile_level FROM enroll.upgrade_profile('billing',
    '{"address": {"street": "12 quai Perrache", "postal_code": "69002", "city": "Lyon", "country": "FR"}}');
COMMIT;

-- the purchase (S1.1): one call, the whole session
BEGIN;
SELECT enroll.act_as(:olga);
SELECT enroll.setup_course_session('SO-2026-0001', :spocm1, :olga, 4, :'spocm1_people') AS report \gset
COMMIT;
SELECT jsonb_pretty(:'report');
RESET ROLE;
SELECT pg_temp.counts() AS after_first \gset
-- S1.4: one group, keyed on the order reference, named after it
SELECT g.id, c.shortname AS course, g.idnumber, g.name,
       (SELECT count(*) FROM enroll.group_member m WHERE m.group_id = g.id) AS members
  FROM enroll.course_group g JOIN enroll.course c ON c.id = g.course_id WHERE g.idnumber = 'SO-2026-0001';
-- S1.5: three accounts created with the names given; Kim reused, her names kept
SELECT a.id, a.email, a.firstname, a.lastname, a.id = :kim AS is_kim
  FROM enroll.account a WHERE enroll.email_key(a.email) IN
       (SELECT enroll.email_key(p ->> 'email') FROM jsonb_array_elements(:'spocm1_people') p)
 ORDER BY a.id;
SELECT count(*) AS kim_accounts FROM enroll.account WHERE enroll.email_key(email) = enroll.email_key('KIM.KNOWN@example.org');
-- S1.2, S1.9, S1.10: everyone in SPOCM1, learners as student, the tutor as teacher,
-- in the order's group, from starttime to endtime, with the license of the order
SELECT a.email, r.shortname AS role, g.idnumber AS "group", e.time_start, e.time_end, e.order_ref,
       e.license_id = l.id AS own_license
  FROM enroll.enrollment e JOIN enroll.account a ON a.id = e.account_id JOIN enroll.role r ON r.id = e.role_id
  LEFT JOIN enroll.course_group g ON g.id = e.group_id
  LEFT JOIN enroll.license l ON l.account_id = e.account_id AND l.course_id = e.course_id AND l.ended_at IS NULL
 WHERE e.course_id = :spoc ORDER BY a.id;
-- one license each from the offer, accepted by the operator (S2.5, S2.8); price as paid
SELECT a.email, o.code AS offer, l.accepted_via, l.accepted_by = :olga AS by_operator, l.price_paid, l.currency,
       l.access_from, l.access_until, l.order_ref, l.ended_at
  FROM enroll.license l JOIN enroll.account a ON a.id = l.account_id JOIN enroll.offer o ON o.id = l.offer_id
 WHERE l.order_ref = 'SO-2026-0001' ORDER BY a.id;
-- S2.23: Kim's trial ended, superseded by the order's license; one current license each
SELECT o.code, l.ended_at, l.end_reason, s.order_ref AS superseded_by_order
  FROM enroll.license l JOIN enroll.offer o ON o.id = l.offer_id LEFT JOIN enroll.license s ON s.id = l.superseded_by
 WHERE l.account_id = :kim ORDER BY l.id;
SELECT count(*) FILTER (WHERE ended_at IS NULL) AS current_licenses, count(DISTINCT account_id) AS holders
  FROM enroll.license WHERE course_id = :spoc AND account_id IN (SELECT account_id FROM enroll.enrollment WHERE order_ref = 'SO-2026-0001');
SELECT a.email, enroll.access_status(a.id, :spoc) AS access
  FROM enroll.account a JOIN enroll.enrollment e ON e.account_id = a.id AND e.course_id = :spoc ORDER BY a.id;
-- S1.6: cross role assignments in user contexts, both ways
SELECT r.shortname AS role, ra.account_id = :olga AS held_by_operator, ra.context_level,
       ra.context_id = :olga AS in_operator_context, count(*) AS assignments,
       bool_and(ra.assigned_by = :olga AND ra.order_ref = 'SO-2026-0001') AS by_order
  FROM enroll.role_assignment ra JOIN enroll.role r ON r.id = ra.role_id
 WHERE ra.order_ref = 'SO-2026-0001' GROUP BY 1, 2, 3, 4 ORDER BY 1;
SELECT count(*) AS operator_manages_each
  FROM enroll.enrollment e JOIN enroll.role_assignment ra
    ON ra.account_id = :olga AND ra.context_level = 'user' AND ra.context_id = e.account_id
   AND ra.role_id = (SELECT id FROM enroll.role WHERE shortname = 'delegated_manager')
 WHERE e.order_ref = 'SO-2026-0001' AND e.course_id = :spoc;
SELECT count(*) AS each_managed_by_operator
  FROM enroll.enrollment e JOIN enroll.role_assignment ra
    ON ra.account_id = e.account_id AND ra.context_level = 'user' AND ra.context_id = :olga
   AND ra.role_id = (SELECT id FROM enroll.role WHERE shortname = 'delegated_user')
 WHERE e.order_ref = 'SO-2026-0001' AND e.course_id = :spoc;
-- S1.7: everyone also in the support course, as student, outside any group
SELECT a.email, r.shortname AS role, e.group_id, e.license_id, e.order_ref
  FROM enroll.enrollment e JOIN enroll.account a ON a.id = e.account_id JOIN enroll.role r ON r.id = e.role_id
 WHERE e.course_id = :support ORDER BY a.id;
-- the order keeps the request and the report
SELECT order_ref, operator_id = :olga AS by_olga, offer_id = :spocm1 AS of_offer, seats, status,
       report = :'report'::jsonb AS report_kept,
       request ->> 'participants' = jsonb_array_length(:'spocm1_people')::text
       AND request ->> 'participants_sha256' = encode(sha256(convert_to((:'spocm1_people'::jsonb)::text, 'UTF8')), 'hex')
       AND NOT request::text LIKE '%@%' AS request_kept_without_addresses
  FROM enroll.purchase_order WHERE order_ref = 'SO-2026-0001';
-- the audit log: one event per row written, all by the operator
SELECT what, table_name, count(*), bool_and(account_id = :olga) AS by_olga, min(db_role) AS db_role
  FROM enroll.event WHERE xid = (SELECT xid FROM enroll.event WHERE what = 'purchase_order.setup'
                                  AND row_id = (SELECT id FROM enroll.purchase_order WHERE order_ref = 'SO-2026-0001'))
 GROUP BY 1, 2 ORDER BY 1, 2;

-- the same call again (S1.4): nothing changes, the stored report comes back as already_done
SET ROLE regress_enroll_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT enroll.setup_course_session('SO-2026-0001', :spocm1, :olga, 4, :'spocm1_people') AS again \gset
COMMIT;
SELECT :'again'::jsonb ->> 'status' AS status, (:'again'::jsonb - 'status') = (:'report'::jsonb - 'status') AS same_report;
SELECT pg_temp.counts() = :'after_first' AS nothing_changed;
BEGIN;
SELECT enroll.act_as(:olga);
-- a subset of the participants, in another case, is also done
SELECT enroll.setup_course_session('SO-2026-0001', :spocm1, :olga, 4,
    '[{"email": "BEN.NG@client.example", "firstname": "B.", "lastname": "N."}]') ->> 'status' AS status;
SELECT pg_temp.counts() = :'after_first' AS nothing_changed;
-- a fifth participant does not fit: 4 seats bought, 4 set up (S1.3, PE017)
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('SO-2026-0001', %s, %s, 4, %L)$$, :spocm1, :olga,
    '[{"email": "zoe@client.example"}]'));
-- the same order with another offer or seat count (PE020; another operator below)
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('SO-2026-0001', %s, %s, 4, %L)$$, :team, :olga, :'spocm1_people'));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('SO-2026-0001', %s, %s, 5, %L)$$, :spocm1, :olga, :'spocm1_people'));
SELECT pg_temp.counts() = :'after_first' AS nothing_changed;
COMMIT;

-- S1.3: tutors take seats too: 3 seats do not hold 3 learners and a tutor
BEGIN;
SELECT enroll.act_as(:olga);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('SO-2026-0002', %s, %s, 3, %L)$$, :team, :olga,
    '[{"email": "l1@client.example"}, {"email": "l2@client.example"}, {"email": "l3@client.example"},
      {"email": "t1@client.example", "role": "tutor"}]'));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
COMMIT;

-- an order with seats left: a dedicated tutor role (S1.9), a support course
-- that does not exist (a warning, the setup goes on), no dates; the operator
-- supervises her own session herself (no cross role with herself)
BEGIN;
SELECT enroll.act_as(:olga);
SELECT jsonb_pretty(enroll.setup_course_session('SO-2026-0003', :team, :olga, 4,
    '[{"email": "olga.operator@shop.example", "role": "tutor"}, {"email": "lia@client.example", "firstname": "Lia", "lastname": "Moreau"}]'));
COMMIT;
RESET ROLE;
SELECT a.email, r.shortname AS role, e.time_start, e.time_end, g.idnumber AS "group"
  FROM enroll.enrollment e JOIN enroll.account a ON a.id = e.account_id JOIN enroll.role r ON r.id = e.role_id
  JOIN enroll.course_group g ON g.id = e.group_id WHERE e.order_ref = 'SO-2026-0003' ORDER BY a.id;
SELECT count(*) AS support_enrollments FROM enroll.enrollment WHERE order_ref = 'SO-2026-0003' AND course_id <> :spoc;
SELECT count(*) AS self_assignments FROM enroll.role_assignment WHERE account_id = :olga AND context_id = :olga;
SELECT pg_temp.counts() AS before \gset
SELECT count(*) AS accounts_before FROM enroll.account \gset
-- the same order with one new participant: only she is added (S1.4, S1.3)
SET ROLE regress_enroll_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT r ->> 'status' AS status, r -> 'group' AS "group", r -> 'seats' AS seats, r -> 'accounts' AS accounts,
       jsonb_path_query_array(r, '$.enrollments[*].email') AS enrolled, r -> 'delegated_roles' AS delegated_roles,
       r -> 'superseded_licenses' AS superseded
  FROM enroll.setup_course_session('SO-2026-0003', :team, :olga, 4,
    '[{"email": "olga.operator@shop.example", "role": "tutor"}, {"email": "lia@client.example", "firstname": "Lia", "lastname": "Moreau"},
      {"email": "max@client.example", "firstname": "Max", "lastname": "Petit"}]') r;
COMMIT;
RESET ROLE;
SELECT pg_temp.counts() AS after \gset
SELECT (SELECT count(*) FROM enroll.account) - :accounts_before AS new_accounts,
       (SELECT count(*) FROM enroll.enrollment WHERE order_ref = 'SO-2026-0003') AS enrollments,
       (SELECT count(*) FROM enroll.group_member m JOIN enroll.course_group g ON g.id = m.group_id WHERE g.idnumber = 'SO-2026-0003') AS members,
       (SELECT count(*) FROM enroll.course_group WHERE idnumber = 'SO-2026-0003') AS groups;
-- the first two keep their licenses: nothing was superseded for them
SELECT a.email, count(*) AS licenses, count(*) FILTER (WHERE l.ended_at IS NULL) AS current
  FROM enroll.license l JOIN enroll.account a ON a.id = l.account_id WHERE l.order_ref = 'SO-2026-0003'
 GROUP BY a.id, a.email ORDER BY a.id;
-- full now: one more is refused and leaves nothing
SET ROLE regress_enroll_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('SO-2026-0003', %s, %s, 4, %L)$$, :team, :olga,
    '[{"email": "noe@client.example"}, {"email": "lia@client.example"}, {"email": "max@client.example"}, {"email": "ivy@client.example"}]'));
SELECT pg_temp.counts() = :'after' AS nothing_changed;
COMMIT;

-- dry run: the full report, and nothing written: no row, no event, no order;
-- Ana, already set up by SO-2026-0001, would get a new license (S2.23)
BEGIN;
SELECT enroll.act_as(:olga);
SELECT pg_temp.counts() AS before \gset
SELECT r ->> 'status' AS status, r -> 'dry_run' AS dry_run, r -> 'seats' AS seats, r -> 'accounts' AS accounts,
       jsonb_path_query_array(r, '$.enrollments[*].role') AS roles, r -> 'superseded_licenses' AS superseded,
       r -> 'delegated_roles' AS delegated_roles, r -> 'support_enrollments' AS support_enrollments
  FROM enroll.setup_course_session('SO-2026-0004', :spocm1, :olga, 3,
    '[{"email": "dry1@client.example"}, {"email": "ana.lopez@client.example"}, {"email": "dry2@client.example", "role": "tutor"}]',
    dry_run => true) r;
SELECT pg_temp.counts() = :'before' AS nothing_changed,
       (SELECT count(*) FROM enroll.purchase_order WHERE order_ref = 'SO-2026-0004') AS orders,
       (SELECT count(*) FROM enroll.account WHERE email LIKE 'dry%') AS dry_accounts;
SELECT enroll.setup_course_session('SO-2026-0004', :spocm1, :olga, 3,
    '[{"email": "dry1@client.example"}, {"email": "ana.lopez@client.example"}, {"email": "dry2@client.example", "role": "tutor"}]',
    dry_run => true) AS dry \gset
-- the real run reports the same (ids of new rows aside)
SELECT enroll.setup_course_session('SO-2026-0004', :spocm1, :olga, 3,
    '[{"email": "dry1@client.example"}, {"email": "ana.lopez@client.example"}, {"email": "dry2@client.example", "role": "tutor"}]') AS real \gset
SELECT (:'dry'::jsonb - 'dry_run' - 'problems' - 'group' - 'enrollments') = (:'real'::jsonb - 'group' - 'enrollments') AS same_report,
       jsonb_path_query_array(:'dry', '$.enrollments[*].email') = jsonb_path_query_array(:'real', '$.enrollments[*].email') AS same_people,
       jsonb_path_query_array(:'dry', '$.enrollments[*].role') = jsonb_path_query_array(:'real', '$.enrollments[*].role') AS same_roles,
       :'real'::jsonb ? 'dry_run' AS real_says_dry_run;
SELECT pg_temp.counts() AS before \gset
-- a dry run of a done order says so, and writes nothing either
SELECT r ->> 'status' AS status, r -> 'dry_run' AS dry_run
  FROM enroll.setup_course_session('SO-2026-0001', :spocm1, :olga, 4, :'spocm1_people', dry_run => true) r;
SELECT pg_temp.counts() = :'before' AS nothing_changed;
-- the actor survives the dry run's rollback
SELECT enroll.current_account() = :olga AS still_olga;
COMMIT;
RESET ROLE;
-- Ana, bought again by another order: one current license, the latest (S2.23)
SELECT l.order_ref, l.ended_at IS NULL AS current, l.end_reason, s.order_ref AS superseded_by_order
  FROM enroll.license l LEFT JOIN enroll.license s ON s.id = l.superseded_by
 WHERE l.account_id = (SELECT id FROM enroll.account WHERE email = 'ana.lopez@client.example') ORDER BY l.id;
SET ROLE regress_enroll_app;

-- the URL-encoded form (S1.11): "/" and " " percent-encoded in the order reference
BEGIN;
SELECT enroll.act_as(:olga);
SELECT r ->> 'order' AS "order", r ->> 'status' AS status, r -> 'group' ->> 'idnumber' AS group_idnumber, r -> 'seats' AS seats
  FROM enroll.setup_course_session(format('order=SO%%2F2026%%2F0005%%20B&offer=%s&operator=%s&seats=2', :spocm1, :olga),
    '[{"email": "url@client.example", "firstname": "Ulla", "lastname": "Url"}]') r;
-- the same, again, by the other form: done
SELECT enroll.setup_course_session('SO/2026/0005 B', :spocm1, :olga, 2, '[{"email": "url@client.example"}]') ->> 'status' AS status;
SELECT pg_temp.counts() AS before \gset
-- malformed parameter strings (22023)
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('order=X1&offer=%s&operator=%s&seats=2&coupon=FREE', '[{"email": "x@client.example"}]')$$, :spocm1, :olga));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('order=X1&offer=%s&operator=%s&seats=2&seats=3', '[{"email": "x@client.example"}]')$$, :spocm1, :olga));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('order=X1&offer=%s&operator=%s', '[{"email": "x@client.example"}]')$$, :spocm1, :olga));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('order=X%%2G1&offer=%s&operator=%s&seats=2', '[{"email": "x@client.example"}]')$$, :spocm1, :olga));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('order=X1&offer=%s&operator=%s&seats=two', '[{"email": "x@client.example"}]')$$, :spocm1, :olga));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('order=X1&offer=%s&operator=%s&seats=0', '[{"email": "x@client.example"}]')$$, :spocm1, :olga));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('order=X1&offer=first&operator=%s&seats=2', '[{"email": "x@client.example"}]')$$, :olga));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('order=&offer=%s&operator=%s&seats=2', '[{"email": "x@client.example"}]')$$, :spocm1, :olga));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('order=X1&offer=%s&operator=%s&&seats=2', '[{"email": "x@client.example"}]')$$, :spocm1, :olga));
SELECT pg_temp.error_of($$SELECT enroll.setup_course_session('', '[{"email": "x@client.example"}]')$$);
SELECT pg_temp.counts() = :'before' AS nothing_changed;
COMMIT;

-- bad participants (22023), each named by index and address in DETAIL
BEGIN;
SELECT enroll.act_as(:olga);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('SO-BAD', %s, %s, 5, %L)$$, :spocm1, :olga, p))
  FROM unnest(ARRAY[
    '[{"email": "ok@client.example"}, {"email": "not-an-address", "firstname": "No", "lastname": "At"}]',
    '[{"email": "Twice@Client.example"}, {"email": "ok@client.example"}, {"email": " twice@client.EXAMPLE"}]',
    '[{"email": "ok@client.example", "phone": "+33 1 23 45 67 89"}]',
    '[{"email": "ok@client.example"}, {"email": "boss@client.example", "role": "manager"}]',
    '[{"email": "ok@client.example"}, "str@client.example"]',
    '{"email": "ok@client.example"}',
    '[]',
    '[{"email": 42}]',
    '[{"firstname": "No", "lastname": "Email"}]',
    '[{"email": "ok@client.example", "firstname": ["A"]}]',
    '[{"email": "ok@client.example", "role": null}, {"email": "ok2@client.example", "role": 1}]']::jsonb[]) AS p;
SELECT pg_temp.counts() = :'before' AS nothing_changed;
COMMIT;

-- NULL arguments (22004), non-positive seats and an empty order reference (22023)
BEGIN;
SELECT enroll.act_as(:olga);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session(NULL, %s, %s, 2, '[{"email": "x@client.example"}]')$$, :spocm1, :olga));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('X1', NULL, %s, 2, '[{"email": "x@client.example"}]')$$, :olga));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('X1', %s, NULL, 2, '[{"email": "x@client.example"}]')$$, :spocm1));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('X1', %s, %s, NULL, '[{"email": "x@client.example"}]')$$, :spocm1, :olga));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('X1', %s, %s, 2, NULL)$$, :spocm1, :olga));
SELECT pg_temp.error_of($$SELECT enroll.setup_course_session(NULL::text, '[{"email": "x@client.example"}]')$$);
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('order=X1&offer=%s&operator=%s&seats=2', NULL)$$, :spocm1, :olga));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('X1', %s, %s, 0, '[{"email": "x@client.example"}]')$$, :spocm1, :olga));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('X1', %s, %s, -3, '[{"email": "x@client.example"}]')$$, :spocm1, :olga));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('  ', %s, %s, 2, '[{"email": "x@client.example"}]')$$, :spocm1, :olga));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
COMMIT;

-- offers that cannot set up a session
BEGIN;
SELECT enroll.act_as(:olga);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('X1', %s, %s, 2, '[{"email": "x@client.example"}]')$$, o, :olga))
  FROM unnest(ARRAY[-1, :later, :no_params, :wrong_course, :no_role, :bad_start, :backwards, :bad_key, :no_name, :orgs, :registrar]) AS o;
SELECT pg_temp.counts() = :'before' AS nothing_changed;
COMMIT;

-- S2.5 with time travel: once the offer has expired, no session (PE002)
RESET ROLE;
SET enroll.clock = '2026-03-20 09:00:00+00';
SET ROLE regress_enroll_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT pg_temp.counts() AS before \gset
SELECT enroll.offer_state(:closing) AS state;
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('X1', %s, %s, 2, '[{"email": "x@client.example"}]')$$, :closing, :olga));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
COMMIT;
RESET ROLE;
SET enroll.clock = '2026-03-01 10:00:00+00';
SET ROLE regress_enroll_app;

-- who may set up: another plain account may not act for the operator (42501) ...
BEGIN;
SELECT enroll.act_as(:pat);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('SO-2026-0006', %s, %s, 2, '[{"email": "adm@client.example"}]')$$, :spocm1, :olga));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('order=SO-2026-0006&offer=%s&operator=%s&seats=2', '[{"email": "adm@client.example"}]')$$, :spocm1, :olga));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
COMMIT;
-- ... a system administrator may (S2.8): the operator stays the one who accepted
BEGIN;
SELECT enroll.act_as(:admin);
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('SO-2026-0006', %s, 999999, 2, '[{"email": "adm@client.example"}]')$$, :spocm1));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('SO-2026-0006', %s, %s, 2, '[{"email": "adm@client.example"}]')$$, :spocm1, :pat));
-- the same order with another operator (PE020): Olga's order, placed again for Pat
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('SO-2026-0003', %s, %s, 4, %L)$$, :team, :pat,
    '[{"email": "lia@client.example"}]'));
SELECT r ->> 'status' AS status, r -> 'accounts' AS accounts, r -> 'operator' = to_jsonb(:olga) AS for_olga
  FROM enroll.setup_course_session('SO-2026-0006', :spocm1, :olga, 2, '[{"email": "adm@client.example", "firstname": "Ada", "lastname": "Min"}]') r;
COMMIT;
RESET ROLE;
SELECT l.accepted_via, l.accepted_by = :olga AS accepted_by_operator, e.account_id = :admin AS event_by_admin,
       ra.assigned_by = :olga AS assigned_by_operator
  FROM enroll.license l
  JOIN enroll.event e ON e.what = 'license.accept' AND e.row_id = l.id
  JOIN enroll.role_assignment ra ON ra.order_ref = l.order_ref AND ra.account_id = l.account_id
 WHERE l.order_ref = 'SO-2026-0006';

-- a dry run that fails inside the caller's exception block closes its own
-- subtransaction: the caller's transaction goes on, and a later dry run and
-- the COMMIT work
SET ROLE regress_enroll_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('SO-2026-0099', %s, %s, 2,
    '[{"email": "dry1@client.example"}, {"email": "dry2@client.example"}]', dry_run => true)$$, :later, :olga));
SELECT r ->> 'status' AS status, r -> 'dry_run' AS dry_run
  FROM enroll.setup_course_session('SO-2026-0099', :spocm1, :olga, 2,
    '[{"email": "dry1@client.example"}, {"email": "dry2@client.example"}]', dry_run => true) r;
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('SO-2026-0099', %s, %s, 2,
    '[{"email": "dry1@client.example"}, {"email": "dry2@client.example"}]', dry_run => true)$$, :later, :olga));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('SO-2026-0099', %s, %s, 2, '[]', dry_run => NULL)$$, :spocm1, :olga));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
COMMIT;
RESET ROLE;

-- retrying an order that is done still answers already_done once the offer has closed
SELECT valid_until AS spocm1_until FROM enroll.offer WHERE id = :spocm1 \gset
SET enroll.clock = :'spocm1_until';
SET ROLE regress_enroll_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT enroll.setup_course_session('SO-2026-0006', :spocm1, :olga, 2, '[{"email": "adm@client.example"}]') ->> 'status' AS status_after_close;
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('SO-2026-0006', %s, %s, 2, '[{"email": "late@client.example"}]')$$, :spocm1, :olga));
COMMIT;
RESET ROLE;

-- after all of it, the data is healthy
SELECT invariant, violations, example FROM enroll.check_invariants();

RESET enroll.clock;
DROP ROLE regress_enroll_app;

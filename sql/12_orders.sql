-- 12_orders: orders and sessions as a training company runs them (1.2).
-- The session's dates are the participants' access window (learners, tutors
-- and the support course, S1.7/S1.10) at every instant that matters; the
-- operator ticks the offer's extra condition (S2.21-S2.22); a dry run lists
-- every bad participant; the order's own seat code (PE021) with readable
-- figures; enrollments follow the license that gives access; removing a
-- participant and cancelling an order, with what each gives back.
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
SELECT count(pg_catalog.setval(c.oid, 12000)) AS sequences_moved
  FROM pg_class c WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind = 'S';
CREATE ROLE regress_orders_app LOGIN IN ROLE enroll_app;
-- what an order left behind, row by row (as a superuser sees it)
CREATE FUNCTION pg_temp.order_rows(ref text) RETURNS TABLE (email text, in_group boolean, removed_reason text,
    license_end enroll.license_end_reason, enrollments_live bigint, roles bigint)
LANGUAGE sql AS $$
    SELECT a.email, m.removed_at IS NULL, m.removed_reason,
           (SELECT l.end_reason FROM enroll.license l WHERE l.order_id = o.id AND l.account_id = a.id),
           (SELECT count(*) FROM enroll.enrollment e WHERE e.order_id = o.id AND e.account_id = a.id
                AND (e.time_end IS NULL OR e.time_end > enroll.clock_now())),
           (SELECT count(*) FROM enroll.role_assignment r WHERE r.order_id = o.id AND r.account_id = a.id)
      FROM enroll.purchase_order o
      JOIN enroll.course_group g ON g.order_id = o.id
      JOIN enroll.group_member m ON m.group_id = g.id
      JOIN enroll.account a ON a.id = m.account_id
     WHERE o.order_ref = ref ORDER BY a.email
$$;
-- the access of a few people to the session course and the support course
CREATE FUNCTION pg_temp.access_at(instant timestamptz, accounts bigint[], session_course bigint, support_course bigint)
RETURNS TABLE (account bigint, session text, support text) LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('enroll.clock', instant::text, true);
    RETURN QUERY SELECT u.a, enroll.access_status(u.a, session_course)::text, enroll.access_status(u.a, support_course)::text
                   FROM unnest(accounts) WITH ORDINALITY u(a, n) ORDER BY n;
END $$;

SELECT id AS course FROM enroll.create_course('ORD-SPOC', 'SPOC, June session') \gset
SELECT id AS support FROM enroll.create_course('ORD-SUPPORT', 'SPOC support') \gset
SELECT id AS admin FROM enroll.register_account('root@orders.example', 'Root', 'Admin') \gset
UPDATE enroll.account SET is_admin = true WHERE id = :admin;
SELECT id AS olga FROM enroll.register_account('olga@orders.example', 'Olga', 'Operator') \gset
SELECT id AS oscar FROM enroll.register_account('oscar@orders.example', 'Oscar', 'Other') \gset
SELECT id AS kim FROM enroll.register_account('kim@orders.example', 'Kim', 'Known') \gset
-- operators buy paid sessions: their invoice data first (S2.11)
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT profile_level FROM enroll.upgrade_profile('billing',
       '{"address": {"street": "1 quai B", "postal_code": "69001", "city": "Lyon", "country": "FR"}}');
SELECT enroll.act_as(:oscar);
SELECT profile_level FROM enroll.upgrade_profile('billing',
       '{"address": {"street": "2 quai C", "postal_code": "69002", "city": "Lyon", "country": "FR"}}');
COMMIT;
RESET ROLE;
-- the session runs 2026-06-01 08:00 to 2026-07-06 18:00 UTC and is sold from March
SELECT extract(epoch FROM timestamptz '2026-06-01 08:00+00')::bigint AS t_start,
       extract(epoch FROM timestamptz '2026-07-06 18:00+00')::bigint AS t_end \gset
SELECT id AS june FROM enroll.create_offer('ORD-JUNE', 'June session', :course, 450, 'EUR', '2026-01-01', '2026-12-31', '35 days',
       handler_params => format('coursename=ORD-SPOC&customersupport=ORD-SUPPORT&starttime=%s&endtime=%s', :t_start, :t_end)) \gset
-- the same session with an extra condition the buyer must accept (S2.21)
SELECT id AS cond FROM enroll.create_offer('ORD-COND', 'June session, conditions', :course, 450, 'EUR', '2026-01-01', '2026-12-31',
       '35 days', extra_condition => 'Participants are employees of the buyer',
       handler_params => format('coursename=ORD-SPOC&customersupport=ORD-SUPPORT&starttime=%s&endtime=%s', :t_start, :t_end)) \gset
-- no dates: from the purchase for the access period
SELECT id AS nodates FROM enroll.create_offer('ORD-NODATES', 'Self-paced', :course, 90, 'EUR', '2026-01-01', '2026-12-31', '30 days',
       handler_params => 'coursename=ORD-SPOC&customersupport=ORD-SUPPORT') \gset
SELECT id AS month FROM enroll.create_offer('ORD-MONTH', 'A month', :course, 0, 'EUR', '2026-01-01', '2026-12-31', '30 days') \gset
SELECT id AS year FROM enroll.create_offer('ORD-YEAR', 'A year', :course, 0, 'EUR', '2026-01-01', '2026-12-31', '365 days') \gset

-------------------------------------------------------------------------------
-- 1. The session's dates are the access window (S1.10), for learners, tutors
--    and the support course (S1.7)
-------------------------------------------------------------------------------
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT r -> 'access' AS access, r -> 'seats' AS seats, r -> 'support_enrollments' AS support
  FROM enroll.setup_course_session('ORD-1', :june, :olga, 3,
       '[{"email": "lea@orders.example", "firstname": "Lea", "lastname": "Learner"},
         {"email": "theo@orders.example", "firstname": "Theo", "lastname": "Tutor", "role": "tutor"},
         {"email": "luc@orders.example", "firstname": "Luc", "lastname": "Learner"}]') r;
COMMIT;
RESET ROLE;
SELECT id AS lea FROM enroll.account WHERE email = 'lea@orders.example' \gset
SELECT id AS theo FROM enroll.account WHERE email = 'theo@orders.example' \gset
SELECT id AS luc FROM enroll.account WHERE email = 'luc@orders.example' \gset
-- every license, learner's and tutor's alike, runs from the start to the end
SELECT a.email, l.access_from, l.access_until, l.accepted_via
  FROM enroll.license l JOIN enroll.account a ON a.id = l.account_id
 WHERE l.order_id = (SELECT id FROM enroll.purchase_order WHERE order_ref = 'ORD-1') ORDER BY a.email;
-- the enrollments agree with the licenses, the support course's included
SELECT a.email, c.shortname, e.time_start, e.time_end, e.license_id IS NOT NULL AS linked, e.via_license IS NOT NULL AS support_link
  FROM enroll.enrollment e JOIN enroll.account a ON a.id = e.account_id JOIN enroll.course c ON c.id = e.course_id
 WHERE e.order_id = (SELECT id FROM enroll.purchase_order WHERE order_ref = 'ORD-1') ORDER BY a.email, c.shortname;
-- before, at the start, inside, the last minute, at the end, after
SELECT t AS instant, x.*
  FROM unnest(ARRAY[timestamptz '2026-03-01 10:00+00', '2026-06-01 07:59+00', '2026-06-01 08:00+00', '2026-06-20 12:00+00',
                    '2026-07-06 17:59+00', '2026-07-06 18:00+00', '2026-08-01 00:00+00']) t,
       LATERAL pg_temp.access_at(t, ARRAY[:lea, :theo]::bigint[], :course, :support) x;
SET enroll.clock = '2026-03-01 10:00:00+00';
-- without dates, the license runs from the purchase for the access period
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT r -> 'access' AS access FROM enroll.setup_course_session('ORD-NODATES', :nodates, :olga, 1,
       '[{"email": "sam@orders.example"}]') r;
COMMIT;
RESET ROLE;
SELECT id AS sam FROM enroll.account WHERE email = 'sam@orders.example' \gset
SELECT x.* FROM unnest(ARRAY[timestamptz '2026-03-01 10:00+00', '2026-03-31 09:59+00', '2026-03-31 10:00+00']) t,
       LATERAL pg_temp.access_at(t, ARRAY[:sam]::bigint[], :course, :support) x;
SET enroll.clock = '2026-03-01 10:00:00+00';

-------------------------------------------------------------------------------
-- 2. The operator ticks the offer's extra condition (S2.21-S2.22)
-------------------------------------------------------------------------------
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('ORD-COND', %s, %s, 1, '[{"email": "cy@orders.example"}]')$$,
                               :cond, :olga)) AS unticked;
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('order=ORD-COND&offer=%s&operator=%s&seats=1',
                               '[{"email": "cy@orders.example"}]')$$, :cond, :olga)) AS unticked_url_form;
SELECT r ->> 'status' AS status FROM enroll.setup_course_session('ORD-COND', :cond, :olga, 1,
       '[{"email": "cy@orders.example"}]', accept_condition => true) r;
COMMIT;
RESET ROLE;
SELECT count(*) FILTER (WHERE accepted_condition = 'Participants are employees of the buyer') AS with_the_text, count(*) AS licenses
  FROM enroll.license WHERE order_id = (SELECT id FROM enroll.purchase_order WHERE order_ref = 'ORD-COND');
SELECT count(*) AS orders_left_by_the_refusal FROM enroll.purchase_order WHERE order_ref = 'ORD-COND';

-------------------------------------------------------------------------------
-- 3. Every bad participant at once (dry run), and the order's own seat code
-------------------------------------------------------------------------------
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT p ->> 'index' AS index, p ->> 'email' AS email, p ->> 'problem' AS problem
  FROM jsonb_array_elements((enroll.setup_course_session('ORD-BAD', :june, :olga, 10,
       '[{"email": "ok@orders.example"},
         {"email": "not an address"},
         {"email": "OK@orders.example "},
         {"email": "x@orders.example", "role": "boss"},
         {"email": "y@orders.example", "phone": "123"},
         42,
         {"email": "z@orders.example", "firstname": 7}]', dry_run => true)) -> 'problems') p;
-- the real run refuses at the first and writes nothing
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('ORD-BAD', %s, %s, 10,
       '[{"email": "ok@orders.example"}, {"email": "not an address"}]')$$, :june, :olga)) AS real_run;
-- a good list has no problems
SELECT (enroll.setup_course_session('ORD-BAD', :june, :olga, 10, '[{"email": "ok@orders.example"}]', dry_run => true))
       -> 'problems' AS none;
-- seats: bought, used, left, readable without parsing a message; a dry run
-- lists too few seats among the problems, with what is missing
SELECT r -> 'seats' AS seats, r ->> 'status' AS status, r -> 'problems' AS problems
  FROM enroll.setup_course_session('ORD-1', :june, :olga, 3,
       '[{"email": "lea@orders.example"}, {"email": "new.one@orders.example"}]', dry_run => true) r;
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('ORD-1', %s, %s, 3,
       '[{"email": "lea@orders.example"}, {"email": "new.one@orders.example"}]')$$, :june, :olga)) AS too_few_seats;
COMMIT;
RESET ROLE;
SELECT count(*) AS orders_named_ord_bad FROM enroll.purchase_order WHERE order_ref = 'ORD-BAD';

-------------------------------------------------------------------------------
-- 4. Enrollments follow the license that gives access: the person's own
--    later acceptance supersedes the session license (S2.23) and the
--    enrollments move to it
-------------------------------------------------------------------------------
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:luc);
SELECT id AS luc_year, outcome FROM enroll.accept_offer(:year) \gset
COMMIT;
RESET ROLE;
SELECT :'outcome' AS luc_own_choice;
SELECT c.shortname, e.license_id = :luc_year AS session_course_follows, e.via_license = :luc_year AS support_follows
  FROM enroll.enrollment e JOIN enroll.course c ON c.id = e.course_id
 WHERE e.account_id = :luc AND e.order_id IS NOT NULL ORDER BY c.shortname;
SELECT enroll.access_status(:luc, :course) AS luc_course, enroll.access_status(:luc, :support) AS luc_support;
-- the support-course enrollment follows on its own too: with Lea's course
-- enrollment deleted by hand, only its via_license names her license
-- (accept_offer looks for both links before moving them; rolled back)
BEGIN;
DELETE FROM enroll.enrollment WHERE account_id = :lea AND course_id = :course AND order_id IS NOT NULL;
SET LOCAL ROLE regress_orders_app;
SELECT enroll.act_as(:lea);
SELECT id AS lea_year FROM enroll.accept_offer(:year) \gset
RESET ROLE;
SELECT e.via_license = :lea_year AS lea_support_follows_alone
  FROM enroll.enrollment e WHERE e.account_id = :lea AND e.course_id = :support;
ROLLBACK;

-------------------------------------------------------------------------------
-- 5. Removing a participant: the operator takes Luc out (he fell ill); his
--    seat is free again and a later call of the same order gives it to Mo
-------------------------------------------------------------------------------
-- Kim has her own month before the order names her: the order's license
-- starts in June, her month ends in March; removal gives her month back
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:kim);
SELECT id AS kim_month FROM enroll.accept_offer(:month) \gset
SELECT enroll.act_as(:olga);
SELECT r -> 'seats' AS seats FROM enroll.setup_course_session('ORD-2', :june, :olga, 2,
       '[{"email": "kim@orders.example"}, {"email": "nina@orders.example"}]') r;
COMMIT;
RESET ROLE;
SELECT id AS nina FROM enroll.account WHERE email = 'nina@orders.example' \gset
SELECT l.id = :kim_month AS her_month, l.ended_at, l.end_reason FROM enroll.license l WHERE l.account_id = :kim ORDER BY l.id;
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT enroll.remove_participant('ORD-2', :kim, 'changed her mind') AS report;
COMMIT;
RESET ROLE;
SELECT l.id = :kim_month AS her_month, l.ended_at, l.end_reason, l.end_note FROM enroll.license l WHERE l.account_id = :kim ORDER BY l.id;
SELECT x.* FROM unnest(ARRAY[timestamptz '2026-03-15 10:00+00', '2026-06-15 10:00+00']) t,
       LATERAL pg_temp.access_at(t, ARRAY[:kim, :nina]::bigint[], :course, :support) x;
SET enroll.clock = '2026-03-01 10:00:00+00';
SELECT * FROM pg_temp.order_rows('ORD-2');
-- Luc: his own year superseded the session license; removal from the order
-- takes him out of the group and the support course, his year stays his
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT enroll.remove_participant('ORD-1', :luc, 'ill') -> 'seats' AS seats_after;
-- the same again: nothing more, said so
SELECT enroll.remove_participant('ORD-1', :luc) ->> 'status' AS again;
-- the seat goes to Mo; Luc, named again by a retry of the old call, is not brought back
SELECT r -> 'seats' AS seats, r -> 'removed' AS not_brought_back, r -> 'accounts' AS accounts
  FROM enroll.setup_course_session('ORD-1', :june, :olga, 3,
       '[{"email": "lea@orders.example"}, {"email": "theo@orders.example", "role": "tutor"},
         {"email": "luc@orders.example"}, {"email": "mo@orders.example"}]') r;
COMMIT;
RESET ROLE;
SELECT * FROM pg_temp.order_rows('ORD-1');
SELECT enroll.access_status(:luc, :course) AS luc_keeps_his_year, enroll.access_status(:luc, :support) AS luc_support;
-- refusals: not a participant, an unknown order, another operator's order
-- (the same answer as an unknown one), no acting account
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT pg_temp.error_of(format($$SELECT enroll.remove_participant('ORD-1', %s)$$, :kim)) AS not_a_participant;
SELECT pg_temp.error_of(format($$SELECT enroll.remove_participant('ORD-NONE', %s)$$, :lea)) AS unknown_order;
SELECT enroll.act_as(:oscar);
SELECT pg_temp.error_of(format($$SELECT enroll.remove_participant('ORD-1', %s)$$, :lea)) AS oscar_on_olgas_order;
SELECT pg_temp.error_of(format($$SELECT enroll.remove_participant('ORD-1', %s, operator => %s)$$, :lea, :olga)) AS oscar_naming_olga;
COMMIT;
SELECT pg_temp.error_of(format($$SELECT enroll.remove_participant('ORD-1', %s)$$, :lea)) AS nobody_acting;
RESET ROLE;
SELECT count(*) AS lea_still_in FROM pg_temp.order_rows('ORD-1') WHERE email = 'lea@orders.example' AND in_group;

-------------------------------------------------------------------------------
-- 6. Cancelling an order (a refund): system admins only; everything the
--    order gave ends, what it had superseded comes back if its time is not
--    over; idempotent; a cancelled order takes no more participants
-------------------------------------------------------------------------------
-- Pia holds a fortnight and Ray a week, both shorter than the order's month,
-- which supersedes them; when the order is cancelled ten days later, Ray's
-- week is over and Pia's fortnight is not
SELECT id AS week FROM enroll.create_offer('ORD-WEEK', 'A week', :course, 0, 'EUR', '2026-01-01', '2026-12-31', '7 days') \gset
SELECT id AS fortnight FROM enroll.create_offer('ORD-FORTNIGHT', 'A fortnight', :course, 0, 'EUR', '2026-01-01', '2026-12-31', '14 days') \gset
SELECT id AS pia FROM enroll.register_account('pia@orders.example', 'Pia', 'Prior') \gset
SELECT id AS ray FROM enroll.register_account('ray@orders.example', 'Ray', 'Runout') \gset
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:pia);
SELECT id AS pia_fortnight FROM enroll.accept_offer(:fortnight) \gset
SELECT enroll.act_as(:ray);
SELECT id AS ray_week FROM enroll.accept_offer(:week) \gset
COMMIT;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT r -> 'seats' AS seats FROM enroll.setup_course_session('ORD-3', :nodates, :olga, 4,
       '[{"email": "pia@orders.example"}, {"email": "ray@orders.example"},
         {"email": "tom@orders.example", "role": "tutor"}, {"email": "una@orders.example"}]') r;
-- the operator cannot cancel: a refund is the merchant's decision
SELECT pg_temp.error_of($$SELECT enroll.cancel_order('ORD-3', 'refund')$$) AS operator_cancels;
COMMIT;
RESET ROLE;
SELECT id AS tom FROM enroll.account WHERE email = 'tom@orders.example' \gset
SELECT id AS una FROM enroll.account WHERE email = 'una@orders.example' \gset
SET enroll.clock = '2026-03-11 10:00:00+00';
-- first under a trigger a DBA put on the audit log (rolled back): the
-- cancellation's events are then written by the INSERT (src/event_write.c),
-- and the trigger sees each of them
BEGIN;
CREATE TABLE public.regress_seen (what text, has_digest boolean);
CREATE FUNCTION public.regress_seen() RETURNS trigger LANGUAGE plpgsql AS
$$BEGIN INSERT INTO public.regress_seen VALUES (NEW.what, NEW.digest IS NOT NULL); RETURN NULL; END$$;
CREATE TRIGGER regress_seen AFTER INSERT ON enroll.event FOR EACH ROW EXECUTE FUNCTION public.regress_seen();
SET LOCAL ROLE regress_orders_app;
SELECT enroll.act_as(:admin);
SELECT enroll.cancel_order('ORD-3', 'customer refund') ->> 'status' AS under_a_dba_trigger;
RESET ROLE;
SELECT s.what, count(*) AS seen_by_the_trigger, bool_and(s.has_digest) AS with_digests,
       (SELECT count(*) FROM enroll.event e WHERE e.xid = pg_current_xact_id() AND e.what = s.what) AS written
  FROM public.regress_seen s GROUP BY s.what ORDER BY s.what;
ROLLBACK;
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:admin);
SELECT jsonb_pretty(enroll.cancel_order('ORD-3', 'customer refund') - 'order_id') AS report;
COMMIT;
RESET ROLE;
SELECT * FROM pg_temp.order_rows('ORD-3');
SELECT a.email, l.id IN (:pia_fortnight, :ray_week) AS earlier, l.ended_at, l.end_reason
  FROM enroll.license l JOIN enroll.account a ON a.id = l.account_id
 WHERE l.account_id IN (:pia, :ray) ORDER BY a.email, l.id;
SELECT x.* FROM pg_temp.access_at(timestamptz '2026-03-11 10:00+00', ARRAY[:pia, :ray, :tom, :una]::bigint[], :course, :support) x;
SELECT status, cancelled_at, cancel_reason FROM enroll.purchase_order WHERE order_ref = 'ORD-3';
-- again: nothing more, said so; a later setup of it is refused
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:admin);
SELECT enroll.cancel_order('ORD-3') ->> 'status' AS again;
SELECT enroll.act_as(:olga);
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('ORD-3', %s, %s, 4, '[{"email": "una@orders.example"}]')$$,
                               :nodates, :olga)) AS setup_after_cancel;
SELECT pg_temp.error_of(format($$SELECT enroll.remove_participant('ORD-3', %s)$$, :una)) AS remove_after_cancel;
SELECT enroll.act_as(:admin);
SELECT pg_temp.error_of($$SELECT enroll.cancel_order('ORD-NONE')$$) AS unknown_order;
SELECT pg_temp.error_of($$SELECT enroll.cancel_order(NULL)$$) AS null_order;
COMMIT;
RESET ROLE;
-- one event per change, each about the person it concerns
SELECT e.what, count(*) AS events, count(DISTINCT e.subject_account) AS people
  FROM enroll.event e
 WHERE (e.table_name = 'purchase_order' AND e.row_id = (SELECT id FROM enroll.purchase_order WHERE order_ref = 'ORD-3'))
    OR (e.what IN ('license.end', 'license.restore') AND e.subject_account IN (:pia, :ray, :tom, :una)
        AND e.at = '2026-03-11 10:00:00+00')
 GROUP BY e.what ORDER BY e.what;
-- each participant's event names the order, the reason, the license of the
-- order it ended and the license given back (null: none)
SELECT a.email, e.details ->> 'reason' AS reason,
       (e.details ->> 'order')::bigint = p.id AS names_order,
       EXISTS (SELECT FROM enroll.license l
                WHERE l.id = (e.details ->> 'license')::bigint AND l.order_id = p.id
                  AND l.account_id = e.subject_account AND l.ended_at IS NOT NULL) AS names_its_ended_license,
       CASE WHEN e.details -> 'restored' = 'null' THEN 'none'
            WHEN EXISTS (SELECT FROM enroll.license l
                          WHERE l.id = (e.details ->> 'restored')::bigint
                            AND l.account_id = e.subject_account AND l.ended_at IS NULL) THEN 'current again'
            ELSE 'wrong' END AS restored,
       ARRAY(SELECT jsonb_object_keys(e.details)) AS keys
  FROM enroll.event e
  JOIN enroll.purchase_order p ON p.id = e.row_id
  JOIN enroll.account a ON a.id = e.subject_account
 WHERE e.what = 'session.participant_out' AND p.order_ref = 'ORD-3'
 ORDER BY a.email;
SET enroll.clock = '2026-03-01 10:00:00+00';
-- A license of the order that an admin revoked stays as it is through the
-- cancellation; Zoe's is cancelled.  What taking out reads of an order comes
-- through license_order_idx, which holds the order's licenses that may
-- still end and the superseded ones, not those a cancellation, a removal
-- or a revocation ended (src/orders.c: ending a license then writes no
-- entry in it)
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT r -> 'seats' AS seats FROM enroll.setup_course_session('ORD-4', :nodates, :olga, 2,
       '[{"email": "yan@orders.example"}, {"email": "zoe@orders.example"}]') r;
COMMIT;
RESET ROLE;
SELECT id AS ord4 FROM enroll.purchase_order WHERE order_ref = 'ORD-4' \gset
SELECT l.id AS yan_order_license FROM enroll.license l JOIN enroll.account a ON a.id = l.account_id
 WHERE a.email = 'yan@orders.example' AND l.order_id = :ord4 \gset
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:admin);
SELECT (enroll.revoke_license(:yan_order_license, 'paid with a stolen card')).end_reason AS yan_revoked;
SELECT r -> 'licenses_ended' AS licenses_ended, r -> 'participants' AS participants
  FROM enroll.cancel_order('ORD-4', 'refund') r;
COMMIT;
RESET ROLE;
SELECT * FROM pg_temp.order_rows('ORD-4');
SELECT a.email, l.end_reason, l.end_note FROM enroll.license l JOIN enroll.account a ON a.id = l.account_id
 WHERE l.order_id = :ord4 ORDER BY a.email;
SELECT pg_get_indexdef('enroll.license_order_idx'::regclass) AS license_order_idx;
-- the readers' filter is the index's predicate, so the planner can take it
BEGIN;
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
EXPLAIN (COSTS OFF)
SELECT l.account_id, l.id FROM enroll.license l
 WHERE l.order_id = 1 AND (l.end_reason IS NULL OR l.end_reason = 'superseded'::enroll.license_end_reason);
ROLLBACK;

-------------------------------------------------------------------------------
-- 7. Two operators, one reference: each has their own order; a system admin
--    names the one meant
-------------------------------------------------------------------------------
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:oscar);
SELECT r ->> 'status' AS oscar_ord1 FROM enroll.setup_course_session('ORD-1', :nodates, :oscar, 1, '[{"email": "vic@orders.example"}]') r;
SELECT enroll.act_as(:admin);
SELECT pg_temp.error_of($$SELECT enroll.cancel_order('ORD-1')$$) AS ambiguous;
SELECT enroll.cancel_order('ORD-1', 'test order', operator => :oscar) ->> 'status' AS oscars_cancelled;
COMMIT;
RESET ROLE;
SELECT operator_id = :olga AS olga, status FROM enroll.purchase_order WHERE order_ref = 'ORD-1' ORDER BY id;

-------------------------------------------------------------------------------
-- 8. One operator, two orders, the same person: the cross roles (the
--    participant's over the operator, the operator's over the participant)
--    are held by one order; cancelling it hands them to the other order
--    that still needs them, and they go with the last order that named her
-------------------------------------------------------------------------------
SELECT id AS other_course FROM enroll.create_course('ORD-OTHER', 'Another course') \gset
SELECT id AS other FROM enroll.create_offer('ORD-OTHER', 'Another course', :other_course, 0, 'EUR', '2026-01-01',
       '2026-12-31', '30 days', handler_params => 'coursename=ORD-OTHER') \gset
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:oscar);
SELECT r ->> 'status' AS order_a FROM enroll.setup_course_session('ORD-A', :nodates, :oscar, 2,
       '[{"email": "wes@orders.example"}, {"email": "xia@orders.example"}]') r;
SELECT r ->> 'status' AS order_b FROM enroll.setup_course_session('ORD-B', :other, :oscar, 1,
       '[{"email": "wes@orders.example"}]') r;
COMMIT;
RESET ROLE;
SELECT id AS wes FROM enroll.account WHERE email = 'wes@orders.example' \gset
-- who holds which role over whom, for which order
CREATE FUNCTION pg_temp.cross_roles(people text[]) RETURNS TABLE (holder text, role text, over text, order_ref text)
LANGUAGE sql AS $$
    SELECT h.email, ro.shortname, c.email, p.order_ref
      FROM enroll.role_assignment r
      JOIN enroll.role ro ON ro.id = r.role_id
      JOIN enroll.account h ON h.id = r.account_id
      JOIN enroll.account c ON c.id = r.context_id
      LEFT JOIN enroll.purchase_order p ON p.id = r.order_id
     WHERE r.context_level = 'user'
       AND (h.email = ANY (people) OR c.email = ANY (people))
     ORDER BY 1, 2, 3
$$;
SELECT * FROM pg_temp.cross_roles('{wes@orders.example,xia@orders.example}');
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:admin);
SELECT r -> 'delegated_roles_removed' AS removed, r -> 'delegated_roles_kept_by_another_order' AS kept
  FROM enroll.cancel_order('ORD-A', 'test order', operator => :oscar) r;
COMMIT;
RESET ROLE;
-- Xia's are gone, Wes's are ORD-B's now
SELECT * FROM pg_temp.cross_roles('{wes@orders.example,xia@orders.example}');
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:oscar);
SELECT enroll.remove_participant('ORD-B', :wes, 'left') ->> 'status' AS wes_removed;
COMMIT;
RESET ROLE;
SELECT count(*) AS cross_roles_left FROM pg_temp.cross_roles('{wes@orders.example,xia@orders.example}');

-------------------------------------------------------------------------------
-- 9. Three orders of one operator: the roles of the order cancelled go, for
--    each person, to the first other live order that has them (zed is in
--    ORD-C2 and ORD-C3: C2), and a removal hands them on again
-------------------------------------------------------------------------------
SELECT id AS third_course FROM enroll.create_course('ORD-THIRD', 'A third course') \gset
SELECT id AS third FROM enroll.create_offer('ORD-THIRD', 'A third course', :third_course, 0, 'EUR', '2026-01-01',
       '2026-12-31', '30 days', handler_params => 'coursename=ORD-THIRD') \gset
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:oscar);
SELECT r ->> 'status' AS order_c1 FROM enroll.setup_course_session('ORD-C1', :nodates, :oscar, 2,
       '[{"email": "yan@orders.example"}, {"email": "zed@orders.example"}]') r;
SELECT r ->> 'status' AS order_c2 FROM enroll.setup_course_session('ORD-C2', :third, :oscar, 1,
       '[{"email": "zed@orders.example"}]') r;
SELECT r ->> 'status' AS order_c3 FROM enroll.setup_course_session('ORD-C3', :other, :oscar, 2,
       '[{"email": "zed@orders.example"}, {"email": "yan@orders.example"}]') r;
COMMIT;
RESET ROLE;
SELECT id AS zed FROM enroll.account WHERE email = 'zed@orders.example' \gset
-- ORD-C1 made them all
SELECT * FROM pg_temp.cross_roles('{yan@orders.example,zed@orders.example}');
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:admin);
SELECT r -> 'delegated_roles_removed' AS removed, r -> 'delegated_roles_kept_by_another_order' AS kept
  FROM enroll.cancel_order('ORD-C1', 'test order', operator => :oscar) r;
COMMIT;
RESET ROLE;
-- yan's are ORD-C3's (the only other order with yan), zed's ORD-C2's (the first of two)
SELECT * FROM pg_temp.cross_roles('{yan@orders.example,zed@orders.example}');
SET ROLE regress_orders_app;
BEGIN;
SELECT enroll.act_as(:oscar);
SELECT enroll.remove_participant('ORD-C2', :zed, 'left') ->> 'status' AS zed_removed;
COMMIT;
RESET ROLE;
-- zed's follow him to ORD-C3
SELECT * FROM pg_temp.cross_roles('{yan@orders.example,zed@orders.example}');

SELECT * FROM enroll.check_invariants();
-- a delegated role left with a cancelled order (here by hand) is reported
BEGIN;
UPDATE enroll.role_assignment SET order_id = (SELECT id FROM enroll.purchase_order WHERE order_ref = 'ORD-C1')
 WHERE order_id = (SELECT id FROM enroll.purchase_order WHERE order_ref = 'ORD-C3');
SELECT invariant, violations, example LIKE 'role assignment % held by cancelled order ORD-C1 of operator %' AS example_names_it
  FROM enroll.check_invariants();
ROLLBACK;
RESET enroll.clock;
DROP ROLE regress_orders_app;

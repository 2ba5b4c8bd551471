-- The "plain SQL replay" of one setup_course_session call: the same rows, in
-- one transaction, with no check at all (no validation, no lookup of known
-- addresses, no seat count, no superseding, no idempotency lock), written by
-- set-based INSERT ... SELECT generate_series statements.  Ids come from
-- blocks reserved on the sequences, so that rows can reference each other
-- without a lookup.
--
-- psql variables (set by session_bench.sh):
--   n, label            participants, and the bench_people row with their list
--   order_ref           a fresh order reference
--   course, support     course ids; support = 0 when no support course
--   offer, operator     ids; student, tutor, manager, user: role ids
--   ev_account ev_supersede ev_license ev_enroll ev_member ev_roles
--   ev_support ev_order  how many event rows of each kind the setup wrote
--   report               the label whose stored report is copied (same size)
BEGIN;
SELECT pg_catalog.nextval('enroll.account_id_seq') AS a0,
       pg_catalog.setval('enroll.account_id_seq', pg_catalog.currval('enroll.account_id_seq') + :n) AS a_end,
       pg_catalog.nextval('enroll.license_id_seq') AS l0,
       pg_catalog.setval('enroll.license_id_seq', pg_catalog.currval('enroll.license_id_seq') + :n) AS l_end,
       pg_catalog.now() AS t \gset
-- N accounts
INSERT INTO enroll.account (id, email, firstname, lastname, created_at)
    SELECT :a0 + g, p ->> 'email', p ->> 'firstname', p ->> 'lastname', :'t'
      FROM public.bench_people b, jsonb_array_elements(b.people) WITH ORDINALITY AS x(p, g)
     WHERE b.label = :'label';
-- the order and its group
INSERT INTO enroll.purchase_order (order_ref, operator_id, offer_id, seats, request, report, created_at, updated_at)
    SELECT :'order_ref', :operator, :offer, :n,
           jsonb_build_object('order', :'order_ref', 'offer', :offer, 'operator', :operator, 'seats', :n, 'participants', b.people),
           (SELECT report FROM enroll.purchase_order WHERE order_ref = :'report'), :'t', :'t'
      FROM public.bench_people b WHERE b.label = :'label'
    RETURNING id AS order_id \gset
INSERT INTO enroll.course_group (course_id, idnumber, name, created_at)
    VALUES (:course, :'order_ref', 'Order ' || :'order_ref', :'t') RETURNING id AS group_id \gset
-- N licenses, N enrollments (the first participant is the tutor), N group members
INSERT INTO enroll.license (id, offer_id, course_id, holder_kind, account_id, accepted_by, accepted_via, accepted_at,
                            accepted_condition, price_paid, currency, access_from, access_until, documents_due_at, order_ref)
    SELECT :l0 + g, o.id, o.course_id, 'person', :a0 + g, :operator, 'operator', :'t',
           o.extra_condition, o.price, o.currency, :'t', :'t'::timestamptz + o.access_period,
           :'t'::timestamptz + o.documents_grace, :'order_ref'
      FROM generate_series(1, :n) g, enroll.offer o WHERE o.id = :offer;
INSERT INTO enroll.enrollment (course_id, account_id, role_id, group_id, time_start, time_end, order_ref, license_id, created_at)
    SELECT :course, :a0 + g, CASE WHEN g = 1 THEN :tutor ELSE :student END, :group_id,
           date_trunc('day', :'t'::timestamptz) + interval '7 days', date_trunc('day', :'t'::timestamptz) + interval '42 days',
           :'order_ref', :l0 + g, :'t'
      FROM generate_series(1, :n) g;
INSERT INTO enroll.group_member (group_id, account_id, added_at)
    SELECT :group_id, :a0 + g, :'t' FROM generate_series(1, :n) g;
-- 2N cross role assignments (S1.6)
INSERT INTO enroll.role_assignment (role_id, account_id, context_level, context_id, assigned_at, assigned_by, order_ref)
    SELECT :manager, :operator, 'user'::enroll.context_level, :a0 + g, :'t'::timestamptz, :operator, :'order_ref'::text
      FROM generate_series(1, :n) g
    UNION ALL
    SELECT :user, :a0 + g, 'user'::enroll.context_level, :operator, :'t'::timestamptz, :operator, :'order_ref'::text
      FROM generate_series(1, :n) g;
-- support-course enrollments (S1.7)
INSERT INTO enroll.enrollment (course_id, account_id, role_id, order_ref, created_at)
    SELECT :support, :a0 + g, :student, :'order_ref', :'t' FROM generate_series(1, :n) g WHERE :support <> 0;
-- the same number of event rows of each kind as the setup wrote
INSERT INTO enroll.event (at, account_id, db_role, what, table_name, row_id, details)
    SELECT :'t', :operator, session_user, e.what, e.tbl, g, e.details
      FROM (VALUES ('account.register', 'account', :ev_account, jsonb_build_object('order', :'order_ref')),
                   ('license.supersede', 'license', :ev_supersede, '{"via": "setup_course_session"}'::jsonb),
                   ('license.accept', 'license', :ev_license, jsonb_build_object('via', 'operator', 'offer', :offer)),
                   ('enrollment.enroll', 'enrollment', :ev_enroll, jsonb_build_object('group', :group_id)),
                   ('group_member.add', 'account', :ev_member, jsonb_build_object('group', :group_id)),
                   ('role_assignment.assign', 'role_assignment', :ev_roles, '{"context_level": "user"}'::jsonb),
                   ('enrollment.enroll', 'enrollment', :ev_support, '{"support": true}'::jsonb),
                   ('purchase_order.setup', 'purchase_order', :ev_order, jsonb_build_object('new_participants', :n)))
           AS e(what, tbl, cnt, details),
           LATERAL generate_series(1, e.cnt) g;
COMMIT;

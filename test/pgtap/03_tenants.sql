-- 03_tenants.sql: who sees whose rows (row-level security of 1.1, narrowed
-- by 1.2).  Two operators, A and B, each with a session of their own (one
-- participant, Sam, in both); two organizations, X and Y, each with an
-- administrator, members, an organization license and a seat; an anonymous
-- visitor.  Then, through an application role acting with enroll.act_as() and
-- through a reader role mapped with enroll.set_login_role(): A sees exactly
-- A's order, its group, the group's members (as A gave them), the cross roles
-- of A's order and, through enroll.order_participants, A's participants,
-- never B's, and the other way round; since 1.2 an operator no longer reads
-- its participants' account rows, licenses or enrollments (API.md "Consent":
-- operators see the name and e-mail of their own orders' participants,
-- nothing else about them).  An organization administrator sees exactly that
-- organization's members; a plain member only themself; anonymous nobody, and
-- only the active public offers.  Last, A cannot change B's data (nor X's
-- administrator Y's) through the functions; since 1.2 an order reference is
-- the operator's own, so A naming B's reference places an order of A's own,
-- which neither blocks nor touches B's.
--
-- Runs as a superuser (test/t/002_pgtap.pl) in one transaction that is
-- rolled back, roles included.  Fixtures are written without act_as (the
-- superuser is mapped to an admin account), because an act_as stays in force
-- until the end of the transaction and would hide the anonymous and
-- login_role checks; those come first, the act_as checks last.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;

SELECT plan(73);

SET LOCAL enroll.clock = '2026-03-01 10:00:00+00';

------------------------------------------------------------------------------
-- fixtures (as the superuser, mapped to an admin account)
------------------------------------------------------------------------------
CREATE ROLE pgtap_t3_app LOGIN IN ROLE enroll_app;
CREATE ROLE pgtap_t3_reader LOGIN IN ROLE enroll_reader;

INSERT INTO enroll.account (email, firstname, lastname, is_admin)
VALUES ('t3-root@example.org', 'Root', 'Admin', true) RETURNING id AS root \gset
SELECT is((enroll.set_login_role(:root, session_user)).login_role, session_user,
          'the superuser is mapped to an admin account for the fixtures');

SELECT id AS op_a FROM enroll.register_account('t3-op-a@shop.example', 'Anna', 'Operator') \gset
SELECT id AS op_b FROM enroll.register_account('t3-op-b@shop.example', 'Boris', 'Operator') \gset
SELECT id AS a1 FROM enroll.register_account('t3-a1@example.org', 'Ada', 'A-One') \gset
SELECT id AS a2 FROM enroll.register_account('t3-a2@example.org', 'Abe', 'A-Two') \gset
SELECT id AS a_tutor FROM enroll.register_account('t3-a-tutor@example.org', 'Alma', 'A-Tutor') \gset
SELECT id AS sam FROM enroll.register_account('t3-sam@example.org', 'Sam', 'Both') \gset
SELECT id AS b1 FROM enroll.register_account('t3-b1@example.org', 'Bea', 'B-One') \gset
SELECT id AS x_adm FROM enroll.register_account('t3-x-admin@example.org', 'Xena', 'X-Admin') \gset
SELECT id AS x1 FROM enroll.register_account('t3-x1@example.org', 'Xavier', 'X-One') \gset
SELECT id AS x2 FROM enroll.register_account('t3-x2@example.org', 'Xia', 'X-Two') \gset
SELECT id AS x_old FROM enroll.register_account('t3-x-old@example.org', 'Xerxes', 'X-Former-Admin') \gset
SELECT id AS y_adm FROM enroll.register_account('t3-y-admin@example.org', 'Yara', 'Y-Admin') \gset
SELECT id AS y1 FROM enroll.register_account('t3-y1@example.org', 'Yves', 'Y-One') \gset

SELECT id AS c_a FROM enroll.create_course('T3-A', 'Course of operator A''s session') \gset
SELECT id AS c_b FROM enroll.create_course('T3-B', 'Course of operator B''s session') \gset
SELECT id AS c_self FROM enroll.create_course('T3-SELF', 'A course taken alone') \gset
SELECT id AS c_org FROM enroll.create_course('T3-ORG', 'A course bought by organizations') \gset

SELECT id AS o_a FROM enroll.create_offer('T3-A', 'Session A', :c_a, 0, 'EUR', '2026-01-01', '2027-01-01', '60 days',
                                          handler_params => 'coursename=T3-A') \gset
SELECT id AS o_b FROM enroll.create_offer('T3-B', 'Session B', :c_b, 0, 'EUR', '2026-01-01', '2027-01-01', '60 days',
                                          handler_params => 'coursename=T3-B') \gset
SELECT id AS o_self FROM enroll.create_offer('T3-SELF', 'Alone', :c_self, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days') \gset
SELECT id AS o_org FROM enroll.create_offer('T3-ORG', 'Class pack', :c_org, 0, 'EUR', '2026-01-01', '2027-01-01', '365 days',
                                            recipient_kind => 'organization', seats => 5) \gset
SELECT id AS o_private FROM enroll.create_offer('T3-PRIVATE', 'For one person', :c_self, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days',
                                                visibility => 'private') \gset
SELECT offer_id AS addressed FROM enroll.add_offer_recipient(:o_private, account => :x1) \gset
SELECT id AS o_upcoming FROM enroll.create_offer('T3-UPCOMING', 'Next term', :c_self, 0, 'EUR', '2026-09-01', '2027-01-01', '30 days') \gset
-- an offer that is over cannot be created through create_offer: a DBA row
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period)
VALUES ('T3-EXPIRED', 'Last term', :c_self, 0, 'EUR', '2025-09-01', '2026-02-01', '30 days') RETURNING id AS o_expired \gset

-- the two sessions, set up by the admin on behalf of each operator; Sam is in both
SELECT enroll.setup_course_session('T3-ORDER-A', :o_a, :op_a, 4,
    '[{"email": "t3-a1@example.org"}, {"email": "T3-A2@Example.org"},
      {"email": "t3-a-tutor@example.org", "role": "tutor"}, {"email": "t3-sam@example.org"}]') ->> 'status' AS status_a \gset
SELECT enroll.setup_course_session('T3-ORDER-B', :o_b, :op_b, 3,
    '[{"email": "t3-b1@example.org"}, {"email": "t3-sam@example.org"}]') ->> 'status' AS status_b \gset
SELECT is(:'status_a' || ' ' || :'status_b', 'done done', 'both sessions are set up');
-- a license that names A's order reference but does not come from it: the
-- admin accepts an offer for Sam himself, quoting T3-ORDER-A
SELECT id AS sam_self FROM enroll.accept_offer(:o_self, for_account => :sam, order_ref => 'T3-ORDER-A') \gset

SELECT g.id AS g_a FROM enroll.course_group g WHERE g.course_id = :c_a AND g.idnumber = 'T3-ORDER-A' \gset
SELECT g.id AS g_b FROM enroll.course_group g WHERE g.course_id = :c_b AND g.idnumber = 'T3-ORDER-B' \gset
SELECT id AS order_b FROM enroll.purchase_order WHERE operator_id = :op_b AND order_ref = 'T3-ORDER-B' \gset

-- organizations: X (admin Xena, members Xavier and Xia, a former admin who
-- left), Y (admin Yara, member Yves; Xena is a plain member of Y too)
SELECT code AS org_type FROM enroll.create_organization_type('t3_company', 'Company') \gset
SELECT id AS org_x FROM enroll.create_organization('t3_company', 'X Corp') \gset
SELECT id AS org_y FROM enroll.create_organization('t3_company', 'Y Corp') \gset
INSERT INTO enroll.membership (account_id, organization_id, is_admin, joined_at, left_at) VALUES
    (:x_adm, :org_x, true, '2026-01-05', NULL),
    (:x1, :org_x, false, '2026-01-05', NULL),
    (:x2, :org_x, false, '2026-01-05', NULL),
    (:x_old, :org_x, true, '2026-01-02', '2026-02-01'),
    (:y_adm, :org_y, true, '2026-01-05', NULL),
    (:y1, :org_y, false, '2026-01-05', NULL),
    (:x_adm, :org_y, false, '2026-01-05', NULL);
-- each organization's license for the class pack (a DBA row: accept_offer
-- wants the organization's own admin acting) and one seat each
INSERT INTO enroll.license (offer_id, course_id, holder_kind, organization_id, accepted_by, accepted_via,
                            price_paid, currency, access_from, access_until, seats)
VALUES (:o_org, :c_org, 'organization', :org_x, :x_adm, 'org_admin', 0, 'EUR', '2026-03-01', '2027-03-01', 5)
RETURNING id AS lic_x \gset
INSERT INTO enroll.license (offer_id, course_id, holder_kind, organization_id, accepted_by, accepted_via,
                            price_paid, currency, access_from, access_until, seats)
VALUES (:o_org, :c_org, 'organization', :org_y, :y_adm, 'org_admin', 0, 'EUR', '2026-03-01', '2027-03-01', 5)
RETURNING id AS lic_y \gset
SELECT id AS seat_x1 FROM enroll.allocate_seat(:lic_x, :x1) \gset
SELECT id AS seat_y1 FROM enroll.allocate_seat(:lic_y, :y1) \gset

-- what each operator's sessions wrote, read by the superuser (no RLS): the
-- expected answers below, checked for size so that an empty fixture cannot
-- make an equality pass
CREATE TEMP TABLE expect (who text, what text, id bigint);
GRANT SELECT ON expect TO PUBLIC;
INSERT INTO expect
SELECT o.who, 'account', x.id
  FROM (VALUES ('A', :op_a, 'T3-ORDER-A'), ('B', :op_b, 'T3-ORDER-B')) AS o(who, op, ref),
       LATERAL (SELECT o.op UNION
                SELECT e.account_id FROM enroll.enrollment e WHERE e.order_ref = o.ref) AS x(id)
UNION ALL
SELECT o.who, 'enrollment', e.id
  FROM (VALUES ('A', 'T3-ORDER-A'), ('B', 'T3-ORDER-B')) AS o(who, ref)
  JOIN enroll.enrollment e ON e.order_ref = o.ref
UNION ALL
SELECT o.who, 'license', l.id
  FROM (VALUES ('A', 'T3-ORDER-A'), ('B', 'T3-ORDER-B')) AS o(who, ref)
  JOIN enroll.license l ON l.order_ref = o.ref AND l.accepted_via = 'operator'
UNION ALL
SELECT o.who, 'role_assignment', r.id
  FROM (VALUES ('A', :op_a, 'T3-ORDER-A'), ('B', :op_b, 'T3-ORDER-B')) AS o(who, op, ref)
  JOIN enroll.role_assignment r ON r.order_ref = o.ref;
SELECT results_eq(
    $$SELECT who, what, count(*) FROM expect GROUP BY 1, 2 ORDER BY 1, 2$$,
    $$VALUES ('A', 'account', 5::bigint), ('A', 'enrollment', 4), ('A', 'license', 4), ('A', 'role_assignment', 8),
             ('B', 'account', 3), ('B', 'enrollment', 2), ('B', 'license', 2), ('B', 'role_assignment', 4)$$,
    'fixtures: A''s order has 4 participants (8 cross roles), B''s 2, Sam in both');

-- "A sees exactly the cross roles A's order wrote", as a query text
\set a_roles 'SELECT id FROM expect WHERE who = ''A'' AND what = ''role_assignment'' ORDER BY 1'
\set b_roles 'SELECT id FROM expect WHERE who = ''B'' AND what = ''role_assignment'' ORDER BY 1'

-- B's rows as they are now, to prove at the end that A changed nothing
CREATE TEMP TABLE b_before AS
SELECT md5(concat_ws('|',
    (SELECT string_agg(l::text, ',' ORDER BY l.id) FROM enroll.license l WHERE l.order_id = :order_b OR l.organization_id = :org_y OR l.parent_license = :lic_y),
    (SELECT string_agg(e::text, ',' ORDER BY e.id) FROM enroll.enrollment e WHERE e.order_id = :order_b),
    (SELECT string_agg(m::text, ',' ORDER BY m.group_id, m.account_id) FROM enroll.group_member m WHERE m.group_id = :g_b),
    (SELECT string_agg(p::text, ',' ORDER BY p.id) FROM enroll.purchase_order p WHERE p.operator_id = :op_b),
    (SELECT string_agg(m::text, ',' ORDER BY m.id) FROM enroll.membership m WHERE m.organization_id = :org_y))) AS digest;

------------------------------------------------------------------------------
-- anonymous: an application acting for nobody (10)
------------------------------------------------------------------------------
SET ROLE pgtap_t3_app;
SELECT is(enroll.current_account(), NULL, 'anonymous: no acting account');
SELECT is_empty(format('SELECT id FROM enroll.%I', t), format('anonymous: sees no row of enroll.%s', t))
  FROM unnest(ARRAY['account', 'membership', 'license', 'enrollment', 'role_assignment',
                    'course_group', 'purchase_order']) AS t;
SELECT is_empty('SELECT group_id FROM enroll.group_member', 'anonymous: sees no row of enroll.group_member');
SELECT results_eq(
    $$SELECT code FROM enroll.visible_offers WHERE code LIKE 'T3-%' ORDER BY code$$,
    ARRAY['T3-A', 'T3-B', 'T3-ORG', 'T3-SELF'],
    'anonymous: visible_offers lists the active public offers only (not private, expired or upcoming)');
RESET ROLE;

------------------------------------------------------------------------------
-- a reader role mapped to operator A with set_login_role (no act_as) (8)
------------------------------------------------------------------------------
SELECT is((enroll.set_login_role(:op_a, 'pgtap_t3_reader')).login_role, 'pgtap_t3_reader'::name,
          'set_login_role maps the reader role to operator A');
SET ROLE pgtap_t3_reader;
SELECT is(enroll.current_account(), :op_a::bigint, 'reader: acts as operator A through its mapping');
SELECT results_eq('SELECT order_ref FROM enroll.purchase_order ORDER BY 1', ARRAY['T3-ORDER-A'],
                  'reader as A: only A''s order');
SELECT results_eq('SELECT id FROM enroll.account ORDER BY 1', ARRAY[:op_a::bigint],
                  'reader as A: only A''s own account (1.2: not the participants'')');
SELECT results_eq('SELECT order_ref, account_id FROM enroll.order_participants ORDER BY 2',
                  format('SELECT ''T3-ORDER-A''::text, unnest(ARRAY[%s, %s, %s, %s]::bigint[]) ORDER BY 2', :a1, :a2, :a_tutor, :sam),
                  'reader as A: A''s four participants through enroll.order_participants');
SELECT is_empty('SELECT id FROM enroll.license', 'reader as A: no license (1.2: not the participants'')');
SELECT results_eq('SELECT id FROM enroll.course_group ORDER BY 1', ARRAY[:g_a::bigint],
                  'reader as A: the group of A''s order only');
SELECT throws_ok(format('SELECT enroll.act_as(%s)', :op_b), '42501', NULL,
                 'reader: cannot switch to operator B with act_as');
RESET ROLE;

------------------------------------------------------------------------------
-- operator A, through the application (12)
------------------------------------------------------------------------------
SET ROLE pgtap_t3_app;
SELECT lives_ok(format('SELECT enroll.act_as(%s)', :op_a), 'the application acts as operator A');
SELECT results_eq('SELECT order_ref FROM enroll.purchase_order ORDER BY 1', ARRAY['T3-ORDER-A'],
                  'A sees only A''s order');
SELECT results_eq('SELECT id FROM enroll.account ORDER BY 1', ARRAY[:op_a::bigint],
                  'A sees A''s own account only: not A''s participants'' rows (1.2), nor anybody else''s');
SELECT results_eq('SELECT account_id, email FROM enroll.order_participants ORDER BY 1',
                  format($$VALUES (%s::bigint, 't3-a1@example.org'), (%s, 'T3-A2@Example.org'),
                                  (%s, 't3-a-tutor@example.org'), (%s, 't3-sam@example.org')$$,
                         :a1, :a2, :a_tutor, :sam),
                  'A sees A''s four participants (Sam included) in order_participants, the addresses as A gave them');
SELECT is_empty('SELECT id FROM enroll.enrollment',
                'A sees no enrollment, not even those of A''s order (1.2)');
SELECT is_empty('SELECT id FROM enroll.license',
                'A sees no license, not even those of A''s order (1.2)');
SELECT results_eq('SELECT id FROM enroll.role_assignment ORDER BY 1', :'a_roles',
                  'A sees the eight cross roles of A''s order, none of B''s');
SELECT results_eq('SELECT id FROM enroll.course_group ORDER BY 1', ARRAY[:g_a::bigint],
                  'A sees the group of A''s order, not B''s');
SELECT results_eq('SELECT DISTINCT group_id FROM enroll.group_member ORDER BY 1', ARRAY[:g_a::bigint],
                  'A sees members of A''s group only');
SELECT results_eq('SELECT account_id FROM enroll.group_member ORDER BY 1',
                  format('SELECT unnest(ARRAY[%s, %s, %s, %s]::bigint[]) ORDER BY 1', :a1, :a2, :a_tutor, :sam),
                  'A''s group has A''s four participants');
SELECT is_empty('SELECT id FROM enroll.membership', 'A sees no membership');
SELECT is_empty(format('SELECT profile FROM enroll.account_profile WHERE id = %s', :sam),
                'A reads no profile of Sam through account_profile');

------------------------------------------------------------------------------
-- operator B (9)
------------------------------------------------------------------------------
SELECT lives_ok(format('SELECT enroll.act_as(%s)', :op_b), 'the application acts as operator B');
SELECT results_eq('SELECT order_ref FROM enroll.purchase_order ORDER BY 1', ARRAY['T3-ORDER-B'],
                  'B sees only B''s order');
SELECT results_eq('SELECT id FROM enroll.account ORDER BY 1', ARRAY[:op_b::bigint],
                  'B sees B''s own account only');
SELECT results_eq('SELECT order_ref, account_id FROM enroll.order_participants ORDER BY 2',
                  format('SELECT ''T3-ORDER-B''::text, unnest(ARRAY[%s, %s]::bigint[]) ORDER BY 2', :b1, :sam),
                  'B sees B''s two participants (Sam included) in order_participants, none of A''s');
SELECT is_empty('SELECT id FROM enroll.enrollment UNION ALL SELECT id FROM enroll.license',
                'B sees no enrollment and no license (1.2)');
SELECT results_eq('SELECT id FROM enroll.role_assignment ORDER BY 1', :'b_roles',
                  'B sees the cross roles of B''s order only');
SELECT results_eq('SELECT id FROM enroll.course_group ORDER BY 1', ARRAY[:g_b::bigint],
                  'B sees the group of B''s order only');
SELECT results_eq('SELECT account_id FROM enroll.group_member ORDER BY 1',
                  format('SELECT unnest(ARRAY[%s, %s]::bigint[]) ORDER BY 1', :b1, :sam),
                  'B sees the members of B''s group only');
SELECT is_empty('SELECT id FROM enroll.membership', 'B sees no membership');

------------------------------------------------------------------------------
-- participants see their own rows and their own groups (5)
------------------------------------------------------------------------------
SELECT lives_ok(format('SELECT enroll.act_as(%s)', :a1), 'the application acts as participant a1');
SELECT results_eq('SELECT id FROM enroll.account', ARRAY[:a1::bigint], 'a1 sees only a1''s account');
SELECT results_eq('SELECT id FROM enroll.course_group ORDER BY 1', ARRAY[:g_a::bigint],
                  'a1 sees the group a1 is in, not B''s');
SELECT lives_ok(format('SELECT enroll.act_as(%s)', :sam), 'the application acts as Sam');
SELECT results_eq('SELECT id FROM enroll.course_group ORDER BY 1', ARRAY[:g_a::bigint, :g_b::bigint],
                  'Sam sees both groups he is in');

------------------------------------------------------------------------------
-- organization administrators and members (17)
------------------------------------------------------------------------------
SELECT lives_ok(format('SELECT enroll.act_as(%s)', :x_adm), 'the application acts as X''s admin');
SELECT results_eq('SELECT account_id, organization_id, left_at IS NULL FROM enroll.membership ORDER BY 2, 1',
                  format($$VALUES (%1$s::bigint, %5$s::bigint, true), (%2$s, %5$s, true), (%3$s, %5$s, true), (%4$s, %5$s, false),
                                  (%1$s, %6$s, true)$$, :x_adm, :x1, :x2, :x_old, :org_x, :org_y),
                  'X''s admin sees every membership of X, current and past, and only their own of Y');
SELECT results_eq('SELECT id FROM enroll.account ORDER BY 1',
                  format('SELECT unnest(ARRAY[%s, %s, %s]::bigint[]) ORDER BY 1', :x_adm, :x1, :x2),
                  'X''s admin sees the accounts of X''s current members only (not the former admin, not Y''s)');
SELECT results_eq('SELECT id FROM enroll.license ORDER BY 1',
                  format('SELECT unnest(ARRAY[%s, %s]::bigint[]) ORDER BY 1', :lic_x, :seat_x1),
                  'X''s admin sees X''s license and the seat allocated from it, not Y''s');
SELECT is_empty('SELECT id FROM enroll.enrollment', 'X''s admin sees no enrollment');
SELECT is_empty('SELECT id FROM enroll.purchase_order', 'X''s admin sees no order');

SELECT lives_ok(format('SELECT enroll.act_as(%s)', :y_adm), 'the application acts as Y''s admin');
SELECT results_eq('SELECT account_id FROM enroll.membership ORDER BY 1',
                  format('SELECT unnest(ARRAY[%s, %s, %s]::bigint[]) ORDER BY 1', :x_adm, :y_adm, :y1),
                  'Y''s admin sees Y''s memberships (Xena''s included), none of X');
SELECT results_eq('SELECT id FROM enroll.account ORDER BY 1',
                  format('SELECT unnest(ARRAY[%s, %s, %s]::bigint[]) ORDER BY 1', :x_adm, :y_adm, :y1),
                  'Y''s admin sees Y''s current members');
SELECT results_eq('SELECT id FROM enroll.license ORDER BY 1',
                  format('SELECT unnest(ARRAY[%s, %s]::bigint[]) ORDER BY 1', :lic_y, :seat_y1),
                  'Y''s admin sees Y''s license and seat only');

SELECT lives_ok(format('SELECT enroll.act_as(%s)', :x1), 'the application acts as X''s member Xavier');
SELECT results_eq('SELECT id FROM enroll.account', ARRAY[:x1::bigint], 'a plain member sees only their own account');
SELECT results_eq('SELECT account_id FROM enroll.membership', ARRAY[:x1::bigint], 'a plain member sees only their own membership');
SELECT results_eq('SELECT id FROM enroll.license', ARRAY[:seat_x1::bigint], 'a plain member sees only their own seat');

SELECT lives_ok(format('SELECT enroll.act_as(%s)', :x_old), 'the application acts as X''s former admin');
SELECT results_eq('SELECT account_id, organization_id FROM enroll.membership',
                  format('VALUES (%s::bigint, %s::bigint)', :x_old, :org_x),
                  'a former admin who left sees only their own old membership');
SELECT results_eq('SELECT id FROM enroll.account', ARRAY[:x_old::bigint], 'a former admin sees no member''s account');

------------------------------------------------------------------------------
-- A cannot change B's data, nor X's admin Y's (9)
------------------------------------------------------------------------------
SELECT lives_ok(format('SELECT enroll.act_as(%s)', :op_a), 'the application acts as operator A again');
-- 1.2: references are per operator, so B's reference under A's name is an
-- order of A's own (until 1.2: PE020, which told A that B used it)
SELECT enroll.setup_course_session('T3-ORDER-B', :o_b, :op_a, 3, '[{"email": "t3-intruder@example.org"}]') AS intruder \gset
SELECT is(jsonb_build_object('status', r -> 'status', 'operator', r -> 'operator', 'seats', r -> 'seats',
                             'new_group', r -> 'group' -> 'created', 'emails', jsonb_path_query_array(r, '$.enrollments[*].email')),
          jsonb_build_object('status', 'done', 'operator', :op_a, 'seats', '{"bought": 3, "used": 1, "left": 2}'::jsonb,
                             'new_group', true, 'emails', '["t3-intruder@example.org"]'::jsonb),
          'A naming B''s reference places an order of A''s own, in a new group: one seat of three used, nothing of B''s order in the report')
  FROM (SELECT :'intruder'::jsonb AS r) x;
SELECT throws_ok(format($$SELECT enroll.setup_course_session('T3-ORDER-B', %s, %s, 3, '[{"email": "t3-intruder@example.org"}]')$$,
                        :o_b, :op_b),
                 '42501', NULL, 'A cannot act as operator B in a setup (42501)');
SELECT is(enroll.setup_course_session(format('order=T3-ORDER-B&offer=%s&operator=%s&seats=3', :o_b, :op_a),
                                      '[{"email": "t3-intruder@example.org"}]') ->> 'status',
          'already_done', 'the URL-encoded form reaches the same order of A''s own (already done), not B''s');
SELECT throws_ok(format($$SELECT enroll.revoke_license(%s, 'not mine')$$, (SELECT min(id) FROM expect WHERE who = 'B' AND what = 'license')),
                 '42501', NULL, 'A cannot revoke a license of B''s order (42501)');

SELECT lives_ok(format('SELECT enroll.act_as(%s)', :x_adm), 'the application acts as X''s admin again');
SELECT throws_ok(format('SELECT enroll.allocate_seat(%s, %s)', :lic_y, :x_adm), '42501', NULL,
                 'X''s admin cannot allocate a seat of Y''s license, even as a member of Y (42501)');
SELECT throws_ok(format('SELECT enroll.leave_organization(%s, %s)', :org_y, :y1), '42501', NULL,
                 'X''s admin cannot remove a member of Y (42501)');
RESET ROLE;

SELECT is((SELECT md5(concat_ws('|',
    (SELECT string_agg(l::text, ',' ORDER BY l.id) FROM enroll.license l WHERE l.order_id = :order_b OR l.organization_id = :org_y OR l.parent_license = :lic_y),
    (SELECT string_agg(e::text, ',' ORDER BY e.id) FROM enroll.enrollment e WHERE e.order_id = :order_b),
    (SELECT string_agg(m::text, ',' ORDER BY m.group_id, m.account_id) FROM enroll.group_member m WHERE m.group_id = :g_b),
    (SELECT string_agg(p::text, ',' ORDER BY p.id) FROM enroll.purchase_order p WHERE p.operator_id = :op_b),
    (SELECT string_agg(m::text, ',' ORDER BY m.id) FROM enroll.membership m WHERE m.organization_id = :org_y)))),
    (SELECT digest FROM b_before), 'B''s and Y''s rows are exactly as before');

SELECT * FROM finish();
ROLLBACK;

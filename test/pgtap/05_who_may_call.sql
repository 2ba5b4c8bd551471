-- 05_who_may_call.sql: who may call the functions of 1.2 that act on
-- somebody else's organization, order or license, and what each refused
-- caller gets (API.md "Version 1.2", README "Errors"):
--
--   allocate_seat(org_license, account), allocate_seat(organization, course,
--   account), release_seat, join_organization(organization, account, email),
--   update_organization, upgrade_organization_profile: the organization's
--   administrators and system admins;
--   cancel_order, revoke_license: system admins only;
--   remove_participant: the order's operator and system admins; anybody
--   else learns nothing about the order (PE027, as for an unknown one);
--   setup_course_session naming another operator: that operator and system
--   admins.
--
-- The callers, through an application role with enroll.act_as(): a plain
-- member of company X (who holds a seat of it), X's administrator, company
-- Y's administrator, a system administrator (an account with is_admin),
-- operator A (whose order is at stake) and operator B; and, first, the
-- application acting for nobody.  After each function's refusals the whole
-- state (every table, the event log) is compared with the state before; then
-- the callers who may call it do, and the effect is checked.  Two refusals
-- that are really disclosures are checked too: what an organization
-- administrator learns when a member keeps a better license of their own,
-- and what an operator learns when taking out a participant whose own
-- license comes back.
--
-- Runs as a superuser (test/t/002_pgtap.pl) in one transaction that is
-- rolled back, roles included.  The anonymous calls come first: an act_as
-- that succeeded stays in force until the end of the transaction.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;

SELECT plan(99);

SET LOCAL enroll.clock = '2026-03-01 10:00:00+00';
SET LOCAL TIME ZONE 'UTC';

------------------------------------------------------------------------------
-- fixtures (as the superuser, mapped to an admin account)
------------------------------------------------------------------------------
CREATE ROLE pgtap_w_app LOGIN IN ROLE enroll_app;

-- one call as an account (NULL: acting for nobody); a refusal's error, and
-- its act_as, are rolled back with throws_ok's subtransaction
CREATE FUNCTION pg_temp.call_as(actor bigint, stmt text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE result jsonb;
BEGIN
    IF actor IS NOT NULL THEN
        PERFORM enroll.act_as(actor);
    END IF;
    EXECUTE stmt INTO result;
    RETURN result;
END $$;
-- the whole state, as the superuser reads it
CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql AS $$
    SELECT md5(concat_ws('|',
        (SELECT string_agg(x::text, ',' ORDER BY x.id) FROM enroll.account x),
        (SELECT string_agg(x::text, ',' ORDER BY x.id) FROM enroll.organization x),
        (SELECT string_agg(x::text, ',' ORDER BY x.id) FROM enroll.membership x),
        (SELECT string_agg(x::text, ',' ORDER BY x.id) FROM enroll.license x),
        (SELECT string_agg(x::text, ',' ORDER BY x.id) FROM enroll.purchase_order x),
        (SELECT string_agg(x::text, ',' ORDER BY x.id) FROM enroll.course_group x),
        (SELECT string_agg(x::text, ',' ORDER BY x.group_id, x.account_id) FROM enroll.group_member x),
        (SELECT string_agg(x::text, ',' ORDER BY x.id) FROM enroll.enrollment x),
        (SELECT string_agg(x::text, ',' ORDER BY x.id) FROM enroll.role_assignment x),
        (SELECT string_agg(x::text, ',' ORDER BY x.id) FROM enroll.event x)))
$$;

INSERT INTO enroll.account (email, firstname, lastname, is_admin)
VALUES ('t5-root@example.org', 'Root', 'Admin', true) RETURNING id AS root \gset
SELECT is((enroll.set_login_role(:root, session_user)).login_role, session_user,
          'the superuser is mapped to an admin account for the fixtures');

SELECT id AS mem FROM enroll.register_account('t5-member@example.org', 'Mia', 'Member') \gset
SELECT id AS xa FROM enroll.register_account('t5-x-admin@example.org', 'Xena', 'X-Admin') \gset
SELECT id AS ya FROM enroll.register_account('t5-y-admin@example.org', 'Yara', 'Y-Admin') \gset
SELECT id AS op_a FROM enroll.register_account('t5-op-a@shop.example', 'Anna', 'Operator') \gset
SELECT id AS op_b FROM enroll.register_account('t5-op-b@shop.example', 'Boris', 'Operator') \gset
SELECT id AS x1 FROM enroll.register_account('t5-x1@example.org', 'X', 'One') \gset
SELECT id AS x2 FROM enroll.register_account('t5-x2@example.org', 'X', 'Two') \gset
SELECT id AS x3 FROM enroll.register_account('t5-x3@example.org', 'X', 'Three') \gset
SELECT id AS x4 FROM enroll.register_account('t5-x4@example.org', 'X', 'Four') \gset
SELECT id AS x5 FROM enroll.register_account('t5-x5@example.org', 'X', 'Five') \gset
SELECT id AS x6 FROM enroll.register_account('t5-x6@example.org', 'X', 'Six') \gset
SELECT id AS kx FROM enroll.register_account('t5-keeper@example.org', 'Kim', 'Keeper') \gset
SELECT id AS nb1 FROM enroll.register_account('t5-new1@example.org', 'New', 'One') \gset
SELECT id AS nb2 FROM enroll.register_account('t5-new2@example.org', 'New', 'Two') \gset
SELECT id AS pr FROM enroll.register_account('t5-pr@example.org', 'Rita', 'Returning') \gset

SELECT code AS t_company FROM enroll.create_organization_type('t5_company', 'Company') \gset
SELECT id AS org_x FROM enroll.create_organization('t5_company', 'T5 X Corp') \gset
SELECT id AS org_y FROM enroll.create_organization('t5_company', 'T5 Y Corp') \gset
INSERT INTO enroll.membership (account_id, organization_id, is_admin, joined_at)
SELECT a, :org_x, a = :xa, '2026-01-05'
  FROM unnest(ARRAY[:mem, :xa, :x1, :x2, :x3, :x4, :x5, :x6, :kx]::bigint[]) a;
INSERT INTO enroll.membership (account_id, organization_id, is_admin, joined_at) VALUES (:ya, :org_y, true, '2026-01-05');

SELECT id AS c_org FROM enroll.create_course('T5-ORG', 'Bought by companies') \gset
SELECT id AS c_a FROM enroll.create_course('T5-SESS', 'Sessions') \gset
SELECT id AS o_org FROM enroll.create_offer('T5-ORG', 'Company pack', :c_org, 0, 'EUR', '2026-01-01', '2027-01-01', '180 days',
                                            recipient_kind => 'organization', seats => 10) \gset
SELECT id AS o_long FROM enroll.create_offer('T5-LONG', 'Two years alone', :c_org, 0, 'EUR', '2026-01-01', '2027-01-01', '730 days') \gset
SELECT id AS o_a FROM enroll.create_offer('T5-SESS', 'Session', :c_a, 0, 'EUR', '2026-01-01', '2027-01-01', '60 days',
                                          handler_params => 'coursename=T5-SESS') \gset
SELECT id AS o_short FROM enroll.create_offer('T5-SHORT', 'Ten days alone', :c_a, 0, 'EUR', '2026-01-01', '2027-01-01', '10 days') \gset

-- X's and Y's licenses (DBA rows: accept_offer wants the company's own
-- admin acting); seats of X for the member, x1 and x2
INSERT INTO enroll.license (offer_id, course_id, holder_kind, organization_id, accepted_by, accepted_via,
                            price_paid, currency, access_from, access_until, seats)
VALUES (:o_org, :c_org, 'organization', :org_x, :xa, 'org_admin', 0, 'EUR', '2026-03-01 10:00+00', '2026-08-28 10:00+00', 10)
RETURNING id AS lic_x \gset
INSERT INTO enroll.license (offer_id, course_id, holder_kind, organization_id, accepted_by, accepted_via,
                            price_paid, currency, access_from, access_until, seats)
VALUES (:o_org, :c_org, 'organization', :org_y, :ya, 'org_admin', 0, 'EUR', '2026-03-01 10:00+00', '2026-08-28 10:00+00', 10)
RETURNING id AS lic_y \gset
SELECT id AS seat_mem FROM enroll.allocate_seat(:lic_x, :mem) \gset
SELECT id AS seat_x1 FROM enroll.allocate_seat(:lic_x, :x1) \gset
SELECT id AS seat_x2 FROM enroll.allocate_seat(:lic_x, :x2) \gset
-- Kim holds two years of the course on his own; Rita ten days of the session's course
SELECT id AS kx_own FROM enroll.accept_offer(:o_long, for_account => :kx) \gset
SELECT id AS pr_own FROM enroll.accept_offer(:o_short, for_account => :pr) \gset

-- operator A's orders (placed by the admin on A's behalf): T5-ORDER with
-- three participants (Rita among them), T5-CANCEL with one
SELECT enroll.setup_course_session('T5-ORDER', :o_a, :op_a, 5,
    '[{"email": "t5-p1@example.org"}, {"email": "t5-p2@example.org"}, {"email": "t5-pr@example.org"}]') ->> 'status' AS st_order \gset
SELECT enroll.setup_course_session('T5-CANCEL', :o_a, :op_a, 2, '[{"email": "t5-c1@example.org"}]') ->> 'status' AS st_cancel \gset
SELECT id AS p1 FROM enroll.account WHERE email = 't5-p1@example.org' \gset
SELECT id AS p2 FROM enroll.account WHERE email = 't5-p2@example.org' \gset
SELECT l.id AS lic_p1 FROM enroll.license l WHERE l.account_id = :p1 AND l.ended_at IS NULL \gset

SELECT results_eq(
    format($$SELECT (SELECT count(*) FROM enroll.license WHERE parent_license = %s AND ended_at IS NULL),
                    (SELECT count(*) FROM enroll.group_member m JOIN enroll.course_group g ON g.id = m.group_id
                      WHERE g.idnumber = 'T5-ORDER'),
                    (SELECT end_reason::text FROM enroll.license WHERE id = %s),
                    %L || ' ' || %L$$, :lic_x, :pr_own, :'st_order', :'st_cancel'),
    $$VALUES (3::bigint, 3::bigint, 'superseded', 'done done')$$,
    'fixtures: three live seats of X, three participants in A''s order, Rita''s ten days superseded by it');

-- the calls, as statement texts
\set stmt_alloc       'SELECT to_jsonb(r) FROM enroll.allocate_seat(' :lic_x ', ' :x3 ') r'
\set stmt_alloc_c     'SELECT to_jsonb(r) FROM enroll.allocate_seat(' :org_x ', ' :c_org ', ' :x5 ') r'
\set stmt_release     'SELECT to_jsonb(r) FROM enroll.release_seat(' :seat_x1 ', ''taken back'') r'
\set stmt_join        'SELECT to_jsonb(r) FROM enroll.join_organization(' :org_x ', ' :nb1 ', ''t5-new1@example.org'') r'
\set stmt_update      'SELECT to_jsonb(r) FROM enroll.update_organization(' :org_x ', ''T5 X Corp renamed'') r'
\set stmt_profile     'SELECT to_jsonb(r) FROM enroll.upgrade_organization_profile(' :org_x ', ''billing'', ''{"legal_name": "X Corp SAS", "address": {"street": "1 rue X", "postal_code": "75001", "city": "Paris", "country": "FR"}}'') r'
\set stmt_cancel      'SELECT enroll.cancel_order(''T5-CANCEL'', ''refund'')'
\set stmt_remove      'SELECT enroll.remove_participant(''T5-ORDER'', ' :p2 ', ''ill'')'
\set stmt_revoke      'SELECT to_jsonb(r) FROM enroll.revoke_license(' :lic_p1 ', ''fraud'') r'
\set stmt_setup_b     'SELECT enroll.setup_course_session(''T5-FOR-B'', ' :o_a ', ' :op_b ', 2, ''[{"email": "t5-intruder@example.org"}]'')'
\set stmt_setup_b_url 'SELECT enroll.setup_course_session(''order=T5-FOR-B&offer=' :o_a '&operator=' :op_b '&seats=2'', ''[{"email": "t5-intruder@example.org"}]'')'

-- who calls: label and account, for the matrices below
CREATE TEMP TABLE caller (label text PRIMARY KEY, account bigint);
INSERT INTO caller VALUES ('the member', :mem), ('X''s admin', :xa), ('Y''s admin', :ya), ('the system admin', :root),
                          ('operator A', :op_a), ('operator B', :op_b);
GRANT SELECT ON caller TO PUBLIC;

------------------------------------------------------------------------------
-- the application acting for nobody (12)
------------------------------------------------------------------------------
SELECT pg_temp.state() AS before \gset
SET ROLE pgtap_w_app;
SELECT throws_ok(format('SELECT pg_temp.call_as(NULL, %L)', stmt), code, NULL,
                 format('anonymous: %s is refused (%s)', fn, code))
  FROM (VALUES ('allocate_seat(license, account)', :'stmt_alloc', 'PE001'),
               ('allocate_seat(organization, course, account)', :'stmt_alloc_c', 'PE001'),
               ('release_seat', :'stmt_release', 'PE001'),
               ('join_organization(organization, account, email)', :'stmt_join', 'PE001'),
               ('update_organization', :'stmt_update', '42501'),
               ('upgrade_organization_profile', :'stmt_profile', '42501'),
               ('cancel_order', :'stmt_cancel', '42501'),
               ('remove_participant', :'stmt_remove', 'PE001'),
               ('revoke_license', :'stmt_revoke', '42501'),
               ('setup_course_session for an operator', :'stmt_setup_b', 'PE001'),
               ('setup_course_session for an operator (URL form)', :'stmt_setup_b_url', 'PE001')) AS v(fn, stmt, code);
RESET ROLE;
SELECT is(pg_temp.state(), :'before', 'anonymous: the refusals changed nothing, no event either');

------------------------------------------------------------------------------
-- allocate_seat(org_license, account) (10)
------------------------------------------------------------------------------
SET ROLE pgtap_w_app;
SELECT throws_ok(format('SELECT pg_temp.call_as(%s, %L)', c.account, :'stmt_alloc'), '42501', NULL,
                 format('allocate_seat(license, account): %s is refused (42501)', c.label))
  FROM caller c WHERE c.label IN ('the member', 'Y''s admin', 'operator A', 'operator B') ORDER BY c.label;
RESET ROLE;
SELECT is(pg_temp.state(), :'before', 'allocate_seat(license, account): the refusals changed nothing');
SET ROLE pgtap_w_app;
SELECT is(pg_temp.call_as(:xa, :'stmt_alloc') ->> 'outcome', 'granted',
          'allocate_seat(license, account): X''s admin gives a seat of X''s license');
SELECT is(pg_temp.call_as(:root, format('SELECT to_jsonb(r) FROM enroll.allocate_seat(%s, %s) r', :lic_x, :x4)) ->> 'outcome',
          'granted', 'allocate_seat(license, account): the system admin gives one too');
-- Kim's own two years give more than a seat: he keeps them, no seat is used;
-- X's admin is told so, and nothing about the license Kim got on his own
SELECT pg_temp.call_as(:xa, format('SELECT to_jsonb(r) FROM enroll.allocate_seat(%s, %s) r', :lic_x, :kx)) AS kept \gset
SELECT is(:'kept'::jsonb ->> 'outcome', 'kept', 'allocate_seat to a member whose own license gives more: outcome kept');
SELECT is_empty(
    format($$SELECT k FROM jsonb_each(%L::jsonb) k
              WHERE (k.key = 'id' AND k.value = to_jsonb(%s::bigint))
                 OR (k.key = 'offer_id' AND k.value = to_jsonb(%s::bigint))
                 OR (k.key IN ('accepted_via', 'accepted_by', 'accepted_at', 'price_paid', 'order_ref',
                               'registrar_org_id', 'accepted_condition') AND k.value <> 'null')$$,
           :'kept', :kx_own, :o_long),
    'allocate_seat kept: the result does not disclose the member''s own license (its id, offer, how and when accepted)');
SELECT is_empty(format($$SELECT e.id, e.what, e.details FROM enroll.event e
                          WHERE (e.table_name = 'license' AND e.row_id = %1$s)
                             OR e.details ->> 'license' = '%1$s' OR e.details ->> 'superseded' = '%1$s'
                             OR e.details ->> 'restored' = '%1$s'$$, :kx_own),
                'allocate_seat kept: nothing X''s admin can read in the log names the license Kim got on his own');
RESET ROLE;

------------------------------------------------------------------------------
-- allocate_seat(organization, course, account) (7)
------------------------------------------------------------------------------
SELECT pg_temp.state() AS before \gset
SET ROLE pgtap_w_app;
SELECT throws_ok(format('SELECT pg_temp.call_as(%s, %L)', c.account, :'stmt_alloc_c'), '42501', NULL,
                 format('allocate_seat(organization, course, account): %s is refused (42501)', c.label))
  FROM caller c WHERE c.label IN ('the member', 'Y''s admin', 'operator A', 'operator B') ORDER BY c.label;
RESET ROLE;
SELECT is(pg_temp.state(), :'before', 'allocate_seat(organization, course, account): the refusals changed nothing');
SET ROLE pgtap_w_app;
SELECT is(pg_temp.call_as(:xa, :'stmt_alloc_c') ->> 'parent_license', :lic_x::text,
          'allocate_seat(organization, course, account): X''s admin gives a seat of X''s current license');
SELECT is(pg_temp.call_as(:root, format('SELECT to_jsonb(r) FROM enroll.allocate_seat(%s, %s, %s) r', :org_x, :c_org, :x6)) ->> 'outcome',
          'granted', 'allocate_seat(organization, course, account): the system admin gives one too');
RESET ROLE;

------------------------------------------------------------------------------
-- release_seat (8)
------------------------------------------------------------------------------
SELECT pg_temp.state() AS before \gset
SET ROLE pgtap_w_app;
SELECT throws_ok(format('SELECT pg_temp.call_as(%s, %L)', :mem,
                        format('SELECT to_jsonb(r) FROM enroll.release_seat(%s, ''mine'') r', :seat_mem)),
                 '42501', NULL, 'release_seat: the member may not give back even their own seat (42501)');
SELECT throws_ok(format('SELECT pg_temp.call_as(%s, %L)', c.account, :'stmt_release'), '42501', NULL,
                 format('release_seat: %s is refused (42501)', c.label))
  FROM caller c WHERE c.label IN ('Y''s admin', 'operator A', 'operator B') ORDER BY c.label;
RESET ROLE;
SELECT is(pg_temp.state(), :'before', 'release_seat: the refusals changed nothing');
SET ROLE pgtap_w_app;
SELECT is(pg_temp.call_as(:xa, :'stmt_release') ->> 'end_reason', 'released', 'release_seat: X''s admin takes a seat back');
SELECT is(pg_temp.call_as(:root, format('SELECT to_jsonb(r) FROM enroll.release_seat(%s) r', :seat_x2)) ->> 'end_reason',
          'released', 'release_seat: the system admin takes one back');
RESET ROLE;
SELECT is(enroll.access_status(:x1, :c_org), 'seat_withdrawn', 'release_seat: the holder''s status is seat_withdrawn');

------------------------------------------------------------------------------
-- join_organization(organization, account, email) (8)
------------------------------------------------------------------------------
SELECT pg_temp.state() AS before \gset
SET ROLE pgtap_w_app;
SELECT throws_ok(format('SELECT pg_temp.call_as(%s, %L)', c.account, :'stmt_join'), '42501', NULL,
                 format('join_organization(organization, account, email): %s is refused (42501)', c.label))
  FROM caller c WHERE c.label IN ('the member', 'Y''s admin', 'operator A', 'operator B') ORDER BY c.label;
RESET ROLE;
SELECT is(pg_temp.state(), :'before', 'join_organization(organization, account, email): the refusals changed nothing');
SET ROLE pgtap_w_app;
SELECT is((pg_temp.call_as(:xa, :'stmt_join') ->> 'account_id')::bigint, :nb1::bigint,
          'join_organization(organization, account, email): X''s admin adds a member');
SELECT is((pg_temp.call_as(:root, format('SELECT to_jsonb(r) FROM enroll.join_organization(%s, %s, %L) r', :org_x, :nb2, 't5-new2@example.org')) ->> 'account_id')::bigint,
          :nb2::bigint, 'join_organization(organization, account, email): the system admin adds one');
RESET ROLE;
SELECT results_eq(format('SELECT account_id FROM enroll.membership WHERE organization_id = %s AND account_id IN (%s, %s) AND left_at IS NULL ORDER BY 1',
                         :org_x, :nb1, :nb2),
                  format('SELECT unnest(ARRAY[%s, %s]::bigint[]) ORDER BY 1', :nb1, :nb2),
                  'join_organization(organization, account, email): both are current members of X');

------------------------------------------------------------------------------
-- update_organization (7)
------------------------------------------------------------------------------
SELECT pg_temp.state() AS before \gset
SET ROLE pgtap_w_app;
SELECT throws_ok(format('SELECT pg_temp.call_as(%s, %L)', c.account, :'stmt_update'), '42501', NULL,
                 format('update_organization: %s is refused (42501)', c.label))
  FROM caller c WHERE c.label IN ('the member', 'Y''s admin', 'operator A', 'operator B') ORDER BY c.label;
RESET ROLE;
SELECT is(pg_temp.state(), :'before', 'update_organization: the refusals changed nothing');
SET ROLE pgtap_w_app;
SELECT is(pg_temp.call_as(:xa, :'stmt_update') ->> 'name', 'T5 X Corp renamed', 'update_organization: X''s admin renames X');
SELECT is(pg_temp.call_as(:root, format('SELECT to_jsonb(r) FROM enroll.update_organization(%s, join_policy => ''approval'') r', :org_x))
              ->> 'join_policy', 'approval', 'update_organization: the system admin sets X''s join policy');
RESET ROLE;

------------------------------------------------------------------------------
-- upgrade_organization_profile (7)
------------------------------------------------------------------------------
SELECT pg_temp.state() AS before \gset
SET ROLE pgtap_w_app;
SELECT throws_ok(format('SELECT pg_temp.call_as(%s, %L)', c.account, :'stmt_profile'), '42501', NULL,
                 format('upgrade_organization_profile: %s is refused (42501)', c.label))
  FROM caller c WHERE c.label IN ('the member', 'Y''s admin', 'operator A', 'operator B') ORDER BY c.label;
RESET ROLE;
SELECT is(pg_temp.state(), :'before', 'upgrade_organization_profile: the refusals changed nothing');
SET ROLE pgtap_w_app;
SELECT is(pg_temp.call_as(:xa, :'stmt_profile') ->> 'profile_level', 'billing',
          'upgrade_organization_profile: X''s admin supplies X''s invoice data');
SELECT is(pg_temp.call_as(:root, format($$SELECT to_jsonb(r) FROM enroll.upgrade_organization_profile(%s, 'billing', '{"vat_number": "FR12345678901"}') r$$, :org_x))
              -> 'profile' ->> 'vat_number', 'FR12345678901', 'upgrade_organization_profile: the system admin adds to it');
RESET ROLE;

------------------------------------------------------------------------------
-- cancel_order: system admins only, the order's operator included (8)
------------------------------------------------------------------------------
SELECT pg_temp.state() AS before \gset
SET ROLE pgtap_w_app;
SELECT throws_ok(format('SELECT pg_temp.call_as(%s, %L)', c.account, :'stmt_cancel'), '42501', NULL,
                 format('cancel_order: %s is refused (42501)', c.label))
  FROM caller c WHERE c.label <> 'the system admin' ORDER BY c.label;
RESET ROLE;
SELECT is(pg_temp.state(), :'before', 'cancel_order: the refusals changed nothing');
SET ROLE pgtap_w_app;
SELECT is(pg_temp.call_as(:root, :'stmt_cancel') ->> 'status', 'cancelled', 'cancel_order: the system admin cancels A''s order');
RESET ROLE;
SELECT is((SELECT status::text FROM enroll.purchase_order WHERE order_ref = 'T5-CANCEL'), 'cancelled',
          'cancel_order: the order is cancelled');

------------------------------------------------------------------------------
-- remove_participant: the order's operator and system admins (12)
------------------------------------------------------------------------------
SELECT pg_temp.state() AS before \gset
SET ROLE pgtap_w_app;
-- nobody else learns whether the order exists: PE027, as for an unknown order
SELECT throws_ok(format('SELECT pg_temp.call_as(%s, %L)', c.account, :'stmt_remove'), 'PE027', NULL,
                 format('remove_participant: %s is refused as for an unknown order (PE027)', c.label))
  FROM caller c WHERE c.label IN ('the member', 'X''s admin', 'Y''s admin', 'operator B') ORDER BY c.label;
SELECT throws_ok(format('SELECT pg_temp.call_as(%s, %L)', :op_b, :'stmt_remove'), 'PE027',
                 'order "T5-ORDER" does not exist',
                 'remove_participant: operator B''s error names neither A nor A''s participant');
SELECT throws_ok(format('SELECT pg_temp.call_as(%s, %L)', :op_b,
                        format($$SELECT enroll.remove_participant('T5-ORDER', %s, 'ill', operator => %s)$$, :p2, :op_a)),
                 'PE027', NULL, 'remove_participant: operator B naming operator A still reaches only B''s own orders (PE027)');
RESET ROLE;
SELECT is(pg_temp.state(), :'before', 'remove_participant: the refusals changed nothing');
SET ROLE pgtap_w_app;
SELECT is(pg_temp.call_as(:root, :'stmt_remove') ->> 'status', 'removed',
          'remove_participant: the system admin takes a participant out of A''s order');
-- operator A takes Rita out: her own ten days come back to her; A is told
-- the seat is free, not what happened to Rita's own license
SELECT pg_temp.call_as(:op_a, format($$SELECT enroll.remove_participant('T5-ORDER', %s)$$, :pr)) AS removed \gset
SELECT is(:'removed'::jsonb ->> 'status', 'removed', 'remove_participant: operator A takes a participant out of A''s own order');
SELECT is(:'removed'::jsonb -> 'seats', '{"bought": 5, "used": 1, "left": 4}'::jsonb,
          'remove_participant: A''s report counts the seats freed');
SELECT is_empty(format($$SELECT e.id, e.what, e.details FROM enroll.event e
                          WHERE (e.table_name = 'license' AND e.row_id = %1$s)
                             OR e.details ->> 'license' = '%1$s' OR e.details ->> 'superseded' = '%1$s'
                             OR e.details ->> 'restored' = '%1$s'$$, :pr_own),
                'remove_participant: nothing operator A can read in the log names the license Rita got on her own');
RESET ROLE;
SELECT is(enroll.access_status(:pr, :c_a), 'active', 'remove_participant: Rita''s own ten days are hers again');

------------------------------------------------------------------------------
-- revoke_license: system admins only (8)
------------------------------------------------------------------------------
SELECT pg_temp.state() AS before \gset
SET ROLE pgtap_w_app;
SELECT throws_ok(format('SELECT pg_temp.call_as(%s, %L)', c.account, :'stmt_revoke'), '42501', NULL,
                 format('revoke_license of a license of A''s order: %s is refused (42501)', c.label))
  FROM caller c WHERE c.label <> 'the system admin' ORDER BY c.label;
SELECT throws_ok(format('SELECT pg_temp.call_as(%s, %L)', :xa, format('SELECT enroll.revoke_license(%s, ''no'')', :seat_mem)),
                 '42501', NULL, 'revoke_license of a seat of X: X''s admin is refused too (42501)');
RESET ROLE;
SELECT is(pg_temp.state(), :'before', 'revoke_license: the refusals changed nothing');
SET ROLE pgtap_w_app;
SELECT is(pg_temp.call_as(:root, :'stmt_revoke') ->> 'end_reason', 'revoked', 'revoke_license: the system admin revokes');
RESET ROLE;

------------------------------------------------------------------------------
-- setup_course_session naming another operator (10)
------------------------------------------------------------------------------
SELECT pg_temp.state() AS before \gset
SET ROLE pgtap_w_app;
SELECT throws_ok(format('SELECT pg_temp.call_as(%s, %L)', c.account, :'stmt_setup_b'), '42501', NULL,
                 format('setup_course_session for operator B: %s is refused (42501)', c.label))
  FROM caller c WHERE c.label IN ('the member', 'X''s admin', 'Y''s admin', 'operator A') ORDER BY c.label;
SELECT throws_ok(format('SELECT pg_temp.call_as(%s, %L)', :op_a, :'stmt_setup_b_url'), '42501', NULL,
                 'setup_course_session for operator B, URL form: operator A is refused (42501)');
SELECT throws_ok(format('SELECT pg_temp.call_as(%s, %L)', :op_a,
                        format($$SELECT enroll.setup_course_session('T5-FOR-B', %s, %s, 2, '[{"email": "t5-intruder@example.org"}]', dry_run => true)$$,
                               :o_a, :op_b)),
                 '42501', NULL, 'setup_course_session for operator B: operator A is refused a dry run too (42501)');
RESET ROLE;
SELECT is(pg_temp.state(), :'before', 'setup_course_session for operator B: the refusals changed nothing');
SET ROLE pgtap_w_app;
SELECT is(pg_temp.call_as(:op_b, :'stmt_setup_b') ->> 'status', 'done', 'setup_course_session: operator B sets up B''s own order');
SELECT is(pg_temp.call_as(:root, format($$SELECT enroll.setup_course_session('T5-FOR-B-2', %s, %s, 2, '[{"email": "t5-other@example.org"}]')$$,
                                        :o_a, :op_b)) ->> 'status',
          'done', 'setup_course_session: the system admin sets one up on operator B''s behalf');
RESET ROLE;
SELECT results_eq($$SELECT order_ref, operator_id FROM enroll.purchase_order WHERE order_ref LIKE 'T5-FOR-B%' ORDER BY 1$$,
                  format($$VALUES ('T5-FOR-B', %1$s::bigint), ('T5-FOR-B-2', %1$s)$$, :op_b),
                  'setup_course_session: both orders are operator B''s');

SELECT * FROM finish();
ROLLBACK;

-- 13_organizations: organizations and seats (1.2).  Organization offers
-- check the organization's own billing profile; seats given by the form an
-- administration page needs; a renewal carries the live seats (no gap) and
-- is refused when it has fewer seats than live ones (PE024); an admin takes
-- a seat back; leaving the organization ends the seat; the approval policy
-- (S2.13) against joining by oneself (S2.17); acceptance caps (PE023) and
-- the places left.  Statuses at several instants across a renewal.
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
SELECT count(pg_catalog.setval(c.oid, 13000)) AS sequences_moved
  FROM pg_class c WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind = 'S';
CREATE ROLE regress_orgs_app LOGIN IN ROLE enroll_app;
-- the seats of an organization license as a superuser sees them
CREATE FUNCTION pg_temp.seats(org_license bigint) RETURNS TABLE (holder text, ended_at timestamptz, end_reason enroll.license_end_reason)
LANGUAGE sql AS $$
    SELECT a.email, l.ended_at, l.end_reason FROM enroll.license l JOIN enroll.account a ON a.id = l.account_id
     WHERE l.parent_license = org_license ORDER BY a.email, l.id
$$;
CREATE FUNCTION pg_temp.status_at(instant timestamptz, accounts bigint[], of_course bigint)
RETURNS TABLE (account bigint, status text) LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('enroll.clock', instant::text, true);
    RETURN QUERY SELECT u.a, enroll.access_status(u.a, of_course)::text FROM unnest(accounts) WITH ORDINALITY u(a, n) ORDER BY u.n;
END $$;

SELECT id AS course FROM enroll.create_course('ORG-SAFETY', 'Workplace safety') \gset
SELECT id AS company_type FROM enroll.create_organization_type('org_company', 'Company') \gset
SELECT id AS acme FROM enroll.create_organization('org_company', 'Acme Works') \gset
SELECT id AS globex FROM enroll.create_organization('org_company', 'Globex') \gset
SELECT id AS root FROM enroll.register_account('root@orgs.example', 'Root', 'Admin') \gset
UPDATE enroll.account SET is_admin = true WHERE id = :root;
SELECT id AS boss FROM enroll.register_account('boss@acme.example', 'Bea', 'Boss') \gset
SELECT id AS ann FROM enroll.register_account('ann@acme.example', 'Ann', 'A') \gset
SELECT id AS bob FROM enroll.register_account('bob@acme.example', 'Bob', 'B') \gset
SELECT id AS cat FROM enroll.register_account('cat@acme.example', 'Cat', 'C') \gset
SELECT id AS gil FROM enroll.register_account('gil@globex.example', 'Gil', 'Globex admin') \gset
-- everyone joins; Bea administers Acme, Gil Globex
SET ROLE regress_orgs_app;
BEGIN;
SELECT count(*) AS joined FROM (
    SELECT enroll.act_as(a), enroll.join_organization(:acme) FROM unnest(ARRAY[:boss, :ann, :bob, :cat]) a) x;
SELECT enroll.act_as(:gil);
SELECT (enroll.join_organization(:globex)).organization_id = :globex AS gil_joined;
COMMIT;
RESET ROLE;
SELECT (enroll.set_organization_admin(:acme, :boss)).is_admin AND (enroll.set_organization_admin(:globex, :gil)).is_admin AS admins_set;
-- Bea's own billing profile is complete: it must not count for Acme's
SET ROLE regress_orgs_app;
BEGIN;
SELECT enroll.act_as(:boss);
SELECT profile_level FROM enroll.upgrade_profile('billing',
       '{"address": {"street": "9 rue Privée", "postal_code": "75002", "city": "Paris", "country": "FR"}}');
COMMIT;
RESET ROLE;
-- a paid three-seat pack (billing) and its renewal: a five-seat pack, a two-seat pack
SELECT id AS pack3 FROM enroll.create_offer('ORG-PACK3', 'Safety, 3 seats', :course, 300, 'EUR', '2026-01-01', '2026-12-31', '90 days',
       recipient_kind => 'organization', seats => 3, required_level => 'billing') \gset
SELECT id AS pack5 FROM enroll.create_offer('ORG-PACK5', 'Safety, 5 seats', :course, 450, 'EUR', '2026-01-01', '2026-12-31', '180 days',
       recipient_kind => 'organization', seats => 5) \gset
SELECT id AS pack2 FROM enroll.create_offer('ORG-PACK2', 'Safety, 2 seats', :course, 200, 'EUR', '2026-01-01', '2026-12-31', '180 days',
       recipient_kind => 'organization', seats => 2) \gset

-------------------------------------------------------------------------------
-- 1. Organization billing: the organization's own invoice data (S2.11)
-------------------------------------------------------------------------------
SET ROLE regress_orgs_app;
BEGIN;
SELECT enroll.act_as(:boss);
SELECT s ->> 'step' AS step, s ->> 'satisfied' AS satisfied, s -> 'organizations' -> 0 ->> 'name' AS organization,
       s -> 'organizations' -> 0 -> 'missing_fields' AS organization_missing
  FROM jsonb_array_elements(enroll.offer_requirements(:pack3) -> 'steps') s;
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_organization => %s)', :pack3, :acme)) AS without_company_data;
SELECT pg_temp.error_of(format($$SELECT enroll.upgrade_organization_profile(%s, 'billing', '{"legal_name": "Acme Works SAS"}')$$, :acme))
       AS incomplete;
SELECT profile_level, profile ->> 'legal_name' AS legal_name
  FROM enroll.upgrade_organization_profile(:acme, 'billing',
       '{"legal_name": "Acme Works SAS", "vat_number": "FR12345678901",
         "address": {"street": "1 avenue Usine", "postal_code": "69007", "city": "Lyon", "country": "FR"}}');
SELECT s ->> 'step' AS step, s ->> 'satisfied' AS satisfied
  FROM jsonb_array_elements(enroll.offer_requirements(:pack3) -> 'steps') s WHERE s ->> 'step' = 'organization_profile';
SELECT id AS lic3, outcome, seats, access_until FROM enroll.accept_offer(:pack3, for_organization => :acme) \gset
SELECT :'outcome' AS outcome, :'seats' AS seats, :'access_until' AS access_until;
-- a member who is not an admin cannot supply or change the company's data, nor another organization's admin
SELECT enroll.act_as(:ann);
SELECT pg_temp.error_of(format($$SELECT enroll.upgrade_organization_profile(%s, 'billing', '{}')$$, :acme)) AS member;
SELECT enroll.act_as(:gil);
SELECT pg_temp.error_of(format($$SELECT enroll.upgrade_organization_profile(%s, 'billing', '{}')$$, :acme)) AS other_admin;
COMMIT;
RESET ROLE;
-- the level is always backed by the data, even for a DBA writing by hand
SELECT pg_temp.error_of(format($$UPDATE enroll.organization SET profile = '{}' WHERE id = %s$$, :acme)) AS by_hand;

-------------------------------------------------------------------------------
-- 2. Seats by organization and course; taking one back; giving it again
-------------------------------------------------------------------------------
SET ROLE regress_orgs_app;
BEGIN;
SELECT enroll.act_as(:boss);
SELECT outcome, parent_license = :lic3 AS seat FROM enroll.allocate_seat(:acme, :course, :ann);
SELECT id AS bob_seat, outcome FROM enroll.allocate_seat(:acme, :course, :bob) \gset
SELECT :'outcome' AS bob;
SELECT enroll.access_status(:bob, :course) AS bob_before_release;
SELECT end_reason, end_note FROM enroll.release_seat(:bob_seat, 'moved to another team');
SELECT enroll.access_status(:bob, :course) AS bob_after_release;
SELECT pg_temp.error_of(format('SELECT enroll.release_seat(%s)', :bob_seat)) AS released_twice;
-- the seat is free again: Cat takes it, and a third one is left for Bob
SELECT id AS cat_seat, outcome FROM enroll.allocate_seat(:acme, :course, :cat) \gset
SELECT :'outcome' AS cat;
SELECT outcome FROM enroll.allocate_seat(:acme, :course, :bob);
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s, %s)', :acme, :course, :boss)) AS fourth_seat;
-- refusals of the organization form
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s, %s)', :globex, :course, :ann)) AS not_my_org;
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s, %s)', -1, :course, :ann)) AS unknown_org;
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s, %s)', :acme, -1, :ann)) AS no_license_for_course;
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s, %s)', :acme, :course, :gil)) AS not_a_member;
SELECT enroll.act_as(:ann);
SELECT pg_temp.error_of(format('SELECT enroll.release_seat(%s)', :cat_seat)) AS member_releases;
SELECT pg_temp.error_of(format('SELECT enroll.release_seat(%s)', :lic3)) AS not_a_seat;
SELECT enroll.act_as(:gil);
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s, %s)', :acme, :course, :gil)) AS other_admin;
COMMIT;
RESET ROLE;
SELECT * FROM pg_temp.seats(:lic3);

-------------------------------------------------------------------------------
-- 3. Renewal carries the live seats: no gap, released seats stay released,
--    too small a renewal is refused
-------------------------------------------------------------------------------
SET enroll.clock = '2026-05-01 10:00:00+00';
SET ROLE regress_orgs_app;
BEGIN;
SELECT enroll.act_as(:boss);
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_organization => %s)', :pack2, :acme)) AS renewal_too_small;
SELECT id AS lic5, outcome, seats FROM enroll.accept_offer(:pack5, for_organization => :acme) \gset
SELECT :'outcome' AS renewal, :'seats' AS seats;
COMMIT;
RESET ROLE;
-- the old license is superseded, its live seats now hang on the new one
SELECT end_reason, superseded_by = :lic5 AS by_the_renewal FROM enroll.license WHERE id = :lic3;
SELECT * FROM pg_temp.seats(:lic3);
SELECT * FROM pg_temp.seats(:lic5);
SELECT used, free FROM enroll.organization_seats WHERE organization_id = :acme AND license_id = :lic5;
-- statuses: before the old end, after it, until the renewal's end
SELECT t AS instant, x.*
  FROM unnest(ARRAY[timestamptz '2026-05-01 10:00+00', '2026-05-30 10:00+00', '2026-06-15 10:00+00',
                    '2026-10-28 09:59+00', '2026-10-28 10:00+00']) t,
       LATERAL pg_temp.status_at(t, ARRAY[:ann, :bob, :cat, :boss]::bigint[], :course) x;
SET enroll.clock = '2026-05-01 10:00:00+00';
-- the renewal's free seats can be given
SET ROLE regress_orgs_app;
BEGIN;
SELECT enroll.act_as(:boss);
SELECT outcome, parent_license = :lic5 AS on_the_renewal FROM enroll.allocate_seat(:acme, :course, :boss);
COMMIT;
RESET ROLE;

-------------------------------------------------------------------------------
-- 4. Leaving the organization ends the seat; rejoining does not bring it back
-------------------------------------------------------------------------------
SET ROLE regress_orgs_app;
BEGIN;
SELECT enroll.act_as(:cat);
SELECT left_at IS NOT NULL AS cat_left FROM enroll.leave_organization(:acme);
COMMIT;
RESET ROLE;
SELECT * FROM pg_temp.seats(:lic5) WHERE holder = 'cat@acme.example';
SELECT enroll.access_status(:cat, :course) AS cat_after_leaving;
SET ROLE regress_orgs_app;
BEGIN;
SELECT enroll.act_as(:cat);
SELECT (enroll.join_organization(:acme)).left_at IS NULL AS cat_rejoined;
COMMIT;
RESET ROLE;
SELECT enroll.access_status(:cat, :course) AS cat_after_rejoining;
SELECT used, free FROM enroll.organization_seats WHERE organization_id = :acme AND license_id = :lic5;
SELECT end_note FROM enroll.license WHERE account_id = :cat AND parent_license = :lic5;
-- an admin removing a member ends the seat the same way
SET ROLE regress_orgs_app;
BEGIN;
SELECT enroll.act_as(:boss);
SELECT left_at IS NOT NULL AS bob_removed FROM enroll.leave_organization(:acme, :bob);
COMMIT;
RESET ROLE;
SELECT * FROM pg_temp.seats(:lic5) WHERE holder = 'bob@acme.example';

-------------------------------------------------------------------------------
-- 5. Joining policy: a school admits its learners by approval (S2.13)
-------------------------------------------------------------------------------
SELECT id AS school_type FROM enroll.create_organization_type('org_school', 'School') \gset
SELECT id AS school FROM enroll.create_organization('org_school', 'Lycée Approuvé') \gset
SELECT id AS head FROM enroll.register_account('head@school.example', 'Hed', 'Master') \gset
SELECT id AS stu FROM enroll.register_account('stu@school.example', 'Stu', 'Dent') \gset
SET ROLE regress_orgs_app;
BEGIN;
SELECT enroll.act_as(:head);
SELECT (enroll.join_organization(:school)).organization_id = :school AS head_joined;
COMMIT;
RESET ROLE;
SELECT (enroll.set_organization_admin(:school, :head)).is_admin AS head_is_admin;
SET ROLE regress_orgs_app;
BEGIN;
SELECT enroll.act_as(:head);
SELECT name, join_policy FROM enroll.update_organization(:school, join_policy => 'approval');
SELECT enroll.act_as(:stu);
SELECT pg_temp.error_of(format('SELECT enroll.update_organization(%s, join_policy => %L)', :school, 'open')) AS student_reopens;
SELECT pg_temp.error_of(format('SELECT enroll.join_organization(%s)', :school)) AS join_by_oneself;
COMMIT;
RESET ROLE;
-- an offer for the school's learners: a registrar condition (S2.16) cannot
-- be met by joining while accepting (S2.17) when the school approves
SELECT id AS school_offer FROM enroll.create_offer('ORG-SCHOOL', 'Safety for schools', :course, 0, 'EUR', '2026-01-01', '2026-12-31',
       '30 days') \gset
INSERT INTO enroll.offer_registrar_type (offer_id, organization_type_id) VALUES (:school_offer, :school_type);
SET ROLE regress_orgs_app;
BEGIN;
SELECT enroll.act_as(:stu);
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, registrar_org => %s, join_registrar => true)', :school_offer, :school))
       AS accept_and_join;
-- the head adds the student; then the student accepts through the school
SELECT enroll.act_as(:head);
-- by id and address: an id alone would let an admin add anybody and read their address
SELECT pg_temp.error_of(format('SELECT enroll.join_organization(%s, %s, %L)', :school, :stu, 'someone.else@school.example')) AS wrong_address;
SELECT (enroll.join_organization(:school, :stu, ' STU@School.example')).account_id = :stu AS head_added_stu;
SELECT enroll.act_as(:stu);
SELECT outcome FROM enroll.accept_offer(:school_offer, registrar_org => :school);
-- a member cannot add others; another organization's admin cannot either
SELECT pg_temp.error_of(format('SELECT enroll.join_organization(%s, %s, %L)', :school, :ann, 'ann@acme.example')) AS member_adds;
SELECT enroll.act_as(:boss);
SELECT pg_temp.error_of(format('SELECT enroll.join_organization(%s, %s, %L)', :school, :ann, 'ann@acme.example')) AS other_admin_adds;
SELECT pg_temp.error_of(format('SELECT enroll.join_organization(%s, %s, %L)', -1, :ann, 'ann@acme.example')) AS unknown_org;
COMMIT;
RESET ROLE;
-- an open organization still lets learners join by themselves
SELECT join_policy FROM enroll.organization WHERE id = :acme;

-------------------------------------------------------------------------------
-- 6. Acceptance caps: number n+1 is refused; the places left are shown;
--    the cap cannot go below what was accepted
-------------------------------------------------------------------------------
SELECT id AS capped FROM enroll.create_offer('ORG-CAPPED', 'Two places', :course, 0, 'EUR', '2026-01-01', '2026-12-31', '30 days',
       max_acceptances => 2) \gset
SELECT id AS p1 FROM enroll.register_account('p1@cap.example') \gset
SELECT id AS p2 FROM enroll.register_account('p2@cap.example') \gset
SELECT id AS p3 FROM enroll.register_account('p3@cap.example') \gset
SET ROLE regress_orgs_app;
BEGIN;
SELECT enroll.act_as(:p1);
SELECT max_acceptances, places_left FROM enroll.visible_offers WHERE id = :capped;
SELECT enroll.offer_requirements(:capped) -> 'places_left' AS places_left;
SELECT outcome FROM enroll.accept_offer(:capped);
SELECT enroll.act_as(:p2);
SELECT outcome FROM enroll.accept_offer(:capped);
SELECT enroll.act_as(:p3);
SELECT places_left FROM enroll.visible_offers WHERE id = :capped;
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s)', :capped)) AS third;
-- every acceptance counts, a person's repeat included
SELECT enroll.act_as(:p1);
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s)', :capped)) AS repeat_counts;
COMMIT;
RESET ROLE;
SELECT pg_temp.error_of(format('SELECT enroll.update_offer(%s, max_acceptances => 1)', :capped)) AS below_made;
SELECT max_acceptances FROM enroll.update_offer(:capped, max_acceptances => 3);
SELECT places_left AS after_raising FROM enroll.visible_offers WHERE id = :capped;
SELECT max_acceptances IS NULL AS no_cap FROM enroll.update_offer(:capped, max_acceptances => 0);
SELECT places_left IS NULL AS no_places_count FROM enroll.visible_offers WHERE id = :capped;
SELECT pg_temp.error_of(format('SELECT enroll.update_offer(%s, max_acceptances => -1)', :capped)) AS negative;
SELECT pg_temp.error_of($$UPDATE enroll.offer SET max_acceptances = 0 WHERE code = 'ORG-CAPPED'$$) AS zero_by_hand;

-- The cap's counter (offer.acceptances_made, src/acceptance_cap.c): NULL
-- without a cap; a cap set on an offer accepted twice counts the two, also
-- when a DBA sets it by hand (trigger offer_cap_count), and never goes below
-- them (22023)
SELECT max_acceptances, acceptances_made FROM enroll.offer WHERE id = :capped;
UPDATE enroll.offer SET max_acceptances = 5 WHERE id = :capped;
SELECT max_acceptances, acceptances_made FROM enroll.offer WHERE id = :capped;
SELECT places_left AS two_of_five_taken FROM enroll.visible_offers WHERE id = :capped;
SELECT pg_temp.error_of($$UPDATE enroll.offer SET max_acceptances = 1 WHERE code = 'ORG-CAPPED'$$) AS below_by_hand;
-- structural: a counter exactly with a cap, never above it (23514)
SELECT pg_temp.error_of($$UPDATE enroll.offer SET acceptances_made = 6 WHERE code = 'ORG-CAPPED'$$) AS above_cap;
SELECT pg_temp.error_of(format('UPDATE enroll.offer SET acceptances_made = 0 WHERE id = %s', :pack3)) AS without_cap;
-- an acceptance that creates no license takes no place: a system admin's
-- second acceptance for p3 keeps the license of the first
SET ROLE regress_orgs_app;
BEGIN;
SELECT enroll.act_as(:root);
SELECT outcome FROM enroll.accept_offer(:capped, for_account => :p3);
SELECT outcome FROM enroll.accept_offer(:capped, for_account => :p3);
COMMIT;
RESET ROLE;
SELECT acceptances_made AS three_made FROM enroll.offer WHERE id = :capped;
-- a counter that differs from the licenses (a DBA's hand-written row) is
-- reported by check_invariants
UPDATE enroll.offer SET acceptances_made = 2 WHERE id = :capped;
SELECT invariant, violations, example FROM enroll.check_invariants();
UPDATE enroll.offer SET acceptances_made = 3 WHERE id = :capped;

SELECT * FROM enroll.check_invariants();
RESET enroll.clock;
DROP ROLE regress_orgs_app;

-- 06_acceptance: accepting offers (S2.5, S2.8-S2.17, S2.21-S2.23): every
-- condition in the API's order, each with its own SQLSTATE, and nothing left
-- behind by a refusal.  Offers are written by hand as a DBA here, so that this
-- file depends on nothing but the tables.
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
-- ids in messages stay the same whatever earlier tests created
SELECT count(pg_catalog.setval(c.oid, 6000)) AS sequences_moved
  FROM pg_class c WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind = 'S';
-- row counts of everything an acceptance may write
CREATE FUNCTION pg_temp.counts() RETURNS text LANGUAGE sql AS $$
    SELECT format('licenses=%s memberships=%s events=%s accounts=%s',
        (SELECT count(*) FROM enroll.license), (SELECT count(*) FROM enroll.membership),
        (SELECT count(*) FROM enroll.event), (SELECT count(*) FROM enroll.account))
$$;
CREATE ROLE regress_enroll_app LOGIN IN ROLE enroll_app;

-- the S2.14 story: a foundation's maths exam preparation; the learner's school is the registrar
SELECT id AS maths FROM enroll.create_course('ACC-MATHS', 'Maths exam preparation') \gset
SELECT id AS school_type FROM enroll.create_organization_type('acc_school', 'School') \gset
SELECT id AS ngo_type FROM enroll.create_organization_type('acc_ngo', 'Non-profit') \gset
SELECT id AS lycee FROM enroll.create_organization('acc_school', 'Lycée Pasteur') \gset
SELECT id AS college FROM enroll.create_organization('acc_school', 'Collège Jean Moulin') \gset
SELECT id AS club FROM enroll.create_organization('acc_ngo', 'Chess club') \gset
SELECT id AS lea FROM enroll.register_account('lea@example.org', 'Léa', 'Petit') \gset
SELECT id AS tom FROM enroll.register_account('tom@example.org', 'Tom', 'Roux') \gset
SELECT id AS admin FROM enroll.register_account('root@example.org', 'Root', 'Admin') \gset
UPDATE enroll.account SET is_admin = true WHERE id = :admin;
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period, extra_condition)
    VALUES ('ACC-FREE', 'Free discovery', :maths, 0, 'EUR', '2026-01-01', '2026-12-31', '30 days', NULL)
    RETURNING id AS free \gset
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period, required_level,
                          extra_condition, documents_grace)
    VALUES ('ACC-PAID', 'Exam preparation, school-supported', :maths, 49.90, 'EUR', '2026-01-01', '2026-12-31', '180 days',
            'billing', 'I declare that my school supports my registration.', '30 days')
    RETURNING id AS paid \gset
INSERT INTO enroll.offer_registrar_type (offer_id, organization_type_id) VALUES (:paid, :school_type);
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period)
    VALUES ('ACC-LATER', 'Next year', :maths, 0, 'EUR', '2027-01-01', '2027-12-31', '30 days') RETURNING id AS later \gset
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period)
    VALUES ('ACC-OLD', 'Last year', :maths, 0, 'EUR', '2025-01-01', '2025-12-31', '30 days') RETURNING id AS old \gset
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period, visibility)
    VALUES ('ACC-PRIV', 'For Tom only', :maths, 0, 'EUR', '2026-01-01', '2026-12-31', '60 days', 'private') RETURNING id AS priv \gset
INSERT INTO enroll.offer_recipient (offer_id, recipient_kind, account_id) VALUES (:priv, 'person', :tom);
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period, recipient_kind, seats)
    VALUES ('ACC-ORG', 'Class pack', :maths, 0, 'EUR', '2026-01-01', '2026-12-31', '365 days', 'organization', 25) RETURNING id AS orgoffer \gset

SET ROLE regress_enroll_app;

-- before login: the requirements of the public paid offer (S2.6, S2.12, S2.16, S2.21)
SELECT jsonb_pretty(enroll.offer_requirements(:paid) - 'offer');
-- 1. logged in (PE001)
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s)', :free));

BEGIN;
SELECT enroll.act_as(:lea);
SELECT pg_temp.counts() AS before \gset
-- 2. offer active (PE002), upcoming and expired; unknown offer (PE015); NULL (22004)
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s)', :later));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s)', :old));
SELECT pg_temp.error_of('SELECT enroll.accept_offer(-1)');
SELECT pg_temp.error_of('SELECT enroll.accept_offer(NULL)');
-- 3. visibility and who may accept (PE003, PE010, 42501, 22023)
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s)', :priv));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_account => %s)', :free, :tom));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s)', :orgoffer));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_organization => %s)', :orgoffer, :lycee));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_organization => %s)', :free, :lycee));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_account => %s, for_organization => %s)', :free, :lea, :lycee));
-- 4. profile level (PE004): the paid offer needs billing
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s)', :paid));
-- upgrade_profile lists every missing field at once (PE009), and validates shapes
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '{"address": {"street": "3 rue des Lilas", "country": "france"}}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '{}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '[1, 2]')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '{"address": "somewhere"}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('gold', '{}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile(NULL, '{}')$$);
SELECT pg_temp.counts() = :'before' AS nothing_changed;
SELECT firstname, lastname, profile_level, profile FROM enroll.upgrade_profile('billing',
    '{"address": {"street": "3 rue des Lilas", "postal_code": "69003", "city": "Lyon", "country": "FR"}}');
SELECT pg_temp.counts() AS before \gset
-- already above default, the profile step is still listed (S2.12), now satisfied
SELECT jsonb_pretty(enroll.offer_requirements(:paid) #> '{steps}');
-- 5. registrar organization (PE005, PE006, PE016)
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, accept_condition => true)', :paid));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, registrar_org => %s, accept_condition => true)', :paid, :club));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, registrar_org => %s, accept_condition => true)', :paid, :lycee));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, registrar_org => -5, accept_condition => true)', :paid));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, registrar_org => %s)', :free, :lycee));
-- 6. extra condition (PE007): named school, joined now, but the box is not ticked
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, registrar_org => %s, join_registrar => true)', :paid, :lycee));
-- every refusal above left nothing behind: no license, no membership, no event
SELECT pg_temp.counts() = :'before' AS nothing_changed;
COMMIT;

-- the learner takes the free offer first ...
BEGIN;
SELECT enroll.act_as(:lea);
SELECT offer_id = :free AS from_free, holder_kind, accepted_via, price_paid, currency,
       access_from, access_until, registrar_org_id, accepted_condition, ended_at
  FROM enroll.accept_offer(:free);
COMMIT;
-- ... and ten days later switches to the paid one, joining her school as registrar (S2.14, S2.17, S2.23)
RESET ROLE;
SET enroll.clock = '2026-03-11 10:00:00+00';
SET ROLE regress_enroll_app;
BEGIN;
SELECT enroll.act_as(:lea);
SELECT jsonb_pretty(enroll.offer_requirements(:paid) #> '{steps,2}');
SELECT offer_id = :paid AS from_paid, accepted_via, price_paid, currency, access_from, access_until,
       registrar_org_id = :lycee AS school_is_registrar, accepted_condition, documents_due_at
  FROM enroll.accept_offer(:paid, registrar_org => :lycee, join_registrar => true, accept_condition => true);
COMMIT;
RESET ROLE;
-- the free license ended as superseded by the paid one; its remaining 20 days are not carried over
SELECT o.code, l.access_from, l.access_until, l.ended_at, l.end_reason, s.code AS superseded_by
  FROM enroll.license l JOIN enroll.offer o ON o.id = l.offer_id
  LEFT JOIN enroll.license n ON n.id = l.superseded_by LEFT JOIN enroll.offer s ON s.id = n.offer_id
 WHERE l.account_id = :lea ORDER BY l.id;
SELECT count(*) AS lea_memberships FROM enroll.membership WHERE account_id = :lea AND organization_id = :lycee AND left_at IS NULL;
SELECT what FROM enroll.event WHERE account_id = :lea AND what LIKE 'license.%' OR (what = 'membership.join' AND account_id = :lea) ORDER BY id;
-- an offer never ends before a license it granted (S2.4): closing it at the
-- very instant of its latest acceptance is refused, even for a DBA
UPDATE enroll.offer SET valid_until = enroll.clock_now() WHERE id = :paid;
-- (1.2) there is no index on license.offer_id: the guard asks only for the
-- licenses accepted at or after the new end, which the BRIN
-- license_accepted_at_idx finds (with seq scans off, as on a large table
-- where the planner prefers it: the refusal stands, through that index)
SELECT pg_stat_force_next_flush();
SELECT idx_scan AS brin_scans FROM pg_stat_user_indexes WHERE indexrelname = 'license_accepted_at_idx' \gset
SET enable_seqscan = off;
UPDATE enroll.offer SET valid_until = enroll.clock_now() WHERE id = :paid;
RESET enable_seqscan;
SELECT pg_stat_force_next_flush();
SELECT idx_scan > :brin_scans AS guard_read_the_brin
  FROM pg_stat_user_indexes WHERE indexrelname = 'license_accepted_at_idx';
SELECT count(*) AS offer_id_indexes FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
 WHERE i.indrelid = 'enroll.license'::regclass AND a.attname = 'offer_id';
-- the registrar organization is neither the holder nor the offerer (S2.15)
SELECT holder_kind, account_id = :lea AS lea_holds, organization_id IS NULL AS org_holds_nothing
  FROM enroll.license WHERE account_id = :lea AND ended_at IS NULL;

-- a system admin accepts on behalf of a learner (S2.8), recorded as such
SET ROLE regress_enroll_app;
BEGIN;
SELECT enroll.act_as(:admin);
SELECT accepted_via, accepted_by = :admin AS by_admin, account_id = :tom AS for_tom
  FROM enroll.accept_offer(:priv, for_account => :tom);
COMMIT;
-- a private offer: only its addressee sees its requirements or accepts it
BEGIN;
SELECT enroll.act_as(:lea);
SELECT pg_temp.error_of(format('SELECT enroll.offer_requirements(%s)', :priv));
ROLLBACK;
BEGIN;
SELECT enroll.act_as(:tom);
SELECT enroll.offer_requirements(:priv) -> 'steps' AS tom_steps;
SELECT accepted_via, access_until FROM enroll.accept_offer(:priv);
COMMIT;
RESET ROLE;
SELECT count(*) AS tom_current_licenses FROM enroll.license WHERE account_id = :tom AND ended_at IS NULL;

-- organization offers: only a current admin of the organization, on its behalf (S2.8)
INSERT INTO enroll.membership (account_id, organization_id, is_admin) VALUES (:tom, :college, true);
SET ROLE regress_enroll_app;
BEGIN;
SELECT enroll.act_as(:tom);
SELECT enroll.offer_requirements(:orgoffer) #> '{steps,1}' AS org_admin_step;
SELECT holder_kind, organization_id = :college AS college_holds, seats, accepted_via
  FROM enroll.accept_offer(:orgoffer, for_organization => :college);
COMMIT;
BEGIN;
SELECT enroll.act_as(:admin);   -- a system admin is not an admin of the organization
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_organization => %s)', :orgoffer, :college));
ROLLBACK;

-- an organization accepts without a registrar, even an offer restricted to
-- members of organization types (S2.13-S2.17 are about a person's registrar):
-- naming one is PE006, and the license records none
RESET ROLE;
INSERT INTO enroll.offer_registrar_type (offer_id, organization_type_id) VALUES (:orgoffer, :school_type);
SET ROLE regress_enroll_app;
BEGIN;
SELECT enroll.act_as(:tom);
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_organization => %s, registrar_org => %s)', :orgoffer, :college, :lycee));
SELECT holder_kind, organization_id = :college AS college_holds, registrar_org_id IS NULL AS no_registrar
  FROM enroll.accept_offer(:orgoffer, for_organization => :college);
ROLLBACK;
RESET ROLE;
DELETE FROM enroll.offer_registrar_type WHERE offer_id = :orgoffer;

-- the offer's window is read at acceptance: once it ends, no more licenses
RESET ROLE;
SET enroll.clock = '2027-01-05 00:00:00+00';
SET ROLE regress_enroll_app;
BEGIN;
SELECT enroll.act_as(:lea);
SELECT enroll.offer_requirements(:free) ->> 'state' AS state;
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s)', :free));
ROLLBACK;
RESET ROLE;

-- join / leave
SET enroll.clock = '2026-04-01 00:00:00+00';
SET ROLE regress_enroll_app;
BEGIN;
SELECT enroll.act_as(:tom);
SELECT organization_id = :club AS joined FROM enroll.join_organization(:club);
SELECT count(*) AS same_membership FROM (SELECT enroll.join_organization(:club)) j;
SELECT pg_temp.error_of('SELECT enroll.join_organization(-3)');
ROLLBACK;
BEGIN;
SELECT enroll.act_as(:tom);
SELECT left_at FROM enroll.leave_organization(:college);
SELECT pg_temp.error_of(format('SELECT enroll.leave_organization(%s)', :college));
ROLLBACK;
BEGIN;
SELECT enroll.act_as(:lea);     -- a plain member cannot remove others
SELECT pg_temp.error_of(format('SELECT enroll.leave_organization(%s, %s)', :college, :tom));
ROLLBACK;
RESET ROLE;

RESET enroll.clock;
DROP ROLE regress_enroll_app;

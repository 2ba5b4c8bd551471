-- The scripted story that test/t/004_upgrade.pl runs on a fresh 1.2 database
-- and on the upgraded ones: the same calls must give the same answers.  It
-- prints no id (the upgraded databases hold older rows), only what a user
-- sees: statuses, errors, counts of the story's own rows.
\set ON_ERROR_STOP 0
\set ON_ERROR_ROLLBACK on
\set VERBOSITY sqlstate
SET TIME ZONE 'UTC';
SET enroll.clock = '2026-06-01 09:00:00+00';
SELECT id AS course FROM enroll.create_course('STORY', 'Story course') \gset
SELECT id AS support FROM enroll.create_course('STORY-HELP', 'Story support') \gset
SELECT code AS type_created FROM enroll.create_organization_type('story_school', 'Story school');
SELECT id AS school FROM enroll.create_organization('story_school', 'Story school') \gset
SELECT id AS free FROM enroll.create_offer('STORY-FREE', 'Free', :course, 0, 'EUR', '2026-06-01', '2027-01-01', '30 days',
    handler_params => 'coursename=STORY&customersupport=STORY-HELP') \gset
SELECT id AS paid FROM enroll.create_offer('STORY-PAID', 'Paid', :course, 120, 'EUR', '2026-06-01', '2027-01-01', '365 days',
    extra_condition => 'I am a pupil.', documents_grace => '14 days') \gset
SELECT (enroll.add_offer_registrar_type(:paid, 'story_school')).offer_id = :paid AS narrowed;
SELECT id AS seats FROM enroll.create_offer('STORY-SEATS', 'Seats', :course, 0, 'EUR', '2026-06-01', '2027-01-01', '90 days',
    recipient_kind => 'organization', seats => 2) \gset
SELECT id AS ana FROM enroll.register_account('ana.story@example.org', 'Ana', 'Lima') \gset
SELECT id AS ben FROM enroll.register_account('ben.story@example.org', 'Ben', 'Roux') \gset
SELECT id AS op FROM enroll.register_account('op.story@example.org', 'Olga', 'Perez') \gset

-- a learner: free offer, then the paid one with its conditions (S2.9-S2.23)
BEGIN;
SELECT enroll.act_as(:ana);
SELECT accepted_via, access_until - access_from AS period FROM enroll.accept_offer(:free);
SELECT s ->> 'step' AS step, s ->> 'satisfied' AS satisfied
  FROM jsonb_array_elements(enroll.offer_requirements(:paid) -> 'steps') s;
SELECT enroll.accept_offer(:paid);
COMMIT;
BEGIN;
SELECT enroll.act_as(:ana);
SELECT level FROM (SELECT profile_level AS level FROM enroll.upgrade_profile('billing',
    '{"address": {"street": "1 rue A", "postal_code": "75001", "city": "Paris", "country": "FR"}}')) x;
SELECT enroll.accept_offer(:paid, registrar_org => :school);
SELECT enroll.accept_offer(:paid, registrar_org => :school, join_registrar => true);
SELECT (enroll.accept_offer(:paid, registrar_org => :school, join_registrar => true, accept_condition => true)).price_paid;
COMMIT;
SELECT enroll.access_status(:ana, :course) AS ana_now;
SELECT end_reason, access_until - access_from AS period FROM enroll.license
 WHERE account_id = :ana AND course_id = :course ORDER BY accepted_at, id;

-- documents (S2.18) and the registrar membership (S2.19)
SET enroll.clock = '2026-06-20 09:00:00+00';
SELECT enroll.access_status(:ana, :course) AS ana_documents_due;
BEGIN;
SELECT enroll.act_as(:ben);
SELECT (enroll.join_organization(:school)).id IS NOT NULL AS ben_joined;
COMMIT;
SELECT (enroll.set_organization_admin(:school, :ben)).is_admin AS ben_admin;
BEGIN;
SELECT enroll.act_as(:ben);
SELECT documents_validated_at IS NOT NULL AS validated
  FROM enroll.validate_documents((SELECT id FROM enroll.license WHERE account_id = :ana AND course_id = :course AND ended_at IS NULL));
COMMIT;
SELECT enroll.access_status(:ana, :course) AS ana_validated;
BEGIN;
SELECT enroll.act_as(:ana);
SELECT left_at IS NOT NULL AS left FROM enroll.leave_organization(:school);
COMMIT;
SELECT enroll.access_status(:ana, :course) AS ana_left;

-- an organization's seats
BEGIN;
SELECT enroll.act_as(:ben);
SELECT id AS orglic FROM enroll.accept_offer(:seats, for_organization => :school) \gset
SELECT parent_license = :orglic AS is_seat FROM enroll.allocate_seat(:orglic, :ben);
COMMIT;
SELECT enroll.access_status(:ben, :course) AS ben_seat;
SELECT license_id IS NOT NULL AS revoked FROM (SELECT id AS license_id FROM enroll.revoke_license(:orglic, 'story')) r;
SELECT enroll.access_status(:ben, :course) AS ben_after_revoke;

-- a session bought by an operator (S1)
BEGIN;
SELECT enroll.act_as(:op);
SELECT r #> '{seats}' AS seats, r ->> 'status' AS status, r -> 'warnings' AS warnings,
       r ->> 'support_enrollments' AS support
  FROM enroll.setup_course_session('STORY-PO-1', :free, :op, 3,
    '[{"email": "carla.story@example.org", "firstname": "Carla"}, {"email": "tom.story@example.org", "role": "tutor"}]') r;
SELECT enroll.setup_course_session('STORY-PO-1', :free, :op, 3, '[{"email": "carla.story@example.org"}]') ->> 'status' AS again;
SELECT enroll.setup_course_session('STORY-PO-1', :free, :op, 4, '[]');
COMMIT;
SELECT a.email, enroll.access_status(a.id, :course) AS course, enroll.access_status(a.id, :support) AS support
  FROM enroll.account a WHERE a.email IN ('carla.story@example.org', 'tom.story@example.org')
 ORDER BY a.email;

-- time passes: access ends, the offer closes (S2.4)
SET enroll.clock = '2026-08-01 09:00:00+00';
SELECT a.email, enroll.access_status(a.id, :course) AS status
  FROM enroll.account a WHERE a.email LIKE '%.story@example.org' ORDER BY a.email;
SELECT enroll.offer_state(:free) AS free_state;
SELECT valid_until = enroll.clock_now() AS closed FROM enroll.update_offer(:free, valid_until => enroll.clock_now());
SELECT enroll.offer_state(:free) AS free_state;
SELECT enroll.update_offer(:free, valid_until => '2026-07-01');
SELECT * FROM enroll.check_invariants();

-- Data written under 1.0, through its own functions, before the upgrades of
-- test/t/004_upgrade.pl.  Runs as the superuser with the clock pinned.
SET enroll.clock = '2026-05-04 08:00:00+00';
SELECT id AS course FROM enroll.create_course('UPG', 'Upgrade course') \gset
SELECT id AS offer FROM enroll.create_offer('UPG-FREE', 'Free', :course, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days',
                                            handler_params => 'coursename=UPG') \gset
SELECT id AS paid FROM enroll.create_offer('UPG-PAID', 'Paid', :course, 90, 'EUR', '2026-01-01', '2027-01-01', '365 days') \gset
SELECT id AS op FROM enroll.register_account('op@example.org', 'Op', 'Erator') \gset
SELECT id AS learner FROM enroll.register_account('learner@example.org', 'Lea', 'Rner') \gset
SELECT enroll.create_organization_type('school', 'School');
SELECT id AS org FROM enroll.create_organization('school', 'Lycée Pasteur') \gset
SELECT id AS orgoffer FROM enroll.create_offer('UPG-ORG', 'Seats', :course, 0, 'EUR', '2026-01-01', '2027-01-01', '365 days',
                                               recipient_kind => 'organization', seats => 3) \gset
BEGIN;
SELECT enroll.act_as(:learner);
SELECT enroll.join_organization(:org) IS NOT NULL AS joined;
SELECT accepted_via FROM enroll.accept_offer(:offer);
COMMIT;
SELECT enroll.set_organization_admin(:org, :learner) IS NOT NULL AS admin_set;
BEGIN;
SELECT enroll.act_as(:learner);
SELECT id AS orglicense FROM enroll.accept_offer(:orgoffer, for_organization => :org) \gset
COMMIT;
BEGIN;
SELECT enroll.act_as(:op);
SELECT enroll.setup_course_session('UPG-1', :offer, :op, 3,
    '[{"email": "learner@example.org"}, {"email": "new@example.org", "firstname": "New", "role": "tutor"}]') ->> 'status' AS status;
COMMIT;

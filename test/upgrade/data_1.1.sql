-- More data, written under 1.1 (on both upgrade paths of test/t/004_upgrade.pl).
SET enroll.clock = '2026-05-05 08:00:00+00';
SELECT id AS course FROM enroll.course WHERE shortname = 'UPG' \gset
SELECT id AS offer FROM enroll.offer WHERE code = 'UPG-FREE' \gset
SELECT id AS op FROM enroll.register_account('op11@example.org', 'Op', 'Eleven') \gset
BEGIN;
SELECT enroll.act_as(:op);
SELECT enroll.setup_course_session('UPG-11', :offer, :op, 2,
    '[{"email": "eleven@example.org", "lastname": "Eleven"}]') ->> 'status' AS status;
COMMIT;
SELECT count(*) AS broken_invariants FROM enroll.check_invariants();

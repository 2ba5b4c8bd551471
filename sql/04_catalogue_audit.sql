-- 04_catalogue_audit: people and catalogue written through functions, each
-- with an event; the audit log is append-only; applications read through RLS.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
SET enroll.clock = '2026-02-01 08:00:00+00';
CREATE FUNCTION pg_temp.sqlstate_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE ROLE regress_enroll_app LOGIN IN ROLE enroll_app;
CREATE ROLE regress_enroll_report LOGIN IN ROLE enroll_reader;

-- S1.5: a known address returns the existing account, whatever its case and
-- surrounding spaces; names are never overwritten
SELECT id AS erin, email, firstname FROM enroll.register_account('Erin.Leroy@Example.FR', 'Erin', 'Leroy') \gset
SELECT :erin = id AS same_account, email, firstname, lastname
  FROM enroll.register_account('  erin.leroy@example.fr  ', 'Someone', 'Else');
SELECT count(*) AS erin_accounts FROM enroll.account WHERE enroll.email_key(email) = 'erin.leroy@example.fr';
SELECT count(*) AS register_events FROM enroll.event WHERE what = 'account.register' AND row_id = :erin;
-- bad addresses change nothing
SELECT count(*) AS accounts_before FROM enroll.account \gset
SELECT enroll.register_account(NULL);
SELECT enroll.register_account('');
SELECT enroll.register_account('no-at-sign.example.org');
SELECT enroll.register_account('two@@example.org');
SELECT enroll.register_account('inner space@example.org');
SELECT count(*) = :accounts_before AS nothing_changed FROM enroll.account;

-- catalogue functions: admins only (the superuser is one), each logs an event
SELECT shortname, fullname FROM enroll.create_course('SPOCM1', 'SPOC Moodle appropriation, 5 weeks');
SELECT enroll.create_course('SPOCM1', 'Twice');
SELECT code FROM enroll.create_organization_type('school', 'School');
SELECT code FROM enroll.create_organization_type('Bad Code', 'Bad');
SELECT id AS lycee FROM enroll.create_organization('school', 'Lycée Condorcet') \gset
SELECT enroll.create_organization('castle', 'Nowhere');
SELECT what, table_name, details FROM enroll.event
 WHERE what IN ('course.create', 'organization_type.create', 'organization.create') ORDER BY id;

-- an application acting for a plain account is not an admin: 42501, nothing written
SELECT id AS admin FROM enroll.register_account('admin@example.org', 'Ada', 'Admin') \gset
UPDATE enroll.account SET is_admin = true WHERE id = :admin;    -- a DBA step
SET ROLE regress_enroll_app;
BEGIN;
SELECT enroll.act_as(:erin);
SELECT enroll.acting_as_admin() AS erin_is_admin;
SELECT enroll.create_course('HACK', 'Not allowed');
ROLLBACK;
SELECT pg_temp.sqlstate_of('SELECT enroll.create_course(''HACK'', ''Not allowed'')');
-- an account with is_admin acts as a system administrator through the application
BEGIN;
SELECT enroll.act_as(:admin);
SELECT enroll.acting_as_admin() AS admin_is_admin;
SELECT shortname FROM enroll.create_course('MATHS', 'Maths exam preparation');
COMMIT;
RESET ROLE;
SELECT count(*) AS hack_courses FROM enroll.course WHERE shortname = 'HACK';
SELECT account_id = :admin AS logged_as_admin, db_role FROM enroll.event WHERE what = 'course.create' AND details->>'shortname' = 'MATHS';

-- organization administrators: only current members can be made admins
INSERT INTO enroll.membership (account_id, organization_id) VALUES (:erin, :lycee);   -- a DBA step
SELECT is_admin FROM enroll.set_organization_admin(:lycee, :erin);
SELECT enroll.set_organization_admin(:lycee, :admin);
SELECT pg_temp.sqlstate_of(format('SELECT enroll.set_organization_admin(%s, %s)', :lycee, :admin));
SELECT id AS frank FROM enroll.register_account('frank@example.org') \gset
INSERT INTO enroll.membership (account_id, organization_id) VALUES (:frank, :lycee);
SET ROLE regress_enroll_app;
BEGIN;   -- a plain member may not promote anyone
SELECT enroll.act_as(:frank);
SELECT enroll.set_organization_admin(:lycee, :frank);
ROLLBACK;
BEGIN;   -- an organization admin may
SELECT enroll.act_as(:erin);
SELECT is_admin FROM enroll.set_organization_admin(:lycee, :frank);
COMMIT;
RESET ROLE;

-- RLS: an application acting for Erin sees Erin's rows, and (since 1.1) as the
-- lycée's administrator its members' accounts and memberships (Frank); the
-- system admin sees all
SET ROLE regress_enroll_app;
SELECT count(*) AS anonymous_sees_accounts FROM enroll.account;
BEGIN;
SELECT enroll.act_as(:erin);
SELECT email FROM enroll.account;
SELECT organization_id = :lycee AS own_membership, is_admin FROM enroll.membership;
-- (1.2: the events about her; Frank's promotion, which she caused, is Frank's)
SELECT DISTINCT subject_account = :erin AS only_events_about_her FROM enroll.event;
COMMIT;
BEGIN;
SELECT enroll.act_as(:admin);
SELECT count(*) > 3 AS admin_sees_all FROM enroll.account;
COMMIT;
-- no direct writes, whoever is acting
BEGIN;
SELECT enroll.act_as(:admin);
SELECT pg_temp.sqlstate_of('INSERT INTO enroll.course (shortname, fullname) VALUES (''X'', ''X'')');
SELECT pg_temp.sqlstate_of(format('UPDATE enroll.account SET is_admin = true WHERE id = %s', :erin));
SELECT pg_temp.sqlstate_of('DELETE FROM enroll.event');
COMMIT;
RESET ROLE;
SET ROLE regress_enroll_report;
SELECT count(*) AS reader_unmapped_sees FROM enroll.account;
SELECT count(*) > 0 AS reader_sees_courses FROM enroll.course;
SELECT pg_temp.sqlstate_of('INSERT INTO enroll.course (shortname, fullname) VALUES (''X'', ''X'')');
RESET ROLE;

-- the audit log is append-only, for the superuser too (PE012)
UPDATE enroll.event SET what = 'account.forged' WHERE row_id = :erin;
DELETE FROM enroll.event WHERE row_id = :erin;
TRUNCATE enroll.event;
SELECT pg_temp.sqlstate_of('DELETE FROM enroll.event');
SELECT count(*) > 0 AS events_kept FROM enroll.event;
-- log_event is internal
SET ROLE regress_enroll_app;
SELECT enroll.log_event('account.forged', 'account', 1, NULL);
RESET ROLE;

-- the key trims whitespace only: letters at either end are kept
SELECT enroll.email_key(E' \t Vera@X.org \x0b') AS vera_key, enroll.email_key('era@x.org v') AS era_key;
SELECT count(DISTINCT id) AS two_people
  FROM (SELECT id FROM enroll.register_account('vera@x.lv') UNION ALL SELECT id FROM enroll.register_account('era@x.l')) r;

RESET enroll.clock;
DROP ROLE regress_enroll_app, regress_enroll_report;

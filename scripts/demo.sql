-- scripts/demo.sql: the issue-3 demo, run by scripts/demo as the superuser
-- of a throwaway cluster where pg_enroll is installed.
--
-- The DBA builds a small catalogue (course SPOCM1 of S1.8, organization
-- types, organizations, accounts, memberships); then an application role
-- says which account it acts for with enroll.act_as(), and row-level
-- security shows each actor its own rows; last, the superuser travels in
-- time with enroll.clock.
\set ON_ERROR_STOP 1
\set ECHO none
\set QUIET 1
\pset null '(null)'

-- a helper for the demo only: runs a statement and tells whether it was
-- refused, so that expected refusals do not stop the script
CREATE FUNCTION pg_temp.attempt(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'done';
EXCEPTION WHEN OTHERS THEN
    RETURN format('refused: %s (SQLSTATE %s)', SQLERRM, SQLSTATE);
END
$$;
\unset QUIET
\set ECHO queries

\echo
\echo '=== 1. The DBA (superuser) creates the catalogue ========================='
\echo '--- the course of the SPOC sessions (S1.8)'
SELECT id, shortname, fullname FROM enroll.create_course('SPOCM1', 'SPOC Moodle appropriation, 5 weeks');
\echo '--- organization types and two registrar organizations'
SELECT id, code, name FROM enroll.create_organization_type('school', 'School');
SELECT id, code, name FROM enroll.create_organization_type('non_profit', 'Non-profit organization');
SELECT id AS school FROM enroll.create_organization('school', 'Lycée Victor Hugo') \gset
SELECT id AS asso FROM enroll.create_organization('non_profit', 'Les Amis du Numérique') \gset
SELECT o.id, o.name, t.code AS type
  FROM enroll.organization o JOIN enroll.organization_type t ON t.id = o.type_id
 ORDER BY o.id;

\echo
\echo '=== 2. Accounts: one per e-mail address (S1.5) ==========================='
SELECT id AS alice FROM enroll.register_account('alice@example.org', 'Alice', 'Martin') \gset
SELECT id AS bob FROM enroll.register_account('bob@example.org', 'Bob', 'Durand') \gset
SELECT id AS carol FROM enroll.register_account('carol@example.org', 'Carol', 'Petit') \gset
SELECT id AS dora FROM enroll.register_account('dora@example.org', 'Dora', 'Leroy') \gset
\echo '--- registering "ALICE@example.org " again (capitals, trailing space) returns alice''s account, names untouched'
SELECT id, email, firstname, lastname, id = :alice AS is_alice
  FROM enroll.register_account('ALICE@example.org ', 'Alicia', 'Other');

\echo
\echo '=== 3. DBA step: dora becomes a system administrator ====================='
\echo '--- (no function for this on purpose: only the DBA may grant is_admin)'
UPDATE enroll.account SET is_admin = true WHERE id = :dora;
SELECT id, email, firstname, lastname, is_admin FROM enroll.account ORDER BY id;

\echo
\echo '=== 4. Memberships and an organization administrator ===================='
\echo '--- (rows written by hand for now: enroll.join_organization comes in a later issue)'
INSERT INTO enroll.membership (account_id, organization_id)
VALUES (:alice, :school), (:bob, :school), (:carol, :asso);
SELECT organization_id, account_id, is_admin FROM enroll.set_organization_admin(:school, :bob);
SELECT o.name AS organization, a.email, m.is_admin
  FROM enroll.membership m
  JOIN enroll.organization o ON o.id = m.organization_id
  JOIN enroll.account a ON a.id = m.account_id
 ORDER BY m.id;

\echo
\echo '=== 5. The application: role demo_app, member of enroll_app ============='
CREATE ROLE demo_app LOGIN IN ROLE enroll_app;
SET ROLE demo_app;
\echo '--- connected, acting for nobody: anonymous, and row-level security hides every account'
SELECT current_user, enroll.current_account() AS acting_account;
SELECT count(*) AS accounts_visible FROM enroll.account;
\echo '--- the application may not write the tables itself'
SELECT pg_temp.attempt($$UPDATE enroll.account SET is_admin = true$$) AS outcome;

\echo
\echo '--- a transaction on behalf of alice'
BEGIN;
SELECT enroll.act_as(:alice);
SELECT enroll.current_account() AS acting_account, enroll.acting_as_admin() AS is_admin;
SELECT id, email, firstname, lastname FROM enroll.account ORDER BY id;
SELECT organization_id, account_id, is_admin FROM enroll.membership ORDER BY id;
\echo '--- alice is no administrator: creating a course is refused'
SELECT pg_temp.attempt($$SELECT enroll.create_course('HACK1', 'Not allowed')$$) AS outcome;
COMMIT;
\echo '--- the transaction is over: the same connection acts for nobody again'
SELECT enroll.current_account() AS acting_account;

\echo
\echo '--- a transaction on behalf of dora, a system administrator: every row is visible'
BEGIN;
SELECT enroll.act_as(:dora);
SELECT enroll.current_account() AS acting_account, enroll.acting_as_admin() AS is_admin;
SELECT id, email, is_admin FROM enroll.account ORDER BY id;
SELECT id, name FROM enroll.create_organization('school', 'Collège Jean Jaurès');
\echo '--- the audit log: who acted (account_id), through which database role, what, on which row'
SELECT id, account_id, db_role, what, table_name, row_id, details
  FROM enroll.event ORDER BY id;
COMMIT;

\echo
\echo '--- the log is append-only, even for the superuser'
RESET ROLE;
SELECT pg_temp.attempt($$DELETE FROM enroll.event$$) AS outcome;

\echo
\echo '=== 6. Time travel: enroll.clock (superuser only) ========================'
SELECT enroll.clock_now() = now() AS clock_is_transaction_time;
SET enroll.clock = '2027-01-01 00:00+00';
SELECT enroll.clock_now();
\echo '--- every rule and default reads that clock: a course created "in 2027"'
SELECT id, shortname, created_at FROM enroll.create_course('SPOCM1-2027', 'SPOC Moodle appropriation, 5 weeks (2027 run)');
SELECT id, at, what FROM enroll.event ORDER BY id DESC LIMIT 1;
RESET enroll.clock;
SELECT enroll.clock_now() = now() AS back_to_real_time;
\echo '--- an application may not move the clock'
SET ROLE demo_app;
SELECT pg_temp.attempt($$SET enroll.clock = '2030-01-01 00:00+00'$$) AS outcome;
RESET ROLE;

\echo
\echo '=== end of the demo ======================================================'

-- 01_roles_privileges_rls.sql: the database roles, their table privileges,
-- row-level security, the append-only event log and the superuser-only
-- clock.  Runs as a superuser in a database where pgtap and pg_enroll are
-- installed (test/t/002_pgtap.pl); everything happens in one transaction
-- that is rolled back, roles included.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;

SELECT plan(50);

-- load pg_enroll.so now: before it is loaded, "SET enroll.clock" by anyone
-- would only create a placeholder variable
SELECT ok(enroll.clock_now() IS NOT NULL, 'enroll.clock_now() answers (library loaded)');

------------------------------------------------------------------------------
-- the three roles (3 x 2 = 6)
------------------------------------------------------------------------------
SELECT has_role(r, format('role %s exists', r))
  FROM unnest(ARRAY['enroll_admin', 'enroll_app', 'enroll_reader']) AS r;
SELECT ok(NOT rolcanlogin, format('role %s is NOLOGIN', rolname))
  FROM pg_catalog.pg_roles
 WHERE rolname IN ('enroll_admin', 'enroll_app', 'enroll_reader')
 ORDER BY rolname;

------------------------------------------------------------------------------
-- table privileges: SELECT on every table (1.2: account by column, audit_chain
-- for admins), no write of any kind (3 x 3 + 4 = 13)
------------------------------------------------------------------------------
SELECT ok((SELECT count(*) FROM pg_catalog.pg_class
            WHERE relnamespace = 'enroll'::regnamespace AND relkind IN ('r', 'p')) >= 16,
          'schema enroll has its tables');

-- the privilege functions may be evaluated before the other conditions:
-- pass oids (not names) and guard has_sequence_privilege() with a CASE
SELECT is_empty(
    format($$SELECT c.relname, p.priv
               FROM pg_catalog.pg_class c,
                    unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS p(priv)
              WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind IN ('r', 'p')
                AND has_table_privilege(%L, c.oid, p.priv)$$, r),
    format('%s has no INSERT, UPDATE, DELETE or TRUNCATE on any table of enroll', r))
  FROM unnest(ARRAY['enroll_admin', 'enroll_app', 'enroll_reader']) AS r;

-- 1.2: applications and readers read enroll.account only through a column
-- grant (not the profile columns: enroll.account_profile has them), and the
-- audit hash chain is the system admins' alone
SELECT is_empty(
    format($$SELECT c.relname
               FROM pg_catalog.pg_class c
              WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind IN ('r', 'p')
                AND NOT has_table_privilege(%L, c.oid, 'SELECT')
                AND NOT (%L <> 'enroll_admin' AND c.relname IN ('account', 'audit_chain'))$$, r, r),
    format('%s may SELECT every table of enroll%s', r,
           CASE WHEN r <> 'enroll_admin' THEN ' but account (columns only) and audit_chain' ELSE '' END))
  FROM unnest(ARRAY['enroll_admin', 'enroll_app', 'enroll_reader']) AS r;

SELECT results_eq(
    format($$SELECT a.attname::text COLLATE "default" FROM pg_catalog.pg_attribute a
              WHERE a.attrelid = 'enroll.account'::regclass AND a.attnum > 0 AND NOT a.attisdropped
                AND has_column_privilege(%L, a.attrelid, a.attnum, 'SELECT')
              ORDER BY a.attnum$$, r),
    ARRAY['id', 'email', 'firstname', 'lastname', 'created_at', 'erased_at'],
    format('%s may SELECT the columns of enroll.account but profile_level, profile, is_admin, login_role', r))
  FROM unnest(ARRAY['enroll_app', 'enroll_reader']) AS r;

SELECT ok(NOT has_table_privilege(r, 'enroll.audit_chain', 'SELECT')
          AND NOT has_any_column_privilege(r, 'enroll.audit_chain', 'SELECT'),
          format('%s may not SELECT enroll.audit_chain', r))
  FROM unnest(ARRAY['enroll_app', 'enroll_reader']) AS r;

SELECT is_empty(
    format($$SELECT c.relname
               FROM pg_catalog.pg_class c
              WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind = 'S'
                AND CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(%L, c.oid, 'UPDATE') END$$, r),
    format('%s may not setval() any sequence of enroll', r))
  FROM unnest(ARRAY['enroll_admin', 'enroll_app', 'enroll_reader']) AS r;

------------------------------------------------------------------------------
-- fixtures: accounts and roles, all rolled back at the end
------------------------------------------------------------------------------
SELECT (enroll.register_account('alice@example.org', 'Alice', 'Martin')).id AS alice \gset
SELECT (enroll.register_account('bob@example.org', 'Bob', 'Durand')).id AS bob \gset
SELECT (enroll.register_account('carol@example.org', 'Carol', 'Petit')).id AS carol \gset
SELECT count(*) AS n_accounts FROM enroll.account \gset

CREATE ROLE pgtap_app LOGIN IN ROLE enroll_app;
CREATE ROLE pgtap_alice LOGIN IN ROLE enroll_reader;
CREATE ROLE pgtap_admin LOGIN IN ROLE enroll_admin;
CREATE ROLE pgtap_outsider LOGIN;
-- may call act_as, but is not in enroll_app: act_as itself must refuse
GRANT USAGE ON SCHEMA enroll TO pgtap_outsider;
GRANT EXECUTE ON FUNCTION enroll.act_as(bigint) TO pgtap_outsider;

SELECT is((enroll.set_login_role(:alice, 'pgtap_alice')).login_role, 'pgtap_alice'::name,
          'set_login_role maps pgtap_alice to alice''s account');

------------------------------------------------------------------------------
-- an application cannot write the tables directly (3)
------------------------------------------------------------------------------
SET ROLE pgtap_app;
SELECT throws_ok($$INSERT INTO enroll.account (email) VALUES ('mallory@example.org')$$,
                 '42501', NULL, 'enroll_app may not INSERT INTO enroll.account');
SELECT throws_ok(format('UPDATE enroll.account SET is_admin = true WHERE id = %s', :alice),
                 '42501', NULL, 'enroll_app may not UPDATE enroll.account');
SELECT throws_ok($$DELETE FROM enroll.event$$,
                 '42501', NULL, 'enroll_app may not DELETE FROM enroll.event');
RESET ROLE;

------------------------------------------------------------------------------
-- row-level security is enabled on the tables about people (9)
------------------------------------------------------------------------------
SELECT ok(c.relrowsecurity, format('row-level security is enabled on enroll.%s', t))
  FROM unnest(ARRAY['account', 'membership', 'role_assignment', 'group_member', 'enrollment',
                    'license', 'offer_recipient', 'purchase_order', 'event']) WITH ORDINALITY AS u(t, n)
  JOIN pg_catalog.pg_class c ON c.oid = format('enroll.%I', u.t)::regclass
 ORDER BY u.n;

------------------------------------------------------------------------------
-- who sees which accounts (7)
------------------------------------------------------------------------------
SET ROLE pgtap_alice;
SELECT is(enroll.current_account(), :alice::bigint,
          'the role mapped by set_login_role acts as alice');
SELECT results_eq('SELECT email FROM enroll.account ORDER BY id',
                  ARRAY['alice@example.org'],
                  'alice sees only her own row of enroll.account');
RESET ROLE;

SET ROLE pgtap_admin;
SELECT ok(enroll.acting_as_admin(), 'a member of enroll_admin acts as a system administrator');
SELECT is((SELECT count(*) FROM enroll.account), :n_accounts::bigint,
          'a member of enroll_admin sees every account');
RESET ROLE;

SET ROLE pgtap_app;
SELECT is((SELECT count(*) FROM enroll.account), 0::bigint,
          'an application acting for nobody sees no account');
SELECT lives_ok(format('SELECT enroll.act_as(%s)', :bob), 'an application may act_as bob');
SELECT results_eq('SELECT id FROM enroll.account',
                  format('VALUES (%s::bigint)', :bob),
                  'an application acting for bob sees only bob');
RESET ROLE;

------------------------------------------------------------------------------
-- the event log is append-only, for the superuser too (4)
------------------------------------------------------------------------------
SELECT ok((SELECT count(*) FROM enroll.event WHERE what = 'account.register') >= 3,
          'register_account wrote events');
SELECT throws_ok('UPDATE enroll.event SET details = NULL', 'PE012', NULL,
                 'UPDATE of enroll.event is refused, even for the superuser');
SELECT throws_ok('DELETE FROM enroll.event', 'PE012', NULL,
                 'DELETE from enroll.event is refused, even for the superuser');
SELECT throws_ok('TRUNCATE enroll.event', 'PE012', NULL,
                 'TRUNCATE of enroll.event is refused, even for the superuser');

------------------------------------------------------------------------------
-- act_as only for enroll_app (2), the clock only for superusers (3)
------------------------------------------------------------------------------
SET ROLE pgtap_outsider;
SELECT throws_ok(format('SELECT enroll.act_as(%s)', :alice), '42501',
                 'permission denied to act as an account',
                 'act_as by a role outside enroll_app is refused by act_as itself');
SELECT throws_ok($$SET enroll.clock = '2027-01-01 00:00+00'$$, '42501', NULL,
                 'a non-superuser may not SET enroll.clock');
RESET ROLE;

SET ROLE pgtap_alice;
SELECT throws_ok(format('SELECT enroll.act_as(%s)', :alice), '42501', NULL,
                 'a reader (no EXECUTE on act_as) cannot act_as either');
RESET ROLE;

SET LOCAL enroll.clock = '2027-01-01 00:00+00';
SELECT is(enroll.clock_now(), '2027-01-01 00:00+00'::timestamptz,
          'the superuser moves the clock with enroll.clock');
RESET enroll.clock;
SELECT is(enroll.clock_now(), now(), 'without enroll.clock, clock_now() is transaction time');

SELECT * FROM finish();
ROLLBACK;

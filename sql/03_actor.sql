-- 03_actor: who is acting (act_as, current_account, login_role mapping) and
-- the rule clock (enroll.clock, clock_now).
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
-- SQLSTATE and message of a statement, for asserting error codes
CREATE FUNCTION pg_temp.sqlstate_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE ROLE regress_enroll_app LOGIN IN ROLE enroll_app;
CREATE ROLE regress_enroll_stranger LOGIN;
CREATE ROLE regress_enroll_dba LOGIN;
GRANT enroll_reader TO regress_enroll_dba;

SELECT id AS alice FROM enroll.register_account('alice@example.org', 'Alice', 'Martin') \gset
SELECT id AS bob FROM enroll.register_account('bob@example.org', 'Bob', 'Durand') \gset

-- nobody is acting by default
SET ROLE regress_enroll_app;
SELECT enroll.current_account() IS NULL AS anonymous;

-- act_as lasts until COMMIT
BEGIN;
SELECT enroll.act_as(:alice);
SELECT enroll.current_account() = :alice AS acting_as_alice;
COMMIT;
SELECT enroll.current_account() IS NULL AS anonymous_after_commit;

-- ... and until ROLLBACK
BEGIN;
SELECT enroll.act_as(:bob);
SELECT enroll.current_account() = :bob AS acting_as_bob;
ROLLBACK;
SELECT enroll.current_account() IS NULL AS anonymous_after_rollback;

-- a single statement is its own transaction: act_as alone in autocommit
-- would end with its statement, unused, and the next statement would run
-- anonymous; it is refused, with what to do (25P01)
\set VERBOSITY verbose
SELECT enroll.act_as(:alice);
\set VERBOSITY default
SELECT enroll.current_account() IS NULL AS anonymous_after_autocommit;
-- used in the same statement, or in one multi-statement string (one
-- implicit transaction), it works
SELECT enroll.act_as(:alice), enroll.current_account() = :alice AS acting_in_the_same_statement;
SELECT enroll.act_as(:alice) \; SELECT enroll.current_account() = :alice AS acting_in_one_string;
SELECT enroll.current_account() IS NULL AS anonymous_afterwards;
-- inside a transaction block, even unused, it is not an error
BEGIN;
SELECT enroll.act_as(:alice);
COMMIT;

-- subtransactions: an abort restores the actor from before it, a release keeps the change
BEGIN;
SELECT enroll.act_as(:alice);
SAVEPOINT s1;
SELECT enroll.act_as(:bob);
SELECT enroll.current_account() = :bob AS bob_inside_savepoint;
ROLLBACK TO SAVEPOINT s1;
SELECT enroll.current_account() = :alice AS alice_after_rollback_to;
SAVEPOINT s2;
SELECT enroll.act_as(:bob);
SAVEPOINT s3;
SELECT enroll.act_as(:alice);
RELEASE SAVEPOINT s3;
SELECT enroll.current_account() = :alice AS alice_after_release;
ROLLBACK TO SAVEPOINT s2;
SELECT enroll.current_account() = :alice AS alice_after_outer_rollback_to;
COMMIT;
SELECT enroll.current_account() IS NULL AS anonymous_again;

-- bad input: a clear error and the actor unchanged
BEGIN;
SELECT enroll.act_as(:alice);
SAVEPOINT bad;
SELECT enroll.act_as(NULL);
ROLLBACK TO SAVEPOINT bad;
SELECT enroll.act_as(-42);
ROLLBACK TO SAVEPOINT bad;
SELECT enroll.current_account() = :alice AS still_alice;
SELECT pg_temp.sqlstate_of('SELECT enroll.act_as(-42)');
SELECT pg_temp.sqlstate_of('SELECT enroll.act_as(NULL)');
COMMIT;
RESET ROLE;

-- roles outside enroll_app may not act for anybody (42501): without a grant
-- they cannot reach the function, and even with EXECUTE granted by mistake
-- the C check refuses them
SET ROLE regress_enroll_stranger;
SELECT enroll.act_as(:alice);
RESET ROLE;
GRANT USAGE ON SCHEMA enroll TO regress_enroll_stranger;
GRANT EXECUTE ON FUNCTION enroll.act_as(bigint), enroll.current_account() TO regress_enroll_stranger;
SET ROLE regress_enroll_stranger;
SELECT enroll.act_as(:alice);
SELECT pg_temp.sqlstate_of(format('SELECT enroll.act_as(%s)', :alice));
SELECT enroll.current_account() IS NULL AS stranger_still_anonymous;
RESET ROLE;
REVOKE ALL ON FUNCTION enroll.act_as(bigint), enroll.current_account() FROM regress_enroll_stranger;
REVOKE USAGE ON SCHEMA enroll FROM regress_enroll_stranger;

-- a DBA's role mapped to an account acts as that account without act_as
SELECT login_role FROM enroll.set_login_role(:bob, 'regress_enroll_dba');
SET ROLE regress_enroll_dba;
SELECT enroll.current_account() = :bob AS dba_is_bob;
SELECT email FROM enroll.account ORDER BY id;   -- RLS: only Bob's own row
RESET ROLE;
SELECT login_role FROM enroll.set_login_role(:bob, NULL);
SET ROLE regress_enroll_dba;
SELECT enroll.current_account() IS NULL AS dba_unmapped;
SELECT count(*) AS rows_seen_unmapped FROM enroll.account;
RESET ROLE;
SELECT enroll.set_login_role(:bob, 'regress_no_such_role');

-- act_as takes precedence over the mapping, inside SECURITY DEFINER functions too
SELECT login_role FROM enroll.set_login_role(:bob, 'regress_enroll_app');
SET ROLE regress_enroll_app;
SELECT enroll.current_account() = :bob AS mapped_to_bob;
BEGIN;
SELECT enroll.act_as(:alice);
SELECT enroll.current_account() = :alice AS act_as_wins;
SELECT id AS carol FROM enroll.register_account('carol@example.org') \gset
-- the event is about carol: alice, who caused it, does not read it (1.2)
SELECT count(*) AS alice_reads_it FROM enroll.event WHERE row_id = :carol AND what = 'account.register';
COMMIT;
RESET ROLE;
-- the event names the acting account and the session role, not the function owner
SELECT account_id = :alice AS event_by_alice, db_role, subject_account = :carol AS about_carol
  FROM enroll.event WHERE row_id = :carol AND what = 'account.register';
SELECT login_role FROM enroll.set_login_role(:bob, NULL);

-- the rule clock: transaction_timestamp() unless enroll.clock is set
SELECT enroll.clock_now() = transaction_timestamp() AS real_time;
SET enroll.clock = '2030-06-15 12:00:00+02';
SHOW enroll.clock;
SELECT enroll.clock_now();
SELECT email, created_at FROM enroll.register_account('dave@example.org');
SET enroll.clock = '';
SELECT enroll.clock_now() = transaction_timestamp() AS real_time_again;
-- garbage and relative words are refused by the check hook
SET enroll.clock = 'garbage';
SET enroll.clock = 'now';
SET enroll.clock = 'tomorrow';
SET enroll.clock = 'infinity';
SET enroll.clock = '2030-02-30 00:00:00+00';
SHOW enroll.clock;
-- only superusers may travel in time
SET ROLE regress_enroll_app;
SET enroll.clock = '2030-01-01 00:00:00+00';
SELECT pg_temp.sqlstate_of('SET enroll.clock = ''2030-01-01 00:00:00+00''');
RESET ROLE;
RESET enroll.clock;

DROP ROLE regress_enroll_app, regress_enroll_stranger, regress_enroll_dba;

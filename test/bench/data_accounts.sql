-- test/bench/data_accounts.sql: accounts lo..hi of test/bench/data.sql
-- (userN@example.org), loaded apart so that scripts/bench can load them in
-- several sessions at once: each row costs the CHECK constraints of
-- enroll.account (account_level_backed alone calls a non-inlinable SQL
-- function per row), which make this the slowest part of the data.
-- psql variables: lo, hi.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO enroll.account (id, email, firstname, lastname, created_at)
    SELECT a, 'user' || a || '@example.org', 'First' || a, 'Last' || a, now() - interval '2 years'
      FROM generate_series(:lo, :hi) a;
COMMIT;

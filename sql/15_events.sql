-- 15_events: events name the person they are about, and that person reads
-- them (RLS); enroll.events_since() pages through finished events in the
-- order (xid, id); the audit log is a hash chain that seal_audit_log()
-- extends, audit_head() exports and check_invariants() verifies (1.2).
-- Interleaved transactions are test/isolation/specs/audit_chain.spec's;
-- NOTIFY is test/t/005_events_listen.pl's.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
SET enroll.clock = '2026-06-01 08:00:00+00';
CREATE FUNCTION pg_temp.sqlstate_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- Wait (at most 30 s) until every event's transaction is below the horizon:
-- an autovacuum or another database's test may hold a transaction id for a
-- moment, which holds events_since() and sealing back, as it should.
CREATE FUNCTION pg_temp.settle() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..600 LOOP
        IF pg_snapshot_xmin(pg_current_snapshot())
           > (SELECT e.xid FROM enroll.event e ORDER BY e.xid DESC LIMIT 1) THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.05);
    END LOOP;
    RETURN false;
END $$;
-- one page of events_since: the row ids in order, and the id to go on from
CREATE FUNCTION pg_temp.page(after bigint, n integer, OUT rows text, OUT last bigint)
LANGUAGE sql AS $$
    SELECT string_agg(coalesce(e.row_id::text, '-'), ',' ORDER BY e.xid, e.id),
           (array_agg(e.id ORDER BY e.xid DESC, e.id DESC))[1]
      FROM enroll.events_since(after, n) e WHERE e.what LIKE 'test.%'
$$;
CREATE ROLE regress_events_app LOGIN IN ROLE enroll_app;
CREATE ROLE regress_events_reader LOGIN IN ROLE enroll_reader;

-------------------------------------------------------------------------------
-- Events name the person they are about; a person reads the events about
-- them, and the events they caused that are about nobody else
-------------------------------------------------------------------------------
SELECT id AS pia FROM enroll.register_account('pia@example.org', 'Pia', 'Person') \gset
SELECT id AS tom FROM enroll.register_account('tom@example.org', 'Tom', 'Other') \gset
SELECT id AS olga FROM enroll.register_account('olga@example.org', 'Olga', 'Operator') \gset
BEGIN;
SELECT enroll.act_as(:olga);
SELECT enroll.log_event('test.about', 'account', :pia, '{"step": 1}', :pia);
COMMIT;
SELECT enroll.log_event('test.nobody', NULL, NULL, NULL);     -- the four-argument form still works
SELECT what, account_id = :olga AS caused_by_olga, subject_account = :pia AS about_pia,
       subject_account IS NULL AS about_nobody
  FROM enroll.event WHERE what IN ('test.about', 'test.nobody') ORDER BY id;
-- a person's events are read through an index
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM enroll.event WHERE subject_account = 1;
-- and the events a person caused about nobody, the policy's other arm: the
-- actor's index holds only those (1.2), so an event about someone costs no
-- entry in it
EXPLAIN (COSTS OFF) SELECT id FROM enroll.event WHERE account_id = 1 AND subject_account IS NULL;
-- the extension's indexes on the log: no index on (table_name, row_id)
SELECT indexrelid::regclass AS event_index, pg_get_expr(indpred, indrelid) AS only_for
  FROM pg_index WHERE indrelid = 'enroll.event'::regclass ORDER BY indexrelid::regclass::text COLLATE "C";
RESET enable_seqscan;
RESET enable_bitmapscan;

SET ROLE regress_events_app;
BEGIN;   -- Pia sees the event about her, caused by Olga
SELECT enroll.act_as(:pia);
SELECT what, account_id = :olga AS caused_by_olga, details FROM enroll.event WHERE what LIKE 'test.%';
SELECT count(*) AS pia_reads_since FROM enroll.events_since(0, 10000) WHERE what = 'test.about';
COMMIT;
BEGIN;   -- Olga, who caused it, does not: it is Pia's (an operator's order
         -- must not tell it what the order did to a person's own licenses)
SELECT enroll.act_as(:olga);
SELECT what FROM enroll.event WHERE what LIKE 'test.%';
COMMIT;
BEGIN;   -- Tom sees neither
SELECT enroll.act_as(:tom);
SELECT count(*) AS tom_sees FROM enroll.event WHERE what LIKE 'test.%';
SELECT count(*) AS tom_reads_since FROM enroll.events_since(0, 10000) WHERE what LIKE 'test.%';
COMMIT;
SELECT count(*) AS anonymous_sees FROM enroll.event;
-- log_event stays internal
SELECT enroll.log_event('test.forged', 'account', :pia, NULL, :pia);
RESET ROLE;
SET ROLE regress_events_reader;
SELECT count(*) AS unmapped_reader_reads FROM enroll.events_since();
RESET ROLE;
-- who may call what
SELECT r AS role, has_function_privilege(r, 'enroll.events_since(bigint, integer)', 'EXECUTE') AS events_since,
       has_function_privilege(r, 'enroll.seal_audit_log()', 'EXECUTE') AS seal,
       has_function_privilege(r, 'enroll.audit_head()', 'EXECUTE') AS head,
       has_function_privilege(r, 'enroll.log_event(text, text, bigint, jsonb, bigint)', 'EXECUTE') AS log_event
  FROM unnest(ARRAY['enroll_admin', 'enroll_app', 'enroll_reader', 'public']) r;

-------------------------------------------------------------------------------
-- events_since: pages in the order (xid, id), finished transactions only
-------------------------------------------------------------------------------
SELECT pg_temp.settle() AS settled;
SELECT e.id AS start FROM enroll.event e ORDER BY e.xid DESC, e.id DESC LIMIT 1 \gset
-- an id is drawn now and used last: an event committed later with a
-- smaller id (what two sessions do in audit_chain.spec)
SELECT nextval('enroll.event_id_seq') AS late_id \gset
SELECT enroll.log_event('test.page', NULL, n, NULL) FROM generate_series(1, 3) n;
SELECT enroll.log_event('test.page', NULL, n, NULL) FROM generate_series(4, 5) n;
INSERT INTO enroll.event (id, at, db_role, what, row_id, digest)
    VALUES (:late_id, enroll.clock_now(), current_user, 'test.page', 6, '');
SELECT pg_temp.settle() AS settled;
SELECT rows, last AS p1 FROM pg_temp.page(:start, 2) \gset
SELECT :'rows' AS page_1;
SELECT rows, last AS p2 FROM pg_temp.page(:p1, 2) \gset
SELECT :'rows' AS page_2;
SELECT rows, last AS p3 FROM pg_temp.page(:p2, 2) \gset
SELECT :'rows' AS page_3, :p3 = :late_id AS smaller_id_came_last;
SELECT count(*) AS after_the_end FROM enroll.events_since(:p3, 10);
-- the defaults read from the beginning, 1000 at most
SELECT count(*) = least(1000, (SELECT count(*) FROM enroll.event)) AS default_page FROM enroll.events_since();
-- refusals
SELECT pg_temp.sqlstate_of('SELECT * FROM enroll.events_since(0, 0)');
SELECT pg_temp.sqlstate_of('SELECT * FROM enroll.events_since(0, 10001)');
SELECT pg_temp.sqlstate_of('SELECT * FROM enroll.events_since(0, NULL)');
SELECT pg_temp.sqlstate_of('SELECT * FROM enroll.events_since(-1, 10)');
SELECT pg_temp.sqlstate_of('SELECT * FROM enroll.events_since(NULL, 10)');
SELECT pg_temp.sqlstate_of('SELECT * FROM enroll.events_since(9223372036854775807, 10)');
SELECT * FROM enroll.events_since(9223372036854775807, 10);
-- an event of a transaction still running is neither returned nor accepted
-- as a position (its own transaction holds the horizon)
BEGIN;
SELECT enroll.log_event('test.open', NULL, NULL, NULL);
SELECT count(*) AS open_event_returned FROM enroll.events_since(:p3, 10);
SELECT max(id) AS open_id FROM enroll.event WHERE what = 'test.open' \gset
SELECT regexp_replace(pg_temp.sqlstate_of(format('SELECT * FROM enroll.events_since(%s, 10)', :open_id)), '\d+ is', 'N is') AS open_id_refused;
ROLLBACK;

-- a position from another cluster's future (a dump restored into a cluster
-- whose transaction ids are lower, README "Audit log"): 55000, not a wait
BEGIN;
INSERT INTO enroll.event (id, at, db_role, what, xid, digest)
    VALUES (9000000000000000001, enroll.clock_now(), current_user, 'test.restored',
            (pg_current_xact_id()::text::bigint + 1000000)::text::xid8, '');
SELECT regexp_replace(pg_temp.sqlstate_of('SELECT * FROM enroll.events_since(9000000000000000001, 10)'),
                      'transaction \d+', 'transaction N') AS future_position;
ROLLBACK;

-------------------------------------------------------------------------------
-- The digest: what the trigger (C, event_set_digest) stores is what the SQL
-- function enroll.event_digest() computes, for every kind of value a DBA may
-- write by hand: infinite and far times (EXTRACT(epoch) is numeric: a
-- string for an infinite time, divided and rounded past the year 294246),
-- times before 1970, the extreme bigints, nulls, characters JSON escapes,
-- details of every shape
BEGIN;
INSERT INTO enroll.event (at, logged_at, account_id, db_role, what, table_name, row_id, details, subject_account) VALUES
 ('infinity', '-infinity', NULL, current_user, 'test.digest', NULL, NULL, NULL, NULL),
 ('1969-12-31 23:59:59.5+00', '1970-01-01 00:00:00+00', -5, 'we"ird\role', 'test.digest',
  E'tab\tle "q" \\ \u00e9 \u2603 \u0001', -9223372036854775808,
  '{"b": [1, 2.50, "x\ny"], "a": null, "long key": {"z": true}}', 9223372036854775807),
 ('4713-01-01 00:00:00+00 BC', '294276-12-31 23:59:59.999999+00', 1, 'r', 'test.digest', '', 0, '"scalar"', 1),
 ('294246-01-01 00:00:00+00', '294247-12-31 23:59:59.999999+00', 1, 'r', 'test.digest', 't', 1, '5', NULL),
 ('2000-01-01 00:00:00.000001+00', '1999-12-31 23:59:59.999999+00', 2, 'r', 'test.digest', 't', 1, '[]', NULL),
 ('2026-12-02 12:00:00+00', clock_timestamp(), 2, 'r', 'test.digest', 't', 1, '{}', NULL);
SELECT count(*) AS written, count(*) FILTER (WHERE e.digest = enroll.event_digest(e)) AS digest_as_sql
  FROM enroll.event e WHERE e.what = 'test.digest';
ROLLBACK;

-------------------------------------------------------------------------------
-- The extension writes its events without an INSERT statement when the log
-- is as it made it (src/event_write.c): the same rows -- column defaults,
-- digest, CHECK constraints, an entry in every index, the announcement.
-- Anything a DBA changed on the table that would change what an INSERT does
-- (a trigger added, one of the extension's disabled, replica mode) and the
-- functions run the INSERT, so that it applies.  A cancellation's many
-- events under a DBA's trigger: 12_orders.
-------------------------------------------------------------------------------
BEGIN;
SELECT enroll.act_as(:olga);
SELECT enroll.log_event('test.direct', 'account', :pia, '{"n": 1}', :pia);
SELECT enroll.log_event('test.direct', 'account', :tom, NULL);
SELECT e.row_id = :pia AS pia_row, e.subject_account = :pia AS about_pia, e.account_id = :olga AS by_olga,
       e.db_role = current_user AS db_role, e.digest = enroll.event_digest(e) AS digest_as_sql,
       e.xid = pg_current_xact_id() AS this_transaction, e.logged_at >= now() AS logged_now,
       e.at = '2026-06-01 08:00:00+00' AS rule_clock, e.details
  FROM enroll.event e WHERE e.what = 'test.direct' ORDER BY e.id;
SELECT max(e.id) = currval('enroll.event_id_seq') AS ids_from_the_sequence
  FROM enroll.event e WHERE e.what = 'test.direct';
-- the session role is kept as text (1.2), as long as its name: a name
-- column took 64 bytes of every event
SELECT pg_typeof(e.db_role) AS db_role_type,
       pg_column_size(e.db_role) = octet_length(current_user::text) + 1 AS as_long_as_the_name
  FROM enroll.event e WHERE e.what = 'test.direct' ORDER BY e.id;
-- found through each of the log's indexes
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT (SELECT count(*) FROM enroll.event e WHERE e.subject_account = :pia AND e.what = 'test.direct') AS by_subject,
       (SELECT count(*) FROM enroll.event e WHERE e.account_id = :olga AND e.subject_account IS NULL
           AND e.what = 'test.direct') AS by_actor,
       (SELECT count(*) FROM enroll.event e WHERE e.xid = pg_current_xact_id() AND e.what = 'test.direct') AS by_chain,
       (SELECT count(*) FROM enroll.event e WHERE e.id = currval('enroll.event_id_seq')) AS by_id;
RESET enable_seqscan;
RESET enable_bitmapscan;
-- the table's CHECK applies, and one a DBA adds
SELECT pg_temp.sqlstate_of($$SELECT enroll.log_event('Not A Kind', NULL, NULL, NULL)$$) AS bad_kind;
ALTER TABLE enroll.event ADD CONSTRAINT regress_not_nine CHECK (row_id IS DISTINCT FROM 9) NOT VALID;
SELECT pg_temp.sqlstate_of($$SELECT enroll.log_event('test.direct', 'account', 9, NULL)$$) AS dba_check;
-- a default a DBA sets, then the function it calls replaced: each applies
-- from the session's next event on (the writer keeps the table's planned
-- defaults and constraints until the table or a function changes; this one
-- is inlined into the default when planned)
CREATE FUNCTION public.regress_logged() RETURNS timestamptz LANGUAGE sql
    AS $$SELECT timestamptz '2030-01-01 00:00+00'$$;
ALTER TABLE enroll.event ALTER COLUMN logged_at SET DEFAULT public.regress_logged();
SELECT enroll.log_event('test.default', NULL, 1, NULL);
CREATE OR REPLACE FUNCTION public.regress_logged() RETURNS timestamptz LANGUAGE sql
    AS $$SELECT timestamptz '2031-01-01 00:00+00'$$;
SELECT enroll.log_event('test.default', NULL, 2, NULL);
ALTER TABLE enroll.event ALTER COLUMN logged_at SET DEFAULT pg_catalog.clock_timestamp();
SELECT enroll.log_event('test.default', NULL, 3, NULL);
SELECT e.row_id, CASE WHEN e.logged_at < '2029-01-01' THEN 'now' ELSE e.logged_at::text END AS logged_at
  FROM enroll.event e WHERE e.what = 'test.default' ORDER BY e.id;
-- a default that writes an event itself: the inner event is written while
-- the outer one is being formed, each with the table's defaults
CREATE FUNCTION public.regress_nested() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('regress.nest', true) = 'on' THEN
        PERFORM set_config('regress.nest', 'off', true);
        PERFORM enroll.log_event('test.inner', NULL, 5, NULL);
        RETURN timestamptz '2032-01-01 00:00+00';
    END IF;
    RETURN timestamptz '2033-01-01 00:00+00';
END $$;
ALTER TABLE enroll.event ALTER COLUMN logged_at SET DEFAULT public.regress_nested();
SELECT set_config('regress.nest', 'on', true) AS nest;
SELECT enroll.log_event('test.outer', NULL, 4, NULL);
SELECT e.what, e.row_id, e.logged_at, e.digest = enroll.event_digest(e) AS digest_as_sql
  FROM enroll.event e WHERE e.what IN ('test.outer', 'test.inner') ORDER BY e.id;
-- the columns keep their types (the writer forms values of those types):
-- the extension's functions depend on every one of them
CREATE DOMAIN pg_temp.regress_kind AS text CHECK (VALUE <> 'test.refused');
SELECT pg_temp.sqlstate_of($$ALTER TABLE enroll.event ALTER COLUMN what TYPE pg_temp.regress_kind$$) AS retype_what;
SELECT pg_temp.sqlstate_of($$ALTER TABLE enroll.event ALTER COLUMN digest TYPE bytea$$) AS retype_digest;
ROLLBACK;
-- a read-only transaction writes no event, as it runs no INSERT (25006)
BEGIN READ ONLY;
SELECT pg_temp.sqlstate_of($$SELECT enroll.log_event('test.read_only', NULL, NULL, NULL)$$) AS read_only;
ROLLBACK;
-- a DBA's trigger on the log sees the extension's events
BEGIN;
CREATE TABLE public.regress_seen (what text, has_digest boolean);
CREATE FUNCTION public.regress_seen() RETURNS trigger LANGUAGE plpgsql AS
$$BEGIN INSERT INTO public.regress_seen VALUES (NEW.what, NEW.digest IS NOT NULL); RETURN NULL; END$$;
CREATE TRIGGER regress_seen AFTER INSERT ON enroll.event FOR EACH ROW EXECUTE FUNCTION public.regress_seen();
SELECT enroll.log_event('test.seen', NULL, NULL, NULL);
SELECT * FROM public.regress_seen;
ROLLBACK;
-- the digest trigger disabled, or replica mode (where it does not fire): no
-- digest, and the row is refused as the INSERT refuses it
BEGIN;
ALTER TABLE enroll.event DISABLE TRIGGER event_set_digest;
SELECT pg_temp.sqlstate_of($$SELECT enroll.log_event('test.no_digest', NULL, NULL, NULL)$$) AS digest_disabled;
ROLLBACK;
BEGIN;
SET LOCAL session_replication_role = replica;
SELECT pg_temp.sqlstate_of($$SELECT enroll.log_event('test.no_digest', NULL, NULL, NULL)$$) AS replica_mode;
ROLLBACK;

-------------------------------------------------------------------------------
-- The hash chain
-------------------------------------------------------------------------------
SELECT pg_temp.settle() AS settled;
SELECT enroll.seal_audit_log() > 0 AS sealed_some;
SELECT enroll.seal_audit_log() AS sealed_again;
SELECT (SELECT count(*) FROM enroll.audit_chain) = (SELECT count(*) FROM enroll.event) AS every_event_chained,
       (SELECT bool_and(c.pos = n) FROM (SELECT c.pos, row_number() OVER (ORDER BY e.xid, e.id) AS n
                                           FROM enroll.audit_chain c JOIN enroll.event e ON e.id = c.event_id) c)
           AS chain_in_xid_id_order;
-- audit_head is the last link, recomputed here from the digests alone:
-- link_0 = 32 zero bytes, link_n = sha256(link_{n-1} || digest_n)
CREATE TEMP TABLE ordered AS
    SELECT row_number() OVER (ORDER BY e.xid, e.id) AS n, e.id, e.digest FROM enroll.event e;
CREATE INDEX ON ordered (n);
WITH RECURSIVE chain(n, id, link) AS (
    SELECT 0::bigint, NULL::bigint, decode(repeat('00', 32), 'hex')
    UNION ALL
    SELECT o.n, o.id, sha256(c.link || o.digest) FROM chain c JOIN ordered o ON o.n = c.n + 1
)
SELECT h.link = encode(c.link, 'hex') AS head_recomputed, h.event_id = c.id AS head_event,
       h.sealed_events = c.n AS head_count
  FROM enroll.audit_head() h, (SELECT * FROM chain ORDER BY n DESC LIMIT 1) c;
SELECT count(*) AS broken_invariants FROM enroll.check_invariants();
-- the head moves only when a finished event is sealed
SELECT sealed_events AS head_before FROM enroll.audit_head() \gset
BEGIN;
SELECT enroll.log_event('test.chain', NULL, NULL, NULL);
SELECT sealed_events - :head_before AS sealed_while_open FROM enroll.audit_head();
COMMIT;
SELECT pg_temp.settle() AS settled;
BEGIN READ ONLY;   -- a read-only transaction (or a standby) gets the head as it is
SELECT sealed_events - :head_before AS sealed_read_only FROM enroll.audit_head();
COMMIT;
SELECT sealed_events - :head_before AS sealed_after_commit FROM enroll.audit_head();
-- nobody but admins seals or reads the chain
SET ROLE regress_events_app;
SELECT enroll.seal_audit_log();
SELECT * FROM enroll.audit_head();
SELECT has_table_privilege('enroll.audit_chain', 'SELECT') AS app_may_read_chain;
RESET ROLE;

-- the chain is append-only, for the superuser too (PE012)
UPDATE enroll.audit_chain SET link = '\x00' WHERE pos = 1;
DELETE FROM enroll.audit_chain WHERE pos = 1;
TRUNCATE enroll.audit_chain;

-- A superuser rewrites an event and recomputes its digest: the digest check
-- is satisfied, the chain is not.
BEGIN;
ALTER TABLE enroll.event DISABLE TRIGGER event_append_only;
UPDATE enroll.event SET details = '{"step": 2}' WHERE what = 'test.about';
UPDATE enroll.event e SET digest = enroll.event_digest(e) WHERE what = 'test.about';
SELECT invariant, violations, example LIKE 'event % (test.about) at position %' AS names_it
  FROM enroll.check_invariants();
ROLLBACK;
-- ... without recomputing it: both checks see it
BEGIN;
ALTER TABLE enroll.event DISABLE TRIGGER event_append_only;
UPDATE enroll.event SET subject_account = :tom WHERE what = 'test.about';
SELECT invariant, violations, example LIKE 'event % (test.about)%' AS names_it
  FROM enroll.check_invariants();
ROLLBACK;
-- deletes a sealed event
BEGIN;
ALTER TABLE enroll.event DISABLE TRIGGER event_append_only;
DELETE FROM enroll.event WHERE what = 'test.nobody';
SELECT invariant, violations, example LIKE 'event % at position %' AS names_it
  FROM enroll.check_invariants();
ROLLBACK;
-- deletes a link: the next one no longer follows from the one before it
BEGIN;
ALTER TABLE enroll.audit_chain DISABLE TRIGGER audit_chain_append_only;
DELETE FROM enroll.audit_chain c WHERE c.event_id = (SELECT e.id FROM enroll.event e WHERE e.what = 'test.about');
SELECT invariant, violations FROM enroll.check_invariants();
ROLLBACK;
-- inserts an event behind the chain's back: a forged id and the transaction
-- id of a sealed event, below the horizon; the next seal does not take it in
BEGIN;
INSERT INTO enroll.event (id, at, db_role, what, xid, digest)
SELECT 9000000000000000000, enroll.clock_now(), current_user, 'test.forged', e.xid, ''
  FROM enroll.event e WHERE e.what = 'test.about';
SELECT invariant, violations, example LIKE 'event 9000000000000000000 (test.forged) of transaction %' AS names_it
  FROM enroll.check_invariants();
SELECT enroll.seal_audit_log() AS forged_sealed;
ROLLBACK;
-- a chain that ends in this cluster's future is not extended (55000)
BEGIN;
INSERT INTO enroll.audit_chain (event_id, pos, xid, link, horizon)
SELECT 9000000000000000002, max(pos) + 1, (pg_current_xact_id()::text::bigint + 1000000)::text::xid8,
       sha256(''), (pg_current_xact_id()::text::bigint + 1000000)::text::xid8
  FROM enroll.audit_chain;
SELECT regexp_replace(pg_temp.sqlstate_of('SELECT enroll.seal_audit_log()'), 'transaction \d+', 'transaction N', 'g')
       AS chain_from_the_future;
ROLLBACK;
SELECT count(*) AS broken_invariants FROM enroll.check_invariants();

RESET enroll.clock;
DROP ROLE regress_events_app, regress_events_reader;

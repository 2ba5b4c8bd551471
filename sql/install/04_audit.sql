-------------------------------------------------------------------------------
-- Audit log: helper and append-only trigger
-------------------------------------------------------------------------------
CREATE FUNCTION enroll.log_event(what text, table_name text, row_id bigint, details jsonb,
                                 subject_account bigint DEFAULT NULL) RETURNS void
    AS 'MODULE_PATHNAME', 'log_event' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION enroll.log_event(text, text, bigint, jsonb, bigint) IS
  'Appends one event as the extension owner, with the acting account and session role; subject_account names the person the event is about (NULL: nobody in particular). Internal: not granted to applications.';
REVOKE EXECUTE ON FUNCTION enroll.log_event(text, text, bigint, jsonb, bigint) FROM PUBLIC;

CREATE FUNCTION enroll.event_append_only() RETURNS trigger
    AS 'MODULE_PATHNAME', 'event_append_only' LANGUAGE C;
COMMENT ON FUNCTION enroll.event_append_only() IS
  'Trigger function refusing UPDATE, DELETE and TRUNCATE on the audit log''s tables, enroll.event and enroll.audit_chain (PE012).';

CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON enroll.event
    FOR EACH ROW EXECUTE FUNCTION enroll.event_append_only();
CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON enroll.event
    FOR EACH STATEMENT EXECUTE FUNCTION enroll.event_append_only();


-------------------------------------------------------------------------------
-- Audit log digests: every event row carries a digest of its content, set at
-- insert, so that enroll.check_invariants() can report a row changed behind
-- the append-only trigger's back (a superuser disabling it).  Since 1.2 the
-- content is encoded as a JSON array, one element per column: two different
-- rows never share an encoding (concat_ws skipped NULLs, so a table name and
-- a row id could trade places), which the hash chain below relies on.
-------------------------------------------------------------------------------
CREATE FUNCTION enroll.event_digest(e enroll.event) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
RETURN pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.jsonb_build_array(
           e.id, EXTRACT(epoch FROM e.at), EXTRACT(epoch FROM e.logged_at), e.account_id,
           e.db_role::text, e.what, e.table_name, e.row_id, e.details, e.xid::text,
           e.subject_account)::text, 'UTF8'));
COMMENT ON FUNCTION enroll.event_digest(enroll.event) IS
  'SHA-256 of an event''s content (every column but the digest, as a JSON array), independent of session settings (time zone, date style). Set at insert by a trigger; enroll.check_invariants() recomputes it.';


CREATE FUNCTION enroll.event_set_digest() RETURNS trigger
    AS 'MODULE_PATHNAME', 'event_set_digest' LANGUAGE C;
COMMENT ON FUNCTION enroll.event_set_digest() IS
  'Trigger function on enroll.event (BEFORE INSERT): stores the row''s digest.';
CREATE TRIGGER event_set_digest BEFORE INSERT ON enroll.event
    FOR EACH ROW EXECUTE FUNCTION enroll.event_set_digest();


-------------------------------------------------------------------------------
-- Every event is announced: NOTIFY enroll_events, delivered at commit (and
-- dropped on rollback) with a payload that names no person.
-------------------------------------------------------------------------------
CREATE FUNCTION enroll.event_announce() RETURNS trigger
    AS 'MODULE_PATHNAME', 'event_announce' LANGUAGE C;
COMMENT ON FUNCTION enroll.event_announce() IS
  'Trigger function on enroll.event (AFTER INSERT FOR EACH ROW): NOTIFY enroll_events, payload {"id": event id, "what": kind, "table": table name, "row": row id or null}.';
REVOKE EXECUTE ON FUNCTION enroll.event_announce() FROM PUBLIC;
CREATE TRIGGER event_announce AFTER INSERT ON enroll.event
    FOR EACH ROW EXECUTE FUNCTION enroll.event_announce();


-------------------------------------------------------------------------------
-- The audit chain (src/audit.c): finished events are sealed, in the order
-- (event.xid, event.id), into links link_n = sha256(link_{n-1} || digest_n)
-- from a genesis of 32 zero bytes.  Append-only like the log; admins read it.
-------------------------------------------------------------------------------
CREATE TABLE enroll.audit_chain (
    event_id    bigint PRIMARY KEY,
    pos         bigint NOT NULL UNIQUE CONSTRAINT audit_chain_pos_positive CHECK (pos OPERATOR(pg_catalog.>) 0),
    xid         xid8 NOT NULL,
    link        bytea NOT NULL,
    horizon     xid8 NOT NULL,
    sealed_at   timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE enroll.audit_chain IS
  'Hash chain over the audit log, one row per sealed event in the order (event.xid, event.id), appended by enroll.seal_audit_log(). UPDATE, DELETE and TRUNCATE are refused (PE012); enroll.check_invariants() verifies it and enroll.audit_head() gives its last link.';
COMMENT ON COLUMN enroll.audit_chain.event_id IS
  'The event sealed (no foreign key: a deleted event must leave its link behind, for check_invariants to report).';
COMMENT ON COLUMN enroll.audit_chain.pos IS 'Position in the chain, from 1: the number of events sealed up to this one.';
COMMENT ON COLUMN enroll.audit_chain.xid IS 'The event''s transaction, as sealed.';
COMMENT ON COLUMN enroll.audit_chain.link IS
  'sha256(previous link || the event''s digest); the previous link of the first event is 32 zero bytes.';
COMMENT ON COLUMN enroll.audit_chain.horizon IS
  'The seal''s horizon: every transaction below it had ended, so every event with a smaller xid was sealed by then.';
COMMENT ON COLUMN enroll.audit_chain.sealed_at IS 'When the sealing transaction started (wall clock).';
SELECT pg_catalog.pg_extension_config_dump('enroll.audit_chain', '');
CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON enroll.audit_chain
    FOR EACH ROW EXECUTE FUNCTION enroll.event_append_only();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON enroll.audit_chain
    FOR EACH STATEMENT EXECUTE FUNCTION enroll.event_append_only();
ALTER TABLE enroll.audit_chain ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_chain_admin ON enroll.audit_chain FOR SELECT
    USING ((SELECT enroll.acting_as_admin()));
COMMENT ON POLICY audit_chain_admin ON enroll.audit_chain IS
  'Only system administrators read the hash chain (enroll.audit_head gives its head).';

CREATE FUNCTION enroll.seal_audit_log() RETURNS bigint
    AS 'MODULE_PATHNAME', 'seal_audit_log'
    LANGUAGE C VOLATILE SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.seal_audit_log() IS
  'Admins: appends every event whose transaction has ended to enroll.audit_chain, in the order (xid, id); returns how many. Sealers wait for each other (advisory lock 8099547344098455404).';
REVOKE EXECUTE ON FUNCTION enroll.seal_audit_log() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.seal_audit_log() TO enroll_admin;

CREATE FUNCTION enroll.audit_head(OUT event_id bigint, OUT link text, OUT sealed_events bigint)
RETURNS record
    AS 'MODULE_PATHNAME', 'audit_head'
    LANGUAGE C VOLATILE SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.audit_head() IS
  'Admins: seals (enroll.seal_audit_log), then returns the chain''s last event, its link in hex and the number of events sealed. Export it regularly: the same head later proves that nothing sealed up to it was changed. On a standby or in a read-only transaction: the head as it is, without sealing.';
REVOKE EXECUTE ON FUNCTION enroll.audit_head() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.audit_head() TO enroll_admin;


-------------------------------------------------------------------------------
-- Catching up: the events a consumer has not processed yet, in chain order,
-- only those whose transaction has ended (the sealing horizon), so an event
-- committed later with a smaller id is never skipped.  SECURITY INVOKER: the
-- caller sees what the policy event_self lets it see, no second copy of it.
-------------------------------------------------------------------------------
CREATE FUNCTION enroll.events_since(after_id bigint DEFAULT 0, max integer DEFAULT 1000)
RETURNS SETOF enroll.event
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
ROWS 1000
AS $fn$
DECLARE
    horizon   xid8 := pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot());
    after_xid xid8 := '0';
BEGIN
    IF events_since.max IS NULL OR events_since.max OPERATOR(pg_catalog.<) 1
       OR events_since.max OPERATOR(pg_catalog.>) 10000 THEN
        RAISE EXCEPTION 'max must be between 1 and 10000, not %', COALESCE(events_since.max::text, 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'Read the log in pages: pass the id of the last event of a page as after_id for the next one.';
    END IF;
    IF events_since.after_id IS NULL OR events_since.after_id OPERATOR(pg_catalog.<) 0 THEN
        RAISE EXCEPTION 'after_id must be 0 or the id of an event, not %', COALESCE(events_since.after_id::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Pass 0 to read from the beginning of the log.';
    ELSIF events_since.after_id OPERATOR(pg_catalog.<>) 0 THEN
        SELECT e.xid INTO after_xid FROM enroll.event e WHERE e.id OPERATOR(pg_catalog.=) events_since.after_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'event % is unknown', events_since.after_id
                USING ERRCODE = '22023',
                      DETAIL = 'after_id must be the id of the last event you processed, as enroll.events_since() returned it to you.',
                      HINT = 'A consumer that lost its position starts again with after_id 0 and skips the events it has already processed.';
        ELSIF after_xid OPERATOR(pg_catalog.>=) horizon THEN
            BEGIN
                PERFORM pg_catalog.pg_xact_status(after_xid);  -- 22023 for an xid in the future
            EXCEPTION WHEN invalid_parameter_value THEN
                RAISE EXCEPTION 'event % was written by transaction %, ahead of this cluster''s transactions', events_since.after_id, after_xid
                    USING ERRCODE = '55000',
                          DETAIL = 'The database was restored into a cluster whose transaction ids are lower than those of the cluster it was dumped from; events written since then sort before it.',
                          HINT = 'Restore into a cluster whose transaction epoch was advanced first (pg_resetwal --epoch), as README "Audit log" describes.';
            END;
            RAISE EXCEPTION 'event % is not final yet', events_since.after_id
                USING ERRCODE = '22023',
                      DETAIL = 'Its transaction, or an older one, is still running here, so enroll.events_since() cannot have returned it.',
                      HINT = 'Pass the id of the last event enroll.events_since() returned, not one heard by LISTEN.';
        END IF;
    END IF;
    RETURN QUERY
        SELECT e.* FROM enroll.event e
         WHERE e.xid OPERATOR(pg_catalog.<) horizon
           AND (e.xid, e.id) OPERATOR(pg_catalog.>) (after_xid, events_since.after_id)
         ORDER BY e.xid, e.id
         LIMIT events_since.max;
END
$fn$;
COMMENT ON FUNCTION enroll.events_since(bigint, integer) IS
  'The events after after_id (0: from the beginning) that the caller may read, at most max (1 to 10000), in the order (xid, id), only those whose transaction has ended: a consumer that passes the id of the last event it processed never misses one committed later with a smaller id. Unknown after_id or max out of range: 22023.';
REVOKE EXECUTE ON FUNCTION enroll.events_since(bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.events_since(bigint, integer) TO enroll_admin, enroll_app, enroll_reader;

-------------------------------------------------------------------------------
-- Audit log: helper and append-only trigger
-------------------------------------------------------------------------------
CREATE FUNCTION enroll.log_event(what text, table_name text, row_id bigint, details jsonb) RETURNS void
    AS 'MODULE_PATHNAME', 'log_event' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION enroll.log_event(text, text, bigint, jsonb) IS
  'Appends one event as the extension owner, with the acting account and session role. Internal: not granted to applications.';

CREATE FUNCTION enroll.event_append_only() RETURNS trigger
    AS 'MODULE_PATHNAME', 'event_append_only' LANGUAGE C;
COMMENT ON FUNCTION enroll.event_append_only() IS
  'Trigger function refusing UPDATE, DELETE and TRUNCATE on enroll.event (PE012).';

CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON enroll.event
    FOR EACH ROW EXECUTE FUNCTION enroll.event_append_only();
CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON enroll.event
    FOR EACH STATEMENT EXECUTE FUNCTION enroll.event_append_only();


-------------------------------------------------------------------------------
-- Audit log digests: every event row carries a digest of its content, set at
-- insert, so that enroll.check_invariants() can report a row changed behind
-- the append-only trigger's back (a superuser disabling it).
-------------------------------------------------------------------------------
CREATE FUNCTION enroll.event_digest(e enroll.event) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
RETURN pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.concat_ws('|',
           e.id, EXTRACT(epoch FROM e.at), EXTRACT(epoch FROM e.logged_at), e.account_id,
           e.db_role, e.what, e.table_name, e.row_id, e.details, e.xid), 'UTF8'));
COMMENT ON FUNCTION enroll.event_digest(enroll.event) IS
  'SHA-256 of an event''s content, independent of session settings (time zone, date style). Set at insert by a trigger; enroll.check_invariants() recomputes it.';


CREATE FUNCTION enroll.event_set_digest() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    NEW.digest := enroll.event_digest(NEW);
    RETURN NEW;
END
$fn$;
COMMENT ON FUNCTION enroll.event_set_digest() IS
  'Trigger function on enroll.event (BEFORE INSERT): stores the row''s digest.';
CREATE TRIGGER event_set_digest BEFORE INSERT ON enroll.event
    FOR EACH ROW EXECUTE FUNCTION enroll.event_set_digest();

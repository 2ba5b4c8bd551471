
-------------------------------------------------------------------------------
-- License lifecycle (S2.18, S2.19, S2.23): seats, documents, revocation
-------------------------------------------------------------------------------
-- @@licenses-begin@@

-- Why a license has ended, as a sentence for the DETAIL of PE011.
CREATE FUNCTION enroll.license_end_detail(l enroll.license) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE l.end_reason::text
    WHEN 'revoked' THEN
        pg_catalog.format('It was revoked at %s%s.',
                          pg_catalog.to_char(l.ended_at, 'YYYY-MM-DD HH24:MI:SSOF'),
                          COALESCE(' (reason: ' OPERATOR(pg_catalog.||) l.end_note OPERATOR(pg_catalog.||) ')', ''))
    WHEN 'superseded' THEN
        pg_catalog.format('It was superseded at %s by license %s (S2.23).',
                          pg_catalog.to_char(l.ended_at, 'YYYY-MM-DD HH24:MI:SSOF'), l.superseded_by)
    WHEN 'cancelled' THEN
        pg_catalog.format('Its order was cancelled at %s%s.',
                          pg_catalog.to_char(l.ended_at, 'YYYY-MM-DD HH24:MI:SSOF'),
                          COALESCE(' (reason: ' OPERATOR(pg_catalog.||) l.end_note OPERATOR(pg_catalog.||) ')', ''))
    WHEN 'removed' THEN
        pg_catalog.format('Its holder was taken out of the order at %s%s.',
                          pg_catalog.to_char(l.ended_at, 'YYYY-MM-DD HH24:MI:SSOF'),
                          COALESCE(' (reason: ' OPERATOR(pg_catalog.||) l.end_note OPERATOR(pg_catalog.||) ')', ''))
    WHEN 'released' THEN
        pg_catalog.format('The seat was given back at %s%s.',
                          pg_catalog.to_char(l.ended_at, 'YYYY-MM-DD HH24:MI:SSOF'),
                          COALESCE(' (reason: ' OPERATOR(pg_catalog.||) l.end_note OPERATOR(pg_catalog.||) ')', ''))
END;
COMMENT ON FUNCTION enroll.license_end_detail(enroll.license) IS
  'Why and when a license ended (revoked, cancelled, removed or released with its reason, or superseded by which license), as a sentence for the DETAIL of error PE011; NULL for a current license. Internal helper.';

-- An organization admin gives one seat of an organization license to a member
-- (src/seats.c: the organization license locked first, so allocations on it
-- serialize; the member's current license superseded through licenses.c).
CREATE FUNCTION enroll.allocate_seat(org_license bigint, account bigint)
RETURNS enroll.license_grant
    AS 'MODULE_PATHNAME', 'allocate_seat'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.allocate_seat(bigint, bigint) IS
  'A current administrator of the organization holding an organization license (or a system admin) gives one seat to a current member (PE014): a person license of the same offer and course, until the organization license ends. Never more seats than bought, even under concurrency (PE017). A member whose own license gives more keeps it and no seat is used (outcome kept); otherwise the member''s current license is superseded. A member who already holds a seat of this license gets it back unchanged (kept). Unknown license PE019, a personal license 42501 (22023 to system admins), ended or outside its access window PE011, unknown account PE013.';

CREATE FUNCTION enroll.allocate_seat(organization bigint, course bigint, account bigint)
RETURNS enroll.license_grant
    AS 'MODULE_PATHNAME', 'allocate_seat_for_course'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.allocate_seat(bigint, bigint, bigint) IS
  'enroll.allocate_seat for the organization''s current license of the course, found and locked here (a renewal in between is waited for). Unknown organization PE016, not an administrator 42501, no current license PE019.';

CREATE FUNCTION enroll.release_seat(seat_license bigint, reason text DEFAULT NULL)
RETURNS enroll.license
    AS 'MODULE_PATHNAME', 'release_seat'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.release_seat(bigint, text) IS
  'An administrator of the organization (or a system admin) takes a seat back: it ends now (end_reason released, the optional reason of at most 2000 characters in end_note), the holder''s status becomes seat_withdrawn (or the license the seat superseded is theirs again when its time is not over), and the seat can be given again. Unknown license PE019, not a seat 22023, already ended PE011, not an administrator 42501.';

-- A seat ends when its holder stops being a current member of the
-- organization that holds the license (S2.19's spirit for seats).
CREATE FUNCTION enroll.membership_left() RETURNS trigger
    AS 'MODULE_PATHNAME', 'membership_left' LANGUAGE C;
COMMENT ON FUNCTION enroll.membership_left() IS
  'Trigger function on enroll.membership (AFTER UPDATE OF left_at): the member''s live seats of the organization''s licenses end (released) and each gives back the license it superseded when that one''s time is not over.';
CREATE TRIGGER membership_left AFTER UPDATE OF left_at ON enroll.membership
    FOR EACH ROW WHEN (OLD.left_at IS NULL AND NEW.left_at IS NOT NULL)
    EXECUTE FUNCTION enroll.membership_left();
COMMENT ON TRIGGER membership_left ON enroll.membership IS
  'Leaving an organization ends the seats of its licenses (enroll.membership_left).';

-- S2.18: documents that the learner must present are confirmed.
CREATE FUNCTION enroll.validate_documents(license bigint)
RETURNS enroll.license
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    me   bigint := enroll.require_account();
    now_ timestamptz := enroll.clock_now();
    l    enroll.license;
BEGIN
    IF validate_documents.license IS NULL THEN
        RAISE EXCEPTION 'license must not be null' USING ERRCODE = '22004';
    END IF;
    -- locked: a concurrent acceptance that supersedes it waits, or makes this fail (PE011)
    SELECT x.* INTO l FROM enroll.license x WHERE x.id OPERATOR(pg_catalog.=) validate_documents.license FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'license % does not exist', validate_documents.license USING ERRCODE = 'PE019';
    END IF;
    IF NOT enroll.actor_administers(l.registrar_org_id) THEN
        RAISE EXCEPTION 'permission denied to validate the documents of license %', l.id USING ERRCODE = '42501',
            DETAIL = 'Only system administrators and current administrators of the license''s registrar organization may do this.';
    END IF;
    IF l.documents_due_at IS NULL THEN
        RAISE EXCEPTION 'license % needs no documents', l.id USING ERRCODE = 'PE018',
            DETAIL = 'Its offer has no documents grace (S2.18), so there is nothing to validate.';
    END IF;
    IF l.ended_at IS NOT NULL THEN
        RAISE EXCEPTION 'license % has ended', l.id USING ERRCODE = 'PE011',
            DETAIL = enroll.license_end_detail(l),
            HINT = 'Validate the documents of the holder''s current license for the course.';
    END IF;
    IF l.documents_validated_at IS NOT NULL THEN
        RETURN l;                       -- already validated: unchanged, no event
    END IF;
    UPDATE enroll.license x SET documents_validated_at = now_, documents_validated_by = me
     WHERE x.id OPERATOR(pg_catalog.=) l.id
    RETURNING x.* INTO l;
    PERFORM enroll.log_event('license.validate_documents', 'license', l.id,
                             pg_catalog.jsonb_build_object('documents_due_at', l.documents_due_at,
                                                           'late', now_ OPERATOR(pg_catalog.>=) l.documents_due_at));
    RETURN l;
END
$fn$;
COMMENT ON FUNCTION enroll.validate_documents(bigint) IS
  'System admins and current administrators of the license''s registrar organization confirm the documents the learner presented (S2.18): access that stopped at documents_due_at (documents_missing) resumes. Validating again returns the row unchanged. Unknown license PE019, no documents needed PE018, ended license PE011.';

CREATE FUNCTION enroll.revoke_license(license bigint, reason text)
RETURNS enroll.license
    AS 'MODULE_PATHNAME', 'revoke_license'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.revoke_license(bigint, text) IS
  'System admins: ends a current license now (end_reason revoked, the reason in end_note; a reason of at most 2000 characters is required, 22023). Access stops at once (status revoked), unless the license was created on someone else''s initiative and superseded one whose time is not over: that one is the holder''s again. Revoking an organization license withdraws every seat allocated from it (status seat_withdrawn). Unknown license PE019; a license that has already ended, revoked or superseded, PE011.';

-- Privileges of this block (it comes after the script's global REVOKE)
REVOKE ALL ON FUNCTION
    enroll.license_end_detail(enroll.license),
    enroll.allocate_seat(bigint, bigint),
    enroll.allocate_seat(bigint, bigint, bigint),
    enroll.release_seat(bigint, text),
    enroll.membership_left(),
    enroll.validate_documents(bigint),
    enroll.revoke_license(bigint, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    enroll.allocate_seat(bigint, bigint),
    enroll.allocate_seat(bigint, bigint, bigint),
    enroll.release_seat(bigint, text),
    enroll.validate_documents(bigint),
    enroll.revoke_license(bigint, text)
    TO enroll_admin, enroll_app;
-- @@licenses-end@@

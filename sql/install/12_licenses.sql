
-------------------------------------------------------------------------------
-- License lifecycle (S2.18, S2.19, S2.23): seats, documents, revocation
-------------------------------------------------------------------------------
-- @@licenses-begin@@

-- Why a license has ended, as a sentence for the DETAIL of PE011.
CREATE FUNCTION enroll.license_end_detail(l enroll.license) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE l.end_reason
    WHEN 'revoked' THEN
        pg_catalog.format('It was revoked at %s%s.',
                          pg_catalog.to_char(l.ended_at, 'YYYY-MM-DD HH24:MI:SSOF'),
                          COALESCE(' (reason: ' OPERATOR(pg_catalog.||) l.end_note OPERATOR(pg_catalog.||) ')', ''))
    WHEN 'superseded' THEN
        pg_catalog.format('It was superseded at %s by license %s (S2.23).',
                          pg_catalog.to_char(l.ended_at, 'YYYY-MM-DD HH24:MI:SSOF'), l.superseded_by)
END;
COMMENT ON FUNCTION enroll.license_end_detail(enroll.license) IS
  'Why and when a license ended (revoked with its reason, or superseded by which license), as a sentence for the DETAIL of error PE011; NULL for a current license. Internal helper.';

-- An organization admin gives one seat of an organization license to a member
-- (src/seats.c: the organization license locked first, so allocations on it
-- serialize; the member's current license superseded through licenses.c).
CREATE FUNCTION enroll.allocate_seat(org_license bigint, account bigint)
RETURNS enroll.license
    AS 'MODULE_PATHNAME', 'allocate_seat'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.allocate_seat(bigint, bigint) IS
  'A current administrator of the organization holding an organization license (or a system admin) gives one seat to a current member (PE014): a person license of the same offer and course, until the organization license ends. Never more seats than bought, even under concurrency (PE017). The member''s current license for the course is superseded (S2.23); a member who already holds a seat of this license gets it back unchanged. Unknown license PE019, not an organization license 22023, ended or outside its access window PE011, unknown account PE013.';

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
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    now_      timestamptz := enroll.clock_now();
    l         enroll.license;
    withdrawn bigint;
BEGIN
    PERFORM enroll.require_admin('revoke licenses');
    IF revoke_license.license IS NULL THEN
        RAISE EXCEPTION 'license must not be null' USING ERRCODE = '22004';
    END IF;
    IF revoke_license.reason IS NULL
       OR enroll.is_blank(revoke_license.reason) THEN
        RAISE EXCEPTION 'a reason is required to revoke a license' USING ERRCODE = '22023',
            HINT = 'Say why, e.g. ''payment refunded''; it is kept in the license''s end_note and in the audit log.';
    ELSIF pg_catalog.length(enroll.trim_blank(revoke_license.reason)) OPERATOR(pg_catalog.>) 2000 THEN
        RAISE EXCEPTION 'the reason is too long: % characters', pg_catalog.length(enroll.trim_blank(revoke_license.reason))
            USING ERRCODE = '22023', DETAIL = 'A revocation reason has at most 2000 characters.';
    END IF;
    -- locked: a concurrent acceptance that supersedes it waits, or makes this fail (PE011)
    SELECT x.* INTO l FROM enroll.license x WHERE x.id OPERATOR(pg_catalog.=) revoke_license.license FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'license % does not exist', revoke_license.license USING ERRCODE = 'PE019';
    END IF;
    IF l.end_reason OPERATOR(pg_catalog.=) 'revoked' THEN
        RAISE EXCEPTION 'license % was already revoked', l.id USING ERRCODE = 'PE011',
            DETAIL = enroll.license_end_detail(l);
    ELSIF l.ended_at IS NOT NULL THEN
        RAISE EXCEPTION 'license % has already ended', l.id USING ERRCODE = 'PE011',
            DETAIL = enroll.license_end_detail(l),
            HINT = 'Revoke the holder''s current license for the course instead.';
    END IF;
    UPDATE enroll.license x SET ended_at = now_, end_reason = 'revoked', end_note = enroll.trim_blank(revoke_license.reason)
     WHERE x.id OPERATOR(pg_catalog.=) l.id
    RETURNING x.* INTO l;
    -- the seats of an organization license stay as they are: access_status
    -- reports them seat_withdrawn from now on
    IF l.holder_kind OPERATOR(pg_catalog.=) 'organization' THEN
        SELECT pg_catalog.count(*) INTO withdrawn FROM enroll.license x
         WHERE x.parent_license OPERATOR(pg_catalog.=) l.id AND x.ended_at IS NULL;
    END IF;
    PERFORM enroll.log_event('license.revoke', 'license', l.id,
                             pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                                 'reason', l.end_note, 'holder_kind', l.holder_kind,
                                 'account', l.account_id, 'organization', l.organization_id,
                                 'seats_withdrawn', withdrawn)));
    RETURN l;
END
$fn$;
COMMENT ON FUNCTION enroll.revoke_license(bigint, text) IS
  'System admins: ends a current license now (end_reason revoked, the reason in end_note; a reason of at most 2000 characters is required, 22023). Access stops at once (status revoked); revoking an organization license withdraws every seat allocated from it (status seat_withdrawn). Unknown license PE019; a license that has already ended, revoked or superseded, PE011.';

-- Privileges of this block (it comes after the script's global REVOKE)
REVOKE ALL ON FUNCTION
    enroll.license_end_detail(enroll.license),
    enroll.allocate_seat(bigint, bigint),
    enroll.validate_documents(bigint),
    enroll.revoke_license(bigint, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    enroll.allocate_seat(bigint, bigint),
    enroll.validate_documents(bigint),
    enroll.revoke_license(bigint, text)
    TO enroll_admin, enroll_app;
-- @@licenses-end@@

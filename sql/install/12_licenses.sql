
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

-- An organization admin gives one seat of an organization license to a member.
-- Never more seats than bought: the organization license is locked FOR UPDATE
-- first, so allocations on it serialize, and the seats are counted after the
-- lock (a new snapshot under READ COMMITTED).  Then, in accept_offer's order,
-- the member's account FOR NO KEY UPDATE, the membership FOR SHARE (a
-- concurrent leave_organization waits, or makes this fail with PE014) and the
-- member's current license FOR UPDATE, which the seat supersedes (S2.23).
CREATE FUNCTION enroll.allocate_seat(org_license bigint, account bigint)
RETURNS enroll.license
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    me          bigint := enroll.require_account();
    now_        timestamptz := enroll.clock_now();
    p           enroll.license;     -- the organization license
    cur         enroll.license;     -- the member's current license for the course
    has_current boolean;
    s           enroll.license;     -- the new seat
    org_name    text;
    used        bigint;
    new_id      bigint;
BEGIN
    IF allocate_seat.org_license IS NULL THEN
        RAISE EXCEPTION 'organization license must not be null' USING ERRCODE = '22004';
    ELSIF allocate_seat.account IS NULL THEN
        RAISE EXCEPTION 'account must not be null' USING ERRCODE = '22004';
    END IF;

    -- first lock: every allocation on this organization license waits here
    SELECT l.* INTO p FROM enroll.license l
     WHERE l.id OPERATOR(pg_catalog.=) allocate_seat.org_license FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'license % does not exist', allocate_seat.org_license USING ERRCODE = 'PE019';
    END IF;
    IF p.holder_kind OPERATOR(pg_catalog.<>) 'organization' THEN
        RAISE EXCEPTION 'license % is not an organization license', p.id USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('It is held by account %s; only a license held by an organization has seats.', p.account_id),
            HINT = 'Pass the license an organization admin accepted with enroll.accept_offer(..., for_organization => ...).';
    END IF;
    SELECT g.name INTO STRICT org_name FROM enroll.organization g WHERE g.id OPERATOR(pg_catalog.=) p.organization_id;
    IF NOT enroll.actor_administers(p.organization_id) THEN
        RAISE EXCEPTION 'permission denied to allocate seats of license %', p.id USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Only system administrators and current administrators of organization "%s" may do this.', org_name);
    END IF;
    IF p.ended_at IS NOT NULL THEN
        RAISE EXCEPTION 'organization license % has ended', p.id USING ERRCODE = 'PE011',
            DETAIL = enroll.license_end_detail(p),
            HINT = 'Allocate seats of the organization''s current license for the course.';
    END IF;
    IF now_ OPERATOR(pg_catalog.<) p.access_from OR now_ OPERATOR(pg_catalog.>=) p.access_until THEN
        RAISE EXCEPTION 'organization license % %', p.id,
              CASE WHEN now_ OPERATOR(pg_catalog.<) p.access_from THEN 'has not started' ELSE 'has expired' END
            USING ERRCODE = 'PE011',
            DETAIL = pg_catalog.format('Its access runs from %s until %s; it is now %s.',
                                       pg_catalog.to_char(p.access_from, 'YYYY-MM-DD HH24:MI:SSOF'),
                                       pg_catalog.to_char(p.access_until, 'YYYY-MM-DD HH24:MI:SSOF'),
                                       pg_catalog.to_char(now_, 'YYYY-MM-DD HH24:MI:SSOF')),
            HINT = 'Seats are allocated while the organization license grants access.';
    END IF;

    -- the member, locked as accept_offer locks a holder
    PERFORM FROM enroll.account a WHERE a.id OPERATOR(pg_catalog.=) allocate_seat.account FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account % does not exist', allocate_seat.account USING ERRCODE = 'PE013';
    END IF;
    PERFORM FROM enroll.membership m
     WHERE m.organization_id OPERATOR(pg_catalog.=) p.organization_id
       AND m.account_id OPERATOR(pg_catalog.=) allocate_seat.account AND m.left_at IS NULL
       FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account % is not a current member of organization "%"', allocate_seat.account, org_name
            USING ERRCODE = 'PE014',
            HINT = 'Seats go to members of the organization that holds the license; the account joins it with enroll.join_organization.';
    END IF;

    -- the member's current license for the course: already a seat of this
    -- license means nothing to do (no second seat, no event)
    SELECT l.* INTO cur FROM enroll.license l
     WHERE l.account_id OPERATOR(pg_catalog.=) allocate_seat.account
       AND l.course_id OPERATOR(pg_catalog.=) p.course_id AND l.ended_at IS NULL
       FOR UPDATE;
    has_current := FOUND;
    IF has_current AND cur.parent_license OPERATOR(pg_catalog.=) p.id THEN
        RETURN cur;
    END IF;

    -- counted under the lock taken above, so never more seats than bought
    SELECT pg_catalog.count(*) INTO used FROM enroll.license l
     WHERE l.parent_license OPERATOR(pg_catalog.=) p.id AND l.ended_at IS NULL;
    IF used OPERATOR(pg_catalog.>=) p.seats THEN
        RAISE EXCEPTION 'no seat left on organization license %', p.id USING ERRCODE = 'PE017',
            DETAIL = pg_catalog.format('%s of %s seats are allocated.', used, p.seats),
            HINT = 'A seat is free again when its holder moves to another license of the course or it is revoked; for more seats, the organization accepts an offer with more.';
    END IF;
    -- write the organization license (no change): under REPEATABLE READ or
    -- SERIALIZABLE, a concurrent allocation then fails with a serialization
    -- error (40001) instead of counting seats in a snapshot that misses this one
    UPDATE enroll.license l SET seats = l.seats WHERE l.id OPERATOR(pg_catalog.=) p.id;

    -- S2.23: the seat supersedes the member's current license; the deferred
    -- foreign key superseded_by lets the old row name the new one first
    new_id := pg_catalog.nextval('enroll.license_id_seq'::pg_catalog.regclass);
    IF has_current THEN
        UPDATE enroll.license l SET ended_at = now_, end_reason = 'superseded', superseded_by = new_id
         WHERE l.id OPERATOR(pg_catalog.=) cur.id;
        PERFORM enroll.log_event('license.supersede', 'license', cur.id,
                                 pg_catalog.jsonb_build_object('superseded_by', new_id));
    END IF;
    INSERT INTO enroll.license AS t (id, offer_id, course_id, holder_kind, account_id, accepted_by, accepted_via,
                                     accepted_at, price_paid, currency, access_from, access_until, parent_license)
        VALUES (new_id, p.offer_id, p.course_id, 'person', allocate_seat.account, me, 'org_admin',
                now_, 0, p.currency, now_, p.access_until, p.id)
        RETURNING t.* INTO s;
    PERFORM enroll.log_event('license.allocate_seat', 'license', s.id,
                             pg_catalog.jsonb_build_object('org_license', p.id, 'account', s.account_id,
                                 'superseded', cur.id, 'seats_allocated', used OPERATOR(pg_catalog.+) 1, 'seats', p.seats));
    RETURN s;
END
$fn$;
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
       OR pg_catalog.btrim(revoke_license.reason, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'a reason is required to revoke a license' USING ERRCODE = '22023',
            HINT = 'Say why, e.g. ''payment refunded''; it is kept in the license''s end_note and in the audit log.';
    ELSIF pg_catalog.length(pg_catalog.btrim(revoke_license.reason, E' \t\r\n\f\x0b')) OPERATOR(pg_catalog.>) 2000 THEN
        RAISE EXCEPTION 'the reason is too long: % characters', pg_catalog.length(pg_catalog.btrim(revoke_license.reason, E' \t\r\n\f\x0b'))
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
    UPDATE enroll.license x SET ended_at = now_, end_reason = 'revoked', end_note = pg_catalog.btrim(revoke_license.reason, E' \t\r\n\f\x0b')
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

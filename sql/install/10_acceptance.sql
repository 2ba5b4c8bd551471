
-------------------------------------------------------------------------------
-- Acceptance and profiles (S2.5, S2.8-S2.17, S2.21-S2.22)
-------------------------------------------------------------------------------
-- @@acceptance-begin@@
CREATE FUNCTION enroll.require_account() RETURNS bigint
    AS 'MODULE_PATHNAME', 'require_account' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION enroll.require_account() IS
  'The acting account, or error PE001 "not logged in". Internal helper of the extension''s functions.';

CREATE FUNCTION enroll.account_profile_data(a enroll.account) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
RETURN pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
           'firstname', NULLIF(a.firstname, ''), 'lastname', NULLIF(a.lastname, '')))
       OPERATOR(pg_catalog.||) a.profile;
COMMENT ON FUNCTION enroll.account_profile_data(enroll.account) IS
  'The profile data an account has supplied: its names and its profile object, as enroll.profile_missing_fields reads them.';

CREATE FUNCTION enroll.upgrade_profile(level enroll.profile_level, data jsonb)
RETURNS enroll.account
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    me      bigint := enroll.require_account();
    acc     enroll.account;
    merged  jsonb;
    missing text[];
    stored  jsonb;          -- the profile column: all but the names
BEGIN
    IF upgrade_profile.level IS NULL OR upgrade_profile.data IS NULL THEN
        RAISE EXCEPTION 'level and data must not be null' USING ERRCODE = '22004';
    END IF;
    IF pg_catalog.jsonb_typeof(upgrade_profile.data) OPERATOR(pg_catalog.<>) 'object' THEN
        RAISE EXCEPTION 'profile data must be a JSON object, not %', pg_catalog.jsonb_typeof(upgrade_profile.data)
            USING ERRCODE = '22023',
                  HINT = 'Pass e.g. {"firstname": "...", "lastname": "...", "address": {"street": "...", "postal_code": "...", "city": "...", "country": "FR"}}.';
    END IF;
    IF upgrade_profile.data ? 'address' AND pg_catalog.jsonb_typeof(upgrade_profile.data -> 'address') OPERATOR(pg_catalog.<>) 'object' THEN
        RAISE EXCEPTION 'profile field "address" must be a JSON object' USING ERRCODE = '22023';
    END IF;
    SELECT a.* INTO STRICT acc FROM enroll.account a WHERE a.id OPERATOR(pg_catalog.=) me FOR NO KEY UPDATE;
    merged := enroll.account_profile_data(acc) OPERATOR(pg_catalog.||) upgrade_profile.data;
    -- the level never goes down, and it is always backed by complete data:
    -- the data is checked against the higher of the two levels
    missing := enroll.profile_missing_fields(GREATEST(acc.profile_level, upgrade_profile.level), merged);
    IF pg_catalog.cardinality(missing) OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'profile data incomplete for level "%"', GREATEST(acc.profile_level, upgrade_profile.level)
            USING ERRCODE = 'PE009',
                  DETAIL = pg_catalog.format('Missing or invalid: %s.', pg_catalog.array_to_string(missing, ', ')),
                  HINT = 'Level billing needs firstname, lastname and address.street, address.postal_code, address.city (JSON strings of at most 200 characters), address.country (two capital letters).';
    END IF;
    -- names become columns: whatever the level, only strings, and bounded
    IF upgrade_profile.data OPERATOR(pg_catalog.?) 'firstname' AND pg_catalog.jsonb_typeof(upgrade_profile.data OPERATOR(pg_catalog.->) 'firstname') OPERATOR(pg_catalog.<>) 'string' THEN
        RAISE EXCEPTION 'profile field "firstname" must be a JSON string, not %', pg_catalog.jsonb_typeof(upgrade_profile.data OPERATOR(pg_catalog.->) 'firstname')
            USING ERRCODE = '22023';
    ELSIF upgrade_profile.data OPERATOR(pg_catalog.?) 'lastname' AND pg_catalog.jsonb_typeof(upgrade_profile.data OPERATOR(pg_catalog.->) 'lastname') OPERATOR(pg_catalog.<>) 'string' THEN
        RAISE EXCEPTION 'profile field "lastname" must be a JSON string, not %', pg_catalog.jsonb_typeof(upgrade_profile.data OPERATOR(pg_catalog.->) 'lastname')
            USING ERRCODE = '22023';
    ELSIF pg_catalog.length(upgrade_profile.data OPERATOR(pg_catalog.->>) 'firstname') OPERATOR(pg_catalog.>) 200 THEN
        RAISE EXCEPTION 'profile field "firstname" is too long: % characters', pg_catalog.length(upgrade_profile.data OPERATOR(pg_catalog.->>) 'firstname')
            USING ERRCODE = '22023', DETAIL = 'A first name has at most 200 characters.';
    ELSIF pg_catalog.length(upgrade_profile.data OPERATOR(pg_catalog.->>) 'lastname') OPERATOR(pg_catalog.>) 200 THEN
        RAISE EXCEPTION 'profile field "lastname" is too long: % characters', pg_catalog.length(upgrade_profile.data OPERATOR(pg_catalog.->>) 'lastname')
            USING ERRCODE = '22023', DETAIL = 'A last name has at most 200 characters.';
    END IF;
    stored := (acc.profile OPERATOR(pg_catalog.||) upgrade_profile.data)
              OPERATOR(pg_catalog.-) 'firstname'::text OPERATOR(pg_catalog.-) 'lastname'::text;
    IF pg_catalog.octet_length(stored::text) OPERATOR(pg_catalog.>) 65536 THEN
        RAISE EXCEPTION 'profile data is too large: % bytes', pg_catalog.octet_length(stored::text)
            USING ERRCODE = '22023', DETAIL = 'An account''s profile (its data other than the names), as JSON text, has at most 65536 bytes.';
    END IF;
    UPDATE enroll.account a
       SET firstname = COALESCE(merged ->> 'firstname', a.firstname),
           lastname = COALESCE(merged ->> 'lastname', a.lastname),
           profile = stored,
           profile_level = GREATEST(a.profile_level, upgrade_profile.level)
     WHERE a.id OPERATOR(pg_catalog.=) me
    RETURNING a.* INTO acc;
    PERFORM enroll.log_event('account.upgrade_profile', 'account', me,
        pg_catalog.jsonb_build_object('level', upgrade_profile.level,
            'fields', (SELECT pg_catalog.jsonb_agg(k ORDER BY k) FROM pg_catalog.jsonb_object_keys(upgrade_profile.data) k)));
    RETURN acc;
END
$fn$;
COMMENT ON FUNCTION enroll.upgrade_profile(enroll.profile_level, jsonb) IS
  'The acting account supplies the data a profile level needs (S2.11, S2.12); every missing or invalid field is listed at once (PE009). Whatever the level, firstname and lastname must be JSON strings of at most 200 characters and the stored profile at most 65536 bytes (22023). The level never goes down.';

CREATE FUNCTION enroll.join_organization(organization bigint)
RETURNS enroll.membership
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    me bigint := enroll.require_account();
    policy enroll.join_policy;
    m  enroll.membership;
BEGIN
    IF join_organization.organization IS NULL THEN
        RAISE EXCEPTION 'organization must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT o.join_policy INTO policy FROM enroll.organization o
     WHERE o.id OPERATOR(pg_catalog.=) join_organization.organization;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', join_organization.organization USING ERRCODE = 'PE016';
    END IF;
    -- S2.13: an organization that delegates its learners adds them itself
    IF policy OPERATOR(pg_catalog.=) 'approval' AND NOT EXISTS (
           SELECT FROM enroll.membership x WHERE x.account_id OPERATOR(pg_catalog.=) me
              AND x.organization_id OPERATOR(pg_catalog.=) join_organization.organization AND x.left_at IS NULL) THEN
        RAISE EXCEPTION 'organization % admits members by approval', join_organization.organization USING ERRCODE = 'PE022',
            DETAIL = 'Only an administrator of the organization may add members (S2.13).',
            HINT = 'Ask the organization to add the account with enroll.join_organization(organization, account, email).';
    END IF;
    INSERT INTO enroll.membership AS x (account_id, organization_id, joined_at)
        VALUES (me, join_organization.organization, enroll.clock_now())
        ON CONFLICT (account_id, organization_id) WHERE left_at IS NULL DO NOTHING
        RETURNING x.* INTO m;
    IF FOUND THEN
        PERFORM enroll.log_event('membership.join', 'membership', m.id,
                                 pg_catalog.jsonb_build_object('organization', m.organization_id));
        RETURN m;
    END IF;
    SELECT x.* INTO STRICT m FROM enroll.membership x
     WHERE x.account_id OPERATOR(pg_catalog.=) me
       AND x.organization_id OPERATOR(pg_catalog.=) join_organization.organization AND x.left_at IS NULL;
    RETURN m;
END
$fn$;
COMMENT ON FUNCTION enroll.join_organization(bigint) IS
  'The acting account joins an organization (S2.17); joining one it already belongs to returns the current membership. An organization whose join_policy is approval refuses (PE022): its administrators add members (enroll.join_organization(organization, account, email)).';

CREATE FUNCTION enroll.join_organization(organization bigint, account bigint, email text)
RETURNS enroll.membership
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    m      enroll.membership;
    erased boolean;
BEGIN
    PERFORM enroll.require_account();
    IF join_organization.organization IS NULL OR join_organization.account IS NULL OR join_organization.email IS NULL THEN
        RAISE EXCEPTION 'organization, account and email must not be null' USING ERRCODE = '22004';
    END IF;
    IF NOT EXISTS (SELECT FROM enroll.organization o WHERE o.id OPERATOR(pg_catalog.=) join_organization.organization) THEN
        RAISE EXCEPTION 'organization % does not exist', join_organization.organization USING ERRCODE = 'PE016';
    END IF;
    IF NOT enroll.actor_administers(join_organization.organization) THEN
        RAISE EXCEPTION 'permission denied to add members to organization %', join_organization.organization
            USING ERRCODE = '42501',
                  DETAIL = 'Only system administrators and current administrators of the organization may do this.',
                  HINT = 'A learner joins an open organization with enroll.join_organization(organization).';
    END IF;
    -- the person is named by id and address: an id alone would let an
    -- administrator add anybody and then read their address and names
    SELECT a.erased_at IS NOT NULL INTO erased FROM enroll.account a
     WHERE a.id OPERATOR(pg_catalog.=) join_organization.account
       AND enroll.email_canonical_key(a.email) OPERATOR(pg_catalog.=) enroll.email_canonical_key(join_organization.email);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no account % with address "%"', join_organization.account, pg_catalog.left(join_organization.email, 64)
              USING ERRCODE = 'PE013',
                    HINT = 'Name the person by the id and the address enroll.register_account gave for them.';
    END IF;
    IF erased THEN
        RAISE EXCEPTION 'account % has been erased', join_organization.account USING ERRCODE = 'PE025',
              DETAIL = 'The person''s data was erased; nobody acts as or for it any more.',
              HINT = 'A person who comes back registers again with enroll.register_account.';
    END IF;
    INSERT INTO enroll.membership AS x (account_id, organization_id, joined_at)
        VALUES (join_organization.account, join_organization.organization, enroll.clock_now())
        ON CONFLICT (account_id, organization_id) WHERE left_at IS NULL DO NOTHING
        RETURNING x.* INTO m;
    IF FOUND THEN
        PERFORM enroll.log_event('membership.join', 'membership', m.id,
                                 pg_catalog.jsonb_build_object('organization', m.organization_id, 'added_by_admin', true),
                                 m.account_id);
        RETURN m;
    END IF;
    SELECT x.* INTO STRICT m FROM enroll.membership x
     WHERE x.account_id OPERATOR(pg_catalog.=) join_organization.account
       AND x.organization_id OPERATOR(pg_catalog.=) join_organization.organization AND x.left_at IS NULL;
    RETURN m;
END
$fn$;
COMMENT ON FUNCTION enroll.join_organization(bigint, bigint, text) IS
  'An administrator of the organization (or a system admin) adds a person as a member: the way into an organization whose join_policy is approval (S2.13). The person is named by account id and address (compared as one mailbox, any spelling), so that ids cannot be tried one by one to learn who they are. Adding a current member returns the membership. NULL 22004, unknown organization PE016, no account with that id and address PE013, erased account PE025, not an administrator 42501.';

CREATE FUNCTION enroll.leave_organization(organization bigint, account bigint DEFAULT NULL)
RETURNS enroll.membership
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    me     bigint := enroll.require_account();
    target bigint := COALESCE(leave_organization.account, me);
    m      enroll.membership;
BEGIN
    IF leave_organization.organization IS NULL THEN
        RAISE EXCEPTION 'organization must not be null' USING ERRCODE = '22004',
            HINT = 'Name the organization to leave; account => NULL (the default) means the acting account.';
    END IF;
    IF NOT EXISTS (SELECT FROM enroll.organization o WHERE o.id OPERATOR(pg_catalog.=) leave_organization.organization) THEN
        RAISE EXCEPTION 'organization % does not exist', leave_organization.organization USING ERRCODE = 'PE016';
    END IF;
    IF target OPERATOR(pg_catalog.<>) me AND NOT enroll.actor_administers(leave_organization.organization) THEN
        RAISE EXCEPTION 'permission denied to remove account % from organization %', target, leave_organization.organization
            USING ERRCODE = '42501',
                  DETAIL = 'Only the member, a system administrator or an administrator of the organization may do this.';
    END IF;
    UPDATE enroll.membership x SET left_at = enroll.clock_now()
     WHERE x.account_id OPERATOR(pg_catalog.=) target
       AND x.organization_id OPERATOR(pg_catalog.=) leave_organization.organization AND x.left_at IS NULL
    RETURNING x.* INTO m;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account % is not a current member of organization %', target, leave_organization.organization
            USING ERRCODE = 'PE014';
    END IF;
    PERFORM enroll.log_event('membership.leave', 'membership', m.id,
                             pg_catalog.jsonb_build_object('organization', m.organization_id, 'account', target), target);
    RETURN m;
END
$fn$;
COMMENT ON FUNCTION enroll.leave_organization(bigint, bigint) IS
  'Ends a current membership (left_at = now): the member themself, a system admin, or an admin of the organization. Licenses naming it as registrar stop granting access (S2.19). NULL organization 22004 (NULL account: the acting one), unknown organization PE016, not a current member PE014.';

CREATE FUNCTION enroll.accept_offer(offer bigint, registrar_org bigint DEFAULT NULL,
                                    join_registrar boolean DEFAULT false, accept_condition boolean DEFAULT false,
                                    for_account bigint DEFAULT NULL, for_organization bigint DEFAULT NULL,
                                    order_ref text DEFAULT NULL)
RETURNS enroll.license_grant
    AS 'MODULE_PATHNAME', 'accept_offer'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.accept_offer(bigint, bigint, boolean, boolean, bigint, bigint, text) IS
  'Accepts an offer and returns the license that gives access with the outcome (S2.5). Checks in order: logged in (PE001), offer active and visible (PE002, PE003: a private offer reveals nothing to a non-addressee), acceptable by this actor for this beneficiary (PE010, 42501), profile level (PE004; an organization offer checks the organization''s own profile), registrar organization (PE005, PE006, PE022 when it admits members by approval), extra condition (PE007), places left (PE023). The learner''s own acceptance supersedes the current license (S2.23); a system admin accepting on a learner''s behalf never reduces their access (outcome kept). A session offer''s starttime/endtime are the access window; a license that starts later does not cut access before it starts (follows). An organization''s renewal carries its live seats (PE024 when too few).';

CREATE FUNCTION enroll.offer_requirements(offer bigint) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'offer_requirements'
    LANGUAGE C STABLE SECURITY DEFINER PARALLEL RESTRICTED
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.offer_requirements(bigint) IS
  'The steps the acting account must still take to accept an offer, each with "satisfied": login; for an organization offer, organization_admin (the organizations the account administers, with their profile level and missing fields) and organization_profile (S2.11 for the organization''s invoice data); replaces_current_license whenever accepting would supersede the account''s current license (the license, its end, the access time lost: informational, for the application to ask consent, S2.23); profile (always listed above default, S2.12); registrar organization with its candidates (S2.16, S2.17); extra condition text (S2.21). With a capped offer, places_left. A private offer is PE003 to non-addressees. Drives an acceptance UI.';

REVOKE EXECUTE ON FUNCTION enroll.require_account(), enroll.profile_missing_fields(enroll.profile_level, jsonb),
    enroll.account_profile_data(enroll.account), enroll.upgrade_profile(enroll.profile_level, jsonb),
    enroll.join_organization(bigint), enroll.join_organization(bigint, bigint, text),
    enroll.leave_organization(bigint, bigint),
    enroll.accept_offer(bigint, bigint, boolean, boolean, bigint, bigint, text),
    enroll.offer_requirements(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.profile_missing_fields(enroll.profile_level, jsonb),
    enroll.upgrade_profile(enroll.profile_level, jsonb),
    enroll.join_organization(bigint), enroll.join_organization(bigint, bigint, text),
    enroll.leave_organization(bigint, bigint),
    enroll.accept_offer(bigint, bigint, boolean, boolean, bigint, bigint, text),
    enroll.offer_requirements(bigint)
    TO enroll_admin, enroll_app;
GRANT EXECUTE ON FUNCTION enroll.offer_requirements(bigint) TO enroll_reader;
-- @@acceptance-end@@

-------------------------------------------------------------------------------
-- Seed data
-------------------------------------------------------------------------------
INSERT INTO enroll.role (shortname, name, builtin) VALUES
    ('student', 'Student', true),
    ('teacher', 'Teacher', true),
    ('delegated_manager', 'Delegated manager (operator of imported accounts, S1.6)', true),
    ('delegated_user', 'Delegated user (account managed by an operator, S1.6)', true);

-------------------------------------------------------------------------------
-- Catalogue and people, written through functions (each records an event)
-------------------------------------------------------------------------------
CREATE FUNCTION enroll.register_account(email text, firstname text DEFAULT '', lastname text DEFAULT '')
RETURNS enroll.account
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    addr text;
    acc  enroll.account;
BEGIN
    IF register_account.email IS NULL THEN
        RAISE EXCEPTION 'e-mail address must not be null' USING ERRCODE = '22004';
    END IF;
    IF pg_catalog.length(register_account.firstname) OPERATOR(pg_catalog.>) 200 THEN
        RAISE EXCEPTION '"firstname" is too long: % characters', pg_catalog.length(register_account.firstname)
            USING ERRCODE = '22023', DETAIL = 'A first name has at most 200 characters.';
    ELSIF pg_catalog.length(register_account.lastname) OPERATOR(pg_catalog.>) 200 THEN
        RAISE EXCEPTION '"lastname" is too long: % characters', pg_catalog.length(register_account.lastname)
            USING ERRCODE = '22023', DETAIL = 'A last name has at most 200 characters.';
    END IF;
    addr := enroll.normalize_email(register_account.email);
    IF pg_catalog.right(enroll.email_key(addr), 15) OPERATOR(pg_catalog.=) '@erased.invalid' THEN
        RAISE EXCEPTION 'e-mail address "%" is reserved', pg_catalog.left(addr, 64) USING ERRCODE = '22023',
              DETAIL = 'Addresses at erased.invalid name erased accounts (enroll.erase_account); no mailbox has one.';
    END IF;
    INSERT INTO enroll.account AS a (email, firstname, lastname)
        VALUES (addr, COALESCE(register_account.firstname, ''), COALESCE(register_account.lastname, ''))
        ON CONFLICT ((enroll.email_key(email))) DO NOTHING
        RETURNING a.* INTO acc;
    IF FOUND THEN
        PERFORM enroll.log_event('account.register', 'account', acc.id, NULL, acc.id);
        RETURN acc;
    END IF;
    -- a known address: the existing person, never a second account (S1.5);
    -- the caller learns its id, and its data only when it may see them
    -- (the account itself, a system admin)
    SELECT a.* INTO STRICT acc FROM enroll.account a
     WHERE enroll.email_key(a.email) OPERATOR(pg_catalog.=) enroll.email_key(addr);
    IF acc.id OPERATOR(pg_catalog.=) enroll.current_account() OR enroll.acting_as_admin() THEN
        RETURN acc;
    END IF;
    RETURN ROW(acc.id, addr, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::enroll.account;
END
$fn$;
COMMENT ON FUNCTION enroll.register_account(text, text, text) IS
  'Creates an account for an unknown e-mail address, or finds the existing account for a known one, compared on the canonical address case- and space-insensitively (S1.5). Existing names are never overwritten. For a known address the result carries the account''s id and the address as given (canonical form), and the rest of the row only when the caller is that account or a system admin: nothing else about an existing person is returned. The address is validated by enroll.normalize_email; names have at most 200 characters (22023); NULL names are empty.';

CREATE FUNCTION enroll.set_login_role(account bigint, login_role name)
RETURNS enroll.account
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    acc enroll.account;
BEGIN
    PERFORM enroll.require_admin('map database roles to accounts');
    IF set_login_role.account IS NULL THEN
        RAISE EXCEPTION 'account must not be null' USING ERRCODE = '22004';
    END IF;
    IF set_login_role.login_role IS NOT NULL AND NOT EXISTS
        (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) set_login_role.login_role) THEN
        RAISE EXCEPTION 'role "%" does not exist', set_login_role.login_role USING ERRCODE = '42704';
    END IF;
    UPDATE enroll.account a SET login_role = set_login_role.login_role
     WHERE a.id OPERATOR(pg_catalog.=) set_login_role.account
    RETURNING a.* INTO acc;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account % does not exist', set_login_role.account USING ERRCODE = 'PE013';
    END IF;
    PERFORM enroll.log_event('account.set_login_role', 'account', acc.id,
                             pg_catalog.jsonb_build_object('login_role', acc.login_role), acc.id);
    RETURN acc;
END
$fn$;
COMMENT ON FUNCTION enroll.set_login_role(bigint, name) IS
  'Admins: maps a database role to an account (NULL removes the mapping), so that a DBA in psql acts as that account.';

CREATE FUNCTION enroll.create_course(shortname text, fullname text)
RETURNS enroll.course
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    c enroll.course;
BEGIN
    PERFORM enroll.require_admin('create courses');
    IF create_course.shortname IS NULL THEN
        RAISE EXCEPTION 'course "shortname" must not be null' USING ERRCODE = '22004';
    ELSIF create_course.fullname IS NULL THEN
        RAISE EXCEPTION 'course "fullname" must not be null' USING ERRCODE = '22004';
    END IF;
    IF enroll.is_blank(create_course.shortname) THEN
        RAISE EXCEPTION 'course "shortname" must not be blank' USING ERRCODE = '22023';
    ELSIF pg_catalog.length(create_course.shortname) OPERATOR(pg_catalog.>) 255 THEN
        RAISE EXCEPTION 'course "shortname" is too long: % characters', pg_catalog.length(create_course.shortname)
            USING ERRCODE = '22023', DETAIL = 'A course short name has at most 255 characters.';
    ELSIF create_course.shortname OPERATOR(pg_catalog.<>) enroll.trim_blank(create_course.shortname) THEN
        RAISE EXCEPTION 'course "shortname" must not begin or end with whitespace: "%"', enroll.quotable(create_course.shortname)
            USING ERRCODE = '22023',
                  HINT = 'A short name identifies the course and is compared exactly (S1.2); remove the surrounding spaces.';
    END IF;
    IF enroll.is_blank(create_course.fullname) THEN
        RAISE EXCEPTION 'course "fullname" must not be blank' USING ERRCODE = '22023';
    ELSIF pg_catalog.length(create_course.fullname) OPERATOR(pg_catalog.>) 500 THEN
        RAISE EXCEPTION 'course "fullname" is too long: % characters', pg_catalog.length(create_course.fullname)
            USING ERRCODE = '22023', DETAIL = 'A course full name has at most 500 characters.';
    END IF;
    IF EXISTS (SELECT FROM enroll.course x WHERE x.shortname OPERATOR(pg_catalog.=) create_course.shortname) THEN
        RAISE EXCEPTION 'course short name "%" is already taken', enroll.quotable(create_course.shortname) USING ERRCODE = '23505',
            HINT = 'Course short names are unique (S1.2); choose another one.';
    END IF;
    INSERT INTO enroll.course AS t (shortname, fullname)
        VALUES (create_course.shortname, create_course.fullname)
        RETURNING t.* INTO c;
    PERFORM enroll.log_event('course.create', 'course', c.id,
                             pg_catalog.jsonb_build_object('shortname', c.shortname));
    RETURN c;
END
$fn$;
COMMENT ON FUNCTION enroll.create_course(text, text) IS
  'Admins: creates a course identified by its unique short name (S1.2): not blank, no surrounding whitespace, at most 255 characters; the full name at most 500. NULL 22004, bad value 22023, short name taken 23505.';

CREATE FUNCTION enroll.create_organization_type(code text, name text)
RETURNS enroll.organization_type
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    t enroll.organization_type;
BEGIN
    PERFORM enroll.require_admin('create organization types');
    IF create_organization_type.code IS NULL THEN
        RAISE EXCEPTION 'organization type "code" must not be null' USING ERRCODE = '22004';
    ELSIF create_organization_type.name IS NULL THEN
        RAISE EXCEPTION 'organization type "name" must not be null' USING ERRCODE = '22004';
    END IF;
    IF create_organization_type.code COLLATE "C" OPERATOR(pg_catalog.!~) '^[a-z][a-z0-9_]{0,62}$' THEN
        RAISE EXCEPTION 'invalid organization type code "%"', enroll.quotable(create_organization_type.code)
            USING ERRCODE = '22023',
                  DETAIL = 'A code is 1 to 63 characters: a lower-case ASCII letter, then lower-case ASCII letters, digits or underscores.',
                  HINT = 'For example school, university or non_profit.';
    END IF;
    IF enroll.is_blank(create_organization_type.name) THEN
        RAISE EXCEPTION 'organization type "name" must not be blank' USING ERRCODE = '22023';
    ELSIF pg_catalog.length(create_organization_type.name) OPERATOR(pg_catalog.>) 200 THEN
        RAISE EXCEPTION 'organization type "name" is too long: % characters', pg_catalog.length(create_organization_type.name)
            USING ERRCODE = '22023', DETAIL = 'An organization type name has at most 200 characters.';
    END IF;
    IF EXISTS (SELECT FROM enroll.organization_type x WHERE x.code OPERATOR(pg_catalog.=) create_organization_type.code) THEN
        RAISE EXCEPTION 'organization type "%" already exists', create_organization_type.code USING ERRCODE = '23505',
            HINT = 'Organization type codes are unique; use the existing type or choose another code.';
    END IF;
    INSERT INTO enroll.organization_type AS x (code, name)
        VALUES (create_organization_type.code, create_organization_type.name)
        RETURNING x.* INTO t;
    PERFORM enroll.log_event('organization_type.create', 'organization_type', t.id,
                             pg_catalog.jsonb_build_object('code', t.code));
    RETURN t;
END
$fn$;
COMMENT ON FUNCTION enroll.create_organization_type(text, text) IS
  'Admins: creates an organization type (school, university, non-profit ...) that offers can name (S2.13, S2.16). The code is 1 to 63 lower-case ASCII letters, digits or underscores, starting with a letter; the name is not blank, at most 200 characters. NULL 22004, bad value 22023, code taken 23505.';

CREATE FUNCTION enroll.create_organization(type_code text, name text)
RETURNS enroll.organization
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    o enroll.organization;
    tid bigint;
BEGIN
    PERFORM enroll.require_admin('create organizations');
    IF create_organization.type_code IS NULL THEN
        RAISE EXCEPTION 'organization "type_code" must not be null' USING ERRCODE = '22004';
    ELSIF create_organization.name IS NULL THEN
        RAISE EXCEPTION 'organization "name" must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT t.id INTO tid FROM enroll.organization_type t WHERE t.code OPERATOR(pg_catalog.=) create_organization.type_code;
    IF tid IS NULL THEN
        RAISE EXCEPTION 'organization type "%" does not exist', enroll.quotable(create_organization.type_code)
            USING ERRCODE = '22023', HINT = 'Create it with enroll.create_organization_type first.';
    END IF;
    IF enroll.is_blank(create_organization.name) THEN
        RAISE EXCEPTION 'organization "name" must not be blank' USING ERRCODE = '22023';
    ELSIF pg_catalog.length(create_organization.name) OPERATOR(pg_catalog.>) 200 THEN
        RAISE EXCEPTION 'organization "name" is too long: % characters', pg_catalog.length(create_organization.name)
            USING ERRCODE = '22023', DETAIL = 'An organization name has at most 200 characters.';
    END IF;
    INSERT INTO enroll.organization AS x (type_id, name)
        VALUES (tid, create_organization.name)
        RETURNING x.* INTO o;
    PERFORM enroll.log_event('organization.create', 'organization', o.id,
                             pg_catalog.jsonb_build_object('type', create_organization.type_code, 'name', o.name));
    RETURN o;
END
$fn$;
COMMENT ON FUNCTION enroll.create_organization(text, text) IS
  'Admins: creates a registrar organization of the given type code (S2.13); the name is not blank, at most 200 characters. NULL 22004, unknown type or bad name 22023.';

CREATE FUNCTION enroll.actor_administers(organization bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL RESTRICTED
BEGIN ATOMIC
    SELECT enroll.acting_as_admin() OR EXISTS (
        SELECT FROM enroll.membership m
         WHERE m.organization_id OPERATOR(pg_catalog.=) actor_administers.organization
           AND m.account_id OPERATOR(pg_catalog.=) enroll.current_account()
           AND m.left_at IS NULL AND m.is_admin);
END;
COMMENT ON FUNCTION enroll.actor_administers(bigint) IS
  'Internal: is the actor a system administrator or a current administrator of the organization? The one authorization rule of set_organization_admin, leave_organization, allocate_seat and validate_documents. Reads as the calling function''s owner.';

CREATE FUNCTION enroll.update_organization(organization bigint, name text DEFAULT NULL,
                                           join_policy enroll.join_policy DEFAULT NULL)
RETURNS enroll.organization
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    o enroll.organization;
    n enroll.organization;
BEGIN
    IF update_organization.organization IS NULL THEN
        RAISE EXCEPTION 'organization must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT g.* INTO o FROM enroll.organization g
     WHERE g.id OPERATOR(pg_catalog.=) update_organization.organization FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', update_organization.organization USING ERRCODE = 'PE016';
    END IF;
    IF NOT enroll.actor_administers(o.id) THEN
        RAISE EXCEPTION 'permission denied to update organization %', o.id USING ERRCODE = '42501',
            DETAIL = 'Only system administrators and current administrators of the organization may do this.';
    END IF;
    IF enroll.is_blank(update_organization.name) THEN
        RAISE EXCEPTION 'organization "name" must not be blank' USING ERRCODE = '22023';
    ELSIF pg_catalog.length(update_organization.name) OPERATOR(pg_catalog.>) 200 THEN
        RAISE EXCEPTION 'organization "name" is too long: % characters', pg_catalog.length(update_organization.name)
            USING ERRCODE = '22023', DETAIL = 'An organization name has at most 200 characters.';
    END IF;
    UPDATE enroll.organization g
       SET name = COALESCE(update_organization.name, g.name),
           join_policy = COALESCE(update_organization.join_policy, g.join_policy)
     WHERE g.id OPERATOR(pg_catalog.=) o.id
    RETURNING g.* INTO n;
    IF n.name IS DISTINCT FROM o.name OR n.join_policy IS DISTINCT FROM o.join_policy THEN
        PERFORM enroll.log_event('organization.update', 'organization', n.id,
                                 pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                                     'name', CASE WHEN n.name IS DISTINCT FROM o.name THEN n.name END,
                                     'join_policy', CASE WHEN n.join_policy IS DISTINCT FROM o.join_policy THEN n.join_policy END)));
    END IF;
    RETURN n;
END
$fn$;
COMMENT ON FUNCTION enroll.update_organization(bigint, text, enroll.join_policy) IS
  'System admins and current administrators of the organization: renames it and sets its join_policy (open: learners join by themselves, S2.17; approval: its administrators add them, S2.13). NULL leaves a field unchanged. Unknown organization PE016, not an administrator 42501, blank or too long name 22023.';

CREATE FUNCTION enroll.upgrade_organization_profile(organization bigint, level enroll.profile_level, data jsonb)
RETURNS enroll.organization
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    o       enroll.organization;
    merged  jsonb;
    missing text[];
BEGIN
    IF upgrade_organization_profile.organization IS NULL OR upgrade_organization_profile.level IS NULL
       OR upgrade_organization_profile.data IS NULL THEN
        RAISE EXCEPTION 'organization, level and data must not be null' USING ERRCODE = '22004';
    END IF;
    IF pg_catalog.jsonb_typeof(upgrade_organization_profile.data) OPERATOR(pg_catalog.<>) 'object' THEN
        RAISE EXCEPTION 'profile data must be a JSON object, not %', pg_catalog.jsonb_typeof(upgrade_organization_profile.data)
            USING ERRCODE = '22023',
                  HINT = 'Pass e.g. {"legal_name": "...", "address": {"street": "...", "postal_code": "...", "city": "...", "country": "FR"}, "vat_number": "FR..."}.';
    END IF;
    SELECT g.* INTO o FROM enroll.organization g
     WHERE g.id OPERATOR(pg_catalog.=) upgrade_organization_profile.organization FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organization % does not exist', upgrade_organization_profile.organization USING ERRCODE = 'PE016';
    END IF;
    IF NOT enroll.actor_administers(o.id) THEN
        RAISE EXCEPTION 'permission denied to change the profile of organization %', o.id USING ERRCODE = '42501',
            DETAIL = 'Only system administrators and current administrators of the organization may do this.';
    END IF;
    merged := o.profile OPERATOR(pg_catalog.||) upgrade_organization_profile.data;
    IF pg_catalog.jsonb_typeof(merged OPERATOR(pg_catalog.->) 'address') IS DISTINCT FROM 'object' AND merged OPERATOR(pg_catalog.?) 'address' THEN
        RAISE EXCEPTION 'profile field "address" must be a JSON object' USING ERRCODE = '22023';
    END IF;
    -- the level never goes down, and it is always backed by complete data
    missing := enroll.organization_profile_missing_fields(GREATEST(o.profile_level, upgrade_organization_profile.level), merged);
    IF pg_catalog.cardinality(missing) OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'profile data of organization % incomplete for level "%"', o.id,
              GREATEST(o.profile_level, upgrade_organization_profile.level)
            USING ERRCODE = 'PE009',
                  DETAIL = pg_catalog.format('Missing or invalid: %s.', pg_catalog.array_to_string(missing, ', ')),
                  HINT = 'Level billing needs legal_name and address.street, address.postal_code, address.city (JSON strings of at most 200 characters), address.country (two capital letters); vat_number is optional.';
    END IF;
    IF pg_catalog.octet_length(merged::text) OPERATOR(pg_catalog.>) 65536 THEN
        RAISE EXCEPTION 'profile data is too large: % bytes', pg_catalog.octet_length(merged::text)
            USING ERRCODE = '22023', DETAIL = 'An organization''s profile, as JSON text, has at most 65536 bytes.';
    END IF;
    UPDATE enroll.organization g
       SET profile = merged, profile_level = GREATEST(g.profile_level, upgrade_organization_profile.level)
     WHERE g.id OPERATOR(pg_catalog.=) o.id
    RETURNING g.* INTO o;
    PERFORM enroll.log_event('organization.upgrade_profile', 'organization', o.id,
        pg_catalog.jsonb_build_object('level', o.profile_level,
            'fields', (SELECT pg_catalog.jsonb_agg(k ORDER BY k) FROM pg_catalog.jsonb_object_keys(upgrade_organization_profile.data) k)));
    RETURN o;
END
$fn$;
COMMENT ON FUNCTION enroll.upgrade_organization_profile(bigint, enroll.profile_level, jsonb) IS
  'System admins and current administrators of the organization supply the organization''s own invoice data (S2.11 for organization offers): billing needs legal_name and a postal address, vat_number optional; every missing or invalid field is listed at once (PE009). The level never goes down and is always backed by complete data. Unknown organization PE016, not an administrator 42501.';

CREATE FUNCTION enroll.set_organization_admin(organization bigint, account bigint, is_admin boolean DEFAULT true)
RETURNS enroll.membership
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    m enroll.membership;
BEGIN
    IF set_organization_admin.organization IS NULL THEN
        RAISE EXCEPTION 'organization must not be null' USING ERRCODE = '22004';
    ELSIF set_organization_admin.account IS NULL THEN
        RAISE EXCEPTION 'account must not be null' USING ERRCODE = '22004';
    ELSIF set_organization_admin.is_admin IS NULL THEN
        RAISE EXCEPTION 'is_admin must not be null' USING ERRCODE = '22004',
            HINT = 'Pass true to make the member an administrator of the organization, false to make them an ordinary member.';
    END IF;
    IF NOT EXISTS (SELECT FROM enroll.organization o WHERE o.id OPERATOR(pg_catalog.=) set_organization_admin.organization) THEN
        RAISE EXCEPTION 'organization % does not exist', set_organization_admin.organization USING ERRCODE = 'PE016';
    END IF;
    IF NOT enroll.actor_administers(set_organization_admin.organization) THEN
        RAISE EXCEPTION 'permission denied to change the administrators of organization %', set_organization_admin.organization
            USING ERRCODE = '42501',
                  DETAIL = 'Only system administrators and current administrators of the organization may do this.';
    END IF;
    UPDATE enroll.membership x SET is_admin = set_organization_admin.is_admin
     WHERE x.organization_id OPERATOR(pg_catalog.=) set_organization_admin.organization
       AND x.account_id OPERATOR(pg_catalog.=) set_organization_admin.account
       AND x.left_at IS NULL
    RETURNING x.* INTO m;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account % is not a current member of organization %',
              set_organization_admin.account, set_organization_admin.organization
            USING ERRCODE = 'PE014', HINT = 'The account must join the organization first.';
    END IF;
    PERFORM enroll.log_event('membership.set_admin', 'membership', m.id,
                             pg_catalog.jsonb_build_object('is_admin', m.is_admin), m.account_id);
    RETURN m;
END
$fn$;
COMMENT ON FUNCTION enroll.set_organization_admin(bigint, bigint, boolean) IS
  'System admins and current organization admins: makes a current member an administrator of the organization (or not). NULL arguments 22004, unknown organization PE016, not a current member PE014.';

-- Erasure (1.2): the person's data goes, the row stays as anonymous history.
-- What holds personal data: the account row (address, names, profile, login
-- role), the addresses and names an operator gave for the person in orders
-- (group_member.given_*), and the operators' stored reports, which list the
-- addresses as given.  Events hold ids only (never an address or a name).
CREATE FUNCTION enroll.erase_account(account bigint, reason text)
RETURNS enroll.account
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    acc     enroll.account;
    why     text := enroll.trim_blank(erase_account.reason);
    gone    text[];
    orders  integer := 0;
    members integer := 0;
BEGIN
    PERFORM enroll.require_admin('erase accounts');
    IF erase_account.account IS NULL OR erase_account.reason IS NULL THEN
        RAISE EXCEPTION 'account and reason must not be null' USING ERRCODE = '22004';
    END IF;
    IF why OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'the reason must not be empty or blank' USING ERRCODE = '22023',
              HINT = 'Say why, without personal data (e.g. the number of the erasure request).';
    END IF;
    IF pg_catalog.length(why) OPERATOR(pg_catalog.>) 2000 THEN
        RAISE EXCEPTION 'the reason is too long: % characters', pg_catalog.length(why) USING ERRCODE = '22023',
              DETAIL = 'A reason has at most 2000 characters.';
    END IF;
    SELECT a.* INTO acc FROM enroll.account a WHERE a.id OPERATOR(pg_catalog.=) erase_account.account FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account % does not exist', erase_account.account USING ERRCODE = 'PE013';
    END IF;
    IF acc.erased_at IS NOT NULL THEN
        RETURN acc;                     -- erased already: nothing left to erase
    END IF;

    -- every spelling of the person's address that is stored anywhere
    SELECT pg_catalog.array_agg(DISTINCT s) INTO gone FROM (
        SELECT acc.email AS s
        UNION ALL SELECT m.given_email FROM enroll.group_member m
                   WHERE m.account_id OPERATOR(pg_catalog.=) acc.id AND m.given_email IS NOT NULL) x;

    -- the operators' stored reports: the addresses as given become "(erased)"
    WITH touched AS (
        UPDATE enroll.purchase_order p
           SET report = enroll.jsonb_scrub_strings(p.report, gone)
          FROM enroll.course_group g JOIN enroll.group_member m ON m.group_id OPERATOR(pg_catalog.=) g.id
         WHERE g.order_id OPERATOR(pg_catalog.=) p.id AND m.account_id OPERATOR(pg_catalog.=) acc.id
           AND p.report IS NOT NULL
        RETURNING p.id)
    SELECT pg_catalog.count(DISTINCT id) INTO orders FROM touched;

    UPDATE enroll.group_member m SET given_email = NULL, given_firstname = NULL, given_lastname = NULL
     WHERE m.account_id OPERATOR(pg_catalog.=) acc.id;
    GET DIAGNOSTICS members = ROW_COUNT;

    UPDATE enroll.account a
       SET email = 'erased-' OPERATOR(pg_catalog.||) a.id OPERATOR(pg_catalog.||) '@erased.invalid',
           firstname = '', lastname = '', profile_level = 'default', profile = '{}',
           login_role = NULL, is_admin = false, erased_at = enroll.clock_now()
     WHERE a.id OPERATOR(pg_catalog.=) acc.id
    RETURNING a.* INTO acc;

    PERFORM enroll.log_event('account.erase', 'account', acc.id,
                             pg_catalog.jsonb_build_object('reason', why, 'orders_scrubbed', orders,
                                                           'order_memberships_scrubbed', members),
                             acc.id);
    RETURN acc;
END
$fn$;
COMMENT ON FUNCTION enroll.erase_account(bigint, text) IS
  'System admins: erases a person''s data (the right to erasure). The address becomes erased-<id>@erased.invalid, names, profile, level, login role and admin flag go, erased_at is set; the addresses and names operators gave in orders and every mention of them in the orders'' stored reports are removed. Licenses, enrollments, seats, memberships and the audit log stay as anonymous history (events hold ids, never an address or a name). Nobody acts as or for the account afterwards (PE025); the address is free for a new account. Erasing an erased account returns it unchanged. The reason (required, at most 2000 characters) is logged: write no personal data in it. NULL 22004, unknown account PE013, not an admin 42501.';

-- the string values of a jsonb document that equal one of `strings`, replaced
-- by "(erased)" (keys are the report's own names and stay)
CREATE FUNCTION enroll.jsonb_scrub_strings(doc jsonb, strings text[]) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    CASE pg_catalog.jsonb_typeof(doc)
    WHEN 'string' THEN
        IF (doc OPERATOR(pg_catalog.#>>) '{}') OPERATOR(pg_catalog.=) ANY (strings) THEN
            RETURN pg_catalog.to_jsonb('(erased)'::text);
        END IF;
        RETURN doc;
    WHEN 'array' THEN
        RETURN (SELECT COALESCE(pg_catalog.jsonb_agg(enroll.jsonb_scrub_strings(x.e, strings) ORDER BY x.n), '[]')
                  FROM pg_catalog.jsonb_array_elements(doc) WITH ORDINALITY AS x(e, n));
    WHEN 'object' THEN
        RETURN (SELECT COALESCE(pg_catalog.jsonb_object_agg(x.k, enroll.jsonb_scrub_strings(x.v, strings)), '{}')
                  FROM pg_catalog.jsonb_each(doc) AS x(k, v));
    ELSE
        RETURN doc;
    END CASE;
END
$fn$;
COMMENT ON FUNCTION enroll.jsonb_scrub_strings(jsonb, text[]) IS
  'Internal (erase_account): the document with every string value equal to one of the given strings replaced by "(erased)".';

REVOKE EXECUTE ON FUNCTION enroll.erase_account(bigint, text), enroll.jsonb_scrub_strings(jsonb, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.erase_account(bigint, text) TO enroll_admin, enroll_app;

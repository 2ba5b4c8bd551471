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
    INSERT INTO enroll.account AS a (email, firstname, lastname)
        VALUES (addr, COALESCE(register_account.firstname, ''), COALESCE(register_account.lastname, ''))
        ON CONFLICT ((enroll.email_key(email))) DO NOTHING
        RETURNING a.* INTO acc;
    IF FOUND THEN
        PERFORM enroll.log_event('account.register', 'account', acc.id,
                                 pg_catalog.jsonb_build_object('email', acc.email));
        RETURN acc;
    END IF;
    -- a known address: the existing person, never a second account (S1.5)
    SELECT a.* INTO STRICT acc FROM enroll.account a
     WHERE enroll.email_key(a.email) OPERATOR(pg_catalog.=) enroll.email_key(addr);
    RETURN acc;
END
$fn$;
COMMENT ON FUNCTION enroll.register_account(text, text, text) IS
  'Creates an account for an unknown e-mail address, or returns the existing account for a known one, compared case- and space-insensitively (S1.5). Existing names are never overwritten. The address is validated by enroll.normalize_email; names have at most 200 characters (22023); NULL names are empty.';

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
                             pg_catalog.jsonb_build_object('login_role', acc.login_role));
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
                             pg_catalog.jsonb_build_object('is_admin', m.is_admin));
    RETURN m;
END
$fn$;
COMMENT ON FUNCTION enroll.set_organization_admin(bigint, bigint, boolean) IS
  'System admins and current organization admins: makes a current member an administrator of the organization (or not). NULL arguments 22004, unknown organization PE016, not a current member PE014.';


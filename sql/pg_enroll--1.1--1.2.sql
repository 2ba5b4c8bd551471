/* pg_enroll--1.1--1.2.sql: carries a 1.1 database to 1.2.  Written by hand
 * for the data model and the data; the function, view, privilege and comment
 * sections were taken from sql/install/ when 1.2 was cut.  Frozen once 1.2 is
 * released.  A fresh 1.2 install runs pg_enroll--1.2.sql,
 * built from sql/install/; test/t/004_upgrade.pl checks that both give the
 * same catalogue and the same behaviour. */

\echo Use "ALTER EXTENSION pg_enroll UPDATE TO '1.2'" to load this file. \quit

-------------------------------------------------------------------------------
-- One whitespace set: enroll.trim_blank and enroll.is_blank replace the
-- copies of E' \t\r\n\f\x0b' in the CHECK constraints and the functions.
-------------------------------------------------------------------------------
CREATE FUNCTION enroll.trim_blank(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN pg_catalog.btrim(value, E' \t\r\n\f\x0b');
COMMENT ON FUNCTION enroll.trim_blank(text) IS
  'The value without leading and trailing whitespace (space, tab, CR, LF, form feed, vertical tab): the one whitespace set of pg_enroll.';

CREATE FUNCTION enroll.is_blank(value text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN enroll.trim_blank(value) OPERATOR(pg_catalog.=) '';
COMMENT ON FUNCTION enroll.is_blank(text) IS
  'True when a value is empty or made only of whitespace (enroll.trim_blank); NULL for NULL. Required values are refused when blank, by the functions and by CHECK constraints.';

GRANT EXECUTE ON FUNCTION enroll.trim_blank(text), enroll.is_blank(text) TO PUBLIC;

ALTER TABLE enroll.organization_type
    DROP CONSTRAINT organization_type_name_not_blank,
    ADD CONSTRAINT organization_type_name_not_blank CHECK (NOT enroll.is_blank(name));
ALTER TABLE enroll.organization
    DROP CONSTRAINT organization_name_not_blank,
    ADD CONSTRAINT organization_name_not_blank CHECK (NOT enroll.is_blank(name));
ALTER TABLE enroll.account
    DROP CONSTRAINT account_email_trimmed,
    ADD CONSTRAINT account_email_trimmed CHECK (email OPERATOR(pg_catalog.=) enroll.trim_blank(email));
ALTER TABLE enroll.course
    DROP CONSTRAINT course_shortname_not_blank,
    ADD CONSTRAINT course_shortname_not_blank CHECK (NOT enroll.is_blank(shortname) AND shortname OPERATOR(pg_catalog.=) enroll.trim_blank(shortname)),
    DROP CONSTRAINT course_fullname_not_blank,
    ADD CONSTRAINT course_fullname_not_blank CHECK (NOT enroll.is_blank(fullname));
ALTER TABLE enroll.course_group
    DROP CONSTRAINT course_group_idnumber_not_blank,
    ADD CONSTRAINT course_group_idnumber_not_blank CHECK (NOT enroll.is_blank(idnumber));
ALTER TABLE enroll.offer
    DROP CONSTRAINT offer_code_not_blank,
    ADD CONSTRAINT offer_code_not_blank CHECK (NOT enroll.is_blank(code)),
    DROP CONSTRAINT offer_title_not_blank,
    ADD CONSTRAINT offer_title_not_blank CHECK (NOT enroll.is_blank(title)),
    DROP CONSTRAINT offer_extra_condition_not_blank,
    ADD CONSTRAINT offer_extra_condition_not_blank CHECK (NOT enroll.is_blank(extra_condition));
ALTER TABLE enroll.purchase_order
    DROP CONSTRAINT purchase_order_ref_not_blank,
    ADD CONSTRAINT purchase_order_ref_not_blank CHECK (NOT enroll.is_blank(order_ref));

CREATE OR REPLACE FUNCTION enroll.create_course(shortname text, fullname text)
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

CREATE OR REPLACE FUNCTION enroll.create_organization_type(code text, name text)
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

CREATE OR REPLACE FUNCTION enroll.create_organization(type_code text, name text)
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

-------------------------------------------------------------------------------
-- One mailbox, one account (S1.5): addresses are stored in a canonical form
-- (Unicode NFC, needless quotes removed, RFC 5952 IPv6 literals; invisible
-- and control characters refused), and enroll.email_canonical_key lets
-- check_invariants() find accounts of 1.1 that are twins of one mailbox.
-------------------------------------------------------------------------------
CREATE FUNCTION enroll.email_canonical_key(email text) RETURNS text
    AS 'MODULE_PATHNAME', 'email_canonical_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION enroll.email_canonical_key(text) IS
  'Uniqueness key of the canonical form of an e-mail address (S1.5): enroll.email_key of what enroll.normalize_email returns (Unicode NFC, quotes that are not needed removed, RFC 5952 IPv6 literals), so every spelling of one mailbox gets one key; NULL, never an error, for an invalid address. check_invariants() groups stored accounts by it to find twins of one mailbox.';

GRANT EXECUTE ON FUNCTION enroll.email_canonical_key(text) TO PUBLIC;
COMMENT ON FUNCTION enroll.normalize_email(text) IS
  'The canonical form of an e-mail address after RFC 5321/5322 validation (S1.5): Unicode NFC, trimmed of ASCII and Unicode whitespace, quotes and backslashes that are not needed removed, domain ASCII lower-cased, IPv6 literals in RFC 5952 form; control, invisible and noncharacter code points refused. 22023 naming the problem otherwise. The one validation every stored address goes through; every spelling of one mailbox gives the same form.';

-------------------------------------------------------------------------------
-- 1.2's data model: types and the checks the new constraints call
-------------------------------------------------------------------------------
ALTER TYPE enroll.license_end_reason ADD VALUE 'cancelled';
ALTER TYPE enroll.license_end_reason ADD VALUE 'removed';
ALTER TYPE enroll.license_end_reason ADD VALUE 'released';
COMMENT ON TYPE enroll.license_end_reason IS
  'Why a license ended early: superseded by a newer one for the same course (S2.23), revoked by an admin, its order cancelled, its holder removed from the order, or (a seat) released by the organization or ended when its holder left the organization.';
ALTER TYPE enroll.order_status ADD VALUE 'cancelled';
COMMENT ON TYPE enroll.order_status IS
  'State of a purchase order. Setup is all or nothing (S1.1), so a stored order is completed, until it is cancelled (enroll.cancel_order).';
CREATE TYPE enroll.join_policy AS ENUM ('open', 'approval');
COMMENT ON TYPE enroll.join_policy IS
  'Who adds members to an organization: open, the learner themself (S2.17); approval, only its administrators (S2.13: the organization delegates its learners).';

CREATE OR REPLACE FUNCTION enroll.profile_missing_fields(level enroll.profile_level, data jsonb)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT COALESCE(pg_catalog.array_agg(f.field ORDER BY f.ord), '{}')
      FROM (VALUES
              (1, 'firstname', data OPERATOR(pg_catalog.#>) '{firstname}', '.'),
              (2, 'lastname', data OPERATOR(pg_catalog.#>) '{lastname}', '.'),
              (3, 'address.street', data OPERATOR(pg_catalog.#>) '{address,street}', '.'),
              (4, 'address.postal_code', data OPERATOR(pg_catalog.#>) '{address,postal_code}', '.'),
              (5, 'address.city', data OPERATOR(pg_catalog.#>) '{address,city}', '.'),
              (6, 'address.country', data OPERATOR(pg_catalog.#>) '{address,country}', '^[A-Z]{2}$')
           ) AS f(ord, field, value, pattern)
     WHERE level OPERATOR(pg_catalog.>=) 'billing'::enroll.profile_level
       -- present: a JSON string, not blank, at most 200 characters, of the right form
       AND (pg_catalog.jsonb_typeof(f.value) IS DISTINCT FROM 'string'
            OR enroll.is_blank(f.value OPERATOR(pg_catalog.#>>) '{}')
            OR pg_catalog.length(f.value OPERATOR(pg_catalog.#>>) '{}') OPERATOR(pg_catalog.>) 200
            OR (f.value OPERATOR(pg_catalog.#>>) '{}') COLLATE "C" OPERATOR(pg_catalog.!~) f.pattern);
END;
COMMENT ON FUNCTION enroll.profile_missing_fields(enroll.profile_level, jsonb) IS
  'The fields a profile level needs that data lacks or gets wrong (S2.11, S2.12). billing: firstname, lastname and a postal address (address.street, address.postal_code, address.city, address.country as ISO 3166-1 alpha-2), each a JSON string, not blank, at most 200 characters. Empty array: complete.';

CREATE FUNCTION enroll.profile_complete(level enroll.profile_level, firstname text, lastname text, profile jsonb)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
-- below billing nothing is required: answered without calling the
-- non-inlinable profile_missing_fields, which costs about 0.1 ms a row in
-- the CHECK constraint account_level_backed (scripts/bench, issue 15)
RETURN level OPERATOR(pg_catalog.<) 'billing'::enroll.profile_level
    OR pg_catalog.cardinality(enroll.profile_missing_fields(level,
           pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
               'firstname', NULLIF(firstname, ''), 'lastname', NULLIF(lastname, '')))
           OPERATOR(pg_catalog.||) profile)) OPERATOR(pg_catalog.=) 0;
COMMENT ON FUNCTION enroll.profile_complete(enroll.profile_level, text, text, jsonb) IS
  'True when a person''s names and profile object hold everything the level needs (enroll.profile_missing_fields is empty). The CHECK constraint account_level_backed: a level is never above what the data backs.';

CREATE FUNCTION enroll.organization_profile_missing_fields(level enroll.profile_level, data jsonb)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT COALESCE(pg_catalog.array_agg(f.field ORDER BY f.ord), '{}')
      FROM (VALUES
              (1, 'legal_name', data OPERATOR(pg_catalog.#>) '{legal_name}', '.', true),
              (2, 'address.street', data OPERATOR(pg_catalog.#>) '{address,street}', '.', true),
              (3, 'address.postal_code', data OPERATOR(pg_catalog.#>) '{address,postal_code}', '.', true),
              (4, 'address.city', data OPERATOR(pg_catalog.#>) '{address,city}', '.', true),
              (5, 'address.country', data OPERATOR(pg_catalog.#>) '{address,country}', '^[A-Z]{2}$', true),
              (6, 'vat_number', data OPERATOR(pg_catalog.#>) '{vat_number}', '^[A-Z]{2}[0-9A-Za-z+*.]{2,13}$', false)
           ) AS f(ord, field, value, pattern, required)
     WHERE level OPERATOR(pg_catalog.>=) 'billing'::enroll.profile_level
       AND (f.required OR f.value IS NOT NULL)
       -- present: a JSON string, not blank, at most 200 characters, of the right form
       AND (pg_catalog.jsonb_typeof(f.value) IS DISTINCT FROM 'string'
            OR enroll.is_blank(f.value OPERATOR(pg_catalog.#>>) '{}')
            OR pg_catalog.length(f.value OPERATOR(pg_catalog.#>>) '{}') OPERATOR(pg_catalog.>) 200
            OR (f.value OPERATOR(pg_catalog.#>>) '{}') COLLATE "C" OPERATOR(pg_catalog.!~) f.pattern);
END;
COMMENT ON FUNCTION enroll.organization_profile_missing_fields(enroll.profile_level, jsonb) IS
  'The fields an organization''s billing level needs that data lacks or gets wrong: legal_name and a postal address (address.street, address.postal_code, address.city, address.country as ISO 3166-1 alpha-2), each a JSON string, not blank, at most 200 characters; vat_number is optional but, when given, an EU-style VAT number (two capital letters, then 2 to 13 letters, digits, +, * or .). Empty array: complete.';

CREATE FUNCTION enroll.organization_profile_complete(level enroll.profile_level, profile jsonb)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN level OPERATOR(pg_catalog.<) 'billing'::enroll.profile_level
    OR pg_catalog.cardinality(enroll.organization_profile_missing_fields(level, profile)) OPERATOR(pg_catalog.=) 0;
COMMENT ON FUNCTION enroll.organization_profile_complete(enroll.profile_level, jsonb) IS
  'True when an organization''s profile holds everything the level needs. The CHECK constraint organization_level_backed.';

REVOKE EXECUTE ON FUNCTION enroll.profile_complete(enroll.profile_level, text, text, jsonb),
    enroll.organization_profile_missing_fields(enroll.profile_level, jsonb),
    enroll.organization_profile_complete(enroll.profile_level, jsonb) FROM PUBLIC;

-- The row rules of enroll.license, one CHECK constraint calling C
-- (src/license_rules.c) with the whole row: fifteen CHECK expressions, then
-- one call over seventeen columns, were parsed again by every statement
-- writing the table (scripts/bench, issue 15).
CREATE FUNCTION enroll.license_rules(license enroll.license)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'license_rules' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION enroll.license_rules(enroll.license) IS
  'The CHECK constraint license_rules of enroll.license: true, or error 23514 naming the first broken rule, in this order: license_access_window (access_until > access_from), license_currency_iso4217 (three capital letters), license_end_has_reason (an end reason exactly when ended), license_end_note_length (at most 2000 characters), license_one_holder (a person with account_id or an organization with organization_id, as holder_kind says), license_order_ref_length (at most 200 bytes), license_price_not_nan, license_price_not_negative, license_registrar_not_holder (S2.15), license_seat_held_by_person (a seat is held by a person), license_seats_bounded (at most 100,000), license_seats_for_organizations (seats exactly for an organization), license_seats_positive, license_superseded_has_successor (superseded exactly when naming its successor), license_validation_has_due (documents validated only when due). A rule whose SQL reading would be NULL holds, as in a CHECK. It takes the whole row, so that its call is one Var to parse per statement (src/license_rules.c).';
REVOKE EXECUTE ON FUNCTION enroll.license_rules(enroll.license) FROM PUBLIC;

-------------------------------------------------------------------------------
-- 1.2's data model: columns, keys and indexes (each table's new columns come
-- last, in the order pg_enroll--1.2.sql declares them)
-------------------------------------------------------------------------------
-- a profile level is always backed by complete data: an account of 1.1 whose
-- data was wiped after it reached billing (a hole of 1.1) is back at default
UPDATE enroll.account a SET profile_level = 'default'
 WHERE NOT enroll.profile_complete(a.profile_level, a.firstname, a.lastname, a.profile);
ALTER TABLE enroll.account
    ADD COLUMN erased_at timestamptz,
    ADD CONSTRAINT account_level_backed CHECK (enroll.profile_complete(profile_level, firstname, lastname, profile));
COMMENT ON COLUMN enroll.account.profile IS
  'Profile data supplied for profile levels, a JSON object (S2.11, S2.12). Visible to the account itself and system admins only (enroll.account_profile).';
COMMENT ON COLUMN enroll.account.profile_level IS
  'The level the account''s data supports (S2.11); never above what its data backs (account_level_backed). Visible to the account itself and system admins only.';
COMMENT ON COLUMN enroll.account.erased_at IS
  'Set by enroll.erase_account: the person''s data is gone and the row stays as anonymous history.';

ALTER TABLE enroll.organization
    ADD COLUMN join_policy enroll.join_policy NOT NULL DEFAULT 'open',
    ADD COLUMN profile_level enroll.profile_level NOT NULL DEFAULT 'default',
    ADD COLUMN profile jsonb NOT NULL DEFAULT '{}'
        CONSTRAINT organization_profile_is_object CHECK (pg_catalog.jsonb_typeof(profile) OPERATOR(pg_catalog.=) 'object')
        CONSTRAINT organization_profile_size CHECK (pg_catalog.octet_length(profile::text) OPERATOR(pg_catalog.<=) 65536),
    ADD CONSTRAINT organization_level_backed CHECK (enroll.organization_profile_complete(profile_level, profile));
COMMENT ON COLUMN enroll.organization.join_policy IS
  'open: a learner joins by themself, also while accepting an offer (S2.17); approval: only an administrator of the organization (or a system admin) adds members, the organization delegates its learners (S2.13).';
COMMENT ON COLUMN enroll.organization.profile_level IS
  'The organization''s own profile level, for organization offers above default (its invoice data, not the accepting admin''s); always backed by complete data (organization_level_backed).';
COMMENT ON COLUMN enroll.organization.profile IS
  'The organization''s invoice data: legal_name, address (street, postal_code, city, country), optional vat_number; set with enroll.upgrade_organization_profile.';

ALTER TABLE enroll.offer
    ADD COLUMN max_acceptances integer
        CONSTRAINT offer_max_acceptances_range CHECK (max_acceptances OPERATOR(pg_catalog.>) 0 AND max_acceptances OPERATOR(pg_catalog.<=) 100000000),
    -- kept by the trigger offer_cap_count and src/acceptance_cap.c
    ADD COLUMN acceptances_made integer,
    ADD CONSTRAINT offer_places_counted CHECK ((acceptances_made IS NULL) OPERATOR(pg_catalog.=) (max_acceptances IS NULL)),
    ADD CONSTRAINT offer_places_within_cap CHECK (acceptances_made OPERATOR(pg_catalog.>=) 0 AND acceptances_made OPERATOR(pg_catalog.<=) max_acceptances),
    ADD CONSTRAINT offer_seats_bounded CHECK (seats OPERATOR(pg_catalog.<=) 100000);

-- The acceptance cap's counter (offer.acceptances_made): set whenever
-- max_acceptances is written, whoever writes it (src/acceptance_cap.c).
CREATE FUNCTION enroll.offer_cap_count() RETURNS trigger
    AS 'MODULE_PATHNAME', 'offer_cap_count' LANGUAGE C;
COMMENT ON FUNCTION enroll.offer_cap_count() IS
  'Trigger function on enroll.offer (BEFORE INSERT OR UPDATE OF max_acceptances): acceptances_made is NULL without a cap, 0 for a new capped offer (a restored row keeps its count), the licenses already obtained from the offer when a cap is set on it (counted once), and kept when a cap changes; a cap below that count is refused (22023).';
CREATE TRIGGER offer_cap_count BEFORE INSERT OR UPDATE OF max_acceptances ON enroll.offer
    FOR EACH ROW EXECUTE FUNCTION enroll.offer_cap_count();
COMMENT ON TRIGGER offer_cap_count ON enroll.offer IS
  'The acceptance cap''s counter follows the cap, for update_offer and a DBA in psql alike; a cap below the acceptances made is refused (22023).';

-- order references become unique per operator (1.1: one global namespace, so
-- anyone could take or block another operator's next bill number)
ALTER TABLE enroll.purchase_order
    ADD COLUMN cancelled_at timestamptz,
    ADD COLUMN cancel_reason text
        CONSTRAINT purchase_order_cancel_reason_length CHECK (pg_catalog.length(cancel_reason) OPERATOR(pg_catalog.<=) 2000),
    DROP CONSTRAINT purchase_order_order_ref_key,
    ADD CONSTRAINT purchase_order_operator_ref_key UNIQUE (operator_id, order_ref),
    -- status as text: the enum value 'cancelled' is new in this transaction
    ADD CONSTRAINT purchase_order_cancelled CHECK ((status::text OPERATOR(pg_catalog.=) 'cancelled') OPERATOR(pg_catalog.=) (cancelled_at IS NOT NULL)),
    ADD CONSTRAINT purchase_order_seats_bounded CHECK (seats OPERATOR(pg_catalog.<=) 100000);
DROP INDEX enroll.purchase_order_operator_idx;      -- the new unique key leads with operator_id
COMMENT ON TABLE enroll.purchase_order IS
  'Session purchases (S1): one row per operator and order reference (an operator cannot take, block or see another operator''s reference), the request as received (without personal data) and the report; the key of idempotent setup (S1.4).';
COMMENT ON COLUMN enroll.purchase_order.request IS 'The call as received, without personal data: the participants are counted and digested, their addresses and names live in the group''s members (erasable).';

ALTER TABLE enroll.role_assignment
    ADD COLUMN order_id bigint,
    ADD CONSTRAINT role_assignment_order_fkey FOREIGN KEY (order_id) REFERENCES enroll.purchase_order (id),
    -- the key leads with the account and serves its lookups: one index less per role given
    DROP CONSTRAINT role_assignment_key,
    ADD CONSTRAINT role_assignment_key UNIQUE NULLS NOT DISTINCT (account_id, role_id, context_level, context_id);
DROP INDEX enroll.role_assignment_account_idx;
CREATE INDEX role_assignment_order_idx ON enroll.role_assignment (order_id) WHERE order_id IS NOT NULL;
COMMENT ON COLUMN enroll.role_assignment.order_id IS 'The purchase order that gave the role (S1.6 cross roles), while it lasts.';

ALTER TABLE enroll.course_group
    ADD COLUMN order_id bigint,
    DROP CONSTRAINT course_group_idnumber_key,
    ADD CONSTRAINT course_group_idnumber_key UNIQUE NULLS NOT DISTINCT (course_id, idnumber, order_id),
    ADD CONSTRAINT course_group_order_key UNIQUE (order_id),
    ADD CONSTRAINT course_group_order_fkey FOREIGN KEY (order_id) REFERENCES enroll.purchase_order (id);
COMMENT ON COLUMN enroll.course_group.order_id IS
  'The purchase order whose group this is (course_group_order_key: one group per order). Order references are unique per operator, so two operators'' orders with the same reference have two groups.';

ALTER TABLE enroll.group_member
    ADD COLUMN given_email text,
    ADD COLUMN given_firstname text,
    ADD COLUMN given_lastname text,
    ADD COLUMN seat text CONSTRAINT group_member_seat_kind CHECK (seat OPERATOR(pg_catalog.=) ANY ('{learner,tutor}'::text[])),
    ADD COLUMN removed_at timestamptz,
    ADD COLUMN removed_reason text
        CONSTRAINT group_member_removed_reason_length CHECK (pg_catalog.length(removed_reason) OPERATOR(pg_catalog.<=) 2000),
    ADD CONSTRAINT group_member_removed_has_reason CHECK (removed_at IS NOT NULL OR removed_reason IS NULL);
-- half-full pages from now on: a participant taken out is updated in place
-- (HOT), see sql/install/03_tables.sql
ALTER TABLE enroll.group_member SET (fillfactor = 50);
COMMENT ON TABLE enroll.group_member IS
  'An account in a course group (S1.4). In an order''s group a member is a participant of the order: the seat it takes (S1.3) and the address and names as the operator gave them, which is all the operator sees of the person (enroll.order_participants).';
COMMENT ON COLUMN enroll.group_member.given_email IS 'The address as the operator gave it in the order (erased with the account).';
COMMENT ON COLUMN enroll.group_member.seat IS 'learner or tutor: the kind of seat the participant takes (S1.3: both are bought; refunds of tutor seats are computed from this).';
COMMENT ON COLUMN enroll.group_member.removed_at IS 'Set when the participant was taken out of the order (remove_participant, cancel_order): the seat is free again and a later call of the same order does not bring the person back.';

-- the fourteen row CHECKs of 1.1, and 1.2's seats bound, become one CHECK
-- calling C (enroll.license_rules): PostgreSQL parsed the expressions again
-- for every statement writing a license
ALTER TABLE enroll.license
    ADD COLUMN order_id bigint,
    ADD CONSTRAINT license_order_fkey FOREIGN KEY (order_id) REFERENCES enroll.purchase_order (id),
    DROP CONSTRAINT license_access_window,
    DROP CONSTRAINT license_currency_iso4217,
    DROP CONSTRAINT license_end_has_reason,
    DROP CONSTRAINT license_end_note_length,
    DROP CONSTRAINT license_one_holder,
    DROP CONSTRAINT license_order_ref_length,
    DROP CONSTRAINT license_price_not_nan,
    DROP CONSTRAINT license_price_not_negative,
    DROP CONSTRAINT license_registrar_not_holder,
    DROP CONSTRAINT license_seat_held_by_person,
    DROP CONSTRAINT license_seats_for_organizations,
    DROP CONSTRAINT license_seats_positive,
    DROP CONSTRAINT license_superseded_has_successor,
    DROP CONSTRAINT license_validation_has_due,
    ADD CONSTRAINT license_rules CHECK (enroll.license_rules(license));
DROP INDEX enroll.license_order_ref_idx;
-- only the order's licenses that taking its participants out reads (03_tables.sql)
CREATE INDEX license_order_idx ON enroll.license (order_id)
    WHERE order_id IS NOT NULL
      AND (end_reason IS NULL OR end_reason OPERATOR(pg_catalog.=) 'superseded'::enroll.license_end_reason);
CREATE INDEX license_superseded_by_idx ON enroll.license (superseded_by) WHERE superseded_by IS NOT NULL;
-- the btree on offer_id cost every acceptance two entries; the validity
-- guard's latest acceptance is found through a BRIN on accepted_at
-- (03_tables.sql)
DROP INDEX enroll.license_offer_idx;
CREATE INDEX license_accepted_at_idx ON enroll.license USING brin (accepted_at);
DROP INDEX enroll.license_current_person_key;
-- The access check reads the current license from this index alone while
-- its heap page is all-visible, as an index-only scan does
-- (src/access.c, ReadCurrentLicense): INCLUDE carries every column it reads, so
-- the check at 10^6 licenses does not read a heap page (scripts/bench's
-- flatness row).  ended_at is always NULL here; the check reads it again.
CREATE UNIQUE INDEX license_current_person_key ON enroll.license (account_id, course_id)
    INCLUDE (id, ended_at, access_from, access_until, parent_license, registrar_org_id,
             documents_due_at, documents_validated_at)
    WHERE ended_at IS NULL AND account_id IS NOT NULL;
COMMENT ON COLUMN enroll.license.documents_due_at IS 'Documents must be validated by then, or access stops (S2.18). A license that supersedes one of the same course and registrar with an unmet deadline keeps that earlier deadline.';
COMMENT ON COLUMN enroll.license.ended_at IS 'When the license stopped or stops being the holder''s: now, or, when a license that starts later superseded it, the instant the successor starts (it gives access until then).';
COMMENT ON COLUMN enroll.license.superseded_by IS 'The license that superseded this one (S2.23); license_superseded_by_idx finds the predecessor of a license.';
COMMENT ON COLUMN enroll.license.order_id IS 'The purchase order that created the license (session participants).';

ALTER TABLE enroll.enrollment
    ADD COLUMN order_id bigint,
    ADD COLUMN via_license bigint,
    ADD CONSTRAINT enrollment_via_license_fkey FOREIGN KEY (via_license) REFERENCES enroll.license (id),
    ADD CONSTRAINT enrollment_one_license CHECK (license_id IS NULL OR via_license IS NULL),
    ADD CONSTRAINT enrollment_order_fkey FOREIGN KEY (order_id) REFERENCES enroll.purchase_order (id);
CREATE INDEX enrollment_via_license_idx ON enroll.enrollment (via_license) WHERE via_license IS NOT NULL;
CREATE INDEX enrollment_order_idx ON enroll.enrollment (order_id) WHERE order_id IS NOT NULL;
-- nothing reads enrollments by group (each index costs every enrollment written)
DROP INDEX enroll.enrollment_group_idx;
COMMENT ON COLUMN enroll.enrollment.license_id IS 'The license of the course that gives access; kept pointing at the holder''s current license when a newer one supersedes it. time_start/time_end are its access window.';
COMMENT ON COLUMN enroll.enrollment.via_license IS 'For a support-course enrollment (S1.7): the license of the session''s course through which the participant reaches it (the order''s license, or the person''s own when it was kept or has superseded it); the support course is accessible exactly while that license gives access to the session''s course.';
COMMENT ON COLUMN enroll.enrollment.order_id IS 'The purchase order the enrollment comes from.';

-------------------------------------------------------------------------------
-- 1.1's session data linked to its orders by id (1.1 linked it by the then
-- global order reference), and the participants' addresses and names as the
-- operator gave them moved from the stored requests to the group members
-------------------------------------------------------------------------------
UPDATE enroll.course_group g SET order_id = p.id
  FROM enroll.purchase_order p JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) p.offer_id
 WHERE g.course_id OPERATOR(pg_catalog.=) o.course_id AND g.idnumber OPERATOR(pg_catalog.=) p.order_ref;
UPDATE enroll.license l SET order_id = p.id FROM enroll.purchase_order p
 WHERE l.accepted_via OPERATOR(pg_catalog.=) 'operator' AND l.order_ref OPERATOR(pg_catalog.=) p.order_ref;
UPDATE enroll.enrollment e SET order_id = p.id FROM enroll.purchase_order p
 WHERE e.order_ref OPERATOR(pg_catalog.=) p.order_ref;
UPDATE enroll.role_assignment r SET order_id = p.id FROM enroll.purchase_order p
 WHERE r.order_ref OPERATOR(pg_catalog.=) p.order_ref;
-- support-course enrollments of 1.1: access through the participant's session license
UPDATE enroll.enrollment e SET via_license = l.id
  FROM enroll.license l
 WHERE e.order_id IS NOT NULL AND e.license_id IS NULL AND e.group_id IS NULL
   AND l.order_id OPERATOR(pg_catalog.=) e.order_id AND l.account_id OPERATOR(pg_catalog.=) e.account_id;
UPDATE enroll.group_member m
   SET given_email = x.email, given_firstname = NULLIF(x.firstname, ''), given_lastname = NULLIF(x.lastname, ''),
       seat = CASE WHEN x.role OPERATOR(pg_catalog.=) 'tutor' THEN 'tutor' ELSE 'learner' END
  FROM enroll.course_group g
  JOIN enroll.purchase_order p ON p.id OPERATOR(pg_catalog.=) g.order_id
  CROSS JOIN LATERAL pg_catalog.jsonb_to_recordset(p.request OPERATOR(pg_catalog.->) 'participants')
       AS x(email text, firstname text, lastname text, role text)
  JOIN enroll.account a ON enroll.email_key(a.email) OPERATOR(pg_catalog.=) enroll.email_key(x.email)
 WHERE m.group_id OPERATOR(pg_catalog.=) g.id AND m.account_id OPERATOR(pg_catalog.=) a.id;
UPDATE enroll.group_member m SET seat = 'learner'
  FROM enroll.course_group g WHERE g.id OPERATOR(pg_catalog.=) m.group_id AND g.order_id IS NOT NULL AND m.seat IS NULL;
UPDATE enroll.purchase_order p
   SET request = (p.request OPERATOR(pg_catalog.-) 'participants'::text) OPERATOR(pg_catalog.||)
                 pg_catalog.jsonb_build_object(
                     'participants', pg_catalog.jsonb_array_length(p.request OPERATOR(pg_catalog.->) 'participants'),
                     'participants_sha256', pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
                         (p.request OPERATOR(pg_catalog.->) 'participants')::text, 'UTF8')), 'hex'))
 WHERE pg_catalog.jsonb_typeof(p.request OPERATOR(pg_catalog.->) 'participants') OPERATOR(pg_catalog.=) 'array';

-------------------------------------------------------------------------------
-- 1.2's functions: what changed signature or result type is dropped and
-- created again (nothing in the extension depends on them: policies that
-- called enroll.actor_order_refs are dropped first and created again below);
-- the others are replaced in place.  Definitions as in sql/install/.
-------------------------------------------------------------------------------
CREATE TYPE enroll.license_grant AS (
    id                     bigint,
    offer_id               bigint,
    course_id              bigint,
    holder_kind            enroll.holder_kind,
    account_id             bigint,
    organization_id        bigint,
    accepted_by            bigint,
    accepted_via           enroll.acceptance_mode,
    accepted_at            timestamptz,
    registrar_org_id       bigint,
    accepted_condition     text,
    price_paid             numeric(12,2),
    currency               text,
    access_from            timestamptz,
    access_until           timestamptz,
    documents_due_at       timestamptz,
    documents_validated_at timestamptz,
    documents_validated_by bigint,
    seats                  integer,
    parent_license         bigint,
    ended_at               timestamptz,
    end_reason             enroll.license_end_reason,
    end_note               text,
    superseded_by          bigint,
    order_ref              text,
    order_id               bigint,
    outcome                text
);
COMMENT ON TYPE enroll.license_grant IS
  'Result of accept_offer and allocate_seat: the license that gives the holder access after the call, and outcome: granted (there was none), replaced (the current license ended now), follows (the current license gives access until this one starts), kept (someone else''s offer would not have given more: the holder keeps their license, returned here, and no license was created).';

-- erasure (enroll.erase_account): an erased account keeps nothing of the
-- person, and erased.invalid is the erased accounts' own domain (refused
-- with a clear message if a 1.1 account happens to use it)
DO $up$
DECLARE
    a record;
BEGIN
    SELECT x.id, x.email INTO a FROM enroll.account x
     WHERE pg_catalog.right(enroll.email_key(x.email), 15) OPERATOR(pg_catalog.=) '@erased.invalid' LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'account % has the address "%", at erased.invalid, which 1.2 reserves for erased accounts', a.id, a.email
              USING ERRCODE = '55000',
                    HINT = 'Give the account another address (UPDATE enroll.account SET email = ...), then update again.';
    END IF;
END
$up$;
ALTER TABLE enroll.account
    ADD CONSTRAINT account_erased_is_empty CHECK (erased_at IS NULL OR (
        email OPERATOR(pg_catalog.=) ('erased-' OPERATOR(pg_catalog.||) id OPERATOR(pg_catalog.||) '@erased.invalid')
        AND firstname OPERATOR(pg_catalog.=) '' AND lastname OPERATOR(pg_catalog.=) ''
        AND profile OPERATOR(pg_catalog.=) '{}'::jsonb AND login_role IS NULL AND NOT is_admin)),
    ADD CONSTRAINT account_erased_domain_reserved CHECK (erased_at IS NOT NULL OR
        pg_catalog.right(enroll.email_key(email), 15) OPERATOR(pg_catalog.<>) '@erased.invalid');


-- operators read their orders' participants through enroll.order_participants
-- only: the policies that showed them accounts, licenses and enrollments go
DROP POLICY account_operator ON enroll.account;
DROP POLICY enrollment_operator ON enroll.enrollment;
DROP POLICY license_operator ON enroll.license;
DROP POLICY group_member_operator ON enroll.group_member;
DROP POLICY role_assignment_operator ON enroll.role_assignment;
DROP POLICY account_organization_admin ON enroll.account;
DROP FUNCTION enroll.actor_order_refs();
DROP FUNCTION enroll.accept_offer(bigint, bigint, boolean, boolean, bigint, bigint, text);
DROP FUNCTION enroll.allocate_seat(bigint, bigint);
DROP FUNCTION enroll.setup_course_session(text, bigint, bigint, integer, jsonb, boolean);
DROP FUNCTION enroll.setup_course_session(text, jsonb, boolean);
DROP FUNCTION enroll.create_offer(text, text, bigint, numeric, text, timestamptz, timestamptz, interval,
    enroll.offer_visibility, enroll.holder_kind, enroll.profile_level, text, interval, integer, text);
DROP FUNCTION enroll.update_offer(bigint, text, numeric, text, timestamptz, timestamptz, enroll.profile_level,
    text, interval, interval, integer, text);

CREATE OR REPLACE FUNCTION enroll.actor_orders() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
ROWS 10
BEGIN ATOMIC
    SELECT p.id FROM enroll.purchase_order p
     WHERE p.operator_id OPERATOR(pg_catalog.=) enroll.current_account();
END;
COMMENT ON FUNCTION enroll.actor_orders() IS
  'Row-level security helper: the purchase orders placed by the acting account (as operator, S1). Empty when anonymous.';
CREATE OR REPLACE FUNCTION enroll.actor_order_groups() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
ROWS 10
BEGIN ATOMIC
    SELECT g.id FROM enroll.purchase_order p
      JOIN enroll.course_group g ON g.order_id OPERATOR(pg_catalog.=) p.id
     WHERE p.operator_id OPERATOR(pg_catalog.=) enroll.current_account();
END;
COMMENT ON FUNCTION enroll.actor_order_groups() IS
  'Row-level security helper: the course groups of the purchase orders placed by the acting account, one per order (S1.4). Empty when anonymous.';
CREATE OR REPLACE FUNCTION enroll.actor_groups() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
ROWS 10
BEGIN ATOMIC
    SELECT gm.group_id FROM enroll.group_member gm
     WHERE gm.account_id OPERATOR(pg_catalog.=) enroll.current_account()
       AND gm.removed_at IS NULL;
END;
COMMENT ON FUNCTION enroll.actor_groups() IS
  'Row-level security helper: the course groups the acting account is a member of (not taken out of). Empty when anonymous.';
CREATE OR REPLACE FUNCTION enroll.check_offer_fields(n enroll.offer) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF enroll.is_blank(n.title) THEN
        RAISE EXCEPTION 'offer "title" must not be blank' USING ERRCODE = '22023';
    ELSIF pg_catalog.length(n.title) OPERATOR(pg_catalog.>) 500 THEN
        RAISE EXCEPTION 'offer "title" is too long: % characters', pg_catalog.length(n.title)
            USING ERRCODE = '22023', DETAIL = 'An offer title has at most 500 characters.';
    END IF;
    IF n.price OPERATOR(pg_catalog.<) 0 THEN
        RAISE EXCEPTION 'offer "price" must not be negative: %', n.price USING ERRCODE = '22023',
            HINT = 'Use 0 for a free offer.';
    END IF;
    IF n.currency COLLATE "C" OPERATOR(pg_catalog.!~) '^[A-Z]{3}$' THEN
        RAISE EXCEPTION 'invalid currency "%"', enroll.quotable(n.currency) USING ERRCODE = '22023',
            HINT = 'Use an ISO 4217 code such as EUR: three capital letters.';
    END IF;
    IF NOT (pg_catalog.isfinite(n.valid_from) AND pg_catalog.isfinite(n.valid_until)) THEN
        RAISE EXCEPTION 'validity window of offer "%" must have finite bounds', n.code USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('"valid_from" is %s and "valid_until" %s.',
                                       COALESCE(pg_catalog.to_char(n.valid_from, 'YYYY-MM-DD HH24:MI:SSOF'), n.valid_from::text),
                                       COALESCE(pg_catalog.to_char(n.valid_until, 'YYYY-MM-DD HH24:MI:SSOF'), n.valid_until::text)),
            HINT = 'An offer is valid from one instant until another (S2.3); for an offer without a planned end, choose a distant "valid_until": it can be moved later (S2.4).';
    END IF;
    IF n.access_period OPERATOR(pg_catalog.<=) '0'::interval THEN
        RAISE EXCEPTION 'offer "access_period" must be positive: %', n.access_period USING ERRCODE = '22023';
    ELSIF NOT enroll.period_in_bounds(n.access_period) THEN
        RAISE EXCEPTION 'offer "access_period" is too long: %', n.access_period USING ERRCODE = '22023',
            DETAIL = 'An access period is at most 100 years, and none of its parts (months, days, time) exceeds 100 years.';
    END IF;
    IF n.documents_grace OPERATOR(pg_catalog.<=) '0'::interval THEN
        RAISE EXCEPTION 'offer "documents_grace" must be positive: %', n.documents_grace USING ERRCODE = '22023',
            HINT = 'Leave it NULL when the offer needs no documents (S2.18).';
    ELSIF NOT enroll.period_in_bounds(n.documents_grace) THEN
        RAISE EXCEPTION 'offer "documents_grace" is too long: %', n.documents_grace USING ERRCODE = '22023',
            DETAIL = 'A documents grace is at most 100 years, and none of its parts (months, days, time) exceeds 100 years.';
    END IF;
    IF pg_catalog.length(n.extra_condition) OPERATOR(pg_catalog.>) 10000 THEN
        RAISE EXCEPTION 'offer "extra_condition" is too long: % characters', pg_catalog.length(n.extra_condition)
            USING ERRCODE = '22023', DETAIL = 'An extra condition has at most 10000 characters.';
    END IF;
    IF pg_catalog.octet_length(n.handler_params) OPERATOR(pg_catalog.>) 65536 THEN
        RAISE EXCEPTION 'offer "handler_params" is too long: % bytes', pg_catalog.octet_length(n.handler_params)
            USING ERRCODE = '22023', DETAIL = 'Handler parameters have at most 65536 bytes, the limit of the parameter parser.';
    END IF;
    IF n.recipient_kind OPERATOR(pg_catalog.=) 'organization' AND n.seats IS NULL THEN
        RAISE EXCEPTION 'an offer for organizations needs "seats"' USING ERRCODE = '22023',
            HINT = 'Give the number of seats an organization license from the offer holds.';
    ELSIF n.recipient_kind OPERATOR(pg_catalog.=) 'person' AND n.seats IS NOT NULL THEN
        RAISE EXCEPTION 'an offer for persons has no "seats"' USING ERRCODE = '22023',
            HINT = 'Seats belong to offers with recipient_kind organization.';
    ELSIF n.seats OPERATOR(pg_catalog.<=) 0 THEN
        RAISE EXCEPTION 'offer "seats" must be positive: %', n.seats USING ERRCODE = '22023';
    ELSIF n.seats OPERATOR(pg_catalog.>) 100000 THEN
        RAISE EXCEPTION 'offer "seats" is too large: %', n.seats USING ERRCODE = '22023',
            DETAIL = 'An organization license has at most 100000 seats.';
    END IF;
    IF n.max_acceptances OPERATOR(pg_catalog.<=) 0 OR n.max_acceptances OPERATOR(pg_catalog.>) 100000000 THEN
        RAISE EXCEPTION 'offer "max_acceptances" must be from 1 to 100000000, not %', n.max_acceptances USING ERRCODE = '22023',
            HINT = 'Leave it NULL for an offer without a cap.';
    END IF;
END
$fn$;
COMMENT ON FUNCTION enroll.check_offer_fields(enroll.offer) IS
  'Internal: 22023 naming the first field of an offer row that breaks a rule (title, price, currency, finite window, periods, lengths, seats). Shared by create_offer and update_offer.';
CREATE OR REPLACE FUNCTION enroll.license_end_detail(l enroll.license) RETURNS text
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
CREATE OR REPLACE FUNCTION enroll.set_login_role(account bigint, login_role name)
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
CREATE OR REPLACE FUNCTION enroll.set_organization_admin(organization bigint, account bigint, is_admin boolean DEFAULT true)
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
CREATE OR REPLACE FUNCTION enroll.leave_organization(organization bigint, account bigint DEFAULT NULL)
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
CREATE OR REPLACE FUNCTION enroll.add_offer_recipient(offer bigint, account bigint DEFAULT NULL, organization bigint DEFAULT NULL)
RETURNS enroll.offer_recipient
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    o enroll.offer;
    r enroll.offer_recipient;
    kind enroll.holder_kind;
BEGIN
    PERFORM enroll.require_admin('address private offers');
    IF add_offer_recipient.offer IS NULL THEN
        RAISE EXCEPTION 'offer must not be null' USING ERRCODE = '22004';
    END IF;
    IF (add_offer_recipient.account IS NULL) OPERATOR(pg_catalog.=) (add_offer_recipient.organization IS NULL) THEN
        RAISE EXCEPTION 'name exactly one addressee: an account or an organization' USING ERRCODE = '22023',
            HINT = 'Call enroll.add_offer_recipient once per addressee, with account => ... or organization => ....';
    END IF;
    kind := CASE WHEN add_offer_recipient.account IS NOT NULL THEN 'person' ELSE 'organization' END;

    -- FOR KEY SHARE: visibility and recipient_kind cannot change under us
    SELECT x.* INTO o FROM enroll.offer x WHERE x.id OPERATOR(pg_catalog.=) add_offer_recipient.offer FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'offer % does not exist', add_offer_recipient.offer USING ERRCODE = 'PE015';
    END IF;
    IF o.visibility OPERATOR(pg_catalog.<>) 'private' THEN
        RAISE EXCEPTION 'offer "%" is public: it has no addressees', o.code USING ERRCODE = '22023',
            DETAIL = 'A public offer is the same for everyone (S2.6); only private offers are addressed to given parties (S2.7).',
            HINT = 'Create a private offer (visibility => ''private'') for these addressees.';
    END IF;
    IF o.recipient_kind OPERATOR(pg_catalog.<>) kind THEN
        RAISE EXCEPTION 'offer "%" is addressed to %, not to %', o.code,
              CASE o.recipient_kind WHEN 'person' THEN 'persons' ELSE 'organizations' END,
              CASE kind WHEN 'person' THEN 'persons' ELSE 'organizations' END
            USING ERRCODE = 'PE010',
            DETAIL = 'One offer''s addressees are always all of one kind (S2.7).',
            HINT = CASE o.recipient_kind WHEN 'person' THEN 'Name an account (account => ...).'
                                         ELSE 'Name an organization (organization => ...).' END;
    END IF;
    IF add_offer_recipient.account IS NOT NULL AND NOT EXISTS
        (SELECT FROM enroll.account a WHERE a.id OPERATOR(pg_catalog.=) add_offer_recipient.account) THEN
        RAISE EXCEPTION 'account % does not exist', add_offer_recipient.account USING ERRCODE = 'PE013';
    END IF;
    IF add_offer_recipient.organization IS NOT NULL AND NOT EXISTS
        (SELECT FROM enroll.organization g WHERE g.id OPERATOR(pg_catalog.=) add_offer_recipient.organization) THEN
        RAISE EXCEPTION 'organization % does not exist', add_offer_recipient.organization USING ERRCODE = 'PE016';
    END IF;

    -- an addressee already named: the existing row, no second event
    INSERT INTO enroll.offer_recipient AS t (offer_id, offer_visibility, recipient_kind, account_id, organization_id)
        VALUES (o.id, 'private', kind, add_offer_recipient.account, add_offer_recipient.organization)
        ON CONFLICT DO NOTHING
        RETURNING t.* INTO r;
    IF NOT FOUND THEN
        SELECT t.* INTO STRICT r FROM enroll.offer_recipient t
         WHERE t.offer_id OPERATOR(pg_catalog.=) o.id
           AND (t.account_id OPERATOR(pg_catalog.=) add_offer_recipient.account
                OR t.organization_id OPERATOR(pg_catalog.=) add_offer_recipient.organization);
        RETURN r;
    END IF;
    PERFORM enroll.log_event('offer.add_recipient', 'offer_recipient', r.id,
                             pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                                 'offer', o.code, 'account_id', r.account_id, 'organization_id', r.organization_id)),
                             r.account_id);
    RETURN r;
END
$fn$;
COMMENT ON FUNCTION enroll.add_offer_recipient(bigint, bigint, bigint) IS
  'Admins: addresses a private offer to an account or an organization (exactly one), of the offer''s recipient_kind (S2.7; PE010 for the other kind). Naming an existing addressee again returns its row. Unknown offer, account, organization: PE015, PE013, PE016.';
CREATE OR REPLACE FUNCTION enroll.offer_state(offer bigint)
RETURNS text
LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    f timestamptz;
    u timestamptz;
    private boolean;
BEGIN
    SELECT o.valid_from, o.valid_until, o.visibility OPERATOR(pg_catalog.=) 'private' INTO f, u, private
      FROM enroll.offer o WHERE o.id OPERATOR(pg_catalog.=) offer_state.offer;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'offer % does not exist', offer_state.offer USING ERRCODE = 'PE015';
    END IF;
    -- a private offer tells nothing of itself to whom it is not addressed (S2.7)
    IF private AND NOT enroll.acting_as_admin() AND NOT enroll.offer_addressed_to_actor(offer_state.offer) THEN
        RAISE EXCEPTION 'offer % is not available to the acting account', offer_state.offer USING ERRCODE = 'PE003',
            DETAIL = 'A private offer is shown only to its addressees.';
    END IF;
    RETURN enroll.offer_window_state(f, u, enroll.clock_now());
END
$fn$;
COMMENT ON FUNCTION enroll.offer_state(bigint) IS
  'upcoming, active or expired at enroll.clock_now() (S2.3): active from valid_from (inclusive) until valid_until (exclusive). Unknown offer: PE015; a private offer not addressed to the acting account: PE003, and nothing of its window.';
CREATE OR REPLACE FUNCTION enroll.register_account(email text, firstname text DEFAULT '', lastname text DEFAULT '')
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
CREATE OR REPLACE FUNCTION enroll.upgrade_profile(level enroll.profile_level, data jsonb)
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
CREATE OR REPLACE FUNCTION enroll.join_organization(organization bigint)
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
CREATE OR REPLACE FUNCTION enroll.join_organization(organization bigint, account bigint, email text)
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
COMMENT ON FUNCTION enroll.join_organization(bigint) IS
  'The acting account joins an organization (S2.17); joining one it already belongs to returns the current membership. An organization whose join_policy is approval refuses (PE022): its administrators add members (enroll.join_organization(organization, account, email)).';
COMMENT ON FUNCTION enroll.join_organization(bigint, bigint, text) IS
  'An administrator of the organization (or a system admin) adds a person as a member: the way into an organization whose join_policy is approval (S2.13). The person is named by account id and address (compared as one mailbox, any spelling), so that ids cannot be tried one by one to learn who they are. Adding a current member returns the membership. NULL 22004, unknown organization PE016, no account with that id and address PE013, erased account PE025, not an administrator 42501.';
CREATE OR REPLACE FUNCTION enroll.update_organization(organization bigint, name text DEFAULT NULL,
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
CREATE OR REPLACE FUNCTION enroll.upgrade_organization_profile(organization bigint, level enroll.profile_level, data jsonb)
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
CREATE OR REPLACE FUNCTION enroll.erase_account(account bigint, reason text)
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
CREATE OR REPLACE FUNCTION enroll.jsonb_scrub_strings(doc jsonb, strings text[]) RETURNS jsonb
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
CREATE OR REPLACE FUNCTION enroll.create_offer(
    code text, title text, course bigint, price numeric, currency text,
    valid_from timestamptz, valid_until timestamptz, access_period interval,
    visibility enroll.offer_visibility DEFAULT 'public',
    recipient_kind enroll.holder_kind DEFAULT 'person',
    required_level enroll.profile_level DEFAULT NULL,
    extra_condition text DEFAULT NULL,
    documents_grace interval DEFAULT NULL,
    seats integer DEFAULT NULL,
    handler_params text DEFAULT NULL,
    max_acceptances integer DEFAULT NULL)
RETURNS enroll.offer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    o     enroll.offer;
    now_  timestamptz := enroll.clock_now();
    level enroll.profile_level;
BEGIN
    PERFORM enroll.require_admin('create offers');

    -- S2.1-S2.3: what it costs and when it is valid are required
    IF create_offer.code IS NULL THEN
        RAISE EXCEPTION 'offer "code" must not be null' USING ERRCODE = '22004';
    ELSIF create_offer.title IS NULL THEN
        RAISE EXCEPTION 'offer "title" must not be null' USING ERRCODE = '22004';
    ELSIF create_offer.course IS NULL THEN
        RAISE EXCEPTION 'offer "course" must not be null' USING ERRCODE = '22004';
    ELSIF create_offer.price IS NULL THEN
        RAISE EXCEPTION 'offer "price" must not be null' USING ERRCODE = '22004',
            DETAIL = 'Every offer must have a price (S2.2).', HINT = 'Use 0 for a free offer.';
    ELSIF create_offer.currency IS NULL THEN
        RAISE EXCEPTION 'offer "currency" must not be null' USING ERRCODE = '22004',
            HINT = 'Use an ISO 4217 code such as EUR, for free offers too.';
    ELSIF create_offer.valid_from IS NULL THEN
        RAISE EXCEPTION 'offer "valid_from" must not be null' USING ERRCODE = '22004',
            DETAIL = 'Every offer must have a validity period from "valid_from" to "valid_until" (S2.3).';
    ELSIF create_offer.valid_until IS NULL THEN
        RAISE EXCEPTION 'offer "valid_until" must not be null' USING ERRCODE = '22004',
            DETAIL = 'Every offer must have a validity period from "valid_from" to "valid_until" (S2.3).';
    ELSIF create_offer.access_period IS NULL THEN
        RAISE EXCEPTION 'offer "access_period" must not be null' USING ERRCODE = '22004',
            HINT = 'The access period is how long a license from the offer lasts, e.g. ''35 days''.';
    ELSIF create_offer.visibility IS NULL THEN
        RAISE EXCEPTION 'offer "visibility" must not be null' USING ERRCODE = '22004';
    ELSIF create_offer.recipient_kind IS NULL THEN
        RAISE EXCEPTION 'offer "recipient_kind" must not be null' USING ERRCODE = '22004';
    END IF;

    IF enroll.is_blank(create_offer.code) THEN
        RAISE EXCEPTION 'offer "code" must not be blank' USING ERRCODE = '22023';
    ELSIF pg_catalog.length(create_offer.code) OPERATOR(pg_catalog.>) 100 THEN
        RAISE EXCEPTION 'offer "code" is too long: % characters', pg_catalog.length(create_offer.code)
            USING ERRCODE = '22023', DETAIL = 'An offer code has at most 100 characters.';
    END IF;
    PERFORM enroll.check_offer_price(create_offer.price);
    o.code            := create_offer.code;
    o.title           := create_offer.title;
    o.price           := create_offer.price;
    o.currency        := create_offer.currency;
    o.valid_from      := create_offer.valid_from;
    o.valid_until     := create_offer.valid_until;
    o.recipient_kind  := create_offer.recipient_kind;
    o.extra_condition := create_offer.extra_condition;
    o.access_period   := create_offer.access_period;
    o.documents_grace := create_offer.documents_grace;
    o.seats           := create_offer.seats;
    o.handler_params  := create_offer.handler_params;
    o.max_acceptances := create_offer.max_acceptances;
    PERFORM enroll.check_offer_fields(o);
    IF create_offer.valid_until OPERATOR(pg_catalog.<=) create_offer.valid_from THEN
        RAISE EXCEPTION 'validity window of offer "%" is empty', create_offer.code USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('"valid_from" is %s and "valid_until" %s.',
                                       pg_catalog.to_char(create_offer.valid_from, 'YYYY-MM-DD HH24:MI:SSOF'),
                                       pg_catalog.to_char(create_offer.valid_until, 'YYYY-MM-DD HH24:MI:SSOF')),
            HINT = 'The window ends before "valid_until", which must be later than "valid_from" (S2.3).';
    END IF;
    IF create_offer.valid_until OPERATOR(pg_catalog.<=) now_ THEN
        RAISE EXCEPTION 'validity window of offer "%" is already over', create_offer.code USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('"valid_until" is %s, now is %s.',
                                       pg_catalog.to_char(create_offer.valid_until, 'YYYY-MM-DD HH24:MI:SSOF'),
                                       pg_catalog.to_char(now_, 'YYYY-MM-DD HH24:MI:SSOF')),
            HINT = 'Choose a "valid_until" after now (enroll.clock_now()).';
    END IF;

    -- S2.11: a paid offer needs the billing profile level; NULL chooses it from the price
    level := COALESCE(create_offer.required_level,
                      CASE WHEN create_offer.price OPERATOR(pg_catalog.>) 0
                           THEN 'billing'::enroll.profile_level ELSE 'default'::enroll.profile_level END);
    IF create_offer.price OPERATOR(pg_catalog.>) 0 AND level OPERATOR(pg_catalog.<) 'billing' THEN
        RAISE EXCEPTION 'a paid offer needs required_level "billing" or above' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('The price is %s %s and required_level is "%s". Accepting an offer that costs money needs the billing profile level, so that an invoice can be issued (S2.11).',
                                       create_offer.price, create_offer.currency, level),
            HINT = 'Pass required_level => ''billing'', or leave it NULL to choose it from the price.';
    END IF;

    IF NOT EXISTS (SELECT FROM enroll.course c WHERE c.id OPERATOR(pg_catalog.=) create_offer.course) THEN
        RAISE EXCEPTION 'course % does not exist', create_offer.course USING ERRCODE = '22023',
            HINT = 'Create it with enroll.create_course first.';
    END IF;
    IF NOT enroll.is_blank(create_offer.handler_params) THEN
        PERFORM enroll.check_handler_params(create_offer.code, create_offer.handler_params,
            (SELECT c.shortname FROM enroll.course c WHERE c.id OPERATOR(pg_catalog.=) create_offer.course));
    END IF;
    IF EXISTS (SELECT FROM enroll.offer x WHERE x.code OPERATOR(pg_catalog.=) create_offer.code) THEN
        RAISE EXCEPTION 'offer code "%" is already taken', create_offer.code USING ERRCODE = '23505',
            HINT = 'Offer codes are unique; choose another code or edit the existing offer with enroll.update_offer.';
    END IF;

    INSERT INTO enroll.offer AS t (code, title, course_id, price, currency, valid_from, valid_until,
                                   visibility, recipient_kind, required_level, extra_condition,
                                   access_period, documents_grace, seats, handler_params, max_acceptances)
        VALUES (create_offer.code, create_offer.title, create_offer.course, create_offer.price,
                create_offer.currency, create_offer.valid_from, create_offer.valid_until,
                create_offer.visibility, create_offer.recipient_kind, level,
                CASE WHEN NOT enroll.is_blank(create_offer.extra_condition)
                     THEN create_offer.extra_condition END,
                create_offer.access_period, create_offer.documents_grace, create_offer.seats,
                create_offer.handler_params, create_offer.max_acceptances)
        RETURNING t.* INTO o;
    PERFORM enroll.log_event('offer.create', 'offer', o.id,
                             pg_catalog.to_jsonb(o) OPERATOR(pg_catalog.-) 'id'::text OPERATOR(pg_catalog.-) 'created_at'::text);
    RETURN o;
END
$fn$;
COMMENT ON FUNCTION enroll.create_offer(text, text, bigint, numeric, text, timestamptz, timestamptz, interval, enroll.offer_visibility, enroll.holder_kind, enroll.profile_level, text, interval, integer, text, integer) IS
  'Admins: creates an offer with its conditions (S2.1): price and currency (S2.2), validity window (S2.3), visibility and recipient kind (S2.6, S2.7), required profile level (NULL: billing when the price is above 0, else default; S2.11), extra condition (S2.21; blank means none). Bad input is refused with a clear error before anything is written: NULL 22004; blank, too long (code 100, title 500, extra condition 10000 characters, handler_params 65536 bytes), seats above 100000, max_acceptances (the acceptance cap; NULL: none) outside 1 to 100000000, a price that is negative or not a finite number, infinite validity bounds, an access period or documents grace not positive or over 100 years: 22023; code taken 23505.';
CREATE OR REPLACE FUNCTION enroll.update_offer(
    offer bigint,
    title text DEFAULT NULL,
    price numeric DEFAULT NULL,
    currency text DEFAULT NULL,
    valid_from timestamptz DEFAULT NULL,
    valid_until timestamptz DEFAULT NULL,
    required_level enroll.profile_level DEFAULT NULL,
    extra_condition text DEFAULT NULL,
    access_period interval DEFAULT NULL,
    documents_grace interval DEFAULT NULL,
    seats integer DEFAULT NULL,
    handler_params text DEFAULT NULL,
    max_acceptances integer DEFAULT NULL)
RETURNS enroll.offer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    o       enroll.offer;   -- as it was
    n       enroll.offer;   -- as it will be
    changes jsonb;
BEGIN
    PERFORM enroll.require_admin('update offers');
    IF update_offer.offer IS NULL THEN
        RAISE EXCEPTION 'offer must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT x.* INTO o FROM enroll.offer x WHERE x.id OPERATOR(pg_catalog.=) update_offer.offer FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'offer % does not exist', update_offer.offer USING ERRCODE = 'PE015';
    END IF;

    PERFORM enroll.check_offer_price(update_offer.price);

    -- NULL leaves a field unchanged; a blank extra_condition or handler_params removes it
    n := o;
    n.title           := COALESCE(update_offer.title, o.title);
    n.price           := COALESCE(update_offer.price, o.price);
    n.currency        := COALESCE(update_offer.currency, o.currency);
    n.valid_from      := COALESCE(update_offer.valid_from, o.valid_from);
    n.valid_until     := COALESCE(update_offer.valid_until, o.valid_until);
    n.required_level  := COALESCE(update_offer.required_level, o.required_level);
    n.extra_condition := CASE WHEN update_offer.extra_condition IS NULL THEN o.extra_condition
                              WHEN enroll.is_blank(update_offer.extra_condition) THEN NULL
                              ELSE update_offer.extra_condition END;
    n.access_period   := COALESCE(update_offer.access_period, o.access_period);
    n.documents_grace := COALESCE(update_offer.documents_grace, o.documents_grace);
    n.seats           := COALESCE(update_offer.seats, o.seats);
    n.max_acceptances := CASE WHEN update_offer.max_acceptances IS NULL THEN o.max_acceptances
                              WHEN update_offer.max_acceptances OPERATOR(pg_catalog.=) 0 THEN NULL
                              ELSE update_offer.max_acceptances END;
    n.handler_params  := CASE WHEN update_offer.handler_params IS NULL THEN o.handler_params
                              WHEN enroll.is_blank(update_offer.handler_params) THEN NULL
                              ELSE update_offer.handler_params END;

    PERFORM enroll.check_offer_fields(n);
    IF n.handler_params IS DISTINCT FROM o.handler_params AND n.handler_params IS NOT NULL THEN
        PERFORM enroll.check_handler_params(n.code, n.handler_params,
            (SELECT c.shortname FROM enroll.course c WHERE c.id OPERATOR(pg_catalog.=) n.course_id));
    END IF;
    IF n.price OPERATOR(pg_catalog.>) 0 AND n.required_level OPERATOR(pg_catalog.<) 'billing' THEN
        RAISE EXCEPTION 'a paid offer needs required_level "billing" or above' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('The price would be %s %s and required_level "%s". Accepting an offer that costs money needs the billing profile level, so that an invoice can be issued (S2.11).',
                                       n.price, n.currency, n.required_level),
            HINT = 'Pass required_level => ''billing'' as well.';
    END IF;
    -- a cap below the acceptances already made is refused by the trigger
    -- offer_cap_count (22023), under the offer's lock taken above
    -- S2.4 (validity edits) is the trigger offer_validity_guard's, for every UPDATE

    IF pg_catalog.to_jsonb(n) OPERATOR(pg_catalog.=) pg_catalog.to_jsonb(o) THEN
        RETURN o;                       -- nothing changes: nothing written, nothing logged
    END IF;

    UPDATE enroll.offer x
       SET title = n.title, price = n.price, currency = n.currency,
           valid_from = n.valid_from, valid_until = n.valid_until,
           required_level = n.required_level, extra_condition = n.extra_condition,
           access_period = n.access_period, documents_grace = n.documents_grace,
           seats = n.seats, handler_params = n.handler_params, max_acceptances = n.max_acceptances
     WHERE x.id OPERATOR(pg_catalog.=) o.id
    RETURNING x.* INTO n;

    SELECT pg_catalog.jsonb_object_agg(a.key, pg_catalog.jsonb_build_object('old', b.value, 'new', a.value) ORDER BY a.key)
      INTO changes
      FROM pg_catalog.jsonb_each(pg_catalog.to_jsonb(n)) a
      JOIN pg_catalog.jsonb_each(pg_catalog.to_jsonb(o)) b ON b.key OPERATOR(pg_catalog.=) a.key
     WHERE a.value OPERATOR(pg_catalog.<>) b.value;
    PERFORM enroll.log_event('offer.update', 'offer', n.id,
                             pg_catalog.jsonb_build_object('code', n.code, 'changes', changes));
    RETURN n;
END
$fn$;
COMMENT ON FUNCTION enroll.update_offer(bigint, text, numeric, text, timestamptz, timestamptz, enroll.profile_level, text, interval, interval, integer, text, integer) IS
  'Admins: edits an offer. NULL leaves a field unchanged; extra_condition => '''' (or handler_params => '''') removes it, max_acceptances => 0 removes the acceptance cap; a cap below the acceptances already made is refused (22023). The new values obey create_offer''s rules (22023). Validity edits obey S2.4 through the trigger offer_validity_guard (PE008). The event lists each changed field with its old and new value; a call that changes nothing writes nothing. Unknown offer: PE015.';
CREATE OR REPLACE FUNCTION enroll.accept_offer(offer bigint, registrar_org bigint DEFAULT NULL,
                                    join_registrar boolean DEFAULT false, accept_condition boolean DEFAULT false,
                                    for_account bigint DEFAULT NULL, for_organization bigint DEFAULT NULL,
                                    order_ref text DEFAULT NULL)
RETURNS enroll.license_grant
    AS 'MODULE_PATHNAME', 'accept_offer'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.accept_offer(bigint, bigint, boolean, boolean, bigint, bigint, text) IS
  'Accepts an offer and returns the license that gives access with the outcome (S2.5). Checks in order: logged in (PE001), offer active and visible (PE002, PE003: a private offer reveals nothing to a non-addressee), acceptable by this actor for this beneficiary (PE010, 42501), profile level (PE004; an organization offer checks the organization''s own profile), registrar organization (PE005, PE006, PE022 when it admits members by approval), extra condition (PE007), places left (PE023). The learner''s own acceptance supersedes the current license (S2.23); a system admin accepting on a learner''s behalf never reduces their access (outcome kept). A session offer''s starttime/endtime are the access window; a license that starts later does not cut access before it starts (follows). An organization''s renewal carries its live seats (PE024 when too few).';
CREATE OR REPLACE FUNCTION enroll.allocate_seat(org_license bigint, account bigint)
RETURNS enroll.license_grant
    AS 'MODULE_PATHNAME', 'allocate_seat'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
CREATE OR REPLACE FUNCTION enroll.allocate_seat(organization bigint, course bigint, account bigint)
RETURNS enroll.license_grant
    AS 'MODULE_PATHNAME', 'allocate_seat_for_course'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.allocate_seat(bigint, bigint) IS
  'A current administrator of the organization holding an organization license (or a system admin) gives one seat to a current member (PE014): a person license of the same offer and course, until the organization license ends. Never more seats than bought, even under concurrency (PE017). A member whose own license gives more keeps it and no seat is used (outcome kept); otherwise the member''s current license is superseded. A member who already holds a seat of this license gets it back unchanged (kept). Unknown license PE019, a personal license 42501 (22023 to system admins), ended or outside its access window PE011, unknown account PE013.';
COMMENT ON FUNCTION enroll.allocate_seat(bigint, bigint, bigint) IS
  'enroll.allocate_seat for the organization''s current license of the course, found and locked here (a renewal in between is waited for). Unknown organization PE016, not an administrator 42501, no current license PE019.';
CREATE OR REPLACE FUNCTION enroll.release_seat(seat_license bigint, reason text DEFAULT NULL)
RETURNS enroll.license
    AS 'MODULE_PATHNAME', 'release_seat'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.release_seat(bigint, text) IS
  'An administrator of the organization (or a system admin) takes a seat back: it ends now (end_reason released, the optional reason of at most 2000 characters in end_note), the holder''s status becomes seat_withdrawn (or the license the seat superseded is theirs again when its time is not over), and the seat can be given again. Unknown license PE019, not a seat 22023, already ended PE011, not an administrator 42501.';
CREATE OR REPLACE FUNCTION enroll.revoke_license(license bigint, reason text)
RETURNS enroll.license
    AS 'MODULE_PATHNAME', 'revoke_license'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.revoke_license(bigint, text) IS
  'System admins: ends a current license now (end_reason revoked, the reason in end_note; a reason of at most 2000 characters is required, 22023). Access stops at once (status revoked), unless the license was created on someone else''s initiative and superseded one whose time is not over: that one is the holder''s again. Revoking an organization license withdraws every seat allocated from it (status seat_withdrawn). Unknown license PE019; a license that has already ended, revoked or superseded, PE011.';
CREATE OR REPLACE FUNCTION enroll.membership_left() RETURNS trigger
    AS 'MODULE_PATHNAME', 'membership_left' LANGUAGE C;
COMMENT ON FUNCTION enroll.membership_left() IS
  'Trigger function on enroll.membership (AFTER UPDATE OF left_at): the member''s live seats of the organization''s licenses end (released) and each gives back the license it superseded when that one''s time is not over.';
CREATE OR REPLACE FUNCTION enroll.setup_course_session(order_ref text, offer bigint, operator bigint, seats integer,
                                            participants jsonb, dry_run boolean DEFAULT false,
                                            accept_condition boolean DEFAULT false)
RETURNS jsonb
    AS 'MODULE_PATHNAME', 'setup_course_session'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
CREATE OR REPLACE FUNCTION enroll.setup_course_session(params text, participants jsonb, dry_run boolean DEFAULT false,
                                            accept_condition boolean DEFAULT false)
RETURNS jsonb
    AS 'MODULE_PATHNAME', 'setup_course_session_params'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.setup_course_session(text, bigint, bigint, integer, jsonb, boolean, boolean) IS
  'One call, all or nothing, sets up a training session bought by an operator (S1): accounts only for unknown addresses (S1.5), one group per order (S1.4), enrollments as student or the supervisor role (S1.2, S1.9), a license each for the session''s window (S1.10) unless the participant''s own license gives more (consent rule), cross delegated roles (S1.6), support-course access through the session license (S1.7); seats counted for learners and tutors alike (S1.3, PE021). Order references are the operator''s own; idempotent by order reference; a cancelled order is PE026. accept_condition ticks the offer''s extra condition (PE007 otherwise). At most 100000 participants per call (54000). dry_run reports without writing, every bad participant at once.';
COMMENT ON FUNCTION enroll.setup_course_session(text, jsonb, boolean, boolean) IS
  'enroll.setup_course_session with the URL-encoded parameter string of the shop handler (S1.11): order=...&offer=...&operator=...&seats=...';
CREATE OR REPLACE FUNCTION enroll.cancel_order(order_ref text, reason text DEFAULT NULL, operator bigint DEFAULT NULL)
RETURNS jsonb
    AS 'MODULE_PATHNAME', 'cancel_order'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.cancel_order(text, text, bigint) IS
  'System admins: cancels an order (a refund). Its licenses end (cancelled) and a license the order had superseded is the person''s again when its time is not over; its participants leave its group; their enrollments of the order end (or follow the license given back), support-course access ends, the cross roles of the order go (unless another live order of the operator has the person); the order''s status becomes cancelled. Idempotent: a cancelled order answers its report with status already_cancelled. The report counts learner and tutor seats apart (S1.3: tutor-seat refunds are computed outside). operator names the order when two operators used the reference. Unknown order PE027, not an admin 42501.';
CREATE OR REPLACE FUNCTION enroll.remove_participant(order_ref text, account bigint, reason text DEFAULT NULL,
                                          operator bigint DEFAULT NULL)
RETURNS jsonb
    AS 'MODULE_PATHNAME', 'remove_participant'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.remove_participant(text, bigint, text, bigint) IS
  'The order''s operator (its own order reference) or a system admin takes one participant out of an order, as cancel_order does for all: the seat is free again and a later call of the same order may give it to someone else, never back to this person. Removing someone already taken out answers status already_removed; someone who is not a participant 22023; a cancelled order PE026; unknown order PE027.';
CREATE TRIGGER membership_left AFTER UPDATE OF left_at ON enroll.membership
    FOR EACH ROW WHEN (OLD.left_at IS NULL AND NEW.left_at IS NOT NULL)
    EXECUTE FUNCTION enroll.membership_left();
COMMENT ON TRIGGER membership_left ON enroll.membership IS
  'Leaving an organization ends the seats of its licenses (enroll.membership_left).';

-- row-level security of 1.2 (operators: orders, groups, members, cross roles)
CREATE POLICY group_member_operator ON enroll.group_member FOR SELECT
    USING (group_id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_order_groups()));
COMMENT ON POLICY group_member_operator ON enroll.group_member IS
  'An operator sees the members of the groups of their orders (S1.4): the address and names as the operator gave them, the seat, whether and why the member was taken out.';
CREATE POLICY role_assignment_operator ON enroll.role_assignment FOR SELECT
    USING (order_id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_orders())
           AND account_id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_managed_accounts()));
COMMENT ON POLICY role_assignment_operator ON enroll.role_assignment IS
  'An operator sees the role assignments their orders gave to the accounts they manage (delegated_user in the operator''s context, S1.6); their own delegated_manager rows they see as their own.';
CREATE POLICY account_organization_admin ON enroll.account FOR SELECT
    USING (id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_administered_members()));
COMMENT ON POLICY account_organization_admin ON enroll.account IS
  'An organization administrator sees the accounts of the current members of the organizations they administer: the columns applications may read (address, names), never the profile.';

-- the offers with their caps
CREATE OR REPLACE VIEW enroll.visible_offers WITH (security_barrier) AS
SELECT o.id, o.code, o.title, o.course_id,
       c.shortname AS course_shortname, c.fullname AS course_fullname,
       o.price, o.currency, o.valid_from, o.valid_until,
       enroll.offer_window_state(o.valid_from, o.valid_until, (SELECT enroll.clock_now())) AS state,
       o.visibility, o.recipient_kind, o.required_level, o.extra_condition,
       o.access_period, o.documents_grace, o.seats,
       ARRAY(SELECT t.code
               FROM enroll.offer_registrar_type rt
               JOIN enroll.organization_type t ON t.id OPERATOR(pg_catalog.=) rt.organization_type_id
              WHERE rt.offer_id OPERATOR(pg_catalog.=) o.id
              ORDER BY t.code) AS registrar_types,
       o.max_acceptances,
       (o.max_acceptances OPERATOR(pg_catalog.-) o.acceptances_made)::pg_catalog.int8 AS places_left
  FROM enroll.offer o
  JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) o.course_id
 WHERE (SELECT enroll.acting_as_admin())
    OR (o.valid_from OPERATOR(pg_catalog.<=) (SELECT enroll.clock_now())
        AND o.valid_until OPERATOR(pg_catalog.>) (SELECT enroll.clock_now())
        AND (o.visibility OPERATOR(pg_catalog.=) 'public' OR enroll.offer_addressed_to_actor(o.id)));
COMMENT ON VIEW enroll.visible_offers IS
  'Offers the acting account may see and could act on: active public offers for anyone, anonymous included (S2.6); active private offers for their addressees, persons or current members of an addressed organization (S2.7); every offer in any state for admins. Shows the extra condition''s text before login (S2.21) and the organization types that narrow the audience (S2.13).';
COMMENT ON COLUMN enroll.visible_offers.state IS 'upcoming, active or expired at enroll.clock_now() (S2.3).';
COMMENT ON COLUMN enroll.visible_offers.places_left IS 'For an offer with an acceptance cap (max_acceptances): how many acceptances it can still take; NULL without a cap.';
COMMENT ON COLUMN enroll.visible_offers.registrar_types IS 'Codes of the organization types of which the learner must name a registrar organization (S2.13, S2.17); empty when the offer is open to all.';

-------------------------------------------------------------------------------
-- What applications read (sql/install/16_views.sql, as a fresh install has it)
-------------------------------------------------------------------------------
-- An account's profile data: the account itself and system admins only.
CREATE VIEW enroll.account_profile WITH (security_barrier) AS
SELECT a.id, a.email, a.firstname, a.lastname, a.profile_level, a.profile,
       a.is_admin, a.login_role, a.created_at, a.erased_at
  FROM enroll.account a
 WHERE a.id OPERATOR(pg_catalog.=) (SELECT enroll.current_account())
    OR (SELECT enroll.acting_as_admin());
COMMENT ON VIEW enroll.account_profile IS
  'The acting account''s own row with its profile data (level, billing data, is_admin, login_role); every row for system admins. Applications read the other columns of enroll.account directly; nobody else ever reads a person''s profile (1.2).';

-- An operator's orders and their participants: what the operator gave, the
-- seat, the state in the order; nothing the person supplied themself.
CREATE VIEW enroll.order_participants WITH (security_barrier) AS
SELECT p.id AS order_id, p.order_ref, p.operator_id, o.code AS offer_code, c.shortname AS course,
       m.account_id, m.given_email AS email, m.given_firstname AS firstname, m.given_lastname AS lastname,
       m.seat AS role,
       CASE WHEN p.status::text OPERATOR(pg_catalog.=) 'cancelled' THEN 'cancelled'
            WHEN m.removed_at IS NOT NULL THEN 'removed'
            ELSE 'active' END AS status,
       m.added_at, m.removed_at, m.removed_reason
  FROM enroll.purchase_order p
  JOIN enroll.course_group g ON g.order_id OPERATOR(pg_catalog.=) p.id
  JOIN enroll.group_member m ON m.group_id OPERATOR(pg_catalog.=) g.id
  JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) p.offer_id
  JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) o.course_id
 WHERE p.operator_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account())
    OR (SELECT enroll.acting_as_admin());
COMMENT ON VIEW enroll.order_participants IS
  'An operator''s orders and their participants (S1): the participant''s account id (the handle of remove_participant), the address and names as the operator gave them in the order, the seat (learner or tutor), and the participant''s state in the order (active, removed, cancelled). Nothing the person supplied themself, nor which licenses they hold. System admins see every order.';
COMMENT ON COLUMN enroll.order_participants.email IS 'The address as the operator gave it.';
COMMENT ON COLUMN enroll.order_participants.role IS 'The seat the participant takes: learner or tutor (S1.3).';
COMMENT ON COLUMN enroll.order_participants.status IS 'active, removed (taken out of the order) or cancelled (the order was cancelled).';

-- The state of one license at an instant, in access_status's words and
-- order (a license that ended says why: superseded, revoked, cancelled,
-- removed, released).  Whether the holder is still a member of the
-- registrar organization, and whether a seat's organization license still
-- gives access, are the caller's to say: the views read them with their
-- owner's rights, so the function itself reads nothing and tells nobody
-- anything they did not pass it.
CREATE FUNCTION enroll.license_state(l enroll.license, at timestamptz, registrar_member boolean DEFAULT true,
                                     seat_backed boolean DEFAULT true)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE
        WHEN l.ended_at IS NOT NULL AND l.ended_at OPERATOR(pg_catalog.<=) at THEN l.end_reason::text
        WHEN l.parent_license IS NOT NULL AND NOT seat_backed THEN 'seat_withdrawn'
        WHEN at OPERATOR(pg_catalog.<) l.access_from THEN 'not_started'
        WHEN at OPERATOR(pg_catalog.>=) l.access_until THEN 'expired'
        WHEN l.documents_due_at IS NOT NULL AND l.documents_validated_at IS NULL
             AND at OPERATOR(pg_catalog.>=) l.documents_due_at THEN 'documents_missing'
        WHEN l.registrar_org_id IS NOT NULL AND NOT registrar_member THEN 'registrar_membership_ended'
        ELSE 'active' END;
END;
COMMENT ON FUNCTION enroll.license_state(enroll.license, timestamptz, boolean, boolean) IS
  'The state of one license at an instant: the end reason once it has ended, else seat_withdrawn (a seat whose organization license no longer gives access: seat_backed false), not_started, expired, documents_missing (S2.18), registrar_membership_ended (S2.19, when registrar_member is false) or active. enroll.access_status answers for a person and a course (all their licenses, the support course); this answers for one license.';

-- The acting account's licenses.
CREATE VIEW enroll.my_licenses WITH (security_barrier) AS
SELECT l.id AS license_id, l.course_id, c.shortname AS course, c.fullname AS course_name,
       o.code AS offer_code, o.title AS offer_title,
       l.accepted_via, l.accepted_at, l.access_from, l.access_until,
       st.state AS license_state,
       enroll.access_status(l.account_id, l.course_id) AS access_status,
       CASE WHEN st.state OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'documents_missing', 'registrar_membership_ended'])
            THEN LEAST(l.access_until, COALESCE(l.ended_at, l.access_until)) OPERATOR(pg_catalog.-) now.at END AS time_left,
       l.registrar_org_id, r.name AS registrar,
       l.documents_due_at, l.documents_validated_at,
       p.organization_id AS seat_of_organization, g.name AS seat_of_organization_name,
       l.order_ref, l.ended_at, l.end_reason
  FROM enroll.license l
  CROSS JOIN LATERAL (SELECT enroll.clock_now() AS at) now
  LEFT JOIN enroll.license p ON p.id OPERATOR(pg_catalog.=) l.parent_license
  CROSS JOIN LATERAL (SELECT enroll.license_state(l, now.at, l.registrar_org_id IS NULL OR
      EXISTS (SELECT FROM enroll.membership m WHERE m.organization_id OPERATOR(pg_catalog.=) l.registrar_org_id
                 AND m.account_id OPERATOR(pg_catalog.=) l.account_id AND m.left_at IS NULL),
      p.id IS NULL OR ((p.ended_at IS NULL OR p.ended_at OPERATOR(pg_catalog.>) now.at)
                       AND now.at OPERATOR(pg_catalog.>=) p.access_from AND now.at OPERATOR(pg_catalog.<) p.access_until)) AS state) st
  JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) l.course_id
  JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) l.offer_id
  LEFT JOIN enroll.organization r ON r.id OPERATOR(pg_catalog.=) l.registrar_org_id
  LEFT JOIN enroll.organization g ON g.id OPERATOR(pg_catalog.=) p.organization_id
 WHERE l.account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account());
COMMENT ON VIEW enroll.my_licenses IS
  'The acting account''s licenses, current and past: course, offer, how and when accepted, the access window and the time left, the license''s own state (enroll.license_state) and the person''s access to the course (enroll.access_status), the registrar organization, the documents deadline (S2.18), the organization whose seat it is.';
COMMENT ON COLUMN enroll.my_licenses.time_left IS 'Until the license stops giving access (its end, or the earlier end it is set to follow); NULL once it does not give access.';

-- An organization administrator's licenses and seats.
CREATE VIEW enroll.organization_seats WITH (security_barrier) AS
SELECT l.organization_id, g.name AS organization, l.id AS license_id, l.course_id, c.shortname AS course,
       o.code AS offer_code, l.access_from, l.access_until, l.ended_at, l.end_reason,
       enroll.license_state(l, now.at) AS license_state,
       l.seats, s.used, l.seats OPERATOR(pg_catalog.-) s.used AS free, s.holders
  FROM enroll.license l
  CROSS JOIN LATERAL (SELECT enroll.clock_now() AS at) now
  JOIN enroll.organization g ON g.id OPERATOR(pg_catalog.=) l.organization_id
  JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) l.course_id
  JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) l.offer_id
  CROSS JOIN LATERAL (
      SELECT (pg_catalog.count(*) FILTER (WHERE x.ended_at IS NULL))::integer AS used,
             COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                 'seat_license', x.id, 'account_id', x.account_id,
                 'email', CASE WHEN h.shown THEN a.email END,
                 'firstname', CASE WHEN h.shown THEN a.firstname END,
                 'lastname', CASE WHEN h.shown THEN a.lastname END,
                 'state', enroll.license_state(x, now.at, true,
                              (l.ended_at IS NULL OR l.ended_at OPERATOR(pg_catalog.>) now.at)
                              AND now.at OPERATOR(pg_catalog.>=) l.access_from AND now.at OPERATOR(pg_catalog.<) l.access_until),
                 'ended_at', x.ended_at) ORDER BY x.id)
                 FILTER (WHERE x.id IS NOT NULL), '[]') AS holders
        FROM enroll.license x JOIN enroll.account a ON a.id OPERATOR(pg_catalog.=) x.account_id
        -- a former member's address and names are no longer the organization's
        CROSS JOIN LATERAL (SELECT (SELECT enroll.acting_as_admin()) OR EXISTS (
            SELECT FROM enroll.membership m
             WHERE m.organization_id OPERATOR(pg_catalog.=) l.organization_id
               AND m.account_id OPERATOR(pg_catalog.=) x.account_id AND m.left_at IS NULL) AS shown) h
       WHERE x.parent_license OPERATOR(pg_catalog.=) l.id) s
 WHERE l.holder_kind OPERATOR(pg_catalog.=) 'organization'
   AND (l.organization_id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_administered_organizations())
        OR (SELECT enroll.acting_as_admin()));
COMMENT ON VIEW enroll.organization_seats IS
  'The licenses of the organizations the acting account administers (every organization for system admins): seats bought, used (live seats) and free, and the holders of every seat given from the license with the seat''s state (active, seat_withdrawn, released -- also when the holder left the organization --, superseded ...). After a renewal the live seats hang on the new license (1.2).';
COMMENT ON COLUMN enroll.organization_seats.holders IS 'A JSON array, in the order the seats were given: seat_license, account_id, email, firstname, lastname, state, ended_at for every seat ever given from this license; the address and names only while the holder is a current member of the organization (null for a former member, except to system admins).';

-- Reporting without personal data (enroll_reader): counts and sums only.
CREATE VIEW enroll.report_acceptances AS
SELECT o.id AS offer_id, o.code AS offer_code, o.course_id,
       pg_catalog.date_trunc('month', l.accepted_at, 'UTC') AS month, l.currency,
       pg_catalog.count(*) AS acceptances,
       pg_catalog.count(*) FILTER (WHERE l.end_reason::text OPERATOR(pg_catalog.=) ANY ('{cancelled,removed,revoked}'::text[])) AS withdrawn,
       COALESCE(pg_catalog.sum(l.price_paid) FILTER (WHERE l.end_reason IS NULL
                OR NOT l.end_reason::text OPERATOR(pg_catalog.=) ANY ('{cancelled,removed,revoked}'::text[])), 0) AS revenue
  FROM enroll.license l JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) l.offer_id
 WHERE l.parent_license IS NULL
 GROUP BY o.id, o.code, o.course_id, pg_catalog.date_trunc('month', l.accepted_at, 'UTC'), l.currency;
COMMENT ON VIEW enroll.report_acceptances IS
  'Acceptances and revenue per offer and calendar month (UTC): licenses obtained (persons, organizations, session participants; seats given from an organization license are not acceptances), those later revoked, cancelled or removed (withdrawn), and the price paid by the others. No personal data.';

CREATE VIEW enroll.report_active_learners AS
SELECT c.id AS course_id, c.shortname AS course,
       pg_catalog.count(DISTINCT l.account_id) FILTER (WHERE st.state OPERATOR(pg_catalog.=) 'active') AS active_learners,
       pg_catalog.count(DISTINCT l.account_id) FILTER (WHERE st.state OPERATOR(pg_catalog.=) 'not_started') AS starting_later
  FROM enroll.course c
  LEFT JOIN enroll.license l ON l.course_id OPERATOR(pg_catalog.=) c.id AND l.account_id IS NOT NULL
       AND (l.ended_at IS NULL OR l.ended_at OPERATOR(pg_catalog.>) enroll.clock_now())
  LEFT JOIN enroll.license p ON p.id OPERATOR(pg_catalog.=) l.parent_license
  LEFT JOIN LATERAL (SELECT enroll.license_state(l, enroll.clock_now(), l.registrar_org_id IS NULL OR
      EXISTS (SELECT FROM enroll.membership m WHERE m.organization_id OPERATOR(pg_catalog.=) l.registrar_org_id
                 AND m.account_id OPERATOR(pg_catalog.=) l.account_id AND m.left_at IS NULL),
      p.id IS NULL OR ((p.ended_at IS NULL OR p.ended_at OPERATOR(pg_catalog.>) enroll.clock_now())
                       AND enroll.clock_now() OPERATOR(pg_catalog.>=) p.access_from
                       AND enroll.clock_now() OPERATOR(pg_catalog.<) p.access_until)) AS state) st ON true
 GROUP BY c.id, c.shortname;
COMMENT ON VIEW enroll.report_active_learners IS
  'Per course: how many people hold a license that gives access now, and how many one that starts later (a session sold in advance). No personal data.';

CREATE VIEW enroll.report_seats AS
SELECT l.organization_id, g.name AS organization, l.course_id, c.shortname AS course, l.id AS license_id,
       l.seats, (SELECT pg_catalog.count(*) FROM enroll.license x
                  WHERE x.parent_license OPERATOR(pg_catalog.=) l.id AND x.ended_at IS NULL)::integer AS used
  FROM enroll.license l
  JOIN enroll.organization g ON g.id OPERATOR(pg_catalog.=) l.organization_id
  JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) l.course_id
 WHERE l.holder_kind OPERATOR(pg_catalog.=) 'organization' AND l.ended_at IS NULL;
COMMENT ON VIEW enroll.report_seats IS
  'Per organization and course, its current license: seats bought and used. No personal data.';

-- the window of licenses_ending and documents_due: 22004 / 22023 otherwise
CREATE FUNCTION enroll.check_window(within interval) RETURNS interval
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF within IS NULL THEN
        RAISE EXCEPTION 'within must not be null' USING ERRCODE = '22004';
    END IF;
    IF within OPERATOR(pg_catalog.<) interval '0' OR within OPERATOR(pg_catalog.>) interval '5 years' THEN
        RAISE EXCEPTION 'within must be from 0 to 5 years, not %', within USING ERRCODE = '22023',
              HINT = 'Ask for the licenses ending within the next weeks or months, e.g. interval ''30 days''.';
    END IF;
    RETURN within;
END
$fn$;
COMMENT ON FUNCTION enroll.check_window(interval) IS
  'Internal: checks the window of licenses_ending and documents_due (0 to 5 years).';

CREATE VIEW enroll.report_orders AS
SELECT p.operator_id, p.status, pg_catalog.count(*) AS orders, pg_catalog.sum(p.seats) AS seats_bought,
       pg_catalog.sum((SELECT pg_catalog.count(*) FROM enroll.course_group g
                         JOIN enroll.group_member m ON m.group_id OPERATOR(pg_catalog.=) g.id
                        WHERE g.order_id OPERATOR(pg_catalog.=) p.id AND m.removed_at IS NULL)) AS seats_used
  FROM enroll.purchase_order p
 GROUP BY p.operator_id, p.status;
COMMENT ON VIEW enroll.report_orders IS
  'Per operator (an account id, no address or name) and order status: orders, seats bought, seats taken by participants still in them. No personal data.';

-- Deadlines for the people who act on them: system admins, and the
-- administrators of a license's registrar organization (S2.18-S2.19) or of
-- the organization whose seat it is.
CREATE FUNCTION enroll.licenses_ending(within interval)
RETURNS TABLE (license_id bigint, account_id bigint, email text, firstname text, lastname text,
               course text, offer_code text, access_until timestamptz, time_left interval,
               organization_id bigint, organization text)
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.id, l.account_id, a.email, a.firstname, a.lastname, c.shortname, o.code, l.access_until,
           l.access_until OPERATOR(pg_catalog.-) enroll.clock_now(),
           COALESCE(p.organization_id, l.registrar_org_id), g.name
      FROM enroll.license l
      JOIN enroll.account a ON a.id OPERATOR(pg_catalog.=) l.account_id
      JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) l.course_id
      JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) l.offer_id
      LEFT JOIN enroll.license p ON p.id OPERATOR(pg_catalog.=) l.parent_license
      LEFT JOIN enroll.organization g ON g.id OPERATOR(pg_catalog.=) COALESCE(p.organization_id, l.registrar_org_id)
     WHERE l.ended_at IS NULL
       AND l.access_from OPERATOR(pg_catalog.<=) enroll.clock_now()
       AND l.access_until OPERATOR(pg_catalog.>) enroll.clock_now()
       AND l.access_until OPERATOR(pg_catalog.<=) (enroll.clock_now() OPERATOR(pg_catalog.+) enroll.check_window(within))
       AND (enroll.acting_as_admin()
            OR (COALESCE(p.organization_id, l.registrar_org_id) OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT enroll.actor_administered_organizations()))
                AND EXISTS (SELECT FROM enroll.membership m
                             WHERE m.organization_id OPERATOR(pg_catalog.=) COALESCE(p.organization_id, l.registrar_org_id)
                               AND m.account_id OPERATOR(pg_catalog.=) l.account_id AND m.left_at IS NULL)))
     ORDER BY l.access_until, l.id;
END;
COMMENT ON FUNCTION enroll.licenses_ending(interval) IS
  'Person licenses giving access now that end within the interval (0 to 5 years), soonest first: all of them for system admins; for an organization administrator, the seats of its organization and the licenses it registers (S2.16), of its current members only. The holder''s address and names, for a reminder.';

CREATE FUNCTION enroll.documents_due(within interval)
RETURNS TABLE (license_id bigint, account_id bigint, email text, firstname text, lastname text,
               course text, offer_code text, documents_due_at timestamptz, overdue boolean,
               organization_id bigint, organization text)
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.id, l.account_id, a.email, a.firstname, a.lastname, c.shortname, o.code, l.documents_due_at,
           l.documents_due_at OPERATOR(pg_catalog.<=) enroll.clock_now(),
           l.registrar_org_id, g.name
      FROM enroll.license l
      JOIN enroll.account a ON a.id OPERATOR(pg_catalog.=) l.account_id
      JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) l.course_id
      JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) l.offer_id
      LEFT JOIN enroll.organization g ON g.id OPERATOR(pg_catalog.=) l.registrar_org_id
     WHERE l.ended_at IS NULL AND l.documents_due_at IS NOT NULL AND l.documents_validated_at IS NULL
       AND l.access_until OPERATOR(pg_catalog.>) enroll.clock_now()
       AND l.documents_due_at OPERATOR(pg_catalog.<=) (enroll.clock_now() OPERATOR(pg_catalog.+) enroll.check_window(within))
       AND (enroll.acting_as_admin()
            OR (l.registrar_org_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT enroll.actor_administered_organizations()))
                AND EXISTS (SELECT FROM enroll.membership m
                             WHERE m.organization_id OPERATOR(pg_catalog.=) l.registrar_org_id
                               AND m.account_id OPERATOR(pg_catalog.=) l.account_id AND m.left_at IS NULL)))
     ORDER BY l.documents_due_at, l.id;
END;
COMMENT ON FUNCTION enroll.documents_due(interval) IS
  'Licenses whose justification documents (S2.18) are still to be validated and due within the interval (0 to 5 years), overdue ones included and marked: all for system admins; for an organization administrator, those its organization registers (it validates them, S2.19), of its current members only.';


REVOKE ALL ON enroll.account_profile, enroll.order_participants, enroll.my_licenses, enroll.organization_seats,
    enroll.report_acceptances, enroll.report_active_learners, enroll.report_seats, enroll.report_orders FROM PUBLIC;
GRANT SELECT ON enroll.account_profile, enroll.order_participants, enroll.my_licenses, enroll.organization_seats
    TO enroll_admin, enroll_app, enroll_reader;
-- the reporting views are for reporting: readers and admins, not applications
REVOKE ALL ON enroll.report_acceptances, enroll.report_active_learners, enroll.report_seats, enroll.report_orders
    FROM enroll_app;
GRANT SELECT ON enroll.report_acceptances, enroll.report_active_learners, enroll.report_seats, enroll.report_orders
    TO enroll_admin, enroll_reader;
REVOKE EXECUTE ON FUNCTION enroll.license_state(enroll.license, timestamptz, boolean, boolean), enroll.check_window(interval),
    enroll.licenses_ending(interval), enroll.documents_due(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.license_state(enroll.license, timestamptz, boolean, boolean),
    enroll.licenses_ending(interval), enroll.documents_due(interval) TO enroll_admin, enroll_app, enroll_reader;

-- @@audit-begin@@
-------------------------------------------------------------------------------
-- The audit log (src/event.c, src/audit.c, sql/install/04_audit.sql): events
-- name the person they are about (subject_account) and that person reads
-- them; every event is announced by NOTIFY enroll_events and can be caught up
-- with enroll.events_since(); finished events are sealed into the hash chain
-- enroll.audit_chain, which check_invariants() verifies.  This section runs
-- last: the digests of the existing events are computed again (the content
-- encoding changed, and details may have been rewritten above) and then
-- everything finished is sealed.  Events written by this transaction itself
-- are sealed by the first seal after it commits.
-------------------------------------------------------------------------------
ALTER TABLE enroll.event ADD COLUMN subject_account bigint;
COMMENT ON TABLE enroll.event IS
  'Append-only audit log: when (rule clock and wall clock), acting account, database role, what, which row, about whom, details. UPDATE, DELETE and TRUNCATE are refused (PE012); each insert is announced by NOTIFY enroll_events; enroll.seal_audit_log() chains finished events into enroll.audit_chain.';
COMMENT ON COLUMN enroll.event.xid IS
  'The top-level id of the transaction that wrote the event. The audit chain and enroll.events_since() order events by (xid, id) and take only those whose transaction has ended.';
COMMENT ON COLUMN enroll.event.subject_account IS
  'The person the event is about, when it is about one (kept by value, no foreign key: the log outlives what it describes). That person reads the event through row-level security.';

-- log_event gains subject_account (PL/pgSQL callers with four arguments are
-- unchanged: the fifth has a default)
DROP FUNCTION enroll.log_event(text, text, bigint, jsonb);
CREATE FUNCTION enroll.log_event(what text, table_name text, row_id bigint, details jsonb,
                                 subject_account bigint DEFAULT NULL) RETURNS void
    AS 'MODULE_PATHNAME', 'log_event' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION enroll.log_event(text, text, bigint, jsonb, bigint) IS
  'Appends one event as the extension owner, with the acting account and session role; subject_account names the person the event is about (NULL: nobody in particular). Internal: not granted to applications.';
REVOKE EXECUTE ON FUNCTION enroll.log_event(text, text, bigint, jsonb, bigint) FROM PUBLIC;

COMMENT ON FUNCTION enroll.event_append_only() IS
  'Trigger function refusing UPDATE, DELETE and TRUNCATE on the audit log''s tables, enroll.event and enroll.audit_chain (PE012).';

-- the session role as text: a name took 64 bytes of every event (a fifth of
-- a session's event row), the role's name takes its length.  The digest
-- reads db_role::text, the same characters either way, so no stored digest
-- changes.  The two SQL functions that read the column are created again
-- below (PostgreSQL does not change the type of a column a function reads).
DROP FUNCTION enroll.check_invariants();
DROP FUNCTION enroll.event_digest(enroll.event);
ALTER TABLE enroll.event ALTER COLUMN db_role TYPE text;

-- the digest covers subject_account, in an encoding where no two rows meet
CREATE FUNCTION enroll.event_digest(e enroll.event) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
RETURN pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.jsonb_build_array(
           e.id, EXTRACT(epoch FROM e.at), EXTRACT(epoch FROM e.logged_at), e.account_id,
           e.db_role::text, e.what, e.table_name, e.row_id, e.details, e.xid::text,
           e.subject_account)::text, 'UTF8'));
COMMENT ON FUNCTION enroll.event_digest(enroll.event) IS
  'SHA-256 of an event''s content (every column but the digest, as a JSON array), independent of session settings (time zone, date style). Set at insert by a trigger; enroll.check_invariants() recomputes it.';
-- the digest trigger in C (the same bytes as enroll.event_digest, faster)
CREATE OR REPLACE FUNCTION enroll.event_set_digest() RETURNS trigger
    AS 'MODULE_PATHNAME', 'event_set_digest' LANGUAGE C;

CREATE FUNCTION enroll.event_announce() RETURNS trigger
    AS 'MODULE_PATHNAME', 'event_announce' LANGUAGE C;
COMMENT ON FUNCTION enroll.event_announce() IS
  'Trigger function on enroll.event (AFTER INSERT FOR EACH ROW): NOTIFY enroll_events, payload {"id": event id, "what": kind, "table": table name, "row": row id or null}.';
REVOKE EXECUTE ON FUNCTION enroll.event_announce() FROM PUBLIC;
CREATE TRIGGER event_announce AFTER INSERT ON enroll.event
    FOR EACH ROW EXECUTE FUNCTION enroll.event_announce();

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
-- what sql/install/07_privileges.sql grants on every table of the schema
GRANT SELECT ON enroll.audit_chain TO enroll_admin;

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

-- a person reads the events about them, and the events they caused that are
-- about nobody else
ALTER POLICY event_self ON enroll.event
    USING (subject_account OPERATOR(pg_catalog.=) (SELECT enroll.current_account())
           OR (account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) AND subject_account IS NULL)
           OR (SELECT enroll.acting_as_admin()));

CREATE OR REPLACE FUNCTION enroll.check_invariants()
RETURNS TABLE (invariant text, violations bigint, example text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH
    -- the audit log in one pass: every event and every chain row (FULL JOIN),
    -- each chain row with the link before it in chain order (lag over the
    -- chain rows only; 32 zero bytes before the first).  OFFSET 0 computes
    -- the digests before the sort, which then sorts narrow rows.
    ledger AS (
        SELECT l.*, pg_catalog.lag(l.link, 1, pg_catalog.decode(pg_catalog.repeat('00', 32), 'hex'))
                        OVER (PARTITION BY l.pos IS NULL ORDER BY l.pos) AS prev
          FROM (SELECT e.id, e.what, e.xid, e.digest, enroll.event_digest(e) AS content,
                       c.event_id AS chained, c.pos, c.xid AS chained_xid, c.link
                  FROM enroll.event e FULL JOIN enroll.audit_chain c ON c.event_id OPERATOR(pg_catalog.=) e.id
                OFFSET 0) l
    ),
    -- the horizon of the last seal: every event below it had to be sealed
    sealed AS (
        SELECT c.horizon FROM enroll.audit_chain c ORDER BY c.pos DESC LIMIT 1
    ),
    audit AS (
        SELECT count(*) FILTER (WHERE l.id IS NOT NULL AND l.digest IS DISTINCT FROM l.content) AS changed,
               min(pg_catalog.format('event %s (%s)', l.id, l.what))
                   FILTER (WHERE l.id IS NOT NULL AND l.digest IS DISTINCT FROM l.content) AS changed_example,
               count(*) FILTER (WHERE l.pos IS NOT NULL AND l.id IS NOT NULL
                                  AND (l.link IS DISTINCT FROM pg_catalog.sha256(l.prev OPERATOR(pg_catalog.||) l.content)
                                       OR l.chained_xid IS DISTINCT FROM l.xid)) AS broken,
               (array_agg(pg_catalog.format('event %s (%s) at position %s', l.id, l.what, l.pos) ORDER BY l.pos)
                   FILTER (WHERE l.pos IS NOT NULL AND l.id IS NOT NULL
                             AND (l.link IS DISTINCT FROM pg_catalog.sha256(l.prev OPERATOR(pg_catalog.||) l.content)
                                  OR l.chained_xid IS DISTINCT FROM l.xid)))[1] AS broken_example,
               count(*) FILTER (WHERE l.pos IS NOT NULL AND l.id IS NULL) AS missing,
               (array_agg(pg_catalog.format('event %s at position %s', l.chained, l.pos) ORDER BY l.pos)
                   FILTER (WHERE l.pos IS NOT NULL AND l.id IS NULL))[1] AS missing_example,
               count(*) FILTER (WHERE l.pos IS NULL AND l.xid OPERATOR(pg_catalog.<) s.horizon) AS unsealed,
               (array_agg(pg_catalog.format('event %s (%s) of transaction %s', l.id, l.what, l.xid) ORDER BY l.xid, l.id)
                   FILTER (WHERE l.pos IS NULL AND l.xid OPERATOR(pg_catalog.<) s.horizon))[1] AS unsealed_example
          FROM ledger l LEFT JOIN sealed s ON true
    ),
    checks(invariant, violations, example) AS (
        -- S2.23: at most one current license per holder and course
        SELECT 'one current license per holder and course', count(*),
               min(pg_catalog.format('holder %s, course %s: %s current licenses', d.holder, d.course_id, d.n))
          FROM (SELECT pg_catalog.concat(l.holder_kind, ' ', COALESCE(l.account_id, l.organization_id)) AS holder,
                       l.course_id, count(*) AS n
                  FROM enroll.license l WHERE l.ended_at IS NULL
                 GROUP BY 1, 2 HAVING count(*) OPERATOR(pg_catalog.>) 1) d
        UNION ALL
        -- seats never over-allocated
        SELECT 'seats not over-allocated', count(*),
               min(pg_catalog.format('organization license %s: %s seats bought, %s allocated', d.id, d.seats, d.n))
          FROM (SELECT p.id, p.seats, count(s.id) AS n
                  FROM enroll.license p JOIN enroll.license s ON s.parent_license OPERATOR(pg_catalog.=) p.id
                 WHERE s.ended_at IS NULL
                 GROUP BY p.id, p.seats HAVING count(s.id) OPERATOR(pg_catalog.>) p.seats) d
        UNION ALL
        -- S1.5: one account per mailbox, whatever the spelling (the unique
        -- index compares email_key; twins of one canonical address are found here)
        SELECT 'one account per address', count(*),
               min(pg_catalog.format('%s: %s accounts', d.k, d.n))
          FROM (SELECT enroll.email_canonical_key(a.email) AS k, count(*) AS n FROM enroll.account a
                 GROUP BY 1 HAVING count(*) OPERATOR(pg_catalog.>) 1) d
         WHERE d.k IS NOT NULL
        UNION ALL
        -- S1: every session enrollment has its group membership and a license of the
        -- same account and course
        SELECT 'enrollment backed by its group and license', count(*),
               min(pg_catalog.format('enrollment %s (account %s, course %s)', e.id, e.account_id, e.course_id))
          FROM enroll.enrollment e
          LEFT JOIN enroll.license l ON l.id OPERATOR(pg_catalog.=) e.license_id
         WHERE e.group_id IS NOT NULL
           AND (l.id IS NULL OR l.account_id IS DISTINCT FROM e.account_id
                OR NOT EXISTS (SELECT FROM enroll.group_member g
                                WHERE g.group_id OPERATOR(pg_catalog.=) e.group_id
                                  AND g.account_id OPERATOR(pg_catalog.=) e.account_id))
        UNION ALL
        -- S1.4: every order has its own group (keyed on the order's id since
        -- 1.2: references are the operator's own)
        SELECT 'order has its group', count(*),
               min(pg_catalog.format('order %s of operator %s', p.order_ref, p.operator_id))
          FROM enroll.purchase_order p
         WHERE NOT EXISTS (SELECT FROM enroll.course_group g WHERE g.order_id OPERATOR(pg_catalog.=) p.id)
        UNION ALL
        -- 1.2: a cancelled order holds no delegated role (its cross roles
        -- went with it, or to another live order of the operator)
        SELECT 'cancelled order holds no delegated role', count(*),
               min(pg_catalog.format('role assignment %s held by cancelled order %s of operator %s',
                                     r.id, p.order_ref, p.operator_id))
          FROM enroll.role_assignment r
          JOIN enroll.purchase_order p ON p.id OPERATOR(pg_catalog.=) r.order_id
         WHERE p.cancelled_at IS NOT NULL  -- cancelled (purchase_order_cancelled)
        UNION ALL
        -- 1.2: a capped offer's counter matches the acceptances made (licenses
        -- obtained from it, seats aside; a DBA's hand-written license is not
        -- counted by the engine)
        SELECT 'capped offer counts its acceptances', count(*),
               min(pg_catalog.format('offer %s: %s acceptances counted, %s made', o.code, o.acceptances_made, COALESCE(d.n, 0)))
          FROM enroll.offer o
          -- one pass over the licenses (no index on offer_id), not one per offer
          LEFT JOIN (SELECT l.offer_id, count(*) AS n FROM enroll.license l
                      WHERE l.parent_license IS NULL
                        AND l.offer_id IN (SELECT c.id FROM enroll.offer c WHERE c.max_acceptances IS NOT NULL)
                      GROUP BY l.offer_id) d
                 ON d.offer_id OPERATOR(pg_catalog.=) o.id
         WHERE o.max_acceptances IS NOT NULL AND o.acceptances_made IS DISTINCT FROM COALESCE(d.n, 0)
        UNION ALL
        -- the audit log is unchanged: every event matches its digest; every
        -- chain link matches the link before it and its event's content; no
        -- chained event is gone; no event below the last seal's horizon was
        -- left out of the chain (written behind its back)
        SELECT v.invariant, v.violations, v.example
          FROM audit a CROSS JOIN LATERAL (VALUES
               ('event rows unchanged', a.changed, a.changed_example),
               ('audit chain links match the events', a.broken, a.broken_example),
               ('audit chain events still present', a.missing, a.missing_example),
               ('audit chain covers every event below its horizon', a.unsealed, a.unsealed_example)
          ) AS v(invariant, violations, example)
    )
    SELECT c.invariant, c.violations, c.example FROM checks c
     WHERE c.violations OPERATOR(pg_catalog.>) 0
     ORDER BY c.invariant;
END;
COMMENT ON FUNCTION enroll.check_invariants() IS
  'Scans the data and reports every broken invariant with a count and an example: two current licenses for one holder and course, seats over-allocated, two accounts for one mailbox (any spelling of it), a session enrollment without its group membership or license, an order without its group, a delegated role held by a cancelled order, a capped offer whose counter differs from its acceptances, an event row changed, and the audit chain broken: a link that no longer matches its event, a sealed event deleted, an event left out of the chain below the last seal''s horizon. Empty result: healthy.';

-- the one sanctioned rewrite of the log, before the chain exists: the
-- addresses and names that 1.0 and 1.1 wrote into event details go (1.2
-- writes ids only), and every event about one person names that person, who
-- reads it from now on; then every existing event gets its digest again, in
-- the 1.2 encoding (the only UPDATE the log sees, as in 1.0--1.1), and the
-- indexes of 1.2: no index on the row (nothing reads the log by row, and each
-- index costs every event written), the actor's index only for the events
-- about nobody (the policy event_self's second arm)
DROP INDEX enroll.event_row_idx;
DROP INDEX enroll.event_account_idx;
ALTER TABLE enroll.event DISABLE TRIGGER event_append_only;
UPDATE enroll.event e SET details = NULLIF(e.details OPERATOR(pg_catalog.-) '{email,firstname,lastname}'::text[], '{}'::jsonb)
 WHERE e.details OPERATOR(pg_catalog.?|) '{email,firstname,lastname}'::text[];
UPDATE enroll.event e SET subject_account = CASE e.table_name
        WHEN 'account' THEN e.row_id
        WHEN 'license' THEN (SELECT l.account_id FROM enroll.license l WHERE l.id OPERATOR(pg_catalog.=) e.row_id)
        WHEN 'membership' THEN (SELECT m.account_id FROM enroll.membership m WHERE m.id OPERATOR(pg_catalog.=) e.row_id)
        WHEN 'enrollment' THEN (SELECT x.account_id FROM enroll.enrollment x WHERE x.id OPERATOR(pg_catalog.=) e.row_id)
        WHEN 'role_assignment' THEN (SELECT r.account_id FROM enroll.role_assignment r WHERE r.id OPERATOR(pg_catalog.=) e.row_id)
        END
 WHERE e.subject_account IS NULL AND e.row_id IS NOT NULL
   AND e.table_name OPERATOR(pg_catalog.=) ANY ('{account,license,membership,enrollment,role_assignment}'::text[]);
UPDATE enroll.event e SET digest = enroll.event_digest(e);
ALTER TABLE enroll.event ENABLE TRIGGER event_append_only;
CREATE INDEX event_account_idx ON enroll.event (account_id) WHERE subject_account IS NULL AND account_id IS NOT NULL;
CREATE INDEX event_subject_idx ON enroll.event (subject_account) WHERE subject_account IS NOT NULL;
CREATE INDEX event_chain_idx ON enroll.event (xid, id);

-- the chain starts: every event whose transaction has ended is sealed
SELECT enroll.seal_audit_log();
-- @@audit-end@@
-------------------------------------------------------------------------------
-- Privileges: every GRANT and REVOKE of a fresh 1.2 install, in its order
-- (they are idempotent), so that an updated database grants exactly what a
-- fresh one does: among them, applications and readers read the account
-- columns without the profile, and the hash chain is the admins'.
-------------------------------------------------------------------------------
GRANT USAGE ON SCHEMA enroll TO enroll_admin, enroll_app, enroll_reader;
REVOKE EXECUTE ON FUNCTION enroll.log_event(text, text, bigint, jsonb, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION enroll.event_announce() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION enroll.seal_audit_log() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.seal_audit_log() TO enroll_admin;
REVOKE EXECUTE ON FUNCTION enroll.audit_head() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.audit_head() TO enroll_admin;
REVOKE EXECUTE ON FUNCTION enroll.events_since(bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.events_since(bigint, integer) TO enroll_admin, enroll_app, enroll_reader;
REVOKE EXECUTE ON FUNCTION enroll.erase_account(bigint, text), enroll.jsonb_scrub_strings(jsonb, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.erase_account(bigint, text) TO enroll_admin, enroll_app;
REVOKE ALL ON FUNCTION
    enroll.actor_orders(), enroll.actor_order_groups(), enroll.actor_managed_accounts(),
    enroll.actor_groups(), enroll.actor_administered_organizations(),
    enroll.actor_administered_members(), enroll.actor_administered_licenses()
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    enroll.actor_orders(), enroll.actor_order_groups(), enroll.actor_managed_accounts(),
    enroll.actor_groups(), enroll.actor_administered_organizations(),
    enroll.actor_administered_members(), enroll.actor_administered_licenses()
    TO enroll_admin, enroll_app, enroll_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA enroll FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA enroll FROM PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA enroll TO enroll_admin, enroll_app, enroll_reader;
REVOKE SELECT ON enroll.account FROM enroll_app, enroll_reader;
GRANT SELECT (id, email, firstname, lastname, created_at, erased_at) ON enroll.account TO enroll_app, enroll_reader;
REVOKE SELECT ON enroll.audit_chain FROM enroll_app, enroll_reader;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA enroll FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.clock_now(), enroll.email_key(text), enroll.normalize_email(text),
    enroll.trim_blank(text), enroll.is_blank(text), enroll.email_canonical_key(text) TO PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.current_account(), enroll.acting_as_admin()
    TO enroll_admin, enroll_app, enroll_reader;
GRANT EXECUTE ON FUNCTION enroll.act_as(bigint) TO enroll_admin, enroll_app;
GRANT EXECUTE ON FUNCTION
    enroll.register_account(text, text, text),
    enroll.set_login_role(bigint, name),
    enroll.create_course(text, text),
    enroll.create_organization_type(text, text),
    enroll.create_organization(text, text),
    enroll.set_organization_admin(bigint, bigint, boolean),
    enroll.update_organization(bigint, text, enroll.join_policy),
    enroll.upgrade_organization_profile(bigint, enroll.profile_level, jsonb)
    TO enroll_admin, enroll_app;
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
REVOKE ALL ON FUNCTION
    enroll.check_handler_params(text, text, text),
    enroll.check_offer_price(numeric),
    enroll.check_offer_fields(enroll.offer),
    enroll.offer_validity_guard(),
    enroll.offer_cap_count(),
    enroll.offer_window_state(timestamptz, timestamptz, timestamptz),
    enroll.offer_state(bigint),
    enroll.offer_addressed_to_actor(bigint),
    enroll.create_offer(text, text, bigint, numeric, text, timestamptz, timestamptz, interval, enroll.offer_visibility, enroll.holder_kind, enroll.profile_level, text, interval, integer, text, integer),
    enroll.update_offer(bigint, text, numeric, text, timestamptz, timestamptz, enroll.profile_level, text, interval, interval, integer, text, integer),
    enroll.add_offer_recipient(bigint, bigint, bigint),
    enroll.add_offer_registrar_type(bigint, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.offer_window_state(timestamptz, timestamptz, timestamptz) TO PUBLIC;
GRANT EXECUTE ON FUNCTION
    enroll.offer_state(bigint),
    enroll.offer_addressed_to_actor(bigint)
    TO enroll_admin, enroll_app, enroll_reader;
GRANT EXECUTE ON FUNCTION
    enroll.create_offer(text, text, bigint, numeric, text, timestamptz, timestamptz, interval, enroll.offer_visibility, enroll.holder_kind, enroll.profile_level, text, interval, integer, text, integer),
    enroll.update_offer(bigint, text, numeric, text, timestamptz, timestamptz, enroll.profile_level, text, interval, interval, integer, text, integer),
    enroll.add_offer_recipient(bigint, bigint, bigint),
    enroll.add_offer_registrar_type(bigint, text)
    TO enroll_admin, enroll_app;
REVOKE ALL ON enroll.visible_offers FROM PUBLIC;
GRANT SELECT ON enroll.visible_offers TO enroll_admin, enroll_app, enroll_reader;
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
REVOKE EXECUTE ON FUNCTION enroll.access_status(bigint, bigint), enroll.can_access(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.access_status(bigint, bigint), enroll.can_access(bigint, bigint)
    TO enroll_admin, enroll_app, enroll_reader;
REVOKE EXECUTE ON FUNCTION enroll.setup_course_session(text, bigint, bigint, integer, jsonb, boolean, boolean),
    enroll.setup_course_session(text, jsonb, boolean, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.setup_course_session(text, bigint, bigint, integer, jsonb, boolean, boolean),
    enroll.setup_course_session(text, jsonb, boolean, boolean) TO enroll_admin, enroll_app;
REVOKE EXECUTE ON FUNCTION enroll.cancel_order(text, text, bigint),
    enroll.remove_participant(text, bigint, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.cancel_order(text, text, bigint),
    enroll.remove_participant(text, bigint, text, bigint) TO enroll_admin, enroll_app;
REVOKE EXECUTE ON FUNCTION enroll.check_invariants(), enroll.event_digest(enroll.event), enroll.event_set_digest() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.check_invariants() TO enroll_admin;
REVOKE ALL ON enroll.account_profile, enroll.order_participants, enroll.my_licenses, enroll.organization_seats,
    enroll.report_acceptances, enroll.report_active_learners, enroll.report_seats, enroll.report_orders FROM PUBLIC;
GRANT SELECT ON enroll.account_profile, enroll.order_participants, enroll.my_licenses, enroll.organization_seats
    TO enroll_admin, enroll_app, enroll_reader;
REVOKE ALL ON enroll.report_acceptances, enroll.report_active_learners, enroll.report_seats, enroll.report_orders
    FROM enroll_app;
GRANT SELECT ON enroll.report_acceptances, enroll.report_active_learners, enroll.report_seats, enroll.report_orders
    TO enroll_admin, enroll_reader;
REVOKE EXECUTE ON FUNCTION enroll.license_state(enroll.license, timestamptz, boolean, boolean), enroll.check_window(interval),
    enroll.licenses_ending(interval), enroll.documents_due(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.license_state(enroll.license, timestamptz, boolean, boolean),
    enroll.licenses_ending(interval), enroll.documents_due(interval) TO enroll_admin, enroll_app, enroll_reader;

-------------------------------------------------------------------------------
-- Comments: every COMMENT ON of a fresh 1.2 install (idempotent), so that the
-- catalogue documents an updated database exactly as a fresh one.
-------------------------------------------------------------------------------
COMMENT ON TYPE enroll.profile_level IS
  'Ordered profile levels (S2.11): default < billing. A paid offer needs billing.';
COMMENT ON TYPE enroll.context_level IS
  'Where a role assignment applies; system has no context_id, the others name a row.';
COMMENT ON TYPE enroll.offer_visibility IS
  'public: seen by anyone, even anonymous (S2.6); private: only its addressees and admins (S2.7).';
COMMENT ON TYPE enroll.holder_kind IS
  'Who an offer is for and who holds a license: a person (account) or an organization (S2.7, S2.8).';
COMMENT ON TYPE enroll.acceptance_mode IS
  'How a license was accepted: by the learner, by a system admin on their behalf, by an organization admin, by a session operator (S1, S2.8).';
COMMENT ON TYPE enroll.license_end_reason IS
  'Why a license ended early: superseded by a newer one for the same course (S2.23), revoked by an admin, its order cancelled, its holder removed from the order, or (a seat) released by the organization or ended when its holder left the organization.';
COMMENT ON TYPE enroll.order_status IS
  'State of a purchase order. Setup is all or nothing (S1.1), so a stored order is completed, until it is cancelled (enroll.cancel_order).';
COMMENT ON TYPE enroll.join_policy IS
  'Who adds members to an organization: open, the learner themself (S2.17); approval, only its administrators (S2.13: the organization delegates its learners).';
COMMENT ON FUNCTION enroll.clock_now() IS
  'The instant every rule reads: the superuser-only GUC enroll.clock when set, else transaction_timestamp().';
COMMENT ON FUNCTION enroll.act_as(bigint) IS
  'The application (a member of enroll_app) says which account it acts for, until the end of the transaction. Others get 42501.';
COMMENT ON FUNCTION enroll.current_account() IS
  'The acting account: set by act_as in this transaction, else the account whose login_role is the session role, else NULL (anonymous).';
COMMENT ON FUNCTION enroll.acting_as_admin() IS
  'True when the actor is a system administrator: the session role has enroll_admin privileges, or the acting account has is_admin.';
COMMENT ON FUNCTION enroll.require_admin(text) IS
  'Raises 42501 naming the action unless the actor is a system administrator. Internal helper of the extension''s functions.';
COMMENT ON FUNCTION enroll.trim_blank(text) IS
  'The value without leading and trailing whitespace (space, tab, CR, LF, form feed, vertical tab): the one whitespace set of pg_enroll.';
COMMENT ON FUNCTION enroll.is_blank(text) IS
  'True when a value is empty or made only of whitespace (enroll.trim_blank); NULL for NULL. Required values are refused when blank, by the functions and by CHECK constraints.';
COMMENT ON FUNCTION enroll.email_key(text) IS
  'Uniqueness key of an e-mail address (S1.5): trimmed and ASCII lower-cased, independent of the database collation.';
COMMENT ON FUNCTION enroll.normalize_email(text) IS
  'The canonical form of an e-mail address after RFC 5321/5322 validation (S1.5): Unicode NFC, trimmed of ASCII and Unicode whitespace, quotes and backslashes that are not needed removed, domain ASCII lower-cased, IPv6 literals in RFC 5952 form; control, invisible and noncharacter code points refused. 22023 naming the problem otherwise. The one validation every stored address goes through; every spelling of one mailbox gives the same form.';
COMMENT ON FUNCTION enroll.email_canonical_key(text) IS
  'Uniqueness key of the canonical form of an e-mail address (S1.5): enroll.email_key of what enroll.normalize_email returns (Unicode NFC, quotes that are not needed removed, RFC 5952 IPv6 literals), so every spelling of one mailbox gets one key; NULL, never an error, for an invalid address. check_invariants() groups stored accounts by it to find twins of one mailbox.';
COMMENT ON FUNCTION enroll.profile_missing_fields(enroll.profile_level, jsonb) IS
  'The fields a profile level needs that data lacks or gets wrong (S2.11, S2.12). billing: firstname, lastname and a postal address (address.street, address.postal_code, address.city, address.country as ISO 3166-1 alpha-2), each a JSON string, not blank, at most 200 characters. Empty array: complete.';
COMMENT ON FUNCTION enroll.profile_complete(enroll.profile_level, text, text, jsonb) IS
  'True when a person''s names and profile object hold everything the level needs (enroll.profile_missing_fields is empty). The CHECK constraint account_level_backed: a level is never above what the data backs.';
COMMENT ON FUNCTION enroll.organization_profile_missing_fields(enroll.profile_level, jsonb) IS
  'The fields an organization''s billing level needs that data lacks or gets wrong: legal_name and a postal address (address.street, address.postal_code, address.city, address.country as ISO 3166-1 alpha-2), each a JSON string, not blank, at most 200 characters; vat_number is optional but, when given, an EU-style VAT number (two capital letters, then 2 to 13 letters, digits, +, * or .). Empty array: complete.';
COMMENT ON FUNCTION enroll.organization_profile_complete(enroll.profile_level, jsonb) IS
  'True when an organization''s profile holds everything the level needs. The CHECK constraint organization_level_backed.';
COMMENT ON FUNCTION enroll.quotable(text) IS
  'A user-supplied value short enough to quote in an error message: at most 64 characters, "..." appended when cut. Internal helper.';
COMMENT ON FUNCTION enroll.period_in_bounds(interval) IS
  'True when a period is at most 100 years and none of its parts (months, days, time) exceeds 100 years on its own, so that adding it to any instant of this era cannot overflow. Used by the CHECK constraints on offer.access_period and offer.documents_grace.';
COMMENT ON TABLE enroll.organization_type IS
  'Kinds of registrar organization (school, university, non-profit ...) that narrow an offer''s audience (S2.13, S2.16).';
COMMENT ON TABLE enroll.organization IS
  'Registrar organizations (S2.13-S2.17): they register learners; they neither offer nor hold the learner''s license (S2.15).';
COMMENT ON COLUMN enroll.organization.join_policy IS
  'open: a learner joins by themself, also while accepting an offer (S2.17); approval: only an administrator of the organization (or a system admin) adds members, the organization delegates its learners (S2.13).';
COMMENT ON COLUMN enroll.organization.profile_level IS
  'The organization''s own profile level, for organization offers above default (its invoice data, not the accepting admin''s); always backed by complete data (organization_level_backed).';
COMMENT ON COLUMN enroll.organization.profile IS
  'The organization''s invoice data: legal_name, address (street, postal_code, city, country), optional vat_number; set with enroll.upgrade_organization_profile.';
COMMENT ON TABLE enroll.account IS
  'People. The e-mail address identifies a person (S1.5): unique case- and space-insensitively (index account_email_key).';
COMMENT ON COLUMN enroll.account.login_role IS
  'Database role mapped to this account: enroll.current_account() returns it for that role when no act_as is in force.';
COMMENT ON COLUMN enroll.account.is_admin IS
  'A system administrator acting through the application (S2.8).';
COMMENT ON COLUMN enroll.account.profile IS
  'Profile data supplied for profile levels, a JSON object (S2.11, S2.12). Visible to the account itself and system admins only (enroll.account_profile).';
COMMENT ON COLUMN enroll.account.profile_level IS
  'The level the account''s data supports (S2.11); never above what its data backs (account_level_backed). Visible to the account itself and system admins only.';
COMMENT ON COLUMN enroll.account.erased_at IS
  'Set by enroll.erase_account: the person''s data is gone and the row stays as anonymous history.';
COMMENT ON TABLE enroll.membership IS
  'An account in an organization. At most one current (left_at IS NULL) membership per pair; leaving keeps the row as history (S2.19).';
COMMENT ON COLUMN enroll.membership.is_admin IS
  'An administrator of the organization: accepts organization offers on its behalf (S2.8) and allocates its seats.';
COMMENT ON TABLE enroll.course IS
  'Courses, identified by their short name (S1.2).';
COMMENT ON TABLE enroll.role IS
  'Role catalogue. Seeded (builtin): student, teacher, delegated_manager, delegated_user (S1.6, S1.9).';
COMMENT ON TABLE enroll.role_assignment IS
  'A role given to an account in a context. Cross assignments in user contexts tie an operator to the accounts set up for them (S1.6).';
COMMENT ON COLUMN enroll.role_assignment.order_id IS 'The purchase order that gave the role (S1.6 cross roles), while it lasts.';
COMMENT ON TABLE enroll.course_group IS
  'A group of a course; idnumber is the purchase order reference, one group per order (S1.4).';
COMMENT ON COLUMN enroll.course_group.order_id IS
  'The purchase order whose group this is (course_group_order_key: one group per order). Order references are unique per operator, so two operators'' orders with the same reference have two groups.';
COMMENT ON TABLE enroll.group_member IS
  'An account in a course group (S1.4). In an order''s group a member is a participant of the order: the seat it takes (S1.3) and the address and names as the operator gave them, which is all the operator sees of the person (enroll.order_participants).';
COMMENT ON COLUMN enroll.group_member.given_firstname IS 'The first name as the operator gave it in the order (erased with the account).';
COMMENT ON COLUMN enroll.group_member.given_lastname IS 'The last name as the operator gave it in the order (erased with the account).';
COMMENT ON COLUMN enroll.group_member.given_email IS 'The address as the operator gave it in the order (erased with the account).';
COMMENT ON COLUMN enroll.group_member.seat IS 'learner or tutor: the kind of seat the participant takes (S1.3: both are bought; refunds of tutor seats are computed from this).';
COMMENT ON COLUMN enroll.group_member.removed_at IS 'Set when the participant was taken out of the order (remove_participant, cancel_order): the seat is free again and a later call of the same order does not bring the person back.';
COMMENT ON TABLE enroll.offer IS
  'Offers (S2.1): price and currency (S2.2), validity window (S2.3), public or private (S2.6, S2.7), required profile level (S2.11), extra condition (S2.21), access period, documents grace (S2.18), seats for organization offers, session handler parameters (S1.9, S1.11).';
COMMENT ON COLUMN enroll.offer.price IS 'Price including VAT; 0 is a free offer, NaN is refused. A price above 0 needs required_level billing (S2.11).';
COMMENT ON COLUMN enroll.offer.currency IS 'ISO 4217 code, three capital letters.';
COMMENT ON COLUMN enroll.offer.recipient_kind IS 'Who holds the licenses: persons, or organizations (which then allocate seats).';
COMMENT ON COLUMN enroll.offer.extra_condition IS 'Free-text condition the learner must accept (S2.21, S2.22); shown before login. At most 10000 characters.';
COMMENT ON COLUMN enroll.offer.access_period IS 'How long a license from this offer grants access, counted from acceptance (S2.23). Positive, at most 100 years (enroll.period_in_bounds).';
COMMENT ON COLUMN enroll.offer.documents_grace IS 'When set, documents must be validated within this time after acceptance (S2.18). Positive, at most 100 years (enroll.period_in_bounds).';
COMMENT ON COLUMN enroll.offer.handler_params IS 'URL-encoded session setup parameters: coursename, supervisor, customersupport, starttime, endtime (S1.9-S1.11). At most 65536 bytes, the limit of the parser.';
COMMENT ON COLUMN enroll.offer.acceptances_made IS 'With an acceptance cap (max_acceptances): the acceptances made so far, counted against the cap (licenses obtained from the offer, a repeat and each session participant''s included, seats given from an organization license not); NULL without a cap. Kept by the trigger offer_cap_count and by the acceptances themselves; never above the cap (offer_places_within_cap).';
COMMENT ON TABLE enroll.offer_registrar_type IS
  'Organization types that narrow an offer''s audience (S2.13): when any is listed, the learner must name a registrar organization of one of them (S2.17).';
COMMENT ON TABLE enroll.offer_recipient IS
  'Addressees of a private offer (S2.7): an account XOR an organization, all of the offer''s recipient_kind. The composite foreign key makes both structural: only private offers have addressees, and only of their kind.';
COMMENT ON TABLE enroll.license IS
  'Licenses, obtained by accepting an active offer (S2.5). At most one current license per holder and course (partial unique indexes license_current_*_key): a new one supersedes the old, access times never add up (S2.23).';
COMMENT ON COLUMN enroll.license.registrar_org_id IS 'The registrar organization named at acceptance (S2.14, S2.17); never the holder (S2.15).';
COMMENT ON COLUMN enroll.license.accepted_condition IS 'The offer''s extra condition text exactly as accepted (S2.21, S2.22).';
COMMENT ON COLUMN enroll.license.parent_license IS 'For a seat: the organization license it was allocated from.';
COMMENT ON COLUMN enroll.license.seats IS 'For an organization license: how many seats were bought.';
COMMENT ON COLUMN enroll.license.documents_due_at IS 'Documents must be validated by then, or access stops (S2.18). A license that supersedes one of the same course and registrar with an unmet deadline keeps that earlier deadline.';
COMMENT ON COLUMN enroll.license.ended_at IS 'When the license stopped or stops being the holder''s: now, or, when a license that starts later superseded it, the instant the successor starts (it gives access until then).';
COMMENT ON COLUMN enroll.license.superseded_by IS 'The license that superseded this one (S2.23); license_superseded_by_idx finds the predecessor of a license.';
COMMENT ON COLUMN enroll.license.order_id IS 'The purchase order that created the license (session participants).';
COMMENT ON COLUMN enroll.license.order_ref IS 'The order reference of a session license as the operator gave it (S1.4), for reading; order_id is the link.';
COMMENT ON COLUMN enroll.license.end_note IS 'Why the license ended, as the person who ended it wrote it (revoke_license, release_seat, cancel_order, remove_participant reasons; at most 2000 characters).';
COMMENT ON TYPE enroll.license_grant IS
  'Result of accept_offer and allocate_seat: the license that gives the holder access after the call, and outcome: granted (there was none), replaced (the current license ended now), follows (the current license gives access until this one starts), kept (someone else''s offer would not have given more: the holder keeps their license, returned here, and no license was created).';
COMMENT ON TABLE enroll.enrollment IS
  'An account enrolled in a course with a role, optionally in a group of that course (composite foreign key) and backed by a license of that course.';
COMMENT ON COLUMN enroll.enrollment.license_id IS 'The license of the course that gives access; kept pointing at the holder''s current license when a newer one supersedes it. time_start/time_end are its access window.';
COMMENT ON COLUMN enroll.enrollment.via_license IS 'For a support-course enrollment (S1.7): the license of the session''s course through which the participant reaches it (the order''s license, or the person''s own when it was kept or has superseded it); the support course is accessible exactly while that license gives access to the session''s course.';
COMMENT ON COLUMN enroll.enrollment.order_id IS 'The purchase order the enrollment comes from.';
COMMENT ON COLUMN enroll.enrollment.order_ref IS 'The order reference of a session enrollment as the operator gave it, for reading; order_id is the link.';
COMMENT ON TABLE enroll.purchase_order IS
  'Session purchases (S1): one row per operator and order reference (an operator cannot take, block or see another operator''s reference), the request as received (without personal data) and the report; the key of idempotent setup (S1.4).';
COMMENT ON COLUMN enroll.purchase_order.request IS 'The call as received, without personal data: the participants are counted and digested, their addresses and names live in the group''s members (erasable).';
COMMENT ON COLUMN enroll.purchase_order.report IS 'The operator''s view of the last setup''s report (what a repeat of the call answers with status already_done; erase_account scrubs the addresses in it).';
COMMENT ON TABLE enroll.event IS
  'Append-only audit log: when (rule clock and wall clock), acting account, database role, what, which row, about whom, details. UPDATE, DELETE and TRUNCATE are refused (PE012); each insert is announced by NOTIFY enroll_events; enroll.seal_audit_log() chains finished events into enroll.audit_chain.';
COMMENT ON COLUMN enroll.event.what IS 'What happened: subject.verb, e.g. license.accept, session.participant, account.erase.';
COMMENT ON COLUMN enroll.event.details IS 'What the event needs beyond its row: ids, counts, states, reasons typed by administrators; never an address or a name.';
COMMENT ON COLUMN enroll.event.account_id IS 'The acting account, kept by value: the log outlives what it describes.';
COMMENT ON COLUMN enroll.event.db_role IS 'The session role that called (not the owner of a security-definer function).';
COMMENT ON COLUMN enroll.event.xid IS
  'The top-level id of the transaction that wrote the event. The audit chain and enroll.events_since() order events by (xid, id) and take only those whose transaction has ended.';
COMMENT ON COLUMN enroll.event.digest IS
  'enroll.event_digest() of the row as inserted: a mismatch means the row was changed (check_invariants).';
COMMENT ON COLUMN enroll.event.subject_account IS
  'The person the event is about, when it is about one (kept by value, no foreign key: the log outlives what it describes). That person reads the event through row-level security.';
COMMENT ON FUNCTION enroll.log_event(text, text, bigint, jsonb, bigint) IS
  'Appends one event as the extension owner, with the acting account and session role; subject_account names the person the event is about (NULL: nobody in particular). Internal: not granted to applications.';
COMMENT ON FUNCTION enroll.event_append_only() IS
  'Trigger function refusing UPDATE, DELETE and TRUNCATE on the audit log''s tables, enroll.event and enroll.audit_chain (PE012).';
COMMENT ON FUNCTION enroll.event_digest(enroll.event) IS
  'SHA-256 of an event''s content (every column but the digest, as a JSON array), independent of session settings (time zone, date style). Set at insert by a trigger; enroll.check_invariants() recomputes it.';
COMMENT ON FUNCTION enroll.event_set_digest() IS
  'Trigger function on enroll.event (BEFORE INSERT): stores the row''s digest.';
COMMENT ON FUNCTION enroll.event_announce() IS
  'Trigger function on enroll.event (AFTER INSERT FOR EACH ROW): NOTIFY enroll_events, payload {"id": event id, "what": kind, "table": table name, "row": row id or null}.';
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
COMMENT ON POLICY audit_chain_admin ON enroll.audit_chain IS
  'Only system administrators read the hash chain (enroll.audit_head gives its head).';
COMMENT ON FUNCTION enroll.seal_audit_log() IS
  'Admins: appends every event whose transaction has ended to enroll.audit_chain, in the order (xid, id); returns how many. Sealers wait for each other (advisory lock 8099547344098455404).';
COMMENT ON FUNCTION enroll.audit_head() IS
  'Admins: seals (enroll.seal_audit_log), then returns the chain''s last event, its link in hex and the number of events sealed. Export it regularly: the same head later proves that nothing sealed up to it was changed. On a standby or in a read-only transaction: the head as it is, without sealing.';
COMMENT ON FUNCTION enroll.events_since(bigint, integer) IS
  'The events after after_id (0: from the beginning) that the caller may read, at most max (1 to 10000), in the order (xid, id), only those whose transaction has ended: a consumer that passes the id of the last event it processed never misses one committed later with a smaller id. Unknown after_id or max out of range: 22023.';
COMMENT ON FUNCTION enroll.register_account(text, text, text) IS
  'Creates an account for an unknown e-mail address, or finds the existing account for a known one, compared on the canonical address case- and space-insensitively (S1.5). Existing names are never overwritten. For a known address the result carries the account''s id and the address as given (canonical form), and the rest of the row only when the caller is that account or a system admin: nothing else about an existing person is returned. The address is validated by enroll.normalize_email; names have at most 200 characters (22023); NULL names are empty.';
COMMENT ON FUNCTION enroll.set_login_role(bigint, name) IS
  'Admins: maps a database role to an account (NULL removes the mapping), so that a DBA in psql acts as that account.';
COMMENT ON FUNCTION enroll.create_course(text, text) IS
  'Admins: creates a course identified by its unique short name (S1.2): not blank, no surrounding whitespace, at most 255 characters; the full name at most 500. NULL 22004, bad value 22023, short name taken 23505.';
COMMENT ON FUNCTION enroll.create_organization_type(text, text) IS
  'Admins: creates an organization type (school, university, non-profit ...) that offers can name (S2.13, S2.16). The code is 1 to 63 lower-case ASCII letters, digits or underscores, starting with a letter; the name is not blank, at most 200 characters. NULL 22004, bad value 22023, code taken 23505.';
COMMENT ON FUNCTION enroll.create_organization(text, text) IS
  'Admins: creates a registrar organization of the given type code (S2.13); the name is not blank, at most 200 characters. NULL 22004, unknown type or bad name 22023.';
COMMENT ON FUNCTION enroll.actor_administers(bigint) IS
  'Internal: is the actor a system administrator or a current administrator of the organization? The one authorization rule of set_organization_admin, leave_organization, allocate_seat and validate_documents. Reads as the calling function''s owner.';
COMMENT ON FUNCTION enroll.update_organization(bigint, text, enroll.join_policy) IS
  'System admins and current administrators of the organization: renames it and sets its join_policy (open: learners join by themselves, S2.17; approval: its administrators add them, S2.13). NULL leaves a field unchanged. Unknown organization PE016, not an administrator 42501, blank or too long name 22023.';
COMMENT ON FUNCTION enroll.upgrade_organization_profile(bigint, enroll.profile_level, jsonb) IS
  'System admins and current administrators of the organization supply the organization''s own invoice data (S2.11 for organization offers): billing needs legal_name and a postal address, vat_number optional; every missing or invalid field is listed at once (PE009). The level never goes down and is always backed by complete data. Unknown organization PE016, not an administrator 42501.';
COMMENT ON FUNCTION enroll.set_organization_admin(bigint, bigint, boolean) IS
  'System admins and current organization admins: makes a current member an administrator of the organization (or not). NULL arguments 22004, unknown organization PE016, not a current member PE014.';
COMMENT ON FUNCTION enroll.erase_account(bigint, text) IS
  'System admins: erases a person''s data (the right to erasure). The address becomes erased-<id>@erased.invalid, names, profile, level, login role and admin flag go, erased_at is set; the addresses and names operators gave in orders and every mention of them in the orders'' stored reports are removed. Licenses, enrollments, seats, memberships and the audit log stay as anonymous history (events hold ids, never an address or a name). Nobody acts as or for the account afterwards (PE025); the address is free for a new account. Erasing an erased account returns it unchanged. The reason (required, at most 2000 characters) is logged: write no personal data in it. NULL 22004, unknown account PE013, not an admin 42501.';
COMMENT ON FUNCTION enroll.jsonb_scrub_strings(jsonb, text[]) IS
  'Internal (erase_account): the document with every string value equal to one of the given strings replaced by "(erased)".';
COMMENT ON FUNCTION enroll.actor_orders() IS
  'Row-level security helper: the purchase orders placed by the acting account (as operator, S1). Empty when anonymous.';
COMMENT ON FUNCTION enroll.actor_order_groups() IS
  'Row-level security helper: the course groups of the purchase orders placed by the acting account, one per order (S1.4). Empty when anonymous.';
COMMENT ON FUNCTION enroll.actor_managed_accounts() IS
  'Row-level security helper: the accounts the acting account manages, i.e. in whose user context it holds the delegated_manager role (given to the operator for each participant of a session, S1.6). Empty when anonymous.';
COMMENT ON FUNCTION enroll.actor_groups() IS
  'Row-level security helper: the course groups the acting account is a member of (not taken out of). Empty when anonymous.';
COMMENT ON FUNCTION enroll.actor_administered_organizations() IS
  'Row-level security helper: the organizations of which the acting account is a current administrator (current membership with is_admin). Empty when anonymous.';
COMMENT ON FUNCTION enroll.actor_administered_members() IS
  'Row-level security helper: the current members of the organizations the acting account currently administers. Empty when anonymous.';
COMMENT ON FUNCTION enroll.actor_administered_licenses() IS
  'Row-level security helper: the licenses held by the organizations the acting account currently administers (the parents of the seats it may see). Empty when anonymous.';
COMMENT ON POLICY group_member_operator ON enroll.group_member IS
  'An operator sees the members of the groups of their orders (S1.4): the address and names as the operator gave them, the seat, whether and why the member was taken out.';
COMMENT ON POLICY role_assignment_operator ON enroll.role_assignment IS
  'An operator sees the role assignments their orders gave to the accounts they manage (delegated_user in the operator''s context, S1.6); their own delegated_manager rows they see as their own.';
COMMENT ON POLICY account_organization_admin ON enroll.account IS
  'An organization administrator sees the accounts of the current members of the organizations they administer: the columns applications may read (address, names), never the profile.';
COMMENT ON POLICY membership_organization_admin ON enroll.membership IS
  'An organization administrator sees every membership, current and past, of the organizations they administer.';
COMMENT ON POLICY license_organization_admin ON enroll.license IS
  'An organization administrator sees the licenses the organization holds and the seats allocated from them (parent_license).';
COMMENT ON POLICY course_group_admin ON enroll.course_group IS
  'System administrators see every course group.';
COMMENT ON POLICY course_group_operator ON enroll.course_group IS
  'An operator sees the groups of their orders (S1.4).';
COMMENT ON POLICY course_group_member ON enroll.course_group IS
  'A member of a group sees that group.';
COMMENT ON POLICY account_self ON enroll.account IS
  'An account sees its own row (the columns applications may read; the profile through enroll.account_profile); system admins see every row.';
COMMENT ON POLICY membership_self ON enroll.membership IS
  'An account sees its own memberships, current and past; system admins see all.';
COMMENT ON POLICY role_assignment_self ON enroll.role_assignment IS
  'An account sees the roles it holds; system admins see all.';
COMMENT ON POLICY group_member_self ON enroll.group_member IS
  'An account sees its own group memberships; system admins see all.';
COMMENT ON POLICY enrollment_self ON enroll.enrollment IS
  'An account sees its own enrollments; system admins see all.';
COMMENT ON POLICY license_self ON enroll.license IS
  'An account sees its own licenses; system admins see all.';
COMMENT ON POLICY offer_recipient_self ON enroll.offer_recipient IS
  'An account sees the private offers addressed to it (S2.7); system admins see all.';
COMMENT ON POLICY purchase_order_operator ON enroll.purchase_order IS
  'An operator sees its own orders (their references are its own); system admins see all.';
COMMENT ON POLICY event_self ON enroll.event IS
  'A person reads the events about them (subject_account), and the events they caused that are about nobody else: what an operator''s order or an organization admin''s seat did to a person''s own licenses is that person''s. System admins read all.';
COMMENT ON FUNCTION enroll.require_account() IS
  'The acting account, or error PE001 "not logged in". Internal helper of the extension''s functions.';
COMMENT ON FUNCTION enroll.account_profile_data(enroll.account) IS
  'The profile data an account has supplied: its names and its profile object, as enroll.profile_missing_fields reads them.';
COMMENT ON FUNCTION enroll.upgrade_profile(enroll.profile_level, jsonb) IS
  'The acting account supplies the data a profile level needs (S2.11, S2.12); every missing or invalid field is listed at once (PE009). Whatever the level, firstname and lastname must be JSON strings of at most 200 characters and the stored profile at most 65536 bytes (22023). The level never goes down.';
COMMENT ON FUNCTION enroll.join_organization(bigint) IS
  'The acting account joins an organization (S2.17); joining one it already belongs to returns the current membership. An organization whose join_policy is approval refuses (PE022): its administrators add members (enroll.join_organization(organization, account, email)).';
COMMENT ON FUNCTION enroll.join_organization(bigint, bigint, text) IS
  'An administrator of the organization (or a system admin) adds a person as a member: the way into an organization whose join_policy is approval (S2.13). The person is named by account id and address (compared as one mailbox, any spelling), so that ids cannot be tried one by one to learn who they are. Adding a current member returns the membership. NULL 22004, unknown organization PE016, no account with that id and address PE013, erased account PE025, not an administrator 42501.';
COMMENT ON FUNCTION enroll.leave_organization(bigint, bigint) IS
  'Ends a current membership (left_at = now): the member themself, a system admin, or an admin of the organization. Licenses naming it as registrar stop granting access (S2.19). NULL organization 22004 (NULL account: the acting one), unknown organization PE016, not a current member PE014.';
COMMENT ON FUNCTION enroll.accept_offer(bigint, bigint, boolean, boolean, bigint, bigint, text) IS
  'Accepts an offer and returns the license that gives access with the outcome (S2.5). Checks in order: logged in (PE001), offer active and visible (PE002, PE003: a private offer reveals nothing to a non-addressee), acceptable by this actor for this beneficiary (PE010, 42501), profile level (PE004; an organization offer checks the organization''s own profile), registrar organization (PE005, PE006, PE022 when it admits members by approval), extra condition (PE007), places left (PE023). The learner''s own acceptance supersedes the current license (S2.23); a system admin accepting on a learner''s behalf never reduces their access (outcome kept). A session offer''s starttime/endtime are the access window; a license that starts later does not cut access before it starts (follows). An organization''s renewal carries its live seats (PE024 when too few).';
COMMENT ON FUNCTION enroll.offer_requirements(bigint) IS
  'The steps the acting account must still take to accept an offer, each with "satisfied": login; for an organization offer, organization_admin (the organizations the account administers, with their profile level and missing fields) and organization_profile (S2.11 for the organization''s invoice data); replaces_current_license whenever accepting would supersede the account''s current license (the license, its end, the access time lost: informational, for the application to ask consent, S2.23); profile (always listed above default, S2.12); registrar organization with its candidates (S2.16, S2.17); extra condition text (S2.21). With a capped offer, places_left. A private offer is PE003 to non-addressees. Drives an acceptance UI.';
COMMENT ON FUNCTION enroll.offer_validity_guard() IS
  'Trigger function on enroll.offer (BEFORE UPDATE): a changed valid_from or valid_until may not lie in the past, valid_from is frozen once the offer has started, and the window stays non-empty (S2.4, PE008).';
COMMENT ON TRIGGER offer_validity_guard ON enroll.offer IS
  'S2.4: validity edits never reach into the past; the start of an offer that has started is frozen (PE008).';
COMMENT ON FUNCTION enroll.offer_window_state(timestamptz, timestamptz, timestamptz) IS
  'State of a validity window at an instant (S2.3): upcoming before valid_from, active from valid_from (inclusive) until valid_until (exclusive), expired from valid_until on.';
COMMENT ON FUNCTION enroll.offer_state(bigint) IS
  'upcoming, active or expired at enroll.clock_now() (S2.3): active from valid_from (inclusive) until valid_until (exclusive). Unknown offer: PE015; a private offer not addressed to the acting account: PE003, and nothing of its window.';
COMMENT ON FUNCTION enroll.offer_addressed_to_actor(bigint) IS
  'True when the offer has the acting account among its addressees, or an organization of which the acting account is a current member (S2.7). False when anonymous.';
COMMENT ON FUNCTION enroll.check_handler_params(text, text, text) IS
  'Internal: 22023 unless params are valid session handler parameters (S1.9-S1.11) naming course_shortname; the pure C parser of setup_course_session, run when an offer is created or edited.';
COMMENT ON FUNCTION enroll.check_offer_price(numeric) IS
  'Internal: 22023 unless a price given to create_offer or update_offer is finite and fits numeric(12,2).';
COMMENT ON FUNCTION enroll.check_offer_fields(enroll.offer) IS
  'Internal: 22023 naming the first field of an offer row that breaks a rule (title, price, currency, finite window, periods, lengths, seats). Shared by create_offer and update_offer.';
COMMENT ON FUNCTION enroll.create_offer(text, text, bigint, numeric, text, timestamptz, timestamptz, interval, enroll.offer_visibility, enroll.holder_kind, enroll.profile_level, text, interval, integer, text, integer) IS
  'Admins: creates an offer with its conditions (S2.1): price and currency (S2.2), validity window (S2.3), visibility and recipient kind (S2.6, S2.7), required profile level (NULL: billing when the price is above 0, else default; S2.11), extra condition (S2.21; blank means none). Bad input is refused with a clear error before anything is written: NULL 22004; blank, too long (code 100, title 500, extra condition 10000 characters, handler_params 65536 bytes), seats above 100000, max_acceptances (the acceptance cap; NULL: none) outside 1 to 100000000, a price that is negative or not a finite number, infinite validity bounds, an access period or documents grace not positive or over 100 years: 22023; code taken 23505.';
COMMENT ON FUNCTION enroll.update_offer(bigint, text, numeric, text, timestamptz, timestamptz, enroll.profile_level, text, interval, interval, integer, text, integer) IS
  'Admins: edits an offer. NULL leaves a field unchanged; extra_condition => '''' (or handler_params => '''') removes it, max_acceptances => 0 removes the acceptance cap; a cap below the acceptances already made is refused (22023). The new values obey create_offer''s rules (22023). Validity edits obey S2.4 through the trigger offer_validity_guard (PE008). The event lists each changed field with its old and new value; a call that changes nothing writes nothing. Unknown offer: PE015.';
COMMENT ON FUNCTION enroll.add_offer_recipient(bigint, bigint, bigint) IS
  'Admins: addresses a private offer to an account or an organization (exactly one), of the offer''s recipient_kind (S2.7; PE010 for the other kind). Naming an existing addressee again returns its row. Unknown offer, account, organization: PE015, PE013, PE016.';
COMMENT ON FUNCTION enroll.add_offer_registrar_type(bigint, text) IS
  'Admins: narrows an offer''s audience to members of organizations of this type (S2.13, S2.16); the learner then names a registrar organization of one of the listed types (S2.17). Listing a type again returns its row. Unknown type: 22023.';
COMMENT ON POLICY offer_visible ON enroll.offer IS
  'Public offers in any state for every reader, private offers for their addressees (S2.7), every offer for system admins.';
COMMENT ON VIEW enroll.visible_offers IS
  'Offers the acting account may see and could act on: active public offers for anyone, anonymous included (S2.6); active private offers for their addressees, persons or current members of an addressed organization (S2.7); every offer in any state for admins. Shows the extra condition''s text before login (S2.21) and the organization types that narrow the audience (S2.13).';
COMMENT ON COLUMN enroll.visible_offers.state IS 'upcoming, active or expired at enroll.clock_now() (S2.3).';
COMMENT ON COLUMN enroll.visible_offers.places_left IS 'For an offer with an acceptance cap (max_acceptances): how many acceptances it can still take; NULL without a cap.';
COMMENT ON COLUMN enroll.visible_offers.registrar_types IS 'Codes of the organization types of which the learner must name a registrar organization (S2.13, S2.17); empty when the offer is open to all.';
COMMENT ON FUNCTION enroll.license_end_detail(enroll.license) IS
  'Why and when a license ended (revoked, cancelled, removed or released with its reason, or superseded by which license), as a sentence for the DETAIL of error PE011; NULL for a current license. Internal helper.';
COMMENT ON FUNCTION enroll.allocate_seat(bigint, bigint) IS
  'A current administrator of the organization holding an organization license (or a system admin) gives one seat to a current member (PE014): a person license of the same offer and course, until the organization license ends. Never more seats than bought, even under concurrency (PE017). A member whose own license gives more keeps it and no seat is used (outcome kept); otherwise the member''s current license is superseded. A member who already holds a seat of this license gets it back unchanged (kept). Unknown license PE019, a personal license 42501 (22023 to system admins), ended or outside its access window PE011, unknown account PE013.';
COMMENT ON FUNCTION enroll.allocate_seat(bigint, bigint, bigint) IS
  'enroll.allocate_seat for the organization''s current license of the course, found and locked here (a renewal in between is waited for). Unknown organization PE016, not an administrator 42501, no current license PE019.';
COMMENT ON FUNCTION enroll.release_seat(bigint, text) IS
  'An administrator of the organization (or a system admin) takes a seat back: it ends now (end_reason released, the optional reason of at most 2000 characters in end_note), the holder''s status becomes seat_withdrawn (or the license the seat superseded is theirs again when its time is not over), and the seat can be given again. Unknown license PE019, not a seat 22023, already ended PE011, not an administrator 42501.';
COMMENT ON FUNCTION enroll.membership_left() IS
  'Trigger function on enroll.membership (AFTER UPDATE OF left_at): the member''s live seats of the organization''s licenses end (released) and each gives back the license it superseded when that one''s time is not over.';
COMMENT ON TRIGGER membership_left ON enroll.membership IS
  'Leaving an organization ends the seats of its licenses (enroll.membership_left).';
COMMENT ON FUNCTION enroll.validate_documents(bigint) IS
  'System admins and current administrators of the license''s registrar organization confirm the documents the learner presented (S2.18): access that stopped at documents_due_at (documents_missing) resumes. Validating again returns the row unchanged. Unknown license PE019, no documents needed PE018, ended license PE011.';
COMMENT ON FUNCTION enroll.revoke_license(bigint, text) IS
  'System admins: ends a current license now (end_reason revoked, the reason in end_note; a reason of at most 2000 characters is required, 22023). Access stops at once (status revoked), unless the license was created on someone else''s initiative and superseded one whose time is not over: that one is the holder''s again. Revoking an organization license withdraws every seat allocated from it (status seat_withdrawn). Unknown license PE019; a license that has already ended, revoked or superseded, PE011.';
COMMENT ON FUNCTION enroll.access_status(bigint, bigint) IS
  'Why an account may or may not use a course now: active, no_license, revoked, seat_withdrawn, not_started, expired, documents_missing (S2.18), registrar_membership_ended (S2.19); checked in that order. Read-only: works on a hot standby.';
COMMENT ON FUNCTION enroll.can_access(bigint, bigint) IS
  'The check an application makes on every page view: true exactly when enroll.access_status is active.';
COMMENT ON FUNCTION enroll.setup_course_session(text, bigint, bigint, integer, jsonb, boolean, boolean) IS
  'One call, all or nothing, sets up a training session bought by an operator (S1): accounts only for unknown addresses (S1.5), one group per order (S1.4), enrollments as student or the supervisor role (S1.2, S1.9), a license each for the session''s window (S1.10) unless the participant''s own license gives more (consent rule), cross delegated roles (S1.6), support-course access through the session license (S1.7); seats counted for learners and tutors alike (S1.3, PE021). Order references are the operator''s own; idempotent by order reference; a cancelled order is PE026. accept_condition ticks the offer''s extra condition (PE007 otherwise). At most 100000 participants per call (54000). dry_run reports without writing, every bad participant at once.';
COMMENT ON FUNCTION enroll.setup_course_session(text, jsonb, boolean, boolean) IS
  'enroll.setup_course_session with the URL-encoded parameter string of the shop handler (S1.11): order=...&offer=...&operator=...&seats=...';
COMMENT ON FUNCTION enroll.cancel_order(text, text, bigint) IS
  'System admins: cancels an order (a refund). Its licenses end (cancelled) and a license the order had superseded is the person''s again when its time is not over; its participants leave its group; their enrollments of the order end (or follow the license given back), support-course access ends, the cross roles of the order go (unless another live order of the operator has the person); the order''s status becomes cancelled. Idempotent: a cancelled order answers its report with status already_cancelled. The report counts learner and tutor seats apart (S1.3: tutor-seat refunds are computed outside). operator names the order when two operators used the reference. Unknown order PE027, not an admin 42501.';
COMMENT ON FUNCTION enroll.remove_participant(text, bigint, text, bigint) IS
  'The order''s operator (its own order reference) or a system admin takes one participant out of an order, as cancel_order does for all: the seat is free again and a later call of the same order may give it to someone else, never back to this person. Removing someone already taken out answers status already_removed; someone who is not a participant 22023; a cancelled order PE026; unknown order PE027.';
COMMENT ON FUNCTION enroll.check_invariants() IS
  'Scans the data and reports every broken invariant with a count and an example: two current licenses for one holder and course, seats over-allocated, two accounts for one mailbox (any spelling of it), a session enrollment without its group membership or license, an order without its group, a delegated role held by a cancelled order, a capped offer whose counter differs from its acceptances, an event row changed, and the audit chain broken: a link that no longer matches its event, a sealed event deleted, an event left out of the chain below the last seal''s horizon. Empty result: healthy.';
COMMENT ON VIEW enroll.account_profile IS
  'The acting account''s own row with its profile data (level, billing data, is_admin, login_role); every row for system admins. Applications read the other columns of enroll.account directly; nobody else ever reads a person''s profile (1.2).';
COMMENT ON VIEW enroll.order_participants IS
  'An operator''s orders and their participants (S1): the participant''s account id (the handle of remove_participant), the address and names as the operator gave them in the order, the seat (learner or tutor), and the participant''s state in the order (active, removed, cancelled). Nothing the person supplied themself, nor which licenses they hold. System admins see every order.';
COMMENT ON COLUMN enroll.order_participants.email IS 'The address as the operator gave it.';
COMMENT ON COLUMN enroll.order_participants.role IS 'The seat the participant takes: learner or tutor (S1.3).';
COMMENT ON COLUMN enroll.order_participants.status IS 'active, removed (taken out of the order) or cancelled (the order was cancelled).';
COMMENT ON FUNCTION enroll.license_state(enroll.license, timestamptz, boolean, boolean) IS
  'The state of one license at an instant: the end reason once it has ended, else seat_withdrawn (a seat whose organization license no longer gives access: seat_backed false), not_started, expired, documents_missing (S2.18), registrar_membership_ended (S2.19, when registrar_member is false) or active. enroll.access_status answers for a person and a course (all their licenses, the support course); this answers for one license.';
COMMENT ON VIEW enroll.my_licenses IS
  'The acting account''s licenses, current and past: course, offer, how and when accepted, the access window and the time left, the license''s own state (enroll.license_state) and the person''s access to the course (enroll.access_status), the registrar organization, the documents deadline (S2.18), the organization whose seat it is.';
COMMENT ON COLUMN enroll.my_licenses.time_left IS 'Until the license stops giving access (its end, or the earlier end it is set to follow); NULL once it does not give access.';
COMMENT ON VIEW enroll.organization_seats IS
  'The licenses of the organizations the acting account administers (every organization for system admins): seats bought, used (live seats) and free, and the holders of every seat given from the license with the seat''s state (active, seat_withdrawn, released -- also when the holder left the organization --, superseded ...). After a renewal the live seats hang on the new license (1.2).';
COMMENT ON COLUMN enroll.organization_seats.holders IS 'A JSON array, in the order the seats were given: seat_license, account_id, email, firstname, lastname, state, ended_at for every seat ever given from this license; the address and names only while the holder is a current member of the organization (null for a former member, except to system admins).';
COMMENT ON VIEW enroll.report_acceptances IS
  'Acceptances and revenue per offer and calendar month (UTC): licenses obtained (persons, organizations, session participants; seats given from an organization license are not acceptances), those later revoked, cancelled or removed (withdrawn), and the price paid by the others. No personal data.';
COMMENT ON VIEW enroll.report_active_learners IS
  'Per course: how many people hold a license that gives access now, and how many one that starts later (a session sold in advance). No personal data.';
COMMENT ON VIEW enroll.report_seats IS
  'Per organization and course, its current license: seats bought and used. No personal data.';
COMMENT ON FUNCTION enroll.check_window(interval) IS
  'Internal: checks the window of licenses_ending and documents_due (0 to 5 years).';
COMMENT ON VIEW enroll.report_orders IS
  'Per operator (an account id, no address or name) and order status: orders, seats bought, seats taken by participants still in them. No personal data.';
COMMENT ON FUNCTION enroll.licenses_ending(interval) IS
  'Person licenses giving access now that end within the interval (0 to 5 years), soonest first: all of them for system admins; for an organization administrator, the seats of its organization and the licenses it registers (S2.16), of its current members only. The holder''s address and names, for a reminder.';
COMMENT ON FUNCTION enroll.documents_due(interval) IS
  'Licenses whose justification documents (S2.18) are still to be validated and due within the interval (0 to 5 years), overdue ones included and marked: all for system admins; for an organization administrator, those its organization registers (it validates them, S2.19), of its current members only.';

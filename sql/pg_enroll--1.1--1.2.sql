/* pg_enroll--1.1--1.2.sql: carries a 1.1 database to 1.2.  Hand-written;
 * frozen once 1.2 is released.  A fresh 1.2 install runs pg_enroll--1.2.sql,
 * built from sql/install/; test/t/004_upgrade.pl checks that both give the
 * same catalogue and the same behaviour. */

\echo Use "ALTER EXTENSION pg_enroll UPDATE TO '1.2'" to load this file. \quit

-------------------------------------------------------------------------------
-- Licenses have one home in C (src/licenses.c): allocate_seat moves there
-- from PL/pgSQL, with the same checks, messages and locks.
-------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION enroll.allocate_seat(org_license bigint, account bigint)
RETURNS enroll.license
    AS 'MODULE_PATHNAME', 'allocate_seat'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;

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
    END IF;
END
$fn$;
COMMENT ON FUNCTION enroll.check_offer_fields(enroll.offer) IS
  'Internal: 22023 naming the first field of an offer row that breaks a rule (title, price, currency, finite window, periods, lengths, seats). Shared by create_offer and update_offer.';

CREATE OR REPLACE FUNCTION enroll.create_offer(
    code text, title text, course bigint, price numeric, currency text,
    valid_from timestamptz, valid_until timestamptz, access_period interval,
    visibility enroll.offer_visibility DEFAULT 'public',
    recipient_kind enroll.holder_kind DEFAULT 'person',
    required_level enroll.profile_level DEFAULT NULL,
    extra_condition text DEFAULT NULL,
    documents_grace interval DEFAULT NULL,
    seats integer DEFAULT NULL,
    handler_params text DEFAULT NULL)
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
                                   access_period, documents_grace, seats, handler_params)
        VALUES (create_offer.code, create_offer.title, create_offer.course, create_offer.price,
                create_offer.currency, create_offer.valid_from, create_offer.valid_until,
                create_offer.visibility, create_offer.recipient_kind, level,
                CASE WHEN NOT enroll.is_blank(create_offer.extra_condition)
                     THEN create_offer.extra_condition END,
                create_offer.access_period, create_offer.documents_grace, create_offer.seats,
                create_offer.handler_params)
        RETURNING t.* INTO o;
    PERFORM enroll.log_event('offer.create', 'offer', o.id,
                             pg_catalog.to_jsonb(o) OPERATOR(pg_catalog.-) 'id'::text OPERATOR(pg_catalog.-) 'created_at'::text);
    RETURN o;
END
$fn$;
COMMENT ON FUNCTION enroll.create_offer(text, text, bigint, numeric, text, timestamptz, timestamptz, interval, enroll.offer_visibility, enroll.holder_kind, enroll.profile_level, text, interval, integer, text) IS
  'Admins: creates an offer with its conditions (S2.1): price and currency (S2.2), validity window (S2.3), visibility and recipient kind (S2.6, S2.7), required profile level (NULL: billing when the price is above 0, else default; S2.11), extra condition (S2.21; blank means none). Bad input is refused with a clear error before anything is written: NULL 22004; blank, too long (code 100, title 500, extra condition 10000 characters, handler_params 65536 bytes), a price that is negative or not a finite number, infinite validity bounds, an access period or documents grace not positive or over 100 years: 22023; code taken 23505.';

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
    handler_params text DEFAULT NULL)
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
    -- S2.4 (validity edits) is the trigger offer_validity_guard's, for every UPDATE

    IF pg_catalog.to_jsonb(n) OPERATOR(pg_catalog.=) pg_catalog.to_jsonb(o) THEN
        RETURN o;                       -- nothing changes: nothing written, nothing logged
    END IF;

    UPDATE enroll.offer x
       SET title = n.title, price = n.price, currency = n.currency,
           valid_from = n.valid_from, valid_until = n.valid_until,
           required_level = n.required_level, extra_condition = n.extra_condition,
           access_period = n.access_period, documents_grace = n.documents_grace,
           seats = n.seats, handler_params = n.handler_params
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
COMMENT ON FUNCTION enroll.update_offer(bigint, text, numeric, text, timestamptz, timestamptz, enroll.profile_level, text, interval, interval, integer, text) IS
  'Admins: edits an offer. NULL leaves a field unchanged; extra_condition => '''' (or handler_params => '''') removes it. The new values obey create_offer''s rules (22023). Validity edits obey S2.4 through the trigger offer_validity_guard (PE008). The event lists each changed field with its old and new value; a call that changes nothing writes nothing. Unknown offer: PE015.';

CREATE OR REPLACE FUNCTION enroll.revoke_license(license bigint, reason text)
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

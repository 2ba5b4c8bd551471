-------------------------------------------------------------------------------
-- C functions: clock and identity
-------------------------------------------------------------------------------
CREATE FUNCTION enroll.clock_now() RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'clock_now' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION enroll.clock_now() IS
  'The instant every rule reads: the superuser-only GUC enroll.clock when set, else transaction_timestamp().';

CREATE FUNCTION enroll.act_as(account bigint) RETURNS void
    AS 'MODULE_PATHNAME', 'act_as' LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE;
COMMENT ON FUNCTION enroll.act_as(bigint) IS
  'The application (a member of enroll_app) says which account it acts for, until the end of the transaction. Others get 42501.';

CREATE FUNCTION enroll.current_account() RETURNS bigint
    AS 'MODULE_PATHNAME', 'current_account' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION enroll.current_account() IS
  'The acting account: set by act_as in this transaction, else the account whose login_role is the session role, else NULL (anonymous).';

CREATE FUNCTION enroll.acting_as_admin() RETURNS boolean
    AS 'MODULE_PATHNAME', 'acting_as_admin' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION enroll.acting_as_admin() IS
  'True when the actor is a system administrator: the session role has enroll_admin privileges, or the acting account has is_admin.';

CREATE FUNCTION enroll.require_admin(action text) RETURNS void
    AS 'MODULE_PATHNAME', 'require_admin' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION enroll.require_admin(text) IS
  'Raises 42501 naming the action unless the actor is a system administrator. Internal helper of the extension''s functions.';

-- The whitespace set of the extension, written once: space, tab, CR, LF,
-- form feed and vertical tab (ENROLL_WHITESPACE in C).  enroll.email_key keeps
-- its own copy: it defines the unique index account_email_key, whose key
-- must never change definition.
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

CREATE FUNCTION enroll.email_key(email text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN pg_catalog.lower(pg_catalog.btrim(email COLLATE "C", E' \t\r\n\f\x0b'));
COMMENT ON FUNCTION enroll.email_key(text) IS
  'Uniqueness key of an e-mail address (S1.5): trimmed and ASCII lower-cased, independent of the database collation.';

CREATE FUNCTION enroll.normalize_email(email text) RETURNS text
    AS 'MODULE_PATHNAME', 'normalize_email' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION enroll.normalize_email(text) IS
  'The canonical form of an e-mail address after RFC 5321/5322 validation (S1.5): Unicode NFC, trimmed of ASCII and Unicode whitespace, quotes and backslashes that are not needed removed, domain ASCII lower-cased, IPv6 literals in RFC 5952 form; control, invisible and noncharacter code points refused. 22023 naming the problem otherwise. The one validation every stored address goes through; every spelling of one mailbox gives the same form.';

CREATE FUNCTION enroll.email_canonical_key(email text) RETURNS text
    AS 'MODULE_PATHNAME', 'email_canonical_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION enroll.email_canonical_key(text) IS
  'Uniqueness key of the canonical form of an e-mail address (S1.5): enroll.email_key of what enroll.normalize_email returns (Unicode NFC, quotes that are not needed removed, RFC 5952 IPv6 literals), so every spelling of one mailbox gets one key; NULL, never an error, for an invalid address. check_invariants() groups stored accounts by it to find twins of one mailbox.';

CREATE FUNCTION enroll.profile_missing_fields(level enroll.profile_level, data jsonb)
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

-- The profile level is always backed by complete data (holes of 1.1: wiping
-- the data left the level): CHECK constraints of enroll.account and
-- enroll.organization call these.
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

-- Messages quote user-supplied text through this, so that an error never
-- echoes a value of unbounded length (the C side's EnrollQuotable).
CREATE FUNCTION enroll.quotable(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE WHEN pg_catalog.length(value) OPERATOR(pg_catalog.>) 64
                THEN pg_catalog.left(value, 64) OPERATOR(pg_catalog.||) '...'
                ELSE value END;
COMMENT ON FUNCTION enroll.quotable(text) IS
  'A user-supplied value short enough to quote in an error message: at most 64 characters, "..." appended when cut. Internal helper.';

-- The bound of access periods and documents graces: whatever its parts,
-- clock_now() + period can always be computed (no timestamp overflow).
CREATE FUNCTION enroll.period_in_bounds(period interval) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN period OPERATOR(pg_catalog.<=) '100 years'::interval
       AND pg_catalog.abs(EXTRACT(year FROM period) OPERATOR(pg_catalog.*) 12
                          OPERATOR(pg_catalog.+) EXTRACT(month FROM period)) OPERATOR(pg_catalog.<=) 1200
       AND pg_catalog.abs(EXTRACT(day FROM period)) OPERATOR(pg_catalog.<=) 36525
       AND pg_catalog.abs(EXTRACT(epoch FROM period OPERATOR(pg_catalog.-) pg_catalog.date_trunc('day', period)))
           OPERATOR(pg_catalog.<=) 3155760000;
COMMENT ON FUNCTION enroll.period_in_bounds(interval) IS
  'True when a period is at most 100 years and none of its parts (months, days, time) exceeds 100 years on its own, so that adding it to any instant of this era cannot overflow. Used by the CHECK constraints on offer.access_period and offer.documents_grace.';

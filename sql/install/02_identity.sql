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


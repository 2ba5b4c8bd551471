
-------------------------------------------------------------------------------
-- The access check (hot path, read-only)
-------------------------------------------------------------------------------
-- @@access-begin@@
CREATE FUNCTION enroll.access_status(account bigint, course bigint) RETURNS text
    AS 'MODULE_PATHNAME', 'access_status' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION enroll.access_status(bigint, bigint) IS
  'Why an account may or may not use a course now: active, no_license, revoked, seat_withdrawn, not_started, expired, documents_missing (S2.18), registrar_membership_ended (S2.19); checked in that order. Read-only: works on a hot standby.';

CREATE FUNCTION enroll.can_access(account bigint, course bigint) RETURNS boolean
    AS 'MODULE_PATHNAME', 'can_access' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION enroll.can_access(bigint, bigint) IS
  'The check an application makes on every page view: true exactly when enroll.access_status is active.';

REVOKE EXECUTE ON FUNCTION enroll.access_status(bigint, bigint), enroll.can_access(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.access_status(bigint, bigint), enroll.can_access(bigint, bigint)
    TO enroll_admin, enroll_app, enroll_reader;
-- @@access-end@@

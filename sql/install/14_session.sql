
-------------------------------------------------------------------------------
-- Course session setup (S1)
-------------------------------------------------------------------------------
-- @@session-begin@@
CREATE FUNCTION enroll.setup_course_session(order_ref text, offer bigint, operator bigint, seats integer,
                                            participants jsonb, dry_run boolean DEFAULT false)
RETURNS jsonb
    AS 'MODULE_PATHNAME', 'setup_course_session'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.setup_course_session(text, bigint, bigint, integer, jsonb, boolean) IS
  'One call, all or nothing, sets up a training session bought by an operator (S1): accounts only for unknown addresses (S1.5), one group per order (S1.4), enrollments as student or the supervisor role (S1.2, S1.9), a license each (S2.23), cross delegated roles (S1.6), support-course enrollments (S1.7); seats counted for learners and tutors alike (S1.3). Idempotent by order reference; dry_run reports without writing.';

CREATE FUNCTION enroll.setup_course_session(params text, participants jsonb, dry_run boolean DEFAULT false)
RETURNS jsonb
    AS 'MODULE_PATHNAME', 'setup_course_session_params'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.setup_course_session(text, jsonb, boolean) IS
  'enroll.setup_course_session with the URL-encoded parameter string of the shop handler (S1.11): order=...&offer=...&operator=...&seats=...';

REVOKE EXECUTE ON FUNCTION enroll.setup_course_session(text, bigint, bigint, integer, jsonb, boolean),
    enroll.setup_course_session(text, jsonb, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.setup_course_session(text, bigint, bigint, integer, jsonb, boolean),
    enroll.setup_course_session(text, jsonb, boolean) TO enroll_admin, enroll_app;
-- @@session-end@@

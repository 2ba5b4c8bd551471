
-------------------------------------------------------------------------------
-- Course session setup (S1)
-------------------------------------------------------------------------------
-- @@session-begin@@
CREATE FUNCTION enroll.setup_course_session(order_ref text, offer bigint, operator bigint, seats integer,
                                            participants jsonb, dry_run boolean DEFAULT false,
                                            accept_condition boolean DEFAULT false)
RETURNS jsonb
    AS 'MODULE_PATHNAME', 'setup_course_session'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.setup_course_session(text, bigint, bigint, integer, jsonb, boolean, boolean) IS
  'One call, all or nothing, sets up a training session bought by an operator (S1): accounts only for unknown addresses (S1.5), one group per order (S1.4), enrollments as student or the supervisor role (S1.2, S1.9), a license each for the session''s window (S1.10) unless the participant''s own license gives more (consent rule), cross delegated roles (S1.6), support-course access through the session license (S1.7); seats counted for learners and tutors alike (S1.3, PE021). Order references are the operator''s own; idempotent by order reference; a cancelled order is PE026. accept_condition ticks the offer''s extra condition (PE007 otherwise). At most 100000 participants per call (54000). dry_run reports without writing, every bad participant at once.';

CREATE FUNCTION enroll.setup_course_session(params text, participants jsonb, dry_run boolean DEFAULT false,
                                            accept_condition boolean DEFAULT false)
RETURNS jsonb
    AS 'MODULE_PATHNAME', 'setup_course_session_params'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.setup_course_session(text, jsonb, boolean, boolean) IS
  'enroll.setup_course_session with the URL-encoded parameter string of the shop handler (S1.11): order=...&offer=...&operator=...&seats=...';

REVOKE EXECUTE ON FUNCTION enroll.setup_course_session(text, bigint, bigint, integer, jsonb, boolean, boolean),
    enroll.setup_course_session(text, jsonb, boolean, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.setup_course_session(text, bigint, bigint, integer, jsonb, boolean, boolean),
    enroll.setup_course_session(text, jsonb, boolean, boolean) TO enroll_admin, enroll_app;

CREATE FUNCTION enroll.cancel_order(order_ref text, reason text DEFAULT NULL, operator bigint DEFAULT NULL)
RETURNS jsonb
    AS 'MODULE_PATHNAME', 'cancel_order'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.cancel_order(text, text, bigint) IS
  'System admins: cancels an order (a refund). Its licenses end (cancelled) and a license the order had superseded is the person''s again when its time is not over; its participants leave its group; their enrollments of the order end (or follow the license given back), support-course access ends, the cross roles of the order go (unless another live order of the operator has the person); the order''s status becomes cancelled. Idempotent: a cancelled order answers its report with status already_cancelled. The report counts learner and tutor seats apart (S1.3: tutor-seat refunds are computed outside). operator names the order when two operators used the reference. Unknown order PE027, not an admin 42501.';

CREATE FUNCTION enroll.remove_participant(order_ref text, account bigint, reason text DEFAULT NULL,
                                          operator bigint DEFAULT NULL)
RETURNS jsonb
    AS 'MODULE_PATHNAME', 'remove_participant'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.remove_participant(text, bigint, text, bigint) IS
  'The order''s operator (its own order reference) or a system admin takes one participant out of an order, as cancel_order does for all: the seat is free again and a later call of the same order may give it to someone else, never back to this person. Removing someone already taken out answers status already_removed; someone who is not a participant 22023; a cancelled order PE026; unknown order PE027.';

REVOKE EXECUTE ON FUNCTION enroll.cancel_order(text, text, bigint),
    enroll.remove_participant(text, bigint, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.cancel_order(text, text, bigint),
    enroll.remove_participant(text, bigint, text, bigint) TO enroll_admin, enroll_app;
-- @@session-end@@

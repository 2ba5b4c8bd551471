-- test/bench/helpers.sql: what scripts/bench needs besides the data
-- (test/bench/data.sql, which creates schema bench), in schema bench of the
-- benchmark database, never in the extension.  Run by a superuser.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- participant lists, built before any clock starts: one per timed run
CREATE TABLE bench.people (label text PRIMARY KEY, people jsonb NOT NULL);

-- bench.make_people(label, n): n participants with fresh addresses
-- (label-i@bench.example), first and last names, the first one a tutor
CREATE FUNCTION bench.make_people(label text, n integer) RETURNS bigint
LANGUAGE sql AS $fn$
    INSERT INTO bench.people
        SELECT label, jsonb_agg(jsonb_build_object(
                   'email', format('%s-%s@bench.example', label, g),
                   'firstname', 'First' || g, 'lastname', 'Last' || g,
                   'role', CASE WHEN g = 1 THEN 'tutor' ELSE 'learner' END) ORDER BY g)
          FROM generate_series(1, n) g
    RETURNING octet_length(people::text)
$fn$;

-- The rows one order wrote, table by table, in pg_enroll's tables (schema
-- enroll) or in the look-alike ones (schema base), counted from the ids
-- above the marks taken before it (bench.marks): the replay of a baseline
-- must write exactly what pg_enroll wrote.
CREATE FUNCTION bench.marks(s text) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
    r jsonb := '{}';
    t text;
    m bigint;
BEGIN
    FOREACH t IN ARRAY ARRAY['account', 'license', 'enrollment', 'role_assignment', 'purchase_order',
                             'course_group', CASE s WHEN 'enroll' THEN 'event' ELSE 'audit' END] LOOP
        EXECUTE format('SELECT coalesce(max(id), 0) FROM %I.%I', s, t) INTO m;
        r := r || jsonb_build_object(t, m);
    END LOOP;
    RETURN r;
END
$fn$;

CREATE FUNCTION bench.written(s text, marks jsonb, order_ref text) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    r text := '';
    t text;
    n bigint;
    g bigint;
BEGIN
    FOREACH t IN ARRAY ARRAY['account', 'license', 'enrollment', 'role_assignment', 'purchase_order',
                             'course_group', CASE s WHEN 'enroll' THEN 'event' ELSE 'audit' END] LOOP
        EXECUTE format('SELECT count(*) FROM %I.%I WHERE id > $1', s, t) INTO n USING (marks ->> t)::bigint;
        r := r || format('%s=%s ', CASE t WHEN 'event' THEN 'audit' ELSE t END, n);
    END LOOP;
    EXECUTE format('SELECT g.id FROM %I.course_group g JOIN %I.purchase_order p ON p.id = g.order_id'
                   ' WHERE p.order_ref = $1', s, s) INTO g USING order_ref;
    EXECUTE format('SELECT count(*) FROM %I.group_member WHERE group_id = $1', s) INTO n USING g;
    RETURN r || format('group_member=%s', n);
END
$fn$;

-- What cancelling an order left, in either schema: its licenses ended,
-- its enrollments and role assignments left, its members taken out.
CREATE FUNCTION bench.cancelled(s text, order_ref text) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    o bigint;
    g bigint;
    a bigint;
    b bigint;
    c bigint;
    d bigint;
BEGIN
    EXECUTE format('SELECT p.id, g.id FROM %I.purchase_order p JOIN %I.course_group g ON g.order_id = p.id'
                   ' WHERE p.order_ref = $1', s, s) INTO o, g USING order_ref;
    EXECUTE format('SELECT count(*) FROM %I.license WHERE order_id = $1 AND ended_at IS NOT NULL', s) INTO a USING o;
    EXECUTE format('SELECT count(*) FROM %I.enrollment WHERE order_id = $1', s) INTO b USING o;
    EXECUTE format('SELECT count(*) FROM %I.role_assignment WHERE order_id = $1', s) INTO c USING o;
    EXECUTE format('SELECT count(*) FROM %I.group_member WHERE group_id = $1 AND removed_at IS NOT NULL', s) INTO d USING g;
    RETURN format('licenses_ended=%s enrollments_left=%s roles_left=%s members_out=%s', a, b, c, d);
END
$fn$;

-- The mixed load (scripts/bench) connects as an application would: a login
-- role of enroll_app (roles are cluster-wide: it may exist already).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_app') THEN
        CREATE ROLE bench_app LOGIN;
    END IF;
END
$$;
GRANT enroll_app TO bench_app;
GRANT USAGE ON SCHEMA bench TO bench_app;
GRANT SELECT ON bench.shape TO bench_app;

-- one row per write of the mixed load that did not succeed: its SQLSTATE
-- and whether it is a documented refusal (expected) or not
CREATE UNLOGGED TABLE bench.refusal (
    kind     text NOT NULL,
    sqlstate text NOT NULL,
    expected boolean NOT NULL,
    message  text,
    at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
GRANT INSERT ON bench.refusal TO bench_app;

-- bench.seat(org, course, member): the organization's admin (the actor)
-- gives the member a seat of the organization's license of the course, or
-- takes it back when the member holds one.  Two clients on one member may
-- both decide to release: the second gets PE011 (the seat has ended), a
-- documented refusal; PE017 (no seat left) and PE014 (not a member) are
-- documented too.  Anything else is recorded as unexpected.
CREATE FUNCTION bench.seat(org bigint, course bigint, member bigint) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    s bigint;
BEGIN
    SELECT l.id INTO s FROM enroll.license l JOIN enroll.license p ON p.id = l.parent_license
     WHERE l.account_id = member AND l.course_id = course AND l.ended_at IS NULL
       AND p.organization_id = org;
    BEGIN
        IF s IS NULL THEN
            PERFORM enroll.allocate_seat(org, course, member);
            RETURN 'allocated';
        END IF;
        PERFORM enroll.release_seat(s, 'bench');
        RETURN 'released';
    EXCEPTION WHEN OTHERS THEN
        INSERT INTO bench.refusal (kind, sqlstate, expected, message)
            VALUES ('seats', SQLSTATE, SQLSTATE IN ('PE011', 'PE014', 'PE017'), SQLERRM);
        RETURN SQLSTATE;
    END;
END
$fn$;

-- bench.order(client, r): the operator (the actor) orders a session for
-- five participants: two accounts of the population, as the shop knows
-- them (the address in another case), and three new addresses, with one
-- spare seat.  PE020 (the reference drawn twice) is a documented refusal.
CREATE FUNCTION bench.order(client integer, r bigint) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    sh bench.shape;
    ref text := format('MIX-%s-%s', client, r);
    people jsonb;
BEGIN
    SELECT * INTO sh FROM bench.shape;
    SELECT jsonb_agg(p ORDER BY i) INTO people FROM (
        SELECT i, jsonb_build_object('email', CASE WHEN i <= 2
                   THEN format('User%s@Example.org', i + (abs(hashint8extended(r, client)) % (sh.accounts - 1)))
                   ELSE format('%s-%s@mix.example', lower(ref), i) END,
                   'firstname', 'Mix' || i, 'lastname', 'Participant') AS p
          FROM generate_series(1, 5) i) x;
    BEGIN
        RETURN enroll.setup_course_session(ref, sh.session_offer, sh.operator, 6, people) ->> 'status';
    EXCEPTION WHEN OTHERS THEN
        INSERT INTO bench.refusal (kind, sqlstate, expected, message)
            VALUES ('orders', SQLSTATE, SQLSTATE IN ('PE020'), SQLERRM);
        RETURN SQLSTATE;
    END;
END
$fn$;
GRANT EXECUTE ON FUNCTION bench.seat(bigint, bigint, bigint), bench.order(integer, bigint) TO bench_app;

-- test/load/setup.sql: data and test-only helpers for test/t/013_load.pl
-- (pgbench load: acceptances, session setups, access checks, offers closed
-- and reopened).  Run by a superuser in a fresh database with pg_enroll.
-- The helpers live in schema public of the test database, never in the
-- extension.  Real time throughout (enroll.clock is never set).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- 5 courses, LOAD-C1 .. LOAD-C5
SELECT enroll.create_course('LOAD-C' || i, 'Load course ' || i) FROM generate_series(1, 5) i;

-- 500 learners, ids contiguous, learner1@load.example .. learner500@load.example
SELECT enroll.register_account(format('learner%s@load.example', i), 'Learner', 'N' || i)
  FROM generate_series(1, 500) i ORDER BY i;
-- the shop's operator and a system administrator acting through the application
SELECT enroll.register_account('operator@load.example', 'Olga', 'Operator');
SELECT enroll.register_account('admin@load.example', 'Adam', 'Admin');
UPDATE enroll.account SET is_admin = true WHERE email = 'admin@load.example';

-- 10 free public offers, valid from a day ago to a day ahead, ids contiguous:
--   1-5  LOAD-O1..O5  one per course, never closed
--   6-8  LOAD-O6..O8  on LOAD-C1..C3, closed and reopened during the run
--   9    LOAD-S9      session offer on LOAD-C1 (handler_params), never closed
--   10   LOAD-S10     session offer on LOAD-C1 (handler_params), closed and reopened
SELECT enroll.create_offer(
           CASE WHEN i <= 8 THEN 'LOAD-O' ELSE 'LOAD-S' END || i, 'Load offer ' || i,
           (SELECT id FROM enroll.course WHERE shortname = 'LOAD-C' || CASE WHEN i <= 5 THEN i WHEN i <= 8 THEN i - 5 ELSE 1 END),
           0, 'EUR', now() - interval '1 day', now() + interval '1 day', '30 days',
           handler_params => CASE WHEN i > 8 THEN 'coursename=LOAD-C1' END)
  FROM generate_series(1, 10) i ORDER BY i;

-- the application's database role: pgbench connects as it (roles are
-- cluster-wide: it may exist from an earlier run on a shared cluster)
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'load_app') THEN
        CREATE ROLE load_app LOGIN;
    END IF;
END
$$;
GRANT enroll_app TO load_app;

-- one row per attempted write; load_outcome sums them
CREATE UNLOGGED TABLE public.load_attempt (
    kind     text NOT NULL,
    sqlstate text NOT NULL,
    at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE VIEW public.load_outcome AS
    SELECT kind, sqlstate, count(*) AS n FROM public.load_attempt GROUP BY kind, sqlstate;
-- every address named by a setup that succeeded (done or already_done): its
-- key, the spelling the order used, the order and when its transaction began
CREATE UNLOGGED TABLE public.load_address (
    key   text NOT NULL,
    email text NOT NULL,
    ref   text NOT NULL,
    at    timestamptz NOT NULL DEFAULT now()
);
GRANT INSERT ON public.load_attempt, public.load_address TO load_app;

-- load_try(kind, stmt): runs stmt (one text column, one row) in a
-- subtransaction; returns its value ('ok' when NULL), or the SQLSTATE of a
-- documented refusal: PE002 offer not active, PE017 no seat left (PE021 for an order's
-- seats since 1.2), PE020 order
-- conflict, PE008 a close refused because an acceptance committed while it
-- waited (it would have ended the offer before that license), and 40001/40P01 (which READ COMMITTED should never produce: the
-- test fails when they show up).  Anything else is raised again, so pgbench
-- aborts the client and the test fails.  Records the outcome in load_attempt.
CREATE FUNCTION public.load_try(kind text, stmt text) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    r text;
BEGIN
    BEGIN
        EXECUTE stmt INTO STRICT r;
        r := coalesce(r, 'ok');
    EXCEPTION
        WHEN SQLSTATE 'PE002' OR SQLSTATE 'PE017' OR SQLSTATE 'PE020' OR SQLSTATE 'PE021' OR SQLSTATE 'PE008'
             OR serialization_failure OR deadlock_detected THEN
            r := SQLSTATE;
    END;
    INSERT INTO public.load_attempt (kind, sqlstate) VALUES (kind, r);
    RETURN r;
END
$fn$;

-- load_people(n): n distinct participants from the shared pool of the
-- current 2-second window: 24 addresses per window, 16 of them unknown
-- (poolW-I@load.example) and 8 of them learners; each written in a random
-- case/spacing variant, so that concurrent orders name the same unknown
-- address differently.  The first is a tutor one time in three.
CREATE FUNCTION public.load_people(n integer) RETURNS jsonb
LANGUAGE sql VOLATILE AS $fn$
    WITH w AS (SELECT floor(extract(epoch FROM clock_timestamp()) / 2)::bigint AS w),
    pick AS (
        SELECT i, row_number() OVER (ORDER BY random()) AS ord
          FROM generate_series(1, 24) i
         ORDER BY ord LIMIT n),
    addr AS (
        SELECT p.ord,
               CASE WHEN p.i <= 16 THEN format('pool%s-%s@load.example', w.w, p.i)
                    ELSE format('learner%s@load.example', (w.w * 8 + p.i) % 500 + 1) END AS email
          FROM pick p, w)
    SELECT jsonb_agg(jsonb_build_object(
               'email', CASE (random() * 5)::int
                            WHEN 0 THEN upper(a.email)
                            WHEN 1 THEN initcap(a.email)
                            WHEN 2 THEN '  ' || a.email || ' '
                            WHEN 3 THEN split_part(a.email, '@', 1) || '@LOAD.Example'
                            ELSE a.email END,
               'firstname', 'P' || a.ord, 'lastname', 'Load',
               'role', CASE WHEN a.ord = 1 AND random() < 0.33 THEN 'tutor' ELSE 'learner' END)
             ORDER BY a.ord)
      FROM addr a
$fn$;

-- load_session(ref, offer, operator, n, extra_seats): one setup_course_session
-- through load_try, with n participants from load_people and n + extra_seats
-- seats; on success the participants' addresses go to load_address.
CREATE FUNCTION public.load_session(ref text, offer bigint, operator bigint, n integer, extra_seats integer)
RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    people jsonb := public.load_people(n);
    r text;
BEGIN
    r := public.load_try('session', format(
        'SELECT enroll.setup_course_session(%L, %s, %s, %s, %L::jsonb) ->> ''status''',
        ref, offer, operator, n + extra_seats, people));
    IF r IN ('done', 'already_done') THEN
        INSERT INTO public.load_address (key, email, ref)
            SELECT enroll.email_key(p ->> 'email'), p ->> 'email', ref FROM jsonb_array_elements(people) p;
    END IF;
    RETURN r;
END
$fn$;

-- load_sync_offer(offer, phase): the admin's schedule of closings.  The
-- offer should be closed in one 3-second slot out of three (phase staggers
-- the offers); when its state differs, close it (valid_until => now) or
-- reopen it (valid_until moved a day ahead: allowed by S2.4, the new value
-- is not in the past).  Returns closed, reopened or unchanged.
CREATE FUNCTION public.load_sync_offer(offer bigint, phase integer) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    want_closed boolean := (floor(extract(epoch FROM clock_timestamp()) / 3)::bigint + phase) % 3 = 0;
    state text := enroll.offer_state(offer);
BEGIN
    IF want_closed AND state = 'active' THEN
        PERFORM enroll.update_offer(offer, valid_until => enroll.clock_now());
        RETURN 'closed';
    ELSIF NOT want_closed AND state = 'expired' THEN
        PERFORM enroll.update_offer(offer, valid_until => enroll.clock_now() + interval '1 day');
        RETURN 'reopened';
    END IF;
    RETURN 'unchanged';
END
$fn$;

VACUUM ANALYZE;

-- 02_security.sql: what keeps callers from subverting the extension.
--   (a) every SECURITY DEFINER function pins search_path = pg_catalog, pg_temp,
--       and every body that is parsed when called (PL/pgSQL, SQL without a
--       SQL-standard body) pins it too and calls functions only qualified;
--       each catalog check is first shown to catch a planted offender;
--   (b) objects in schema public that shadow built-ins (lower, btrim, now,
--       = on text and on bigint), with public first in search_path, are
--       never used by the extension's functions: every answer is the right
--       one and the traps record no call;
--   (c) privileges: no write on any table for enroll_app and enroll_reader,
--       enroll.clock for superusers only, act_as only for enroll_app and
--       enroll_admin, and an audit log that even an enroll_admin member given
--       UPDATE/DELETE/TRUNCATE by a DBA cannot change.
-- Runs as a superuser (test/t/002_pgtap.pl) in one transaction that is
-- rolled back, roles and planted objects included.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;

SELECT plan(55);

-- load pg_enroll.so now (before it is loaded, SET enroll.clock by anyone
-- would only create a placeholder) and pin the clock
SELECT ok(enroll.clock_now() IS NOT NULL, 'enroll.clock_now() answers (library loaded)');
SET LOCAL enroll.clock = '2026-03-01 10:00:00+00';

------------------------------------------------------------------------------
-- (a) search_path and qualified names, from the catalog (9)
------------------------------------------------------------------------------
-- SECURITY DEFINER functions of schema enroll without the exact pinned path
CREATE TEMP VIEW secdef_unpinned AS
SELECT p.oid::regprocedure::text AS fn
  FROM pg_catalog.pg_proc p
 WHERE p.pronamespace = 'enroll'::regnamespace AND p.prosecdef
   AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false);

-- functions whose body is parsed at call time, under the caller's settings:
-- PL/pgSQL, and SQL functions without a SQL-standard body (BEGIN ATOMIC or
-- RETURN bodies are parsed once, at CREATE, and bound to objects by oid)
CREATE TEMP VIEW text_bodies AS
SELECT p.oid::regprocedure::text AS fn, p.proconfig,
       -- the body without comments, string literals, quoted identifiers,
       -- OPERATOR(...) and "AS alias" (INSERT ... AS t (columns))
       regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
           p.prosrc, '--[^\n]*', ' ', 'g'),
           '''([^'']|'''')*''', ' '' ', 'g'),
           '"([^"]|"")*"', ' x ', 'g'),
           'OPERATOR\s*\([^)]*\)', ' = ', 'gi'),
           '\mAS\s+\w+', ' ', 'gi') AS body
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'enroll'::regnamespace
   AND (l.lanname = 'plpgsql' OR (l.lanname = 'sql' AND p.prosqlbody IS NULL));

CREATE TEMP VIEW text_bodies_unpinned AS
SELECT fn FROM text_bodies
 WHERE NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (proconfig), false);

-- "name(" not preceded by "schema." (nor by "::", a type modifier), other
-- than SQL and PL/pgSQL syntax that looks like a call, and type names with a
-- modifier in DECLARE sections
CREATE TEMP VIEW unqualified_calls AS
SELECT DISTINCT b.fn, lower(m[1]) COLLATE "default" AS called
  FROM text_bodies b, regexp_matches(b.body, '(?:^|[^.\w:])([A-Za-z_]\w*)\s*\(', 'g') AS m
 WHERE lower(m[1]) NOT IN (
        -- SQL and PL/pgSQL syntax
        'all', 'and', 'any', 'array', 'as', 'assert', 'ordinality', 'between', 'by', 'case', 'cast', 'coalesce',
        'conflict', 'default', 'distinct', 'else', 'elsif', 'except', 'execute', 'exists', 'extract',
        'filter', 'from', 'greatest', 'group', 'if', 'ilike', 'in', 'intersect', 'into', 'is',
        'lateral', 'least', 'like', 'materialized', 'not', 'nullif', 'on', 'or', 'over', 'overlay',
        'perform', 'position', 'return', 'returning', 'row', 'select', 'set', 'similar', 'some',
        'substring', 'then', 'to', 'trim', 'union', 'using', 'values', 'when', 'where', 'while', 'with',
        -- type names with a modifier
        'bit', 'char', 'character', 'decimal', 'interval', 'numeric', 'time', 'timestamp',
        'timestamptz', 'varbit', 'varchar');

-- every check catches an offender: plant three, see them, remove them
CREATE FUNCTION enroll.pgtap_planted_secdef() RETURNS text
    LANGUAGE sql SECURITY DEFINER RETURN 'unpinned';
CREATE FUNCTION enroll.pgtap_planted_text(t text) RETURNS text
    LANGUAGE plpgsql AS $$ BEGIN RETURN lower(t); END $$;
CREATE FUNCTION enroll.pgtap_planted_call(t text) RETURNS text
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN RETURN pg_catalog.upper(btrim(t)); END $$;
SELECT results_eq('SELECT fn FROM secdef_unpinned', ARRAY['enroll.pgtap_planted_secdef()'],
                  'the search_path check catches a SECURITY DEFINER function without SET search_path');
SELECT results_eq('SELECT fn FROM text_bodies_unpinned', ARRAY['enroll.pgtap_planted_text(text)'],
                  'the text-body check catches a PL/pgSQL function without SET search_path');
SELECT results_eq('SELECT fn, called FROM unqualified_calls ORDER BY 1, 2',
                  $$VALUES ('enroll.pgtap_planted_call(text)', 'btrim'), ('enroll.pgtap_planted_text(text)', 'lower')$$,
                  'the qualified-name check catches lower(...) and btrim(...) called unqualified');
DROP FUNCTION enroll.pgtap_planted_secdef(), enroll.pgtap_planted_text(text), enroll.pgtap_planted_call(text);

SELECT cmp_ok((SELECT count(*) FROM pg_catalog.pg_proc WHERE pronamespace = 'enroll'::regnamespace AND prosecdef),
              '>=', 20::bigint, 'schema enroll has its SECURITY DEFINER functions');
SELECT is_empty('SELECT fn FROM secdef_unpinned',
                'every SECURITY DEFINER function of enroll has search_path=pg_catalog, pg_temp');
SELECT cmp_ok((SELECT count(*) FROM text_bodies), '>=', 15::bigint,
              'schema enroll has PL/pgSQL functions to check');
SELECT is_empty('SELECT fn FROM text_bodies_unpinned',
                'every function parsed at call time pins search_path=pg_catalog, pg_temp');
SELECT is_empty('SELECT fn, called FROM unqualified_calls',
                'every function parsed at call time calls functions only schema-qualified');
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
                   WHERE p.pronamespace = 'enroll'::regnamespace AND p.prosecdef
                     AND has_function_privilege('public', p.oid, 'EXECUTE')$$,
                'no SECURITY DEFINER function of enroll is executable by PUBLIC');

------------------------------------------------------------------------------
-- fixtures
------------------------------------------------------------------------------
CREATE ROLE pgtap_s_app LOGIN IN ROLE enroll_app;
CREATE ROLE pgtap_s_reader LOGIN IN ROLE enroll_reader;
CREATE ROLE pgtap_s_admin LOGIN IN ROLE enroll_admin;
CREATE ROLE pgtap_s_outsider LOGIN;
GRANT USAGE ON SCHEMA enroll TO pgtap_s_outsider;
GRANT EXECUTE ON FUNCTION enroll.act_as(bigint) TO pgtap_s_outsider;

SELECT id AS course FROM enroll.create_course('T2-COURSE', 'Security course') \gset
SELECT id AS other_course FROM enroll.create_course('T2-OTHER', 'Nobody has a license here') \gset
SELECT id AS offer FROM enroll.create_offer('T2-FREE', 'Free', :course, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days',
                                            handler_params => 'coursename=T2-COURSE') \gset
SELECT id AS known FROM enroll.register_account('known.person@example.org', 'Known', 'Person') \gset
SELECT id AS other FROM enroll.register_account('other.person@example.org', 'Other', 'Person') \gset
SELECT id AS op FROM enroll.register_account('t2-operator@shop.example', 'Op', 'Erator') \gset

------------------------------------------------------------------------------
-- (b) built-ins shadowed in schema public (21)
------------------------------------------------------------------------------
-- every trap records its call, and gives a wrong answer
CREATE TABLE public.pgtap_trap_calls (trap text NOT NULL);
GRANT INSERT, SELECT ON public.pgtap_trap_calls TO PUBLIC;
CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE plpgsql
    AS $$ BEGIN INSERT INTO public.pgtap_trap_calls VALUES ('lower'); RETURN 'pwned'; END $$;
CREATE FUNCTION public.btrim(text) RETURNS text LANGUAGE plpgsql
    AS $$ BEGIN INSERT INTO public.pgtap_trap_calls VALUES ('btrim'); RETURN 'pwned'; END $$;
CREATE FUNCTION public.btrim(text, text) RETURNS text LANGUAGE plpgsql
    AS $$ BEGIN INSERT INTO public.pgtap_trap_calls VALUES ('btrim2'); RETURN 'pwned'; END $$;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql
    AS $$ BEGIN INSERT INTO public.pgtap_trap_calls VALUES ('now'); RETURN '2000-01-01 00:00+00'; END $$;
CREATE FUNCTION public.pgtap_trap_text_eq(text, text) RETURNS boolean LANGUAGE plpgsql
    AS $$ BEGIN INSERT INTO public.pgtap_trap_calls VALUES ('text ='); RETURN true; END $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.pgtap_trap_text_eq);
CREATE FUNCTION public.pgtap_trap_int8_eq(bigint, bigint) RETURNS boolean LANGUAGE plpgsql
    AS $$ BEGIN INSERT INTO public.pgtap_trap_calls VALUES ('bigint ='); RETURN true; END $$;
CREATE OPERATOR public.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.pgtap_trap_int8_eq);
CREATE FUNCTION public.pgtap_trap_int8_ne(bigint, bigint) RETURNS boolean LANGUAGE plpgsql
    AS $$ BEGIN INSERT INTO public.pgtap_trap_calls VALUES ('bigint <>'); RETURN false; END $$;
CREATE OPERATOR public.<> (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.pgtap_trap_int8_ne);

-- as the application, with public first in search_path: no pgTAP call (pgTAP
-- itself would be fooled), only the extension's functions, results kept in
-- psql variables and checked once the path is reset
SET ROLE pgtap_s_app;
SET search_path = public, pg_catalog;
-- the traps are armed: unqualified names reach them (3 recorded calls)
SELECT lower('ABC') AS armed_lower, ('a'::text = 'b'::text)::text AS armed_text_eq,
       (1::bigint = 2::bigint)::text AS armed_int8_eq \gset
SELECT enroll.act_as(:known) \gset ignore_
SELECT (enroll.register_account('  KNOWN.Person@EXAMPLE.org ', 'Someone', 'Else')).id AS reg_known,
       (enroll.register_account('new.person@example.org', 'New', 'Person')).email AS reg_new_email,
       enroll.email_key(E' \tMiXed@Example.ORG ') AS key_mixed,
       enroll.current_account() AS actor,
       enroll.offer_state(:offer) AS offer_state \gset
SELECT l.account_id AS lic_account, l.offer_id AS lic_offer, l.course_id AS lic_course,
       l.access_until::text AS lic_until FROM enroll.accept_offer(:offer) AS l \gset
SELECT enroll.access_status(:known, :course) AS st_known, enroll.can_access(:known, :course)::text AS can_known,
       enroll.access_status(:other, :course) AS st_other, enroll.access_status(:known, :other_course) AS st_elsewhere,
       (enroll.offer_requirements(:offer) -> 'steps' -> 0 ->> 'satisfied') AS req_login,
       (SELECT count(*) FROM enroll.account) AS rls_accounts \gset
SELECT enroll.act_as(:op) \gset ignore_
SELECT enroll.setup_course_session('T2-ORDER', :offer, :op, 3,
    '[{"email": "Other.Person@Example.ORG"}, {"email": "fresh.person@example.org", "firstname": "Fresh"}]') AS report \gset
SELECT enroll.setup_course_session('T2-ORDER', :offer, :op, 3, '[{"email": "OTHER.person@example.org"}]') ->> 'status' AS again \gset
RESET ROLE;
-- a DBA's direct UPDATE fires the C trigger offer_validity_guard (it reads
-- the licenses of the offer) under the same path
UPDATE enroll.offer SET valid_until = '2026-12-01 00:00+00' WHERE id OPERATOR(pg_catalog.=) :offer;
SELECT count(*) AS trap_calls FROM public.pgtap_trap_calls \gset
RESET search_path;

SELECT is(:'armed_lower' || ' ' || :'armed_text_eq' || ' ' || :'armed_int8_eq', 'pwned true true',
          'the traps are armed: with public first, lower() and = resolve to them');
SELECT is(:trap_calls::bigint, 3::bigint,
          'no trap was called by the extension (only the 3 arming calls are recorded)');
SELECT is(:reg_known::bigint, :known::bigint,
          'register_account finds the known account from its address in other case and spaces');
SELECT is(:'reg_new_email'::text, 'new.person@example.org', 'register_account creates an unknown address as given');
SELECT is(:'key_mixed'::text, 'mixed@example.org', 'email_key trims and lower-cases');
SELECT is(:actor::bigint, :known::bigint, 'current_account is the act_as account');
SELECT is(:'offer_state'::text, 'active', 'offer_state reads the clock, not public.now()');
SELECT is((SELECT valid_until FROM enroll.offer WHERE id = :offer), '2026-12-01 00:00+00'::timestamptz,
          'a DBA''s direct UPDATE of the offer, validity trigger included, works with public first');
SELECT is(:lic_account::bigint || '/' || :lic_offer::bigint || '/' || :lic_course::bigint,
          :known::bigint || '/' || :offer::bigint || '/' || :course::bigint,
          'accept_offer gives the license to the actor, for the offer and its course');
SELECT is(:'lic_until'::timestamptz, '2026-03-31 10:00:00+00'::timestamptz,
          'the license runs from the enroll.clock for the offer''s access period');
SELECT is(:'st_known' || ' ' || :'can_known', 'active true', 'access_status/can_access: active for the license holder');
SELECT is(:'st_other'::text, 'no_license', 'access_status: no_license for an account without a license');
SELECT is(:'st_elsewhere'::text, 'no_license', 'access_status: no_license in another course');
SELECT is(:'req_login'::text, 'true', 'offer_requirements: the login step is satisfied');
SELECT is(:rls_accounts::bigint, 1::bigint, 'row-level security: the actor sees one account, their own');
SELECT is((:'report'::jsonb) ->> 'status', 'done', 'setup_course_session: done');
SELECT is(jsonb_path_query_array(:'report'::jsonb, '$.**.email') @> '["fresh.person@example.org"]', true,
          'setup_course_session: the report names the new participant');
SELECT results_eq(
    $$SELECT a.email FROM enroll.enrollment e JOIN enroll.account a ON a.id = e.account_id
       WHERE e.order_ref = 'T2-ORDER' ORDER BY 1$$,
    ARRAY['fresh.person@example.org', 'other.person@example.org'],
    'setup_course_session: the existing account is reused, one created, both enrolled');
SELECT is((SELECT count(*) FROM enroll.account WHERE enroll.email_key(email) = 'other.person@example.org'), 1::bigint,
          'setup_course_session: no duplicate account for the address in other case');
SELECT is(:'again'::text, 'already_done', 'setup_course_session again: already done, the address matched case-insensitively');
SELECT is((SELECT count(*) FROM enroll.license WHERE order_ref = 'T2-ORDER' AND ended_at IS NULL), 2::bigint,
          'setup_course_session: two current licenses for the order');
DROP OPERATOR public.= (text, text), public.= (bigint, bigint), public.<> (bigint, bigint);
DROP FUNCTION public.lower(text), public.btrim(text), public.btrim(text, text), public.now(),
    public.pgtap_trap_text_eq(text, text), public.pgtap_trap_int8_eq(bigint, bigint), public.pgtap_trap_int8_ne(bigint, bigint);
DROP TABLE public.pgtap_trap_calls;

------------------------------------------------------------------------------
-- (c) privileges (24)
------------------------------------------------------------------------------
-- no write of any kind on any table, not even on one column; oids, not
-- names, so that the privilege functions never see a missing relation
SELECT is_empty(
    format($$SELECT c.relname, p.priv
               FROM pg_catalog.pg_class c,
                    unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p(priv)
              WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind IN ('r', 'p', 'v')
                AND (has_table_privilege(%1$L, c.oid, p.priv)
                     OR (p.priv IN ('INSERT', 'UPDATE', 'REFERENCES') AND has_any_column_privilege(%1$L, c.oid, p.priv)))$$, r),
    format('%s has no INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES or TRIGGER on any table or view of enroll, nor on any column', r))
  FROM unnest(ARRAY['enroll_app', 'enroll_reader']) AS r;

SET ROLE pgtap_s_app;
SELECT throws_ok(format($$INSERT INTO enroll.license (offer_id, course_id, holder_kind, account_id, accepted_via, price_paid,
                            currency, access_from, access_until) VALUES (%s, %s, 'person', %s, 'self', 0, 'EUR', now(), now() + '1 year')$$,
                        :offer, :course, :other),
                 '42501', NULL, 'enroll_app may not INSERT a license');
SELECT throws_ok('DELETE FROM enroll.membership', '42501', NULL, 'enroll_app may not DELETE memberships');
SELECT throws_ok('TRUNCATE enroll.purchase_order', '42501', NULL, 'enroll_app may not TRUNCATE orders');
RESET ROLE;
SET ROLE pgtap_s_reader;
SELECT throws_ok($$UPDATE enroll.offer SET price = 0$$, '42501', NULL, 'enroll_reader may not UPDATE offers');
SELECT throws_ok($$INSERT INTO enroll.course (shortname, fullname) VALUES ('X', 'X')$$, '42501', NULL,
                 'enroll_reader may not INSERT courses');
RESET ROLE;

-- enroll.clock: superusers only, a member of enroll_admin included
SET ROLE pgtap_s_admin;
SELECT throws_ok($$SET enroll.clock = '2030-01-01 00:00+00'$$, '42501', NULL,
                 'a member of enroll_admin may not SET enroll.clock');
SELECT throws_ok($$SELECT set_config('enroll.clock', '2030-01-01 00:00+00', true)$$, '42501', NULL,
                 'nor set it with set_config()');
SELECT is(enroll.clock_now(), '2026-03-01 10:00:00+00'::timestamptz, 'the clock is still the superuser''s');
RESET ROLE;
SET ROLE pgtap_s_app;
SELECT throws_ok($$SET LOCAL enroll.clock = ''$$, '42501', NULL, 'enroll_app may not even reset enroll.clock');
RESET ROLE;

-- act_as: members of enroll_app and enroll_admin only
SET ROLE pgtap_s_outsider;
SELECT throws_ok(format('SELECT enroll.act_as(%s)', :known), '42501', 'permission denied to act as an account',
                 'act_as refuses a role outside enroll_app and enroll_admin, even with EXECUTE granted');
RESET ROLE;
SET ROLE pgtap_s_reader;
SELECT throws_ok(format('SELECT enroll.act_as(%s)', :known), '42501', NULL, 'act_as refuses enroll_reader');
RESET ROLE;
SET ROLE pgtap_s_admin;
SELECT lives_ok(format('SELECT enroll.act_as(%s)', :known), 'act_as accepts a member of enroll_admin');
RESET ROLE;

-- the audit log: an enroll_admin member cannot change it
SELECT cmp_ok((SELECT count(*) FROM enroll.event), '>', 5::bigint, 'the fixtures wrote events');
SELECT md5(string_agg(e::text, '|' ORDER BY e.id)) AS events_digest, count(*) AS events_count FROM enroll.event e \gset
SET ROLE pgtap_s_admin;
SELECT throws_ok($$UPDATE enroll.event SET what = 'account.forged'$$, '42501', NULL,
                 'an enroll_admin member may not UPDATE enroll.event (no privilege)');
SELECT throws_ok('DELETE FROM enroll.event', '42501', NULL,
                 'an enroll_admin member may not DELETE FROM enroll.event (no privilege)');
SELECT throws_ok('ALTER TABLE enroll.event DISABLE TRIGGER event_append_only', '42501', NULL,
                 'an enroll_admin member may not disable the append-only trigger');
RESET ROLE;
-- a DBA grants the writes: row-level security has no write policy, so
-- UPDATE and DELETE reach no row; TRUNCATE meets the trigger
GRANT UPDATE, DELETE, TRUNCATE ON enroll.event TO pgtap_s_admin;
SET ROLE pgtap_s_admin;
SELECT is_empty($$UPDATE enroll.event SET what = 'account.forged' RETURNING id$$,
                'granted UPDATE, an enroll_admin member still updates no event (no write policy)');
SELECT is_empty('DELETE FROM enroll.event RETURNING id',
                'granted DELETE, an enroll_admin member still deletes no event (no write policy)');
SELECT throws_ok('TRUNCATE enroll.event', 'PE012', NULL, 'granted TRUNCATE, the trigger refuses it (PE012)');
RESET ROLE;
-- and given BYPASSRLS too, the trigger refuses every row
ALTER ROLE pgtap_s_admin BYPASSRLS;
SET ROLE pgtap_s_admin;
SELECT throws_ok($$UPDATE enroll.event SET what = 'account.forged'$$, 'PE012', NULL,
                 'granted UPDATE and BYPASSRLS, the trigger refuses the UPDATE (PE012)');
SELECT throws_ok('DELETE FROM enroll.event', 'PE012', NULL,
                 'granted DELETE and BYPASSRLS, the trigger refuses the DELETE (PE012)');
RESET ROLE;
SELECT is((SELECT md5(string_agg(e::text, '|' ORDER BY e.id)) || ' ' || count(*) FROM enroll.event e),
          :'events_digest' || ' ' || :events_count, 'every event is as it was');

SELECT * FROM finish();
ROLLBACK;

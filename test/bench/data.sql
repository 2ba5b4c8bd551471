-- test/bench/data.sql: the data of scripts/bench, generated in SQL and
-- reproducible: every choice is a function of the row number and the seed
-- (hashint8extended), never of random(), so the same seed gives the same
-- rows whatever the plan.  Run by a superuser in a fresh database with
-- pg_enroll and test/bench/baseline_schema.sql.
--
-- psql variables:  accounts, licenses, offers, orgs, seed (accounts_loaded:
-- the accounts are there already, test/bench/data_accounts.sql)
-- Shape (the full run: 10^6 accounts, 10^6 licenses, 10^3 offers, 10^4
-- organizations):
--   courses   offers / 10 (a multiple of 10); course c with c % 10 = 0 is an
--             organization course, the others are person courses;
--   offers    offer k is on course ((k-1) % courses) + 1, variant
--             v = ((k-1) / courses) % 10: organization offers (50 seats) on
--             organization courses; on person courses v 0..5 public and free
--             (v 5 with a documents grace), v 6 an extra condition, v 7
--             registrar organization types, v 8 private, v 9 paid (billing);
--   accounts  userN@example.org; every 20th is a member of organization
--             ((N/20 - 1) % orgs) + 1, the first member of each its admin;
--   licenses  account N <= ncur holds a current license for its course
--             c(N) (a person course), from a public free offer, accepted up
--             to 300 days ago for 365 days (every 50th one expired; members
--             name their organization as registrar, every 5th has validated
--             documents); accounts N <= licenses/5 also have the license it
--             superseded, 400 days older (the history); each organization
--             holds a license of 50 seats for its organization course;
--             ncur = licenses - licenses/5 - orgs, so there are exactly
--             `licenses` licenses.
-- Then the operator and the system administrator of the benchmarks, the
-- session course, its support course and the session offer (through the
-- extension's functions), and the same rows copied into the look-alike
-- tables of schema base.  Loaded with session_replication_role = replica
-- (no trigger, no foreign-key check: the rows are consistent by
-- construction); check_invariants() is empty afterwards.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;

SELECT :offers / 10 AS courses \gset
SELECT :courses * 9 / 10 AS pcourses, :licenses / 5 AS nhist \gset
SELECT :licenses - :nhist - :orgs AS ncur \gset
SELECT CASE WHEN :courses < 10 OR :courses % 10 <> 0 THEN 'offers must be a multiple of 100'
            WHEN :ncur > :accounts THEN 'more licenses than accounts can hold'
            WHEN :ncur < :nhist THEN 'too few licenses for the history'
            WHEN :accounts < 40 * :orgs THEN 'need 40 accounts per organization (2 members)'
            ELSE '' END AS bad \gset
SELECT :'bad' = '' AS ok \gset
\if :ok
\else
\echo data.sql: :bad
SELECT 1 / 0;
\endif

BEGIN;
SET LOCAL session_replication_role = replica;

INSERT INTO enroll.organization_type (id, code, name)
    VALUES (1, 'school', 'School'), (2, 'university', 'University'), (3, 'nonprofit', 'Non-profit'),
           (4, 'company', 'Company'), (5, 'public_body', 'Public body');
INSERT INTO enroll.organization (id, type_id, name, join_policy, created_at)
    SELECT g, ((g - 1) % 5) + 1, 'Organization ' || g,
           CASE WHEN g % 10 = 0 THEN 'approval' ELSE 'open' END::enroll.join_policy,
           now() - interval '3 years'
      FROM generate_series(1, :orgs) g;

INSERT INTO enroll.course (id, shortname, fullname, created_at)
    SELECT c, 'C' || c, 'Course ' || c, now() - interval '3 years' FROM generate_series(1, :courses) c;

INSERT INTO enroll.offer (id, code, title, course_id, price, currency, valid_from, valid_until, visibility,
                          recipient_kind, required_level, extra_condition, access_period, documents_grace, seats)
    SELECT k, 'O' || k, 'Offer ' || k, o.course,
           CASE WHEN o.person AND o.v = 9 THEN 120 ELSE 0 END, 'EUR',
           now() - interval '2 years', now() + interval '2 years',
           CASE WHEN o.person AND o.v = 8 THEN 'private' ELSE 'public' END::enroll.offer_visibility,
           CASE WHEN o.person THEN 'person' ELSE 'organization' END::enroll.holder_kind,
           CASE WHEN o.person AND o.v = 9 THEN 'billing' ELSE 'default' END::enroll.profile_level,
           CASE WHEN o.person AND o.v = 6 THEN 'I accept the terms of offer ' || k || '.' END,
           interval '365 days',
           CASE WHEN o.person AND o.v = 5 THEN interval '30 days' END,
           CASE WHEN NOT o.person THEN 50 END
      FROM generate_series(1, :offers) k,
           LATERAL (SELECT ((k - 1) % :courses) + 1 AS course, ((k - 1) / :courses) % 10 AS v,
                           (((k - 1) % :courses) + 1) % 10 <> 0 AS person) o;
INSERT INTO enroll.offer_registrar_type (offer_id, organization_type_id)
    SELECT k, ((k - 1) % 5) + 1 FROM generate_series(1, :offers) k
     WHERE ((k - 1) / :courses) % 10 = 7 AND (((k - 1) % :courses) + 1) % 10 <> 0;

-- the accounts (test/bench/data_accounts.sql), unless already loaded
-- (psql variable accounts_loaded: scripts/bench loads them in parallel)
\if :{?accounts_loaded}
\else
INSERT INTO enroll.account (id, email, firstname, lastname, created_at)
    SELECT a, 'user' || a || '@example.org', 'First' || a, 'Last' || a, now() - interval '2 years'
      FROM generate_series(1, :accounts) a;
\endif
INSERT INTO enroll.membership (id, account_id, organization_id, is_admin, joined_at)
    SELECT a / 20, a, ((a / 20 - 1) % :orgs) + 1, a / 20 <= :orgs, now() - interval '1 year'
      FROM generate_series(20, :accounts, 20) a;

-- current person licenses: account a, course c(a), a public free offer of it
INSERT INTO enroll.license (id, offer_id, course_id, holder_kind, account_id, accepted_by, accepted_via, accepted_at,
                            registrar_org_id, price_paid, currency, access_from, access_until,
                            documents_due_at, documents_validated_at, documents_validated_by)
    SELECT a, x.c + :courses * (x.h % 6), x.c, 'person', a, a, 'self', x.at,
           CASE WHEN a % 20 = 0 THEN ((a / 20 - 1) % :orgs) + 1 END, 0, 'EUR', x.at, x.at + interval '365 days',
           CASE WHEN a % 5 = 0 THEN x.at + interval '30 days' END,
           CASE WHEN a % 5 = 0 THEN x.at + interval '1 day' END,
           CASE WHEN a % 5 = 0 THEN a END
      FROM generate_series(1, :ncur) a,
           LATERAL (SELECT abs(hashint8extended(a, :seed)) AS h) hh,
           LATERAL (SELECT (a - 1) % :pcourses + (a - 1) % :pcourses / 9 + 1 AS c, hh.h,
                           date_trunc('second', now()) - make_interval(days => CASE WHEN a % 50 = 7 THEN 400 ELSE (hh.h / 7 % 300)::int END,
                                                                       secs => (hh.h / 3001 % 86400)::int) AS at) x;
-- their history: the license each of the first nhist accounts had before
INSERT INTO enroll.license (id, offer_id, course_id, holder_kind, account_id, accepted_by, accepted_via, accepted_at,
                            price_paid, currency, access_from, access_until, ended_at, end_reason, superseded_by)
    SELECT :ncur + l.id, l.course_id + :courses * (abs(hashint8extended(l.id, :seed + 1)) % 6), l.course_id,
           'person', l.account_id, l.account_id, 'self', l.accepted_at - interval '400 days', 0, 'EUR',
           l.accepted_at - interval '400 days', l.accepted_at - interval '35 days',
           l.accepted_at - interval '35 days', 'superseded', l.id
      FROM enroll.license l WHERE l.id <= :nhist;
-- one organization license of 50 seats per organization, accepted by its admin
INSERT INTO enroll.license (id, offer_id, course_id, holder_kind, organization_id, accepted_by, accepted_via, accepted_at,
                            price_paid, currency, access_from, access_until, seats)
    SELECT :ncur + :nhist + g, x.c, x.c, 'organization', g, 20 * g, 'org_admin', now() - interval '10 days', 0, 'EUR',
           now() - interval '10 days', now() + interval '355 days', 50
      FROM generate_series(1, :orgs) g, LATERAL (SELECT 10 * (((g - 1) % (:courses / 10)) + 1) AS c) x;
COMMIT;

SELECT pg_catalog.setval('enroll.organization_type_id_seq', 5),
       pg_catalog.setval('enroll.organization_id_seq', :orgs),
       pg_catalog.setval('enroll.course_id_seq', :courses),
       pg_catalog.setval('enroll.offer_id_seq', :offers),
       pg_catalog.setval('enroll.account_id_seq', :accounts),
       pg_catalog.setval('enroll.membership_id_seq', :accounts / 20),
       pg_catalog.setval('enroll.license_id_seq', :licenses) \gset

-- the benchmarks' operator and system administrator, the session course,
-- its support course and the session offer: through the functions, as a
-- shop would create them (its start a week ahead and its end five weeks
-- later: the participants' access window, S1.10)
SELECT (enroll.register_account('operator@bench.example', 'Olga', 'Operator')).id AS operator \gset
SELECT (enroll.register_account('admin@bench.example', 'Adam', 'Admin')).id AS admin \gset
UPDATE enroll.account SET is_admin = true WHERE id = :admin;
SELECT id AS session_course FROM enroll.create_course('SESSION', 'Session course, 5 weeks') \gset
SELECT id AS support_course FROM enroll.create_course('SESSION-SUPPORT', 'Session customer support') \gset
SELECT id AS session_offer FROM enroll.create_offer('SESSION', 'Session, 5 weeks', :session_course, 0, 'EUR',
           now() - interval '1 day', now() + interval '2 years', '60 days',
           handler_params => format('coursename=SESSION&customersupport=SESSION-SUPPORT&starttime=%s&endtime=%s',
                                    extract(epoch FROM date_trunc('day', now()) + interval '7 days')::bigint,
                                    extract(epoch FROM date_trunc('day', now()) + interval '42 days')::bigint)) \gset

-- the same rows in the look-alike tables
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO base.organization (id, name) SELECT id, name FROM enroll.organization;
INSERT INTO base.course (id, shortname, fullname) SELECT id, shortname, fullname FROM enroll.course;
INSERT INTO base.role (id, shortname) SELECT id, shortname FROM enroll.role;
INSERT INTO base.offer (id, course_id, price, currency, valid_from, valid_until, access_period)
    SELECT id, course_id, price, currency, valid_from, valid_until, access_period FROM enroll.offer;
INSERT INTO base.account (id, email, firstname, lastname, created_at)
    SELECT id, email, firstname, lastname, created_at FROM enroll.account;
INSERT INTO base.membership (id, account_id, organization_id, is_admin, left_at)
    SELECT id, account_id, organization_id, is_admin, left_at FROM enroll.membership;
INSERT INTO base.license (id, offer_id, course_id, account_id, organization_id, accepted_by, accepted_via, accepted_at,
                          registrar_org_id, price_paid, currency, access_from, access_until, documents_due_at,
                          documents_validated_at, seats, parent_license, ended_at, end_reason, superseded_by)
    SELECT id, offer_id, course_id, account_id, organization_id, accepted_by, accepted_via::text, accepted_at,
           registrar_org_id, price_paid, currency, access_from, access_until, documents_due_at,
           documents_validated_at, seats, parent_license, ended_at, end_reason::text, superseded_by
      FROM enroll.license ORDER BY id;
COMMIT;
SELECT pg_catalog.setval('base.organization_id_seq', (SELECT max(id) FROM base.organization)),
       pg_catalog.setval('base.course_id_seq', (SELECT max(id) FROM base.course)),
       pg_catalog.setval('base.role_id_seq', (SELECT max(id) FROM base.role)),
       pg_catalog.setval('base.offer_id_seq', (SELECT max(id) FROM base.offer)),
       pg_catalog.setval('base.account_id_seq', (SELECT max(id) FROM base.account)),
       pg_catalog.setval('base.membership_id_seq', (SELECT max(id) FROM base.membership)),
       pg_catalog.setval('base.license_id_seq', (SELECT max(id) FROM base.license)) \gset

-- what the benchmark scripts need to know, in one row
CREATE SCHEMA bench;
CREATE TABLE bench.shape AS
    SELECT :accounts::bigint AS accounts, :licenses::bigint AS licenses, :offers::bigint AS offers,
           :orgs::bigint AS orgs, :courses::bigint AS courses, :pcourses::bigint AS pcourses,
           :ncur::bigint AS ncur, :nhist::bigint AS nhist, :seed::bigint AS seed,
           :operator::bigint AS operator, :admin::bigint AS admin,
           :session_course::bigint AS session_course, :support_course::bigint AS support_course,
           :session_offer::bigint AS session_offer,
           (SELECT id FROM enroll.role WHERE shortname = 'student') AS student,
           (SELECT id FROM enroll.role WHERE shortname = 'teacher') AS tutor,
           (SELECT id FROM enroll.role WHERE shortname = 'delegated_manager') AS manager,
           (SELECT id FROM enroll.role WHERE shortname = 'delegated_user') AS user_role,
           date_trunc('day', now()) + interval '7 days' AS session_from,
           date_trunc('day', now()) + interval '42 days' AS session_until;
VACUUM ANALYZE;

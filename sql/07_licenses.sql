-- 07_licenses: the license lifecycle after acceptance.  Non-accumulation in
-- both directions (S2.23), organization seats (allocate_seat, never more than
-- bought), documents (validate_documents, S2.18), the registrar membership
-- while the license is used (S2.19), revocation (revoke_license), and every
-- status of enroll.access_status, with can_access true exactly for active.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
SET enroll.clock = '2026-03-01 10:00:00+00';
-- the error a statement raises: SQLSTATE, message, detail and hint; the
-- statement runs in a subtransaction, so the enclosing transaction goes on
CREATE FUNCTION pg_temp.error_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; det text; hnt text;
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
    RETURN st || ': ' || msg || coalesce(E'\n  DETAIL: ' || nullif(det, ''), '') || coalesce(E'\n  HINT: ' || nullif(hnt, ''), '');
END $$;
-- ids in messages stay the same whatever earlier tests created
SELECT count(pg_catalog.setval(c.oid, 7000)) AS sequences_moved
  FROM pg_class c WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind = 'S';
-- what a license function may write: row counts, and a digest of every license
-- row so that an update shows too.  SECURITY DEFINER: it sees every row, not
-- only those the acting account's row-level security lets through.
CREATE FUNCTION pg_temp.counts() RETURNS text LANGUAGE sql SECURITY DEFINER AS $$
    SELECT format('licenses=%s memberships=%s events=%s digest=%s',
        (SELECT count(*) FROM enroll.license), (SELECT count(*) FROM enroll.membership),
        (SELECT count(*) FROM enroll.event),
        (SELECT md5(string_agg(l::text, '|' ORDER BY l.id)) FROM enroll.license l))
$$;
CREATE ROLE regress_lic_app LOGIN IN ROLE enroll_app;

-- a course, a school (registrar), two companies (organization licenses), people
SELECT id AS maths FROM enroll.create_course('LIC-MATHS', 'Maths exam preparation') \gset
SELECT code FROM enroll.create_organization_type('lic_school', 'School');
SELECT code FROM enroll.create_organization_type('lic_company', 'Company');
SELECT id AS school FROM enroll.create_organization('lic_school', 'Lycée Curie') \gset
SELECT id AS acme FROM enroll.create_organization('lic_company', 'Acme Training') \gset
SELECT id AS globex FROM enroll.create_organization('lic_company', 'Globex') \gset
SELECT id AS admin FROM enroll.register_account('lic-root@example.org', 'Root', 'Admin') \gset
SELECT id AS sally FROM enroll.register_account('lic-sally@example.org', 'Sally', 'School-Admin') \gset
SELECT id AS olga FROM enroll.register_account('lic-olga@example.org', 'Olga', 'Acme-Admin') \gset
SELECT id AS ana FROM enroll.register_account('lic-ana@example.org', 'Ana', 'Free-To-Paid') \gset
SELECT id AS bob FROM enroll.register_account('lic-bob@example.org', 'Bob', 'Paid-To-Free') \gset
SELECT id AS cleo FROM enroll.register_account('lic-cleo@example.org', 'Cleo', 'Not-Started') \gset
SELECT id AS dan FROM enroll.register_account('lic-dan@example.org', 'Dan', 'Expires') \gset
SELECT id AS eve FROM enroll.register_account('lic-eve@example.org', 'Eve', 'Revoked') \gset
SELECT id AS zoe FROM enroll.register_account('lic-zoe@example.org', 'Zoe', 'No-License') \gset
SELECT id AS mona FROM enroll.register_account('lic-mona@example.org', 'Mona', 'Acme') \gset
SELECT id AS marc FROM enroll.register_account('lic-marc@example.org', 'Marc', 'Acme') \gset
SELECT id AS mila FROM enroll.register_account('lic-mila@example.org', 'Mila', 'Acme') \gset
SELECT id AS nina FROM enroll.register_account('lic-nina@example.org', 'Nina', 'Outsider') \gset
SELECT id AS rae FROM enroll.register_account('lic-rae@example.org', 'Rae', 'Same-Instant') \gset
-- DBA steps: a system admin; the school's admin; Acme's admin and members
UPDATE enroll.account SET is_admin = true WHERE id = :admin;
INSERT INTO enroll.membership (account_id, organization_id, is_admin) VALUES
    (:sally, :school, true), (:olga, :acme, true), (:olga, :globex, true),
    (:mona, :acme, false), (:marc, :acme, false), (:mila, :acme, false);
-- offers: free for 30 days; paid for 180 days with documents due within 30
-- days (S2.18) and the school as registrar (S2.13); a class pack of 2 seats
SELECT id AS free FROM enroll.create_offer('LIC-FREE', 'Free discovery', :maths, 0, 'EUR',
    '2026-01-01', '2027-01-01', '30 days') \gset
SELECT id AS paid FROM enroll.create_offer('LIC-PAID', 'Exam preparation', :maths, 49.90, 'EUR',
    '2026-01-01', '2027-01-01', '180 days', documents_grace => '30 days') \gset
SELECT offer_id = :paid AS school_registrar FROM enroll.add_offer_registrar_type(:paid, 'lic_school');
SELECT id AS class FROM enroll.create_offer('LIC-CLASS', 'Class pack', :maths, 0, 'EUR',
    '2026-01-01', '2027-01-01', '365 days', recipient_kind => 'organization', seats => 2) \gset

-- every access check made below is recorded, to prove at the end that every
-- status was reached and that can_access is true exactly for active
CREATE TEMP TABLE who (ord int, name text, id bigint);
INSERT INTO who VALUES (1, 'zoe', :zoe), (2, 'ana', :ana), (3, 'bob', :bob), (4, 'cleo', :cleo),
    (5, 'dan', :dan), (6, 'eve', :eve), (7, 'mona', :mona), (8, 'marc', :marc), (9, 'mila', :mila);
CREATE TEMP TABLE seen (at timestamptz, name text, status text, can_access boolean);
CREATE FUNCTION pg_temp.overview(course bigint) RETURNS TABLE (name text, status text, can_access boolean)
LANGUAGE sql AS $$
    WITH s AS (SELECT w.ord, w.name, enroll.access_status(w.id, course) AS status,
                      enroll.can_access(w.id, course) AS can_access FROM pg_temp.who w),
         i AS (INSERT INTO pg_temp.seen SELECT enroll.clock_now(), s.name, s.status, s.can_access FROM s)
    SELECT s.name, s.status, s.can_access FROM s ORDER BY s.ord
$$;
-- one license row, readable: offer code, window, end, successor's offer
CREATE VIEW pg_temp.licenses AS
SELECT l.id, a.email, o.code, l.access_from, l.access_until, l.ended_at, l.end_reason,
       s.code AS superseded_by_offer, l.parent_license, l.documents_due_at
  FROM enroll.license l JOIN enroll.offer o ON o.id = l.offer_id
  LEFT JOIN enroll.account a ON a.id = l.account_id
  LEFT JOIN enroll.license n ON n.id = l.superseded_by LEFT JOIN enroll.offer s ON s.id = n.offer_id;

-------------------------------------------------------------------------------
-- 2026-03-01: first licenses
-------------------------------------------------------------------------------
SET ROLE regress_lic_app;
BEGIN; SELECT enroll.act_as(:ana); SELECT code FROM enroll.accept_offer(:free) JOIN enroll.offer o ON o.id = offer_id; COMMIT;
BEGIN; SELECT enroll.act_as(:dan); SELECT code FROM enroll.accept_offer(:free) JOIN enroll.offer o ON o.id = offer_id; COMMIT;
BEGIN; SELECT enroll.act_as(:eve); SELECT code FROM enroll.accept_offer(:free) JOIN enroll.offer o ON o.id = offer_id; COMMIT;
BEGIN; SELECT enroll.act_as(:mona); SELECT code FROM enroll.accept_offer(:free) JOIN enroll.offer o ON o.id = offer_id; COMMIT;
BEGIN;
SELECT enroll.act_as(:bob);
SELECT profile_level FROM enroll.upgrade_profile('billing',
    '{"address": {"street": "1 rue Haute", "postal_code": "75005", "city": "Paris", "country": "FR"}}');
SELECT code, documents_due_at FROM enroll.accept_offer(:paid, registrar_org => :school, join_registrar => true)
  JOIN enroll.offer o ON o.id = offer_id;
COMMIT;
-- Acme's admin buys the class pack for Acme (S2.8): an organization license of 2 seats
BEGIN;
SELECT enroll.act_as(:olga);
SELECT id AS class_license FROM enroll.accept_offer(:class, for_organization => :acme) \gset
COMMIT;
RESET ROLE;
SELECT holder_kind, organization_id = :acme AS acme_holds, seats, accepted_via, access_from, access_until
  FROM enroll.license WHERE id = :class_license;
-- a DBA writes a license that starts later (a pre-sale, say)
INSERT INTO enroll.license (offer_id, course_id, holder_kind, account_id, accepted_via, price_paid, currency,
                            access_from, access_until)
    VALUES (:free, :maths, 'person', :cleo, 'admin', 0, 'EUR', '2026-06-01', '2026-07-01');
-- no_license, active, not_started
SELECT * FROM pg_temp.overview(:maths);

-------------------------------------------------------------------------------
-- 2026-03-11: S2.23, access times never add up, in both directions
-------------------------------------------------------------------------------
SET enroll.clock = '2026-03-11 10:00:00+00';
SET ROLE regress_lic_app;
-- free -> paid: Ana's free license had 20 days left; the paid one runs 180
-- days from now, neither 180 + 20 days nor from the end of the free one
BEGIN;
SELECT enroll.act_as(:ana);
SELECT profile_level FROM enroll.upgrade_profile('billing',
    '{"address": {"street": "2 rue Basse", "postal_code": "69001", "city": "Lyon", "country": "FR"}}');
SELECT id AS ana_paid
  FROM enroll.accept_offer(:paid, registrar_org => :school, join_registrar => true) \gset
COMMIT;
-- paid -> free: Bob's paid license had 170 days left; they are lost, the free
-- one's 30 days from now apply
BEGIN;
SELECT enroll.act_as(:bob);
SELECT id AS bob_free FROM enroll.accept_offer(:free) \gset
COMMIT;
RESET ROLE;
SELECT email, code, access_from, access_until, access_until - access_from AS access, ended_at, end_reason,
       superseded_by_offer, documents_due_at
  FROM pg_temp.licenses WHERE email IN ('lic-ana@example.org', 'lic-bob@example.org') ORDER BY id;
SELECT email, access_until = enroll.clock_now() + o.access_period AS latest_period_only
  FROM enroll.license l JOIN enroll.account a ON a.id = l.account_id JOIN enroll.offer o ON o.id = l.offer_id
 WHERE l.id IN (:ana_paid, :bob_free) ORDER BY l.id;
SELECT count(*) AS current_licenses FROM enroll.license
 WHERE account_id IN (:ana, :bob) AND course_id = :maths AND ended_at IS NULL;

-------------------------------------------------------------------------------
-- Seats (S2.8, S2.23): an organization admin gives the seats bought to
-- members, never more; a seat supersedes the member's current license
-------------------------------------------------------------------------------
SET ROLE regress_lic_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of('SELECT enroll.allocate_seat(NULL, 1)');
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, NULL)', :class_license));
SELECT pg_temp.error_of('SELECT enroll.allocate_seat(-1, 1)');
-- a person license has no seats; to an organization admin it is somebody else's (42501)
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s)', :ana_paid, :mona));
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, -7)', :class_license));
-- seats go to current members of the organization only
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s)', :class_license, :nina));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
COMMIT;
-- a member who is not an organization admin may not allocate
BEGIN;
SELECT enroll.act_as(:mona);
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s)', :class_license, :mona));
ROLLBACK;
-- a seat supersedes the member's current license (S2.23): Mona's free
-- license ends; the seat runs until the organization license ends
BEGIN;
SELECT enroll.act_as(:olga);
SELECT holder_kind, account_id = :mona AS for_mona, accepted_via, accepted_by = :olga AS by_olga, price_paid,
       access_from, access_until, parent_license = :class_license AS from_class_license
  FROM enroll.allocate_seat(:class_license, :mona);
SELECT pg_temp.counts() AS before \gset
-- allocating again to the same member returns the same seat: no second seat, no event
SELECT id AS mona_seat FROM enroll.allocate_seat(:class_license, :mona) \gset
SELECT pg_temp.counts() = :'before' AS nothing_changed;
SELECT parent_license = :class_license AS second_seat FROM enroll.allocate_seat(:class_license, :marc);
-- the two seats bought are allocated: the next one is refused (PE017)
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s)', :class_license, :mila));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
COMMIT;
RESET ROLE;
SELECT id = :mona_seat AS mona_seat, code, access_from, access_until, ended_at, end_reason, superseded_by_offer,
       parent_license = :class_license AS seat
  FROM pg_temp.licenses WHERE email = 'lic-mona@example.org' ORDER BY id;
-- the seat ends when the organization license does, whatever was left of the free one
SELECT s.access_until = p.access_until AS seat_ends_with_org_license
  FROM enroll.license s JOIN enroll.license p ON p.id = s.parent_license WHERE s.id = :mona_seat;
SELECT count(*) AS seats_allocated FROM enroll.license WHERE parent_license = :class_license AND ended_at IS NULL;

-------------------------------------------------------------------------------
-- Revocation (API.md, revoke_license): system admins only, with a reason, once
-------------------------------------------------------------------------------
SELECT id AS eve_free FROM enroll.license WHERE account_id = :eve AND ended_at IS NULL \gset
SELECT id AS ana_free FROM enroll.license WHERE account_id = :ana AND offer_id = :free \gset
SET ROLE regress_lic_app;
BEGIN;
SELECT enroll.act_as(:ana);
SELECT pg_temp.error_of(format('SELECT enroll.revoke_license(%s, %L)', :eve_free, 'spite'));
ROLLBACK;
BEGIN;
SELECT enroll.act_as(:admin);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of('SELECT enroll.revoke_license(NULL, ''refunded'')');
SELECT pg_temp.error_of(format('SELECT enroll.revoke_license(%s, NULL)', :eve_free));
SELECT pg_temp.error_of(format('SELECT enroll.revoke_license(%s, %L)', :eve_free, E' \t'));
SELECT pg_temp.error_of('SELECT enroll.revoke_license(-1, ''refunded'')');
-- a superseded license has ended already
SELECT pg_temp.error_of(format('SELECT enroll.revoke_license(%s, %L)', :ana_free, 'too late'));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
SELECT ended_at, end_reason, end_note FROM enroll.revoke_license(:eve_free, '  payment refunded ');
-- revoking twice is an error (PE011) and changes nothing
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format('SELECT enroll.revoke_license(%s, %L)', :eve_free, 'again'));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
COMMIT;
-- superseded and revoked at the same instant (one transaction): the status
-- is that of the latest license, revoked, whatever the physical row order
-- (Rae accepts twice herself -- her own choice supersedes, S2.23 -- and an
-- admin revokes the second acceptance in the same transaction)
BEGIN;
SELECT enroll.act_as(:rae);
SELECT id AS rae_first FROM enroll.accept_offer(:free) \gset
SELECT id AS rae_second, outcome FROM enroll.accept_offer(:free) \gset
SELECT :'outcome' AS second_outcome;
SELECT enroll.act_as(:admin);
SELECT end_reason FROM enroll.revoke_license(:rae_second, 'duplicate');
COMMIT;
RESET ROLE;
SELECT enroll.access_status(:rae, :maths) AS rae_status;
-- a DBA annotates the superseded license: a new row version, now after the
-- revoked one in the index
UPDATE enroll.license SET order_ref = 'LIC-PO-1' WHERE id = :rae_first;
SELECT enroll.access_status(:rae, :maths) AS rae_status_after_edit;
-- revoked, and the seats are active
SELECT * FROM pg_temp.overview(:maths);

-------------------------------------------------------------------------------
-- 2026-04-15: S2.18, documents due and validated; expiry
-------------------------------------------------------------------------------
SET enroll.clock = '2026-04-15 10:00:00+00';
-- Ana's documents were due on 2026-04-10: documents_missing.  Dan's and
-- Bob's free licenses ran out: expired.  Cleo's has still not started.
SELECT * FROM pg_temp.overview(:maths);
SELECT id AS dan_free FROM enroll.license WHERE account_id = :dan AND ended_at IS NULL \gset
SELECT id AS bob_paid FROM enroll.license WHERE account_id = :bob AND offer_id = :paid \gset
SET ROLE regress_lic_app;
-- neither the learner nor an admin of another organization may validate
BEGIN;
SELECT enroll.act_as(:ana);
SELECT pg_temp.error_of(format('SELECT enroll.validate_documents(%s)', :ana_paid));
ROLLBACK;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT pg_temp.error_of(format('SELECT enroll.validate_documents(%s)', :ana_paid));
ROLLBACK;
BEGIN;
SELECT enroll.act_as(:admin);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of('SELECT enroll.validate_documents(NULL)');
SELECT pg_temp.error_of('SELECT enroll.validate_documents(-1)');
-- the free offer has no documents grace: nothing to validate (PE018)
SELECT pg_temp.error_of(format('SELECT enroll.validate_documents(%s)', :dan_free));
-- Bob's paid license needed documents, but it was superseded (PE011)
SELECT pg_temp.error_of(format('SELECT enroll.validate_documents(%s)', :bob_paid));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
COMMIT;
-- the registrar organization's admin validates Ana's documents: access resumes
BEGIN;
SELECT enroll.act_as(:sally);
SELECT documents_due_at, documents_validated_at, documents_validated_by = :sally AS by_sally
  FROM enroll.validate_documents(:ana_paid);
COMMIT;
RESET ROLE;
SELECT enroll.access_status(:ana, :maths) AS ana_after_validation;
-- validating twice returns the row unchanged: same time, no event
SET enroll.clock = '2026-04-16 10:00:00+00';
SET ROLE regress_lic_app;
BEGIN;
SELECT enroll.act_as(:admin);
SELECT pg_temp.counts() AS before \gset
SELECT documents_validated_at, documents_validated_by = :sally AS still_by_sally FROM enroll.validate_documents(:ana_paid);
SELECT pg_temp.counts() = :'before' AS nothing_changed;
COMMIT;

-------------------------------------------------------------------------------
-- S2.19: membership of the registrar organization, checked while in use
-------------------------------------------------------------------------------
BEGIN;
SELECT enroll.act_as(:ana);
SELECT left_at FROM enroll.leave_organization(:school);
COMMIT;
RESET ROLE;
SELECT name, status, can_access FROM pg_temp.overview(:maths) WHERE name = 'ana';
-- joining again (a new membership) restores access
SET ROLE regress_lic_app;
BEGIN;
SELECT enroll.act_as(:ana);
SELECT joined_at FROM enroll.join_organization(:school);
COMMIT;
RESET ROLE;
SELECT name, status, can_access FROM pg_temp.overview(:maths) WHERE name = 'ana';

-------------------------------------------------------------------------------
-- Seats withdrawn: the organization license revoked, then expired; a new
-- seat supersedes the withdrawn one (S2.23)
-------------------------------------------------------------------------------
SET ROLE regress_lic_app;
BEGIN;
SELECT enroll.act_as(:admin);
SELECT end_reason, end_note FROM enroll.revoke_license(:class_license, 'contract cancelled');
COMMIT;
RESET ROLE;
-- the seat rows are untouched; their access is withdrawn
SELECT count(*) AS seats_still_current FROM enroll.license WHERE parent_license = :class_license AND ended_at IS NULL;
SELECT name, status, can_access FROM pg_temp.overview(:maths) WHERE name IN ('mona', 'marc');
SET ROLE regress_lic_app;
BEGIN;
SELECT enroll.act_as(:olga);
-- no seat from an ended organization license (PE011)
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s)', :class_license, :mila));
-- Acme buys the pack again; the seat Mona held is superseded by a new one (S2.23)
SELECT id AS class_license2 FROM enroll.accept_offer(:class, for_organization => :acme) \gset
SELECT access_until FROM enroll.allocate_seat(:class_license2, :mila);
SELECT access_until FROM enroll.allocate_seat(:class_license2, :mona);
COMMIT;
RESET ROLE;
SELECT name, status, can_access FROM pg_temp.overview(:maths) WHERE name IN ('mona', 'marc', 'mila');
-- the seat check comes before the seat's own window: when the organization
-- license runs out, its seats read seat_withdrawn, not expired, even though
-- a seat's access_until is its organization license's
SET enroll.clock = '2027-06-01 10:00:00+00';
SELECT name, status, can_access FROM pg_temp.overview(:maths) WHERE name IN ('mona', 'mila');
-- and when a DBA cuts the organization license short, the seats still inside
-- their own window read seat_withdrawn too
UPDATE enroll.license SET access_until = '2026-04-20 10:00:00+00' WHERE id = :class_license2;
SET enroll.clock = '2026-04-25 10:00:00+00';
SELECT name, status, can_access FROM pg_temp.overview(:maths) WHERE name IN ('mona', 'marc', 'mila');
-- no seat from an expired organization license, nor from one not started yet (PE011)
INSERT INTO enroll.license (offer_id, course_id, holder_kind, organization_id, accepted_via, price_paid, currency,
                            access_from, access_until, seats)
    VALUES (:class, :maths, 'organization', :globex, 'org_admin', 0, 'EUR', '2026-06-01', '2027-06-01', 5)
    RETURNING id AS globex_license \gset
SET ROLE regress_lic_app;
BEGIN;
SELECT enroll.act_as(:olga);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s)', :class_license2, :marc));
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s)', :globex_license, :olga));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
COMMIT;

-------------------------------------------------------------------------------
-- The access check is read-only: it works in a read-only transaction (and so
-- on a hot standby)
-------------------------------------------------------------------------------
BEGIN READ ONLY;
SELECT enroll.act_as(:ana);
SELECT enroll.access_status(:ana, :maths), enroll.can_access(:ana, :maths),
       enroll.access_status(:zoe, :maths), enroll.can_access(:zoe, :maths);
COMMIT;
RESET ROLE;

-------------------------------------------------------------------------------
-- Every status was reached, and can_access was true exactly for active
-------------------------------------------------------------------------------
SELECT v.status, count(s.status) AS times_seen, bool_or(s.can_access) AS ever_can_access
  FROM (VALUES ('active'), ('no_license'), ('not_started'), ('expired'), ('revoked'),
               ('seat_withdrawn'), ('documents_missing'), ('registrar_membership_ended')) v(status)
  LEFT JOIN seen s ON s.status = v.status
 GROUP BY v.status ORDER BY v.status;
SELECT count(*) AS can_access_mismatches FROM seen WHERE can_access <> (status = 'active');

-------------------------------------------------------------------------------
-- The current license is read from its index entry (license_current_person_key
-- INCLUDEs every column the check reads) once VACUUM has marked its heap page
-- all-visible, as an index-only scan reads it.  The status of every current
-- license of this file's people, every five days over the year, is the one
-- the heap gave, and not one heap tuple is fetched through that index; a
-- write that makes the page not all-visible sends the check back to the
-- heap, with the same status.
-- For a while (restored below) a DBA clears the registrar license's
-- validation, so that documents_missing is read from the index too.
-------------------------------------------------------------------------------
SELECT id AS reg_license, documents_validated_at AS reg_validated_at,
       documents_validated_by AS reg_validated_by, account_id AS reg_holder,
       registrar_org_id AS reg_org, course_id AS reg_course
  FROM enroll.license
 WHERE ended_at IS NULL AND registrar_org_id IS NOT NULL AND documents_validated_at IS NOT NULL
   AND account_id IN (SELECT id FROM pg_temp.who) \gset
UPDATE enroll.license SET documents_validated_at = NULL, documents_validated_by = NULL
 WHERE id = :reg_license;
CREATE FUNCTION pg_temp.statuses_over_time()
  RETURNS TABLE (at timestamptz, account bigint, course bigint, status text)
  LANGUAGE plpgsql AS $$
DECLARE
    clock text := current_setting('enroll.clock');
    t timestamptz;
BEGIN
    FOR t IN SELECT generate_series(timestamptz '2026-02-01', '2027-06-01', '5 days') LOOP
        PERFORM set_config('enroll.clock', t::text, true);
        RETURN QUERY
            SELECT t, l.account_id, l.course_id, enroll.access_status(l.account_id, l.course_id)
              FROM enroll.license l
             WHERE l.ended_at IS NULL AND l.account_id IN (SELECT id FROM pg_temp.who);
    END LOOP;
    PERFORM set_config('enroll.clock', clock, true);
END $$;
-- VACUUM marks a page all-visible only when no transaction of this
-- database can still see an older row version on it: wait until no other
-- backend here (an autovacuum worker's ANALYZE, say) holds a snapshot
CREATE FUNCTION pg_temp.alone() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..600 LOOP
        PERFORM pg_catalog.pg_stat_clear_snapshot();
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_stat_activity a
                        WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
                          AND a.backend_xmin IS NOT NULL) THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.05);
    END LOOP;
    RETURN false;
END $$;
CREATE FUNCTION pg_temp.current_key_reads(OUT read bigint, OUT fetched bigint)
  LANGUAGE sql AS $$
    SELECT idx_tup_read, idx_tup_fetch FROM pg_catalog.pg_stat_user_indexes
     WHERE indexrelid = 'enroll.license_current_person_key'::regclass $$;
CREATE TEMP TABLE by_heap AS SELECT * FROM pg_temp.statuses_over_time();
-- what the year holds: each column the index carries decides one of these
SELECT status, count(*) AS checks FROM by_heap GROUP BY status ORDER BY status;
SELECT pg_temp.alone() AS alone;
VACUUM enroll.license;
SELECT pg_stat_force_next_flush();
SELECT read AS read0, fetched AS fetched0 FROM pg_temp.current_key_reads() \gset
SELECT count(*) AS statuses_changed_by_the_index
  FROM by_heap h FULL JOIN pg_temp.statuses_over_time() i USING (at, account, course)
 WHERE h.status IS DISTINCT FROM i.status;
SELECT pg_stat_force_next_flush();
SELECT r.read - :read0 >= (SELECT count(*) FROM by_heap) AS an_entry_each_check,
       r.fetched - :fetched0 AS heap_fetches
  FROM pg_temp.current_key_reads() r;
UPDATE enroll.license SET documents_validated_at = :'reg_validated_at',
                          documents_validated_by = :reg_validated_by
 WHERE id = :reg_license;
SELECT pg_temp.alone() AS alone;
VACUUM enroll.license;
-- the registrar membership ends (rolled back): read from the index too
SELECT pg_stat_force_next_flush();
SELECT read AS read0, fetched AS fetched0 FROM pg_temp.current_key_reads() \gset
BEGIN;
UPDATE enroll.membership SET left_at = enroll.clock_now()
 WHERE account_id = :reg_holder AND organization_id = :reg_org AND left_at IS NULL;
SELECT enroll.access_status(:reg_holder, :reg_course);
ROLLBACK;
SELECT pg_stat_force_next_flush();
SELECT r.read - :read0 AS entries_read, r.fetched - :fetched0 AS heap_fetches
  FROM pg_temp.current_key_reads() r;
-- under SERIALIZABLE the heap page read through the index is predicate-locked
-- as the executor's index-only scan locks it (a page, not the tuple the heap
-- read would lock), beside the index page: a concurrent write of the
-- license is a read/write conflict
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT enroll.can_access(:reg_holder, :reg_course);
SELECT locktype, relation::regclass FROM pg_catalog.pg_locks
 WHERE pid = pg_backend_pid() AND mode = 'SIReadLock'
   AND relation IN ('enroll.license'::regclass, 'enroll.license_current_person_key'::regclass)
 ORDER BY 1, 2;
COMMIT;
-- the license ended in this transaction (rolled back): its entry is still in
-- the index, with ended_at NULL, but the write cleared the page's bit in the
-- visibility map, so the check reads the heap and sees the end
BEGIN;
UPDATE enroll.license SET ended_at = enroll.clock_now(), end_reason = 'revoked'
 WHERE id = :reg_license;
SELECT enroll.access_status(:reg_holder, :reg_course) AS after_an_end_in_this_transaction;
ROLLBACK;
-- a write on every page: the visibility map no longer vouches for them
UPDATE enroll.license SET order_ref = order_ref
 WHERE ended_at IS NULL AND account_id IN (SELECT id FROM pg_temp.who);
SELECT pg_stat_force_next_flush();
SELECT read AS read0, fetched AS fetched0 FROM pg_temp.current_key_reads() \gset
CREATE TEMP TABLE after_write AS SELECT * FROM pg_temp.statuses_over_time();
SELECT pg_stat_force_next_flush();
SELECT r.fetched - :fetched0 >= (SELECT count(*) FROM after_write) AS heap_read_again
  FROM pg_temp.current_key_reads() r;
SELECT count(*) AS statuses_changed_after_the_write
  FROM by_heap h FULL JOIN after_write w USING (at, account, course)
 WHERE h.status IS DISTINCT FROM w.status
   AND NOT (h.account = :reg_holder AND h.course = :reg_course);

-- the audit trail of this file's license changes, one event per change
SELECT what, row_id, details FROM enroll.event
 WHERE what LIKE 'license.%' AND id > 7000 ORDER BY id;

RESET enroll.clock;
DROP ROLE regress_lic_app;

-- 10_hostile: a bad-input catalogue.  Every public function of pg_enroll (the
-- ones granted to enroll_app, enroll_admin or enroll_reader, and the three
-- granted to PUBLIC) called with hostile arguments: NULL for each argument in
-- turn, empty and blank strings, 1 MB strings, bytes that do not decode as
-- UTF-8 where we decode them (percent-escapes of URL-encoded strings),
-- malformed JSON, timestamps out of range, zero and negative numbers, ids that
-- do not exist, and SQL-looking text.  Each case shows the error it gets
-- (SQLSTATE, message, DETAIL, HINT; long texts are cut and their length
-- shown, control characters written \xNN), and each group proves that the
-- refusals changed nothing: row counts and an md5 of every enroll table
-- before and after.  SQL-looking text that is accepted is stored as plain
-- data: it round-trips exactly and every table still exists.
--
-- Every group runs in a transaction that is rolled back (except the one that
-- stores SQL-looking text), so a case that wrongly succeeds cannot disturb the
-- next group.
--
-- Limits on stored text (22023 from the functions, with the limit in DETAIL;
-- CHECK constraints, so that they hold for a DBA too): offer code 100, course
-- short name 255, organization type code 63 characters; order references 200
-- bytes; person, organization and type names 200, titles and course full
-- names 500, extra conditions 10,000, revocation reasons 2,000 characters;
-- handler_params 65,536 bytes (the parser's limit), e-mail addresses 254
-- octets, an account's profile 65,536 bytes; access periods and documents
-- graces at most 100 years.  "Blank" means only whitespace: space, \t, \r,
-- \n, \f and \x0b.  Messages quote user-supplied text cut to 64 characters.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
SET enroll.clock = '2026-06-01 12:00:00+00';
-- ids in messages stay the same whatever earlier tests created
SELECT count(pg_catalog.setval(c.oid, 10000)) AS sequences_moved
  FROM pg_class c WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind = 'S';

-- a text as shown in this file: at most 300 characters (else the start and
-- the full length), control characters written \xNN
CREATE FUNCTION pg_temp.shown(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    r text := '';
    c text;
BEGIN
    IF t IS NULL THEN
        RETURN NULL;
    END IF;
    IF length(t) > 300 THEN
        t := left(t, 60) || format(' ...[%s characters in all]', length(t));
    END IF;
    FOREACH c IN ARRAY regexp_split_to_array(t, '') LOOP
        r := r || CASE WHEN ascii(c) < 32 THEN format('\x%s', lpad(to_hex(ascii(c)), 2, '0')) ELSE c END;
    END LOOP;
    RETURN r;
END $$;
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
    RETURN st || ': ' || pg_temp.shown(msg) || coalesce(E'\n  DETAIL: ' || pg_temp.shown(nullif(det, '')), '')
              || coalesce(E'\n  HINT: ' || pg_temp.shown(nullif(hnt, '')), '');
END $$;
-- like error_of, but a statement that succeeds shows the value it returned
CREATE FUNCTION pg_temp.outcome_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v text; st text; msg text; det text; hnt text;
BEGIN
    EXECUTE stmt INTO v;
    RETURN 'accepted: ' || coalesce(pg_temp.shown(v), 'NULL');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
    RETURN st || ': ' || pg_temp.shown(msg) || coalesce(E'\n  DETAIL: ' || pg_temp.shown(nullif(det, '')), '')
              || coalesce(E'\n  HINT: ' || pg_temp.shown(nullif(hnt, '')), '');
END $$;
-- fn(args) once per argument, that argument replaced by NULL; args are
-- written "name => value"
CREATE FUNCTION pg_temp.each_null(fn text, args text[]) RETURNS TABLE (null_arg text, outcome text)
LANGUAGE plpgsql AS $$
DECLARE
    a text[];
BEGIN
    FOR i IN 1 .. cardinality(args) LOOP
        a := args;
        null_arg := split_part(args[i], ' => ', 1);
        a[i] := null_arg || ' => NULL';
        outcome := pg_temp.error_of(format('SELECT %s(%s)', fn, array_to_string(a, ', ')));
        RETURN NEXT;
    END LOOP;
END $$;
-- every enroll table: row count and md5 of its rows.  SECURITY DEFINER: it
-- sees every row, whatever row-level security lets the acting account see.
CREATE FUNCTION pg_temp.counts() RETURNS text LANGUAGE sql SECURITY DEFINER AS $$
    SELECT string_agg(format('%s=%s:%s', t, n, d), ' ' ORDER BY t) FROM (
        SELECT 'account' AS t, count(*) AS n, md5(string_agg(x::text, '|' ORDER BY x.id)) AS d FROM enroll.account x
        UNION ALL SELECT 'course', count(*), md5(string_agg(x::text, '|' ORDER BY x.id)) FROM enroll.course x
        UNION ALL SELECT 'course_group', count(*), md5(string_agg(x::text, '|' ORDER BY x.id)) FROM enroll.course_group x
        UNION ALL SELECT 'enrollment', count(*), md5(string_agg(x::text, '|' ORDER BY x.id)) FROM enroll.enrollment x
        UNION ALL SELECT 'event', count(*), md5(string_agg(x::text, '|' ORDER BY x.id)) FROM enroll.event x
        UNION ALL SELECT 'group_member', count(*), md5(string_agg(x::text, '|' ORDER BY x.group_id, x.account_id)) FROM enroll.group_member x
        UNION ALL SELECT 'license', count(*), md5(string_agg(x::text, '|' ORDER BY x.id)) FROM enroll.license x
        UNION ALL SELECT 'membership', count(*), md5(string_agg(x::text, '|' ORDER BY x.id)) FROM enroll.membership x
        UNION ALL SELECT 'offer', count(*), md5(string_agg(x::text, '|' ORDER BY x.id)) FROM enroll.offer x
        UNION ALL SELECT 'offer_recipient', count(*), md5(string_agg(x::text, '|' ORDER BY x.id)) FROM enroll.offer_recipient x
        UNION ALL SELECT 'offer_registrar_type', count(*), md5(string_agg(x::text, '|' ORDER BY x.offer_id, x.organization_type_id)) FROM enroll.offer_registrar_type x
        UNION ALL SELECT 'organization', count(*), md5(string_agg(x::text, '|' ORDER BY x.id)) FROM enroll.organization x
        UNION ALL SELECT 'organization_type', count(*), md5(string_agg(x::text, '|' ORDER BY x.id)) FROM enroll.organization_type x
        UNION ALL SELECT 'purchase_order', count(*), md5(string_agg(x::text, '|' ORDER BY x.id)) FROM enroll.purchase_order x
        UNION ALL SELECT 'role', count(*), md5(string_agg(x::text, '|' ORDER BY x.id)) FROM enroll.role x
        UNION ALL SELECT 'role_assignment', count(*), md5(string_agg(x::text, '|' ORDER BY x.id)) FROM enroll.role_assignment x
    ) c
$$;
-- which tables differ from a counts() snapshot, with their row counts
CREATE FUNCTION pg_temp.changed(before text) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(format('%s (%s -> %s rows)', split_part(a, '=', 1),
                                      split_part(split_part(b, '=', 2), ':', 1), split_part(split_part(a, '=', 2), ':', 1)),
                               ', ' ORDER BY a), 'none')
      FROM unnest(string_to_array(pg_temp.counts(), ' ')) a
      JOIN unnest(string_to_array(before, ' ')) b ON split_part(a, '=', 1) = split_part(b, '=', 1)
     WHERE a <> b
$$;
-- every table of the extension is still there
CREATE FUNCTION pg_temp.tables_exist() RETURNS boolean LANGUAGE sql AS $$
    SELECT count(*) = 16 FROM pg_class WHERE relnamespace = 'enroll'::regnamespace AND relkind = 'r'
$$;
CREATE ROLE regress_hostile_app LOGIN IN ROLE enroll_app;
CREATE ROLE regress_hostile_report LOGIN IN ROLE enroll_reader;
CREATE ROLE regress_hostile_stranger LOGIN;

-- SQL-looking text
\set drop_account '''; DROP TABLE enroll.account; --'
\set bobby 'Robert''); DROP TABLE enroll.license;--'

-------------------------------------------------------------------------------
-- Fixtures, written as the DBA (a superuser is a system administrator)
-------------------------------------------------------------------------------
SELECT id AS c1 FROM enroll.create_course('HOS-C1', 'Hostile input, course one') \gset
SELECT id AS c2 FROM enroll.create_course('HOS-C2', 'Hostile input, course two') \gset
SELECT code FROM enroll.create_organization_type('hos_school', 'School');
SELECT id AS school FROM enroll.create_organization('hos_school', 'Hostile school') \gset
SELECT id AS adm FROM enroll.register_account('hos-admin@example.org', 'Ada', 'Admin') \gset
SELECT id AS lea FROM enroll.register_account('hos-lea@example.org', 'Lea', 'Learner') \gset
SELECT id AS op FROM enroll.register_account('hos-op@example.org', 'Otto', 'Operator') \gset
SELECT id AS boss FROM enroll.register_account('hos-boss@example.org', 'Bo', 'Boss') \gset
SELECT id AS outsider FROM enroll.register_account('hos-out@example.org', 'Oona', 'Outsider') \gset
UPDATE enroll.account SET is_admin = true WHERE id = :adm;
SELECT id AS free FROM enroll.create_offer('HOS-FREE', 'Free, session offer', :c1, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days',
                                           handler_params => 'coursename=HOS-C1') \gset
SELECT id AS docs FROM enroll.create_offer('HOS-DOCS', 'Needs documents', :c1, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days',
                                           documents_grace => '10 days', extra_condition => 'I have read the rules.') \gset
SELECT id AS priv FROM enroll.create_offer('HOS-PRIV', 'Private', :c1, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days',
                                           visibility => 'private') \gset
SELECT id AS orgoffer FROM enroll.create_offer('HOS-ORG', 'Class pack of one', :c2, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days',
                                               recipient_kind => 'organization', seats => 1) \gset
SELECT id AS typed FROM enroll.create_offer('HOS-TYPED', 'Schools only', :c1, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days') \gset
SELECT count(*) AS registrar_types FROM enroll.add_offer_registrar_type(:typed, 'hos_school');
SELECT id AS probe FROM enroll.create_offer('HOS-PROBE', 'Handler parameter probe', :c1, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days',
                                            handler_params => 'coursename=HOS-C1') \gset
BEGIN;
SELECT enroll.act_as(:boss);
SELECT organization_id = :school AS boss_joined FROM enroll.join_organization(:school);
SELECT is_admin FROM enroll.set_organization_admin(:school, :boss);
SELECT id AS lic_org FROM enroll.accept_offer(:orgoffer, for_organization => :school) \gset
SELECT id AS lic_seat FROM enroll.allocate_seat(:lic_org, :boss) \gset
SELECT enroll.act_as(:lea);
SELECT organization_id = :school AS lea_joined FROM enroll.join_organization(:school);
SELECT id AS lic_lea FROM enroll.accept_offer(:free) \gset
SELECT enroll.act_as(:outsider);
SELECT id AS lic_docs FROM enroll.accept_offer(:docs, accept_condition => true) \gset
COMMIT;
SELECT :adm AS adm, :lea AS lea, :op AS op, :boss AS boss, :outsider AS outsider,
       :lic_org AS lic_org, :lic_seat AS lic_seat, :lic_lea AS lic_lea, :lic_docs AS lic_docs;
SELECT * FROM enroll.check_invariants();

-- the session setups below, with one thing varied: the participants list,
-- the URL-encoded parameter string, or the offer's handler_params
SELECT set_config('hostile.free', :'free', false) AS free_offer, set_config('hostile.op', :'op', false) AS operator,
       set_config('hostile.probe', :'probe', false) AS probe_offer;
CREATE FUNCTION pg_temp.participants(p text) RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.error_of(format('SELECT enroll.setup_course_session(%L, %s, %s, 5, %L)',
                                   'HOS-P', current_setting('hostile.free'), current_setting('hostile.op'), p))
$$;
CREATE FUNCTION pg_temp.params(p text) RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.error_of(format('SELECT enroll.setup_course_session(%L, %L)', p, '[{"email": "p1@example.org"}]'))
$$;
-- a dry run of the probe offer with these handler_params (written by hand,
-- as a DBA, then put back): what it reports, or the error; handler_params
-- that the table refuses (CHECK constraints) are shown as such
CREATE FUNCTION pg_temp.handler(hp text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text;
BEGIN
    r := pg_temp.error_of(format('UPDATE enroll.offer SET handler_params = %L WHERE id = %s', hp, current_setting('hostile.probe')));
    IF r <> 'no error' THEN
        RETURN 'cannot be stored: ' || split_part(r, E'\n', 1);
    END IF;
    r := pg_temp.outcome_of(format(
        'SELECT jsonb_build_object(%L, r -> %L, %L, r -> %L) FROM enroll.setup_course_session(%L, %s, %s, 1, %L, dry_run => true) r',
        'status', 'status', 'warnings', 'warnings',
        'HOS-H', current_setting('hostile.probe'), current_setting('hostile.op'), '[{"email": "p1@example.org"}]'));
    UPDATE enroll.offer SET handler_params = 'coursename=HOS-C1' WHERE id = current_setting('hostile.probe')::bigint;
    RETURN r;
END $$;

-------------------------------------------------------------------------------
-- act_as(account): 42501 for roles outside enroll_app/enroll_admin, 22004, PE013
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of('SELECT enroll.act_as(NULL)');
SELECT pg_temp.error_of('SELECT enroll.act_as(-1)');
SELECT pg_temp.error_of('SELECT enroll.act_as(0)');
SELECT pg_temp.error_of('SELECT enroll.act_as(9223372036854775807)');
SELECT pg_temp.error_of('SELECT enroll.act_as(9223372036854775808)');
SELECT pg_temp.error_of($$SELECT enroll.act_as('1; DROP TABLE enroll.account')$$);
SELECT enroll.current_account() IS NULL AS still_anonymous;
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;
-- roles that are not applications: no EXECUTE (a reader), no schema access (a stranger)
SET ROLE regress_hostile_report;
SELECT pg_temp.error_of(format('SELECT enroll.act_as(%s)', :adm));
RESET ROLE;
SET ROLE regress_hostile_stranger;
SELECT pg_temp.error_of(format('SELECT enroll.act_as(%s)', :adm));
RESET ROLE;

-------------------------------------------------------------------------------
-- register_account(email, firstname, lastname): 22004, 22023
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT pg_temp.counts() AS before \gset
-- NULL names are taken as '' (documented defaults)
SELECT * FROM pg_temp.each_null('enroll.register_account',
    ARRAY['email => ''hos-null@example.org''', 'firstname => ''F''', 'lastname => ''L''']);
ROLLBACK;
BEGIN;
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of($$SELECT enroll.register_account('')$$);
SELECT pg_temp.error_of($$SELECT enroll.register_account(E' \t\n ')$$);
SELECT pg_temp.error_of($$SELECT enroll.register_account('@')$$);
SELECT pg_temp.error_of($$SELECT enroll.register_account('a@b@c.example')$$);
SELECT pg_temp.error_of($$SELECT enroll.register_account('; DROP TABLE enroll.account; --')$$);
-- 1 MB, without and with "@": the address is quoted cut to 64 characters
SELECT pg_temp.error_of($$SELECT enroll.register_account(repeat('x', 1048576))$$);
SELECT pg_temp.error_of($$SELECT enroll.register_account(repeat('x', 1048576) || '@example.org')$$);
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
-- the session setup's normalizer (enroll.normalize_email) refuses what it
-- refuses there too: over 254 octets, a control character, a one-label domain
BEGIN;
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of($$SELECT enroll.register_account(repeat('x', 300) || '@example.org')$$);
SELECT pg_temp.error_of($$SELECT enroll.register_account(repeat('l', 64) || '@' || repeat('d', 63) || '.' || repeat('e', 63) || '.' || repeat('f', 60) || '.org')$$);
SELECT pg_temp.error_of($$SELECT enroll.register_account(E'ctl\x01char@example.org')$$);
SELECT pg_temp.error_of($$SELECT enroll.register_account('root@localhost')$$);
-- names: at most 200 characters each
SELECT pg_temp.error_of($$SELECT enroll.register_account('hos-long@example.org', repeat('f', 201))$$);
SELECT pg_temp.error_of($$SELECT enroll.register_account('hos-long@example.org', 'F', repeat('l', 1048576))$$);
SELECT pg_temp.counts() = :'before' AS nothing_changed, pg_temp.changed(:'before') AS changed;
ROLLBACK;
BEGIN;
SELECT length(firstname) AS firstname, length(lastname) AS lastname
  FROM enroll.register_account('hos-long@example.org', repeat('f', 200), repeat('é', 200));
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- normalize_email(email): granted to PUBLIC; STRICT, so NULL gives NULL;
-- 22023 naming what is wrong, the address quoted cut to 64 characters
-------------------------------------------------------------------------------
SET ROLE regress_hostile_report;
SELECT enroll.normalize_email(NULL) IS NULL AS null_email;
SELECT e AS email, pg_temp.outcome_of(format('SELECT enroll.normalize_email(%L)', e)) AS outcome FROM (VALUES
    (''), (' '), ('@'), ('a@'), ('@example.org'), (' Ana@Example.ORG '), ('ana@example'), ('ana@exa mple.org'),
    (E'ana@example.org\n'), (E'an\ta@example.org'), ('ana@-example.org'), ('ana@example..org'), ('ana..b@example.org'),
    ('"ana b"@example.org'), ('ana@[192.0.2.1]'), ('ana@例え.jp'), (:'drop_account'), ($$x'OR'1'='1@example.org$$)
) v(e);
SELECT pg_temp.error_of($$SELECT enroll.normalize_email(repeat('x', 1048576) || '@example.org')$$);
SELECT pg_temp.error_of($$SELECT enroll.normalize_email('x@' || repeat('d.', 524288) || 'org')$$);
RESET ROLE;

-------------------------------------------------------------------------------
-- set_login_role(account, login_role): 42501, 22004, PE013, 42704; NULL role unmaps
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT enroll.act_as(:lea);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format($$SELECT enroll.set_login_role(%s, 'regress_hostile_stranger')$$, :lea));
SELECT enroll.act_as(:adm);
SELECT pg_temp.error_of($$SELECT enroll.set_login_role(NULL, 'regress_hostile_stranger')$$);
SELECT pg_temp.error_of($$SELECT enroll.set_login_role(-1, 'regress_hostile_stranger')$$);
SELECT pg_temp.error_of(format($$SELECT enroll.set_login_role(%s, '')$$, :lea));
SELECT pg_temp.error_of(format($$SELECT enroll.set_login_role(%s, repeat('r', 1048576))$$, :lea));
SELECT pg_temp.error_of(format('SELECT enroll.set_login_role(%s, %L)', :lea, :'drop_account'));
SELECT pg_temp.error_of(format('SELECT enroll.set_login_role(%s, %L)', :lea, :'bobby'));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- create_course(shortname, fullname): 42501, 22004, 22023, 23505
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT enroll.act_as(:lea);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of($$SELECT enroll.create_course('HOS-NEW', 'New')$$);
SELECT enroll.act_as(:adm);
SELECT * FROM pg_temp.each_null('enroll.create_course', ARRAY['shortname => ''HOS-NEW''', 'fullname => ''New''']);
SELECT pg_temp.error_of($$SELECT enroll.create_course('', 'Empty')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_course(E' \t\r\n\f\x0b', 'Blank')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_course(' HOS-PADDED ', 'Padded')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_course(E'HOS-PADDED\x0b', 'Padded')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_course('HOS-NEW', ' ')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_course('HOS-NEW', E'\f')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_course('HOS-C1', 'Taken')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_course(repeat('x', 256), 'Long short name')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_course(repeat('x', 1048576), 'Huge short name')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_course('HOS-NEW', repeat('f', 501))$$);
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- create_organization_type(code, name): 42501, 22004, 22023, 23505
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT enroll.act_as(:lea);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of($$SELECT enroll.create_organization_type('hos_ngo', 'NGO')$$);
SELECT enroll.act_as(:adm);
SELECT * FROM pg_temp.each_null('enroll.create_organization_type', ARRAY['code => ''hos_ngo''', 'name => ''NGO''']);
SELECT pg_temp.error_of($$SELECT enroll.create_organization_type('', 'Empty')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_organization_type('hos_ngo', '')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_organization_type('hos_ngo', E'\t\n')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_organization_type('hos_ngo', repeat('n', 201))$$);
SELECT pg_temp.error_of($$SELECT enroll.create_organization_type('Hos NGO', 'Upper case and space')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_organization_type('hos_ngo ', 'Trailing space')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_organization_type('écoles', 'Not ASCII')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_organization_type('hos_school', 'Taken')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_organization_type('h' || repeat('x', 63), 'Long code')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_organization_type(repeat('x', 1048576), 'Huge code')$$);
SELECT pg_temp.error_of(format('SELECT enroll.create_organization_type(%L, %L)', :'drop_account', 'SQL'));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- create_organization(type_code, name): 42501, 22004, 22023 (unknown type, bad name)
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT enroll.act_as(:lea);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of($$SELECT enroll.create_organization('hos_school', 'Another school')$$);
SELECT enroll.act_as(:adm);
SELECT * FROM pg_temp.each_null('enroll.create_organization', ARRAY['type_code => ''hos_school''', 'name => ''Another school''']);
SELECT pg_temp.error_of($$SELECT enroll.create_organization('', 'No type')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_organization('hos_school', '')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_organization('hos_school', E'\r\n')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_organization('hos_school', repeat('n', 201))$$);
SELECT pg_temp.error_of($$SELECT enroll.create_organization('no_such_type', 'School')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_organization(repeat('t', 1048576), 'School')$$);
SELECT pg_temp.error_of(format('SELECT enroll.create_organization(%L, %L)', :'drop_account', 'School'));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- set_organization_admin(organization, account, is_admin): 22004, PE016,
-- 42501, PE014
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT enroll.act_as(:lea);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format('SELECT enroll.set_organization_admin(%s, %s)', :school, :lea));
SELECT pg_temp.error_of(format('SELECT enroll.set_organization_admin(-1, %s)', :lea));
SELECT enroll.act_as(:boss);
SELECT * FROM pg_temp.each_null('enroll.set_organization_admin',
    ARRAY[format('organization => %s', :school), format('account => %s', :outsider), 'is_admin => true']);
SELECT pg_temp.error_of(format('SELECT enroll.set_organization_admin(%s, -1)', :school));
SELECT pg_temp.error_of(format('SELECT enroll.set_organization_admin(%s, 0)', :school));
SELECT pg_temp.error_of(format('SELECT enroll.set_organization_admin(%s, %s)', :school, :outsider));
SELECT enroll.act_as(:adm);
SELECT pg_temp.error_of(format('SELECT enroll.set_organization_admin(-1, %s)', :lea));
SELECT pg_temp.error_of(format('SELECT enroll.set_organization_admin(%s, %s, NULL)', :school, :lea));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- join_organization(organization), leave_organization(organization, account):
-- PE001, 22004, PE016, PE014, 42501
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format('SELECT enroll.join_organization(%s)', :school));
SELECT pg_temp.error_of(format('SELECT enroll.leave_organization(%s)', :school));
SELECT enroll.act_as(:outsider);
SELECT pg_temp.error_of('SELECT enroll.join_organization(NULL)');
SELECT pg_temp.error_of('SELECT enroll.join_organization(-1)');
SELECT pg_temp.error_of('SELECT enroll.join_organization(0)');
SELECT pg_temp.error_of('SELECT enroll.join_organization(9223372036854775807)');
SELECT pg_temp.error_of($$SELECT enroll.join_organization('1 OR 1=1')$$);
SELECT pg_temp.error_of('SELECT enroll.leave_organization(NULL)');
SELECT pg_temp.error_of('SELECT enroll.leave_organization(NULL, NULL)');
SELECT pg_temp.error_of('SELECT enroll.leave_organization(-1)');
SELECT pg_temp.error_of(format('SELECT enroll.leave_organization(%s)', :school));
SELECT pg_temp.error_of(format('SELECT enroll.leave_organization(%s, %s)', :school, :lea));
SELECT pg_temp.error_of(format('SELECT enroll.leave_organization(%s, -1)', :school));
SELECT enroll.act_as(:adm);
SELECT pg_temp.error_of(format('SELECT enroll.leave_organization(%s, -1)', :school));
SELECT pg_temp.error_of(format('SELECT enroll.leave_organization(%s, %s)', :school, :outsider));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- create_offer(...): 42501, 22004, 22023, 23505; casts refuse out-of-range
-- timestamps before the call (22008)
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT enroll.act_as(:lea);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days')$$, :c1));
SELECT enroll.act_as(:adm);
SELECT * FROM pg_temp.each_null('enroll.create_offer', ARRAY[
    'code => ''HOS-N''', 'title => ''T''', format('course => %s', :c1), 'price => 0', 'currency => ''EUR''',
    'valid_from => ''2026-01-01''', 'valid_until => ''2027-01-01''', 'access_period => ''30 days''',
    'visibility => ''public''', 'recipient_kind => ''person''']);
-- strings: empty, blank, too long, 1 MB
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer(repeat('C', 101), 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', repeat('t', 501), %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days', extra_condition => repeat('c', 10001))$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days', handler_params => 'coursename=HOS-C1&supervisor=' || repeat('s', 65536 - 28))$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', '', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, '', '2026-01-01', '2027-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'eur', '2026-01-01', '2027-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'ÉUR', '2026-01-01', '2027-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, repeat('E', 1048576), '2026-01-01', '2027-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer(repeat('C', 1048576), 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-FREE', 'Taken', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days')$$, :c1));
-- numbers: negative, not a number, infinite, zero, out of range
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, -0.01, 'EUR', '2026-01-01', '2027-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 'NaN', 'EUR', '2026-01-01', '2027-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 'Infinity', 'EUR', '2026-01-01', '2027-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, '-Infinity', 'EUR', '2026-01-01', '2027-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 1e12, 'EUR', '2026-01-01', '2027-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of($$SELECT enroll.create_offer('HOS-N', 'T', -1, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days')$$);
SELECT pg_temp.error_of($$SELECT enroll.create_offer('HOS-N', 'T', 0, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days')$$);
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '0 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '-1 day')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '1 month -40 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '100 years 1 day')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '100000000 years')$$, :c1));
-- positive and under 100 years as a whole, but its months alone would overflow a timestamp
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '5833333 years 4 months -2099999990 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days', documents_grace => '-1 second')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days', documents_grace => '1000 years')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days', recipient_kind => 'organization', seats => 0)$$, :c2));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days', recipient_kind => 'organization', seats => -5)$$, :c2));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days', recipient_kind => 'organization')$$, :c2));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days', seats => 3)$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days', seats => '3000000000')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 5, 'EUR', '2026-01-01', '2027-01-01', '30 days', required_level => 'default')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days', required_level => 'gold')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days', visibility => 'hidden')$$, :c1));
-- timestamps: out of range, infinite, empty window, already over
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '294277-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '4714-11-23 BC', '2027-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', 'not a date', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', '2026-02-30', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', 'infinity', 'infinity', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '-infinity', '-infinity', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '-infinity', 'infinity', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2026-01-01', 'infinity', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2027-01-01', '2026-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-N', 'T', %s, 0, 'EUR', '2025-01-01', '2026-01-01', '30 days')$$, :c1));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
-- at the limits: accepted
BEGIN;
SELECT enroll.act_as(:adm);
SELECT length(code) AS code, length(title) AS title, length(extra_condition) AS extra_condition,
       octet_length(handler_params) AS handler_params, access_period, documents_grace
  FROM enroll.create_offer(repeat('C', 100), repeat('t', 500), :c1, 0, 'EUR', '2026-01-01', '2027-01-01', '100 years',
                           extra_condition => repeat('c', 10000), documents_grace => '1200 months',
                           handler_params => 'coursename=HOS-C1&supervisor=' || repeat('s', 65536 - 29));
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- update_offer(offer, ...): 42501, 22004, PE015, 22023, PE008; NULL leaves a
-- field unchanged
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT enroll.act_as(:lea);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, title => 'Mine')$$, :free));
SELECT enroll.act_as(:adm);
SELECT pg_temp.error_of($$SELECT enroll.update_offer(NULL, title => 'T')$$);
SELECT pg_temp.error_of($$SELECT enroll.update_offer(-1, title => 'T')$$);
SELECT pg_temp.error_of(format('SELECT enroll.update_offer(%s)', :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, title => '')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, title => repeat('t', 501))$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, currency => repeat('E', 1048576))$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, currency => '')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, currency => 'euro')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, price => -1)$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, price => 'NaN', required_level => 'billing')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, price => 'Infinity')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, price => 5)$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, access_period => '-30 days')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, access_period => '101 years')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, documents_grace => '0')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, documents_grace => '36601 days')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, extra_condition => repeat('c', 10001))$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, handler_params => repeat('h', 1048576))$$, :free));
SELECT pg_temp.error_of(format('SELECT enroll.update_offer(%s, seats => 0)', :orgoffer));
SELECT pg_temp.error_of(format('SELECT enroll.update_offer(%s, seats => -1)', :orgoffer));
SELECT pg_temp.error_of(format('SELECT enroll.update_offer(%s, seats => 2)', :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, valid_until => 'infinity')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, valid_until => '-infinity')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, valid_until => '2000-01-01')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, valid_from => '2026-07-01')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, valid_until => '294277-01-01')$$, :free));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- 1 MB names, titles, conditions and handler_params: refused (22023, the
-- limit in DETAIL), so neither the tables nor the audit log that copies
-- them hold unbounded text
-------------------------------------------------------------------------------
BEGIN;
SELECT enroll.act_as(:adm);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of($$SELECT enroll.create_course('HOS-BIG', repeat('f', 1048576))$$);
SELECT pg_temp.error_of($$SELECT enroll.create_organization_type('hos_big', repeat('n', 1048576))$$);
SELECT pg_temp.error_of($$SELECT enroll.create_organization('hos_school', repeat('n', 1048576))$$);
SELECT pg_temp.error_of($$SELECT enroll.register_account('hos-big@example.org', repeat('f', 1048576), repeat('l', 1048576))$$);
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-BIG', repeat('t', 1048576), %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days')$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-BIG', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days', extra_condition => repeat('c', 1048576))$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.create_offer('HOS-BIG', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days', handler_params => 'coursename=HOS-C1&supervisor=' || repeat('s', 1048576))$$, :c1));
SELECT pg_temp.error_of(format($$SELECT enroll.update_offer(%s, extra_condition => repeat('c', 1048576))$$, :probe));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;

-------------------------------------------------------------------------------
-- "blank" means only whitespace (space, \t, \r, \n, \f, \x0b) to every
-- function and CHECK constraint: such names, codes, titles and order
-- references are refused (22023); a blank extra condition means none
-------------------------------------------------------------------------------
BEGIN;
SELECT enroll.act_as(:adm);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.outcome_of($$SELECT fullname FROM enroll.create_course('HOS-TAB', E'\t')$$) AS course_fullname;
SELECT pg_temp.outcome_of($$SELECT name FROM enroll.create_organization_type('hos_tab', E'\n')$$) AS type_name;
SELECT pg_temp.outcome_of($$SELECT name FROM enroll.create_organization('hos_school', E' \t ')$$) AS organization_name;
SELECT pg_temp.outcome_of(format($$SELECT code FROM enroll.create_offer(E' \t', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days')$$, :c1)) AS offer_code;
SELECT pg_temp.outcome_of(format($$SELECT title FROM enroll.create_offer('HOS-TAB', E'\x0b', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days')$$, :c1)) AS offer_title;
SELECT pg_temp.outcome_of(format($$SELECT title FROM enroll.update_offer(%s, title => E'\t\n')$$, :free)) AS offer_title;
SELECT pg_temp.outcome_of(format($$SELECT r ->> 'order' FROM enroll.setup_course_session(E'\x0b\f', %s, %s, 1, '[{"email": "p1@example.org"}]', dry_run => true) r$$, :free, :op)) AS order_ref;
SELECT pg_temp.counts() = :'before' AS nothing_changed, pg_temp.changed(:'before') AS changed;
-- an extra condition that is only whitespace is no condition
SELECT pg_temp.outcome_of(format($$SELECT coalesce(extra_condition, '(none)') FROM enroll.create_offer('HOS-TAB', 'T', %s, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days', extra_condition => E'\r\n\f')$$, :c1)) AS offer_condition;
SELECT pg_temp.outcome_of(format($$SELECT coalesce(extra_condition, '(none)') FROM enroll.update_offer(%s, extra_condition => E'\x0b')$$, :docs)) AS removed_condition;
ROLLBACK;

-------------------------------------------------------------------------------
-- the same rules hold for a DBA writing rows by hand: CHECK constraints
-- (23514) for blank text, lengths, NaN prices, infinite validity bounds and
-- periods over 100 years
-------------------------------------------------------------------------------
BEGIN;
SELECT pg_temp.counts() AS before \gset
-- (the first line of each error: the DETAIL "Failing row contains" is PostgreSQL's)
SELECT c AS constraint_broken, split_part(pg_temp.error_of(stmt), E'\n', 1) AS outcome FROM (VALUES
    ('offer_price_not_nan', format($$UPDATE enroll.offer SET price = 'NaN', required_level = 'billing' WHERE id = %s$$, :free)),
    ('offer_window_finite', format($$UPDATE enroll.offer SET valid_until = 'infinity' WHERE id = %s$$, :free)),
    ('offer_code_length', format($$UPDATE enroll.offer SET code = repeat('C', 101) WHERE id = %s$$, :free)),
    ('offer_code_not_blank', format($$UPDATE enroll.offer SET code = E'\x0b' WHERE id = %s$$, :free)),
    ('offer_title_not_blank', format($$UPDATE enroll.offer SET title = E'\f' WHERE id = %s$$, :free)),
    ('offer_extra_condition_length', format($$UPDATE enroll.offer SET extra_condition = repeat('c', 10001) WHERE id = %s$$, :docs)),
    ('offer_handler_params_length', format($$UPDATE enroll.offer SET handler_params = repeat('h', 65537) WHERE id = %s$$, :free)),
    ('offer_access_period_bounded', format($$UPDATE enroll.offer SET access_period = '101 years' WHERE id = %s$$, :free)),
    ('course_shortname_not_blank', format($$UPDATE enroll.course SET shortname = E'HOS-C1\n' WHERE id = %s$$, :c1)),
    ('course_shortname_length', format($$UPDATE enroll.course SET shortname = repeat('s', 256) WHERE id = %s$$, :c1)),
    ('course_fullname_length', format($$UPDATE enroll.course SET fullname = repeat('f', 501) WHERE id = %s$$, :c1)),
    ('organization_name_not_blank', format($$UPDATE enroll.organization SET name = E'\t' WHERE id = %s$$, :school)),
    ('account_firstname_length', format($$UPDATE enroll.account SET firstname = repeat('f', 201) WHERE id = %s$$, :lea)),
    ('account_email_length', format($$UPDATE enroll.account SET email = repeat('e', 64) || '@' || repeat('d', 190) || '.org' WHERE id = %s$$, :lea)),
    ('account_profile_size', format($$UPDATE enroll.account SET profile = jsonb_build_object('notes', repeat('n', 65536)) WHERE id = %s$$, :lea)),
    ('license_price_not_nan', format($$UPDATE enroll.license SET price_paid = 'NaN' WHERE id = %s$$, :lic_lea)),
    ('license_end_note_length', format($$UPDATE enroll.license SET end_note = repeat('r', 2001) WHERE id = %s$$, :lic_lea)),
    ('license_order_ref_length', format($$UPDATE enroll.license SET order_ref = repeat('o', 201) WHERE id = %s$$, :lic_lea))
) v(c, stmt);
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;

-------------------------------------------------------------------------------
-- offer_state(offer): PE015; STRICT, so NULL gives NULL.  The PUBLIC helpers
-- offer_window_state, email_key, is_blank, trim_blank and the actor's
-- offer_addressed_to_actor
-------------------------------------------------------------------------------
SET ROLE regress_hostile_report;
BEGIN;
SELECT pg_temp.counts() AS before \gset
SELECT enroll.offer_state(NULL) IS NULL AS null_state;
SELECT pg_temp.error_of('SELECT enroll.offer_state(-1)');
SELECT pg_temp.error_of('SELECT enroll.offer_state(0)');
SELECT pg_temp.error_of('SELECT enroll.offer_state(9223372036854775807)');
SELECT pg_temp.error_of($$SELECT enroll.offer_state('1; DROP TABLE enroll.offer')$$);
SELECT enroll.offer_window_state(NULL, NULL, NULL) IS NULL AS null_window,
       enroll.offer_window_state('-infinity', 'infinity', '2026-06-01') AS open_window,
       enroll.offer_window_state('infinity', '-infinity', '2026-06-01') AS inverted_window;
SELECT enroll.email_key(NULL) IS NULL AS null_key, length(enroll.email_key(repeat('X', 1048576))) AS key_length,
       enroll.email_key(:'drop_account') = lower(:'drop_account') AS sql_text_is_data;
SELECT enroll.offer_addressed_to_actor(NULL) AS null_offer, enroll.offer_addressed_to_actor(-1) AS unknown_offer;
-- the whitespace helpers: STRICT, any text is data, only the six ASCII spaces count
SELECT enroll.is_blank(NULL) IS NULL AS null_blank, enroll.trim_blank(NULL) IS NULL AS null_trim,
       enroll.is_blank(repeat(E' \t\r\n\f', 209716) || chr(11)) AS huge_blank,
       length(enroll.trim_blank(repeat(' ', 524288) || 'x' || repeat(' ', 524288))) AS huge_trimmed,
       enroll.is_blank(U&'\00A0') AS nbsp_is_not_ascii_blank,
       enroll.trim_blank(:'drop_account') = :'drop_account' AS sql_text_is_data;
-- email_canonical_key: STRICT, never an error, NULL for what is not an address
SELECT enroll.email_canonical_key(NULL) IS NULL AS null_key,
       enroll.email_canonical_key(repeat('x', 1048576) || '@example.org') IS NULL AS huge_is_null,
       enroll.email_canonical_key(:'drop_account') AS sql_text,
       enroll.email_canonical_key(E'a\x01b@example.org') IS NULL AS control_is_null,
       enroll.email_canonical_key('"Al\ice"@EXAMPLE.org') AS quoted_key;
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- add_offer_recipient(offer, account, organization): 42501, 22004, 22023,
-- PE015, PE010, PE013, PE016
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT enroll.act_as(:lea);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format('SELECT enroll.add_offer_recipient(%s, account => %s)', :priv, :lea));
SELECT enroll.act_as(:adm);
SELECT pg_temp.error_of(format('SELECT enroll.add_offer_recipient(NULL, account => %s)', :lea));
SELECT pg_temp.error_of(format('SELECT enroll.add_offer_recipient(%s)', :priv));
SELECT pg_temp.error_of(format('SELECT enroll.add_offer_recipient(%s, NULL, NULL)', :priv));
SELECT pg_temp.error_of(format('SELECT enroll.add_offer_recipient(%s, %s, %s)', :priv, :lea, :school));
SELECT pg_temp.error_of(format('SELECT enroll.add_offer_recipient(-1, account => %s)', :lea));
SELECT pg_temp.error_of(format('SELECT enroll.add_offer_recipient(%s, account => %s)', :free, :lea));
SELECT pg_temp.error_of(format('SELECT enroll.add_offer_recipient(%s, organization => %s)', :priv, :school));
SELECT pg_temp.error_of(format('SELECT enroll.add_offer_recipient(%s, account => -1)', :priv));
SELECT pg_temp.error_of(format('SELECT enroll.add_offer_recipient(%s, account => 0)', :priv));
SELECT pg_temp.error_of(format('SELECT enroll.add_offer_recipient(%s, account => %s)', :orgoffer, :lea));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- add_offer_registrar_type(offer, type_code): 42501, 22004, PE015, 22023
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT enroll.act_as(:lea);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format($$SELECT enroll.add_offer_registrar_type(%s, 'hos_school')$$, :free));
SELECT enroll.act_as(:adm);
SELECT * FROM pg_temp.each_null('enroll.add_offer_registrar_type', ARRAY[format('offer => %s', :free), 'type_code => ''hos_school''']);
SELECT pg_temp.error_of($$SELECT enroll.add_offer_registrar_type(-1, 'hos_school')$$);
SELECT pg_temp.error_of(format($$SELECT enroll.add_offer_registrar_type(%s, '')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.add_offer_registrar_type(%s, 'HOS_SCHOOL')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.add_offer_registrar_type(%s, repeat('t', 1048576))$$, :free));
SELECT pg_temp.error_of(format('SELECT enroll.add_offer_registrar_type(%s, %L)', :free, :'bobby'));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- upgrade_profile(level, data): PE001, 22004, 22023, PE009, 22P02 (level);
-- profile_missing_fields(level, data)
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '{}')$$);
SELECT enroll.act_as(:lea);
SELECT * FROM pg_temp.each_null('enroll.upgrade_profile', ARRAY['level => ''billing''', 'data => ''{}''']);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('gold', '{}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('', '{}')$$);
-- JSON of the wrong shape
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '[]')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '[{"firstname": "Lea"}]')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', 'null')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '"a string"')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '42')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '{"address": ["1 rue de la Paix", "Paris"]}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '{"address": "1 rue de la Paix, Paris"}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '{"address": null}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '{"firstname": "", "lastname": " ", "address": {"street": "", "postal_code": "", "city": "", "country": "fr"}}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '{"firstname": "Lea", "lastname": "L", "address": {"street": "s", "postal_code": "p", "city": "c", "country": "FRA"}}')$$);
-- JSON the parser refuses before the call: a NUL escape, a lone surrogate, bad syntax
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '{"firstname": "a\u0000b"}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '{"firstname": "\ud800"}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '{"firstname": ')$$);
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
-- values that are not strings are not names or address fields: at level
-- billing they are listed as invalid (PE009), at any level a name that is
-- not a string is refused (22023); names and address fields have at most
-- 200 characters, the stored profile at most 65536 bytes
BEGIN;
SELECT enroll.act_as(:lea);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('default', '{"firstname": {"a": 1}, "lastname": [1, 2]}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('default', '{"lastname": 42}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('default', '{"firstname": null}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '{"firstname": 42, "lastname": true, "address": {"street": 1, "postal_code": 2, "city": 3, "country": "FR"}}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', '{"firstname": "Lea", "lastname": "L", "address": {"street": ["1 rue"], "postal_code": {"code": "75001"}, "city": null, "country": "FR"}}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', E'{"firstname": "\\t", "lastname": "\\u000b", "address": {"street": "\\f", "postal_code": "\\r\\n", "city": "c", "country": "FR"}}')$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('default', jsonb_build_object('firstname', repeat('n', 1048576)))$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('default', jsonb_build_object('lastname', repeat('n', 201)))$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('billing', jsonb_build_object('firstname', repeat('n', 201), 'lastname', 'L', 'address', jsonb_build_object('street', repeat('s', 201), 'postal_code', 'p', 'city', 'c', 'country', 'FR')))$$);
SELECT pg_temp.error_of($$SELECT enroll.upgrade_profile('default', jsonb_build_object('notes', repeat('n', 1048576)))$$);
SELECT firstname, lastname, profile_level, profile FROM enroll.account_profile WHERE id = :lea;
SELECT pg_temp.counts() = :'before' AS nothing_changed, pg_temp.changed(:'before') AS changed;
ROLLBACK;
-- profile data cannot make an administrator; names at the limit are stored
BEGIN;
SELECT enroll.act_as(:lea);
SELECT profile FROM enroll.upgrade_profile('default', '{"is_admin": true, "profile_level": "billing"}');
SELECT is_admin, profile_level, enroll.acting_as_admin() AS acting_as_admin FROM enroll.account_profile WHERE id = :lea;
SELECT length(firstname) AS firstname_length, length(lastname) AS lastname_length
  FROM enroll.upgrade_profile('default', jsonb_build_object('firstname', repeat('n', 200), 'lastname', repeat('ñ', 200)));
ROLLBACK;
SELECT enroll.profile_missing_fields(NULL, '{}') AS null_level,
       enroll.profile_missing_fields('billing', NULL) AS null_data,
       enroll.profile_missing_fields('billing', '[]') AS array_data;
SELECT enroll.profile_missing_fields('billing', '{"firstname": 1, "lastname": false, "address": {"street": {}, "postal_code": [], "city": null, "country": ["FR"]}}') AS not_strings,
       enroll.profile_missing_fields('billing', '{"firstname": "A", "lastname": "B", "address": {"street": "s", "postal_code": "p", "city": "c", "country": "FR"}}') AS complete,
       enroll.profile_missing_fields('default', '{"firstname": 1}') AS default_level;
RESET ROLE;

-------------------------------------------------------------------------------
-- offer_requirements(offer): PE015, PE003; NULL gives NULL
-------------------------------------------------------------------------------
SET ROLE regress_hostile_report;
BEGIN;
SELECT pg_temp.counts() AS before \gset
SELECT enroll.offer_requirements(NULL) IS NULL AS null_requirements;
SELECT pg_temp.error_of('SELECT enroll.offer_requirements(-1)');
SELECT pg_temp.error_of('SELECT enroll.offer_requirements(0)');
SELECT pg_temp.error_of(format('SELECT enroll.offer_requirements(%s)', :priv));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- accept_offer(offer, registrar_org, join_registrar, accept_condition,
-- for_account, for_organization, order_ref): 22004, PE001, PE015, PE002,
-- PE003, PE010, 42501, PE013, PE016, PE006, PE007, 22023
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s)', :free));
SELECT enroll.act_as(:outsider);
SELECT pg_temp.error_of('SELECT enroll.accept_offer(NULL)');
SELECT pg_temp.error_of('SELECT enroll.accept_offer(-1)');
SELECT pg_temp.error_of('SELECT enroll.accept_offer(0)');
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s)', :priv));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_account => %s, for_organization => %s)', :free, :outsider, :school));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_account => -1)', :free));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_account => %s)', :free, :lea));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_organization => -1)', :free));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_organization => -1)', :orgoffer));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_organization => 0)', :orgoffer));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_organization => %s)', :orgoffer, :school));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, registrar_org => -1)', :free));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s)', :typed));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, registrar_org => -1)', :typed));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, registrar_org => %s, join_registrar => NULL)', :typed, :school));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, accept_condition => NULL)', :docs));
SELECT enroll.act_as(:adm);
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_account => -1)', :free));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_account => 9223372036854775807)', :free));
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_organization => %s)', :orgoffer, :school));
SELECT enroll.act_as(:lea);
-- accept_offer checks the length of its order reference up front (22023)
SELECT pg_temp.error_of(format($$SELECT enroll.accept_offer(%s, order_ref => repeat('r', 201))$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.accept_offer(%s, order_ref => repeat('r', 1048576))$$, :free));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
-- for_account => 0 is account 0, not "no for_account": refused, nothing written
BEGIN;
SELECT enroll.act_as(:outsider);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format('SELECT enroll.accept_offer(%s, for_account => 0)', :free));
SELECT pg_temp.counts() = :'before' AS nothing_changed, pg_temp.changed(:'before') AS changed;
ROLLBACK;
RESET ROLE;
-- an access period that no acceptance could add to now cannot be stored, not
-- even by a DBA writing the row by hand (CHECK offer_access_period_bounded):
-- accept_offer never overflows
BEGIN;
SELECT split_part(pg_temp.error_of(format($$UPDATE enroll.offer SET access_period = '100000000 years' WHERE id = %s$$, :free)), E'\n', 1) AS access_period;
SELECT split_part(pg_temp.error_of(format($$UPDATE enroll.offer SET documents_grace = '5833333 years 4 months -2099999990 days' WHERE id = %s$$, :docs)), E'\n', 1) AS documents_grace;
ROLLBACK;

-------------------------------------------------------------------------------
-- allocate_seat(org_license, account): PE001, 22004, PE019, 22023, 42501,
-- PE013, PE014, PE017
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s)', :lic_org, :lea));
SELECT enroll.act_as(:lea);
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s)', :lic_org, :lea));
SELECT enroll.act_as(:boss);
SELECT * FROM pg_temp.each_null('enroll.allocate_seat', ARRAY[format('org_license => %s', :lic_org), format('account => %s', :lea)]);
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(-1, %s)', :lea));
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s)', :lic_lea, :lea));
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, -1)', :lic_org));
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, 0)', :lic_org));
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s)', :lic_org, :outsider));
SELECT pg_temp.error_of(format('SELECT enroll.allocate_seat(%s, %s)', :lic_org, :lea));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- validate_documents(license): PE001, 22004, PE019, 42501, PE018
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format('SELECT enroll.validate_documents(%s)', :lic_docs));
SELECT enroll.act_as(:outsider);
SELECT pg_temp.error_of(format('SELECT enroll.validate_documents(%s)', :lic_docs));
SELECT enroll.act_as(:adm);
SELECT pg_temp.error_of('SELECT enroll.validate_documents(NULL)');
SELECT pg_temp.error_of('SELECT enroll.validate_documents(-1)');
SELECT pg_temp.error_of('SELECT enroll.validate_documents(9223372036854775807)');
SELECT pg_temp.error_of(format('SELECT enroll.validate_documents(%s)', :lic_lea));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- revoke_license(license, reason): 42501, 22004, 22023, PE019
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT enroll.act_as(:lea);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format($$SELECT enroll.revoke_license(%s, 'mine')$$, :lic_lea));
SELECT enroll.act_as(:adm);
SELECT * FROM pg_temp.each_null('enroll.revoke_license', ARRAY[format('license => %s', :lic_lea), 'reason => ''refunded''']);
SELECT pg_temp.error_of(format($$SELECT enroll.revoke_license(%s, '')$$, :lic_lea));
SELECT pg_temp.error_of(format($$SELECT enroll.revoke_license(%s, E' \t\r\n\f\x0b')$$, :lic_lea));
SELECT pg_temp.error_of($$SELECT enroll.revoke_license(-1, 'refunded')$$);
SELECT pg_temp.error_of($$SELECT enroll.revoke_license(0, 'refunded')$$);
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
-- a reason has at most 2000 characters (end_note and the audit log)
BEGIN;
SELECT enroll.act_as(:adm);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format($$SELECT enroll.revoke_license(%s, repeat('r', 2001))$$, :lic_lea));
SELECT pg_temp.error_of(format($$SELECT enroll.revoke_license(%s, repeat('r', 1048576))$$, :lic_lea));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
SELECT length(end_note) AS end_note_length FROM enroll.revoke_license(:lic_lea, E'\t' || repeat('r', 2000) || E'\n');
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- access_status(account, course), can_access(account, course): STRICT (NULL
-- gives NULL), unknown ids read no_license; a reporting role may ask only
-- about the account it acts as (42501), whatever the ids
-------------------------------------------------------------------------------
SET ROLE regress_hostile_report;
SELECT pg_temp.error_of('SELECT enroll.access_status(-1, -1)') AS reader_asks_about_anyone;
SELECT pg_temp.error_of(format('SELECT enroll.can_access(%s, %s)', :lea, :c1)) AS reader_asks_about_lea;
RESET ROLE;
SET ROLE regress_hostile_app;
BEGIN;
SELECT pg_temp.counts() AS before \gset
SELECT enroll.access_status(NULL, :c1) IS NULL AS status_null_account, enroll.access_status(:lea, NULL) IS NULL AS status_null_course,
       enroll.can_access(NULL, :c1) IS NULL AS can_null_account, enroll.can_access(:lea, NULL) IS NULL AS can_null_course;
SELECT enroll.access_status(-1, -1) AS negative, enroll.access_status(0, 0) AS zero,
       enroll.access_status(9223372036854775807, -9223372036854775808) AS extremes,
       enroll.access_status(:lea, -1) AS unknown_course, enroll.can_access(-1, :c1) AS can_unknown_account;
SELECT enroll.access_status(:lea, :c1) AS lea_still_active;
SELECT pg_temp.error_of($$SELECT enroll.access_status('1 OR 1=1', 1)$$);
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- setup_course_session(order_ref, offer, operator, seats, participants,
-- dry_run): PE001, 22004, 22023, 42501, PE015, PE013, PE010
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-1', %s, %s, 1, '[{"email": "p1@example.org"}]')$$, :free, :op));
SELECT enroll.act_as(:op);
SELECT * FROM pg_temp.each_null('enroll.setup_course_session', ARRAY[
    'order_ref => ''HOS-1''', format('offer => %s', :free), format('operator => %s', :op), 'seats => 1',
    'participants => ''[{"email": "p1@example.org"}]''', 'dry_run => true']);
-- the order reference: empty, blank, 1 MB
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('', %s, %s, 1, '[{"email": "p1@example.org"}]')$$, :free, :op));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session(E' \t\r\n', %s, %s, 1, '[{"email": "p1@example.org"}]')$$, :free, :op));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session(repeat('o', 201), %s, %s, 1, '[{"email": "p1@example.org"}]')$$, :free, :op));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session(repeat('o', 1048576), %s, %s, 1, '[{"email": "p1@example.org"}]')$$, :free, :op));
-- ids and seats
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-1', -1, %s, 1, '[{"email": "p1@example.org"}]')$$, :op));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-1', %s, %s, 1, '[{"email": "p1@example.org"}]')$$, :orgoffer, :op));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-1', %s, %s, 1, '[{"email": "p1@example.org"}]')$$, :typed, :op));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-1', %s, %s, 1, '[{"email": "p1@example.org"}]')$$, :docs, :op));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-1', %s, -1, 1, '[{"email": "p1@example.org"}]')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-1', %s, %s, 1, '[{"email": "p1@example.org"}]')$$, :free, :lea));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-1', %s, %s, 0, '[{"email": "p1@example.org"}]')$$, :free, :op));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-1', %s, %s, -2147483648, '[{"email": "p1@example.org"}]')$$, :free, :op));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-1', %s, %s, '2147483648', '[{"email": "p1@example.org"}]')$$, :free, :op));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-1', %s, %s, 1, '[{"email": "p1@example.org"}, {"email": "p2@example.org"}]')$$, :free, :op));
SELECT enroll.act_as(:adm);
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-1', %s, -1, 1, '[{"email": "p1@example.org"}]')$$, :free));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-1', %s, 0, 1, '[{"email": "p1@example.org"}]')$$, :free));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;

-- names of at most 200 characters are accepted (a dry run here); a longer
-- one is refused up front with the participant's index (22023)
BEGIN;
SELECT enroll.act_as(:op);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.outcome_of(format($$SELECT r ->> 'status' FROM enroll.setup_course_session('HOS-D', %s, %s, 1, jsonb_build_array(jsonb_build_object('email', 'p2@example.org', 'firstname', repeat('n', 200))), dry_run => true) r$$, :free, :op)) AS long_name;
SELECT pg_temp.outcome_of(format($$SELECT r ->> 'status' FROM enroll.setup_course_session('HOS-D', %s, %s, 1, jsonb_build_array(jsonb_build_object('email', 'p2@example.org', 'firstname', repeat('n', 1048576))), dry_run => true) r$$, :free, :op)) AS huge_name;
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;

-- participants: JSON of the wrong shape, wrong types, bad addresses (22023,
-- with the participant's index and address in DETAIL)
BEGIN;
SELECT enroll.act_as(:op);
SELECT pg_temp.counts() AS before \gset
SELECT p AS participants, pg_temp.participants(p) AS outcome FROM (VALUES
    ('{}'), ('{"email": "p1@example.org"}'), ('null'), ('"p1@example.org"'), ('42'), ('true'), ('[]'),
    ('[1]'), ('["p1@example.org"]'), ('[null]'), ('[[{"email": "p1@example.org"}]]'), ('[{}]'),
    ('[{"email": 42}]'), ('[{"email": null}]'), ('[{"email": ["p1@example.org"]}]'), ('[{"email": {"address": "p1@example.org"}}]'),
    ('[{"email": "p1@example.org", "firstname": 42}]'), ('[{"email": "p1@example.org", "lastname": {"a": 1}}]'),
    ('[{"email": "p1@example.org", "firstname": ["A", "B"]}]'),
    ('[{"email": "p1@example.org", "role": "admin"}]'), ('[{"email": "p1@example.org", "role": 1}]'),
    ('[{"email": "p1@example.org", "role": ["tutor"]}]'), ('[{"email": "p1@example.org", "role": "TUTOR"}]'),
    ('[{"email": "p1@example.org", "is_admin": true}]'), ('[{"email": "p1@example.org", "Email": "p2@example.org"}]'),
    ('[{"email": ""}]'), ('[{"email": "   "}]'), ('[{"email": "p1"}]'), ('[{"email": "p1@localhost"}]'),
    ('[{"email": "p1@@example.org"}]'), ('[{"email": "p 1@example.org"}]'), ('[{"email": "p1@exa mple.org"}]'),
    ('[{"email": "p1@example.org"}, {"email": " P1@EXAMPLE.ORG "}]'),
    ('[{"email": "robert'');drop_table--@example.org"}]'),
    ('[{"email": "p1@example.org"}, 7]')
) v(p);
-- JSON the parser refuses before the call: a NUL escape, a lone surrogate, bad syntax
SELECT pg_temp.participants('[{"email": "p1\u0000@example.org"}]');
SELECT pg_temp.participants('[{"email": "p1@example.org", "firstname": "\udc00"}]');
SELECT pg_temp.participants('[{"email": "p1@example.org",]');
-- 1 MB: an address, an unknown key (quoted cut to 64 characters)
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-P', %s, %s, 5, jsonb_build_array(jsonb_build_object('email', repeat('x', 1048576))))$$, :free, :op));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-P', %s, %s, 5, jsonb_build_array(jsonb_build_object('email', repeat('x', 1048576) || '@example.org')))$$, :free, :op));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-P', %s, %s, 5, jsonb_build_array(jsonb_build_object('email', 'p1@example.org', repeat('k', 1048576), 1)))$$, :free, :op));
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;

-- 100,000 participants, only the last one bad: refused with its index, nothing
-- written, in well under the time a setup of that size takes
RESET ROLE;
CREATE TEMP TABLE big AS
SELECT (SELECT jsonb_agg(jsonb_build_object('email', format('big%s@example.org', g), 'firstname', 'Big', 'lastname', g::text) ORDER BY g)
          FROM generate_series(1, 99999) g) AS good;
GRANT SELECT ON big TO regress_hostile_app;
SET ROLE regress_hostile_app;
BEGIN;
SELECT enroll.act_as(:op);
SELECT pg_temp.counts() AS before \gset
SELECT clock_timestamp() AS t0 \gset
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-BIG', %s, %s, 100000, (SELECT good FROM big) || '[{"email": "big100000@example"}]')$$, :free, :op));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-BIG', %s, %s, 100000, (SELECT good FROM big) || '[{"email": " BIG77@Example.ORG"}]')$$, :free, :op));
SELECT pg_temp.error_of(format($$SELECT enroll.setup_course_session('HOS-BIG', %s, %s, 100000, (SELECT good FROM big) || '[{"email": "big100000@example.org", "role": "boss"}]', dry_run => true)$$, :free, :op));
SELECT clock_timestamp() - :'t0'::timestamptz < interval '10 seconds' AS fast;
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- setup_course_session(params, participants, dry_run): the URL-encoded
-- parameter string, decoded and validated by us (22004, 22023)
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT enroll.act_as(:op);
SELECT pg_temp.counts() AS before \gset
SELECT * FROM pg_temp.each_null('enroll.setup_course_session', ARRAY[
    format('params => ''order=HOS-U&offer=%s&operator=%s&seats=1''', :free, :op),
    'participants => ''[{"email": "p1@example.org"}]''', 'dry_run => true']);
-- <tail> below stands for offer=<HOS-FREE>&operator=<op>&seats=1
SELECT format('offer=%s&operator=%s&seats=1', :free, :op) AS tail \gset
SELECT CASE WHEN length(p) > 100 THEN left(p, 40) || format('...(%s bytes)', length(p)) ELSE replace(p, :'tail', '<tail>') END AS params,
       pg_temp.params(p) AS outcome FROM (VALUES
    -- bytes that do not decode: invalid UTF-8, an overlong "/", a surrogate, beyond U+10FFFF, NUL
    ('order=%C3%28&' || :'tail'), ('order=%FF&' || :'tail'), ('order=%C0%AF&' || :'tail'),
    ('order=%ED%A0%80&' || :'tail'), ('order=%F4%90%80%80&' || :'tail'), ('order=%E2%82&' || :'tail'),
    ('order=a%00b&' || :'tail'), ('%FF=1&order=x&' || :'tail'), ('order=x&' || :'tail' || '&%00=1'),
    -- bad escapes
    ('order=%&' || :'tail'), ('order=%4&' || :'tail'), ('order=%G0&' || :'tail'), ('order=100%25%&' || :'tail'),
    -- structure
    (''), ('&'), ('order=x&&' || :'tail'), ('&order=x&' || :'tail'), ('order=x&' || :'tail' || '&'),
    ('order&' || :'tail'), ('=x&order=x&' || :'tail'), ('order=x&order=y&' || :'tail'), ('order=x&%6Frder=y&' || :'tail'),
    ('order=x&' || :'tail' || '&admin=1'), ('ORDER=x&' || :'tail'), ('order=x'),
    ('order=x&' || :'tail' || repeat('&x=1', 70)),
    -- the order reference
    ('order=&' || :'tail'), ('order=+&' || :'tail'), ('order=%20%09&' || :'tail'),
    -- numbers
    (format('order=x&offer=abc&operator=%s&seats=1', :op)), (format('order=x&offer=-1&operator=%s&seats=1', :op)),
    (format('order=x&offer=0&operator=%s&seats=1', :op)), (format('order=x&offer=&operator=%s&seats=1', :op)),
    (format('order=x&offer=99999999999999999999&operator=%s&seats=1', :op)),
    (format('order=x&offer=+%s&operator=%s&seats=1', :free, :op)), (format('order=x&offer=0x10&operator=%s&seats=1', :op)),
    (format('order=x&offer=%s&operator=1e3&seats=1', :free)), (format('order=x&offer=%s&operator=%s.0&seats=1', :free, :op)),
    (format('order=x&offer=%s&operator=%s&seats=0', :free, :op)), (format('order=x&offer=%s&operator=%s&seats=-1', :free, :op)),
    (format('order=x&offer=%s&operator=%s&seats=2147483648', :free, :op)),
    (format('order=x&offer=%s%%3B%%20DROP%%20TABLE%%20enroll.offer&operator=%s&seats=1', :free, :op))
) v(p);
-- 1 MB: refused before decoding
SELECT pg_temp.params(repeat('x', 1048576));
SELECT pg_temp.params('order=' || repeat('%FF', 349525) || '&' || :'tail');
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
RESET ROLE;

-------------------------------------------------------------------------------
-- the offer's handler_params, decoded by us at setup: every refusal is 22023
-- naming the offer; create_offer and update_offer check only their length
-- (65536 bytes, the parser's limit, also a CHECK), so the probe offer is
-- rewritten by the DBA for each case (and restored)
-------------------------------------------------------------------------------
BEGIN;
SELECT enroll.act_as(:op);
SELECT pg_temp.counts() AS before \gset
SELECT CASE WHEN length(hp) > 100 THEN format('(%s bytes)', length(hp)) ELSE format('%L', hp) END AS handler_params, pg_temp.handler(hp) AS outcome FROM (VALUES
    (NULL), (''), (' '), ('coursename='), ('coursename=HOS-C2'), ('coursename=hos-c1'), ('coursename=HOS-C1 '),
    -- bytes that do not decode
    ('coursename=%C3%28'), ('coursename=%FF'), ('coursename=HOS-C1%00'), ('coursename=HOS-C1&supervisor=%C0%80'),
    ('coursename=HOS-C1&%FF=x'), ('coursename=HOS-C1&customersupport=%ED%BF%BF'), ('coursename=%'), ('coursename=%ZZ'),
    -- structure
    ('coursename=HOS-C1&coursename=HOS-C1'), ('coursename=HOS-C1&&supervisor=teacher'), ('coursename=HOS-C1&groupmode=1'),
    ('supervisor=teacher'), ('coursename'), ('=HOS-C1'), ('coursename=HOS-C1&'),
    -- Unix timestamps: not integers, out of range either way, the extreme values, an empty window
    ('coursename=HOS-C1&starttime=99999999999999999999'), ('coursename=HOS-C1&starttime=-99999999999999999999'),
    ('coursename=HOS-C1&endtime=9224318016000'), ('coursename=HOS-C1&starttime=-210866803201'),
    ('coursename=HOS-C1&starttime=9224318015999'), ('coursename=HOS-C1&starttime=-210866803200'),
    ('coursename=HOS-C1&starttime=1e9'), ('coursename=HOS-C1&starttime=+1'), ('coursename=HOS-C1&starttime=%2B1'),
    ('coursename=HOS-C1&starttime=1.5'), ('coursename=HOS-C1&starttime=2026-06-01'), ('coursename=HOS-C1&starttime=infinity'),
    ('coursename=HOS-C1&starttime=1780000000&endtime=1780000000'), ('coursename=HOS-C1&starttime=1780000000&endtime=-1'),
    -- SQL-looking values are names to look up, never SQL
    ('coursename=HOS-C1&supervisor=%27%3B%20DROP%20TABLE%20enroll.role%3B%20--'),
    ('coursename=HOS-C1&supervisor=teacher%27%20OR%20%271%27%3D%271'),
    ('coursename=HOS-C1&customersupport=Robert%27%29%3B%20DROP%20TABLE%20enroll.course%3B--'),
    -- too long: 64 KB + 1, and 1 MB
    ('coursename=HOS-C1&customersupport=' || repeat('s', 65536 - 34)), ('coursename=HOS-C1&customersupport=' || repeat('s', 65536 - 33)),
    (repeat('x', 1048576))
) v(hp);
SELECT pg_temp.tables_exist() AS tables_exist;
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;

-------------------------------------------------------------------------------
-- SQL-looking text is data: stored as it is, or refused like any other bad
-- value, never executed.  This group is committed.
-------------------------------------------------------------------------------
BEGIN;
SELECT enroll.act_as(:adm);
SELECT shortname = :'drop_account' AS shortname_round_trips, fullname = :'bobby' AS fullname_round_trips
  FROM enroll.create_course(:'drop_account', :'bobby');
SELECT name = :'bobby' AS organization_round_trips FROM enroll.create_organization('hos_school', :'bobby');
-- an address the normalizer accepts (' and = are atext, RFC 5322)
SELECT email = $$x'OR'1'='1@example.org$$ AS email_round_trips, firstname = :'drop_account' AS firstname_round_trips,
       lastname = :'bobby' AS lastname_round_trips
  FROM enroll.register_account($$x'OR'1'='1@example.org$$, :'drop_account', :'bobby');
SELECT code = :'bobby' AS code_round_trips, title = :'drop_account' AS title_round_trips,
       extra_condition = :'bobby' AS condition_round_trips
  FROM enroll.create_offer(:'bobby', :'drop_account', :c2, 0, 'EUR', '2026-01-01', '2027-01-01', '7 days',
                           extra_condition => :'bobby', handler_params => 'coursename=HOS-C2');
SELECT id AS sqlish_offer FROM enroll.offer WHERE code = :'bobby' \gset
SELECT enroll.act_as(:outsider);
SELECT order_ref = :'drop_account' AS license_order_ref_round_trips, accepted_condition = :'bobby' AS accepted_condition_round_trips
  FROM enroll.accept_offer(:sqlish_offer, accept_condition => true, order_ref => :'drop_account');
SELECT enroll.act_as(:adm);
SELECT end_note = :'drop_account' AS revoke_reason_round_trips
  FROM enroll.revoke_license((SELECT max(id) FROM enroll.license WHERE offer_id = :sqlish_offer), :'drop_account');
SELECT enroll.act_as(:op);
-- the order reference '; DROP TABLE enroll.account; -- and a participant named
-- Robert'); DROP TABLE enroll.license;-- through the URL-encoded form
SELECT r ->> 'order' = :'drop_account' AS report_order_round_trips, r #>> '{group,idnumber}' = :'drop_account' AS idnumber_round_trips
  FROM enroll.setup_course_session(format('order=%s&offer=%s&operator=%s&seats=2', '%27%3B+DROP+TABLE+enroll.account%3B+--', :sqlish_offer, :op),
                                   jsonb_build_array(jsonb_build_object('email', 'little.bobby@example.org', 'firstname', :'bobby', 'lastname', :'drop_account'))) r;
COMMIT;
SELECT pg_temp.tables_exist() AS tables_exist;
SELECT p.order_ref = :'drop_account' AS order_round_trips, g.idnumber = :'drop_account' AS group_round_trips,
       a.firstname = :'bobby' AS firstname_round_trips, a.lastname = :'drop_account' AS lastname_round_trips,
       l.order_ref = :'drop_account' AS license_round_trips
  FROM enroll.purchase_order p
  JOIN enroll.course_group g ON g.idnumber = p.order_ref
  JOIN enroll.license l ON l.order_ref = p.order_ref AND l.accepted_via = 'operator'
  JOIN enroll.account a ON a.id = l.account_id
 WHERE p.offer_id = :sqlish_offer;
SELECT count(*) AS accounts, count(*) FILTER (WHERE firstname = :'drop_account' OR lastname = :'drop_account') AS sql_named
  FROM enroll.account;

-------------------------------------------------------------------------------
-- 1.2: update_organization, upgrade_organization_profile (22004, 22023,
-- PE009, PE016, 42501), release_seat (22004, 22023, PE011, PE019, 42501),
-- cancel_order and remove_participant (22004, 22023, 42501, PE027),
-- erase_account (22004, 22023, 42501, PE013),
-- licenses_ending and documents_due (22004, 22023), license_state (STRICT)
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT enroll.act_as(:lea);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format('SELECT enroll.update_organization(%s, %L)', :school, 'Mine now')) AS member_renames;
SELECT pg_temp.error_of(format($$SELECT enroll.upgrade_organization_profile(%s, 'billing', '{}')$$, :school)) AS member_bills;
SELECT pg_temp.error_of(format('SELECT enroll.release_seat(%s)', :lic_seat)) AS member_releases;
SELECT pg_temp.error_of($$SELECT enroll.cancel_order('HOS-P')$$) AS member_cancels;
SELECT pg_temp.error_of(format($$SELECT enroll.remove_participant('HOS-P', %s)$$, :lea)) AS member_removes;
SELECT enroll.act_as(:boss);
SELECT * FROM pg_temp.each_null('enroll.update_organization', ARRAY[format('organization => %s', :school)]);
SELECT pg_temp.error_of(format('SELECT enroll.update_organization(%s, %L)', :school, E' \t ')) AS blank_name;
SELECT pg_temp.error_of(format('SELECT enroll.update_organization(%s, repeat(%L, 1048576))', :school, 'n')) AS huge_name;
SELECT pg_temp.error_of('SELECT enroll.update_organization(-1, ''X'')') AS unknown_org;
SELECT pg_temp.error_of(format($$SELECT enroll.update_organization(%s, join_policy => 'closed')$$, :school)) AS unknown_policy;
SELECT * FROM pg_temp.each_null('enroll.upgrade_organization_profile',
       ARRAY[format('organization => %s', :school), 'level => ''billing''', 'data => ''{}''']);
SELECT pg_temp.error_of(format($$SELECT enroll.upgrade_organization_profile(%s, 'billing', '[]')$$, :school)) AS array_data;
SELECT pg_temp.error_of(format($$SELECT enroll.upgrade_organization_profile(%s, 'billing', '"x"')$$, :school)) AS string_data;
SELECT pg_temp.error_of(format($$SELECT enroll.upgrade_organization_profile(%s, 'billing',
       jsonb_build_object('legal_name', repeat('x', 1048576)))$$, :school)) AS huge_data;
SELECT pg_temp.error_of(format($$SELECT enroll.upgrade_organization_profile(%s, 'billing',
       '{"legal_name": 7, "address": {"street": [], "postal_code": null, "city": "", "country": "fr"}}')$$, :school)) AS wrong_types;
SELECT pg_temp.error_of($$SELECT enroll.upgrade_organization_profile(-1, 'billing', '{}')$$) AS unknown_org;
SELECT * FROM pg_temp.each_null('enroll.release_seat', ARRAY[format('seat_license => %s', :lic_seat)]);
SELECT pg_temp.error_of('SELECT enroll.release_seat(-1)') AS unknown_seat;
SELECT pg_temp.error_of(format('SELECT enroll.release_seat(%s)', :lic_org)) AS not_a_seat;
SELECT pg_temp.error_of(format('SELECT enroll.release_seat(%s)', :lic_lea)) AS someones_own_license;
SELECT pg_temp.error_of(format('SELECT enroll.release_seat(%s, repeat(%L, 2001))', :lic_seat, 'r')) AS long_reason;
SELECT pg_temp.error_of(format('SELECT enroll.release_seat(%s, repeat(%L, 1048576))', :lic_seat, 'r')) AS huge_reason;
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
BEGIN;
SELECT enroll.act_as(:op);
SELECT pg_temp.counts() AS before \gset
SELECT * FROM pg_temp.each_null('enroll.remove_participant', ARRAY['order_ref => ''HOS-P''', format('account => %s', :lea)]);
SELECT pg_temp.error_of(format($$SELECT enroll.remove_participant('', %s)$$, :lea)) AS empty_ref;
SELECT pg_temp.error_of(format($$SELECT enroll.remove_participant(repeat('o', 1048576), %s)$$, :lea)) AS huge_ref;
SELECT pg_temp.error_of(format($$SELECT enroll.remove_participant('HOS-NONE', %s)$$, :lea)) AS unknown_ref;
SELECT pg_temp.error_of(format($$SELECT enroll.remove_participant('HOS-NONE', %s, repeat('r', 2001))$$, :lea)) AS long_reason;
SELECT pg_temp.error_of(format($$SELECT enroll.remove_participant('HOS-NONE', %s, operator => %s)$$, :lea, :adm)) AS names_another_operator;
SELECT enroll.act_as(:adm);
SELECT * FROM pg_temp.each_null('enroll.cancel_order', ARRAY['order_ref => ''HOS-P''']);
SELECT pg_temp.error_of($$SELECT enroll.cancel_order(E' \t')$$) AS blank_ref;
SELECT pg_temp.error_of($$SELECT enroll.cancel_order(repeat('o', 1048576))$$) AS huge_ref;
SELECT pg_temp.error_of($$SELECT enroll.cancel_order('HOS-NONE', repeat('r', 2001))$$) AS long_reason;
SELECT pg_temp.error_of($$SELECT enroll.cancel_order('HOS-NONE', operator => -1)$$) AS unknown_operator;
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
-- erase_account(account, reason): 42501, 22004, 22023, PE013
BEGIN;
SELECT enroll.act_as(:lea);
SELECT pg_temp.counts() AS before \gset
SELECT pg_temp.error_of(format($$SELECT enroll.erase_account(%s, 'request 1')$$, :lea)) AS erases_self;
SELECT enroll.act_as(:adm);
SELECT * FROM pg_temp.each_null('enroll.erase_account', ARRAY[format('account => %s', :lea), 'reason => ''request 1''']);
SELECT pg_temp.error_of(format($$SELECT enroll.erase_account(%s, E' \t')$$, :lea)) AS blank_reason;
SELECT pg_temp.error_of(format($$SELECT enroll.erase_account(%s, repeat('r', 2001))$$, :lea)) AS long_reason;
SELECT pg_temp.error_of($$SELECT enroll.erase_account(-1, 'request 1')$$) AS unknown_account;
SELECT pg_temp.counts() = :'before' AS nothing_changed;
ROLLBACK;
-- the deadline lists: a window from 0 to 5 years
BEGIN;
SELECT enroll.act_as(:adm);
SELECT pg_temp.error_of('SELECT enroll.licenses_ending(NULL)') AS ending_null,
       pg_temp.error_of('SELECT enroll.documents_due(NULL)') AS due_null;
SELECT pg_temp.error_of($$SELECT enroll.licenses_ending('-1 day')$$) AS ending_negative;
SELECT pg_temp.error_of($$SELECT enroll.documents_due('100 years')$$) AS due_century;
SELECT pg_temp.error_of($$SELECT enroll.licenses_ending('infinity')$$) AS ending_infinity;
SELECT count(*) AS ending_in_zero FROM enroll.licenses_ending('0');
ROLLBACK;
RESET ROLE;
-- license_state: NULL in, NULL out
SELECT enroll.license_state(NULL, now()) IS NULL AS null_license, enroll.license_state(l, NULL) IS NULL AS null_instant
  FROM enroll.license l WHERE l.id = :lic_lea;

-------------------------------------------------------------------------------
-- check_invariants(): 42501 for everyone but enroll_admin, even an
-- application acting for an is_admin account
-------------------------------------------------------------------------------
SET ROLE regress_hostile_app;
BEGIN;
SELECT pg_temp.error_of('SELECT * FROM enroll.check_invariants()');
SELECT enroll.act_as(:adm);
SELECT pg_temp.error_of('SELECT * FROM enroll.check_invariants()');
ROLLBACK;
RESET ROLE;
SET ROLE regress_hostile_report;
SELECT pg_temp.error_of('SELECT * FROM enroll.check_invariants()');
RESET ROLE;
SET ROLE regress_hostile_stranger;
SELECT pg_temp.error_of('SELECT * FROM enroll.check_invariants()');
RESET ROLE;
-- every function that takes arguments and is granted to an enroll role or
-- PUBLIC is covered above (functions without arguments take no hostile input)
SELECT p.oid::regprocedure AS not_covered
  FROM pg_proc p
 WHERE p.pronamespace = 'enroll'::regnamespace AND p.pronargs > 0
   AND EXISTS (SELECT FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                WHERE a.grantee = 0 OR a.grantee IN (SELECT oid FROM pg_roles WHERE rolname IN ('enroll_admin', 'enroll_app', 'enroll_reader')))
   AND p.proname NOT IN ('act_as', 'register_account', 'set_login_role', 'create_course', 'create_organization_type',
                         'create_organization', 'set_organization_admin', 'join_organization', 'leave_organization',
                         'create_offer', 'update_offer', 'offer_state', 'offer_window_state', 'email_key', 'normalize_email',
                         'is_blank', 'trim_blank', 'email_canonical_key',
                         'offer_addressed_to_actor', 'add_offer_recipient', 'add_offer_registrar_type',
                         'upgrade_profile', 'profile_missing_fields', 'offer_requirements', 'accept_offer',
                         'allocate_seat', 'validate_documents', 'revoke_license', 'access_status', 'can_access',
                         'setup_course_session', 'update_organization', 'upgrade_organization_profile',
                         'release_seat', 'cancel_order', 'remove_participant', 'licenses_ending', 'documents_due',
                         'license_state', 'check_window', 'erase_account',
                         -- events_since: 15_events
                         'events_since')
 ORDER BY 1;
-- after all of the above, the data is healthy
SELECT * FROM enroll.check_invariants();

RESET enroll.clock;
DROP TABLE big;
DROP ROLE regress_hostile_app, regress_hostile_report, regress_hostile_stranger;

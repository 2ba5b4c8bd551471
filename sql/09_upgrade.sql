-- 09_upgrade: 1.0 with data, ALTER EXTENSION pg_enroll UPDATE TO '1.1', then
-- the same object list as a fresh 1.1 install.  This runs the CURRENT
-- library (1.2) against the 1.0 and 1.1 catalogues, as a database does
-- between a package upgrade and its ALTER EXTENSION UPDATE: the functions
-- that stayed SQL keep working, the C functions that need 1.2's objects say
-- that the update is due (55000).  Data written by the released library
-- itself, and the upgrade to 1.2, are test/t/004_upgrade.pl's.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
SET enroll.clock = '2026-05-04 08:00:00+00';
DROP EXTENSION pg_enroll;
CREATE EXTENSION pg_enroll VERSION '1.0';
SELECT count(pg_catalog.setval(c.oid, 9000)) AS sequences_moved
  FROM pg_class c WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind = 'S';

-- data written under 1.0, through its SQL functions and, for licenses and
-- orders, by hand (as a DBA restoring them would)
SELECT id AS course FROM enroll.create_course('UPG', 'Upgrade course') \gset
SELECT id AS offer FROM enroll.create_offer('UPG-FREE', 'Free', :course, 0, 'EUR', '2026-01-01', '2027-01-01', '30 days',
                                            handler_params => 'coursename=UPG') \gset
SELECT id AS op FROM enroll.register_account('op@example.org', 'Op', 'Erator') \gset
SELECT id AS learner FROM enroll.register_account('learner@example.org', 'Lea', 'Rner') \gset
INSERT INTO enroll.license (offer_id, course_id, holder_kind, account_id, accepted_by, accepted_via, price_paid, currency,
                            access_from, access_until)
    VALUES (:offer, :course, 'person', :learner, :learner, 'self', 0, 'EUR', '2026-05-04 08:00+00', '2026-06-03 08:00+00');
INSERT INTO enroll.purchase_order (order_ref, operator_id, offer_id, seats, request)
    VALUES ('UPG-1', :op, :offer, 3, '{"participants": [{"email": "learner@example.org"}]}');
-- the C functions that need 1.2's objects say so, and change nothing
BEGIN;
SELECT enroll.act_as(:learner);
\set VERBOSITY verbose
SELECT accepted_via FROM enroll.accept_offer(:offer);
\set VERBOSITY default
ROLLBACK;
BEGIN;
SELECT enroll.act_as(:op);
SELECT enroll.setup_course_session('UPG-2', :offer, :op, 3, '[{"email": "new@example.org", "role": "tutor"}]');
ROLLBACK;
CREATE TEMP TABLE counts_before AS
SELECT 'account' AS t, count(*) AS n FROM enroll.account UNION ALL
SELECT 'license', count(*) FROM enroll.license UNION ALL
SELECT 'enrollment', count(*) FROM enroll.enrollment UNION ALL
SELECT 'event', count(*) FROM enroll.event UNION ALL
SELECT 'purchase_order', count(*) FROM enroll.purchase_order;
SELECT enroll.access_status(:learner, :course) AS status_before_update_due;

-- the upgrade
ALTER EXTENSION pg_enroll UPDATE TO '1.1';
SELECT extversion FROM pg_extension WHERE extname = 'pg_enroll';
\dx+ pg_enroll

-- every row is still there, the events got their digests, nothing is broken
SELECT b.t, b.n = c.n AS same_count
  FROM counts_before b
  JOIN (SELECT 'account' AS t, count(*) AS n FROM enroll.account UNION ALL
        SELECT 'license', count(*) FROM enroll.license UNION ALL
        SELECT 'enrollment', count(*) FROM enroll.enrollment UNION ALL
        SELECT 'event', count(*) FROM enroll.event UNION ALL
        SELECT 'purchase_order', count(*) FROM enroll.purchase_order) c USING (t)
 ORDER BY b.t;
SELECT count(*) AS events_without_digest FROM enroll.event WHERE digest IS NULL;
SELECT * FROM enroll.check_invariants();
-- the rules still hold after the upgrade
INSERT INTO enroll.license (offer_id, course_id, holder_kind, account_id, accepted_via, price_paid, currency, access_from, access_until)
    VALUES (:offer, :course, 'person', :learner, 'self', 0, 'EUR', '2026-05-04', '2026-06-04');
SELECT id AS third FROM enroll.register_account('third@example.org') \gset
SELECT (enroll.register_account('THIRD@example.org ')).id = :third AS one_account_per_address;
UPDATE enroll.event SET what = 'account.forged' WHERE id = (SELECT min(id) FROM enroll.event);
-- a row changed behind the trigger's back is reported
ALTER TABLE enroll.event DISABLE TRIGGER event_append_only;
UPDATE enroll.event SET details = '{"forged": true}' WHERE id = (SELECT min(id) FROM enroll.event);
ALTER TABLE enroll.event ENABLE TRIGGER event_append_only;
SELECT invariant, violations FROM enroll.check_invariants();

-- the upgraded catalogue equals a fresh 1.1 install's, object by object
CREATE FUNCTION pg_temp.fingerprint() RETURNS TABLE (kind text, name text, def text) LANGUAGE sql AS $$
    SELECT 'function', p.oid::regprocedure::text,
           concat_ws(' | ', pg_get_functiondef(p.oid), p.proconfig::text, p.proacl::text, obj_description(p.oid, 'pg_proc'))
      FROM pg_proc p WHERE p.pronamespace = 'enroll'::regnamespace AND p.prokind <> 'a'
    UNION ALL
    SELECT 'column', c.relname || '.' || a.attname,
           concat_ws(' | ', format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
                     col_description(c.oid, a.attnum))
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
     WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind IN ('r', 'v')
    UNION ALL
    SELECT 'relation', c.relname, concat_ws(' | ', c.relkind, c.relrowsecurity, c.relacl::text, obj_description(c.oid, 'pg_class'))
      FROM pg_class c WHERE c.relnamespace = 'enroll'::regnamespace
    UNION ALL
    SELECT 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace = 'enroll'::regnamespace
    UNION ALL
    SELECT 'index', indexrelid::regclass::text, pg_get_indexdef(indexrelid)
      FROM pg_index WHERE indrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'enroll'::regnamespace)
    UNION ALL
    SELECT 'trigger', tgrelid::regclass::text || '.' || tgname, pg_get_triggerdef(oid) || ' ' || tgenabled::text
      FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'enroll'::regnamespace)
    UNION ALL
    SELECT 'policy', polrelid::regclass::text || '.' || polname,
           concat_ws(' | ', polcmd, polpermissive, polroles::text, pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid))
      FROM pg_policy WHERE polrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'enroll'::regnamespace)
    UNION ALL
    SELECT 'type', t.typname, concat_ws(' | ', t.typtype, (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid))
      FROM pg_type t WHERE t.typnamespace = 'enroll'::regnamespace AND t.typtype IN ('e', 'c') AND t.typrelid = 0
    UNION ALL
    SELECT 'config_dump', c.relname, coalesce(x.extcondition[array_position(x.extconfig, c.oid)], '(not dumped)')
      FROM pg_extension x JOIN pg_class c ON c.oid = ANY (x.extconfig) WHERE x.extname = 'pg_enroll'
$$;
CREATE TEMP TABLE upgraded AS SELECT * FROM pg_temp.fingerprint();
RESET enroll.clock;
DROP EXTENSION pg_enroll;
CREATE EXTENSION pg_enroll VERSION '1.1';
CREATE TEMP TABLE fresh AS SELECT * FROM pg_temp.fingerprint();
SELECT count(*) > 100 AS objects_compared FROM fresh;
-- differences either way: none
(SELECT 'only after upgrade' AS side, * FROM upgraded EXCEPT SELECT 'only after upgrade', * FROM fresh)
UNION ALL
(SELECT 'only in fresh 1.1', * FROM fresh EXCEPT SELECT 'only in fresh 1.1', * FROM upgraded)
ORDER BY 1, 2, 3;
-- back to the current version for the files that follow
DROP EXTENSION pg_enroll;
CREATE EXTENSION pg_enroll;
SELECT extversion FROM pg_extension WHERE extname = 'pg_enroll';

/* pg_enroll--1.0--1.1.sql: what 1.1 adds to 1.0 (reliability and security).
 * A fresh 1.1 install runs pg_enroll--1.0.sql then this script; an existing
 * 1.0 database gets the same result with ALTER EXTENSION pg_enroll UPDATE
 * (sql/09_upgrade.sql compares the two). */

\echo Use "ALTER EXTENSION pg_enroll UPDATE TO '1.1'" to load this file. \quit

-------------------------------------------------------------------------------
-- Audit log digests: every event row carries a digest of its content, set at
-- insert, so that enroll.check_invariants() can report a row changed behind
-- the append-only trigger's back (a superuser disabling it).
-------------------------------------------------------------------------------
CREATE FUNCTION enroll.event_digest(e enroll.event) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
RETURN pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.concat_ws('|',
           e.id, EXTRACT(epoch FROM e.at), EXTRACT(epoch FROM e.logged_at), e.account_id,
           e.db_role, e.what, e.table_name, e.row_id, e.details, e.xid), 'UTF8'));
COMMENT ON FUNCTION enroll.event_digest(enroll.event) IS
  'SHA-256 of an event''s content, independent of session settings (time zone, date style). Set at insert by a trigger; enroll.check_invariants() recomputes it.';

ALTER TABLE enroll.event ADD COLUMN digest bytea;
COMMENT ON COLUMN enroll.event.digest IS
  'enroll.event_digest() of the row as inserted: a mismatch means the row was changed (check_invariants).';

CREATE FUNCTION enroll.event_set_digest() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    NEW.digest := enroll.event_digest(NEW);
    RETURN NEW;
END
$fn$;
COMMENT ON FUNCTION enroll.event_set_digest() IS
  'Trigger function on enroll.event (BEFORE INSERT): stores the row''s digest.';
CREATE TRIGGER event_set_digest BEFORE INSERT ON enroll.event
    FOR EACH ROW EXECUTE FUNCTION enroll.event_set_digest();

-- events written under 1.0 get their digest now (the only UPDATE the log ever sees)
ALTER TABLE enroll.event DISABLE TRIGGER event_append_only;
UPDATE enroll.event e SET digest = enroll.event_digest(e);
ALTER TABLE enroll.event ENABLE TRIGGER event_append_only;
ALTER TABLE enroll.event ALTER COLUMN digest SET NOT NULL;

-------------------------------------------------------------------------------
-- Invariant checker (API.md "Operations")
-------------------------------------------------------------------------------
CREATE FUNCTION enroll.check_invariants()
RETURNS TABLE (invariant text, violations bigint, example text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH checks(invariant, violations, example) AS (
        -- S2.23: at most one current license per holder and course
        SELECT 'one current license per holder and course', count(*),
               min(pg_catalog.format('holder %s, course %s: %s current licenses', d.holder, d.course_id, d.n))
          FROM (SELECT pg_catalog.concat(l.holder_kind, ' ', COALESCE(l.account_id, l.organization_id)) AS holder,
                       l.course_id, count(*) AS n
                  FROM enroll.license l WHERE l.ended_at IS NULL
                 GROUP BY 1, 2 HAVING count(*) OPERATOR(pg_catalog.>) 1) d
        UNION ALL
        -- seats never over-allocated
        SELECT 'seats not over-allocated', count(*),
               min(pg_catalog.format('organization license %s: %s seats bought, %s allocated', d.id, d.seats, d.n))
          FROM (SELECT p.id, p.seats, count(s.id) AS n
                  FROM enroll.license p JOIN enroll.license s ON s.parent_license OPERATOR(pg_catalog.=) p.id
                 WHERE s.ended_at IS NULL
                 GROUP BY p.id, p.seats HAVING count(s.id) OPERATOR(pg_catalog.>) p.seats) d
        UNION ALL
        -- S1.5: one account per address
        SELECT 'one account per address', count(*),
               min(pg_catalog.format('%s: %s accounts', d.k, d.n))
          FROM (SELECT enroll.email_key(a.email) AS k, count(*) AS n FROM enroll.account a
                 GROUP BY 1 HAVING count(*) OPERATOR(pg_catalog.>) 1) d
        UNION ALL
        -- S1: every session enrollment has its group membership and a license of the
        -- same account and course
        SELECT 'enrollment backed by its group and license', count(*),
               min(pg_catalog.format('enrollment %s (account %s, course %s)', e.id, e.account_id, e.course_id))
          FROM enroll.enrollment e
          LEFT JOIN enroll.license l ON l.id OPERATOR(pg_catalog.=) e.license_id
         WHERE e.group_id IS NOT NULL
           AND (l.id IS NULL OR l.account_id IS DISTINCT FROM e.account_id
                OR NOT EXISTS (SELECT FROM enroll.group_member g
                                WHERE g.group_id OPERATOR(pg_catalog.=) e.group_id
                                  AND g.account_id OPERATOR(pg_catalog.=) e.account_id))
        UNION ALL
        -- S1.4: every completed order has its group
        SELECT 'order has its group', count(*),
               min(pg_catalog.format('order %s', p.order_ref))
          FROM enroll.purchase_order p JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) p.offer_id
         WHERE NOT EXISTS (SELECT FROM enroll.course_group g
                            WHERE g.course_id OPERATOR(pg_catalog.=) o.course_id
                              AND g.idnumber OPERATOR(pg_catalog.=) p.order_ref)
        UNION ALL
        -- the audit log is unchanged
        SELECT 'event rows unchanged', count(*),
               min(pg_catalog.format('event %s (%s)', e.id, e.what))
          FROM enroll.event e WHERE e.digest IS DISTINCT FROM enroll.event_digest(e)
    )
    SELECT c.invariant, c.violations, c.example FROM checks c
     WHERE c.violations OPERATOR(pg_catalog.>) 0
     ORDER BY c.invariant;
END;
COMMENT ON FUNCTION enroll.check_invariants() IS
  'Scans the data and reports every broken invariant with a count and an example: two current licenses for one holder and course, seats over-allocated, an account duplicated by address, a session enrollment without its group membership or license, an order without its group, an event row changed. Empty result: healthy.';
REVOKE EXECUTE ON FUNCTION enroll.check_invariants(), enroll.event_digest(enroll.event), enroll.event_set_digest() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.check_invariants() TO enroll_admin;

-------------------------------------------------------------------------------
-- Row-level security for operators and organization administrators
-------------------------------------------------------------------------------
-- @@rls-begin@@
-- 1.0 lets a person see their own rows and a system administrator all rows.
-- 1.1 adds, as more PERMISSIVE SELECT policies (OR-ed with those):
--   * an operator (enroll.purchase_order.operator_id) sees the accounts they
--     manage (delegated_manager in the account's user context, S1.6), and
--     the enrollments, group memberships, licenses and role assignments that
--     come from their own orders, and the course groups of those orders;
--   * an organization administrator (current membership with is_admin) sees
--     the organization's memberships (current and past), the accounts of its
--     current members, its licenses and the seats allocated from them;
--   * course_group gets row-level security: admins all, operators the groups
--     of their orders, members their own groups.
-- The helpers below run with the owner's rights, so they read the tables as the
-- extension owner: a policy's answer never depends on what the caller's own
-- policies let it see, and no policy recurses into another.  Each returns the
-- set of keys the acting account may see; a policy tests
-- "key OPERATOR(pg_catalog.=) ANY (SELECT helper())", an uncorrelated subquery
-- that runs once per query (a hashed SubPlan) instead of a function call per
-- row, so a query's own index conditions still drive the scan.  Every helper
-- reads through an index keyed on the acting account.

CREATE FUNCTION enroll.actor_order_refs() RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
ROWS 10
BEGIN ATOMIC
    SELECT p.order_ref FROM enroll.purchase_order p
     WHERE p.operator_id OPERATOR(pg_catalog.=) enroll.current_account();
END;
COMMENT ON FUNCTION enroll.actor_order_refs() IS
  'Row-level security helper: the references of the purchase orders placed by the acting account (as operator, S1). Empty when anonymous.';

CREATE FUNCTION enroll.actor_order_groups() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
ROWS 10
BEGIN ATOMIC
    SELECT g.id FROM enroll.purchase_order p
      JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) p.offer_id
      JOIN enroll.course_group g ON g.course_id OPERATOR(pg_catalog.=) o.course_id
                                AND g.idnumber OPERATOR(pg_catalog.=) p.order_ref
     WHERE p.operator_id OPERATOR(pg_catalog.=) enroll.current_account();
END;
COMMENT ON FUNCTION enroll.actor_order_groups() IS
  'Row-level security helper: the course groups of the purchase orders placed by the acting account, one per order (S1.4: the group of the offer''s course whose idnumber is the order reference). Empty when anonymous.';

CREATE FUNCTION enroll.actor_managed_accounts() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
ROWS 100
BEGIN ATOMIC
    SELECT ra.context_id FROM enroll.role_assignment ra
     WHERE ra.account_id OPERATOR(pg_catalog.=) enroll.current_account()
       AND ra.context_level OPERATOR(pg_catalog.=) 'user'::enroll.context_level
       AND ra.role_id OPERATOR(pg_catalog.=) (SELECT r.id FROM enroll.role r
                                               WHERE r.shortname OPERATOR(pg_catalog.=) 'delegated_manager');
END;
COMMENT ON FUNCTION enroll.actor_managed_accounts() IS
  'Row-level security helper: the accounts the acting account manages, i.e. in whose user context it holds the delegated_manager role (given to the operator for each participant of a session, S1.6). Empty when anonymous.';

CREATE FUNCTION enroll.actor_groups() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
ROWS 10
BEGIN ATOMIC
    SELECT gm.group_id FROM enroll.group_member gm
     WHERE gm.account_id OPERATOR(pg_catalog.=) enroll.current_account();
END;
COMMENT ON FUNCTION enroll.actor_groups() IS
  'Row-level security helper: the course groups the acting account is a member of. Empty when anonymous.';

CREATE FUNCTION enroll.actor_administered_organizations() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
ROWS 10
BEGIN ATOMIC
    SELECT m.organization_id FROM enroll.membership m
     WHERE m.account_id OPERATOR(pg_catalog.=) enroll.current_account()
       AND m.left_at IS NULL AND m.is_admin;
END;
COMMENT ON FUNCTION enroll.actor_administered_organizations() IS
  'Row-level security helper: the organizations of which the acting account is a current administrator (current membership with is_admin). Empty when anonymous.';

CREATE FUNCTION enroll.actor_administered_members() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
ROWS 100
BEGIN ATOMIC
    SELECT m.account_id FROM enroll.membership a
      JOIN enroll.membership m ON m.organization_id OPERATOR(pg_catalog.=) a.organization_id
     WHERE a.account_id OPERATOR(pg_catalog.=) enroll.current_account()
       AND a.left_at IS NULL AND a.is_admin
       AND m.left_at IS NULL;
END;
COMMENT ON FUNCTION enroll.actor_administered_members() IS
  'Row-level security helper: the current members of the organizations the acting account currently administers. Empty when anonymous.';

CREATE FUNCTION enroll.actor_administered_licenses() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
ROWS 10
BEGIN ATOMIC
    SELECT l.id FROM enroll.membership a
      JOIN enroll.license l ON l.organization_id OPERATOR(pg_catalog.=) a.organization_id
     WHERE a.account_id OPERATOR(pg_catalog.=) enroll.current_account()
       AND a.left_at IS NULL AND a.is_admin;
END;
COMMENT ON FUNCTION enroll.actor_administered_licenses() IS
  'Row-level security helper: the licenses held by the organizations the acting account currently administers (the parents of the seats it may see). Empty when anonymous.';

REVOKE ALL ON FUNCTION
    enroll.actor_order_refs(), enroll.actor_order_groups(), enroll.actor_managed_accounts(),
    enroll.actor_groups(), enroll.actor_administered_organizations(),
    enroll.actor_administered_members(), enroll.actor_administered_licenses()
    FROM PUBLIC;
-- the policies run as the reading role, which therefore needs EXECUTE
GRANT EXECUTE ON FUNCTION
    enroll.actor_order_refs(), enroll.actor_order_groups(), enroll.actor_managed_accounts(),
    enroll.actor_groups(), enroll.actor_administered_organizations(),
    enroll.actor_administered_members(), enroll.actor_administered_licenses()
    TO enroll_admin, enroll_app, enroll_reader;

-- operators (S1)
CREATE POLICY account_operator ON enroll.account FOR SELECT
    USING (id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_managed_accounts()));
COMMENT ON POLICY account_operator ON enroll.account IS
  'An operator sees the accounts they manage: delegated_manager held in the account''s user context (S1.6).';

CREATE POLICY enrollment_operator ON enroll.enrollment FOR SELECT
    USING (order_ref OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_order_refs())
           AND account_id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_managed_accounts()));
COMMENT ON POLICY enrollment_operator ON enroll.enrollment IS
  'An operator sees the enrollments of the accounts they manage that come from one of their orders (order_ref), support-course enrollments included.';

CREATE POLICY group_member_operator ON enroll.group_member FOR SELECT
    USING (group_id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_order_groups()));
COMMENT ON POLICY group_member_operator ON enroll.group_member IS
  'An operator sees the members of the groups of their orders (S1.4).';

CREATE POLICY license_operator ON enroll.license FOR SELECT
    USING (accepted_via OPERATOR(pg_catalog.=) 'operator'::enroll.acceptance_mode
           AND order_ref OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_order_refs())
           AND account_id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_managed_accounts()));
COMMENT ON POLICY license_operator ON enroll.license IS
  'An operator sees the licenses their orders gave to the accounts they manage (accepted_via operator, order_ref of one of their orders); not a license that merely names their order reference.';

CREATE POLICY role_assignment_operator ON enroll.role_assignment FOR SELECT
    USING (order_ref OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_order_refs())
           AND account_id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_managed_accounts()));
COMMENT ON POLICY role_assignment_operator ON enroll.role_assignment IS
  'An operator sees the role assignments their orders gave to the accounts they manage (delegated_user in the operator''s context, S1.6); their own delegated_manager rows they see as their own.';

-- organization administrators
CREATE POLICY account_organization_admin ON enroll.account FOR SELECT
    USING (id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_administered_members()));
COMMENT ON POLICY account_organization_admin ON enroll.account IS
  'An organization administrator sees the accounts of the current members of the organizations they administer.';

CREATE POLICY membership_organization_admin ON enroll.membership FOR SELECT
    USING (organization_id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_administered_organizations()));
COMMENT ON POLICY membership_organization_admin ON enroll.membership IS
  'An organization administrator sees every membership, current and past, of the organizations they administer.';

CREATE POLICY license_organization_admin ON enroll.license FOR SELECT
    USING (organization_id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_administered_organizations())
           OR parent_license OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_administered_licenses()));
COMMENT ON POLICY license_organization_admin ON enroll.license IS
  'An organization administrator sees the licenses the organization holds and the seats allocated from them (parent_license).';

-- course groups: until 1.1 readable by the three roles without filter
ALTER TABLE enroll.course_group ENABLE ROW LEVEL SECURITY;
CREATE POLICY course_group_admin ON enroll.course_group FOR SELECT
    USING ((SELECT enroll.acting_as_admin()));
COMMENT ON POLICY course_group_admin ON enroll.course_group IS
  'System administrators see every course group.';
CREATE POLICY course_group_operator ON enroll.course_group FOR SELECT
    USING (id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_order_groups()));
COMMENT ON POLICY course_group_operator ON enroll.course_group IS
  'An operator sees the groups of their orders (S1.4).';
CREATE POLICY course_group_member ON enroll.course_group FOR SELECT
    USING (id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_groups()));
COMMENT ON POLICY course_group_member ON enroll.course_group IS
  'A member of a group sees that group.';
-- @@rls-end@@

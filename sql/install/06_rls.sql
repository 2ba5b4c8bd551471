-------------------------------------------------------------------------------
-- Row-level security: a person sees their own rows, an admin sees all.
-- Scalar subqueries make the identity functions run once per query.
-------------------------------------------------------------------------------
ALTER TABLE enroll.account ENABLE ROW LEVEL SECURITY;
CREATE POLICY account_self ON enroll.account FOR SELECT
    USING (id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

ALTER TABLE enroll.membership ENABLE ROW LEVEL SECURITY;
CREATE POLICY membership_self ON enroll.membership FOR SELECT
    USING (account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

ALTER TABLE enroll.role_assignment ENABLE ROW LEVEL SECURITY;
CREATE POLICY role_assignment_self ON enroll.role_assignment FOR SELECT
    USING (account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

ALTER TABLE enroll.group_member ENABLE ROW LEVEL SECURITY;
CREATE POLICY group_member_self ON enroll.group_member FOR SELECT
    USING (account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

ALTER TABLE enroll.enrollment ENABLE ROW LEVEL SECURITY;
CREATE POLICY enrollment_self ON enroll.enrollment FOR SELECT
    USING (account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

ALTER TABLE enroll.license ENABLE ROW LEVEL SECURITY;
CREATE POLICY license_self ON enroll.license FOR SELECT
    USING (account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

ALTER TABLE enroll.offer_recipient ENABLE ROW LEVEL SECURITY;
CREATE POLICY offer_recipient_self ON enroll.offer_recipient FOR SELECT
    USING (account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

ALTER TABLE enroll.purchase_order ENABLE ROW LEVEL SECURITY;
CREATE POLICY purchase_order_operator ON enroll.purchase_order FOR SELECT
    USING (operator_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

-- a person reads the events about them, and the events they caused that are
-- about nobody else: what an operator's order or an organization admin's
-- seat did to a person's own licenses is that person's (1.2)
ALTER TABLE enroll.event ENABLE ROW LEVEL SECURITY;
CREATE POLICY event_self ON enroll.event FOR SELECT
    USING (subject_account OPERATOR(pg_catalog.=) (SELECT enroll.current_account())
           OR (account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) AND subject_account IS NULL)
           OR (SELECT enroll.acting_as_admin()));



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

CREATE FUNCTION enroll.actor_orders() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
ROWS 10
BEGIN ATOMIC
    SELECT p.id FROM enroll.purchase_order p
     WHERE p.operator_id OPERATOR(pg_catalog.=) enroll.current_account();
END;
COMMENT ON FUNCTION enroll.actor_orders() IS
  'Row-level security helper: the purchase orders placed by the acting account (as operator, S1). Empty when anonymous.';

CREATE FUNCTION enroll.actor_order_groups() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
ROWS 10
BEGIN ATOMIC
    SELECT g.id FROM enroll.purchase_order p
      JOIN enroll.course_group g ON g.order_id OPERATOR(pg_catalog.=) p.id
     WHERE p.operator_id OPERATOR(pg_catalog.=) enroll.current_account();
END;
COMMENT ON FUNCTION enroll.actor_order_groups() IS
  'Row-level security helper: the course groups of the purchase orders placed by the acting account, one per order (S1.4). Empty when anonymous.';

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
     WHERE gm.account_id OPERATOR(pg_catalog.=) enroll.current_account()
       AND gm.removed_at IS NULL;
END;
COMMENT ON FUNCTION enroll.actor_groups() IS
  'Row-level security helper: the course groups the acting account is a member of (not taken out of). Empty when anonymous.';

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
    enroll.actor_orders(), enroll.actor_order_groups(), enroll.actor_managed_accounts(),
    enroll.actor_groups(), enroll.actor_administered_organizations(),
    enroll.actor_administered_members(), enroll.actor_administered_licenses()
    FROM PUBLIC;
-- the policies run as the reading role, which therefore needs EXECUTE
GRANT EXECUTE ON FUNCTION
    enroll.actor_orders(), enroll.actor_order_groups(), enroll.actor_managed_accounts(),
    enroll.actor_groups(), enroll.actor_administered_organizations(),
    enroll.actor_administered_members(), enroll.actor_administered_licenses()
    TO enroll_admin, enroll_app, enroll_reader;

-- operators (S1): since 1.2 an operator reads nothing an existing person
-- supplied, nor which licenses its participants hold: its orders, their
-- groups and members (the addresses and names as it gave them), the cross
-- roles of its orders, and enroll.order_participants
CREATE POLICY group_member_operator ON enroll.group_member FOR SELECT
    USING (group_id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_order_groups()));
COMMENT ON POLICY group_member_operator ON enroll.group_member IS
  'An operator sees the members of the groups of their orders (S1.4): the address and names as the operator gave them, the seat, whether and why the member was taken out.';

CREATE POLICY role_assignment_operator ON enroll.role_assignment FOR SELECT
    USING (order_id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_orders())
           AND account_id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_managed_accounts()));
COMMENT ON POLICY role_assignment_operator ON enroll.role_assignment IS
  'An operator sees the role assignments their orders gave to the accounts they manage (delegated_user in the operator''s context, S1.6); their own delegated_manager rows they see as their own.';

-- organization administrators
CREATE POLICY account_organization_admin ON enroll.account FOR SELECT
    USING (id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_administered_members()));
COMMENT ON POLICY account_organization_admin ON enroll.account IS
  'An organization administrator sees the accounts of the current members of the organizations they administer: the columns applications may read (address, names), never the profile.';

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

COMMENT ON POLICY account_self ON enroll.account IS
  'An account sees its own row (the columns applications may read; the profile through enroll.account_profile); system admins see every row.';
COMMENT ON POLICY membership_self ON enroll.membership IS
  'An account sees its own memberships, current and past; system admins see all.';
COMMENT ON POLICY role_assignment_self ON enroll.role_assignment IS
  'An account sees the roles it holds; system admins see all.';
COMMENT ON POLICY group_member_self ON enroll.group_member IS
  'An account sees its own group memberships; system admins see all.';
COMMENT ON POLICY enrollment_self ON enroll.enrollment IS
  'An account sees its own enrollments; system admins see all.';
COMMENT ON POLICY license_self ON enroll.license IS
  'An account sees its own licenses; system admins see all.';
COMMENT ON POLICY offer_recipient_self ON enroll.offer_recipient IS
  'An account sees the private offers addressed to it (S2.7); system admins see all.';
COMMENT ON POLICY purchase_order_operator ON enroll.purchase_order IS
  'An operator sees its own orders (their references are its own); system admins see all.';
COMMENT ON POLICY event_self ON enroll.event IS
  'A person reads the events about them (subject_account), and the events they caused that are about nobody else: what an operator''s order or an organization admin''s seat did to a person''s own licenses is that person''s. System admins read all.';

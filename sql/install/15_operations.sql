
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

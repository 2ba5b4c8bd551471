
-------------------------------------------------------------------------------
-- Invariant checker (API.md "Operations")
-------------------------------------------------------------------------------
CREATE FUNCTION enroll.check_invariants()
RETURNS TABLE (invariant text, violations bigint, example text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH
    -- the audit log in one pass: every event and every chain row (FULL JOIN),
    -- each chain row with the link before it in chain order (lag over the
    -- chain rows only; 32 zero bytes before the first).  OFFSET 0 computes
    -- the digests before the sort, which then sorts narrow rows.
    ledger AS (
        SELECT l.*, pg_catalog.lag(l.link, 1, pg_catalog.decode(pg_catalog.repeat('00', 32), 'hex'))
                        OVER (PARTITION BY l.pos IS NULL ORDER BY l.pos) AS prev
          FROM (SELECT e.id, e.what, e.xid, e.digest, enroll.event_digest(e) AS content,
                       c.event_id AS chained, c.pos, c.xid AS chained_xid, c.link
                  FROM enroll.event e FULL JOIN enroll.audit_chain c ON c.event_id OPERATOR(pg_catalog.=) e.id
                OFFSET 0) l
    ),
    -- the horizon of the last seal: every event below it had to be sealed
    sealed AS (
        SELECT c.horizon FROM enroll.audit_chain c ORDER BY c.pos DESC LIMIT 1
    ),
    audit AS (
        SELECT count(*) FILTER (WHERE l.id IS NOT NULL AND l.digest IS DISTINCT FROM l.content) AS changed,
               min(pg_catalog.format('event %s (%s)', l.id, l.what))
                   FILTER (WHERE l.id IS NOT NULL AND l.digest IS DISTINCT FROM l.content) AS changed_example,
               count(*) FILTER (WHERE l.pos IS NOT NULL AND l.id IS NOT NULL
                                  AND (l.link IS DISTINCT FROM pg_catalog.sha256(l.prev OPERATOR(pg_catalog.||) l.content)
                                       OR l.chained_xid IS DISTINCT FROM l.xid)) AS broken,
               (array_agg(pg_catalog.format('event %s (%s) at position %s', l.id, l.what, l.pos) ORDER BY l.pos)
                   FILTER (WHERE l.pos IS NOT NULL AND l.id IS NOT NULL
                             AND (l.link IS DISTINCT FROM pg_catalog.sha256(l.prev OPERATOR(pg_catalog.||) l.content)
                                  OR l.chained_xid IS DISTINCT FROM l.xid)))[1] AS broken_example,
               count(*) FILTER (WHERE l.pos IS NOT NULL AND l.id IS NULL) AS missing,
               (array_agg(pg_catalog.format('event %s at position %s', l.chained, l.pos) ORDER BY l.pos)
                   FILTER (WHERE l.pos IS NOT NULL AND l.id IS NULL))[1] AS missing_example,
               count(*) FILTER (WHERE l.pos IS NULL AND l.xid OPERATOR(pg_catalog.<) s.horizon) AS unsealed,
               (array_agg(pg_catalog.format('event %s (%s) of transaction %s', l.id, l.what, l.xid) ORDER BY l.xid, l.id)
                   FILTER (WHERE l.pos IS NULL AND l.xid OPERATOR(pg_catalog.<) s.horizon))[1] AS unsealed_example
          FROM ledger l LEFT JOIN sealed s ON true
    ),
    checks(invariant, violations, example) AS (
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
        -- S1.5: one account per mailbox, whatever the spelling (the unique
        -- index compares email_key; twins of one canonical address are found here)
        SELECT 'one account per address', count(*),
               min(pg_catalog.format('%s: %s accounts', d.k, d.n))
          FROM (SELECT enroll.email_canonical_key(a.email) AS k, count(*) AS n FROM enroll.account a
                 GROUP BY 1 HAVING count(*) OPERATOR(pg_catalog.>) 1) d
         WHERE d.k IS NOT NULL
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
        -- S1.4: every order has its own group (keyed on the order's id since
        -- 1.2: references are the operator's own)
        SELECT 'order has its group', count(*),
               min(pg_catalog.format('order %s of operator %s', p.order_ref, p.operator_id))
          FROM enroll.purchase_order p
         WHERE NOT EXISTS (SELECT FROM enroll.course_group g WHERE g.order_id OPERATOR(pg_catalog.=) p.id)
        UNION ALL
        -- 1.2: a cancelled order holds no delegated role (its cross roles
        -- went with it, or to another live order of the operator)
        SELECT 'cancelled order holds no delegated role', count(*),
               min(pg_catalog.format('role assignment %s held by cancelled order %s of operator %s',
                                     r.id, p.order_ref, p.operator_id))
          FROM enroll.role_assignment r
          JOIN enroll.purchase_order p ON p.id OPERATOR(pg_catalog.=) r.order_id
         WHERE p.cancelled_at IS NOT NULL  -- cancelled (purchase_order_cancelled)
        UNION ALL
        -- 1.2: a capped offer's counter matches the acceptances made (licenses
        -- obtained from it, seats aside; a DBA's hand-written license is not
        -- counted by the engine)
        SELECT 'capped offer counts its acceptances', count(*),
               min(pg_catalog.format('offer %s: %s acceptances counted, %s made', o.code, o.acceptances_made, COALESCE(d.n, 0)))
          FROM enroll.offer o
          -- one pass over the licenses (no index on offer_id), not one per offer
          LEFT JOIN (SELECT l.offer_id, count(*) AS n FROM enroll.license l
                      WHERE l.parent_license IS NULL
                        AND l.offer_id IN (SELECT c.id FROM enroll.offer c WHERE c.max_acceptances IS NOT NULL)
                      GROUP BY l.offer_id) d
                 ON d.offer_id OPERATOR(pg_catalog.=) o.id
         WHERE o.max_acceptances IS NOT NULL AND o.acceptances_made IS DISTINCT FROM COALESCE(d.n, 0)
        UNION ALL
        -- the audit log is unchanged: every event matches its digest; every
        -- chain link matches the link before it and its event's content; no
        -- chained event is gone; no event below the last seal's horizon was
        -- left out of the chain (written behind its back)
        SELECT v.invariant, v.violations, v.example
          FROM audit a CROSS JOIN LATERAL (VALUES
               ('event rows unchanged', a.changed, a.changed_example),
               ('audit chain links match the events', a.broken, a.broken_example),
               ('audit chain events still present', a.missing, a.missing_example),
               ('audit chain covers every event below its horizon', a.unsealed, a.unsealed_example)
          ) AS v(invariant, violations, example)
    )
    SELECT c.invariant, c.violations, c.example FROM checks c
     WHERE c.violations OPERATOR(pg_catalog.>) 0
     ORDER BY c.invariant;
END;
COMMENT ON FUNCTION enroll.check_invariants() IS
  'Scans the data and reports every broken invariant with a count and an example: two current licenses for one holder and course, seats over-allocated, two accounts for one mailbox (any spelling of it), a session enrollment without its group membership or license, an order without its group, a delegated role held by a cancelled order, a capped offer whose counter differs from its acceptances, an event row changed, and the audit chain broken: a link that no longer matches its event, a sealed event deleted, an event left out of the chain below the last seal''s horizon. Empty result: healthy.';
REVOKE EXECUTE ON FUNCTION enroll.check_invariants(), enroll.event_digest(enroll.event), enroll.event_set_digest() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.check_invariants() TO enroll_admin;

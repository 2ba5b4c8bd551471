-- psql script (scripts/bench, timed from before BEGIN to after COMMIT): the
-- baseline of cancel_order, by hand in the look-alike tables: the order
-- locked; its participants' licenses of the order ended, their enrollments
-- of the order (course and support course) and cross role assignments
-- deleted, one audit row each; the group members marked removed; the order
-- cancelled, one audit row.  Variables: order_ref, operator, course,
-- support, manager, user_role.
BEGIN;
SELECT p.id AS order_id, g.id AS group_id
  FROM base.purchase_order p JOIN base.course_group g ON g.order_id = p.id
 WHERE p.operator_id = :operator AND p.order_ref = :'order_ref' FOR UPDATE OF p \gset
UPDATE base.license l SET ended_at = now(), end_reason = 'cancelled'
  FROM base.group_member m
 WHERE m.group_id = :group_id AND m.removed_at IS NULL
   AND l.account_id = m.account_id AND l.course_id = :course AND l.ended_at IS NULL AND l.order_id = :order_id;
DELETE FROM base.enrollment e USING base.group_member m
 WHERE m.group_id = :group_id AND m.removed_at IS NULL
   AND e.course_id IN (:course, :support) AND e.account_id = m.account_id AND e.order_id = :order_id;
DELETE FROM base.role_assignment r USING base.group_member m
 WHERE m.group_id = :group_id AND m.removed_at IS NULL
   AND r.role_id = :manager AND r.account_id = :operator AND r.context_level = 'user' AND r.context_id = m.account_id;
DELETE FROM base.role_assignment r USING base.group_member m
 WHERE m.group_id = :group_id AND m.removed_at IS NULL
   AND r.role_id = :user_role AND r.account_id = m.account_id AND r.context_level = 'user' AND r.context_id = :operator;
INSERT INTO base.audit (what, row_id, subject, details)
    SELECT 'session.participant_out', :order_id, m.account_id, jsonb_build_object('order', :order_id, 'reason', 'cancelled')
      FROM base.group_member m WHERE m.group_id = :group_id AND m.removed_at IS NULL;
UPDATE base.group_member SET removed_at = now() WHERE group_id = :group_id AND removed_at IS NULL;
UPDATE base.purchase_order SET status = 'cancelled' WHERE id = :order_id;
INSERT INTO base.audit (what, row_id, details) VALUES ('purchase_order.cancel', :order_id, '{"reason": "bench"}');
COMMIT;

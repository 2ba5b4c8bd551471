-- psql script (scripts/bench, timed from before BEGIN to after COMMIT): the
-- baseline of setup_course_session.  The same business rows, written
-- set-based into the look-alike tables (schema base) the way a user would
-- without pg_enroll: the order and its group; an account for each unknown
-- address (the unique index decides); each participant's current license of
-- the course ended and a new one from the offer for the session window; the
-- enrollment in the course (the tutor with the tutor role) and in the
-- support course; the group membership; the two cross role assignments; one
-- audit row per participant and one for the order.
-- Variables: order_ref, label, n, offer, operator, course, support, student,
-- tutor, manager, user_role, from, until.
BEGIN;
INSERT INTO base.purchase_order (order_ref, operator_id, offer_id, seats)
    VALUES (:'order_ref', :operator, :offer, :n) RETURNING id AS order_id \gset
INSERT INTO base.course_group (course_id, idnumber, order_id)
    VALUES (:course, :'order_ref', :order_id) RETURNING id AS group_id \gset
INSERT INTO base.account (email, firstname, lastname)
    SELECT btrim(x.e ->> 'email'), coalesce(x.e ->> 'firstname', ''), coalesce(x.e ->> 'lastname', '')
      FROM bench.people b, jsonb_array_elements(b.people) x(e)
     WHERE b.label = :'label'
     ORDER BY lower(btrim(x.e ->> 'email'))
    ON CONFLICT ((lower(email))) DO NOTHING;
-- the participants with their accounts and the ids of their new licenses
CREATE TEMP TABLE p ON COMMIT DROP AS
    SELECT a.id AS account_id, coalesce(x.e ->> 'role', 'learner') = 'tutor' AS tutor,
           nextval('base.license_id_seq') AS license_id
      FROM bench.people b, jsonb_array_elements(b.people) x(e)
      JOIN base.account a ON lower(a.email) = lower(btrim(x.e ->> 'email'))
     WHERE b.label = :'label';
ANALYZE p;
UPDATE base.license l SET ended_at = now(), end_reason = 'superseded', superseded_by = p.license_id
  FROM p WHERE l.account_id = p.account_id AND l.course_id = :course AND l.ended_at IS NULL;
INSERT INTO base.license (id, offer_id, course_id, account_id, accepted_by, accepted_via, accepted_at,
                          price_paid, currency, access_from, access_until, order_id)
    SELECT p.license_id, o.id, o.course_id, p.account_id, :operator, 'operator', now(),
           o.price, o.currency, :'from', :'until', :order_id
      FROM p, base.offer o WHERE o.id = :offer;
INSERT INTO base.enrollment (course_id, account_id, role_id, group_id, license_id, time_start, time_end, order_id)
    SELECT :course, p.account_id, CASE WHEN p.tutor THEN :tutor ELSE :student END, :group_id, p.license_id,
           :'from', :'until', :order_id
      FROM p
    ON CONFLICT (course_id, account_id) DO UPDATE
       SET role_id = excluded.role_id, group_id = excluded.group_id, license_id = excluded.license_id,
           time_start = excluded.time_start, time_end = excluded.time_end, order_id = excluded.order_id;
INSERT INTO base.enrollment (course_id, account_id, role_id, license_id, time_start, time_end, order_id)
    SELECT :support, p.account_id, :student, p.license_id, :'from', :'until', :order_id FROM p
    ON CONFLICT (course_id, account_id) DO NOTHING;
INSERT INTO base.group_member (group_id, account_id) SELECT :group_id, p.account_id FROM p;
INSERT INTO base.role_assignment (role_id, account_id, context_level, context_id, assigned_by, order_id)
    SELECT :manager, :operator, 'user', p.account_id, :operator, :order_id FROM p
    UNION ALL
    SELECT :user_role, p.account_id, 'user', :operator, :operator, :order_id FROM p
    ON CONFLICT DO NOTHING;
INSERT INTO base.audit (actor, what, row_id, subject, details)
    SELECT :operator, 'session.participant', p.license_id, p.account_id,
           jsonb_build_object('order', :order_id, 'license', p.license_id)
      FROM p;
INSERT INTO base.audit (actor, what, row_id, details)
    VALUES (:operator, 'purchase_order.setup', :order_id, jsonb_build_object('new_participants', :n));
COMMIT;

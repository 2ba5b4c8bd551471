-------------------------------------------------------------------------------
-- What applications read (1.2): views with their own visibility rule.  Each
-- is owned by the extension owner and marked security_barrier, so its WHERE
-- clause is the whole access rule and a caller's functions cannot see the
-- rows it filters out.
-------------------------------------------------------------------------------
-- @@views-begin@@

-- An account's profile data: the account itself and system admins only.
CREATE VIEW enroll.account_profile WITH (security_barrier) AS
SELECT a.id, a.email, a.firstname, a.lastname, a.profile_level, a.profile,
       a.is_admin, a.login_role, a.created_at, a.erased_at
  FROM enroll.account a
 WHERE a.id OPERATOR(pg_catalog.=) (SELECT enroll.current_account())
    OR (SELECT enroll.acting_as_admin());
COMMENT ON VIEW enroll.account_profile IS
  'The acting account''s own row with its profile data (level, billing data, is_admin, login_role); every row for system admins. Applications read the other columns of enroll.account directly; nobody else ever reads a person''s profile (1.2).';

-- An operator's orders and their participants: what the operator gave, the
-- seat, the state in the order; nothing the person supplied themself.
CREATE VIEW enroll.order_participants WITH (security_barrier) AS
SELECT p.id AS order_id, p.order_ref, p.operator_id, o.code AS offer_code, c.shortname AS course,
       m.account_id, m.given_email AS email, m.given_firstname AS firstname, m.given_lastname AS lastname,
       m.seat AS role,
       CASE WHEN p.status::text OPERATOR(pg_catalog.=) 'cancelled' THEN 'cancelled'
            WHEN m.removed_at IS NOT NULL THEN 'removed'
            ELSE 'active' END AS status,
       m.added_at, m.removed_at, m.removed_reason
  FROM enroll.purchase_order p
  JOIN enroll.course_group g ON g.order_id OPERATOR(pg_catalog.=) p.id
  JOIN enroll.group_member m ON m.group_id OPERATOR(pg_catalog.=) g.id
  JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) p.offer_id
  JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) o.course_id
 WHERE p.operator_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account())
    OR (SELECT enroll.acting_as_admin());
COMMENT ON VIEW enroll.order_participants IS
  'An operator''s orders and their participants (S1): the participant''s account id (the handle of remove_participant), the address and names as the operator gave them in the order, the seat (learner or tutor), and the participant''s state in the order (active, removed, cancelled). Nothing the person supplied themself, nor which licenses they hold. System admins see every order.';
COMMENT ON COLUMN enroll.order_participants.email IS 'The address as the operator gave it.';
COMMENT ON COLUMN enroll.order_participants.role IS 'The seat the participant takes: learner or tutor (S1.3).';
COMMENT ON COLUMN enroll.order_participants.status IS 'active, removed (taken out of the order) or cancelled (the order was cancelled).';

-- The state of one license at an instant, in access_status's words and
-- order (a license that ended says why: superseded, revoked, cancelled,
-- removed, released).  Whether the holder is still a member of the
-- registrar organization, and whether a seat's organization license still
-- gives access, are the caller's to say: the views read them with their
-- owner's rights, so the function itself reads nothing and tells nobody
-- anything they did not pass it.
CREATE FUNCTION enroll.license_state(l enroll.license, at timestamptz, registrar_member boolean DEFAULT true,
                                     seat_backed boolean DEFAULT true)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE
        WHEN l.ended_at IS NOT NULL AND l.ended_at OPERATOR(pg_catalog.<=) at THEN l.end_reason::text
        WHEN l.parent_license IS NOT NULL AND NOT seat_backed THEN 'seat_withdrawn'
        WHEN at OPERATOR(pg_catalog.<) l.access_from THEN 'not_started'
        WHEN at OPERATOR(pg_catalog.>=) l.access_until THEN 'expired'
        WHEN l.documents_due_at IS NOT NULL AND l.documents_validated_at IS NULL
             AND at OPERATOR(pg_catalog.>=) l.documents_due_at THEN 'documents_missing'
        WHEN l.registrar_org_id IS NOT NULL AND NOT registrar_member THEN 'registrar_membership_ended'
        ELSE 'active' END;
END;
COMMENT ON FUNCTION enroll.license_state(enroll.license, timestamptz, boolean, boolean) IS
  'The state of one license at an instant: the end reason once it has ended, else seat_withdrawn (a seat whose organization license no longer gives access: seat_backed false), not_started, expired, documents_missing (S2.18), registrar_membership_ended (S2.19, when registrar_member is false) or active. enroll.access_status answers for a person and a course (all their licenses, the support course); this answers for one license.';

-- The acting account's licenses.
CREATE VIEW enroll.my_licenses WITH (security_barrier) AS
SELECT l.id AS license_id, l.course_id, c.shortname AS course, c.fullname AS course_name,
       o.code AS offer_code, o.title AS offer_title,
       l.accepted_via, l.accepted_at, l.access_from, l.access_until,
       st.state AS license_state,
       enroll.access_status(l.account_id, l.course_id) AS access_status,
       CASE WHEN st.state OPERATOR(pg_catalog.=) ANY (ARRAY['active', 'documents_missing', 'registrar_membership_ended'])
            THEN LEAST(l.access_until, COALESCE(l.ended_at, l.access_until)) OPERATOR(pg_catalog.-) now.at END AS time_left,
       l.registrar_org_id, r.name AS registrar,
       l.documents_due_at, l.documents_validated_at,
       p.organization_id AS seat_of_organization, g.name AS seat_of_organization_name,
       l.order_ref, l.ended_at, l.end_reason
  FROM enroll.license l
  CROSS JOIN LATERAL (SELECT enroll.clock_now() AS at) now
  LEFT JOIN enroll.license p ON p.id OPERATOR(pg_catalog.=) l.parent_license
  CROSS JOIN LATERAL (SELECT enroll.license_state(l, now.at, l.registrar_org_id IS NULL OR
      EXISTS (SELECT FROM enroll.membership m WHERE m.organization_id OPERATOR(pg_catalog.=) l.registrar_org_id
                 AND m.account_id OPERATOR(pg_catalog.=) l.account_id AND m.left_at IS NULL),
      p.id IS NULL OR ((p.ended_at IS NULL OR p.ended_at OPERATOR(pg_catalog.>) now.at)
                       AND now.at OPERATOR(pg_catalog.>=) p.access_from AND now.at OPERATOR(pg_catalog.<) p.access_until)) AS state) st
  JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) l.course_id
  JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) l.offer_id
  LEFT JOIN enroll.organization r ON r.id OPERATOR(pg_catalog.=) l.registrar_org_id
  LEFT JOIN enroll.organization g ON g.id OPERATOR(pg_catalog.=) p.organization_id
 WHERE l.account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account());
COMMENT ON VIEW enroll.my_licenses IS
  'The acting account''s licenses, current and past: course, offer, how and when accepted, the access window and the time left, the license''s own state (enroll.license_state) and the person''s access to the course (enroll.access_status), the registrar organization, the documents deadline (S2.18), the organization whose seat it is.';
COMMENT ON COLUMN enroll.my_licenses.time_left IS 'Until the license stops giving access (its end, or the earlier end it is set to follow); NULL once it does not give access.';

-- An organization administrator's licenses and seats.
CREATE VIEW enroll.organization_seats WITH (security_barrier) AS
SELECT l.organization_id, g.name AS organization, l.id AS license_id, l.course_id, c.shortname AS course,
       o.code AS offer_code, l.access_from, l.access_until, l.ended_at, l.end_reason,
       enroll.license_state(l, now.at) AS license_state,
       l.seats, s.used, l.seats OPERATOR(pg_catalog.-) s.used AS free, s.holders
  FROM enroll.license l
  CROSS JOIN LATERAL (SELECT enroll.clock_now() AS at) now
  JOIN enroll.organization g ON g.id OPERATOR(pg_catalog.=) l.organization_id
  JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) l.course_id
  JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) l.offer_id
  CROSS JOIN LATERAL (
      SELECT (pg_catalog.count(*) FILTER (WHERE x.ended_at IS NULL))::integer AS used,
             COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                 'seat_license', x.id, 'account_id', x.account_id,
                 'email', CASE WHEN h.shown THEN a.email END,
                 'firstname', CASE WHEN h.shown THEN a.firstname END,
                 'lastname', CASE WHEN h.shown THEN a.lastname END,
                 'state', enroll.license_state(x, now.at, true,
                              (l.ended_at IS NULL OR l.ended_at OPERATOR(pg_catalog.>) now.at)
                              AND now.at OPERATOR(pg_catalog.>=) l.access_from AND now.at OPERATOR(pg_catalog.<) l.access_until),
                 'ended_at', x.ended_at) ORDER BY x.id)
                 FILTER (WHERE x.id IS NOT NULL), '[]') AS holders
        FROM enroll.license x JOIN enroll.account a ON a.id OPERATOR(pg_catalog.=) x.account_id
        -- a former member's address and names are no longer the organization's
        CROSS JOIN LATERAL (SELECT (SELECT enroll.acting_as_admin()) OR EXISTS (
            SELECT FROM enroll.membership m
             WHERE m.organization_id OPERATOR(pg_catalog.=) l.organization_id
               AND m.account_id OPERATOR(pg_catalog.=) x.account_id AND m.left_at IS NULL) AS shown) h
       WHERE x.parent_license OPERATOR(pg_catalog.=) l.id) s
 WHERE l.holder_kind OPERATOR(pg_catalog.=) 'organization'
   AND (l.organization_id OPERATOR(pg_catalog.=) ANY (SELECT enroll.actor_administered_organizations())
        OR (SELECT enroll.acting_as_admin()));
COMMENT ON VIEW enroll.organization_seats IS
  'The licenses of the organizations the acting account administers (every organization for system admins): seats bought, used (live seats) and free, and the holders of every seat given from the license with the seat''s state (active, seat_withdrawn, released -- also when the holder left the organization --, superseded ...). After a renewal the live seats hang on the new license (1.2).';
COMMENT ON COLUMN enroll.organization_seats.holders IS 'A JSON array, in the order the seats were given: seat_license, account_id, email, firstname, lastname, state, ended_at for every seat ever given from this license; the address and names only while the holder is a current member of the organization (null for a former member, except to system admins).';

-- Reporting without personal data (enroll_reader): counts and sums only.
CREATE VIEW enroll.report_acceptances AS
SELECT o.id AS offer_id, o.code AS offer_code, o.course_id,
       pg_catalog.date_trunc('month', l.accepted_at, 'UTC') AS month, l.currency,
       pg_catalog.count(*) AS acceptances,
       pg_catalog.count(*) FILTER (WHERE l.end_reason::text OPERATOR(pg_catalog.=) ANY ('{cancelled,removed,revoked}'::text[])) AS withdrawn,
       COALESCE(pg_catalog.sum(l.price_paid) FILTER (WHERE l.end_reason IS NULL
                OR NOT l.end_reason::text OPERATOR(pg_catalog.=) ANY ('{cancelled,removed,revoked}'::text[])), 0) AS revenue
  FROM enroll.license l JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) l.offer_id
 WHERE l.parent_license IS NULL
 GROUP BY o.id, o.code, o.course_id, pg_catalog.date_trunc('month', l.accepted_at, 'UTC'), l.currency;
COMMENT ON VIEW enroll.report_acceptances IS
  'Acceptances and revenue per offer and calendar month (UTC): licenses obtained (persons, organizations, session participants; seats given from an organization license are not acceptances), those later revoked, cancelled or removed (withdrawn), and the price paid by the others. No personal data.';

CREATE VIEW enroll.report_active_learners AS
SELECT c.id AS course_id, c.shortname AS course,
       pg_catalog.count(DISTINCT l.account_id) FILTER (WHERE st.state OPERATOR(pg_catalog.=) 'active') AS active_learners,
       pg_catalog.count(DISTINCT l.account_id) FILTER (WHERE st.state OPERATOR(pg_catalog.=) 'not_started') AS starting_later
  FROM enroll.course c
  LEFT JOIN enroll.license l ON l.course_id OPERATOR(pg_catalog.=) c.id AND l.account_id IS NOT NULL
       AND (l.ended_at IS NULL OR l.ended_at OPERATOR(pg_catalog.>) enroll.clock_now())
  LEFT JOIN enroll.license p ON p.id OPERATOR(pg_catalog.=) l.parent_license
  LEFT JOIN LATERAL (SELECT enroll.license_state(l, enroll.clock_now(), l.registrar_org_id IS NULL OR
      EXISTS (SELECT FROM enroll.membership m WHERE m.organization_id OPERATOR(pg_catalog.=) l.registrar_org_id
                 AND m.account_id OPERATOR(pg_catalog.=) l.account_id AND m.left_at IS NULL),
      p.id IS NULL OR ((p.ended_at IS NULL OR p.ended_at OPERATOR(pg_catalog.>) enroll.clock_now())
                       AND enroll.clock_now() OPERATOR(pg_catalog.>=) p.access_from
                       AND enroll.clock_now() OPERATOR(pg_catalog.<) p.access_until)) AS state) st ON true
 GROUP BY c.id, c.shortname;
COMMENT ON VIEW enroll.report_active_learners IS
  'Per course: how many people hold a license that gives access now, and how many one that starts later (a session sold in advance). No personal data.';

CREATE VIEW enroll.report_seats AS
SELECT l.organization_id, g.name AS organization, l.course_id, c.shortname AS course, l.id AS license_id,
       l.seats, (SELECT pg_catalog.count(*) FROM enroll.license x
                  WHERE x.parent_license OPERATOR(pg_catalog.=) l.id AND x.ended_at IS NULL)::integer AS used
  FROM enroll.license l
  JOIN enroll.organization g ON g.id OPERATOR(pg_catalog.=) l.organization_id
  JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) l.course_id
 WHERE l.holder_kind OPERATOR(pg_catalog.=) 'organization' AND l.ended_at IS NULL;
COMMENT ON VIEW enroll.report_seats IS
  'Per organization and course, its current license: seats bought and used. No personal data.';

-- the window of licenses_ending and documents_due: 22004 / 22023 otherwise
CREATE FUNCTION enroll.check_window(within interval) RETURNS interval
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF within IS NULL THEN
        RAISE EXCEPTION 'within must not be null' USING ERRCODE = '22004';
    END IF;
    IF within OPERATOR(pg_catalog.<) interval '0' OR within OPERATOR(pg_catalog.>) interval '5 years' THEN
        RAISE EXCEPTION 'within must be from 0 to 5 years, not %', within USING ERRCODE = '22023',
              HINT = 'Ask for the licenses ending within the next weeks or months, e.g. interval ''30 days''.';
    END IF;
    RETURN within;
END
$fn$;
COMMENT ON FUNCTION enroll.check_window(interval) IS
  'Internal: checks the window of licenses_ending and documents_due (0 to 5 years).';

CREATE VIEW enroll.report_orders AS
SELECT p.operator_id, p.status, pg_catalog.count(*) AS orders, pg_catalog.sum(p.seats) AS seats_bought,
       pg_catalog.sum((SELECT pg_catalog.count(*) FROM enroll.course_group g
                         JOIN enroll.group_member m ON m.group_id OPERATOR(pg_catalog.=) g.id
                        WHERE g.order_id OPERATOR(pg_catalog.=) p.id AND m.removed_at IS NULL)) AS seats_used
  FROM enroll.purchase_order p
 GROUP BY p.operator_id, p.status;
COMMENT ON VIEW enroll.report_orders IS
  'Per operator (an account id, no address or name) and order status: orders, seats bought, seats taken by participants still in them. No personal data.';

-- Deadlines for the people who act on them: system admins, and the
-- administrators of a license's registrar organization (S2.18-S2.19) or of
-- the organization whose seat it is.
CREATE FUNCTION enroll.licenses_ending(within interval)
RETURNS TABLE (license_id bigint, account_id bigint, email text, firstname text, lastname text,
               course text, offer_code text, access_until timestamptz, time_left interval,
               organization_id bigint, organization text)
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.id, l.account_id, a.email, a.firstname, a.lastname, c.shortname, o.code, l.access_until,
           l.access_until OPERATOR(pg_catalog.-) enroll.clock_now(),
           COALESCE(p.organization_id, l.registrar_org_id), g.name
      FROM enroll.license l
      JOIN enroll.account a ON a.id OPERATOR(pg_catalog.=) l.account_id
      JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) l.course_id
      JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) l.offer_id
      LEFT JOIN enroll.license p ON p.id OPERATOR(pg_catalog.=) l.parent_license
      LEFT JOIN enroll.organization g ON g.id OPERATOR(pg_catalog.=) COALESCE(p.organization_id, l.registrar_org_id)
     WHERE l.ended_at IS NULL
       AND l.access_from OPERATOR(pg_catalog.<=) enroll.clock_now()
       AND l.access_until OPERATOR(pg_catalog.>) enroll.clock_now()
       AND l.access_until OPERATOR(pg_catalog.<=) (enroll.clock_now() OPERATOR(pg_catalog.+) enroll.check_window(within))
       AND (enroll.acting_as_admin()
            OR (COALESCE(p.organization_id, l.registrar_org_id) OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT enroll.actor_administered_organizations()))
                AND EXISTS (SELECT FROM enroll.membership m
                             WHERE m.organization_id OPERATOR(pg_catalog.=) COALESCE(p.organization_id, l.registrar_org_id)
                               AND m.account_id OPERATOR(pg_catalog.=) l.account_id AND m.left_at IS NULL)))
     ORDER BY l.access_until, l.id;
END;
COMMENT ON FUNCTION enroll.licenses_ending(interval) IS
  'Person licenses giving access now that end within the interval (0 to 5 years), soonest first: all of them for system admins; for an organization administrator, the seats of its organization and the licenses it registers (S2.16), of its current members only. The holder''s address and names, for a reminder.';

CREATE FUNCTION enroll.documents_due(within interval)
RETURNS TABLE (license_id bigint, account_id bigint, email text, firstname text, lastname text,
               course text, offer_code text, documents_due_at timestamptz, overdue boolean,
               organization_id bigint, organization text)
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.id, l.account_id, a.email, a.firstname, a.lastname, c.shortname, o.code, l.documents_due_at,
           l.documents_due_at OPERATOR(pg_catalog.<=) enroll.clock_now(),
           l.registrar_org_id, g.name
      FROM enroll.license l
      JOIN enroll.account a ON a.id OPERATOR(pg_catalog.=) l.account_id
      JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) l.course_id
      JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) l.offer_id
      LEFT JOIN enroll.organization g ON g.id OPERATOR(pg_catalog.=) l.registrar_org_id
     WHERE l.ended_at IS NULL AND l.documents_due_at IS NOT NULL AND l.documents_validated_at IS NULL
       AND l.access_until OPERATOR(pg_catalog.>) enroll.clock_now()
       AND l.documents_due_at OPERATOR(pg_catalog.<=) (enroll.clock_now() OPERATOR(pg_catalog.+) enroll.check_window(within))
       AND (enroll.acting_as_admin()
            OR (l.registrar_org_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT enroll.actor_administered_organizations()))
                AND EXISTS (SELECT FROM enroll.membership m
                             WHERE m.organization_id OPERATOR(pg_catalog.=) l.registrar_org_id
                               AND m.account_id OPERATOR(pg_catalog.=) l.account_id AND m.left_at IS NULL)))
     ORDER BY l.documents_due_at, l.id;
END;
COMMENT ON FUNCTION enroll.documents_due(interval) IS
  'Licenses whose justification documents (S2.18) are still to be validated and due within the interval (0 to 5 years), overdue ones included and marked: all for system admins; for an organization administrator, those its organization registers (it validates them, S2.19), of its current members only.';


REVOKE ALL ON enroll.account_profile, enroll.order_participants, enroll.my_licenses, enroll.organization_seats,
    enroll.report_acceptances, enroll.report_active_learners, enroll.report_seats, enroll.report_orders FROM PUBLIC;
GRANT SELECT ON enroll.account_profile, enroll.order_participants, enroll.my_licenses, enroll.organization_seats
    TO enroll_admin, enroll_app, enroll_reader;
-- the reporting views are for reporting: readers and admins, not applications
REVOKE ALL ON enroll.report_acceptances, enroll.report_active_learners, enroll.report_seats, enroll.report_orders
    FROM enroll_app;
GRANT SELECT ON enroll.report_acceptances, enroll.report_active_learners, enroll.report_seats, enroll.report_orders
    TO enroll_admin, enroll_reader;
REVOKE EXECUTE ON FUNCTION enroll.license_state(enroll.license, timestamptz, boolean, boolean), enroll.check_window(interval),
    enroll.licenses_ending(interval), enroll.documents_due(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.license_state(enroll.license, timestamptz, boolean, boolean),
    enroll.licenses_ending(interval), enroll.documents_due(interval) TO enroll_admin, enroll_app, enroll_reader;
-- @@views-end@@

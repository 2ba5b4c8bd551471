-- pgbench script (scripts/bench, information row): the writes of
-- accept_offer done by hand in pg_enroll's own tables, as a DBA would: lock
-- the account, end the current license naming its successor, insert the new
-- one from the offer, one audit event.  Beside accept_by_hand.sql (the same
-- in look-alike tables) it splits the gap into what pg_enroll's tables cost
-- (CHECK, indexes, the event's digest and NOTIFY) and what its code costs
-- (the checks of the rules, the lock order).  Variables (-D): ncur,
-- pcourses, courses.
\set a random(1, :ncur)
\set i (:a - 1) % :pcourses
\set c :i + :i / 9 + 1
\set o :c + :courses * random(0, 4)
BEGIN;
SELECT FROM enroll.account WHERE id = :a FOR NO KEY UPDATE;
UPDATE enroll.license SET ended_at = now(), end_reason = 'superseded', superseded_by = nextval('enroll.license_id_seq')
 WHERE account_id = :a AND course_id = :c AND ended_at IS NULL
RETURNING superseded_by AS new_id
\gset
INSERT INTO enroll.license (id, offer_id, course_id, holder_kind, account_id, accepted_by, accepted_via, accepted_at,
                            price_paid, currency, access_from, access_until)
    SELECT :new_id::bigint, o.id, o.course_id, 'person', :a::bigint, :a::bigint, 'self', now(), o.price, o.currency,
           now(), now() + o.access_period
      FROM enroll.offer o WHERE o.id = :o;
INSERT INTO enroll.event (at, account_id, db_role, what, table_name, row_id, subject_account, details)
    VALUES (now(), :a, current_user, 'license.accept', 'license', :new_id, :a, jsonb_build_object('offer', :o::bigint));
COMMIT;

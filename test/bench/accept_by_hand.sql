-- pgbench script (scripts/bench): the baseline of accept_offer, by hand in
-- the look-alike tables: lock the account, end the current license (naming
-- its successor), insert the new one from the offer, one audit row.
-- Variables (-D): ncur, pcourses, courses.
\set a random(1, :ncur)
\set i (:a - 1) % :pcourses
\set c :i + :i / 9 + 1
\set o :c + :courses * random(0, 4)
BEGIN;
SELECT FROM base.account WHERE id = :a FOR NO KEY UPDATE;
UPDATE base.license SET ended_at = now(), end_reason = 'superseded', superseded_by = nextval('base.license_id_seq')
 WHERE account_id = :a AND course_id = :c AND ended_at IS NULL
RETURNING superseded_by AS new_id
\gset
INSERT INTO base.license (id, offer_id, course_id, account_id, accepted_by, accepted_via, accepted_at,
                          price_paid, currency, access_from, access_until)
    SELECT :new_id::bigint, o.id, o.course_id, :a::bigint, :a::bigint, 'self', now(), o.price, o.currency, now(), now() + o.access_period
      FROM base.offer o WHERE o.id = :o;
INSERT INTO base.audit (actor, what, row_id, subject, details)
    VALUES (:a, 'license.accept', :new_id, :a, jsonb_build_object('offer', :o::bigint));
COMMIT;

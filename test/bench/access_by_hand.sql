-- pgbench script (scripts/bench), shown for information: what a user would
-- write by hand to answer "may this account use this course now?" on the
-- look-alike tables: the current license in its window (the partial unique
-- index), without the documents, registrar and seat rules can_access adds.
-- Variables (-D): ncur, pcourses.
\set a random(1, :ncur)
\set i (:a - 1) % :pcourses
SELECT EXISTS (SELECT FROM base.license l
                WHERE l.account_id = :a AND l.course_id = :i + :i / 9 + 1 AND l.ended_at IS NULL
                  AND l.access_from <= now() AND l.access_until > now());

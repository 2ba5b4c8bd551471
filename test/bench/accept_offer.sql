-- pgbench script (scripts/bench): a learner accepts a public free offer of
-- the course they hold a license for: the current license is superseded
-- (S2.23).  Variables (-D): ncur, pcourses, courses.
\set a random(1, :ncur)
\set i (:a - 1) % :pcourses
\set o :i + :i / 9 + 1 + :courses * random(0, 4)
BEGIN;
SELECT enroll.act_as(:a);
SELECT outcome FROM enroll.accept_offer(:o);
COMMIT;

-- pgbench script (scripts/bench): the access check an application makes on
-- every page view, for an account holding a license and its course.
-- Variables (-D): ncur, pcourses (test/bench/data.sql's shape).
\set a random(1, :ncur)
\set i (:a - 1) % :pcourses
SELECT enroll.can_access(:a, :i + :i / 9 + 1);

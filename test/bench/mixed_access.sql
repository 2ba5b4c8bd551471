-- pgbench script of the mixed load (scripts/bench), 70 %: the access check
-- of a page view, any account of the population (a fifth hold no license
-- of the course: no_license) and its course.  Variables (-D): accounts,
-- pcourses.
\set a random(1, :accounts)
\set i (:a - 1) % :pcourses
SELECT enroll.can_access(:a, :i + :i / 9 + 1);

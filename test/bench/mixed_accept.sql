-- pgbench script of the mixed load (scripts/bench), 10 %: a learner accepts
-- a public free offer of their course, superseding their license (S2.23).
-- No refusal is expected: any error aborts the client and counts.
-- Variables (-D): ncur, pcourses, courses.
\set a random(1, :ncur)
\set i (:a - 1) % :pcourses
\set o :i + :i / 9 + 1 + :courses * random(0, 4)
BEGIN;
SELECT enroll.act_as(:a);
SELECT outcome FROM enroll.accept_offer(:o);
COMMIT;

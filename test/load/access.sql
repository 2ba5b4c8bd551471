-- pgbench script of test/t/013_load.pl: the check an application makes on
-- every page view, for a random learner and course (the bulk of the load).
-- Variables: learner0, course0 (-D).
\set acct :learner0 + random(0, 499)
\set course :course0 + random(0, 4)
SELECT enroll.can_access(:acct, :course);
SELECT enroll.access_status(:acct, :course);

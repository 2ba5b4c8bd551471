-- pgbench script of test/t/013_load.pl: a learner accepts an offer (S2.5,
-- S2.23).  Learners are skewed towards the first ids, so that the same
-- learner accepts again and again (superseding) and concurrently.  PE002
-- while the offer is closed.  Variables: learner0, offer0 (-D).
\set learner :learner0 + random_exponential(0, 499, 3.0)
\set offer :offer0 + random(0, 9)
BEGIN;
SELECT enroll.act_as(:learner);
SELECT public.load_try('accept', 'SELECT ''ok'' FROM enroll.accept_offer(' || :offer || ')');
COMMIT;

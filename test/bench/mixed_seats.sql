-- pgbench script of the mixed load (scripts/bench), 4 %: an organization's
-- admin gives a member a seat of the organization's license, or takes it
-- back (bench.seat).  Variables (-D): orgs, courses, members (per
-- organization).
\set g random(1, :orgs)
\set m 20 * (:g + :orgs * random(1, :members - 1))
\set c 10 * (((:g - 1) % (:courses / 10)) + 1)
BEGIN;
SELECT enroll.act_as(20 * :g);
SELECT bench.seat(:g, :c, :m);
COMMIT;

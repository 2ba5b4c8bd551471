-- pgbench script of the mixed load (scripts/bench), 1 %: the shop's operator
-- orders a session for five participants, two of them known (bench.order).
-- Variables (-D): operator.
\set r random(1, 1000000000)
BEGIN;
SELECT enroll.act_as(:operator);
SELECT bench.order(:client_id, :r);
COMMIT;

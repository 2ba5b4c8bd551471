-- psql script (scripts/bench, timed from before BEGIN to after COMMIT): a
-- system administrator (the superuser running the benchmark) cancels an
-- order.  Variables: order_ref, operator.
BEGIN;
SELECT enroll.cancel_order(:'order_ref', 'bench', :operator) -> 'participants';
COMMIT;

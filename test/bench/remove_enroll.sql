-- psql script (scripts/bench, timed from before BEGIN to after COMMIT): the
-- operator takes one participant out of an order (remove_participant).
-- Variables: order_ref, account, operator.
BEGIN;
SELECT enroll.act_as(:operator);
SELECT enroll.remove_participant(:'order_ref', :account, 'bench', :operator) ->> 'status';
COMMIT;

-- psql script (scripts/bench, timed from before BEGIN to after COMMIT): one
-- setup_course_session of the operator for the participant list :label
-- (bench.people), :n seats.  Variables: order_ref, label, n, offer, operator.
BEGIN;
SELECT enroll.act_as(:operator);
SELECT enroll.setup_course_session(:'order_ref', :offer, :operator, :n,
                                   (SELECT people FROM bench.people WHERE label = :'label')) -> 'seats';
COMMIT;

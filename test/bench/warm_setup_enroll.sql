-- scripts/bench, before the memory of a setup is sampled: the backend is
-- warmed up by a dry run of a one-participant order (the library loaded, its
-- plans prepared, the catalogue cached, as in an application's connection
-- that has set up sessions before), rolled back.  Variables: offer, operator.
BEGIN;
SELECT enroll.act_as(:operator);
SELECT enroll.setup_course_session('BENCH-WARM-UP', :offer, :operator, 1,
                                   '[{"email": "warm-up@bench.example"}]', dry_run => true) IS NOT NULL AS warm \gset
ROLLBACK;

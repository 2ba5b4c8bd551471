-- Data for the session benchmark: the S1.8 course, its support course, the
-- session offer (free, so that the operator needs no billing profile) and
-- the operator.  Windows relative to now(), so the offer is active.
SELECT id AS course FROM enroll.create_course('SPOCM1', 'SPOC Moodle appropriation, 5 weeks') \gset
SELECT id AS support FROM enroll.create_course('SPOCM1-SUPPORT', 'SPOC customer support') \gset
SELECT enroll.create_offer('SPOCM1', 'SPOC Moodle appropriation, 5 weeks', :course, 0, 'EUR',
                           now() - interval '1 day', now() + interval '1 year', '60 days',
                           handler_params => format('coursename=SPOCM1&customersupport=SPOCM1-SUPPORT&starttime=%s&endtime=%s',
                                                    extract(epoch FROM date_trunc('day', now()) + interval '7 days')::bigint,
                                                    extract(epoch FROM date_trunc('day', now()) + interval '42 days')::bigint));
SELECT enroll.register_account('operator@bench.example', 'Olga', 'Operator');
-- the participant lists, built before anything is timed: one per run and kind
-- (setup or replay), N people, the first one the tutor
CREATE TABLE public.bench_people (label text PRIMARY KEY, people jsonb NOT NULL);
VACUUM ANALYZE;

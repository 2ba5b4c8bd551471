-- Data for the access benchmark: :licenses accounts, 100 courses, one offer
-- per course, one current license per account; every third license names a
-- registrar organization the holder belongs to (one extra probe), every
-- fifth has validated documents (no extra probe, one more column read).
-- Windows are relative to now(), so every license is active when measured.
INSERT INTO enroll.organization_type (id, code, name) VALUES (1, 'school', 'School');
INSERT INTO enroll.organization (id, type_id, name) SELECT g, 1, 'School ' || g FROM generate_series(1, 100) g;
INSERT INTO enroll.course (id, shortname, fullname) SELECT g, 'C' || g, 'Course ' || g FROM generate_series(1, 100) g;
INSERT INTO enroll.offer (id, code, title, course_id, price, currency, valid_from, valid_until, access_period, documents_grace)
    SELECT g, 'O' || g, 'Offer ' || g, g, 0, 'EUR', now() - interval '1 year', now() + interval '1 year', '365 days', '30 days' FROM generate_series(1, 100) g;
INSERT INTO enroll.account (id, email) SELECT g, 'user' || g || '@example.org' FROM generate_series(1, :licenses) g;
INSERT INTO enroll.membership (account_id, organization_id, joined_at)
    SELECT g, (g % 100) + 1, now() - interval '60 days' FROM generate_series(1, :licenses) g WHERE g % 3 = 0;
INSERT INTO enroll.license (id, offer_id, course_id, holder_kind, account_id, accepted_via, accepted_at,
                            registrar_org_id, price_paid, currency, access_from, access_until,
                            documents_due_at, documents_validated_at)
    SELECT g, (g % 100) + 1, (g % 100) + 1, 'person', g, 'self', now() - interval '40 days',
           CASE WHEN g % 3 = 0 THEN (g % 100) + 1 END, 0, 'EUR', now() - interval '40 days', now() + interval '325 days',
           CASE WHEN g % 5 = 0 THEN now() - interval '10 days' END, CASE WHEN g % 5 = 0 THEN now() - interval '20 days' END
      FROM generate_series(1, :licenses) g;
VACUUM ANALYZE;

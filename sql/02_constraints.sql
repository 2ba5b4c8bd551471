-- 02_constraints: every structural rule, violated once by a DBA writing rows
-- by hand, with the error it must raise.  The rules hold without any function.
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
SET enroll.clock = '2026-01-10 09:00:00+00';
-- rows below carry small explicit ids; generated ids start above them
SELECT count(pg_catalog.setval(c.oid, 1000)) AS sequences_moved
  FROM pg_class c WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind = 'S';

INSERT INTO enroll.organization_type (id, code, name) VALUES (1, 'school', 'School'), (2, 'non_profit', 'Non-profit');
INSERT INTO enroll.organization (id, type_id, name) VALUES (1, 1, 'Lycée Condorcet'), (2, 2, 'Maths for All');
INSERT INTO enroll.account (id, email, firstname, lastname) VALUES
    (1, 'alice@example.org', 'Alice', 'Martin'),
    (2, 'bob@example.org', 'Bob', 'Durand');
INSERT INTO enroll.course (id, shortname, fullname) VALUES
    (1, 'SPOCM1', 'SPOC Moodle appropriation, 5 weeks'),
    (2, 'MATHS', 'Maths exam preparation');

-- S1.5: one account per address, case- and space-insensitively
INSERT INTO enroll.account (email) VALUES ('ALICE@Example.ORG');
INSERT INTO enroll.account (email) VALUES (' alice@example.org');
INSERT INTO enroll.account (email) VALUES ('no-at-sign');

-- organization type is required; types unique by code
INSERT INTO enroll.organization (type_id, name) VALUES (NULL, 'Nowhere');
INSERT INTO enroll.organization_type (code, name) VALUES ('school', 'Another school type');

-- one current membership per (account, organization); history may repeat
INSERT INTO enroll.membership (account_id, organization_id, joined_at, left_at)
    VALUES (1, 1, '2025-09-01', '2025-12-01');
INSERT INTO enroll.membership (account_id, organization_id) VALUES (1, 1);
INSERT INTO enroll.membership (account_id, organization_id) VALUES (1, 1);
INSERT INTO enroll.membership (account_id, organization_id, joined_at, left_at)
    VALUES (2, 1, '2026-01-01', '2025-01-01');

-- courses by unique short name (S1.2)
INSERT INTO enroll.course (shortname, fullname) VALUES ('SPOCM1', 'Duplicate');

-- S2.2/S2.3: price and window required, window not empty, currency ISO 4217
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period)
    VALUES ('NOPRICE', 'No price', 1, NULL, 'EUR', '2026-01-01', '2026-12-31', '30 days');
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period)
    VALUES ('NOEND', 'No end', 1, 0, 'EUR', '2026-01-01', NULL, '30 days');
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period)
    VALUES ('BACKWARDS', 'Backwards', 1, 0, 'EUR', '2026-12-31', '2026-01-01', '30 days');
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period)
    VALUES ('EMPTY', 'Empty window', 1, 0, 'EUR', '2026-01-01', '2026-01-01', '30 days');
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period, required_level)
    VALUES ('NEG', 'Negative', 1, -1, 'EUR', '2026-01-01', '2026-12-31', '30 days', 'billing');
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period)
    VALUES ('CUR', 'Currency', 1, 0, 'eur', '2026-01-01', '2026-12-31', '30 days');
-- S2.11: a paid offer needs the billing profile level
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period)
    VALUES ('PAIDDEFAULT', 'Paid at default level', 1, 10, 'EUR', '2026-01-01', '2026-12-31', '35 days');
-- seats belong to organization offers, and organization offers have seats
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period, recipient_kind)
    VALUES ('ORGNOSEATS', 'Org without seats', 1, 0, 'EUR', '2026-01-01', '2026-12-31', '30 days', 'organization');
INSERT INTO enroll.offer (code, title, course_id, price, currency, valid_from, valid_until, access_period, seats)
    VALUES ('PERSONSEATS', 'Person with seats', 1, 0, 'EUR', '2026-01-01', '2026-12-31', '30 days', 5);
-- valid offers
INSERT INTO enroll.offer (id, code, title, course_id, price, currency, valid_from, valid_until, access_period, required_level)
    VALUES (1, 'SPOCM1', 'SPOC Moodle appropriation, 5 weeks', 1, 10.00, 'EUR', '2026-01-01', '2026-12-31', '35 days', 'billing');
INSERT INTO enroll.offer (id, code, title, course_id, price, currency, valid_from, valid_until, access_period, visibility)
    VALUES (2, 'PRIV-P', 'Private, for persons', 2, 0, 'EUR', '2026-01-01', '2026-12-31', '30 days', 'private');
INSERT INTO enroll.offer (id, code, title, course_id, price, currency, valid_from, valid_until, access_period, visibility, recipient_kind, seats)
    VALUES (3, 'PRIV-O', 'Private, for organizations', 2, 0, 'EUR', '2026-01-01', '2026-12-31', '30 days', 'private', 'organization', 10);

-- S2.7: addressees of a private offer are all of the offer's kind, account XOR organization
INSERT INTO enroll.offer_recipient (offer_id, recipient_kind, account_id) VALUES (2, 'person', 1);
INSERT INTO enroll.offer_recipient (offer_id, recipient_kind, organization_id) VALUES (3, 'organization', 1);
INSERT INTO enroll.offer_recipient (offer_id, recipient_kind, organization_id) VALUES (2, 'organization', 1);
INSERT INTO enroll.offer_recipient (offer_id, recipient_kind, account_id) VALUES (3, 'person', 2);
INSERT INTO enroll.offer_recipient (offer_id, recipient_kind, account_id, organization_id) VALUES (2, 'person', 2, 1);
INSERT INTO enroll.offer_recipient (offer_id, recipient_kind, account_id) VALUES (2, 'person', 1);
-- a public offer has no addressees
INSERT INTO enroll.offer_recipient (offer_id, recipient_kind, account_id) VALUES (1, 'person', 2);
-- an offer with addressees cannot change kind or become public under them
UPDATE enroll.offer SET recipient_kind = 'organization', seats = 3 WHERE id = 2;
UPDATE enroll.offer SET visibility = 'public' WHERE id = 2;

-- licenses: account XOR organization, course of the offer, one current per holder and course (S2.23)
INSERT INTO enroll.license (id, offer_id, course_id, holder_kind, account_id, accepted_via, price_paid, currency, access_from, access_until)
    VALUES (1, 1, 1, 'person', 1, 'self', 10, 'EUR', '2026-01-10', '2026-02-14');
INSERT INTO enroll.license (offer_id, course_id, holder_kind, account_id, accepted_via, price_paid, currency, access_from, access_until)
    VALUES (1, 1, 'person', 1, 'self', 10, 'EUR', '2026-01-11', '2026-02-15');
INSERT INTO enroll.license (offer_id, course_id, holder_kind, account_id, organization_id, accepted_via, price_paid, currency, access_from, access_until)
    VALUES (1, 1, 'person', 2, 1, 'self', 10, 'EUR', '2026-01-10', '2026-02-14');
INSERT INTO enroll.license (offer_id, course_id, holder_kind, account_id, accepted_via, price_paid, currency, access_from, access_until)
    VALUES (1, 2, 'person', 2, 'self', 10, 'EUR', '2026-01-10', '2026-02-14');
INSERT INTO enroll.license (offer_id, course_id, holder_kind, organization_id, accepted_via, price_paid, currency, access_from, access_until)
    VALUES (3, 2, 'organization', 1, 'org_admin', 0, 'EUR', '2026-01-10', '2026-02-09');
INSERT INTO enroll.license (offer_id, course_id, holder_kind, organization_id, registrar_org_id, seats, accepted_via, price_paid, currency, access_from, access_until)
    VALUES (3, 2, 'organization', 1, 1, 10, 'org_admin', 0, 'EUR', '2026-01-10', '2026-02-09');
INSERT INTO enroll.license (offer_id, course_id, holder_kind, account_id, accepted_via, price_paid, currency, access_from, access_until, ended_at)
    VALUES (1, 1, 'person', 2, 'self', 10, 'EUR', '2026-01-10', '2026-02-14', '2026-01-11');
INSERT INTO enroll.license (offer_id, course_id, holder_kind, account_id, accepted_via, price_paid, currency, access_from, access_until)
    VALUES (1, 1, 'person', 2, 'self', 10, 'EUR', '2026-02-14', '2026-01-10');
-- ending the current license makes room for the next one; a superseded one names its successor
INSERT INTO enroll.license (id, offer_id, course_id, holder_kind, account_id, accepted_via, price_paid, currency, access_from, access_until)
    VALUES (2, 1, 1, 'person', 1, 'self', 10, 'EUR', '2026-01-10', '2026-02-14');
BEGIN;
UPDATE enroll.license SET ended_at = '2026-01-10', end_reason = 'superseded' WHERE id = 1;
ROLLBACK;
BEGIN;
UPDATE enroll.license SET ended_at = '2026-01-10', end_reason = 'revoked' WHERE id = 1;
INSERT INTO enroll.license (id, offer_id, course_id, holder_kind, account_id, accepted_via, price_paid, currency, access_from, access_until)
    VALUES (2, 1, 1, 'person', 1, 'self', 10, 'EUR', '2026-01-10', '2026-02-14');
SELECT id, ended_at, end_reason FROM enroll.license ORDER BY id;
ROLLBACK;
-- an organization license: seats; a seat is a person license of the same course
INSERT INTO enroll.license (id, offer_id, course_id, holder_kind, organization_id, seats, accepted_via, price_paid, currency, access_from, access_until)
    VALUES (10, 3, 2, 'organization', 1, 10, 'org_admin', 0, 'EUR', '2026-01-10', '2026-02-09');
INSERT INTO enroll.license (offer_id, course_id, holder_kind, organization_id, seats, accepted_via, price_paid, currency, access_from, access_until)
    VALUES (3, 2, 'organization', 1, 10, 'org_admin', 0, 'EUR', '2026-01-10', '2026-02-09');
INSERT INTO enroll.license (offer_id, course_id, holder_kind, organization_id, seats, parent_license, accepted_via, price_paid, currency, access_from, access_until)
    VALUES (3, 2, 'organization', 2, 1, 10, 'org_admin', 0, 'EUR', '2026-01-10', '2026-02-09');
INSERT INTO enroll.license (offer_id, course_id, holder_kind, account_id, parent_license, accepted_via, price_paid, currency, access_from, access_until)
    VALUES (1, 1, 'person', 2, 10, 'org_admin', 0, 'EUR', '2026-01-10', '2026-02-09');
INSERT INTO enroll.license (id, offer_id, course_id, holder_kind, account_id, parent_license, accepted_via, price_paid, currency, access_from, access_until)
    VALUES (11, 3, 2, 'person', 2, 10, 'org_admin', 0, 'EUR', '2026-01-10', '2026-02-09');
-- all fifteen row rules of a license live in one CHECK (license_rules, 1.2):
-- each broken rule is reported under its own name, in the error's
-- constraint field too, and a rule that SQL would read as NULL holds
CREATE FUNCTION pg_temp.rule_broken(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; con text;
BEGIN
    EXECUTE stmt;
    RETURN 'holds';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, con = CONSTRAINT_NAME;
    RETURN st || ' ' || con;
END $$;
SELECT rule, pg_temp.rule_broken(stmt) AS outcome FROM (VALUES
    ('license_access_window', $$UPDATE enroll.license SET access_until = access_from WHERE id = 1$$),
    ('license_currency_iso4217', $$UPDATE enroll.license SET currency = 'Eur' WHERE id = 1$$),
    ('license_currency_iso4217', $$UPDATE enroll.license SET currency = 'EURO' WHERE id = 1$$),
    ('license_end_has_reason', $$UPDATE enroll.license SET end_reason = 'revoked' WHERE id = 1$$),
    ('license_end_note_length', $$UPDATE enroll.license SET end_note = repeat('é', 2001) WHERE id = 1$$),
    ('  2000 characters hold', $$UPDATE enroll.license SET end_note = repeat('é', 2000) WHERE id = 1$$),
    ('license_one_holder', $$UPDATE enroll.license SET account_id = NULL WHERE id = 1$$),
    ('license_one_holder', $$UPDATE enroll.license SET account_id = 2 WHERE id = 10$$),
    ('license_order_ref_length', $$UPDATE enroll.license SET order_ref = repeat('é', 101) WHERE id = 1$$),
    ('license_price_not_nan', $$UPDATE enroll.license SET price_paid = 'NaN' WHERE id = 1$$),
    ('license_price_not_negative', $$UPDATE enroll.license SET price_paid = -0.01 WHERE id = 1$$),
    ('license_registrar_not_holder', $$UPDATE enroll.license SET registrar_org_id = 1 WHERE id = 10$$),
    ('license_seat_held_by_person', $$UPDATE enroll.license SET holder_kind = 'organization', organization_id = 2, account_id = NULL, seats = 1 WHERE id = 11$$),
    ('license_seats_bounded', $$UPDATE enroll.license SET seats = 100001 WHERE id = 10$$),
    ('  100000 seats hold', $$UPDATE enroll.license SET seats = 100000 WHERE id = 10$$),
    ('license_seats_for_organizations', $$UPDATE enroll.license SET seats = 1 WHERE id = 1$$),
    ('license_seats_positive', $$UPDATE enroll.license SET seats = 0 WHERE id = 10$$),
    ('license_superseded_has_successor', $$UPDATE enroll.license SET superseded_by = 11, ended_at = now(), end_reason = 'revoked' WHERE id = 1$$),
    ('license_validation_has_due', $$UPDATE enroll.license SET documents_validated_at = now() WHERE id = 1$$),
    -- two rules broken at once: the first by name is reported, as PostgreSQL did
    ('license_access_window first', $$UPDATE enroll.license SET access_until = access_from, currency = 'eur' WHERE id = 1$$)
) v(rule, stmt);
-- the rules find their columns by name, for each version of the row type:
-- a column added moves nothing; a column named currency that is not the
-- one it was is the one checked
BEGIN;
ALTER TABLE enroll.license ADD COLUMN local_note text;
SELECT pg_temp.rule_broken($$UPDATE enroll.license SET currency = 'Eur', local_note = 'x' WHERE id = 1$$) AS after_a_new_column,
       pg_temp.rule_broken($$UPDATE enroll.license SET local_note = 'x' WHERE id = 1$$) AS a_good_row;
ALTER TABLE enroll.license RENAME COLUMN currency TO currency_before;
ALTER TABLE enroll.license ADD COLUMN currency text;
SELECT pg_temp.rule_broken($$UPDATE enroll.license SET currency_before = 'Eur' WHERE id = 1$$) AS former_column,
       pg_temp.rule_broken($$UPDATE enroll.license SET currency = 'Eur' WHERE id = 1$$) AS new_column;
ROLLBACK;
-- the function against the fifteen SQL expressions it replaces, over 4,000
-- rows of random values and NULLs: the same first broken rule, or none
CREATE FUNCTION pg_temp.rules_say(hk enroll.holder_kind, acc bigint, org bigint, reg bigint, price numeric, cur text,
        afrom timestamptz, auntil timestamptz, due timestamptz, validated timestamptz, seats integer, parent bigint,
        ended timestamptz, reason enroll.license_end_reason, note text, succ bigint, ref text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE con text; l enroll.license;
BEGIN
    l.holder_kind := hk; l.account_id := acc; l.organization_id := org; l.registrar_org_id := reg;
    l.price_paid := price; l.currency := cur; l.access_from := afrom; l.access_until := auntil;
    l.documents_due_at := due; l.documents_validated_at := validated; l.seats := seats;
    l.parent_license := parent; l.ended_at := ended; l.end_reason := reason; l.end_note := note;
    l.superseded_by := succ; l.order_ref := ref;
    PERFORM enroll.license_rules(l);
    RETURN 'holds';
EXCEPTION WHEN check_violation THEN
    GET STACKED DIAGNOSTICS con = CONSTRAINT_NAME;
    RETURN con;
END $$;
SELECT setseed(0.15);
WITH r AS (
    SELECT (ARRAY['person', 'organization', NULL])[1 + floor(random() * 3)]::enroll.holder_kind AS hk,
           (ARRAY[1, 2, NULL])[1 + floor(random() * 3)]::bigint AS acc,
           (ARRAY[1, 2, NULL])[1 + floor(random() * 3)]::bigint AS org,
           (ARRAY[1, 2, NULL])[1 + floor(random() * 3)]::bigint AS reg,
           (ARRAY[0, 10.5, -0.01, 'NaN', NULL])[1 + floor(random() * 5)]::numeric AS price,
           (ARRAY['EUR', 'eur', 'EURO', 'E1R', '', NULL])[1 + floor(random() * 6)] AS cur,
           (ARRAY[timestamptz '2026-01-01', '2026-02-01', NULL])[1 + floor(random() * 3)] AS afrom,
           (ARRAY[timestamptz '2026-01-01', '2026-02-01', NULL])[1 + floor(random() * 3)] AS auntil,
           (ARRAY[timestamptz '2026-01-15', NULL])[1 + floor(random() * 2)] AS due,
           (ARRAY[timestamptz '2026-01-16', NULL])[1 + floor(random() * 2)] AS validated,
           (ARRAY[0, 1, 100000, 100001, -5, NULL])[1 + floor(random() * 6)]::integer AS seats,
           (ARRAY[7, NULL])[1 + floor(random() * 2)]::bigint AS parent,
           (ARRAY[timestamptz '2026-01-20', NULL])[1 + floor(random() * 2)] AS ended,
           (ARRAY['superseded', 'revoked', NULL])[1 + floor(random() * 3)]::enroll.license_end_reason AS reason,
           (ARRAY[repeat('é', 2000), repeat('é', 2001), NULL])[1 + floor(random() * 3)] AS note,
           (ARRAY[9, NULL])[1 + floor(random() * 2)]::bigint AS succ,
           (ARRAY[repeat('o', 200), repeat('é', 101), NULL])[1 + floor(random() * 3)] AS ref
      FROM generate_series(1, 4000)
), judged AS (
    SELECT CASE
        WHEN NOT (auntil > afrom) THEN 'license_access_window'
        WHEN NOT (cur ~ '^[A-Z]{3}$') THEN 'license_currency_iso4217'
        WHEN NOT ((ended IS NULL) = (reason IS NULL)) THEN 'license_end_has_reason'
        WHEN NOT (length(note) <= 2000) THEN 'license_end_note_length'
        WHEN NOT ((hk = 'person' AND acc IS NOT NULL AND org IS NULL) OR
                  (hk = 'organization' AND org IS NOT NULL AND acc IS NULL)) THEN 'license_one_holder'
        WHEN NOT (octet_length(ref) <= 200) THEN 'license_order_ref_length'
        WHEN NOT (price <> 'NaN') THEN 'license_price_not_nan'
        WHEN NOT (price >= 0) THEN 'license_price_not_negative'
        WHEN NOT (reg <> org) THEN 'license_registrar_not_holder'
        WHEN NOT (parent IS NULL OR hk = 'person') THEN 'license_seat_held_by_person'
        WHEN NOT (seats <= 100000) THEN 'license_seats_bounded'
        WHEN NOT ((hk = 'organization') = (seats IS NOT NULL)) THEN 'license_seats_for_organizations'
        WHEN NOT (seats > 0) THEN 'license_seats_positive'
        WHEN NOT ((reason = 'superseded') = (succ IS NOT NULL)) THEN 'license_superseded_has_successor'
        WHEN NOT (validated IS NULL OR due IS NOT NULL) THEN 'license_validation_has_due'
        ELSE 'holds' END AS sql_says,
        pg_temp.rules_say(hk, acc, org, reg, price, cur, afrom, auntil, due, validated, seats, parent,
                          ended, reason, note, succ, ref) AS c_says
      FROM r
)
SELECT count(*) AS rows, count(*) FILTER (WHERE sql_says = c_says) AS agree,
       count(DISTINCT sql_says) AS outcomes_seen
  FROM judged;

-- groups: one per (course, order reference) (S1.4); enrollments: one per (course, account)
INSERT INTO enroll.course_group (id, course_id, idnumber, name) VALUES (1, 1, 'PO-1', 'Order PO-1');
INSERT INTO enroll.course_group (course_id, idnumber, name) VALUES (1, 'PO-1', 'Again');
INSERT INTO enroll.course_group (course_id, idnumber, name) VALUES (2, 'PO-1', 'Same reference, other course');
INSERT INTO enroll.enrollment (course_id, account_id, role_id, group_id, license_id) VALUES (1, 1, 1, 1, 1);
INSERT INTO enroll.enrollment (course_id, account_id, role_id) VALUES (1, 1, 2);
-- the group and the license of an enrollment belong to its course
INSERT INTO enroll.enrollment (course_id, account_id, role_id, group_id) VALUES (2, 2, 1, 1);
INSERT INTO enroll.enrollment (course_id, account_id, role_id, license_id) VALUES (2, 2, 1, 1);
INSERT INTO enroll.enrollment (course_id, account_id, role_id, time_start, time_end) VALUES (2, 2, 1, '2026-02-01', '2026-01-01');

-- role assignments: unique per (role, account, context); system has no context id
INSERT INTO enroll.role_assignment (role_id, account_id, context_level, context_id) VALUES (3, 1, 'user', 2);
INSERT INTO enroll.role_assignment (role_id, account_id, context_level, context_id) VALUES (3, 1, 'user', 2);
INSERT INTO enroll.role_assignment (role_id, account_id, context_level, context_id) VALUES (3, 1, 'system', NULL);
INSERT INTO enroll.role_assignment (role_id, account_id, context_level, context_id) VALUES (3, 1, 'system', NULL);
INSERT INTO enroll.role_assignment (role_id, account_id, context_level, context_id) VALUES (3, 1, 'course', NULL);

-- purchase orders: unique reference, positive seats
INSERT INTO enroll.purchase_order (order_ref, operator_id, offer_id, seats, request) VALUES ('PO-1', 1, 1, 4, '{}');
INSERT INTO enroll.purchase_order (order_ref, operator_id, offer_id, seats, request) VALUES ('PO-1', 1, 1, 2, '{}');
-- order references are per operator (1.2): another operator's PO-1 is another order
INSERT INTO enroll.purchase_order (order_ref, operator_id, offer_id, seats, request) VALUES ('PO-1', 2, 1, 4, '{}');
-- and its group is its own: one group per order (course_group_order_key)
INSERT INTO enroll.course_group (course_id, idnumber, name, order_id)
    SELECT 1, 'PO-1', 'Order PO-1 of operator 2', id FROM enroll.purchase_order WHERE order_ref = 'PO-1' AND operator_id = 2;
INSERT INTO enroll.course_group (course_id, idnumber, name, order_id)
    SELECT 1, 'PO-1', 'Again', id FROM enroll.purchase_order WHERE order_ref = 'PO-1' AND operator_id = 2;
-- a seat count of an order is at most 100000
INSERT INTO enroll.purchase_order (order_ref, operator_id, offer_id, seats, request) VALUES ('PO-3', 1, 1, 100001, '{}');
INSERT INTO enroll.purchase_order (order_ref, operator_id, offer_id, seats, request) VALUES ('PO-2', 1, 1, 0, '{}');
-- a cancelled order says when (purchase_order_cancelled), and only a cancelled one
INSERT INTO enroll.purchase_order (order_ref, operator_id, offer_id, seats, request, status) VALUES ('PO-4', 1, 1, 1, '{}', 'cancelled');
INSERT INTO enroll.purchase_order (order_ref, operator_id, offer_id, seats, request, cancelled_at) VALUES ('PO-5', 1, 1, 1, '{}', '2026-01-10');

-- a profile level is always backed by complete data (1.2): a DBA cannot make
-- an account billing without its names and postal address, nor wipe the
-- data of one that is
UPDATE enroll.account SET profile_level = 'billing' WHERE id = 1;
UPDATE enroll.account SET profile_level = 'billing', firstname = 'Alice', lastname = 'Martin',
       profile = '{"address": {"street": "1 rue A", "postal_code": "75001", "city": "Paris", "country": "FR"}}'
 WHERE id = 1;
UPDATE enroll.account SET profile = '{}' WHERE id = 1;
UPDATE enroll.account SET profile_level = 'default', profile = '{}', firstname = '', lastname = '' WHERE id = 1;
-- the same for an organization's own invoice data
UPDATE enroll.organization SET profile_level = 'billing' WHERE id = 1;
UPDATE enroll.organization SET profile_level = 'billing',
       profile = '{"legal_name": "Lycée Condorcet", "address": {"street": "8 rue du Havre", "postal_code": "75009", "city": "Paris", "country": "FR"}, "vat_number": "not a vat number"}'
 WHERE id = 1;
-- a group member's seat is learner or tutor; a removal reason needs a removal
INSERT INTO enroll.course_group (id, course_id, idnumber, name) VALUES (7, 1, 'PO-7', 'Order PO-7');
INSERT INTO enroll.group_member (group_id, account_id, seat) VALUES (7, 1, 'teacher');
INSERT INTO enroll.group_member (group_id, account_id, removed_reason) VALUES (7, 1, 'ill');
-- an enrollment is backed by a license of its course, or reached through one
-- of another course (support course, S1.7), not both
INSERT INTO enroll.enrollment (course_id, account_id, role_id, license_id, via_license) VALUES (1, 1, 1, 1, 1);

-- profile must be a JSON object
UPDATE enroll.account SET profile = '[1,2]' WHERE id = 1;

-- what survived
SELECT id, code, price, currency, required_level, visibility, recipient_kind, seats FROM enroll.offer ORDER BY id;
SELECT id, holder_kind, account_id, organization_id, course_id, ended_at FROM enroll.license ORDER BY id;
SELECT account_id, organization_id, left_at IS NULL AS current FROM enroll.membership ORDER BY id;

-- clean up for the following tests (the event log is untouched here)
TRUNCATE enroll.enrollment, enroll.role_assignment, enroll.purchase_order, enroll.group_member,
         enroll.course_group, enroll.license, enroll.offer_recipient, enroll.offer_registrar_type,
         enroll.offer, enroll.membership, enroll.course, enroll.account, enroll.organization,
         enroll.organization_type;
RESET enroll.clock;

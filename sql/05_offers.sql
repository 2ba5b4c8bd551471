-- 05_offers: offers through functions (S2.1-S2.3, S2.11), the validity
-- guard (S2.4) for functions and DBAs alike, offer states, addressees of
-- private offers (S2.7), registrar types (S2.13) and who sees which offer
-- (S2.6, S2.7, S2.21).
\set SHOW_CONTEXT never
SET TIME ZONE 'UTC';
SET enroll.clock = '2027-03-01 12:00:00+00';
CREATE FUNCTION pg_temp.sqlstate_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE ROLE regress_enroll_app LOGIN IN ROLE enroll_app;
CREATE ROLE regress_enroll_report LOGIN IN ROLE enroll_reader;

-- a catalogue and people of our own
SELECT id AS course_a FROM enroll.create_course('OFFA', 'Offers: algebra') \gset
SELECT id AS course_b FROM enroll.create_course('OFFB', 'Offers: biology') \gset
SELECT code FROM enroll.create_organization_type('off_school', 'Offers test school');
SELECT code FROM enroll.create_organization_type('off_ngo', 'Offers test non-profit');
SELECT id AS school FROM enroll.create_organization('off_school', 'Offers High School') \gset
SELECT id AS ngo FROM enroll.create_organization('off_ngo', 'Offers Foundation') \gset
SELECT id AS admin FROM enroll.register_account('off-admin@example.org', 'Olga', 'Admin') \gset
SELECT id AS paul FROM enroll.register_account('off-paul@example.org', 'Paul', 'Plain') \gset
SELECT id AS anna FROM enroll.register_account('off-anna@example.org', 'Anna', 'Addressee') \gset
SELECT id AS mia FROM enroll.register_account('off-mia@example.org', 'Mia', 'Member') \gset
SELECT id AS leo FROM enroll.register_account('off-leo@example.org', 'Leo', 'Leftover') \gset
-- DBA steps: an admin account, a current member and a former member of the school
UPDATE enroll.account SET is_admin = true WHERE id = :admin;
INSERT INTO enroll.membership (account_id, organization_id) VALUES (:mia, :school);
INSERT INTO enroll.membership (account_id, organization_id, joined_at, left_at)
    VALUES (:leo, :school, '2026-09-01', '2027-01-31');

-------------------------------------------------------------------------------
-- create_offer (S2.1-S2.3, S2.11)
-------------------------------------------------------------------------------
-- a free offer: price 0 is a price (S2.2); required_level NULL chooses default
SELECT code, price, currency, required_level, visibility, recipient_kind, extra_condition
  FROM enroll.create_offer('OFF-FREE', 'Algebra, free trial', :course_a, 0, 'EUR',
                           '2027-02-01', '2027-12-31', '14 days');
-- a paid offer: required_level NULL chooses billing (S2.11)
SELECT code, price, currency, required_level
  FROM enroll.create_offer('OFF-PAID', 'Algebra, full course', :course_a, 10.00, 'EUR',
                           '2027-02-01', '2027-12-31', '35 days',
                           extra_condition => 'I declare I am entitled to a VAT-exempt offer.');
-- blank extra condition means none
SELECT code, extra_condition IS NULL AS no_condition
  FROM enroll.create_offer('OFF-BLANKCOND', 'Biology, no condition', :course_b, 0, 'EUR',
                           '2027-02-01', '2027-12-31', '30 days', extra_condition => '   ');
-- offers for organizations have seats
SELECT code, recipient_kind, seats
  FROM enroll.create_offer('OFF-ORG', 'Biology for schools', :course_b, 0, 'EUR',
                           '2027-02-01', '2027-12-31', '30 days',
                           recipient_kind => 'organization', seats => 20);
-- each creation is logged with the offer's conditions
SELECT e.details->>'code' AS code, e.details->>'price' AS price, e.details->>'required_level' AS required_level,
       e.details->>'valid_from' AS valid_from
  FROM enroll.event e JOIN enroll.offer o ON o.id = e.row_id
 WHERE e.what = 'offer.create' AND e.table_name = 'offer' AND o.code IN ('OFF-FREE', 'OFF-PAID')
 ORDER BY 1;

-- bad input: a clear error each, and nothing written
SELECT count(*) AS offers_before FROM enroll.offer \gset
SELECT count(*) AS events_before FROM enroll.event \gset
-- S2.2: every offer must have a price
SELECT enroll.create_offer('OFF-BAD', 'No price', :course_a, NULL, 'EUR', '2027-02-01', '2027-12-31', '30 days');
-- currency is an ISO 4217 code
SELECT enroll.create_offer('OFF-BAD', 'Lower-case currency', :course_a, 0, 'eur', '2027-02-01', '2027-12-31', '30 days');
-- S2.3: a window is required and not empty
SELECT enroll.create_offer('OFF-BAD', 'No end', :course_a, 0, 'EUR', '2027-02-01', NULL, '30 days');
SELECT enroll.create_offer('OFF-BAD', 'Backwards', :course_a, 0, 'EUR', '2027-12-31', '2027-02-01', '30 days');
SELECT enroll.create_offer('OFF-BAD', 'Over already', :course_a, 0, 'EUR', '2027-01-01', '2027-02-01', '30 days');
-- S2.11: a paid offer at the default level
SELECT enroll.create_offer('OFF-BAD', 'Paid at default', :course_a, 10, 'EUR', '2027-02-01', '2027-12-31', '30 days',
                           required_level => 'default');
-- the same and more, as SQLSTATE and message
SELECT label, pg_temp.sqlstate_of(format(stmt, :course_a)) AS result
  FROM (VALUES
    ('null code',        $$SELECT enroll.create_offer(NULL, 'T', %s, 0, 'EUR', '2027-02-01', '2027-12-31', '30 days')$$),
    ('blank code',       $$SELECT enroll.create_offer('  ', 'T', %s, 0, 'EUR', '2027-02-01', '2027-12-31', '30 days')$$),
    ('null title',       $$SELECT enroll.create_offer('OFF-BAD', NULL, %s, 0, 'EUR', '2027-02-01', '2027-12-31', '30 days')$$),
    ('null course',      $$SELECT enroll.create_offer('OFF-BAD', 'T', NULL, 0, 'EUR', '2027-02-01', '2027-12-31', '30 days')$$),
    ('null price',       $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, NULL, 'EUR', '2027-02-01', '2027-12-31', '30 days')$$),
    ('negative price',   $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, -0.01, 'EUR', '2027-02-01', '2027-12-31', '30 days')$$),
    ('null currency',    $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 0, NULL, '2027-02-01', '2027-12-31', '30 days')$$),
    ('currency eur',     $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 0, 'eur', '2027-02-01', '2027-12-31', '30 days')$$),
    ('currency EURO',    $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 0, 'EURO', '2027-02-01', '2027-12-31', '30 days')$$),
    ('currency E1R',     $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 0, 'E1R', '2027-02-01', '2027-12-31', '30 days')$$),
    ('null valid_from',  $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 0, 'EUR', NULL, '2027-12-31', '30 days')$$),
    ('null valid_until', $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 0, 'EUR', '2027-02-01', NULL, '30 days')$$),
    ('empty window',     $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 0, 'EUR', '2027-06-01', '2027-06-01', '30 days')$$),
    ('inverted window',  $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 0, 'EUR', '2027-06-02', '2027-06-01', '30 days')$$),
    ('ends now',         $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 0, 'EUR', '2027-02-01', '2027-03-01 12:00+00', '30 days')$$),
    ('ended',            $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 0, 'EUR', '2027-01-01', '2027-02-01', '30 days')$$),
    ('null access',      $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 0, 'EUR', '2027-02-01', '2027-12-31', NULL)$$),
    ('zero access',      $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 0, 'EUR', '2027-02-01', '2027-12-31', '0')$$),
    ('zero grace',       $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 0, 'EUR', '2027-02-01', '2027-12-31', '30 days', documents_grace => '0')$$),
    ('paid default',     $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 5, 'EUR', '2027-02-01', '2027-12-31', '30 days', required_level => 'default')$$),
    ('org no seats',     $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 0, 'EUR', '2027-02-01', '2027-12-31', '30 days', recipient_kind => 'organization')$$),
    ('org zero seats',   $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 0, 'EUR', '2027-02-01', '2027-12-31', '30 days', recipient_kind => 'organization', seats => 0)$$),
    ('person seats',     $$SELECT enroll.create_offer('OFF-BAD', 'T', %s, 0, 'EUR', '2027-02-01', '2027-12-31', '30 days', seats => 3)$$),
    ('unknown course',   $$SELECT enroll.create_offer('OFF-BAD', 'T', -1, 0, 'EUR', '2027-02-01', '2027-12-31', '30 days')$$),
    ('duplicate code',   $$SELECT enroll.create_offer('OFF-FREE', 'T', %s, 0, 'EUR', '2027-02-01', '2027-12-31', '30 days')$$)
  ) AS v(label, stmt);
SELECT count(*) = :offers_before AS no_offer_written FROM enroll.offer;
SELECT count(*) = :events_before AS no_event_written FROM enroll.event;

-------------------------------------------------------------------------------
-- offer_state: valid_from inclusive, valid_until exclusive (S2.3)
-------------------------------------------------------------------------------
SELECT id AS win FROM enroll.create_offer('OFF-WIN', 'Window', :course_a, 0, 'EUR',
                                          '2027-04-01 00:00+00', '2027-05-01 00:00+00', '30 days') \gset
SET enroll.clock = '2027-03-31 23:59:59.999999+00';
SELECT enroll.offer_state(:win) AS just_before_start;
SET enroll.clock = '2027-04-01 00:00:00+00';
SELECT enroll.offer_state(:win) AS at_start;
SET enroll.clock = '2027-04-30 23:59:59.999999+00';
SELECT enroll.offer_state(:win) AS just_before_end;
SET enroll.clock = '2027-05-01 00:00:00+00';
SELECT enroll.offer_state(:win) AS at_end;
SET enroll.clock = '2027-03-01 12:00:00+00';
SELECT enroll.offer_state(NULL) IS NULL AS null_is_null;
SELECT enroll.offer_state(-1);
SELECT pg_temp.sqlstate_of('SELECT enroll.offer_state(-1)');

-------------------------------------------------------------------------------
-- S2.4 through update_offer: validity edits never reach into the past
-------------------------------------------------------------------------------
-- an active offer (started 2027-02-01) and an upcoming one (starts 2027-04-01)
SELECT id AS act FROM enroll.create_offer('OFF-ACTIVE', 'Active', :course_a, 0, 'EUR',
                                          '2027-02-01 00:00+00', '2027-06-01 00:00+00', '30 days') \gset
SELECT id AS up FROM enroll.create_offer('OFF-UPCOMING', 'Upcoming', :course_b, 0, 'EUR',
                                         '2027-04-01 00:00+00', '2027-05-01 00:00+00', '30 days') \gset
-- closing earlier, but still in the future: allowed
SELECT valid_until, enroll.offer_window_state(valid_from, valid_until, enroll.clock_now()) AS state
  FROM enroll.update_offer(:act, valid_until => '2027-04-15 00:00+00');
-- valid_until into the past: refused
SELECT enroll.update_offer(:act, valid_until => '2027-02-15 00:00+00');
-- the start of an offer that has started is frozen, even towards the future
SELECT enroll.update_offer(:act, valid_from => '2027-03-10 00:00+00');
SELECT enroll.update_offer(:act, valid_from => '2027-01-15 00:00+00');
-- unchanged bounds pass: editing the title and price of a started offer is fine,
-- and restating its valid_from changes nothing
SELECT title, price, required_level, valid_from
  FROM enroll.update_offer(:act, title => 'Active, renamed', price => 12.50, required_level => 'billing',
                           valid_from => '2027-02-01 00:00+00');
-- an upcoming offer's start may move, to the future ...
SELECT valid_from, enroll.offer_window_state(valid_from, valid_until, enroll.clock_now()) AS state
  FROM enroll.update_offer(:up, valid_from => '2027-03-15 00:00+00');
-- ... but not into the past
SELECT enroll.update_offer(:up, valid_from => '2027-02-20 00:00+00');
-- the window stays non-empty
SELECT enroll.update_offer(:up, valid_from => '2027-05-01 00:00+00');
SELECT enroll.update_offer(:up, valid_from => '2027-06-01 00:00+00');
SELECT enroll.update_offer(:up, valid_until => '2027-03-10 00:00+00');
-- closing an active offer now: valid_until = now is allowed, and the offer is expired at once
SELECT valid_until, enroll.offer_window_state(valid_from, valid_until, enroll.clock_now()) AS state
  FROM enroll.update_offer(:act, valid_until => enroll.clock_now());
-- the offer stays where it is: none of the refused edits got through
SELECT code, title, valid_from, valid_until, enroll.offer_state(id) AS state
  FROM enroll.offer WHERE id IN (:act, :up) ORDER BY code;
-- every refusal is PE008
SELECT label, pg_temp.sqlstate_of(format(stmt, :act, :up)) AS result
  FROM (VALUES
    ('until into the past', $$SELECT enroll.update_offer(%s, valid_until => '2027-03-01 11:59:59+00')$$),
    ('from of started',     $$SELECT enroll.update_offer(%s, valid_from => '2027-02-02')$$),
    ('from into the past',  $$SELECT enroll.update_offer(%2$s, valid_until => '2027-09-01', valid_from => '2027-01-01')$$),
    ('empty window',        $$SELECT enroll.update_offer(%2$s, valid_until => '2027-03-01 12:00+00')$$)
  ) AS v(label, stmt);
-- an upcoming offer may open now
SELECT valid_from, enroll.offer_window_state(valid_from, valid_until, enroll.clock_now()) AS state
  FROM enroll.update_offer(:up, valid_from => enroll.clock_now());

-- the event of an update lists each changed field with its old and new value
SELECT details FROM enroll.event
 WHERE what = 'offer.update' AND table_name = 'offer' AND row_id = :act
 ORDER BY id LIMIT 2;

-------------------------------------------------------------------------------
-- S2.4 holds for a DBA writing by hand too (the trigger, superuser included)
-------------------------------------------------------------------------------
SELECT id AS dba FROM enroll.create_offer('OFF-DBA', 'Edited by hand', :course_a, 0, 'EUR',
                                          '2027-02-01 00:00+00', '2027-09-01 00:00+00', '30 days') \gset
SELECT id AS dbaup FROM enroll.create_offer('OFF-DBA-UP', 'Edited by hand, upcoming', :course_a, 0, 'EUR',
                                            '2027-04-01 00:00+00', '2027-09-01 00:00+00', '30 days') \gset
UPDATE enroll.offer SET valid_until = '2027-02-15 00:00+00' WHERE id = :dba;
UPDATE enroll.offer SET valid_from = '2027-03-05 00:00+00' WHERE id = :dba;
UPDATE enroll.offer SET valid_from = '2027-01-01 00:00+00' WHERE id = :dbaup;
UPDATE enroll.offer SET valid_until = valid_from WHERE id = :dbaup;
SELECT label, pg_temp.sqlstate_of(format(stmt, :dba, :dbaup)) AS result
  FROM (VALUES
    ('until into the past', $$UPDATE enroll.offer SET valid_until = '2027-03-01 11:00+00' WHERE id = %s$$),
    ('from of started',     $$UPDATE enroll.offer SET valid_from = valid_from + interval '1 day' WHERE id = %s$$),
    ('from into the past',  $$UPDATE enroll.offer SET valid_from = '2027-02-28' WHERE id = %2$s$$),
    ('inverted window',     $$UPDATE enroll.offer SET valid_from = '2027-10-01' WHERE id = %2$s$$),
    ('both into the past',  $$UPDATE enroll.offer SET valid_from = '2027-01-01', valid_until = '2027-01-02' WHERE id = %2$s$$)
  ) AS v(label, stmt);
-- allowed by hand: other columns, restating a bound, moving valid_until to the future, closing now
UPDATE enroll.offer SET title = 'Renamed by hand', valid_from = valid_from WHERE id = :dba;
UPDATE enroll.offer SET valid_until = '2027-08-01 00:00+00' WHERE id = :dba;
UPDATE enroll.offer SET valid_until = enroll.clock_now() WHERE id = :dba;
SELECT code, title, valid_from, valid_until, enroll.offer_state(id) AS state
  FROM enroll.offer WHERE id IN (:dba, :dbaup) ORDER BY code;

-------------------------------------------------------------------------------
-- update_offer: other fields, S2.11, extra condition, bad input
-------------------------------------------------------------------------------
SELECT id AS free FROM enroll.offer WHERE code = 'OFF-FREE' \gset
SELECT id AS paid FROM enroll.offer WHERE code = 'OFF-PAID' \gset
-- S2.11: raising the price of a default-level offer needs billing
SELECT enroll.update_offer(:free, price => 5);
SELECT price, required_level FROM enroll.update_offer(:paid, required_level => 'default');
SELECT price, required_level FROM enroll.update_offer(:free, price => 5, required_level => 'billing');
SELECT price, required_level FROM enroll.update_offer(:free, price => 0, required_level => 'default');
-- S2.22: set, change and remove an extra condition
SELECT extra_condition FROM enroll.update_offer(:free, extra_condition => 'I am a secondary-school pupil.');
SELECT extra_condition IS NULL AS condition_removed FROM enroll.update_offer(:free, extra_condition => '');
-- a call that changes nothing writes nothing
SELECT count(*) AS updates_before FROM enroll.event WHERE what = 'offer.update' AND row_id = :free \gset
SELECT title FROM enroll.update_offer(:free, title => 'Algebra, free trial');
SELECT title FROM enroll.update_offer(:free);
SELECT count(*) - :updates_before AS new_update_events FROM enroll.event WHERE what = 'offer.update' AND row_id = :free;
-- bad input: clear errors, nothing written
SELECT count(*) AS events_before FROM enroll.event \gset
SELECT md5(string_agg(to_jsonb(o)::text, ',' ORDER BY id)) AS offers_digest FROM enroll.offer o \gset
SELECT enroll.update_offer(-1, title => 'Nobody');
SELECT label, pg_temp.sqlstate_of(format(stmt, :free)) AS result
  FROM (VALUES
    ('null offer',      $$SELECT enroll.update_offer(NULL, title => 'X')$$),
    ('unknown offer',   $$SELECT enroll.update_offer(-1, title => 'X')$$),
    ('blank title',     $$SELECT enroll.update_offer(%s, title => ' ')$$),
    ('negative price',  $$SELECT enroll.update_offer(%s, price => -1)$$),
    ('bad currency',    $$SELECT enroll.update_offer(%s, currency => 'Euro')$$),
    ('paid default',    $$SELECT enroll.update_offer(%s, price => 1)$$),
    ('zero access',     $$SELECT enroll.update_offer(%s, access_period => '0')$$),
    ('person seats',    $$SELECT enroll.update_offer(%s, seats => 2)$$),
    ('until in past',   $$SELECT enroll.update_offer(%s, valid_until => '2027-01-01')$$)
  ) AS v(label, stmt);
SELECT count(*) = :events_before AS no_event_written FROM enroll.event;
SELECT md5(string_agg(to_jsonb(o)::text, ',' ORDER BY id)) = :'offers_digest' AS offers_unchanged FROM enroll.offer o;

-------------------------------------------------------------------------------
-- private offers and their addressees (S2.7), registrar types (S2.13)
-------------------------------------------------------------------------------
SELECT id AS privp FROM enroll.create_offer('OFF-PRIV-P', 'Algebra, for Anna only', :course_a, 0, 'EUR',
                                            '2027-02-01', '2027-12-31', '30 days', visibility => 'private',
                                            extra_condition => 'Anna''s tailored condition.') \gset
SELECT id AS privo FROM enroll.create_offer('OFF-PRIV-O', 'Biology, for the school', :course_b, 0, 'EUR',
                                            '2027-02-01', '2027-12-31', '30 days', visibility => 'private',
                                            recipient_kind => 'organization', seats => 10) \gset
SELECT id AS privup FROM enroll.create_offer('OFF-PRIV-UP', 'Algebra, for Anna, later', :course_a, 0, 'EUR',
                                             '2027-06-01', '2027-12-31', '30 days', visibility => 'private') \gset
SELECT id AS privx FROM enroll.create_offer('OFF-PRIV-X', 'Algebra, for nobody yet', :course_a, 0, 'EUR',
                                            '2027-02-01', '2027-12-31', '30 days', visibility => 'private') \gset
SELECT recipient_kind, account_id = :anna AS anna, organization_id FROM enroll.add_offer_recipient(:privp, account => :anna);
SELECT recipient_kind, account_id, organization_id = :school AS school FROM enroll.add_offer_recipient(:privo, organization => :school);
SELECT recipient_kind, account_id = :anna AS anna FROM enroll.add_offer_recipient(:privup, :anna);
-- naming an addressee again returns the same row and logs nothing more
SELECT count(*) AS events_before FROM enroll.event \gset
SELECT account_id = :anna AS anna FROM enroll.add_offer_recipient(:privp, account => :anna);
SELECT count(*) - :events_before AS new_events FROM enroll.event;
-- all addressees of one offer are of its kind (S2.7); errors come before the constraints would
SELECT enroll.add_offer_recipient(:privp, organization => :school);
SELECT enroll.add_offer_recipient(:privo, account => :mia);
SELECT enroll.add_offer_recipient(:free, account => :anna);
SELECT count(*) AS recipients_before FROM enroll.offer_recipient \gset
SELECT label, pg_temp.sqlstate_of(format(stmt, :privp, :privo, :anna, :school, :free)) AS result
  FROM (VALUES
    ('neither',              $$SELECT enroll.add_offer_recipient(%1$s)$$),
    ('both',                 $$SELECT enroll.add_offer_recipient(%1$s, %3$s, %4$s)$$),
    ('null offer',           $$SELECT enroll.add_offer_recipient(NULL, %3$s)$$),
    ('unknown offer',        $$SELECT enroll.add_offer_recipient(-1, %3$s)$$),
    ('unknown account',      $$SELECT enroll.add_offer_recipient(%1$s, account => -1)$$),
    ('unknown organization', $$SELECT enroll.add_offer_recipient(%2$s, organization => -1)$$),
    ('organization to person offer', $$SELECT enroll.add_offer_recipient(%1$s, organization => %4$s)$$),
    ('person to organization offer', $$SELECT enroll.add_offer_recipient(%2$s, account => %3$s)$$),
    ('public offer',         $$SELECT enroll.add_offer_recipient(%5$s, account => %3$s)$$)
  ) AS v(label, stmt);
SELECT count(*) = :recipients_before AS no_recipient_written FROM enroll.offer_recipient;
-- S2.13: registrar types narrow the audience
SELECT organization_type_id IS NOT NULL AS listed FROM enroll.add_offer_registrar_type(:paid, 'off_school');
SELECT organization_type_id IS NOT NULL AS listed FROM enroll.add_offer_registrar_type(:paid, 'off_ngo');
SELECT organization_type_id IS NOT NULL AS listed_again FROM enroll.add_offer_registrar_type(:paid, 'off_ngo');
SELECT enroll.add_offer_registrar_type(:paid, 'off_castle');
SELECT pg_temp.sqlstate_of(format('SELECT enroll.add_offer_registrar_type(%s, ''off_castle'')', :paid));
SELECT pg_temp.sqlstate_of('SELECT enroll.add_offer_registrar_type(-1, ''off_school'')');
SELECT count(*) AS registrar_types_of_paid FROM enroll.offer_registrar_type WHERE offer_id = :paid;
SELECT what, details->>'offer' AS offer, details->>'type' AS type,
       (details->>'account_id')::bigint = :anna AS anna,
       (details->>'organization_id')::bigint = :school AS school
  FROM enroll.event
 WHERE what IN ('offer.add_recipient', 'offer.add_registrar_type')
   AND (details->>'offer') LIKE 'OFF-%' ORDER BY id;

-------------------------------------------------------------------------------
-- only admins create and edit offers (42501), whoever the application acts for
-------------------------------------------------------------------------------
SELECT max(id) AS last_event FROM enroll.event \gset
SET ROLE regress_enroll_app;
SELECT enroll.create_offer('OFF-HACK', 'Anonymous', :course_a, 0, 'EUR', '2027-02-01', '2027-12-31', '30 days');
BEGIN;
SELECT enroll.act_as(:paul);
SELECT enroll.create_offer('OFF-HACK', 'Paul''s', :course_a, 0, 'EUR', '2027-02-01', '2027-12-31', '30 days');
ROLLBACK;
BEGIN;
SELECT enroll.act_as(:paul);
SELECT label, pg_temp.sqlstate_of(format(stmt, :course_a, :free, :privp, :paul)) AS result
  FROM (VALUES
    ('create_offer',  $$SELECT enroll.create_offer('OFF-HACK', 'T', %1$s, 0, 'EUR', '2027-02-01', '2027-12-31', '30 days')$$),
    ('update_offer',  $$SELECT enroll.update_offer(%2$s, price => 0.01)$$),
    ('close offer',   $$SELECT enroll.update_offer(%2$s, valid_until => enroll.clock_now())$$),
    ('add recipient', $$SELECT enroll.add_offer_recipient(%3$s, account => %4$s)$$),
    ('registrar type', $$SELECT enroll.add_offer_registrar_type(%2$s, 'off_school')$$),
    ('direct update', $$UPDATE enroll.offer SET title = 'X' WHERE id = %2$s$$)
  ) AS v(label, stmt);
ROLLBACK;
-- an account with is_admin may, through the application
BEGIN;
SELECT enroll.act_as(:admin);
SELECT code, required_level FROM enroll.create_offer('OFF-BY-ADMIN', 'Biology, by the admin account', :course_b, 3, 'EUR',
                                                     '2027-02-01', '2027-12-31', '30 days');
SELECT title FROM enroll.update_offer((SELECT id FROM enroll.offer WHERE code = 'OFF-BY-ADMIN'), title => 'Biology, edited by the admin account');
COMMIT;
RESET ROLE;
SELECT what, account_id = :admin AS by_admin_account, db_role FROM enroll.event
 WHERE id > :last_event ORDER BY id;
SELECT count(*) AS hack_offers FROM enroll.offer WHERE code = 'OFF-HACK';

-------------------------------------------------------------------------------
-- who sees which offer (S2.6, S2.7, S2.21)
-------------------------------------------------------------------------------
-- anonymous (the application acting for nobody): active public offers only,
-- extra condition text included (S2.21)
SET ROLE regress_enroll_app;
SELECT code, state, visibility, course_shortname, required_level, registrar_types, extra_condition
  FROM enroll.visible_offers WHERE code LIKE 'OFF-%' ORDER BY code;
-- a plain person sees the same
BEGIN;
SELECT enroll.act_as(:paul);
SELECT code, state FROM enroll.visible_offers WHERE code LIKE 'OFF-%' ORDER BY code;
COMMIT;
-- an addressee person also sees her active private offer, not the upcoming one
BEGIN;
SELECT enroll.act_as(:anna);
SELECT code, state, visibility, extra_condition FROM enroll.visible_offers WHERE code LIKE 'OFF-%' ORDER BY code;
COMMIT;
-- a current member of an addressed organization sees the organization's offer
BEGIN;
SELECT enroll.act_as(:mia);
SELECT code, state, visibility, recipient_kind, seats FROM enroll.visible_offers WHERE code LIKE 'OFF-%' ORDER BY code;
COMMIT;
-- a former member does not
BEGIN;
SELECT enroll.act_as(:leo);
SELECT count(*) FILTER (WHERE visibility = 'private') AS private_seen_by_leo FROM enroll.visible_offers WHERE code LIKE 'OFF-%';
COMMIT;
-- an admin sees every offer in any state
BEGIN;
SELECT enroll.act_as(:admin);
SELECT code, state, visibility FROM enroll.visible_offers WHERE code LIKE 'OFF-%' ORDER BY code;
COMMIT;
-- direct reads of enroll.offer under RLS: public offers in any state, private
-- offers only for their addressees (upcoming ones too), everything for admins
SELECT code FROM enroll.offer WHERE code LIKE 'OFF-%' ORDER BY code;
BEGIN;
SELECT enroll.act_as(:anna);
SELECT code FROM enroll.offer WHERE visibility = 'private' AND code LIKE 'OFF-%' ORDER BY code;
COMMIT;
BEGIN;
SELECT enroll.act_as(:mia);
SELECT code FROM enroll.offer WHERE visibility = 'private' AND code LIKE 'OFF-%' ORDER BY code;
COMMIT;
BEGIN;
SELECT enroll.act_as(:admin);
SELECT count(*) FILTER (WHERE visibility = 'private') AS private_seen_by_admin FROM enroll.offer WHERE code LIKE 'OFF-%';
COMMIT;
-- offer_state reveals only timing, to anyone
SELECT enroll.offer_state(:privup) AS private_state_for_anonymous;
RESET ROLE;
-- a reporting role that is nobody sees what anonymous sees
SET ROLE regress_enroll_report;
SELECT count(*) AS reader_sees_visible FROM enroll.visible_offers WHERE code LIKE 'OFF-%';
SELECT count(*) FILTER (WHERE visibility = 'private') AS reader_sees_private FROM enroll.offer WHERE code LIKE 'OFF-%';
SELECT pg_temp.sqlstate_of(format('SELECT enroll.update_offer(%s, title => ''X'')', :free));
RESET ROLE;
-- offers move in and out of view with the clock
SET enroll.clock = '2027-06-01 00:00:00+00';
SET ROLE regress_enroll_app;
BEGIN;
SELECT enroll.act_as(:anna);
SELECT code, state FROM enroll.visible_offers WHERE code LIKE 'OFF-%' ORDER BY code;
COMMIT;
RESET ROLE;
SET enroll.clock = '2027-03-01 12:00:00+00';

-------------------------------------------------------------------------------
-- every successful create and update left its event
-------------------------------------------------------------------------------
SELECT o.code,
       count(*) FILTER (WHERE e.what = 'offer.create') AS creates,
       count(*) FILTER (WHERE e.what = 'offer.update') AS updates
  FROM enroll.offer o
  LEFT JOIN enroll.event e ON e.table_name = 'offer' AND e.row_id = o.id
 WHERE o.code LIKE 'OFF-%'
 GROUP BY o.code ORDER BY o.code;

RESET enroll.clock;
DROP ROLE regress_enroll_app, regress_enroll_report;


-------------------------------------------------------------------------------
-- Offers (S2.1-S2.7)
-------------------------------------------------------------------------------
-- @@offers-begin@@

-- S2.4: the validity window may be edited, never into the past; the start of
-- an offer that has started is frozen.  A trigger, so that it holds for every
-- UPDATE whoever issues it (the functions below, a DBA in psql).
CREATE FUNCTION enroll.offer_validity_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'offer_validity_guard' LANGUAGE C;
COMMENT ON FUNCTION enroll.offer_validity_guard() IS
  'Trigger function on enroll.offer (BEFORE UPDATE): a changed valid_from or valid_until may not lie in the past, valid_from is frozen once the offer has started, and the window stays non-empty (S2.4, PE008).';

CREATE TRIGGER offer_validity_guard BEFORE UPDATE ON enroll.offer
    FOR EACH ROW EXECUTE FUNCTION enroll.offer_validity_guard();
COMMENT ON TRIGGER offer_validity_guard ON enroll.offer IS
  'S2.4: validity edits never reach into the past; the start of an offer that has started is frozen (PE008).';

-- The acceptance cap's counter (offer.acceptances_made): set whenever
-- max_acceptances is written, whoever writes it (src/acceptance_cap.c).
CREATE FUNCTION enroll.offer_cap_count() RETURNS trigger
    AS 'MODULE_PATHNAME', 'offer_cap_count' LANGUAGE C;
COMMENT ON FUNCTION enroll.offer_cap_count() IS
  'Trigger function on enroll.offer (BEFORE INSERT OR UPDATE OF max_acceptances): acceptances_made is NULL without a cap, 0 for a new capped offer (a restored row keeps its count), the licenses already obtained from the offer when a cap is set on it (counted once), and kept when a cap changes; a cap below that count is refused (22023).';
CREATE TRIGGER offer_cap_count BEFORE INSERT OR UPDATE OF max_acceptances ON enroll.offer
    FOR EACH ROW EXECUTE FUNCTION enroll.offer_cap_count();
COMMENT ON TRIGGER offer_cap_count ON enroll.offer IS
  'The acceptance cap''s counter follows the cap, for update_offer and a DBA in psql alike; a cap below the acceptances made is refused (22023).';

-- One definition of the states (S2.3): valid_from inclusive, valid_until exclusive.
CREATE FUNCTION enroll.offer_window_state(valid_from timestamptz, valid_until timestamptz, instant timestamptz)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN valid_from IS NULL OR valid_until IS NULL OR instant IS NULL THEN NULL
    WHEN instant OPERATOR(pg_catalog.<) valid_from THEN 'upcoming'
    WHEN instant OPERATOR(pg_catalog.<) valid_until THEN 'active'
    ELSE 'expired'
END;
COMMENT ON FUNCTION enroll.offer_window_state(timestamptz, timestamptz, timestamptz) IS
  'State of a validity window at an instant (S2.3): upcoming before valid_from, active from valid_from (inclusive) until valid_until (exclusive), expired from valid_until on.';

CREATE FUNCTION enroll.offer_state(offer bigint)
RETURNS text
LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    f timestamptz;
    u timestamptz;
    private boolean;
BEGIN
    SELECT o.valid_from, o.valid_until, o.visibility OPERATOR(pg_catalog.=) 'private' INTO f, u, private
      FROM enroll.offer o WHERE o.id OPERATOR(pg_catalog.=) offer_state.offer;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'offer % does not exist', offer_state.offer USING ERRCODE = 'PE015';
    END IF;
    -- a private offer tells nothing of itself to whom it is not addressed (S2.7)
    IF private AND NOT enroll.acting_as_admin() AND NOT enroll.offer_addressed_to_actor(offer_state.offer) THEN
        RAISE EXCEPTION 'offer % is not available to the acting account', offer_state.offer USING ERRCODE = 'PE003',
            DETAIL = 'A private offer is shown only to its addressees.';
    END IF;
    RETURN enroll.offer_window_state(f, u, enroll.clock_now());
END
$fn$;
COMMENT ON FUNCTION enroll.offer_state(bigint) IS
  'upcoming, active or expired at enroll.clock_now() (S2.3): active from valid_from (inclusive) until valid_until (exclusive). Unknown offer: PE015; a private offer not addressed to the acting account: PE003, and nothing of its window.';

-- Is a private offer addressed to the acting account, directly or through a
-- current membership of an addressed organization (S2.7)?  SECURITY DEFINER so
-- that the answer does not depend on what the caller's RLS lets it see.
CREATE FUNCTION enroll.offer_addressed_to_actor(offer bigint)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN EXISTS (
        SELECT FROM enroll.offer_recipient r
         WHERE r.offer_id OPERATOR(pg_catalog.=) offer_addressed_to_actor.offer
           AND r.account_id OPERATOR(pg_catalog.=) enroll.current_account())
    OR EXISTS (
        SELECT FROM enroll.offer_recipient r
          JOIN enroll.membership m ON m.organization_id OPERATOR(pg_catalog.=) r.organization_id
         WHERE r.offer_id OPERATOR(pg_catalog.=) offer_addressed_to_actor.offer
           AND m.account_id OPERATOR(pg_catalog.=) enroll.current_account()
           AND m.left_at IS NULL);
COMMENT ON FUNCTION enroll.offer_addressed_to_actor(bigint) IS
  'True when the offer has the acting account among its addressees, or an organization of which the acting account is a current member (S2.7). False when anonymous.';

CREATE FUNCTION enroll.check_handler_params(code text, params text, course_shortname text) RETURNS void
    AS 'MODULE_PATHNAME', 'check_handler_params' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION enroll.check_handler_params(text, text, text) IS
  'Internal: 22023 unless params are valid session handler parameters (S1.9-S1.11) naming course_shortname; the pure C parser of setup_course_session, run when an offer is created or edited.';

-- The rules every offer's fields obey, shared by create_offer and update_offer
-- (which checks the row as it would be after the update).
CREATE FUNCTION enroll.check_offer_price(price numeric) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    -- checked as given: the numeric(12,2) column cannot hold these
    IF check_offer_price.price OPERATOR(pg_catalog.=) ANY ('{NaN,Infinity,-Infinity}'::numeric[]) THEN
        RAISE EXCEPTION 'offer "price" must be a finite number, not %', check_offer_price.price USING ERRCODE = '22023',
            HINT = 'Use 0 for a free offer.';
    END IF;
    IF check_offer_price.price OPERATOR(pg_catalog.>=) 10000000000
       OR check_offer_price.price OPERATOR(pg_catalog.<>) pg_catalog.round(check_offer_price.price, 2) THEN
        RAISE EXCEPTION 'offer "price" % does not fit the price column', check_offer_price.price USING ERRCODE = '22023',
            DETAIL = 'A price is below 10,000,000,000 with at most two decimals.';
    END IF;
END
$fn$;
COMMENT ON FUNCTION enroll.check_offer_price(numeric) IS
  'Internal: 22023 unless a price given to create_offer or update_offer is finite and fits numeric(12,2).';

CREATE FUNCTION enroll.check_offer_fields(n enroll.offer) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF enroll.is_blank(n.title) THEN
        RAISE EXCEPTION 'offer "title" must not be blank' USING ERRCODE = '22023';
    ELSIF pg_catalog.length(n.title) OPERATOR(pg_catalog.>) 500 THEN
        RAISE EXCEPTION 'offer "title" is too long: % characters', pg_catalog.length(n.title)
            USING ERRCODE = '22023', DETAIL = 'An offer title has at most 500 characters.';
    END IF;
    IF n.price OPERATOR(pg_catalog.<) 0 THEN
        RAISE EXCEPTION 'offer "price" must not be negative: %', n.price USING ERRCODE = '22023',
            HINT = 'Use 0 for a free offer.';
    END IF;
    IF n.currency COLLATE "C" OPERATOR(pg_catalog.!~) '^[A-Z]{3}$' THEN
        RAISE EXCEPTION 'invalid currency "%"', enroll.quotable(n.currency) USING ERRCODE = '22023',
            HINT = 'Use an ISO 4217 code such as EUR: three capital letters.';
    END IF;
    IF NOT (pg_catalog.isfinite(n.valid_from) AND pg_catalog.isfinite(n.valid_until)) THEN
        RAISE EXCEPTION 'validity window of offer "%" must have finite bounds', n.code USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('"valid_from" is %s and "valid_until" %s.',
                                       COALESCE(pg_catalog.to_char(n.valid_from, 'YYYY-MM-DD HH24:MI:SSOF'), n.valid_from::text),
                                       COALESCE(pg_catalog.to_char(n.valid_until, 'YYYY-MM-DD HH24:MI:SSOF'), n.valid_until::text)),
            HINT = 'An offer is valid from one instant until another (S2.3); for an offer without a planned end, choose a distant "valid_until": it can be moved later (S2.4).';
    END IF;
    IF n.access_period OPERATOR(pg_catalog.<=) '0'::interval THEN
        RAISE EXCEPTION 'offer "access_period" must be positive: %', n.access_period USING ERRCODE = '22023';
    ELSIF NOT enroll.period_in_bounds(n.access_period) THEN
        RAISE EXCEPTION 'offer "access_period" is too long: %', n.access_period USING ERRCODE = '22023',
            DETAIL = 'An access period is at most 100 years, and none of its parts (months, days, time) exceeds 100 years.';
    END IF;
    IF n.documents_grace OPERATOR(pg_catalog.<=) '0'::interval THEN
        RAISE EXCEPTION 'offer "documents_grace" must be positive: %', n.documents_grace USING ERRCODE = '22023',
            HINT = 'Leave it NULL when the offer needs no documents (S2.18).';
    ELSIF NOT enroll.period_in_bounds(n.documents_grace) THEN
        RAISE EXCEPTION 'offer "documents_grace" is too long: %', n.documents_grace USING ERRCODE = '22023',
            DETAIL = 'A documents grace is at most 100 years, and none of its parts (months, days, time) exceeds 100 years.';
    END IF;
    IF pg_catalog.length(n.extra_condition) OPERATOR(pg_catalog.>) 10000 THEN
        RAISE EXCEPTION 'offer "extra_condition" is too long: % characters', pg_catalog.length(n.extra_condition)
            USING ERRCODE = '22023', DETAIL = 'An extra condition has at most 10000 characters.';
    END IF;
    IF pg_catalog.octet_length(n.handler_params) OPERATOR(pg_catalog.>) 65536 THEN
        RAISE EXCEPTION 'offer "handler_params" is too long: % bytes', pg_catalog.octet_length(n.handler_params)
            USING ERRCODE = '22023', DETAIL = 'Handler parameters have at most 65536 bytes, the limit of the parameter parser.';
    END IF;
    IF n.recipient_kind OPERATOR(pg_catalog.=) 'organization' AND n.seats IS NULL THEN
        RAISE EXCEPTION 'an offer for organizations needs "seats"' USING ERRCODE = '22023',
            HINT = 'Give the number of seats an organization license from the offer holds.';
    ELSIF n.recipient_kind OPERATOR(pg_catalog.=) 'person' AND n.seats IS NOT NULL THEN
        RAISE EXCEPTION 'an offer for persons has no "seats"' USING ERRCODE = '22023',
            HINT = 'Seats belong to offers with recipient_kind organization.';
    ELSIF n.seats OPERATOR(pg_catalog.<=) 0 THEN
        RAISE EXCEPTION 'offer "seats" must be positive: %', n.seats USING ERRCODE = '22023';
    ELSIF n.seats OPERATOR(pg_catalog.>) 100000 THEN
        RAISE EXCEPTION 'offer "seats" is too large: %', n.seats USING ERRCODE = '22023',
            DETAIL = 'An organization license has at most 100000 seats.';
    END IF;
    IF n.max_acceptances OPERATOR(pg_catalog.<=) 0 OR n.max_acceptances OPERATOR(pg_catalog.>) 100000000 THEN
        RAISE EXCEPTION 'offer "max_acceptances" must be from 1 to 100000000, not %', n.max_acceptances USING ERRCODE = '22023',
            HINT = 'Leave it NULL for an offer without a cap.';
    END IF;
END
$fn$;
COMMENT ON FUNCTION enroll.check_offer_fields(enroll.offer) IS
  'Internal: 22023 naming the first field of an offer row that breaks a rule (title, price, currency, finite window, periods, lengths, seats). Shared by create_offer and update_offer.';

CREATE FUNCTION enroll.create_offer(
    code text, title text, course bigint, price numeric, currency text,
    valid_from timestamptz, valid_until timestamptz, access_period interval,
    visibility enroll.offer_visibility DEFAULT 'public',
    recipient_kind enroll.holder_kind DEFAULT 'person',
    required_level enroll.profile_level DEFAULT NULL,
    extra_condition text DEFAULT NULL,
    documents_grace interval DEFAULT NULL,
    seats integer DEFAULT NULL,
    handler_params text DEFAULT NULL,
    max_acceptances integer DEFAULT NULL)
RETURNS enroll.offer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    o     enroll.offer;
    now_  timestamptz := enroll.clock_now();
    level enroll.profile_level;
BEGIN
    PERFORM enroll.require_admin('create offers');

    -- S2.1-S2.3: what it costs and when it is valid are required
    IF create_offer.code IS NULL THEN
        RAISE EXCEPTION 'offer "code" must not be null' USING ERRCODE = '22004';
    ELSIF create_offer.title IS NULL THEN
        RAISE EXCEPTION 'offer "title" must not be null' USING ERRCODE = '22004';
    ELSIF create_offer.course IS NULL THEN
        RAISE EXCEPTION 'offer "course" must not be null' USING ERRCODE = '22004';
    ELSIF create_offer.price IS NULL THEN
        RAISE EXCEPTION 'offer "price" must not be null' USING ERRCODE = '22004',
            DETAIL = 'Every offer must have a price (S2.2).', HINT = 'Use 0 for a free offer.';
    ELSIF create_offer.currency IS NULL THEN
        RAISE EXCEPTION 'offer "currency" must not be null' USING ERRCODE = '22004',
            HINT = 'Use an ISO 4217 code such as EUR, for free offers too.';
    ELSIF create_offer.valid_from IS NULL THEN
        RAISE EXCEPTION 'offer "valid_from" must not be null' USING ERRCODE = '22004',
            DETAIL = 'Every offer must have a validity period from "valid_from" to "valid_until" (S2.3).';
    ELSIF create_offer.valid_until IS NULL THEN
        RAISE EXCEPTION 'offer "valid_until" must not be null' USING ERRCODE = '22004',
            DETAIL = 'Every offer must have a validity period from "valid_from" to "valid_until" (S2.3).';
    ELSIF create_offer.access_period IS NULL THEN
        RAISE EXCEPTION 'offer "access_period" must not be null' USING ERRCODE = '22004',
            HINT = 'The access period is how long a license from the offer lasts, e.g. ''35 days''.';
    ELSIF create_offer.visibility IS NULL THEN
        RAISE EXCEPTION 'offer "visibility" must not be null' USING ERRCODE = '22004';
    ELSIF create_offer.recipient_kind IS NULL THEN
        RAISE EXCEPTION 'offer "recipient_kind" must not be null' USING ERRCODE = '22004';
    END IF;

    IF enroll.is_blank(create_offer.code) THEN
        RAISE EXCEPTION 'offer "code" must not be blank' USING ERRCODE = '22023';
    ELSIF pg_catalog.length(create_offer.code) OPERATOR(pg_catalog.>) 100 THEN
        RAISE EXCEPTION 'offer "code" is too long: % characters', pg_catalog.length(create_offer.code)
            USING ERRCODE = '22023', DETAIL = 'An offer code has at most 100 characters.';
    END IF;
    PERFORM enroll.check_offer_price(create_offer.price);
    o.code            := create_offer.code;
    o.title           := create_offer.title;
    o.price           := create_offer.price;
    o.currency        := create_offer.currency;
    o.valid_from      := create_offer.valid_from;
    o.valid_until     := create_offer.valid_until;
    o.recipient_kind  := create_offer.recipient_kind;
    o.extra_condition := create_offer.extra_condition;
    o.access_period   := create_offer.access_period;
    o.documents_grace := create_offer.documents_grace;
    o.seats           := create_offer.seats;
    o.handler_params  := create_offer.handler_params;
    o.max_acceptances := create_offer.max_acceptances;
    PERFORM enroll.check_offer_fields(o);
    IF create_offer.valid_until OPERATOR(pg_catalog.<=) create_offer.valid_from THEN
        RAISE EXCEPTION 'validity window of offer "%" is empty', create_offer.code USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('"valid_from" is %s and "valid_until" %s.',
                                       pg_catalog.to_char(create_offer.valid_from, 'YYYY-MM-DD HH24:MI:SSOF'),
                                       pg_catalog.to_char(create_offer.valid_until, 'YYYY-MM-DD HH24:MI:SSOF')),
            HINT = 'The window ends before "valid_until", which must be later than "valid_from" (S2.3).';
    END IF;
    IF create_offer.valid_until OPERATOR(pg_catalog.<=) now_ THEN
        RAISE EXCEPTION 'validity window of offer "%" is already over', create_offer.code USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('"valid_until" is %s, now is %s.',
                                       pg_catalog.to_char(create_offer.valid_until, 'YYYY-MM-DD HH24:MI:SSOF'),
                                       pg_catalog.to_char(now_, 'YYYY-MM-DD HH24:MI:SSOF')),
            HINT = 'Choose a "valid_until" after now (enroll.clock_now()).';
    END IF;

    -- S2.11: a paid offer needs the billing profile level; NULL chooses it from the price
    level := COALESCE(create_offer.required_level,
                      CASE WHEN create_offer.price OPERATOR(pg_catalog.>) 0
                           THEN 'billing'::enroll.profile_level ELSE 'default'::enroll.profile_level END);
    IF create_offer.price OPERATOR(pg_catalog.>) 0 AND level OPERATOR(pg_catalog.<) 'billing' THEN
        RAISE EXCEPTION 'a paid offer needs required_level "billing" or above' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('The price is %s %s and required_level is "%s". Accepting an offer that costs money needs the billing profile level, so that an invoice can be issued (S2.11).',
                                       create_offer.price, create_offer.currency, level),
            HINT = 'Pass required_level => ''billing'', or leave it NULL to choose it from the price.';
    END IF;

    IF NOT EXISTS (SELECT FROM enroll.course c WHERE c.id OPERATOR(pg_catalog.=) create_offer.course) THEN
        RAISE EXCEPTION 'course % does not exist', create_offer.course USING ERRCODE = '22023',
            HINT = 'Create it with enroll.create_course first.';
    END IF;
    IF NOT enroll.is_blank(create_offer.handler_params) THEN
        PERFORM enroll.check_handler_params(create_offer.code, create_offer.handler_params,
            (SELECT c.shortname FROM enroll.course c WHERE c.id OPERATOR(pg_catalog.=) create_offer.course));
    END IF;
    IF EXISTS (SELECT FROM enroll.offer x WHERE x.code OPERATOR(pg_catalog.=) create_offer.code) THEN
        RAISE EXCEPTION 'offer code "%" is already taken', create_offer.code USING ERRCODE = '23505',
            HINT = 'Offer codes are unique; choose another code or edit the existing offer with enroll.update_offer.';
    END IF;

    INSERT INTO enroll.offer AS t (code, title, course_id, price, currency, valid_from, valid_until,
                                   visibility, recipient_kind, required_level, extra_condition,
                                   access_period, documents_grace, seats, handler_params, max_acceptances)
        VALUES (create_offer.code, create_offer.title, create_offer.course, create_offer.price,
                create_offer.currency, create_offer.valid_from, create_offer.valid_until,
                create_offer.visibility, create_offer.recipient_kind, level,
                CASE WHEN NOT enroll.is_blank(create_offer.extra_condition)
                     THEN create_offer.extra_condition END,
                create_offer.access_period, create_offer.documents_grace, create_offer.seats,
                create_offer.handler_params, create_offer.max_acceptances)
        RETURNING t.* INTO o;
    PERFORM enroll.log_event('offer.create', 'offer', o.id,
                             pg_catalog.to_jsonb(o) OPERATOR(pg_catalog.-) 'id'::text OPERATOR(pg_catalog.-) 'created_at'::text);
    RETURN o;
END
$fn$;
COMMENT ON FUNCTION enroll.create_offer(text, text, bigint, numeric, text, timestamptz, timestamptz, interval, enroll.offer_visibility, enroll.holder_kind, enroll.profile_level, text, interval, integer, text, integer) IS
  'Admins: creates an offer with its conditions (S2.1): price and currency (S2.2), validity window (S2.3), visibility and recipient kind (S2.6, S2.7), required profile level (NULL: billing when the price is above 0, else default; S2.11), extra condition (S2.21; blank means none). Bad input is refused with a clear error before anything is written: NULL 22004; blank, too long (code 100, title 500, extra condition 10000 characters, handler_params 65536 bytes), seats above 100000, max_acceptances (the acceptance cap; NULL: none) outside 1 to 100000000, a price that is negative or not a finite number, infinite validity bounds, an access period or documents grace not positive or over 100 years: 22023; code taken 23505.';

CREATE FUNCTION enroll.update_offer(
    offer bigint,
    title text DEFAULT NULL,
    price numeric DEFAULT NULL,
    currency text DEFAULT NULL,
    valid_from timestamptz DEFAULT NULL,
    valid_until timestamptz DEFAULT NULL,
    required_level enroll.profile_level DEFAULT NULL,
    extra_condition text DEFAULT NULL,
    access_period interval DEFAULT NULL,
    documents_grace interval DEFAULT NULL,
    seats integer DEFAULT NULL,
    handler_params text DEFAULT NULL,
    max_acceptances integer DEFAULT NULL)
RETURNS enroll.offer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    o       enroll.offer;   -- as it was
    n       enroll.offer;   -- as it will be
    changes jsonb;
BEGIN
    PERFORM enroll.require_admin('update offers');
    IF update_offer.offer IS NULL THEN
        RAISE EXCEPTION 'offer must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT x.* INTO o FROM enroll.offer x WHERE x.id OPERATOR(pg_catalog.=) update_offer.offer FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'offer % does not exist', update_offer.offer USING ERRCODE = 'PE015';
    END IF;

    PERFORM enroll.check_offer_price(update_offer.price);

    -- NULL leaves a field unchanged; a blank extra_condition or handler_params removes it
    n := o;
    n.title           := COALESCE(update_offer.title, o.title);
    n.price           := COALESCE(update_offer.price, o.price);
    n.currency        := COALESCE(update_offer.currency, o.currency);
    n.valid_from      := COALESCE(update_offer.valid_from, o.valid_from);
    n.valid_until     := COALESCE(update_offer.valid_until, o.valid_until);
    n.required_level  := COALESCE(update_offer.required_level, o.required_level);
    n.extra_condition := CASE WHEN update_offer.extra_condition IS NULL THEN o.extra_condition
                              WHEN enroll.is_blank(update_offer.extra_condition) THEN NULL
                              ELSE update_offer.extra_condition END;
    n.access_period   := COALESCE(update_offer.access_period, o.access_period);
    n.documents_grace := COALESCE(update_offer.documents_grace, o.documents_grace);
    n.seats           := COALESCE(update_offer.seats, o.seats);
    n.max_acceptances := CASE WHEN update_offer.max_acceptances IS NULL THEN o.max_acceptances
                              WHEN update_offer.max_acceptances OPERATOR(pg_catalog.=) 0 THEN NULL
                              ELSE update_offer.max_acceptances END;
    n.handler_params  := CASE WHEN update_offer.handler_params IS NULL THEN o.handler_params
                              WHEN enroll.is_blank(update_offer.handler_params) THEN NULL
                              ELSE update_offer.handler_params END;

    PERFORM enroll.check_offer_fields(n);
    IF n.handler_params IS DISTINCT FROM o.handler_params AND n.handler_params IS NOT NULL THEN
        PERFORM enroll.check_handler_params(n.code, n.handler_params,
            (SELECT c.shortname FROM enroll.course c WHERE c.id OPERATOR(pg_catalog.=) n.course_id));
    END IF;
    IF n.price OPERATOR(pg_catalog.>) 0 AND n.required_level OPERATOR(pg_catalog.<) 'billing' THEN
        RAISE EXCEPTION 'a paid offer needs required_level "billing" or above' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('The price would be %s %s and required_level "%s". Accepting an offer that costs money needs the billing profile level, so that an invoice can be issued (S2.11).',
                                       n.price, n.currency, n.required_level),
            HINT = 'Pass required_level => ''billing'' as well.';
    END IF;
    -- a cap below the acceptances already made is refused by the trigger
    -- offer_cap_count (22023), under the offer's lock taken above
    -- S2.4 (validity edits) is the trigger offer_validity_guard's, for every UPDATE

    IF pg_catalog.to_jsonb(n) OPERATOR(pg_catalog.=) pg_catalog.to_jsonb(o) THEN
        RETURN o;                       -- nothing changes: nothing written, nothing logged
    END IF;

    UPDATE enroll.offer x
       SET title = n.title, price = n.price, currency = n.currency,
           valid_from = n.valid_from, valid_until = n.valid_until,
           required_level = n.required_level, extra_condition = n.extra_condition,
           access_period = n.access_period, documents_grace = n.documents_grace,
           seats = n.seats, handler_params = n.handler_params, max_acceptances = n.max_acceptances
     WHERE x.id OPERATOR(pg_catalog.=) o.id
    RETURNING x.* INTO n;

    SELECT pg_catalog.jsonb_object_agg(a.key, pg_catalog.jsonb_build_object('old', b.value, 'new', a.value) ORDER BY a.key)
      INTO changes
      FROM pg_catalog.jsonb_each(pg_catalog.to_jsonb(n)) a
      JOIN pg_catalog.jsonb_each(pg_catalog.to_jsonb(o)) b ON b.key OPERATOR(pg_catalog.=) a.key
     WHERE a.value OPERATOR(pg_catalog.<>) b.value;
    PERFORM enroll.log_event('offer.update', 'offer', n.id,
                             pg_catalog.jsonb_build_object('code', n.code, 'changes', changes));
    RETURN n;
END
$fn$;
COMMENT ON FUNCTION enroll.update_offer(bigint, text, numeric, text, timestamptz, timestamptz, enroll.profile_level, text, interval, interval, integer, text, integer) IS
  'Admins: edits an offer. NULL leaves a field unchanged; extra_condition => '''' (or handler_params => '''') removes it, max_acceptances => 0 removes the acceptance cap; a cap below the acceptances already made is refused (22023). The new values obey create_offer''s rules (22023). Validity edits obey S2.4 through the trigger offer_validity_guard (PE008). The event lists each changed field with its old and new value; a call that changes nothing writes nothing. Unknown offer: PE015.';

CREATE FUNCTION enroll.add_offer_recipient(offer bigint, account bigint DEFAULT NULL, organization bigint DEFAULT NULL)
RETURNS enroll.offer_recipient
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    o enroll.offer;
    r enroll.offer_recipient;
    kind enroll.holder_kind;
BEGIN
    PERFORM enroll.require_admin('address private offers');
    IF add_offer_recipient.offer IS NULL THEN
        RAISE EXCEPTION 'offer must not be null' USING ERRCODE = '22004';
    END IF;
    IF (add_offer_recipient.account IS NULL) OPERATOR(pg_catalog.=) (add_offer_recipient.organization IS NULL) THEN
        RAISE EXCEPTION 'name exactly one addressee: an account or an organization' USING ERRCODE = '22023',
            HINT = 'Call enroll.add_offer_recipient once per addressee, with account => ... or organization => ....';
    END IF;
    kind := CASE WHEN add_offer_recipient.account IS NOT NULL THEN 'person' ELSE 'organization' END;

    -- FOR KEY SHARE: visibility and recipient_kind cannot change under us
    SELECT x.* INTO o FROM enroll.offer x WHERE x.id OPERATOR(pg_catalog.=) add_offer_recipient.offer FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'offer % does not exist', add_offer_recipient.offer USING ERRCODE = 'PE015';
    END IF;
    IF o.visibility OPERATOR(pg_catalog.<>) 'private' THEN
        RAISE EXCEPTION 'offer "%" is public: it has no addressees', o.code USING ERRCODE = '22023',
            DETAIL = 'A public offer is the same for everyone (S2.6); only private offers are addressed to given parties (S2.7).',
            HINT = 'Create a private offer (visibility => ''private'') for these addressees.';
    END IF;
    IF o.recipient_kind OPERATOR(pg_catalog.<>) kind THEN
        RAISE EXCEPTION 'offer "%" is addressed to %, not to %', o.code,
              CASE o.recipient_kind WHEN 'person' THEN 'persons' ELSE 'organizations' END,
              CASE kind WHEN 'person' THEN 'persons' ELSE 'organizations' END
            USING ERRCODE = 'PE010',
            DETAIL = 'One offer''s addressees are always all of one kind (S2.7).',
            HINT = CASE o.recipient_kind WHEN 'person' THEN 'Name an account (account => ...).'
                                         ELSE 'Name an organization (organization => ...).' END;
    END IF;
    IF add_offer_recipient.account IS NOT NULL AND NOT EXISTS
        (SELECT FROM enroll.account a WHERE a.id OPERATOR(pg_catalog.=) add_offer_recipient.account) THEN
        RAISE EXCEPTION 'account % does not exist', add_offer_recipient.account USING ERRCODE = 'PE013';
    END IF;
    IF add_offer_recipient.organization IS NOT NULL AND NOT EXISTS
        (SELECT FROM enroll.organization g WHERE g.id OPERATOR(pg_catalog.=) add_offer_recipient.organization) THEN
        RAISE EXCEPTION 'organization % does not exist', add_offer_recipient.organization USING ERRCODE = 'PE016';
    END IF;

    -- an addressee already named: the existing row, no second event
    INSERT INTO enroll.offer_recipient AS t (offer_id, offer_visibility, recipient_kind, account_id, organization_id)
        VALUES (o.id, 'private', kind, add_offer_recipient.account, add_offer_recipient.organization)
        ON CONFLICT DO NOTHING
        RETURNING t.* INTO r;
    IF NOT FOUND THEN
        SELECT t.* INTO STRICT r FROM enroll.offer_recipient t
         WHERE t.offer_id OPERATOR(pg_catalog.=) o.id
           AND (t.account_id OPERATOR(pg_catalog.=) add_offer_recipient.account
                OR t.organization_id OPERATOR(pg_catalog.=) add_offer_recipient.organization);
        RETURN r;
    END IF;
    PERFORM enroll.log_event('offer.add_recipient', 'offer_recipient', r.id,
                             pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                                 'offer', o.code, 'account_id', r.account_id, 'organization_id', r.organization_id)),
                             r.account_id);
    RETURN r;
END
$fn$;
COMMENT ON FUNCTION enroll.add_offer_recipient(bigint, bigint, bigint) IS
  'Admins: addresses a private offer to an account or an organization (exactly one), of the offer''s recipient_kind (S2.7; PE010 for the other kind). Naming an existing addressee again returns its row. Unknown offer, account, organization: PE015, PE013, PE016.';

CREATE FUNCTION enroll.add_offer_registrar_type(offer bigint, type_code text)
RETURNS enroll.offer_registrar_type
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    o   enroll.offer;
    tid bigint;
    r   enroll.offer_registrar_type;
BEGIN
    PERFORM enroll.require_admin('restrict offers to organization types');
    IF add_offer_registrar_type.offer IS NULL THEN
        RAISE EXCEPTION 'offer must not be null' USING ERRCODE = '22004';
    ELSIF add_offer_registrar_type.type_code IS NULL THEN
        RAISE EXCEPTION 'organization type must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT x.* INTO o FROM enroll.offer x WHERE x.id OPERATOR(pg_catalog.=) add_offer_registrar_type.offer FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'offer % does not exist', add_offer_registrar_type.offer USING ERRCODE = 'PE015';
    END IF;
    SELECT t.id INTO tid FROM enroll.organization_type t
     WHERE t.code OPERATOR(pg_catalog.=) add_offer_registrar_type.type_code;
    IF tid IS NULL THEN
        RAISE EXCEPTION 'organization type "%" does not exist', enroll.quotable(add_offer_registrar_type.type_code)
            USING ERRCODE = '22023', HINT = 'Create it with enroll.create_organization_type first.';
    END IF;

    -- a type already listed: the existing row, no second event
    INSERT INTO enroll.offer_registrar_type AS t (offer_id, organization_type_id)
        VALUES (o.id, tid)
        ON CONFLICT DO NOTHING
        RETURNING t.* INTO r;
    IF NOT FOUND THEN
        r.offer_id := o.id;
        r.organization_type_id := tid;
        RETURN r;
    END IF;
    PERFORM enroll.log_event('offer.add_registrar_type', 'offer', o.id,
                             pg_catalog.jsonb_build_object('offer', o.code, 'type', add_offer_registrar_type.type_code));
    RETURN r;
END
$fn$;
COMMENT ON FUNCTION enroll.add_offer_registrar_type(bigint, text) IS
  'Admins: narrows an offer''s audience to members of organizations of this type (S2.13, S2.16); the learner then names a registrar organization of one of the listed types (S2.17). Listing a type again returns its row. Unknown type: 22023.';

-------------------------------------------------------------------------------
-- Who sees which offer (S2.6, S2.7)
-------------------------------------------------------------------------------
-- Direct reads: public offers (any state) for every reader, private offers for
-- their addressees, everything for admins.
ALTER TABLE enroll.offer ENABLE ROW LEVEL SECURITY;
CREATE POLICY offer_visible ON enroll.offer FOR SELECT
    USING (visibility OPERATOR(pg_catalog.=) 'public'
           OR (SELECT enroll.acting_as_admin())
           OR enroll.offer_addressed_to_actor(id));
COMMENT ON POLICY offer_visible ON enroll.offer IS
  'Public offers in any state for every reader, private offers for their addressees (S2.7), every offer for system admins.';

-- What the acting account may see and could act on.  Owner rights with a
-- security barrier: the filter below is the whole access rule.
CREATE VIEW enroll.visible_offers WITH (security_barrier) AS
SELECT o.id, o.code, o.title, o.course_id,
       c.shortname AS course_shortname, c.fullname AS course_fullname,
       o.price, o.currency, o.valid_from, o.valid_until,
       enroll.offer_window_state(o.valid_from, o.valid_until, (SELECT enroll.clock_now())) AS state,
       o.visibility, o.recipient_kind, o.required_level, o.extra_condition,
       o.access_period, o.documents_grace, o.seats,
       ARRAY(SELECT t.code
               FROM enroll.offer_registrar_type rt
               JOIN enroll.organization_type t ON t.id OPERATOR(pg_catalog.=) rt.organization_type_id
              WHERE rt.offer_id OPERATOR(pg_catalog.=) o.id
              ORDER BY t.code) AS registrar_types,
       o.max_acceptances,
       (o.max_acceptances OPERATOR(pg_catalog.-) o.acceptances_made)::pg_catalog.int8 AS places_left
  FROM enroll.offer o
  JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) o.course_id
 WHERE (SELECT enroll.acting_as_admin())
    OR (o.valid_from OPERATOR(pg_catalog.<=) (SELECT enroll.clock_now())
        AND o.valid_until OPERATOR(pg_catalog.>) (SELECT enroll.clock_now())
        AND (o.visibility OPERATOR(pg_catalog.=) 'public' OR enroll.offer_addressed_to_actor(o.id)));
COMMENT ON VIEW enroll.visible_offers IS
  'Offers the acting account may see and could act on: active public offers for anyone, anonymous included (S2.6); active private offers for their addressees, persons or current members of an addressed organization (S2.7); every offer in any state for admins. Shows the extra condition''s text before login (S2.21) and the organization types that narrow the audience (S2.13).';
COMMENT ON COLUMN enroll.visible_offers.state IS 'upcoming, active or expired at enroll.clock_now() (S2.3).';
COMMENT ON COLUMN enroll.visible_offers.places_left IS 'For an offer with an acceptance cap (max_acceptances): how many acceptances it can still take; NULL without a cap.';
COMMENT ON COLUMN enroll.visible_offers.registrar_types IS 'Codes of the organization types of which the learner must name a registrar organization (S2.13, S2.17); empty when the offer is open to all.';

-- Privileges of this block (it comes after the script's global REVOKE)
REVOKE ALL ON FUNCTION
    enroll.check_handler_params(text, text, text),
    enroll.check_offer_price(numeric),
    enroll.check_offer_fields(enroll.offer),
    enroll.offer_validity_guard(),
    enroll.offer_cap_count(),
    enroll.offer_window_state(timestamptz, timestamptz, timestamptz),
    enroll.offer_state(bigint),
    enroll.offer_addressed_to_actor(bigint),
    enroll.create_offer(text, text, bigint, numeric, text, timestamptz, timestamptz, interval, enroll.offer_visibility, enroll.holder_kind, enroll.profile_level, text, interval, integer, text, integer),
    enroll.update_offer(bigint, text, numeric, text, timestamptz, timestamptz, enroll.profile_level, text, interval, interval, integer, text, integer),
    enroll.add_offer_recipient(bigint, bigint, bigint),
    enroll.add_offer_registrar_type(bigint, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.offer_window_state(timestamptz, timestamptz, timestamptz) TO PUBLIC;
GRANT EXECUTE ON FUNCTION
    enroll.offer_state(bigint),
    enroll.offer_addressed_to_actor(bigint)
    TO enroll_admin, enroll_app, enroll_reader;
GRANT EXECUTE ON FUNCTION
    enroll.create_offer(text, text, bigint, numeric, text, timestamptz, timestamptz, interval, enroll.offer_visibility, enroll.holder_kind, enroll.profile_level, text, interval, integer, text, integer),
    enroll.update_offer(bigint, text, numeric, text, timestamptz, timestamptz, enroll.profile_level, text, interval, interval, integer, text, integer),
    enroll.add_offer_recipient(bigint, bigint, bigint),
    enroll.add_offer_registrar_type(bigint, text)
    TO enroll_admin, enroll_app;
REVOKE ALL ON enroll.visible_offers FROM PUBLIC;
GRANT SELECT ON enroll.visible_offers TO enroll_admin, enroll_app, enroll_reader;
-- @@offers-end@@

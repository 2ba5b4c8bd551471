-------------------------------------------------------------------------------
-- Tables
-------------------------------------------------------------------------------
CREATE TABLE enroll.organization_type (
    id          bigserial PRIMARY KEY,
    code        text NOT NULL UNIQUE
                CONSTRAINT organization_type_code_format CHECK (code OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_]{0,62}$'),
    name        text NOT NULL CONSTRAINT organization_type_name_not_blank CHECK (NOT enroll.is_blank(name))
                CONSTRAINT organization_type_name_length CHECK (pg_catalog.length(name) OPERATOR(pg_catalog.<=) 200),
    created_at  timestamptz NOT NULL DEFAULT enroll.clock_now()
);
COMMENT ON TABLE enroll.organization_type IS
  'Kinds of registrar organization (school, university, non-profit ...) that narrow an offer''s audience (S2.13, S2.16).';

CREATE TABLE enroll.organization (
    id          bigserial PRIMARY KEY,
    type_id     bigint NOT NULL REFERENCES enroll.organization_type (id),
    name        text NOT NULL CONSTRAINT organization_name_not_blank CHECK (NOT enroll.is_blank(name))
                CONSTRAINT organization_name_length CHECK (pg_catalog.length(name) OPERATOR(pg_catalog.<=) 200),
    created_at  timestamptz NOT NULL DEFAULT enroll.clock_now(),
    join_policy   enroll.join_policy NOT NULL DEFAULT 'open',
    profile_level enroll.profile_level NOT NULL DEFAULT 'default',
    profile       jsonb NOT NULL DEFAULT '{}'
                  CONSTRAINT organization_profile_is_object CHECK (pg_catalog.jsonb_typeof(profile) OPERATOR(pg_catalog.=) 'object')
                  CONSTRAINT organization_profile_size CHECK (pg_catalog.octet_length(profile::text) OPERATOR(pg_catalog.<=) 65536),
    CONSTRAINT organization_level_backed CHECK (enroll.organization_profile_complete(profile_level, profile))
);
CREATE INDEX organization_type_id_idx ON enroll.organization (type_id);
COMMENT ON TABLE enroll.organization IS
  'Registrar organizations (S2.13-S2.17): they register learners; they neither offer nor hold the learner''s license (S2.15).';
COMMENT ON COLUMN enroll.organization.join_policy IS
  'open: a learner joins by themself, also while accepting an offer (S2.17); approval: only an administrator of the organization (or a system admin) adds members, the organization delegates its learners (S2.13).';
COMMENT ON COLUMN enroll.organization.profile_level IS
  'The organization''s own profile level, for organization offers above default (its invoice data, not the accepting admin''s); always backed by complete data (organization_level_backed).';
COMMENT ON COLUMN enroll.organization.profile IS
  'The organization''s invoice data: legal_name, address (street, postal_code, city, country), optional vat_number; set with enroll.upgrade_organization_profile.';

CREATE TABLE enroll.account (
    id            bigserial PRIMARY KEY,
    email         text NOT NULL
                  CONSTRAINT account_email_trimmed CHECK (email OPERATOR(pg_catalog.=) enroll.trim_blank(email))
                  CONSTRAINT account_email_has_at CHECK (pg_catalog.strpos(email, '@') OPERATOR(pg_catalog.>) 1)
                  CONSTRAINT account_email_length CHECK (pg_catalog.octet_length(email) OPERATOR(pg_catalog.<=) 254),
    firstname     text NOT NULL DEFAULT ''
                  CONSTRAINT account_firstname_length CHECK (pg_catalog.length(firstname) OPERATOR(pg_catalog.<=) 200),
    lastname      text NOT NULL DEFAULT ''
                  CONSTRAINT account_lastname_length CHECK (pg_catalog.length(lastname) OPERATOR(pg_catalog.<=) 200),
    profile_level enroll.profile_level NOT NULL DEFAULT 'default',
    profile       jsonb NOT NULL DEFAULT '{}'
                  CONSTRAINT account_profile_is_object CHECK (pg_catalog.jsonb_typeof(profile) OPERATOR(pg_catalog.=) 'object')
                  CONSTRAINT account_profile_size CHECK (pg_catalog.octet_length(profile::text) OPERATOR(pg_catalog.<=) 65536),
    is_admin      boolean NOT NULL DEFAULT false,
    login_role    name UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT enroll.clock_now(),
    erased_at     timestamptz,
    CONSTRAINT account_level_backed CHECK (enroll.profile_complete(profile_level, firstname, lastname, profile)),
    -- an erased account keeps nothing of the person (enroll.erase_account)
    CONSTRAINT account_erased_is_empty CHECK (erased_at IS NULL OR (
        email OPERATOR(pg_catalog.=) ('erased-' OPERATOR(pg_catalog.||) id OPERATOR(pg_catalog.||) '@erased.invalid')
        AND firstname OPERATOR(pg_catalog.=) '' AND lastname OPERATOR(pg_catalog.=) ''
        AND profile OPERATOR(pg_catalog.=) '{}'::jsonb AND login_role IS NULL AND NOT is_admin)),
    -- erased.invalid (RFC 2606: never a real mailbox) is the erased accounts' own
    CONSTRAINT account_erased_domain_reserved CHECK (erased_at IS NOT NULL OR
        pg_catalog.right(enroll.email_key(email), 15) OPERATOR(pg_catalog.<>) '@erased.invalid')
);
CREATE UNIQUE INDEX account_email_key ON enroll.account (enroll.email_key(email));
COMMENT ON TABLE enroll.account IS
  'People. The e-mail address identifies a person (S1.5): unique case- and space-insensitively (index account_email_key).';
COMMENT ON COLUMN enroll.account.login_role IS
  'Database role mapped to this account: enroll.current_account() returns it for that role when no act_as is in force.';
COMMENT ON COLUMN enroll.account.is_admin IS
  'A system administrator acting through the application (S2.8).';
COMMENT ON COLUMN enroll.account.profile IS
  'Profile data supplied for profile levels, a JSON object (S2.11, S2.12). Visible to the account itself and system admins only (enroll.account_profile).';
COMMENT ON COLUMN enroll.account.profile_level IS
  'The level the account''s data supports (S2.11); never above what its data backs (account_level_backed). Visible to the account itself and system admins only.';
COMMENT ON COLUMN enroll.account.erased_at IS
  'Set by enroll.erase_account: the person''s data is gone and the row stays as anonymous history.';

CREATE TABLE enroll.membership (
    id              bigserial PRIMARY KEY,
    account_id      bigint NOT NULL REFERENCES enroll.account (id),
    organization_id bigint NOT NULL REFERENCES enroll.organization (id),
    is_admin        boolean NOT NULL DEFAULT false,
    joined_at       timestamptz NOT NULL DEFAULT enroll.clock_now(),
    left_at         timestamptz,
    CONSTRAINT membership_left_after_joined CHECK (left_at OPERATOR(pg_catalog.>=) joined_at)
);
CREATE UNIQUE INDEX membership_current_key ON enroll.membership (account_id, organization_id) WHERE left_at IS NULL;
CREATE INDEX membership_organization_current_idx ON enroll.membership (organization_id) WHERE left_at IS NULL;
COMMENT ON TABLE enroll.membership IS
  'An account in an organization. At most one current (left_at IS NULL) membership per pair; leaving keeps the row as history (S2.19).';
COMMENT ON COLUMN enroll.membership.is_admin IS
  'An administrator of the organization: accepts organization offers on its behalf (S2.8) and allocates its seats.';

CREATE TABLE enroll.course (
    id          bigserial PRIMARY KEY,
    shortname   text NOT NULL UNIQUE
                CONSTRAINT course_shortname_not_blank CHECK (NOT enroll.is_blank(shortname) AND shortname OPERATOR(pg_catalog.=) enroll.trim_blank(shortname))
                CONSTRAINT course_shortname_length CHECK (pg_catalog.length(shortname) OPERATOR(pg_catalog.<=) 255),
    fullname    text NOT NULL CONSTRAINT course_fullname_not_blank CHECK (NOT enroll.is_blank(fullname))
                CONSTRAINT course_fullname_length CHECK (pg_catalog.length(fullname) OPERATOR(pg_catalog.<=) 500),
    created_at  timestamptz NOT NULL DEFAULT enroll.clock_now()
);
COMMENT ON TABLE enroll.course IS
  'Courses, identified by their short name (S1.2).';

CREATE TABLE enroll.role (
    id          bigserial PRIMARY KEY,
    shortname   text NOT NULL UNIQUE
                CONSTRAINT role_shortname_format CHECK (shortname OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_]{0,62}$'),
    name        text NOT NULL,
    builtin     boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE enroll.role IS
  'Role catalogue. Seeded (builtin): student, teacher, delegated_manager, delegated_user (S1.6, S1.9).';

CREATE TABLE enroll.role_assignment (
    id            bigserial PRIMARY KEY,
    role_id       bigint NOT NULL REFERENCES enroll.role (id),
    account_id    bigint NOT NULL REFERENCES enroll.account (id),
    context_level enroll.context_level NOT NULL,
    context_id    bigint,
    assigned_at   timestamptz NOT NULL DEFAULT enroll.clock_now(),
    assigned_by   bigint REFERENCES enroll.account (id),
    order_ref     text,
    order_id      bigint,
    CONSTRAINT role_assignment_context_id CHECK ((context_level OPERATOR(pg_catalog.=) 'system') OPERATOR(pg_catalog.=) (context_id IS NULL)),
    -- leads with the account (1.2): it serves the account's lookups and the
    -- foreign key, with no separate index on account_id to write
    CONSTRAINT role_assignment_key UNIQUE NULLS NOT DISTINCT (account_id, role_id, context_level, context_id)
);
CREATE INDEX role_assignment_context_idx ON enroll.role_assignment (context_level, context_id);
CREATE INDEX role_assignment_order_idx ON enroll.role_assignment (order_id) WHERE order_id IS NOT NULL;
COMMENT ON TABLE enroll.role_assignment IS
  'A role given to an account in a context. Cross assignments in user contexts tie an operator to the accounts set up for them (S1.6).';
COMMENT ON COLUMN enroll.role_assignment.order_id IS 'The purchase order that gave the role (S1.6 cross roles), while it lasts.';

CREATE TABLE enroll.course_group (
    id          bigserial PRIMARY KEY,
    course_id   bigint NOT NULL REFERENCES enroll.course (id),
    idnumber    text NOT NULL CONSTRAINT course_group_idnumber_not_blank CHECK (NOT enroll.is_blank(idnumber))
                CONSTRAINT course_group_idnumber_length CHECK (pg_catalog.octet_length(idnumber) OPERATOR(pg_catalog.<=) 200),
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT enroll.clock_now(),
    order_id    bigint,
    CONSTRAINT course_group_idnumber_key UNIQUE NULLS NOT DISTINCT (course_id, idnumber, order_id),
    CONSTRAINT course_group_id_course_key UNIQUE (id, course_id),
    CONSTRAINT course_group_order_key UNIQUE (order_id)
);
COMMENT ON TABLE enroll.course_group IS
  'A group of a course; idnumber is the purchase order reference, one group per order (S1.4).';
COMMENT ON COLUMN enroll.course_group.order_id IS
  'The purchase order whose group this is (course_group_order_key: one group per order). Order references are unique per operator, so two operators'' orders with the same reference have two groups.';

CREATE TABLE enroll.group_member (
    group_id    bigint NOT NULL REFERENCES enroll.course_group (id),
    account_id  bigint NOT NULL REFERENCES enroll.account (id),
    added_at    timestamptz NOT NULL DEFAULT enroll.clock_now(),
    given_email     text,
    given_firstname text,
    given_lastname  text,
    seat            text CONSTRAINT group_member_seat_kind CHECK (seat OPERATOR(pg_catalog.=) ANY ('{learner,tutor}'::text[])),
    removed_at      timestamptz,
    removed_reason  text CONSTRAINT group_member_removed_reason_length CHECK (pg_catalog.length(removed_reason) OPERATOR(pg_catalog.<=) 2000),
    PRIMARY KEY (group_id, account_id),
    CONSTRAINT group_member_removed_has_reason CHECK (removed_at IS NOT NULL OR removed_reason IS NULL)
)
-- half-full pages: taking a participant out (removed_at, removed_reason) and
-- erasing what the operator gave then update in place (HOT), without new
-- entries in both indexes; a whole cancelled order of 10,000 people: 71 ms
-- -> 22 ms (scripts/bench).  A member row is written once and changed once.
WITH (fillfactor = 50);
CREATE INDEX group_member_account_idx ON enroll.group_member (account_id);
COMMENT ON TABLE enroll.group_member IS
  'An account in a course group (S1.4). In an order''s group a member is a participant of the order: the seat it takes (S1.3) and the address and names as the operator gave them, which is all the operator sees of the person (enroll.order_participants).';
COMMENT ON COLUMN enroll.group_member.given_firstname IS 'The first name as the operator gave it in the order (erased with the account).';
COMMENT ON COLUMN enroll.group_member.given_lastname IS 'The last name as the operator gave it in the order (erased with the account).';
COMMENT ON COLUMN enroll.group_member.given_email IS 'The address as the operator gave it in the order (erased with the account).';
COMMENT ON COLUMN enroll.group_member.seat IS 'learner or tutor: the kind of seat the participant takes (S1.3: both are bought; refunds of tutor seats are computed from this).';
COMMENT ON COLUMN enroll.group_member.removed_at IS 'Set when the participant was taken out of the order (remove_participant, cancel_order): the seat is free again and a later call of the same order does not bring the person back.';

CREATE TABLE enroll.offer (
    id              bigserial PRIMARY KEY,
    code            text NOT NULL UNIQUE CONSTRAINT offer_code_not_blank CHECK (NOT enroll.is_blank(code))
                    CONSTRAINT offer_code_length CHECK (pg_catalog.length(code) OPERATOR(pg_catalog.<=) 100),
    title           text NOT NULL CONSTRAINT offer_title_not_blank CHECK (NOT enroll.is_blank(title))
                    CONSTRAINT offer_title_length CHECK (pg_catalog.length(title) OPERATOR(pg_catalog.<=) 500),
    course_id       bigint NOT NULL REFERENCES enroll.course (id),
    price           numeric(12,2) NOT NULL CONSTRAINT offer_price_not_negative CHECK (price OPERATOR(pg_catalog.>=) 0)
                    CONSTRAINT offer_price_not_nan CHECK (price OPERATOR(pg_catalog.<>) 'NaN'),
    currency        text NOT NULL CONSTRAINT offer_currency_iso4217 CHECK (currency OPERATOR(pg_catalog.~) '^[A-Z]{3}$'),
    valid_from      timestamptz NOT NULL,
    valid_until     timestamptz NOT NULL,
    visibility      enroll.offer_visibility NOT NULL DEFAULT 'public',
    recipient_kind  enroll.holder_kind NOT NULL DEFAULT 'person',
    required_level  enroll.profile_level NOT NULL DEFAULT 'default',
    extra_condition text CONSTRAINT offer_extra_condition_not_blank CHECK (NOT enroll.is_blank(extra_condition))
                    CONSTRAINT offer_extra_condition_length CHECK (pg_catalog.length(extra_condition) OPERATOR(pg_catalog.<=) 10000),
    access_period   interval NOT NULL CONSTRAINT offer_access_period_positive CHECK (access_period OPERATOR(pg_catalog.>) '0'::interval)
                    CONSTRAINT offer_access_period_bounded CHECK (enroll.period_in_bounds(access_period)),
    documents_grace interval CONSTRAINT offer_documents_grace_positive CHECK (documents_grace OPERATOR(pg_catalog.>) '0'::interval)
                    CONSTRAINT offer_documents_grace_bounded CHECK (enroll.period_in_bounds(documents_grace)),
    seats           integer CONSTRAINT offer_seats_positive CHECK (seats OPERATOR(pg_catalog.>) 0)
                    CONSTRAINT offer_seats_bounded CHECK (seats OPERATOR(pg_catalog.<=) 100000),
    handler_params  text CONSTRAINT offer_handler_params_length CHECK (pg_catalog.octet_length(handler_params) OPERATOR(pg_catalog.<=) 65536),
    created_at      timestamptz NOT NULL DEFAULT enroll.clock_now(),
    max_acceptances integer CONSTRAINT offer_max_acceptances_range CHECK (max_acceptances OPERATOR(pg_catalog.>) 0 AND max_acceptances OPERATOR(pg_catalog.<=) 100000000),
    -- kept by the trigger offer_cap_count and src/acceptance_cap.c
    acceptances_made integer,
    CONSTRAINT offer_places_counted CHECK ((acceptances_made IS NULL) OPERATOR(pg_catalog.=) (max_acceptances IS NULL)),
    CONSTRAINT offer_places_within_cap CHECK (acceptances_made OPERATOR(pg_catalog.>=) 0 AND acceptances_made OPERATOR(pg_catalog.<=) max_acceptances),
    CONSTRAINT offer_window_not_empty CHECK (valid_until OPERATOR(pg_catalog.>) valid_from),
    CONSTRAINT offer_window_finite CHECK (pg_catalog.isfinite(valid_from) AND pg_catalog.isfinite(valid_until)),
    CONSTRAINT offer_paid_needs_billing CHECK (price OPERATOR(pg_catalog.=) 0 OR required_level OPERATOR(pg_catalog.>=) 'billing'),
    CONSTRAINT offer_seats_for_organizations CHECK ((recipient_kind OPERATOR(pg_catalog.=) 'organization') OPERATOR(pg_catalog.=) (seats IS NOT NULL)),
    CONSTRAINT offer_id_course_key UNIQUE (id, course_id),
    CONSTRAINT offer_recipient_target_key UNIQUE (id, visibility, recipient_kind)
);
CREATE INDEX offer_course_idx ON enroll.offer (course_id);
CREATE INDEX offer_window_idx ON enroll.offer (valid_from, valid_until);
COMMENT ON TABLE enroll.offer IS
  'Offers (S2.1): price and currency (S2.2), validity window (S2.3), public or private (S2.6, S2.7), required profile level (S2.11), extra condition (S2.21), access period, documents grace (S2.18), seats for organization offers, session handler parameters (S1.9, S1.11).';
COMMENT ON COLUMN enroll.offer.price IS 'Price including VAT; 0 is a free offer, NaN is refused. A price above 0 needs required_level billing (S2.11).';
COMMENT ON COLUMN enroll.offer.currency IS 'ISO 4217 code, three capital letters.';
COMMENT ON COLUMN enroll.offer.recipient_kind IS 'Who holds the licenses: persons, or organizations (which then allocate seats).';
COMMENT ON COLUMN enroll.offer.extra_condition IS 'Free-text condition the learner must accept (S2.21, S2.22); shown before login. At most 10000 characters.';
COMMENT ON COLUMN enroll.offer.access_period IS 'How long a license from this offer grants access, counted from acceptance (S2.23). Positive, at most 100 years (enroll.period_in_bounds).';
COMMENT ON COLUMN enroll.offer.documents_grace IS 'When set, documents must be validated within this time after acceptance (S2.18). Positive, at most 100 years (enroll.period_in_bounds).';
COMMENT ON COLUMN enroll.offer.handler_params IS 'URL-encoded session setup parameters: coursename, supervisor, customersupport, starttime, endtime (S1.9-S1.11). At most 65536 bytes, the limit of the parser.';
COMMENT ON COLUMN enroll.offer.acceptances_made IS 'With an acceptance cap (max_acceptances): the acceptances made so far, counted against the cap (licenses obtained from the offer, a repeat and each session participant''s included, seats given from an organization license not); NULL without a cap. Kept by the trigger offer_cap_count and by the acceptances themselves; never above the cap (offer_places_within_cap).';

CREATE TABLE enroll.offer_registrar_type (
    offer_id             bigint NOT NULL REFERENCES enroll.offer (id),
    organization_type_id bigint NOT NULL REFERENCES enroll.organization_type (id),
    PRIMARY KEY (offer_id, organization_type_id)
);
CREATE INDEX offer_registrar_type_type_idx ON enroll.offer_registrar_type (organization_type_id);
COMMENT ON TABLE enroll.offer_registrar_type IS
  'Organization types that narrow an offer''s audience (S2.13): when any is listed, the learner must name a registrar organization of one of them (S2.17).';

CREATE TABLE enroll.offer_recipient (
    id               bigserial PRIMARY KEY,
    offer_id         bigint NOT NULL,
    offer_visibility enroll.offer_visibility NOT NULL DEFAULT 'private'
                     CONSTRAINT offer_recipient_private_only CHECK (offer_visibility OPERATOR(pg_catalog.=) 'private'),
    recipient_kind   enroll.holder_kind NOT NULL,
    account_id       bigint REFERENCES enroll.account (id),
    organization_id  bigint REFERENCES enroll.organization (id),
    CONSTRAINT offer_recipient_offer_fkey FOREIGN KEY (offer_id, offer_visibility, recipient_kind)
        REFERENCES enroll.offer (id, visibility, recipient_kind),
    CONSTRAINT offer_recipient_one_kind CHECK (
        (recipient_kind OPERATOR(pg_catalog.=) 'person' AND account_id IS NOT NULL AND organization_id IS NULL) OR
        (recipient_kind OPERATOR(pg_catalog.=) 'organization' AND organization_id IS NOT NULL AND account_id IS NULL)),
    CONSTRAINT offer_recipient_account_key UNIQUE (offer_id, account_id),
    CONSTRAINT offer_recipient_organization_key UNIQUE (offer_id, organization_id)
);
CREATE INDEX offer_recipient_account_idx ON enroll.offer_recipient (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX offer_recipient_organization_idx ON enroll.offer_recipient (organization_id) WHERE organization_id IS NOT NULL;
COMMENT ON TABLE enroll.offer_recipient IS
  'Addressees of a private offer (S2.7): an account XOR an organization, all of the offer''s recipient_kind. The composite foreign key makes both structural: only private offers have addressees, and only of their kind.';

CREATE TABLE enroll.license (
    id                     bigserial PRIMARY KEY,
    offer_id               bigint NOT NULL,
    course_id              bigint NOT NULL,
    holder_kind            enroll.holder_kind NOT NULL,
    account_id             bigint REFERENCES enroll.account (id),
    organization_id        bigint REFERENCES enroll.organization (id),
    accepted_by            bigint REFERENCES enroll.account (id),
    accepted_via           enroll.acceptance_mode NOT NULL,
    accepted_at            timestamptz NOT NULL DEFAULT enroll.clock_now(),
    registrar_org_id       bigint REFERENCES enroll.organization (id),
    accepted_condition     text,
    price_paid             numeric(12,2) NOT NULL,
    currency               text NOT NULL,
    access_from            timestamptz NOT NULL,
    access_until           timestamptz NOT NULL,
    documents_due_at       timestamptz,
    documents_validated_at timestamptz,
    documents_validated_by bigint REFERENCES enroll.account (id),
    seats                  integer,
    parent_license         bigint,
    ended_at               timestamptz,
    end_reason             enroll.license_end_reason,
    end_note               text,
    superseded_by          bigint,
    order_ref              text,
    order_id               bigint,
    CONSTRAINT license_offer_course_fkey FOREIGN KEY (offer_id, course_id) REFERENCES enroll.offer (id, course_id),
    CONSTRAINT license_id_course_key UNIQUE (id, course_id),
    -- deferred: the old license names its successor before the successor is inserted,
    -- because the partial unique index admits the new one only once the old has ended
    CONSTRAINT license_superseded_by_fkey FOREIGN KEY (superseded_by) REFERENCES enroll.license (id)
        DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT license_parent_fkey FOREIGN KEY (parent_license, course_id) REFERENCES enroll.license (id, course_id)
);
-- The row rules of enroll.license, one CHECK constraint calling C
-- (src/license_rules.c) with the whole row: fifteen CHECK expressions, then
-- one call over seventeen columns, were parsed again by every statement
-- writing the table (scripts/bench, issue 15).
CREATE FUNCTION enroll.license_rules(license enroll.license)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'license_rules' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION enroll.license_rules(enroll.license) IS
  'The CHECK constraint license_rules of enroll.license: true, or error 23514 naming the first broken rule, in this order: license_access_window (access_until > access_from), license_currency_iso4217 (three capital letters), license_end_has_reason (an end reason exactly when ended), license_end_note_length (at most 2000 characters), license_one_holder (a person with account_id or an organization with organization_id, as holder_kind says), license_order_ref_length (at most 200 bytes), license_price_not_nan, license_price_not_negative, license_registrar_not_holder (S2.15), license_seat_held_by_person (a seat is held by a person), license_seats_bounded (at most 100,000), license_seats_for_organizations (seats exactly for an organization), license_seats_positive, license_superseded_has_successor (superseded exactly when naming its successor), license_validation_has_due (documents validated only when due). A rule whose SQL reading would be NULL holds, as in a CHECK. It takes the whole row, so that its call is one Var to parse per statement (src/license_rules.c).';
-- fifteen row rules in one C function (license_one_holder, license_access_window ...,
-- listed in its comment)
ALTER TABLE enroll.license ADD CONSTRAINT license_rules CHECK (enroll.license_rules(license));
-- The access check reads the current license from this index alone while
-- its heap page is all-visible, as an index-only scan does
-- (src/access.c, ReadCurrentLicense): INCLUDE carries every column it reads, so
-- the check at 10^6 licenses does not read a heap page (scripts/bench's
-- flatness row).  ended_at is always NULL here; the check reads it again.
CREATE UNIQUE INDEX license_current_person_key ON enroll.license (account_id, course_id)
    INCLUDE (id, ended_at, access_from, access_until, parent_license, registrar_org_id,
             documents_due_at, documents_validated_at)
    WHERE ended_at IS NULL AND account_id IS NOT NULL;
CREATE UNIQUE INDEX license_current_organization_key ON enroll.license (organization_id, course_id)
    WHERE ended_at IS NULL AND organization_id IS NOT NULL;
CREATE INDEX license_account_idx ON enroll.license (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX license_organization_idx ON enroll.license (organization_id) WHERE organization_id IS NOT NULL;
CREATE INDEX license_parent_idx ON enroll.license (parent_license) WHERE parent_license IS NOT NULL;
-- No btree on offer_id (1.2): an acceptance wrote two entries in it (the new
-- license, the superseded one's new version) for readers that are rare --
-- setting a cap on an accepted offer counts its licenses once, reports and
-- check_invariants aggregate over all licenses.  A shortened validity
-- window's "latest acceptance" (S2.4) only looks for licenses accepted at
-- or after the new end, which is never before now: this BRIN finds those
-- few pages (src/offers.c).
CREATE INDEX license_accepted_at_idx ON enroll.license USING brin (accepted_at);
CREATE INDEX license_registrar_idx ON enroll.license (registrar_org_id) WHERE registrar_org_id IS NOT NULL;
-- An order's licenses, for taking its participants out (src/orders.c): those
-- it may still end and the superseded ones, not those a cancellation, a
-- removal or a revocation ended -- nothing reads those by order, and ending
-- the 10,000 licenses of a cancelled order then writes one index entry fewer
-- each (scripts/bench's cancel row).
CREATE INDEX license_order_idx ON enroll.license (order_id)
    WHERE order_id IS NOT NULL
      AND (end_reason IS NULL OR end_reason OPERATOR(pg_catalog.=) 'superseded'::enroll.license_end_reason);
CREATE INDEX license_superseded_by_idx ON enroll.license (superseded_by) WHERE superseded_by IS NOT NULL;
COMMENT ON TABLE enroll.license IS
  'Licenses, obtained by accepting an active offer (S2.5). At most one current license per holder and course (partial unique indexes license_current_*_key): a new one supersedes the old, access times never add up (S2.23).';
COMMENT ON COLUMN enroll.license.registrar_org_id IS 'The registrar organization named at acceptance (S2.14, S2.17); never the holder (S2.15).';
COMMENT ON COLUMN enroll.license.accepted_condition IS 'The offer''s extra condition text exactly as accepted (S2.21, S2.22).';
COMMENT ON COLUMN enroll.license.parent_license IS 'For a seat: the organization license it was allocated from.';
COMMENT ON COLUMN enroll.license.seats IS 'For an organization license: how many seats were bought.';
COMMENT ON COLUMN enroll.license.documents_due_at IS 'Documents must be validated by then, or access stops (S2.18). A license that supersedes one of the same course and registrar with an unmet deadline keeps that earlier deadline.';
COMMENT ON COLUMN enroll.license.ended_at IS 'When the license stopped or stops being the holder''s: now, or, when a license that starts later superseded it, the instant the successor starts (it gives access until then).';
COMMENT ON COLUMN enroll.license.superseded_by IS 'The license that superseded this one (S2.23); license_superseded_by_idx finds the predecessor of a license.';
COMMENT ON COLUMN enroll.license.order_id IS 'The purchase order that created the license (session participants).';
COMMENT ON COLUMN enroll.license.order_ref IS 'The order reference of a session license as the operator gave it (S1.4), for reading; order_id is the link.';
COMMENT ON COLUMN enroll.license.end_note IS 'Why the license ended, as the person who ended it wrote it (revoke_license, release_seat, cancel_order, remove_participant reasons; at most 2000 characters).';
-- What a function that grants a license returns: the license that gives the
-- holder access after the call (the new one, or the one they kept) and what
-- happened to them, in a word an application can show (consent rule, 1.2).
-- The columns are enroll.license's, in order, then outcome (a test keeps
-- them in step).
CREATE TYPE enroll.license_grant AS (
    id                     bigint,
    offer_id               bigint,
    course_id              bigint,
    holder_kind            enroll.holder_kind,
    account_id             bigint,
    organization_id        bigint,
    accepted_by            bigint,
    accepted_via           enroll.acceptance_mode,
    accepted_at            timestamptz,
    registrar_org_id       bigint,
    accepted_condition     text,
    price_paid             numeric(12,2),
    currency               text,
    access_from            timestamptz,
    access_until           timestamptz,
    documents_due_at       timestamptz,
    documents_validated_at timestamptz,
    documents_validated_by bigint,
    seats                  integer,
    parent_license         bigint,
    ended_at               timestamptz,
    end_reason             enroll.license_end_reason,
    end_note               text,
    superseded_by          bigint,
    order_ref              text,
    order_id               bigint,
    outcome                text
);
COMMENT ON TYPE enroll.license_grant IS
  'Result of accept_offer and allocate_seat: the license that gives the holder access after the call, and outcome: granted (there was none), replaced (the current license ended now), follows (the current license gives access until this one starts), kept (someone else''s offer would not have given more: the holder keeps their license, returned here, and no license was created).';


CREATE TABLE enroll.enrollment (
    id          bigserial PRIMARY KEY,
    course_id   bigint NOT NULL REFERENCES enroll.course (id),
    account_id  bigint NOT NULL REFERENCES enroll.account (id),
    role_id     bigint NOT NULL REFERENCES enroll.role (id),
    group_id    bigint,
    time_start  timestamptz,
    time_end    timestamptz,
    order_ref   text,
    license_id  bigint,
    created_at  timestamptz NOT NULL DEFAULT enroll.clock_now(),
    order_id    bigint,
    via_license bigint,
    CONSTRAINT enrollment_course_account_key UNIQUE (course_id, account_id),
    CONSTRAINT enrollment_group_fkey FOREIGN KEY (group_id, course_id) REFERENCES enroll.course_group (id, course_id),
    CONSTRAINT enrollment_license_fkey FOREIGN KEY (license_id, course_id) REFERENCES enroll.license (id, course_id),
    CONSTRAINT enrollment_time_window CHECK (time_end OPERATOR(pg_catalog.>) time_start),
    CONSTRAINT enrollment_via_license_fkey FOREIGN KEY (via_license) REFERENCES enroll.license (id),
    CONSTRAINT enrollment_one_license CHECK (license_id IS NULL OR via_license IS NULL)
);
CREATE INDEX enrollment_account_idx ON enroll.enrollment (account_id);
CREATE INDEX enrollment_license_idx ON enroll.enrollment (license_id) WHERE license_id IS NOT NULL;
CREATE INDEX enrollment_via_license_idx ON enroll.enrollment (via_license) WHERE via_license IS NOT NULL;
CREATE INDEX enrollment_order_idx ON enroll.enrollment (order_id) WHERE order_id IS NOT NULL;
-- no index on group_id: nothing reads enrollments by group, and a group is never
-- deleted (the foreign key's check from course_group would scan)
COMMENT ON TABLE enroll.enrollment IS
  'An account enrolled in a course with a role, optionally in a group of that course (composite foreign key) and backed by a license of that course.';
COMMENT ON COLUMN enroll.enrollment.license_id IS 'The license of the course that gives access; kept pointing at the holder''s current license when a newer one supersedes it. time_start/time_end are its access window.';
COMMENT ON COLUMN enroll.enrollment.via_license IS 'For a support-course enrollment (S1.7): the license of the session''s course through which the participant reaches it (the order''s license, or the person''s own when it was kept or has superseded it); the support course is accessible exactly while that license gives access to the session''s course.';
COMMENT ON COLUMN enroll.enrollment.order_id IS 'The purchase order the enrollment comes from.';
COMMENT ON COLUMN enroll.enrollment.order_ref IS 'The order reference of a session enrollment as the operator gave it, for reading; order_id is the link.';

CREATE TABLE enroll.purchase_order (
    id          bigserial PRIMARY KEY,
    order_ref   text NOT NULL CONSTRAINT purchase_order_ref_not_blank CHECK (NOT enroll.is_blank(order_ref))
                CONSTRAINT purchase_order_ref_length CHECK (pg_catalog.octet_length(order_ref) OPERATOR(pg_catalog.<=) 200),
    operator_id bigint NOT NULL REFERENCES enroll.account (id),
    offer_id    bigint NOT NULL REFERENCES enroll.offer (id),
    seats       integer NOT NULL CONSTRAINT purchase_order_seats_positive CHECK (seats OPERATOR(pg_catalog.>) 0)
                CONSTRAINT purchase_order_seats_bounded CHECK (seats OPERATOR(pg_catalog.<=) 100000),
    status      enroll.order_status NOT NULL DEFAULT 'completed',
    request     jsonb NOT NULL,
    report      jsonb,
    created_at  timestamptz NOT NULL DEFAULT enroll.clock_now(),
    updated_at  timestamptz NOT NULL DEFAULT enroll.clock_now(),
    cancelled_at  timestamptz,
    cancel_reason text CONSTRAINT purchase_order_cancel_reason_length CHECK (pg_catalog.length(cancel_reason) OPERATOR(pg_catalog.<=) 2000),
    CONSTRAINT purchase_order_operator_ref_key UNIQUE (operator_id, order_ref),
    -- status as text: the upgrade adds the enum value in the same transaction
    CONSTRAINT purchase_order_cancelled CHECK ((status::text OPERATOR(pg_catalog.=) 'cancelled') OPERATOR(pg_catalog.=) (cancelled_at IS NOT NULL))
);
CREATE INDEX purchase_order_offer_idx ON enroll.purchase_order (offer_id);
COMMENT ON TABLE enroll.purchase_order IS
  'Session purchases (S1): one row per operator and order reference (an operator cannot take, block or see another operator''s reference), the request as received (without personal data) and the report; the key of idempotent setup (S1.4).';
COMMENT ON COLUMN enroll.purchase_order.request IS 'The call as received, without personal data: the participants are counted and digested, their addresses and names live in the group''s members (erasable).';
COMMENT ON COLUMN enroll.purchase_order.report IS 'The operator''s view of the last setup''s report (what a repeat of the call answers with status already_done; erase_account scrubs the addresses in it).';

-- the orders behind licenses, enrollments, role assignments and groups
ALTER TABLE enroll.license ADD CONSTRAINT license_order_fkey FOREIGN KEY (order_id) REFERENCES enroll.purchase_order (id);
ALTER TABLE enroll.enrollment ADD CONSTRAINT enrollment_order_fkey FOREIGN KEY (order_id) REFERENCES enroll.purchase_order (id);
ALTER TABLE enroll.role_assignment ADD CONSTRAINT role_assignment_order_fkey FOREIGN KEY (order_id) REFERENCES enroll.purchase_order (id);
ALTER TABLE enroll.course_group ADD CONSTRAINT course_group_order_fkey FOREIGN KEY (order_id) REFERENCES enroll.purchase_order (id);

CREATE TABLE enroll.event (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL,
    logged_at   timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    account_id  bigint,
    db_role     text NOT NULL,
    what        text NOT NULL CONSTRAINT event_what_format CHECK (what OPERATOR(pg_catalog.~) '^[a-z_]+(\.[a-z_]+)+$'),
    table_name  text,
    row_id      bigint,
    details     jsonb,
    xid         xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
    digest      bytea NOT NULL,
    subject_account bigint
);
-- the indexes the readers of the log use (1.2): a person's events (the policy
-- event_self's two arms) and the order of events_since and the seal; no index
-- on the row (nothing of the extension reads the log by row, and every index
-- costs each event written)
CREATE INDEX event_account_idx ON enroll.event (account_id) WHERE subject_account IS NULL AND account_id IS NOT NULL;
CREATE INDEX event_subject_idx ON enroll.event (subject_account) WHERE subject_account IS NOT NULL;
CREATE INDEX event_chain_idx ON enroll.event (xid, id);
COMMENT ON TABLE enroll.event IS
  'Append-only audit log: when (rule clock and wall clock), acting account, database role, what, which row, about whom, details. UPDATE, DELETE and TRUNCATE are refused (PE012); each insert is announced by NOTIFY enroll_events; enroll.seal_audit_log() chains finished events into enroll.audit_chain.';
COMMENT ON COLUMN enroll.event.what IS 'What happened: subject.verb, e.g. license.accept, session.participant, account.erase.';
COMMENT ON COLUMN enroll.event.details IS 'What the event needs beyond its row: ids, counts, states, reasons typed by administrators; never an address or a name.';
COMMENT ON COLUMN enroll.event.account_id IS 'The acting account, kept by value: the log outlives what it describes.';
COMMENT ON COLUMN enroll.event.db_role IS 'The session role that called (not the owner of a security-definer function).';
COMMENT ON COLUMN enroll.event.xid IS
  'The top-level id of the transaction that wrote the event. The audit chain and enroll.events_since() order events by (xid, id) and take only those whose transaction has ended.';
COMMENT ON COLUMN enroll.event.digest IS
  'enroll.event_digest() of the row as inserted: a mismatch means the row was changed (check_invariants).';
COMMENT ON COLUMN enroll.event.subject_account IS
  'The person the event is about, when it is about one (kept by value, no foreign key: the log outlives what it describes). That person reads the event through row-level security.';


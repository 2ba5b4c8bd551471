/* pg_enroll--1.0.sql: the 1.0 install script.  Frozen once released:
 * changes go into pg_enroll--1.0--1.1.sql and later. */

\echo Use "CREATE EXTENSION pg_enroll" to load this file. \quit

-------------------------------------------------------------------------------
-- Roles.  Database roles are cluster-wide: they are created when missing,
-- shared by every database that installs pg_enroll, and DROP EXTENSION leaves
-- them in place (README: "Roles").
-------------------------------------------------------------------------------
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'enroll_admin') THEN
        CREATE ROLE enroll_admin NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'enroll_app') THEN
        CREATE ROLE enroll_app NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'enroll_reader') THEN
        CREATE ROLE enroll_reader NOLOGIN;
    END IF;
END
$roles$;

GRANT USAGE ON SCHEMA enroll TO enroll_admin, enroll_app, enroll_reader;

-------------------------------------------------------------------------------
-- Types
-------------------------------------------------------------------------------
CREATE TYPE enroll.profile_level AS ENUM ('default', 'billing');
COMMENT ON TYPE enroll.profile_level IS
  'Ordered profile levels (S2.11): default < billing. A paid offer needs billing.';

CREATE TYPE enroll.context_level AS ENUM ('system', 'organization', 'course', 'group', 'user');
COMMENT ON TYPE enroll.context_level IS
  'Where a role assignment applies; system has no context_id, the others name a row.';

CREATE TYPE enroll.offer_visibility AS ENUM ('public', 'private');
COMMENT ON TYPE enroll.offer_visibility IS
  'public: seen by anyone, even anonymous (S2.6); private: only its addressees and admins (S2.7).';

CREATE TYPE enroll.holder_kind AS ENUM ('person', 'organization');
COMMENT ON TYPE enroll.holder_kind IS
  'Who an offer is for and who holds a license: a person (account) or an organization (S2.7, S2.8).';

CREATE TYPE enroll.acceptance_mode AS ENUM ('self', 'admin', 'org_admin', 'operator');
COMMENT ON TYPE enroll.acceptance_mode IS
  'How a license was accepted: by the learner, by a system admin on their behalf, by an organization admin, by a session operator (S1, S2.8).';

CREATE TYPE enroll.license_end_reason AS ENUM ('superseded', 'revoked');
COMMENT ON TYPE enroll.license_end_reason IS
  'Why a license ended early: superseded by a newer one for the same course (S2.23) or revoked by an admin.';

CREATE TYPE enroll.order_status AS ENUM ('completed');
COMMENT ON TYPE enroll.order_status IS
  'State of a purchase order. Setup is all or nothing (S1.1), so a stored order is always completed.';

-------------------------------------------------------------------------------
-- C functions: clock and identity
-------------------------------------------------------------------------------
CREATE FUNCTION enroll.clock_now() RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'clock_now' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION enroll.clock_now() IS
  'The instant every rule reads: the superuser-only GUC enroll.clock when set, else transaction_timestamp().';

CREATE FUNCTION enroll.act_as(account bigint) RETURNS void
    AS 'MODULE_PATHNAME', 'act_as' LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE;
COMMENT ON FUNCTION enroll.act_as(bigint) IS
  'The application (a member of enroll_app) says which account it acts for, until the end of the transaction. Others get 42501.';

CREATE FUNCTION enroll.current_account() RETURNS bigint
    AS 'MODULE_PATHNAME', 'current_account' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION enroll.current_account() IS
  'The acting account: set by act_as in this transaction, else the account whose login_role is the session role, else NULL (anonymous).';

CREATE FUNCTION enroll.acting_as_admin() RETURNS boolean
    AS 'MODULE_PATHNAME', 'acting_as_admin' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION enroll.acting_as_admin() IS
  'True when the actor is a system administrator: the session role has enroll_admin privileges, or the acting account has is_admin.';

CREATE FUNCTION enroll.require_admin(action text) RETURNS void
    AS 'MODULE_PATHNAME', 'require_admin' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION enroll.require_admin(text) IS
  'Raises 42501 naming the action unless the actor is a system administrator. Internal helper of the extension''s functions.';

CREATE FUNCTION enroll.email_key(email text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN pg_catalog.lower(pg_catalog.btrim(email COLLATE "C", E' \t\r\n\f\x0b'));
COMMENT ON FUNCTION enroll.email_key(text) IS
  'Uniqueness key of an e-mail address (S1.5): trimmed and ASCII lower-cased, independent of the database collation.';

CREATE FUNCTION enroll.normalize_email(email text) RETURNS text
    AS 'MODULE_PATHNAME', 'normalize_email' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION enroll.normalize_email(text) IS
  'The stored form of an e-mail address (trimmed, domain lower-cased) after RFC 5321/5322 validation by the pure C normalizer; 22023 naming the problem otherwise. The one validation every stored address goes through (S1.5).';

-- Messages quote user-supplied text through this, so that an error never
-- echoes a value of unbounded length (the C side's EnrollQuotable).
CREATE FUNCTION enroll.quotable(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN CASE WHEN pg_catalog.length(value) OPERATOR(pg_catalog.>) 64
                THEN pg_catalog.left(value, 64) OPERATOR(pg_catalog.||) '...'
                ELSE value END;
COMMENT ON FUNCTION enroll.quotable(text) IS
  'A user-supplied value short enough to quote in an error message: at most 64 characters, "..." appended when cut. Internal helper.';

-- The bound of access periods and documents graces: whatever its parts,
-- clock_now() + period can always be computed (no timestamp overflow).
CREATE FUNCTION enroll.period_in_bounds(period interval) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN period OPERATOR(pg_catalog.<=) '100 years'::interval
       AND pg_catalog.abs(EXTRACT(year FROM period) OPERATOR(pg_catalog.*) 12
                          OPERATOR(pg_catalog.+) EXTRACT(month FROM period)) OPERATOR(pg_catalog.<=) 1200
       AND pg_catalog.abs(EXTRACT(day FROM period)) OPERATOR(pg_catalog.<=) 36525
       AND pg_catalog.abs(EXTRACT(epoch FROM period OPERATOR(pg_catalog.-) pg_catalog.date_trunc('day', period)))
           OPERATOR(pg_catalog.<=) 3155760000;
COMMENT ON FUNCTION enroll.period_in_bounds(interval) IS
  'True when a period is at most 100 years and none of its parts (months, days, time) exceeds 100 years on its own, so that adding it to any instant of this era cannot overflow. Used by the CHECK constraints on offer.access_period and offer.documents_grace.';

-------------------------------------------------------------------------------
-- Tables
-------------------------------------------------------------------------------
CREATE TABLE enroll.organization_type (
    id          bigserial PRIMARY KEY,
    code        text NOT NULL UNIQUE
                CONSTRAINT organization_type_code_format CHECK (code OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_]{0,62}$'),
    name        text NOT NULL CONSTRAINT organization_type_name_not_blank CHECK (pg_catalog.btrim(name, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.<>) '')
                CONSTRAINT organization_type_name_length CHECK (pg_catalog.length(name) OPERATOR(pg_catalog.<=) 200),
    created_at  timestamptz NOT NULL DEFAULT enroll.clock_now()
);
COMMENT ON TABLE enroll.organization_type IS
  'Kinds of registrar organization (school, university, non-profit ...) that narrow an offer''s audience (S2.13, S2.16).';

CREATE TABLE enroll.organization (
    id          bigserial PRIMARY KEY,
    type_id     bigint NOT NULL REFERENCES enroll.organization_type (id),
    name        text NOT NULL CONSTRAINT organization_name_not_blank CHECK (pg_catalog.btrim(name, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.<>) '')
                CONSTRAINT organization_name_length CHECK (pg_catalog.length(name) OPERATOR(pg_catalog.<=) 200),
    created_at  timestamptz NOT NULL DEFAULT enroll.clock_now()
);
CREATE INDEX organization_type_id_idx ON enroll.organization (type_id);
COMMENT ON TABLE enroll.organization IS
  'Registrar organizations (S2.13-S2.17): they register learners; they neither offer nor hold the learner''s license (S2.15).';

CREATE TABLE enroll.account (
    id            bigserial PRIMARY KEY,
    email         text NOT NULL
                  CONSTRAINT account_email_trimmed CHECK (email OPERATOR(pg_catalog.=) pg_catalog.btrim(email, E' \t\r\n\f\x0b'))
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
    created_at    timestamptz NOT NULL DEFAULT enroll.clock_now()
);
CREATE UNIQUE INDEX account_email_key ON enroll.account (enroll.email_key(email));
COMMENT ON TABLE enroll.account IS
  'People. The e-mail address identifies a person (S1.5): unique case- and space-insensitively (index account_email_key).';
COMMENT ON COLUMN enroll.account.login_role IS
  'Database role mapped to this account: enroll.current_account() returns it for that role when no act_as is in force.';
COMMENT ON COLUMN enroll.account.is_admin IS
  'A system administrator acting through the application (S2.8).';
COMMENT ON COLUMN enroll.account.profile IS
  'Profile data supplied for profile levels, a JSON object (S2.11, S2.12).';

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
                CONSTRAINT course_shortname_not_blank CHECK (pg_catalog.btrim(shortname, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.<>) '' AND shortname OPERATOR(pg_catalog.=) pg_catalog.btrim(shortname, E' \t\r\n\f\x0b'))
                CONSTRAINT course_shortname_length CHECK (pg_catalog.length(shortname) OPERATOR(pg_catalog.<=) 255),
    fullname    text NOT NULL CONSTRAINT course_fullname_not_blank CHECK (pg_catalog.btrim(fullname, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.<>) '')
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
    CONSTRAINT role_assignment_context_id CHECK ((context_level OPERATOR(pg_catalog.=) 'system') OPERATOR(pg_catalog.=) (context_id IS NULL)),
    CONSTRAINT role_assignment_key UNIQUE NULLS NOT DISTINCT (role_id, account_id, context_level, context_id)
);
CREATE INDEX role_assignment_account_idx ON enroll.role_assignment (account_id);
CREATE INDEX role_assignment_context_idx ON enroll.role_assignment (context_level, context_id);
COMMENT ON TABLE enroll.role_assignment IS
  'A role given to an account in a context. Cross assignments in user contexts tie an operator to the accounts set up for them (S1.6).';

CREATE TABLE enroll.course_group (
    id          bigserial PRIMARY KEY,
    course_id   bigint NOT NULL REFERENCES enroll.course (id),
    idnumber    text NOT NULL CONSTRAINT course_group_idnumber_not_blank CHECK (pg_catalog.btrim(idnumber, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.<>) '')
                CONSTRAINT course_group_idnumber_length CHECK (pg_catalog.octet_length(idnumber) OPERATOR(pg_catalog.<=) 200),
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT enroll.clock_now(),
    CONSTRAINT course_group_idnumber_key UNIQUE (course_id, idnumber),
    CONSTRAINT course_group_id_course_key UNIQUE (id, course_id)
);
COMMENT ON TABLE enroll.course_group IS
  'A group of a course; idnumber is the purchase order reference, one group per order (S1.4).';

CREATE TABLE enroll.group_member (
    group_id    bigint NOT NULL REFERENCES enroll.course_group (id),
    account_id  bigint NOT NULL REFERENCES enroll.account (id),
    added_at    timestamptz NOT NULL DEFAULT enroll.clock_now(),
    PRIMARY KEY (group_id, account_id)
);
CREATE INDEX group_member_account_idx ON enroll.group_member (account_id);
COMMENT ON TABLE enroll.group_member IS 'An account in a course group (S1.4).';

CREATE TABLE enroll.offer (
    id              bigserial PRIMARY KEY,
    code            text NOT NULL UNIQUE CONSTRAINT offer_code_not_blank CHECK (pg_catalog.btrim(code, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.<>) '')
                    CONSTRAINT offer_code_length CHECK (pg_catalog.length(code) OPERATOR(pg_catalog.<=) 100),
    title           text NOT NULL CONSTRAINT offer_title_not_blank CHECK (pg_catalog.btrim(title, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.<>) '')
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
    extra_condition text CONSTRAINT offer_extra_condition_not_blank CHECK (pg_catalog.btrim(extra_condition, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.<>) '')
                    CONSTRAINT offer_extra_condition_length CHECK (pg_catalog.length(extra_condition) OPERATOR(pg_catalog.<=) 10000),
    access_period   interval NOT NULL CONSTRAINT offer_access_period_positive CHECK (access_period OPERATOR(pg_catalog.>) '0'::interval)
                    CONSTRAINT offer_access_period_bounded CHECK (enroll.period_in_bounds(access_period)),
    documents_grace interval CONSTRAINT offer_documents_grace_positive CHECK (documents_grace OPERATOR(pg_catalog.>) '0'::interval)
                    CONSTRAINT offer_documents_grace_bounded CHECK (enroll.period_in_bounds(documents_grace)),
    seats           integer CONSTRAINT offer_seats_positive CHECK (seats OPERATOR(pg_catalog.>) 0),
    handler_params  text CONSTRAINT offer_handler_params_length CHECK (pg_catalog.octet_length(handler_params) OPERATOR(pg_catalog.<=) 65536),
    created_at      timestamptz NOT NULL DEFAULT enroll.clock_now(),
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
    price_paid             numeric(12,2) NOT NULL CONSTRAINT license_price_not_negative CHECK (price_paid OPERATOR(pg_catalog.>=) 0)
                           CONSTRAINT license_price_not_nan CHECK (price_paid OPERATOR(pg_catalog.<>) 'NaN'),
    currency               text NOT NULL CONSTRAINT license_currency_iso4217 CHECK (currency OPERATOR(pg_catalog.~) '^[A-Z]{3}$'),
    access_from            timestamptz NOT NULL,
    access_until           timestamptz NOT NULL,
    documents_due_at       timestamptz,
    documents_validated_at timestamptz,
    documents_validated_by bigint REFERENCES enroll.account (id),
    seats                  integer CONSTRAINT license_seats_positive CHECK (seats OPERATOR(pg_catalog.>) 0),
    parent_license         bigint,
    ended_at               timestamptz,
    end_reason             enroll.license_end_reason,
    end_note               text CONSTRAINT license_end_note_length CHECK (pg_catalog.length(end_note) OPERATOR(pg_catalog.<=) 2000),
    superseded_by          bigint,
    order_ref              text CONSTRAINT license_order_ref_length CHECK (pg_catalog.octet_length(order_ref) OPERATOR(pg_catalog.<=) 200),
    CONSTRAINT license_offer_course_fkey FOREIGN KEY (offer_id, course_id) REFERENCES enroll.offer (id, course_id),
    CONSTRAINT license_id_course_key UNIQUE (id, course_id),
    -- deferred: the old license names its successor before the successor is inserted,
    -- because the partial unique index admits the new one only once the old has ended
    CONSTRAINT license_superseded_by_fkey FOREIGN KEY (superseded_by) REFERENCES enroll.license (id)
        DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT license_parent_fkey FOREIGN KEY (parent_license, course_id) REFERENCES enroll.license (id, course_id),
    CONSTRAINT license_one_holder CHECK (
        (holder_kind OPERATOR(pg_catalog.=) 'person' AND account_id IS NOT NULL AND organization_id IS NULL) OR
        (holder_kind OPERATOR(pg_catalog.=) 'organization' AND organization_id IS NOT NULL AND account_id IS NULL)),
    CONSTRAINT license_seats_for_organizations CHECK ((holder_kind OPERATOR(pg_catalog.=) 'organization') OPERATOR(pg_catalog.=) (seats IS NOT NULL)),
    CONSTRAINT license_seat_held_by_person CHECK (parent_license IS NULL OR holder_kind OPERATOR(pg_catalog.=) 'person'),
    CONSTRAINT license_registrar_not_holder CHECK (registrar_org_id OPERATOR(pg_catalog.<>) organization_id),
    CONSTRAINT license_access_window CHECK (access_until OPERATOR(pg_catalog.>) access_from),
    CONSTRAINT license_end_has_reason CHECK ((ended_at IS NULL) OPERATOR(pg_catalog.=) (end_reason IS NULL)),
    CONSTRAINT license_superseded_has_successor CHECK ((end_reason OPERATOR(pg_catalog.=) 'superseded') OPERATOR(pg_catalog.=) (superseded_by IS NOT NULL)),
    CONSTRAINT license_validation_has_due CHECK (documents_validated_at IS NULL OR documents_due_at IS NOT NULL)
);
CREATE UNIQUE INDEX license_current_person_key ON enroll.license (account_id, course_id)
    WHERE ended_at IS NULL AND account_id IS NOT NULL;
CREATE UNIQUE INDEX license_current_organization_key ON enroll.license (organization_id, course_id)
    WHERE ended_at IS NULL AND organization_id IS NOT NULL;
CREATE INDEX license_account_idx ON enroll.license (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX license_organization_idx ON enroll.license (organization_id) WHERE organization_id IS NOT NULL;
CREATE INDEX license_parent_idx ON enroll.license (parent_license) WHERE parent_license IS NOT NULL;
CREATE INDEX license_offer_idx ON enroll.license (offer_id);
CREATE INDEX license_registrar_idx ON enroll.license (registrar_org_id) WHERE registrar_org_id IS NOT NULL;
CREATE INDEX license_order_ref_idx ON enroll.license (order_ref) WHERE order_ref IS NOT NULL;
COMMENT ON TABLE enroll.license IS
  'Licenses, obtained by accepting an active offer (S2.5). At most one current license per holder and course (partial unique indexes license_current_*_key): a new one supersedes the old, access times never add up (S2.23).';
COMMENT ON COLUMN enroll.license.registrar_org_id IS 'The registrar organization named at acceptance (S2.14, S2.17); never the holder (S2.15).';
COMMENT ON COLUMN enroll.license.accepted_condition IS 'The offer''s extra condition text exactly as accepted (S2.21, S2.22).';
COMMENT ON COLUMN enroll.license.parent_license IS 'For a seat: the organization license it was allocated from.';
COMMENT ON COLUMN enroll.license.seats IS 'For an organization license: how many seats were bought.';
COMMENT ON COLUMN enroll.license.documents_due_at IS 'Documents must be validated by then, or access stops (S2.18).';

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
    CONSTRAINT enrollment_course_account_key UNIQUE (course_id, account_id),
    CONSTRAINT enrollment_group_fkey FOREIGN KEY (group_id, course_id) REFERENCES enroll.course_group (id, course_id),
    CONSTRAINT enrollment_license_fkey FOREIGN KEY (license_id, course_id) REFERENCES enroll.license (id, course_id),
    CONSTRAINT enrollment_time_window CHECK (time_end OPERATOR(pg_catalog.>) time_start)
);
CREATE INDEX enrollment_account_idx ON enroll.enrollment (account_id);
CREATE INDEX enrollment_group_idx ON enroll.enrollment (group_id) WHERE group_id IS NOT NULL;
CREATE INDEX enrollment_license_idx ON enroll.enrollment (license_id) WHERE license_id IS NOT NULL;
COMMENT ON TABLE enroll.enrollment IS
  'An account enrolled in a course with a role, optionally in a group of that course (composite foreign key) and backed by a license of that course.';

CREATE TABLE enroll.purchase_order (
    id          bigserial PRIMARY KEY,
    order_ref   text NOT NULL UNIQUE CONSTRAINT purchase_order_ref_not_blank CHECK (pg_catalog.btrim(order_ref, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.<>) '')
                CONSTRAINT purchase_order_ref_length CHECK (pg_catalog.octet_length(order_ref) OPERATOR(pg_catalog.<=) 200),
    operator_id bigint NOT NULL REFERENCES enroll.account (id),
    offer_id    bigint NOT NULL REFERENCES enroll.offer (id),
    seats       integer NOT NULL CONSTRAINT purchase_order_seats_positive CHECK (seats OPERATOR(pg_catalog.>) 0),
    status      enroll.order_status NOT NULL DEFAULT 'completed',
    request     jsonb NOT NULL,
    report      jsonb,
    created_at  timestamptz NOT NULL DEFAULT enroll.clock_now(),
    updated_at  timestamptz NOT NULL DEFAULT enroll.clock_now()
);
CREATE INDEX purchase_order_operator_idx ON enroll.purchase_order (operator_id);
CREATE INDEX purchase_order_offer_idx ON enroll.purchase_order (offer_id);
COMMENT ON TABLE enroll.purchase_order IS
  'Session purchases (S1): one row per order reference, the request as received and the report; the key of idempotent setup (S1.4).';

CREATE TABLE enroll.event (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL,
    logged_at   timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    account_id  bigint,
    db_role     name NOT NULL,
    what        text NOT NULL CONSTRAINT event_what_format CHECK (what OPERATOR(pg_catalog.~) '^[a-z_]+(\.[a-z_]+)+$'),
    table_name  text,
    row_id      bigint,
    details     jsonb,
    xid         xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id()
);
CREATE INDEX event_account_idx ON enroll.event (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX event_row_idx ON enroll.event (table_name, row_id);
COMMENT ON TABLE enroll.event IS
  'Append-only audit log: when (rule clock and wall clock), acting account, database role, what, which row, details. UPDATE, DELETE and TRUNCATE are refused (PE012).';
COMMENT ON COLUMN enroll.event.account_id IS 'The acting account, kept by value: the log outlives what it describes.';
COMMENT ON COLUMN enroll.event.db_role IS 'The session role that called (not the owner of a security-definer function).';

-------------------------------------------------------------------------------
-- Audit log: helper and append-only trigger
-------------------------------------------------------------------------------
CREATE FUNCTION enroll.log_event(what text, table_name text, row_id bigint, details jsonb) RETURNS void
    AS 'MODULE_PATHNAME', 'log_event' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION enroll.log_event(text, text, bigint, jsonb) IS
  'Appends one event as the extension owner, with the acting account and session role. Internal: not granted to applications.';

CREATE FUNCTION enroll.event_append_only() RETURNS trigger
    AS 'MODULE_PATHNAME', 'event_append_only' LANGUAGE C;
COMMENT ON FUNCTION enroll.event_append_only() IS
  'Trigger function refusing UPDATE, DELETE and TRUNCATE on enroll.event (PE012).';

CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON enroll.event
    FOR EACH ROW EXECUTE FUNCTION enroll.event_append_only();
CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON enroll.event
    FOR EACH STATEMENT EXECUTE FUNCTION enroll.event_append_only();

-------------------------------------------------------------------------------
-- Seed data
-------------------------------------------------------------------------------
INSERT INTO enroll.role (shortname, name, builtin) VALUES
    ('student', 'Student', true),
    ('teacher', 'Teacher', true),
    ('delegated_manager', 'Delegated manager (operator of imported accounts, S1.6)', true),
    ('delegated_user', 'Delegated user (account managed by an operator, S1.6)', true);

-------------------------------------------------------------------------------
-- Catalogue and people, written through functions (each records an event)
-------------------------------------------------------------------------------
CREATE FUNCTION enroll.register_account(email text, firstname text DEFAULT '', lastname text DEFAULT '')
RETURNS enroll.account
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    addr text;
    acc  enroll.account;
BEGIN
    IF register_account.email IS NULL THEN
        RAISE EXCEPTION 'e-mail address must not be null' USING ERRCODE = '22004';
    END IF;
    IF pg_catalog.length(register_account.firstname) OPERATOR(pg_catalog.>) 200 THEN
        RAISE EXCEPTION '"firstname" is too long: % characters', pg_catalog.length(register_account.firstname)
            USING ERRCODE = '22023', DETAIL = 'A first name has at most 200 characters.';
    ELSIF pg_catalog.length(register_account.lastname) OPERATOR(pg_catalog.>) 200 THEN
        RAISE EXCEPTION '"lastname" is too long: % characters', pg_catalog.length(register_account.lastname)
            USING ERRCODE = '22023', DETAIL = 'A last name has at most 200 characters.';
    END IF;
    addr := enroll.normalize_email(register_account.email);
    INSERT INTO enroll.account AS a (email, firstname, lastname)
        VALUES (addr, COALESCE(register_account.firstname, ''), COALESCE(register_account.lastname, ''))
        ON CONFLICT ((enroll.email_key(email))) DO NOTHING
        RETURNING a.* INTO acc;
    IF FOUND THEN
        PERFORM enroll.log_event('account.register', 'account', acc.id,
                                 pg_catalog.jsonb_build_object('email', acc.email));
        RETURN acc;
    END IF;
    -- a known address: the existing person, never a second account (S1.5)
    SELECT a.* INTO STRICT acc FROM enroll.account a
     WHERE enroll.email_key(a.email) OPERATOR(pg_catalog.=) enroll.email_key(addr);
    RETURN acc;
END
$fn$;
COMMENT ON FUNCTION enroll.register_account(text, text, text) IS
  'Creates an account for an unknown e-mail address, or returns the existing account for a known one, compared case- and space-insensitively (S1.5). Existing names are never overwritten. The address is validated by enroll.normalize_email; names have at most 200 characters (22023); NULL names are empty.';

CREATE FUNCTION enroll.set_login_role(account bigint, login_role name)
RETURNS enroll.account
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    acc enroll.account;
BEGIN
    PERFORM enroll.require_admin('map database roles to accounts');
    IF set_login_role.account IS NULL THEN
        RAISE EXCEPTION 'account must not be null' USING ERRCODE = '22004';
    END IF;
    IF set_login_role.login_role IS NOT NULL AND NOT EXISTS
        (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) set_login_role.login_role) THEN
        RAISE EXCEPTION 'role "%" does not exist', set_login_role.login_role USING ERRCODE = '42704';
    END IF;
    UPDATE enroll.account a SET login_role = set_login_role.login_role
     WHERE a.id OPERATOR(pg_catalog.=) set_login_role.account
    RETURNING a.* INTO acc;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account % does not exist', set_login_role.account USING ERRCODE = 'PE013';
    END IF;
    PERFORM enroll.log_event('account.set_login_role', 'account', acc.id,
                             pg_catalog.jsonb_build_object('login_role', acc.login_role));
    RETURN acc;
END
$fn$;
COMMENT ON FUNCTION enroll.set_login_role(bigint, name) IS
  'Admins: maps a database role to an account (NULL removes the mapping), so that a DBA in psql acts as that account.';

CREATE FUNCTION enroll.create_course(shortname text, fullname text)
RETURNS enroll.course
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    c enroll.course;
BEGIN
    PERFORM enroll.require_admin('create courses');
    IF create_course.shortname IS NULL THEN
        RAISE EXCEPTION 'course "shortname" must not be null' USING ERRCODE = '22004';
    ELSIF create_course.fullname IS NULL THEN
        RAISE EXCEPTION 'course "fullname" must not be null' USING ERRCODE = '22004';
    END IF;
    IF pg_catalog.btrim(create_course.shortname, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'course "shortname" must not be blank' USING ERRCODE = '22023';
    ELSIF pg_catalog.length(create_course.shortname) OPERATOR(pg_catalog.>) 255 THEN
        RAISE EXCEPTION 'course "shortname" is too long: % characters', pg_catalog.length(create_course.shortname)
            USING ERRCODE = '22023', DETAIL = 'A course short name has at most 255 characters.';
    ELSIF create_course.shortname OPERATOR(pg_catalog.<>) pg_catalog.btrim(create_course.shortname, E' \t\r\n\f\x0b') THEN
        RAISE EXCEPTION 'course "shortname" must not begin or end with whitespace: "%"', enroll.quotable(create_course.shortname)
            USING ERRCODE = '22023',
                  HINT = 'A short name identifies the course and is compared exactly (S1.2); remove the surrounding spaces.';
    END IF;
    IF pg_catalog.btrim(create_course.fullname, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'course "fullname" must not be blank' USING ERRCODE = '22023';
    ELSIF pg_catalog.length(create_course.fullname) OPERATOR(pg_catalog.>) 500 THEN
        RAISE EXCEPTION 'course "fullname" is too long: % characters', pg_catalog.length(create_course.fullname)
            USING ERRCODE = '22023', DETAIL = 'A course full name has at most 500 characters.';
    END IF;
    IF EXISTS (SELECT FROM enroll.course x WHERE x.shortname OPERATOR(pg_catalog.=) create_course.shortname) THEN
        RAISE EXCEPTION 'course short name "%" is already taken', enroll.quotable(create_course.shortname) USING ERRCODE = '23505',
            HINT = 'Course short names are unique (S1.2); choose another one.';
    END IF;
    INSERT INTO enroll.course AS t (shortname, fullname)
        VALUES (create_course.shortname, create_course.fullname)
        RETURNING t.* INTO c;
    PERFORM enroll.log_event('course.create', 'course', c.id,
                             pg_catalog.jsonb_build_object('shortname', c.shortname));
    RETURN c;
END
$fn$;
COMMENT ON FUNCTION enroll.create_course(text, text) IS
  'Admins: creates a course identified by its unique short name (S1.2): not blank, no surrounding whitespace, at most 255 characters; the full name at most 500. NULL 22004, bad value 22023, short name taken 23505.';

CREATE FUNCTION enroll.create_organization_type(code text, name text)
RETURNS enroll.organization_type
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    t enroll.organization_type;
BEGIN
    PERFORM enroll.require_admin('create organization types');
    IF create_organization_type.code IS NULL THEN
        RAISE EXCEPTION 'organization type "code" must not be null' USING ERRCODE = '22004';
    ELSIF create_organization_type.name IS NULL THEN
        RAISE EXCEPTION 'organization type "name" must not be null' USING ERRCODE = '22004';
    END IF;
    IF create_organization_type.code COLLATE "C" OPERATOR(pg_catalog.!~) '^[a-z][a-z0-9_]{0,62}$' THEN
        RAISE EXCEPTION 'invalid organization type code "%"', enroll.quotable(create_organization_type.code)
            USING ERRCODE = '22023',
                  DETAIL = 'A code is 1 to 63 characters: a lower-case ASCII letter, then lower-case ASCII letters, digits or underscores.',
                  HINT = 'For example school, university or non_profit.';
    END IF;
    IF pg_catalog.btrim(create_organization_type.name, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'organization type "name" must not be blank' USING ERRCODE = '22023';
    ELSIF pg_catalog.length(create_organization_type.name) OPERATOR(pg_catalog.>) 200 THEN
        RAISE EXCEPTION 'organization type "name" is too long: % characters', pg_catalog.length(create_organization_type.name)
            USING ERRCODE = '22023', DETAIL = 'An organization type name has at most 200 characters.';
    END IF;
    IF EXISTS (SELECT FROM enroll.organization_type x WHERE x.code OPERATOR(pg_catalog.=) create_organization_type.code) THEN
        RAISE EXCEPTION 'organization type "%" already exists', create_organization_type.code USING ERRCODE = '23505',
            HINT = 'Organization type codes are unique; use the existing type or choose another code.';
    END IF;
    INSERT INTO enroll.organization_type AS x (code, name)
        VALUES (create_organization_type.code, create_organization_type.name)
        RETURNING x.* INTO t;
    PERFORM enroll.log_event('organization_type.create', 'organization_type', t.id,
                             pg_catalog.jsonb_build_object('code', t.code));
    RETURN t;
END
$fn$;
COMMENT ON FUNCTION enroll.create_organization_type(text, text) IS
  'Admins: creates an organization type (school, university, non-profit ...) that offers can name (S2.13, S2.16). The code is 1 to 63 lower-case ASCII letters, digits or underscores, starting with a letter; the name is not blank, at most 200 characters. NULL 22004, bad value 22023, code taken 23505.';

CREATE FUNCTION enroll.create_organization(type_code text, name text)
RETURNS enroll.organization
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    o enroll.organization;
    tid bigint;
BEGIN
    PERFORM enroll.require_admin('create organizations');
    IF create_organization.type_code IS NULL THEN
        RAISE EXCEPTION 'organization "type_code" must not be null' USING ERRCODE = '22004';
    ELSIF create_organization.name IS NULL THEN
        RAISE EXCEPTION 'organization "name" must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT t.id INTO tid FROM enroll.organization_type t WHERE t.code OPERATOR(pg_catalog.=) create_organization.type_code;
    IF tid IS NULL THEN
        RAISE EXCEPTION 'organization type "%" does not exist', enroll.quotable(create_organization.type_code)
            USING ERRCODE = '22023', HINT = 'Create it with enroll.create_organization_type first.';
    END IF;
    IF pg_catalog.btrim(create_organization.name, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'organization "name" must not be blank' USING ERRCODE = '22023';
    ELSIF pg_catalog.length(create_organization.name) OPERATOR(pg_catalog.>) 200 THEN
        RAISE EXCEPTION 'organization "name" is too long: % characters', pg_catalog.length(create_organization.name)
            USING ERRCODE = '22023', DETAIL = 'An organization name has at most 200 characters.';
    END IF;
    INSERT INTO enroll.organization AS x (type_id, name)
        VALUES (tid, create_organization.name)
        RETURNING x.* INTO o;
    PERFORM enroll.log_event('organization.create', 'organization', o.id,
                             pg_catalog.jsonb_build_object('type', create_organization.type_code, 'name', o.name));
    RETURN o;
END
$fn$;
COMMENT ON FUNCTION enroll.create_organization(text, text) IS
  'Admins: creates a registrar organization of the given type code (S2.13); the name is not blank, at most 200 characters. NULL 22004, unknown type or bad name 22023.';

CREATE FUNCTION enroll.actor_administers(organization bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL RESTRICTED
BEGIN ATOMIC
    SELECT enroll.acting_as_admin() OR EXISTS (
        SELECT FROM enroll.membership m
         WHERE m.organization_id OPERATOR(pg_catalog.=) actor_administers.organization
           AND m.account_id OPERATOR(pg_catalog.=) enroll.current_account()
           AND m.left_at IS NULL AND m.is_admin);
END;
COMMENT ON FUNCTION enroll.actor_administers(bigint) IS
  'Internal: is the actor a system administrator or a current administrator of the organization? The one authorization rule of set_organization_admin, leave_organization, allocate_seat and validate_documents. Reads as the calling function''s owner.';

CREATE FUNCTION enroll.set_organization_admin(organization bigint, account bigint, is_admin boolean DEFAULT true)
RETURNS enroll.membership
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    m enroll.membership;
BEGIN
    IF set_organization_admin.organization IS NULL THEN
        RAISE EXCEPTION 'organization must not be null' USING ERRCODE = '22004';
    ELSIF set_organization_admin.account IS NULL THEN
        RAISE EXCEPTION 'account must not be null' USING ERRCODE = '22004';
    ELSIF set_organization_admin.is_admin IS NULL THEN
        RAISE EXCEPTION 'is_admin must not be null' USING ERRCODE = '22004',
            HINT = 'Pass true to make the member an administrator of the organization, false to make them an ordinary member.';
    END IF;
    IF NOT EXISTS (SELECT FROM enroll.organization o WHERE o.id OPERATOR(pg_catalog.=) set_organization_admin.organization) THEN
        RAISE EXCEPTION 'organization % does not exist', set_organization_admin.organization USING ERRCODE = 'PE016';
    END IF;
    IF NOT enroll.actor_administers(set_organization_admin.organization) THEN
        RAISE EXCEPTION 'permission denied to change the administrators of organization %', set_organization_admin.organization
            USING ERRCODE = '42501',
                  DETAIL = 'Only system administrators and current administrators of the organization may do this.';
    END IF;
    UPDATE enroll.membership x SET is_admin = set_organization_admin.is_admin
     WHERE x.organization_id OPERATOR(pg_catalog.=) set_organization_admin.organization
       AND x.account_id OPERATOR(pg_catalog.=) set_organization_admin.account
       AND x.left_at IS NULL
    RETURNING x.* INTO m;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account % is not a current member of organization %',
              set_organization_admin.account, set_organization_admin.organization
            USING ERRCODE = 'PE014', HINT = 'The account must join the organization first.';
    END IF;
    PERFORM enroll.log_event('membership.set_admin', 'membership', m.id,
                             pg_catalog.jsonb_build_object('is_admin', m.is_admin));
    RETURN m;
END
$fn$;
COMMENT ON FUNCTION enroll.set_organization_admin(bigint, bigint, boolean) IS
  'System admins and current organization admins: makes a current member an administrator of the organization (or not). NULL arguments 22004, unknown organization PE016, not a current member PE014.';

-------------------------------------------------------------------------------
-- Row-level security: a person sees their own rows, an admin sees all.
-- Scalar subqueries make the identity functions run once per query.
-------------------------------------------------------------------------------
ALTER TABLE enroll.account ENABLE ROW LEVEL SECURITY;
CREATE POLICY account_self ON enroll.account FOR SELECT
    USING (id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

ALTER TABLE enroll.membership ENABLE ROW LEVEL SECURITY;
CREATE POLICY membership_self ON enroll.membership FOR SELECT
    USING (account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

ALTER TABLE enroll.role_assignment ENABLE ROW LEVEL SECURITY;
CREATE POLICY role_assignment_self ON enroll.role_assignment FOR SELECT
    USING (account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

ALTER TABLE enroll.group_member ENABLE ROW LEVEL SECURITY;
CREATE POLICY group_member_self ON enroll.group_member FOR SELECT
    USING (account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

ALTER TABLE enroll.enrollment ENABLE ROW LEVEL SECURITY;
CREATE POLICY enrollment_self ON enroll.enrollment FOR SELECT
    USING (account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

ALTER TABLE enroll.license ENABLE ROW LEVEL SECURITY;
CREATE POLICY license_self ON enroll.license FOR SELECT
    USING (account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

ALTER TABLE enroll.offer_recipient ENABLE ROW LEVEL SECURITY;
CREATE POLICY offer_recipient_self ON enroll.offer_recipient FOR SELECT
    USING (account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

ALTER TABLE enroll.purchase_order ENABLE ROW LEVEL SECURITY;
CREATE POLICY purchase_order_operator ON enroll.purchase_order FOR SELECT
    USING (operator_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

ALTER TABLE enroll.event ENABLE ROW LEVEL SECURITY;
CREATE POLICY event_self ON enroll.event FOR SELECT
    USING (account_id OPERATOR(pg_catalog.=) (SELECT enroll.current_account()) OR (SELECT enroll.acting_as_admin()));

-------------------------------------------------------------------------------
-- Privileges: read through RLS, write only through functions
-------------------------------------------------------------------------------
REVOKE ALL ON ALL TABLES IN SCHEMA enroll FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA enroll FROM PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA enroll TO enroll_admin, enroll_app, enroll_reader;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA enroll FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.clock_now(), enroll.email_key(text), enroll.normalize_email(text) TO PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.current_account(), enroll.acting_as_admin()
    TO enroll_admin, enroll_app, enroll_reader;
GRANT EXECUTE ON FUNCTION enroll.act_as(bigint) TO enroll_admin, enroll_app;
GRANT EXECUTE ON FUNCTION
    enroll.register_account(text, text, text),
    enroll.set_login_role(bigint, name),
    enroll.create_course(text, text),
    enroll.create_organization_type(text, text),
    enroll.create_organization(text, text),
    enroll.set_organization_admin(bigint, bigint, boolean)
    TO enroll_admin, enroll_app;

-------------------------------------------------------------------------------
-- pg_dump keeps the user data of every table and sequence
-------------------------------------------------------------------------------
SELECT pg_catalog.pg_extension_config_dump('enroll.organization_type', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.organization_type_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.organization', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.organization_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.account', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.account_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.membership', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.membership_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.course', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.course_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.role', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('enroll.role_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.role_assignment', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.role_assignment_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.course_group', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.course_group_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.group_member', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.offer', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.offer_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.offer_registrar_type', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.offer_recipient', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.offer_recipient_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.license', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.license_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.enrollment', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.enrollment_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.purchase_order', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.purchase_order_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.event', '');
SELECT pg_catalog.pg_extension_config_dump('enroll.event_id_seq', '');

-------------------------------------------------------------------------------
-- Acceptance and profiles (S2.5, S2.8-S2.17, S2.21-S2.22)
-------------------------------------------------------------------------------
-- @@acceptance-begin@@
CREATE FUNCTION enroll.require_account() RETURNS bigint
    AS 'MODULE_PATHNAME', 'require_account' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION enroll.require_account() IS
  'The acting account, or error PE001 "not logged in". Internal helper of the extension''s functions.';

CREATE FUNCTION enroll.profile_missing_fields(level enroll.profile_level, data jsonb)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT COALESCE(pg_catalog.array_agg(f.field ORDER BY f.ord), '{}')
      FROM (VALUES
              (1, 'firstname', data OPERATOR(pg_catalog.#>) '{firstname}', '.'),
              (2, 'lastname', data OPERATOR(pg_catalog.#>) '{lastname}', '.'),
              (3, 'address.street', data OPERATOR(pg_catalog.#>) '{address,street}', '.'),
              (4, 'address.postal_code', data OPERATOR(pg_catalog.#>) '{address,postal_code}', '.'),
              (5, 'address.city', data OPERATOR(pg_catalog.#>) '{address,city}', '.'),
              (6, 'address.country', data OPERATOR(pg_catalog.#>) '{address,country}', '^[A-Z]{2}$')
           ) AS f(ord, field, value, pattern)
     WHERE level OPERATOR(pg_catalog.>=) 'billing'::enroll.profile_level
       -- present: a JSON string, not blank, at most 200 characters, of the right form
       AND (pg_catalog.jsonb_typeof(f.value) IS DISTINCT FROM 'string'
            OR pg_catalog.btrim(f.value OPERATOR(pg_catalog.#>>) '{}', E' \t\r\n\f\x0b') OPERATOR(pg_catalog.=) ''
            OR pg_catalog.length(f.value OPERATOR(pg_catalog.#>>) '{}') OPERATOR(pg_catalog.>) 200
            OR (f.value OPERATOR(pg_catalog.#>>) '{}') COLLATE "C" OPERATOR(pg_catalog.!~) f.pattern);
END;
COMMENT ON FUNCTION enroll.profile_missing_fields(enroll.profile_level, jsonb) IS
  'The fields a profile level needs that data lacks or gets wrong (S2.11, S2.12). billing: firstname, lastname and a postal address (address.street, address.postal_code, address.city, address.country as ISO 3166-1 alpha-2), each a JSON string, not blank, at most 200 characters. Empty array: complete.';

CREATE FUNCTION enroll.account_profile_data(a enroll.account) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
RETURN pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
           'firstname', NULLIF(a.firstname, ''), 'lastname', NULLIF(a.lastname, '')))
       OPERATOR(pg_catalog.||) a.profile;
COMMENT ON FUNCTION enroll.account_profile_data(enroll.account) IS
  'The profile data an account has supplied: its names and its profile object, as enroll.profile_missing_fields reads them.';

CREATE FUNCTION enroll.upgrade_profile(level enroll.profile_level, data jsonb)
RETURNS enroll.account
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    me      bigint := enroll.require_account();
    acc     enroll.account;
    merged  jsonb;
    missing text[];
    stored  jsonb;          -- the profile column: all but the names
BEGIN
    IF upgrade_profile.level IS NULL OR upgrade_profile.data IS NULL THEN
        RAISE EXCEPTION 'level and data must not be null' USING ERRCODE = '22004';
    END IF;
    IF pg_catalog.jsonb_typeof(upgrade_profile.data) OPERATOR(pg_catalog.<>) 'object' THEN
        RAISE EXCEPTION 'profile data must be a JSON object, not %', pg_catalog.jsonb_typeof(upgrade_profile.data)
            USING ERRCODE = '22023',
                  HINT = 'Pass e.g. {"firstname": "...", "lastname": "...", "address": {"street": "...", "postal_code": "...", "city": "...", "country": "FR"}}.';
    END IF;
    IF upgrade_profile.data ? 'address' AND pg_catalog.jsonb_typeof(upgrade_profile.data -> 'address') OPERATOR(pg_catalog.<>) 'object' THEN
        RAISE EXCEPTION 'profile field "address" must be a JSON object' USING ERRCODE = '22023';
    END IF;
    SELECT a.* INTO STRICT acc FROM enroll.account a WHERE a.id OPERATOR(pg_catalog.=) me FOR NO KEY UPDATE;
    merged := enroll.account_profile_data(acc) OPERATOR(pg_catalog.||) upgrade_profile.data;
    missing := enroll.profile_missing_fields(upgrade_profile.level, merged);
    IF pg_catalog.cardinality(missing) OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'profile data incomplete for level "%"', upgrade_profile.level
            USING ERRCODE = 'PE009',
                  DETAIL = pg_catalog.format('Missing or invalid: %s.', pg_catalog.array_to_string(missing, ', ')),
                  HINT = 'Level billing needs firstname, lastname and address.street, address.postal_code, address.city (JSON strings of at most 200 characters), address.country (two capital letters).';
    END IF;
    -- names become columns: whatever the level, only strings, and bounded
    IF upgrade_profile.data OPERATOR(pg_catalog.?) 'firstname' AND pg_catalog.jsonb_typeof(upgrade_profile.data OPERATOR(pg_catalog.->) 'firstname') OPERATOR(pg_catalog.<>) 'string' THEN
        RAISE EXCEPTION 'profile field "firstname" must be a JSON string, not %', pg_catalog.jsonb_typeof(upgrade_profile.data OPERATOR(pg_catalog.->) 'firstname')
            USING ERRCODE = '22023';
    ELSIF upgrade_profile.data OPERATOR(pg_catalog.?) 'lastname' AND pg_catalog.jsonb_typeof(upgrade_profile.data OPERATOR(pg_catalog.->) 'lastname') OPERATOR(pg_catalog.<>) 'string' THEN
        RAISE EXCEPTION 'profile field "lastname" must be a JSON string, not %', pg_catalog.jsonb_typeof(upgrade_profile.data OPERATOR(pg_catalog.->) 'lastname')
            USING ERRCODE = '22023';
    ELSIF pg_catalog.length(upgrade_profile.data OPERATOR(pg_catalog.->>) 'firstname') OPERATOR(pg_catalog.>) 200 THEN
        RAISE EXCEPTION 'profile field "firstname" is too long: % characters', pg_catalog.length(upgrade_profile.data OPERATOR(pg_catalog.->>) 'firstname')
            USING ERRCODE = '22023', DETAIL = 'A first name has at most 200 characters.';
    ELSIF pg_catalog.length(upgrade_profile.data OPERATOR(pg_catalog.->>) 'lastname') OPERATOR(pg_catalog.>) 200 THEN
        RAISE EXCEPTION 'profile field "lastname" is too long: % characters', pg_catalog.length(upgrade_profile.data OPERATOR(pg_catalog.->>) 'lastname')
            USING ERRCODE = '22023', DETAIL = 'A last name has at most 200 characters.';
    END IF;
    stored := (acc.profile OPERATOR(pg_catalog.||) upgrade_profile.data)
              OPERATOR(pg_catalog.-) 'firstname'::text OPERATOR(pg_catalog.-) 'lastname'::text;
    IF pg_catalog.octet_length(stored::text) OPERATOR(pg_catalog.>) 65536 THEN
        RAISE EXCEPTION 'profile data is too large: % bytes', pg_catalog.octet_length(stored::text)
            USING ERRCODE = '22023', DETAIL = 'An account''s profile (its data other than the names), as JSON text, has at most 65536 bytes.';
    END IF;
    UPDATE enroll.account a
       SET firstname = COALESCE(merged ->> 'firstname', a.firstname),
           lastname = COALESCE(merged ->> 'lastname', a.lastname),
           profile = stored,
           profile_level = GREATEST(a.profile_level, upgrade_profile.level)
     WHERE a.id OPERATOR(pg_catalog.=) me
    RETURNING a.* INTO acc;
    PERFORM enroll.log_event('account.upgrade_profile', 'account', me,
        pg_catalog.jsonb_build_object('level', upgrade_profile.level,
            'fields', (SELECT pg_catalog.jsonb_agg(k ORDER BY k) FROM pg_catalog.jsonb_object_keys(upgrade_profile.data) k)));
    RETURN acc;
END
$fn$;
COMMENT ON FUNCTION enroll.upgrade_profile(enroll.profile_level, jsonb) IS
  'The acting account supplies the data a profile level needs (S2.11, S2.12); every missing or invalid field is listed at once (PE009). Whatever the level, firstname and lastname must be JSON strings of at most 200 characters and the stored profile at most 65536 bytes (22023). The level never goes down.';

CREATE FUNCTION enroll.join_organization(organization bigint)
RETURNS enroll.membership
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    me bigint := enroll.require_account();
    m  enroll.membership;
BEGIN
    IF join_organization.organization IS NULL THEN
        RAISE EXCEPTION 'organization must not be null' USING ERRCODE = '22004';
    END IF;
    IF NOT EXISTS (SELECT FROM enroll.organization o WHERE o.id OPERATOR(pg_catalog.=) join_organization.organization) THEN
        RAISE EXCEPTION 'organization % does not exist', join_organization.organization USING ERRCODE = 'PE016';
    END IF;
    INSERT INTO enroll.membership AS x (account_id, organization_id, joined_at)
        VALUES (me, join_organization.organization, enroll.clock_now())
        ON CONFLICT (account_id, organization_id) WHERE left_at IS NULL DO NOTHING
        RETURNING x.* INTO m;
    IF FOUND THEN
        PERFORM enroll.log_event('membership.join', 'membership', m.id,
                                 pg_catalog.jsonb_build_object('organization', m.organization_id));
        RETURN m;
    END IF;
    SELECT x.* INTO STRICT m FROM enroll.membership x
     WHERE x.account_id OPERATOR(pg_catalog.=) me
       AND x.organization_id OPERATOR(pg_catalog.=) join_organization.organization AND x.left_at IS NULL;
    RETURN m;
END
$fn$;
COMMENT ON FUNCTION enroll.join_organization(bigint) IS
  'The acting account joins an organization (S2.17); joining one it already belongs to returns the current membership.';

CREATE FUNCTION enroll.leave_organization(organization bigint, account bigint DEFAULT NULL)
RETURNS enroll.membership
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    me     bigint := enroll.require_account();
    target bigint := COALESCE(leave_organization.account, me);
    m      enroll.membership;
BEGIN
    IF leave_organization.organization IS NULL THEN
        RAISE EXCEPTION 'organization must not be null' USING ERRCODE = '22004',
            HINT = 'Name the organization to leave; account => NULL (the default) means the acting account.';
    END IF;
    IF NOT EXISTS (SELECT FROM enroll.organization o WHERE o.id OPERATOR(pg_catalog.=) leave_organization.organization) THEN
        RAISE EXCEPTION 'organization % does not exist', leave_organization.organization USING ERRCODE = 'PE016';
    END IF;
    IF target OPERATOR(pg_catalog.<>) me AND NOT enroll.actor_administers(leave_organization.organization) THEN
        RAISE EXCEPTION 'permission denied to remove account % from organization %', target, leave_organization.organization
            USING ERRCODE = '42501',
                  DETAIL = 'Only the member, a system administrator or an administrator of the organization may do this.';
    END IF;
    UPDATE enroll.membership x SET left_at = enroll.clock_now()
     WHERE x.account_id OPERATOR(pg_catalog.=) target
       AND x.organization_id OPERATOR(pg_catalog.=) leave_organization.organization AND x.left_at IS NULL
    RETURNING x.* INTO m;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account % is not a current member of organization %', target, leave_organization.organization
            USING ERRCODE = 'PE014';
    END IF;
    PERFORM enroll.log_event('membership.leave', 'membership', m.id,
                             pg_catalog.jsonb_build_object('organization', m.organization_id, 'account', target));
    RETURN m;
END
$fn$;
COMMENT ON FUNCTION enroll.leave_organization(bigint, bigint) IS
  'Ends a current membership (left_at = now): the member themself, a system admin, or an admin of the organization. Licenses naming it as registrar stop granting access (S2.19). NULL organization 22004 (NULL account: the acting one), unknown organization PE016, not a current member PE014.';

CREATE FUNCTION enroll.accept_offer(offer bigint, registrar_org bigint DEFAULT NULL,
                                    join_registrar boolean DEFAULT false, accept_condition boolean DEFAULT false,
                                    for_account bigint DEFAULT NULL, for_organization bigint DEFAULT NULL,
                                    order_ref text DEFAULT NULL)
RETURNS enroll.license
    AS 'MODULE_PATHNAME', 'accept_offer'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.accept_offer(bigint, bigint, boolean, boolean, bigint, bigint, text) IS
  'Accepts an offer and returns the new license (S2.5). Checks in order: logged in (PE001), offer active (PE002), visible and acceptable by this actor for this beneficiary (PE003, PE010, 42501), profile level (PE004), registrar organization (PE005, PE006), extra condition (PE007). The holder''s current license for the course is superseded; access times never add up (S2.23).';

CREATE FUNCTION enroll.offer_requirements(offer bigint) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'offer_requirements'
    LANGUAGE C STABLE SECURITY DEFINER PARALLEL RESTRICTED
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.offer_requirements(bigint) IS
  'The steps the acting account must still take to accept an offer, each with "satisfied": login, profile (always listed above default, S2.12), registrar organization with its candidates (S2.16, S2.17), extra condition text (S2.21). Drives an acceptance UI.';

REVOKE EXECUTE ON FUNCTION enroll.require_account(), enroll.profile_missing_fields(enroll.profile_level, jsonb),
    enroll.account_profile_data(enroll.account), enroll.upgrade_profile(enroll.profile_level, jsonb),
    enroll.join_organization(bigint), enroll.leave_organization(bigint, bigint),
    enroll.accept_offer(bigint, bigint, boolean, boolean, bigint, bigint, text),
    enroll.offer_requirements(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.profile_missing_fields(enroll.profile_level, jsonb),
    enroll.upgrade_profile(enroll.profile_level, jsonb),
    enroll.join_organization(bigint), enroll.leave_organization(bigint, bigint),
    enroll.accept_offer(bigint, bigint, boolean, boolean, bigint, bigint, text),
    enroll.offer_requirements(bigint)
    TO enroll_admin, enroll_app;
GRANT EXECUTE ON FUNCTION enroll.offer_requirements(bigint) TO enroll_reader;
-- @@acceptance-end@@

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
BEGIN
    SELECT o.valid_from, o.valid_until INTO f, u
      FROM enroll.offer o WHERE o.id OPERATOR(pg_catalog.=) offer_state.offer;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'offer % does not exist', offer_state.offer USING ERRCODE = 'PE015';
    END IF;
    RETURN enroll.offer_window_state(f, u, enroll.clock_now());
END
$fn$;
COMMENT ON FUNCTION enroll.offer_state(bigint) IS
  'upcoming, active or expired at enroll.clock_now() (S2.3): active from valid_from (inclusive) until valid_until (exclusive). Unknown offer: PE015.';

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
    IF pg_catalog.btrim(n.title, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.=) '' THEN
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
    handler_params text DEFAULT NULL)
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

    IF pg_catalog.btrim(create_offer.code, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.=) '' THEN
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
    IF pg_catalog.btrim(create_offer.handler_params, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.<>) '' THEN
        PERFORM enroll.check_handler_params(create_offer.code, create_offer.handler_params,
            (SELECT c.shortname FROM enroll.course c WHERE c.id OPERATOR(pg_catalog.=) create_offer.course));
    END IF;
    IF EXISTS (SELECT FROM enroll.offer x WHERE x.code OPERATOR(pg_catalog.=) create_offer.code) THEN
        RAISE EXCEPTION 'offer code "%" is already taken', create_offer.code USING ERRCODE = '23505',
            HINT = 'Offer codes are unique; choose another code or edit the existing offer with enroll.update_offer.';
    END IF;

    INSERT INTO enroll.offer AS t (code, title, course_id, price, currency, valid_from, valid_until,
                                   visibility, recipient_kind, required_level, extra_condition,
                                   access_period, documents_grace, seats, handler_params)
        VALUES (create_offer.code, create_offer.title, create_offer.course, create_offer.price,
                create_offer.currency, create_offer.valid_from, create_offer.valid_until,
                create_offer.visibility, create_offer.recipient_kind, level,
                CASE WHEN pg_catalog.btrim(create_offer.extra_condition, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.<>) ''
                     THEN create_offer.extra_condition END,
                create_offer.access_period, create_offer.documents_grace, create_offer.seats,
                create_offer.handler_params)
        RETURNING t.* INTO o;
    PERFORM enroll.log_event('offer.create', 'offer', o.id,
                             pg_catalog.to_jsonb(o) OPERATOR(pg_catalog.-) 'id'::text OPERATOR(pg_catalog.-) 'created_at'::text);
    RETURN o;
END
$fn$;
COMMENT ON FUNCTION enroll.create_offer(text, text, bigint, numeric, text, timestamptz, timestamptz, interval, enroll.offer_visibility, enroll.holder_kind, enroll.profile_level, text, interval, integer, text) IS
  'Admins: creates an offer with its conditions (S2.1): price and currency (S2.2), validity window (S2.3), visibility and recipient kind (S2.6, S2.7), required profile level (NULL: billing when the price is above 0, else default; S2.11), extra condition (S2.21; blank means none). Bad input is refused with a clear error before anything is written: NULL 22004; blank, too long (code 100, title 500, extra condition 10000 characters, handler_params 65536 bytes), a price that is negative or not a finite number, infinite validity bounds, an access period or documents grace not positive or over 100 years: 22023; code taken 23505.';

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
    handler_params text DEFAULT NULL)
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
                              WHEN pg_catalog.btrim(update_offer.extra_condition, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.=) '' THEN NULL
                              ELSE update_offer.extra_condition END;
    n.access_period   := COALESCE(update_offer.access_period, o.access_period);
    n.documents_grace := COALESCE(update_offer.documents_grace, o.documents_grace);
    n.seats           := COALESCE(update_offer.seats, o.seats);
    n.handler_params  := CASE WHEN update_offer.handler_params IS NULL THEN o.handler_params
                              WHEN pg_catalog.btrim(update_offer.handler_params, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.=) '' THEN NULL
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
    -- S2.4 (validity edits) is the trigger offer_validity_guard's, for every UPDATE

    IF pg_catalog.to_jsonb(n) OPERATOR(pg_catalog.=) pg_catalog.to_jsonb(o) THEN
        RETURN o;                       -- nothing changes: nothing written, nothing logged
    END IF;

    UPDATE enroll.offer x
       SET title = n.title, price = n.price, currency = n.currency,
           valid_from = n.valid_from, valid_until = n.valid_until,
           required_level = n.required_level, extra_condition = n.extra_condition,
           access_period = n.access_period, documents_grace = n.documents_grace,
           seats = n.seats, handler_params = n.handler_params
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
COMMENT ON FUNCTION enroll.update_offer(bigint, text, numeric, text, timestamptz, timestamptz, enroll.profile_level, text, interval, interval, integer, text) IS
  'Admins: edits an offer. NULL leaves a field unchanged; extra_condition => '''' (or handler_params => '''') removes it. The new values obey create_offer''s rules (22023). Validity edits obey S2.4 through the trigger offer_validity_guard (PE008). The event lists each changed field with its old and new value; a call that changes nothing writes nothing. Unknown offer: PE015.';

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
                                 'offer', o.code, 'account_id', r.account_id, 'organization_id', r.organization_id)));
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
              ORDER BY t.code) AS registrar_types
  FROM enroll.offer o
  JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) o.course_id
 WHERE (SELECT enroll.acting_as_admin())
    OR (o.valid_from OPERATOR(pg_catalog.<=) (SELECT enroll.clock_now())
        AND o.valid_until OPERATOR(pg_catalog.>) (SELECT enroll.clock_now())
        AND (o.visibility OPERATOR(pg_catalog.=) 'public' OR enroll.offer_addressed_to_actor(o.id)));
COMMENT ON VIEW enroll.visible_offers IS
  'Offers the acting account may see and could act on: active public offers for anyone, anonymous included (S2.6); active private offers for their addressees, persons or current members of an addressed organization (S2.7); every offer in any state for admins. Shows the extra condition''s text before login (S2.21) and the organization types that narrow the audience (S2.13).';
COMMENT ON COLUMN enroll.visible_offers.state IS 'upcoming, active or expired at enroll.clock_now() (S2.3).';
COMMENT ON COLUMN enroll.visible_offers.registrar_types IS 'Codes of the organization types of which the learner must name a registrar organization (S2.13, S2.17); empty when the offer is open to all.';

-- Privileges of this block (it comes after the script's global REVOKE)
REVOKE ALL ON FUNCTION
    enroll.check_handler_params(text, text, text),
    enroll.check_offer_price(numeric),
    enroll.check_offer_fields(enroll.offer),
    enroll.offer_validity_guard(),
    enroll.offer_window_state(timestamptz, timestamptz, timestamptz),
    enroll.offer_state(bigint),
    enroll.offer_addressed_to_actor(bigint),
    enroll.create_offer(text, text, bigint, numeric, text, timestamptz, timestamptz, interval, enroll.offer_visibility, enroll.holder_kind, enroll.profile_level, text, interval, integer, text),
    enroll.update_offer(bigint, text, numeric, text, timestamptz, timestamptz, enroll.profile_level, text, interval, interval, integer, text),
    enroll.add_offer_recipient(bigint, bigint, bigint),
    enroll.add_offer_registrar_type(bigint, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.offer_window_state(timestamptz, timestamptz, timestamptz) TO PUBLIC;
GRANT EXECUTE ON FUNCTION
    enroll.offer_state(bigint),
    enroll.offer_addressed_to_actor(bigint)
    TO enroll_admin, enroll_app, enroll_reader;
GRANT EXECUTE ON FUNCTION
    enroll.create_offer(text, text, bigint, numeric, text, timestamptz, timestamptz, interval, enroll.offer_visibility, enroll.holder_kind, enroll.profile_level, text, interval, integer, text),
    enroll.update_offer(bigint, text, numeric, text, timestamptz, timestamptz, enroll.profile_level, text, interval, interval, integer, text),
    enroll.add_offer_recipient(bigint, bigint, bigint),
    enroll.add_offer_registrar_type(bigint, text)
    TO enroll_admin, enroll_app;
REVOKE ALL ON enroll.visible_offers FROM PUBLIC;
GRANT SELECT ON enroll.visible_offers TO enroll_admin, enroll_app, enroll_reader;
-- @@offers-end@@

-------------------------------------------------------------------------------
-- License lifecycle (S2.18, S2.19, S2.23): seats, documents, revocation
-------------------------------------------------------------------------------
-- @@licenses-begin@@

-- Why a license has ended, as a sentence for the DETAIL of PE011.
CREATE FUNCTION enroll.license_end_detail(l enroll.license) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE l.end_reason
    WHEN 'revoked' THEN
        pg_catalog.format('It was revoked at %s%s.',
                          pg_catalog.to_char(l.ended_at, 'YYYY-MM-DD HH24:MI:SSOF'),
                          COALESCE(' (reason: ' OPERATOR(pg_catalog.||) l.end_note OPERATOR(pg_catalog.||) ')', ''))
    WHEN 'superseded' THEN
        pg_catalog.format('It was superseded at %s by license %s (S2.23).',
                          pg_catalog.to_char(l.ended_at, 'YYYY-MM-DD HH24:MI:SSOF'), l.superseded_by)
END;
COMMENT ON FUNCTION enroll.license_end_detail(enroll.license) IS
  'Why and when a license ended (revoked with its reason, or superseded by which license), as a sentence for the DETAIL of error PE011; NULL for a current license. Internal helper.';

-- An organization admin gives one seat of an organization license to a member.
-- Never more seats than bought: the organization license is locked FOR UPDATE
-- first, so allocations on it serialize, and the seats are counted after the
-- lock (a new snapshot under READ COMMITTED).  Then, in accept_offer's order,
-- the member's account FOR NO KEY UPDATE, the membership FOR SHARE (a
-- concurrent leave_organization waits, or makes this fail with PE014) and the
-- member's current license FOR UPDATE, which the seat supersedes (S2.23).
CREATE FUNCTION enroll.allocate_seat(org_license bigint, account bigint)
RETURNS enroll.license
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    me          bigint := enroll.require_account();
    now_        timestamptz := enroll.clock_now();
    p           enroll.license;     -- the organization license
    cur         enroll.license;     -- the member's current license for the course
    has_current boolean;
    s           enroll.license;     -- the new seat
    org_name    text;
    used        bigint;
    new_id      bigint;
BEGIN
    IF allocate_seat.org_license IS NULL THEN
        RAISE EXCEPTION 'organization license must not be null' USING ERRCODE = '22004';
    ELSIF allocate_seat.account IS NULL THEN
        RAISE EXCEPTION 'account must not be null' USING ERRCODE = '22004';
    END IF;

    -- first lock: every allocation on this organization license waits here
    SELECT l.* INTO p FROM enroll.license l
     WHERE l.id OPERATOR(pg_catalog.=) allocate_seat.org_license FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'license % does not exist', allocate_seat.org_license USING ERRCODE = 'PE019';
    END IF;
    IF p.holder_kind OPERATOR(pg_catalog.<>) 'organization' THEN
        RAISE EXCEPTION 'license % is not an organization license', p.id USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('It is held by account %s; only a license held by an organization has seats.', p.account_id),
            HINT = 'Pass the license an organization admin accepted with enroll.accept_offer(..., for_organization => ...).';
    END IF;
    SELECT g.name INTO STRICT org_name FROM enroll.organization g WHERE g.id OPERATOR(pg_catalog.=) p.organization_id;
    IF NOT enroll.actor_administers(p.organization_id) THEN
        RAISE EXCEPTION 'permission denied to allocate seats of license %', p.id USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Only system administrators and current administrators of organization "%s" may do this.', org_name);
    END IF;
    IF p.ended_at IS NOT NULL THEN
        RAISE EXCEPTION 'organization license % has ended', p.id USING ERRCODE = 'PE011',
            DETAIL = enroll.license_end_detail(p),
            HINT = 'Allocate seats of the organization''s current license for the course.';
    END IF;
    IF now_ OPERATOR(pg_catalog.<) p.access_from OR now_ OPERATOR(pg_catalog.>=) p.access_until THEN
        RAISE EXCEPTION 'organization license % %', p.id,
              CASE WHEN now_ OPERATOR(pg_catalog.<) p.access_from THEN 'has not started' ELSE 'has expired' END
            USING ERRCODE = 'PE011',
            DETAIL = pg_catalog.format('Its access runs from %s until %s; it is now %s.',
                                       pg_catalog.to_char(p.access_from, 'YYYY-MM-DD HH24:MI:SSOF'),
                                       pg_catalog.to_char(p.access_until, 'YYYY-MM-DD HH24:MI:SSOF'),
                                       pg_catalog.to_char(now_, 'YYYY-MM-DD HH24:MI:SSOF')),
            HINT = 'Seats are allocated while the organization license grants access.';
    END IF;

    -- the member, locked as accept_offer locks a holder
    PERFORM FROM enroll.account a WHERE a.id OPERATOR(pg_catalog.=) allocate_seat.account FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account % does not exist', allocate_seat.account USING ERRCODE = 'PE013';
    END IF;
    PERFORM FROM enroll.membership m
     WHERE m.organization_id OPERATOR(pg_catalog.=) p.organization_id
       AND m.account_id OPERATOR(pg_catalog.=) allocate_seat.account AND m.left_at IS NULL
       FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account % is not a current member of organization "%"', allocate_seat.account, org_name
            USING ERRCODE = 'PE014',
            HINT = 'Seats go to members of the organization that holds the license; the account joins it with enroll.join_organization.';
    END IF;

    -- the member's current license for the course: already a seat of this
    -- license means nothing to do (no second seat, no event)
    SELECT l.* INTO cur FROM enroll.license l
     WHERE l.account_id OPERATOR(pg_catalog.=) allocate_seat.account
       AND l.course_id OPERATOR(pg_catalog.=) p.course_id AND l.ended_at IS NULL
       FOR UPDATE;
    has_current := FOUND;
    IF has_current AND cur.parent_license OPERATOR(pg_catalog.=) p.id THEN
        RETURN cur;
    END IF;

    -- counted under the lock taken above, so never more seats than bought
    SELECT pg_catalog.count(*) INTO used FROM enroll.license l
     WHERE l.parent_license OPERATOR(pg_catalog.=) p.id AND l.ended_at IS NULL;
    IF used OPERATOR(pg_catalog.>=) p.seats THEN
        RAISE EXCEPTION 'no seat left on organization license %', p.id USING ERRCODE = 'PE017',
            DETAIL = pg_catalog.format('%s of %s seats are allocated.', used, p.seats),
            HINT = 'A seat is free again when its holder moves to another license of the course or it is revoked; for more seats, the organization accepts an offer with more.';
    END IF;
    -- write the organization license (no change): under REPEATABLE READ or
    -- SERIALIZABLE, a concurrent allocation then fails with a serialization
    -- error (40001) instead of counting seats in a snapshot that misses this one
    UPDATE enroll.license l SET seats = l.seats WHERE l.id OPERATOR(pg_catalog.=) p.id;

    -- S2.23: the seat supersedes the member's current license; the deferred
    -- foreign key superseded_by lets the old row name the new one first
    new_id := pg_catalog.nextval('enroll.license_id_seq'::pg_catalog.regclass);
    IF has_current THEN
        UPDATE enroll.license l SET ended_at = now_, end_reason = 'superseded', superseded_by = new_id
         WHERE l.id OPERATOR(pg_catalog.=) cur.id;
        PERFORM enroll.log_event('license.supersede', 'license', cur.id,
                                 pg_catalog.jsonb_build_object('superseded_by', new_id));
    END IF;
    INSERT INTO enroll.license AS t (id, offer_id, course_id, holder_kind, account_id, accepted_by, accepted_via,
                                     accepted_at, price_paid, currency, access_from, access_until, parent_license)
        VALUES (new_id, p.offer_id, p.course_id, 'person', allocate_seat.account, me, 'org_admin',
                now_, 0, p.currency, now_, p.access_until, p.id)
        RETURNING t.* INTO s;
    PERFORM enroll.log_event('license.allocate_seat', 'license', s.id,
                             pg_catalog.jsonb_build_object('org_license', p.id, 'account', s.account_id,
                                 'superseded', cur.id, 'seats_allocated', used OPERATOR(pg_catalog.+) 1, 'seats', p.seats));
    RETURN s;
END
$fn$;
COMMENT ON FUNCTION enroll.allocate_seat(bigint, bigint) IS
  'A current administrator of the organization holding an organization license (or a system admin) gives one seat to a current member (PE014): a person license of the same offer and course, until the organization license ends. Never more seats than bought, even under concurrency (PE017). The member''s current license for the course is superseded (S2.23); a member who already holds a seat of this license gets it back unchanged. Unknown license PE019, not an organization license 22023, ended or outside its access window PE011, unknown account PE013.';

-- S2.18: documents that the learner must present are confirmed.
CREATE FUNCTION enroll.validate_documents(license bigint)
RETURNS enroll.license
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    me   bigint := enroll.require_account();
    now_ timestamptz := enroll.clock_now();
    l    enroll.license;
BEGIN
    IF validate_documents.license IS NULL THEN
        RAISE EXCEPTION 'license must not be null' USING ERRCODE = '22004';
    END IF;
    -- locked: a concurrent acceptance that supersedes it waits, or makes this fail (PE011)
    SELECT x.* INTO l FROM enroll.license x WHERE x.id OPERATOR(pg_catalog.=) validate_documents.license FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'license % does not exist', validate_documents.license USING ERRCODE = 'PE019';
    END IF;
    IF NOT enroll.actor_administers(l.registrar_org_id) THEN
        RAISE EXCEPTION 'permission denied to validate the documents of license %', l.id USING ERRCODE = '42501',
            DETAIL = 'Only system administrators and current administrators of the license''s registrar organization may do this.';
    END IF;
    IF l.documents_due_at IS NULL THEN
        RAISE EXCEPTION 'license % needs no documents', l.id USING ERRCODE = 'PE018',
            DETAIL = 'Its offer has no documents grace (S2.18), so there is nothing to validate.';
    END IF;
    IF l.ended_at IS NOT NULL THEN
        RAISE EXCEPTION 'license % has ended', l.id USING ERRCODE = 'PE011',
            DETAIL = enroll.license_end_detail(l),
            HINT = 'Validate the documents of the holder''s current license for the course.';
    END IF;
    IF l.documents_validated_at IS NOT NULL THEN
        RETURN l;                       -- already validated: unchanged, no event
    END IF;
    UPDATE enroll.license x SET documents_validated_at = now_, documents_validated_by = me
     WHERE x.id OPERATOR(pg_catalog.=) l.id
    RETURNING x.* INTO l;
    PERFORM enroll.log_event('license.validate_documents', 'license', l.id,
                             pg_catalog.jsonb_build_object('documents_due_at', l.documents_due_at,
                                                           'late', now_ OPERATOR(pg_catalog.>=) l.documents_due_at));
    RETURN l;
END
$fn$;
COMMENT ON FUNCTION enroll.validate_documents(bigint) IS
  'System admins and current administrators of the license''s registrar organization confirm the documents the learner presented (S2.18): access that stopped at documents_due_at (documents_missing) resumes. Validating again returns the row unchanged. Unknown license PE019, no documents needed PE018, ended license PE011.';

CREATE FUNCTION enroll.revoke_license(license bigint, reason text)
RETURNS enroll.license
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    now_      timestamptz := enroll.clock_now();
    l         enroll.license;
    withdrawn bigint;
BEGIN
    PERFORM enroll.require_admin('revoke licenses');
    IF revoke_license.license IS NULL THEN
        RAISE EXCEPTION 'license must not be null' USING ERRCODE = '22004';
    END IF;
    IF revoke_license.reason IS NULL
       OR pg_catalog.btrim(revoke_license.reason, E' \t\r\n\f\x0b') OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'a reason is required to revoke a license' USING ERRCODE = '22023',
            HINT = 'Say why, e.g. ''payment refunded''; it is kept in the license''s end_note and in the audit log.';
    ELSIF pg_catalog.length(pg_catalog.btrim(revoke_license.reason, E' \t\r\n\f\x0b')) OPERATOR(pg_catalog.>) 2000 THEN
        RAISE EXCEPTION 'the reason is too long: % characters', pg_catalog.length(pg_catalog.btrim(revoke_license.reason, E' \t\r\n\f\x0b'))
            USING ERRCODE = '22023', DETAIL = 'A revocation reason has at most 2000 characters.';
    END IF;
    -- locked: a concurrent acceptance that supersedes it waits, or makes this fail (PE011)
    SELECT x.* INTO l FROM enroll.license x WHERE x.id OPERATOR(pg_catalog.=) revoke_license.license FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'license % does not exist', revoke_license.license USING ERRCODE = 'PE019';
    END IF;
    IF l.end_reason OPERATOR(pg_catalog.=) 'revoked' THEN
        RAISE EXCEPTION 'license % was already revoked', l.id USING ERRCODE = 'PE011',
            DETAIL = enroll.license_end_detail(l);
    ELSIF l.ended_at IS NOT NULL THEN
        RAISE EXCEPTION 'license % has already ended', l.id USING ERRCODE = 'PE011',
            DETAIL = enroll.license_end_detail(l),
            HINT = 'Revoke the holder''s current license for the course instead.';
    END IF;
    UPDATE enroll.license x SET ended_at = now_, end_reason = 'revoked', end_note = pg_catalog.btrim(revoke_license.reason, E' \t\r\n\f\x0b')
     WHERE x.id OPERATOR(pg_catalog.=) l.id
    RETURNING x.* INTO l;
    -- the seats of an organization license stay as they are: access_status
    -- reports them seat_withdrawn from now on
    IF l.holder_kind OPERATOR(pg_catalog.=) 'organization' THEN
        SELECT pg_catalog.count(*) INTO withdrawn FROM enroll.license x
         WHERE x.parent_license OPERATOR(pg_catalog.=) l.id AND x.ended_at IS NULL;
    END IF;
    PERFORM enroll.log_event('license.revoke', 'license', l.id,
                             pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                                 'reason', l.end_note, 'holder_kind', l.holder_kind,
                                 'account', l.account_id, 'organization', l.organization_id,
                                 'seats_withdrawn', withdrawn)));
    RETURN l;
END
$fn$;
COMMENT ON FUNCTION enroll.revoke_license(bigint, text) IS
  'System admins: ends a current license now (end_reason revoked, the reason in end_note; a reason of at most 2000 characters is required, 22023). Access stops at once (status revoked); revoking an organization license withdraws every seat allocated from it (status seat_withdrawn). Unknown license PE019; a license that has already ended, revoked or superseded, PE011.';

-- Privileges of this block (it comes after the script's global REVOKE)
REVOKE ALL ON FUNCTION
    enroll.license_end_detail(enroll.license),
    enroll.allocate_seat(bigint, bigint),
    enroll.validate_documents(bigint),
    enroll.revoke_license(bigint, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    enroll.allocate_seat(bigint, bigint),
    enroll.validate_documents(bigint),
    enroll.revoke_license(bigint, text)
    TO enroll_admin, enroll_app;
-- @@licenses-end@@

-------------------------------------------------------------------------------
-- The access check (hot path, read-only)
-------------------------------------------------------------------------------
-- @@access-begin@@
CREATE FUNCTION enroll.access_status(account bigint, course bigint) RETURNS text
    AS 'MODULE_PATHNAME', 'access_status' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION enroll.access_status(bigint, bigint) IS
  'Why an account may or may not use a course now: active, no_license, revoked, seat_withdrawn, not_started, expired, documents_missing (S2.18), registrar_membership_ended (S2.19); checked in that order. Read-only: works on a hot standby.';

CREATE FUNCTION enroll.can_access(account bigint, course bigint) RETURNS boolean
    AS 'MODULE_PATHNAME', 'can_access' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION enroll.can_access(bigint, bigint) IS
  'The check an application makes on every page view: true exactly when enroll.access_status is active.';

REVOKE EXECUTE ON FUNCTION enroll.access_status(bigint, bigint), enroll.can_access(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.access_status(bigint, bigint), enroll.can_access(bigint, bigint)
    TO enroll_admin, enroll_app, enroll_reader;
-- @@access-end@@

-------------------------------------------------------------------------------
-- Course session setup (S1)
-------------------------------------------------------------------------------
-- @@session-begin@@
CREATE FUNCTION enroll.setup_course_session(order_ref text, offer bigint, operator bigint, seats integer,
                                            participants jsonb, dry_run boolean DEFAULT false)
RETURNS jsonb
    AS 'MODULE_PATHNAME', 'setup_course_session'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.setup_course_session(text, bigint, bigint, integer, jsonb, boolean) IS
  'One call, all or nothing, sets up a training session bought by an operator (S1): accounts only for unknown addresses (S1.5), one group per order (S1.4), enrollments as student or the supervisor role (S1.2, S1.9), a license each (S2.23), cross delegated roles (S1.6), support-course enrollments (S1.7); seats counted for learners and tutors alike (S1.3). Idempotent by order reference; dry_run reports without writing.';

CREATE FUNCTION enroll.setup_course_session(params text, participants jsonb, dry_run boolean DEFAULT false)
RETURNS jsonb
    AS 'MODULE_PATHNAME', 'setup_course_session_params'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION enroll.setup_course_session(text, jsonb, boolean) IS
  'enroll.setup_course_session with the URL-encoded parameter string of the shop handler (S1.11): order=...&offer=...&operator=...&seats=...';

REVOKE EXECUTE ON FUNCTION enroll.setup_course_session(text, bigint, bigint, integer, jsonb, boolean),
    enroll.setup_course_session(text, jsonb, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.setup_course_session(text, bigint, bigint, integer, jsonb, boolean),
    enroll.setup_course_session(text, jsonb, boolean) TO enroll_admin, enroll_app;
-- @@session-end@@

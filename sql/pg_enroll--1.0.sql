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
    RETURN pg_catalog.lower(pg_catalog.btrim(email COLLATE "C", E' \t\r\n\f\v'));
COMMENT ON FUNCTION enroll.email_key(text) IS
  'Uniqueness key of an e-mail address (S1.5): trimmed and ASCII lower-cased, independent of the database collation.';

-------------------------------------------------------------------------------
-- Tables
-------------------------------------------------------------------------------
CREATE TABLE enroll.organization_type (
    id          bigserial PRIMARY KEY,
    code        text NOT NULL UNIQUE
                CONSTRAINT organization_type_code_format CHECK (code OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_]{0,62}$'),
    name        text NOT NULL CONSTRAINT organization_type_name_not_blank CHECK (pg_catalog.btrim(name) OPERATOR(pg_catalog.<>) ''),
    created_at  timestamptz NOT NULL DEFAULT enroll.clock_now()
);
COMMENT ON TABLE enroll.organization_type IS
  'Kinds of registrar organization (school, university, non-profit ...) that narrow an offer''s audience (S2.13, S2.16).';

CREATE TABLE enroll.organization (
    id          bigserial PRIMARY KEY,
    type_id     bigint NOT NULL REFERENCES enroll.organization_type (id),
    name        text NOT NULL CONSTRAINT organization_name_not_blank CHECK (pg_catalog.btrim(name) OPERATOR(pg_catalog.<>) ''),
    created_at  timestamptz NOT NULL DEFAULT enroll.clock_now()
);
CREATE INDEX organization_type_id_idx ON enroll.organization (type_id);
COMMENT ON TABLE enroll.organization IS
  'Registrar organizations (S2.13-S2.17): they register learners; they neither offer nor hold the learner''s license (S2.15).';

CREATE TABLE enroll.account (
    id            bigserial PRIMARY KEY,
    email         text NOT NULL
                  CONSTRAINT account_email_trimmed CHECK (email OPERATOR(pg_catalog.=) pg_catalog.btrim(email, E' \t\r\n\f\v'))
                  CONSTRAINT account_email_has_at CHECK (pg_catalog.strpos(email, '@') OPERATOR(pg_catalog.>) 1),
    firstname     text NOT NULL DEFAULT '',
    lastname      text NOT NULL DEFAULT '',
    profile_level enroll.profile_level NOT NULL DEFAULT 'default',
    profile       jsonb NOT NULL DEFAULT '{}'
                  CONSTRAINT account_profile_is_object CHECK (pg_catalog.jsonb_typeof(profile) OPERATOR(pg_catalog.=) 'object'),
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
                CONSTRAINT course_shortname_not_blank CHECK (pg_catalog.btrim(shortname) OPERATOR(pg_catalog.<>) '' AND shortname OPERATOR(pg_catalog.=) pg_catalog.btrim(shortname)),
    fullname    text NOT NULL CONSTRAINT course_fullname_not_blank CHECK (pg_catalog.btrim(fullname) OPERATOR(pg_catalog.<>) ''),
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
    idnumber    text NOT NULL CONSTRAINT course_group_idnumber_not_blank CHECK (pg_catalog.btrim(idnumber) OPERATOR(pg_catalog.<>) ''),
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
    code            text NOT NULL UNIQUE CONSTRAINT offer_code_not_blank CHECK (pg_catalog.btrim(code) OPERATOR(pg_catalog.<>) ''),
    title           text NOT NULL CONSTRAINT offer_title_not_blank CHECK (pg_catalog.btrim(title) OPERATOR(pg_catalog.<>) ''),
    course_id       bigint NOT NULL REFERENCES enroll.course (id),
    price           numeric(12,2) NOT NULL CONSTRAINT offer_price_not_negative CHECK (price OPERATOR(pg_catalog.>=) 0),
    currency        text NOT NULL CONSTRAINT offer_currency_iso4217 CHECK (currency OPERATOR(pg_catalog.~) '^[A-Z]{3}$'),
    valid_from      timestamptz NOT NULL,
    valid_until     timestamptz NOT NULL,
    visibility      enroll.offer_visibility NOT NULL DEFAULT 'public',
    recipient_kind  enroll.holder_kind NOT NULL DEFAULT 'person',
    required_level  enroll.profile_level NOT NULL DEFAULT 'default',
    extra_condition text CONSTRAINT offer_extra_condition_not_blank CHECK (pg_catalog.btrim(extra_condition) OPERATOR(pg_catalog.<>) ''),
    access_period   interval NOT NULL CONSTRAINT offer_access_period_positive CHECK (access_period OPERATOR(pg_catalog.>) '0'::interval),
    documents_grace interval CONSTRAINT offer_documents_grace_positive CHECK (documents_grace OPERATOR(pg_catalog.>) '0'::interval),
    seats           integer CONSTRAINT offer_seats_positive CHECK (seats OPERATOR(pg_catalog.>) 0),
    handler_params  text,
    created_at      timestamptz NOT NULL DEFAULT enroll.clock_now(),
    CONSTRAINT offer_window_not_empty CHECK (valid_until OPERATOR(pg_catalog.>) valid_from),
    CONSTRAINT offer_paid_needs_billing CHECK (price OPERATOR(pg_catalog.=) 0 OR required_level OPERATOR(pg_catalog.>=) 'billing'),
    CONSTRAINT offer_seats_for_organizations CHECK ((recipient_kind OPERATOR(pg_catalog.=) 'organization') OPERATOR(pg_catalog.=) (seats IS NOT NULL)),
    CONSTRAINT offer_id_course_key UNIQUE (id, course_id),
    CONSTRAINT offer_recipient_target_key UNIQUE (id, visibility, recipient_kind)
);
CREATE INDEX offer_course_idx ON enroll.offer (course_id);
CREATE INDEX offer_window_idx ON enroll.offer (valid_from, valid_until);
COMMENT ON TABLE enroll.offer IS
  'Offers (S2.1): price and currency (S2.2), validity window (S2.3), public or private (S2.6, S2.7), required profile level (S2.11), extra condition (S2.21), access period, documents grace (S2.18), seats for organization offers, session handler parameters (S1.9, S1.11).';
COMMENT ON COLUMN enroll.offer.price IS 'Price including VAT; 0 is a free offer. A price above 0 needs required_level billing (S2.11).';
COMMENT ON COLUMN enroll.offer.currency IS 'ISO 4217 code, three capital letters.';
COMMENT ON COLUMN enroll.offer.recipient_kind IS 'Who holds the licenses: persons, or organizations (which then allocate seats).';
COMMENT ON COLUMN enroll.offer.extra_condition IS 'Free-text condition the learner must accept (S2.21, S2.22); shown before login.';
COMMENT ON COLUMN enroll.offer.access_period IS 'How long a license from this offer grants access, counted from acceptance (S2.23).';
COMMENT ON COLUMN enroll.offer.documents_grace IS 'When set, documents must be validated within this time after acceptance (S2.18).';
COMMENT ON COLUMN enroll.offer.handler_params IS 'URL-encoded session setup parameters: coursename, supervisor, customersupport, starttime, endtime (S1.9-S1.11).';

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
    price_paid             numeric(12,2) NOT NULL CONSTRAINT license_price_not_negative CHECK (price_paid OPERATOR(pg_catalog.>=) 0),
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
    end_note               text,
    superseded_by          bigint REFERENCES enroll.license (id),
    order_ref              text,
    CONSTRAINT license_offer_course_fkey FOREIGN KEY (offer_id, course_id) REFERENCES enroll.offer (id, course_id),
    CONSTRAINT license_id_course_key UNIQUE (id, course_id),
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
    order_ref   text NOT NULL UNIQUE CONSTRAINT purchase_order_ref_not_blank CHECK (pg_catalog.btrim(order_ref) OPERATOR(pg_catalog.<>) ''),
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
COMMENT ON COLUMN enroll.event.db_role IS 'The session role that called (not the SECURITY DEFINER owner).';

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
    addr text := pg_catalog.btrim(register_account.email, E' \t\r\n\f\v');
    acc  enroll.account;
BEGIN
    IF register_account.email IS NULL THEN
        RAISE EXCEPTION 'e-mail address must not be null' USING ERRCODE = '22004';
    END IF;
    IF addr OPERATOR(pg_catalog.!~) '^[^@[:space:]]+@[^@[:space:]]+$' THEN
        RAISE EXCEPTION 'invalid e-mail address "%"', addr USING ERRCODE = '22023',
            HINT = 'An address has one "@" between a non-empty local part and a domain, without spaces.';
    END IF;
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
  'Creates an account for an unknown e-mail address, or returns the existing account for a known one, compared case- and space-insensitively (S1.5). Existing names are never overwritten.';

CREATE FUNCTION enroll.set_login_role(account bigint, login_role name)
RETURNS enroll.account
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    acc enroll.account;
BEGIN
    PERFORM enroll.require_admin('map database roles to accounts');
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
    INSERT INTO enroll.course AS t (shortname, fullname)
        VALUES (create_course.shortname, create_course.fullname)
        RETURNING t.* INTO c;
    PERFORM enroll.log_event('course.create', 'course', c.id,
                             pg_catalog.jsonb_build_object('shortname', c.shortname));
    RETURN c;
END
$fn$;
COMMENT ON FUNCTION enroll.create_course(text, text) IS
  'Admins: creates a course identified by its unique short name (S1.2).';

CREATE FUNCTION enroll.create_organization_type(code text, name text)
RETURNS enroll.organization_type
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    t enroll.organization_type;
BEGIN
    PERFORM enroll.require_admin('create organization types');
    INSERT INTO enroll.organization_type AS x (code, name)
        VALUES (create_organization_type.code, create_organization_type.name)
        RETURNING x.* INTO t;
    PERFORM enroll.log_event('organization_type.create', 'organization_type', t.id,
                             pg_catalog.jsonb_build_object('code', t.code));
    RETURN t;
END
$fn$;
COMMENT ON FUNCTION enroll.create_organization_type(text, text) IS
  'Admins: creates an organization type (school, university, non-profit ...) that offers can name (S2.13, S2.16).';

CREATE FUNCTION enroll.create_organization(type_code text, name text)
RETURNS enroll.organization
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    o enroll.organization;
    tid bigint;
BEGIN
    PERFORM enroll.require_admin('create organizations');
    SELECT t.id INTO tid FROM enroll.organization_type t WHERE t.code OPERATOR(pg_catalog.=) create_organization.type_code;
    IF tid IS NULL THEN
        RAISE EXCEPTION 'organization type "%" does not exist', create_organization.type_code
            USING ERRCODE = '22023', HINT = 'Create it with enroll.create_organization_type first.';
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
  'Admins: creates a registrar organization of the given type code (S2.13).';

CREATE FUNCTION enroll.set_organization_admin(organization bigint, account bigint, is_admin boolean DEFAULT true)
RETURNS enroll.membership
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    m enroll.membership;
BEGIN
    IF NOT enroll.acting_as_admin() AND NOT EXISTS (
        SELECT FROM enroll.membership x
         WHERE x.organization_id OPERATOR(pg_catalog.=) set_organization_admin.organization
           AND x.account_id OPERATOR(pg_catalog.=) enroll.current_account()
           AND x.left_at IS NULL AND x.is_admin) THEN
        RAISE EXCEPTION 'permission denied to change the administrators of organization %', set_organization_admin.organization
            USING ERRCODE = '42501',
                  DETAIL = 'Only system administrators and current administrators of the organization may do this.';
    END IF;
    UPDATE enroll.membership x SET is_admin = COALESCE(set_organization_admin.is_admin, false)
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
  'System admins and current organization admins: makes a current member an administrator of the organization (or not).';

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
GRANT EXECUTE ON FUNCTION enroll.clock_now(), enroll.email_key(text) TO PUBLIC;
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
-- @@acceptance-end@@

-------------------------------------------------------------------------------
-- Offers (S2.1-S2.7)
-------------------------------------------------------------------------------
-- @@offers-begin@@
-- @@offers-end@@

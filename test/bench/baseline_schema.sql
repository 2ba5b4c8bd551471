-- test/bench/baseline_schema.sql: the look-alike tables of the baselines
-- (scripts/bench).  What a user would build WITHOUT pg_enroll to hold the
-- same business rows: minimal tables in schema base, with the keys, the
-- foreign keys and the unique indexes that make the data correct (one
-- account per address, one current license per holder and course, one
-- enrollment per course and account, one role assignment per context, one
-- group per course and order, the order reference unique per operator) and
-- an audit table -- and nothing else: no secondary index, no trigger, no
-- row-level security, no hash chain, no NOTIFY.  Every baseline of
-- scripts/bench writes here, never into pg_enroll's tables.
CREATE SCHEMA base;

CREATE TABLE base.organization (
    id      bigserial PRIMARY KEY,
    name    text NOT NULL
);

CREATE TABLE base.course (
    id        bigserial PRIMARY KEY,
    shortname text NOT NULL UNIQUE,
    fullname  text NOT NULL
);

CREATE TABLE base.role (
    id        bigserial PRIMARY KEY,
    shortname text NOT NULL UNIQUE
);

CREATE TABLE base.account (
    id         bigserial PRIMARY KEY,
    email      text NOT NULL,
    firstname  text NOT NULL DEFAULT '',
    lastname   text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
-- one account per address, case-insensitively
CREATE UNIQUE INDEX account_email_key ON base.account (lower(email));

CREATE TABLE base.membership (
    id              bigserial PRIMARY KEY,
    account_id      bigint NOT NULL REFERENCES base.account,
    organization_id bigint NOT NULL REFERENCES base.organization,
    is_admin        boolean NOT NULL DEFAULT false,
    left_at         timestamptz
);
CREATE UNIQUE INDEX membership_current_key ON base.membership (account_id, organization_id) WHERE left_at IS NULL;

CREATE TABLE base.offer (
    id            bigserial PRIMARY KEY,
    course_id     bigint NOT NULL REFERENCES base.course,
    price         numeric(12,2) NOT NULL,
    currency      text NOT NULL,
    valid_from    timestamptz NOT NULL,
    valid_until   timestamptz NOT NULL,
    access_period interval NOT NULL
);

CREATE TABLE base.purchase_order (
    id          bigserial PRIMARY KEY,
    order_ref   text NOT NULL,
    operator_id bigint NOT NULL REFERENCES base.account,
    offer_id    bigint NOT NULL REFERENCES base.offer,
    seats       integer NOT NULL,
    status      text NOT NULL DEFAULT 'completed',
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (operator_id, order_ref)
);

CREATE TABLE base.course_group (
    id        bigserial PRIMARY KEY,
    course_id bigint NOT NULL REFERENCES base.course,
    idnumber  text NOT NULL,
    order_id  bigint REFERENCES base.purchase_order,
    UNIQUE (course_id, idnumber)
);

CREATE TABLE base.group_member (
    group_id   bigint NOT NULL REFERENCES base.course_group,
    account_id bigint NOT NULL REFERENCES base.account,
    added_at   timestamptz NOT NULL DEFAULT now(),
    removed_at timestamptz,
    PRIMARY KEY (group_id, account_id)
);

CREATE TABLE base.license (
    id               bigserial PRIMARY KEY,
    offer_id         bigint NOT NULL REFERENCES base.offer,
    course_id        bigint NOT NULL REFERENCES base.course,
    account_id       bigint REFERENCES base.account,
    organization_id  bigint REFERENCES base.organization,
    accepted_by      bigint REFERENCES base.account,
    accepted_via     text NOT NULL,
    accepted_at      timestamptz NOT NULL,
    registrar_org_id bigint REFERENCES base.organization,
    price_paid       numeric(12,2) NOT NULL,
    currency         text NOT NULL,
    access_from      timestamptz NOT NULL,
    access_until     timestamptz NOT NULL,
    documents_due_at timestamptz,
    documents_validated_at timestamptz,
    seats            integer,
    parent_license   bigint REFERENCES base.license,
    ended_at         timestamptz,
    end_reason       text,
    superseded_by    bigint REFERENCES base.license DEFERRABLE INITIALLY DEFERRED,
    order_id         bigint REFERENCES base.purchase_order
);
-- one current license per holder and course
CREATE UNIQUE INDEX license_current_person_key ON base.license (account_id, course_id)
    WHERE ended_at IS NULL AND account_id IS NOT NULL;
CREATE UNIQUE INDEX license_current_organization_key ON base.license (organization_id, course_id)
    WHERE ended_at IS NULL AND organization_id IS NOT NULL;

CREATE TABLE base.enrollment (
    id         bigserial PRIMARY KEY,
    course_id  bigint NOT NULL REFERENCES base.course,
    account_id bigint NOT NULL REFERENCES base.account,
    role_id    bigint NOT NULL REFERENCES base.role,
    group_id   bigint REFERENCES base.course_group,
    license_id bigint REFERENCES base.license,
    time_start timestamptz,
    time_end   timestamptz,
    order_id   bigint REFERENCES base.purchase_order,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (course_id, account_id)
);

CREATE TABLE base.role_assignment (
    id            bigserial PRIMARY KEY,
    role_id       bigint NOT NULL REFERENCES base.role,
    account_id    bigint NOT NULL REFERENCES base.account,
    context_level text NOT NULL,
    context_id    bigint,
    assigned_by   bigint REFERENCES base.account,
    order_id      bigint REFERENCES base.purchase_order,
    assigned_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (role_id, account_id, context_level, context_id)
);

-- the audit log: one row per change a user would want to trace
CREATE TABLE base.audit (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    actor   bigint,
    what    text NOT NULL,
    row_id  bigint,
    subject bigint,
    details jsonb
);

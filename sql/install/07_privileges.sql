-------------------------------------------------------------------------------
-- Privileges: read through RLS, write only through functions
-------------------------------------------------------------------------------
REVOKE ALL ON ALL TABLES IN SCHEMA enroll FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA enroll FROM PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA enroll TO enroll_admin, enroll_app, enroll_reader;
-- an account's profile data (level, billing data, is_admin, login_role) is
-- visible to the account itself and system admins only, through
-- enroll.account_profile: applications and readers get the other columns
REVOKE SELECT ON enroll.account FROM enroll_app, enroll_reader;
GRANT SELECT (id, email, firstname, lastname, created_at, erased_at) ON enroll.account TO enroll_app, enroll_reader;
-- the audit hash chain is the system admins' (enroll.audit_head gives its head)
REVOKE SELECT ON enroll.audit_chain FROM enroll_app, enroll_reader;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA enroll FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.clock_now(), enroll.email_key(text), enroll.normalize_email(text),
    enroll.trim_blank(text), enroll.is_blank(text), enroll.email_canonical_key(text) TO PUBLIC;
GRANT EXECUTE ON FUNCTION enroll.current_account(), enroll.acting_as_admin()
    TO enroll_admin, enroll_app, enroll_reader;
GRANT EXECUTE ON FUNCTION enroll.act_as(bigint) TO enroll_admin, enroll_app;
GRANT EXECUTE ON FUNCTION
    enroll.register_account(text, text, text),
    enroll.set_login_role(bigint, name),
    enroll.create_course(text, text),
    enroll.create_organization_type(text, text),
    enroll.create_organization(text, text),
    enroll.set_organization_admin(bigint, bigint, boolean),
    enroll.update_organization(bigint, text, enroll.join_policy),
    enroll.upgrade_organization_profile(bigint, enroll.profile_level, jsonb)
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

-- 01_install: installing 1.0, its object list, roles, catalogue hygiene.
-- The 1.0 object list is pinned here so that no later script changes 1.0 by
-- accident; 09_upgrade pins 1.1 and compares an upgrade with a fresh install.
\set SHOW_CONTEXT never
CREATE EXTENSION pg_enroll VERSION '1.0';
SELECT extname, extversion, extrelocatable, extnamespace::regnamespace AS schema
  FROM pg_extension WHERE extname = 'pg_enroll';
\dx+ pg_enroll
-- the shipped versions and the upgrade path between them
SELECT version FROM pg_available_extension_versions WHERE name = 'pg_enroll' ORDER BY version;
SELECT source, target, path FROM pg_extension_update_paths('pg_enroll')
 WHERE path IS NOT NULL ORDER BY source, target;
-- from here on, the hygiene checks apply to the default (latest) version
DROP EXTENSION pg_enroll;
CREATE EXTENSION pg_enroll;
SELECT extversion FROM pg_extension WHERE extname = 'pg_enroll';

-- the three roles exist, cannot log in, and are cluster-wide
SELECT rolname, rolcanlogin, rolsuper FROM pg_roles WHERE rolname LIKE 'enroll\_%' ORDER BY 1;

-- every table and sequence of the extension is dumped by pg_dump
SELECT c.relname AS not_config_dumped
  FROM pg_class c JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_enroll'
 WHERE c.relkind IN ('r', 'S') AND NOT c.oid = ANY (e.extconfig)
 ORDER BY 1;

-- every table and function carries a comment (\d+ and \df+ are the manual)
SELECT c.relname AS table_without_comment FROM pg_class c
 WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind = 'r'
   AND obj_description(c.oid, 'pg_class') IS NULL;
SELECT p.oid::regprocedure AS function_without_comment FROM pg_proc p
 WHERE p.pronamespace = 'enroll'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL;

-- every SECURITY DEFINER function pins search_path
SELECT p.oid::regprocedure AS secdef_without_search_path FROM pg_proc p
 WHERE p.pronamespace = 'enroll'::regnamespace AND p.prosecdef
   AND NOT EXISTS (SELECT FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%');

-- nobody but the roles a function is granted to may run it: only these pure,
-- person-free helpers are executable by PUBLIC.  A function added without
-- its own REVOKE ... FROM PUBLIC shows up here.
SELECT p.oid::regprocedure AS executable_by_public FROM pg_proc p
 WHERE p.pronamespace = 'enroll'::regnamespace
   AND has_function_privilege('public', p.oid, 'EXECUTE')
 ORDER BY 1;

-- row-level security is on for every table about people
SELECT relname, relrowsecurity FROM pg_class
 WHERE relnamespace = 'enroll'::regnamespace AND relkind = 'r' ORDER BY relname;

-- the seeded roles of the role catalogue
SELECT shortname, builtin FROM enroll.role ORDER BY id;

-- DROP EXTENSION removes every object; the cluster-wide roles and the empty
-- schema (created by PostgreSQL for the control file's "schema") stay
DROP EXTENSION pg_enroll;
SELECT count(*) AS objects_left FROM pg_class WHERE relnamespace = 'enroll'::regnamespace;
SELECT count(*) AS functions_left FROM pg_proc WHERE pronamespace = 'enroll'::regnamespace;
SELECT count(*) AS types_left FROM pg_type WHERE typnamespace = 'enroll'::regnamespace;
SELECT count(*) AS roles_left FROM pg_roles WHERE rolname LIKE 'enroll\_%';
-- installing again, with the roles already there, works
CREATE EXTENSION pg_enroll;
SELECT extversion FROM pg_extension WHERE extname = 'pg_enroll';

/* pg_enroll--1.2.sql: the install script of the current version, built by
 * the Makefile from the topic files sql/install/NN_*.sql (concatenated in name
 * order).  Edit those files, never the built script; an existing database
 * reaches the same catalogue through pg_enroll--1.1--1.2.sql (test/t/004_upgrade.pl
 * compares the two). */

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


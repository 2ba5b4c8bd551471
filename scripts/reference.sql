-- scripts/reference.sql: the catalogue part of doc/reference.md, written by
-- scripts/reference (which adds the SQLSTATEs of src/errcodes.h).  Run with
-- psql -X -q -A -t -v ON_ERROR_STOP=1 against a database where pg_enroll is
-- installed; prints Markdown on stdout.
--
-- It reads only the catalogue (pg_proc, pg_class, pg_attribute, pg_type,
-- pg_enum, pg_policy, pg_constraint, pg_index, pg_trigger, comments, ACLs)
-- of the objects that belong to the extension (pg_depend deptype 'e'), and
-- prints them in a fixed order (names in the "C" collation), without OIDs,
-- dates, the owner's name or anything else that differs from one database to
-- the next: two databases with the same catalogue of pg_enroll give the same
-- text, whichever way they got it (CREATE EXTENSION, or ALTER EXTENSION
-- UPDATE from an older version).  Writes nothing (no temporary objects
-- either): it runs on a hot standby too.
--
-- Functions that PUBLIC or one of enroll_admin, enroll_app, enroll_reader may
-- execute are described in full; the others (trigger functions, helpers
-- that only the owner runs) are listed in "Internal functions" with their
-- comment.

-- everything that prints through a session setting, fixed
SET search_path = pg_catalog;
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET TimeZone = 'UTC';
SET extra_float_digits = 1;
SET bytea_output = 'hex';
\pset null ''

DO $check$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_enroll') THEN
        RAISE EXCEPTION 'pg_enroll is not installed in database "%"', pg_catalog.current_database()
            USING HINT = 'Run scripts/reference against a database where CREATE EXTENSION pg_enroll was run.';
    END IF;
END
$check$;

SELECT e.oid AS ext, e.extversion AS extversion, n.nspname AS extschema
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname = 'pg_enroll' \gset

-- Loads the library (its settings appear in pg_settings once it is loaded).
-- A failure (say, a library older than the SQL) leaves the section empty.
DO $load$
BEGIN
    PERFORM enroll.clock_now();
EXCEPTION WHEN OTHERS THEN
    NULL;
END
$load$;

-- Warnings on stderr for what has no comment (STYLE.md: COMMENT ON every
-- table, function and type); the file itself says "No comment."
DO $warn$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT w.what FROM (
        SELECT pg_catalog.format('function %s', d.objid::pg_catalog.regprocedure) AS what
          FROM pg_catalog.pg_depend d
         WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'pg_enroll')
           AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
           AND pg_catalog.obj_description(d.objid, 'pg_proc') IS NULL
        UNION ALL
        SELECT pg_catalog.format('%s %s', CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END, c.oid::pg_catalog.regclass)
          FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class c ON c.oid = d.objid
         WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'pg_enroll')
           AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
           AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
           AND pg_catalog.obj_description(c.oid, 'pg_class') IS NULL
        UNION ALL
        SELECT pg_catalog.format('type %s', t.oid::pg_catalog.regtype)
          FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_type t ON t.oid = d.objid
         WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'pg_enroll')
           AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
           AND pg_catalog.obj_description(t.oid, 'pg_type') IS NULL
        ) w ORDER BY w.what COLLATE "C"
    LOOP
        RAISE WARNING 'reference: no comment on %', r.what;
    END LOOP;
END
$warn$;

-------------------------------------------------------------------------------
-- Header and contents
-------------------------------------------------------------------------------
SELECT pg_catalog.format(
$h$# pg_enroll %1$s reference

<!-- Generated from the catalogue by scripts/reference: do not edit. After a
     change to sql/install/ or src/errcodes.h, regenerate it (see the header of
     scripts/reference) and commit it with the change; test/t/008_reference.pl
     fails when it is out of date. -->

Every object of the extension `pg_enroll` %1$s as the catalogue of a database where it is installed
describes it (what `\df+ enroll.*`, `\dv+`, `\d+` and `\dT+` show, and the comments the install
script sets), and every SQLSTATE of `src/errcodes.h`. How the pieces fit together is told in
[README.md](../README.md) and, step by step, in [the tutorial](tutorial.md).

- [Schema and roles](#schema-and-roles)
- [Functions](#functions)
- [Views](#views)
- [Tables](#tables)
- [Types](#types)
- [Settings](#settings)
- [SQLSTATEs](#sqlstates)
- [Internal functions](#internal-functions)
$h$, :'extversion');

-------------------------------------------------------------------------------
-- Schema and roles
-------------------------------------------------------------------------------
WITH usage AS (
    SELECT pg_catalog.string_agg(
               pg_catalog.format('`%s`', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE r.rolname::text END),
               ', ' ORDER BY CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE r.rolname::text END COLLATE "C") AS roles
      FROM pg_catalog.pg_namespace n
     CROSS JOIN LATERAL pg_catalog.aclexplode(COALESCE(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a
      LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
     WHERE n.nspname = :'extschema' AND a.privilege_type = 'USAGE' AND a.grantee <> n.nspowner
)
SELECT pg_catalog.format(
$s$## Schema and roles

Every object lives in schema `%1$s`. `USAGE` on the schema: %2$s; a role needs it, besides
`EXECUTE` or `SELECT`, to use anything below, so a grant to `PUBLIC` reaches these roles only.
The owner of the extension (the superuser who ran `CREATE EXTENSION`) and superusers may use
everything; the lists of who may execute or read below leave them out.

| role | what it is for |
|---|---|
| `enroll_admin` | system administrators: everything, acting on behalf of anyone |
| `enroll_app` | applications: call the functions, say which account they act for (`enroll.act_as`) |
| `enroll_reader` | reporting: read-only, sees what the account it is mapped to may see |

The extension creates these three roles (`NOLOGIN`) when they are missing; they are cluster-wide
and outlive `DROP EXTENSION`. Grant them to login roles (`GRANT enroll_app TO shop`).
$s$, :'extschema', COALESCE(u.roles, 'nobody'))
  FROM usage u;

-------------------------------------------------------------------------------
-- Functions
-------------------------------------------------------------------------------
-- one row per function of the extension, with everything the sections need
WITH fn AS (
    SELECT p.oid, p.proname, n.nspname, p.prokind, p.prolang, p.provolatile, p.prosecdef,
           p.proisstrict, p.proretset, p.proconfig, p.proowner,
           pg_catalog.obj_description(p.oid, 'pg_proc') AS comment,
           pg_catalog.format('%s.%s(%s)', n.nspname, p.proname,
                             pg_catalog.pg_get_function_identity_arguments(p.oid)) AS identity
      FROM pg_catalog.pg_depend d
      JOIN pg_catalog.pg_proc p ON p.oid = d.objid
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = :ext
       AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
),
grants AS (
    SELECT f.oid,
           pg_catalog.string_agg(pg_catalog.format('`%s`', g.name), ', ' ORDER BY g.name COLLATE "C") AS execute,
           pg_catalog.bool_or(g.name IN ('PUBLIC', 'enroll_admin', 'enroll_app', 'enroll_reader')) AS public
      FROM fn f
      JOIN pg_catalog.pg_proc p ON p.oid = f.oid
     CROSS JOIN LATERAL pg_catalog.aclexplode(COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
     CROSS JOIN LATERAL (SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                                     ELSE (SELECT r.rolname::text FROM pg_catalog.pg_roles r WHERE r.oid = a.grantee)
                                END AS name) g
     WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> f.proowner
     GROUP BY f.oid
),
-- the arguments as written in CREATE FUNCTION: mode, name, type, default
-- (a literal default without its cast: the type is right before it)
args AS (
    SELECT f.oid,
           pg_catalog.count(*) AS n,
           pg_catalog.array_agg(pg_catalog.concat_ws(' ',
               CASE a.mode WHEN 'o' THEN 'OUT' WHEN 'b' THEN 'INOUT' WHEN 'v' THEN 'VARIADIC' END,
               NULLIF(pg_catalog.quote_ident(NULLIF(a.name, '')), '""'),
               pg_catalog.format_type(a.type, NULL),
               'DEFAULT ' || pg_catalog.regexp_replace(pg_catalog.pg_get_function_arg_default(f.oid, a.ord::integer),
                   '^(NULL|''(?:[^'']|'''')*''|-?[0-9]+(?:\.[0-9]+)?)::[^'']+$', '\1'))
               ORDER BY a.ord) AS list
      FROM fn f
      JOIN pg_catalog.pg_proc p ON p.oid = f.oid
     CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(COALESCE(p.proallargtypes, p.proargtypes::oid[])),
                                   pg_catalog.unnest(p.proargmodes),
                                   pg_catalog.unnest(p.proargnames)) WITH ORDINALITY AS a(type, mode, name, ord)
     WHERE COALESCE(a.mode, 'i') <> 't'
     GROUP BY f.oid
),
described AS (
    SELECT f.*, COALESCE(g.execute, '') AS execute, COALESCE(g.public, false) AS public,
           l.lanname,
           pg_catalog.pg_get_function_result(f.oid) AS result,
           COALESCE(a.list, '{}') AS arglist,
           -- Markdown: a comment is a paragraph of its own; * and < would be markup
           COALESCE(pg_catalog.replace(pg_catalog.replace(f.comment, '*', '\*'), '<', '\<'), '*No comment.*') AS md_comment
      FROM fn f
      LEFT JOIN grants g ON g.oid = f.oid
      LEFT JOIN args a ON a.oid = f.oid
      JOIN pg_catalog.pg_language l ON l.oid = f.prolang
),
forms AS (
    SELECT d.*,
           CASE WHEN pg_catalog.length(d.nspname || d.proname || pg_catalog.array_to_string(d.arglist, ', ')) > 80
                THEN pg_catalog.format(E'%s.%s(\n    %s\n)', d.nspname, d.proname, pg_catalog.array_to_string(d.arglist, E',\n    '))
                ELSE pg_catalog.format('%s.%s(%s)', d.nspname, d.proname, pg_catalog.array_to_string(d.arglist, ', '))
           END AS signature,
           pg_catalog.concat_ws(', ',
               CASE d.lanname WHEN 'c' THEN 'C' WHEN 'sql' THEN 'SQL' WHEN 'plpgsql' THEN 'PL/pgSQL' ELSE d.lanname END,
               CASE d.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END,
               CASE WHEN d.proisstrict THEN 'strict (NULL in, NULL out)' END,
               CASE WHEN d.prosecdef THEN 'security definer' ELSE 'security invoker' END,
               (SELECT pg_catalog.string_agg(pg_catalog.format('`SET %s`', pg_catalog.replace(c, '=', ' = ')), ', ' ORDER BY c COLLATE "C")
                  FROM pg_catalog.unnest(d.proconfig) c)) AS attributes
      FROM described d
),
-- what a function gives back, in a word for the index
shown AS (
    SELECT f.*,
           CASE WHEN f.prokind = 'p' THEN 'procedure'
                WHEN f.result LIKE 'TABLE(%' THEN 'table' ELSE f.result END AS short_result
      FROM forms f
)
SELECT pg_catalog.format(
$f$## Functions

The functions that `PUBLIC`, `enroll_admin`, `enroll_app` or `enroll_reader` may execute, by
name. Each shows its arguments with their defaults (pass the optional ones by name:
`enroll.accept_offer(12, accept_condition => true)`), what it returns, its language and
volatility, whether it runs with the rights of its owner (security definer: the only way anyone
but the owner writes the tables), who may execute it, and its comment. A function that checks who is acting refuses the others with
`42501` even when they may execute it.

| function | returns | may execute |
|---|---|---|
%1$s

%2$s$f$,
    (SELECT pg_catalog.string_agg(x.line, E'\n' ORDER BY x.proname COLLATE "C")
       FROM (SELECT s.proname,
                    pg_catalog.format('| [`%s.%s`](#%s) | %s | %s |', s.nspname, s.proname, s.nspname || s.proname,
                        pg_catalog.string_agg(DISTINCT pg_catalog.format('`%s`', s.short_result) COLLATE "C", ', '),
                        pg_catalog.string_agg(DISTINCT s.execute COLLATE "C", ' / ')) AS line
               FROM shown s WHERE s.public
              GROUP BY s.nspname, s.proname) x),
    (SELECT pg_catalog.string_agg(b.block, E'\n' ORDER BY b.proname COLLATE "C")
       FROM (SELECT s.proname,
                    pg_catalog.format(E'### %s.%s\n\n%s', s.nspname, s.proname,
                        pg_catalog.string_agg(pg_catalog.format(
                            E'```sql\n%s%s%s\n```\n\n%s. May execute: %s.\n\n%s\n',
                            CASE WHEN s.prokind = 'p' THEN 'CALL ' ELSE '' END, s.signature,
                            E'\n  RETURNS ' || s.result, s.attributes, s.execute, s.md_comment),
                            E'\n' ORDER BY s.identity COLLATE "C")) AS block
               FROM shown s WHERE s.public
              GROUP BY s.nspname, s.proname) b));

-------------------------------------------------------------------------------
-- Views and tables: one query, two sections (v: views, r: tables)
-------------------------------------------------------------------------------
WITH rel AS (
    SELECT c.oid, c.relname, n.nspname, c.relkind, c.relrowsecurity, c.relforcerowsecurity,
           c.reloptions, c.relowner, c.relacl,
           CASE WHEN c.relkind IN ('v', 'm') THEN 'v' ELSE 'r' END AS section,
           COALESCE(pg_catalog.replace(pg_catalog.replace(pg_catalog.obj_description(c.oid, 'pg_class'), '*', '\*'), '<', '\<'), '*No comment.*') AS md_comment
      FROM pg_catalog.pg_depend d
      JOIN pg_catalog.pg_class c ON c.oid = d.objid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = :ext
       AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
       AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
),
-- who may do what on the whole relation: "SELECT: `a`, `b`"
privs AS (
    SELECT x.oid, pg_catalog.string_agg(pg_catalog.format('%s: %s', x.privilege, x.grantees), '; '
                                        ORDER BY x.privilege COLLATE "C") AS text
      FROM (SELECT r.oid, a.privilege_type AS privilege,
                   pg_catalog.string_agg(pg_catalog.format('`%s`', g.name), ', ' ORDER BY g.name COLLATE "C") AS grantees
              FROM rel r
             CROSS JOIN LATERAL pg_catalog.aclexplode(COALESCE(r.relacl, pg_catalog.acldefault('r', r.relowner))) a
             CROSS JOIN LATERAL (SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                                             ELSE (SELECT o.rolname::text FROM pg_catalog.pg_roles o WHERE o.oid = a.grantee)
                                        END AS name) g
             WHERE a.grantee <> r.relowner
             GROUP BY r.oid, a.privilege_type) x
     GROUP BY x.oid
),
-- column privileges: "SELECT (`id`, `email`): `a`, `b`", grantees with the
-- same columns together
colprivs AS (
    SELECT y.oid, pg_catalog.string_agg(pg_catalog.format('%s (%s): %s', y.privilege, y.columns, y.grantees), '; '
                                        ORDER BY y.privilege COLLATE "C", y.columns COLLATE "C") AS text
      FROM (SELECT x.oid, x.privilege, x.columns,
                   pg_catalog.string_agg(pg_catalog.format('`%s`', x.name), ', ' ORDER BY x.name COLLATE "C") AS grantees
              FROM (SELECT r.oid, p.privilege_type AS privilege, g.name,
                           pg_catalog.string_agg(pg_catalog.format('`%s`', a.attname), ', ' ORDER BY a.attnum) AS columns
                      FROM rel r
                      JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
                                                     AND a.attacl IS NOT NULL
                     CROSS JOIN LATERAL pg_catalog.aclexplode(a.attacl) p
                     CROSS JOIN LATERAL (SELECT CASE WHEN p.grantee = 0 THEN 'PUBLIC'
                                                     ELSE (SELECT o.rolname::text FROM pg_catalog.pg_roles o WHERE o.oid = p.grantee)
                                                END AS name) g
                     WHERE p.grantee <> r.relowner
                     GROUP BY r.oid, p.privilege_type, g.name) x
             GROUP BY x.oid, x.privilege, x.columns) y
     GROUP BY y.oid
),
cols AS (
    SELECT r.oid,
           pg_catalog.string_agg(pg_catalog.format('| `%s` | `%s`%s | %s |', a.attname,
                   pg_catalog.format_type(a.atttypid, a.atttypmod),
                   CASE WHEN a.attnotnull AND r.section = 'r' THEN ' not null' ELSE '' END,
                   pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                       COALESCE(pg_catalog.col_description(r.oid, a.attnum), ''),
                       E'\n', ' '), '|', '\|'), '*', '\*'), '<', '\<')),
               E'\n' ORDER BY a.attnum) AS rows
      FROM rel r
      JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
     GROUP BY r.oid
),
pols AS (
    SELECT r.oid,
           pg_catalog.string_agg(pg_catalog.format('- `%s` (%s%s, to %s): `USING (%s)`%s%s', p.polname,
                   CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                                 WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
                   CASE WHEN NOT p.polpermissive THEN ', restrictive' ELSE '' END,
                   (SELECT pg_catalog.string_agg(CASE WHEN o = 0 THEN 'PUBLIC' ELSE pg_catalog.format('`%s`',
                               (SELECT x.rolname FROM pg_catalog.pg_roles x WHERE x.oid = o)) END, ', '
                               ORDER BY CASE WHEN o = 0 THEN 'PUBLIC' ELSE (SELECT x.rolname::text FROM pg_catalog.pg_roles x WHERE x.oid = o) END COLLATE "C")
                      FROM pg_catalog.unnest(p.polroles) o),
                   COALESCE(pg_catalog.pg_get_expr(p.polqual, p.polrelid), 'true'),
                   ' `WITH CHECK (' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) || ')`',
                   COALESCE(' — ' || pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                       pg_catalog.obj_description(p.oid, 'pg_policy'), E'\n', ' '), '*', '\*'), '<', '\<'), '')),
               E'\n' ORDER BY p.polname COLLATE "C") AS text
      FROM rel r JOIN pg_catalog.pg_policy p ON p.polrelid = r.oid
     GROUP BY r.oid
),
cons AS (
    SELECT r.oid,
           pg_catalog.string_agg(pg_catalog.format('- `%s`: `%s`', c.conname, pg_catalog.pg_get_constraintdef(c.oid))
                   || COALESCE(' — ' || pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                       pg_catalog.obj_description(c.oid, 'pg_constraint'), E'\n', ' '), '*', '\*'), '<', '\<'), ''),
               E'\n' ORDER BY c.conname COLLATE "C") AS text
      FROM rel r JOIN pg_catalog.pg_constraint c ON c.conrelid = r.oid
     GROUP BY r.oid
),
-- unique indexes that are not a constraint's (partial ones carry rules)
uidx AS (
    SELECT r.oid,
           pg_catalog.string_agg(pg_catalog.format('- `%s`: `%s`', ic.relname,
                   pg_catalog.regexp_replace(pg_catalog.pg_get_indexdef(i.indexrelid),
                                             '^CREATE UNIQUE INDEX .* ON \S+ USING \S+ ', 'UNIQUE '))
                   || COALESCE(' — ' || pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                       pg_catalog.obj_description(ic.oid, 'pg_class'), E'\n', ' '), '*', '\*'), '<', '\<'), ''),
               E'\n' ORDER BY ic.relname COLLATE "C") AS text
      FROM rel r
      JOIN pg_catalog.pg_index i ON i.indrelid = r.oid AND i.indisunique
      JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
     WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = r.oid)
     GROUP BY r.oid
),
trig AS (
    SELECT r.oid,
           pg_catalog.string_agg(pg_catalog.format('- `%s`: `%s`', t.tgname,
                   pg_catalog.replace(pg_catalog.regexp_replace(pg_catalog.pg_get_triggerdef(t.oid),
                                                                '^CREATE (CONSTRAINT )?TRIGGER \S+ ', ''),
                                      ' ON ' || r.nspname || '.' || r.relname, ''))
                   || COALESCE(' — ' || pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                       pg_catalog.obj_description(t.oid, 'pg_trigger'), E'\n', ' '), '*', '\*'), '<', '\<'), ''),
               E'\n' ORDER BY t.tgname COLLATE "C") AS text
      FROM rel r JOIN pg_catalog.pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
     GROUP BY r.oid
),
blocks AS (
    SELECT r.section, r.relname, r.nspname,
           pg_catalog.format(E'### %s.%s\n\n%s\n\n%s\n\n| column | type | comment |\n|---|---|---|\n%s\n%s%s%s%s',
               r.nspname, r.relname, r.md_comment,
               pg_catalog.concat_ws('. ',
                   CASE r.relkind WHEN 'v' THEN 'View' WHEN 'm' THEN 'Materialized view' WHEN 'p' THEN 'Partitioned table'
                                  WHEN 'f' THEN 'Foreign table' ELSE 'Table' END
                   || COALESCE(' (' || (SELECT pg_catalog.string_agg(pg_catalog.format('`%s`', o), ', ' ORDER BY o COLLATE "C")
                                          FROM pg_catalog.unnest(r.reloptions) o) || ')', ''),
                   CASE WHEN r.section = 'v' THEN
                       'Reads the tables with its owner''s rights: the rows it shows are those its comment above describes'
                   END,
                   CASE WHEN r.section = 'r' THEN
                       CASE WHEN r.relforcerowsecurity THEN 'Row-level security: on, forced on the owner too'
                            WHEN r.relrowsecurity THEN 'Row-level security: on'
                            ELSE 'Row-level security: off (every row is visible to whoever may read the table)' END
                   END,
                   COALESCE(pv.text, 'No privilege granted'),
                   'Column privileges: ' || cp.text) || '.',
               COALESCE(co.rows, ''),
               COALESCE(E'\nPolicies:\n\n' || po.text || E'\n', ''),
               COALESCE(E'\nConstraints:\n\n' || cn.text || E'\n', ''),
               COALESCE(E'\nUnique indexes:\n\n' || ui.text || E'\n', ''),
               COALESCE(E'\nTriggers:\n\n' || tg.text || E'\n', '')) AS block
      FROM rel r
      LEFT JOIN privs pv ON pv.oid = r.oid
      LEFT JOIN colprivs cp ON cp.oid = r.oid
      LEFT JOIN cols co ON co.oid = r.oid
      LEFT JOIN pols po ON po.oid = r.oid
      LEFT JOIN cons cn ON cn.oid = r.oid
      LEFT JOIN uidx ui ON ui.oid = r.oid
      LEFT JOIN trig tg ON tg.oid = r.oid
),
sections(section, ord, title, intro) AS (VALUES
    ('v', 1, 'Views',
     'The views read the tables with the rights of their owner (the extension''s), so the rows a view '
     'shows are those its own `WHERE` clause lets through: its comment says who sees what. A '
     '`security_barrier` view keeps a caller''s functions from seeing the rows it filters out.'),
    ('r', 2, 'Tables',
     'Applications never write the tables: the three roles may at most read them, and every change goes '
     'through a security-definer function. Row-level security filters what a role reads: a row is '
     'visible when one of the table''s policies lets it through (the owner and superusers bypass them). '
     'Constraints, unique indexes and triggers hold for everyone, a DBA writing rows by hand included. '
     '`pg_dump` keeps the rows of every table (`pg_extension_config_dump`).')
)
SELECT pg_catalog.format(E'## %s\n\n%s\n\n%s\n\n%s', s.title, s.intro,
           COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format('[`%s`](#%s)', b.relname, b.nspname || b.relname), ' · '
                                                  ORDER BY b.relname COLLATE "C")
                       FROM blocks b WHERE b.section = s.section), '*None.*'),
           COALESCE((SELECT pg_catalog.string_agg(b.block, E'\n' ORDER BY b.relname COLLATE "C")
                       FROM blocks b WHERE b.section = s.section), ''))
  FROM sections s
 ORDER BY s.ord;

-------------------------------------------------------------------------------
-- Types
-------------------------------------------------------------------------------
WITH ty AS (
    SELECT t.oid, t.typname, n.nspname, t.typtype, t.typrelid, t.typbasetype, t.typtypmod, t.typnotnull,
           COALESCE(pg_catalog.replace(pg_catalog.replace(pg_catalog.obj_description(t.oid, 'pg_type'), '*', '\*'), '<', '\<'), '*No comment.*') AS md_comment
      FROM pg_catalog.pg_depend d
      JOIN pg_catalog.pg_type t ON t.oid = d.objid
      JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
     WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = :ext
       AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
       -- the row types of tables and views come with them
       AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')
)
SELECT pg_catalog.format(E'## Types\n\nEnums list their values in their order (`<` compares them in that order).\n\n%s',
    COALESCE(pg_catalog.string_agg(pg_catalog.format(E'### %s.%s\n\n%s. %s\n\n%s\n', y.nspname, y.typname,
        CASE y.typtype WHEN 'e' THEN 'Enum' WHEN 'c' THEN 'Composite type' WHEN 'd' THEN 'Domain'
                       WHEN 'r' THEN 'Range type' ELSE 'Type' END,
        CASE y.typtype
            WHEN 'e' THEN 'Values: ' || (SELECT pg_catalog.string_agg(pg_catalog.format('`%s`', e.enumlabel), ', ' ORDER BY e.enumsortorder)
                                           FROM pg_catalog.pg_enum e WHERE e.enumtypid = y.oid) || '.'
            WHEN 'd' THEN pg_catalog.format('Over `%s`%s%s.', pg_catalog.format_type(y.typbasetype, y.typtypmod),
                                            CASE WHEN y.typnotnull THEN ', not null' END,
                                            (SELECT pg_catalog.string_agg(pg_catalog.format(', `%s`', pg_catalog.pg_get_constraintdef(c.oid)), '' ORDER BY c.conname COLLATE "C")
                                               FROM pg_catalog.pg_constraint c WHERE c.contypid = y.oid))
            WHEN 'c' THEN E'\n\n| attribute | type | comment |\n|---|---|---|\n' ||
                (SELECT pg_catalog.string_agg(pg_catalog.format('| `%s` | `%s` | %s |', a.attname,
                            pg_catalog.format_type(a.atttypid, a.atttypmod),
                            pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                                COALESCE(pg_catalog.col_description(y.typrelid, a.attnum), ''),
                                E'\n', ' '), '|', '\|'), '*', '\*'), '<', '\<')),
                            E'\n' ORDER BY a.attnum)
                   FROM pg_catalog.pg_attribute a WHERE a.attrelid = y.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
            ELSE '' END,
        y.md_comment), E'\n' ORDER BY y.typname COLLATE "C"), '*None.*')
    )
  FROM ty y;

-------------------------------------------------------------------------------
-- Settings (GUCs the library defines)
-------------------------------------------------------------------------------
SELECT pg_catalog.format(E'## Settings\n\nThe settings the library `pg_enroll` defines (they exist once it is loaded: at the first call\nof one of its functions, or `LOAD ''pg_enroll''`, or `session_preload_libraries`).\n\n%s',
    COALESCE(E'| setting | who may set it | default | what it does |\n|---|---|---|---|\n' ||
        pg_catalog.string_agg(pg_catalog.format('| `%s` | %s | %s | %s |', s.name,
            CASE s.context WHEN 'superuser' THEN 'superusers (`SET`)' WHEN 'user' THEN 'anyone (`SET`)'
                           WHEN 'postmaster' THEN 'server start' WHEN 'sighup' THEN 'configuration reload'
                           ELSE s.context END,
            COALESCE(NULLIF(pg_catalog.format('`%s`', s.boot_val), '``'), 'empty'),
            pg_catalog.replace(pg_catalog.concat_ws(' ', s.short_desc, s.extra_desc), '|', '\|')),
            E'\n' ORDER BY s.name COLLATE "C") || E'\n',
        E'*The library could not be loaded in the database the reference was made from.*\n'))
  FROM pg_catalog.pg_settings s
 WHERE s.name LIKE 'enroll.%';
-------------------------------------------------------------------------------
-- SQLSTATEs: the table rows come from src/errcodes.h, read by scripts/reference
-- and passed as the variable errcodes
-------------------------------------------------------------------------------
SELECT pg_catalog.format(
$e$## SQLSTATEs

pg_enroll's own error codes, class `PE`, as `src/errcodes.h` defines them (the C name is the
`ERRCODE_` macro; SQL raises the same codes with `ERRCODE = 'PE0nn'`). Malformed input uses
PostgreSQL's standard codes (`22004` null value, `22023` invalid parameter value, `22P02`,
`23505` …) and authorization failures `42501`. In psql, `\set VERBOSITY verbose` shows the code
of an error; applications read it from the error's SQLSTATE field.

| code | C name | meaning |
|---|---|---|
%s
$e$, COALESCE(NULLIF(:'errcodes', ''), '| | | *none found* |'));

-------------------------------------------------------------------------------
-- Internal functions: executed by the owner only (triggers, helpers)
-------------------------------------------------------------------------------
WITH fn AS (
    SELECT p.oid, p.proname, n.nspname, p.proowner, p.proacl, l.lanname,
           pg_catalog.format('%s.%s(%s)', n.nspname, p.proname,
                             pg_catalog.pg_get_function_identity_arguments(p.oid)) AS identity,
           COALESCE(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
               pg_catalog.obj_description(p.oid, 'pg_proc'),
               E'\n', ' '), '|', '\|'), '*', '\*'), '<', '\<'), '*No comment.*') AS md_comment
      FROM pg_catalog.pg_depend d
      JOIN pg_catalog.pg_proc p ON p.oid = d.objid
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      JOIN pg_catalog.pg_language l ON l.oid = p.prolang
     WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = :ext
       AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
),
internal AS (
    SELECT f.* FROM fn f
     WHERE NOT EXISTS (
         SELECT FROM pg_catalog.aclexplode(COALESCE(f.proacl, pg_catalog.acldefault('f', f.proowner))) a
          WHERE a.privilege_type = 'EXECUTE'
            AND (a.grantee = 0 OR a.grantee IN (SELECT o.oid FROM pg_catalog.pg_roles o
                                                 WHERE o.rolname IN ('enroll_admin', 'enroll_app', 'enroll_reader'))))
)
SELECT pg_catalog.format(
$i$## Internal functions

Functions that neither `PUBLIC` nor the three roles may execute: trigger functions, and helpers
that the security-definer functions, CHECK constraints and policies call as the owner. They are
listed so that `\df enroll.*` holds no surprise; applications cannot call them.

| function | language | comment |
|---|---|---|
%s
$i$, COALESCE(pg_catalog.string_agg(pg_catalog.format('| `%s` | %s | %s |', i.identity,
            CASE i.lanname WHEN 'c' THEN 'C' WHEN 'sql' THEN 'SQL' WHEN 'plpgsql' THEN 'PL/pgSQL' ELSE i.lanname END,
            i.md_comment), E'\n' ORDER BY i.identity COLLATE "C"), '| | | *none* |'))
  FROM internal i;

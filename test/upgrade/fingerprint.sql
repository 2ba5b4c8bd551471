-- The catalogue of the installed pg_enroll, one row per object property that
-- a fresh install and an upgraded one must share (contrib's oldextversions
-- idea): functions with their signature, result, volatility, SECURITY
-- DEFINER, settings, privileges and definition; columns with type, NOT NULL,
-- default and position among the live columns; relations with kind, RLS,
-- privileges and comment; constraints, indexes, triggers, policies, types
-- and enum labels in order, the tables pg_dump keeps.  ACLs are compared as
-- sorted sets: the order of GRANTs does not matter.  Used by
-- test/t/004_upgrade.pl, which prints the rows one side has and the other
-- lacks.
CREATE FUNCTION pg_temp.acl(a aclitem[]) RETURNS text LANGUAGE sql IMMUTABLE
    RETURN (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(a) x);
SELECT kind, name, def FROM (
    SELECT 'function' AS kind, p.oid::regprocedure::text AS name,
           concat_ws(' | ', pg_get_function_result(p.oid), p.provolatile, p.prosecdef, p.proisstrict,
                     p.proparallel, p.proconfig::text, pg_temp.acl(p.proacl),
                     md5(pg_get_functiondef(p.oid)), obj_description(p.oid, 'pg_proc')) AS def
      FROM pg_proc p WHERE p.pronamespace = 'enroll'::regnamespace AND p.prokind <> 'a'
    UNION ALL
    SELECT 'column', c.relname || '.' || a.attname,
           concat_ws(' | ', format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
                     (SELECT count(*) FROM pg_attribute b WHERE b.attrelid = c.oid AND b.attnum > 0
                         AND NOT b.attisdropped AND b.attnum <= a.attnum),
                     col_description(c.oid, a.attnum), pg_temp.acl(a.attacl))
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
     WHERE c.relnamespace = 'enroll'::regnamespace AND c.relkind IN ('r', 'v', 'c')
    UNION ALL
    SELECT 'relation', c.relname,
           concat_ws(' | ', c.relkind, c.relrowsecurity, c.relforcerowsecurity, pg_temp.acl(c.relacl),
                     c.reloptions::text, obj_description(c.oid, 'pg_class'),
                     CASE WHEN c.relkind = 'v' THEN md5(pg_get_viewdef(c.oid)) END)
      FROM pg_class c WHERE c.relnamespace = 'enroll'::regnamespace
    UNION ALL
    SELECT 'constraint', conrelid::regclass::text || '.' || conname,
           concat_ws(' | ', pg_get_constraintdef(oid), condeferrable, condeferred, convalidated)
      FROM pg_constraint WHERE connamespace = 'enroll'::regnamespace
    UNION ALL
    SELECT 'index', indexrelid::regclass::text, pg_get_indexdef(indexrelid)
      FROM pg_index WHERE indrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'enroll'::regnamespace)
    UNION ALL
    SELECT 'trigger', tgrelid::regclass::text || '.' || tgname, pg_get_triggerdef(oid) || ' ' || tgenabled::text
      FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'enroll'::regnamespace)
    UNION ALL
    SELECT 'policy', polrelid::regclass::text || '.' || polname,
           concat_ws(' | ', polcmd, polpermissive, polroles::regrole[]::text, pg_get_expr(polqual, polrelid),
                     pg_get_expr(polwithcheck, polrelid),
                     obj_description(oid, 'pg_policy'))
      FROM pg_policy WHERE polrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'enroll'::regnamespace)
    UNION ALL
    SELECT 'type', t.typname,
           concat_ws(' | ', t.typtype, pg_temp.acl(t.typacl), obj_description(t.oid, 'pg_type'),
                     (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid))
      FROM pg_type t WHERE t.typnamespace = 'enroll'::regnamespace AND t.typtype IN ('e', 'c', 'd')
       AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
    UNION ALL
    SELECT 'config_dump', c.relname, coalesce(x.extcondition[array_position(x.extconfig, c.oid)], '(not dumped)')
      FROM pg_extension x JOIN pg_class c ON c.oid = ANY (x.extconfig) WHERE x.extname = 'pg_enroll'
    UNION ALL
    SELECT 'member', pg_describe_object(d.classid, d.objid, d.objsubid), ''
      FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'pg_enroll'
     WHERE d.deptype = 'e'
    UNION ALL
    SELECT 'schema', n.nspname, pg_temp.acl(n.nspacl)
      FROM pg_namespace n WHERE n.nspname = 'enroll'
) f ORDER BY 1, 2, 3;

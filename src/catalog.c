/*-------------------------------------------------------------------------
 * catalog.c
 *	  The OIDs of pg_enroll's own objects that C needs on every call (the
 *	  tables and indexes the access check probes, the columns it reads, an
 *	  enum value, the owner of the tables), looked up once per backend and
 *	  forgotten on any relcache invalidation, so that DROP/CREATE EXTENSION,
 *	  ALTER EXTENSION UPDATE or ALTER TABLE ... OWNER TO are seen at once.
 *
 * One relcache callback serves every cache of the extension; the lookups
 * are cheap syscache reads, done again lazily after an invalidation.
 *
 * One library serves every version of the extension's SQL: after a package
 * upgrade, a database still at 1.0 or 1.1 runs this library until its DBA
 * runs ALTER EXTENSION pg_enroll UPDATE.  The owner lookup works on every
 * version (the 1.0 and 1.1 functions that remain SQL keep working); what
 * needs 1.2's objects (EnrollGetCatalog) says clearly that the update is
 * due instead of failing on a missing column.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_enum.h"
#include "utils/acl.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "pg_enroll.h"

static EnrollCatalog catalog;
static bool callback_registered = false;
static bool owner_valid = false;
static Oid	owner_cached = InvalidOid;

/* relcache callback: any invalidation may concern our tables; reload lazily */
static void
CatalogInvalidate(Datum arg, Oid relid)
{
	catalog.valid = false;
	owner_valid = false;
}

static void
RegisterCallback(void)
{
	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(CatalogInvalidate, (Datum) 0);
		callback_registered = true;
	}
}

/* the 1.2 objects are there, or the database's extension needs its update */
static Oid
Relid12(Oid nsp, const char *name)
{
	Oid			relid = get_relname_relid(name, nsp);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the pg_enroll library is version 1.2 but the extension in this database is older"),
				 errdetail("enroll.%s, which version 1.2 adds, is missing.", name),
				 errhint("Run ALTER EXTENSION pg_enroll UPDATE in this database.")));
	return relid;
}

/* OID of enroll.<name>, or an error naming the missing object */
static Oid
Relid(Oid nsp, const char *name)
{
	Oid			relid = get_relname_relid(name, nsp);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("pg_enroll object enroll.%s is missing", name),
				 errhint("Reinstall the extension: DROP EXTENSION pg_enroll; CREATE EXTENSION pg_enroll.")));
	return relid;
}

/* attribute number of a column, or an error */
static AttrNumber
Attnum(Oid relid, const char *name)
{
	AttrNumber	att = get_attnum(relid, name);

	if (att == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of a pg_enroll table is missing", name)));
	return att;
}

/* owner of a relation (pg_class.relowner) */
static Oid
RelOwner(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/* OID of a value of an enum type, or an error */
static Oid
EnumValue(Oid enumtype, const char *label)
{
	Oid			oid = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
									  ObjectIdGetDatum(enumtype), CStringGetDatum(label));

	if (!OidIsValid(oid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("enum value \"%s\" of enroll.license_end_reason is missing", label)));
	return oid;
}

/* fill the cache from the catalogs */
static void
CatalogLoad(void)
{
	Oid			nsp;
	Oid			enumtype;
	EnrollCatalog c;

	RegisterCallback();
	memset(&c, 0, sizeof(c));
	nsp = get_namespace_oid("enroll", false);
	c.account = Relid(nsp, "account");
	c.owner = RelOwner(c.account);
	c.account_pkey = Relid(nsp, "account_pkey");
	c.offer = Relid(nsp, "offer");
	c.offer_pkey = Relid(nsp, "offer_pkey");
	c.offer_registrar_type = Relid(nsp, "offer_registrar_type");
	c.offer_registrar_type_pkey = Relid(nsp, "offer_registrar_type_pkey");
	c.license = Relid(nsp, "license");
	c.license_pkey = Relid(nsp, "license_pkey");
	c.license_id_seq = Relid(nsp, "license_id_seq");
	c.license_current = Relid(nsp, "license_current_person_key");
	c.license_account = Relid(nsp, "license_account_idx");
	c.license_superseded_by = Relid12(nsp, "license_superseded_by_idx");
	c.membership = Relid(nsp, "membership");
	c.membership_current = Relid(nsp, "membership_current_key");
	c.enrollment = Relid(nsp, "enrollment");
	c.enrollment_course_account = Relid(nsp, "enrollment_course_account_key");
	c.enrollment_license = Relid(nsp, "enrollment_license_idx");
	c.enrollment_via_license = Relid12(nsp, "enrollment_via_license_idx");
	c.a_erased_at = Attnum(c.account, "erased_at");
	c.o_max_acceptances = Attnum(c.offer, "max_acceptances");
	c.l_id = Attnum(c.license, "id");
	c.l_account_id = Attnum(c.license, "account_id");
	c.l_course_id = Attnum(c.license, "course_id");
	c.l_access_from = Attnum(c.license, "access_from");
	c.l_access_until = Attnum(c.license, "access_until");
	c.l_documents_due_at = Attnum(c.license, "documents_due_at");
	c.l_documents_validated_at = Attnum(c.license, "documents_validated_at");
	c.l_registrar_org_id = Attnum(c.license, "registrar_org_id");
	c.l_parent_license = Attnum(c.license, "parent_license");
	c.l_ended_at = Attnum(c.license, "ended_at");
	c.l_end_reason = Attnum(c.license, "end_reason");
	c.l_superseded_by = Attnum(c.license, "superseded_by");
	c.e_course_id = Attnum(c.enrollment, "course_id");
	c.e_account_id = Attnum(c.enrollment, "account_id");
	c.e_via_license = Attnum(c.enrollment, "via_license");
	c.m_account_id = Attnum(c.membership, "account_id");
	c.m_organization_id = Attnum(c.membership, "organization_id");
	c.m_left_at = Attnum(c.membership, "left_at");
	enumtype = get_atttype(c.license, c.l_end_reason);
	c.reason_revoked = EnumValue(enumtype, "revoked");
	c.reason_superseded = EnumValue(enumtype, "superseded");
	c.reason_released = EnumValue(enumtype, "released");
	c.role_app = get_role_oid("enroll_app", true);
	c.role_admin = get_role_oid("enroll_admin", true);
	c.valid = true;
	catalog = c;
}

/* The cached catalogue, loaded first if an invalidation dropped it. */
const EnrollCatalog *
EnrollGetCatalog(void)
{
	if (!catalog.valid)
		CatalogLoad();
	return &catalog;
}

/*
 * Owner of the extension's tables (enroll.account's owner): identity
 * lookups and the audit log run as this role, like RI checks.  Works on a
 * database at any version of the extension.
 */
Oid
EnrollOwnerId(void)
{
	if (!owner_valid)
	{
		RegisterCallback();
		owner_cached = RelOwner(Relid(get_namespace_oid("enroll", false), "account"));
		owner_valid = true;
	}
	return owner_cached;
}

/*
 * Functions that read or write what 1.2 adds call this first: on a
 * database whose extension is older it raises the clear "run ALTER
 * EXTENSION pg_enroll UPDATE" error (55000) rather than a missing column.
 */
void
EnrollRequireSchema(void)
{
	(void) EnrollGetCatalog();
}

/*
 * Is the database's extension at 1.2 or later (its objects present)?  For
 * the few paths that serve older versions too and only skip what 1.2 adds.
 */
bool
EnrollSchemaIsCurrent(void)
{
	Oid			nsp = get_namespace_oid("enroll", true);

	return OidIsValid(nsp) && OidIsValid(get_relname_relid("license_superseded_by_idx", nsp));
}

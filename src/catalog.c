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
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_enum.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "pg_enroll.h"

static EnrollCatalog catalog;
static bool callback_registered = false;

/* relcache callback: any invalidation may concern our tables; reload lazily */
static void
CatalogInvalidate(Datum arg, Oid relid)
{
	catalog.valid = false;
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

/* fill the cache from the catalogs */
static void
CatalogLoad(void)
{
	Oid			nsp;
	Oid			enumtype;
	EnrollCatalog c;

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(CatalogInvalidate, (Datum) 0);
		callback_registered = true;
	}
	memset(&c, 0, sizeof(c));
	nsp = get_namespace_oid("enroll", false);
	c.account = Relid(nsp, "account");
	c.owner = RelOwner(c.account);
	c.license = Relid(nsp, "license");
	c.license_pkey = Relid(nsp, "license_pkey");
	c.license_current = Relid(nsp, "license_current_person_key");
	c.license_account = Relid(nsp, "license_account_idx");
	c.membership = Relid(nsp, "membership");
	c.membership_current = Relid(nsp, "membership_current_key");
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
	c.m_account_id = Attnum(c.membership, "account_id");
	c.m_organization_id = Attnum(c.membership, "organization_id");
	c.m_left_at = Attnum(c.membership, "left_at");
	enumtype = get_atttype(c.license, c.l_end_reason);
	c.reason_revoked = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
									   ObjectIdGetDatum(enumtype),
									   CStringGetDatum("revoked"));
	if (!OidIsValid(c.reason_revoked))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("enum value \"revoked\" of enroll.license_end_reason is missing")));
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
 * lookups and the audit log run as this role, like RI checks.
 */
Oid
EnrollOwnerId(void)
{
	return EnrollGetCatalog()->owner;
}

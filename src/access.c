/*-------------------------------------------------------------------------
 * access.c
 *	  The access check an application makes on every page view:
 *	  enroll.access_status(account, course) and enroll.can_access(...).
 *
 * This is the hot path, so it reads the tables directly through their
 * indexes with the active snapshot instead of going through SPI and the
 * executor: one probe of the partial unique index of current licenses, then
 * only the probes the status needs (the parent license of a seat, the
 * registrar membership, the latest ended license when there is no current
 * one).  It writes nothing, so it runs in read-only transactions and on hot
 * standbys.  Relation and index OIDs come from catalog.c, cached per backend
 * and forgotten on any relcache invalidation (DROP/CREATE EXTENSION included).
 *
 * Statuses, checked in this order, the first that holds wins:
 *	 no_license					no license for the course was ever current
 *	 revoked					the latest license was revoked
 *	 seat_withdrawn				a seat whose organization license has ended
 *								or expired (before the seat's own window, so
 *								that an expired organization license reads
 *								as withdrawn seats)
 *	 not_started				now < access_from
 *	 expired					now >= access_until
 *	 documents_missing			documents due, past the grace, not validated
 *								(S2.18)
 *	 registrar_membership_ended	the holder no longer belongs to the registrar
 *								organization (S2.19)
 *	 active						none of the above: access granted
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_enum.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"

/* the snapshot the calling query runs with */
static Snapshot
ProbeSnapshot(void)
{
	return ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
}

/*
 * Probe an index with int8 equality keys on the given table columns (the
 * index's leading columns); returns a copy of the first visible heap tuple,
 * or NULL.
 */
static HeapTuple
ProbeInt8(Relation rel, Oid index, int nkeys, const AttrNumber *atts,
		  const int64 *keys)
{
	ScanKeyData skey[2];
	SysScanDesc scan;
	HeapTuple	tup;

	Assert(nkeys >= 1 && nkeys <= 2);
	for (int i = 0; i < nkeys; i++)
		ScanKeyInit(&skey[i], atts[i], BTEqualStrategyNumber, F_INT8EQ,
					Int64GetDatum(keys[i]));
	scan = systable_beginscan(rel, index, true, ProbeSnapshot(), nkeys, skey);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		tup = heap_copytuple(tup);
	systable_endscan(scan);
	return tup;
}

/* timestamp column of a license tuple; *isnull set */
static TimestampTz
GetTs(HeapTuple tup, TupleDesc desc, AttrNumber att, bool *isnull)
{
	Datum		d = heap_getattr(tup, att, desc, isnull);

	return *isnull ? 0 : DatumGetTimestampTz(d);
}

/*
 * When there is no current license: revoked, or never licensed?  The latest
 * license decides: the latest ended_at, and on a tie (a supersede and a
 * revocation in one transaction, or under a pinned enroll.clock) the higher
 * id, i.e. the successor, whatever the order the index returns the rows in.
 */
static const char *
NoCurrentLicense(Relation license, int64 account, int64 course)
{
	const EnrollCatalog *cat = EnrollGetCatalog();
	ScanKeyData skey;
	SysScanDesc scan;
	HeapTuple	tup;
	TupleDesc	desc = RelationGetDescr(license);
	TimestampTz latest = 0;
	int64		latest_id = 0;
	bool		found = false;
	bool		revoked = false;

	ScanKeyInit(&skey, cat->l_account_id, BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(account));
	scan = systable_beginscan(license, cat->license_account, true,
							  ProbeSnapshot(), 1, &skey);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		TimestampTz ended;
		int64		id;

		if (DatumGetInt64(heap_getattr(tup, cat->l_course_id, desc, &isnull)) != course)
			continue;
		ended = GetTs(tup, desc, cat->l_ended_at, &isnull);
		if (isnull)
			continue;
		id = DatumGetInt64(heap_getattr(tup, cat->l_id, desc, &isnull));
		if (found && (ended < latest || (ended == latest && id < latest_id)))
			continue;
		found = true;
		latest = ended;
		latest_id = id;
		revoked = DatumGetObjectId(heap_getattr(tup, cat->l_end_reason, desc, &isnull)) == cat->reason_revoked;
	}
	systable_endscan(scan);
	return revoked ? "revoked" : "no_license";
}

/*
 * Is this a seat whose organization license has ended (revoked or
 * superseded) or expired?  One primary-key probe, only for seats.
 */
static bool
SeatWithdrawn(Relation license, HeapTuple seat, TimestampTz now)
{
	const EnrollCatalog *cat = EnrollGetCatalog();
	TupleDesc	desc = RelationGetDescr(license);
	bool		isnull;
	Datum		parent = heap_getattr(seat, cat->l_parent_license, desc, &isnull);
	int64		parent_id;
	HeapTuple	p;

	if (isnull)
		return false;
	parent_id = DatumGetInt64(parent);
	p = ProbeInt8(license, cat->license_pkey, 1, &cat->l_id, &parent_id);
	if (p == NULL)
		return true;
	GetTs(p, desc, cat->l_ended_at, &isnull);
	if (!isnull)
		return true;
	return now >= GetTs(p, desc, cat->l_access_until, &isnull);
}

/* The status of an account's access to a course (see the file header). */
static const char *
AccessStatus(int64 account, int64 course)
{
	const EnrollCatalog *cat = EnrollGetCatalog();
	Relation	license;
	TupleDesc	desc;
	HeapTuple	cur;
	TimestampTz now = EnrollClockNow();
	const char *status = "active";
	bool		isnull;
	int64		keys[2] = {account, course};
	AttrNumber	atts[2];


	license = table_open(cat->license, AccessShareLock);
	desc = RelationGetDescr(license);
	atts[0] = cat->l_account_id;
	atts[1] = cat->l_course_id;
	cur = ProbeInt8(license, cat->license_current, 2, atts, keys);
	if (cur == NULL)
		status = NoCurrentLicense(license, account, course);
	else if (SeatWithdrawn(license, cur, now))
		status = "seat_withdrawn";
	else if (now < GetTs(cur, desc, cat->l_access_from, &isnull))
		status = "not_started";
	else if (now >= GetTs(cur, desc, cat->l_access_until, &isnull))
		status = "expired";
	if (cur != NULL && strcmp(status, "active") == 0)
	{
		TimestampTz due = GetTs(cur, desc, cat->l_documents_due_at, &isnull);
		bool		validated_null;

		GetTs(cur, desc, cat->l_documents_validated_at, &validated_null);
		if (!isnull && validated_null && now >= due)
			status = "documents_missing";
	}
	if (cur != NULL && strcmp(status, "active") == 0)
	{
		Datum		registrar = heap_getattr(cur, cat->l_registrar_org_id, desc, &isnull);

		if (!isnull)
		{
			Relation	membership = table_open(cat->membership, AccessShareLock);
			int64		mkeys[2] = {account, DatumGetInt64(registrar)};
			AttrNumber	matts[2] = {cat->m_account_id, cat->m_organization_id};
			HeapTuple	m = ProbeInt8(membership, cat->membership_current, 2, matts, mkeys);

			if (m == NULL)
				status = "registrar_membership_ended";
			table_close(membership, AccessShareLock);
		}
	}
	table_close(license, AccessShareLock);
	return status;
}

PG_FUNCTION_INFO_V1(access_status);
/* enroll.access_status(account bigint, course bigint) -> text */
Datum
access_status(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(AccessStatus(PG_GETARG_INT64(0),
												  PG_GETARG_INT64(1))));
}

PG_FUNCTION_INFO_V1(can_access);
/* enroll.can_access(account bigint, course bigint) -> boolean: status active */
Datum
can_access(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(strcmp(AccessStatus(PG_GETARG_INT64(0),
									   PG_GETARG_INT64(1)), "active") == 0);
}

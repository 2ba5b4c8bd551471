/*-------------------------------------------------------------------------
 * access.c
 *	  The access check an application makes on every page view:
 *	  enroll.access_status(account, course) and enroll.can_access(...).
 *	  The one place that decides access.
 *
 * This is the hot path, so it reads the tables directly through their
 * indexes with the active snapshot instead of going through SPI and the
 * executor: one probe of the partial unique index of current licenses, then
 * only the probes the status needs.  It writes nothing, so it runs in
 * read-only transactions and on hot standbys.  Relation and index OIDs come
 * from catalog.c, cached per backend and forgotten on any relcache
 * invalidation.
 *
 * Every probe opens the index itself (index_beginscan, never the heap scan
 * that systable_beginscan falls back to under ignore_system_indexes) and
 * every tuple found is checked again against the probe's keys and the
 * index's predicate (ended_at IS NULL, left_at IS NULL ...), whatever path
 * found it: a session setting cannot make a revoked license read active.
 *
 * Statuses, checked in this order, the first that holds wins:
 *	 no_license					no license for the course gives or gave access
 *	 revoked					the latest license was revoked, or its order
 *								cancelled or its holder removed from it
 *	 seat_withdrawn				a seat whose organization license has ended
 *								or expired, or a seat released or left
 *	 not_started				now < access_from
 *	 expired					now >= access_until
 *	 documents_missing			documents due, past the grace, not validated
 *								(S2.18)
 *	 registrar_membership_ended	the holder no longer belongs to the registrar
 *								organization (S2.19)
 *	 active						none of the above: access granted
 * A current license that has not started yet gives way to the license it
 * superseded while that one's hand-over has not come (a session in June
 * bought in March does not cut access before June).  A course reached
 * through another course's license (a support course, S1.7: an enrollment
 * with via_license) is accessible exactly while that license gives access.
 *
 * Who may ask: the application (enroll_app) asserts identity with act_as
 * and is trusted, as are system administrators; any other role (a reader)
 * asks only about the account it acts as (42501 otherwise), so a reporting
 * role learns no person's status it could not see.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"

/* how deep a chain of licenses waiting for their start is followed */
#define MAX_HANDOVER_DEPTH 4

/* what a check of one account and course needs open */
typedef struct AccessCtx
{
	const EnrollCatalog *cat;
	Relation	license;
	TupleDesc	desc;
	TimestampTz now;
	int64		account;
	int64		course;
} AccessCtx;

/* the snapshot the calling query runs with */
static Snapshot
ProbeSnapshot(void)
{
	return ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
}

/* does an int8 column of a tuple hold this value (not NULL)? */
static bool
Int8Is(HeapTuple tup, TupleDesc desc, AttrNumber att, int64 value)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, att, desc, &isnull);

	return !isnull && DatumGetInt64(d) == value;
}

static bool
IsNull(HeapTuple tup, TupleDesc desc, AttrNumber att)
{
	bool		isnull;

	heap_getattr(tup, att, desc, &isnull);
	return isnull;
}

/* timestamp column of a tuple; *isnull set */
static TimestampTz
GetTs(HeapTuple tup, TupleDesc desc, AttrNumber att, bool *isnull)
{
	Datum		d = heap_getattr(tup, att, desc, isnull);

	return *isnull ? 0 : DatumGetTimestampTz(d);
}

/* a probe's recheck: does the heap tuple really satisfy the probe? */
typedef bool (*Recheck) (HeapTuple tup, TupleDesc desc, const AccessCtx *ctx, const int64 *keys);

/*
 * Probe an index (its leading nkeys int8 columns equal to keys) of heap
 * relation rel; return a copy of the first visible tuple that passes the
 * recheck, or NULL.  With all, call each passing tuple's callback instead
 * and return NULL.
 */
static HeapTuple
Probe(const AccessCtx *ctx, Relation rel, Oid indexoid, int nkeys, const int64 *keys,
	  Recheck recheck, void (*each) (HeapTuple tup, void *arg), void *arg)
{
	Relation	index = index_open(indexoid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	ScanKeyData skey[2];
	IndexScanDesc scan;
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	HeapTuple	found = NULL;

	Assert(nkeys >= 1 && nkeys <= 2);
	for (int i = 0; i < nkeys; i++)
		ScanKeyInit(&skey[i], (AttrNumber) (i + 1), BTEqualStrategyNumber, F_INT8EQ,
					Int64GetDatum(keys[i]));
	scan = index_beginscan(rel, index, ProbeSnapshot(), nkeys, 0);
	index_rescan(scan, skey, nkeys, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool		should_free;
		HeapTuple	tup = ExecFetchSlotHeapTuple(slot, false, &should_free);

		if (recheck(tup, desc, ctx, keys))
		{
			if (each == NULL)
			{
				found = heap_copytuple(tup);
				if (should_free)
					heap_freetuple(tup);
				break;
			}
			each(tup, arg);
		}
		if (should_free)
			heap_freetuple(tup);
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, AccessShareLock);
	return found;
}

/* the rechecks of the probes below: keys, and the index's predicate */
static bool
RecheckCurrent(HeapTuple t, TupleDesc d, const AccessCtx *c, const int64 *k)
{
	return Int8Is(t, d, c->cat->l_account_id, k[0]) && Int8Is(t, d, c->cat->l_course_id, k[1]) &&
		IsNull(t, d, c->cat->l_ended_at);
}

static bool
RecheckId(HeapTuple t, TupleDesc d, const AccessCtx *c, const int64 *k)
{
	return Int8Is(t, d, c->cat->l_id, k[0]);
}

static bool
RecheckPredecessor(HeapTuple t, TupleDesc d, const AccessCtx *c, const int64 *k)
{
	return Int8Is(t, d, c->cat->l_superseded_by, k[0]);
}

static bool
RecheckAccount(HeapTuple t, TupleDesc d, const AccessCtx *c, const int64 *k)
{
	return Int8Is(t, d, c->cat->l_account_id, k[0]) && Int8Is(t, d, c->cat->l_course_id, c->course);
}

static bool
RecheckMembership(HeapTuple t, TupleDesc d, const AccessCtx *c, const int64 *k)
{
	return Int8Is(t, d, c->cat->m_account_id, k[0]) && Int8Is(t, d, c->cat->m_organization_id, k[1]) &&
		IsNull(t, d, c->cat->m_left_at);
}

static bool
RecheckEnrollment(HeapTuple t, TupleDesc d, const AccessCtx *c, const int64 *k)
{
	return Int8Is(t, d, c->cat->e_course_id, k[0]) && Int8Is(t, d, c->cat->e_account_id, k[1]);
}

/* the status word of a license that has ended, by its end_reason */
static const char *
EndedStatus(const AccessCtx *ctx, HeapTuple l)
{
	bool		isnull;
	Oid			reason = DatumGetObjectId(heap_getattr(l, ctx->cat->l_end_reason, ctx->desc, &isnull));

	if (isnull || reason == ctx->cat->reason_superseded)
		return "no_license";
	if (reason == ctx->cat->reason_released)
		return "seat_withdrawn";
	return "revoked";			/* revoked, cancelled, removed */
}

/*
 * Is this a seat whose organization license has ended (revoked or
 * superseded) or expired?  One primary-key probe, only for seats.
 */
static bool
SeatWithdrawn(const AccessCtx *ctx, HeapTuple seat)
{
	bool		isnull;
	Datum		parent = heap_getattr(seat, ctx->cat->l_parent_license, ctx->desc, &isnull);
	int64		parent_id;
	HeapTuple	p;

	if (isnull)
		return false;
	parent_id = DatumGetInt64(parent);
	p = Probe(ctx, ctx->license, ctx->cat->license_pkey, 1, &parent_id, RecheckId, NULL, NULL);
	if (p == NULL)
		return true;
	GetTs(p, ctx->desc, ctx->cat->l_ended_at, &isnull);
	if (!isnull)
		return true;
	return ctx->now >= GetTs(p, ctx->desc, ctx->cat->l_access_until, &isnull);
}

/* the registrar membership of S2.19: still a current member? */
static bool
RegistrarMember(const AccessCtx *ctx, HeapTuple l)
{
	bool		isnull;
	Datum		registrar = heap_getattr(l, ctx->cat->l_registrar_org_id, ctx->desc, &isnull);
	Relation	membership;
	int64		keys[2];
	HeapTuple	m;

	if (isnull)
		return true;
	keys[0] = DatumGetInt64(heap_getattr(l, ctx->cat->l_account_id, ctx->desc, &isnull));
	keys[1] = DatumGetInt64(registrar);
	membership = table_open(ctx->cat->membership, AccessShareLock);
	m = Probe(ctx, membership, ctx->cat->membership_current, 2, keys, RecheckMembership, NULL, NULL);
	table_close(membership, AccessShareLock);
	return m != NULL;
}

/*
 * The status of one license at now, as if it were the one that counts:
 * ended (ended_at reached), a withdrawn seat, its window, its documents,
 * its registrar membership.
 */
static const char *
LicenseStatus(const AccessCtx *ctx, HeapTuple l)
{
	bool		isnull;
	TimestampTz ended = GetTs(l, ctx->desc, ctx->cat->l_ended_at, &isnull);
	TimestampTz due;
	bool		validated_null;

	if (!isnull && ended <= ctx->now)
		return EndedStatus(ctx, l);
	if (SeatWithdrawn(ctx, l))
		return "seat_withdrawn";
	if (ctx->now < GetTs(l, ctx->desc, ctx->cat->l_access_from, &isnull))
		return "not_started";
	if (ctx->now >= GetTs(l, ctx->desc, ctx->cat->l_access_until, &isnull))
		return "expired";
	due = GetTs(l, ctx->desc, ctx->cat->l_documents_due_at, &isnull);
	GetTs(l, ctx->desc, ctx->cat->l_documents_validated_at, &validated_null);
	if (!isnull && validated_null && ctx->now >= due)
		return "documents_missing";
	if (!RegistrarMember(ctx, l))
		return "registrar_membership_ended";
	return "active";
}

/*
 * A current license that has not started gives way to the license it
 * superseded while that one's hand-over (its ended_at) has not come.
 */
static HeapTuple
FollowHandover(const AccessCtx *ctx, HeapTuple cur)
{
	bool		isnull;

	for (int depth = 0; depth < MAX_HANDOVER_DEPTH; depth++)
	{
		int64		id;
		HeapTuple	pred;

		if (ctx->now >= GetTs(cur, ctx->desc, ctx->cat->l_access_from, &isnull))
			break;
		id = DatumGetInt64(heap_getattr(cur, ctx->cat->l_id, ctx->desc, &isnull));
		pred = Probe(ctx, ctx->license, ctx->cat->license_superseded_by, 1, &id,
					 RecheckPredecessor, NULL, NULL);
		if (pred == NULL || GetTs(pred, ctx->desc, ctx->cat->l_ended_at, &isnull) <= ctx->now || isnull)
			break;
		cur = pred;
	}
	return cur;
}

/* the latest ended license of the account for the course (NoCurrentLicense) */
typedef struct Latest
{
	const AccessCtx *ctx;
	HeapTuple	tup;
	TimestampTz ended;
	int64		id;
} Latest;

static void
KeepLatest(HeapTuple tup, void *arg)
{
	Latest	   *lt = (Latest *) arg;
	bool		isnull;
	TimestampTz ended = GetTs(tup, lt->ctx->desc, lt->ctx->cat->l_ended_at, &isnull);
	int64		id;

	if (isnull)
		return;
	id = DatumGetInt64(heap_getattr(tup, lt->ctx->cat->l_id, lt->ctx->desc, &isnull));
	if (lt->tup != NULL && (ended < lt->ended || (ended == lt->ended && id < lt->id)))
		return;
	lt->tup = heap_copytuple(tup);
	lt->ended = ended;
	lt->id = id;
}

/*
 * No current license: the latest one decides -- the latest ended_at, and
 * on a tie the higher id (the successor).  One still giving access until a
 * hand-over to come is read as a license; otherwise its end reason.
 */
static const char *
NoCurrentLicense(const AccessCtx *ctx)
{
	Latest		lt = {ctx, NULL, 0, 0};

	Probe(ctx, ctx->license, ctx->cat->license_account, 1, &ctx->account, RecheckAccount,
		  KeepLatest, &lt);
	if (lt.tup == NULL)
		return "no_license";
	return LicenseStatus(ctx, lt.tup);
}

/*
 * S1.7: a course reached through another course's license (the support
 * course of a session): the status of that license, or NULL when the
 * account has no such enrollment.
 */
static const char *
ViaLicenseStatus(const AccessCtx *ctx)
{
	Relation	enrollment = table_open(ctx->cat->enrollment, AccessShareLock);
	int64		keys[2] = {ctx->course, ctx->account};
	HeapTuple	e = Probe(ctx, enrollment, ctx->cat->enrollment_course_account, 2, keys,
						  RecheckEnrollment, NULL, NULL);
	bool		isnull;
	Datum		via;
	HeapTuple	l;
	int64		id;

	if (e == NULL)
	{
		table_close(enrollment, AccessShareLock);
		return NULL;
	}
	via = heap_getattr(e, ctx->cat->e_via_license, RelationGetDescr(enrollment), &isnull);
	table_close(enrollment, AccessShareLock);
	if (isnull)
		return NULL;
	id = DatumGetInt64(via);
	l = Probe(ctx, ctx->license, ctx->cat->license_pkey, 1, &id, RecheckId, NULL, NULL);
	return l != NULL ? LicenseStatus(ctx, FollowHandover(ctx, l)) : NULL;
}

/* 42501 unless the session may ask about this account (see the file header) */
static void
CheckMayAsk(int64 account)
{
	const EnrollCatalog *cat = EnrollGetCatalog();
	Oid			role = GetOuterUserId();
	int64		actor;

	if ((OidIsValid(cat->role_app) && has_privs_of_role(role, cat->role_app)) ||
		(OidIsValid(cat->role_admin) && has_privs_of_role(role, cat->role_admin)))
		return;
	if (EnrollCurrentAccount(&actor) && (actor == account || EnrollActorIsAdmin()))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to read the access of account %lld", (long long) account),
			 errdetail("Only applications (enroll_app), system administrators and the account itself may ask."),
			 errhint("A reporting role reads the aggregate views, or its mapped account's own access.")));
}

/* The status of an account's access to a course (see the file header). */
static const char *
AccessStatus(int64 account, int64 course)
{
	AccessCtx	ctx;
	HeapTuple	cur;
	const char *status;

	CheckMayAsk(account);
	ctx.cat = EnrollGetCatalog();
	ctx.now = EnrollClockNow();
	ctx.account = account;
	ctx.course = course;
	ctx.license = table_open(ctx.cat->license, AccessShareLock);
	ctx.desc = RelationGetDescr(ctx.license);

	cur = Probe(&ctx, ctx.license, ctx.cat->license_current, 2, (int64[]) {account, course},
				RecheckCurrent, NULL, NULL);
	if (cur != NULL)
		status = LicenseStatus(&ctx, FollowHandover(&ctx, cur));
	else
		status = NoCurrentLicense(&ctx);
	if (strcmp(status, "active") != 0)
	{
		const char *via = ViaLicenseStatus(&ctx);

		if (via != NULL && (strcmp(via, "active") == 0 || strcmp(status, "no_license") == 0))
			status = via;
	}
	table_close(ctx.license, AccessShareLock);
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

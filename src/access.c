/*-------------------------------------------------------------------------
 * access.c
 *	  The access check an application makes on every page view:
 *	  enroll.access_status(account, course) and enroll.can_access(...).
 *	  The one place that decides access.
 *
 * This is the hot path, so it reads the tables directly through their
 * indexes with the active snapshot instead of going through SPI and the
 * executor: one probe of the partial unique index of current licenses, then
 * only the probes the status needs.  That index carries every column the
 * check reads of the current license, which is read from the entry alone
 * while its heap page is all-visible (ReadCurrentLicense, as an index-only
 * scan reads it).  It writes nothing, so it runs in
 * read-only transactions and on hot standbys.  Relation and index OIDs come
 * from catalog.c, cached per backend and forgotten on any relcache
 * invalidation.
 *
 * Every probe opens the index itself (index_beginscan, never the heap scan
 * that systable_beginscan falls back to under ignore_system_indexes) and
 * every tuple or index entry found is checked again against the probe's
 * keys and the index's predicate (ended_at IS NULL, left_at IS NULL ...),
 * whatever path found it: a session setting cannot make a revoked license
 * read active.
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
#include "access/itup.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/visibilitymap.h"
#include "catalog/pg_am.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/predicate.h"
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

/*
 * What the check reads of a license, from its heap tuple or, for the
 * current license, from the index entry alone (ReadCurrentLicense).  A NULL
 * timestamp reads as 0, as it always has here.
 */
typedef struct LicenseFacts
{
	int64		id;
	int64		account;
	bool		ended;			/* ended_at is not NULL */
	TimestampTz ended_at;
	bool		has_reason;
	Oid			end_reason;
	bool		has_parent;		/* a seat: parent_license */
	int64		parent;
	TimestampTz access_from;
	TimestampTz access_until;
	bool		has_due;
	TimestampTz due;			/* documents_due_at */
	bool		validated;		/* documents_validated_at is not NULL */
	bool		has_registrar;
	int64		registrar;
} LicenseFacts;

/*
 * The license columns the check reads, in the order of CoveringMap's map:
 * when license_current_person_key carries all of them (its key and its
 * INCLUDE columns, 1.2), the current license is read from the index.
 */
enum
{
	LF_ID, LF_ACCOUNT, LF_COURSE, LF_ENDED_AT, LF_PARENT, LF_ACCESS_FROM,
	LF_ACCESS_UNTIL, LF_DUE, LF_VALIDATED, LF_REGISTRAR, LF_NCOLS
};

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

/* what the check reads of a license's heap tuple */
static void
FactsFromHeap(const AccessCtx *ctx, HeapTuple tup, LicenseFacts *f)
{
	const EnrollCatalog *cat = ctx->cat;
	TupleDesc	desc = ctx->desc;
	bool		isnull;
	Datum		d;

	f->id = DatumGetInt64(heap_getattr(tup, cat->l_id, desc, &isnull));
	d = heap_getattr(tup, cat->l_account_id, desc, &isnull);
	f->account = isnull ? 0 : DatumGetInt64(d);
	f->ended_at = GetTs(tup, desc, cat->l_ended_at, &isnull);
	f->ended = !isnull;
	d = heap_getattr(tup, cat->l_end_reason, desc, &isnull);
	f->has_reason = !isnull;
	f->end_reason = isnull ? InvalidOid : DatumGetObjectId(d);
	d = heap_getattr(tup, cat->l_parent_license, desc, &isnull);
	f->has_parent = !isnull;
	f->parent = isnull ? 0 : DatumGetInt64(d);
	f->access_from = GetTs(tup, desc, cat->l_access_from, &isnull);
	f->access_until = GetTs(tup, desc, cat->l_access_until, &isnull);
	f->due = GetTs(tup, desc, cat->l_documents_due_at, &isnull);
	f->has_due = !isnull;
	GetTs(tup, desc, cat->l_documents_validated_at, &isnull);
	f->validated = !isnull;
	d = heap_getattr(tup, cat->l_registrar_org_id, desc, &isnull);
	f->has_registrar = !isnull;
	f->registrar = isnull ? 0 : DatumGetInt64(d);
}

/*
 * Where each column the check reads sits in the index (1-based), or false
 * when the index lacks one: a 1.0/1.1 catalogue, or an index a DBA built
 * again differently.  Ten columns against ten: cheaper than caching it.
 */
static bool
CoveringMap(const AccessCtx *ctx, Relation index, int *map)
{
	const EnrollCatalog *cat = ctx->cat;
	const AttrNumber want[LF_NCOLS] = {
		[LF_ID] = cat->l_id, [LF_ACCOUNT] = cat->l_account_id, [LF_COURSE] = cat->l_course_id,
		[LF_ENDED_AT] = cat->l_ended_at, [LF_PARENT] = cat->l_parent_license,
		[LF_ACCESS_FROM] = cat->l_access_from, [LF_ACCESS_UNTIL] = cat->l_access_until,
		[LF_DUE] = cat->l_documents_due_at, [LF_VALIDATED] = cat->l_documents_validated_at,
		[LF_REGISTRAR] = cat->l_registrar_org_id
	};
	Form_pg_index ix = index->rd_index;

	if (index->rd_rel->relam != BTREE_AM_OID || ix->indnkeyatts < 2 ||
		ix->indkey.values[0] != cat->l_account_id || ix->indkey.values[1] != cat->l_course_id)
		return false;
	for (int c = 0; c < LF_NCOLS; c++)
	{
		map[c] = 0;
		for (int i = 0; i < ix->indnatts; i++)
			if (ix->indkey.values[i] == want[c])
			{
				map[c] = i + 1;
				break;
			}
		if (map[c] == 0)
			return false;
	}
	return true;
}

/*
 * The current license's facts from its index entry: the probe's keys and
 * the index's predicate (ended_at IS NULL) checked again on the values the
 * entry holds, as RecheckCurrent checks them on the heap tuple.
 */
static bool
FactsFromIndex(const AccessCtx *ctx, IndexTuple itup, TupleDesc itupdesc, const int *map,
			   LicenseFacts *f)
{
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];

#define COL(c)		(map[c] - 1)
#define TS(c)		(isnull[COL(c)] ? 0 : DatumGetTimestampTz(values[COL(c)]))
	index_deform_tuple(itup, itupdesc, values, isnull);
	if (isnull[COL(LF_ACCOUNT)] || DatumGetInt64(values[COL(LF_ACCOUNT)]) != ctx->account ||
		isnull[COL(LF_COURSE)] || DatumGetInt64(values[COL(LF_COURSE)]) != ctx->course ||
		!isnull[COL(LF_ENDED_AT)] || isnull[COL(LF_ID)])
		return false;
	f->id = DatumGetInt64(values[COL(LF_ID)]);
	f->account = ctx->account;
	f->ended = false;
	f->ended_at = 0;
	f->has_reason = false;		/* not read while ended_at is NULL */
	f->end_reason = InvalidOid;
	f->has_parent = !isnull[COL(LF_PARENT)];
	f->parent = f->has_parent ? DatumGetInt64(values[COL(LF_PARENT)]) : 0;
	f->access_from = TS(LF_ACCESS_FROM);
	f->access_until = TS(LF_ACCESS_UNTIL);
	f->has_due = !isnull[COL(LF_DUE)];
	f->due = TS(LF_DUE);
	f->validated = !isnull[COL(LF_VALIDATED)];
	f->has_registrar = !isnull[COL(LF_REGISTRAR)];
	f->registrar = f->has_registrar ? DatumGetInt64(values[COL(LF_REGISTRAR)]) : 0;
#undef TS
#undef COL
	return true;
}

/*
 * The current license of the account for the course.  While
 * license_current_person_key carries every column the check reads (1.2)
 * and the visibility map says the entry's heap page is visible to every
 * transaction, the index entry is the row, as in an index-only scan: the
 * heap page is not read (at 10^6 licenses it is the lookup's other cache
 * miss, scripts/bench's flatness row).  Otherwise the heap tuple, checked
 * again.  Under SERIALIZABLE the heap page is predicate-locked as the
 * executor locks it when it skips the heap.
 */
static bool
ReadCurrentLicense(const AccessCtx *ctx, LicenseFacts *out)
{
	Relation	index = index_open(ctx->cat->license_current, AccessShareLock);
	Snapshot	snapshot = ProbeSnapshot();
	int			map[LF_NCOLS];
	bool		covering = CoveringMap(ctx, index, map);
	const int64 keys[2] = {ctx->account, ctx->course};
	ScanKeyData skey[2];
	IndexScanDesc scan;
	TupleTableSlot *slot = table_slot_create(ctx->license, NULL);
	Buffer		vmbuffer = InvalidBuffer;
	ItemPointer tid;
	bool		found = false;

	for (int i = 0; i < 2; i++)
		ScanKeyInit(&skey[i], (AttrNumber) (i + 1), BTEqualStrategyNumber, F_INT8EQ,
					Int64GetDatum(keys[i]));
	scan = index_beginscan(ctx->license, index, snapshot, 2, 0);
	scan->xs_want_itup = covering;
	index_rescan(scan, skey, 2, NULL, 0);
	while (!found && (tid = index_getnext_tid(scan, ForwardScanDirection)) != NULL)
	{
		bool		should_free;
		HeapTuple	tup;

		if (covering && scan->xs_itup != NULL &&
			VM_ALL_VISIBLE(ctx->license, ItemPointerGetBlockNumber(tid), &vmbuffer))
		{
			PredicateLockPage(ctx->license, ItemPointerGetBlockNumber(tid), snapshot);
			found = FactsFromIndex(ctx, scan->xs_itup, scan->xs_itupdesc, map, out);
			continue;
		}
		if (!index_fetch_heap(scan, slot))
			continue;
		if (scan->xs_heap_continue)
			elog(ERROR, "non-MVCC snapshots are not supported by the access check");
		tup = ExecFetchSlotHeapTuple(slot, false, &should_free);
		if (RecheckCurrent(tup, ctx->desc, ctx, keys))
		{
			FactsFromHeap(ctx, tup, out);
			found = true;
		}
		if (should_free)
			heap_freetuple(tup);
	}
	if (BufferIsValid(vmbuffer))
		ReleaseBuffer(vmbuffer);
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, AccessShareLock);
	return found;
}

/* the status word of a license that has ended, by its end_reason */
static const char *
EndedStatus(const AccessCtx *ctx, const LicenseFacts *l)
{
	if (!l->has_reason || l->end_reason == ctx->cat->reason_superseded)
		return "no_license";
	if (l->end_reason == ctx->cat->reason_released)
		return "seat_withdrawn";
	return "revoked";			/* revoked, cancelled, removed */
}

/*
 * Is this a seat whose organization license has ended (revoked or
 * superseded) or expired?  One primary-key probe, only for seats.
 */
static bool
SeatWithdrawn(const AccessCtx *ctx, const LicenseFacts *seat)
{
	bool		isnull;
	HeapTuple	p;

	if (!seat->has_parent)
		return false;
	p = Probe(ctx, ctx->license, ctx->cat->license_pkey, 1, &seat->parent, RecheckId, NULL, NULL);
	if (p == NULL)
		return true;
	GetTs(p, ctx->desc, ctx->cat->l_ended_at, &isnull);
	if (!isnull)
		return true;
	return ctx->now >= GetTs(p, ctx->desc, ctx->cat->l_access_until, &isnull);
}

/* the registrar membership of S2.19: still a current member? */
static bool
RegistrarMember(const AccessCtx *ctx, const LicenseFacts *l)
{
	Relation	membership;
	int64		keys[2];
	HeapTuple	m;

	if (!l->has_registrar)
		return true;
	keys[0] = l->account;
	keys[1] = l->registrar;
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
LicenseStatus(const AccessCtx *ctx, const LicenseFacts *l)
{
	if (l->ended && l->ended_at <= ctx->now)
		return EndedStatus(ctx, l);
	if (SeatWithdrawn(ctx, l))
		return "seat_withdrawn";
	if (ctx->now < l->access_from)
		return "not_started";
	if (ctx->now >= l->access_until)
		return "expired";
	if (l->has_due && !l->validated && ctx->now >= l->due)
		return "documents_missing";
	if (!RegistrarMember(ctx, l))
		return "registrar_membership_ended";
	return "active";
}

/*
 * A current license that has not started gives way to the license it
 * superseded while that one's hand-over (its ended_at) has not come.
 * cur is replaced by the license that counts.
 */
static void
FollowHandover(const AccessCtx *ctx, LicenseFacts *cur)
{
	for (int depth = 0; depth < MAX_HANDOVER_DEPTH; depth++)
	{
		HeapTuple	pred;
		LicenseFacts prev;

		if (ctx->now >= cur->access_from)
			break;
		pred = Probe(ctx, ctx->license, ctx->cat->license_superseded_by, 1, &cur->id,
					 RecheckPredecessor, NULL, NULL);
		if (pred == NULL)
			break;
		FactsFromHeap(ctx, pred, &prev);
		if (!prev.ended || prev.ended_at <= ctx->now)
			break;
		*cur = prev;
	}
}

/* the latest ended license of the account for the course (NoCurrentLicense) */
typedef struct Latest
{
	const AccessCtx *ctx;
	bool		found;
	LicenseFacts facts;
} Latest;

static void
KeepLatest(HeapTuple tup, void *arg)
{
	Latest	   *lt = (Latest *) arg;
	LicenseFacts f;

	FactsFromHeap(lt->ctx, tup, &f);
	if (!f.ended)
		return;
	if (lt->found && (f.ended_at < lt->facts.ended_at ||
					  (f.ended_at == lt->facts.ended_at && f.id < lt->facts.id)))
		return;
	lt->facts = f;
	lt->found = true;
}

/*
 * No current license: the latest one decides -- the latest ended_at, and
 * on a tie the higher id (the successor).  One still giving access until a
 * hand-over to come is read as a license; otherwise its end reason.
 */
static const char *
NoCurrentLicense(const AccessCtx *ctx)
{
	Latest		lt = {.ctx = ctx,.found = false};

	Probe(ctx, ctx->license, ctx->cat->license_account, 1, &ctx->account, RecheckAccount,
		  KeepLatest, &lt);
	if (!lt.found)
		return "no_license";
	return LicenseStatus(ctx, &lt.facts);
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
	LicenseFacts facts;

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
	if (l == NULL)
		return NULL;
	FactsFromHeap(ctx, l, &facts);
	FollowHandover(ctx, &facts);
	return LicenseStatus(ctx, &facts);
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
	LicenseFacts cur;
	const char *status;

	CheckMayAsk(account);
	ctx.cat = EnrollGetCatalog();
	ctx.now = EnrollClockNow();
	ctx.account = account;
	ctx.course = course;
	ctx.license = table_open(ctx.cat->license, AccessShareLock);
	ctx.desc = RelationGetDescr(ctx.license);

	if (ReadCurrentLicense(&ctx, &cur))
	{
		FollowHandover(&ctx, &cur);
		status = LicenseStatus(&ctx, &cur);
	}
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

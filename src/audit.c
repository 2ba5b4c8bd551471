/*-------------------------------------------------------------------------
 * audit.c
 *	  The audit log as a hash chain: enroll.seal_audit_log() appends the
 *	  finished events to enroll.audit_chain, enroll.audit_head() returns the
 *	  chain's last link for keeping outside the database.
 *
 * Every event row carries the digest of its content (event_set_digest, set
 * at insert).  Chaining at insert time would make every transaction that
 * writes an event wait for the previous writer to commit, so the chain is
 * built afterwards, by SEALING finished events in a fixed order:
 *
 *	 link_0 = 32 zero bytes (the genesis)
 *	 link_n = sha256(link_{n-1} || digest_n)
 *
 * in the order (event.xid, event.id), for the events whose transaction is
 * over: xid below the horizon pg_snapshot_xmin(pg_current_snapshot()).
 * Every transaction that can still add an event has an xid at or above that
 * horizon (event.c says why), so the set sealed is final: no event can later
 * appear before the chain's end.  Each chain row keeps the horizon of its
 * seal; enroll.check_invariants() reports an unsealed event below the
 * latest horizon (written behind the chain's back), a chained event that is
 * gone, and a link that no longer matches its event.
 *
 * Sealers are serialized by a transaction-level advisory lock, key
 * ENROLL_SEAL_LOCK_KEY, held until the sealing transaction ends.  The chain's
 * end and the events are read with a snapshot taken after the lock is
 * granted (GetLatestSnapshot, as ri_triggers.c does under REPEATABLE READ),
 * so a sealer never misses the rows of the one it waited for.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/xid8.h"

#include "pg_enroll.h"

/*
 * The advisory lock that serializes sealers: pg_advisory_xact_lock(bigint)
 * with the ASCII bytes of "pg_enrol", 0x70675F656E726F6C =
 * 8099547344098455404 (pg_locks: locktype advisory, classid 1885822821,
 * objid 1852993388, objsubid 1).  README "Audit log" reserves it.
 */
#define ENROLL_SEAL_LOCK_KEY	INT64CONST(0x70675F656E726F6C)

/* events fetched, linked and inserted per round trip */
#define SEAL_BATCH 1000

#define LINK_LEN PG_SHA256_DIGEST_LENGTH

/* the end of the chain: its last event and link */
typedef struct ChainEnd
{
	int64		pos;			/* events in the chain; 0 when empty */
	int64		event_id;		/* the last event sealed; 0 when empty */
	FullTransactionId xid;		/* its transaction */
	uint8		link[LINK_LEN]; /* the genesis (zeros) when empty */
} ChainEnd;

/* the last chain row */
static EnrollPlan plan_chain_end = {
	"SELECT c.pos, c.event_id, c.xid, c.link FROM enroll.audit_chain c"
	" ORDER BY c.pos DESC LIMIT 1",
	0, {InvalidOid}
};

/* the horizon of the active snapshot */
static EnrollPlan plan_horizon = {
	"SELECT pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot())",
	0, {InvalidOid}
};

/* the finished events after the chain's end, in chain order */
static EnrollPlan plan_unsealed = {
	"SELECT e.id, e.xid, e.digest FROM enroll.event e"
	" WHERE e.xid OPERATOR(pg_catalog.<) $1"
	"   AND (e.xid, e.id) OPERATOR(pg_catalog.>) ($2, $3)"
	" ORDER BY e.xid, e.id",
	3, {XID8OID, XID8OID, INT8OID}
};

/* one batch of links */
static EnrollPlan plan_insert_links = {
	"INSERT INTO enroll.audit_chain (event_id, pos, xid, link, horizon)"
	" SELECT r.event_id, r.pos, r.xid, r.link, $5"
	" FROM ROWS FROM (pg_catalog.unnest($1::bigint[]), pg_catalog.unnest($2::bigint[]),"
	"                 pg_catalog.unnest($3::xid8[]), pg_catalog.unnest($4::bytea[]))"
	"   AS r(event_id, pos, xid, link)",
	5, {INT8ARRAYOID, INT8ARRAYOID, XID8ARRAYOID, BYTEAARRAYOID, XID8OID}
};

/* a batch of links waiting for their INSERT */
typedef struct LinkBatch
{
	int			n;
	Datum		ids[SEAL_BATCH];
	Datum		pos[SEAL_BATCH];
	Datum		xids[SEAL_BATCH];
	Datum		links[SEAL_BATCH];
} LinkBatch;

/*
 * Read the chain's end with the active snapshot (SPI connected).  A last
 * link that is not a SHA-256 value means the chain was damaged: refuse to
 * build on it.
 */
static void
ReadChainEnd(ChainEnd *end)
{
	bytea	   *link;
	bool		isnull;

	memset(end, 0, sizeof(ChainEnd));
	end->xid = FullTransactionIdFromU64(0);
	if (EnrollExecute(&plan_chain_end, NULL, NULL, true, 1, SPI_OK_SELECT) == 0)
		return;
	end->pos = EnrollGetInt64(0, 1);
	end->event_id = EnrollGetInt64(0, 2);
	end->xid = DatumGetFullTransactionId(EnrollGetDatum(0, 3, &isnull));
	link = DatumGetByteaPP(EnrollGetDatum(0, 4, &isnull));
	if (isnull || VARSIZE_ANY_EXHDR(link) != LINK_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the last link of the audit chain is damaged"),
				 errdetail("The link of event %lld is not a SHA-256 value.", (long long) end->event_id),
				 errhint("Run enroll.check_invariants() and compare with the last head you exported.")));
	memcpy(end->link, VARDATA_ANY(link), LINK_LEN);
}

/*
 * The chain's end must lie in this cluster's past.  It does not when the
 * database was restored from a dump into a cluster whose transaction ids
 * are lower: new events would sort before the end and could never be
 * sealed in order.
 */
static void
CheckChainInPast(const ChainEnd *end)
{
	FullTransactionId next = ReadNextFullTransactionId();

	if (end->pos > 0 && FullTransactionIdFollowsOrEquals(end->xid, next))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the audit chain ends at transaction " UINT64_FORMAT ", ahead of this cluster's next transaction " UINT64_FORMAT,
						U64FromFullTransactionId(end->xid), U64FromFullTransactionId(next)),
				 errdetail("The database was restored into a cluster whose transaction ids are lower than those of the cluster it was dumped from; events written since then sort before the chain's end."),
				 errhint("Restore into a cluster whose transaction epoch was advanced first (pg_resetwal --epoch), as README \"Audit log\" describes.")));
}

/* link = sha256(prev || digest), with one reusable hash context */
static void
ChainLink(pg_cryptohash_ctx *ctx, const uint8 *prev, const bytea *digest, uint8 *link)
{
	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, prev, LINK_LEN) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) VARDATA_ANY(digest),
							 VARSIZE_ANY_EXHDR(digest)) < 0 ||
		pg_cryptohash_final(ctx, link, LINK_LEN) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(ctx));
}

/* A one-dimensional array of n pass-by-value 8-byte datums. */
static Datum
Array8(Datum *values, int n, Oid type)
{
	return PointerGetDatum(construct_array(values, n, type, 8, FLOAT8PASSBYVAL,
										   TYPALIGN_DOUBLE));
}

/* INSERT one batch of links into enroll.audit_chain (SPI connected). */
static void
InsertLinks(LinkBatch *b, FullTransactionId horizon)
{
	Datum		args[5];

	args[0] = Array8(b->ids, b->n, INT8OID);
	args[1] = Array8(b->pos, b->n, INT8OID);
	args[2] = Array8(b->xids, b->n, XID8OID);
	args[3] = PointerGetDatum(construct_array(b->links, b->n, BYTEAOID, -1, false,
											  TYPALIGN_INT));
	args[4] = FullTransactionIdGetDatum(horizon);
	if (EnrollExecute(&plan_insert_links, args, NULL, false, 0, SPI_OK_INSERT) != b->n)
		elog(ERROR, "audit chain: %d links inserted as " UINT64_FORMAT, b->n, SPI_processed);
	b->n = 0;
}

/*
 * Link the rows of the last fetch onto the chain's end and queue them in
 * the batch (memory: the batch context, reset by the caller).
 */
static void
LinkFetched(pg_cryptohash_ctx *ctx, ChainEnd *end, LinkBatch *b)
{
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		xid;
		bytea	   *digest;
		bytea	   *link = palloc(VARHDRSZ + LINK_LEN);

		CHECK_FOR_INTERRUPTS();
		xid = EnrollGetDatum(i, 2, &isnull);
		digest = DatumGetByteaPP(EnrollGetDatum(i, 3, &isnull));
		if (isnull)
			elog(ERROR, "event " INT64_FORMAT " has no digest", EnrollGetInt64(i, 1));
		ChainLink(ctx, end->link, digest, end->link);

		end->pos++;
		end->event_id = EnrollGetInt64(i, 1);
		end->xid = DatumGetFullTransactionId(xid);
		SET_VARSIZE(link, VARHDRSZ + LINK_LEN);
		memcpy(VARDATA(link), end->link, LINK_LEN);

		b->ids[b->n] = Int64GetDatum(end->event_id);
		b->pos[b->n] = Int64GetDatum(end->pos);
		b->xids[b->n] = xid;
		b->links[b->n] = PointerGetDatum(link);
		b->n++;
	}
}

/*
 * Seal every finished event after the chain's end; returns how many and
 * leaves the new end in *end.  Takes the sealers' advisory lock first.
 */
static int64
SealChain(ChainEnd *end)
{
	Datum		args[3];
	Portal		portal;
	FullTransactionId horizon;
	MemoryContext batch_cxt;
	MemoryContext old;
	LinkBatch  *batch;
	pg_cryptohash_ctx *ctx;
	bool		isnull;
	int64		sealed = 0;

	DirectFunctionCall1(pg_advisory_xact_lock_int8, Int64GetDatum(ENROLL_SEAL_LOCK_KEY));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/* the end, the horizon and the events, all from one snapshot taken now */
	PushActiveSnapshot(GetLatestSnapshot());
	ReadChainEnd(end);
	CheckChainInPast(end);
	EnrollExecute(&plan_horizon, NULL, NULL, true, 1, SPI_OK_SELECT);
	horizon = DatumGetFullTransactionId(EnrollGetDatum(0, 1, &isnull));
	args[0] = FullTransactionIdGetDatum(horizon);
	args[1] = FullTransactionIdGetDatum(end->xid);
	args[2] = Int64GetDatum(end->event_id);
	portal = SPI_cursor_open(NULL, EnrollPrepare(&plan_unsealed), args, NULL, true);
	PopActiveSnapshot();

	batch_cxt = AllocSetContextCreate(CurrentMemoryContext, "audit chain batch",
									  ALLOCSET_DEFAULT_SIZES);
	batch = palloc0(sizeof(LinkBatch));
	ctx = pg_cryptohash_create(PG_SHA256);
	if (ctx == NULL)
		elog(ERROR, "out of memory");
	for (;;)
	{
		SPI_cursor_fetch(portal, true, SEAL_BATCH);
		if (SPI_processed == 0)
			break;
		old = MemoryContextSwitchTo(batch_cxt);
		LinkFetched(ctx, end, batch);
		MemoryContextSwitchTo(old);
		sealed += batch->n;
		SPI_freetuptable(SPI_tuptable);
		InsertLinks(batch, horizon);
		MemoryContextReset(batch_cxt);
	}
	pg_cryptohash_free(ctx);
	SPI_cursor_close(portal);
	SPI_finish();
	return sealed;
}

/* Read the chain's end without sealing (a standby, a read-only transaction). */
static void
ReadEndOnly(ChainEnd *end)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetLatestSnapshot());
	ReadChainEnd(end);
	PopActiveSnapshot();
	SPI_finish();
}

PG_FUNCTION_INFO_V1(seal_audit_log);
/*
 * enroll.seal_audit_log() -> bigint: appends every finished event after the
 * chain's end to enroll.audit_chain; returns how many (0: nothing new).
 * Admins; runs as the extension owner (SECURITY DEFINER).
 */
Datum
seal_audit_log(PG_FUNCTION_ARGS)
{
	ChainEnd	end;

	PG_RETURN_INT64(SealChain(&end));
}

PG_FUNCTION_INFO_V1(audit_head);
/*
 * enroll.audit_head() -> (event_id, link, sealed_events): seals, then
 * returns the chain's last event, its link in hex and the chain's length.
 * On a standby or in a read-only transaction it returns the head as it is.
 * An empty chain: no event, the genesis link, 0.
 */
Datum
audit_head(PG_FUNCTION_ARGS)
{
	ChainEnd	end;
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	char		hex[LINK_LEN * 2 + 1];

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	if (RecoveryInProgress() || XactReadOnly)
		ReadEndOnly(&end);
	else
		SealChain(&end);

	hex_encode((const char *) end.link, LINK_LEN, hex);
	hex[LINK_LEN * 2] = '\0';
	values[0] = Int64GetDatum(end.event_id);
	nulls[0] = end.pos == 0;
	values[1] = CStringGetTextDatum(hex);
	values[2] = Int64GetDatum(end.pos);
	return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls));
}

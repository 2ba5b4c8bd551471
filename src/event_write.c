/*-------------------------------------------------------------------------
 * event_write.c
 *	  Writing rows of the audit log enroll.event without planning and
 *	  executing an INSERT: what COPY FROM does for a table, for the one table
 *	  every function of the extension writes to.
 *
 * Why: an event is a small row, and most of the cost of writing one through
 * SPI is the statement around it, not the row -- a single INSERT built
 * and tore down its executor, opened the indexes, compiled the CHECK and
 * queued an after-trigger event for each acceptance (34-50 us against 10-14
 * for the same row in a table without them, scripts/bench), and a bulk
 * INSERT went row by row through the executor, one WAL record and one
 * buffer lock a row.  Here the rows are formed in C, the table's own column
 * defaults evaluated, the digest computed (event.c), the table's
 * constraints checked (ExecConstraints), the rows written a page at a time
 * (table_multi_insert, as COPY does), every index entry made
 * (ExecInsertIndexTuples) and each event recorded for its NOTIFY, in event
 * order, as the two triggers would.
 *
 * Only when the table is exactly as the extension made it: a plain table,
 * no rule, no stored generated column, no forced row-level security, no
 * deferred or exclusion index, and among its INSERT triggers only the
 * extension's event_set_digest (BEFORE ROW) and event_announce (AFTER ROW),
 * both firing (session_replication_role origin).  Anything else -- a
 * trigger a DBA added, one of ours disabled, a 1.0/1.1 catalogue -- and
 * EnrollWriteEvents returns false having written nothing, and the caller
 * runs the INSERT, so that whatever the DBA put on the table applies.  The
 * caller runs as the extension owner (the sequence and the rows are the
 * owner's, as with the INSERT).  The columns keep the types the values
 * below are of: the extension's functions depend on every one of them, so
 * that ALTER TABLE cannot change them.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteHandler.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "pg_enroll.h"

/* rows formed before they are written together (COPY's batch is 1000 too) */
#define EVENT_BATCH 1000

/* the columns the extension fills; the others (id, logged_at, xid ...) get their defaults */
static const EnrollEventColumn filled_columns[] = {
	EV_AT, EV_ACCOUNT_ID, EV_DB_ROLE, EV_WHAT, EV_TABLE_NAME, EV_ROW_ID, EV_DETAILS,
	EV_SUBJECT_ACCOUNT, EV_DIGEST
};

/*
 * The table's column defaults (of the columns the writer does not fill) and
 * CHECK constraints as the planner leaves them (expression_planner), kept
 * from one call to the next for the table they were read from: an event
 * written alone read the stored expressions (stringToNode) and planned them
 * every time, a fifth of the writer's time in an acceptance (perf,
 * scripts/bench).  Each call still builds its own expression states from
 * them.  Forgotten on a relcache invalidation of the table (ALTER TABLE, a
 * new default or constraint, DROP/CREATE EXTENSION) and on any change to a
 * function (the planner may have inlined one a DBA's default calls).
 */
typedef struct EventExprCache
{
	bool		valid;
	Oid			relid;
	MemoryContext cxt;
	int			natts;
	Expr	  **defaults;		/* [natts]: NULL, no default or a column we fill */
	int			ncheck;
	Expr	  **checks;			/* [ncheck], in the order of constr->check */
} EventExprCache;

static EventExprCache expr_cache;
static uint64 expr_cache_invalidations = 0;
static bool expr_cache_registered = false;
static int	writer_depth = 0;	/* a default calling back into the writer */

static void
ExprCacheRelcacheInval(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == expr_cache.relid)
	{
		expr_cache.valid = false;
		expr_cache_invalidations++;
	}
}

static void
ExprCacheProcInval(Datum arg, int cacheid, uint32 hashvalue)
{
	expr_cache.valid = false;
	expr_cache_invalidations++;
}

/* Fill c with rel's expressions, planned, in the current memory context. */
static void
ReadEventExprs(EventExprCache *c, Relation rel, const int *attno)
{
	TupleDesc	desc = RelationGetDescr(rel);

	c->natts = desc->natts;
	c->defaults = palloc0(sizeof(Expr *) * Max(desc->natts, 1));
	for (int a = 1; a <= desc->natts; a++)
	{
		bool		named = false;
		Node	   *expr;

		for (int k = 0; k < lengthof(filled_columns) && !named; k++)
			named = attno[filled_columns[k]] == a;
		if (named || TupleDescAttr(desc, a - 1)->attisdropped)
			continue;
		expr = build_column_default(rel, a);
		if (expr != NULL)
			c->defaults[a - 1] = expression_planner((Expr *) expr);
	}
	c->ncheck = desc->constr != NULL ? desc->constr->num_check : 0;
	c->checks = palloc0(sizeof(Expr *) * Max(c->ncheck, 1));
	for (int i = 0; i < c->ncheck; i++)
		c->checks[i] = expression_planner((Expr *) stringToNode(desc->constr->check[i].ccbin));
}

/*
 * rel's planned expressions: the cached ones, read again when the cache was
 * invalidated or is for another table.  A call nested in a call (a DBA's
 * default that writes an event) gets its own copy in `cxt`, so that the
 * outer call's expressions are never freed under it.
 */
static const EventExprCache *
EventExprs(Relation rel, const int *attno, MemoryContext cxt, EventExprCache *own)
{
	uint64		before;
	MemoryContext old;

	if (writer_depth > 1)
	{
		old = MemoryContextSwitchTo(cxt);
		ReadEventExprs(own, rel, attno);
		MemoryContextSwitchTo(old);
		return own;
	}
	if (!expr_cache_registered)
	{
		CacheRegisterRelcacheCallback(ExprCacheRelcacheInval, (Datum) 0);
		CacheRegisterSyscacheCallback(PROCOID, ExprCacheProcInval, (Datum) 0);
		expr_cache_registered = true;
	}
	if (expr_cache.valid && expr_cache.relid == RelationGetRelid(rel) &&
		expr_cache.natts == RelationGetDescr(rel)->natts)
		return &expr_cache;
	if (expr_cache.cxt == NULL)
		expr_cache.cxt = AllocSetContextCreate(CacheMemoryContext, "pg_enroll event expressions",
											   ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(expr_cache.cxt);
	expr_cache.valid = false;
	expr_cache.relid = RelationGetRelid(rel);
	before = expr_cache_invalidations;
	old = MemoryContextSwitchTo(expr_cache.cxt);
	ReadEventExprs(&expr_cache, rel, attno);
	MemoryContextSwitchTo(old);
	/* an invalidation read while reading them: use them once, read again next time */
	expr_cache.valid = expr_cache_invalidations == before;
	return &expr_cache;
}

/* Is foid the extension's C function `symbol`, enroll.<symbol>()? */
static bool
IsOwnFunction(Oid foid, Oid nsp, const char *symbol)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(foid));
	bool		own = false;

	if (!HeapTupleIsValid(tup))
		return false;
	{
		Form_pg_proc p = (Form_pg_proc) GETSTRUCT(tup);

		if (p->pronamespace == nsp && p->prolang == ClanguageId &&
			strcmp(NameStr(p->proname), symbol) == 0)
		{
			bool		isnull;
			Datum		src = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosrc, &isnull);

			own = !isnull && strcmp(TextDatumGetCString(src), symbol) == 0;
		}
	}
	ReleaseSysCache(tup);
	return own;
}

/* Does trigger t fire now, as the INSERT would fire it? */
static bool
Fires(const Trigger *t)
{
	return t->tgenabled == TRIGGER_FIRES_ON_ORIGIN || t->tgenabled == TRIGGER_FIRES_ALWAYS;
}

/*
 * Is enroll.event exactly as the extension made it (see the file header)?
 * The indexes are checked once they are open (DirectIndexesOk).
 */
static bool
DirectWriteOk(Relation rel, Oid nsp)
{
	TriggerDesc *td = rel->trigdesc;
	TupleDesc	desc = RelationGetDescr(rel);
	bool		digest = false;
	bool		announce = false;

	if (rel->rd_rel->relkind != RELKIND_RELATION || rel->rd_rules != NULL ||
		rel->rd_rel->relforcerowsecurity ||
		SessionReplicationRole != SESSION_REPLICATION_ROLE_ORIGIN ||
		(desc->constr != NULL && desc->constr->has_generated_stored) || td == NULL)
		return false;
	for (int i = 0; i < td->numtriggers; i++)
	{
		const Trigger *t = &td->triggers[i];

		if (!TRIGGER_FOR_INSERT(t->tgtype))
			continue;
		if (!TRIGGER_FOR_ROW(t->tgtype) || !Fires(t) || t->tgqual != NULL || t->tgnargs != 0 ||
			t->tgnewtable != NULL || t->tgoldtable != NULL)
			return false;
		if (!digest && TRIGGER_FOR_BEFORE(t->tgtype) &&
			IsOwnFunction(t->tgfoid, nsp, "event_set_digest"))
			digest = true;
		else if (!announce && TRIGGER_FOR_AFTER(t->tgtype) &&
				 IsOwnFunction(t->tgfoid, nsp, "event_announce"))
			announce = true;
		else
			return false;
	}
	return digest && announce;
}

/* Plain immediate indexes only: a deferred or exclusion check needs the executor's queue. */
static bool
DirectIndexesOk(const ResultRelInfo *rri)
{
	for (int i = 0; i < rri->ri_NumIndices; i++)
	{
		const IndexInfo *ii = rri->ri_IndexRelationInfo[i];
		Relation	index = rri->ri_IndexRelationDescs[i];

		if (ii->ii_ExclusionOps != NULL || !index->rd_index->indimmediate)
			return false;
	}
	return true;
}

/* EnrollWriteEvents, once the call is counted in writer_depth */
static bool
WriteEvents(const EnrollEventRows *r)
{
	Oid			nsp = get_namespace_oid("enroll", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid("event", nsp) : InvalidOid;
	Relation	rel;
	TupleDesc	desc;
	const int  *attno;
	EState	   *estate;
	ResultRelInfo *rri;
	ExprContext *econtext;
	ExprState **defaults;
	const EventExprCache *exprs;
	EventExprCache own_exprs;
	MemoryContext batch_cxt;
	MemoryContext old;
	TupleTableSlot **slots;
	int			nslots;
	int			nbatch = 0;
	CommandId	cid;
	Datum		what;
	Datum		role;
	Datum		table_name;

	if (r->n <= 0)
		return true;
	if (!OidIsValid(relid))
		return false;
	/* what the executor checks before any INSERT (ExecCheckXactReadOnly) */
	PreventCommandIfReadOnly("INSERT");
	PreventCommandIfParallelMode("INSERT");
	rel = table_open(relid, RowExclusiveLock);
	desc = RelationGetDescr(rel);
	if (!DirectWriteOk(rel, nsp))
	{
		table_close(rel, NoLock);
		return false;
	}
	/* the extension's own digest trigger: a 1.2 catalogue, every column there */
	attno = EnrollEventAttnos(rel);

	estate = CreateExecutorState();
	rri = makeNode(ResultRelInfo);
	InitResultRelInfo(rri, rel, 0, NULL, 0);
	ExecOpenIndices(rri, false);
	if (!DirectIndexesOk(rri))
	{
		ExecCloseIndices(rri);
		FreeExecutorState(estate);
		table_close(rel, NoLock);
		return false;
	}
	econtext = GetPerTupleExprContext(estate);

	/*
	 * The defaults of the columns the INSERT would not name (id, logged_at,
	 * xid, a DBA's), and the CHECK constraints, as ExecConstraints would
	 * prepare them (it keeps those it finds in ri_ConstraintExprs).
	 */
	exprs = EventExprs(rel, attno, estate->es_query_cxt, &own_exprs);
	old = MemoryContextSwitchTo(estate->es_query_cxt);
	defaults = palloc0(sizeof(ExprState *) * desc->natts);
	for (int a = 0; a < desc->natts; a++)
		if (exprs->defaults[a] != NULL)
			defaults[a] = ExecInitExpr(exprs->defaults[a], NULL);
	if (exprs->ncheck > 0)
	{
		rri->ri_ConstraintExprs = palloc(sizeof(ExprState *) * exprs->ncheck);
		for (int i = 0; i < exprs->ncheck; i++)
			rri->ri_ConstraintExprs[i] = ExecInitExpr(exprs->checks[i], NULL);
	}
	what = CStringGetTextDatum(r->what);
	role = EnrollEventRoleDatum(rel, r->db_role);
	table_name = r->table_name != NULL ? CStringGetTextDatum(r->table_name) : (Datum) 0;
	nslots = Min(r->n, EVENT_BATCH);
	slots = palloc(sizeof(TupleTableSlot *) * nslots);
	for (int i = 0; i < nslots; i++)
		slots[i] = table_slot_create(rel, NULL);
	MemoryContextSwitchTo(old);
	batch_cxt = AllocSetContextCreate(CurrentMemoryContext, "enroll event batch",
									  ALLOCSET_DEFAULT_SIZES);
	cid = GetCurrentCommandId(true);

	for (int i = 0; i < r->n; i++)
	{
		TupleTableSlot *slot = slots[nbatch];
		Datum	   *values = slot->tts_values;
		bool	   *nulls = slot->tts_isnull;
		const Jsonb *details = r->each != NULL ? r->each[i] : r->common;

		CHECK_FOR_INTERRUPTS();
		ExecClearTuple(slot);
		old = MemoryContextSwitchTo(batch_cxt);
		for (int a = 0; a < desc->natts; a++)
		{
			values[a] = (Datum) 0;
			nulls[a] = true;
			if (defaults[a] != NULL)
				values[a] = ExecEvalExpr(defaults[a], econtext, &nulls[a]);
		}
#define SET(col, datum, isnull) \
		(values[attno[col] - 1] = (isnull) ? (Datum) 0 : (datum), nulls[attno[col] - 1] = (isnull))
		SET(EV_AT, TimestampTzGetDatum(r->at), false);
		SET(EV_ACCOUNT_ID, Int64GetDatum(r->actor), r->actor == 0);
		SET(EV_DB_ROLE, role, false);
		SET(EV_WHAT, what, false);
		SET(EV_TABLE_NAME, table_name, r->table_name == NULL);
		SET(EV_ROW_ID, Int64GetDatum(r->ids[i]), r->ids[i] == 0);
		SET(EV_DETAILS, PointerGetDatum(details), details == NULL);
		SET(EV_SUBJECT_ACCOUNT, Int64GetDatum(r->subjects ? r->subjects[i] : 0),
			r->subjects == NULL || r->subjects[i] == 0);
		/* what event_set_digest does (BEFORE ROW), then the constraints */
		SET(EV_DIGEST, EnrollEventDigest(rel, values, nulls), false);
#undef SET
		MemoryContextSwitchTo(old);
		ExecStoreVirtualTuple(slot);
		if (desc->constr != NULL)
			ExecConstraints(rri, slot, estate);
		ResetPerTupleExprContext(estate);

		if (++nbatch < nslots && i < r->n - 1)
			continue;
		/* the batch: rows a page at a time, then each row's index entries and NOTIFY */
		table_multi_insert(rel, slots, nbatch, cid, 0, NULL);
		for (int k = 0; k < nbatch; k++)
		{
			bool		id_null;
			bool		row_null;
			Datum		id = slot_getattr(slots[k], attno[EV_ID], &id_null);
			Datum		row = slot_getattr(slots[k], attno[EV_ROW_ID], &row_null);
			List	   *recheck;

			recheck = ExecInsertIndexTuples(rri, slots[k], estate, false, false, NULL, NIL);
			Assert(recheck == NIL);
			list_free(recheck);
			ResetPerTupleExprContext(estate);
			EnrollEventAnnounce(id_null ? 0 : DatumGetInt64(id), r->what, r->table_name,
								row_null, row_null ? 0 : DatumGetInt64(row));
		}
		nbatch = 0;
		MemoryContextReset(batch_cxt);
	}

	for (int i = 0; i < nslots; i++)
		ExecDropSingleTupleTableSlot(slots[i]);
	MemoryContextDelete(batch_cxt);
	ExecCloseIndices(rri);
	FreeExecutorState(estate);
	table_close(rel, NoLock);
	/* later statements of the caller see the rows, as after the INSERT */
	CommandCounterIncrement();
	return true;
}

/*
 * Write the events of r (see event.c's EnrollLogEvents* for their meaning)
 * directly; false, writing nothing, when the table is not as the extension
 * made it.  The caller runs as the extension owner.
 */
bool
EnrollWriteEvents(const EnrollEventRows *r)
{
	volatile bool written = false;

	writer_depth++;
	PG_TRY();
	{
		written = WriteEvents(r);
	}
	PG_FINALLY();
	{
		writer_depth--;
	}
	PG_END_TRY();
	return written;
}

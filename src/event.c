/*-------------------------------------------------------------------------
 * event.c
 *	  The audit log enroll.event: the helpers every function calls to record
 *	  who did what (and about whom), the trigger that announces each event
 *	  with NOTIFY, and the trigger that keeps the log append-only.
 *
 * An event records the rule clock (enroll.clock_now()), the wall clock, the
 * acting account, the outer database role (the caller, not the SECURITY
 * DEFINER owner), what happened, which table and row, the person it is
 * about (subject_account, since 1.2) and details as jsonb.  The column
 * defaults add the writing transaction's id (xid) and the BEFORE INSERT
 * trigger event_set_digest the content digest; audit.c seals finished
 * events into the hash chain enroll.audit_chain.
 *
 * Why event.xid matters: the chain and enroll.events_since() order events
 * by (xid, id) and only take those whose xid is below the oldest running
 * transaction (the horizon), trusting that "xid below the horizon" means
 * "the transaction that wrote the row has finished".  That holds because
 * xid is the TOP-level transaction id of the writer, assigned by the column
 * default pg_current_xact_id() in the INSERT itself, before the row exists
 * (and kept by a subtransaction, whose own xid is larger).  A transaction
 * that has no xid yet gets one above every current horizon, so no event can
 * later appear below a horizon already passed.  The order in which the id
 * and the xid are drawn does not matter: ids are not in commit order, which
 * is why nothing orders by id alone.
 *
 * The library serves every catalogue version between CREATE/ALTER
 * EXTENSION and the next update: the statements below name subject_account
 * only when a subject is given, and a subject is dropped when the installed
 * catalogue (1.0, 1.1) has no such column yet.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"
#include "sha256.h"

/* the NOTIFY channel of enroll.event (README "Events") */
#define ENROLL_EVENTS_CHANNEL "enroll_events"

/*
 * Longest "what" or "table" put in a NOTIFY payload, in bytes; a longer one
 * (only a hand-written event could have it) is announced as null, keeping
 * the payload far below PostgreSQL's limit of about 8000 bytes.
 */
#define ENROLL_PAYLOAD_NAME_MAX 200

/*
 * n events in one statement.  Every bulk plan takes the same parameters:
 * $1 at, $2 acting account, $3 database role, $4 what, $5 table, $6 row ids
 * (bigint[]), $7 subjects (bigint[]), $8 the details (one jsonb for all, or
 * jsonb[] one per event); a plan that names no subject leaves $7 unused.
 * The arrays are unnested side by side in the target list, where
 * ProjectSet hands the rows to the insert one by one; in FROM (ROWS FROM)
 * each array was first copied into a tuplestore (~6 % of the events of a
 * 10k cancel_order, scripts/bench).
 */
static EnrollPlan plan_insert_events = {
	"INSERT INTO enroll.event (at, account_id, db_role, what, table_name, row_id, details)"
	" SELECT $1, $2, $3, $4, $5, pg_catalog.unnest($6::bigint[]), $8",
	8, {TIMESTAMPTZOID, INT8OID, NAMEOID, TEXTOID, TEXTOID, INT8ARRAYOID, INT8ARRAYOID, JSONBOID},
	NULL, ENROLL_GENERIC
};

static EnrollPlan plan_insert_events_about = {
	"INSERT INTO enroll.event (at, account_id, db_role, what, table_name, row_id, subject_account, details)"
	" SELECT $1, $2, $3, $4, $5, pg_catalog.unnest($6::bigint[]), pg_catalog.unnest($7::bigint[]), $8",
	8, {TIMESTAMPTZOID, INT8OID, NAMEOID, TEXTOID, TEXTOID, INT8ARRAYOID, INT8ARRAYOID, JSONBOID},
	NULL, ENROLL_GENERIC
};

static EnrollPlan plan_insert_events_each = {
	"INSERT INTO enroll.event (at, account_id, db_role, what, table_name, row_id, details)"
	" SELECT $1, $2, $3, $4, $5, pg_catalog.unnest($6::bigint[]), pg_catalog.unnest($8::jsonb[])",
	8, {TIMESTAMPTZOID, INT8OID, NAMEOID, TEXTOID, TEXTOID, INT8ARRAYOID, INT8ARRAYOID, JSONBARRAYOID},
	NULL, ENROLL_GENERIC
};

static EnrollPlan plan_insert_events_each_about = {
	"INSERT INTO enroll.event (at, account_id, db_role, what, table_name, row_id, subject_account, details)"
	" SELECT $1, $2, $3, $4, $5, pg_catalog.unnest($6::bigint[]), pg_catalog.unnest($7::bigint[]),"
	"        pg_catalog.unnest($8::jsonb[])",
	8, {TIMESTAMPTZOID, INT8OID, NAMEOID, TEXTOID, TEXTOID, INT8ARRAYOID, INT8ARRAYOID, JSONBARRAYOID},
	NULL, ENROLL_GENERIC
};

/* the session role that called, for event.db_role */
static Datum
OuterRoleName(void)
{
	return DirectFunctionCall1(namein,
							   CStringGetDatum(GetUserNameFromId(GetOuterUserId(), false)));
}

/*
 * Has the installed enroll.event the column subject_account (1.2 on)?  Two
 * syscache lookups: cheap enough per event, and always current, even right
 * after ALTER EXTENSION UPDATE in the same session.
 */
static bool
EventHasSubject(void)
{
	Oid			nsp = get_namespace_oid("enroll", true);
	Oid			rel = OidIsValid(nsp) ? get_relname_relid("event", nsp) : InvalidOid;

	return OidIsValid(rel) && get_attnum(rel, "subject_account") != InvalidAttrNumber;
}

/*
 * A bigint[] of n values where 0 stands for "none" and becomes NULL (row
 * ids and subjects alike: ids start at 1).
 */
static Datum
Int8ArrayZeroIsNull(const int64 *values, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *isnull = palloc(sizeof(bool) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};
	ArrayType  *a;

	for (int i = 0; i < n; i++)
	{
		d[i] = Int64GetDatum(values[i]);
		isnull[i] = values[i] == 0;
	}
	a = construct_md_array(d, isnull, 1, dims, lbs, INT8OID, sizeof(int64),
						   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	pfree(d);
	pfree(isnull);
	return PointerGetDatum(a);
}

/* A jsonb[] of n values; a NULL pointer becomes a NULL element. */
static Datum
JsonbArray(const Jsonb *const *values, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *isnull = palloc(sizeof(bool) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};
	ArrayType  *a;

	for (int i = 0; i < n; i++)
	{
		d[i] = PointerGetDatum(values[i]);
		isnull[i] = values[i] == NULL;
	}
	a = construct_md_array(d, isnull, 1, dims, lbs, JSONBOID, -1, false, TYPALIGN_INT);
	pfree(d);
	pfree(isnull);
	return PointerGetDatum(a);
}

/*
 * The events of r in one INSERT statement through SPI (connected, running
 * as the owner): when the table is not as the extension made it
 * (event_write.c), so that whatever a DBA put on it applies.
 */
static void
InsertEventsSql(const EnrollEventRows *r)
{
	Datum		args[8];
	char		nulls[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	const int64 *subjects = r->subjects;
	EnrollPlan *plan;

	if (subjects != NULL && !EventHasSubject())
		subjects = NULL;		/* 1.0/1.1: the column does not exist yet */

	args[0] = TimestampTzGetDatum(r->at);
	args[1] = Int64GetDatum(r->actor);
	if (r->actor == 0)
		nulls[1] = 'n';
	args[2] = r->db_role;
	args[3] = CStringGetTextDatum(r->what);
	if (r->table_name != NULL)
		args[4] = CStringGetTextDatum(r->table_name);
	else
		nulls[4] = 'n';
	args[5] = Int8ArrayZeroIsNull(r->ids, r->n);
	if (subjects != NULL)
		args[6] = Int8ArrayZeroIsNull(subjects, r->n);
	else
		nulls[6] = 'n';
	if (r->each != NULL)
		args[7] = JsonbArray(r->each, r->n);
	else if (r->common != NULL)
		args[7] = JsonbPGetDatum(r->common);
	else
		nulls[7] = 'n';

	if (r->each != NULL)
		plan = subjects != NULL ? &plan_insert_events_each_about : &plan_insert_events_each;
	else
		plan = subjects != NULL ? &plan_insert_events_about : &plan_insert_events;
	EnrollExecute(plan, args, nulls, false, 0, SPI_OK_INSERT);
}

/* one event, written as the owner (EnrollRunAsOwner's argument) */
static void
InsertOneAsOwner(void *arg)
{
	const EnrollEventRows *r = (const EnrollEventRows *) arg;

	if (EnrollWriteEvents(r))
		return;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	InsertEventsSql(r);
	SPI_finish();
}

/*
 * Append one row to enroll.event about a person (subject_account; 0 = the
 * event is about nobody in particular).  Written as the extension owner
 * (callers are SECURITY DEFINER functions or superusers, and applications
 * never write the log directly): by event_write.c, which applies the
 * table's defaults, constraints, indexes and the work of its two triggers,
 * or, when a DBA changed the table, by the INSERT through SPI.
 */
void
EnrollLogEventAbout(const char *what, const char *table_name, int64 row_id,
					int64 subject_account, Jsonb *details)
{
	EnrollEventRows r = {0};
	int64		account;

	Assert(what != NULL);
	r.at = EnrollClockNow();
	r.actor = EnrollCurrentAccount(&account) ? account : 0;
	r.db_role = OuterRoleName();
	r.what = what;
	r.table_name = table_name;
	r.ids = &row_id;
	r.subjects = subject_account != 0 ? &subject_account : NULL;
	r.common = details;
	r.n = 1;
	EnrollRunAsOwner(InsertOneAsOwner, &r);
}

/* Append one row to enroll.event, about nobody in particular. */
void
EnrollLogEvent(const char *what, const char *table_name, int64 row_id,
			   Jsonb *details)
{
	EnrollLogEventAbout(what, table_name, row_id, 0, details);
}

/*
 * Write n events of one kind at once: row ids[i], about subjects[i] (array
 * may be NULL), with either the same details `common` for all or each[i]
 * (array non-NULL): by event_write.c, or in one INSERT statement when a DBA
 * changed the table.  SPI connected, running as owner.
 */
static void
InsertEvents(TimestampTz at, int64 actor, const char *what, const char *table_name,
			 const int64 *ids, const int64 *subjects,
			 const Jsonb *common, const Jsonb *const *each, int n)
{
	EnrollEventRows r;

	Assert(what != NULL && ids != NULL);
	if (n <= 0)
		return;
	r.at = at;
	r.actor = actor;
	r.db_role = OuterRoleName();
	r.what = what;
	r.table_name = table_name;
	r.ids = ids;
	r.subjects = subjects;
	r.common = common;
	r.each = each;
	r.n = n;
	if (!EnrollWriteEvents(&r))
		InsertEventsSql(&r);
}

/*
 * n events of one kind in one statement (bulk work such as a session
 * setup), event i for row ids[i] (0: no row), about subjects[i] (0: nobody;
 * the array may be NULL: about nobody), with details[i] (a NULL pointer:
 * none; the array may be NULL: no details).  Events get their ids in array
 * order.  The caller runs as the extension owner with SPI connected.
 */
void
EnrollLogEventsAbout(TimestampTz at, int64 actor, const char *what, const char *table_name,
					 const int64 *ids, const int64 *subjects,
					 const Jsonb *const *details, int n)
{
	InsertEvents(at, actor, what, table_name, ids, subjects, NULL, details, n);
}

/*
 * One event per row id, all with the same kind and details, about nobody
 * in particular, written in one statement.  The caller runs as the
 * extension owner with SPI connected.
 */
void
EnrollLogEvents(TimestampTz at, int64 actor, const char *what, const char *table_name,
				const int64 *ids, int n, Jsonb *details)
{
	InsertEvents(at, actor, what, table_name, ids, NULL, details, NULL, n);
}

/*
 * Build event details from printf-style JSON text.  Callers escape any
 * string they splice in (escape_json); numbers and fixed words need none.
 */
Jsonb *
EnrollJsonbf(const char *fmt,...)
{
	/*
	 * The text and the parser's state are garbage once the jsonb exists:
	 * they live in a scratch context reset at every call, and only the
	 * jsonb is copied to the caller's context.  Callers build one per
	 * participant of an order: kept, the garbage was about 3 kB each, most
	 * of a 100,000-participant setup's memory (scripts/bench).
	 */
	static MemoryContext scratch = NULL;
	MemoryContext caller = CurrentMemoryContext;
	StringInfoData buf;
	Jsonb	   *jb;
	Jsonb	   *copy;

	if (scratch == NULL)
		scratch = AllocSetContextCreate(TopMemoryContext, "pg_enroll jsonb scratch",
										ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(scratch);
	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
	MemoryContextSwitchTo(caller);
	copy = palloc(VARSIZE(jb));
	memcpy(copy, jb, VARSIZE(jb));
	MemoryContextReset(scratch);
	return copy;
}

PG_FUNCTION_INFO_V1(log_event);
/*
 * enroll.log_event(what, table_name, row_id, details, subject_account
 * DEFAULT NULL): SQL face of EnrollLogEventAbout for the extension's own
 * SQL functions.  Not granted to applications.  Until ALTER EXTENSION
 * UPDATE a 1.0/1.1 catalogue calls it with four arguments.
 */
Datum
log_event(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("event kind must not be null")));
	EnrollLogEventAbout(text_to_cstring(PG_GETARG_TEXT_PP(0)),
						PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1)),
						PG_ARGISNULL(2) ? 0 : PG_GETARG_INT64(2),
						PG_NARGS() > 4 && !PG_ARGISNULL(4) ? PG_GETARG_INT64(4) : 0,
						PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3));
	PG_RETURN_VOID();
}

/* Column `name` of the trigger's new row; *isnull set. */
static Datum
NewColumn(TriggerData *trigdata, const char *name, bool *isnull)
{
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	int			attnum = SPI_fnumber(desc, name);

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("relation \"%s\" has no column \"%s\"",
						RelationGetRelationName(trigdata->tg_relation), name)));
	return heap_getattr(trigdata->tg_trigtuple, attnum, desc, isnull);
}

/*
 * The announcements of the events written by the current transaction,
 * waiting for its commit.
 *
 * PostgreSQL keeps a pending NOTIFY as a palloc'd copy of channel and
 * payload, a list cell and a hash entry (to drop duplicates): about 220
 * bytes each, 22 MB for the 100,000 events of a large session setup, held
 * from the first event to the commit and on top of everything the setup
 * still holds.  The trigger records runs of events instead (of one kind,
 * written by one subtransaction, with consecutive ids and row ids, as a
 * bulk insert's are: 32 bytes a run) and the notifications are handed to
 * Async_Notify just before PostgreSQL queues them (XACT_EVENT_PRE_COMMIT,
 * which comes before PreCommit_Notify), when the setup's memory is gone.
 * They go out in event order, at commit, as before; a rolled-back
 * subtransaction takes its own away (as AtSubAbort_Notify does).  PREPARE
 * TRANSACTION hands them over too (XACT_EVENT_PRE_PREPARE), so that
 * PostgreSQL refuses it as it refuses any transaction that has executed
 * NOTIFY.
 */
typedef struct PendingKind
{
	char	   *what;			/* NULL: announced as null */
	char	   *table;			/* NULL: announced as null */
} PendingKind;

typedef struct PendingRun
{
	int64		id;				/* the first event's id ... */
	int64		row;			/* ... and row id; the next ones count up */
	uint32		count;			/* events in the run */
	uint32		kind;			/* index in pending_kinds; PENDING_ROW_NULL set: rows are null */
	SubTransactionId subid;		/* the (sub)transaction that wrote them */
} PendingRun;

#define PENDING_ROW_NULL 0x80000000U

/* kinds compared before a new one is added (bulk events repeat the last) */
#define PENDING_KIND_LOOKBACK 8

/* all in TopTransactionContext; pending == NULL: nothing recorded yet */
static PendingRun *pending = NULL;
static int64 npending = 0;
static int64 maxpending = 0;
static PendingKind *pending_kinds = NULL;
static uint32 nkinds = 0;
static uint32 maxkinds = 0;

/* after XACT_EVENT_PRE_COMMIT/PRE_PREPARE: a late event notifies at once */
static bool pending_flushed = false;

/* a name as announced: NULL for null or longer than ENROLL_PAYLOAD_NAME_MAX */
static bool
SameName(const char *a, const char *b)
{
	return a == NULL ? b == NULL : (b != NULL && strcmp(a, b) == 0);
}

/* the index of kind (what, table), added if not among the last ones */
static uint32
PendingKindOf(const char *what, const char *table)
{
	for (uint32 k = nkinds; k > 0 && nkinds - k < PENDING_KIND_LOOKBACK; k--)
		if (SameName(pending_kinds[k - 1].what, what) &&
			SameName(pending_kinds[k - 1].table, table))
			return k - 1;
	if (nkinds >= PENDING_ROW_NULL - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many kinds of events in one transaction")));
	if (nkinds == maxkinds)
	{
		maxkinds = Max(16, maxkinds * 2);
		pending_kinds = pending_kinds == NULL ?
			MemoryContextAlloc(TopTransactionContext, sizeof(PendingKind) * maxkinds) :
			repalloc_huge(pending_kinds, sizeof(PendingKind) * maxkinds);
	}
	pending_kinds[nkinds].what = what ? MemoryContextStrdup(TopTransactionContext, what) : NULL;
	pending_kinds[nkinds].table = table ? MemoryContextStrdup(TopTransactionContext, table) : NULL;
	return nkinds++;
}

/* Forget every recorded announcement (the memory goes with the transaction). */
static void
PendingReset(void)
{
	pending = NULL;
	npending = maxpending = 0;
	pending_kinds = NULL;
	nkinds = maxkinds = 0;
}

/* The payload of an event, into buf (reset first). */
static void
PayloadOf(StringInfo buf, int64 id, const char *what, const char *table, bool row_null, int64 row)
{
	resetStringInfo(buf);
	appendStringInfo(buf, "{\"id\": " INT64_FORMAT ", \"what\": ", id);
	if (what != NULL)
		escape_json(buf, what);
	else
		appendStringInfoString(buf, "null");
	appendStringInfoString(buf, ", \"table\": ");
	if (table != NULL)
		escape_json(buf, table);
	else
		appendStringInfoString(buf, "null");
	if (row_null)
		appendStringInfoString(buf, ", \"row\": null}");
	else
		appendStringInfo(buf, ", \"row\": " INT64_FORMAT "}", row);
}

/* Hand every recorded announcement to PostgreSQL's NOTIFY, in event order. */
static void
PendingFlush(void)
{
	StringInfoData buf;

	if (npending == 0)
		return;
	initStringInfo(&buf);
	for (int64 i = 0; i < npending; i++)
	{
		const PendingRun *r = &pending[i];
		const PendingKind *k = &pending_kinds[r->kind & ~PENDING_ROW_NULL];

		for (uint32 j = 0; j < r->count; j++)
		{
			PayloadOf(&buf, r->id + j, k->what, k->table, (r->kind & PENDING_ROW_NULL) != 0,
					  r->row + j);
			Async_Notify(ENROLL_EVENTS_CHANNEL, buf.data);
		}
	}
	pfree(buf.data);
	pfree(pending);
	PendingReset();
}

static void
EventXactCallback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			PendingFlush();
			pending_flushed = true;
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			PendingReset();
			pending_flushed = false;
			break;
		default:
			break;
	}
}

/*
 * A subtransaction's announcements are the last runs recorded (those of
 * its own subtransactions already handed to it): on commit they become its
 * parent's, on rollback they go.
 */
static void
EventSubXactCallback(SubXactEvent event, SubTransactionId mySubid,
					 SubTransactionId parentSubid, void *arg)
{
	int64		i = npending;

	if (event != SUBXACT_EVENT_COMMIT_SUB && event != SUBXACT_EVENT_ABORT_SUB)
		return;
	while (i > 0 && pending[i - 1].subid == mySubid)
	{
		i--;
		if (event == SUBXACT_EVENT_COMMIT_SUB)
			pending[i].subid = parentSubid;
	}
	if (event == SUBXACT_EVENT_ABORT_SUB)
		npending = i;
}

/* called once from _PG_init */
void
EnrollEventInit(void)
{
	RegisterXactCallback(EventXactCallback, NULL);
	RegisterSubXactCallback(EventSubXactCallback, NULL);
}

/* Text column `column` of the trigger's new row, NULL for null. */
static char *
PayloadName(TriggerData *trigdata, const char *column)
{
	bool		isnull;
	Datum		d = NewColumn(trigdata, column, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

PG_FUNCTION_INFO_V1(event_announce);
/*
 * Trigger on enroll.event (AFTER INSERT FOR EACH ROW): NOTIFY enroll_events
 * with {"id": <event id>, "what": ..., "table": ..., "row": <row id or
 * null>}.  PostgreSQL delivers the notification when the transaction
 * commits, in commit order, and drops it on rollback; the trigger records
 * it and hands it over just before (see PendingRun).  No account and no
 * details: any role that can connect may LISTEN on any channel.
 */
Datum
event_announce(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	bool		isnull;
	bool		row_null;
	Datum		d;
	int64		id;
	int64		row;
	char	   *what;
	char	   *table;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired AFTER INSERT FOR EACH ROW", "event_announce")));

	d = NewColumn(trigdata, "id", &isnull);
	id = isnull ? 0 : DatumGetInt64(d);
	what = PayloadName(trigdata, "what");
	table = PayloadName(trigdata, "table_name");
	d = NewColumn(trigdata, "row_id", &row_null);
	row = row_null ? 0 : DatumGetInt64(d);
	EnrollEventAnnounce(id, what, table, row_null, row);
	return PointerGetDatum(NULL);
}

/*
 * Record event id (of kind what/table, for row `row` unless row_null) for
 * its NOTIFY at commit: what event_announce does for each row, and
 * event_write.c for the rows it writes.  A name longer than
 * ENROLL_PAYLOAD_NAME_MAX is announced as null.
 */
void
EnrollEventAnnounce(int64 id, const char *what, const char *table, bool row_null, int64 row)
{
	uint32		kind;
	SubTransactionId subid;
	PendingRun *r;

	if (what != NULL && strlen(what) > ENROLL_PAYLOAD_NAME_MAX)
		what = NULL;
	if (table != NULL && strlen(table) > ENROLL_PAYLOAD_NAME_MAX)
		table = NULL;
	if (pending_flushed)
	{
		/* written after the transaction's announcements were handed over */
		StringInfoData buf;

		initStringInfo(&buf);
		PayloadOf(&buf, id, what, table, row_null, row);
		Async_Notify(ENROLL_EVENTS_CHANNEL, buf.data);
		pfree(buf.data);
		return;
	}

	/* the checks Async_Notify would make now rather than at commit */
	if (IsParallelWorker())
		elog(ERROR, "cannot send notifications from a parallel worker");
	kind = PendingKindOf(what, table) | (row_null ? PENDING_ROW_NULL : 0);
	subid = GetCurrentSubTransactionId();
	r = npending > 0 ? &pending[npending - 1] : NULL;
	if (r != NULL && r->kind == kind && r->subid == subid && r->count < PG_UINT32_MAX &&
		r->id + r->count == id && (row_null || r->row + r->count == row))
	{
		r->count++;
		return;
	}
	if (npending == maxpending)
	{
		maxpending = Max(256, maxpending * 2);
		pending = pending == NULL ?
			MemoryContextAllocHuge(TopTransactionContext, sizeof(PendingRun) * maxpending) :
			repalloc_huge(pending, sizeof(PendingRun) * maxpending);
	}
	r = &pending[npending++];
	r->id = id;
	r->row = row;
	r->count = 1;
	r->kind = kind;
	r->subid = subid;
}

PG_FUNCTION_INFO_V1(event_append_only);
/*
 * Trigger on the audit log's tables, enroll.event and enroll.audit_chain
 * (BEFORE UPDATE OR DELETE FOR EACH ROW, BEFORE TRUNCATE): they are
 * append-only for everyone, superusers included, as long as the trigger is
 * enabled.
 */
Datum
event_append_only(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const char *verb;
	const char *table;
	bool		chain;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", "event_append_only")));

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		verb = "updated";
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		verb = "deleted";
	else
		verb = "truncated";
	table = RelationGetRelationName(trigdata->tg_relation);
	chain = strcmp(table, "audit_chain") == 0;

	ereport(ERROR,
			(errcode(ERRCODE_ENROLL_EVENT_APPEND_ONLY),
			 errmsg("enroll.%s is append-only: rows cannot be %s", table, verb),
			 chain ? errdetail("The audit chain keeps every link as it was sealed.") :
			 errdetail("The audit log keeps every event as it was recorded."),
			 chain ? 0 : errhint("Record a correcting event instead.")));
	PG_RETURN_NULL();			/* keep compiler quiet */
}

/*
 * The digested text of an event: what enroll.event_digest() hashes,
 * jsonb_build_array(id, EXTRACT(epoch FROM at), EXTRACT(epoch FROM
 * logged_at), account_id, db_role::text, what, table_name, row_id, details,
 * xid::text, subject_account)::text, written directly rather than built as
 * a jsonb and printed (a tenth of a session cancel's time went into that).
 * jsonb prints an array as "[a, b]", a null as null, a string through
 * escape_json, a bigint as its digits, and the numeric EXTRACT(epoch ...)
 * returns as its digits with six decimals (int64_div_fast_to_numeric of the
 * microseconds since 1970, scale 6) or, for an infinite time, as the string
 * "Infinity" or "-Infinity" (jsonb keeps no infinite numbers).  The nested
 * details are printed by JsonbToCString as the whole array would print them.
 */
static const char *const digest_column_names[EV_COUNT] = {
	"id", "at", "logged_at", "account_id", "db_role", "what", "table_name",
	"row_id", "details", "xid", "subject_account", "digest"
};

/* the columns' numbers in enroll.event (from 1), for the table and width seen last */
typedef struct DigestColumns
{
	Oid			relid;			/* the table they are of, and ... */
	int			natts;			/* ... its width (an upgrade adds columns) */
	int			attno[EV_COUNT];
	bool		role_is_text;	/* db_role text (1.2), not name (1.0, 1.1) */
} DigestColumns;

static DigestColumns digest_columns;

static const DigestColumns *
DigestColumnsOf(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	DigestColumns *c = &digest_columns;

	if (c->relid != RelationGetRelid(rel) || c->natts != desc->natts)
	{
		c->relid = InvalidOid;
		for (int i = 0; i < EV_COUNT; i++)
		{
			c->attno[i] = SPI_fnumber(desc, digest_column_names[i]);
			if (c->attno[i] <= 0)
				elog(ERROR, "enroll.event has no column \"%s\", which its digest needs",
					 digest_column_names[i]);
		}
		c->natts = desc->natts;
		c->relid = RelationGetRelid(rel);
	}

	/*
	 * The upgrade to 1.2 changes db_role's type in place (same number, same
	 * width of the table), possibly in this session: read it every time.
	 */
	c->role_is_text = TupleDescAttr(desc, c->attno[EV_DB_ROLE] - 1)->atttypid == TEXTOID;
	return c;
}

/*
 * The numbers (from 1) of enroll.event's columns in rel, indexed by
 * EnrollEventColumn: the digest's, and event_write.c's for the rows it
 * forms.  Cached; an error names a missing column.
 */
const int *
EnrollEventAttnos(Relation rel)
{
	return DigestColumnsOf(rel)->attno;
}

/*
 * The session role (a name datum, as OuterRoleName gives it) as rel's
 * db_role column holds it: text since 1.2, a name before.
 */
Datum
EnrollEventRoleDatum(Relation rel, Datum role)
{
	if (DigestColumnsOf(rel)->role_is_text)
		return CStringGetTextDatum(NameStr(*DatumGetName(role)));
	return role;
}

/* the element separator of a printed jsonb array */
static void
DigestSeparator(StringInfo buf)
{
	if (buf->len > 1)
		appendBinaryStringInfo(buf, ", ", 2);
}

/* a bigint column (column numbers count from 1) */
static void
DigestInt8(StringInfo buf, const Datum *values, const bool *nulls, int attno)
{
	DigestSeparator(buf);
	if (nulls[attno - 1])
		appendBinaryStringInfo(buf, "null", 4);
	else
	{
		enlargeStringInfo(buf, MAXINT8LEN + 1);
		buf->len += pg_lltoa(DatumGetInt64(values[attno - 1]), buf->data + buf->len);
	}
}

/* EXTRACT(epoch FROM a timestamptz column) as jsonb prints it */
static void
DigestEpoch(StringInfo buf, const Datum *values, const bool *nulls, int attno)
{
	TimestampTz ts;
	TimestampTz epoch = SetEpochTimestamp();
	uint64		micros;
	uint32		fraction;
	char	   *p;

	DigestSeparator(buf);
	if (nulls[attno - 1])
	{
		appendBinaryStringInfo(buf, "null", 4);
		return;
	}
	ts = DatumGetTimestampTz(values[attno - 1]);
	if (TIMESTAMP_IS_NOBEGIN(ts))
	{
		appendStringInfoString(buf, "\"-Infinity\"");
		return;
	}
	if (TIMESTAMP_IS_NOEND(ts))
	{
		appendStringInfoString(buf, "\"Infinity\"");
		return;
	}
	if (ts >= PG_INT64_MAX + epoch)
	{
		/* past the year 294246, EXTRACT divides numerics and rounds: ask it */
		Datum		n = DirectFunctionCall2(extract_timestamptz,
											CStringGetTextDatum("epoch"), values[attno - 1]);

		appendStringInfoString(buf, DatumGetCString(DirectFunctionCall1(numeric_out, n)));
		return;
	}
	/* the microseconds since 1970, in 64 unsigned bits (no overflow) */
	enlargeStringInfo(buf, MAXINT8LEN + 9);
	p = buf->data + buf->len;
	if (ts < epoch)
	{
		*p++ = '-';
		micros = (uint64) (epoch - ts);
	}
	else
		micros = (uint64) ts - (uint64) epoch;
	p += pg_ulltoa_n(micros / USECS_PER_SEC, p);
	*p++ = '.';
	fraction = (uint32) (micros % USECS_PER_SEC);
	for (int i = 5; i >= 0; i--)
	{
		p[i] = '0' + fraction % 10;
		fraction /= 10;
	}
	p += 6;
	*p = '\0';
	buf->len = p - buf->data;
}

/* a string element, or null */
static void
DigestString(StringInfo buf, const char *s)
{
	DigestSeparator(buf);
	if (s == NULL)
		appendBinaryStringInfo(buf, "null", 4);
	else
		escape_json(buf, s);
}

/* a text column */
static void
DigestText(StringInfo buf, const Datum *values, const bool *nulls, int attno)
{
	DigestString(buf, nulls[attno - 1] ? NULL : TextDatumGetCString(values[attno - 1]));
}

/* The digested text (see DigestColumns) of an event's columns, into buf. */
static void
DigestedText(StringInfo buf, const Datum *values, const bool *nulls, const DigestColumns *c)
{
	appendStringInfoChar(buf, '[');
	DigestInt8(buf, values, nulls, c->attno[EV_ID]);
	DigestEpoch(buf, values, nulls, c->attno[EV_AT]);
	DigestEpoch(buf, values, nulls, c->attno[EV_LOGGED_AT]);
	DigestInt8(buf, values, nulls, c->attno[EV_ACCOUNT_ID]);
	if (c->role_is_text)
		DigestText(buf, values, nulls, c->attno[EV_DB_ROLE]);
	else
		DigestString(buf, nulls[c->attno[EV_DB_ROLE] - 1] ? NULL :
					 NameStr(*DatumGetName(values[c->attno[EV_DB_ROLE] - 1])));
	DigestText(buf, values, nulls, c->attno[EV_WHAT]);
	DigestText(buf, values, nulls, c->attno[EV_TABLE_NAME]);
	DigestInt8(buf, values, nulls, c->attno[EV_ROW_ID]);
	DigestSeparator(buf);
	if (nulls[c->attno[EV_DETAILS] - 1])
		appendBinaryStringInfo(buf, "null", 4);
	else
	{
		Jsonb	   *jb = DatumGetJsonbP(values[c->attno[EV_DETAILS] - 1]);

		JsonbToCString(buf, &jb->root, VARSIZE(jb));
	}
	DigestString(buf, nulls[c->attno[EV_XID] - 1] ? NULL :
				 DatumGetCString(DirectFunctionCall1(xid8out, values[c->attno[EV_XID] - 1])));
	DigestInt8(buf, values, nulls, c->attno[EV_SUBJECT_ACCOUNT]);
	appendStringInfoChar(buf, ']');
}

/*
 * The digest (a bytea) of an event whose columns are values/nulls in the
 * layout of rel (enroll.event): what event_set_digest stores, and
 * event_write.c for the rows it writes.  SHA-256 of sha256.c: through
 * pg_cryptohash, setting up an OpenSSL context for each event was two
 * thirds of the digest; check_invariants() compares every row with the SQL
 * enroll.event_digest(), which is PostgreSQL's sha256().
 */
Datum
EnrollEventDigest(Relation rel, const Datum *values, const bool *nulls)
{
	const DigestColumns *c = DigestColumnsOf(rel);
	StringInfoData text;
	char	   *utf8;
	EnrollSha256 sha;
	bytea	   *digest;

	initStringInfo(&text);
	DigestedText(&text, values, nulls, c);
	utf8 = pg_server_to_any(text.data, text.len, PG_UTF8);

	digest = palloc(VARHDRSZ + ENROLL_SHA256_LENGTH);
	SET_VARSIZE(digest, VARHDRSZ + ENROLL_SHA256_LENGTH);
	enroll_sha256_init(&sha);
	enroll_sha256_update(&sha, utf8, strlen(utf8));
	enroll_sha256_final(&sha, (unsigned char *) VARDATA(digest));
	if (utf8 != text.data)
		pfree(utf8);
	pfree(text.data);
	return PointerGetDatum(digest);
}

PG_FUNCTION_INFO_V1(event_set_digest);
/*
 * Trigger on enroll.event (BEFORE INSERT FOR EACH ROW): stores the row's
 * digest, byte for byte what the SQL function enroll.event_digest()
 * computes (check_invariants() recomputes it with that function):
 * sha256(convert_to(jsonb_build_array(id, EXTRACT(epoch FROM at),
 * EXTRACT(epoch FROM logged_at), account_id, db_role::text, what,
 * table_name, row_id, details, xid::text, subject_account)::text, 'UTF8')).
 * In C, because a PL/pgSQL trigger cost a tenth of a millisecond per event
 * (a session setup writes one per participant; scripts/bench).
 */
Datum
event_set_digest(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	const DigestColumns *c;
	Datum	   *values;
	bool	   *nulls;
	bytea	   *digest;
	HeapTuple	result;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired BEFORE INSERT FOR EACH ROW", "event_set_digest")));
	desc = RelationGetDescr(trigdata->tg_relation);
	c = DigestColumnsOf(trigdata->tg_relation);

	/* the row's columns read once, and the row formed once with its digest */
	values = palloc(sizeof(Datum) * desc->natts);
	nulls = palloc(sizeof(bool) * desc->natts);
	heap_deform_tuple(trigdata->tg_trigtuple, desc, values, nulls);

	digest = DatumGetByteaPP(EnrollEventDigest(trigdata->tg_relation, values, nulls));

	values[c->attno[EV_DIGEST] - 1] = PointerGetDatum(digest);
	nulls[c->attno[EV_DIGEST] - 1] = false;
	result = heap_form_tuple(desc, values, nulls);
	/* what heap_modify_tuple keeps of the row it replaces */
	result->t_data->t_ctid = trigdata->tg_trigtuple->t_data->t_ctid;
	result->t_self = trigdata->tg_trigtuple->t_self;
	result->t_tableOid = trigdata->tg_trigtuple->t_tableOid;
	pfree(values);
	pfree(nulls);
	return PointerGetDatum(result);
}

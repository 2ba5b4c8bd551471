/*-------------------------------------------------------------------------
 * event.c
 *	  The audit log enroll.event: the one helper every function calls to
 *	  record who did what, and the trigger that keeps the log append-only.
 *
 * An event records the rule clock (enroll.clock_now()), the wall clock, the
 * acting account, the outer database role (the caller, not the SECURITY
 * DEFINER owner), what happened, which table and row, and details as jsonb.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"

static EnrollPlan plan_insert_event = {
	"INSERT INTO enroll.event"
	" (at, account_id, db_role, what, table_name, row_id, details)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7)",
	7, {TIMESTAMPTZOID, INT8OID, NAMEOID, TEXTOID, TEXTOID, INT8OID, JSONBOID}
};

static EnrollPlan plan_insert_events = {
	"INSERT INTO enroll.event (at, account_id, db_role, what, table_name, row_id, details)"
	" SELECT $1, $2, $3, $4, $5, r, $7 FROM pg_catalog.unnest($6::bigint[]) AS r",
	7, {TIMESTAMPTZOID, INT8OID, NAMEOID, TEXTOID, TEXTOID, INT8ARRAYOID, JSONBOID}
};

/* one event being written as the owner (EnrollRunAsOwner's argument) */
typedef struct EventInsert
{
	EnrollPlan *plan;
	Datum	   *values;
	char	   *nulls;
} EventInsert;

static void
InsertAsOwner(void *arg)
{
	EventInsert *ev = (EventInsert *) arg;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	EnrollExecute(ev->plan, ev->values, ev->nulls, false, 0, SPI_OK_INSERT);
	SPI_finish();
}

/* the session role that called, for event.db_role */
static Datum
OuterRoleName(void)
{
	return DirectFunctionCall1(namein,
							   CStringGetDatum(GetUserNameFromId(GetOuterUserId(), false)));
}

/*
 * Append one row to enroll.event.  Runs through SPI (so the table's
 * constraints apply) as the extension owner: callers are SECURITY DEFINER
 * functions or superusers, and applications never write the log directly.
 */
void
EnrollLogEvent(const char *what, const char *table_name, int64 row_id,
			   Jsonb *details)
{
	Datum		values[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};
	int64		account;
	EventInsert ev = {&plan_insert_event, values, nulls};

	Assert(what != NULL);
	values[0] = TimestampTzGetDatum(EnrollClockNow());
	if (EnrollCurrentAccount(&account))
		values[1] = Int64GetDatum(account);
	else
		nulls[1] = 'n';
	values[2] = OuterRoleName();
	values[3] = CStringGetTextDatum(what);
	if (table_name != NULL)
		values[4] = CStringGetTextDatum(table_name);
	else
		nulls[4] = 'n';
	if (row_id != 0)
		values[5] = Int64GetDatum(row_id);
	else
		nulls[5] = 'n';
	if (details != NULL)
		values[6] = JsonbPGetDatum(details);
	else
		nulls[6] = 'n';
	EnrollRunAsOwner(InsertAsOwner, &ev);
}

/*
 * One event per row id, all with the same kind and details, written in one
 * statement (bulk work such as a session setup).  The caller runs as the
 * extension owner with SPI connected.
 */
void
EnrollLogEvents(TimestampTz at, int64 actor, const char *what, const char *table_name,
				const int64 *ids, int n, Jsonb *details)
{
	Datum		args[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};

	if (n == 0)
		return;
	args[0] = TimestampTzGetDatum(at);
	args[1] = Int64GetDatum(actor);
	if (actor == 0)
		nulls[1] = 'n';
	args[2] = OuterRoleName();
	args[3] = CStringGetTextDatum(what);
	args[4] = CStringGetTextDatum(table_name);
	args[5] = EnrollInt8Array(ids, n);
	args[6] = JsonbPGetDatum(details);
	EnrollExecute(&plan_insert_events, args, nulls, false, 0, SPI_OK_INSERT);
}

/*
 * Build event details from printf-style JSON text.  Callers escape any
 * string they splice in (escape_json); numbers and fixed words need none.
 */
Jsonb *
EnrollJsonbf(const char *fmt,...)
{
	StringInfoData buf;

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
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

PG_FUNCTION_INFO_V1(log_event);
/*
 * enroll.log_event(what, table_name, row_id, details): SQL face of
 * EnrollLogEvent for the extension's own SQL functions.  Not granted to
 * applications.
 */
Datum
log_event(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("event kind must not be null")));
	EnrollLogEvent(text_to_cstring(PG_GETARG_TEXT_PP(0)),
				   PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1)),
				   PG_ARGISNULL(2) ? 0 : PG_GETARG_INT64(2),
				   PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3));
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(event_append_only);
/*
 * Trigger on enroll.event (BEFORE UPDATE OR DELETE FOR EACH ROW, BEFORE
 * TRUNCATE): the audit log is append-only for everyone, superusers
 * included, as long as the trigger is enabled.
 */
Datum
event_append_only(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const char *verb;

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

	ereport(ERROR,
			(errcode(ERRCODE_ENROLL_EVENT_APPEND_ONLY),
			 errmsg("enroll.event is append-only: rows cannot be %s", verb),
			 errdetail("The audit log keeps every event as it was recorded."),
			 errhint("Record a correcting event instead.")));
	PG_RETURN_NULL();			/* keep compiler quiet */
}

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
	Oid			save_userid;
	int			save_sec;

	Assert(what != NULL);
	values[0] = TimestampTzGetDatum(EnrollClockNow());
	if (EnrollCurrentAccount(&account))
		values[1] = Int64GetDatum(account);
	else
		nulls[1] = 'n';
	values[2] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(GetOuterUserId(), false)));
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

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(EnrollOwnerId(), save_sec | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		EnrollExecute(&plan_insert_event, values, nulls, false, 0, SPI_OK_INSERT);
		SPI_finish();
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec);
	}
	PG_END_TRY();
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
		elog(ERROR, "event_append_only: not called by trigger manager");

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

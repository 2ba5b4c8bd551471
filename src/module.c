/*-------------------------------------------------------------------------
 * module.c
 *	  Module entry point of pg_enroll: _PG_init, the enroll.clock GUC and
 *	  enroll.clock_now(), the one clock every rule reads.
 *
 * enroll.clock is superuser-only (PGC_SUSET).  Empty means "real time":
 * clock_now() returns transaction_timestamp().  A timestamp makes every rule
 * see that instant instead, which is how the tests travel in time.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "access/xact.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "portability/instr_time.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* GUC storage: the string as set, and the parsed instant (via assign hook) */
static char *enroll_clock_string = NULL;
static bool enroll_clock_set = false;
static TimestampTz enroll_clock_value = 0;

/* enroll.progress: NOTICEs on the phases of long set-based work */
static bool enroll_progress = false;
static char progress_what[160];
static instr_time progress_start;

/*
 * Parse a finite timestamptz without throwing: check hooks must report
 * problems through their return value, not ereport(ERROR).
 */
static bool
ParseClockValue(const char *str, TimestampTz *result)
{
	char		workbuf[MAXDATELEN + MAXDATEFIELDS];
	char	   *field[MAXDATEFIELDS];
	int			ftype[MAXDATEFIELDS];
	int			nf;
	int			dtype;
	struct pg_tm tt,
			   *tm = &tt;
	fsec_t		fsec;
	int			tz;

	if (strlen(str) >= MAXDATELEN)
		return false;
	if (ParseDateTime(str, workbuf, sizeof(workbuf), field, ftype,
					  MAXDATEFIELDS, &nf) != 0)
		return false;
	/* words that stand for a moment other than the one written down */
	for (int i = 0; i < nf; i++)
	{
		static const char *const relative[] = {
			"now", "today", "tomorrow", "yesterday", "epoch",
			"infinity", "-infinity", "allballs"
		};

		for (size_t j = 0; j < lengthof(relative); j++)
			if (strcmp(field[i], relative[j]) == 0)
				return false;
	}
	if (DecodeDateTime(field, ftype, nf, &dtype, tm, &fsec, &tz) != 0)
		return false;
	if (dtype != DTK_DATE)
		return false;
	if (tm2timestamp(tm, fsec, &tz, result) != 0)
		return false;
	return IS_VALID_TIMESTAMP(*result);
}

/* check hook of enroll.clock: empty, or a finite timestamp with a date */
static bool
CheckEnrollClock(char **newval, void **extra, GucSource source)
{
	TimestampTz ts;
	TimestampTz *parsed;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;

	if (!ParseClockValue(*newval, &ts))
	{
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errmsg("invalid value for parameter \"enroll.clock\": \"%s\"", EnrollQuotable(*newval));
		GUC_check_errdetail("The value must be empty (real time) or a finite timestamp with time zone, such as \"2026-01-31 09:00:00+00\".");
		return false;
	}

	/* GUC extra must be malloc'd: the GUC machinery frees it with free() */
	parsed = (TimestampTz *) malloc(sizeof(TimestampTz));
	if (parsed == NULL)
		return false;
	*parsed = ts;
	*extra = parsed;
	return true;
}

/* assign hook of enroll.clock: keep the parsed instant for clock_now() */
static void
AssignEnrollClock(const char *newval, void *extra)
{
	if (extra == NULL)
	{
		enroll_clock_set = false;
		enroll_clock_value = 0;
	}
	else
	{
		enroll_clock_set = true;
		enroll_clock_value = *(TimestampTz *) extra;
	}
}

/* show hook: the canonical form of the instant, or empty */
static const char *
ShowEnrollClock(void)
{
	if (!enroll_clock_set)
		return "";
	return timestamptz_to_str(enroll_clock_value);
}

void
_PG_init(void)
{
	DefineCustomStringVariable("enroll.clock",
							   "Instant that pg_enroll's rules take as \"now\"; empty means transaction_timestamp().",
							   "Superuser only. Tests use it to travel in time.",
							   &enroll_clock_string,
							   "",
							   PGC_SUSET,
							   0,
							   CheckEnrollClock,
							   AssignEnrollClock,
							   ShowEnrollClock);
	DefineCustomBoolVariable("enroll.progress",
							 "Reports the phases of long work (a session setup, an order's cancellation) as NOTICEs.",
							 "Each phase is one set-based statement over every participant: the NOTICE names it, "
							 "how many rows it wrote and the time since the call began.",
							 &enroll_progress,
							 false,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	MarkGUCPrefixReserved("enroll");

	EnrollActorInit();
	EnrollEventInit();
}

/* The clock of every rule: the enroll.clock override, else transaction start. */
TimestampTz
EnrollClockNow(void)
{
	if (enroll_clock_set)
		return enroll_clock_value;
	return GetCurrentTransactionStartTimestamp();
}

/*
 * Progress of long work (enroll.progress): EnrollProgressBegin names the
 * call, EnrollProgress reports one finished phase with its row count.
 */
void
EnrollProgressBegin(const char *what)
{
	strlcpy(progress_what, what, sizeof(progress_what));
	INSTR_TIME_SET_CURRENT(progress_start);
}

void
EnrollProgress(const char *phase, int64 rows)
{
	instr_time	now;

	if (!enroll_progress || progress_what[0] == '\0')
		return;
	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, progress_start);
	ereport(NOTICE,
			(errmsg("%s: %s, " INT64_FORMAT " rows", progress_what, phase, rows),
			 errdetail("%.0f ms since the call began.", INSTR_TIME_GET_MILLISEC(now))));
}

PG_FUNCTION_INFO_V1(clock_now);
/* enroll.clock_now(): SQL face of EnrollClockNow() */
Datum
clock_now(PG_FUNCTION_ARGS)
{
	PG_RETURN_TIMESTAMPTZ(EnrollClockNow());
}

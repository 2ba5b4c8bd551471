/*-------------------------------------------------------------------------
 * pg_enroll.h
 *	  Private prototypes of pg_enroll, grouped by the file that defines them.
 *
 * SQL-callable functions are declared by PG_FUNCTION_INFO_V1 in their own
 * file; this header lists what one file offers the others.
 *-------------------------------------------------------------------------
 */
#ifndef PG_ENROLL_H
#define PG_ENROLL_H

#include "postgres.h"
#include "datatype/timestamp.h"
#include "utils/jsonb.h"

#include "executor/spi.h"

#include "errcodes.h"

/* a statement prepared once per backend and kept (see spi_util.c) */
typedef struct EnrollPlan
{
	const char *sql;
	int			nargs;
	Oid			argtypes[12];
	SPIPlanPtr	plan;
} EnrollPlan;

/* in module.c */
extern TimestampTz EnrollClockNow(void);

/* in actor.c */
extern void EnrollActorInit(void);
extern bool EnrollCurrentAccount(int64 *account);
extern int64 EnrollRequireAccount(void);
extern bool EnrollActorIsAdmin(void);
extern void EnrollRequireAdmin(const char *action);
extern Oid	EnrollOwnerId(void);

/* in spi_util.c */
extern SPIPlanPtr EnrollPrepare(EnrollPlan *plan);
extern uint64 EnrollExecute(EnrollPlan *plan, Datum *values, const char *nulls,
							bool read_only, long count, int expected);
extern Datum EnrollGetDatum(uint64 row, int col, bool *isnull);
extern uint64 EnrollExecuteLicenseInsert(EnrollPlan *plan, Datum *values, const char *nulls,
										 int expected, const char *what);

/* in email_glue.c */
extern char *EnrollQuotable(const char *value);

/* in jsonb_build.c */
extern void EnrollJsonKey(JsonbParseState **state, const char *key);
extern void EnrollJsonString(JsonbParseState **state, const char *key, const char *value);
extern void EnrollJsonInt(JsonbParseState **state, const char *key, int64 value, bool isnull);
extern void EnrollJsonBool(JsonbParseState **state, const char *key, bool value);
extern void EnrollJsonJsonb(JsonbParseState **state, const char *key, Datum value, bool isnull);

/* in event.c */
extern void EnrollLogEvent(const char *what, const char *table_name,
						   int64 row_id, Jsonb *details);
extern Jsonb *EnrollJsonbf(const char *fmt,...) pg_attribute_printf(1, 2);

#endif							/* PG_ENROLL_H */

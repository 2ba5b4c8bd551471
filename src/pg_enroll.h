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

#include "errcodes.h"

/* in module.c */
extern TimestampTz EnrollClockNow(void);

/* in actor.c */
extern void EnrollActorInit(void);
extern bool EnrollCurrentAccount(int64 *account);
extern int64 EnrollRequireAccount(void);
extern bool EnrollActorIsAdmin(void);
extern void EnrollRequireAdmin(const char *action);
extern Oid	EnrollOwnerId(void);

/* in event.c */
extern void EnrollLogEvent(const char *what, const char *table_name,
						   int64 row_id, Jsonb *details);

#endif							/* PG_ENROLL_H */

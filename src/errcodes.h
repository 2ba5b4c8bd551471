/*-------------------------------------------------------------------------
 * errcodes.h
 *	  Every SQLSTATE of pg_enroll's own, class PE.  This header is the only
 *	  definition; README.md lists the same codes with their meaning and
 *	  test/check_errcodes.sh fails when the two disagree.
 *
 * Malformed input uses PostgreSQL's standard codes (22023, 22P02, 23505 ...)
 * and authorization failures use 42501 (ERRCODE_INSUFFICIENT_PRIVILEGE).
 *-------------------------------------------------------------------------
 */
#ifndef PG_ENROLL_ERRCODES_H
#define PG_ENROLL_ERRCODES_H

#include "utils/elog.h"

/* PE001: the action needs a logged-in account and none is acting (S2.9) */
#define ERRCODE_ENROLL_NOT_LOGGED_IN			MAKE_SQLSTATE('P','E','0','0','1')
/* PE002: the offer is not active: upcoming or expired (S2.3, S2.5) */
#define ERRCODE_ENROLL_OFFER_NOT_ACTIVE			MAKE_SQLSTATE('P','E','0','0','2')
/* PE012: enroll.event is append-only: rows are never updated or deleted */
#define ERRCODE_ENROLL_EVENT_APPEND_ONLY		MAKE_SQLSTATE('P','E','0','1','2')
/* PE013: the account named does not exist */
#define ERRCODE_ENROLL_UNKNOWN_ACCOUNT			MAKE_SQLSTATE('P','E','0','1','3')

#endif							/* PG_ENROLL_ERRCODES_H */

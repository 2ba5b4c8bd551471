/*-------------------------------------------------------------------------
 * errcodes.h
 *	  Every SQLSTATE of pg_enroll's own, class PE.  This header is the only
 *	  definition; README.md lists the same codes with their meaning, and
 *	  test/t/000_errcodes.pl fails when the two disagree, when an SQL script
 *	  raises a code not defined here, or when a code here is raised nowhere.
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
/* PE003: the offer is not visible to the beneficiary, or the actor may not accept it for them (S2.6-S2.8) */
#define ERRCODE_ENROLL_OFFER_NOT_ACCEPTABLE		MAKE_SQLSTATE('P','E','0','0','3')
/* PE004: the beneficiary's profile level is below the offer's required level (S2.11) */
#define ERRCODE_ENROLL_PROFILE_LEVEL			MAKE_SQLSTATE('P','E','0','0','4')
/* PE005: the offer needs a registrar organization and none was named (S2.13, S2.17) */
#define ERRCODE_ENROLL_REGISTRAR_REQUIRED		MAKE_SQLSTATE('P','E','0','0','5')
/* PE006: the registrar organization named does not qualify (type, membership) (S2.17) */
#define ERRCODE_ENROLL_REGISTRAR_INVALID		MAKE_SQLSTATE('P','E','0','0','6')
/* PE007: the offer's extra condition was not accepted (S2.21, S2.22) */
#define ERRCODE_ENROLL_CONDITION_NOT_ACCEPTED	MAKE_SQLSTATE('P','E','0','0','7')
/* PE008: a change of an offer's validity window that S2.4 forbids */
#define ERRCODE_ENROLL_VALIDITY_CHANGE			MAKE_SQLSTATE('P','E','0','0','8')
/* PE009: profile data missing or invalid for the requested level (S2.12) */
#define ERRCODE_ENROLL_PROFILE_DATA				MAKE_SQLSTATE('P','E','0','0','9')
/* PE010: the offer is for the other kind of holder (person vs organization) (S2.7, S2.8) */
#define ERRCODE_ENROLL_HOLDER_KIND				MAKE_SQLSTATE('P','E','0','1','0')
/* PE011: the license has ended (superseded or revoked) and cannot be changed */
#define ERRCODE_ENROLL_LICENSE_ENDED			MAKE_SQLSTATE('P','E','0','1','1')
/* PE012: enroll.event is append-only: rows are never updated or deleted */
#define ERRCODE_ENROLL_EVENT_APPEND_ONLY		MAKE_SQLSTATE('P','E','0','1','2')
/* PE013: the account named does not exist */
#define ERRCODE_ENROLL_UNKNOWN_ACCOUNT			MAKE_SQLSTATE('P','E','0','1','3')

/* PE014: the account is not a current member of the organization */
#define ERRCODE_ENROLL_NOT_A_MEMBER				MAKE_SQLSTATE('P','E','0','1','4')
/* PE015: the offer named does not exist */
#define ERRCODE_ENROLL_UNKNOWN_OFFER			MAKE_SQLSTATE('P','E','0','1','5')
/* PE016: the organization named does not exist */
#define ERRCODE_ENROLL_UNKNOWN_ORGANIZATION		MAKE_SQLSTATE('P','E','0','1','6')
/* PE017: every seat of the organization license is allocated */
#define ERRCODE_ENROLL_NO_SEAT_LEFT				MAKE_SQLSTATE('P','E','0','1','7')
/* PE018: the license needs no documents (its offer has no documents grace) (S2.18) */
#define ERRCODE_ENROLL_NO_DOCUMENTS_NEEDED		MAKE_SQLSTATE('P','E','0','1','8')
/* PE019: the license named does not exist */
#define ERRCODE_ENROLL_UNKNOWN_LICENSE			MAKE_SQLSTATE('P','E','0','1','9')
/* PE020: the operator's order reference is already used with another offer or seat count (S1.4) */
#define ERRCODE_ENROLL_ORDER_CONFLICT			MAKE_SQLSTATE('P','E','0','2','0')
/* PE021: the purchase order has too few seats for the participants (S1.3) */
#define ERRCODE_ENROLL_ORDER_NO_SEAT_LEFT		MAKE_SQLSTATE('P','E','0','2','1')
/* PE022: the organization admits members by approval: only its administrators add them (S2.13) */
#define ERRCODE_ENROLL_JOIN_BY_APPROVAL			MAKE_SQLSTATE('P','E','0','2','2')
/* PE023: the offer has no place left (max_acceptances reached) */
#define ERRCODE_ENROLL_OFFER_FULL				MAKE_SQLSTATE('P','E','0','2','3')
/* PE024: a renewal has fewer seats than the live seats it would carry over */
#define ERRCODE_ENROLL_RENEWAL_TOO_FEW_SEATS	MAKE_SQLSTATE('P','E','0','2','4')
/* PE025: the account has been erased: nobody acts as or for it any more */
#define ERRCODE_ENROLL_ACCOUNT_ERASED			MAKE_SQLSTATE('P','E','0','2','5')
/* PE026: the purchase order has been cancelled */
#define ERRCODE_ENROLL_ORDER_CANCELLED			MAKE_SQLSTATE('P','E','0','2','6')
/* PE027: the purchase order named does not exist (for this operator) */
#define ERRCODE_ENROLL_UNKNOWN_ORDER			MAKE_SQLSTATE('P','E','0','2','7')

#endif							/* PG_ENROLL_ERRCODES_H */

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
#include "utils/resowner.h"

#include "executor/spi.h"

#include "email.h"
#include "errcodes.h"

/* the whitespace set of enroll.is_blank: space, tab, CR, LF, FF, VT */
#define ENROLL_WHITESPACE " \t\r\n\f\v"

/* longest order reference (purchase orders, groups, licenses) in bytes */
#define ENROLL_ORDER_REF_MAX 200

/* a statement prepared once per backend and kept (see spi_util.c) */
typedef struct EnrollPlan
{
	const char *sql;
	int			nargs;
	Oid			argtypes[12];
	SPIPlanPtr	plan;
} EnrollPlan;

/* an internal subtransaction in progress (see spi_util.c) */
typedef struct EnrollSubxact
{
	MemoryContext cxt;
	ResourceOwner owner;
} EnrollSubxact;

/* OIDs and attribute numbers of the extension's objects (see catalog.c) */
typedef struct EnrollCatalog
{
	bool		valid;
	Oid			owner;			/* owner of the tables */
	Oid			account;
	Oid			license;
	Oid			license_pkey;
	Oid			license_current;	/* (account_id, course_id) WHERE current */
	Oid			license_account;	/* (account_id) */
	Oid			membership;
	Oid			membership_current; /* (account_id, organization_id) WHERE current */
	Oid			reason_revoked; /* enum value 'revoked' of license_end_reason */
	AttrNumber	l_id;
	AttrNumber	l_account_id;
	AttrNumber	l_course_id;
	AttrNumber	l_access_from;
	AttrNumber	l_access_until;
	AttrNumber	l_documents_due_at;
	AttrNumber	l_documents_validated_at;
	AttrNumber	l_registrar_org_id;
	AttrNumber	l_parent_license;
	AttrNumber	l_ended_at;
	AttrNumber	l_end_reason;
	AttrNumber	m_account_id;
	AttrNumber	m_organization_id;
	AttrNumber	m_left_at;
} EnrollCatalog;

/* what an offer's handler_params say (S1.9-S1.11, see session_params.c) */
typedef struct SessionParams
{
	char	   *coursename;
	char	   *supervisor;
	char	   *customersupport;	/* NULL when absent or empty */
	bool		has_start;
	bool		has_end;
	TimestampTz starttime;
	TimestampTz endtime;
} SessionParams;

/* the arguments of a setup_course_session call */
typedef struct SessionRequest
{
	char	   *order_ref;
	int64		offer;
	int64		operator;
	int32		seats;
	Jsonb	   *participants;
	bool		dry_run;
} SessionRequest;

/* one participant of a session setup (see participants.c, session.c) */
typedef struct Participant
{
	char	   *email;			/* normalized */
	char	   *stored_email;	/* the account's address as stored */
	char	   *key;			/* uniqueness key (enroll.email_key) */
	char	   *firstname;
	char	   *lastname;
	bool		tutor;
	int64		account;		/* filled once the account is found/created */
	bool		created;
	bool		is_new;			/* not yet in the order's group */
	int64		license;
} Participant;

/* in module.c */
extern TimestampTz EnrollClockNow(void);

/* in catalog.c */
extern const EnrollCatalog *EnrollGetCatalog(void);
extern Oid	EnrollOwnerId(void);

/* in actor.c */
extern void EnrollActorInit(void);
extern bool EnrollCurrentAccount(int64 *account);
extern int64 EnrollRequireAccount(void);
extern bool EnrollActorIsAdmin(void);
extern void EnrollRequireAdmin(const char *action);

/* in spi_util.c */
extern SPIPlanPtr EnrollPrepare(EnrollPlan *plan);
extern uint64 EnrollExecute(EnrollPlan *plan, Datum *values, const char *nulls,
							bool read_only, long count, int expected);
extern Datum EnrollGetDatum(uint64 row, int col, bool *isnull);
extern int64 EnrollGetInt64(uint64 row, int col);
extern int32 EnrollGetInt32(uint64 row, int col);
extern bool EnrollGetBool(uint64 row, int col);
extern TimestampTz EnrollGetTimestamp(uint64 row, int col, bool *isnull);
extern char *EnrollGetText(uint64 row, int col);
extern int64 *EnrollGetIds(int *n);
extern void EnrollRunAsOwner(void (*fn) (void *arg), void *arg);
extern void EnrollSubxactBegin(EnrollSubxact *sx);
extern void EnrollSubxactCommit(EnrollSubxact *sx);
extern void EnrollSubxactRollback(EnrollSubxact *sx);
extern ErrorData *EnrollSubxactCatch(EnrollSubxact *sx);
extern bool EnrollIsBlank(const char *s);
extern Datum EnrollInt8Array(const int64 *values, int n);
extern Datum EnrollTextArray(char *const *values, int n);

/* in email_glue.c */
extern char *EnrollQuotable(const char *value);
extern EmailError EnrollCanonicalEmail(const char *in, size_t len, char *out,
									   size_t outcap, size_t *outlen);

/* in jsonb_build.c */
extern void EnrollJsonKey(JsonbParseState **state, const char *key);
extern void EnrollJsonString(JsonbParseState **state, const char *key, const char *value);
extern void EnrollJsonInt(JsonbParseState **state, const char *key, int64 value, bool isnull);
extern void EnrollJsonBool(JsonbParseState **state, const char *key, bool value);
extern void EnrollJsonJsonb(JsonbParseState **state, const char *key, Datum value, bool isnull);

/* in event.c */
extern void EnrollLogEvent(const char *what, const char *table_name,
						   int64 row_id, Jsonb *details);
extern void EnrollLogEvents(TimestampTz at, int64 actor, const char *what,
							const char *table_name, const int64 *ids, int n,
							Jsonb *details);
extern Jsonb *EnrollJsonbf(const char *fmt,...) pg_attribute_printf(1, 2);

/* in offers.c */
extern const char *EnrollOfferState(TimestampTz valid_from, TimestampTz valid_until,
									TimestampTz now);
extern void EnrollRequireOfferActive(const char *code, TimestampTz valid_from,
									 TimestampTz valid_until, TimestampTz now);

/* in orders.c */
extern void EnrollCheckOrderRef(const char *order_ref);

/* in session_params.c */
extern void EnrollParseHandlerParams(const char *code, const char *text, SessionParams *sp);
extern void EnrollParseSessionCall(const char *params, SessionRequest *req);

/* in participants.c */
extern Participant *EnrollReadParticipants(Jsonb *list, int *count);

/* in licenses.c */
extern void EnrollNextLicenseIds(int64 *ids, int n);
extern int64 EnrollSupersede(int64 course, int64 account, int64 organization,
							 int64 successor, TimestampTz now);
extern int64 *EnrollSupersedeMany(int64 course, const int64 *accounts,
								  const int64 *successors, int n,
								  TimestampTz now, int *nended);
extern uint64 EnrollExecuteLicenseInsert(EnrollPlan *plan, Datum *values,
										 const char *nulls, int expected,
										 const char *what);

#endif							/* PG_ENROLL_H */

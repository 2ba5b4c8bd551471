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
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"
#include "utils/relcache.h"
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
	Oid			argtypes[20];
	SPIPlanPtr	plan;
	int			cursor_options; /* e.g. CURSOR_OPT_GENERIC_PLAN; 0: the plan cache decides */
} EnrollPlan;

/*
 * Statements whose parameters are arrays of holders: the plan cache would
 * re-plan them at every call (a custom plan for one element always looks
 * cheaper than the generic plan's estimate of ten), and for ten thousand
 * elements a custom plan may hash a whole table where index probes are
 * linear.  Their generic plan is the right one for any size.
 */
#define ENROLL_GENERIC CURSOR_OPT_GENERIC_PLAN

/* an internal subtransaction in progress (see spi_util.c) */
typedef struct EnrollSubxact
{
	MemoryContext cxt;
	ResourceOwner owner;
} EnrollSubxact;

/* a container being written by EnrollJsonbWriter (see jsonb_build.c) */
typedef struct EnrollJsonbLevel
{
	int			base;			/* buffer offset where it starts, before padding */
	int			jentries;		/* buffer offset of its JEntry array */
	int			count;			/* its elements or members, as declared */
	int			next;			/* values written so far */
	int			totallen;		/* bytes of its children's data so far */
	const char *const *keys;	/* an object's keys, in jsonb order; NULL: array */
} EnrollJsonbLevel;

#define ENROLL_JW_DEPTH 8

/* a jsonb value written directly in its binary form (see jsonb_build.c) */
typedef struct EnrollJsonbWriter
{
	StringInfoData buf;			/* varlena header, then the root container */
	int			start;			/* offset of the current value (EnrollJwNext) */
	int			depth;			/* open containers */
	bool		done;			/* the root container has ended */
	EnrollJsonbLevel level[ENROLL_JW_DEPTH];
} EnrollJsonbWriter;

/* OIDs and attribute numbers of the extension's objects (see catalog.c) */
typedef struct EnrollCatalog
{
	bool		valid;
	Oid			owner;			/* owner of the tables */
	Oid			account;
	Oid			account_pkey;	/* (id) */
	Oid			offer;
	Oid			offer_pkey;		/* (id) */
	Oid			offer_registrar_type;
	Oid			offer_registrar_type_pkey;	/* (offer_id, organization_type_id) */
	Oid			license;
	Oid			license_pkey;
	Oid			license_id_seq;	/* the license ids */
	Oid			license_current;	/* (account_id, course_id) WHERE current */
	Oid			license_account;	/* (account_id) */
	Oid			membership;
	Oid			license_superseded_by;	/* (superseded_by) */
	Oid			membership_current; /* (account_id, organization_id) WHERE current */
	Oid			enrollment;
	Oid			enrollment_course_account;	/* (course_id, account_id) */
	Oid			enrollment_license;	/* (license_id) WHERE NOT NULL */
	Oid			enrollment_via_license; /* (via_license) WHERE NOT NULL */
	Oid			reason_revoked; /* values of license_end_reason */
	Oid			reason_superseded;
	Oid			reason_released;
	Oid			role_app;		/* enroll_app, InvalidOid when missing */
	Oid			role_admin;		/* enroll_admin */
	AttrNumber	a_erased_at;
	AttrNumber	o_max_acceptances;
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
	AttrNumber	l_superseded_by;
	AttrNumber	e_course_id;
	AttrNumber	e_account_id;
	AttrNumber	e_via_license;
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
	bool		participants_copy;	/* detoasted for the call: may be freed once read */
	bool		dry_run;
	bool		accept_condition;
} SessionRequest;

/* the most participants one setup_course_session call takes */
#define ENROLL_MAX_PARTICIPANTS 100000

/*
 * one participant of a session setup (see participants.c, session.c); the
 * strings are read-only and may be shared (email is given_email when they
 * are equal, and so on).  Fields ordered for size: a setup holds 100,000.
 */
typedef struct Participant
{
	char	   *given_email;	/* as the operator gave it */
	char	   *email;			/* canonical form */
	char	   *stored_email;	/* the account's address as stored */
	char	   *key;			/* uniqueness key (enroll.email_key) */
	char	   *firstname;		/* "" when not given */
	char	   *lastname;
	int64		account;		/* filled once the account is found/created */
	int64		license;		/* the order's license, or the one kept */
	int			index;			/* 1-based position in the list */
	int			outcome;		/* GrantOutcome */
	bool		tutor;
	bool		created;		/* the account was created by this call */
	bool		is_new;			/* not yet in the order's group */
	bool		removed;		/* taken out of the order earlier */
} Participant;

/*
 * What a dry run reports instead of raising: a participant that cannot be
 * set up (index from 1, SQLSTATE 22023), or the order as a whole (index 0,
 * e.g. too few seats, PE021).  The array has room for one order-level
 * problem after the participants'.
 */
typedef struct ParticipantProblem
{
	int			index;
	char	   *email;			/* as given (quotable), NULL when none */
	char	   *problem;
	const char *sqlstate;		/* what the real run raises */
} ParticipantProblem;

/* what a new license does to the holder's current one (see licenses.c) */
typedef enum GrantOutcome
{
	GRANT_GRANTED,				/* there was none */
	GRANT_REPLACED,				/* it ended now */
	GRANT_FOLLOWS,				/* it gives access until the new one starts */
	GRANT_KEPT					/* it gives at least as much: no new license */
} GrantOutcome;

/* the holder's current license, as the consent rule reads it */
typedef struct CurrentLicense
{
	int64		id;				/* 0: none */
	int64		holder;			/* account or organization */
	TimestampTz access_until;
	bool		withdrawn_seat; /* a seat whose organization license is over */
	int64		registrar;		/* 0: none */
	bool		documents_unmet;	/* due and not validated */
	TimestampTz documents_due;
} CurrentLicense;

/* a license ended early (EnrollEndLicenses) */
typedef struct EndedLicense
{
	int64		id;
	int64		holder;			/* the account (0: an organization) */
	int64		restored;		/* the predecessor given back, 0: none */
} EndedLicense;

/* in module.c */
extern TimestampTz EnrollClockNow(void);
extern void EnrollErasedAccountError(int64 account) pg_attribute_noreturn();
extern void EnrollProgressBegin(const char *what);
extern void EnrollProgress(const char *phase, int64 rows);

/* in catalog.c */
extern const EnrollCatalog *EnrollGetCatalog(void);
extern Oid	EnrollOwnerId(void);
extern void EnrollRequireSchema(void);
extern bool EnrollSchemaIsCurrent(void);

/* in actor.c */
extern void EnrollActorInit(void);
extern bool EnrollCurrentAccount(int64 *account);
extern int64 EnrollRequireAccount(void);
extern int64 EnrollActorOrZero(void);
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
extern char *EnrollSha256Hex(const char *data);
extern Datum EnrollInt8Array(const int64 *values, int n);
extern Datum EnrollTextArrayOf(int n, const char *(*get) (const void *arg, int i), const void *arg);
extern Datum EnrollTimestampArray(const TimestampTz *values, int n);
extern Datum EnrollTimestampArrayNulls(const TimestampTz *values, const bool *nulls, int n);
extern Datum EnrollBoolArray(const bool *values, int n);
extern struct HTAB *EnrollInt64Index(const int64 *values, int n);
extern int	EnrollInt64IndexFind(struct HTAB *index, int64 value);

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
extern char *EnrollJsonQuote(const char *value);
extern void EnrollJwInit(EnrollJsonbWriter *w, Size size);
extern void EnrollJwReset(EnrollJsonbWriter *w);
extern void EnrollJwNext(EnrollJsonbWriter *w);
extern void EnrollJwBeginArray(EnrollJsonbWriter *w, const char *key, int n);
extern void EnrollJwBeginObject(EnrollJsonbWriter *w, const char *key,
								const char *const *keys, int n);
extern void EnrollJwEnd(EnrollJsonbWriter *w);
extern void EnrollJwString(EnrollJsonbWriter *w, const char *key, const char *value);
extern void EnrollJwInt(EnrollJsonbWriter *w, const char *key, int64 value);
extern void EnrollJwBool(EnrollJsonbWriter *w, const char *key, bool value);
extern void EnrollJwValue(EnrollJsonbWriter *w, const char *key, const JsonbValue *v);
extern Jsonb *EnrollJwFinish(EnrollJsonbWriter *w);
extern Jsonb *EnrollJsonbConcat(const Jsonb *a, const Jsonb *b);

/* in event.c */
extern void EnrollEventInit(void);
extern void EnrollLogEvent(const char *what, const char *table_name,
						   int64 row_id, Jsonb *details);
extern void EnrollLogEventAbout(const char *what, const char *table_name,
								int64 row_id, int64 subject_account, Jsonb *details);
extern void EnrollLogEventsAbout(TimestampTz at, int64 actor, const char *what,
								 const char *table_name, const int64 *ids,
								 const int64 *subjects, const Jsonb *const *details,
								 int n);
extern void EnrollLogEvents(TimestampTz at, int64 actor, const char *what,
							const char *table_name, const int64 *ids, int n,
							Jsonb *details);
extern Jsonb *EnrollJsonbf(const char *fmt,...) pg_attribute_printf(1, 2);
/* enroll.event's columns, in the order the digest takes them */
typedef enum EnrollEventColumn
{
	EV_ID, EV_AT, EV_LOGGED_AT, EV_ACCOUNT_ID, EV_DB_ROLE, EV_WHAT, EV_TABLE_NAME,
	EV_ROW_ID, EV_DETAILS, EV_XID, EV_SUBJECT_ACCOUNT, EV_DIGEST, EV_COUNT
} EnrollEventColumn;
extern const int *EnrollEventAttnos(Relation rel);
extern Datum EnrollEventRoleDatum(Relation rel, Datum role);
extern Datum EnrollEventDigest(Relation rel, const Datum *values, const bool *nulls);
extern void EnrollEventAnnounce(int64 id, const char *what, const char *table,
								bool row_null, int64 row);

/* in event_write.c: n events of one kind, row ids[i] (0: none) */
typedef struct EnrollEventRows
{
	TimestampTz at;				/* the rule clock */
	int64		actor;			/* acting account, 0: none */
	Datum		db_role;		/* a name: the outer session role (event_write.c
								 * stores it as the column's type) */
	const char *what;
	const char *table_name;		/* NULL: none */
	const int64 *ids;
	const int64 *subjects;		/* about subjects[i] (0: nobody); NULL: about nobody */
	const Jsonb *common;		/* the details of every event, when each is NULL */
	const Jsonb *const *each;	/* the details of event i (a NULL pointer: none) */
	int			n;
} EnrollEventRows;
extern bool EnrollWriteEvents(const EnrollEventRows *rows);

/* in acceptance_cap.c */
extern void EnrollTakePlaces(int64 offer, const char *code, int32 cap, int needed, bool for_order);
extern void EnrollReturnPlaces(int64 offer, int32 cap, int n);

/* in offers.c */
extern int	EnrollOfferAttnum(TupleDesc tupdesc, const char *colname);
extern char *EnrollOfferCode(HeapTuple tuple, TupleDesc tupdesc);
extern const char *EnrollOfferState(TimestampTz valid_from, TimestampTz valid_until,
									TimestampTz now);
extern void EnrollRequireOfferActive(const char *code, TimestampTz valid_from,
									 TimestampTz valid_until, TimestampTz now);
extern bool EnrollOfferAddressedTo(int64 offer, int64 account);

/* in orders.c */
extern void EnrollCheckOrderRef(const char *order_ref);

/* in session_params.c */
extern void EnrollParseHandlerParams(const char *code, const char *text, SessionParams *sp);
extern void EnrollParseSessionCall(const char *params, SessionRequest *req);

/* in participants.c */
extern Participant *EnrollReadParticipants(Jsonb *list, int *count,
										   ParticipantProblem **problems, int *nproblems);

/* in seats.c */
extern void EnrollCarrySeats(int64 old_license, int64 new_license, TimestampTz now);

/* in probe.c */
extern Snapshot EnrollBeginStatementProbe(void);
extern void EnrollEndStatementProbe(void);
extern HeapTuple EnrollIndexFetch(Relation rel, Oid indexoid, int64 key, Snapshot snapshot);
extern bool EnrollIndexHasKey(Relation rel, Oid indexoid, int64 key, Snapshot snapshot);

/* in licenses.c */
extern void EnrollNextLicenseIds(int64 *ids, int n);
extern void EnrollLicenseWindow(const char *code, const SessionParams *sp, Datum access_period,
								Datum grace, bool grace_null, TimestampTz now,
								TimestampTz *from, TimestampTz *until, TimestampTz *documents_due);
extern GrantOutcome EnrollGrantDecide(const CurrentLicense *cur, TimestampTz from,
									  TimestampTz until, bool own, TimestampTz now,
									  TimestampTz *handover);
extern const char *EnrollGrantOutcomeName(GrantOutcome outcome);
extern TimestampTz EnrollDocumentsDue(const CurrentLicense *cur, int64 registrar, TimestampTz due);
extern void EnrollReadCurrent(int64 course, const int64 *accounts, int n, int64 organization,
							  TimestampTz now, bool lock, CurrentLicense *cur);
extern void EnrollSupersedeList(const int64 *old_ids, const TimestampTz *handovers,
								const int64 *successors, const TimestampTz *new_from,
								const TimestampTz *new_until, int n);
extern void EnrollRelinkEnrollments(int64 old, int64 successor);
extern GrantOutcome EnrollGrantOne(int64 course, int64 account, int64 organization,
								   TimestampTz from, TimestampTz until, bool own,
								   int64 successor, TimestampTz now, CurrentLicense *cur);
extern int	EnrollEndLicenses(const int64 *ids, int n, const char *reason, const char *note,
							  TimestampTz now, bool log, EndedLicense *ended);
extern bool EnrollEndLicense(int64 id, const char *reason, const char *note,
							 TimestampTz now, bool log, int64 *restored);
extern Datum EnrollLicenseRow(int64 id);
extern void EnrollCheckReason(char **reason);
extern Datum EnrollGrantResult(FunctionCallInfo fcinfo, int64 id, GrantOutcome outcome);
extern Datum EnrollGrantResultFromRow(FunctionCallInfo fcinfo, HeapTuple row, TupleDesc rowdesc,
									  GrantOutcome outcome);
extern Datum EnrollGrantResultRedacted(FunctionCallInfo fcinfo, int64 id, GrantOutcome outcome,
										bool redacted);
extern uint64 EnrollExecuteLicenseInsert(EnrollPlan *plan, Datum *values,
										 const char *nulls, int expected,
										 const char *what);

#endif							/* PG_ENROLL_H */

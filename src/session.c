/*-------------------------------------------------------------------------
 * session.c
 *	  enroll.setup_course_session(): one call sets up a whole training
 *	  session bought by an operator (S1): accounts, the order's group,
 *	  enrollments, licenses and the cross delegated roles, all or nothing.
 *
 * The work is split in two:
 *	 - C validates and normalizes everything first (the offer's parameters
 *	   in session_params.c, the participants in participants.c), so that a
 *	   bad participant is reported with its index and address before
 *	   anything is written (a dry run reports every bad participant);
 *	 - then a fixed number of set-based statements, each taking arrays, write
 *	   the rows: the cost is linear in the participants and no statement
 *	   re-scans the list.  Each statement obeys statement_timeout.
 * SetupSession runs the steps in order; each step is a function below.
 *
 * The participants' licenses follow the consent rule of licenses.c: the
 * operator acts on someone else's behalf, so a participant whose own
 * license gives more keeps it ("kept": no new license), and a session that
 * starts later does not cut the access a participant has until it starts
 * ("follows").  The session's starttime/endtime are the access window
 * (S1.10); the support course (S1.7) is reached through the participant's
 * session license (enrollment.via_license).
 *
 * Order references are unique per operator: the order is claimed by
 * (operator, order_ref), its group keyed on the order's id, and nothing an
 * operator does can take, block or reveal another operator's reference.
 *
 * Locks, in the order every writer uses (offer, holder, membership,
 * license), taken as late as the work allows and no more than needed:
 *	 1. the offer FOR SHARE (FOR NO KEY UPDATE when it has an acceptance
 *		cap): an order racing the offer's closing;
 *	 2. the purchase order row (operator, reference): a second call with the
 *		same order waits, then finds the work done;
 *	 3. new accounts, through the unique e-mail index in key order (two
 *		orders naming one unknown address create one account, no deadlock);
 *	 4. only the accounts of the participants who get a new license, FOR NO
 *		KEY UPDATE in id order; then the current licenses of all new
 *		participants FOR UPDATE in account order (a kept license too: the
 *		enrollment's foreign key would take a key-share lock on it anyway).
 *		A participant's own acceptance of another course, and every access
 *		check, never wait for the order; participants already set up or
 *		taken out of the order are not locked;
 *	 5. every row written for the participants (enrollments, group members,
 *		cross roles, support enrollments) in account id order, so that two
 *		orders naming the same unlocked (kept) people meet on the unique
 *		keys in one order and wait, never deadlock (test/t/013_load.pl).
 * Row locks last until the transaction ends: an application commits the
 * setup at once.
 *
 * dry_run runs everything inside a subtransaction that is rolled back, so
 * the report is the real one and no row is left behind.
 *
 * Memory (100,000 participants, an 11 MB list): what lives through the
 * call is the participants (about 130 bytes each, participants.c) and the
 * report (written straight into its binary form, about 200 bytes each,
 * in the caller's memory: never copied).  Each writing step runs in a
 * nested SPI connection that frees what the step allocated when it ends
 * (StepBegin/StepEnd); long results are read through cursors; statements
 * on arrays and on the report have generic plans (a custom plan copies
 * each argument into the plan) and unnest in their target list (ROWS FROM
 * stores each array in a tuplestore).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "access/toast_internals.h"
#include "catalog/namespace.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"

/* everything a setup learns and decides, step by step */
typedef struct Session
{
	SessionRequest *req;
	MemoryContext cxt;			/* what outlives a step (see StepBegin) */
	int64		actor;
	bool		actor_is_admin;
	TimestampTz now;
	/* the offer (ReadOffer) */
	char	   *code;
	int64		course_id;
	char	   *course_shortname;
	TimestampTz valid_from;
	TimestampTz valid_until;
	int32		max_acceptances;	/* 0: no cap */
	SessionParams sp;
	Datum		access_period;
	Datum		grace;
	bool		grace_null;
	TimestampTz access_from;	/* the participants' access window */
	TimestampTz access_until;
	TimestampTz documents_due;	/* 0: no documents */
	/* roles and support course (ResolveRoles) */
	int64		student_role;
	int64		tutor_role;
	int64		manager_role;
	int64		user_role;
	int64		support_course; /* 0 when none */
	char	   *warning;		/* NULL when none */
	/* the participants (EnrollReadParticipants, ResolveAccounts, SplitNew) */
	Participant *parts;
	int			n;
	ParticipantProblem *problems;
	int			nproblems;
	int			nnew;
	int			nexisting;		/* live participants set up earlier */
	int			nremoved;		/* named again, taken out earlier */
	/* the order and its group (ClaimOrder, FindGroup) */
	Jsonb	   *request_json;
	int64		order_id;
	int64		group_id;
	bool		group_created;
	/* what was written */
	int			nsuper;
	int			nkept;
	int			nroles;
	int			nsupport;
} Session;

/* ------------------------------------------------------------------------
 * Prepared statements
 * ------------------------------------------------------------------------
 */
static EnrollPlan plan_offer_capped = {
	"SELECT o.max_acceptances IS NOT NULL FROM enroll.offer o WHERE o.id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

#define OFFER_COLUMNS \
	"SELECT o.code, o.course_id, c.shortname, o.valid_from, o.valid_until," \
	"       o.recipient_kind OPERATOR(pg_catalog.=) 'person', o.handler_params," \
	"       EXISTS (SELECT FROM enroll.offer_registrar_type t" \
	"                WHERE t.offer_id OPERATOR(pg_catalog.=) o.id)," \
	"       o.visibility OPERATOR(pg_catalog.=) 'public' OR EXISTS (" \
	"           SELECT FROM enroll.offer_recipient r WHERE r.offer_id OPERATOR(pg_catalog.=) o.id" \
	"              AND r.account_id OPERATOR(pg_catalog.=) $2)," \
	"       o.extra_condition, o.access_period, o.documents_grace, o.max_acceptances" \
	"  FROM enroll.offer o JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) o.course_id" \
	" WHERE o.id OPERATOR(pg_catalog.=) $1"
static EnrollPlan plan_offer_share = {OFFER_COLUMNS " FOR SHARE OF o", 2, {INT8OID, INT8OID}};
static EnrollPlan plan_offer_update = {OFFER_COLUMNS " FOR NO KEY UPDATE OF o", 2, {INT8OID, INT8OID}};

static EnrollPlan plan_operator = {
	"SELECT a.profile_level OPERATOR(pg_catalog.>=) o.required_level, a.profile_level::text,"
	"       a.erased_at IS NOT NULL"
	"  FROM enroll.account a, enroll.offer o"
	" WHERE a.id OPERATOR(pg_catalog.=) $1 AND o.id OPERATOR(pg_catalog.=) $2",
	2, {INT8OID, INT8OID}
};

static EnrollPlan plan_role = {
	"SELECT id FROM enroll.role WHERE shortname OPERATOR(pg_catalog.=) $1",
	1, {TEXTOID}
};

static EnrollPlan plan_course = {
	"SELECT id FROM enroll.course WHERE shortname OPERATOR(pg_catalog.=) $1",
	1, {TEXTOID}
};

/* the operator's order with this reference, locked */
static EnrollPlan plan_order_lock = {
	"SELECT id, offer_id, seats, report, status::text FROM enroll.purchase_order"
	" WHERE operator_id OPERATOR(pg_catalog.=) $2 AND order_ref OPERATOR(pg_catalog.=) $1 FOR UPDATE",
	2, {TEXTOID, INT8OID}
};

static EnrollPlan plan_order_insert = {
	"INSERT INTO enroll.purchase_order (order_ref, operator_id, offer_id, seats, request, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $6)"
	" ON CONFLICT (operator_id, order_ref) DO NOTHING",
	6, {TEXTOID, INT8OID, INT8OID, INT4OID, JSONBOID, TIMESTAMPTZOID}
};

/*
 * Generic, as every statement below that takes the participants' arrays or
 * the report (ENROLL_GENERIC): a custom plan folds each argument into the
 * plan as a constant, one more copy of it (the report of 100,000
 * participants is 20 MB), and is made again at every call.
 */
static EnrollPlan plan_order_update = {
	"UPDATE enroll.purchase_order SET request = $2, report = $3, updated_at = $4"
	" WHERE id OPERATOR(pg_catalog.=) $1",
	4, {INT8OID, JSONBOID, JSONBOID, TIMESTAMPTZOID}, NULL, ENROLL_GENERIC
};

static EnrollPlan plan_group = {
	"WITH ins AS (INSERT INTO enroll.course_group (course_id, idnumber, name, created_at, order_id)"
	"             VALUES ($1, $2, $3, $4, $5)"
	"             ON CONFLICT (order_id) DO NOTHING RETURNING id)"
	"SELECT id, true FROM ins"
	" UNION ALL "
	"SELECT g.id, false FROM enroll.course_group g WHERE g.order_id OPERATOR(pg_catalog.=) $5",
	5, {INT8OID, TEXTOID, TEXTOID, TIMESTAMPTZOID, INT8OID}
};

/* the participants of earlier calls: live, or taken out of the order */
static EnrollPlan plan_group_members = {
	"SELECT account_id, removed_at IS NOT NULL FROM enroll.group_member"
	" WHERE group_id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

/* S1.5: accounts only for unknown addresses, in key order (no deadlock) */
static EnrollPlan plan_accounts_insert = {
	"INSERT INTO enroll.account (email, firstname, lastname, created_at)"
	" SELECT p.email, p.firstname, p.lastname, $5"
	"   FROM (SELECT pg_catalog.unnest($1::text[]) AS email, pg_catalog.unnest($2::text[]) AS firstname,"
	"                pg_catalog.unnest($3::text[]) AS lastname, pg_catalog.unnest($4::text[]) AS key) AS p"
	"  ORDER BY p.key"
	" ON CONFLICT ((enroll.email_key(email))) DO NOTHING"
	" RETURNING id",
	5, {TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPTZOID}, NULL, ENROLL_GENERIC
};

/*
 * One probe of account_email_key per participant (LIMIT 1 keeps the
 * subquery a nested loop): a join may hash the whole table instead, about
 * 0.6 s for 10,000 participants among 10^6 accounts (scripts/bench).
 */
static EnrollPlan plan_accounts_find = {
	"SELECT k.ord, a.id, a.email FROM pg_catalog.unnest($1::text[]) WITH ORDINALITY AS k(key, ord)"
	" CROSS JOIN LATERAL (SELECT a.id, a.email FROM enroll.account a"
	"                      WHERE enroll.email_key(a.email) OPERATOR(pg_catalog.=) k.key LIMIT 1) a",
	1, {TEXTARRAYOID}, NULL, ENROLL_GENERIC
};

static EnrollPlan plan_accounts_lock = {
	"SELECT id FROM enroll.account WHERE id OPERATOR(pg_catalog.=) ANY ($1)"
	" ORDER BY id FOR NO KEY UPDATE",
	1, {INT8ARRAYOID}, NULL, ENROLL_GENERIC
};

/* the kept licenses' windows, for the participants' enrollments */
static EnrollPlan plan_license_windows = {
	"SELECT l.id, l.access_from, l.access_until FROM enroll.license l"
	" WHERE l.id OPERATOR(pg_catalog.=) ANY ($1)",
	1, {INT8ARRAYOID}, NULL, ENROLL_GENERIC
};

static EnrollPlan plan_licenses_insert = {
	"INSERT INTO enroll.license (id, offer_id, course_id, holder_kind, account_id,"
	"   accepted_by, accepted_via, accepted_at, accepted_condition, price_paid, currency,"
	"   access_from, access_until, documents_due_at, order_ref, order_id)"
	" SELECT n.new_id, o.id, o.course_id, 'person'::enroll.holder_kind, n.account_id, $3, 'operator'::enroll.acceptance_mode, $4,"
	"        o.extra_condition, o.price, o.currency, $7, $8, n.due, $5, $9"
	"   FROM (SELECT pg_catalog.unnest($1::bigint[]) AS account_id, pg_catalog.unnest($2::bigint[]) AS new_id,"
	"                pg_catalog.unnest($10::timestamptz[]) AS due) AS n,"
	"        enroll.offer o WHERE o.id OPERATOR(pg_catalog.=) $6",
	10, {INT8ARRAYOID, INT8ARRAYOID, INT8OID, TIMESTAMPTZOID, TEXTOID, INT8OID,
	TIMESTAMPTZOID, TIMESTAMPTZOID, INT8OID, TIMESTAMPTZARRAYOID}, NULL, ENROLL_GENERIC
};


static EnrollPlan plan_enrollments = {
	"INSERT INTO enroll.enrollment AS e (course_id, account_id, role_id, group_id, time_start,"
	"   time_end, order_ref, license_id, created_at, order_id)"
	" SELECT $1, n.account_id, n.role_id, $2, n.time_start, n.time_end, $3, n.license_id, $4, $5"
	"   FROM (SELECT pg_catalog.unnest($6::bigint[]) AS account_id, pg_catalog.unnest($7::bigint[]) AS role_id,"
	"                pg_catalog.unnest($8::bigint[]) AS license_id, pg_catalog.unnest($9::timestamptz[]) AS time_start,"
	"                pg_catalog.unnest($10::timestamptz[]) AS time_end) AS n"
	"  ORDER BY n.account_id"
	" ON CONFLICT (course_id, account_id) DO UPDATE SET role_id = excluded.role_id,"
	"   group_id = excluded.group_id, time_start = excluded.time_start,"
	"   time_end = excluded.time_end, order_ref = excluded.order_ref,"
	"   license_id = excluded.license_id, order_id = excluded.order_id, via_license = NULL",
	10, {INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID, INT8OID,
	INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID}, NULL, ENROLL_GENERIC
};

static EnrollPlan plan_group_members_insert = {
	"INSERT INTO enroll.group_member (group_id, account_id, added_at, given_email, given_firstname,"
	"   given_lastname, seat)"
	" SELECT $1, n.account_id, $2, n.email, NULLIF(n.firstname, ''), NULLIF(n.lastname, ''),"
	"        CASE WHEN n.tutor THEN 'tutor' ELSE 'learner' END"
	"   FROM (SELECT pg_catalog.unnest($3::bigint[]) AS account_id, pg_catalog.unnest($4::text[]) AS email,"
	"                pg_catalog.unnest($5::text[]) AS firstname, pg_catalog.unnest($6::text[]) AS lastname,"
	"                pg_catalog.unnest($7::boolean[]) AS tutor) AS n"
	"  ORDER BY n.account_id",
	7, {INT8OID, TIMESTAMPTZOID, INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, BOOLARRAYOID},
	NULL, ENROLL_GENERIC
};

/* S1.6: operator manages each participant, each participant is managed by the operator */
static EnrollPlan plan_cross_roles = {
	"INSERT INTO enroll.role_assignment (role_id, account_id, context_level, context_id,"
	"   assigned_at, assigned_by, order_ref, order_id)"
	" (SELECT $1, $3, 'user'::enroll.context_level, p, $5, $3, $6, $7"
	"    FROM (SELECT pg_catalog.unnest($4::bigint[]) AS p) AS n"
	"   WHERE p OPERATOR(pg_catalog.<>) $3 ORDER BY p)"
	" UNION ALL"
	" (SELECT $2, p, 'user'::enroll.context_level, $3, $5, $3, $6, $7"
	"    FROM (SELECT pg_catalog.unnest($4::bigint[]) AS p) AS n"
	"   WHERE p OPERATOR(pg_catalog.<>) $3 ORDER BY p)"
	" ON CONFLICT ON CONSTRAINT role_assignment_key DO NOTHING",
	7, {INT8OID, INT8OID, INT8OID, INT8ARRAYOID, TIMESTAMPTZOID, TEXTOID, INT8OID}, NULL, ENROLL_GENERIC
};

/*
 * S1.7: the customer-support course, reached through the participant's
 * session license; an enrollment of the support course that has a license
 * of its own stays as it is
 */
static EnrollPlan plan_support = {
	"INSERT INTO enroll.enrollment AS e (course_id, account_id, role_id, order_ref, created_at, order_id,"
	"   via_license, time_start, time_end)"
	" SELECT $1, n.account_id, $3, $4, $5, $6, n.license_id, n.time_start, n.time_end"
	"   FROM (SELECT pg_catalog.unnest($2::bigint[]) AS account_id, pg_catalog.unnest($7::bigint[]) AS license_id,"
	"                pg_catalog.unnest($8::timestamptz[]) AS time_start,"
	"                pg_catalog.unnest($9::timestamptz[]) AS time_end) AS n"
	"  ORDER BY n.account_id"
	" ON CONFLICT (course_id, account_id) DO UPDATE SET via_license = excluded.via_license,"
	"   order_ref = excluded.order_ref, order_id = excluded.order_id,"
	"   time_start = excluded.time_start, time_end = excluded.time_end"
	"  WHERE e.license_id IS NULL",
	9, {INT8OID, INT8ARRAYOID, INT8OID, TEXTOID, TIMESTAMPTZOID, INT8OID, INT8ARRAYOID,
	TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID}, NULL, ENROLL_GENERIC
};

/* rows fetched from a cursor at a time */
#define SESSION_BATCH 1000

/* events written by one statement of a session setup */
#define SESSION_EVENT_BATCH 5000

/* a report this large (bytes) is compressed before the UPDATE storing it */
#define REPORT_COMPRESS_MIN (64 * 1024)

/* from this many participants on, freed memory is handed back after each step */
#define ENROLL_TRIM_PARTICIPANTS 1000

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------
 */

/*
 * Give the memory freed so far back to the operating system, after a large
 * setup's step.  glibc keeps freed heap memory in the process, resident,
 * for reuse, and a block is reused only by an allocation that fits in it:
 * the tens of MB a step of 100,000 participants frees would stay in the
 * backend's resident set (until it exits: a pooled connection keeps them)
 * and the next step's large allocations (8 MB context blocks, the report,
 * the copy of it that the UPDATE storing it makes) would come on top.
 * Other C libraries: nothing to do.
 */
static void
ReleaseFreedMemory(int participants)
{
#ifdef __GLIBC__
	if (participants >= ENROLL_TRIM_PARTICIPANTS)
		malloc_trim(0);
#endif
}

/*
 * A step's scratch memory.  SPI makes its procedure context current after
 * every statement, so what a step allocates -- statement results, argument
 * arrays, the indexes licenses.c builds -- would otherwise stay until the
 * setup's SPI_finish: about 1.7 kB per participant.  Each writing step runs
 * in a nested SPI connection instead, and its end (SPI_finish) frees all of
 * it (and hands it back, ReleaseFreedMemory).  What outlives the step is
 * allocated before it or in s->cxt.
 */
static void
StepBegin(void)
{
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
}

static void
StepEnd(const Session *s)
{
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
	ReleaseFreedMemory(s->n);
}

/* a string field of a participant, by its offset in Participant */
#define PART_STRING(p, field) (*(char *const *) ((const char *) (p) + (field)))

/* the participants and field PartTextArray reads */
typedef struct PartField
{
	const Session *s;
	const int  *idx;
	size_t		field;
} PartField;

static const char *
PartFieldString(const void *arg, int k)
{
	const PartField *pf = arg;

	return PART_STRING(&pf->s->parts[pf->idx ? pf->idx[k] : k], pf->field);
}

/*
 * The text[] of one string field of the participants idx[0..n) (idx NULL:
 * all), built in place (EnrollTextArrayOf): no text datum per element first.
 */
static Datum
PartTextArray(const Session *s, const int *idx, int n, size_t field)
{
	PartField	pf = {s, idx, field};

	return EnrollTextArrayOf(n, PartFieldString, &pf);
}

/* qsort and bsearch order of int64 */
static int
Int64Cmp(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* Column 1 (bigint) of every row of the last SPI result, sorted; the result freed. */
static int64 *
SortedIds(int *n)
{
	int64	   *ids = EnrollGetIds(n);

	SPI_freetuptable(SPI_tuptable);
	qsort(ids, *n, sizeof(int64), Int64Cmp);
	return ids;
}

/* Is value in sorted[0..n)? */
static bool
SortedHas(const int64 *sorted, int n, int64 value)
{
	return n > 0 && bsearch(&value, sorted, n, sizeof(int64), Int64Cmp) != NULL;
}

/* id of a role by short name, 0 if unknown */
static int64
RoleId(const char *shortname)
{
	Datum		arg = CStringGetTextDatum(shortname);

	if (EnrollExecute(&plan_role, &arg, NULL, true, 1, SPI_OK_SELECT) == 0)
		return 0;
	return EnrollGetInt64(0, 1);
}

/* ------------------------------------------------------------------------
 * The steps of a setup
 * ------------------------------------------------------------------------
 */

/*
 * The offer, locked against a concurrent closing (S2.5): it must be
 * addressed to the operator when private (S2.7; a non-admin caller it is
 * not addressed to learns nothing of it), be for persons, take no registrar
 * organization, carry valid handler_params naming its course (S1.9), and
 * its extra condition must be ticked (S2.21, S2.22).  The operator must
 * exist, not be erased, and have the offer's profile level (S2.11).
 */
static void
ReadOffer(Session *s)
{
	Datum		args[2];
	bool		isnull;
	bool		capped;
	char	   *condition;

	args[0] = Int64GetDatum(s->req->offer);
	args[1] = Int64GetDatum(s->req->operator);
	if (EnrollExecute(&plan_offer_capped, args, NULL, false, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_OFFER),
				 errmsg("offer %lld does not exist", (long long) s->req->offer)));
	capped = EnrollGetBool(0, 1);
	if (EnrollExecute(capped ? &plan_offer_update : &plan_offer_share, args, NULL, false, 1,
					  SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_OFFER),
				 errmsg("offer %lld does not exist", (long long) s->req->offer)));
	if (!EnrollGetBool(0, 9))
	{
		if (!s->actor_is_admin)
			ereport(ERROR,
					(errcode(ERRCODE_ENROLL_OFFER_NOT_ACCEPTABLE),
					 errmsg("offer %lld is not available to operator %lld",
							(long long) s->req->offer, (long long) s->req->operator),
					 errdetail("A private offer can only be bought by its addressees (S2.7).")));
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_OFFER_NOT_ACCEPTABLE),
				 errmsg("offer \"%s\" is not addressed to operator %lld", EnrollGetText(0, 1),
						(long long) s->req->operator),
				 errdetail("A private offer can only be accepted by its addressees (S2.7).")));
	}
	s->code = EnrollGetText(0, 1);
	s->course_id = EnrollGetInt64(0, 2);
	s->course_shortname = EnrollGetText(0, 3);
	s->valid_from = EnrollGetTimestamp(0, 4, NULL);
	s->valid_until = EnrollGetTimestamp(0, 5, NULL);
	condition = EnrollGetText(0, 10);
	s->access_period = EnrollGetDatum(0, 11, &isnull);
	s->grace = EnrollGetDatum(0, 12, &s->grace_null);
	s->max_acceptances = EnrollGetInt32(0, 13);
	if (s->max_acceptances != 0 && !capped)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize the setup of order \"%s\"", EnrollQuotable(s->req->order_ref)),
				 errdetail("An acceptance cap was set on the offer by a concurrent transaction."),
				 errhint("Retry the transaction.")));
	if (!EnrollGetBool(0, 6))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_HOLDER_KIND),
				 errmsg("offer \"%s\" is for organizations, not for session participants", s->code)));
	if (EnrollGetBool(0, 8))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("offer \"%s\" requires a registrar organization and cannot set up sessions", s->code),
				 errhint("Session offers are bought by an operator for others; remove the offer's registrar types.")));
	EnrollParseHandlerParams(s->code, EnrollGetText(0, 7), &s->sp);
	if (strcmp(s->sp.coursename, s->course_shortname) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("handler parameter coursename \"%s\" does not name the course of offer \"%s\"",
						EnrollQuotable(s->sp.coursename), s->code),
				 errdetail("The offer is for course \"%s\".", s->course_shortname)));
	if (condition != NULL && !s->req->accept_condition)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_CONDITION_NOT_ACCEPTED),
				 errmsg("offer \"%s\" has a condition that was not accepted", s->code),
				 errdetail("Condition: %s", condition),
				 errhint("The operator ticks it for the order: pass accept_condition => true; the text is recorded on each license.")));
}

/* The operator exists, is not erased and has the offer's profile level (S2.11). */
static void
CheckOperator(Session *s)
{
	Datum		args[2];

	args[0] = Int64GetDatum(s->req->operator);
	args[1] = Int64GetDatum(s->req->offer);
	if (EnrollExecute(&plan_operator, args, NULL, true, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_ACCOUNT),
				 errmsg("operator account %lld does not exist", (long long) s->req->operator)));
	if (EnrollGetBool(0, 3))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_ACCOUNT_ERASED),
				 errmsg("operator account %lld has been erased", (long long) s->req->operator)));
	if (!EnrollGetBool(0, 1))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_PROFILE_LEVEL),
				 errmsg("offer \"%s\" requires a higher profile level of the operator", s->code),
				 errdetail("The operator has profile level \"%s\".", EnrollGetText(0, 2)),
				 errhint("The operator supplies the data with enroll.upgrade_profile first.")));
}

/* The roles of S1.6 and S1.9 and the support course of S1.7. */
static void
ResolveRoles(Session *s)
{
	s->student_role = RoleId("student");
	s->tutor_role = RoleId(s->sp.supervisor);
	s->manager_role = RoleId("delegated_manager");
	s->user_role = RoleId("delegated_user");
	if (s->tutor_role == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("role \"%s\" named by handler parameter supervisor does not exist",
						EnrollQuotable(s->sp.supervisor)),
				 errhint("Create the role in enroll.role or fix the offer's handler_params.")));
	if (s->student_role == 0 || s->manager_role == 0 || s->user_role == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("the seeded roles of enroll.role are missing"),
				 errhint("Reinstall the extension.")));
	if (s->sp.customersupport != NULL)
	{
		Datum		arg = CStringGetTextDatum(s->sp.customersupport);

		if (EnrollExecute(&plan_course, &arg, NULL, true, 1, SPI_OK_SELECT) > 0)
			s->support_course = EnrollGetInt64(0, 1);
		else
			s->warning = psprintf("customer-support course \"%s\" does not exist: no support enrollments",
								  EnrollQuotable(s->sp.customersupport));
	}
}

/* feed the digest with len bytes of data */
static void
DigestUpdate(pg_cryptohash_ctx *ctx, const char *data, size_t len)
{
	if (pg_cryptohash_update(ctx, (const uint8 *) data, len) < 0)
		elog(ERROR, "could not compute a SHA-256 digest: %s", pg_cryptohash_error(ctx));
}

/*
 * The SHA-256 of the participants' list as JsonbToCString writes it, as 64
 * lower-case hex digits (as EnrollSha256Hex).  The text is about as large as
 * the list and JsonbToCString leaves a copy of every string behind (40 MB
 * for 100,000 participants), so the digest is fed one element at a time:
 * an array is written "[" + its elements, each as JsonbToCString writes it
 * alone, joined by ", " + "]".  Each element's text lives in a scratch
 * context reset after it.
 */
static char *
ParticipantsDigest(Jsonb *list)
{
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext, "pg_enroll digest",
												  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(scratch);
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char	   *hex;

	if (ctx == NULL || pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not compute a SHA-256 digest: %s", pg_cryptohash_error(ctx));
	if (!JB_ROOT_IS_ARRAY(list) || JB_ROOT_IS_SCALAR(list))
	{
		char	   *text = JsonbToCString(NULL, &list->root, VARSIZE(list));

		DigestUpdate(ctx, text, strlen(text));
	}
	else
	{
		MemoryContext element = AllocSetContextCreate(scratch, "pg_enroll digest element",
													  ALLOCSET_DEFAULT_SIZES);
		JsonbIterator *it = JsonbIteratorInit(&list->root);
		JsonbValue	v;
		JsonbIteratorToken tok;
		bool		first = true;

		DigestUpdate(ctx, "[", 1);
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			char	   *text;

			if (tok != WJB_ELEM)
				continue;
			CHECK_FOR_INTERRUPTS();
			if (!first)
				DigestUpdate(ctx, ", ", 2);
			first = false;
			MemoryContextSwitchTo(element);
			/* a scalar alone is a one-element raw array, written bare */
			if (v.type == jbvBinary)
				text = JsonbToCString(NULL, v.val.binary.data, v.val.binary.len);
			else
			{
				Jsonb	   *scalar = JsonbValueToJsonb(&v);

				text = JsonbToCString(NULL, &scalar->root, VARSIZE(scalar));
			}
			DigestUpdate(ctx, text, strlen(text));
			MemoryContextSwitchTo(scratch);
			MemoryContextReset(element);
		}
		DigestUpdate(ctx, "]", 1);
	}
	if (pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute a SHA-256 digest: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(scratch);
	hex = palloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);
	for (int i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
	return hex;
}

/*
 * The request as stored: the call's parameters and, instead of the
 * participants' addresses and names (personal data, kept on the group's
 * members where erasure finds them), their number and a digest.
 */
static Jsonb *
RequestJson(const SessionRequest *req)
{
	char	   *digest = ParticipantsDigest(req->participants);

	return EnrollJsonbf("{\"order\": %s, \"offer\": %lld, \"operator\": %lld, \"seats\": %d,"
						" \"participants\": %d, \"participants_sha256\": \"%s\","
						" \"accept_condition\": %s}",
						EnrollJsonQuote(req->order_ref), (long long) req->offer,
						(long long) req->operator, req->seats,
						(int) JB_ROOT_COUNT(req->participants), digest,
						req->accept_condition ? "true" : "false");
}

/*
 * The operator's purchase order with this reference (order references are
 * per operator), created or found and locked: a second call with this
 * reference waits here.  The same reference with another offer or seat
 * count is PE020; a cancelled order is PE026.  Returns the stored report
 * (NULL when none yet).
 */
static Datum
ClaimOrder(Session *s, bool *has_report)
{
	SessionRequest *req = s->req;
	Datum		args[6];
	Datum		report;
	char	   *status;

	s->request_json = RequestJson(req);
	args[0] = CStringGetTextDatum(req->order_ref);
	args[1] = Int64GetDatum(req->operator);
	args[2] = Int64GetDatum(req->offer);
	args[3] = Int32GetDatum(req->seats);
	args[4] = JsonbPGetDatum(s->request_json);
	args[5] = TimestampTzGetDatum(s->now);
	EnrollExecute(&plan_order_insert, args, NULL, false, 1, SPI_OK_INSERT);
	if (EnrollExecute(&plan_order_lock, args, NULL, false, 1, SPI_OK_SELECT) == 0)
		elog(ERROR, "purchase order \"%s\" vanished", req->order_ref);
	s->order_id = EnrollGetInt64(0, 1);
	if (EnrollGetInt64(0, 2) != req->offer || EnrollGetInt32(0, 3) != req->seats)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_ORDER_CONFLICT),
				 errmsg("order \"%s\" was placed with another offer or seat count",
						EnrollQuotable(req->order_ref)),
				 errdetail("Stored: offer %lld, %d seats; this call: offer %lld, %d seats.",
						   (long long) EnrollGetInt64(0, 2), EnrollGetInt32(0, 3),
						   (long long) req->offer, req->seats),
				 errhint("An order reference identifies one purchase of the operator; use a new reference for another one.")));
	status = EnrollGetText(0, 5);
	if (strcmp(status, "cancelled") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_ORDER_CANCELLED),
				 errmsg("order \"%s\" has been cancelled", EnrollQuotable(req->order_ref)),
				 errhint("A cancelled order sets up nobody; place a new order under a new reference.")));
	report = EnrollGetDatum(0, 4, has_report);
	*has_report = !*has_report;
	return report;
}

/* The group of the order (S1.4), created or found by the order's id. */
static void
FindGroup(Session *s)
{
	Datum		args[5];

	args[0] = Int64GetDatum(s->course_id);
	args[1] = CStringGetTextDatum(s->req->order_ref);
	args[2] = CStringGetTextDatum(psprintf("Order %s", s->req->order_ref));
	args[3] = TimestampTzGetDatum(s->now);
	args[4] = Int64GetDatum(s->order_id);
	EnrollExecute(&plan_group, args, NULL, false, 0, SPI_OK_SELECT);
	s->group_id = EnrollGetInt64(0, 1);
	s->group_created = EnrollGetBool(0, 2);
}

/*
 * S1.5: accounts only for unknown addresses (inserted in key order, so
 * that concurrent orders cannot deadlock), then every participant's account
 * found by its key.
 */
static void
ResolveAccounts(Session *s)
{
	int			n = s->n;
	int64	   *created;
	int			ncreated;
	int			found = 0;
	Datum		args[5];
	Portal		portal;

	StepBegin();
	args[0] = PartTextArray(s, NULL, n, offsetof(Participant, email));
	args[1] = PartTextArray(s, NULL, n, offsetof(Participant, firstname));
	args[2] = PartTextArray(s, NULL, n, offsetof(Participant, lastname));
	args[3] = PartTextArray(s, NULL, n, offsetof(Participant, key));
	args[4] = TimestampTzGetDatum(s->now);
	EnrollExecute(&plan_accounts_insert, args, NULL, false, 0, SPI_OK_INSERT_RETURNING);
	created = SortedIds(&ncreated);
	for (int i = 0; i < 3; i++)
		pfree(DatumGetPointer(args[i]));

	/* a batch of rows at a time: 100,000 addresses would take about 10 MB at once */
	portal = SPI_cursor_open(NULL, EnrollPrepare(&plan_accounts_find), &args[3], NULL, false);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, SESSION_BATCH);
		if (SPI_processed == 0)
			break;
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			int64		ord = EnrollGetInt64(r, 1);
			Participant *p;
			bool		isnull;
			text	   *stored;

			if (ord < 1 || ord > n)
				elog(ERROR, "participant %lld out of range", (long long) ord);
			p = &s->parts[ord - 1];
			p->account = EnrollGetInt64(r, 2);
			p->created = SortedHas(created, ncreated, p->account);
			/* the stored address: mostly the canonical one, then not copied */
			stored = DatumGetTextPP(EnrollGetDatum(r, 3, &isnull));
			if (VARSIZE_ANY_EXHDR(stored) == strlen(p->email) &&
				memcmp(VARDATA_ANY(stored), p->email, VARSIZE_ANY_EXHDR(stored)) == 0)
				p->stored_email = p->email;
			else
				p->stored_email = MemoryContextStrdup(s->cxt, text_to_cstring(stored));
			found++;
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	if (found != n)
		elog(ERROR, "could not find every participant's account");
	StepEnd(s);
}

/*
 * Who is already set up by an earlier call of this order (a live member of
 * its group) and who was taken out of it (not brought back by a later call).
 */
static void
SplitNew(Session *s)
{
	int64	   *live;
	int64	   *removed;
	int			nlive = 0;
	int			nremoved = 0;
	uint64		nmembers;

	StepBegin();
	nmembers = EnrollExecute(&plan_group_members, (Datum[]) {Int64GetDatum(s->group_id)},
							 NULL, false, 0, SPI_OK_SELECT);
	live = palloc(sizeof(int64) * Max(nmembers, 1));
	removed = palloc(sizeof(int64) * Max(nmembers, 1));
	for (uint64 i = 0; i < nmembers; i++)
	{
		if (EnrollGetBool(i, 2))
			removed[nremoved++] = EnrollGetInt64(i, 1);
		else
			live[nlive++] = EnrollGetInt64(i, 1);
	}
	SPI_freetuptable(SPI_tuptable);
	qsort(live, nlive, sizeof(int64), Int64Cmp);
	qsort(removed, nremoved, sizeof(int64), Int64Cmp);
	s->nexisting = nlive;
	s->nnew = 0;
	s->nremoved = 0;
	for (int i = 0; i < s->n; i++)
	{
		Participant *p = &s->parts[i];

		p->removed = SortedHas(removed, nremoved, p->account);
		p->is_new = !p->removed && !SortedHas(live, nlive, p->account);
		s->nnew += p->is_new;
		s->nremoved += p->removed;
	}
	StepEnd(s);
}

/*
 * S1.3: learners and tutors take seats alike (PE021).  A dry run records
 * the problem (index 0: the order) and goes on, so that its report shows
 * every problem and the seats needed.
 */
static void
CheckSeats(Session *s)
{
	if (s->nexisting + s->nnew > s->req->seats && s->req->dry_run)
	{
		ParticipantProblem *p = &s->problems[s->nproblems++];

		p->index = 0;
		p->email = NULL;
		p->problem = psprintf("order has too few seats: %d bought, %d already set up, %d new participants",
							  s->req->seats, s->nexisting, s->nnew);
		p->sqlstate = "PE021";
		return;
	}
	if (s->nexisting + s->nnew > s->req->seats)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_ORDER_NO_SEAT_LEFT),
				 errmsg("order \"%s\" has too few seats", EnrollQuotable(s->req->order_ref)),
				 errdetail("%d seats bought, %d already set up, %d new participants (tutors take seats too).",
						   s->req->seats, s->nexisting, s->nnew),
				 errhint("Buy more seats under a new order reference, or list fewer participants; a dry run reports the seats bought, used and left.")));
}

/* The acceptance cap: the licenses the order creates count (PE023). */
static void
CheckCap(Session *s, int nlicenses)
{
	if (nlicenses > 0)
		EnrollTakePlaces(s->req->offer, s->code, s->max_acceptances, nlicenses, true);
}

/* the participants who get a license or keep theirs, and the arrays of the statements */
typedef struct NewParticipants
{
	int			n;
	int		   *idx;			/* into s->parts */
	int64	   *account;
	CurrentLicense *cur;		/* until the licenses are written */
	int64	   *license;		/* new or kept */
	int64	   *superseded;		/* the license it supersedes, 0: none */
	TimestampTz *from;
	TimestampTz *until;
} NewParticipants;

/*
 * The current licenses of the new participants into np->cur (locked when
 * lock), in a scope of its own: the index EnrollReadCurrent builds (a hash
 * table of every account) and its result go at once, not at the step's end.
 */
static void
ReadCurrent(Session *s, NewParticipants *np, bool lock)
{
	StepBegin();
	EnrollReadCurrent(s->course_id, np->account, np->n, 0, s->now, lock, np->cur);
	StepEnd(s);
}

/*
 * Lock the accounts ids[0..n) (plan_accounts_lock: in id order), reading
 * the rows through a cursor a batch at a time: they are not needed, and
 * 100,000 would take about 9 MB at once.
 */
static void
LockAccounts(const int64 *ids, int n)
{
	Portal		portal = SPI_cursor_open(NULL, EnrollPrepare(&plan_accounts_lock),
										 (Datum[]) {EnrollInt8Array(ids, n)}, NULL, false);

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		SPI_cursor_fetch(portal, true, SESSION_BATCH);
		if (SPI_processed == 0)
			break;
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
}

/*
 * The consent rule for every new participant (licenses.c), and the locks
 * that make it hold.  Decided first on an unlocked read; then, in a
 * subtransaction, the accounts of the participants who get a new license
 * are locked (id order) and the current licenses of all new participants,
 * kept ones included, FOR UPDATE in account order, and read again.  Every
 * writer of a person's license holds the person's account lock (here, in
 * acceptance.c, seats.c), so a participant who gets a license is never
 * raced; a kept license is locked too (the enrollment's foreign key would
 * take a key-share lock on it anyway), in the same pass and order, which
 * keeps two orders that name the same people -- one keeping a license the
 * other replaces -- from deadlocking.  If the locked read turns a kept
 * participant into one who gets a license (their own acceptance committed
 * in between, or a license they kept has ended), the subtransaction is
 * rolled back, releasing its locks, and the locking starts again with that
 * account too.  The outcomes are decided again on np->cur (WriteLicenses).
 */
static void
DecideLicenses(Session *s, NewParticipants *np)
{
	int64	   *lock;
	bool	   *locked;
	int			nlock = 0;

	StepBegin();
	lock = palloc(sizeof(int64) * Max(np->n, 1));
	locked = palloc0(sizeof(bool) * Max(np->n, 1));
	ReadCurrent(s, np, false);
	for (int k = 0; k < np->n; k++)
	{
		Participant *p = &s->parts[np->idx[k]];
		TimestampTz handover;

		p->outcome = EnrollGrantDecide(&np->cur[k], s->access_from, s->access_until,
									   p->account == s->req->operator, s->now, &handover);
		if (p->outcome != GRANT_KEPT)
		{
			locked[k] = true;
			lock[nlock++] = p->account;
		}
	}
	for (;;)
	{
		EnrollSubxact sx;
		volatile bool more = false;

		CHECK_FOR_INTERRUPTS();
		EnrollSubxactBegin(&sx);
		PG_TRY();
		{
			if (nlock > 0)
				LockAccounts(lock, nlock);
			ReadCurrent(s, np, true);
		}
		PG_CATCH();
		{
			/* close our subtransaction before the error leaves (spi_util.c) */
			ReThrowError(EnrollSubxactCatch(&sx));
		}
		PG_END_TRY();
		for (int k = 0; k < np->n; k++)
		{
			Participant *p = &s->parts[np->idx[k]];
			TimestampTz handover;

			if (locked[k])
				continue;
			p->outcome = EnrollGrantDecide(&np->cur[k], s->access_from, s->access_until,
										   p->account == s->req->operator, s->now, &handover);
			if (p->outcome != GRANT_KEPT)
			{
				locked[k] = true;
				lock[nlock++] = p->account;
				more = true;
			}
		}
		if (!more)
		{
			EnrollSubxactCommit(&sx);
			break;
		}
		EnrollSubxactRollback(&sx);
	}
	StepEnd(s);
}

/* a license kept by new participant k (WriteLicenses) */
typedef struct KeptLicense
{
	int64		id;
	int			k;
} KeptLicense;

/* qsort and bsearch order of KeptLicense: by id */
static int
KeptCmp(const void *a, const void *b)
{
	return Int64Cmp(&((const KeptLicense *) a)->id, &((const KeptLicense *) b)->id);
}

/* The windows of the licenses kept, for their participants' enrollments. */
static void
KeptWindows(NewParticipants *np, KeptLicense *kept, int nkept)
{
	int64	   *ids = palloc(sizeof(int64) * nkept);

	for (int i = 0; i < nkept; i++)
		ids[i] = kept[i].id;
	qsort(kept, nkept, sizeof(KeptLicense), KeptCmp);
	EnrollExecute(&plan_license_windows, (Datum[]) {EnrollInt8Array(ids, nkept)}, NULL, false, 0, SPI_OK_SELECT);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		KeptLicense key = {EnrollGetInt64(r, 1), 0};
		KeptLicense *hit = bsearch(&key, kept, nkept, sizeof(KeptLicense), KeptCmp);

		if (hit == NULL)
			continue;
		/* every participant keeping it (the first of equal ids, then on) */
		while (hit > kept && hit[-1].id == key.id)
			hit--;
		for (; hit < kept + nkept && hit->id == key.id; hit++)
		{
			np->from[hit->k] = EnrollGetTimestamp(r, 2, NULL);
			np->until[hit->k] = EnrollGetTimestamp(r, 3, NULL);
		}
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * Supersede what the decisions say (no per-license event: the participant's
 * event names it), insert the new licenses, and find the windows of the
 * licenses kept.
 */
static void
WriteLicenses(Session *s, NewParticipants *np)
{
	int			n = np->n;
	int64	   *old_ids;
	TimestampTz *handovers;
	int64	   *successors;
	TimestampTz *froms;
	TimestampTz *untils;
	int64	   *acc;
	int64	   *ids;
	TimestampTz *dues;
	bool	   *due_null;
	KeptLicense *kept;
	int			nsuper = 0,
				nins = 0,
				nkept = 0;

	StepBegin();
	old_ids = palloc(sizeof(int64) * Max(n, 1));
	handovers = palloc(sizeof(TimestampTz) * Max(n, 1));
	successors = palloc(sizeof(int64) * Max(n, 1));
	froms = palloc(sizeof(TimestampTz) * Max(n, 1));
	untils = palloc(sizeof(TimestampTz) * Max(n, 1));
	acc = palloc(sizeof(int64) * Max(n, 1));
	ids = palloc(sizeof(int64) * Max(n, 1));
	dues = palloc(sizeof(TimestampTz) * Max(n, 1));
	due_null = palloc(sizeof(bool) * Max(n, 1));
	kept = palloc(sizeof(KeptLicense) * Max(n, 1));
	for (int k = 0; k < n; k++)
	{
		Participant *p = &s->parts[np->idx[k]];
		TimestampTz handover;

		p->outcome = EnrollGrantDecide(&np->cur[k], s->access_from, s->access_until,
									   p->account == s->req->operator, s->now, &handover);
		np->from[k] = s->access_from;
		np->until[k] = s->access_until;
		np->superseded[k] = 0;
		if (p->outcome == GRANT_KEPT)
		{
			np->license[k] = np->cur[k].id;
			kept[nkept].id = np->cur[k].id;
			kept[nkept++].k = k;
			continue;
		}
		acc[nins] = p->account;
		dues[nins] = EnrollDocumentsDue(&np->cur[k], 0, s->documents_due);
		due_null[nins] = dues[nins] == 0;
		ids[nins++] = 0;
		if (p->outcome == GRANT_REPLACED || p->outcome == GRANT_FOLLOWS)
		{
			np->superseded[k] = np->cur[k].id;
			old_ids[nsuper] = np->cur[k].id;
			handovers[nsuper] = handover;
			froms[nsuper] = s->access_from;
			untils[nsuper] = s->access_until;
			nsuper++;
		}
	}
	CheckCap(s, nins);
	EnrollNextLicenseIds(ids, nins);
	SPI_freetuptable(SPI_tuptable);
	for (int k = 0, j = 0, x = 0; k < n; k++)
	{
		Participant *p = &s->parts[np->idx[k]];

		if (p->outcome == GRANT_KEPT)
			continue;
		np->license[k] = ids[j++];
		if (p->outcome == GRANT_REPLACED || p->outcome == GRANT_FOLLOWS)
			successors[x++] = np->license[k];
	}
	EnrollSupersedeList(old_ids, handovers, successors, froms, untils, nsuper);
	s->nsuper = nsuper;
	s->nkept = nkept;
	if (nins > 0)
	{
		Datum		args[10];
		char		nulls[10] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};

		args[0] = EnrollInt8Array(acc, nins);
		args[1] = EnrollInt8Array(ids, nins);
		args[2] = Int64GetDatum(s->req->operator);
		args[3] = TimestampTzGetDatum(s->now);
		args[4] = CStringGetTextDatum(s->req->order_ref);
		args[5] = Int64GetDatum(s->req->offer);
		args[6] = TimestampTzGetDatum(s->access_from);
		args[7] = TimestampTzGetDatum(s->access_until);
		args[8] = Int64GetDatum(s->order_id);
		args[9] = EnrollTimestampArrayNulls(dues, due_null, nins);
		EnrollExecuteLicenseInsert(&plan_licenses_insert, args, nulls, SPI_OK_INSERT,
								   psprintf("the setup of order \"%s\"", EnrollQuotable(s->req->order_ref)));
	}
	if (nkept > 0)
		KeptWindows(np, kept, nkept);
	/* the decisions are in the participants and np->superseded now */
	pfree(np->cur);
	np->cur = NULL;
	StepEnd(s);
}

/*
 * The enrollments (S1.2, S1.9: student or the supervisor role; pointing at
 * the license that gives access, with its window), the group members (S1.4,
 * with the address and names as given), the cross roles (S1.6) and the
 * support-course enrollments (S1.7) of the new participants.
 */
static void
WriteEnrollments(Session *s, NewParticipants *np)
{
	int			n = np->n;
	int64	   *roles;
	bool	   *tutor;
	Datum		accounts;
	Datum		licenses;
	Datum		from;
	Datum		until;
	Datum		args[10];

	StepBegin();
	roles = palloc(sizeof(int64) * Max(n, 1));
	tutor = palloc(sizeof(bool) * Max(n, 1));
	for (int k = 0; k < n; k++)
	{
		Participant *p = &s->parts[np->idx[k]];

		roles[k] = p->tutor ? s->tutor_role : s->student_role;
		tutor[k] = p->tutor;
		p->license = np->license[k];
	}
	/* the arrays of several statements, built once */
	accounts = EnrollInt8Array(np->account, n);
	licenses = EnrollInt8Array(np->license, n);
	from = EnrollTimestampArray(np->from, n);
	until = EnrollTimestampArray(np->until, n);

	args[0] = Int64GetDatum(s->course_id);
	args[1] = Int64GetDatum(s->group_id);
	args[2] = CStringGetTextDatum(s->req->order_ref);
	args[3] = TimestampTzGetDatum(s->now);
	args[4] = Int64GetDatum(s->order_id);
	args[5] = accounts;
	args[6] = EnrollInt8Array(roles, n);
	args[7] = licenses;
	args[8] = from;
	args[9] = until;
	EnrollExecute(&plan_enrollments, args, NULL, false, 0, SPI_OK_INSERT);
	pfree(DatumGetPointer(args[6]));

	args[0] = Int64GetDatum(s->group_id);
	args[1] = TimestampTzGetDatum(s->now);
	args[2] = accounts;
	args[3] = PartTextArray(s, np->idx, n, offsetof(Participant, given_email));
	args[4] = PartTextArray(s, np->idx, n, offsetof(Participant, firstname));
	args[5] = PartTextArray(s, np->idx, n, offsetof(Participant, lastname));
	args[6] = EnrollBoolArray(tutor, n);
	EnrollExecute(&plan_group_members_insert, args, NULL, false, 0, SPI_OK_INSERT);
	for (int i = 3; i <= 6; i++)
		pfree(DatumGetPointer(args[i]));

	args[0] = Int64GetDatum(s->manager_role);
	args[1] = Int64GetDatum(s->user_role);
	args[2] = Int64GetDatum(s->req->operator);
	args[3] = accounts;
	args[4] = TimestampTzGetDatum(s->now);
	args[5] = CStringGetTextDatum(s->req->order_ref);
	args[6] = Int64GetDatum(s->order_id);
	s->nroles = (int) EnrollExecute(&plan_cross_roles, args, NULL, false, 0, SPI_OK_INSERT);

	if (s->support_course != 0)
	{
		args[0] = Int64GetDatum(s->support_course);
		args[1] = accounts;
		args[2] = Int64GetDatum(s->student_role);
		args[3] = CStringGetTextDatum(s->req->order_ref);
		args[4] = TimestampTzGetDatum(s->now);
		args[5] = Int64GetDatum(s->order_id);
		args[6] = licenses;
		args[7] = from;
		args[8] = until;
		s->nsupport = (int) EnrollExecute(&plan_support, args, NULL, false, 0, SPI_OK_INSERT);
	}
	StepEnd(s);
}

/* the events of new participants first .. first + n - 1 (LogParticipants) */
static void
LogParticipantsBatch(Session *s, NewParticipants *np, int first, int n)
{
	/* the members of the details, in jsonb's key order */
	static const char *const keys[] = {"seat", "order", "license", "outcome", "superseded",
	"account_created"};
	Size	   *offsets = palloc(sizeof(Size) * n);
	Jsonb	  **details = palloc(sizeof(Jsonb *) * n);
	EnrollJsonbWriter w;

	/* all of them one after the other in one buffer: no chunk per details */
	EnrollJwInit(&w, (Size) n * 160);
	for (int k = first; k < first + n; k++)
	{
		Participant *p = &s->parts[np->idx[k]];

		CHECK_FOR_INTERRUPTS();
		if (k > first)
			EnrollJwNext(&w);
		EnrollJwBeginObject(&w, NULL, keys, lengthof(keys));
		EnrollJwString(&w, "seat", p->tutor ? "tutor" : "learner");
		EnrollJwInt(&w, "order", s->order_id);
		EnrollJwInt(&w, "license", np->license[k]);
		EnrollJwString(&w, "outcome", EnrollGrantOutcomeName(p->outcome));
		if (np->superseded[k] != 0)
			EnrollJwInt(&w, "superseded", np->superseded[k]);
		else
			EnrollJwString(&w, "superseded", NULL);
		EnrollJwBool(&w, "account_created", p->created);
		EnrollJwEnd(&w);
		offsets[k - first] = (char *) EnrollJwFinish(&w) - w.buf.data;
	}
	/* the buffer may have moved while it grew */
	for (int k = 0; k < n; k++)
		details[k] = (Jsonb *) (w.buf.data + offsets[k]);
	EnrollLogEventsAbout(s->now, s->actor, "session.participant", "license",
						 np->license + first, np->account + first,
						 (const Jsonb *const *) details, n);
}

/*
 * One event per new participant, about them (they can read it), naming
 * what the order did: the license and its outcome, the license it
 * superseded, whether the account was created.  Ids only, no address, no
 * name.  Written SESSION_EVENT_BATCH at a time, each batch's details,
 * arrays and statement in a context reset after it: in one statement,
 * 100,000 events held their details three times (the buffer, the jsonb[]
 * argument, the rows unnest materialized), about 25 MB.
 */
static void
LogParticipants(Session *s, NewParticipants *np)
{
	MemoryContext batch_cxt;
	MemoryContext old;

	StepBegin();
	batch_cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_enroll event batch",
									  ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(batch_cxt);
	for (int first = 0; first < np->n; first += SESSION_EVENT_BATCH)
	{
		LogParticipantsBatch(s, np, first, Min(np->n - first, SESSION_EVENT_BATCH));
		/* SPI makes its procedure context current after every statement */
		MemoryContextSwitchTo(batch_cxt);
		MemoryContextReset(batch_cxt);
	}
	MemoryContextSwitchTo(old);
	StepEnd(s);
}

/* Write the new participants, step by step. */
static void
WriteNewParticipants(Session *s)
{
	NewParticipants np;
	int			k = 0;

	np.n = s->nnew;
	np.idx = palloc(sizeof(int) * np.n);
	np.account = palloc(sizeof(int64) * np.n);
	np.cur = palloc(sizeof(CurrentLicense) * np.n);
	np.license = palloc(sizeof(int64) * np.n);
	np.superseded = palloc(sizeof(int64) * np.n);
	np.from = palloc(sizeof(TimestampTz) * np.n);
	np.until = palloc(sizeof(TimestampTz) * np.n);
	for (int i = 0; i < s->n; i++)
		if (s->parts[i].is_new)
		{
			np.idx[k] = i;
			np.account[k++] = s->parts[i].account;
		}
	EnrollLicenseWindow(s->code, &s->sp, s->access_period, s->grace, s->grace_null, s->now,
						&s->access_from, &s->access_until, &s->documents_due);
	DecideLicenses(s, &np);
	EnrollProgress("current licenses read and decided", np.n);
	WriteLicenses(s, &np);
	EnrollProgress("licenses written", np.n - s->nkept);
	WriteEnrollments(s, &np);
	EnrollProgress("group, enrollments and delegated roles written", np.n + s->nroles + s->nsupport);
	LogParticipants(s, &np);
	EnrollProgress("events logged", np.n);
	pfree(np.idx);
	pfree(np.account);
	pfree(np.license);
	pfree(np.superseded);
	pfree(np.from);
	pfree(np.until);
}

/* ------------------------------------------------------------------------
 * The report
 *
 * Written straight into its binary form (EnrollJsonbWriter): each object's
 * members in jsonb's key order (shorter keys first, then bytewise), which
 * is how jsonb stores them whatever the order of construction.
 * ------------------------------------------------------------------------
 */

/*
 * May the report show this participant's account id, stored address,
 * license and outcome?  To a system admin, always; to the operator, only
 * for an account this call created (an existing person's id, spelling and
 * licenses are theirs, not the operator's).
 */
static bool
ShowPerson(const Participant *p, bool full)
{
	return full || p->created;
}

/* the "accounts" member: created and reused addresses */
static void
ReportAccounts(EnrollJsonbWriter *w, const Session *s, bool full)
{
	static const char *const keys[] = {"reused", "created"};
	int			ncreated = 0;

	for (int i = 0; i < s->n; i++)
		ncreated += s->parts[i].is_new && s->parts[i].created;
	EnrollJwBeginObject(w, "accounts", keys, lengthof(keys));
	EnrollJwBeginArray(w, "reused", s->nnew - ncreated);
	for (int i = 0; i < s->n; i++)
		if (s->parts[i].is_new && !s->parts[i].created)
			EnrollJwString(w, NULL, full ? s->parts[i].stored_email : s->parts[i].given_email);
	EnrollJwEnd(w);
	EnrollJwBeginArray(w, "created", ncreated);
	for (int i = 0; i < s->n; i++)
		if (s->parts[i].is_new && s->parts[i].created)
			EnrollJwString(w, NULL, s->parts[i].email);
	EnrollJwEnd(w);
	EnrollJwEnd(w);
}

/* the "enrollments" member: one object per new participant */
static void
ReportEnrollments(EnrollJsonbWriter *w, const Session *s, bool full)
{
	/* the first three alone when the person is not shown */
	static const char *const keys[] = {"role", "seat", "email", "account", "license", "outcome"};

	EnrollJwBeginArray(w, "enrollments", s->nnew);
	for (int i = 0; i < s->n; i++)
	{
		const Participant *p = &s->parts[i];
		bool		show = ShowPerson(p, full);

		if (!p->is_new)
			continue;
		CHECK_FOR_INTERRUPTS();
		EnrollJwBeginObject(w, NULL, keys, show ? 6 : 3);
		EnrollJwString(w, "role", p->tutor ? s->sp.supervisor : "student");
		EnrollJwString(w, "seat", p->tutor ? "tutor" : "learner");
		EnrollJwString(w, "email", show ? p->stored_email : p->given_email);
		if (show)
		{
			EnrollJwInt(w, "account", p->account);
			EnrollJwInt(w, "license", p->license);
			EnrollJwString(w, "outcome", EnrollGrantOutcomeName(p->outcome));
		}
		EnrollJwEnd(w);
	}
	EnrollJwEnd(w);
}

/* the "removed" member: participants named again after being taken out */
static void
ReportRemoved(EnrollJsonbWriter *w, const Session *s)
{
	EnrollJwBeginArray(w, "removed", s->nremoved);
	for (int i = 0; i < s->n; i++)
		if (s->parts[i].removed)
			EnrollJwString(w, NULL, s->parts[i].given_email);
	EnrollJwEnd(w);
}

/* the "problems" member of a dry run: every bad participant */
static void
ReportProblems(EnrollJsonbWriter *w, const Session *s)
{
	static const char *const keys[] = {"email", "index", "problem", "sqlstate"};

	EnrollJwBeginArray(w, "problems", s->nproblems);
	for (int i = 0; i < s->nproblems; i++)
	{
		EnrollJwBeginObject(w, NULL, keys, lengthof(keys));
		EnrollJwString(w, "email", s->problems[i].email);
		if (s->problems[i].index == 0)
			EnrollJwString(w, "index", NULL);
		else
			EnrollJwInt(w, "index", s->problems[i].index);
		EnrollJwString(w, "problem", s->problems[i].problem);
		EnrollJwString(w, "sqlstate", s->problems[i].sqlstate);
		EnrollJwEnd(w);
	}
	EnrollJwEnd(w);
}

/* the "group" member */
static void
ReportGroup(EnrollJsonbWriter *w, const Session *s)
{
	static const char *const keys[] = {"id", "created", "idnumber"};

	EnrollJwBeginObject(w, "group", keys, lengthof(keys));
	EnrollJwInt(w, "id", s->group_id);
	EnrollJwBool(w, "created", s->group_created);
	EnrollJwString(w, "idnumber", s->req->order_ref);
	EnrollJwEnd(w);
}

/* the "seats" member: bought, used, left, and missing when over */
static void
ReportSeats(EnrollJsonbWriter *w, const Session *s)
{
	static const char *const keys[] = {"left", "used", "bought", "missing"};
	int			used = s->nexisting + s->nnew;
	int			bought = s->req->seats;

	EnrollJwBeginObject(w, "seats", keys, used > bought ? 4 : 3);
	EnrollJwInt(w, "left", Max(bought - used, 0));
	EnrollJwInt(w, "used", used);
	EnrollJwInt(w, "bought", bought);
	if (used > bought)
		EnrollJwInt(w, "missing", used - bought);
	EnrollJwEnd(w);
}

/* the "access" member: the participants' window, nulls when nobody is new */
static void
ReportAccess(EnrollJsonbWriter *w, const Session *s)
{
	static const char *const keys[] = {"from", "until"};

	EnrollJwBeginObject(w, "access", keys, lengthof(keys));
	EnrollJwString(w, "from", s->nnew > 0 ? timestamptz_to_str(s->access_from) : NULL);
	EnrollJwString(w, "until", s->nnew > 0 ? timestamptz_to_str(s->access_until) : NULL);
	EnrollJwEnd(w);
}

/* about how many bytes the report takes, so that its buffer is not regrown */
static Size
ReportSizeGuess(const Session *s)
{
	Size		size = 1024;

	for (int i = 0; i < s->n; i++)
		if (s->parts[i].is_new || s->parts[i].removed)
			size += 2 * strlen(s->parts[i].given_email) + 160;
	return size;
}

/*
 * The report of a setup that changed something, in the current memory
 * context: for a system admin (full), or for the operator (no id, stored
 * spelling, license or outcome of an account the call did not create; no
 * license ids of other people).
 */
static Jsonb *
BuildReport(const Session *s, bool full)
{
	const SessionRequest *req = s->req;
	const char *keys[20];
	int			n = 0;
	EnrollJsonbWriter w;

	/* the members, in jsonb's key order */
	keys[n++] = "group";
	keys[n++] = "offer";
	keys[n++] = "order";
	keys[n++] = "seats";
	keys[n++] = "access";
	keys[n++] = "course";
	keys[n++] = "status";
	keys[n++] = "removed";
	keys[n++] = "accounts";
	keys[n++] = "operator";
	if (req->dry_run)
		keys[n++] = "problems";
	keys[n++] = "warnings";
	keys[n++] = "enrollments";
	if (full)
		keys[n++] = "kept_licenses";
	keys[n++] = "delegated_roles";
	if (full)
		keys[n++] = "superseded_licenses";
	keys[n++] = "support_enrollments";

	EnrollJwInit(&w, ReportSizeGuess(s));
	EnrollJwBeginObject(&w, NULL, keys, n);
	ReportGroup(&w, s);
	EnrollJwString(&w, "offer", s->code);
	EnrollJwString(&w, "order", req->order_ref);
	ReportSeats(&w, s);
	ReportAccess(&w, s);
	EnrollJwString(&w, "course", s->course_shortname);
	EnrollJwString(&w, "status", s->nproblems > 0 ? "invalid" : "done");
	ReportRemoved(&w, s);
	ReportAccounts(&w, s, full);
	EnrollJwInt(&w, "operator", req->operator);
	if (req->dry_run)
		ReportProblems(&w, s);
	EnrollJwBeginArray(&w, "warnings", s->warning ? 1 : 0);
	if (s->warning)
		EnrollJwString(&w, NULL, s->warning);
	EnrollJwEnd(&w);
	ReportEnrollments(&w, s, full);
	if (full)
		EnrollJwInt(&w, "kept_licenses", s->nkept);
	EnrollJwInt(&w, "delegated_roles", s->nroles);
	if (full)
		EnrollJwInt(&w, "superseded_licenses", s->nsuper);
	EnrollJwInt(&w, "support_enrollments", s->nsupport);
	EnrollJwEnd(&w);
	return EnrollJwFinish(&w);
}

/* the compression method of enroll.purchase_order.report (as ALTER TABLE set it) */
static char
ReportCompression(void)
{
	Oid			rel = get_relname_relid("purchase_order", get_namespace_oid("enroll", false));
	HeapTuple	tup = SearchSysCacheAttName(rel, "report");
	char		method;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "column \"report\" of enroll.purchase_order not found");
	method = ((Form_pg_attribute) GETSTRUCT(tup))->attcompression;
	ReleaseSysCache(tup);
	return method;				/* InvalidCompressionMethod: the default */
}

/*
 * The report as a parameter of the UPDATE that stores it: a large one
 * compressed already, as PostgreSQL would store it (it compresses the
 * largest value of a row above TOAST_TUPLE_THRESHOLD, and the report is far
 * above).  Given the report itself, the UPDATE would build the new row with
 * a full copy of it inside before compressing that: 20 MB more for 100,000
 * participants.  A compressed value is a valid jsonb datum; what is stored
 * and read back is the same.
 */
static Datum
ReportToStore(Jsonb *report)
{
	Datum		compressed;

	if (VARSIZE(report) < REPORT_COMPRESS_MIN)
		return JsonbPGetDatum(report);
	compressed = toast_compress_datum(JsonbPGetDatum(report), ReportCompression());
	return DatumGetPointer(compressed) != NULL ? compressed : JsonbPGetDatum(report);
}

/*
 * Store the request and the operator's report on the order, and its event.
 * With done, the caller needs the report no more: it is freed, as soon as
 * it has been compressed.
 */
static void
StoreReport(Session *s, Jsonb *report, bool done)
{
	Datum		args[4];
	bool		compressed;

	args[0] = Int64GetDatum(s->order_id);
	args[1] = JsonbPGetDatum(s->request_json);
	args[2] = ReportToStore(report);
	args[3] = TimestampTzGetDatum(s->now);
	compressed = DatumGetPointer(args[2]) != (Pointer) report;
	if (done && compressed)
		pfree(report);
	EnrollExecute(&plan_order_update, args, NULL, false, 0, SPI_OK_UPDATE);
	if (compressed)
		pfree(DatumGetPointer(args[2]));
	else if (done)
		pfree(report);
	EnrollLogEvent("purchase_order.setup", "purchase_order", s->order_id,
				   EnrollJsonbf("{\"new_participants\": %d, \"group_created\": %s}",
								s->nnew, s->group_created ? "true" : "false"));
}

/*
 * object || mark (jsonb_concat), in the memory context cxt; mark is the
 * text of a small object.
 */
static Jsonb *
Marked(Jsonb *object, const char *mark, MemoryContext cxt)
{
	Jsonb	   *m = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(mark)));
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Jsonb	   *result = EnrollJsonbConcat(object, m);

	MemoryContextSwitchTo(old);
	return result;
}

/* The stored report marked already_done, in the memory context cxt. */
static Jsonb *
AlreadyDone(Datum stored, MemoryContext cxt)
{
	return Marked(DatumGetJsonbP(stored), "{\"status\": \"already_done\"}", cxt);
}

/* The report (see BuildReport), in the memory context cxt. */
static Jsonb *
ReportIn(MemoryContext cxt, const Session *s, bool full)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Jsonb	   *report = BuildReport(s, full);

	MemoryContextSwitchTo(old);
	return report;
}

/*
 * The setup, step by step (SPI connected).  The answer is allocated in the
 * memory context result_cxt: a report of 100,000 participants takes about
 * 20 MB, not to be built twice or copied.
 */
static Jsonb *
SetupSession(SessionRequest *req, int64 actor, MemoryContext result_cxt, int *participants)
{
	Session		s;
	Jsonb	   *report;
	Datum		stored;
	bool		has_report;

	memset(&s, 0, sizeof(s));
	s.req = req;
	s.cxt = CurrentMemoryContext;
	s.actor = actor;
	s.actor_is_admin = EnrollActorIsAdmin();
	s.now = EnrollClockNow();

	EnrollProgressBegin(psprintf("setup_course_session \"%s\"", EnrollQuotable(req->order_ref)));
	ReadOffer(&s);
	CheckOperator(&s);
	ResolveRoles(&s);
	s.parts = EnrollReadParticipants(req->participants, &s.n,
									 req->dry_run ? &s.problems : NULL, &s.nproblems);
	EnrollProgress("participants read", s.n);
	*participants = s.n;
	stored = ClaimOrder(&s, &has_report);
	/* read and digested: a copy detoasted for the call (12 MB for 100,000) goes */
	if (req->participants_copy)
		pfree(req->participants);
	req->participants = NULL;
	FindGroup(&s);
	ResolveAccounts(&s);
	EnrollProgress("accounts found or created", s.n);
	SplitNew(&s);

	/* nothing new: the order is done, the stored report is the answer */
	if (s.nnew == 0 && s.nproblems == 0 && has_report)
		return AlreadyDone(stored, result_cxt);

	/*
	 * Checked once there is work to do, so that retrying an order that is
	 * already done still answers already_done after the offer has closed.
	 */
	EnrollRequireOfferActive(s.code, s.valid_from, s.valid_until, s.now);
	CheckSeats(&s);
	if (s.nnew > 0)
		WriteNewParticipants(&s);

	/* the operator's report is stored; a system admin is answered the full one */
	if (!s.actor_is_admin)
	{
		report = ReportIn(result_cxt, &s, false);
		StoreReport(&s, report, false);
		return report;
	}
	StoreReport(&s, BuildReport(&s, false), true);
	return ReportIn(result_cxt, &s, true);
}

/*
 * Check who calls, then run the setup, inside a subtransaction that is
 * rolled back for a dry run.
 */
static Datum
SetupSessionEntry(SessionRequest *req)
{
	int64		actor = EnrollRequireAccount();
	MemoryContext caller = CurrentMemoryContext;
	EnrollSubxact sx;
	Jsonb	   *report;
	volatile Datum result = (Datum) 0;
	int			participants = 0;

	EnrollRequireSchema();

	/* the e-mail normalizer and the URL parser work on UTF-8 */
	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("enroll.setup_course_session requires a UTF8 database"),
				 errdetail("This database uses encoding \"%s\".", GetDatabaseEncodingName())));
	EnrollCheckOrderRef(req->order_ref);
	if (req->seats <= 0 || req->seats > ENROLL_MAX_PARTICIPANTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("seats must be from 1 to %d, not %d", ENROLL_MAX_PARTICIPANTS, req->seats)));
	if (actor != req->operator && !EnrollActorIsAdmin())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to set up a session for operator %lld", (long long) req->operator),
				 errdetail("Only the operator or a system administrator may do this.")));

	if (req->dry_run)
		EnrollSubxactBegin(&sx);
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		/* the report is made in the caller's memory: SPI and the subtransaction go */
		report = SetupSession(req, actor, caller, &participants);
		if (req->dry_run)
		{
			Jsonb	   *marked = Marked(report, "{\"dry_run\": true}", caller);

			pfree(report);
			report = marked;
		}
		result = JsonbPGetDatum(report);
		SPI_finish();
		ReleaseFreedMemory(participants);
	}
	PG_CATCH();
	{
		/* a failing dry run closes its own subtransaction (see spi_util.c) */
		if (req->dry_run)
			ReThrowError(EnrollSubxactCatch(&sx));
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (req->dry_run)
		EnrollSubxactRollback(&sx);
	return result;
}

PG_FUNCTION_INFO_V1(setup_course_session);
/*
 * enroll.setup_course_session(order_ref text, offer bigint, operator bigint,
 * seats integer, participants jsonb, dry_run boolean, accept_condition
 * boolean) -> jsonb
 */
Datum
setup_course_session(PG_FUNCTION_ARGS)
{
	SessionRequest req;

	for (int i = 0; i < 5; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("order_ref, offer, operator, seats and participants must not be null")));
	req.order_ref = text_to_cstring(PG_GETARG_TEXT_PP(0));
	req.offer = PG_GETARG_INT64(1);
	req.operator = PG_GETARG_INT64(2);
	req.seats = PG_GETARG_INT32(3);
	req.participants = PG_GETARG_JSONB_P(4);
	req.participants_copy = (Pointer) req.participants != PG_GETARG_POINTER(4);
	if (PG_ARGISNULL(5) || (PG_NARGS() > 6 && PG_ARGISNULL(6)))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("dry_run and accept_condition must not be null")));
	req.dry_run = PG_GETARG_BOOL(5);
	req.accept_condition = PG_NARGS() > 6 && PG_GETARG_BOOL(6);
	PG_RETURN_DATUM(SetupSessionEntry(&req));
}

PG_FUNCTION_INFO_V1(setup_course_session_params);
/*
 * enroll.setup_course_session(params text, participants jsonb, dry_run,
 * accept_condition) -> jsonb, where params is
 * "order=...&offer=...&operator=...&seats=..."
 */
Datum
setup_course_session_params(PG_FUNCTION_ARGS)
{
	SessionRequest req;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("params and participants must not be null")));
	EnrollParseSessionCall(text_to_cstring(PG_GETARG_TEXT_PP(0)), &req);
	req.participants = PG_GETARG_JSONB_P(1);
	req.participants_copy = (Pointer) req.participants != PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(2) || (PG_NARGS() > 3 && PG_ARGISNULL(3)))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("dry_run and accept_condition must not be null")));
	req.dry_run = PG_GETARG_BOOL(2);
	req.accept_condition = PG_NARGS() > 3 && PG_GETARG_BOOL(3);
	PG_RETURN_DATUM(SetupSessionEntry(&req));
}

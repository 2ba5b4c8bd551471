/*-------------------------------------------------------------------------
 * session.c
 *	  enroll.setup_course_session(): one call sets up a whole training
 *	  session bought by an operator (S1): accounts, the order's group,
 *	  enrollments, licenses and the cross delegated roles, all or nothing.
 *
 * The work is split in two:
 *	 - C validates and normalizes everything first (parameters with the pure
 *	   C URL parser, every participant's e-mail with the pure C normalizer,
 *	   duplicates through a hash table), with a per-row memory context and
 *	   CHECK_FOR_INTERRUPTS, so that a bad participant is reported with its
 *	   index and address before anything is written;
 *	 - then a fixed number of set-based statements, each taking arrays, write
 *	   the rows: the cost is linear in the participants and no statement
 *	   re-scans the list.  Each statement obeys statement_timeout.
 *
 * Locks, in the order every writer uses (offer, holder, membership,
 * license): the offer FOR SHARE (an order racing the offer's closing), the
 * purchase order row (a second call with the same order waits, then finds
 * the work done), new accounts through the unique e-mail index in sorted
 * order (two orders naming the same unknown address create one account),
 * then the participants' account rows FOR NO KEY UPDATE in id order before
 * their current licenses are superseded (S2.23).
 *
 * dry_run runs everything inside a subtransaction that is rolled back, so
 * the report is the real one and no row is left behind.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "email.h"
#include "pg_enroll.h"
#include "urlparams.h"

/* longest order reference accepted (it is an index key and a group idnumber) */
#define ENROLL_ORDER_REF_MAX 200
/* longest first or last name (CHECK account_firstname_length/lastname_length) */
#define ENROLL_NAME_MAX 200

/* one participant, validated */
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

/* what the offer's handler_params say (S1.9-S1.11) */
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

/* the call's arguments */
typedef struct SessionRequest
{
	char	   *order_ref;
	int64		offer;
	int64		operator;
	int32		seats;
	Jsonb	   *participants;
	bool		dry_run;
} SessionRequest;

/* ------------------------------------------------------------------------
 * Prepared statements
 * ------------------------------------------------------------------------
 */
static EnrollPlan plan_offer = {
	"SELECT o.code, o.course_id, c.shortname, o.valid_from, o.valid_until,"
	"       o.recipient_kind OPERATOR(pg_catalog.=) 'person', o.handler_params,"
	"       EXISTS (SELECT FROM enroll.offer_registrar_type t"
	"                WHERE t.offer_id OPERATOR(pg_catalog.=) o.id),"
	"       o.required_level::text,"
	"       o.visibility OPERATOR(pg_catalog.=) 'public' OR EXISTS ("
	"           SELECT FROM enroll.offer_recipient r WHERE r.offer_id OPERATOR(pg_catalog.=) o.id"
	"              AND r.account_id OPERATOR(pg_catalog.=) $2)"
	"  FROM enroll.offer o JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) o.course_id"
	" WHERE o.id OPERATOR(pg_catalog.=) $1 FOR SHARE OF o",
	2, {INT8OID, INT8OID}
};

static EnrollPlan plan_operator = {
	"SELECT a.profile_level OPERATOR(pg_catalog.>=) o.required_level, a.profile_level::text"
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

static EnrollPlan plan_order_lock = {
	"SELECT id, operator_id, offer_id, seats, report FROM enroll.purchase_order"
	" WHERE order_ref OPERATOR(pg_catalog.=) $1 FOR UPDATE",
	1, {TEXTOID}
};

static EnrollPlan plan_order_insert = {
	"INSERT INTO enroll.purchase_order (order_ref, operator_id, offer_id, seats, request, created_at, updated_at)"
	" VALUES ($1, $2, $3, $4, $5, $6, $6)"
	" ON CONFLICT (order_ref) DO NOTHING RETURNING id",
	6, {TEXTOID, INT8OID, INT8OID, INT4OID, JSONBOID, TIMESTAMPTZOID}
};

static EnrollPlan plan_order_update = {
	"UPDATE enroll.purchase_order SET request = $2, report = $3, updated_at = $4"
	" WHERE id OPERATOR(pg_catalog.=) $1",
	4, {INT8OID, JSONBOID, JSONBOID, TIMESTAMPTZOID}
};

static EnrollPlan plan_group = {
	"WITH ins AS (INSERT INTO enroll.course_group (course_id, idnumber, name, created_at)"
	"             VALUES ($1, $2, $3, $4)"
	"             ON CONFLICT (course_id, idnumber) DO NOTHING RETURNING id)"
	"SELECT id, true FROM ins"
	" UNION ALL "
	"SELECT g.id, false FROM enroll.course_group g"
	" WHERE g.course_id OPERATOR(pg_catalog.=) $1 AND g.idnumber OPERATOR(pg_catalog.=) $2",
	4, {INT8OID, TEXTOID, TEXTOID, TIMESTAMPTZOID}
};

/* participants in its group: those already set up by earlier calls */
static EnrollPlan plan_group_members = {
	"SELECT account_id FROM enroll.group_member WHERE group_id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

/* S1.5: accounts only for unknown addresses, in key order (no deadlock) */
static EnrollPlan plan_accounts_insert = {
	"INSERT INTO enroll.account (email, firstname, lastname, created_at)"
	" SELECT p.email, p.firstname, p.lastname, $5"
	"   FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[]), pg_catalog.unnest($3::text[]), pg_catalog.unnest($4::text[]))"
	"        AS p(email, firstname, lastname, key)"
	"  ORDER BY p.key"
	" ON CONFLICT ((enroll.email_key(email))) DO NOTHING"
	" RETURNING id",
	5, {TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPTZOID}
};

static EnrollPlan plan_accounts_find = {
	"SELECT k.ord, a.id, a.email FROM pg_catalog.unnest($1::text[]) WITH ORDINALITY AS k(key, ord)"
	"  JOIN enroll.account a ON enroll.email_key(a.email) OPERATOR(pg_catalog.=) k.key",
	1, {TEXTARRAYOID}
};

static EnrollPlan plan_accounts_lock = {
	"SELECT id FROM enroll.account WHERE id OPERATOR(pg_catalog.=) ANY ($1)"
	" ORDER BY id FOR NO KEY UPDATE",
	1, {INT8ARRAYOID}
};

static EnrollPlan plan_license_ids = {
	"SELECT pg_catalog.nextval('enroll.license_id_seq'::pg_catalog.regclass)"
	"  FROM pg_catalog.generate_series(1, $1)",
	1, {INT4OID}
};

/* S2.23: the participants' current licenses for the course end */
static EnrollPlan plan_supersede = {
	"UPDATE enroll.license l SET ended_at = $3, end_reason = 'superseded', superseded_by = n.new_id"
	"  FROM ROWS FROM (pg_catalog.unnest($1::bigint[]), pg_catalog.unnest($2::bigint[])) AS n(account_id, new_id)"
	" WHERE l.account_id OPERATOR(pg_catalog.=) n.account_id"
	"   AND l.course_id OPERATOR(pg_catalog.=) $4 AND l.ended_at IS NULL"
	" RETURNING l.id",
	4, {INT8ARRAYOID, INT8ARRAYOID, TIMESTAMPTZOID, INT8OID}
};

static EnrollPlan plan_licenses_insert = {
	"INSERT INTO enroll.license (id, offer_id, course_id, holder_kind, account_id,"
	"   accepted_by, accepted_via, accepted_at, accepted_condition, price_paid, currency,"
	"   access_from, access_until, documents_due_at, order_ref)"
	" SELECT n.new_id, o.id, o.course_id, 'person'::enroll.holder_kind, n.account_id, $3, 'operator'::enroll.acceptance_mode, $4,"
	"        o.extra_condition, o.price, o.currency, $4, $4 OPERATOR(pg_catalog.+) o.access_period,"
	"        $4 OPERATOR(pg_catalog.+) o.documents_grace, $5"
	"   FROM ROWS FROM (pg_catalog.unnest($1::bigint[]), pg_catalog.unnest($2::bigint[])) AS n(account_id, new_id),"
	"        enroll.offer o WHERE o.id OPERATOR(pg_catalog.=) $6",
	6, {INT8ARRAYOID, INT8ARRAYOID, INT8OID, TIMESTAMPTZOID, TEXTOID, INT8OID}
};

static EnrollPlan plan_enrollments = {
	"INSERT INTO enroll.enrollment AS e (course_id, account_id, role_id, group_id, time_start,"
	"   time_end, order_ref, license_id, created_at)"
	" SELECT $1, n.account_id, n.role_id, $2, $3, $4, $5, n.license_id, $6"
	"   FROM ROWS FROM (pg_catalog.unnest($7::bigint[]), pg_catalog.unnest($8::bigint[]), pg_catalog.unnest($9::bigint[])) AS n(account_id, role_id, license_id)"
	" ON CONFLICT (course_id, account_id) DO UPDATE SET role_id = excluded.role_id,"
	"   group_id = excluded.group_id, time_start = excluded.time_start,"
	"   time_end = excluded.time_end, order_ref = excluded.order_ref,"
	"   license_id = excluded.license_id"
	" RETURNING e.id",
	9, {INT8OID, INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, TIMESTAMPTZOID,
	INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID}
};

static EnrollPlan plan_group_members_insert = {
	"INSERT INTO enroll.group_member (group_id, account_id, added_at)"
	" SELECT $1, a, $3 FROM pg_catalog.unnest($2::bigint[]) AS a"
	" ON CONFLICT DO NOTHING",
	3, {INT8OID, INT8ARRAYOID, TIMESTAMPTZOID}
};

/* S1.6: operator manages each participant, each participant is managed by the operator */
static EnrollPlan plan_cross_roles = {
	"INSERT INTO enroll.role_assignment (role_id, account_id, context_level, context_id,"
	"   assigned_at, assigned_by, order_ref)"
	" SELECT $1, $3, 'user'::enroll.context_level, p, $5, $3, $6 FROM pg_catalog.unnest($4::bigint[]) AS p"
	"  WHERE p OPERATOR(pg_catalog.<>) $3"
	" UNION ALL"
	" SELECT $2, p, 'user'::enroll.context_level, $3, $5, $3, $6 FROM pg_catalog.unnest($4::bigint[]) AS p"
	"  WHERE p OPERATOR(pg_catalog.<>) $3"
	" ON CONFLICT ON CONSTRAINT role_assignment_key DO NOTHING"
	" RETURNING id",
	6, {INT8OID, INT8OID, INT8OID, INT8ARRAYOID, TIMESTAMPTZOID, TEXTOID}
};

/* S1.7: the customer-support course */
static EnrollPlan plan_support = {
	"INSERT INTO enroll.enrollment (course_id, account_id, role_id, order_ref, created_at)"
	" SELECT $1, a, $3, $4, $5 FROM pg_catalog.unnest($2::bigint[]) AS a"
	" ON CONFLICT (course_id, account_id) DO NOTHING RETURNING id",
	5, {INT8OID, INT8ARRAYOID, INT8OID, TEXTOID, TIMESTAMPTZOID}
};

/* one event per changed row, written in one statement per kind */
static EnrollPlan plan_events = {
	"INSERT INTO enroll.event (at, account_id, db_role, what, table_name, row_id, details)"
	" SELECT $1, $2, $3, $4, $5, r, $7 FROM pg_catalog.unnest($6::bigint[]) AS r",
	7, {TIMESTAMPTZOID, INT8OID, NAMEOID, TEXTOID, TEXTOID, INT8ARRAYOID, JSONBOID}
};

/* the participants as text columns, with shape problems spelled out */
static EnrollPlan plan_participants = {
	"SELECT p.ord::int4, pg_catalog.jsonb_typeof(p.e),"
	"       pg_catalog.jsonb_typeof(p.e -> 'email'), p.e ->> 'email',"
	"       pg_catalog.jsonb_typeof(p.e -> 'firstname'), p.e ->> 'firstname',"
	"       pg_catalog.jsonb_typeof(p.e -> 'lastname'), p.e ->> 'lastname',"
	"       pg_catalog.jsonb_typeof(p.e -> 'role'), p.e ->> 'role',"
	"       (SELECT pg_catalog.string_agg(k, ', ' ORDER BY k)"
	"          FROM pg_catalog.jsonb_object_keys(CASE WHEN pg_catalog.jsonb_typeof(p.e) OPERATOR(pg_catalog.=) 'object'"
	"                                                 THEN p.e ELSE '{}' END) AS k"
	"         WHERE k OPERATOR(pg_catalog.<>) ALL ('{email,firstname,lastname,role}'::text[]))"
	"  FROM pg_catalog.jsonb_array_elements($1) WITH ORDINALITY AS p(e, ord)"
	" ORDER BY p.ord",
	1, {JSONBOID}
};

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------
 */

/* allocator handed to the pure C parser */
static void *
PallocInContext(void *ctx, size_t size)
{
	return MemoryContextAllocExtended((MemoryContext) ctx, size, MCXT_ALLOC_NO_OOM);
}

/* text column of row `row` of the last SPI result, or NULL */
static char *
Text(uint64 row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

/* int8 column of row 0 */
static int64
Int8(uint64 row, int col)
{
	bool		isnull;

	return DatumGetInt64(EnrollGetDatum(row, col, &isnull));
}

/* an array datum of int8 or text values */
static Datum
Int8Array(int64 *values, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = Int64GetDatum(values[i]);
	return PointerGetDatum(construct_array(d, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static Datum
TextArray(char **values, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = CStringGetTextDatum(values[i]);
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* id of a role by short name, 0 if unknown */
static int64
RoleId(const char *shortname)
{
	Datum		arg = CStringGetTextDatum(shortname);

	if (EnrollExecute(&plan_role, &arg, NULL, true, 1, SPI_OK_SELECT) == 0)
		return 0;
	return Int8(0, 1);
}

/* a Unix timestamp parameter (S1.10) */
static TimestampTz
UnixParam(const char *key, const char *value)
{
	long long	secs;

	if (!urlparam_parse_int64(value, &secs) ||
		secs < -210866803200LL || secs > 9224318015999LL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("handler parameter \"%s\" is not a Unix timestamp: \"%s\"", key, value),
				 errhint("Give seconds since 1970-01-01 00:00 UTC, e.g. %s=1767225600.", key)));
	return DatumGetTimestampTz(DirectFunctionCall1(float8_timestamptz, Float8GetDatum((double) secs)));
}

/* Parse the offer's handler_params (S1.9-S1.11) with the pure C parser. */
static void
ParseHandlerParams(const char *code, const char *text, SessionParams *sp)
{
	static const UrlParamSpec specs[] = {
		{"coursename", 1}, {"supervisor", 0}, {"customersupport", 0},
		{"starttime", 0}, {"endtime", 0}
	};
	UrlParamResult res;
	const UrlParam *p;

	memset(sp, 0, sizeof(*sp));
	if (text == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("offer \"%s\" is not a session offer", code),
				 errdetail("Its handler_params are empty."),
				 errhint("Set handler_params to at least coursename=<course short name>.")));
	if (urlparam_parse(text, strlen(text), specs, lengthof(specs),
					   PallocInContext, CurrentMemoryContext, &res) != URLPARAM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid handler_params of offer \"%s\": %s", code, urlparam_strerror(res.error)),
				 res.error_key[0] ? errdetail("Key \"%s\", at byte %zu.", res.error_key, res.error_offset)
				 : errdetail("At byte %zu.", res.error_offset),
				 errhint("Keys: coursename (required), supervisor, customersupport, starttime, endtime.")));
	sp->coursename = urlparam_find(&res, "coursename")->value;
	p = urlparam_find(&res, "supervisor");
	sp->supervisor = (p && p->value_len > 0) ? p->value : "teacher";
	p = urlparam_find(&res, "customersupport");
	sp->customersupport = (p && p->value_len > 0) ? p->value : NULL;
	p = urlparam_find(&res, "starttime");
	if (p && p->value_len > 0)
	{
		sp->has_start = true;
		sp->starttime = UnixParam("starttime", p->value);
	}
	p = urlparam_find(&res, "endtime");
	if (p && p->value_len > 0)
	{
		sp->has_end = true;
		sp->endtime = UnixParam("endtime", p->value);
	}
	if (sp->has_start && sp->has_end && sp->endtime <= sp->starttime)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("handler parameter \"endtime\" of offer \"%s\" is not after \"starttime\"", code)));
}

PG_FUNCTION_INFO_V1(check_handler_params);
/*
 * enroll.check_handler_params(code, params, course_shortname): the same
 * checks setup_course_session makes of an offer's handler_params (S1.9-S1.11),
 * run when the offer is created or edited so that a bad string is refused
 * then rather than at the first purchase.  Role and support course are
 * looked up at setup time, when they matter.
 */
Datum
check_handler_params(PG_FUNCTION_ARGS)
{
	SessionParams sp;
	char	   *code = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *course = text_to_cstring(PG_GETARG_TEXT_PP(2));

	ParseHandlerParams(code, text_to_cstring(PG_GETARG_TEXT_PP(1)), &sp);
	if (strcmp(sp.coursename, course) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("handler parameter coursename \"%s\" does not name the course of offer \"%s\"",
						EnrollQuotable(sp.coursename), code),
				 errdetail("The offer is for course \"%s\".", course)));
	PG_RETURN_VOID();
}

/* report a bad participant, naming its index (1-based) and address */
static void
pg_attribute_noreturn()
BadParticipant(int index, const char *email, const char *msg)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid participant: %s", msg),
			 errdetail("Participant %d, address \"%s\".", index, email ? EnrollQuotable(email) : ""),
			 errhint("Each participant is {\"email\": text, \"firstname\": text, \"lastname\": text, \"role\": \"learner\" or \"tutor\"}.")));
}

/* hash entry: e-mail key -> 1-based index of its first participant */
typedef struct KeyEntry
{
	char		key[EMAIL_BUFSIZE];
	int			index;
} KeyEntry;

/*
 * Validate and normalize the participant list.  Linear: one pass, a hash
 * table for duplicates, a per-row memory context for the scratch work.
 */
static Participant *
ReadParticipants(Jsonb *list, int *count)
{
	Participant *parts;
	HTAB	   *seen;
	HASHCTL		ctl;
	MemoryContext row_cxt;
	MemoryContext keep_cxt = CurrentMemoryContext;
	uint64		n;

	if (!JB_ROOT_IS_ARRAY(list) || JB_ROOT_IS_SCALAR(list))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("participants must be a JSON array"),
				 errhint("Pass [{\"email\": ..., \"firstname\": ..., \"lastname\": ..., \"role\": \"learner\"}, ...].")));

	n = EnrollExecute(&plan_participants, (Datum[]) {JsonbPGetDatum(list)}, NULL, true, 0, SPI_OK_SELECT);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("participants must not be empty")));

	parts = palloc0(sizeof(Participant) * n);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = EMAIL_BUFSIZE;
	ctl.entrysize = sizeof(KeyEntry);
	ctl.hcxt = CurrentMemoryContext;
	seen = hash_create("pg_enroll participants", n, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	row_cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_enroll participant",
									ALLOCSET_SMALL_SIZES);

	for (uint64 i = 0; i < n; i++)
	{
		int			index = (int) (i + 1);
		char	   *type = Text(i, 2);
		char	   *email = Text(i, 4);
		char	   *role = Text(i, 10);
		char	   *extra = Text(i, 11);
		char	   *types[3] = {Text(i, 3), Text(i, 5), Text(i, 7)};
		char		norm[EMAIL_BUFSIZE];
		char		key[EMAIL_BUFSIZE];
		size_t		normlen;
		EmailError	err;
		KeyEntry   *entry;
		bool		found;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(row_cxt);

		if (strcmp(type, "object") != 0)
			BadParticipant(index, NULL, psprintf("expected a JSON object, got %s", type));
		if (extra != NULL)
			BadParticipant(index, email, psprintf("unknown key(s): %s", EnrollQuotable(extra)));
		if (types[0] == NULL || strcmp(types[0], "string") != 0)
			BadParticipant(index, email, "\"email\" must be a string");
		if ((types[1] && strcmp(types[1], "string") != 0 && strcmp(types[1], "null") != 0) ||
			(types[2] && strcmp(types[2], "string") != 0 && strcmp(types[2], "null") != 0))
			BadParticipant(index, email, "\"firstname\" and \"lastname\" must be strings");
		if (role != NULL && strcmp(role, "learner") != 0 && strcmp(role, "tutor") != 0)
			BadParticipant(index, email, psprintf("\"role\" must be \"learner\" or \"tutor\", not \"%s\"", EnrollQuotable(role)));

		if ((types[1] && strcmp(types[1], "string") == 0 && pg_mbstrlen(Text(i, 6)) > ENROLL_NAME_MAX) ||
			(types[2] && strcmp(types[2], "string") == 0 && pg_mbstrlen(Text(i, 8)) > ENROLL_NAME_MAX))
			BadParticipant(index, email, psprintf("\"firstname\" and \"lastname\" have at most %d characters",
												  ENROLL_NAME_MAX));

		err = email_normalize(email, strlen(email), norm, sizeof(norm), &normlen);
		if (err != EMAIL_OK)
			BadParticipant(index, email, psprintf("invalid e-mail address: %s", email_strerror(err)));
		email_key(norm, normlen, key, sizeof(key));

		entry = (KeyEntry *) hash_search(seen, key, HASH_ENTER, &found);
		if (found)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("participant %d appears twice in the list", index),
					 errdetail("Participant %d, address \"%s\", has the same address as participant %d.",
							   index, EnrollQuotable(email), entry->index),
					 errhint("Addresses are compared case- and space-insensitively; list each person once.")));
		entry->index = index;

		MemoryContextSwitchTo(keep_cxt);
		parts[i].email = pstrdup(norm);
		parts[i].key = pstrdup(key);
		parts[i].firstname = pstrdup(types[1] && strcmp(types[1], "string") == 0 ? Text(i, 6) : "");
		parts[i].lastname = pstrdup(types[2] && strcmp(types[2], "string") == 0 ? Text(i, 8) : "");
		parts[i].tutor = role != NULL && strcmp(role, "tutor") == 0;
		MemoryContextSwitchTo(old);
		MemoryContextReset(row_cxt);
		MemoryContextSwitchTo(keep_cxt);
	}
	MemoryContextDelete(row_cxt);
	hash_destroy(seen);
	*count = (int) n;
	return parts;
}

/* write one event per row id, in one statement */
static void
LogEvents(TimestampTz now, int64 actor, const char *what, const char *table,
		  int64 *ids, int n, Jsonb *details)
{
	Datum		args[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};

	if (n == 0)
		return;
	args[0] = TimestampTzGetDatum(now);
	args[1] = Int64GetDatum(actor);
	args[2] = DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(GetOuterUserId(), false)));
	args[3] = CStringGetTextDatum(what);
	args[4] = CStringGetTextDatum(table);
	args[5] = Int8Array(ids, n);
	args[6] = JsonbPGetDatum(details);
	EnrollExecute(&plan_events, args, nulls, false, 0, SPI_OK_INSERT);
}

/* event details naming the order: {"order": "<ref>"} */
static Jsonb *
OrderDetails(const char *order_ref)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"order\": ");
	escape_json(&buf, order_ref);
	appendStringInfoChar(&buf, '}');
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/* ids returned by the last statement, column 1 */
static int64 *
ReturnedIds(int *n)
{
	int64	   *ids = palloc(sizeof(int64) * Max(SPI_processed, 1));

	for (uint64 i = 0; i < SPI_processed; i++)
		ids[i] = Int8(i, 1);
	*n = (int) SPI_processed;
	return ids;
}

/* ------------------------------------------------------------------------
 * The setup itself
 * ------------------------------------------------------------------------
 */
static Jsonb *
SetupSession(SessionRequest *req, int64 actor)
{
	TimestampTz now = EnrollClockNow();
	char	   *code;
	int64		course_id;
	char	   *course_shortname;
	TimestampTz valid_from,
				valid_until;
	SessionParams sp;
	int64		student_role,
				tutor_role,
				manager_role,
				user_role;
	int64		support_course = 0;
	int64		order_id;
	int64		group_id;
	bool		group_created;
	Participant *parts;
	int			n,
				nnew = 0,
				nexisting;
	Datum		args[10];
	char		nulls[10];
	bool		isnull;
	Jsonb	   *request_json;
	Jsonb	   *details;
	JsonbParseState *st = NULL;
	JsonbValue *res;
	int			nsuper = 0;
	int64	   *superseded = NULL;
	char	   *warning = NULL;
	int			nroles = 0;
	int			nsupport = 0;

	memset(nulls, ' ', sizeof(nulls));

	/* the offer, locked against a concurrent closing (S2.5) */
	args[0] = Int64GetDatum(req->offer);
	args[1] = Int64GetDatum(req->operator);
	if (EnrollExecute(&plan_offer, args, NULL, false, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_OFFER),
				 errmsg("offer %lld does not exist", (long long) req->offer)));
	code = Text(0, 1);
	course_id = Int8(0, 2);
	course_shortname = Text(0, 3);
	valid_from = DatumGetTimestampTz(EnrollGetDatum(0, 4, &isnull));
	valid_until = DatumGetTimestampTz(EnrollGetDatum(0, 5, &isnull));
	if (!DatumGetBool(EnrollGetDatum(0, 10, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_OFFER_NOT_ACCEPTABLE),
				 errmsg("offer \"%s\" is not addressed to operator %lld", code, (long long) req->operator),
				 errdetail("A private offer can only be accepted by its addressees (S2.7).")));
	if (!DatumGetBool(EnrollGetDatum(0, 6, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_HOLDER_KIND),
				 errmsg("offer \"%s\" is for organizations, not for session participants", code)));
	if (DatumGetBool(EnrollGetDatum(0, 8, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("offer \"%s\" requires a registrar organization and cannot set up sessions", code),
				 errhint("Session offers are bought by an operator for others; remove the offer's registrar types.")));
	ParseHandlerParams(code, Text(0, 7), &sp);
	if (strcmp(sp.coursename, course_shortname) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("handler parameter coursename \"%s\" does not name the course of offer \"%s\"",
						sp.coursename, code),
				 errdetail("The offer is for course \"%s\".", course_shortname)));

	/* the operator exists and has the profile level the offer needs (S2.11) */
	args[0] = Int64GetDatum(req->operator);
	args[1] = Int64GetDatum(req->offer);
	if (EnrollExecute(&plan_operator, args, NULL, true, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_ACCOUNT),
				 errmsg("operator account %lld does not exist", (long long) req->operator)));
	if (!DatumGetBool(EnrollGetDatum(0, 1, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_PROFILE_LEVEL),
				 errmsg("offer \"%s\" requires a higher profile level of the operator", code),
				 errdetail("The operator has profile level \"%s\".", Text(0, 2)),
				 errhint("The operator supplies the data with enroll.upgrade_profile first.")));

	/* roles (S1.9) and the support course (S1.7) */
	student_role = RoleId("student");
	tutor_role = RoleId(sp.supervisor);
	manager_role = RoleId("delegated_manager");
	user_role = RoleId("delegated_user");
	if (tutor_role == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("role \"%s\" named by handler parameter supervisor does not exist", sp.supervisor),
				 errhint("Create the role in enroll.role or fix the offer's handler_params.")));
	if (student_role == 0 || manager_role == 0 || user_role == 0)
		elog(ERROR, "seeded roles of enroll.role are missing");
	if (sp.customersupport != NULL)
	{
		args[0] = CStringGetTextDatum(sp.customersupport);
		if (EnrollExecute(&plan_course, args, NULL, true, 1, SPI_OK_SELECT) > 0)
			support_course = Int8(0, 1);
		else
			warning = psprintf("customer-support course \"%s\" does not exist: no support enrollments",
							   EnrollQuotable(sp.customersupport));
	}

	/* the participants, validated before anything is written */
	parts = ReadParticipants(req->participants, &n);

	/* the purchase order: a second call with this reference waits here */
	{
		JsonbParseState *rs = NULL;

		pushJsonbValue(&rs, WJB_BEGIN_OBJECT, NULL);
		EnrollJsonString(&rs, "order", req->order_ref);
		EnrollJsonInt(&rs, "offer", req->offer, false);
		EnrollJsonInt(&rs, "operator", req->operator, false);
		EnrollJsonInt(&rs, "seats", req->seats, false);
		EnrollJsonJsonb(&rs, "participants", JsonbPGetDatum(req->participants), false);
		request_json = JsonbValueToJsonb(pushJsonbValue(&rs, WJB_END_OBJECT, NULL));
	}
	args[0] = CStringGetTextDatum(req->order_ref);
	args[1] = Int64GetDatum(req->operator);
	args[2] = Int64GetDatum(req->offer);
	args[3] = Int32GetDatum(req->seats);
	args[4] = JsonbPGetDatum(request_json);
	args[5] = TimestampTzGetDatum(now);
	EnrollExecute(&plan_order_insert, args, NULL, false, 1, SPI_OK_INSERT_RETURNING);
	if (EnrollExecute(&plan_order_lock, args, NULL, false, 1, SPI_OK_SELECT) == 0)
		elog(ERROR, "purchase order \"%s\" vanished", req->order_ref);
	order_id = Int8(0, 1);
	if (Int8(0, 2) != req->operator || Int8(0, 3) != req->offer ||
		DatumGetInt32(EnrollGetDatum(0, 4, &isnull)) != req->seats)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_ORDER_CONFLICT),
				 errmsg("order \"%s\" was placed with another offer, operator or seat count", req->order_ref),
				 errdetail("Stored: offer %lld, operator %lld, %d seats; this call: offer %lld, operator %lld, %d seats.",
						   (long long) Int8(0, 3), (long long) Int8(0, 2),
						   DatumGetInt32(EnrollGetDatum(0, 4, &isnull)),
						   (long long) req->offer, (long long) req->operator, req->seats),
				 errhint("An order reference identifies one purchase; use a new reference for another one.")));

	/* the group of the order (S1.4) */
	args[0] = Int64GetDatum(course_id);
	args[1] = CStringGetTextDatum(req->order_ref);
	args[2] = CStringGetTextDatum(psprintf("Order %s", req->order_ref));
	args[3] = TimestampTzGetDatum(now);
	EnrollExecute(&plan_group, args, NULL, false, 0, SPI_OK_SELECT);
	group_id = Int8(0, 1);
	group_created = DatumGetBool(EnrollGetDatum(0, 2, &isnull));

	/* S1.5: accounts only for unknown addresses */
	{
		char	  **emails = palloc(sizeof(char *) * n);
		char	  **keys = palloc(sizeof(char *) * n);
		char	  **first = palloc(sizeof(char *) * n);
		char	  **last = palloc(sizeof(char *) * n);
		int64	   *created;
		int			ncreated;
		HTAB	   *created_set;
		HASHCTL		ctl;

		for (int i = 0; i < n; i++)
		{
			emails[i] = parts[i].email;
			keys[i] = parts[i].key;
			first[i] = parts[i].firstname;
			last[i] = parts[i].lastname;
		}
		args[0] = TextArray(emails, n);
		args[1] = TextArray(first, n);
		args[2] = TextArray(last, n);
		args[3] = TextArray(keys, n);
		args[4] = TimestampTzGetDatum(now);
		EnrollExecute(&plan_accounts_insert, args, NULL, false, 0, SPI_OK_INSERT_RETURNING);
		created = ReturnedIds(&ncreated);
		LogEvents(now, actor, "account.register", "account", created, ncreated,
				  OrderDetails(req->order_ref));

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(int64);
		ctl.hcxt = CurrentMemoryContext;
		created_set = hash_create("pg_enroll created", Max(ncreated, 1), &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		for (int i = 0; i < ncreated; i++)
			hash_search(created_set, &created[i], HASH_ENTER, NULL);

		args[0] = TextArray(keys, n);
		if (EnrollExecute(&plan_accounts_find, args, NULL, false, 0, SPI_OK_SELECT) != (uint64) n)
			elog(ERROR, "could not find every participant's account");
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			int			ord = (int) Int8(r, 1) - 1;

			parts[ord].account = Int8(r, 2);
			parts[ord].stored_email = Text(r, 3);
			parts[ord].created = hash_search(created_set, &parts[ord].account, HASH_FIND, NULL) != NULL;
		}
	}

	/* who is already set up by an earlier call with this order */
	{
		HTAB	   *members;
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(int64);
		ctl.hcxt = CurrentMemoryContext;
		args[0] = Int64GetDatum(group_id);
		nexisting = (int) EnrollExecute(&plan_group_members, args, NULL, false, 0, SPI_OK_SELECT);
		members = hash_create("pg_enroll members", Max(nexisting, 1), &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		for (int i = 0; i < nexisting; i++)
		{
			int64		id = Int8(i, 1);

			hash_search(members, &id, HASH_ENTER, NULL);
		}
		for (int i = 0; i < n; i++)
		{
			parts[i].is_new = hash_search(members, &parts[i].account, HASH_FIND, NULL) == NULL;
			if (parts[i].is_new)
				nnew++;
		}
	}

	/* nothing new: the order is done, the stored report is the answer */
	if (nnew == 0)
	{
		args[0] = CStringGetTextDatum(req->order_ref);
		EnrollExecute(&plan_order_lock, args, NULL, false, 1, SPI_OK_SELECT);
		if (!SPI_tuptable || SPI_processed == 0)
			elog(ERROR, "purchase order \"%s\" vanished", req->order_ref);
		{
			Datum		stored = EnrollGetDatum(0, 5, &isnull);

			if (!isnull)
				return DatumGetJsonbP(DirectFunctionCall2(jsonb_concat, stored,
														  DirectFunctionCall1(jsonb_in,
																			  CStringGetDatum("{\"status\": \"already_done\"}"))));
		}
	}

	/*
	 * Licenses only from an active offer (S2.5).  Checked once there is work
	 * to do, so that retrying an order that is already done still answers
	 * already_done after the offer has closed.
	 */
	if (now < valid_from || now >= valid_until)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_OFFER_NOT_ACTIVE),
				 errmsg(now < valid_from ? "offer \"%s\" is not active yet" : "offer \"%s\" has expired", code),
				 errdetail("The offer is valid from %s until %s; it is now %s.",
						   pstrdup(timestamptz_to_str(valid_from)),
						   pstrdup(timestamptz_to_str(valid_until)),
						   pstrdup(timestamptz_to_str(now)))));

	/* S1.3: learners and tutors take seats alike */
	if (nexisting + nnew > req->seats)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_NO_SEAT_LEFT),
				 errmsg("order \"%s\" has too few seats", req->order_ref),
				 errdetail("%d seats bought, %d already set up, %d new participants (tutors take seats too).",
						   req->seats, nexisting, nnew),
				 errhint("Buy more seats under a new order reference, or list fewer participants.")));

	/* the new participants: lock their accounts, supersede, license, enroll */
	if (nnew > 0)
	{
		int64	   *acc = palloc(sizeof(int64) * nnew);
		int64	   *roles = palloc(sizeof(int64) * nnew);
		int64	   *lic = palloc(sizeof(int64) * nnew);
		int64	   *ids;
		int			nids;
		int			j = 0;

		for (int i = 0; i < n; i++)
			if (parts[i].is_new)
			{
				acc[j] = parts[i].account;
				roles[j] = parts[i].tutor ? tutor_role : student_role;
				j++;
			}

		args[0] = Int8Array(acc, nnew);
		EnrollExecute(&plan_accounts_lock, args, NULL, false, 0, SPI_OK_SELECT);

		args[0] = Int32GetDatum(nnew);
		EnrollExecute(&plan_license_ids, args, NULL, false, 0, SPI_OK_SELECT);
		for (int i = 0; i < nnew; i++)
			lic[i] = Int8(i, 1);
		j = 0;
		for (int i = 0; i < n; i++)
			if (parts[i].is_new)
				parts[i].license = lic[j++];

		args[0] = Int8Array(acc, nnew);
		args[1] = Int8Array(lic, nnew);
		args[2] = TimestampTzGetDatum(now);
		args[3] = Int64GetDatum(course_id);
		EnrollExecute(&plan_supersede, args, NULL, false, 0, SPI_OK_UPDATE_RETURNING);
		superseded = ReturnedIds(&nsuper);
		LogEvents(now, actor, "license.supersede", "license", superseded, nsuper,
				  EnrollJsonbf("{\"via\": \"setup_course_session\"}"));

		args[0] = Int8Array(acc, nnew);
		args[1] = Int8Array(lic, nnew);
		args[2] = Int64GetDatum(req->operator);
		args[3] = TimestampTzGetDatum(now);
		args[4] = CStringGetTextDatum(req->order_ref);
		args[5] = Int64GetDatum(req->offer);
		EnrollExecuteLicenseInsert(&plan_licenses_insert, args, NULL, SPI_OK_INSERT,
								   psprintf("the setup of order \"%s\"", EnrollQuotable(req->order_ref)));
		LogEvents(now, actor, "license.accept", "license", lic, nnew,
				  EnrollJsonbf("{\"via\": \"operator\", \"offer\": %lld}", (long long) req->offer));

		args[0] = Int64GetDatum(course_id);
		args[1] = Int64GetDatum(group_id);
		args[2] = TimestampTzGetDatum(sp.starttime);
		nulls[2] = sp.has_start ? ' ' : 'n';
		args[3] = TimestampTzGetDatum(sp.endtime);
		nulls[3] = sp.has_end ? ' ' : 'n';
		args[4] = CStringGetTextDatum(req->order_ref);
		args[5] = TimestampTzGetDatum(now);
		args[6] = Int8Array(acc, nnew);
		args[7] = Int8Array(roles, nnew);
		args[8] = Int8Array(lic, nnew);
		EnrollExecute(&plan_enrollments, args, nulls, false, 0, SPI_OK_INSERT_RETURNING);
		memset(nulls, ' ', sizeof(nulls));
		ids = ReturnedIds(&nids);
		LogEvents(now, actor, "enrollment.enroll", "enrollment", ids, nids,
				  EnrollJsonbf("{\"group\": %lld}", (long long) group_id));

		args[0] = Int64GetDatum(group_id);
		args[1] = Int8Array(acc, nnew);
		args[2] = TimestampTzGetDatum(now);
		EnrollExecute(&plan_group_members_insert, args, NULL, false, 0, SPI_OK_INSERT);
		LogEvents(now, actor, "group_member.add", "account", acc, nnew,
				  EnrollJsonbf("{\"group\": %lld}", (long long) group_id));

		args[0] = Int64GetDatum(manager_role);
		args[1] = Int64GetDatum(user_role);
		args[2] = Int64GetDatum(req->operator);
		args[3] = Int8Array(acc, nnew);
		args[4] = TimestampTzGetDatum(now);
		args[5] = CStringGetTextDatum(req->order_ref);
		EnrollExecute(&plan_cross_roles, args, NULL, false, 0, SPI_OK_INSERT_RETURNING);
		ids = ReturnedIds(&nroles);
		LogEvents(now, actor, "role_assignment.assign", "role_assignment", ids, nroles,
				  EnrollJsonbf("{\"context_level\": \"user\"}"));

		if (support_course != 0)
		{
			args[0] = Int64GetDatum(support_course);
			args[1] = Int8Array(acc, nnew);
			args[2] = Int64GetDatum(student_role);
			args[3] = CStringGetTextDatum(req->order_ref);
			args[4] = TimestampTzGetDatum(now);
			EnrollExecute(&plan_support, args, NULL, false, 0, SPI_OK_INSERT_RETURNING);
			ids = ReturnedIds(&nsupport);
			LogEvents(now, actor, "enrollment.enroll", "enrollment", ids, nsupport,
					  EnrollJsonbf("{\"support\": true}"));
		}
	}

	/* the report */
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	EnrollJsonString(&st, "order", req->order_ref);
	EnrollJsonString(&st, "status", "done");
	EnrollJsonString(&st, "offer", code);
	EnrollJsonString(&st, "course", course_shortname);
	EnrollJsonInt(&st, "operator", req->operator, false);
	EnrollJsonKey(&st, "group");
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	EnrollJsonInt(&st, "id", group_id, false);
	EnrollJsonString(&st, "idnumber", req->order_ref);
	EnrollJsonBool(&st, "created", group_created);
	pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	EnrollJsonKey(&st, "seats");
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	EnrollJsonInt(&st, "bought", req->seats, false);
	EnrollJsonInt(&st, "used", nexisting + nnew, false);
	EnrollJsonInt(&st, "left", req->seats - nexisting - nnew, false);
	pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	EnrollJsonKey(&st, "accounts");
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	EnrollJsonKey(&st, "created");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < n; i++)
		if (parts[i].is_new && parts[i].created)
			EnrollJsonString(&st, NULL, parts[i].email);
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	EnrollJsonKey(&st, "reused");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < n; i++)
		if (parts[i].is_new && !parts[i].created)
			EnrollJsonString(&st, NULL, parts[i].stored_email);
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	EnrollJsonKey(&st, "enrollments");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < n; i++)
	{
		if (!parts[i].is_new)
			continue;
		CHECK_FOR_INTERRUPTS();
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		EnrollJsonString(&st, "email", parts[i].stored_email);
		EnrollJsonInt(&st, "account", parts[i].account, false);
		EnrollJsonString(&st, "role", parts[i].tutor ? sp.supervisor : "student");
		EnrollJsonInt(&st, "license", parts[i].license, false);
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	EnrollJsonKey(&st, "superseded_licenses");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < nsuper; i++)
		EnrollJsonInt(&st, NULL, superseded[i], false);
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	EnrollJsonInt(&st, "delegated_roles", nroles, false);
	EnrollJsonInt(&st, "support_enrollments", nsupport, false);
	EnrollJsonKey(&st, "warnings");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	if (warning)
		EnrollJsonString(&st, NULL, warning);
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	details = JsonbValueToJsonb(res);

	args[0] = Int64GetDatum(order_id);
	args[1] = JsonbPGetDatum(request_json);
	args[2] = JsonbPGetDatum(details);
	args[3] = TimestampTzGetDatum(now);
	EnrollExecute(&plan_order_update, args, NULL, false, 0, SPI_OK_UPDATE);
	LogEvents(now, actor, "purchase_order.setup", "purchase_order", &order_id, 1,
			  EnrollJsonbf("{\"new_participants\": %d, \"group_created\": %s}",
						   nnew, group_created ? "true" : "false"));
	return details;
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
	ResourceOwner owner = CurrentResourceOwner;
	Jsonb	   *report;
	volatile Datum result = (Datum) 0;

	/* the e-mail normalizer and the URL parser work on UTF-8 */
	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("enroll.setup_course_session requires a UTF8 database"),
				 errdetail("This database uses encoding \"%s\".", GetDatabaseEncodingName())));
	if (req->order_ref == NULL ||
		strspn(req->order_ref, " \t\r\n\f\v") == strlen(req->order_ref))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("order reference must not be empty or blank")));
	if (strlen(req->order_ref) > ENROLL_ORDER_REF_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("order reference is too long: %zu bytes", strlen(req->order_ref)),
				 errdetail("An order reference has at most %d bytes.", ENROLL_ORDER_REF_MAX)));
	if (req->seats <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("seats must be positive, not %d", req->seats)));
	if (actor != req->operator && !EnrollActorIsAdmin())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to set up a session for operator %lld", (long long) req->operator),
				 errdetail("Only the operator or a system administrator may do this.")));

	if (req->dry_run)
	{
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(caller);
	}
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		report = SetupSession(req, actor);
		if (req->dry_run)
			report = DatumGetJsonbP(DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(report),
														DirectFunctionCall1(jsonb_in, CStringGetDatum("{\"dry_run\": true}"))));
		/* copy the report to the caller's memory before SPI and the subtransaction go */
		{
			MemoryContext old = MemoryContextSwitchTo(caller);

			result = PointerGetDatum(PG_DETOAST_DATUM_COPY(JsonbPGetDatum(report)));
			MemoryContextSwitchTo(old);
		}
		SPI_finish();
	}
	PG_CATCH();
	{
		/*
		 * A failing dry run must close its own subtransaction before the
		 * error leaves: a caller's exception block rolls back only the
		 * innermost subtransaction, which would otherwise be ours.
		 */
		if (req->dry_run)
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(caller);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(caller);
			CurrentResourceOwner = owner;
			ReThrowError(edata);
		}
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (req->dry_run)
	{
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller);
		CurrentResourceOwner = owner;
	}
	return result;
}

PG_FUNCTION_INFO_V1(setup_course_session);
/*
 * enroll.setup_course_session(order_ref text, offer bigint, operator bigint,
 * seats integer, participants jsonb, dry_run boolean) -> jsonb
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
	if (PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("dry_run must not be null")));
	req.dry_run = PG_GETARG_BOOL(5);
	PG_RETURN_DATUM(SetupSessionEntry(&req));
}

/* an integer call parameter of the text form */
static int64
IntParam(const UrlParamResult *res, const char *key, int64 min, int64 max)
{
	const UrlParam *p = urlparam_find(res, key);
	long long	v;

	if (!urlparam_parse_int64(p->value, &v) || v < min || v > max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("parameter \"%s\" must be an integer from " INT64_FORMAT " to " INT64_FORMAT ", not \"%s\"",
						key, min, max, p->value)));
	return v;
}

PG_FUNCTION_INFO_V1(setup_course_session_params);
/*
 * enroll.setup_course_session(params text, participants jsonb, dry_run)
 * -> jsonb, where params is "order=...&offer=...&operator=...&seats=..."
 */
Datum
setup_course_session_params(PG_FUNCTION_ARGS)
{
	static const UrlParamSpec specs[] = {
		{"order", 1}, {"offer", 1}, {"operator", 1}, {"seats", 1}
	};
	SessionRequest req;
	UrlParamResult res;
	char	   *params;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("params and participants must not be null")));
	params = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (urlparam_parse(params, strlen(params), specs, lengthof(specs),
					   PallocInContext, CurrentMemoryContext, &res) != URLPARAM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid session parameters: %s", urlparam_strerror(res.error)),
				 res.error_key[0] ? errdetail("Key \"%s\", at byte %zu.", res.error_key, res.error_offset)
				 : errdetail("At byte %zu.", res.error_offset),
				 errhint("Pass order=<reference>&offer=<id>&operator=<account id>&seats=<n>, URL-encoded.")));
	req.order_ref = pstrdup(urlparam_find(&res, "order")->value);
	req.offer = IntParam(&res, "offer", 1, PG_INT64_MAX);
	req.operator = IntParam(&res, "operator", 1, PG_INT64_MAX);
	req.seats = (int32) IntParam(&res, "seats", PG_INT32_MIN, PG_INT32_MAX);
	req.participants = PG_GETARG_JSONB_P(1);
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("dry_run must not be null")));
	req.dry_run = PG_GETARG_BOOL(2);
	PG_RETURN_DATUM(SetupSessionEntry(&req));
}

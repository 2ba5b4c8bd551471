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
 *	   anything is written;
 *	 - then a fixed number of set-based statements, each taking arrays, write
 *	   the rows: the cost is linear in the participants and no statement
 *	   re-scans the list.  Each statement obeys statement_timeout.
 * SetupSession runs the steps in order; each step is a function below.
 *
 * Locks, in the order every writer uses (offer, holder, membership,
 * license): the offer FOR SHARE (an order racing the offer's closing), the
 * purchase order row (a second call with the same order waits, then finds
 * the work done), new accounts through the unique e-mail index in sorted
 * order (two orders naming the same unknown address create one account),
 * then the participants' account rows FOR NO KEY UPDATE in id order before
 * their current licenses are superseded (S2.23, licenses.c).
 *
 * dry_run runs everything inside a subtransaction that is rolled back, so
 * the report is the real one and no row is left behind.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"

/* everything a setup learns and decides, step by step */
typedef struct Session
{
	SessionRequest *req;
	int64		actor;
	TimestampTz now;
	/* the offer (ReadOffer) */
	char	   *code;
	int64		course_id;
	char	   *course_shortname;
	TimestampTz valid_from;
	TimestampTz valid_until;
	SessionParams sp;
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
	int			nnew;
	int			nexisting;
	/* the order and its group (ClaimOrder, FindGroup) */
	Jsonb	   *request_json;
	int64		order_id;
	int64		group_id;
	bool		group_created;
	/* what was written (LicenseAndEnroll, CrossRolesAndSupport) */
	int64	   *superseded;
	int			nsuper;
	int			nroles;
	int			nsupport;
} Session;

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

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------
 */

/* id of a role by short name, 0 if unknown */
static int64
RoleId(const char *shortname)
{
	Datum		arg = CStringGetTextDatum(shortname);

	if (EnrollExecute(&plan_role, &arg, NULL, true, 1, SPI_OK_SELECT) == 0)
		return 0;
	return EnrollGetInt64(0, 1);
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

/* a hash set of int64 (account ids) */
static HTAB *
Int64Set(const char *name, const int64 *ids, int n)
{
	HASHCTL		ctl;
	HTAB	   *set;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(int64);
	ctl.hcxt = CurrentMemoryContext;
	set = hash_create(name, Max(n, 1), &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	for (int i = 0; i < n; i++)
		hash_search(set, &ids[i], HASH_ENTER, NULL);
	return set;
}

static bool
Int64SetHas(HTAB *set, int64 id)
{
	return hash_search(set, &id, HASH_FIND, NULL) != NULL;
}

/* ------------------------------------------------------------------------
 * The steps of a setup
 * ------------------------------------------------------------------------
 */

/*
 * The offer, locked FOR SHARE against a concurrent closing (S2.5): it must
 * be addressed to the operator when private (S2.7), be for persons, take no
 * registrar organization, and carry valid handler_params naming its course
 * (S1.9).  The operator must exist and have the offer's profile level
 * (S2.11).
 */
static void
ReadOffer(Session *s)
{
	Datum		args[2];

	args[0] = Int64GetDatum(s->req->offer);
	args[1] = Int64GetDatum(s->req->operator);
	if (EnrollExecute(&plan_offer, args, NULL, false, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_OFFER),
				 errmsg("offer %lld does not exist", (long long) s->req->offer)));
	s->code = EnrollGetText(0, 1);
	s->course_id = EnrollGetInt64(0, 2);
	s->course_shortname = EnrollGetText(0, 3);
	s->valid_from = EnrollGetTimestamp(0, 4, NULL);
	s->valid_until = EnrollGetTimestamp(0, 5, NULL);
	if (!EnrollGetBool(0, 10))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_OFFER_NOT_ACCEPTABLE),
				 errmsg("offer \"%s\" is not addressed to operator %lld", s->code, (long long) s->req->operator),
				 errdetail("A private offer can only be accepted by its addressees (S2.7).")));
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
						s->sp.coursename, s->code),
				 errdetail("The offer is for course \"%s\".", s->course_shortname)));

	args[0] = Int64GetDatum(s->req->operator);
	args[1] = Int64GetDatum(s->req->offer);
	if (EnrollExecute(&plan_operator, args, NULL, true, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_ACCOUNT),
				 errmsg("operator account %lld does not exist", (long long) s->req->operator)));
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
				 errmsg("role \"%s\" named by handler parameter supervisor does not exist", s->sp.supervisor),
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

/*
 * The purchase order row, created or found and locked: a second call with
 * this reference waits here.  The same reference with another offer,
 * operator or seat count is PE020.
 */
static void
ClaimOrder(Session *s)
{
	SessionRequest *req = s->req;
	JsonbParseState *rs = NULL;
	Datum		args[6];

	pushJsonbValue(&rs, WJB_BEGIN_OBJECT, NULL);
	EnrollJsonString(&rs, "order", req->order_ref);
	EnrollJsonInt(&rs, "offer", req->offer, false);
	EnrollJsonInt(&rs, "operator", req->operator, false);
	EnrollJsonInt(&rs, "seats", req->seats, false);
	EnrollJsonJsonb(&rs, "participants", JsonbPGetDatum(req->participants), false);
	s->request_json = JsonbValueToJsonb(pushJsonbValue(&rs, WJB_END_OBJECT, NULL));

	args[0] = CStringGetTextDatum(req->order_ref);
	args[1] = Int64GetDatum(req->operator);
	args[2] = Int64GetDatum(req->offer);
	args[3] = Int32GetDatum(req->seats);
	args[4] = JsonbPGetDatum(s->request_json);
	args[5] = TimestampTzGetDatum(s->now);
	EnrollExecute(&plan_order_insert, args, NULL, false, 1, SPI_OK_INSERT_RETURNING);
	if (EnrollExecute(&plan_order_lock, args, NULL, false, 1, SPI_OK_SELECT) == 0)
		elog(ERROR, "purchase order \"%s\" vanished", req->order_ref);
	s->order_id = EnrollGetInt64(0, 1);
	if (EnrollGetInt64(0, 2) != req->operator || EnrollGetInt64(0, 3) != req->offer ||
		EnrollGetInt32(0, 4) != req->seats)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_ORDER_CONFLICT),
				 errmsg("order \"%s\" was placed with another offer, operator or seat count", req->order_ref),
				 errdetail("Stored: offer %lld, operator %lld, %d seats; this call: offer %lld, operator %lld, %d seats.",
						   (long long) EnrollGetInt64(0, 3), (long long) EnrollGetInt64(0, 2),
						   EnrollGetInt32(0, 4),
						   (long long) req->offer, (long long) req->operator, req->seats),
				 errhint("An order reference identifies one purchase; use a new reference for another one.")));
}

/* The group of the order (S1.4), created or found. */
static void
FindGroup(Session *s)
{
	Datum		args[4];

	args[0] = Int64GetDatum(s->course_id);
	args[1] = CStringGetTextDatum(s->req->order_ref);
	args[2] = CStringGetTextDatum(psprintf("Order %s", s->req->order_ref));
	args[3] = TimestampTzGetDatum(s->now);
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
	char	  **emails = palloc(sizeof(char *) * n);
	char	  **keys = palloc(sizeof(char *) * n);
	char	  **first = palloc(sizeof(char *) * n);
	char	  **last = palloc(sizeof(char *) * n);
	int64	   *created;
	int			ncreated;
	HTAB	   *created_set;
	Datum		args[5];

	for (int i = 0; i < n; i++)
	{
		emails[i] = s->parts[i].email;
		keys[i] = s->parts[i].key;
		first[i] = s->parts[i].firstname;
		last[i] = s->parts[i].lastname;
	}
	args[0] = EnrollTextArray(emails, n);
	args[1] = EnrollTextArray(first, n);
	args[2] = EnrollTextArray(last, n);
	args[3] = EnrollTextArray(keys, n);
	args[4] = TimestampTzGetDatum(s->now);
	EnrollExecute(&plan_accounts_insert, args, NULL, false, 0, SPI_OK_INSERT_RETURNING);
	created = EnrollGetIds(&ncreated);
	EnrollLogEvents(s->now, s->actor, "account.register", "account", created, ncreated,
					OrderDetails(s->req->order_ref));
	created_set = Int64Set("pg_enroll created", created, ncreated);

	args[0] = EnrollTextArray(keys, n);
	if (EnrollExecute(&plan_accounts_find, args, NULL, false, 0, SPI_OK_SELECT) != (uint64) n)
		elog(ERROR, "could not find every participant's account");
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		Participant *p = &s->parts[EnrollGetInt64(r, 1) - 1];

		p->account = EnrollGetInt64(r, 2);
		p->stored_email = EnrollGetText(r, 3);
		p->created = Int64SetHas(created_set, p->account);
	}
}

/* Who is already set up by an earlier call with this order (its group). */
static void
SplitNew(Session *s)
{
	Datum		arg = Int64GetDatum(s->group_id);
	int			nmembers;
	int64	   *members;
	HTAB	   *set;

	EnrollExecute(&plan_group_members, &arg, NULL, false, 0, SPI_OK_SELECT);
	members = EnrollGetIds(&nmembers);
	set = Int64Set("pg_enroll members", members, nmembers);
	s->nexisting = nmembers;
	s->nnew = 0;
	for (int i = 0; i < s->n; i++)
	{
		s->parts[i].is_new = !Int64SetHas(set, s->parts[i].account);
		if (s->parts[i].is_new)
			s->nnew++;
	}
}

/* The stored report of a finished order, marked already_done. */
static Jsonb *
AlreadyDone(Session *s)
{
	Datum		arg = CStringGetTextDatum(s->req->order_ref);
	bool		isnull;
	Datum		stored;

	if (EnrollExecute(&plan_order_lock, &arg, NULL, false, 1, SPI_OK_SELECT) == 0)
		elog(ERROR, "purchase order \"%s\" vanished", s->req->order_ref);
	stored = EnrollGetDatum(0, 5, &isnull);
	if (isnull)
		return NULL;
	return DatumGetJsonbP(DirectFunctionCall2(jsonb_concat, stored,
											  DirectFunctionCall1(jsonb_in,
																  CStringGetDatum("{\"status\": \"already_done\"}"))));
}

/* S1.3: learners and tutors take seats alike (PE017). */
static void
CheckSeats(Session *s)
{
	if (s->nexisting + s->nnew > s->req->seats)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_NO_SEAT_LEFT),
				 errmsg("order \"%s\" has too few seats", s->req->order_ref),
				 errdetail("%d seats bought, %d already set up, %d new participants (tutors take seats too).",
						   s->req->seats, s->nexisting, s->nnew),
				 errhint("Buy more seats under a new order reference, or list fewer participants.")));
}

/*
 * The new participants: their accounts locked in id order, their current
 * licenses superseded (S2.23), a license each, an enrollment each (S1.2,
 * S1.9), their membership of the group (S1.4).
 */
static void
LicenseAndEnroll(Session *s, int64 *acc, int64 *roles, int64 *lic)
{
	Datum		args[9];
	char		nulls[9] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	int			nnew = s->nnew;
	int64	   *ids;
	int			nids;

	args[0] = EnrollInt8Array(acc, nnew);
	EnrollExecute(&plan_accounts_lock, args, NULL, false, 0, SPI_OK_SELECT);

	s->superseded = EnrollSupersedeMany(s->course_id, acc, lic, nnew, s->now, &s->nsuper);

	args[0] = EnrollInt8Array(acc, nnew);
	args[1] = EnrollInt8Array(lic, nnew);
	args[2] = Int64GetDatum(s->req->operator);
	args[3] = TimestampTzGetDatum(s->now);
	args[4] = CStringGetTextDatum(s->req->order_ref);
	args[5] = Int64GetDatum(s->req->offer);
	EnrollExecuteLicenseInsert(&plan_licenses_insert, args, NULL, SPI_OK_INSERT,
							   psprintf("the setup of order \"%s\"", EnrollQuotable(s->req->order_ref)));
	EnrollLogEvents(s->now, s->actor, "license.accept", "license", lic, nnew,
					EnrollJsonbf("{\"via\": \"operator\", \"offer\": %lld}", (long long) s->req->offer));

	args[0] = Int64GetDatum(s->course_id);
	args[1] = Int64GetDatum(s->group_id);
	args[2] = TimestampTzGetDatum(s->sp.starttime);
	nulls[2] = s->sp.has_start ? ' ' : 'n';
	args[3] = TimestampTzGetDatum(s->sp.endtime);
	nulls[3] = s->sp.has_end ? ' ' : 'n';
	args[4] = CStringGetTextDatum(s->req->order_ref);
	args[5] = TimestampTzGetDatum(s->now);
	args[6] = EnrollInt8Array(acc, nnew);
	args[7] = EnrollInt8Array(roles, nnew);
	args[8] = EnrollInt8Array(lic, nnew);
	EnrollExecute(&plan_enrollments, args, nulls, false, 0, SPI_OK_INSERT_RETURNING);
	ids = EnrollGetIds(&nids);
	EnrollLogEvents(s->now, s->actor, "enrollment.enroll", "enrollment", ids, nids,
					EnrollJsonbf("{\"group\": %lld}", (long long) s->group_id));

	args[0] = Int64GetDatum(s->group_id);
	args[1] = EnrollInt8Array(acc, nnew);
	args[2] = TimestampTzGetDatum(s->now);
	EnrollExecute(&plan_group_members_insert, args, NULL, false, 0, SPI_OK_INSERT);
	EnrollLogEvents(s->now, s->actor, "group_member.add", "account", acc, nnew,
					EnrollJsonbf("{\"group\": %lld}", (long long) s->group_id));
}

/*
 * S1.6: the operator manages each new participant and each is managed by
 * the operator; S1.7: support-course enrollments when the course exists.
 */
static void
CrossRolesAndSupport(Session *s, int64 *acc)
{
	Datum		args[6];
	int64	   *ids;

	args[0] = Int64GetDatum(s->manager_role);
	args[1] = Int64GetDatum(s->user_role);
	args[2] = Int64GetDatum(s->req->operator);
	args[3] = EnrollInt8Array(acc, s->nnew);
	args[4] = TimestampTzGetDatum(s->now);
	args[5] = CStringGetTextDatum(s->req->order_ref);
	EnrollExecute(&plan_cross_roles, args, NULL, false, 0, SPI_OK_INSERT_RETURNING);
	ids = EnrollGetIds(&s->nroles);
	EnrollLogEvents(s->now, s->actor, "role_assignment.assign", "role_assignment", ids, s->nroles,
					EnrollJsonbf("{\"context_level\": \"user\"}"));

	if (s->support_course == 0)
		return;
	args[0] = Int64GetDatum(s->support_course);
	args[1] = EnrollInt8Array(acc, s->nnew);
	args[2] = Int64GetDatum(s->student_role);
	args[3] = CStringGetTextDatum(s->req->order_ref);
	args[4] = TimestampTzGetDatum(s->now);
	EnrollExecute(&plan_support, args, NULL, false, 0, SPI_OK_INSERT_RETURNING);
	ids = EnrollGetIds(&s->nsupport);
	EnrollLogEvents(s->now, s->actor, "enrollment.enroll", "enrollment", ids, s->nsupport,
					EnrollJsonbf("{\"support\": true}"));
}

/* Write the new participants (the arrays the set-based statements take). */
static void
WriteNewParticipants(Session *s)
{
	int64	   *acc = palloc(sizeof(int64) * s->nnew);
	int64	   *roles = palloc(sizeof(int64) * s->nnew);
	int64	   *lic = palloc(sizeof(int64) * s->nnew);
	int			j = 0;

	for (int i = 0; i < s->n; i++)
		if (s->parts[i].is_new)
		{
			acc[j] = s->parts[i].account;
			roles[j] = s->parts[i].tutor ? s->tutor_role : s->student_role;
			j++;
		}
	EnrollNextLicenseIds(lic, s->nnew);
	j = 0;
	for (int i = 0; i < s->n; i++)
		if (s->parts[i].is_new)
			s->parts[i].license = lic[j++];

	LicenseAndEnroll(s, acc, roles, lic);
	CrossRolesAndSupport(s, acc);
}

/* the "accounts" member of the report: created and reused addresses */
static void
ReportAccounts(JsonbParseState **st, const Session *s)
{
	EnrollJsonKey(st, "accounts");
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	EnrollJsonKey(st, "created");
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < s->n; i++)
		if (s->parts[i].is_new && s->parts[i].created)
			EnrollJsonString(st, NULL, s->parts[i].email);
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
	EnrollJsonKey(st, "reused");
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < s->n; i++)
		if (s->parts[i].is_new && !s->parts[i].created)
			EnrollJsonString(st, NULL, s->parts[i].stored_email);
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/* the "enrollments" member of the report: one object per new participant */
static void
ReportEnrollments(JsonbParseState **st, const Session *s)
{
	EnrollJsonKey(st, "enrollments");
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < s->n; i++)
	{
		const Participant *p = &s->parts[i];

		if (!p->is_new)
			continue;
		CHECK_FOR_INTERRUPTS();
		pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
		EnrollJsonString(st, "email", p->stored_email);
		EnrollJsonInt(st, "account", p->account, false);
		EnrollJsonString(st, "role", p->tutor ? s->sp.supervisor : "student");
		EnrollJsonInt(st, "license", p->license, false);
		pushJsonbValue(st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

/* The report of a setup that changed something. */
static Jsonb *
BuildReport(const Session *s)
{
	JsonbParseState *st = NULL;
	const SessionRequest *req = s->req;

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	EnrollJsonString(&st, "order", req->order_ref);
	EnrollJsonString(&st, "status", "done");
	EnrollJsonString(&st, "offer", s->code);
	EnrollJsonString(&st, "course", s->course_shortname);
	EnrollJsonInt(&st, "operator", req->operator, false);
	EnrollJsonKey(&st, "group");
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	EnrollJsonInt(&st, "id", s->group_id, false);
	EnrollJsonString(&st, "idnumber", req->order_ref);
	EnrollJsonBool(&st, "created", s->group_created);
	pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	EnrollJsonKey(&st, "seats");
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	EnrollJsonInt(&st, "bought", req->seats, false);
	EnrollJsonInt(&st, "used", s->nexisting + s->nnew, false);
	EnrollJsonInt(&st, "left", req->seats - s->nexisting - s->nnew, false);
	pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	ReportAccounts(&st, s);
	ReportEnrollments(&st, s);
	EnrollJsonKey(&st, "superseded_licenses");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < s->nsuper; i++)
		EnrollJsonInt(&st, NULL, s->superseded[i], false);
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	EnrollJsonInt(&st, "delegated_roles", s->nroles, false);
	EnrollJsonInt(&st, "support_enrollments", s->nsupport, false);
	EnrollJsonKey(&st, "warnings");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	if (s->warning)
		EnrollJsonString(&st, NULL, s->warning);
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	return JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
}

/* Store the request and the report on the order, and its event. */
static void
StoreReport(Session *s, Jsonb *report)
{
	Datum		args[4];

	args[0] = Int64GetDatum(s->order_id);
	args[1] = JsonbPGetDatum(s->request_json);
	args[2] = JsonbPGetDatum(report);
	args[3] = TimestampTzGetDatum(s->now);
	EnrollExecute(&plan_order_update, args, NULL, false, 0, SPI_OK_UPDATE);
	EnrollLogEvents(s->now, s->actor, "purchase_order.setup", "purchase_order", &s->order_id, 1,
					EnrollJsonbf("{\"new_participants\": %d, \"group_created\": %s}",
								 s->nnew, s->group_created ? "true" : "false"));
}

/* The setup, step by step (SPI connected). */
static Jsonb *
SetupSession(SessionRequest *req, int64 actor)
{
	Session		s;
	Jsonb	   *report;

	memset(&s, 0, sizeof(s));
	s.req = req;
	s.actor = actor;
	s.now = EnrollClockNow();

	ReadOffer(&s);
	ResolveRoles(&s);
	s.parts = EnrollReadParticipants(req->participants, &s.n);
	ClaimOrder(&s);
	FindGroup(&s);
	ResolveAccounts(&s);
	SplitNew(&s);

	/* nothing new: the order is done, the stored report is the answer */
	if (s.nnew == 0 && (report = AlreadyDone(&s)) != NULL)
		return report;

	/*
	 * Checked once there is work to do, so that retrying an order that is
	 * already done still answers already_done after the offer has closed.
	 */
	EnrollRequireOfferActive(s.code, s.valid_from, s.valid_until, s.now);
	CheckSeats(&s);
	if (s.nnew > 0)
		WriteNewParticipants(&s);

	report = BuildReport(&s);
	StoreReport(&s, report);
	return report;
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

	/* the e-mail normalizer and the URL parser work on UTF-8 */
	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("enroll.setup_course_session requires a UTF8 database"),
				 errdetail("This database uses encoding \"%s\".", GetDatabaseEncodingName())));
	EnrollCheckOrderRef(req->order_ref);
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
		EnrollSubxactBegin(&sx);
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

PG_FUNCTION_INFO_V1(setup_course_session_params);
/*
 * enroll.setup_course_session(params text, participants jsonb, dry_run)
 * -> jsonb, where params is "order=...&offer=...&operator=...&seats=..."
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
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("dry_run must not be null")));
	req.dry_run = PG_GETARG_BOOL(2);
	PG_RETURN_DATUM(SetupSessionEntry(&req));
}

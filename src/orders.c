/*-------------------------------------------------------------------------
 * orders.c
 *	  Purchase orders (S1.3, S1.4): what an order reference may be, finding
 *	  an order, and taking people out of it again: enroll.cancel_order()
 *	  (a refund) and enroll.remove_participant() (a participant who fell
 *	  ill, swapped for someone else by a later call of the same order).
 *
 * An order reference keys the order's course group (S1.4) and is stored on
 * the licenses, enrollments and role assignments the order creates: 1 to
 * ENROLL_ORDER_REF_MAX bytes, not blank.  References are unique per
 * operator (purchase_order_operator_ref_key): an operator names only its
 * own orders, so nothing here can reach, block or reveal another
 * operator's.  A system admin names any order, with the operator when two
 * operators used the same reference.
 *
 * Taking participants out (both functions, one implementation):
 *	 - the order's licenses of those participants end (cancelled or
 *	   removed); a license the order had superseded is the person's again
 *	   when its time is not over (licenses.c, EnrollEndLicenses);
 *	 - they leave the order's group (removed_at: the seat is free, and a
 *	   later call of the same order does not bring them back);
 *	 - their enrollment of the order ends: it follows the license given
 *	   back, or is deleted, as is the support-course enrollment reached
 *	   through the order's license (S1.7);
 *	 - the cross roles of the order (S1.6) go, unless another live order
 *	   of the same operator has the person, which then holds them;
 *	 - one event per person, about them, and one for the order.
 * The order row is locked first (FOR UPDATE), so a cancellation and a
 * repeat of the same order, or two removals, serialize; then the licenses.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"

/* 22023 unless order_ref is 1 to ENROLL_ORDER_REF_MAX bytes and not blank */
void
EnrollCheckOrderRef(const char *order_ref)
{
	size_t		len = strlen(order_ref);

	if (EnrollIsBlank(order_ref))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("order reference must not be empty or blank")));
	if (len > ENROLL_ORDER_REF_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("order reference is too long: %zu bytes", len),
				 errdetail("An order reference has at most %d bytes.", ENROLL_ORDER_REF_MAX)));
}

/* the orders with a reference (of one operator, or of all when $2 is NULL), locked */
static EnrollPlan plan_find_order = {
	"SELECT p.id, p.operator_id, p.status::text, p.seats, p.report, o.code, c.shortname, g.id,"
	"       p.cancelled_at, p.cancel_reason"
	"  FROM enroll.purchase_order p"
	"  JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) p.offer_id"
	"  JOIN enroll.course c ON c.id OPERATOR(pg_catalog.=) o.course_id"
	"  LEFT JOIN enroll.course_group g ON g.order_id OPERATOR(pg_catalog.=) p.id"
	" WHERE p.order_ref OPERATOR(pg_catalog.=) $1"
	"   AND ($2::bigint IS NULL OR p.operator_id OPERATOR(pg_catalog.=) $2)"
	" ORDER BY p.id FOR UPDATE OF p",
	2, {TEXTOID, INT8OID}
};

/* the order's participants (or the one named): live or taken out */
static EnrollPlan plan_participants = {
	"SELECT m.account_id, m.seat, m.given_email, m.removed_at IS NOT NULL"
	"  FROM enroll.group_member m"
	" WHERE m.group_id OPERATOR(pg_catalog.=) $1"
	"   AND ($2::bigint IS NULL OR m.account_id OPERATOR(pg_catalog.=) $2)"
	" ORDER BY m.account_id",
	2, {INT8OID, INT8OID}
};

/*
 * The latest license of the order of each participant (or of the one
 * named), among those taking out may still end and the superseded ones:
 * not those a cancellation, a removal or a revocation already ended, which
 * nothing here ends again (license_order_idx holds only the others, so
 * that ending a license for the order writes no entry in it).  Read once
 * and matched in C: a subquery per member scanned all the order's licenses
 * each time, and a join may still be planned as a nested loop over them --
 * quadratic, 9 to 40 s for 10,000 participants (scripts/bench).  The latest
 * of a holder's is kept in C too (TakeOutParticipants), which spares the
 * sort a GROUP BY planned for a fresh order's "one row".
 */
#define ORDER_LICENSE_KEPT \
	" AND (l.end_reason IS NULL" \
	"      OR l.end_reason OPERATOR(pg_catalog.=) 'superseded'::enroll.license_end_reason)"
static EnrollPlan plan_order_licenses = {
	"SELECT l.account_id, l.id FROM enroll.license l"
	" WHERE l.order_id OPERATOR(pg_catalog.=) $1" ORDER_LICENSE_KEPT,
	1, {INT8OID}
};

/*
 * The same for one participant ($2), through the holder's licenses: a
 * fresh order's licenses are estimated at one row, and the planner then
 * took the order's index and filtered its 10,000 licenses for the one
 * person (35 ms of a 50 ms removal); the holder has a handful.
 */
static EnrollPlan plan_participant_license = {
	"WITH mine AS MATERIALIZED ("
	"  SELECT l.id, l.order_id FROM enroll.license l WHERE l.account_id OPERATOR(pg_catalog.=) $2"
	ORDER_LICENSE_KEPT ")"
	"SELECT $2, pg_catalog.max(m.id) FROM mine m WHERE m.order_id OPERATOR(pg_catalog.=) $1"
	" HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0",
	2, {INT8OID, INT8OID}
};

/*
 * Everything else of the participants in the order ($1, group $3): all its
 * live ones ($2 NULL, a cancellation) or the one named ($2): out of the
 * group; enrollments of the order follow the license given back or are
 * deleted (the support enrollment reached through the order's license too);
 * cross roles move to another live order of the operator or are deleted:
 * those that move ($6) to which order ($7) are worked out before, in C (see
 * CrossRolesKept).  "All of the order's" is what a cancellation takes out:
 * the order row is locked and only this file changes its members, so the
 * live members are those read before, and a participant taken out earlier
 * has no enrollment or role of the order left.  Not a list of ten thousand
 * ids: the planner estimated each of them in each of five filters (12 % of
 * a cancellation, scripts/bench).  A custom plan always, so that "$2 IS
 * NULL" folds away, and so does the move when no role moves (else its
 * plan read all the order's roles to join them with an empty list).
 */
static EnrollPlan plan_take_out = {
	"WITH out AS ("
	"  UPDATE enroll.group_member m SET removed_at = $4, removed_reason = $5"
	"   WHERE m.group_id OPERATOR(pg_catalog.=) $3"
	"     AND ($2::bigint IS NULL OR m.account_id OPERATOR(pg_catalog.=) $2)"
	"     AND m.removed_at IS NULL RETURNING m.account_id),"
	" kept AS ("
	"  UPDATE enroll.enrollment e SET group_id = NULL, order_id = NULL, order_ref = NULL"
	"   WHERE pg_catalog.cardinality($8::bigint[]) OPERATOR(pg_catalog.>) 0"
	"     AND e.id OPERATOR(pg_catalog.=) ANY ($8::bigint[])"
	"     AND e.order_id OPERATOR(pg_catalog.=) $1"
	"     AND EXISTS (SELECT FROM enroll.license l WHERE l.id OPERATOR(pg_catalog.=) e.license_id"
	"                    AND (l.order_id IS DISTINCT FROM $1) AND l.ended_at IS NULL)"
	"  RETURNING e.id),"
	" gone AS ("
	"  DELETE FROM enroll.enrollment e"
	"   WHERE e.order_id OPERATOR(pg_catalog.=) $1"
	"     AND ($2::bigint IS NULL OR e.account_id OPERATOR(pg_catalog.=) $2)"
	"     AND NOT e.id OPERATOR(pg_catalog.=) ANY (SELECT id FROM kept)"
	"  RETURNING e.id, e.via_license IS NOT NULL AS support),"
	" moved AS ("
	"  UPDATE enroll.role_assignment r SET order_id = u.order_id"
	"    FROM ROWS FROM (pg_catalog.unnest($6::bigint[]), pg_catalog.unnest($7::bigint[])) AS u(id, order_id)"
	"   WHERE r.id OPERATOR(pg_catalog.=) u.id AND r.order_id OPERATOR(pg_catalog.=) $1"
	"     AND pg_catalog.cardinality($6::bigint[]) OPERATOR(pg_catalog.>) 0"
	"  RETURNING r.id),"
	" dropped AS ("
	"  DELETE FROM enroll.role_assignment r"
	"   WHERE r.order_id OPERATOR(pg_catalog.=) $1 AND r.context_level OPERATOR(pg_catalog.=) 'user'"
	"     AND ($2::bigint IS NULL OR r.account_id OPERATOR(pg_catalog.=) $2"
	"          OR r.context_id OPERATOR(pg_catalog.=) $2)"
	"     AND NOT r.id OPERATOR(pg_catalog.=) ANY (SELECT id FROM moved)"
	"  RETURNING r.id)"
	"SELECT (SELECT pg_catalog.count(*) FROM out), (SELECT pg_catalog.count(*) FROM kept),"
	"       (SELECT pg_catalog.count(*) FROM gone WHERE NOT support),"
	"       (SELECT pg_catalog.count(*) FROM gone WHERE support),"
	"       (SELECT pg_catalog.count(*) FROM dropped), (SELECT pg_catalog.count(*) FROM moved)",
	8, {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID, TEXTOID, INT8ARRAYOID, INT8ARRAYOID,
	INT8ARRAYOID},
	NULL, CURSOR_OPT_CUSTOM_PLAN
};

/*
 * The order's enrollments ($1) of all its live participants ($2 NULL) or
 * of the one named that ride on a license: TakeOutParticipants keeps as
 * candidates those whose license is not their holder's latest of the order
 * (an acceptance of the holder's own, or a license given back when the
 * order's ended, took them over), the only ones the take-out may keep ($8
 * above, which checks each).  Read once the order's licenses are ended,
 * under their row locks: an acceptance that superseded one of them has
 * committed, one that has not waits for this transaction
 * (cancel_vs_own_accept.spec).  Most orders have no candidate, and the
 * take-out then reads no license: it probed one per enrollment (20 of a
 * 10k cancellation's 380 ms).
 */
static EnrollPlan plan_riding = {
	"SELECT e.id, e.account_id, e.license_id FROM enroll.enrollment e"
	" WHERE e.order_id OPERATOR(pg_catalog.=) $1"
	"   AND ($2::bigint IS NULL OR e.account_id OPERATOR(pg_catalog.=) $2)"
	"   AND e.license_id IS NOT NULL",
	2, {INT8OID, INT8OID}, NULL, CURSOR_OPT_CUSTOM_PLAN
};

/*
 * The groups of the operator's ($2) other live orders (not $1), in order.
 * Usually a handful; none, and nobody's roles can be kept.
 */
static EnrollPlan plan_other_groups = {
	"SELECT g.id, g.order_id FROM enroll.purchase_order p"
	"  JOIN enroll.course_group g ON g.order_id OPERATOR(pg_catalog.=) p.id"
	" WHERE p.operator_id OPERATOR(pg_catalog.=) $2 AND p.status OPERATOR(pg_catalog.=) 'completed'"
	"   AND p.id OPERATOR(pg_catalog.<>) $1"
	" ORDER BY g.order_id",
	2, {INT8OID, INT8OID}
};

/*
 * The participants of group $1 -- all its live ones ($2 NULL) or the one
 * named ($2) -- who are live members of one of the groups $3 too, and
 * which, by participant.  A custom plan always, so that "$2 IS NULL" folds
 * away; the other groups are a short constant list, so the members are
 * found through the participants (or the other way round) by index, not
 * by a join the planner sizes from the statistics of a group just filled.
 */
static EnrollPlan plan_in_other_groups = {
	"SELECT t.account_id, m.group_id FROM enroll.group_member t"
	"  JOIN enroll.group_member m ON m.account_id OPERATOR(pg_catalog.=) t.account_id"
	" WHERE t.group_id OPERATOR(pg_catalog.=) $1 AND t.removed_at IS NULL"
	"   AND ($2::bigint IS NULL OR t.account_id OPERATOR(pg_catalog.=) $2)"
	"   AND m.group_id OPERATOR(pg_catalog.=) ANY ($3) AND m.removed_at IS NULL"
	" ORDER BY t.account_id",
	3, {INT8OID, INT8OID, INT8ARRAYOID}, NULL, CURSOR_OPT_CUSTOM_PLAN
};

/*
 * The roles the order gave: holder, and the user they are about (0: none);
 * all of them (a cancellation), or those of one participant ($2: a
 * removal, through the holder and context indexes, not the whole order).
 */
#define ORDER_ROLES \
	"SELECT r.id, r.account_id," \
	"       CASE WHEN r.context_level OPERATOR(pg_catalog.=) 'user' THEN r.context_id END" \
	"  FROM enroll.role_assignment r WHERE r.order_id OPERATOR(pg_catalog.=) $1"
static EnrollPlan plan_order_roles = {
	ORDER_ROLES, 1, {INT8OID}, NULL, ENROLL_GENERIC
};
static EnrollPlan plan_participant_roles = {
	ORDER_ROLES
	"   AND (r.account_id OPERATOR(pg_catalog.=) $2"
	"        OR (r.context_level OPERATOR(pg_catalog.=) 'user' AND r.context_id OPERATOR(pg_catalog.=) $2))",
	2, {INT8OID, INT8OID}
};

static EnrollPlan plan_cancel = {
	"UPDATE enroll.purchase_order SET status = 'cancelled', cancelled_at = $2, cancel_reason = $3,"
	"       report = $4, updated_at = $2"
	" WHERE id OPERATOR(pg_catalog.=) $1",
	4, {INT8OID, TIMESTAMPTZOID, TEXTOID, JSONBOID}
};

static EnrollPlan plan_live_count = {
	"SELECT pg_catalog.count(*)::int4 FROM enroll.group_member m"
	" WHERE m.group_id OPERATOR(pg_catalog.=) $1 AND m.removed_at IS NULL",
	1, {INT8OID}
};

/* an order, as found and locked */
typedef struct Order
{
	int64		id;
	int64		operator_id;
	char	   *ref;
	bool		cancelled;
	int32		seats;
	Datum		report;			/* the stored report (of a cancelled order) */
	bool		report_null;
	char	   *offer_code;
	char	   *course;
	int64		group_id;		/* 0: no group (nobody was set up) */
} Order;

/* what taking participants out did */
typedef struct TakeOut
{
	int			n;				/* participants taken out */
	int			learners;
	int			tutors;
	int			licenses_ended;
	int			licenses_restored;
	int			enrollments_kept;
	int			enrollments_ended;
	int			support_ended;
	int			roles_removed;
	int			roles_moved;
} TakeOut;

/*
 * Find and lock the order with this reference: the operator's own (a
 * non-admin actor is the operator), or, for a system admin, the one order
 * with this reference, or the named operator's.  PE027 when none, 22023
 * when two operators used the reference and none was named.
 */
static void
FindOrder(const char *ref, bool operator_given, int64 operator_id, Order *o)
{
	Datum		args[2];
	char		nulls[2] = {' ', ' '};
	uint64		n;
	bool		isnull;

	EnrollCheckOrderRef(ref);
	args[0] = CStringGetTextDatum(ref);
	args[1] = Int64GetDatum(operator_id);
	nulls[1] = operator_given ? ' ' : 'n';
	n = EnrollExecute(&plan_find_order, args, nulls, false, 0, SPI_OK_SELECT);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_ORDER),
				 errmsg("order \"%s\" does not exist", EnrollQuotable(ref)),
				 operator_given ? errdetail("Operator %lld has no order with this reference.", (long long) operator_id) : 0));
	if (n > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("order reference \"%s\" is used by %d operators", EnrollQuotable(ref), (int) n),
				 errhint("Name the operator: operator => the operator's account id.")));
	o->id = EnrollGetInt64(0, 1);
	o->operator_id = EnrollGetInt64(0, 2);
	o->ref = pstrdup(ref);
	o->cancelled = strcmp(EnrollGetText(0, 3), "cancelled") == 0;
	o->seats = EnrollGetInt32(0, 4);
	o->report = EnrollGetDatum(0, 5, &o->report_null);
	o->offer_code = EnrollGetText(0, 6);
	o->course = EnrollGetText(0, 7);
	o->group_id = EnrollGetInt64(0, 8);
	(void) isnull;
}

/*
 * The order's roles that another live order of the operator keeps, because
 * it has their holder or the user they are about among its participants:
 * their ids and that order (the first, when two could), for the take-out
 * statement.  Matched here through a hash table: a join on "holder or
 * context" in SQL can only be run as a nested loop, every role of the order
 * against every participant in another order -- 36 s to cancel an order of
 * 10,000 people who were all in a second order too.
 */
static int
CrossRolesKept(const Order *o, int64 one, int64 **ids, int64 **orders)
{
	Datum		args[3] = {Int64GetDatum(o->id), Int64GetDatum(o->operator_id), (Datum) 0};
	uint64		n = EnrollExecute(&plan_other_groups, args, NULL, false, 0, SPI_OK_SELECT);
	uint64		ngroups = n;
	int64	   *groups;
	int64	   *group_orders;
	struct HTAB *by_group;
	int64	   *who;
	int64	   *their;
	struct HTAB *other;
	int			kept = 0;
	int			nwho = 0;

	*ids = *orders = NULL;
	if (n == 0)
		return 0;
	groups = palloc(sizeof(int64) * n);
	group_orders = palloc(sizeof(int64) * n);
	for (uint64 i = 0; i < n; i++)
	{
		groups[i] = EnrollGetInt64(i, 1);
		group_orders[i] = EnrollGetInt64(i, 2);
	}
	SPI_freetuptable(SPI_tuptable);
	by_group = EnrollInt64Index(groups, (int) ngroups);

	/* each participant in another live order, with the first such order */
	args[0] = Int64GetDatum(o->group_id);
	args[1] = Int64GetDatum(one);
	args[2] = EnrollInt8Array(groups, (int) ngroups);
	n = EnrollExecute(&plan_in_other_groups, args, one != 0 ? NULL : " n ", false, 0, SPI_OK_SELECT);
	who = palloc(sizeof(int64) * Max(n, 1));
	their = palloc(sizeof(int64) * Max(n, 1));
	for (uint64 i = 0; i < n; i++)
	{
		int64		account = EnrollGetInt64(i, 1);
		int			k = EnrollInt64IndexFind(by_group, EnrollGetInt64(i, 2));
		int64		order;

		if (k < 0)
			elog(ERROR, "group %lld is not among the operator's other orders",
				 (long long) EnrollGetInt64(i, 2));
		order = group_orders[k];
		if (nwho > 0 && who[nwho - 1] == account)
		{
			if (order < their[nwho - 1])
				their[nwho - 1] = order;
			continue;
		}
		who[nwho] = account;
		their[nwho++] = order;
	}
	hash_destroy(by_group);
	SPI_freetuptable(SPI_tuptable);
	if (nwho == 0)
		return 0;
	other = EnrollInt64Index(who, nwho);

	if (one != 0)
		n = EnrollExecute(&plan_participant_roles, (Datum[]) {Int64GetDatum(o->id), Int64GetDatum(one)},
						  NULL, false, 0, SPI_OK_SELECT);
	else
		n = EnrollExecute(&plan_order_roles, (Datum[]) {Int64GetDatum(o->id)}, NULL, false, 0,
						  SPI_OK_SELECT);
	*ids = palloc(sizeof(int64) * Max(n, 1));
	*orders = palloc(sizeof(int64) * Max(n, 1));
	for (uint64 i = 0; i < n; i++)
	{
		int64		about = EnrollGetInt64(i, 3);
		int64		order = 0;
		int			k;

		if ((k = EnrollInt64IndexFind(other, EnrollGetInt64(i, 2))) >= 0)
			order = their[k];
		if (about != 0 && (k = EnrollInt64IndexFind(other, about)) >= 0 &&
			(order == 0 || their[k] < order))
			order = their[k];
		if (order != 0)
		{
			(*ids)[kept] = EnrollGetInt64(i, 1);
			(*orders)[kept++] = order;
		}
	}
	SPI_freetuptable(SPI_tuptable);
	hash_destroy(other);
	return kept;
}

/* the orders named ($1), those still live, locked against a cancellation or removal */
static EnrollPlan plan_lock_orders = {
	"SELECT p.id FROM enroll.purchase_order p"
	" WHERE p.id OPERATOR(pg_catalog.=) ANY ($1) AND p.status OPERATOR(pg_catalog.=) 'completed'"
	" ORDER BY p.id FOR KEY SHARE OF p",
	1, {INT8ARRAYOID}
};

/*
 * CrossRolesKept, with the orders that receive roles locked and still live.
 * Without the lock, a cancellation of the receiving order running at the
 * same time deleted that order's roles before these arrived (it could not
 * see them), and they stayed with a cancelled order: the operator kept
 * delegated roles over people whose orders were all cancelled.  FOR KEY
 * SHARE conflicts with the FOR UPDATE that a cancellation or removal takes
 * on its order first (FindOrder): whichever comes second waits.  This one
 * then finds the order cancelled, or its members changed, so the roles are
 * worked out again after every lock taken, until every receiving order is
 * locked (orders only go from completed to cancelled, so it ends); the
 * other one, after this commits, reads the roles that arrived.  Two
 * take-outs that each hand roles to the other's order wait for each other:
 * PostgreSQL reports a deadlock (40P01) to one of them, which changes
 * nothing and can be retried.  Under REPEATABLE READ, a receiving order
 * changed since the snapshot is 40001.
 */
static int
CrossRolesKeptLocked(const Order *o, int64 one, int64 **ids, int64 **orders)
{
	int64	   *locked = NULL;
	int			nlocked = 0;

	for (int round = 0;; round++)
	{
		int			nkept = CrossRolesKept(o, one, ids, orders);
		int64	   *wanted = palloc(sizeof(int64) * Max(nkept, 1));
		int			nwanted = 0;
		uint64		n;

		for (int i = 0; i < nkept; i++)
		{
			bool		seen = false;

			for (int j = 0; j < nlocked && !seen; j++)
				seen = locked[j] == (*orders)[i];
			for (int j = 0; j < nwanted && !seen; j++)
				seen = wanted[j] == (*orders)[i];
			if (!seen)
				wanted[nwanted++] = (*orders)[i];
		}
		if (nwanted == 0)
			return nkept;		/* every receiving order is locked and live */
		if (round >= 100)
			elog(ERROR, "the orders receiving the delegated roles of order %lld keep changing",
				 (long long) o->id);
		n = EnrollExecute(&plan_lock_orders, (Datum[]) {EnrollInt8Array(wanted, nwanted)},
						  NULL, false, 0, SPI_OK_SELECT);
		locked = locked == NULL ? palloc(sizeof(int64) * Max(n, 1))
			: repalloc(locked, sizeof(int64) * (nlocked + Max(n, 1)));
		for (uint64 i = 0; i < n; i++)
			locked[nlocked++] = EnrollGetInt64(i, 1);
		SPI_freetuptable(SPI_tuptable);
	}
}

/*
 * Take participants (all live ones, or the one account) out of the order
 * (see the file header), for `reason` (cancelled or removed) with an
 * optional note.
 */
static void
TakeOutParticipants(const Order *o, bool one, int64 account, const char *end_reason,
					const char *note, TimestampTz now, TakeOut *t)
{
	Datum		args[8];
	char		nulls[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	int			nkept;
	int64	   *kept_ids;
	int64	   *kept_orders;
	int64	   *accounts;
	int64	   *licenses;
	int			nlicenses = 0;
	EndedLicense *ended;
	/* the members of a participant's event details, in jsonb's key order */
	static const char *const keys[] = {"order", "reason", "license", "restored"};
	EnrollJsonbWriter w;
	Size	   *offsets;
	Jsonb	  **details;
	int64	   *rows;
	uint64		n;
	struct HTAB *index;
	int64	   *order_holders;
	int64	   *order_licenses;
	int64	   *riding;
	int			nriding = 0;
	struct HTAB *by_account;

	memset(t, 0, sizeof(*t));
	if (o->group_id == 0)
		return;
	args[0] = Int64GetDatum(o->id);
	args[1] = Int64GetDatum(account);
	nulls[1] = one ? ' ' : 'n';
	n = EnrollExecute(one ? &plan_participant_license : &plan_order_licenses, args, nulls, false, 0,
					  SPI_OK_SELECT);
	order_holders = palloc(sizeof(int64) * Max(n, 1));
	order_licenses = palloc(sizeof(int64) * Max(n, 1));
	for (uint64 i = 0; i < n; i++)
	{
		order_holders[i] = EnrollGetInt64(i, 1);
		order_licenses[i] = EnrollGetInt64(i, 2);
	}
	by_account = EnrollInt64Index(order_holders, (int) n);
	/* each holder's latest license, at the holder's first position */
	for (uint64 i = 0; i < n; i++)
	{
		int			k = EnrollInt64IndexFind(by_account, order_holders[i]);

		order_licenses[k] = Max(order_licenses[k], order_licenses[i]);
	}
	SPI_freetuptable(SPI_tuptable);

	args[0] = Int64GetDatum(o->group_id);
	args[1] = Int64GetDatum(account);
	nulls[1] = one ? ' ' : 'n';
	n = EnrollExecute(&plan_participants, args, nulls, false, 0, SPI_OK_SELECT);
	accounts = palloc(sizeof(int64) * Max(n, 1));
	licenses = palloc(sizeof(int64) * Max(n, 1));
	for (uint64 i = 0; i < n; i++)
	{
		int			k;

		if (EnrollGetBool(i, 4))
			continue;			/* taken out earlier */
		accounts[t->n] = EnrollGetInt64(i, 1);
		if (strcmp(EnrollGetText(i, 2) ? EnrollGetText(i, 2) : "learner", "tutor") == 0)
			t->tutors++;
		else
			t->learners++;
		k = EnrollInt64IndexFind(by_account, accounts[t->n]);
		if (k >= 0)
			licenses[nlicenses++] = order_licenses[k];
		t->n++;
	}
	if (t->n == 0)
		return;

	ended = palloc(sizeof(EndedLicense) * Max(nlicenses, 1));
	t->licenses_ended = EnrollEndLicenses(licenses, nlicenses, end_reason, note, now, false, ended);
	for (int i = 0; i < t->licenses_ended; i++)
		t->licenses_restored += ended[i].restored != 0;

	/* the enrollments the take-out may keep: not on their holder's order license */
	args[0] = Int64GetDatum(o->id);
	args[1] = Int64GetDatum(account);
	nulls[1] = one ? ' ' : 'n';
	n = EnrollExecute(&plan_riding, args, nulls, false, 0, SPI_OK_SELECT);
	riding = palloc(sizeof(int64) * Max(n, 1));
	for (uint64 i = 0; i < n; i++)
	{
		int			k = EnrollInt64IndexFind(by_account, EnrollGetInt64(i, 2));

		if (k < 0 || order_licenses[k] != EnrollGetInt64(i, 3))
			riding[nriding++] = EnrollGetInt64(i, 1);
	}
	SPI_freetuptable(SPI_tuptable);

	args[2] = Int64GetDatum(o->group_id);
	args[3] = TimestampTzGetDatum(now);
	args[4] = note ? CStringGetTextDatum(note) : CStringGetTextDatum(end_reason);
	nkept = CrossRolesKeptLocked(o, one ? account : 0, &kept_ids, &kept_orders);
	args[5] = EnrollInt8Array(kept_ids, nkept);
	args[6] = EnrollInt8Array(kept_orders, nkept);
	args[7] = EnrollInt8Array(riding, nriding);
	EnrollExecute(&plan_take_out, args, nulls, false, 1, SPI_OK_SELECT);
	t->enrollments_kept = (int) EnrollGetInt64(0, 2);
	t->enrollments_ended = (int) EnrollGetInt64(0, 3);
	t->support_ended = (int) EnrollGetInt64(0, 4);
	t->roles_removed = (int) EnrollGetInt64(0, 5);
	t->roles_moved = (int) EnrollGetInt64(0, 6);

	/* one event per person, about them: the order, the license, what came back */
	EnrollProgress("licenses ended, participants taken out", t->n);
	details = palloc(sizeof(Jsonb *) * t->n);
	rows = palloc(sizeof(int64) * t->n);
	{
		int64	   *holders = palloc(sizeof(int64) * Max(t->licenses_ended, 1));

		for (int k = 0; k < t->licenses_ended; k++)
			holders[k] = ended[k].holder;
		index = EnrollInt64Index(holders, t->licenses_ended);
	}
	/* written one after the other in one buffer, as a setup's (no jsonb_in per person) */
	offsets = palloc(sizeof(Size) * Max(t->n, 1));
	EnrollJwInit(&w, (Size) Max(t->n, 1) * 96);
	for (int i = 0; i < t->n; i++)
	{
		int			k = EnrollInt64IndexFind(index, accounts[i]);
		int64		lic = k >= 0 ? ended[k].id : 0;
		int64		back = k >= 0 ? ended[k].restored : 0;

		CHECK_FOR_INTERRUPTS();
		rows[i] = o->id;
		if (i > 0)
			EnrollJwNext(&w);
		EnrollJwBeginObject(&w, NULL, keys, lengthof(keys));
		EnrollJwInt(&w, "order", o->id);
		EnrollJwString(&w, "reason", end_reason);
		if (lic != 0)
			EnrollJwInt(&w, "license", lic);
		else
			EnrollJwString(&w, "license", NULL);
		if (back != 0)
			EnrollJwInt(&w, "restored", back);
		else
			EnrollJwString(&w, "restored", NULL);
		EnrollJwEnd(&w);
		offsets[i] = (char *) EnrollJwFinish(&w) - w.buf.data;
	}
	/* the buffer may have moved while it grew */
	for (int i = 0; i < t->n; i++)
		details[i] = (Jsonb *) (w.buf.data + offsets[i]);
	EnrollLogEventsAbout(now, EnrollActorOrZero(), "session.participant_out", "purchase_order",
						 rows, accounts, (const Jsonb *const *) details, t->n);
}

/*
 * The members of a report that say what taking out did.  The seats freed
 * are the operator's business; what happened to the people's licenses and
 * enrollments (whether one of their own came back, whether they held a
 * better one all along) is theirs, and only a system admin's report says it.
 */
static void
ReportTakeOut(JsonbParseState **st, const TakeOut *t, bool full)
{
	EnrollJsonKey(st, "seats_freed");
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	EnrollJsonInt(st, "learners", t->learners, false);
	EnrollJsonInt(st, "tutors", t->tutors, false);
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
	if (!full)
		return;
	EnrollJsonInt(st, "licenses_ended", t->licenses_ended, false);
	EnrollJsonInt(st, "licenses_given_back", t->licenses_restored, false);
	EnrollJsonInt(st, "enrollments_ended", t->enrollments_ended, false);
	EnrollJsonInt(st, "enrollments_following_a_license_given_back", t->enrollments_kept, false);
	EnrollJsonInt(st, "support_enrollments_ended", t->support_ended, false);
	EnrollJsonInt(st, "delegated_roles_removed", t->roles_removed, false);
	EnrollJsonInt(st, "delegated_roles_kept_by_another_order", t->roles_moved, false);
}

/* the head of a report: the order */
static void
ReportOrder(JsonbParseState **st, const Order *o, const char *status)
{
	EnrollJsonString(st, "order", o->ref);
	EnrollJsonString(st, "status", status);
	EnrollJsonString(st, "offer", o->offer_code);
	EnrollJsonString(st, "course", o->course);
	EnrollJsonInt(st, "operator", o->operator_id, false);
}

/* The stored report with a new status (a repeat of a finished call). */
static Datum
WithStatus(Datum report, const char *status)
{
	return DirectFunctionCall2(jsonb_concat, report,
							   JsonbPGetDatum(EnrollJsonbf("{\"status\": \"%s\"}", status)));
}

/* copy a jsonb out of SPI for the caller */
static Datum
CopyOut(Datum report)
{
	return SPI_datumTransfer(report, false, -1);
}

PG_FUNCTION_INFO_V1(cancel_order);
/*
 * enroll.cancel_order(order_ref text, reason text, operator bigint DEFAULT
 * NULL) -> jsonb (system admins): every participant taken out, the order
 * cancelled.  Idempotent: a cancelled order answers its cancellation report
 * with status already_cancelled.  The report separates learner and tutor
 * seats (S1.3: refunds of tutor seats are the merchant's choice).
 */
Datum
cancel_order(PG_FUNCTION_ARGS)
{
	TimestampTz now = EnrollClockNow();
	char	   *reason = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	Order		o;
	TakeOut		t;
	JsonbParseState *st = NULL;
	Jsonb	   *report;
	Datum		result;

	EnrollRequireAdmin("cancel orders");
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("order_ref must not be null")));
	EnrollCheckReason(&reason);
	EnrollRequireSchema();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	FindOrder(text_to_cstring(PG_GETARG_TEXT_PP(0)), !PG_ARGISNULL(2),
			  PG_ARGISNULL(2) ? 0 : PG_GETARG_INT64(2), &o);
	EnrollProgressBegin(psprintf("cancel_order \"%s\"", EnrollQuotable(o.ref)));
	if (o.cancelled)
	{
		result = CopyOut(WithStatus(o.report, "already_cancelled"));
		SPI_finish();
		PG_RETURN_DATUM(result);
	}
	TakeOutParticipants(&o, false, 0, "cancelled", reason, now, &t);

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	ReportOrder(&st, &o, "cancelled");
	EnrollJsonString(&st, "cancelled_at", pstrdup(timestamptz_to_str(now)));
	EnrollJsonString(&st, "reason", reason);
	EnrollJsonInt(&st, "seats_bought", o.seats, false);
	EnrollJsonInt(&st, "participants", t.n, false);
	ReportTakeOut(&st, &t, true);
	report = JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));

	EnrollExecute(&plan_cancel,
				  (Datum[]) {Int64GetDatum(o.id), TimestampTzGetDatum(now),
							 reason ? CStringGetTextDatum(reason) : (Datum) 0, JsonbPGetDatum(report)},
				  reason ? NULL : "  n ", false, 0, SPI_OK_UPDATE);
	EnrollLogEvent("purchase_order.cancel", "purchase_order", o.id,
				   EnrollJsonbf("{\"participants\": %d, \"learners\": %d, \"tutors\": %d, \"licenses_ended\": %d,"
								" \"licenses_given_back\": %d}",
								t.n, t.learners, t.tutors, t.licenses_ended, t.licenses_restored));
	result = CopyOut(JsonbPGetDatum(report));
	SPI_finish();
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(remove_participant);
/*
 * enroll.remove_participant(order_ref text, account bigint, reason text
 * DEFAULT NULL, operator bigint DEFAULT NULL) -> jsonb: the order's operator
 * (their own reference) or a system admin takes one participant out.  The
 * seat is free again; a later call of the same order may give it to
 * someone else, never back to this person.  Removing someone already taken
 * out answers status already_removed; someone who never was a participant
 * is 22023.
 */
Datum
remove_participant(PG_FUNCTION_ARGS)
{
	TimestampTz now = EnrollClockNow();
	int64		actor = EnrollRequireAccount();
	bool		admin = EnrollActorIsAdmin();
	char	   *reason = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	int64		account;
	Order		o;
	TakeOut		t;
	JsonbParseState *st = NULL;
	Datum		result;
	char	   *email = NULL;
	int32		live;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("order_ref and account must not be null")));
	account = PG_GETARG_INT64(1);
	EnrollCheckReason(&reason);
	EnrollRequireSchema();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/* an operator names only its own orders: the reference is looked up in its namespace */
	if (admin)
		FindOrder(text_to_cstring(PG_GETARG_TEXT_PP(0)), PG_NARGS() > 3 && !PG_ARGISNULL(3),
				  PG_NARGS() > 3 && !PG_ARGISNULL(3) ? PG_GETARG_INT64(3) : 0, &o);
	else
		FindOrder(text_to_cstring(PG_GETARG_TEXT_PP(0)), true, actor, &o);
	if (o.cancelled)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_ORDER_CANCELLED),
				 errmsg("order \"%s\" has been cancelled", EnrollQuotable(o.ref)),
				 errdetail("Its participants were all taken out when it was cancelled.")));

	if (o.group_id == 0 ||
		EnrollExecute(&plan_participants,
					  (Datum[]) {Int64GetDatum(o.group_id), Int64GetDatum(account)},
					  NULL, false, 0, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("account %lld is not a participant of order \"%s\"", (long long) account, EnrollQuotable(o.ref)),
				 errhint("enroll.order_participants lists the participants of the operator's orders.")));
	email = EnrollGetText(0, 3);
	if (EnrollGetBool(0, 4))
	{
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		ReportOrder(&st, &o, "already_removed");
		EnrollJsonInt(&st, "account", account, false);
		EnrollJsonString(&st, "email", email);
		result = CopyOut(JsonbPGetDatum(JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL))));
		SPI_finish();
		PG_RETURN_DATUM(result);
	}
	EnrollProgressBegin(psprintf("remove_participant \"%s\"", EnrollQuotable(o.ref)));
	TakeOutParticipants(&o, true, account, "removed", reason, now, &t);
	EnrollExecute(&plan_live_count, (Datum[]) {Int64GetDatum(o.group_id)}, NULL, false, 1, SPI_OK_SELECT);
	live = EnrollGetInt32(0, 1);

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	ReportOrder(&st, &o, "removed");
	EnrollJsonInt(&st, "account", account, false);
	EnrollJsonString(&st, "email", email);
	EnrollJsonString(&st, "reason", reason);
	ReportTakeOut(&st, &t, admin);
	EnrollJsonKey(&st, "seats");
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	EnrollJsonInt(&st, "bought", o.seats, false);
	EnrollJsonInt(&st, "used", live, false);
	EnrollJsonInt(&st, "left", o.seats - live, false);
	pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	result = CopyOut(JsonbPGetDatum(JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL))));
	SPI_finish();
	PG_RETURN_DATUM(result);
}

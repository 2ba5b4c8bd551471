/*-------------------------------------------------------------------------
 * seats.c
 *	  Seats of organization licenses: an organization admin gives a seat
 *	  to a member (allocate_seat), takes it back (release_seat); a seat ends
 *	  when its holder leaves the organization (trigger membership_left); an
 *	  organization's renewed license carries its live seats over
 *	  (EnrollCarrySeats, from accept_offer).
 *
 * A seat is a person license of the organization license's offer and
 * course (parent_license), running until the organization license ends.
 * Never more live seats than bought: the organization license row is
 * locked FOR UPDATE first, so allocations, releases and renewals on it
 * serialize, and the live seats are counted after the lock (a fresh
 * snapshot under READ COMMITTED; the row is also written, so that under
 * REPEATABLE READ or SERIALIZABLE a concurrent change fails with 40001).
 * Then, in the lock order every writer uses (offer, holder, membership,
 * license): the member's account FOR NO KEY UPDATE, the membership FOR
 * SHARE (a concurrent leave_organization waits, or makes this fail with
 * PE014) and the member's current license.
 *
 * A seat is given on the organization's initiative: the consent rule of
 * licenses.c applies (a member whose own license gives more keeps it, and
 * no seat is used: outcome "kept"), except for an admin giving a seat to
 * themself.  A seat released or left gives back the license it superseded
 * when that one's time is not over (EnrollEndLicense).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"

/* the organization license, locked: every change of its seats waits here */
#define ORG_LICENSE_COLUMNS \
	"SELECT l.holder_kind OPERATOR(pg_catalog.=) 'organization', l.id," \
	"       l.organization_id, g.name, l.ended_at IS NOT NULL," \
	"       enroll.license_end_detail(l), l.access_from, l.access_until," \
	"       l.seats, l.offer_id, l.course_id, l.currency," \
	"       enroll.actor_administers(l.organization_id)" \
	"  FROM enroll.license l LEFT JOIN enroll.organization g" \
	"    ON g.id OPERATOR(pg_catalog.=) l.organization_id"
static EnrollPlan plan_org_license = {
	ORG_LICENSE_COLUMNS " WHERE l.id OPERATOR(pg_catalog.=) $1 FOR UPDATE OF l",
	1, {INT8OID}
};

/* the organization's current license for a course, locked */
static EnrollPlan plan_org_current = {
	ORG_LICENSE_COLUMNS
	" WHERE l.organization_id OPERATOR(pg_catalog.=) $1 AND l.course_id OPERATOR(pg_catalog.=) $2"
	"   AND l.ended_at IS NULL FOR UPDATE OF l",
	2, {INT8OID, INT8OID}
};

static EnrollPlan plan_organization = {
	"SELECT g.name, enroll.actor_administers(g.id) FROM enroll.organization g"
	" WHERE g.id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

static EnrollPlan plan_lock_account = {
	"SELECT a.erased_at IS NOT NULL FROM enroll.account a WHERE a.id OPERATOR(pg_catalog.=) $1 FOR NO KEY UPDATE",
	1, {INT8OID}
};

static EnrollPlan plan_membership = {
	"SELECT FROM enroll.membership m"
	" WHERE m.organization_id OPERATOR(pg_catalog.=) $1"
	"   AND m.account_id OPERATOR(pg_catalog.=) $2 AND m.left_at IS NULL FOR SHARE",
	2, {INT8OID, INT8OID}
};

/* is the member's current license for the course a seat of $3? */
static EnrollPlan plan_member_seat = {
	"SELECT l.id FROM enroll.license l"
	" WHERE l.account_id OPERATOR(pg_catalog.=) $1 AND l.course_id OPERATOR(pg_catalog.=) $2"
	"   AND l.ended_at IS NULL AND l.parent_license OPERATOR(pg_catalog.=) $3",
	3, {INT8OID, INT8OID, INT8OID}
};

/* the live seats of an organization license, the row written (see header) */
static EnrollPlan plan_seats_used = {
	"WITH touch AS (UPDATE enroll.license l SET seats = l.seats"
	"               WHERE l.id OPERATOR(pg_catalog.=) $1 RETURNING l.id)"
	"SELECT pg_catalog.count(*)::int4 FROM enroll.license l"
	" WHERE l.parent_license OPERATOR(pg_catalog.=) $1 AND l.ended_at IS NULL"
	"   AND EXISTS (SELECT FROM touch)",
	1, {INT8OID}
};

static EnrollPlan plan_insert_seat = {
	"INSERT INTO enroll.license (id, offer_id, course_id, holder_kind, account_id, accepted_by,"
	"   accepted_via, accepted_at, price_paid, currency, access_from, access_until, parent_license)"
	" VALUES ($1, $2, $3, 'person', $4, $5, 'org_admin', $6, 0, $7, $6, $8, $9)",
	9, {INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID, TEXTOID,
	TIMESTAMPTZOID, INT8OID}
};

/* a seat, with what release_seat checks; its organization license locked */
static EnrollPlan plan_seat = {
	"SELECT s.parent_license, s.account_id, s.ended_at IS NOT NULL, enroll.license_end_detail(s)"
	"  FROM enroll.license s WHERE s.id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

/* renewal: the live seats of the old license, and their move */
static EnrollPlan plan_carry = {
	"WITH n AS (SELECT l.seats, l.access_until FROM enroll.license l WHERE l.id OPERATOR(pg_catalog.=) $2),"
	" moved AS ("
	"  UPDATE enroll.license s SET parent_license = $2, access_until = n.access_until"
	"    FROM n"
	"   WHERE s.parent_license OPERATOR(pg_catalog.=) $1 AND s.ended_at IS NULL"
	"     AND (SELECT pg_catalog.count(*) FROM enroll.license x"
	"           WHERE x.parent_license OPERATOR(pg_catalog.=) $1 AND x.ended_at IS NULL) OPERATOR(pg_catalog.<=) n.seats"
	"  RETURNING s.id)"
	"SELECT (SELECT pg_catalog.count(*)::int4 FROM enroll.license x"
	"         WHERE x.parent_license OPERATOR(pg_catalog.=) $1 AND x.ended_at IS NULL),"
	"       (SELECT n.seats FROM n), (SELECT pg_catalog.count(*)::int4 FROM moved)",
	2, {INT8OID, INT8OID}
};

/* the live seats a member holds of the organization's licenses */
static EnrollPlan plan_member_seats = {
	"SELECT s.id FROM enroll.license s JOIN enroll.license p ON p.id OPERATOR(pg_catalog.=) s.parent_license"
	" WHERE s.account_id OPERATOR(pg_catalog.=) $1 AND p.organization_id OPERATOR(pg_catalog.=) $2"
	"   AND s.ended_at IS NULL",
	2, {INT8OID, INT8OID}
};

/* An instant as the SQL scripts write it in messages: YYYY-MM-DD HH24:MI:SSOF */
static char *
MessageTime(TimestampTz t)
{
	return text_to_cstring(DatumGetTextPP(DirectFunctionCall2(timestamptz_to_char,
															  TimestampTzGetDatum(t),
															  PointerGetDatum(cstring_to_text("YYYY-MM-DD HH24:MI:SSOF")))));
}

/* what the seat functions know of an organization license */
typedef struct OrgLicense
{
	int64		id;
	int64		organization;
	char	   *org_name;
	TimestampTz access_until;
	int32		seats;
	int64		offer;
	int64		course;
	char	   *currency;
} OrgLicense;

/*
 * Check the organization license just read (locked) by plan_org_license or
 * plan_org_current: an organization's (a personal license is 42501 to
 * anyone but system admins, 22023 to them), the actor administers the
 * organization (42501), not ended (PE011), giving access now
 * (PE011).
 */
static void
CheckOrgLicense(int64 id, TimestampTz now, OrgLicense *p)
{
	TimestampTz from;

	/*
	 * A personal license is somebody's: an organization admin learns no
	 * more about it than about a license of an organization they do not
	 * administer.
	 */
	if (!EnrollGetBool(0, 1) && !EnrollActorIsAdmin())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to manage the seats of license %lld", (long long) id),
				 errdetail("Only system administrators and current administrators of the organization holding it may do this.")));
	if (!EnrollGetBool(0, 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("license %lld is not an organization license", (long long) id),
				 errhint("Pass the license an organization admin accepted with enroll.accept_offer(..., for_organization => ...).")));
	p->id = EnrollGetInt64(0, 2);
	p->organization = EnrollGetInt64(0, 3);
	p->org_name = EnrollGetText(0, 4);
	if (!EnrollGetBool(0, 13))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to manage the seats of license %lld", (long long) id),
				 errdetail("Only system administrators and current administrators of organization \"%s\" may do this.",
						   p->org_name)));
	if (EnrollGetBool(0, 5))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_LICENSE_ENDED),
				 errmsg("organization license %lld has ended", (long long) id),
				 errdetail_internal("%s", EnrollGetText(0, 6)),
				 errhint("Use the organization's current license for the course.")));
	from = EnrollGetTimestamp(0, 7, NULL);
	p->access_until = EnrollGetTimestamp(0, 8, NULL);
	if (now < from || now >= p->access_until)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_LICENSE_ENDED),
				 errmsg("organization license %lld %s", (long long) id,
						now < from ? "has not started" : "has expired"),
				 errdetail("Its access runs from %s until %s; it is now %s.",
						   MessageTime(from), MessageTime(p->access_until), MessageTime(now)),
				 errhint("Seats are allocated while the organization license grants access.")));
	p->seats = EnrollGetInt32(0, 9);
	p->offer = EnrollGetInt64(0, 10);
	p->course = EnrollGetInt64(0, 11);
	p->currency = EnrollGetText(0, 12);
}

/* Lock and check an organization license given by id (PE019 if unknown). */
static void
LockOrgLicense(int64 id, TimestampTz now, OrgLicense *p)
{
	if (EnrollExecute(&plan_org_license, (Datum[]) {Int64GetDatum(id)}, NULL, false, 1,
					  SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_LICENSE),
				 errmsg("license %lld does not exist", (long long) id)));
	CheckOrgLicense(id, now, p);
}

/*
 * Lock and check the organization's current license for a course: PE016
 * unknown organization, 42501 not an admin of it, PE019 no current license.
 */
static void
LockOrgCurrent(int64 organization, int64 course, TimestampTz now, OrgLicense *p)
{
	char	   *name;

	if (EnrollExecute(&plan_organization, (Datum[]) {Int64GetDatum(organization)}, NULL, true, 1,
					  SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_ORGANIZATION),
				 errmsg("organization %lld does not exist", (long long) organization)));
	name = EnrollGetText(0, 1);
	if (!EnrollGetBool(0, 2))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to manage the seats of organization \"%s\"", name),
				 errdetail("Only system administrators and current administrators of the organization may do this.")));
	/*
	 * Under READ COMMITTED, a renewal that commits while this statement waits
	 * for the old license's lock leaves that license skipped (it has ended)
	 * and the renewed one invisible to the statement's snapshot: look once
	 * more, in a new snapshot, so that the allocation is made from the
	 * renewed license (isolation spec renewal_vs_last_seat).  Under
	 * REPEATABLE READ the wait ends in 40001 instead.
	 */
	if (EnrollExecute(&plan_org_current, (Datum[]) {Int64GetDatum(organization), Int64GetDatum(course)},
					  NULL, false, 1, SPI_OK_SELECT) == 0 &&
		(IsolationUsesXactSnapshot() ||
		 EnrollExecute(&plan_org_current, (Datum[]) {Int64GetDatum(organization), Int64GetDatum(course)},
					   NULL, false, 1, SPI_OK_SELECT) == 0))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_LICENSE),
				 errmsg("organization \"%s\" holds no license for course %lld", name, (long long) course),
				 errhint("An administrator accepts an organization offer for the course first (enroll.accept_offer(..., for_organization => ...)).")));
	CheckOrgLicense(EnrollGetInt64(0, 2), now, p);
}

/* Lock the member's account and membership (PE013, PE014). */
static void
LockMember(const OrgLicense *p, int64 account)
{
	Datum		args[2];

	args[0] = Int64GetDatum(account);
	if (EnrollExecute(&plan_lock_account, args, NULL, false, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_ACCOUNT),
				 errmsg("account %lld does not exist", (long long) account)));
	if (EnrollGetBool(0, 1))
		EnrollErasedAccountError(account);
	args[0] = Int64GetDatum(p->organization);
	args[1] = Int64GetDatum(account);
	if (EnrollExecute(&plan_membership, args, NULL, false, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_NOT_A_MEMBER),
				 errmsg("account %lld is not a current member of organization \"%s\"",
						(long long) account, p->org_name),
				 errhint("Seats go to members of the organization that holds the license; an administrator adds members with enroll.join_organization(organization, account, email).")));
}

/* Refuse (PE017) when every seat bought is live; returns the seats used. */
static int32
CountSeats(const OrgLicense *p)
{
	int32		used;

	EnrollExecute(&plan_seats_used, (Datum[]) {Int64GetDatum(p->id)}, NULL, false, 1, SPI_OK_SELECT);
	used = EnrollGetInt32(0, 1);
	if (used >= p->seats)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_NO_SEAT_LEFT),
				 errmsg("no seat left on organization license %lld", (long long) p->id),
				 errdetail("%d of %d seats are allocated.", used, p->seats),
				 errhint("A seat is free again when it is released (enroll.release_seat), its holder leaves the organization or moves to another license of the course; for more seats, the organization accepts an offer with more.")));
	return used;
}

/* Insert the seat (after the member's current license was dealt with). */
static void
InsertSeat(const OrgLicense *p, int64 seat, int64 account, int64 actor, TimestampTz now)
{
	Datum		args[9];

	args[0] = Int64GetDatum(seat);
	args[1] = Int64GetDatum(p->offer);
	args[2] = Int64GetDatum(p->course);
	args[3] = Int64GetDatum(account);
	args[4] = Int64GetDatum(actor);
	args[5] = TimestampTzGetDatum(now);
	args[6] = CStringGetTextDatum(p->currency);
	args[7] = TimestampTzGetDatum(p->access_until);
	args[8] = Int64GetDatum(p->id);
	EnrollExecuteLicenseInsert(&plan_insert_seat, args, NULL, SPI_OK_INSERT,
							   psprintf("the allocation of a seat of license %lld", (long long) p->id));
}

/*
 * Give a seat of the locked organization license p to account; returns the
 * outcome and, in *license, the seat or the license the member kept.  A
 * member who already holds a seat of p gets it back unchanged.
 */
static GrantOutcome
GiveSeat(const OrgLicense *p, int64 account, int64 actor, TimestampTz now, int64 *license, bool *own)
{
	CurrentLicense cur;
	GrantOutcome outcome;
	int32		used;
	int64		seat;

	*own = false;
	LockMember(p, account);
	if (EnrollExecute(&plan_member_seat,
					  (Datum[]) {Int64GetDatum(account), Int64GetDatum(p->course), Int64GetDatum(p->id)},
					  NULL, false, 1, SPI_OK_SELECT) > 0)
	{
		*license = EnrollGetInt64(0, 1);
		return GRANT_KEPT;
	}
	used = CountSeats(p);
	EnrollNextLicenseIds(&seat, 1);
	outcome = EnrollGrantOne(p->course, account, 0, now, p->access_until,
							 account == actor, seat, now, &cur);
	if (outcome == GRANT_KEPT)
	{
		*license = cur.id;
		*own = true;
		EnrollLogEventAbout("license.keep", "license", cur.id, account,
							EnrollJsonbf("{\"org_license\": %lld, \"via\": \"allocate_seat\"}", (long long) p->id));
		return outcome;
	}
	InsertSeat(p, seat, account, actor, now);
	EnrollRelinkEnrollments(cur.id, seat);
	EnrollLogEventAbout("license.allocate_seat", "license", seat, account,
						EnrollJsonbf("{\"org_license\": %lld, \"outcome\": \"%s\", \"superseded\": %s,"
									 " \"seats_allocated\": %d, \"seats\": %d}",
									 (long long) p->id, EnrollGrantOutcomeName(outcome),
									 cur.id ? psprintf("%lld", (long long) cur.id) : "null",
									 used + 1, p->seats));
	*license = seat;
	return outcome;
}

/*
 * Give the seat and build the function's result, before SPI_finish: the
 * whole license_grant, except that a member who keeps a license of their
 * own is told to an organization admin only as "kept" (redacted), since
 * that license is the member's business.
 */
static Datum
AllocateResult(FunctionCallInfo fcinfo, const OrgLicense *p, int64 account, int64 actor, TimestampTz now)
{
	int64		license;
	bool		own;
	GrantOutcome outcome = GiveSeat(p, account, actor, now, &license, &own);

	return EnrollGrantResultRedacted(fcinfo, license, outcome,
									 own && account != actor && !EnrollActorIsAdmin());
}

PG_FUNCTION_INFO_V1(allocate_seat);
/*
 * enroll.allocate_seat(org_license bigint, account bigint)
 * -> enroll.license_grant
 */
Datum
allocate_seat(PG_FUNCTION_ARGS)
{
	int64		actor = EnrollRequireAccount();
	TimestampTz now = EnrollClockNow();
	OrgLicense	p;
	Datum		result;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("organization license must not be null")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("account must not be null")));
	EnrollRequireSchema();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	LockOrgLicense(PG_GETARG_INT64(0), now, &p);
	result = AllocateResult(fcinfo, &p, PG_GETARG_INT64(1), actor, now);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(allocate_seat_for_course);
/*
 * enroll.allocate_seat(organization bigint, course bigint, account bigint)
 * -> enroll.license_grant: the same, for the organization's current license
 * of the course (found and locked here, so a renewal in between is waited
 * for instead of failing).
 */
Datum
allocate_seat_for_course(PG_FUNCTION_ARGS)
{
	int64		actor = EnrollRequireAccount();
	TimestampTz now = EnrollClockNow();
	OrgLicense	p;
	Datum		result;

	for (int i = 0; i < 3; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("organization, course and account must not be null")));
	EnrollRequireSchema();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	LockOrgCurrent(PG_GETARG_INT64(0), PG_GETARG_INT64(1), now, &p);
	result = AllocateResult(fcinfo, &p, PG_GETARG_INT64(2), actor, now);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(release_seat);
/*
 * enroll.release_seat(seat_license bigint, reason text) -> enroll.license:
 * an administrator of the organization (or a system admin) takes a seat
 * back.  The holder's status becomes seat_withdrawn (or their earlier
 * license is given back); the seat is free again.  Releasing a seat that
 * has already ended is PE011.
 */
Datum
release_seat(PG_FUNCTION_ARGS)
{
	TimestampTz now = EnrollClockNow();
	int64		seat;
	int64		parent;
	int64		restored;
	char	   *reason = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	OrgLicense	p;
	Datum		result;

	EnrollRequireAccount();
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("seat license must not be null")));
	seat = PG_GETARG_INT64(0);
	EnrollCheckReason(&reason);
	EnrollRequireSchema();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (EnrollExecute(&plan_seat, (Datum[]) {Int64GetDatum(seat)}, NULL, false, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_LICENSE),
				 errmsg("license %lld does not exist", (long long) seat)));
	parent = EnrollGetInt64(0, 1);
	if (parent == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("license %lld is not a seat", (long long) seat),
				 errhint("Pass a license allocated from an organization license with enroll.allocate_seat.")));
	if (EnrollExecute(&plan_org_license, (Datum[]) {Int64GetDatum(parent)}, NULL, false, 1,
					  SPI_OK_SELECT) == 0)
		elog(ERROR, "organization license %lld of seat %lld vanished", (long long) parent, (long long) seat);
	p.org_name = EnrollGetText(0, 4);
	if (!EnrollGetBool(0, 13))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to manage the seats of license %lld", (long long) parent),
				 errdetail("Only system administrators and current administrators of organization \"%s\" may do this.",
						   p.org_name)));
	if (!EnrollEndLicense(seat, "released", reason, now, true, &restored))
	{
		EnrollExecute(&plan_seat, (Datum[]) {Int64GetDatum(seat)}, NULL, false, 1, SPI_OK_SELECT);
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_LICENSE_ENDED),
				 errmsg("seat %lld has already ended", (long long) seat),
				 errdetail_internal("%s", EnrollGetText(0, 4))));
	}
	result = EnrollLicenseRow(seat);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/*
 * A renewal (accept_offer for an organization that holds a current license
 * for the course): every live seat of the old license moves to the new one,
 * with the new license's end, in the same transaction, so the holders'
 * access never lapses; released or ended seats stay as they are.  A renewal
 * with fewer seats than live seats is PE024, naming how many to release.
 */
void
EnrollCarrySeats(int64 old_license, int64 new_license, TimestampTz now)
{
	int32		live;
	int32		seats;
	int32		moved;

	EnrollExecute(&plan_carry, (Datum[]) {Int64GetDatum(old_license), Int64GetDatum(new_license)},
				  NULL, false, 1, SPI_OK_SELECT);
	live = EnrollGetInt32(0, 1);
	seats = EnrollGetInt32(0, 2);
	moved = EnrollGetInt32(0, 3);
	if (live > seats)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_RENEWAL_TOO_FEW_SEATS),
				 errmsg("the renewal has %d seats but %d are allocated", seats, live),
				 errdetail("Renewing carries every live seat of organization license %lld over; release %d seat(s) first.",
						   (long long) old_license, live - seats),
				 errhint("Release seats with enroll.release_seat, or accept an offer with more seats.")));
	if (moved > 0)
		EnrollLogEvent("license.carry_seats", "license", new_license,
					   EnrollJsonbf("{\"from\": %lld, \"seats_moved\": %d}", (long long) old_license, moved));
}

PG_FUNCTION_INFO_V1(membership_left);
/*
 * Trigger on enroll.membership, AFTER UPDATE OF left_at FOR EACH ROW when
 * a current membership ends: the member's live seats of the organization's
 * licenses end (released), and each gives back the license it superseded
 * when that one's time is not over (S2.19's spirit for seats).
 */
Datum
membership_left(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	bool		isnull;
	int64		account;
	int64		organization;
	int64	   *seats;
	int			n;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", "membership_left")));
	if (!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired AFTER UPDATE FOR EACH ROW", "membership_left")));
	EnrollRequireSchema();
	desc = RelationGetDescr(trigdata->tg_relation);
	account = DatumGetInt64(heap_getattr(trigdata->tg_newtuple, SPI_fnumber(desc, "account_id"), desc, &isnull));
	organization = DatumGetInt64(heap_getattr(trigdata->tg_newtuple, SPI_fnumber(desc, "organization_id"), desc, &isnull));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	EnrollExecute(&plan_member_seats, (Datum[]) {Int64GetDatum(account), Int64GetDatum(organization)},
				  NULL, false, 0, SPI_OK_SELECT);
	seats = EnrollGetIds(&n);
	for (int i = 0; i < n; i++)
	{
		int64		restored;

		EnrollEndLicense(seats[i], "released", "the holder left the organization",
						 EnrollClockNow(), true, &restored);
	}
	SPI_finish();
	return PointerGetDatum(NULL);
}

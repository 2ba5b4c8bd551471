/*-------------------------------------------------------------------------
 * seats.c
 *	  Seats of organization licenses: enroll.allocate_seat(org_license,
 *	  account) gives one seat of a license an organization holds to one of
 *	  its members.
 *
 * A seat is a person license of the organization license's offer and
 * course (parent_license), running until the organization license ends.
 * Never more seats than bought: the organization license row is locked
 * FOR UPDATE first, so allocations on it serialize, and the live seats are
 * counted after the lock (a fresh snapshot under READ COMMITTED).  Then, in
 * the lock order every writer uses (offer, holder, membership, license):
 * the member's account FOR NO KEY UPDATE, the membership FOR SHARE (a
 * concurrent leave_organization waits, or makes this fail with PE014) and
 * the member's current license, which the seat supersedes (S2.23,
 * licenses.c).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"

/* the organization license, locked: every allocation on it waits here */
static EnrollPlan plan_org_license = {
	"SELECT l.holder_kind OPERATOR(pg_catalog.=) 'organization', l.account_id,"
	"       l.organization_id, g.name, l.ended_at IS NOT NULL,"
	"       enroll.license_end_detail(l), l.access_from, l.access_until,"
	"       l.seats, l.offer_id, l.course_id, l.currency,"
	"       enroll.actor_administers(l.organization_id)"
	"  FROM enroll.license l LEFT JOIN enroll.organization g"
	"    ON g.id OPERATOR(pg_catalog.=) l.organization_id"
	" WHERE l.id OPERATOR(pg_catalog.=) $1 FOR UPDATE OF l",
	1, {INT8OID}
};

static EnrollPlan plan_lock_account = {
	"SELECT FROM enroll.account a WHERE a.id OPERATOR(pg_catalog.=) $1 FOR NO KEY UPDATE",
	1, {INT8OID}
};

static EnrollPlan plan_membership = {
	"SELECT FROM enroll.membership m"
	" WHERE m.organization_id OPERATOR(pg_catalog.=) $1"
	"   AND m.account_id OPERATOR(pg_catalog.=) $2 AND m.left_at IS NULL FOR SHARE",
	2, {INT8OID, INT8OID}
};

/* the member's current license for the course, locked; is it a seat of $3? */
static EnrollPlan plan_member_current = {
	"SELECT l.id, l.parent_license IS NOT DISTINCT FROM $3 FROM enroll.license l"
	" WHERE l.account_id OPERATOR(pg_catalog.=) $1"
	"   AND l.course_id OPERATOR(pg_catalog.=) $2 AND l.ended_at IS NULL FOR UPDATE",
	3, {INT8OID, INT8OID, INT8OID}
};

static EnrollPlan plan_seats_used = {
	"SELECT pg_catalog.count(*)::int4 FROM enroll.license l"
	" WHERE l.parent_license OPERATOR(pg_catalog.=) $1 AND l.ended_at IS NULL",
	1, {INT8OID}
};

/*
 * Write the organization license (no change): under REPEATABLE READ or
 * SERIALIZABLE, a concurrent allocation then fails with a serialization
 * error (40001) instead of counting seats in a snapshot that misses this one.
 */
static EnrollPlan plan_touch = {
	"UPDATE enroll.license l SET seats = l.seats WHERE l.id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

static EnrollPlan plan_insert_seat = {
	"INSERT INTO enroll.license (id, offer_id, course_id, holder_kind, account_id, accepted_by,"
	"   accepted_via, accepted_at, price_paid, currency, access_from, access_until, parent_license)"
	" VALUES ($1, $2, $3, 'person', $4, $5, 'org_admin', $6, 0, $7, $6, $8, $9)",
	9, {INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID, TEXTOID,
	TIMESTAMPTZOID, INT8OID}
};

static EnrollPlan plan_license_row = {
	"SELECT l FROM enroll.license l WHERE l.id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

/* An instant as the SQL scripts write it in messages: YYYY-MM-DD HH24:MI:SSOF */
static char *
MessageTime(TimestampTz t)
{
	return text_to_cstring(DatumGetTextPP(DirectFunctionCall2(timestamptz_to_char,
															  TimestampTzGetDatum(t),
															  PointerGetDatum(cstring_to_text("YYYY-MM-DD HH24:MI:SSOF")))));
}

/* what allocate_seat knows of the organization license */
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
 * Lock the organization license and check that the actor may allocate its
 * seats now: it exists (PE019), is an organization's (22023), the actor
 * administers the organization (42501), it has not ended (PE011) and it
 * grants access now (PE011).
 */
static void
LockOrgLicense(int64 id, TimestampTz now, OrgLicense *p)
{
	Datum		arg = Int64GetDatum(id);
	bool		isnull;
	TimestampTz from;

	if (EnrollExecute(&plan_org_license, &arg, NULL, false, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_LICENSE),
				 errmsg("license %lld does not exist", (long long) id)));
	if (!EnrollGetBool(0, 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("license %lld is not an organization license", (long long) id),
				 errdetail("It is held by account %s; only a license held by an organization has seats.",
						   EnrollGetText(0, 2)),
				 errhint("Pass the license an organization admin accepted with enroll.accept_offer(..., for_organization => ...).")));
	p->id = id;
	p->organization = EnrollGetInt64(0, 3);
	p->org_name = EnrollGetText(0, 4);
	if (!EnrollGetBool(0, 13))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to allocate seats of license %lld", (long long) id),
				 errdetail("Only system administrators and current administrators of organization \"%s\" may do this.",
						   p->org_name)));
	if (EnrollGetBool(0, 5))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_LICENSE_ENDED),
				 errmsg("organization license %lld has ended", (long long) id),
				 errdetail_internal("%s", EnrollGetText(0, 6)),
				 errhint("Allocate seats of the organization's current license for the course.")));
	from = EnrollGetTimestamp(0, 7, &isnull);
	p->access_until = EnrollGetTimestamp(0, 8, &isnull);
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
	args[0] = Int64GetDatum(p->organization);
	args[1] = Int64GetDatum(account);
	if (EnrollExecute(&plan_membership, args, NULL, false, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_NOT_A_MEMBER),
				 errmsg("account %lld is not a current member of organization \"%s\"",
						(long long) account, p->org_name),
				 errhint("Seats go to members of the organization that holds the license; the account joins it with enroll.join_organization.")));
}

/* Refuse (PE017) when every seat bought is live; returns the seats used. */
static int32
CountSeats(const OrgLicense *p)
{
	Datum		arg = Int64GetDatum(p->id);
	int32		used;

	EnrollExecute(&plan_seats_used, &arg, NULL, false, 1, SPI_OK_SELECT);
	used = EnrollGetInt32(0, 1);
	if (used >= p->seats)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_NO_SEAT_LEFT),
				 errmsg("no seat left on organization license %lld", (long long) p->id),
				 errdetail("%d of %d seats are allocated.", used, p->seats),
				 errhint("A seat is free again when its holder moves to another license of the course or it is revoked; for more seats, the organization accepts an offer with more.")));
	EnrollExecute(&plan_touch, &arg, NULL, false, 0, SPI_OK_UPDATE);
	return used;
}

/* Insert the seat (after the member's current license was superseded). */
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

/* The license row `id`, copied out of SPI into the caller's memory. */
static Datum
LicenseRow(int64 id)
{
	bool		isnull;

	EnrollExecute(&plan_license_row, (Datum[]) {Int64GetDatum(id)}, NULL, false, 1, SPI_OK_SELECT);
	return SPI_datumTransfer(EnrollGetDatum(0, 1, &isnull), false, -1);
}

PG_FUNCTION_INFO_V1(allocate_seat);
/*
 * enroll.allocate_seat(org_license bigint, account bigint) -> enroll.license:
 * an administrator of the organization holding org_license (or a system
 * admin) gives one seat to a current member.  A member who already holds a
 * seat of this license gets it back unchanged (no second seat, no event).
 */
Datum
allocate_seat(PG_FUNCTION_ARGS)
{
	int64		actor = EnrollRequireAccount();
	TimestampTz now = EnrollClockNow();
	int64		account;
	OrgLicense	p;
	int64		current = 0;
	int64		seat;
	int64		superseded;
	int32		used;
	Datum		result;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("organization license must not be null")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("account must not be null")));
	account = PG_GETARG_INT64(1);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	LockOrgLicense(PG_GETARG_INT64(0), now, &p);
	LockMember(&p, account);

	/* already a seat of this license: nothing to do */
	if (EnrollExecute(&plan_member_current,
					  (Datum[]) {Int64GetDatum(account), Int64GetDatum(p.course), Int64GetDatum(p.id)},
					  NULL, false, 1, SPI_OK_SELECT) > 0)
	{
		current = EnrollGetInt64(0, 1);
		if (EnrollGetBool(0, 2))
		{
			result = LicenseRow(current);
			SPI_finish();
			PG_RETURN_DATUM(result);
		}
	}

	used = CountSeats(&p);
	EnrollNextLicenseIds(&seat, 1);
	superseded = EnrollSupersede(p.course, account, 0, seat, now);
	Assert(superseded == current);
	InsertSeat(&p, seat, account, actor, now);
	EnrollLogEvent("license.allocate_seat", "license", seat,
				   EnrollJsonbf("{\"org_license\": %lld, \"account\": %lld, \"superseded\": %s,"
								" \"seats_allocated\": %d, \"seats\": %d}",
								(long long) p.id, (long long) account,
								superseded ? psprintf("%lld", (long long) superseded) : "null",
								used + 1, p.seats));
	result = LicenseRow(seat);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

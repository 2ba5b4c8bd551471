/*-------------------------------------------------------------------------
 * acceptance.c
 *	  enroll.accept_offer(): accepting an offer creates a license (S2.5).
 *
 * The checks run in the order API.md fixes, each failing with its own
 * SQLSTATE and a hint naming the step to take:
 *	 1. logged in (PE001, S2.9)
 *	 2. the offer is active, read with the offer row locked FOR SHARE so that
 *		an update closing the offer and this acceptance serialize (PE002, S2.5)
 *	 3. the offer is visible to the beneficiary and the actor may accept for
 *		it: self; a system admin on behalf of a learner; only a current admin
 *		of the organization for an organization offer (PE003, PE010, 42501,
 *		S2.6-S2.8)
 *	 4. profile level (PE004, S2.11)
 *	 5. registrar organization: a current membership of a qualifying type,
 *		or joined now with join_registrar (PE005, PE006, S2.13-S2.17)
 *	 6. extra condition accepted (PE007, S2.21, S2.22)
 * Then the holder's current license for the course ends as superseded and
 * the new one starts now for the offer's access_period: access times never
 * add up (S2.23).  The holder's row (account or organization) is locked
 * FOR NO KEY UPDATE first, so two acceptances for one holder serialize and
 * the second supersedes the first instead of hitting the unique index.
 *
 * Lock order, shared by every writer: offer, holder, membership, license.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"

/* the offer, locked against concurrent closing */
static EnrollPlan plan_offer = {
	"SELECT o.code, o.course_id, o.valid_from, o.valid_until,"
	"       o.visibility OPERATOR(pg_catalog.=) 'private',"
	"       o.recipient_kind OPERATOR(pg_catalog.=) 'organization',"
	"       o.required_level::text, o.extra_condition, o.price, o.currency,"
	"       o.access_period, o.documents_grace, o.seats,"
	"       EXISTS (SELECT FROM enroll.offer_registrar_type t"
	"                WHERE t.offer_id OPERATOR(pg_catalog.=) o.id)"
	"  FROM enroll.offer o WHERE o.id OPERATOR(pg_catalog.=) $1 FOR SHARE",
	1, {INT8OID}
};

/* an account, locked so that acceptances for it serialize; level check */
static EnrollPlan plan_lock_account = {
	"SELECT a.profile_level::text,"
	"       a.profile_level OPERATOR(pg_catalog.>=) o.required_level"
	"  FROM enroll.account a, enroll.offer o"
	" WHERE a.id OPERATOR(pg_catalog.=) $1 AND o.id OPERATOR(pg_catalog.=) $2"
	"   FOR NO KEY UPDATE OF a",
	2, {INT8OID, INT8OID}
};

/* an organization, locked so that acceptances for it serialize */
static EnrollPlan plan_lock_organization = {
	"SELECT o.name FROM enroll.organization o"
	" WHERE o.id OPERATOR(pg_catalog.=) $1 FOR NO KEY UPDATE",
	1, {INT8OID}
};

/* the current membership of an account in an organization, locked */
static EnrollPlan plan_membership = {
	"SELECT m.id, m.is_admin FROM enroll.membership m"
	" WHERE m.organization_id OPERATOR(pg_catalog.=) $1"
	"   AND m.account_id OPERATOR(pg_catalog.=) $2 AND m.left_at IS NULL"
	"   FOR SHARE",
	2, {INT8OID, INT8OID}
};

/* is the private offer addressed to this account / organization? */
static EnrollPlan plan_addressed = {
	"SELECT FROM enroll.offer_recipient r"
	" WHERE r.offer_id OPERATOR(pg_catalog.=) $1"
	"   AND (r.account_id OPERATOR(pg_catalog.=) $2"
	"        OR r.organization_id OPERATOR(pg_catalog.=) $3)",
	3, {INT8OID, INT8OID, INT8OID}
};

/* a registrar candidate: its name and whether its type qualifies */
static EnrollPlan plan_registrar = {
	"SELECT g.name, t.code, EXISTS (SELECT FROM enroll.offer_registrar_type r"
	"        WHERE r.offer_id OPERATOR(pg_catalog.=) $2"
	"          AND r.organization_type_id OPERATOR(pg_catalog.=) g.type_id)"
	"  FROM enroll.organization g JOIN enroll.organization_type t"
	"    ON t.id OPERATOR(pg_catalog.=) g.type_id"
	" WHERE g.id OPERATOR(pg_catalog.=) $1",
	2, {INT8OID, INT8OID}
};

static EnrollPlan plan_join = {
	"INSERT INTO enroll.membership (account_id, organization_id, joined_at)"
	" VALUES ($1, $2, $3) RETURNING id",
	3, {INT8OID, INT8OID, TIMESTAMPTZOID}
};

static EnrollPlan plan_insert_license = {
	"INSERT INTO enroll.license (id, offer_id, course_id, holder_kind,"
	"   account_id, organization_id, accepted_by, accepted_via, accepted_at,"
	"   registrar_org_id, accepted_condition, price_paid, currency,"
	"   access_from, access_until, documents_due_at, seats, order_ref)"
	" SELECT $1, o.id, o.course_id,"
	"        CASE WHEN $3 IS NULL THEN 'person' ELSE 'organization' END::enroll.holder_kind,"
	"        $2, $3, $4, $5::enroll.acceptance_mode, $6, $7,"
	"        CASE WHEN $8 THEN o.extra_condition END, o.price, o.currency,"
	"        $6, $6 OPERATOR(pg_catalog.+) o.access_period,"
	"        $6 OPERATOR(pg_catalog.+) o.documents_grace,"
	"        CASE WHEN $3 IS NOT NULL THEN o.seats END, $9"
	"   FROM enroll.offer o WHERE o.id OPERATOR(pg_catalog.=) $10",
	10, {INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID, INT8OID,
	BOOLOID, TEXTOID, INT8OID}
};

static EnrollPlan plan_license_row = {
	"SELECT l FROM enroll.license l WHERE l.id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

/* what accept_offer needs to know of the offer */
typedef struct OfferInfo
{
	int64		id;
	char	   *code;
	int64		course_id;
	TimestampTz valid_from;
	TimestampTz valid_until;
	bool		is_private;
	bool		for_organizations;
	char	   *required_level;
	char	   *extra_condition;	/* NULL when none */
	bool		has_registrar_types;
} OfferInfo;

/* Load and lock the offer (PE015 if unknown). */
static void
LoadOffer(int64 offer_id, OfferInfo *offer)
{
	Datum		arg = Int64GetDatum(offer_id);

	if (EnrollExecute(&plan_offer, &arg, NULL, false, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_OFFER),
				 errmsg("offer %lld does not exist", (long long) offer_id),
				 errhint("The offers an account may accept are listed in enroll.visible_offers.")));
	offer->id = offer_id;
	offer->code = EnrollGetText(0, 1);
	offer->course_id = EnrollGetInt64(0, 2);
	offer->valid_from = EnrollGetTimestamp(0, 3, NULL);
	offer->valid_until = EnrollGetTimestamp(0, 4, NULL);
	offer->is_private = EnrollGetBool(0, 5);
	offer->for_organizations = EnrollGetBool(0, 6);
	offer->required_level = EnrollGetText(0, 7);
	offer->extra_condition = EnrollGetText(0, 8);
	offer->has_registrar_types = EnrollGetBool(0, 14);
}

/* Is the private offer addressed to this account or organization? */
static bool
IsAddressed(int64 offer_id, int64 account, int64 organization)
{
	Datum		args[3];
	char		nulls[3] = {' ', ' ', ' '};

	args[0] = Int64GetDatum(offer_id);
	args[1] = Int64GetDatum(account);
	args[2] = Int64GetDatum(organization);
	if (account == 0)
		nulls[1] = 'n';
	if (organization == 0)
		nulls[2] = 'n';
	return EnrollExecute(&plan_addressed, args, nulls, true, 1, SPI_OK_SELECT) > 0;
}

/* The current membership of account in organization, locked; 0 if none. */
static int64
CurrentMembership(int64 organization, int64 account, bool *is_admin)
{
	Datum		args[2] = {Int64GetDatum(organization), Int64GetDatum(account)};

	if (EnrollExecute(&plan_membership, args, NULL, false, 1, SPI_OK_SELECT) == 0)
		return 0;
	if (is_admin)
		*is_admin = EnrollGetBool(0, 2);
	return EnrollGetInt64(0, 1);
}

/*
 * Lock an account and compare its profile level with the offer's (PE013 if
 * the account does not exist).  Returns whether the level suffices.
 */
static bool
LockAccount(int64 account, int64 offer_id, char **level)
{
	Datum		args[2] = {Int64GetDatum(account), Int64GetDatum(offer_id)};

	if (EnrollExecute(&plan_lock_account, args, NULL, false, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_ACCOUNT),
				 errmsg("account %lld does not exist", (long long) account)));
	*level = EnrollGetText(0, 1);
	return EnrollGetBool(0, 2);
}

/* Step 4: the profile level the offer requires (S2.11, S2.12). */
static void
CheckProfileLevel(const OfferInfo *offer, int64 account, bool sufficient,
				  const char *level)
{
	if (sufficient)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_ENROLL_PROFILE_LEVEL),
			 errmsg("offer \"%s\" requires profile level \"%s\"",
					offer->code, offer->required_level),
			 errdetail("Account %lld has profile level \"%s\".",
					   (long long) account, level),
			 errhint("Supply the missing data with enroll.upgrade_profile('%s', ...) first.",
					 offer->required_level)));
}

/*
 * Step 5: the registrar organization (S2.13-S2.17).  Returns the
 * organization to record on the license, 0 when the offer has no such
 * condition.  With join_registrar the beneficiary joins it now.
 */
static int64
CheckRegistrar(const OfferInfo *offer, int64 beneficiary, bool registrar_given,
			   int64 registrar, bool join, TimestampTz now)
{
	Datum		args[3];
	char	   *name;
	bool		qualifies;

	if (!offer->has_registrar_types || offer->for_organizations)
	{
		if (registrar_given)
			ereport(ERROR,
					(errcode(ERRCODE_ENROLL_REGISTRAR_INVALID),
					 errmsg("offer \"%s\" takes no registrar organization", offer->code),
					 errdetail("The offer is not restricted to members of organization types."),
					 errhint("Call enroll.accept_offer without registrar_org.")));
		return 0;
	}
	if (!registrar_given)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_REGISTRAR_REQUIRED),
				 errmsg("offer \"%s\" requires a registrar organization", offer->code),
				 errdetail("The offer is restricted to members of organizations of given types."),
				 errhint("Name one with registrar_org; enroll.offer_requirements lists the candidates.")));

	args[0] = Int64GetDatum(registrar);
	args[1] = Int64GetDatum(offer->id);
	if (EnrollExecute(&plan_registrar, args, NULL, true, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_ORGANIZATION),
				 errmsg("organization %lld does not exist", (long long) registrar)));
	name = EnrollGetText(0, 1);
	qualifies = EnrollGetBool(0, 3);
	if (!qualifies)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_REGISTRAR_INVALID),
				 errmsg("organization \"%s\" cannot be the registrar for offer \"%s\"",
						name, offer->code),
				 errdetail("Its type \"%s\" is not one of the offer's organization types.",
						   EnrollGetText(0, 2)),
				 errhint("enroll.offer_requirements lists the organizations that qualify.")));

	if (CurrentMembership(registrar, beneficiary, NULL) != 0)
		return registrar;
	if (!join)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_REGISTRAR_INVALID),
				 errmsg("account %lld is not a current member of organization \"%s\"",
						(long long) beneficiary, name),
				 errhint("Pass join_registrar => true to join it as part of the acceptance.")));

	args[0] = Int64GetDatum(beneficiary);
	args[1] = Int64GetDatum(registrar);
	args[2] = TimestampTzGetDatum(now);
	EnrollExecute(&plan_join, args, NULL, false, 1, SPI_OK_INSERT_RETURNING);
	EnrollLogEvent("membership.join", "membership",
				   EnrollGetInt64(0, 1),
				   EnrollJsonbf("{\"organization\": %lld, \"via\": \"accept_offer\"}",
								(long long) registrar));
	return registrar;
}

/* Step 6: the extra condition (S2.21, S2.22). */
static void
CheckCondition(const OfferInfo *offer, bool accepted)
{
	if (offer->extra_condition == NULL || accepted)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_ENROLL_CONDITION_NOT_ACCEPTED),
			 errmsg("offer \"%s\" has a condition that was not accepted", offer->code),
			 errdetail("Condition: %s", offer->extra_condition),
			 errhint("Show the condition to the learner and pass accept_condition => true once they tick it.")));
}

/* who accepts, for whom, and how (the outcome of step 3) */
typedef struct Acceptance
{
	int64		actor;
	int64		holder_account; /* the person, or 0 */
	int64		holder_org;		/* the organization, or 0 */
	const char *mode;			/* acceptance_mode: self, admin, org_admin */
} Acceptance;

/*
 * Step 3 for an organization offer: only a current admin of the named
 * organization accepts on its behalf (S2.8); the organization is locked so
 * that acceptances for it serialize; a private offer must be addressed to
 * it.  Step 4: the accepting admin's profile level (their data goes on the
 * invoice).
 */
static void
AcceptForOrganization(const OfferInfo *offer, bool account_given,
					  bool organization_given, int64 organization, Acceptance *acc)
{
	bool		is_admin = false;
	char	   *level;
	bool		level_ok;

	if (account_given || !organization_given)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_HOLDER_KIND),
				 errmsg("offer \"%s\" is for organizations", offer->code),
				 errhint("Accept it on an organization's behalf with for_organization => its id.")));
	if (EnrollExecute(&plan_lock_organization, (Datum[]) {Int64GetDatum(organization)},
					  NULL, false, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_ORGANIZATION),
				 errmsg("organization %lld does not exist", (long long) organization)));
	if (CurrentMembership(organization, acc->actor, &is_admin) == 0 || !is_admin)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only an administrator of organization %lld may accept offer \"%s\" on its behalf",
						(long long) organization, offer->code),
				 errdetail("Account %lld is not a current administrator of that organization.",
						   (long long) acc->actor)));
	if (offer->is_private && !IsAddressed(offer->id, 0, organization))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_OFFER_NOT_ACCEPTABLE),
				 errmsg("offer \"%s\" is not addressed to organization %lld",
						offer->code, (long long) organization),
				 errdetail("A private offer can only be accepted by its addressees.")));
	acc->holder_org = organization;
	acc->mode = "org_admin";
	level_ok = LockAccount(acc->actor, offer->id, &level);
	CheckProfileLevel(offer, acc->actor, level_ok, level);
}

/*
 * Step 3 for an offer to persons: the learner, or a system admin on behalf
 * of a learner (S2.8); the beneficiary's account is locked so that
 * acceptances for it serialize; a private offer must be addressed to it.
 * Step 4: the beneficiary's profile level.
 */
static void
AcceptForPerson(const OfferInfo *offer, bool account_given, int64 account,
				bool organization_given, Acceptance *acc)
{
	char	   *level;
	bool		level_ok;

	if (organization_given)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_HOLDER_KIND),
				 errmsg("offer \"%s\" is for persons, not organizations", offer->code),
				 errhint("Omit for_organization.")));
	acc->holder_account = account_given ? account : acc->actor;
	acc->mode = "self";
	if (acc->holder_account != acc->actor)
	{
		if (!EnrollActorIsAdmin())
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to accept offer \"%s\" for account %lld",
							offer->code, (long long) acc->holder_account),
					 errdetail("Only system administrators may accept an offer on behalf of a learner.")));
		acc->mode = "admin";
	}
	level_ok = LockAccount(acc->holder_account, offer->id, &level);
	if (offer->is_private && !IsAddressed(offer->id, acc->holder_account, 0))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_OFFER_NOT_ACCEPTABLE),
				 errmsg("offer \"%s\" is not addressed to account %lld",
						offer->code, (long long) acc->holder_account),
				 errdetail("A private offer can only be accepted by its addressees.")));
	CheckProfileLevel(offer, acc->holder_account, level_ok, level);
}

/*
 * The new license, after the holder's current one was superseded (S2.23);
 * see licenses.c for the 40001 mapping of the insert.
 */
static void
InsertLicense(const OfferInfo *offer, const Acceptance *acc, int64 license_id,
			  int64 registrar_org, bool accept_condition, const char *order_ref,
			  TimestampTz now)
{
	Datum		args[10];
	char		nulls[10] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};

	args[0] = Int64GetDatum(license_id);
	args[1] = Int64GetDatum(acc->holder_account);
	nulls[1] = acc->holder_account == 0 ? 'n' : ' ';
	args[2] = Int64GetDatum(acc->holder_org);
	nulls[2] = acc->holder_org == 0 ? 'n' : ' ';
	args[3] = Int64GetDatum(acc->actor);
	args[4] = CStringGetTextDatum(acc->mode);
	args[5] = TimestampTzGetDatum(now);
	args[6] = Int64GetDatum(registrar_org);
	nulls[6] = registrar_org == 0 ? 'n' : ' ';
	args[7] = BoolGetDatum(accept_condition);
	args[8] = order_ref ? CStringGetTextDatum(order_ref) : (Datum) 0;
	nulls[8] = order_ref ? ' ' : 'n';
	args[9] = Int64GetDatum(offer->id);
	EnrollExecuteLicenseInsert(&plan_insert_license, args, nulls, SPI_OK_INSERT,
							   psprintf("the acceptance of offer \"%s\"", offer->code));
}

PG_FUNCTION_INFO_V1(accept_offer);
/*
 * enroll.accept_offer(offer, registrar_org, join_registrar, accept_condition,
 * for_account, for_organization, order_ref) -> enroll.license
 */
Datum
accept_offer(PG_FUNCTION_ARGS)
{
	bool		registrar_given = !PG_ARGISNULL(1);
	bool		join = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
	bool		accept_condition = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
	char	   *order_ref = PG_ARGISNULL(6) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(6));
	Acceptance	acc = {0, 0, 0, NULL};
	OfferInfo	offer;
	TimestampTz now = EnrollClockNow();
	int64		license_id;
	int64		superseded;
	int64		registrar_org;
	Datum		result;
	bool		isnull;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("offer must not be null")));
	if (order_ref != NULL)
		EnrollCheckOrderRef(order_ref);
	if (!PG_ARGISNULL(4) && !PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("for_account and for_organization cannot both be given"),
				 errhint("A license is held by a person or by an organization, not both.")));

	/* 1. logged in */
	acc.actor = EnrollRequireAccount();

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/* 2. the offer, locked, and active */
	LoadOffer(PG_GETARG_INT64(0), &offer);
	EnrollRequireOfferActive(offer.code, offer.valid_from, offer.valid_until, now);

	/* 3. beneficiary, visibility and who may accept for it; 4. profile level */
	if (offer.for_organizations)
		AcceptForOrganization(&offer, !PG_ARGISNULL(4), !PG_ARGISNULL(5),
							  PG_ARGISNULL(5) ? 0 : PG_GETARG_INT64(5), &acc);
	else
		AcceptForPerson(&offer, !PG_ARGISNULL(4), PG_ARGISNULL(4) ? 0 : PG_GETARG_INT64(4),
						!PG_ARGISNULL(5), &acc);

	/* 5. registrar organization; 6. extra condition */
	registrar_org = CheckRegistrar(&offer, acc.holder_account, registrar_given,
								   registrar_given ? PG_GETARG_INT64(1) : 0, join, now);
	CheckCondition(&offer, accept_condition);

	/* the new license supersedes the current one (S2.23) */
	EnrollNextLicenseIds(&license_id, 1);
	superseded = EnrollSupersede(offer.course_id, acc.holder_account, acc.holder_org,
								 license_id, now);
	InsertLicense(&offer, &acc, license_id, registrar_org, accept_condition, order_ref, now);
	EnrollLogEvent("license.accept", "license", license_id,
				   EnrollJsonbf("{\"offer\": %lld, \"via\": \"%s\", \"superseded\": %s, \"registrar_org\": %s}",
								(long long) offer.id, acc.mode,
								superseded ? psprintf("%lld", (long long) superseded) : "null",
								registrar_org ? psprintf("%lld", (long long) registrar_org) : "null"));

	/* the new row, copied out to the caller's memory before SPI_finish */
	EnrollExecute(&plan_license_row, (Datum[]) {Int64GetDatum(license_id)},
				  NULL, false, 1, SPI_OK_SELECT);
	result = SPI_datumTransfer(EnrollGetDatum(0, 1, &isnull), false, -1);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

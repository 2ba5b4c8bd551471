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
 *	 7. (1.2) an organization offer checks the organization's own profile
 *		(PE004); an approval organization is not joined with join_registrar
 *		(PE022); the acceptance cap (PE023); an erased beneficiary (PE025)
 * Then the consent rule (licenses.c): the person's own acceptance supersedes
 * the current license for the course (S2.23: access times never add up);
 * an acceptance by someone else (a system admin for a learner) never gives
 * the person less: the result says granted, replaced, follows or kept.  The holder's row (account or organization) is locked
 * FOR NO KEY UPDATE first, so two acceptances for one holder serialize and
 * the second supersedes the first instead of hitting the unique index.
 *
 * Lock order, shared by every writer: offer, holder, membership, license.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/json.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"

/*
 * The offer, locked against a concurrent closing: FOR SHARE, or FOR NO KEY
 * UPDATE when it has an acceptance cap, so that acceptances of a capped
 * offer count one after the other.
 */
#define OFFER_COLUMNS \
	"SELECT o.code, o.course_id, o.valid_from, o.valid_until," \
	"       o.visibility OPERATOR(pg_catalog.=) 'private'," \
	"       o.recipient_kind OPERATOR(pg_catalog.=) 'organization'," \
	"       o.required_level::text, o.extra_condition, o.access_period," \
	"       o.documents_grace, o.handler_params, o.max_acceptances," \
	"       o.required_level OPERATOR(pg_catalog.>) 'default'::enroll.profile_level," \
	"       o.price, o.currency, o.seats" \
	"  FROM enroll.offer o WHERE o.id OPERATOR(pg_catalog.=) $1"
static EnrollPlan plan_offer_share = {OFFER_COLUMNS " FOR SHARE", 1, {INT8OID}};
static EnrollPlan plan_offer_update = {OFFER_COLUMNS " FOR NO KEY UPDATE", 1, {INT8OID}};


/* an account, locked so that acceptances for it serialize; level check */
static EnrollPlan plan_lock_account = {
	"SELECT a.profile_level::text,"
	"       a.profile_level OPERATOR(pg_catalog.>=) o.required_level, a.erased_at IS NOT NULL"
	"  FROM enroll.account a, enroll.offer o"
	" WHERE a.id OPERATOR(pg_catalog.=) $1 AND o.id OPERATOR(pg_catalog.=) $2"
	"   FOR NO KEY UPDATE OF a",
	2, {INT8OID, INT8OID}
};

/* an organization, locked so that acceptances for it serialize; its level */
static EnrollPlan plan_lock_organization = {
	"SELECT g.name, g.profile_level::text, g.profile_level OPERATOR(pg_catalog.>=) o.required_level"
	"  FROM enroll.organization g, enroll.offer o"
	" WHERE g.id OPERATOR(pg_catalog.=) $1 AND o.id OPERATOR(pg_catalog.=) $2"
	"   FOR NO KEY UPDATE OF g",
	2, {INT8OID, INT8OID}
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

/* a registrar candidate: its name, whether its type qualifies, its join policy */
static EnrollPlan plan_registrar = {
	"SELECT g.name, t.code, EXISTS (SELECT FROM enroll.offer_registrar_type r"
	"        WHERE r.offer_id OPERATOR(pg_catalog.=) $2"
	"          AND r.organization_type_id OPERATOR(pg_catalog.=) g.type_id),"
	"       g.join_policy OPERATOR(pg_catalog.=) 'approval'"
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

/*
 * The new license, from the offer as LoadOffer read it under its lock
 * ($14 course, $15 price, $16 currency; $8 the condition accepted, $17 the
 * seats of an organization license, each NULL when none).
 */
static EnrollPlan plan_insert_license = {
	"INSERT INTO enroll.license (id, offer_id, course_id, holder_kind,"
	"   account_id, organization_id, accepted_by, accepted_via, accepted_at,"
	"   registrar_org_id, accepted_condition, price_paid, currency,"
	"   access_from, access_until, documents_due_at, seats, order_ref)"
	" VALUES ($1, $10, $14,"
	"        CASE WHEN $3 IS NULL THEN 'person' ELSE 'organization' END::enroll.holder_kind,"
	"        $2, $3, $4, $5::enroll.acceptance_mode, $6, $7, $8, $15, $16,"
	"        $11, $12, $13, $17, $9)"
	" RETURNING *",
	17, {INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID, INT8OID,
		TEXTOID, TEXTOID, INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZOID,
	INT8OID, NUMERICOID, TEXTOID, INT4OID}
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
	bool		above_default;
	char	   *extra_condition;	/* NULL when none */
	Datum		access_period;
	Datum		grace;
	bool		grace_null;
	char	   *handler_params; /* NULL when none */
	int32		max_acceptances;	/* 0: no cap */
	bool		has_registrar_types;	/* S2.13; false for organizations (no registrar) */
	Datum		price;			/* numeric */
	char	   *currency;
	int32		seats;			/* 0: none (an offer to persons) */
} OfferInfo;

/*
 * Does the offer exist, and has it an acceptance cap (*capped)?  It decides
 * the lock LoadOffer takes.  Read as a statement would read it (the
 * snapshot SPI would take for the next one), by a probe of offer_pkey: the
 * statement it replaces cost more in executor start-up than the read.
 */
static bool
OfferCapped(int64 offer_id, bool *capped)
{
	const EnrollCatalog *cat = EnrollGetCatalog();
	Snapshot	snapshot = EnrollBeginStatementProbe();
	Relation	rel = table_open(cat->offer, AccessShareLock);
	HeapTuple	tup = EnrollIndexFetch(rel, cat->offer_pkey, offer_id, snapshot);

	if (tup != NULL)
	{
		*capped = !heap_attisnull(tup, cat->o_max_acceptances, RelationGetDescr(rel));
		heap_freetuple(tup);
	}
	table_close(rel, AccessShareLock);
	EnrollEndStatementProbe();
	return tup != NULL;
}

/*
 * Is the offer restricted to members of organization types (S2.13)?  A
 * probe of offer_registrar_type's primary key, read as the next statement
 * would, after the offer's lock: as an EXISTS in the offer's statement the
 * planner scanned the whole (one-page) table for every acceptance, 4 % of
 * accept_offer (perf).
 */
static bool
HasRegistrarTypes(int64 offer_id)
{
	const EnrollCatalog *cat = EnrollGetCatalog();
	Snapshot	snapshot = EnrollBeginStatementProbe();
	Relation	rel = table_open(cat->offer_registrar_type, AccessShareLock);
	bool		found = EnrollIndexHasKey(rel, cat->offer_registrar_type_pkey, offer_id, snapshot);

	table_close(rel, AccessShareLock);
	EnrollEndStatementProbe();
	return found;
}

/*
 * Load and lock the offer (PE015 if unknown): FOR SHARE, or FOR NO KEY
 * UPDATE when it has an acceptance cap.  A cap set between the two reads
 * (update_offer) cannot be counted under a shared lock: 40001, retry.
 */
static void
LoadOffer(int64 offer_id, OfferInfo *offer)
{
	Datum		arg = Int64GetDatum(offer_id);
	bool		capped;
	bool		isnull;

	if (!OfferCapped(offer_id, &capped))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_OFFER),
				 errmsg("offer %lld does not exist", (long long) offer_id),
				 errhint("The offers an account may accept are listed in enroll.visible_offers.")));
	if (EnrollExecute(capped ? &plan_offer_update : &plan_offer_share, &arg, NULL, false, 1,
					  SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_OFFER),
				 errmsg("offer %lld does not exist", (long long) offer_id)));
	offer->id = offer_id;
	offer->code = EnrollGetText(0, 1);
	offer->course_id = EnrollGetInt64(0, 2);
	offer->valid_from = EnrollGetTimestamp(0, 3, NULL);
	offer->valid_until = EnrollGetTimestamp(0, 4, NULL);
	offer->is_private = EnrollGetBool(0, 5);
	offer->for_organizations = EnrollGetBool(0, 6);
	offer->required_level = EnrollGetText(0, 7);
	offer->extra_condition = EnrollGetText(0, 8);
	offer->access_period = EnrollGetDatum(0, 9, &isnull);
	offer->grace = EnrollGetDatum(0, 10, &offer->grace_null);
	offer->handler_params = EnrollGetText(0, 11);
	offer->max_acceptances = EnrollGetInt32(0, 12);
	offer->above_default = EnrollGetBool(0, 13);
	offer->price = datumCopy(EnrollGetDatum(0, 14, &isnull), false, -1);
	offer->currency = EnrollGetText(0, 15);
	offer->seats = EnrollGetInt32(0, 16);
	/* an organization's acceptance has no registrar (CheckRegistrar): no probe */
	offer->has_registrar_types = !offer->for_organizations && HasRegistrarTypes(offer_id);
	if (offer->max_acceptances != 0 && !capped)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize the acceptance of offer \"%s\"", offer->code),
				 errdetail("An acceptance cap was set on the offer by a concurrent transaction."),
				 errhint("Retry the transaction.")));
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
 * the account does not exist, PE025 if it has been erased).  Returns whether the level suffices.
 */
static bool
LockAccount(int64 account, int64 offer_id, char **level)
{
	Datum		args[2] = {Int64GetDatum(account), Int64GetDatum(offer_id)};

	if (EnrollExecute(&plan_lock_account, args, NULL, false, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_ACCOUNT),
				 errmsg("account %lld does not exist", (long long) account)));
	if (EnrollGetBool(0, 3))
		EnrollErasedAccountError(account);
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
	bool		approval;

	if (!offer->has_registrar_types)
	{
		if (registrar_given)
			ereport(ERROR,
					(errcode(ERRCODE_ENROLL_REGISTRAR_INVALID),
					 errmsg("offer \"%s\" takes no registrar organization", offer->code),
					 offer->for_organizations ?
					 errdetail("An organization accepts an offer without a registrar organization.") :
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
	approval = EnrollGetBool(0, 4);
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
	if (join && approval)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_JOIN_BY_APPROVAL),
				 errmsg("organization \"%s\" admits members by approval", name),
				 errdetail("Account %lld is not a member, and only an administrator of the organization may add members (S2.13).",
						   (long long) beneficiary),
				 errhint("Ask the organization to add the account with enroll.join_organization(organization, account, email).")));
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
	bool		own;			/* the holder's own choice (consent rule) */
} Acceptance;

/*
 * A private offer exists only for its addressees and admins (S2.7): a
 * non-admin actor it is not addressed to (directly or through a current
 * organization) learns nothing of it -- not its code, not its window --
 * whatever the later checks would say.  PE003.
 */
static void
CheckVisibleToActor(const OfferInfo *offer, int64 actor)
{
	if (!offer->is_private || EnrollActorIsAdmin())
		return;
	if (EnrollOfferAddressedTo(offer->id, actor))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_ENROLL_OFFER_NOT_ACCEPTABLE),
			 errmsg("offer %lld is not available to account %lld",
					(long long) offer->id, (long long) actor),
			 errdetail("A private offer is shown only to its addressees."),
			 errhint("enroll.visible_offers lists the offers this account may accept.")));
}

/*
 * Step 3 for an organization offer: only a current admin of the named
 * organization accepts on its behalf (S2.8); the organization is locked so
 * that acceptances for it serialize; a private offer must be addressed to
 * it.  Step 4: the organization's own profile level (its invoice data, not
 * the accepting admin's).
 */
static void
AcceptForOrganization(const OfferInfo *offer, bool account_given,
					  bool organization_given, int64 organization, Acceptance *acc)
{
	bool		is_admin = false;
	char	   *name;
	char	   *level;
	bool		level_ok;

	if (account_given || !organization_given)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_HOLDER_KIND),
				 errmsg("offer \"%s\" is for organizations", offer->code),
				 errhint("Accept it on an organization's behalf with for_organization => its id.")));
	if (EnrollExecute(&plan_lock_organization,
					  (Datum[]) {Int64GetDatum(organization), Int64GetDatum(offer->id)},
					  NULL, false, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_ORGANIZATION),
				 errmsg("organization %lld does not exist", (long long) organization)));
	name = EnrollGetText(0, 1);
	level = EnrollGetText(0, 2);
	level_ok = EnrollGetBool(0, 3);
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
	acc->own = true;			/* the organization's own choice, by its admin */
	if (!level_ok)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_PROFILE_LEVEL),
				 errmsg("offer \"%s\" requires profile level \"%s\" of organization \"%s\"",
						offer->code, offer->required_level, name),
				 errdetail("The organization has profile level \"%s\"; the invoice data is the organization's.", level),
				 errhint("An administrator supplies it with enroll.upgrade_organization_profile(%lld, '%s', ...) first.",
						 (long long) organization, offer->required_level)));
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
	acc->own = true;
	if (acc->holder_account != acc->actor)
	{
		if (!EnrollActorIsAdmin())
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to accept offer \"%s\" for account %lld",
							offer->code, (long long) acc->holder_account),
					 errdetail("Only system administrators may accept an offer on behalf of a learner.")));
		acc->mode = "admin";
		acc->own = false;		/* on the learner's behalf: the consent rule applies */
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
 * The acceptance cap (max_acceptances): acceptance number n+1 is PE023.
 * The place is taken now, under the offer's lock; an acceptance where the
 * holder keeps their license gives it back (acceptance_cap.c).
 */
static void
CheckCap(const OfferInfo *offer)
{
	EnrollTakePlaces(offer->id, offer->code, offer->max_acceptances, 1, false);
}

/* the new license's window and documents deadline */
typedef struct NewLicense
{
	int64		id;
	TimestampTz from;
	TimestampTz until;
	TimestampTz documents_due;	/* 0: no documents */
	int64		registrar;
	int64		superseded;		/* the license it superseded, 0: none */
	HeapTuple	row;			/* the license written (NULL: kept) */
	TupleDesc	rowdesc;
} NewLicense;

/* The license, after the holder's current one was dealt with (licenses.c). */
static void
InsertLicense(const OfferInfo *offer, const Acceptance *acc, NewLicense *nl,
			  bool accept_condition, const char *order_ref, TimestampTz now)
{
	bool		condition = accept_condition && offer->extra_condition != NULL;
	bool		seats = acc->holder_org != 0 && offer->seats != 0;
	Datum		args[17];
	char		nulls[17];

	memset(nulls, ' ', sizeof(nulls));
	args[0] = Int64GetDatum(nl->id);
	args[1] = Int64GetDatum(acc->holder_account);
	nulls[1] = acc->holder_account == 0 ? 'n' : ' ';
	args[2] = Int64GetDatum(acc->holder_org);
	nulls[2] = acc->holder_org == 0 ? 'n' : ' ';
	args[3] = Int64GetDatum(acc->actor);
	args[4] = CStringGetTextDatum(acc->mode);
	args[5] = TimestampTzGetDatum(now);
	args[6] = Int64GetDatum(nl->registrar);
	nulls[6] = nl->registrar == 0 ? 'n' : ' ';
	args[7] = condition ? CStringGetTextDatum(offer->extra_condition) : (Datum) 0;
	nulls[7] = condition ? ' ' : 'n';
	args[8] = order_ref ? CStringGetTextDatum(order_ref) : (Datum) 0;
	nulls[8] = order_ref ? ' ' : 'n';
	args[9] = Int64GetDatum(offer->id);
	args[10] = TimestampTzGetDatum(nl->from);
	args[11] = TimestampTzGetDatum(nl->until);
	args[12] = TimestampTzGetDatum(nl->documents_due);
	nulls[12] = nl->documents_due == 0 ? 'n' : ' ';
	args[13] = Int64GetDatum(offer->course_id);
	args[14] = offer->price;
	args[15] = CStringGetTextDatum(offer->currency);
	args[16] = Int32GetDatum(offer->seats);
	nulls[16] = seats ? ' ' : 'n';
	EnrollExecuteLicenseInsert(&plan_insert_license, args, nulls, SPI_OK_INSERT_RETURNING,
							   psprintf("the acceptance of offer \"%s\"", offer->code));
	nl->row = SPI_tuptable->vals[0];
	nl->rowdesc = SPI_tuptable->tupdesc;
}

/*
 * The license itself: its window (a session's dates, or now for the
 * access period), the holder's current license dealt with by the consent
 * rule (licenses.c), the documents deadline kept when unmet (S2.18), an
 * organization's live seats carried over to its renewed license.  Returns
 * the outcome; nl->id is the license that gives access (the kept one when
 * the holder keeps theirs).
 */
static GrantOutcome
GrantLicense(const OfferInfo *offer, const Acceptance *acc, NewLicense *nl,
			 bool accept_condition, const char *order_ref, TimestampTz now)
{
	SessionParams sp;
	CurrentLicense cur;
	GrantOutcome outcome;

	if (offer->handler_params != NULL)
		EnrollParseHandlerParams(offer->code, offer->handler_params, &sp);
	EnrollLicenseWindow(offer->code, offer->handler_params ? &sp : NULL, offer->access_period,
						offer->grace, offer->grace_null, now,
						&nl->from, &nl->until, &nl->documents_due);
	EnrollNextLicenseIds(&nl->id, 1);
	outcome = EnrollGrantOne(offer->course_id, acc->holder_account, acc->holder_org,
							 nl->from, nl->until, acc->own, nl->id, now, &cur);
	if (outcome == GRANT_KEPT)
	{
		nl->id = cur.id;
		return outcome;
	}
	if (outcome == GRANT_REPLACED || outcome == GRANT_FOLLOWS)
		nl->superseded = cur.id;
	nl->documents_due = EnrollDocumentsDue(&cur, nl->registrar, nl->documents_due);
	InsertLicense(offer, acc, nl, accept_condition, order_ref, now);
	EnrollRelinkEnrollments(cur.id, nl->id);
	if (acc->holder_org != 0 && cur.id != 0)
		EnrollCarrySeats(cur.id, nl->id, now);
	return outcome;
}

/*
 * The event's details: the offer, how it was accepted and, when a license
 * was written, the outcome, the registrar and the license superseded (null:
 * none).  Written as jsonb directly (keys in jsonb's order): no text to
 * parse on every acceptance.
 */
static Jsonb *
AcceptDetails(int64 offer, const char *via, GrantOutcome outcome, int64 registrar,
			  int64 superseded)
{
	static const char *const keys[] = {"via", "offer", "outcome", "superseded", "registrar_org"};
	EnrollJsonbWriter w;

	EnrollJwInit(&w, 0);
	EnrollJwBeginObject(&w, NULL, keys, outcome == GRANT_KEPT ? 2 : lengthof(keys));
	EnrollJwString(&w, "via", via);
	EnrollJwInt(&w, "offer", offer);
	if (outcome != GRANT_KEPT)
	{
		EnrollJwString(&w, "outcome", EnrollGrantOutcomeName(outcome));
		if (superseded != 0)
			EnrollJwInt(&w, "superseded", superseded);
		else
			EnrollJwString(&w, "superseded", NULL);
		if (registrar != 0)
			EnrollJwInt(&w, "registrar_org", registrar);
		else
			EnrollJwString(&w, "registrar_org", NULL);
	}
	EnrollJwEnd(&w);
	return EnrollJwFinish(&w);
}

PG_FUNCTION_INFO_V1(accept_offer);
/*
 * enroll.accept_offer(offer, registrar_org, join_registrar, accept_condition,
 * for_account, for_organization, order_ref) -> enroll.license_grant
 */
Datum
accept_offer(PG_FUNCTION_ARGS)
{
	bool		registrar_given = !PG_ARGISNULL(1);
	bool		join = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
	bool		accept_condition = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
	char	   *order_ref = PG_ARGISNULL(6) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(6));
	Acceptance	acc = {0, 0, 0, NULL, true};
	OfferInfo	offer;
	NewLicense	nl;
	GrantOutcome outcome;
	TimestampTz now = EnrollClockNow();
	Datum		result;

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

	EnrollRequireSchema();
	/* 1. logged in */
	acc.actor = EnrollRequireAccount();

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	/* 2. the offer, locked, visible to the actor at all, and active */
	LoadOffer(PG_GETARG_INT64(0), &offer);
	CheckVisibleToActor(&offer, acc.actor);
	EnrollRequireOfferActive(offer.code, offer.valid_from, offer.valid_until, now);

	/* 3. beneficiary, visibility and who may accept for it; 4. profile level */
	if (offer.for_organizations)
		AcceptForOrganization(&offer, !PG_ARGISNULL(4), !PG_ARGISNULL(5),
							  PG_ARGISNULL(5) ? 0 : PG_GETARG_INT64(5), &acc);
	else
		AcceptForPerson(&offer, !PG_ARGISNULL(4), PG_ARGISNULL(4) ? 0 : PG_GETARG_INT64(4),
						!PG_ARGISNULL(5), &acc);

	/* 5. registrar organization; 6. extra condition; the acceptance cap */
	memset(&nl, 0, sizeof(nl));
	nl.registrar = CheckRegistrar(&offer, acc.holder_account, registrar_given,
								  registrar_given ? PG_GETARG_INT64(1) : 0, join, now);
	CheckCondition(&offer, accept_condition);
	CheckCap(&offer);

	outcome = GrantLicense(&offer, &acc, &nl, accept_condition, order_ref, now);
	if (outcome == GRANT_KEPT)
		EnrollReturnPlaces(offer.id, offer.max_acceptances, 1);
	EnrollLogEventAbout(outcome != GRANT_KEPT ? "license.accept" : "license.keep", "license",
						nl.id, acc.holder_account,
						AcceptDetails(offer.id, acc.mode, outcome, nl.registrar, nl.superseded));

	result = nl.row != NULL ? EnrollGrantResultFromRow(fcinfo, nl.row, nl.rowdesc, outcome)
		: EnrollGrantResult(fcinfo, nl.id, outcome);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

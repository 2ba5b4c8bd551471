/*-------------------------------------------------------------------------
 * requirements.c
 *	  enroll.offer_requirements(offer): the steps the acting account must
 *	  still take to accept an offer, so an application can drive its whole
 *	  acceptance UI from one call (S2.9, S2.12, S2.16, S2.17, S2.21).
 *
 * Result:
 *	 {"offer": id, "code": text, "state": upcoming|active|expired,
 *	  "account": id or null,
 *	  "steps": [{"step": "login", "satisfied": bool},
 *				{"step": "organization_admin", ...}		organization offers
 *				{"step": "profile", ...}				required_level > default
 *				{"step": "registrar_organization", ...}	offers with types
 *				{"step": "extra_condition", ...}]}		offers with a condition
 * The profile step is listed whenever the offer needs more than default,
 * even when already satisfied: the learner is still sent to check the data
 * (S2.12).  Registrar candidates list qualifying memberships first, then the
 * organizations of the offer's types that can be joined (S2.16, S2.17).
 * The extra condition is satisfied only by ticking it at acceptance, so its
 * step always reads "satisfied": false and carries the text (S2.21).
 *
 * A private offer the actor may not see is reported as PE003, like an
 * acceptance would be, so that this function leaks nothing.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"

static EnrollPlan plan_offer = {
	"SELECT o.code, o.valid_from,"
	"       o.visibility OPERATOR(pg_catalog.=) 'private',"
	"       o.recipient_kind OPERATOR(pg_catalog.=) 'organization',"
	"       o.required_level::text,"
	"       o.required_level OPERATOR(pg_catalog.>) 'default'::enroll.profile_level,"
	"       o.extra_condition,"
	"       (SELECT pg_catalog.jsonb_agg(t.code ORDER BY t.code)"
	"          FROM enroll.offer_registrar_type r JOIN enroll.organization_type t"
	"            ON t.id OPERATOR(pg_catalog.=) r.organization_type_id"
	"         WHERE r.offer_id OPERATOR(pg_catalog.=) o.id)"
	"       , o.valid_until"
	"  FROM enroll.offer o WHERE o.id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

/* addressed to the account, or to an organization it currently belongs to */
static EnrollPlan plan_addressed = {
	"SELECT EXISTS (SELECT FROM enroll.offer_recipient r"
	"  WHERE r.offer_id OPERATOR(pg_catalog.=) $1"
	"    AND (r.account_id OPERATOR(pg_catalog.=) $2"
	"         OR r.organization_id IN (SELECT m.organization_id FROM enroll.membership m"
	"              WHERE m.account_id OPERATOR(pg_catalog.=) $2 AND m.left_at IS NULL)))",
	2, {INT8OID, INT8OID}
};

static EnrollPlan plan_profile = {
	"SELECT a.profile_level::text,"
	"       a.profile_level OPERATOR(pg_catalog.>=) o.required_level,"
	"       pg_catalog.to_jsonb(enroll.profile_missing_fields(o.required_level,"
	"                                                   enroll.account_profile_data(a)))"
	"  FROM enroll.account a, enroll.offer o"
	" WHERE a.id OPERATOR(pg_catalog.=) $1 AND o.id OPERATOR(pg_catalog.=) $2",
	2, {INT8OID, INT8OID}
};

/* organizations of the offer's types: current memberships first */
static EnrollPlan plan_candidates = {
	"SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object("
	"           'id', g.id, 'name', g.name, 'type', t.code, 'member', m.id IS NOT NULL)"
	"         ORDER BY m.id IS NULL, g.name, g.id), '[]'),"
	"       COALESCE(pg_catalog.bool_or(m.id IS NOT NULL), false)"
	"  FROM enroll.offer_registrar_type r"
	"  JOIN enroll.organization g ON g.type_id OPERATOR(pg_catalog.=) r.organization_type_id"
	"  JOIN enroll.organization_type t ON t.id OPERATOR(pg_catalog.=) g.type_id"
	"  LEFT JOIN enroll.membership m ON m.organization_id OPERATOR(pg_catalog.=) g.id"
	"        AND m.account_id OPERATOR(pg_catalog.=) $2 AND m.left_at IS NULL"
	" WHERE r.offer_id OPERATOR(pg_catalog.=) $1",
	2, {INT8OID, INT8OID}
};

/* organizations the account administers and may accept this offer for */
static EnrollPlan plan_admin_orgs = {
	"SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('id', g.id, 'name', g.name)"
	"                                     ORDER BY g.name, g.id), '[]')"
	"  FROM enroll.membership m JOIN enroll.organization g ON g.id OPERATOR(pg_catalog.=) m.organization_id"
	"  JOIN enroll.offer o ON o.id OPERATOR(pg_catalog.=) $1"
	" WHERE m.account_id OPERATOR(pg_catalog.=) $2 AND m.left_at IS NULL AND m.is_admin"
	"   AND (o.visibility OPERATOR(pg_catalog.=) 'public' OR EXISTS ("
	"        SELECT FROM enroll.offer_recipient x WHERE x.offer_id OPERATOR(pg_catalog.=) o.id"
	"           AND x.organization_id OPERATOR(pg_catalog.=) g.id))",
	2, {INT8OID, INT8OID}
};

/* what offer_requirements knows of the offer and the actor */
typedef struct Requirements
{
	int64		offer_id;
	int64		actor;			/* 0 when anonymous */
	bool		logged_in;
	char	   *code;
	const char *state;
	bool		is_private;
	bool		for_organizations;
	char	   *required_level;
	bool		above_default;
	char	   *extra_condition;	/* NULL when none */
	bool		types_null;
	Datum		types;			/* jsonb array of type codes */
} Requirements;

static void
BeginStep(JsonbParseState **state, const char *name)
{
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	EnrollJsonString(state, "step", name);
}

/* Read the offer (PE015 when unknown). */
static void
ReadOffer(Requirements *r)
{
	Datum		arg = Int64GetDatum(r->offer_id);

	if (EnrollExecute(&plan_offer, &arg, NULL, true, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_OFFER),
				 errmsg("offer %lld does not exist", (long long) r->offer_id)));
	r->code = EnrollGetText(0, 1);
	r->state = EnrollOfferState(EnrollGetTimestamp(0, 2, NULL),
								EnrollGetTimestamp(0, 9, NULL), EnrollClockNow());
	r->is_private = EnrollGetBool(0, 3);
	r->for_organizations = EnrollGetBool(0, 4);
	r->required_level = EnrollGetText(0, 5);
	r->above_default = EnrollGetBool(0, 6);
	r->extra_condition = EnrollGetText(0, 7);
	r->types = EnrollGetDatum(0, 8, &r->types_null);
}

/* A private offer exists only for its addressees and admins (S2.7): PE003. */
static void
CheckVisible(const Requirements *r)
{
	bool		addressed = false;

	if (!r->is_private || EnrollActorIsAdmin())
		return;
	if (r->logged_in)
	{
		EnrollExecute(&plan_addressed, (Datum[]) {Int64GetDatum(r->offer_id), Int64GetDatum(r->actor)},
					  NULL, true, 1, SPI_OK_SELECT);
		addressed = EnrollGetBool(0, 1);
	}
	if (!addressed)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_OFFER_NOT_ACCEPTABLE),
				 errmsg("offer %lld is not visible to the acting account", (long long) r->offer_id),
				 errdetail("A private offer is shown only to its addressees."),
				 errhint(r->logged_in ? "enroll.visible_offers lists the offers this account may see."
						 : "Log in: call enroll.act_as(account) first.")));
}

/* Organization offers: accepted by an admin on the organization's behalf (S2.8). */
static void
StepOrganizationAdmin(JsonbParseState **state, const Requirements *r)
{
	Datum		orgs = DirectFunctionCall1(jsonb_in, CStringGetDatum("[]"));
	bool		isnull;

	if (r->logged_in)
	{
		EnrollExecute(&plan_admin_orgs, (Datum[]) {Int64GetDatum(r->offer_id), Int64GetDatum(r->actor)},
					  NULL, true, 1, SPI_OK_SELECT);
		orgs = EnrollGetDatum(0, 1, &isnull);
	}
	BeginStep(state, "organization_admin");
	EnrollJsonBool(state, "satisfied", JsonContainerSize(&DatumGetJsonbP(orgs)->root) > 0);
	EnrollJsonJsonb(state, "organizations", orgs, false);
	pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/* Profile level (S2.11, S2.12): listed whenever above default. */
static void
StepProfile(JsonbParseState **state, const Requirements *r)
{
	bool		isnull;

	BeginStep(state, "profile");
	EnrollJsonString(state, "required_level", r->required_level);
	if (r->logged_in)
	{
		EnrollExecute(&plan_profile, (Datum[]) {Int64GetDatum(r->actor), Int64GetDatum(r->offer_id)},
					  NULL, true, 1, SPI_OK_SELECT);
		EnrollJsonString(state, "current_level", EnrollGetText(0, 1));
		EnrollJsonBool(state, "satisfied", EnrollGetBool(0, 2));
		EnrollJsonJsonb(state, "missing_fields", EnrollGetDatum(0, 3, &isnull), false);
	}
	else
	{
		EnrollJsonString(state, "current_level", NULL);
		EnrollJsonBool(state, "satisfied", false);
		EnrollJsonJsonb(state, "missing_fields", (Datum) 0, true);
	}
	pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/* Registrar organization (S2.13-S2.17), for offers to persons. */
static void
StepRegistrar(JsonbParseState **state, const Requirements *r)
{
	Datum		args[2] = {Int64GetDatum(r->offer_id), Int64GetDatum(r->actor)};
	char		nulls[2] = {' ', r->logged_in ? ' ' : 'n'};
	bool		isnull;

	BeginStep(state, "registrar_organization");
	EnrollJsonJsonb(state, "organization_types", r->types, false);
	EnrollExecute(&plan_candidates, args, nulls, true, 1, SPI_OK_SELECT);
	EnrollJsonBool(state, "satisfied", EnrollGetBool(0, 2));
	EnrollJsonJsonb(state, "candidates", EnrollGetDatum(0, 1, &isnull), false);
	pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/* Extra condition (S2.21, S2.22): ticked at acceptance, so never satisfied here. */
static void
StepCondition(JsonbParseState **state, const Requirements *r)
{
	BeginStep(state, "extra_condition");
	EnrollJsonString(state, "text", r->extra_condition);
	EnrollJsonBool(state, "satisfied", false);
	pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

PG_FUNCTION_INFO_V1(offer_requirements);
/* enroll.offer_requirements(offer bigint) -> jsonb */
Datum
offer_requirements(PG_FUNCTION_ARGS)
{
	Requirements r;
	JsonbParseState *state = NULL;
	Jsonb	   *result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	memset(&r, 0, sizeof(r));
	r.offer_id = PG_GETARG_INT64(0);
	r.logged_in = EnrollCurrentAccount(&r.actor);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ReadOffer(&r);
	CheckVisible(&r);

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	EnrollJsonInt(&state, "offer", r.offer_id, false);
	EnrollJsonString(&state, "code", r.code);
	EnrollJsonString(&state, "state", r.state);
	EnrollJsonInt(&state, "account", r.actor, !r.logged_in);
	EnrollJsonKey(&state, "steps");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);

	/* login (S2.9) */
	BeginStep(&state, "login");
	EnrollJsonBool(&state, "satisfied", r.logged_in);
	pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	if (r.for_organizations)
		StepOrganizationAdmin(&state, &r);
	if (r.above_default)
		StepProfile(&state, &r);
	if (!r.types_null && !r.for_organizations)
		StepRegistrar(&state, &r);
	if (r.extra_condition != NULL)
		StepCondition(&state, &r);
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);

	/* copy the result out to the caller's memory before SPI_finish */
	result = JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
	result = (Jsonb *) DatumGetPointer(SPI_datumTransfer(JsonbPGetDatum(result), false, -1));
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

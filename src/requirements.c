/*-------------------------------------------------------------------------
 * requirements.c
 *	  enroll.offer_requirements(offer): the steps the acting account must
 *	  still take to accept an offer, so an application can drive its whole
 *	  acceptance UI from one call (S2.9, S2.12, S2.16, S2.17, S2.21).
 *
 * Result:
 *	 {"offer": id, "code": text, "state": upcoming|active|expired,
 *	  "account": id or null,
 *	  "places_left": n								capped offers only
 *	  "steps": [{"step": "login", "satisfied": bool},
 *				{"step": "organization_admin", ...}		organization offers
 *				{"step": "organization_profile", ...}	organization offers above default
 *				{"step": "replaces_current_license", ...} accepting would supersede a license
 *				{"step": "profile", ...}				required_level > default
 *				{"step": "registrar_organization", ...}	offers with types
 *				{"step": "extra_condition", ...}]}		offers with a condition
 * The profile step is listed whenever the offer needs more than default,
 * even when already satisfied: the learner is still sent to check the data
 * (S2.12).  Registrar candidates list qualifying memberships first, then the
 * organizations of the offer's types that can be joined (S2.16, S2.17).
 * The extra condition is satisfied only by ticking it at acceptance, so its
 * step always reads "satisfied": false and carries the text (S2.21).
 * replaces_current_license is informational ("satisfied": true): it names
 * the license that would be superseded, when it would end and the access
 * time lost, so that the application asks for consent first (S2.23).  A
 * private offer is PE003 to anyone it is not addressed to (1.2).
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
	"       , o.valid_until, o.course_id, o.access_period, o.documents_grace, o.handler_params,"
	"       o.max_acceptances,"
	"       (o.max_acceptances OPERATOR(pg_catalog.-) o.acceptances_made)::pg_catalog.int8"
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
	"SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('id', g.id, 'name', g.name,"
	"           'profile_level', g.profile_level, 'profile_satisfied', g.profile_level OPERATOR(pg_catalog.>=) o.required_level,"
	"           'missing_fields', pg_catalog.to_jsonb(enroll.organization_profile_missing_fields(o.required_level, g.profile)))"
	"                                     ORDER BY g.name, g.id), '[]'),"
	"       COALESCE(pg_catalog.bool_or(g.profile_level OPERATOR(pg_catalog.>=) o.required_level), false)"
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
	TimestampTz valid_from;
	TimestampTz valid_until;
	int64		course;
	Datum		access_period;
	Datum		grace;
	bool		grace_null;
	char	   *handler_params;	/* NULL when none */
	bool		capped;
	int64		places_left;
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
	bool		isnull;

	if (EnrollExecute(&plan_offer, &arg, NULL, true, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_OFFER),
				 errmsg("offer %lld does not exist", (long long) r->offer_id)));
	r->code = EnrollGetText(0, 1);
	r->valid_from = EnrollGetTimestamp(0, 2, NULL);
	r->valid_until = EnrollGetTimestamp(0, 9, NULL);
	r->state = EnrollOfferState(r->valid_from, r->valid_until, EnrollClockNow());
	r->course = EnrollGetInt64(0, 10);
	r->access_period = EnrollGetDatum(0, 11, &isnull);
	r->grace = EnrollGetDatum(0, 12, &r->grace_null);
	r->handler_params = EnrollGetText(0, 13);
	r->capped = EnrollGetInt32(0, 14) != 0;
	r->places_left = EnrollGetInt64(0, 15);
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
	bool		profile_ok = false;

	if (r->logged_in)
	{
		EnrollExecute(&plan_admin_orgs, (Datum[]) {Int64GetDatum(r->offer_id), Int64GetDatum(r->actor)},
					  NULL, true, 1, SPI_OK_SELECT);
		orgs = EnrollGetDatum(0, 1, &isnull);
		profile_ok = EnrollGetBool(0, 2);
	}
	BeginStep(state, "organization_admin");
	EnrollJsonBool(state, "satisfied", JsonContainerSize(&DatumGetJsonbP(orgs)->root) > 0);
	EnrollJsonJsonb(state, "organizations", orgs, false);
	pushJsonbValue(state, WJB_END_OBJECT, NULL);

	/* the organization's own invoice data (1.2), listed above default (S2.12) */
	if (r->above_default)
	{
		BeginStep(state, "organization_profile");
		EnrollJsonString(state, "required_level", r->required_level);
		EnrollJsonBool(state, "satisfied", profile_ok);
		pushJsonbValue(state, WJB_END_OBJECT, NULL);
	}
}

/* a duration as "N days" or "N days HH:MM:SS", whatever the session's IntervalStyle */
static char *
DurationText(TimeOffset usecs)
{
	int64		secs = usecs / USECS_PER_SEC;
	int64		days = secs / SECS_PER_DAY;
	int64		rest = secs % SECS_PER_DAY;

	if (rest == 0)
		return psprintf("%lld days", (long long) days);
	return psprintf("%lld days %02d:%02d:%02d", (long long) days, (int) (rest / 3600),
					(int) (rest % 3600 / 60), (int) (rest % 60));
}

/*
 * Accepting would supersede the account's current license for the course
 * (S2.23: the time left is lost): say which, until when it runs now, when
 * it would end, and how much access time would be lost, so that an
 * application asks the learner first.
 */
static void
StepReplaces(JsonbParseState **state, const Requirements *r)
{
	SessionParams sp;
	CurrentLicense cur;
	TimestampTz from,
				until,
				handover;
	GrantOutcome outcome;
	TimestampTz now = EnrollClockNow();

	if (!r->logged_in || r->for_organizations || strcmp(r->state, "active") != 0)
		return;
	if (r->handler_params != NULL)
		EnrollParseHandlerParams(r->code, r->handler_params, &sp);
	from = (r->handler_params != NULL && sp.has_start) ? sp.starttime : now;
	until = (r->handler_params != NULL && sp.has_end) ? sp.endtime
		: DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
												  TimestampTzGetDatum(from), r->access_period));
	EnrollReadCurrent(r->course, &r->actor, 1, 0, now, false, &cur);
	outcome = EnrollGrantDecide(&cur, from, until, true, now, &handover);
	if (outcome != GRANT_REPLACED && outcome != GRANT_FOLLOWS)
		return;
	BeginStep(state, "replaces_current_license");
	EnrollJsonBool(state, "satisfied", true);
	EnrollJsonInt(state, "license", cur.id, false);
	EnrollJsonString(state, "access_until", pstrdup(timestamptz_to_str(cur.access_until)));
	EnrollJsonString(state, "ends_at", pstrdup(timestamptz_to_str(handover)));
	EnrollJsonInt(state, "time_lost_seconds",
				  handover < cur.access_until ? (cur.access_until - handover) / USECS_PER_SEC : 0, false);
	EnrollJsonString(state, "time_lost",
					 DurationText(handover < cur.access_until ? cur.access_until - handover : 0));
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

	EnrollRequireSchema();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ReadOffer(&r);
	CheckVisible(&r);

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	EnrollJsonInt(&state, "offer", r.offer_id, false);
	EnrollJsonString(&state, "code", r.code);
	EnrollJsonString(&state, "state", r.state);
	EnrollJsonInt(&state, "account", r.actor, !r.logged_in);
	if (r.capped)
		EnrollJsonInt(&state, "places_left", r.places_left, false);
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
	StepReplaces(&state, &r);
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);

	/* copy the result out to the caller's memory before SPI_finish */
	result = JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
	result = (Jsonb *) DatumGetPointer(SPI_datumTransfer(JsonbPGetDatum(result), false, -1));
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

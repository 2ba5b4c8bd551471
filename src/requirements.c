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
	"SELECT o.code, CASE WHEN $2 OPERATOR(pg_catalog.<) o.valid_from THEN 'upcoming'"
	"                    WHEN $2 OPERATOR(pg_catalog.<) o.valid_until THEN 'active'"
	"                    ELSE 'expired' END,"
	"       o.visibility OPERATOR(pg_catalog.=) 'private',"
	"       o.recipient_kind OPERATOR(pg_catalog.=) 'organization',"
	"       o.required_level::text,"
	"       o.required_level OPERATOR(pg_catalog.>) 'default'::enroll.profile_level,"
	"       o.extra_condition,"
	"       (SELECT pg_catalog.jsonb_agg(t.code ORDER BY t.code)"
	"          FROM enroll.offer_registrar_type r JOIN enroll.organization_type t"
	"            ON t.id OPERATOR(pg_catalog.=) r.organization_type_id"
	"         WHERE r.offer_id OPERATOR(pg_catalog.=) o.id)"
	"  FROM enroll.offer o WHERE o.id OPERATOR(pg_catalog.=) $1",
	2, {INT8OID, TIMESTAMPTZOID}
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

static void
BeginStep(JsonbParseState **state, const char *name)
{
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	EnrollJsonString(state, "step", name);
}

PG_FUNCTION_INFO_V1(offer_requirements);
/* enroll.offer_requirements(offer bigint) -> jsonb */
Datum
offer_requirements(PG_FUNCTION_ARGS)
{
	int64		offer_id;
	int64		actor = 0;
	bool		logged_in;
	JsonbParseState *state = NULL;
	JsonbValue *res;
	Jsonb	   *result;
	char	   *code;
	char	   *offer_state;
	bool		is_private;
	bool		for_organizations;
	char	   *required_level;
	bool		above_default;
	char	   *extra_condition;
	bool		types_null;
	Datum		types;
	Datum		args[2];
	bool		isnull;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	offer_id = PG_GETARG_INT64(0);
	logged_in = EnrollCurrentAccount(&actor);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	args[0] = Int64GetDatum(offer_id);
	args[1] = TimestampTzGetDatum(EnrollClockNow());
	if (EnrollExecute(&plan_offer, args, NULL, true, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_OFFER),
				 errmsg("offer %lld does not exist", (long long) offer_id)));
	code = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	offer_state = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	is_private = DatumGetBool(EnrollGetDatum(0, 3, &isnull));
	for_organizations = DatumGetBool(EnrollGetDatum(0, 4, &isnull));
	required_level = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 5);
	above_default = DatumGetBool(EnrollGetDatum(0, 6, &isnull));
	extra_condition = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 7);
	types = EnrollGetDatum(0, 8, &types_null);

	/* a private offer exists only for its addressees and admins (S2.7) */
	if (is_private && !EnrollActorIsAdmin())
	{
		bool		addressed = false;

		if (logged_in)
		{
			args[1] = Int64GetDatum(actor);
			EnrollExecute(&plan_addressed, args, NULL, true, 1, SPI_OK_SELECT);
			addressed = DatumGetBool(EnrollGetDatum(0, 1, &isnull));
		}
		if (!addressed)
			ereport(ERROR,
					(errcode(ERRCODE_ENROLL_OFFER_NOT_ACCEPTABLE),
					 errmsg("offer %lld is not visible to the acting account", (long long) offer_id),
					 errdetail("A private offer is shown only to its addressees."),
					 errhint(logged_in ? "enroll.visible_offers lists the offers this account may see."
							 : "Log in: call enroll.act_as(account) first.")));
	}

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	EnrollJsonInt(&state, "offer", offer_id, false);
	EnrollJsonString(&state, "code", code);
	EnrollJsonString(&state, "state", offer_state);
	EnrollJsonInt(&state, "account", actor, !logged_in);
	EnrollJsonKey(&state, "steps");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);

	/* login (S2.9) */
	BeginStep(&state, "login");
	EnrollJsonBool(&state, "satisfied", logged_in);
	pushJsonbValue(&state, WJB_END_OBJECT, NULL);

	args[1] = Int64GetDatum(actor);

	/* organization offers: accepted by an admin on the organization's behalf (S2.8) */
	if (for_organizations)
	{
		Datum		orgs = DirectFunctionCall1(jsonb_in, CStringGetDatum("[]"));

		if (logged_in)
		{
			EnrollExecute(&plan_admin_orgs, args, NULL, true, 1, SPI_OK_SELECT);
			orgs = EnrollGetDatum(0, 1, &isnull);
		}
		BeginStep(&state, "organization_admin");
		EnrollJsonBool(&state, "satisfied",
				 JsonContainerSize(&DatumGetJsonbP(orgs)->root) > 0);
		EnrollJsonJsonb(&state, "organizations", orgs, false);
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}

	/* profile level (S2.11, S2.12): listed whenever above default */
	if (above_default)
	{
		BeginStep(&state, "profile");
		EnrollJsonString(&state, "required_level", required_level);
		if (logged_in)
		{
			EnrollExecute(&plan_profile, (Datum[]) {Int64GetDatum(actor), Int64GetDatum(offer_id)},
						  NULL, true, 1, SPI_OK_SELECT);
			EnrollJsonString(&state, "current_level",
					   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
			EnrollJsonBool(&state, "satisfied", DatumGetBool(EnrollGetDatum(0, 2, &isnull)));
			EnrollJsonJsonb(&state, "missing_fields", EnrollGetDatum(0, 3, &isnull), false);
		}
		else
		{
			EnrollJsonString(&state, "current_level", NULL);
			EnrollJsonBool(&state, "satisfied", false);
			EnrollJsonJsonb(&state, "missing_fields", (Datum) 0, true);
		}
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}

	/* registrar organization (S2.13-S2.17), for offers to persons */
	if (!types_null && !for_organizations)
	{
		char		nulls[2] = {' ', logged_in ? ' ' : 'n'};

		BeginStep(&state, "registrar_organization");
		EnrollJsonJsonb(&state, "organization_types", types, false);
		EnrollExecute(&plan_candidates, args, nulls, true, 1, SPI_OK_SELECT);
		EnrollJsonBool(&state, "satisfied", DatumGetBool(EnrollGetDatum(0, 2, &isnull)));
		EnrollJsonJsonb(&state, "candidates", EnrollGetDatum(0, 1, &isnull), false);
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}

	/* extra condition (S2.21, S2.22): ticked at acceptance */
	if (extra_condition != NULL)
	{
		BeginStep(&state, "extra_condition");
		EnrollJsonString(&state, "text", extra_condition);
		EnrollJsonBool(&state, "satisfied", false);
		pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}

	pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);

	/* copy the result out to the caller's memory before SPI_finish */
	result = JsonbValueToJsonb(res);
	result = (Jsonb *) DatumGetPointer(SPI_datumTransfer(JsonbPGetDatum(result), false, -1));
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

/*-------------------------------------------------------------------------
 * session_params.c
 *	  The parameters of a session setup (S1.9-S1.11), read by the pure C
 *	  URL-parameter parser (urlparams.c): the offer's handler_params
 *	  (coursename, supervisor, customersupport, starttime, endtime), checked
 *	  when an offer is created or edited and again at every setup, and the
 *	  call parameters of setup_course_session's text form
 *	  (order=...&offer=...&operator=...&seats=...).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"
#include "urlparams.h"

/* allocator handed to the pure C parser */
static void *
PallocInContext(void *ctx, size_t size)
{
	return MemoryContextAllocExtended((MemoryContext) ctx, size, MCXT_ALLOC_NO_OOM);
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
				 errmsg("handler parameter \"%s\" is not a Unix timestamp: \"%s\"", key, EnrollQuotable(value)),
				 errhint("Give seconds since 1970-01-01 00:00 UTC, e.g. %s=1767225600.", key)));
	return DatumGetTimestampTz(DirectFunctionCall1(float8_timestamptz, Float8GetDatum((double) secs)));
}

/* Parse the offer's handler_params (S1.9-S1.11) with the pure C parser. */
void
EnrollParseHandlerParams(const char *code, const char *text, SessionParams *sp)
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

	EnrollParseHandlerParams(code, text_to_cstring(PG_GETARG_TEXT_PP(1)), &sp);
	if (strcmp(sp.coursename, course) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("handler parameter coursename \"%s\" does not name the course of offer \"%s\"",
						EnrollQuotable(sp.coursename), code),
				 errdetail("The offer is for course \"%s\".", course)));
	PG_RETURN_VOID();
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
						key, min, max, EnrollQuotable(p->value))));
	return v;
}

/*
 * Read the text form's call parameters "order=...&offer=...&operator=...&seats=..."
 * into req (everything but the participants and dry_run).
 */
void
EnrollParseSessionCall(const char *params, SessionRequest *req)
{
	static const UrlParamSpec specs[] = {
		{"order", 1}, {"offer", 1}, {"operator", 1}, {"seats", 1}
	};
	UrlParamResult res;

	if (urlparam_parse(params, strlen(params), specs, lengthof(specs),
					   PallocInContext, CurrentMemoryContext, &res) != URLPARAM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid session parameters: %s", urlparam_strerror(res.error)),
				 res.error_key[0] ? errdetail("Key \"%s\", at byte %zu.", res.error_key, res.error_offset)
				 : errdetail("At byte %zu.", res.error_offset),
				 errhint("Pass order=<reference>&offer=<id>&operator=<account id>&seats=<n>, URL-encoded.")));
	req->order_ref = pstrdup(urlparam_find(&res, "order")->value);
	req->offer = IntParam(&res, "offer", 1, PG_INT64_MAX);
	req->operator = IntParam(&res, "operator", 1, PG_INT64_MAX);
	req->seats = (int32) IntParam(&res, "seats", PG_INT32_MIN, PG_INT32_MAX);
}

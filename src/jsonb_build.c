/*-------------------------------------------------------------------------
 * jsonb_build.c
 *	  Small helpers to build jsonb results in C (offer_requirements, the
 *	  session report): append a key, a string, a number, a boolean or an
 *	  existing jsonb value to the object or array under construction.
 *
 * A NULL key appends an array element instead of an object member.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "pg_enroll.h"

/* append "key": (the value pushed next) */
void
EnrollJsonKey(JsonbParseState **state, const char *key)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	pushJsonbValue(state, WJB_KEY, &k);
}

/* push a scalar as a member value (after its key) or an array element */
static void
PushScalar(JsonbParseState **state, const char *key, JsonbValue *v)
{
	if (key != NULL)
		EnrollJsonKey(state, key);
	pushJsonbValue(state, key != NULL ? WJB_VALUE : WJB_ELEM, v);
}

/* a string, or JSON null when value is NULL */
void
EnrollJsonString(JsonbParseState **state, const char *key, const char *value)
{
	JsonbValue	v;

	if (value == NULL)
		v.type = jbvNull;
	else
	{
		v.type = jbvString;
		v.val.string.val = (char *) value;
		v.val.string.len = strlen(value);
	}
	PushScalar(state, key, &v);
}

/* an integer, or JSON null when isnull */
void
EnrollJsonInt(JsonbParseState **state, const char *key, int64 value, bool isnull)
{
	JsonbValue	v;

	if (isnull)
		v.type = jbvNull;
	else
	{
		v.type = jbvNumeric;
		v.val.numeric = int64_to_numeric(value);
	}
	PushScalar(state, key, &v);
}

/* a boolean */
void
EnrollJsonBool(JsonbParseState **state, const char *key, bool value)
{
	JsonbValue	v;

	v.type = jbvBool;
	v.val.boolean = value;
	PushScalar(state, key, &v);
}

/* an existing jsonb value (copied in), or JSON null when isnull */
void
EnrollJsonJsonb(JsonbParseState **state, const char *key, Datum value, bool isnull)
{
	JsonbValue	v;

	if (isnull)
	{
		v.type = jbvNull;
		PushScalar(state, key, &v);
		return;
	}
	{
		Jsonb	   *jb = DatumGetJsonbP(value);

		v.type = jbvBinary;
		v.val.binary.data = &jb->root;
		v.val.binary.len = VARSIZE(jb) - VARHDRSZ;
		if (key != NULL)
			EnrollJsonKey(state, key);
		pushJsonbValue(state, key != NULL ? WJB_VALUE : WJB_ELEM, &v);
	}
}

/* A C string as a JSON string literal (quoted and escaped), for EnrollJsonbf. */
char *
EnrollJsonQuote(const char *value)
{
	StringInfoData buf;

	initStringInfo(&buf);
	escape_json(&buf, value);
	return buf.data;
}

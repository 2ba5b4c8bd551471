/*-------------------------------------------------------------------------
 * jsonb_build.c
 *	  Helpers to build jsonb results in C.
 *
 *	  - Small results (offer_requirements): append a key, a string, a
 *		number, a boolean or an existing jsonb value to the JsonbValue tree
 *		under construction (pushJsonbValue).  A NULL key appends an array
 *		element instead of an object member.
 *	  - Large results (the session report, one event detail per
 *		participant): EnrollJsonbWriter writes the binary form directly, as
 *		JsonbValueToJsonb would lay it out, byte for byte.  A JsonbValue tree
 *		costs about 1.4 kB per report entry of six members (pairs arrays
 *		rounded up to a power of two, one numeric palloc per number); the
 *		writer costs the bytes of the result and nothing else.
 *
 * The writer's price is that the caller declares each container's size up
 * front and writes an object's members in jsonb's key order (shorter keys
 * first, then bytewise: see EnrollJwBeginObject); a member out of order is
 * an error, not a silently different value.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
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

/* ------------------------------------------------------------------------
 * EnrollJsonbWriter: the binary form written directly
 * ------------------------------------------------------------------------
 */

/* jsonb's order of object keys: shorter first, then bytewise */
static int
KeyCompare(const char *a, int alen, const char *b, int blen)
{
	if (alen != blen)
		return alen > blen ? 1 : -1;
	return memcmp(a, b, alen);
}

/* Append padding so that the buffer's length is int-aligned; returns it. */
static int
PadToInt(StringInfo buf)
{
	int			pad = INTALIGN(buf->len) - buf->len;

	if (pad > 0)
	{
		enlargeStringInfo(buf, pad);
		memset(buf->data + buf->len, 0, pad);
		buf->len += pad;
		buf->data[buf->len] = '\0';
	}
	return pad;
}

/* the container being written; error when there is no room for a value */
static EnrollJsonbLevel *
Current(EnrollJsonbWriter *w, const char *key)
{
	EnrollJsonbLevel *lvl;

	if (w->depth == 0)
		elog(ERROR, "jsonb writer: a value outside any container");
	lvl = &w->level[w->depth - 1];
	if (lvl->next >= lvl->count)
		elog(ERROR, "jsonb writer: more values than the %d declared", lvl->count);
	if (lvl->keys == NULL ? key != NULL :
		key == NULL || strcmp(key, lvl->keys[lvl->next]) != 0)
		elog(ERROR, "jsonb writer: member \"%s\" where \"%s\" was due",
			 key ? key : "(element)", lvl->keys ? lvl->keys[lvl->next] : "(element)");
	return lvl;
}

/*
 * Record the JEntry of the value just appended to the current container:
 * its length, or every JB_OFFSET_STRIDE'th entry the end offset of its data
 * (as convertJsonbArray and convertJsonbObject do).
 */
static void
Written(EnrollJsonbWriter *w, EnrollJsonbLevel *lvl, JEntry meta)
{
	int			i = lvl->keys ? lvl->count + lvl->next : lvl->next;

	lvl->totallen += JBE_OFFLENFLD(meta);
	if (lvl->totallen > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("total size of jsonb %s elements exceeds the maximum of %u bytes",
						lvl->keys ? "object" : "array", JENTRY_OFFLENMASK)));
	if (i % JB_OFFSET_STRIDE == 0)
		meta = (meta & JENTRY_TYPEMASK) | lvl->totallen | JENTRY_HAS_OFF;
	memcpy(w->buf.data + lvl->jentries + i * sizeof(JEntry), &meta, sizeof(JEntry));
	lvl->next++;
}

/*
 * Start writing a jsonb value, in the current memory context.  size is a
 * guess of the result's size (0: small), to spare the buffer's doublings.
 */
void
EnrollJwInit(EnrollJsonbWriter *w, Size size)
{
	memset(w, 0, sizeof(*w));
	initStringInfo(&w->buf);
	if (size > (Size) w->buf.maxlen)
		enlargeStringInfo(&w->buf, (int) Min(size, (Size) (MaxAllocSize / 2)));
	EnrollJwReset(w);
}

/* Start the next value in the same buffer (the previous one is gone). */
void
EnrollJwReset(EnrollJsonbWriter *w)
{
	w->depth = 0;
	w->done = false;
	w->start = 0;
	resetStringInfo(&w->buf);
	/* room for the varlena header */
	enlargeStringInfo(&w->buf, VARHDRSZ);
	w->buf.len = VARHDRSZ;
}

/*
 * Start the next value after the finished one, in the same buffer: many
 * small values packed one after the other, int-aligned (as in an array),
 * without a chunk each.  The earlier ones stay, but move when the buffer
 * grows: keep their offsets from buf.data, not pointers.
 */
void
EnrollJwNext(EnrollJsonbWriter *w)
{
	if (!w->done)
		elog(ERROR, "jsonb writer: the value is not complete");
	PadToInt(&w->buf);
	w->depth = 0;
	w->done = false;
	w->start = w->buf.len;
	enlargeStringInfo(&w->buf, VARHDRSZ);
	w->buf.len += VARHDRSZ;
}

/* container header and room for its JEntries; returns the new level */
static EnrollJsonbLevel *
BeginContainer(EnrollJsonbWriter *w, const char *key, uint32 flag, int count, int nentries)
{
	EnrollJsonbLevel *lvl;
	uint32		header = (uint32) count | flag;

	check_stack_depth();
	if (w->depth > 0)
		(void) Current(w, key);
	else if (w->done || key != NULL)
		elog(ERROR, "jsonb writer: a second root or a keyed root");
	if (w->depth >= ENROLL_JW_DEPTH)
		elog(ERROR, "jsonb writer: containers nested deeper than %d", ENROLL_JW_DEPTH);
	if (count < 0 || count > JB_CMASK)
		elog(ERROR, "jsonb writer: invalid container size %d", count);
	lvl = &w->level[w->depth++];
	memset(lvl, 0, sizeof(*lvl));
	lvl->base = w->buf.len;
	PadToInt(&w->buf);
	appendBinaryStringInfo(&w->buf, (char *) &header, sizeof(header));
	lvl->jentries = w->buf.len;
	lvl->count = count;
	enlargeStringInfo(&w->buf, nentries * sizeof(JEntry));
	w->buf.len += nentries * sizeof(JEntry);
	w->buf.data[w->buf.len] = '\0';
	return lvl;
}

/*
 * Begin an array of exactly n elements (key: its member name in the
 * enclosing object, NULL for an array element or the root).
 */
void
EnrollJwBeginArray(EnrollJsonbWriter *w, const char *key, int n)
{
	BeginContainer(w, key, JB_FARRAY, n, n);
}

/*
 * Begin an object with exactly the n members named by keys, which must be
 * in jsonb's order (shorter keys first, then bytewise) and stay valid until
 * the object ends; its values follow in that order.
 */
void
EnrollJwBeginObject(EnrollJsonbWriter *w, const char *key, const char *const *keys, int n)
{
	EnrollJsonbLevel *lvl = BeginContainer(w, key, JB_FOBJECT, n, 2 * n);

	lvl->keys = keys;
	for (int i = 0; i < n; i++)
	{
		int			len = strlen(keys[i]);
		JEntry		meta = JENTRY_ISSTRING | len;

		if (i > 0 && KeyCompare(keys[i - 1], strlen(keys[i - 1]), keys[i], len) >= 0)
			elog(ERROR, "jsonb writer: key \"%s\" not after \"%s\" in jsonb order", keys[i], keys[i - 1]);
		appendBinaryStringInfo(&w->buf, keys[i], len);
		lvl->totallen += len;
		if (i % JB_OFFSET_STRIDE == 0)
			meta = (meta & JENTRY_TYPEMASK) | lvl->totallen | JENTRY_HAS_OFF;
		memcpy(w->buf.data + lvl->jentries + i * sizeof(JEntry), &meta, sizeof(JEntry));
	}
	if (lvl->totallen > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("total size of jsonb object elements exceeds the maximum of %u bytes",
						JENTRY_OFFLENMASK)));
}

/* End the current array or object, once all its values are written. */
void
EnrollJwEnd(EnrollJsonbWriter *w)
{
	EnrollJsonbLevel *lvl;
	int			totallen;

	if (w->depth == 0)
		elog(ERROR, "jsonb writer: no container to end");
	lvl = &w->level[w->depth - 1];
	if (lvl->next != lvl->count)
		elog(ERROR, "jsonb writer: %d values written, %d declared", lvl->next, lvl->count);
	totallen = w->buf.len - lvl->base;
	if (totallen > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("total size of jsonb %s elements exceeds the maximum of %u bytes",
						lvl->keys ? "object" : "array", JENTRY_OFFLENMASK)));
	w->depth--;
	if (w->depth > 0)
		Written(w, &w->level[w->depth - 1], JENTRY_ISCONTAINER | totallen);
	else
		w->done = true;
}

/* a string value, or JSON null when value is NULL */
void
EnrollJwString(EnrollJsonbWriter *w, const char *key, const char *value)
{
	EnrollJsonbLevel *lvl = Current(w, key);
	int			len;

	if (value == NULL)
	{
		Written(w, lvl, JENTRY_ISNULL);
		return;
	}
	len = strlen(value);
	appendBinaryStringInfo(&w->buf, value, len);
	Written(w, lvl, JENTRY_ISSTRING | len);
}

/* an integer value, stored as the numeric int64_to_numeric makes */
void
EnrollJwInt(EnrollJsonbWriter *w, const char *key, int64 value)
{
	EnrollJsonbLevel *lvl = Current(w, key);
	Numeric		num = int64_to_numeric(value);
	int			len = VARSIZE_ANY(num);
	int			pad = PadToInt(&w->buf);

	appendBinaryStringInfo(&w->buf, (char *) num, len);
	pfree(num);
	Written(w, lvl, JENTRY_ISNUMERIC | (pad + len));
}

/* a boolean value */
void
EnrollJwBool(EnrollJsonbWriter *w, const char *key, bool value)
{
	Written(w, Current(w, key), value ? JENTRY_ISBOOL_TRUE : JENTRY_ISBOOL_FALSE);
}

/*
 * Any value as a JsonbIterator returns it with skipNested: a scalar, or a
 * nested container (jbvBinary) copied as it is stored, which is how
 * JsonbValueToJsonb would write it again.
 */
void
EnrollJwValue(EnrollJsonbWriter *w, const char *key, const JsonbValue *v)
{
	EnrollJsonbLevel *lvl = Current(w, key);
	int			base = w->buf.len;
	int			pad;

	switch (v->type)
	{
		case jbvNull:
			Written(w, lvl, JENTRY_ISNULL);
			break;
		case jbvBool:
			Written(w, lvl, v->val.boolean ? JENTRY_ISBOOL_TRUE : JENTRY_ISBOOL_FALSE);
			break;
		case jbvString:
			appendBinaryStringInfo(&w->buf, v->val.string.val, v->val.string.len);
			Written(w, lvl, JENTRY_ISSTRING | v->val.string.len);
			break;
		case jbvNumeric:
			pad = PadToInt(&w->buf);
			appendBinaryStringInfo(&w->buf, (char *) v->val.numeric, VARSIZE_ANY(v->val.numeric));
			Written(w, lvl, JENTRY_ISNUMERIC | (pad + VARSIZE_ANY(v->val.numeric)));
			break;
		case jbvBinary:
			PadToInt(&w->buf);
			appendBinaryStringInfo(&w->buf, (char *) v->val.binary.data, v->val.binary.len);
			Written(w, lvl, JENTRY_ISCONTAINER | (w->buf.len - base));
			break;
		default:
			elog(ERROR, "jsonb writer: unexpected value of type %d", (int) v->type);
	}
}

/*
 * The finished value, in the writer's buffer itself (memory context of
 * EnrollJwInit): valid until the writer is reset or writes a further value.
 */
Jsonb *
EnrollJwFinish(EnrollJsonbWriter *w)
{
	Jsonb	   *result;

	if (!w->done || w->depth != 0)
		elog(ERROR, "jsonb writer: the value is not complete");
	result = (Jsonb *) (w->buf.data + w->start);
	SET_VARSIZE(result, w->buf.len - w->start);
	return result;
}

/* the top-level members of an object, in its (jsonb) order */
static int
ObjectMembers(const Jsonb *object, char **keys, JsonbValue *values)
{
	JsonbIterator *it = JsonbIteratorInit((JsonbContainer *) &object->root);
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			n = 0;

	if (!JB_ROOT_IS_OBJECT(object))
		elog(ERROR, "jsonb writer: not an object");
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			keys[n] = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
			values[n++] = v;
	}
	return n;
}

/*
 * a || b for two jsonb objects, as jsonb_concat computes it (b's members
 * replace a's of the same key), byte for byte, in the current memory
 * context.  Unlike jsonb_concat, nested containers are copied as they are,
 * never unpacked into a JsonbValue tree: the cost is the result's size.
 */
Jsonb *
EnrollJsonbConcat(const Jsonb *a, const Jsonb *b)
{
	int			na = JB_ROOT_COUNT(a);
	int			nb = JB_ROOT_COUNT(b);
	char	  **akeys = palloc(sizeof(char *) * Max(na, 1));
	char	  **bkeys = palloc(sizeof(char *) * Max(nb, 1));
	JsonbValue *avals = palloc(sizeof(JsonbValue) * Max(na, 1));
	JsonbValue *bvals = palloc(sizeof(JsonbValue) * Max(nb, 1));
	const char **keys = palloc(sizeof(char *) * Max(na + nb, 1));
	JsonbValue **vals = palloc(sizeof(JsonbValue *) * Max(na + nb, 1));
	int			n = 0;
	int			i = 0,
				j = 0;
	EnrollJsonbWriter w;

	na = ObjectMembers(a, akeys, avals);
	nb = ObjectMembers(b, bkeys, bvals);
	/* merge the two sorted member lists; on a tie, b's value */
	while (i < na || j < nb)
	{
		int			c = i >= na ? 1 : j >= nb ? -1 :
			KeyCompare(akeys[i], strlen(akeys[i]), bkeys[j], strlen(bkeys[j]));

		if (c < 0)
		{
			keys[n] = akeys[i];
			vals[n++] = &avals[i++];
			continue;
		}
		if (c == 0)
			i++;
		keys[n] = bkeys[j];
		vals[n++] = &bvals[j++];
	}
	EnrollJwInit(&w, VARSIZE(a) + VARSIZE(b));
	EnrollJwBeginObject(&w, NULL, keys, n);
	for (int k = 0; k < n; k++)
		EnrollJwValue(&w, keys[k], vals[k]);
	EnrollJwEnd(&w);
	return EnrollJwFinish(&w);
}

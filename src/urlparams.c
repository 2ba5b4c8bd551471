/*-------------------------------------------------------------------------
 *
 * urlparams.c
 *	  Strict parser for URL-encoded parameter strings (rule S1.11).
 *
 * See urlparams.h for the accepted grammar.  Pure C99, no PostgreSQL
 * header, no malloc and no global state, so the fuzzer links it alone.
 *
 * One pass over the input: each "&"-separated segment is split at its first
 * "=", then key and value are percent-decoded into one buffer while a
 * streaming UTF-8 validator checks every decoded byte.  Work is linear in
 * the input; the duplicate and unknown-key checks are quadratic only in the
 * number of pairs, which is capped at URLPARAM_MAX_PAIRS.
 *
 *-------------------------------------------------------------------------
 */
#include "urlparams.h"

#include <limits.h>
#include <string.h>

/* State of the streaming UTF-8 validator (Unicode table 3-7). */
typedef struct Utf8State
{
	int			need;			/* continuation bytes still expected */
	unsigned char lo;			/* allowed range for the next continuation */
	unsigned char hi;
	size_t		seq_start;		/* input offset where the sequence began */
} Utf8State;

/* Feed one decoded byte to the validator; returns 0 while the text is valid. */
static int
Utf8Feed(Utf8State *st, unsigned char c, size_t offset)
{
	if (st->need > 0)
	{
		if (c < st->lo || c > st->hi)
			return -1;
		st->need--;
		st->lo = 0x80;
		st->hi = 0xBF;
		return 0;
	}
	st->seq_start = offset;
	st->lo = 0x80;
	st->hi = 0xBF;
	if (c < 0x80)
		return 0;
	if (c >= 0xC2 && c <= 0xDF)
		st->need = 1;
	else if (c == 0xE0)
	{
		st->need = 2;
		st->lo = 0xA0;			/* reject overlong 3-byte forms */
	}
	else if (c == 0xED)
	{
		st->need = 2;
		st->hi = 0x9F;			/* reject UTF-16 surrogates */
	}
	else if (c >= 0xE1 && c <= 0xEF)
		st->need = 2;
	else if (c == 0xF0)
	{
		st->need = 3;
		st->lo = 0x90;			/* reject overlong 4-byte forms */
	}
	else if (c >= 0xF1 && c <= 0xF3)
		st->need = 3;
	else if (c == 0xF4)
	{
		st->need = 3;
		st->hi = 0x8F;			/* nothing above U+10FFFF */
	}
	else
		return -1;				/* 0x80-0xC1 lead, 0xF5-0xFF */
	return 0;
}

/* Value of one hex digit, or -1: used to decode "%XX" escapes. */
static int
HexValue(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode in[start..end) into out (NUL-terminated, *outlen excludes
 * the NUL) and validate it; on error set *err_off to the offending offset.
 * The output never exceeds end - start bytes plus the NUL.
 */
static UrlParamError
DecodeComponent(const char *in, size_t start, size_t end,
				char *out, size_t *outlen, size_t *err_off)
{
	Utf8State	st;
	size_t		i = start;
	size_t		n = 0;

	memset(&st, 0, sizeof(st));
	while (i < end)
	{
		unsigned char c = (unsigned char) in[i];
		size_t		at = i;

		if (c == '%')
		{
			int			hi,
						lo;

			if (end - i < 3 ||
				(hi = HexValue((unsigned char) in[i + 1])) < 0 ||
				(lo = HexValue((unsigned char) in[i + 2])) < 0)
			{
				*err_off = i;
				return URLPARAM_BAD_ESCAPE;
			}
			c = (unsigned char) (hi * 16 + lo);
			i += 3;
		}
		else
		{
			if (c == '+')
				c = ' ';
			i++;
		}
		if (c == 0)
		{
			*err_off = at;
			return URLPARAM_NUL_BYTE;
		}
		if (Utf8Feed(&st, c, at) != 0)
		{
			*err_off = st.need > 0 ? st.seq_start : at;
			return URLPARAM_BAD_UTF8;
		}
		out[n++] = (char) c;
	}
	if (st.need > 0)
	{
		*err_off = st.seq_start;	/* sequence cut short by "=", "&" or end */
		return URLPARAM_BAD_UTF8;
	}
	out[n] = '\0';
	*outlen = n;
	return URLPARAM_OK;
}

/* Copy a key into result->error_key, cut at a UTF-8 boundary to fit. */
static void
SetErrorKey(UrlParamResult *result, const char *key, size_t len)
{
	size_t		n = len;

	if (n > URLPARAM_ERROR_KEY_SIZE - 1)
	{
		n = URLPARAM_ERROR_KEY_SIZE - 1;
		/* back up over continuation bytes so no character is split */
		while (n > 0 && (((unsigned char) key[n]) & 0xC0) == 0x80)
			n--;
	}
	memcpy(result->error_key, key, n);
	result->error_key[n] = '\0';
}

/* Record an error in *result, dropping any partial output, and return it. */
static UrlParamError
Fail(UrlParamResult *result, UrlParamError error, size_t offset)
{
	result->error = error;
	result->error_offset = offset;
	result->params = NULL;
	result->nparams = 0;
	return error;
}

/* True if the decoded key (no NUL inside) is listed in specs. */
static int
KeyAllowed(const UrlParamSpec *specs, size_t nspecs,
		   const char *key, size_t len)
{
	size_t		i;

	for (i = 0; i < nspecs; i++)
	{
		if (strlen(specs[i].key) == len && memcmp(specs[i].key, key, len) == 0)
			return 1;
	}
	return 0;
}

/*
 * Decode the pair input[seg_start, seg_end) into params[n]: key and value
 * written into buf at *bufpos (which advances).  The key must be one of
 * specs (when given) and not repeat an earlier key.
 */
static UrlParamError
ParsePair(const char *input, size_t seg_start, size_t seg_end,
		  const UrlParamSpec *specs, size_t nspecs,
		  UrlParam *params, size_t n, char *buf, size_t *bufpos,
		  UrlParamResult *result)
{
	const char *eq;
	size_t		eq_pos;
	size_t		err_off = 0;
	UrlParam   *p = &params[n];
	UrlParamError err;

	if (seg_end == seg_start)
		return Fail(result, URLPARAM_EMPTY_PAIR, seg_start);
	eq = memchr(input + seg_start, '=', seg_end - seg_start);
	if (eq == NULL)
		return Fail(result, URLPARAM_NO_EQUALS, seg_start);
	eq_pos = (size_t) (eq - input);
	if (eq_pos == seg_start)
		return Fail(result, URLPARAM_EMPTY_KEY, seg_start);

	p->key = buf + *bufpos;
	err = DecodeComponent(input, seg_start, eq_pos, p->key, &p->key_len, &err_off);
	if (err != URLPARAM_OK)
		return Fail(result, err, err_off);
	*bufpos += p->key_len + 1;

	if (specs != NULL && !KeyAllowed(specs, nspecs, p->key, p->key_len))
	{
		SetErrorKey(result, p->key, p->key_len);
		return Fail(result, URLPARAM_UNKNOWN_KEY, seg_start);
	}
	for (size_t j = 0; j < n; j++)
	{
		if (params[j].key_len == p->key_len &&
			memcmp(params[j].key, p->key, p->key_len) == 0)
		{
			SetErrorKey(result, p->key, p->key_len);
			return Fail(result, URLPARAM_DUPLICATE_KEY, seg_start);
		}
	}

	p->value = buf + *bufpos;
	err = DecodeComponent(input, eq_pos + 1, seg_end, p->value, &p->value_len, &err_off);
	if (err != URLPARAM_OK)
	{
		SetErrorKey(result, p->key, p->key_len);
		return Fail(result, err, err_off);
	}
	*bufpos += p->value_len + 1;
	return URLPARAM_OK;
}

/* Every required key of specs is among params[0, n). */
static UrlParamError
CheckRequired(const UrlParamSpec *specs, size_t nspecs,
			  const UrlParam *params, size_t n, size_t len,
			  UrlParamResult *result)
{
	for (size_t i = 0; i < nspecs; i++)
	{
		size_t		klen = strlen(specs[i].key);
		int			found = 0;

		if (!specs[i].required)
			continue;
		for (size_t j = 0; j < n && !found; j++)
			found = (params[j].key_len == klen &&
					 memcmp(params[j].key, specs[i].key, klen) == 0);
		if (!found)
		{
			SetErrorKey(result, specs[i].key, klen);
			return Fail(result, URLPARAM_MISSING_KEY, len);
		}
	}
	return URLPARAM_OK;
}

/* Parse a URL-encoded parameter string; see urlparams.h for the contract. */
UrlParamError
urlparam_parse(const char *input, size_t len,
			   const UrlParamSpec *specs, size_t nspecs,
			   UrlParamAllocFn alloc, void *alloc_ctx,
			   UrlParamResult *result)
{
	UrlParam   *params = NULL;
	char	   *buf = NULL;
	size_t		npairs = 0;
	size_t		n = 0;
	size_t		bufpos = 0;
	size_t		seg_start = 0;
	size_t		i;
	UrlParamError err;

	if (result == NULL)
		return URLPARAM_BAD_ARGUMENT;
	memset(result, 0, sizeof(*result));
	if (alloc == NULL || (input == NULL && len > 0) ||
		(specs == NULL && nspecs > 0))
		return Fail(result, URLPARAM_BAD_ARGUMENT, 0);
	for (i = 0; i < nspecs; i++)
	{
		if (specs[i].key == NULL)
			return Fail(result, URLPARAM_BAD_ARGUMENT, 0);
	}
	if (len > URLPARAM_MAX_INPUT)
		return Fail(result, URLPARAM_TOO_LONG, 0);

	if (len > 0)
	{
		/* count pairs first so one allocation of each kind is enough */
		npairs = 1;
		for (i = 0; i < len; i++)
		{
			if (input[i] == '&' && ++npairs > URLPARAM_MAX_PAIRS)
				return Fail(result, URLPARAM_TOO_MANY_PAIRS, i + 1);
		}
		params = alloc(alloc_ctx, npairs * sizeof(UrlParam));
		/* decoding never grows text; add room for two NULs per pair */
		buf = alloc(alloc_ctx, len + 2 * npairs);
		if (params == NULL || buf == NULL)
			return Fail(result, URLPARAM_NO_MEMORY, 0);
	}

	while (len > 0)
	{
		const char *amp = memchr(input + seg_start, '&', len - seg_start);
		size_t		seg_end = amp ? (size_t) (amp - input) : len;

		err = ParsePair(input, seg_start, seg_end, specs, nspecs, params, n,
						buf, &bufpos, result);
		if (err != URLPARAM_OK)
			return err;
		n++;
		if (seg_end == len)
			break;
		seg_start = seg_end + 1;
	}

	err = CheckRequired(specs, nspecs, params, n, len, result);
	if (err != URLPARAM_OK)
		return err;
	result->error = URLPARAM_OK;
	result->params = params;
	result->nparams = n;
	return URLPARAM_OK;
}

/* Look up a decoded key in a successful result; NULL when absent. */
const UrlParam *
urlparam_find(const UrlParamResult *result, const char *key)
{
	size_t		i;

	if (result == NULL || key == NULL || result->error != URLPARAM_OK)
		return NULL;
	for (i = 0; i < result->nparams; i++)
	{
		if (strcmp(result->params[i].key, key) == 0)
			return &result->params[i];
	}
	return NULL;
}

/* Message for an error code, phrased to fit an errdetail after the key. */
const char *
urlparam_strerror(UrlParamError error)
{
	switch (error)
	{
		case URLPARAM_OK:
			return "no error";
		case URLPARAM_BAD_ESCAPE:
			return "a percent sign is not followed by two hexadecimal digits";
		case URLPARAM_BAD_UTF8:
			return "the decoded text is not valid UTF-8";
		case URLPARAM_NUL_BYTE:
			return "the decoded text contains a NUL byte";
		case URLPARAM_NO_EQUALS:
			return "a parameter has no equals sign";
		case URLPARAM_EMPTY_KEY:
			return "a parameter name is empty";
		case URLPARAM_EMPTY_PAIR:
			return "a parameter is empty (leading, trailing or doubled ampersand)";
		case URLPARAM_DUPLICATE_KEY:
			return "a parameter is given more than once";
		case URLPARAM_UNKNOWN_KEY:
			return "a parameter name is not recognized";
		case URLPARAM_MISSING_KEY:
			return "a required parameter is missing";
		case URLPARAM_TOO_LONG:
			return "the parameter string is longer than 65536 bytes";
		case URLPARAM_TOO_MANY_PAIRS:
			return "the parameter string has more than 64 parameters";
		case URLPARAM_NO_MEMORY:
			return "out of memory";
		case URLPARAM_BAD_ARGUMENT:
			return "invalid argument";
	}
	return "unknown error";
}

/* Parse a strict decimal integer such as a Unix timestamp (rule S1.10). */
int
urlparam_parse_int64(const char *s, long long *out)
{
	long long	acc = 0;
	int			negative = 0;

	if (s == NULL || out == NULL)
		return 0;
	if (*s == '-')
	{
		negative = 1;
		s++;
	}
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
	{
		int			d;

		if (*s < '0' || *s > '9')
			return 0;
		d = *s - '0';
		/* accumulate as a negative number so LLONG_MIN is reachable */
		if (acc < LLONG_MIN / 10 ||
			(acc == LLONG_MIN / 10 && d > -(LLONG_MIN % 10)))
			return 0;
		acc = acc * 10 - d;
	}
	if (!negative)
	{
		if (acc == LLONG_MIN)
			return 0;
		acc = -acc;
	}
	*out = acc;
	return 1;
}

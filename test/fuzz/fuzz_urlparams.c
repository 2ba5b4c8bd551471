/*
 * fuzz_urlparams.c
 *	  libFuzzer harness for src/urlparams.c (rule S1.11).
 *
 * Each input is parsed twice (any key; the product's spec list) and fed to
 * urlparam_parse_int64.  Properties checked, abort() on violation:
 * - the result is self-consistent (error code in range, params only on
 *	 success, offset within the input, error_key NUL-terminated UTF-8);
 * - a successful parse has one pair per "&"-segment, non-empty keys, no
 *	 NUL inside keys or values, valid UTF-8, no duplicate keys, only allowed
 *	 keys, every required key, and decoded text no longer than the input;
 * - the pairs equal what a naive reference decoder gives for the input;
 * - re-encoding the pairs and parsing again gives the same pairs;
 * - urlparam_parse_int64 agrees with strtoll on strings of the form -?[0-9]+.
 */
#include "urlparams.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One allocation of the arena. */
typedef struct Block
{
	struct Block *next;
	void	   *mem;
} Block;

/* Malloc arena freed after each input, so ASan sees overruns and leaks. */
static void *
arena_alloc(void *ctx, size_t size)
{
	Block	  **head = ctx;
	Block	   *b = malloc(sizeof(Block));

	if (b == NULL || (b->mem = malloc(size ? size : 1)) == NULL)
		abort();
	b->next = *head;
	*head = b;
	return b->mem;
}

/* Release everything the arena handed out. */
static void
arena_free(Block **head)
{
	while (*head)
	{
		Block	   *b = *head;

		*head = b->next;
		free(b->mem);
		free(b);
	}
}

/* Independent UTF-8 check: decode code points, then test their range. */
static int
utf8_ok(const unsigned char *s, size_t n)
{
	size_t		i = 0;

	while (i < n)
	{
		unsigned long cp;
		size_t		len,
					k;

		if (s[i] < 0x80)
		{
			i++;
			continue;
		}
		if ((s[i] & 0xE0) == 0xC0)
			len = 2, cp = s[i] & 0x1F;
		else if ((s[i] & 0xF0) == 0xE0)
			len = 3, cp = s[i] & 0x0F;
		else if ((s[i] & 0xF8) == 0xF0)
			len = 4, cp = s[i] & 0x07;
		else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++)
		{
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
			(len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
			(cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += len;
	}
	return 1;
}

/* Naive reference decoder for one component; returns its length or -1. */
static long
ref_decode(const unsigned char *s, size_t n, unsigned char *out)
{
	static const char hex[] = "0123456789abcdef0123456789ABCDEF";
	size_t		i,
				o = 0;

	for (i = 0; i < n; i++)
	{
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%')
		{
			const char *h,
					   *l;

			if (i + 2 >= n || s[i + 1] == 0 || s[i + 2] == 0 ||
				(h = strchr(hex, s[i + 1])) == NULL ||
				(l = strchr(hex, s[i + 2])) == NULL)
				return -1;
			out[o++] = (unsigned char) (((h - hex) % 16) * 16 + (l - hex) % 16);
			i += 2;
		}
		else
			out[o++] = s[i];
	}
	return (long) o;
}

static const UrlParamSpec product_specs[] = {
	{"coursename", 1},
	{"supervisor", 0},
	{"tutorrole", 0},
	{"starttime", 0},
	{"endtime", 0},
	{"a", 0},
	{"b", 0},
};

/* Percent-encode every byte except unreserved ones (space as "+"). */
static size_t
encode(const char *s, size_t n, char *out)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t		i,
				o = 0;

	for (i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
			c == '~')
			out[o++] = (char) c;
		else if (c == ' ')
			out[o++] = '+';
		else
		{
			out[o++] = '%';
			out[o++] = hexd[c >> 4];
			out[o++] = hexd[c & 15];
		}
	}
	return o;
}

/* Check every property of one parse result; see the file header. */
static void
check_result(const unsigned char *data, size_t size,
			 const UrlParamSpec *specs, size_t nspecs,
			 UrlParamError e, const UrlParamResult *r, int depth)
{
	size_t		i,
				j,
				total = 0,
				amps = 0;
	unsigned char *ref;
	char	   *enc;
	size_t		enclen = 0;
	Block	   *arena = NULL;
	UrlParamResult r2;

	if (e != r->error || (int) e < 0 || e > URLPARAM_BAD_ARGUMENT ||
		urlparam_strerror(e) == NULL)
		abort();
	if (memchr(r->error_key, '\0', URLPARAM_ERROR_KEY_SIZE) == NULL ||
		!utf8_ok((const unsigned char *) r->error_key, strlen(r->error_key)))
		abort();
	if (e != URLPARAM_OK)
	{
		if (r->params != NULL || r->nparams != 0 || r->error_offset > size ||
			e == URLPARAM_NO_MEMORY || e == URLPARAM_BAD_ARGUMENT)
			abort();
		if ((e == URLPARAM_TOO_LONG) != (size > URLPARAM_MAX_INPUT))
			abort();
		return;
	}
	for (i = 0; i < size; i++)
		amps += (data[i] == '&');
	if (r->nparams != (size ? amps + 1 : 0) || r->nparams > URLPARAM_MAX_PAIRS)
		abort();

	ref = malloc(size + 1);
	enc = malloc(3 * size + 1);
	if (ref == NULL || enc == NULL)
		abort();
	for (i = 0; i < r->nparams; i++)
	{
		const UrlParam *p = &r->params[i];

		if (p->key_len == 0 || strlen(p->key) != p->key_len ||
			strlen(p->value) != p->value_len ||
			!utf8_ok((const unsigned char *) p->key, p->key_len) ||
			!utf8_ok((const unsigned char *) p->value, p->value_len) ||
			urlparam_find(r, p->key) != p)
			abort();
		for (j = 0; j < i; j++)
		{
			if (strcmp(r->params[j].key, p->key) == 0)
				abort();
		}
		if (specs != NULL)
		{
			for (j = 0; j < nspecs && strcmp(specs[j].key, p->key) != 0; j++)
				;
			if (j == nspecs)
				abort();
		}
		total += p->key_len + p->value_len;
		/* re-encode as key=value&... for the round trip */
		if (i > 0)
			enc[enclen++] = '&';
		enclen += encode(p->key, p->key_len, enc + enclen);
		enc[enclen++] = '=';
		enclen += encode(p->value, p->value_len, enc + enclen);
	}
	if (size > 0 && total + 2 * r->nparams - 1 > size)
		abort();
	for (j = 0; j < nspecs; j++)
	{
		if (specs[j].required && urlparam_find(r, specs[j].key) == NULL)
			abort();
	}

	/* compare with the naive decoder, segment by segment */
	{
		size_t		start = 0;

		for (i = 0; i < r->nparams; i++)
		{
			const unsigned char *amp = memchr(data + start, '&', size - start);
			size_t		end = amp ? (size_t) (amp - data) : size;
			const unsigned char *eq = memchr(data + start, '=', end - start);
			long		kl,
						vl;

			if (eq == NULL)
				abort();
			kl = ref_decode(data + start, (size_t) (eq - data) - start, ref);
			if (kl < 0 || (size_t) kl != r->params[i].key_len ||
				memcmp(ref, r->params[i].key, (size_t) kl) != 0)
				abort();
			vl = ref_decode(eq + 1, end - (size_t) (eq - data) - 1, ref);
			if (vl < 0 || (size_t) vl != r->params[i].value_len ||
				memcmp(ref, r->params[i].value, (size_t) vl) != 0)
				abort();
			start = end + 1;
		}
	}

	/* round trip: the canonical encoding parses to the same pairs */
	if (depth == 0 && enclen <= URLPARAM_MAX_INPUT)
	{
		if (urlparam_parse(enc, enclen, specs, nspecs, arena_alloc, &arena,
						   &r2) != URLPARAM_OK || r2.nparams != r->nparams)
			abort();
		for (i = 0; i < r->nparams; i++)
		{
			if (strcmp(r2.params[i].key, r->params[i].key) != 0 ||
				r2.params[i].value_len != r->params[i].value_len ||
				memcmp(r2.params[i].value, r->params[i].value,
					   r->params[i].value_len) != 0)
				abort();
		}
		check_result((const unsigned char *) enc, enclen, specs, nspecs,
					 URLPARAM_OK, &r2, 1);
		arena_free(&arena);
	}
	free(ref);
	free(enc);
}

/* urlparam_parse_int64 must agree with strtoll on -?[0-9]+ strings. */
static void
check_int64(const uint8_t *data, size_t size)
{
	char		buf[80];
	size_t		i = 0;
	int			syntax_ok;
	long long	got = 42,
				want;
	char	   *end;

	if (size >= sizeof(buf))
		return;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (buf[0] == '-')
		i = 1;
	syntax_ok = (strlen(buf) == size && buf[i] != '\0');
	for (; syntax_ok && buf[i] != '\0'; i++)
		syntax_ok = (buf[i] >= '0' && buf[i] <= '9');
	errno = 0;
	want = strtoll(buf, &end, 10);
	if (!syntax_ok || errno == ERANGE)
	{
		if (strlen(buf) == size && urlparam_parse_int64(buf, &got) != 0)
			abort();
		if (got != 42)
			abort();
	}
	else if (urlparam_parse_int64(buf, &got) != 1 || got != want || *end != '\0')
		abort();
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Entry point called by libFuzzer for each generated input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Block	   *arena = NULL;
	UrlParamResult r;
	UrlParamError e;
	size_t		nspecs = sizeof(product_specs) / sizeof(product_specs[0]);

	e = urlparam_parse((const char *) data, size, NULL, 0,
					   arena_alloc, &arena, &r);
	check_result(data, size, NULL, 0, e, &r, 0);
	arena_free(&arena);

	e = urlparam_parse((const char *) data, size, product_specs, nspecs,
					   arena_alloc, &arena, &r);
	check_result(data, size, product_specs, nspecs, e, &r, 0);
	arena_free(&arena);

	check_int64(data, size);
	return 0;
}

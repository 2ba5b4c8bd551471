/*
 * test_urlparams.c
 *	  Unit tests for src/urlparams.c (rule S1.11, S1.10 timestamps).
 *
 * Plain C, no framework: every check prints "not ok" on failure (and "ok"
 * with -v), the last line is "N passed, M failed", the exit code is 1 on
 * any failure.  Memory comes from a malloc arena freed after each case so
 * AddressSanitizer sees every overrun and leak.
 */
#include "urlparams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define NUM_ERRORS ((int) URLPARAM_BAD_ARGUMENT + 1)

static int	errors_seen[NUM_ERRORS];

/* One allocation of the test arena. */
typedef struct Block
{
	struct Block *next;
	void	   *mem;
} Block;

/* Malloc arena standing in for a memory context; fail_after < 0: never. */
typedef struct Arena
{
	Block	   *head;
	int			fail_after;
} Arena;

/* UrlParamAllocFn over the arena; can simulate exhaustion for NO_MEMORY. */
static void *
arena_alloc(void *ctx, size_t size)
{
	Arena	   *a = ctx;
	Block	   *b;

	if (a->fail_after == 0)
		return NULL;
	if (a->fail_after > 0)
		a->fail_after--;
	b = malloc(sizeof(Block));
	if (b == NULL)
		abort();
	b->mem = malloc(size ? size : 1);
	if (b->mem == NULL)
		abort();
	b->next = a->head;
	a->head = b;
	return b->mem;
}

/* Free everything the arena handed out, like a memory context reset. */
static void
arena_reset(Arena *a)
{
	while (a->head)
	{
		Block	   *b = a->head;

		a->head = b->next;
		free(b->mem);
		free(b);
	}
	a->fail_after = -1;
}

static Arena arena = {NULL, -1};

static const UrlParamSpec product_specs[] = {
	{"coursename", 1},
	{"supervisor", 0},
	{"tutorrole", 0},
	{"starttime", 0},
	{"endtime", 0},
};
#define N_PRODUCT_SPECS (sizeof(product_specs) / sizeof(product_specs[0]))

/* Parse with the given specs and check error, offset and error_key. */
static void
expect_err_n(const char *in, size_t len, const UrlParamSpec *specs,
			 size_t nspecs, UrlParamError err, size_t off, const char *key)
{
	UrlParamResult r;
	UrlParamError got = urlparam_parse(in, len, specs, nspecs,
									   arena_alloc, &arena, &r);

	if (got >= 0 && (int) got < NUM_ERRORS)
		errors_seen[got] = 1;
	check(got == err && r.error == err, "\"%.40s\": error %d (want %d: %s)",
		  in, (int) got, (int) err, urlparam_strerror(err));
	if (err != URLPARAM_OK)
	{
		check(r.params == NULL && r.nparams == 0, "\"%.40s\": no params on error", in);
		check(r.error_offset == off, "\"%.40s\": offset %zu (want %zu)",
			  in, r.error_offset, off);
		check(strcmp(r.error_key, key ? key : "") == 0,
			  "\"%.40s\": error_key \"%s\" (want \"%s\")",
			  in, r.error_key, key ? key : "");
	}
	arena_reset(&arena);
}

/* expect_err_n for NUL-terminated input and "any key" parsing. */
static void
expect_err(const char *in, UrlParamError err, size_t off, const char *key)
{
	expect_err_n(in, strlen(in), NULL, 0, err, off, key);
}

/* expect_err with the product's spec list. */
static void
expect_spec_err(const char *in, UrlParamError err, size_t off, const char *key)
{
	expect_err_n(in, strlen(in), product_specs, N_PRODUCT_SPECS, err, off, key);
}

/* Parse (any key) and check the pair count and one decoded value. */
static void
expect_value_n(const char *in, size_t nparams, const char *key,
			   const char *value, size_t value_len)
{
	UrlParamResult r;
	UrlParamError got = urlparam_parse(in, strlen(in), NULL, 0,
									   arena_alloc, &arena, &r);
	const UrlParam *p = urlparam_find(&r, key);

	errors_seen[URLPARAM_OK] |= (got == URLPARAM_OK);
	check(got == URLPARAM_OK, "\"%.40s\": parses (got %s)", in,
		  urlparam_strerror(got));
	check(r.nparams == nparams, "\"%.40s\": %zu pairs (want %zu)",
		  in, r.nparams, nparams);
	check(p != NULL && p->value_len == value_len &&
		  memcmp(p->value, value, value_len) == 0 &&
		  p->value[value_len] == '\0' && p->key_len == strlen(key),
		  "\"%.40s\": %s decodes to \"%s\"", in, key, value);
	arena_reset(&arena);
}

/* expect_value_n for a single pair with a NUL-free expected value. */
static void
expect_value(const char *in, const char *key, const char *value)
{
	expect_value_n(in, 1, key, value, strlen(value));
}

/* The product example and the lookup helper. */
static void
test_product_string(void)
{
	const char *in = "coursename=SPOCM1&supervisor=teacher&starttime=1700000000";
	UrlParamResult r;
	long long	t = 0;

	check(urlparam_parse(in, strlen(in), product_specs, N_PRODUCT_SPECS,
						 arena_alloc, &arena, &r) == URLPARAM_OK,
		  "product string parses");
	check(r.nparams == 3, "product string has 3 pairs");
	check(r.nparams == 3 && strcmp(r.params[0].key, "coursename") == 0 &&
		  strcmp(r.params[1].key, "supervisor") == 0 &&
		  strcmp(r.params[2].key, "starttime") == 0, "pairs in input order");
	check(urlparam_find(&r, "coursename") != NULL &&
		  strcmp(urlparam_find(&r, "coursename")->value, "SPOCM1") == 0,
		  "find coursename");
	check(urlparam_find(&r, "tutorrole") == NULL, "absent optional key");
	check(urlparam_find(&r, "starttime") != NULL &&
		  urlparam_parse_int64(urlparam_find(&r, "starttime")->value, &t) &&
		  t == 1700000000LL, "starttime as int64");
	check(urlparam_find(NULL, "x") == NULL, "find on NULL result");
	arena_reset(&arena);

	in = "supervisor=t&coursename=C&tutorrole=&endtime=1";
	check(urlparam_parse(in, strlen(in), product_specs, N_PRODUCT_SPECS,
						 arena_alloc, &arena, &r) == URLPARAM_OK &&
		  r.nparams == 4 && urlparam_find(&r, "tutorrole")->value_len == 0,
		  "any order, empty optional value");
	arena_reset(&arena);

	check(urlparam_parse("", 0, NULL, 0, arena_alloc, &arena, &r) == URLPARAM_OK &&
		  r.nparams == 0, "empty string is zero pairs");
	check(urlparam_parse(NULL, 0, NULL, 0, arena_alloc, &arena, &r) == URLPARAM_OK &&
		  r.nparams == 0, "NULL with length 0 is zero pairs");
	check(urlparam_find(&r, "a") == NULL, "find in zero pairs");
	arena_reset(&arena);
}

/* Percent-decoding, "+" and UTF-8 that must be accepted. */
static void
test_decoding(void)
{
	expect_value("a=1", "a", "1");
	expect_value("a=", "a", "");
	expect_value("a=b=c", "a", "b=c");
	expect_value("a=hello+world", "a", "hello world");
	expect_value("a=%2B", "a", "+");
	expect_value("a=%2b", "a", "+");
	expect_value("a=1%2B1+2", "a", "1+1 2");
	expect_value("a=%25", "a", "%");
	expect_value("a=%2541", "a", "%41");
	expect_value("a=%26b%3Dc", "a", "&b=c");
	expect_value("a=%20%09", "a", " \t");
	expect_value("my+key=v", "my key", "v");
	expect_value("%61=1", "a", "1");
	expect_value("k%3Dx=1", "k=x", "1");
	expect_value("a=%C3%A9", "a", "\xC3\xA9");
	expect_value("a=%c3%a9", "a", "\xC3\xA9");
	expect_value("a=\xC3\xA9t\xC3\xA9", "a", "\xC3\xA9t\xC3\xA9");
	expect_value("a=%F0%9F%98%80", "a", "\xF0\x9F\x98\x80");
	expect_value("a=%ED%9F%BF", "a", "\xED\x9F\xBF");
	expect_value("a=%EE%80%80", "a", "\xEE\x80\x80");
	expect_value("a=%EF%BF%BF", "a", "\xEF\xBF\xBF");
	expect_value("a=%F4%8F%BF%BF", "a", "\xF4\x8F\xBF\xBF");
	expect_value("a=%7F", "a", "\x7F");
	expect_value_n("a=1&b=2&c=3", 3, "b", "2", 1);
	expect_value_n("a=1&A=2", 2, "A", "2", 1);
	expect_value_n("x=&y=", 2, "y", "", 0);
}

/* Every syntax error, with its offset and key. */
static void
test_syntax_errors(void)
{
	expect_err("a=%", URLPARAM_BAD_ESCAPE, 2, "a");
	expect_err("a=%4", URLPARAM_BAD_ESCAPE, 2, "a");
	expect_err("a=%4G", URLPARAM_BAD_ESCAPE, 2, "a");
	expect_err("a=%G4", URLPARAM_BAD_ESCAPE, 2, "a");
	expect_err("a=%%41", URLPARAM_BAD_ESCAPE, 2, "a");
	expect_err("a=% 1", URLPARAM_BAD_ESCAPE, 2, "a");
	expect_err("a=x%4&b=1", URLPARAM_BAD_ESCAPE, 3, "a");
	expect_err("%=1", URLPARAM_BAD_ESCAPE, 0, NULL);
	expect_err("a%4=1", URLPARAM_BAD_ESCAPE, 1, NULL);
	expect_err("a=%00", URLPARAM_NUL_BYTE, 2, "a");
	expect_err("a=x%00y", URLPARAM_NUL_BYTE, 3, "a");
	expect_err("%00=1", URLPARAM_NUL_BYTE, 0, NULL);
	expect_err_n("a=\0", 3, NULL, 0, URLPARAM_NUL_BYTE, 2, "a");
	expect_err_n("a\0=1", 4, NULL, 0, URLPARAM_NUL_BYTE, 1, NULL);
	expect_err("a=%e9", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=%E9t%E9", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=\xE9", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=%C3", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=%C3&b=1", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=x%C3%28", URLPARAM_BAD_UTF8, 3, "a");
	expect_err("a=%80", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=%C0%80", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=%C1%BF", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=%E0%80%80", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=%E0%9F%BF", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=%F0%80%80%80", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=%F0%8F%BF%BF", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=%ED%A0%80", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=%ED%BF%BF", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=%F4%90%80%80", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=%F5%80%80%80", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=%FF", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("a=%E2%82", URLPARAM_BAD_UTF8, 2, "a");
	expect_err("%C3=1", URLPARAM_BAD_UTF8, 0, NULL);
	expect_err("a", URLPARAM_NO_EQUALS, 0, NULL);
	expect_err("a=1&b", URLPARAM_NO_EQUALS, 4, NULL);
	expect_err("a%3D1", URLPARAM_NO_EQUALS, 0, NULL);
	expect_err("=1", URLPARAM_EMPTY_KEY, 0, NULL);
	expect_err("=", URLPARAM_EMPTY_KEY, 0, NULL);
	expect_err("a=1&=2", URLPARAM_EMPTY_KEY, 4, NULL);
	expect_err("&", URLPARAM_EMPTY_PAIR, 0, NULL);
	expect_err("&a=1", URLPARAM_EMPTY_PAIR, 0, NULL);
	expect_err("a=1&", URLPARAM_EMPTY_PAIR, 4, NULL);
	expect_err("a=1&&b=2", URLPARAM_EMPTY_PAIR, 4, NULL);
	expect_err("a=1&a=2", URLPARAM_DUPLICATE_KEY, 4, "a");
	expect_err("a=1&%61=2", URLPARAM_DUPLICATE_KEY, 4, "a");
	expect_err("a+b=1&a%20b=2", URLPARAM_DUPLICATE_KEY, 6, "a b");
	expect_err("x=1&y=2&x=", URLPARAM_DUPLICATE_KEY, 8, "x");
	expect_err("a=1&a=%ZZ", URLPARAM_DUPLICATE_KEY, 4, "a");
}

/* Allowed, unknown and missing keys against the product spec list. */
static void
test_specs(void)
{
	expect_spec_err("coursename=X", URLPARAM_OK, 0, NULL);
	expect_spec_err("coursename=X&bogus=1", URLPARAM_UNKNOWN_KEY, 13, "bogus");
	expect_spec_err("Coursename=X", URLPARAM_UNKNOWN_KEY, 0, "Coursename");
	expect_spec_err("coursename=X&bogus=%ZZ", URLPARAM_UNKNOWN_KEY, 13, "bogus");
	expect_spec_err("coursename=X&coursename=Y", URLPARAM_DUPLICATE_KEY, 13,
					"coursename");
	expect_spec_err("supervisor=t", URLPARAM_MISSING_KEY, 12, "coursename");
	expect_spec_err("", URLPARAM_MISSING_KEY, 0, "coursename");
	expect_spec_err("coursename=", URLPARAM_OK, 0, NULL);
	expect_spec_err("coursename=X&starttime=%E9", URLPARAM_BAD_UTF8, 23,
					"starttime");
	/* an empty spec list rejects every key */
	expect_err_n("a=1", 3, product_specs, 0, URLPARAM_UNKNOWN_KEY, 0, "a");
}

/* Length and pair limits, error_key truncation, allocator failure. */
static void
test_limits(void)
{
	char	   *big = malloc(URLPARAM_MAX_INPUT + 2);
	char		key[200];
	char		want[64];
	UrlParamResult r;
	size_t		i;

	if (big == NULL)
		abort();
	/* exactly the maximum length is fine, one more byte is not */
	memcpy(big, "a=", 2);
	memset(big + 2, 'x', URLPARAM_MAX_INPUT - 2);
	big[URLPARAM_MAX_INPUT] = '\0';
	check(urlparam_parse(big, URLPARAM_MAX_INPUT, NULL, 0, arena_alloc, &arena,
						 &r) == URLPARAM_OK &&
		  r.params[0].value_len == URLPARAM_MAX_INPUT - 2, "64 KiB input accepted");
	arena_reset(&arena);
	big[URLPARAM_MAX_INPUT] = 'x';
	big[URLPARAM_MAX_INPUT + 1] = '\0';
	expect_err_n(big, URLPARAM_MAX_INPUT + 1, NULL, 0, URLPARAM_TOO_LONG, 0, NULL);

	/* 64 pairs fine, 65 too many (offset: start of the 65th pair) */
	big[0] = '\0';
	for (i = 0; i < URLPARAM_MAX_PAIRS; i++)
		sprintf(big + strlen(big), "%sk%zu=%zu", i ? "&" : "", i, i);
	check(urlparam_parse(big, strlen(big), NULL, 0, arena_alloc, &arena, &r) ==
		  URLPARAM_OK && r.nparams == URLPARAM_MAX_PAIRS, "64 pairs accepted");
	check(urlparam_find(&r, "k63") != NULL &&
		  strcmp(urlparam_find(&r, "k63")->value, "63") == 0, "64th pair found");
	arena_reset(&arena);
	i = strlen(big);
	strcat(big, "&k64=64");
	expect_err_n(big, strlen(big), NULL, 0, URLPARAM_TOO_MANY_PAIRS, i + 1, NULL);
	memset(big, '&', 64);
	expect_err_n(big, 64, NULL, 0, URLPARAM_TOO_MANY_PAIRS, 64, NULL);
	memset(big, '&', 63);
	expect_err_n(big, 63, NULL, 0, URLPARAM_EMPTY_PAIR, 0, NULL);

	/* error_key is cut to 63 bytes, never inside a UTF-8 character */
	memset(key, 'k', 100);
	key[100] = '\0';
	sprintf(big, "%s=1&%s=2", key, key);
	memset(want, 'k', 63);
	want[63] = '\0';
	expect_err_n(big, strlen(big), NULL, 0, URLPARAM_DUPLICATE_KEY, 103, want);
	memset(key, 'k', 62);		/* 62 + 2-byte character: cut before it */
	strcpy(key + 62, "\xC3\xA9=1");
	want[62] = '\0';
	expect_err_n(key, strlen(key), product_specs, N_PRODUCT_SPECS,
				 URLPARAM_UNKNOWN_KEY, 0, want);
	memset(key, 'k', 61);		/* 61 + 2-byte character: fits exactly */
	strcpy(key + 61, "\xC3\xA9=1");
	memcpy(want, key, 63);
	want[63] = '\0';
	expect_err_n(key, strlen(key), product_specs, N_PRODUCT_SPECS,
				 URLPARAM_UNKNOWN_KEY, 0, want);

	/* allocator failure on the first and on the second request */
	arena.fail_after = 0;
	expect_err_n("a=1", 3, NULL, 0, URLPARAM_NO_MEMORY, 0, NULL);
	arena.fail_after = 1;
	expect_err_n("a=1", 3, NULL, 0, URLPARAM_NO_MEMORY, 0, NULL);
	arena.fail_after = 0;
	expect_err_n("", 0, NULL, 0, URLPARAM_OK, 0, NULL);	/* no allocation */

	/* programming errors */
	check(urlparam_parse("a=1", 3, NULL, 0, NULL, NULL, &r) ==
		  URLPARAM_BAD_ARGUMENT, "NULL allocator");
	errors_seen[URLPARAM_BAD_ARGUMENT] = 1;
	check(urlparam_parse(NULL, 3, NULL, 0, arena_alloc, &arena, &r) ==
		  URLPARAM_BAD_ARGUMENT, "NULL input with length");
	check(urlparam_parse("a=1", 3, NULL, 2, arena_alloc, &arena, &r) ==
		  URLPARAM_BAD_ARGUMENT, "NULL specs with count");
	check(urlparam_parse("a=1", 3, NULL, 0, arena_alloc, &arena, NULL) ==
		  URLPARAM_BAD_ARGUMENT, "NULL result");
	{
		UrlParamSpec bad[] = {{"a", 0}, {NULL, 0}};

		check(urlparam_parse("a=1", 3, bad, 2, arena_alloc, &arena, &r) ==
			  URLPARAM_BAD_ARGUMENT, "NULL spec key");
	}
	arena_reset(&arena);
	free(big);
}

/* Strict decimal parsing for Unix timestamps. */
static void
test_int64(void)
{
	static const struct
	{
		const char *s;
		int			ok;
		long long	v;
	}			cases[] = {
		{"0", 1, 0},
		{"-0", 1, 0},
		{"7", 1, 7},
		{"007", 1, 7},
		{"1700000000", 1, 1700000000LL},
		{"-1", 1, -1},
		{"-86400", 1, -86400},
		{"9223372036854775807", 1, 9223372036854775807LL},
		{"-9223372036854775808", 1, -9223372036854775807LL - 1},
		{"09223372036854775807", 1, 9223372036854775807LL},
		{"9223372036854775808", 0, 0},
		{"9223372036854775810", 0, 0},
		{"-9223372036854775809", 0, 0},
		{"18446744073709551616", 0, 0},
		{"99999999999999999999999", 0, 0},
		{"", 0, 0},
		{"-", 0, 0},
		{"--1", 0, 0},
		{"+1", 0, 0},
		{" 1", 0, 0},
		{"1 ", 0, 0},
		{"1a", 0, 0},
		{"0x10", 0, 0},
		{"1.5", 0, 0},
		{"1e9", 0, 0},
		{"\xD9\xA1", 0, 0},
	};
	size_t		i;
	long long	v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		v = 12345;
		if (cases[i].ok)
			check(urlparam_parse_int64(cases[i].s, &v) == 1 && v == cases[i].v,
				  "int64 \"%s\" = %lld", cases[i].s, cases[i].v);
		else
			check(urlparam_parse_int64(cases[i].s, &v) == 0 && v == 12345,
				  "int64 \"%s\" rejected, output untouched", cases[i].s);
	}
	check(urlparam_parse_int64(NULL, &v) == 0, "int64 NULL string");
	check(urlparam_parse_int64("1", NULL) == 0, "int64 NULL output");
}

/* Messages: one per code, lower-case, no final period. */
static void
test_strerror(void)
{
	int			e;

	for (e = 0; e < NUM_ERRORS; e++)
	{
		const char *m = urlparam_strerror((UrlParamError) e);

		check(m != NULL && m[0] >= 'a' && m[0] <= 'z' &&
			  m[strlen(m) - 1] != '.' && strcmp(m, "unknown error") != 0,
			  "strerror(%d) = \"%s\"", e, m ? m : "(null)");
	}
	check(strcmp(urlparam_strerror((UrlParamError) 999), "unknown error") == 0,
		  "strerror of an unknown code");
}

/* Run every parameter-string test group; "-v" also prints passing checks. */
int
main(int argc, char **argv)
{
	int			e;

	check_start(argc, argv);
	test_product_string();
	test_decoding();
	test_syntax_errors();
	test_specs();
	test_limits();
	test_int64();
	test_strerror();
	for (e = 0; e < NUM_ERRORS; e++)
		check(errors_seen[e], "error code %d (%s) reached by some case",
			  e, urlparam_strerror((UrlParamError) e));
	return check_done();
}

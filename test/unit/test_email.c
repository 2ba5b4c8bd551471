/*
 * test_email.c
 *	  Unit tests for src/email.c (rule S1.5: the e-mail identifies a person).
 *
 * Plain C, no framework: every check prints "not ok" on failure (and "ok"
 * with -v), the last line is "N passed, M failed", the exit code is 1 on
 * any failure.  Every accepted address is also checked for idempotence and
 * for email_key(normalised) == email_key(input).
 */
#include "email.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM_ERRORS ((int) EMAIL_BAD_ARGUMENT + 1)

static int	n_pass;
static int	n_fail;
static int	verbose;
static int	errors_seen[NUM_ERRORS];

/* Record one check and print it TAP-style. */
static void
check(int ok, const char *fmt,...)
{
	va_list		ap;

	if (ok)
		n_pass++;
	else
		n_fail++;
	if (ok && !verbose)
		return;
	printf("%s %d - ", ok ? "ok" : "not ok", n_pass + n_fail);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Normalise in[0..len) and note which error code came back. */
static EmailError
normalize(const char *in, size_t len, char *out, size_t *outlen)
{
	EmailError	e = email_normalize(in, len, out, EMAIL_BUFSIZE, outlen);

	if ((int) e >= 0 && (int) e < NUM_ERRORS)
		errors_seen[e] = 1;
	return e;
}

/* Accepted: check the normal form, idempotence and key consistency. */
static void
expect_ok_n(const char *in, size_t len, const char *want)
{
	char		out[EMAIL_BUFSIZE];
	char		again[EMAIL_BUFSIZE];
	char		k1[600];
	char		k2[600];
	size_t		outlen = 999,
				againlen = 999;
	EmailError	e = normalize(in, len, out, &outlen);

	check(e == EMAIL_OK, "\"%.60s\" accepted (got: %s)", in, email_strerror(e));
	if (e != EMAIL_OK)
		return;
	check(strcmp(out, want) == 0 && outlen == strlen(want),
		  "\"%.60s\" -> \"%s\" (want \"%s\")", in, out, want);
	check(normalize(out, outlen, again, &againlen) == EMAIL_OK &&
		  againlen == outlen && strcmp(again, out) == 0,
		  "\"%.60s\": normalising twice is a no-op", in);
	email_key(in, len, k1, sizeof(k1));
	email_key(out, outlen, k2, sizeof(k2));
	check(strcmp(k1, k2) == 0, "\"%.60s\": key of normal form = key of input",
		  in);
}

/* expect_ok_n for NUL-terminated input. */
static void
expect_ok(const char *in, const char *want)
{
	expect_ok_n(in, strlen(in), want);
}

/* Rejected with exactly this error; the output must be empty. */
static void
expect_err_n(const char *in, size_t len, EmailError want)
{
	char		out[EMAIL_BUFSIZE];
	size_t		outlen = 999;
	EmailError	e;

	memset(out, 'X', sizeof(out));
	e = normalize(in, len, out, &outlen);
	check(e == want && out[0] == '\0' && outlen == 0,
		  "\"%.60s\" rejected: %s (want: %s)", in, email_strerror(e),
		  email_strerror(want));
}

/* expect_err_n for NUL-terminated input. */
static void
expect_err(const char *in, EmailError want)
{
	expect_err_n(in, strlen(in), want);
}

/* Build "<nlocal x 'l'>@<domain of ndomain octets>" into buf. */
static void
make_address(char *buf, size_t nlocal, size_t ndomain)
{
	size_t		i,
				p = 0;

	for (i = 0; i < nlocal; i++)
		buf[p++] = 'l';
	buf[p++] = '@';
	/* labels of up to 60 'd', separated by dots, ending in ".org" */
	for (i = 0; i < ndomain - 4; i++)
		buf[p++] = (i % 61 == 60) ? '.' : 'd';
	if (buf[p - 1] == '.')
		buf[p - 1] = 'd';
	memcpy(buf + p, ".org", 4);
	p += 4;
	buf[p] = '\0';
}

/* Addresses that must be accepted, with their normal form. */
static void
test_valid(void)
{
	char		buf[600];
	char		want[600];

	expect_ok("  Alice@Example.COM ", "Alice@example.com");
	expect_ok("alice@example.com", "alice@example.com");
	expect_ok("\t\r\n\f\v alice@example.com \n\v", "alice@example.com");
	expect_ok("vera@example.org", "vera@example.org");
	expect_ok("a@b.co", "a@b.co");
	expect_ok("First.Last@Sub.Example.ORG", "First.Last@sub.example.org");
	expect_ok("user+tag@example.com", "user+tag@example.com");
	expect_ok("!#$%&'*+-/=?^_`{|}~@example.com",
			  "!#$%&'*+-/=?^_`{|}~@example.com");
	expect_ok("a.b.c.d@example.com", "a.b.c.d@example.com");
	expect_ok("\"john doe\"@example.com", "\"john doe\"@example.com");
	expect_ok("\"John.Doe\"@Example.com", "\"John.Doe\"@example.com");
	expect_ok("\"a@b\"@example.com", "\"a@b\"@example.com");
	expect_ok("\"a\\\"b\"@example.com", "\"a\\\"b\"@example.com");
	expect_ok("\"a\\\\b\"@example.com", "\"a\\\\b\"@example.com");
	expect_ok("\"a\\ b\"@example.com", "\"a\\ b\"@example.com");
	expect_ok("\"\"@example.com", "\"\"@example.com");
	expect_ok("\"a..b.\"@x.org", "\"a..b.\"@x.org");
	expect_ok("\"(comment)<>[]:;,\"@x.org", "\"(comment)<>[]:;,\"@x.org");
	expect_ok("\"j\xC3\xB6rg\"@x.org", "\"j\xC3\xB6rg\"@x.org");
	expect_ok("user@[192.168.0.1]", "user@[192.168.0.1]");
	expect_ok("user@[0.0.0.0]", "user@[0.0.0.0]");
	expect_ok("user@[255.255.255.255]", "user@[255.255.255.255]");
	expect_ok("user@[IPv6:2001:db8::1]", "user@[IPv6:2001:db8::1]");
	expect_ok("user@[ipv6:2001:DB8::1]", "user@[IPv6:2001:db8::1]");
	expect_ok("user@[IPV6:::1]", "user@[IPv6:::1]");
	expect_ok("user@[IPv6:::]", "user@[IPv6:::]");
	expect_ok("user@[IPv6:1::]", "user@[IPv6:1::]");
	expect_ok("user@[IPv6:1:2:3:4:5:6:7:8]", "user@[IPv6:1:2:3:4:5:6:7:8]");
	expect_ok("user@[IPv6:FFFF:0:0:0:0:0:0:ABCD]",
			  "user@[IPv6:ffff:0:0:0:0:0:0:abcd]");
	expect_ok("user@[IPv6:::ffff:192.0.2.1]", "user@[IPv6:::ffff:192.0.2.1]");
	expect_ok("user@[IPv6:1:2:3:4:5:6:1.2.3.4]",
			  "user@[IPv6:1:2:3:4:5:6:1.2.3.4]");
	expect_ok("j\xC3\xB6rg@ex\xC3\xA4mple.de", "j\xC3\xB6rg@ex\xC3\xA4mple.de");
	/* non-ASCII letters are not case-folded, as lower() under "C" */
	expect_ok("J\xC3\x96RG@EX\xC3\x84MPLE.DE", "J\xC3\x96RG@ex\xC3\x84mple.de");
	expect_ok("\xE7\x94\xA8\xE6\x88\xB7@\xE4\xBE\x8B\xE5\xAD\x90.\xE5\xB9\xBF\xE5\x91\x8A",
			  "\xE7\x94\xA8\xE6\x88\xB7@\xE4\xBE\x8B\xE5\xAD\x90.\xE5\xB9\xBF\xE5\x91\x8A");
	expect_ok("a@xn--mnchen-3ya.de", "a@xn--mnchen-3ya.de");
	expect_ok("a@1.2.3.com", "a@1.2.3.com");
	expect_ok("a@a-b.c0m", "a@a-b.c0m");
	expect_ok("a@123.x1", "a@123.x1");
	expect_ok("a@a--b.org", "a@a--b.org");

	/* length limits, exactly at the edge */
	make_address(buf, 64, 10);
	strcpy(want, buf);
	expect_ok(buf, want);
	memset(buf, 'x', 63);
	strcpy(buf + 63, ".org");
	memmove(buf + 2, buf, 68);
	memcpy(buf, "a@", 2);
	expect_ok(buf, buf);		/* 63-octet label */
	buf[0] = '"';				/* quoted local part of exactly 64 octets */
	memset(buf + 1, 'q', 62);
	strcpy(buf + 63, "\"@x.org");
	expect_ok(buf, buf);
	make_address(buf, 64, 189);
	check(strlen(buf) == 254, "254-octet address built");
	expect_ok(buf, buf);
	make_address(buf, 1, 252);
	expect_ok(buf, buf);
	make_address(buf, 2, 251);
	expect_ok(buf, buf);
}

/* Addresses that must be rejected, one group per error code. */
static void
test_invalid(void)
{
	char		buf[600];

	expect_err("", EMAIL_EMPTY);
	expect_err("   ", EMAIL_EMPTY);
	expect_err("\t\n\r\f\v", EMAIL_EMPTY);
	expect_err_n("", 0, EMAIL_EMPTY);

	expect_err("alice", EMAIL_NO_AT);
	expect_err("alice.example.com", EMAIL_NO_AT);
	expect_err("\"a@b\"", EMAIL_NO_AT);
	expect_err("a@b@c.com", EMAIL_MULTIPLE_AT);
	expect_err("a@@c.com", EMAIL_MULTIPLE_AT);
	expect_err("\"a\"@b@c.com", EMAIL_MULTIPLE_AT);

	expect_err("alice smith@example.com", EMAIL_INNER_WHITESPACE);
	expect_err("alice@example .com", EMAIL_INNER_WHITESPACE);
	expect_err("alice@\texample.com", EMAIL_INNER_WHITESPACE);
	expect_err("alice @example.com", EMAIL_INNER_WHITESPACE);
	expect_err("\"a\" @example.com", EMAIL_INNER_WHITESPACE);
	expect_err("a@x.org\r\nBcc: b@x.org", EMAIL_INNER_WHITESPACE);

	expect_err("@example.com", EMAIL_LOCAL_EMPTY);
	make_address(buf, 65, 10);
	expect_err(buf, EMAIL_LOCAL_TOO_LONG);
	expect_err("\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"@x.org",
			   EMAIL_LOCAL_TOO_LONG);
	expect_err("a..b@x.org", EMAIL_LOCAL_BAD_DOT);
	expect_err(".a@x.org", EMAIL_LOCAL_BAD_DOT);
	expect_err("a.@x.org", EMAIL_LOCAL_BAD_DOT);
	expect_err(".@x.org", EMAIL_LOCAL_BAD_DOT);
	expect_err("a(b)@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("a,b@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("a\"b@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("a[b]@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("a\\b@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("a<b>@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("a:b@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("a\x7F@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("a\x01@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err_n("a\0b@x.org", 9, EMAIL_LOCAL_BAD_CHAR);
	expect_err("\"a\"b@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("\"a\".b@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("\"a\"\"b\"@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("\"a\tb\"@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("\"a\nb\"@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("\"a\\\tb\"@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("\"a\\\xC3\xA9\"@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("\"a\x7F\"@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("\"abc@x.org", EMAIL_LOCAL_BAD_QUOTE);
	expect_err("\"", EMAIL_LOCAL_BAD_QUOTE);
	expect_err("\"abc\\\"@x.org", EMAIL_LOCAL_BAD_QUOTE);
	expect_err("\"a\\", EMAIL_LOCAL_BAD_QUOTE);

	expect_err("a@", EMAIL_DOMAIN_EMPTY);
	expect_err("\"x\"@", EMAIL_DOMAIN_EMPTY);
	make_address(buf, 1, 256);
	expect_err(buf, EMAIL_DOMAIN_TOO_LONG);
	expect_err("a@b", EMAIL_DOMAIN_SINGLE_LABEL);
	expect_err("a@localhost", EMAIL_DOMAIN_SINGLE_LABEL);
	expect_err("a@.x.org", EMAIL_DOMAIN_BAD_DOT);
	expect_err("a@x..org", EMAIL_DOMAIN_BAD_DOT);
	expect_err("a@x.org.", EMAIL_DOMAIN_BAD_DOT);
	expect_err("a@.", EMAIL_DOMAIN_BAD_DOT);
	expect_err("a@-x.org", EMAIL_DOMAIN_BAD_HYPHEN);
	expect_err("a@x-.org", EMAIL_DOMAIN_BAD_HYPHEN);
	expect_err("a@x.org-", EMAIL_DOMAIN_BAD_HYPHEN);
	expect_err("a@x.-", EMAIL_DOMAIN_BAD_HYPHEN);
	expect_err("a@x_y.org", EMAIL_DOMAIN_BAD_CHAR);
	expect_err("a@x.org]", EMAIL_DOMAIN_BAD_CHAR);
	expect_err("a@x.o\"rg", EMAIL_DOMAIN_BAD_CHAR);
	expect_err("a@(x).org", EMAIL_DOMAIN_BAD_CHAR);
	expect_err_n("a@x\0.org", 8, EMAIL_DOMAIN_BAD_CHAR);
	memset(buf, 'x', 64);
	strcpy(buf + 64, ".org");
	memmove(buf + 2, buf, 69);
	memcpy(buf, "a@", 2);
	expect_err(buf, EMAIL_DOMAIN_LABEL_TOO_LONG);
	expect_err("a@192.168.0.1", EMAIL_DOMAIN_NUMERIC_TLD);
	expect_err("a@x.123", EMAIL_DOMAIN_NUMERIC_TLD);

	expect_err("user@[300.1.1.1]", EMAIL_BAD_LITERAL);
	expect_err("user@[256.0.0.1]", EMAIL_BAD_LITERAL);
	expect_err("user@[1.2.3]", EMAIL_BAD_LITERAL);
	expect_err("user@[1.2.3.4.5]", EMAIL_BAD_LITERAL);
	expect_err("user@[01.2.3.4]", EMAIL_BAD_LITERAL);
	expect_err("user@[1.2.3.4.]", EMAIL_BAD_LITERAL);
	expect_err("user@[1..3.4]", EMAIL_BAD_LITERAL);
	expect_err("user@[1.2.3.1000]", EMAIL_BAD_LITERAL);
	expect_err("user@[1.2.3.4", EMAIL_BAD_LITERAL);
	expect_err("user@[1.2.3.4]x", EMAIL_BAD_LITERAL);
	expect_err("user@[]", EMAIL_BAD_LITERAL);
	expect_err("user@[", EMAIL_BAD_LITERAL);
	expect_err("user@[example.com]", EMAIL_BAD_LITERAL);
	expect_err("user@[IPv4:1.2.3.4]", EMAIL_BAD_LITERAL);
	expect_err("user@[IPv6:]", EMAIL_BAD_LITERAL);
	expect_err("user@[IPv6:1::2::3]", EMAIL_BAD_LITERAL);
	expect_err("user@[IPv6:1:2:3:4:5:6:7]", EMAIL_BAD_LITERAL);
	expect_err("user@[IPv6:1:2:3:4:5:6:7:8:9]", EMAIL_BAD_LITERAL);
	expect_err("user@[IPv6:1:2:3:4:5:6:7:8::]", EMAIL_BAD_LITERAL);
	expect_err("user@[IPv6:12345::]", EMAIL_BAD_LITERAL);
	expect_err("user@[IPv6:g::1]", EMAIL_BAD_LITERAL);
	expect_err("user@[IPv6::1]", EMAIL_BAD_LITERAL);
	expect_err("user@[IPv6:1:]", EMAIL_BAD_LITERAL);
	expect_err("user@[IPv6::::]", EMAIL_BAD_LITERAL);
	expect_err("user@[IPv6:1.2.3.4]", EMAIL_BAD_LITERAL);
	expect_err("user@[IPv6:1.2.3.4::]", EMAIL_BAD_LITERAL);
	expect_err("user@[IPv6:::300.1.1.1]", EMAIL_BAD_LITERAL);
	expect_err("user@[IPv6:2001:db8::1", EMAIL_BAD_LITERAL);

	make_address(buf, 64, 190);
	check(strlen(buf) == 255, "255-octet address built");
	expect_err(buf, EMAIL_TOO_LONG);
	make_address(buf, 1, 253);
	expect_err(buf, EMAIL_TOO_LONG);

	expect_err("j\xF6rg@example.de", EMAIL_BAD_UTF8);	/* Latin-1 */
	expect_err("a@\xC3\x28.de", EMAIL_BAD_UTF8);
	expect_err("\xC0\xAF" "a@x.org", EMAIL_BAD_UTF8);	/* overlong "/" */
	expect_err("\xE0\x80\xAF" "a@x.org", EMAIL_BAD_UTF8);
	expect_err("\xED\xA0\x80@x.org", EMAIL_BAD_UTF8);	/* surrogate */
	expect_err("a@x.de\xC3", EMAIL_BAD_UTF8);	/* truncated */
	expect_err("a@x.de\xF4\x90\x80\x80", EMAIL_BAD_UTF8);	/* > U+10FFFF */
	expect_err("a@x.de\xFF", EMAIL_BAD_UTF8);
	expect_err("\x80@x.org", EMAIL_BAD_UTF8);
}

/* Buffer handling and programming errors. */
static void
test_buffers(void)
{
	char		out[EMAIL_BUFSIZE];
	size_t		outlen = 7;
	EmailError	e;

	e = email_normalize("a@b.co", 6, out, 6, &outlen);
	errors_seen[e] = 1;
	check(e == EMAIL_BUFFER_TOO_SMALL && out[0] == '\0' && outlen == 0,
		  "outcap == length is too small");
	check(email_normalize("a@b.co", 6, out, 7, &outlen) == EMAIL_OK &&
		  outlen == 6 && strcmp(out, "a@b.co") == 0, "outcap == length + 1 fits");
	check(email_normalize(" a@B.co ", 8, out, 7, NULL) == EMAIL_OK &&
		  strcmp(out, "a@b.co") == 0, "NULL outlen, trimmed input fits");
	check(email_normalize("a@b", 3, out, 2, &outlen) == EMAIL_DOMAIN_SINGLE_LABEL,
		  "validation errors win over buffer size");
	check(email_normalize("xa@bc.org", 5, out, sizeof(out), &outlen) ==
		  EMAIL_DOMAIN_SINGLE_LABEL, "length is honoured (no NUL needed)");
	check(email_normalize("a@b.co", 4, out, sizeof(out), &outlen) ==
		  EMAIL_DOMAIN_BAD_DOT, "prefix of input");
	e = email_normalize("a@b.co", 6, NULL, 10, &outlen);
	errors_seen[e] = 1;
	check(e == EMAIL_BAD_ARGUMENT, "NULL out");
	check(email_normalize(NULL, 3, out, sizeof(out), &outlen) ==
		  EMAIL_BAD_ARGUMENT, "NULL in with length");
	check(email_normalize(NULL, 0, out, sizeof(out), &outlen) == EMAIL_EMPTY,
		  "NULL in, length 0");
}

/* The uniqueness key: trim + ASCII lower, snprintf-like truncation. */
static void
test_key(void)
{
	char		k[64];
	size_t		n;

	n = email_key("  Alice@Example.COM ", 20, k, sizeof(k));
	check(n == 17 && strcmp(k, "alice@example.com") == 0, "key of Alice");
	/* \v must be trimmed as whitespace, the letter v must not (see email.h) */
	n = email_key("\v Vera@X.ORG v\v", 15, k, sizeof(k));
	check(n == 12 && strcmp(k, "vera@x.org v") == 0, "key keeps the letter v");
	n = email_key("\t\r\n\f\v x \t\r\n\f\v", 13, k, sizeof(k));
	check(n == 1 && strcmp(k, "x") == 0, "all six whitespace bytes trimmed");
	n = email_key("J\xC3\x96RG@X.DE", 10, k, sizeof(k));
	check(n == 10 && strcmp(k, "j\xC3\x96rg@x.de") == 0, "non-ASCII not folded");
	n = email_key("Not An Email ", 13, k, sizeof(k));
	check(n == 12 && strcmp(k, "not an email") == 0, "key does not validate");
	n = email_key("ABCDEFG", 7, k, 4);
	check(n == 7 && strcmp(k, "abc") == 0, "truncated like snprintf");
	n = email_key("ABCDEFG", 7, NULL, 0);
	check(n == 7, "size query with NULL buffer");
	n = email_key("   ", 3, k, sizeof(k));
	check(n == 0 && k[0] == '\0', "blank key");
	n = email_key(NULL, 5, k, sizeof(k));
	check(n == 0 && k[0] == '\0', "NULL input key");
	n = email_key("a\0B", 3, k, sizeof(k));
	check(n == 3 && memcmp(k, "a\0b", 4) == 0, "length, not NUL, ends input");
}

/* Messages: one per code, lower-case, no final period. */
static void
test_strerror(void)
{
	int			e;

	for (e = 0; e < NUM_ERRORS; e++)
	{
		const char *m = email_strerror((EmailError) e);

		check(m != NULL && m[0] >= 'a' && m[0] <= 'z' &&
			  m[strlen(m) - 1] != '.' && strcmp(m, "unknown error") != 0,
			  "strerror(%d) = \"%s\"", e, m ? m : "(null)");
	}
	check(strcmp(email_strerror((EmailError) 999), "unknown error") == 0,
		  "strerror of an unknown code");
	check(strcmp(email_strerror(EMAIL_DOMAIN_SINGLE_LABEL),
				 "the domain must have at least two labels") == 0,
		  "single-label message");
}

/* Run every e-mail test group; "-v" also prints passing checks. */
int
main(int argc, char **argv)
{
	int			e;

	verbose = (argc > 1 && strcmp(argv[1], "-v") == 0);
	test_valid();
	test_invalid();
	test_buffers();
	test_key();
	test_strerror();
	for (e = 0; e < NUM_ERRORS; e++)
		check(errors_seen[e], "error code %d (%s) reached by some case",
			  e, email_strerror((EmailError) e));
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}

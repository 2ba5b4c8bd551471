/*
 * test_email.c
 *	  Unit tests for src/email.c (rule S1.5: the e-mail identifies a person).
 *
 * Plain C, no framework: every check prints "not ok" on failure (and "ok"
 * with -v), the last line is "N passed, M failed", the exit code is 1 on
 * any failure.  Every accepted address is also checked for idempotence
 * (the canonical form is a fixed point), for ASCII case not mattering to
 * the key (email_key(normalize(email_key(input))) == email_key(output)) and
 * for Unicode whitespace around it being trimmed.  Twin spellings of one
 * mailbox must give one canonical form (test_twins).
 */
#include "email.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define NUM_ERRORS ((int) EMAIL_BAD_ARGUMENT + 1)

static int	errors_seen[NUM_ERRORS];

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
	char		wrapped[700];
	size_t		outlen = 999,
				againlen = 999,
				klen;
	EmailError	e = normalize(in, len, out, &outlen);

	check(e == EMAIL_OK, "\"%.60s\" accepted (got: %s)", in, email_strerror(e));
	if (e != EMAIL_OK)
		return;
	check(strcmp(out, want) == 0 && outlen == strlen(want),
		  "\"%.60s\" -> \"%s\" (want \"%s\")", in, out, want);
	check(normalize(out, outlen, again, &againlen) == EMAIL_OK &&
		  againlen == outlen && strcmp(again, out) == 0,
		  "\"%.60s\": normalising twice is a no-op", in);
	/* ASCII case does not matter to the key of the canonical form */
	klen = email_key(in, len, k1, sizeof(k1));
	check(klen < sizeof(k1) &&
		  normalize(k1, klen, again, &againlen) == EMAIL_OK &&
		  email_key(again, againlen, k1, sizeof(k1)) ==
		  email_key(out, outlen, k2, sizeof(k2)) && strcmp(k1, k2) == 0,
		  "\"%.60s\": key(normalize(key(input))) = key(output)", in);
	/* Unicode whitespace around the input is trimmed */
	if (len + 16 <= sizeof(wrapped))
	{
		memcpy(wrapped, " \xC2\xA0\xE3\x80\x80", 6);
		memcpy(wrapped + 6, in, len);
		memcpy(wrapped + 6 + len, "\xE2\x80\xAF\t\xE2\x80\x8A", 7);
		check(normalize(wrapped, len + 13, again, &againlen) == EMAIL_OK &&
			  againlen == outlen && strcmp(again, out) == 0,
			  "\"%.60s\": same form inside Unicode whitespace", in);
	}
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
	expect_ok("\"John.Doe\"@Example.com", "John.Doe@example.com");
	expect_ok("\"a@b\"@example.com", "\"a@b\"@example.com");
	expect_ok("\"a\\\"b\"@example.com", "\"a\\\"b\"@example.com");
	expect_ok("\"a\\\\b\"@example.com", "\"a\\\\b\"@example.com");
	expect_ok("\"a\\ b\"@example.com", "\"a b\"@example.com");
	expect_ok("\"\"@example.com", "\"\"@example.com");
	expect_ok("\"a..b.\"@x.org", "\"a..b.\"@x.org");
	expect_ok("\"(comment)<>[]:;,\"@x.org", "\"(comment)<>[]:;,\"@x.org");
	expect_ok("\"j\xC3\xB6rg\"@x.org", "j\xC3\xB6rg@x.org");
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
			  "user@[IPv6:ffff::abcd]");
	expect_ok("user@[IPv6:::ffff:192.0.2.1]", "user@[IPv6:::ffff:192.0.2.1]");
	expect_ok("user@[IPv6:1:2:3:4:5:6:1.2.3.4]",
			  "user@[IPv6:1:2:3:4:5:6:102:304]");
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
	memcpy(want, buf + 1, 62);	/* a dot-atom: written without quotes */
	strcpy(want + 62, "@x.org");
	expect_ok(buf, want);
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
	expect_err("a\x7F@x.org", EMAIL_CONTROL_CHAR);
	expect_err("a\x01@x.org", EMAIL_CONTROL_CHAR);
	expect_err_n("a\0b@x.org", 9, EMAIL_CONTROL_CHAR);
	expect_err("\"a\"b@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("\"a\".b@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("\"a\"\"b\"@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("\"a\tb\"@x.org", EMAIL_INNER_WHITESPACE);
	expect_err("\"a\nb\"@x.org", EMAIL_INNER_WHITESPACE);
	expect_err("\"a\\\tb\"@x.org", EMAIL_INNER_WHITESPACE);
	expect_err("\"a\\\xC3\xA9\"@x.org", EMAIL_LOCAL_BAD_CHAR);
	expect_err("\"a\x7F\"@x.org", EMAIL_CONTROL_CHAR);
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
	expect_err_n("a@x\0.org", 8, EMAIL_CONTROL_CHAR);
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

/* Both spellings are accepted and give the same canonical form. */
static void
expect_same(const char *a, const char *b)
{
	char		oa[EMAIL_BUFSIZE];
	char		ob[EMAIL_BUFSIZE];
	size_t		la,
				lb;
	EmailError	ea = normalize(a, strlen(a), oa, &la);
	EmailError	eb = normalize(b, strlen(b), ob, &lb);

	check(ea == EMAIL_OK && eb == EMAIL_OK && la == lb && strcmp(oa, ob) == 0,
		  "\"%.60s\" and \"%.60s\" are one mailbox (\"%s\" / \"%s\")",
		  a, b, oa, ob);
}

/* The canonical form of "user@[IPv6:<in>]" is "user@[IPv6:<want>]". */
static void
expect_ipv6(const char *in, const char *want)
{
	char		a[128];
	char		w[128];

	snprintf(a, sizeof(a), "user@[IPv6:%s]", in);
	snprintf(w, sizeof(w), "user@[IPv6:%s]", want);
	expect_ok(a, w);
}

/* "user@[IPv6:<in>]" is refused as a bad literal. */
static void
expect_bad_ipv6(const char *in)
{
	char		a[128];

	snprintf(a, sizeof(a), "user@[IPv6:%s]", in);
	expect_err(a, EMAIL_BAD_LITERAL);
}

/*
 * ch (one UTF-8 character) is refused with want wherever it stands: in the
 * local part, in a quoted local part, in the domain and at either end.
 */
static void
expect_refused_char(const char *ch, size_t n, EmailError want)
{
	static const char *const where[][2] = {
		{"al", "ice@example.org"},
		{"\"al", "ice\"@example.org"},
		{"alice@exa", "mple.org"},
		{"", "alice@example.org"},
		{"alice@example.org", ""},
		{" ", "alice@example.org "},
		{"\"a b", "\"@example.org"},
	};
	char		buf[64];
	size_t		i;

	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++)
	{
		size_t		l1 = strlen(where[i][0]),
					l2 = strlen(where[i][1]);

		memcpy(buf, where[i][0], l1);
		memcpy(buf + l1, ch, n);
		memcpy(buf + l1 + n, where[i][1], l2 + 1);
		expect_err_n(buf, l1 + n + l2, want);
	}
}

/* Whitespace ch is trimmed at the ends and refused inside, even quoted. */
static void
expect_space_char(const char *ch, size_t n)
{
	char		buf[64];

	memcpy(buf, ch, n);
	memcpy(buf + n, "alice@example.org", 17);
	memcpy(buf + n + 17, ch, n);
	expect_ok_n(buf, 2 * n + 17, "alice@example.org");
	memcpy(buf, "al", 2);
	memcpy(buf + 2, ch, n);
	strcpy(buf + 2 + n, "ice@example.org");
	expect_err_n(buf, n + 17, EMAIL_INNER_WHITESPACE);
	memcpy(buf, "\"al", 3);
	memcpy(buf + 3, ch, n);
	strcpy(buf + 3 + n, "ice\"@example.org");
	if (strcmp(ch, " ") == 0)
		expect_ok(buf, buf);	/* the one space allowed inside quotes */
	else
		expect_err_n(buf, n + 19, EMAIL_INNER_WHITESPACE);
	memcpy(buf, "alice@", 6);
	memcpy(buf + 6, ch, n);
	strcpy(buf + 6 + n, "example.org");
	expect_err_n(buf, n + 17, EMAIL_INNER_WHITESPACE);
}

/* Twin spellings of one mailbox (the security review's list) collapse. */
static void
test_twins(void)
{
	static const char *const alice[] = {
		"alice@example.org",
		"\"alice\"@example.org",
		"\"al\\ice\"@example.org",
		"\"\\a\\l\\i\\c\\e\"@example.org",
		"alice@EXAMPLE.org",
		"alice@example.org\xC2\xA0",
		"\xC2\xA0" "alice@example.org",
		"\xE3\x80\x80" "alice@example.org\xE2\x80\x89",
		" \xC2\xA0\t\xE1\x9A\x80\xE2\x80\x80" "alice@example.org\xE2\x81\x9F\xE2\x80\xAF\n",
		"\"alice\"@Example.ORG ",
	};
	size_t		i;

	for (i = 0; i < sizeof(alice) / sizeof(alice[0]); i++)
		expect_ok(alice[i], "alice@example.org");
	for (i = 1; i < sizeof(alice) / sizeof(alice[0]); i++)
		expect_same(alice[0], alice[i]);
	expect_same("\"a.b\"@x.org", "a.b@x.org");
	expect_same("\"a\\.b\"@x.org", "a.b@x.org");
	expect_same("\"a b\"@x.org", "\"a\\ b\"@x.org");
	expect_same("\"a b\"@x.org", "\"\\a\\ \\b\"@x.org");
	expect_same("\"j\xC3\xB6rg\"@x.org", "j\xC3\xB6rg@x.org");
	expect_same("u@[IPv6:0:0:0:0:0:0:0:1]", "u@[IPv6:::1]");
	expect_same("u@[IPv6:0::1]", "u@[IPv6:::1]");
	expect_same("u@[IPv6:0000:0000:0000:0000:0000:0000:0000:0001]", "u@[IPv6:::1]");
	expect_same("u@[ipv6:2001:DB8:0:0:0:0:0:1]", "u@[IPv6:2001:db8::1]");
	expect_same("u@[IPv6:2001:0db8:0000::0001]", "u@[IPv6:2001:db8::1]");
	expect_same("u@[IPv6:::FFFF:C000:201]", "u@[IPv6:::ffff:192.0.2.1]");
	expect_same("u@[IPv6:0:0:0:0:0:ffff:192.0.2.1]", "u@[IPv6:::ffff:192.0.2.1]");
	expect_same("u@[IPv6:::1.2.3.4]", "u@[IPv6:::102:304]");
}

/* Quoted local parts: unquoted when a dot-atom, else minimally quoted. */
static void
test_quoting(void)
{
	char		buf[600];
	char		want[600];
	size_t		i;

	expect_ok("\"alice\"@x.org", "alice@x.org");
	expect_ok("\"al\\ice\"@x.org", "alice@x.org");
	expect_ok("\"a.b\"@x.org", "a.b@x.org");
	expect_ok("\"A.B\"@x.org", "A.B@x.org");	/* case kept */
	expect_ok("\"a\\.b\"@x.org", "a.b@x.org");
	expect_ok("\"!#$%&'*+-/=?^_`{|}~\"@x.org", "!#$%&'*+-/=?^_`{|}~@x.org");
	expect_ok("\"\xE7\x94\xA8\xE6\x88\xB7\"@x.org", "\xE7\x94\xA8\xE6\x88\xB7@x.org");
	expect_ok("\"a b\"@x.org", "\"a b\"@x.org");
	expect_ok("\"a\\ b\"@x.org", "\"a b\"@x.org");
	expect_ok("\"\\a\\ \\b\"@x.org", "\"a b\"@x.org");
	expect_ok("\" \"@x.org", "\" \"@x.org");
	expect_ok("\" a\"@x.org", "\" a\"@x.org");
	expect_ok("\"a\\(b\"@x.org", "\"a(b\"@x.org");
	expect_ok("\"\\@\"@x.org", "\"@\"@x.org");
	expect_ok("\"a\\\"b\"@x.org", "\"a\\\"b\"@x.org");
	expect_ok("\"\\\"\"@x.org", "\"\\\"\"@x.org");
	expect_ok("\"a\\\\b\"@x.org", "\"a\\\\b\"@x.org");
	expect_ok("\"\\\\\"@x.org", "\"\\\\\"@x.org");
	expect_ok("\".a\"@x.org", "\".a\"@x.org");
	expect_ok("\"a.\"@x.org", "\"a.\"@x.org");
	expect_ok("\"a..b\"@x.org", "\"a..b\"@x.org");
	expect_ok("\".\"@x.org", "\".\"@x.org");
	expect_ok("\"\"@x.org", "\"\"@x.org");
	expect_ok("\"a,b\"@x.org", "\"a,b\"@x.org");
	expect_ok("\"j\xC3\xB6 rg\"@x.org", "\"j\xC3\xB6 rg\"@x.org");
	/* a quoted-pair quotes ASCII only: "\" before UTF-8 is refused */
	expect_err("\"j\\\xC3\xB6rg\"@x.org", EMAIL_LOCAL_BAD_CHAR);

	/* 31 quoted pairs: 64 octets as spelt, 31 once unquoted */
	buf[0] = '"';
	for (i = 0; i < 31; i++)
		memcpy(buf + 1 + 2 * i, "\\q", 2);
	strcpy(buf + 63, "\"@x.org");
	memset(want, 'q', 31);
	strcpy(want + 31, "@x.org");
	expect_ok(buf, want);
	/* limits apply to the spelling: 65 octets quoted is too long */
	buf[0] = '"';
	memset(buf + 1, 'q', 63);
	strcpy(buf + 64, "\"@x.org");
	expect_err(buf, EMAIL_LOCAL_TOO_LONG);
}

/* IPv6 literals in RFC 5952 form; IPv4 literals unchanged. */
static void
test_ipv6(void)
{
	expect_ipv6("::", "::");
	expect_ipv6("0:0:0:0:0:0:0:0", "::");
	expect_ipv6("::0", "::");
	expect_ipv6("0::", "::");
	expect_ipv6("1::", "1::");
	expect_ipv6("1:0:0:0:0:0:0:0", "1::");
	expect_ipv6("::1", "::1");
	expect_ipv6("0:0:0:0:0:0:0:1", "::1");
	expect_ipv6("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8");
	expect_ipv6("1001:2002:3003:4004:5005:6006:7007:8008",
				"1001:2002:3003:4004:5005:6006:7007:8008");
	expect_ipv6("ABCD:EF01:2345:6789:ABCD:EF01:2345:6789",
				"abcd:ef01:2345:6789:abcd:ef01:2345:6789");
	expect_ipv6("0001:0020:0300:4000:0:00:000:0000", "1:20:300:4000::");
	expect_ipv6("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");	/* tie: first */
	expect_ipv6("1:0:0:2:0:0:3:4", "1::2:0:0:3:4");
	expect_ipv6("1:0:0:2:0:0:0:3", "1:0:0:2::3");	/* longest wins */
	expect_ipv6("0:0:1:0:0:0:2:3", "0:0:1::2:3");
	expect_ipv6("1:2:3:4:5:6:0:0", "1:2:3:4:5:6::");
	expect_ipv6("0:0:1:2:3:4:5:6", "::1:2:3:4:5:6");
	expect_ipv6("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7");	/* one zero group */
	expect_ipv6("1::2:3:4:5:6:7", "1:0:2:3:4:5:6:7");
	expect_ipv6("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0");
	expect_ipv6("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8");
	expect_ipv6("1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0");
	expect_ipv6("2001:DB8::0:1", "2001:db8::1");
	expect_ipv6("fe80::1:0:0:0", "fe80::1:0:0:0");
	expect_ipv6("fe80:0:0:0:1::", "fe80::1:0:0:0");
	expect_ipv6("0:1:0:0:0:0:0:0", "0:1::");
	/* dotted-quad tails become hex groups ... */
	expect_ipv6("::1.2.3.4", "::102:304");
	expect_ipv6("::0.0.0.0", "::");
	expect_ipv6("::0.0.0.1", "::1");
	expect_ipv6("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304");
	expect_ipv6("64:ff9b::192.0.2.33", "64:ff9b::c000:221");
	expect_ipv6("::fffe:1.2.3.4", "::fffe:102:304");
	expect_ipv6("1::ffff:1.2.3.4", "1::ffff:102:304");
	expect_ipv6("::ffff:0:1.2.3.4", "::ffff:0:102:304");
	expect_ipv6("1:2:3:4:5:6:255.255.255.255", "1:2:3:4:5:6:ffff:ffff");
	/* ... except in an IPv4-mapped address, always ::ffff:a.b.c.d */
	expect_ipv6("::ffff:192.0.2.1", "::ffff:192.0.2.1");
	expect_ipv6("::FFFF:192.0.2.1", "::ffff:192.0.2.1");
	expect_ipv6("::ffff:c000:0201", "::ffff:192.0.2.1");
	expect_ipv6("0:0:0:0:0:ffff:c000:201", "::ffff:192.0.2.1");
	expect_ipv6("::ffff:0.0.0.0", "::ffff:0.0.0.0");
	expect_ipv6("::ffff:0:0", "::ffff:0.0.0.0");
	expect_ipv6("::ffff:ffff:ffff", "::ffff:255.255.255.255");
	expect_ipv6("::ffff:a0a:a0a", "::ffff:10.10.10.10");
	expect_ipv6("::ffff", "::ffff");
	expect_ipv6("::ffff:0", "::ffff:0");
	expect_ok("u@[IpV6:0:0::1]", "u@[IPv6:::1]");

	expect_bad_ipv6(":::");
	expect_bad_ipv6("1:::2");
	expect_bad_ipv6("00000::1");
	expect_bad_ipv6("::ffff:1.2.3");
	expect_bad_ipv6("::ffff:01.2.3.4");
	expect_bad_ipv6("1:2:3:4:5:6:7:1.2.3.4");
	expect_bad_ipv6("1:2:3:4:5:6:7::1.2.3.4");
	expect_bad_ipv6("::1.2.3.4:1");
	expect_bad_ipv6("::1/128");
	expect_bad_ipv6("::1%eth0");

	expect_ok("u@[192.0.2.1]", "u@[192.0.2.1]");
	expect_ok("u@[10.0.0.255]", "u@[10.0.0.255]");
}

/* Controls, invisible characters and noncharacters: refused anywhere. */
static void
test_refused(void)
{
	static const struct
	{
		const char *ch;
		EmailError	want;
	}			refused[] = {
		{"\x01", EMAIL_CONTROL_CHAR},
		{"\x08", EMAIL_CONTROL_CHAR},
		{"\x0E", EMAIL_CONTROL_CHAR},
		{"\x1B", EMAIL_CONTROL_CHAR},
		{"\x1F", EMAIL_CONTROL_CHAR},
		{"\x7F", EMAIL_CONTROL_CHAR},
		{"\xC2\x80", EMAIL_CONTROL_CHAR},	/* U+0080 */
		{"\xC2\x85", EMAIL_CONTROL_CHAR},	/* U+0085 NEL */
		{"\xC2\x9F", EMAIL_CONTROL_CHAR},	/* U+009F */
		{"\xC2\xAD", EMAIL_INVISIBLE_CHAR}, /* U+00AD soft hyphen */
		{"\xCD\x8F", EMAIL_INVISIBLE_CHAR}, /* U+034F */
		{"\xD8\x9C", EMAIL_INVISIBLE_CHAR}, /* U+061C */
		{"\xE1\x85\x9F", EMAIL_INVISIBLE_CHAR}, /* U+115F */
		{"\xE1\x85\xA0", EMAIL_INVISIBLE_CHAR}, /* U+1160 */
		{"\xE1\x9E\xB4", EMAIL_INVISIBLE_CHAR}, /* U+17B4 */
		{"\xE1\x9E\xB5", EMAIL_INVISIBLE_CHAR}, /* U+17B5 */
		{"\xE1\xA0\x8B", EMAIL_INVISIBLE_CHAR}, /* U+180B */
		{"\xE1\xA0\x8E", EMAIL_INVISIBLE_CHAR}, /* U+180E */
		{"\xE1\xA0\x8F", EMAIL_INVISIBLE_CHAR}, /* U+180F */
		{"\xE2\x80\x8B", EMAIL_INVISIBLE_CHAR}, /* U+200B */
		{"\xE2\x80\x8C", EMAIL_INVISIBLE_CHAR}, /* U+200C */
		{"\xE2\x80\x8D", EMAIL_INVISIBLE_CHAR}, /* U+200D */
		{"\xE2\x80\x8E", EMAIL_INVISIBLE_CHAR}, /* U+200E */
		{"\xE2\x80\x8F", EMAIL_INVISIBLE_CHAR}, /* U+200F */
		{"\xE2\x80\xA8", EMAIL_INVISIBLE_CHAR}, /* U+2028 */
		{"\xE2\x80\xA9", EMAIL_INVISIBLE_CHAR}, /* U+2029 */
		{"\xE2\x80\xAA", EMAIL_INVISIBLE_CHAR}, /* U+202A */
		{"\xE2\x80\xAE", EMAIL_INVISIBLE_CHAR}, /* U+202E */
		{"\xE2\x81\xA0", EMAIL_INVISIBLE_CHAR}, /* U+2060 */
		{"\xE2\x81\xA4", EMAIL_INVISIBLE_CHAR}, /* U+2064 */
		{"\xE2\x81\xA6", EMAIL_INVISIBLE_CHAR}, /* U+2066 */
		{"\xE2\x81\xAF", EMAIL_INVISIBLE_CHAR}, /* U+206F */
		{"\xE3\x85\xA4", EMAIL_INVISIBLE_CHAR}, /* U+3164 */
		{"\xEF\xB8\x80", EMAIL_INVISIBLE_CHAR}, /* U+FE00 */
		{"\xEF\xB8\x8F", EMAIL_INVISIBLE_CHAR}, /* U+FE0F */
		{"\xEF\xBB\xBF", EMAIL_INVISIBLE_CHAR}, /* U+FEFF */
		{"\xEF\xBE\xA0", EMAIL_INVISIBLE_CHAR}, /* U+FFA0 */
		{"\xEF\xBF\xB0", EMAIL_INVISIBLE_CHAR}, /* U+FFF0 */
		{"\xEF\xBF\xB9", EMAIL_INVISIBLE_CHAR}, /* U+FFF9 */
		{"\xEF\xBF\xBB", EMAIL_INVISIBLE_CHAR}, /* U+FFFB */
		{"\xF0\x9B\xB2\xA0", EMAIL_INVISIBLE_CHAR}, /* U+1BCA0 */
		{"\xF0\x9D\x85\xB3", EMAIL_INVISIBLE_CHAR}, /* U+1D173 */
		{"\xF3\xA0\x80\x80", EMAIL_INVISIBLE_CHAR}, /* U+E0000 */
		{"\xF3\xA0\x80\x81", EMAIL_INVISIBLE_CHAR}, /* U+E0001 tag */
		{"\xF3\xA0\x81\xBF", EMAIL_INVISIBLE_CHAR}, /* U+E007F */
		{"\xF3\xA0\x84\x80", EMAIL_INVISIBLE_CHAR}, /* U+E0100 */
		{"\xF3\xA0\xBF\xBF", EMAIL_INVISIBLE_CHAR}, /* U+E0FFF */
		{"\xEF\xB7\x90", EMAIL_NONCHARACTER},	/* U+FDD0 */
		{"\xEF\xB7\xAF", EMAIL_NONCHARACTER},	/* U+FDEF */
		{"\xEF\xBF\xBE", EMAIL_NONCHARACTER},	/* U+FFFE */
		{"\xEF\xBF\xBF", EMAIL_NONCHARACTER},	/* U+FFFF */
		{"\xF0\x9F\xBF\xBE", EMAIL_NONCHARACTER},	/* U+1FFFE */
		{"\xF3\xBF\xBF\xBF", EMAIL_NONCHARACTER},	/* U+FFFFF */
		{"\xF4\x8F\xBF\xBF", EMAIL_NONCHARACTER},	/* U+10FFFF */
	};
	static const char *const spaces[] = {
		" ", "\t", "\n", "\v", "\f", "\r",
		"\xC2\xA0",				/* U+00A0 */
		"\xE1\x9A\x80",			/* U+1680 */
		"\xE2\x80\x80",			/* U+2000 */
		"\xE2\x80\x85",			/* U+2005 */
		"\xE2\x80\x8A",			/* U+200A */
		"\xE2\x80\xAF",			/* U+202F */
		"\xE2\x81\x9F",			/* U+205F */
		"\xE3\x80\x80",			/* U+3000 */
	};
	/* neighbours of the refused ranges are ordinary characters */
	static const char *const allowed[] = {
		"\xC2\xA1", "\xC2\xAE", "\xCD\x8E", "\xD8\x9B", "\xE1\x85\x9E",
		"\xE1\x85\xA1", "\xE1\xA0\x8A", "\xE2\x80\xA7", "\xE2\x80\xB0",
		"\xE2\x81\x9E", "\xE3\x85\xA3", "\xEF\xB7\x8F", "\xEF\xB7\xB0",
		"\xEF\xBF\xBC", "\xEF\xBF\xBD", "\xF3\xA1\x80\x80", "\xF0\x9F\xBF\xBD",
	};
	char		buf[64];
	char		want[64];
	size_t		i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		expect_refused_char(refused[i].ch, strlen(refused[i].ch), refused[i].want);
	expect_refused_char("\0", 1, EMAIL_CONTROL_CHAR);
	for (i = 0; i < sizeof(spaces) / sizeof(spaces[0]); i++)
		expect_space_char(spaces[i], strlen(spaces[i]));
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
	{
		snprintf(buf, sizeof(buf), "al%sice@Exa%smple.org", allowed[i], allowed[i]);
		snprintf(want, sizeof(want), "al%sice@exa%smple.org", allowed[i], allowed[i]);
		expect_ok(buf, want);
	}
	/* U+0020 is the only whitespace allowed inside quotes */
	expect_ok("\"a b\"@x.org", "\"a b\"@x.org");
	expect_err("\"a\xC2\xA0" "b\"@x.org", EMAIL_INNER_WHITESPACE);
	expect_err("\"a\\\xC2\xA0" "b\"@x.org", EMAIL_INNER_WHITESPACE);
	expect_err("\"a\\\rb\"@x.org", EMAIL_INNER_WHITESPACE);
	/* only whole, valid characters are trimmed */
	expect_err("\xC2" "a@x.org", EMAIL_BAD_UTF8);
	expect_err("a@x.org\xA0", EMAIL_BAD_UTF8);
	expect_err("a@x.org\xE2\xC2\xA0", EMAIL_BAD_UTF8);
	expect_err("\xC2\xA0\x80", EMAIL_BAD_UTF8);
	expect_err("\xF0\x80\x80\xA0" "a@x.org", EMAIL_BAD_UTF8);
	expect_err("\xC2\xA0\xE3\x80\x80 \t", EMAIL_EMPTY);

	/* order: UTF-8, control, invisible, noncharacter, quoting, whitespace */
	expect_err("\x01\xE2\x80\x8B\xEF\xBF\xBF@x.org\xFF", EMAIL_BAD_UTF8);
	expect_err("\xEF\xBF\xBF\xE2\x80\x8B\x01@x.org", EMAIL_CONTROL_CHAR);
	expect_err("\xEF\xBF\xBF\xE2\x80\x8B@x.org", EMAIL_INVISIBLE_CHAR);
	expect_err("\"\xEF\xBF\xBF@x.org", EMAIL_NONCHARACTER);
	expect_err("\"\x01", EMAIL_CONTROL_CHAR);
	expect_err("\"a b@x.org", EMAIL_LOCAL_BAD_QUOTE);
	expect_err("a\xC2\xA0" "b", EMAIL_INNER_WHITESPACE);
	expect_err("\xE2\x80\x8B", EMAIL_INVISIBLE_CHAR);
}

/* email_trim: the span email_normalize keeps. */
static void
test_trim(void)
{
	size_t		start = 99,
				n;

	n = email_trim(" \xC2\xA0x\xE3\x80\x80", 7, &start);
	check(start == 3 && n == 1, "email_trim skips ASCII and Unicode spaces");
	n = email_trim("\xC2\xA0\xC2\xA0", 4, &start);
	check(n == 0, "email_trim of spaces only");
	n = email_trim(NULL, 3, &start);
	check(n == 0 && start == 0, "email_trim of NULL");
	n = email_trim("\xE2\x80\x8B" "a", 4, &start);
	check(start == 0 && n == 4, "email_trim keeps U+200B");
	n = email_trim("a\xC2", 2, &start);
	check(start == 0 && n == 2, "email_trim keeps a broken sequence");
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

	check_start(argc, argv);
	test_valid();
	test_invalid();
	test_twins();
	test_quoting();
	test_ipv6();
	test_refused();
	test_trim();
	test_buffers();
	test_key();
	test_strerror();
	for (e = 0; e < NUM_ERRORS; e++)
		check(errors_seen[e], "error code %d (%s) reached by some case",
			  e, email_strerror((EmailError) e));
	return check_done();
}

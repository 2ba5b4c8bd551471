/*
 * fuzz_email.c
 *	  libFuzzer harness for src/email.c (rule S1.5: one canonical form per
 *	  mailbox).
 *
 * Properties checked on every input, abort() on violation:
 * - the error code is a real one; on error the output is "" and outlen 0;
 * - EMPTY exactly when the input is only (ASCII or Unicode) whitespace;
 *	 BAD_UTF8 exactly when an independent decoder rejects the input without
 *	 its outer ASCII whitespace;
 * - on success the output is at most 254 octets, NUL-terminated, valid
 *	 UTF-8, holds no refused character (control, invisible, noncharacter,
 *	 whitespace other than U+0020 inside quotes) by an independent
 *	 classification, is a fixed point, and is in canonical shape: a dot-atom
 *	 local part bare, a quoted one only when its content is no dot-atom and
 *	 with only '"' and '\' escaped, no ASCII capital in the domain, an IPv6
 *	 literal equal to the libc inet_pton/inet_ntop oracle (RFC 5952); an
 *	 input with a bare local part and no IPv6 literal comes back trimmed
 *	 with only the domain's ASCII letters lower-cased;
 * - key-preserving variants give the same key of the canonical form:
 *	 lower-casing (email_key(input): same verdict too), whitespace (ASCII
 *	 and Unicode) around the input (same output), quoting a bare local part
 *	 or backslash-escaping every ASCII character of the local part, the
 *	 domain in capitals, an IPv6 literal written out in full in capitals;
 * - inputs made of IPv6 literal characters are also tried as
 *	 "x@[IPv6:<input>]": accepted exactly when inet_pton accepts them;
 * - the buffer-size contract holds (length + 1 fits, length does not);
 * - email_key has no ASCII capitals, is idempotent, never longer than the
 *	 input and truncates like snprintf.
 */
#define _POSIX_C_SOURCE 200112L

#include "email.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ASCII whitespace (the module's email_key and the SQL btrim set). */
static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		c == '\v';
}

/* Unicode whitespace trimmed by email_normalize. */
static int
is_uspace(unsigned long cp)
{
	switch (cp)
	{
		case 0x20: case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D:
		case 0xA0: case 0x1680: case 0x202F: case 0x205F: case 0x3000:
			return 1;
	}
	return cp >= 0x2000 && cp <= 0x200A;
}

/* Characters refused anywhere (controls, invisible, noncharacters). */
static int
is_refused(unsigned long cp)
{
	if (cp < 0x20)
		return !is_uspace(cp);
	if (cp >= 0x7F && cp <= 0x9F)
		return 1;
	if (cp >= 0xFDD0 && cp <= 0xFDEF)
		return 1;
	if ((cp & 0xFFFF) == 0xFFFE || (cp & 0xFFFF) == 0xFFFF)
		return 1;
	switch (cp)
	{
		case 0xAD: case 0x34F: case 0x61C: case 0x115F: case 0x1160:
		case 0x17B4: case 0x17B5: case 0x3164: case 0xFEFF: case 0xFFA0:
			return 1;
	}
	return (cp >= 0x180B && cp <= 0x180F) || (cp >= 0x200B && cp <= 0x200F) ||
		(cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) ||
		(cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFFF0 && cp <= 0xFFFB) ||
		(cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0x1D173 && cp <= 0x1D17A) ||
		(cp >= 0xE0000 && cp <= 0xE0FFF);
}

/* Decode one code point: its length, or 0 if invalid (range checks after). */
static size_t
decode(const unsigned char *s, size_t n, unsigned long *out)
{
	unsigned long cp;
	size_t		len,
				k;

	if (s[0] < 0x80)
	{
		*out = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0)
		len = 2, cp = s[0] & 0x1F;
	else if ((s[0] & 0xF0) == 0xE0)
		len = 3, cp = s[0] & 0x0F;
	else if ((s[0] & 0xF8) == 0xF0)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (k = 1; k < len; k++)
	{
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		(len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
		(cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	*out = cp;
	return len;
}

/* Independent UTF-8 check. */
static int
utf8_ok(const unsigned char *s, size_t n)
{
	size_t		i = 0;
	unsigned long cp;

	while (i < n)
	{
		size_t		k = decode(s + i, n - i, &cp);

		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

/*
 * Valid UTF-8 s[0..n) without outer Unicode whitespace: decode every code
 * point forwards, remembering where the last non-space one ends.
 */
static void
utrim(const unsigned char *s, size_t n, size_t *start, size_t *end)
{
	size_t		i = 0;
	int			seen = 0;
	unsigned long cp = 0;

	*start = *end = 0;
	while (i < n)
	{
		size_t		k = decode(s + i, n - i, &cp);

		if (!is_uspace(cp))
		{
			if (!seen)
				*start = i;
			seen = 1;
			*end = i + k;
		}
		i += k;
	}
}

/* ASCII-only lower-casing. */
static unsigned char
lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char) (c + 32) : c;
}

/* RFC 5322 atext in ASCII. */
static int
is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Dot-atom: atext or non-ASCII, dots only between them. */
static int
dot_atom(const unsigned char *s, size_t n)
{
	size_t		i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++)
	{
		if (s[i] == '.' ? s[i + 1] == '.' : (s[i] < 0x80 && !is_atext(s[i])))
			return 0;
	}
	return 1;
}

/* normalize and expect EMAIL_OK with exactly the canonical form want. */
static void
expect_same(const char *in, size_t len, const char *want, size_t wantlen)
{
	char		out[EMAIL_BUFSIZE];
	size_t		outlen;

	if (email_normalize(in, len, out, sizeof(out), &outlen) != EMAIL_OK ||
		outlen != wantlen || memcmp(out, want, wantlen) != 0)
		abort();
}

/* Checks on email_key alone. */
static void
check_key(const unsigned char *data, size_t size)
{
	char	   *k = malloc(size + 1);
	char	   *k2 = malloc(size + 1);
	char		small[8];
	size_t		n,
				n2,
				i;

	if (k == NULL || k2 == NULL)
		abort();
	n = email_key((const char *) data, size, k, size + 1);
	if (n > size || k[n] != '\0')
		abort();
	for (i = 0; i < n; i++)
	{
		if (k[i] >= 'A' && k[i] <= 'Z')
			abort();
	}
	if (n > 0 && (is_space((unsigned char) k[0]) ||
				  is_space((unsigned char) k[n - 1])))
		abort();
	n2 = email_key(k, n, k2, size + 1);
	if (n2 != n || memcmp(k, k2, n) != 0)
		abort();
	if (email_key((const char *) data, size, NULL, 0) != n)
		abort();
	/* truncation: the first min(n, 7) bytes, then a NUL (keys may hold NULs) */
	n2 = email_key((const char *) data, size, small, sizeof(small));
	i = n < sizeof(small) ? n : sizeof(small) - 1;
	if (n2 != n || memcmp(small, k, i) != 0 || small[i] != '\0')
		abort();
	free(k);
	free(k2);
}

/*
 * The RFC 5952 form of IPv6 text s[0..n) by libc, with the one difference
 * of our rule: only an IPv4-mapped address keeps a dotted quad.  Returns 0
 * if inet_pton refuses it.
 */
static int
ipv6_oracle(const char *s, size_t n, char *out, size_t outcap)
{
	char		text[64];
	unsigned char a[16];

	if (n >= sizeof(text))
		return 0;
	memcpy(text, s, n);
	text[n] = '\0';
	if (inet_pton(AF_INET6, text, a) != 1)
		return 0;
	if (inet_ntop(AF_INET6, a, out, (socklen_t) outcap) == NULL)
		abort();
	if (strchr(out, '.') != NULL && strncmp(out, "::ffff:", 7) != 0)
		snprintf(out, outcap, "::%x:%x", (unsigned) (a[12] << 8 | a[13]),
				 (unsigned) (a[14] << 8 | a[15]));
	return 1;
}

/* The output's shape is canonical; see the header comment. */
static void
check_shape(const char *out, size_t outlen)
{
	const unsigned char *s = (const unsigned char *) out;
	size_t		at,
				i = 0,
				close = 0;
	unsigned long cp = 0;

	if (outlen > EMAIL_MAX_LENGTH || strlen(out) != outlen || !utf8_ok(s, outlen))
		abort();
	/* the domain follows the last "@"; quoted local parts may hold "@" */
	for (at = outlen; at > 0 && out[at - 1] != '@'; at--)
		;
	if (at < 2 || at - 1 > EMAIL_MAX_LOCAL)
		abort();
	at--;
	if (s[0] == '"')
	{
		unsigned char content[EMAIL_MAX_LOCAL];
		size_t		m = 0;

		if (at < 2 || s[at - 1] != '"')
			abort();
		for (i = 1; i < at - 1; i++)
		{
			if (s[i] == '\\')
			{
				i++;
				if (s[i] != '"' && s[i] != '\\')
					abort();	/* needless escape */
			}
			else if (s[i] == '"')
				abort();
			content[m++] = s[i];
		}
		if (i != at - 1 || dot_atom(content, m))
			abort();			/* needless quotes */
		close = at - 1;
	}
	else if (!dot_atom(s, at))
		abort();
	for (i = 0; i < outlen;)
	{
		size_t		k = decode(s + i, outlen - i, &cp);

		if (k == 0 || is_refused(cp) ||
			(is_uspace(cp) && !(cp == ' ' && i > 0 && i < close)))
			abort();
		i += k;
	}
	for (i = at + 1; i < outlen; i++)
	{
		if (s[i] >= 'A' && s[i] <= 'Z' &&
			!(i >= at + 2 && i <= at + 3 && memcmp(out + at + 1, "[IPv6:", 6) == 0))
			abort();
	}
	if (memcmp(out + at + 1, "[IPv6:", 6) == 0 && outlen >= at + 8)
	{
		char		want[64];

		if (!ipv6_oracle(out + at + 7, outlen - at - 8, want, sizeof(want)) ||
			strlen(want) != outlen - at - 8 ||
			memcmp(want, out + at + 7, outlen - at - 8) != 0)
			abort();
	}
}

/*
 * Spellings of the same mailbox as the canonical out[0..outlen): quoted,
 * escaped, domain in capitals, IPv6 written out in full.
 */
static void
check_variants(const char *out, size_t outlen)
{
	char		v[EMAIL_BUFSIZE * 3];
	size_t		at,
				p = 0,
				i,
				lstart,
				lend;

	for (at = outlen; out[at - 1] != '@'; at--)
		;
	at--;
	/* the local part's content, escaped in every ASCII character */
	lstart = out[0] == '"' ? 1 : 0;
	lend = out[0] == '"' ? at - 1 : at;
	v[p++] = '"';
	for (i = lstart; i < lend; i++)
	{
		if (out[i] == '\\')
			i++;
		if ((unsigned char) out[i] < 0x80)
			v[p++] = '\\';
		v[p++] = out[i];
	}
	v[p++] = '"';
	if (p <= EMAIL_MAX_LOCAL && p + outlen - at <= EMAIL_MAX_LENGTH)
	{
		memcpy(v + p, out + at, outlen - at);
		expect_same(v, p + outlen - at, out, outlen);
	}
	/* a bare local part in quotes */
	if (out[0] != '"' && at + 2 <= EMAIL_MAX_LOCAL && outlen + 2 <= EMAIL_MAX_LENGTH)
	{
		v[0] = '"';
		memcpy(v + 1, out, at);
		v[at + 1] = '"';
		memcpy(v + at + 2, out + at, outlen - at);
		expect_same(v, outlen + 2, out, outlen);
	}
	/* the domain in capitals; an IPv6 literal in full, in capitals */
	memcpy(v, out, at + 1);
	p = at + 1;
	if (memcmp(out + at + 1, "[IPv6:", 6) == 0)
	{
		char		text[64];
		unsigned char a[16];

		memcpy(text, out + at + 7, outlen - at - 8);
		text[outlen - at - 8] = '\0';
		if (inet_pton(AF_INET6, text, a) != 1)
			abort();
		p += sprintf(v + p, "[iPV6:");
		for (i = 0; i < 16; i += 2)
			p += sprintf(v + p, "%s%04X", i ? ":" : "", (unsigned) (a[i] << 8 | a[i + 1]));
		v[p++] = ']';
	}
	else
	{
		for (i = at + 1; i < outlen; i++)
			v[p++] = (out[i] >= 'a' && out[i] <= 'z') ? (char) (out[i] - 32) : out[i];
	}
	expect_same(v, p, out, outlen);
}

/* "x@[IPv6:<data>]" is accepted exactly when inet_pton takes data. */
static void
check_ipv6_literal(const uint8_t *data, size_t size)
{
	char		addr[128];
	char		want[128];
	char		out[EMAIL_BUFSIZE];
	size_t		i,
				outlen;
	int			ok;
	EmailError	e;

	if (size == 0 || size > 60)
		return;
	for (i = 0; i < size; i++)
	{
		if (strchr("0123456789abcdefABCDEF:.", data[i]) == NULL || data[i] == '\0')
			return;
	}
	memcpy(addr, "x@[IPv6:", 8);
	memcpy(addr + 8, data, size);
	addr[8 + size] = ']';
	memcpy(want, "x@[IPv6:", 8);
	ok = ipv6_oracle((const char *) data, size, want + 8, sizeof(want) - 9);
	e = email_normalize(addr, size + 9, out, sizeof(out), &outlen);
	if ((e == EMAIL_OK) != ok || (e != EMAIL_OK && e != EMAIL_BAD_LITERAL))
		abort();
	if (ok)
	{
		strcat(want, "]");
		if (strcmp(out, want) != 0)
			abort();
	}
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Entry point called by libFuzzer for each generated input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *) data;
	char		out[EMAIL_BUFSIZE];
	char		again[EMAIL_BUFSIZE];
	char		k1[EMAIL_BUFSIZE];
	char		k2[EMAIL_BUFSIZE];
	size_t		outlen = 12345,
				againlen,
				start = 0,
				end = size,
				i;
	EmailError	e,
				e2;
	char	   *buf;

	check_key(data, size);
	check_ipv6_literal(data, size);
	memset(out, 'X', sizeof(out));
	e = email_normalize(in, size, out, sizeof(out), &outlen);
	if ((int) e < 0 || e > EMAIL_BAD_ARGUMENT || email_strerror(e) == NULL ||
		e == EMAIL_BAD_ARGUMENT || e == EMAIL_BUFFER_TOO_SMALL)
		abort();

	while (start < end && is_space(data[start]))
		start++;
	while (end > start && is_space(data[end - 1]))
		end--;
	if (start < end && (e == EMAIL_BAD_UTF8) == utf8_ok(data + start, end - start))
		abort();
	{
		size_t		us,
					ue;
		int			blank = start == end;

		if (!blank && utf8_ok(data + start, end - start))
		{
			utrim(data + start, end - start, &us, &ue);
			blank = (us == ue);
		}
		if ((e == EMAIL_EMPTY) != blank)
			abort();
	}

	buf = malloc(size + 16);
	if (buf == NULL)
		abort();

	if (e != EMAIL_OK)
	{
		if (out[0] != '\0' || outlen != 0)
			abort();
	}
	else
	{
		size_t		us,
					ue,
					at;

		check_shape(out, outlen);
		/* fixed point */
		if (email_normalize(out, outlen, again, sizeof(again), &againlen) !=
			EMAIL_OK || againlen != outlen || memcmp(again, out, outlen + 1) != 0)
			abort();
		/* buffer contract */
		if (email_normalize(in, size, again, outlen + 1, NULL) != EMAIL_OK ||
			email_normalize(in, size, again, outlen, NULL) != EMAIL_BUFFER_TOO_SMALL)
			abort();
		/* a bare local part and no IPv6 literal: only trimmed and lowered */
		utrim(data, size, &us, &ue);
		for (at = outlen; out[at - 1] != '@'; at--)
			;
		if (data[us] != '"' && memcmp(out + at, "[IPv6:", 6) != 0)
		{
			if (ue - us != outlen || memcmp(out, data + us, at) != 0)
				abort();
			for (i = at; i < outlen; i++)
			{
				if ((unsigned char) out[i] != lower(data[us + i]))
					abort();
			}
		}
		check_variants(out, outlen);
	}

	/* lower-casing: same verdict, same key of the canonical form */
	{
		size_t		klen = email_key(in, size, buf, size + 16);

		e2 = email_normalize(buf, klen, again, sizeof(again), &againlen);
		if (e2 != e)
			abort();
		if (e == EMAIL_OK &&
			(email_key(again, againlen, k1, sizeof(k1)) !=
			 email_key(out, outlen, k2, sizeof(k2)) || strcmp(k1, k2) != 0))
			abort();
	}

	/* surrounding ASCII and Unicode whitespace changes nothing */
	memcpy(buf, " \xC2\xA0", 3);
	memcpy(buf + 3, data, size);
	memcpy(buf + 3 + size, "\xE3\x80\x80\n\xE2\x80\x8A", 7);
	e2 = email_normalize(buf, size + 10, again, sizeof(again), &againlen);
	if (e2 != e || (e == EMAIL_OK && (againlen != outlen ||
									  memcmp(again, out, outlen) != 0)))
		abort();

	free(buf);
	return 0;
}

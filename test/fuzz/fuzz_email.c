/*
 * fuzz_email.c
 *	  libFuzzer harness for src/email.c (rule S1.5).
 *
 * Properties checked on every input, abort() on violation:
 * - on success the output is the trimmed input with only the domain's ASCII
 *	 letters lower-cased (and an IPv6 tag spelled "IPv6"), at most 254
 *	 octets, NUL-terminated, and normalising it again gives itself;
 * - email_key(normalised) == email_key(input);
 * - on error the output is "" and outlen 0;
 * - the verdict does not change when ASCII case changes (normalising
 *	 email_key(input) gives the same error code) or when whitespace is added
 *	 around the input;
 * - BAD_UTF8 is reported exactly when an independent decoder rejects the
 *	 trimmed input;
 * - the buffer-size contract holds (length + 1 fits, length does not);
 * - email_key has no ASCII capitals, is idempotent, never longer than the
 *	 input and truncates like snprintf.
 */
#include "email.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Same whitespace set as the module (and the SQL btrim). */
static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		c == '\v';
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

/* ASCII-only lower-casing. */
static unsigned char
lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char) (c + 32) : c;
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

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Entry point called by libFuzzer for each generated input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *) data;
	char		out[EMAIL_BUFSIZE];
	char		again[EMAIL_BUFSIZE];
	size_t		outlen = 12345,
				againlen,
				start = 0,
				end = size,
				i;
	EmailError	e,
				e2;
	char	   *buf;

	check_key(data, size);
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
	if ((e == EMAIL_EMPTY) != (start == end))
		abort();

	buf = malloc(size + 3);
	if (buf == NULL)
		abort();

	if (e != EMAIL_OK)
	{
		if (out[0] != '\0' || outlen != 0)
			abort();
	}
	else
	{
		size_t		at;

		if (outlen != end - start || outlen > EMAIL_MAX_LENGTH ||
			strlen(out) != outlen)
			abort();
		/* the domain follows the last "@"; quoted local parts may hold "@" */
		for (at = outlen; at > 0 && out[at - 1] != '@'; at--)
			;
		if (at == 0 || at - 1 > EMAIL_MAX_LOCAL)
			abort();
		at--;
		if (memcmp(out, data + start, at + 1) != 0)
			abort();
		for (i = at + 1; i < outlen; i++)
		{
			unsigned char c = (unsigned char) out[i];

			if (c != lower(data[start + i]) &&
				!(i >= at + 2 && i <= at + 5 && out[at + 1] == '[' &&
				  c == (unsigned char) "IPv6"[i - at - 2]))
				abort();
		}
		/* idempotent */
		if (email_normalize(out, outlen, again, sizeof(again), &againlen) !=
			EMAIL_OK || againlen != outlen || memcmp(again, out, outlen + 1) != 0)
			abort();
		/* key consistency */
		email_key(in, size, buf, size + 3);
		email_key(out, outlen, again, sizeof(again));
		if (strcmp(buf, again) != 0)
			abort();
		/* buffer contract */
		if (email_normalize(in, size, again, outlen + 1, NULL) != EMAIL_OK ||
			email_normalize(in, size, again, outlen, NULL) != EMAIL_BUFFER_TOO_SMALL)
			abort();
	}

	/* case-insensitive verdict: the lower-cased key gets the same error */
	{
		size_t		klen = email_key(in, size, buf, size + 3);

		e2 = email_normalize(buf, klen, again, sizeof(again), &againlen);
		if (e2 != e)
			abort();
	}

	/* surrounding whitespace changes nothing */
	buf[0] = ' ';
	memcpy(buf + 1, data, size);
	buf[size + 1] = '\n';
	e2 = email_normalize(buf, size + 2, again, sizeof(again), &againlen);
	if (e2 != e || (e == EMAIL_OK && (againlen != outlen ||
									  memcmp(again, out, outlen) != 0)))
		abort();

	free(buf);
	return 0;
}

/*-------------------------------------------------------------------------
 *
 * email.c
 *	  E-mail address normaliser, validator and uniqueness key (rule S1.5).
 *
 * See email.h for the accepted syntax.  Pure C99, no PostgreSQL header, no
 * allocation and no global state, so the fuzzer links it alone.  Every
 * check is a single linear pass over the (trimmed) input.
 *
 *-------------------------------------------------------------------------
 */
#include "email.h"

#include <string.h>

/* True for the ASCII whitespace trimmed from both ends (as btrim does). */
static int
IsTrimSpace(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		c == '\f' || c == '\v';
}

/* True for ASCII letters and digits: the common core of atext and LDH. */
static int
IsAlnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9');
}

/* True for RFC 5322 atext in ASCII (non-ASCII is handled by the caller). */
static int
IsAtext(unsigned char c)
{
	if (IsAlnum(c))
		return 1;
	switch (c)
	{
		case '!': case '#': case '$': case '%': case '&': case '\'':
		case '*': case '+': case '-': case '/': case '=': case '?':
		case '^': case '_': case '`': case '{': case '|': case '}':
		case '~':
			return 1;
	}
	return 0;
}

/* ASCII-only lower-casing, matching lower() under collation "C". */
static unsigned char
AsciiLower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char) (c + ('a' - 'A')) : c;
}

/* Strict UTF-8 check (Unicode table 3-7): no overlongs, surrogates, >U+10FFFF. */
static int
Utf8Valid(const unsigned char *s, size_t n)
{
	size_t		i = 0;

	while (i < n)
	{
		unsigned char c = s[i];
		unsigned char lo = 0x80,
					hi = 0xBF;
		size_t		need,
					k;

		if (c < 0x80)
		{
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			need = 1;
		else if (c >= 0xE0 && c <= 0xEF)
		{
			need = 2;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		}
		else if (c >= 0xF0 && c <= 0xF4)
		{
			need = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		}
		else
			return 0;
		if (n - i - 1 < need)
			return 0;
		for (k = 1; k <= need; k++)
		{
			if (s[i + k] < lo || s[i + k] > hi)
				return 0;
			lo = 0x80;
			hi = 0xBF;
		}
		i += need + 1;
	}
	return 1;
}

/* Strict dotted quad: four 0-255 numbers, no leading zeros, no extras. */
static int
ValidIpv4(const unsigned char *s, size_t n)
{
	size_t		i = 0;
	int			part;

	for (part = 0; part < 4; part++)
	{
		size_t		start = i;
		int			value = 0;

		if (part > 0)
		{
			if (i >= n || s[i] != '.')
				return 0;
			start = ++i;
		}
		while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3)
			value = value * 10 + (s[i++] - '0');
		if (i == start || value > 255 || (s[start] == '0' && i - start > 1))
			return 0;
	}
	return i == n;
}

/* True for an ASCII hex digit (IPv6 groups). */
static int
IsHex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		(c >= 'A' && c <= 'F');
}

/* RFC 5321 IPv6 literal body: 8 groups, or fewer with one "::"; v4 tail ok. */
static int
ValidIpv6(const unsigned char *s, size_t n)
{
	size_t		i = 0;
	int			groups = 0;
	int			compressed = 0;

	if (n >= 2 && s[0] == ':' && s[1] == ':')
	{
		compressed = 1;
		i = 2;
	}
	else if (n == 0 || s[0] == ':')
		return 0;
	while (i < n)
	{
		size_t		j = i;
		size_t		k;
		int			dotted = 0;

		while (j < n && s[j] != ':')
			dotted |= (s[j++] == '.');
		if (dotted)
		{
			/* an IPv4 tail counts as two groups and must end the literal */
			if (j != n || !ValidIpv4(s + i, j - i))
				return 0;
			groups += 2;
			break;
		}
		if (j == i || j - i > 4)
			return 0;
		for (k = i; k < j; k++)
		{
			if (!IsHex(s[k]))
				return 0;
		}
		groups++;
		if (j == n)
			break;
		if (j + 1 < n && s[j + 1] == ':')
		{
			if (compressed)
				return 0;
			compressed = 1;
			i = j + 2;
		}
		else
		{
			i = j + 1;
			if (i == n)
				return 0;		/* trailing single colon */
		}
	}
	return compressed ? groups <= 7 : groups == 8;
}

/* Address literal "[IPv4]" or "[IPv6:...]"; *is_v6 tells which. */
static int
ValidLiteral(const unsigned char *d, size_t n, int *is_v6)
{
	static const char tag[] = "ipv6:";
	size_t		k;

	*is_v6 = 0;
	if (n < 2 || d[0] != '[' || d[n - 1] != ']')
		return 0;
	d++;
	n -= 2;
	if (n >= 5)
	{
		for (k = 0; k < 5 && AsciiLower(d[k]) == (unsigned char) tag[k]; k++)
			;
		if (k == 5)
		{
			*is_v6 = 1;
			return ValidIpv6(d + 5, n - 5);
		}
	}
	return ValidIpv4(d, n);
}

/* Check a local part (quoted string or dot-atom) of 1-64 octets. */
static EmailError
CheckLocal(const unsigned char *s, size_t n)
{
	size_t		i;

	if (n == 0)
		return EMAIL_LOCAL_EMPTY;
	if (n > EMAIL_MAX_LOCAL)
		return EMAIL_LOCAL_TOO_LONG;
	if (s[0] == '"')
	{
		/* the caller found the closing quote, so the loop ends on it */
		for (i = 1; i < n; i++)
		{
			unsigned char c = s[i];

			if (c == '"')
				return i == n - 1 ? EMAIL_OK : EMAIL_LOCAL_BAD_CHAR;
			if (c == '\\')
			{
				if (s[i + 1] < 0x20 || s[i + 1] > 0x7E)
					return EMAIL_LOCAL_BAD_CHAR;
				i++;
			}
			else if (c < 0x20 || c == 0x7F)
				return EMAIL_LOCAL_BAD_CHAR;
		}
		return EMAIL_LOCAL_BAD_QUOTE;	/* not reached: caller checked */
	}
	for (i = 0; i < n; i++)
	{
		unsigned char c = s[i];

		if (c == '.')
		{
			if (i == 0 || i == n - 1 || s[i - 1] == '.')
				return EMAIL_LOCAL_BAD_DOT;
		}
		else if (c < 0x80 && !IsAtext(c))
			return EMAIL_LOCAL_BAD_CHAR;
	}
	return EMAIL_OK;
}

/* Check a domain: LDH/UTF-8 labels or an address literal, <= 255 octets. */
static EmailError
CheckDomain(const unsigned char *s, size_t n, int *is_v6)
{
	size_t		i;
	size_t		start = 0;
	int			labels = 0;
	int			all_digits = 1;

	*is_v6 = 0;
	if (n == 0)
		return EMAIL_DOMAIN_EMPTY;
	if (n > EMAIL_MAX_DOMAIN)
		return EMAIL_DOMAIN_TOO_LONG;
	if (s[0] == '[')
		return ValidLiteral(s, n, is_v6) ? EMAIL_OK : EMAIL_BAD_LITERAL;
	for (i = 0; i <= n; i++)
	{
		unsigned char c = i < n ? s[i] : '.';

		if (c == '.')
		{
			size_t		len = i - start;

			if (len == 0)
				return EMAIL_DOMAIN_BAD_DOT;
			if (len > 63)
				return EMAIL_DOMAIN_LABEL_TOO_LONG;
			if (s[start] == '-' || s[i - 1] == '-')
				return EMAIL_DOMAIN_BAD_HYPHEN;
			labels++;
			if (i < n)
				all_digits = 1; /* only the last label's value matters */
			start = i + 1;
		}
		else if (c < 0x80 && !IsAlnum(c) && c != '-')
			return EMAIL_DOMAIN_BAD_CHAR;
		else if (!(c >= '0' && c <= '9'))
			all_digits = 0;
	}
	if (labels < 2)
		return EMAIL_DOMAIN_SINGLE_LABEL;
	if (all_digits)
		return EMAIL_DOMAIN_NUMERIC_TLD;
	return EMAIL_OK;
}

/* Shrink [*start, *end) past ASCII whitespace on both sides. */
static void
Trim(const unsigned char *s, size_t *start, size_t *end)
{
	while (*start < *end && IsTrimSpace(s[*start]))
		(*start)++;
	while (*end > *start && IsTrimSpace(s[*end - 1]))
		(*end)--;
}

/* Validate and normalise an address; see email.h for the contract. */
EmailError
email_normalize(const char *in, size_t len, char *out, size_t outcap,
				size_t *outlen)
{
	const unsigned char *s = (const unsigned char *) in;
	size_t		start = 0,
				end = len,
				n,
				i,
				scan_from = 0,
				at = 0,
				nat = 0;
	int			is_v6 = 0;
	EmailError	err;

	if (outlen != NULL)
		*outlen = 0;
	if (out == NULL || (in == NULL && len > 0))
		return EMAIL_BAD_ARGUMENT;
	if (outcap > 0)
		out[0] = '\0';
	Trim(s, &start, &end);
	s += start;
	n = end - start;
	if (n == 0)
		return EMAIL_EMPTY;
	if (!Utf8Valid(s, n))
		return EMAIL_BAD_UTF8;

	/* a leading quote opens a quoted local part; find where it closes */
	if (s[0] == '"')
	{
		for (i = 1; i < n && s[i] != '"'; i++)
		{
			if (s[i] == '\\')
				i++;
		}
		if (i >= n)
			return EMAIL_LOCAL_BAD_QUOTE;
		scan_from = i + 1;
	}
	/* outside the quotes: no whitespace, exactly one "@" */
	for (i = scan_from; i < n; i++)
	{
		if (IsTrimSpace(s[i]))
			return EMAIL_INNER_WHITESPACE;
		if (s[i] == '@' && nat++ == 0)
			at = i;
	}
	if (nat == 0)
		return EMAIL_NO_AT;
	if (nat > 1)
		return EMAIL_MULTIPLE_AT;

	if ((err = CheckLocal(s, at)) != EMAIL_OK)
		return err;
	if ((err = CheckDomain(s + at + 1, n - at - 1, &is_v6)) != EMAIL_OK)
		return err;
	if (n > EMAIL_MAX_LENGTH)
		return EMAIL_TOO_LONG;
	if (outcap < n + 1)
		return EMAIL_BUFFER_TOO_SMALL;

	memcpy(out, s, at + 1);
	for (i = at + 1; i < n; i++)
		out[i] = (char) AsciiLower(s[i]);
	if (is_v6)
		memcpy(out + at + 2, "IPv6", 4);	/* canonical tag after "[" */
	out[n] = '\0';
	if (outlen != NULL)
		*outlen = n;
	return EMAIL_OK;
}

/* Uniqueness key: trimmed, ASCII lower-cased; must match enroll.email_key. */
size_t
email_key(const char *in, size_t len, char *out, size_t outcap)
{
	const unsigned char *s = (const unsigned char *) in;
	size_t		start = 0,
				end = len,
				i;

	if (in == NULL)
		end = 0;
	Trim(s, &start, &end);
	if (out != NULL && outcap > 0)
	{
		size_t		ncopy = end - start;

		if (ncopy > outcap - 1)
			ncopy = outcap - 1;
		for (i = 0; i < ncopy; i++)
			out[i] = (char) AsciiLower(s[start + i]);
		out[ncopy] = '\0';
	}
	return end - start;
}

/* Message for an error code, suitable for errdetail/errmsg text. */
const char *
email_strerror(EmailError error)
{
	switch (error)
	{
		case EMAIL_OK:
			return "no error";
		case EMAIL_EMPTY:
			return "the e-mail address is empty";
		case EMAIL_TOO_LONG:
			return "the e-mail address is longer than 254 octets";
		case EMAIL_BAD_UTF8:
			return "the e-mail address is not valid UTF-8";
		case EMAIL_INNER_WHITESPACE:
			return "the e-mail address contains whitespace";
		case EMAIL_NO_AT:
			return "the e-mail address has no \"@\" sign";
		case EMAIL_MULTIPLE_AT:
			return "the e-mail address has more than one \"@\" sign outside quotes";
		case EMAIL_LOCAL_EMPTY:
			return "the local part before \"@\" is empty";
		case EMAIL_LOCAL_TOO_LONG:
			return "the local part is longer than 64 octets";
		case EMAIL_LOCAL_BAD_CHAR:
			return "the local part contains a character that is not allowed";
		case EMAIL_LOCAL_BAD_DOT:
			return "the local part starts or ends with a dot or has two dots in a row";
		case EMAIL_LOCAL_BAD_QUOTE:
			return "the quoted local part is not closed";
		case EMAIL_DOMAIN_EMPTY:
			return "the domain after \"@\" is empty";
		case EMAIL_DOMAIN_TOO_LONG:
			return "the domain is longer than 255 octets";
		case EMAIL_DOMAIN_BAD_CHAR:
			return "the domain may contain only letters, digits, hyphens and dots";
		case EMAIL_DOMAIN_BAD_DOT:
			return "the domain starts or ends with a dot or has two dots in a row";
		case EMAIL_DOMAIN_LABEL_TOO_LONG:
			return "a domain label is longer than 63 octets";
		case EMAIL_DOMAIN_BAD_HYPHEN:
			return "a domain label starts or ends with a hyphen";
		case EMAIL_DOMAIN_SINGLE_LABEL:
			return "the domain must have at least two labels";
		case EMAIL_DOMAIN_NUMERIC_TLD:
			return "the last domain label must not be all digits";
		case EMAIL_BAD_LITERAL:
			return "the address literal is not a valid [IPv4] or [IPv6:...] address";
		case EMAIL_BUFFER_TOO_SMALL:
			return "the output buffer is too small";
		case EMAIL_BAD_ARGUMENT:
			return "invalid argument";
	}
	return "unknown error";
}

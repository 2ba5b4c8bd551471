/*-------------------------------------------------------------------------
 *
 * email.c
 *	  E-mail address normaliser, validator and uniqueness key (rule S1.5).
 *
 * See email.h for the accepted syntax and the canonical form.  Pure C99, no
 * PostgreSQL header, no allocation and no global state, so the fuzzer
 * links it alone.  Every check is a linear pass over the (trimmed) input;
 * the canonical form is built in a local buffer and copied out last.
 *
 *-------------------------------------------------------------------------
 */
#include "email.h"

#include <string.h>

/* A code point range [lo, hi] of a character class. */
typedef struct CodeRange
{
	unsigned long lo;
	unsigned long hi;
} CodeRange;

/*
 * Invisible characters refused anywhere (EMAIL_INVISIBLE_CHAR): the Unicode
 * Default_Ignorable_Code_Point set plus U+2028/U+2029 and U+FFF9-U+FFFB.
 * Sorted by lo.
 */
static const CodeRange invisible_ranges[] = {
	{0x00AD, 0x00AD},			/* soft hyphen */
	{0x034F, 0x034F},			/* combining grapheme joiner */
	{0x061C, 0x061C},			/* Arabic letter mark */
	{0x115F, 0x1160},			/* Hangul choseong/jungseong fillers */
	{0x17B4, 0x17B5},			/* Khmer inherent vowels */
	{0x180B, 0x180F},			/* Mongolian variation selectors, MVS */
	{0x200B, 0x200F},			/* zero-width space/joiners, LRM, RLM */
	{0x2028, 0x202E},			/* line/paragraph separators, bidi embedding */
	{0x2060, 0x206F},			/* word joiner, invisible operators, bidi */
	{0x3164, 0x3164},			/* Hangul filler */
	{0xFE00, 0xFE0F},			/* variation selectors */
	{0xFEFF, 0xFEFF},			/* zero-width no-break space (BOM) */
	{0xFFA0, 0xFFA0},			/* halfwidth Hangul filler */
	{0xFFF0, 0xFFFB},			/* unassigned, interlinear annotation */
	{0x1BCA0, 0x1BCA3},			/* shorthand format controls */
	{0x1D173, 0x1D17A},			/* musical symbol format controls */
	{0xE0000, 0xE0FFF}			/* tags, variation selectors supplement */
};

/* True if cp lies in one of the n sorted ranges. */
static int
InRanges(unsigned long cp, const CodeRange *ranges, size_t n)
{
	size_t		i;

	for (i = 0; i < n && ranges[i].lo <= cp; i++)
	{
		if (cp <= ranges[i].hi)
			return 1;
	}
	return 0;
}

/* True for the ASCII whitespace that enroll.email_key trims (as btrim). */
static int
IsAsciiSpace(unsigned long c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		c == '\f' || c == '\v';
}

/* True for whitespace trimmed by email_normalize: ASCII or Unicode spaces. */
static int
IsSpace(unsigned long cp)
{
	return IsAsciiSpace(cp) || cp == 0xA0 || cp == 0x1680 ||
		(cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
		cp == 0x3000;
}

/* True for C0 controls that are not whitespace, DEL and C1 controls. */
static int
IsControl(unsigned long cp)
{
	return (cp < 0x20 && !IsAsciiSpace(cp)) || (cp >= 0x7F && cp <= 0x9F);
}

/* True for zero-width, formatting and other invisible characters. */
static int
IsInvisible(unsigned long cp)
{
	return InRanges(cp, invisible_ranges,
					sizeof(invisible_ranges) / sizeof(invisible_ranges[0]));
}

/* True for the 66 Unicode noncharacters. */
static int
IsNoncharacter(unsigned long cp)
{
	return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
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

/*
 * Decode one UTF-8 sequence at s[0..n) strictly (Unicode table 3-7: no
 * overlongs, surrogates or code points above U+10FFFF).  Returns its length
 * and sets *cp, or returns 0 if s does not start with a valid sequence.
 */
static size_t
Utf8Decode(const unsigned char *s, size_t n, unsigned long *cp)
{
	unsigned char c,
				lo = 0x80,
				hi = 0xBF;
	unsigned long v;
	size_t		need,
				k;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80)
	{
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
	{
		need = 1;
		v = c & 0x1F;
	}
	else if (c >= 0xE0 && c <= 0xEF)
	{
		need = 2;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		need = 3;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	}
	else
		return 0;
	if (n - 1 < need)
		return 0;
	for (k = 1; k <= need; k++)
	{
		if (s[k] < lo || s[k] > hi)
			return 0;
		v = (v << 6) | (s[k] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return need + 1;
}

/* True if s[0..n) is entirely valid UTF-8. */
static int
Utf8Valid(const unsigned char *s, size_t n)
{
	size_t		i = 0;
	unsigned long cp = 0;

	while (i < n)
	{
		size_t		k = Utf8Decode(s + i, n - i, &cp);

		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* Octets of the whitespace character ending at s[end - 1] (> start), or 0. */
static size_t
SpaceBefore(const unsigned char *s, size_t start, size_t end)
{
	size_t		p = end - 1;
	unsigned long cp = 0;

	while (p > start && end - p < 4 && (s[p] & 0xC0) == 0x80)
		p--;
	if (Utf8Decode(s + p, end - p, &cp) == end - p && IsSpace(cp))
		return end - p;
	return 0;
}

/* Shrink [*start, *end) past whitespace characters on both sides. */
static void
Trim(const unsigned char *s, size_t *start, size_t *end)
{
	unsigned long cp = 0;
	size_t		k;

	while (*start < *end &&
		   (k = Utf8Decode(s + *start, *end - *start, &cp)) > 0 && IsSpace(cp))
		*start += k;
	while (*end > *start && (k = SpaceBefore(s, *start, *end)) > 0)
		*end -= k;
}

/*
 * Refuse control, invisible and noncharacter code points in valid UTF-8
 * s[0..n), in that order of precedence.
 */
static EmailError
CheckCharacters(const unsigned char *s, size_t n)
{
	int			control = 0,
				invisible = 0,
				nonchar = 0;
	size_t		i = 0;

	while (i < n)
	{
		unsigned long cp = 0;

		i += Utf8Decode(s + i, n - i, &cp);
		control |= IsControl(cp);
		invisible |= IsInvisible(cp);
		nonchar |= IsNoncharacter(cp);
	}
	if (control)
		return EMAIL_CONTROL_CHAR;
	if (invisible)
		return EMAIL_INVISIBLE_CHAR;
	if (nonchar)
		return EMAIL_NONCHARACTER;
	return EMAIL_OK;
}

/*
 * Find the single "@" of valid UTF-8 s[0..n) outside a leading quoted
 * string: checks quoting, then whitespace (none outside the quotes, only
 * U+0020 inside), then the "@" count.
 */
static EmailError
FindAt(const unsigned char *s, size_t n, size_t *at)
{
	size_t		close = 0,
				i,
				nat = 0;

	/* a leading quote opens a quoted local part; find where it closes */
	if (s[0] == '"')
	{
		for (close = 1; close < n && s[close] != '"'; close++)
		{
			if (s[close] == '\\')
				close++;
		}
		if (close >= n)
			return EMAIL_LOCAL_BAD_QUOTE;
	}
	for (i = 0; i < n;)
	{
		unsigned long cp = 0;
		size_t		k = Utf8Decode(s + i, n - i, &cp);
		int			quoted = s[0] == '"' && i > 0 && i < close;

		if (IsSpace(cp) && !(quoted && cp == ' '))
			return EMAIL_INNER_WHITESPACE;
		i += k;
	}
	for (i = (s[0] == '"') ? close + 1 : 0; i < n; i++)
	{
		if (s[i] == '@' && nat++ == 0)
			*at = i;
	}
	if (nat == 0)
		return EMAIL_NO_AT;
	if (nat > 1)
		return EMAIL_MULTIPLE_AT;
	return EMAIL_OK;
}

/* Strict dotted quad: four 0-255 numbers, no leading zeros, no extras. */
static int
ParseIpv4(const unsigned char *s, size_t n, unsigned long *addr)
{
	size_t		i = 0;
	int			part;

	*addr = 0;
	for (part = 0; part < 4; part++)
	{
		size_t		start = i;
		unsigned long value = 0;

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
		*addr = (*addr << 8) | value;
	}
	return i == n;
}

/* Value of an ASCII hex digit, or -1. */
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
 * RFC 5321 IPv6 literal body: 8 groups, or fewer with one "::"; an IPv4
 * tail counts as two groups.  On success sets the 8 groups of the address.
 */
static int
ParseIpv6(const unsigned char *s, size_t n, unsigned int groups[8])
{
	unsigned int vals[8];
	size_t		i = 0;
	int			count = 0,
				gap = -1,
				k;

	if (n >= 2 && s[0] == ':' && s[1] == ':')
	{
		gap = 0;
		i = 2;
	}
	else if (n == 0 || s[0] == ':')
		return 0;
	while (i < n)
	{
		size_t		j = i;
		int			dotted = 0;
		unsigned int value = 0;

		while (j < n && s[j] != ':')
			dotted |= (s[j++] == '.');
		if (dotted)
		{
			unsigned long v4;

			/* an IPv4 tail counts as two groups and must end the literal */
			if (j != n || count > 6 || !ParseIpv4(s + i, j - i, &v4))
				return 0;
			vals[count++] = (unsigned int) (v4 >> 16);
			vals[count++] = (unsigned int) (v4 & 0xFFFF);
			break;
		}
		if (j == i || j - i > 4 || count >= 8)
			return 0;
		for (; i < j; i++)
		{
			if (HexValue(s[i]) < 0)
				return 0;
			value = value * 16 + (unsigned int) HexValue(s[i]);
		}
		vals[count++] = value;
		if (j == n)
			break;
		if (j + 1 < n && s[j + 1] == ':')
		{
			if (gap >= 0)
				return 0;
			gap = count;
			i = j + 2;
		}
		else
		{
			i = j + 1;
			if (i == n)
				return 0;		/* trailing single colon */
		}
	}
	if (gap >= 0 ? count > 7 : count != 8)
		return 0;
	/* expand "::" into the missing zero groups */
	for (k = 0; k < 8; k++)
		groups[k] = 0;
	if (gap < 0)
		gap = count;
	for (k = 0; k < gap; k++)
		groups[k] = vals[k];
	for (k = gap; k < count; k++)
		groups[8 - count + k] = vals[k];
	return 1;
}

/* Address literal "[IPv4]" or "[IPv6:...]"; *is_v6 tells which. */
static int
ValidLiteral(const unsigned char *d, size_t n, int *is_v6,
			 unsigned int groups[8])
{
	static const char tag[] = "ipv6:";
	unsigned long v4;
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
			return ParseIpv6(d + 5, n - 5, groups);
		}
	}
	return ParseIpv4(d, n, &v4);
}

/* True if s[0..n) is a dot-atom: atext or non-ASCII, dots only inside. */
static int
IsDotAtom(const unsigned char *s, size_t n)
{
	size_t		i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
	{
		if (s[i] == '.')
		{
			if (i == 0 || i == n - 1 || s[i - 1] == '.')
				return 0;
		}
		else if (s[i] < 0x80 && !IsAtext(s[i]))
			return 0;
	}
	return 1;
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
		/* FindAt found the closing quote, so the loop ends on it */
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
				return EMAIL_LOCAL_BAD_CHAR;	/* not reached: refused earlier */
		}
		return EMAIL_LOCAL_BAD_QUOTE;	/* not reached: FindAt checked */
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
CheckDomain(const unsigned char *s, size_t n, int *is_v6,
			unsigned int groups[8])
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
		return ValidLiteral(s, n, is_v6, groups) ? EMAIL_OK : EMAIL_BAD_LITERAL;
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

/*
 * Write the canonical local part of checked s[0..n) to out; returns its
 * length (never more than n).  A quoted string is unquoted, then written
 * bare if it is a dot-atom, else quoted with only '"' and '\' escaped.
 */
static size_t
WriteLocal(const unsigned char *s, size_t n, char *out)
{
	unsigned char content[EMAIL_MAX_LOCAL];
	size_t		m = 0,
				p = 0,
				i;

	if (s[0] != '"')
	{
		memcpy(out, s, n);
		return n;
	}
	for (i = 1; i < n - 1; i++)
	{
		if (s[i] == '\\')
			i++;
		content[m++] = s[i];
	}
	if (IsDotAtom(content, m))
	{
		memcpy(out, content, m);
		return m;
	}
	out[p++] = '"';
	for (i = 0; i < m; i++)
	{
		if (content[i] == '"' || content[i] == '\\')
			out[p++] = '\\';
		out[p++] = (char) content[i];
	}
	out[p++] = '"';
	return p;
}

/* Write value as lower-case hex without leading zeros; returns the length. */
static size_t
WriteHex(unsigned int value, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t		p = 0;
	int			shift;

	for (shift = 12; shift > 0 && (value >> shift) == 0; shift -= 4)
		;
	for (; shift >= 0; shift -= 4)
		out[p++] = digits[(value >> shift) & 0xF];
	return p;
}

/* Write 0-255 in decimal; returns the length. */
static size_t
WriteDecimal(unsigned int value, char *out)
{
	size_t		p = 0;

	if (value >= 100)
		out[p++] = (char) ('0' + value / 100);
	if (value >= 10)
		out[p++] = (char) ('0' + value / 10 % 10);
	out[p++] = (char) ('0' + value % 10);
	return p;
}

/*
 * Write the RFC 5952 text form of an IPv6 address (at most 39 octets):
 * ::ffff:a.b.c.d for an IPv4-mapped address, else hex groups with the
 * first longest run of two or more zero groups written "::".
 */
static size_t
WriteIpv6(const unsigned int g[8], char *out)
{
	size_t		p = 0;
	int			best = -1,
				bestlen = 0,
				i;

	if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 &&
		g[5] == 0xFFFF)
	{
		memcpy(out, "::ffff:", 7);
		p = 7;
		for (i = 0; i < 4; i++)
		{
			if (i > 0)
				out[p++] = '.';
			p += WriteDecimal((g[6 + i / 2] >> (i % 2 ? 0 : 8)) & 0xFF, out + p);
		}
		return p;
	}
	for (i = 0; i < 8; i++)
	{
		int			run = 0;

		while (i + run < 8 && g[i + run] == 0)
			run++;
		if (run >= 2 && run > bestlen)
		{
			best = i;
			bestlen = run;
		}
	}
	for (i = 0; i < 8; i++)
	{
		if (i == best)
		{
			out[p++] = ':';
			out[p++] = ':';
			i += bestlen - 1;
			continue;
		}
		if (i > 0 && i != best + bestlen)
			out[p++] = ':';
		p += WriteHex(g[i], out + p);
	}
	return p;
}

/*
 * Write the canonical domain of checked s[0..n) to out; returns its length
 * (at most n, or 46 for an IPv6 literal).
 */
static size_t
WriteDomain(const unsigned char *s, size_t n, int is_v6,
			const unsigned int groups[8], char *out)
{
	size_t		p,
				i;

	if (is_v6)
	{
		memcpy(out, "[IPv6:", 6);
		p = 6 + WriteIpv6(groups, out + 6);
		out[p++] = ']';
		return p;
	}
	for (i = 0; i < n; i++)
		out[i] = (char) AsciiLower(s[i]);
	return n;
}

/* Bounds of the text email_normalize keeps; see email.h. */
size_t
email_trim(const char *in, size_t len, size_t *start)
{
	size_t		end = len;

	*start = 0;
	if (in == NULL)
		return 0;
	Trim((const unsigned char *) in, start, &end);
	return end - *start;
}

/* Validate and normalise an address; see email.h for the contract. */
EmailError
email_normalize(const char *in, size_t len, char *out, size_t outcap,
				size_t *outlen)
{
	const unsigned char *s;
	char		buf[EMAIL_MAX_LOCAL + 1 + EMAIL_MAX_DOMAIN + 1];
	size_t		start,
				n,
				at = 0,
				p;
	unsigned int groups[8];
	int			is_v6 = 0;
	EmailError	err;

	if (outlen != NULL)
		*outlen = 0;
	if (out == NULL || (in == NULL && len > 0))
		return EMAIL_BAD_ARGUMENT;
	if (outcap > 0)
		out[0] = '\0';
	n = email_trim(in, len, &start);
	if (n == 0)
		return EMAIL_EMPTY;
	s = (const unsigned char *) in + start;
	if (!Utf8Valid(s, n))
		return EMAIL_BAD_UTF8;
	if ((err = CheckCharacters(s, n)) != EMAIL_OK)
		return err;
	if ((err = FindAt(s, n, &at)) != EMAIL_OK)
		return err;
	if ((err = CheckLocal(s, at)) != EMAIL_OK)
		return err;
	if ((err = CheckDomain(s + at + 1, n - at - 1, &is_v6, groups)) != EMAIL_OK)
		return err;
	if (n > EMAIL_MAX_LENGTH)
		return EMAIL_TOO_LONG;

	/* local part <= 64 and domain <= 255 (an IPv6 literal <= 46) fit buf */
	p = WriteLocal(s, at, buf);
	buf[p++] = '@';
	p += WriteDomain(s + at + 1, n - at - 1, is_v6, groups, buf + p);
	if (p > EMAIL_MAX_LENGTH)
		return EMAIL_TOO_LONG;	/* not reached: the form never grows past */
	if (outcap < p + 1)
		return EMAIL_BUFFER_TOO_SMALL;
	memcpy(out, buf, p);
	out[p] = '\0';
	if (outlen != NULL)
		*outlen = p;
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
	while (start < end && IsAsciiSpace(s[start]))
		start++;
	while (end > start && IsAsciiSpace(s[end - 1]))
		end--;
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
		case EMAIL_CONTROL_CHAR:
			return "the e-mail address contains a control character";
		case EMAIL_INVISIBLE_CHAR:
			return "the e-mail address contains an invisible or formatting character (such as a zero-width space)";
		case EMAIL_NONCHARACTER:
			return "the e-mail address contains a Unicode noncharacter";
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

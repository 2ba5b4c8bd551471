/*-------------------------------------------------------------------------
 *
 * email.h
 *	  E-mail address normaliser, validator and uniqueness key (rule S1.5).
 *
 * The e-mail address identifies a person (S1.5): a known address means the
 * existing user is enrolled and no account is created.  email_normalize()
 * decides whether an address is acceptable and gives its canonical form,
 * one spelling per mailbox; email_key() of that canonical form is the key
 * two addresses are compared on.
 *
 * Pure C99: no PostgreSQL header, no allocation, no global state.  Unicode
 * normalisation (NFC) needs tables and is not done here: PostgreSQL callers
 * go through EnrollCanonicalEmail() (email_glue.c), which applies NFC and
 * then this function.
 *
 * Characters (code points of the UTF-8 input):
 * - Whitespace is ASCII space, \t, \n, \v, \f, \r and the Unicode spaces
 *	 U+00A0, U+1680, U+2000-U+200A, U+202F, U+205F, U+3000.  It is trimmed
 *	 from both ends; any left outside a quoted local part is
 *	 EMAIL_INNER_WHITESPACE, and so is any inside one except U+0020.
 * - If any byte is >= 0x80 the trimmed input must be valid UTF-8 (no
 *	 overlongs, surrogates or code points above U+10FFFF), else
 *	 EMAIL_BAD_UTF8.  Only valid sequences are trimmed, so this holds
 *	 exactly when the input without its outer ASCII whitespace is valid.
 * - EMAIL_CONTROL_CHAR anywhere: C0 controls other than the whitespace
 *	 above (U+0000-U+0008, U+000E-U+001F), DEL, C1 controls U+0080-U+009F.
 * - EMAIL_INVISIBLE_CHAR anywhere: U+00AD, U+034F, U+061C, U+115F, U+1160,
 *	 U+17B4, U+17B5, U+180B-U+180F, U+200B-U+200F, U+2028-U+202E,
 *	 U+2060-U+206F, U+3164, U+FE00-U+FE0F, U+FEFF, U+FFA0, U+FFF0-U+FFFB,
 *	 U+1BCA0-U+1BCA3, U+1D173-U+1D17A, U+E0000-U+E0FFF (the Unicode
 *	 default-ignorable code points, plus the line/paragraph separators and
 *	 interlinear annotation characters).
 * - EMAIL_NONCHARACTER anywhere: U+FDD0-U+FDEF and U+xxFFFE, U+xxFFFF.
 *
 * Accepted syntax (RFC 5321/5322 addr-spec, no comments, no folding
 * whitespace, plus UTF-8 per RFC 6531/6532):
 * - local-part: a dot-atom (RFC 5322 atext or non-ASCII UTF-8, dots not
 *	 leading, trailing or doubled) or a quoted string (RFC 5321 qtextSMTP:
 *	 printable ASCII and space except '"' and '\', or non-ASCII UTF-8; a '\'
 *	 quotes one printable ASCII character or space).  The empty quoted
 *	 string ""@example.com is valid (RFC 5321).  The obsolete mixed forms
 *	 ("a".b) are rejected.
 * - domain: at least two dot-separated labels of 1-63 octets made of ASCII
 *	 letters, digits, hyphens or non-ASCII UTF-8, not starting or ending with
 *	 a hyphen, the last label not all digits, no trailing root dot; or an
 *	 address literal "[a.b.c.d]" (four decimal numbers 0-255 without leading
 *	 zeros) or "[IPv6:...]" (RFC 5321 hex/colon syntax, 1-4 hex digits a
 *	 group, at most one "::" standing for one or more zero groups,
 *	 optionally ending in a dotted quad; the tag is matched
 *	 case-insensitively).  UTF-8 labels are length-checked in octets, not as
 *	 their punycode form, and are not checked against IDNA rules.
 * - Limits, on the trimmed input as spelt: local-part <= 64 octets, domain
 *	 <= 255, whole address <= 254.  The canonical form obeys them too.
 *
 * Canonical form (the output):
 * - trimmed;
 * - local part: a dot-atom is kept as is (case preserved).  A quoted
 *	 string is unquoted (each "\x" pair becomes x); if that content is a
 *	 valid dot-atom it is written bare ("alice", "al\ice" -> alice),
 *	 otherwise it is written between quotes with only '"' and '\' escaped
 *	 ("a\ b" -> "a b");
 * - domain: ASCII letters lower-cased (non-ASCII bytes untouched); an IPv4
 *	 literal unchanged; an IPv6 literal written "[IPv6:" + the RFC 5952 text
 *	 form + "]": lower-case hex without leading zeros, the longest run of
 *	 two or more zero groups (the first of equal runs) written "::", a
 *	 dotted-quad tail written as two hex groups, except that an
 *	 IPv4-mapped address is always written ::ffff:a.b.c.d.
 * The canonical form is a fixed point: normalising it again yields itself.
 *
 * Checks run in this order and the first failure is reported: empty, UTF-8,
 * control character, invisible character, noncharacter, quoting,
 * whitespace, "@" count, local part, domain, total length, output buffer
 * size.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EMAIL_H
#define EMAIL_H

#include <stddef.h>

#define EMAIL_MAX_LOCAL		64	/* octets in the local part */
#define EMAIL_MAX_DOMAIN	255 /* octets in the domain */
#define EMAIL_MAX_LENGTH	254 /* octets in the whole address */
/* An output buffer this large always suffices for email_normalize(). */
#define EMAIL_BUFSIZE		(EMAIL_MAX_LENGTH + 1)

/* Why an address was rejected; EMAIL_OK (0) means accepted. */
typedef enum EmailError
{
	EMAIL_OK = 0,
	EMAIL_EMPTY,				/* nothing left after trimming */
	EMAIL_TOO_LONG,				/* whole address over 254 octets */
	EMAIL_BAD_UTF8,				/* non-ASCII bytes that are not UTF-8 */
	EMAIL_CONTROL_CHAR,			/* C0 (not whitespace), DEL or C1 control */
	EMAIL_INVISIBLE_CHAR,		/* zero-width, bidi, tag, variation selector */
	EMAIL_NONCHARACTER,			/* U+FDD0-U+FDEF, U+xxFFFE, U+xxFFFF */
	EMAIL_INNER_WHITESPACE,		/* whitespace outside a quoted local part, or
								 * other than a space inside one */
	EMAIL_NO_AT,				/* no "@" outside quotes */
	EMAIL_MULTIPLE_AT,			/* more than one "@" outside quotes */
	EMAIL_LOCAL_EMPTY,			/* nothing before "@" */
	EMAIL_LOCAL_TOO_LONG,		/* local part over 64 octets */
	EMAIL_LOCAL_BAD_CHAR,		/* character not allowed in the local part */
	EMAIL_LOCAL_BAD_DOT,		/* leading, trailing or doubled dot */
	EMAIL_LOCAL_BAD_QUOTE,		/* quoted local part never closed */
	EMAIL_DOMAIN_EMPTY,			/* nothing after "@" */
	EMAIL_DOMAIN_TOO_LONG,		/* domain over 255 octets */
	EMAIL_DOMAIN_BAD_CHAR,		/* not a letter, digit, hyphen or dot */
	EMAIL_DOMAIN_BAD_DOT,		/* empty label: leading, trailing, doubled dot */
	EMAIL_DOMAIN_LABEL_TOO_LONG,	/* a label over 63 octets */
	EMAIL_DOMAIN_BAD_HYPHEN,	/* a label starts or ends with "-" */
	EMAIL_DOMAIN_SINGLE_LABEL,	/* "user@localhost" */
	EMAIL_DOMAIN_NUMERIC_TLD,	/* "user@1.2.3.4": use "[1.2.3.4]" */
	EMAIL_BAD_LITERAL,			/* "[...]" is not a valid IPv4/IPv6 literal */
	EMAIL_BUFFER_TOO_SMALL,		/* outcap too small for the result */
	EMAIL_BAD_ARGUMENT			/* NULL pointer passed by the caller (last) */
} EmailError;

/*
 * Validate in[0..len) (need not be NUL-terminated) and write its canonical
 * form (see above) to out.  out is NUL-terminated; *outlen (if outlen is
 * not NULL) gets its length.  On error out is "" (when outcap > 0) and
 * *outlen is 0.  out must hold at least the result length + 1;
 * EMAIL_BUFSIZE always does.  The result is a fixed point: normalising it
 * again yields itself.
 */
extern EmailError email_normalize(const char *in, size_t len,
								  char *out, size_t outcap, size_t *outlen);

/*
 * The part of in[0..len) that email_normalize() keeps after trimming
 * whitespace (the ASCII and Unicode set above): sets *start to its first
 * octet and returns its length (0 when nothing is left; in may then be
 * NULL).  Only complete, valid UTF-8 sequences are trimmed.  For callers
 * that transform the address before normalising it (NFC).
 */
extern size_t email_trim(const char *in, size_t len, size_t *start);

/*
 * Write the uniqueness key of in[0..len) to out: the address trimmed of
 * leading/trailing ASCII whitespace with ASCII letters lower-cased, nothing
 * else changed and nothing validated.  Works like snprintf: writes at most
 * outcap - 1 bytes plus a NUL (nothing when outcap is 0, then out may be
 * NULL) and returns the full key length; a result >= outcap means the key
 * was truncated.
 *
 * Compare keys of canonical forms only: two spellings of one mailbox
 * ("alice"@x.org, alice@x.org) have different raw keys but one canonical
 * form.  Lower-casing does not change the verdict of email_normalize(), and
 * email_key(normalize(x)) == email_key(normalize(email_key(x))).
 *
 * KEEP IN SYNC with the SQL function enroll.email_key, which must compute
 *	 lower(pg_catalog.btrim(x COLLATE "C", E' \t\r\n\f\x0b'))
 * (lower() under collation "C" folds ASCII letters only, like this code).
 * Note: PostgreSQL has no "\v" escape: E'\v' is the letter "v", so write
 * vertical tab as \x0b or chr(11).
 */
extern size_t email_key(const char *in, size_t len, char *out, size_t outcap);

/* Lower-case English message for an error code, without final period. */
extern const char *email_strerror(EmailError error);

#endif							/* EMAIL_H */

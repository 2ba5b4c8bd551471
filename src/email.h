/*-------------------------------------------------------------------------
 *
 * email.h
 *	  E-mail address normaliser, validator and uniqueness key (rule S1.5).
 *
 * The e-mail address identifies a person (S1.5): a known address means the
 * existing user is enrolled and no account is created.  email_normalize()
 * decides whether an address is acceptable and gives its stored form;
 * email_key() gives the key two addresses are compared on.
 *
 * Pure C99: no PostgreSQL header, no allocation, no global state.
 *
 * Accepted syntax (RFC 5321/5322 addr-spec, no comments, no folding
 * whitespace, plus UTF-8 per RFC 6531/6532):
 * - Leading and trailing ASCII whitespace (space, \t, \n, \r, \f, \v) is
 *	 trimmed; any ASCII whitespace left outside a quoted local part is
 *	 EMAIL_INNER_WHITESPACE.
 * - If any byte is >= 0x80 the whole input must be valid UTF-8 (no
 *	 overlongs, surrogates or code points above U+10FFFF).
 * - local-part: a dot-atom (RFC 5322 atext or non-ASCII UTF-8, dots not
 *	 leading, trailing or doubled) or a quoted string (RFC 5321 qtextSMTP:
 *	 printable ASCII and space except '"' and '\', or non-ASCII UTF-8; a '\'
 *	 quotes one printable ASCII character or space; no tab, CR or LF).  The
 *	 empty quoted string ""@example.com is valid (RFC 5321).  The obsolete
 *	 mixed forms ("a".b) are rejected.
 * - domain: at least two dot-separated labels of 1-63 octets made of ASCII
 *	 letters, digits, hyphens or non-ASCII UTF-8, not starting or ending with
 *	 a hyphen, the last label not all digits, no trailing root dot; or an
 *	 address literal "[a.b.c.d]" (four decimal numbers 0-255 without leading
 *	 zeros) or "[IPv6:...]" (RFC 5321 hex/colon syntax, at most one "::",
 *	 optionally ending in a dotted quad; the tag is matched
 *	 case-insensitively).  UTF-8 labels are length-checked in octets, not as
 *	 their punycode form, and are not checked against IDNA rules.
 * - Limits: local-part <= 64 octets, domain <= 255, whole address (after
 *	 trimming) <= 254.
 *
 * Checks run in this order and the first failure is reported: empty, UTF-8,
 * quoting, whitespace, "@" count, local part, domain, total length, output
 * buffer size.
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
	EMAIL_INNER_WHITESPACE,		/* whitespace outside a quoted local part */
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
	EMAIL_BAD_ARGUMENT			/* NULL pointer passed by the caller */
} EmailError;

/*
 * Validate in[0..len) (need not be NUL-terminated) and write its normal
 * form to out: trimmed, local part unchanged (case preserved), domain with
 * ASCII letters lower-cased (non-ASCII bytes untouched; an IPv6 literal's
 * tag written "IPv6:").  out is NUL-terminated; *outlen (if outlen is not
 * NULL) gets its length.  On error out is "" (when outcap > 0) and *outlen
 * is 0.  out must hold at least the result length + 1; EMAIL_BUFSIZE always
 * does.  The result is a fixed point: normalising it again yields itself.
 */
extern EmailError email_normalize(const char *in, size_t len,
								  char *out, size_t outcap, size_t *outlen);

/*
 * Write the uniqueness key of in[0..len) to out: the address trimmed of
 * leading/trailing ASCII whitespace with ASCII letters lower-cased, nothing
 * else changed and nothing validated.  Works like snprintf: writes at most
 * outcap - 1 bytes plus a NUL (nothing when outcap is 0, then out may be
 * NULL) and returns the full key length; a result >= outcap means the key
 * was truncated.  email_key(normalised form) == email_key(raw input).
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

/*-------------------------------------------------------------------------
 * email_glue.c
 *	  SQL face of the pure C e-mail normalizer (email.c): one validation of
 *	  addresses for every path that stores one (S1.5), so that
 *	  register_account and setup_course_session accept and refuse the same
 *	  addresses and store them in the same form.
 *
 * Every PostgreSQL-side caller goes through one function (its prototype
 * belongs in pg_enroll.h under "in email_glue.c"):
 *
 *	 EmailError EnrollCanonicalEmail(const char *in, size_t len, char *out,
 *									 size_t outcap, size_t *outlen);
 *
 *	 The canonical form of the address in[0..len): Unicode NFC (PostgreSQL's
 *	 tables), then email_normalize() (see email.h for the rules), so that
 *	 every spelling of one mailbox - NFC or NFD, quoted or not, any IPv6
 *	 spelling - gives the same form, and email_key() of that form is the
 *	 uniqueness key.  Same contract as email_normalize(): out gets the form
 *	 NUL-terminated, *outlen its length; on error out is "" and the code
 *	 says why (email_strerror).  EMAIL_BUFSIZE always suffices.  Raises
 *	 0A000 unless the database encoding is UTF8.  Memory: palloc'd scratch
 *	 in the current context, freed before returning.
 *
 * NFC is applied to the trimmed input when it has non-ASCII bytes and is
 * valid UTF-8 (invalid UTF-8 is left for email_normalize to refuse); the
 * result is normalised, and NFC is applied once more when lower-casing the
 * domain's ASCII letters made a composable pair ("W" + U+030A -> "w" +
 * U+030A -> U+1E98), so the output is NFC and a fixed point.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/unicode_norm.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "email.h"
#include "pg_enroll.h"

/*
 * Longest trimmed input given to NFC.  NFC shrinks UTF-8 about threefold at
 * most (Hangul jamo, a base with marks); with this margin nothing longer can
 * become an acceptable address of <= 254 octets, and email_normalize
 * refuses it as it stands.  The bound also keeps NFC's quadratic canonical
 * reordering of long runs of combining marks cheap.
 */
#define EMAIL_NFC_MAX_INPUT (8 * EMAIL_BUFSIZE)

/*
 * A copy of a user-supplied value short enough to quote in a message:
 * at most 64 characters, cut at a character boundary, with "..." appended
 * when cut.
 */
char *
EnrollQuotable(const char *value)
{
	int			len = strlen(value);
	int			cut;

	if (len <= 64)
		return pstrdup(value);
	cut = pg_mbcliplen(value, len, 64);
	return psprintf("%.*s...", cut, value);
}

/* Refuse to judge addresses unless text is UTF-8 (the rules are Unicode's). */
static void
RequireUtf8Database(void)
{
	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("e-mail addresses can only be validated in a UTF8 database")));
}

/* True if s[0..n) has a byte >= 0x80. */
static bool
HasNonAscii(const char *s, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		if (IS_HIGHBIT_SET(s[i]))
			return true;
	}
	return false;
}

/* True if NFC may change s[0..n) and is worth applying (see above). */
static bool
NeedsNfc(const char *s, size_t n)
{
	return n <= EMAIL_NFC_MAX_INPUT && HasNonAscii(s, n) &&
		pg_encoding_verifymbstr(PG_UTF8, s, (int) n) == (int) n;
}

/*
 * NFC of valid UTF-8 s[0..n) (no NUL byte), palloc'd and NUL-terminated;
 * *outlen gets its length in octets, which may differ from n.
 */
static char *
Utf8Nfc(const char *s, size_t n, size_t *outlen)
{
	pg_wchar   *wide = palloc((n + 1) * sizeof(pg_wchar));
	pg_wchar   *nfc;
	char	   *result;
	int			nchars;

	nchars = pg_encoding_mb2wchar_with_len(PG_UTF8, s, wide, (int) n);
	wide[nchars] = 0;
	nfc = unicode_normalize(UNICODE_NFC, wide);
	for (nchars = 0; nfc[nchars] != 0; nchars++)
		;
	result = palloc((size_t) nchars * MAX_MULTIBYTE_CHAR_LEN + 1);
	*outlen = pg_encoding_wchar2mb_with_len(PG_UTF8, nfc, result, nchars);
	result[*outlen] = '\0';
	pfree(nfc);
	pfree(wide);
	return result;
}

/* Normalise NFC(s[0..n)) into buf (EMAIL_BUFSIZE octets); see above. */
static EmailError
NormalizeNfc(const char *s, size_t n, char *buf, size_t *buflen)
{
	char	   *nfc = Utf8Nfc(s, n, buflen);
	EmailError	err;
	size_t		nfclen;

	err = email_normalize(nfc, *buflen, buf, EMAIL_BUFSIZE, buflen);
	pfree(nfc);
	if (err != EMAIL_OK || !HasNonAscii(buf, *buflen))
		return err;
	/* lower-casing the domain may have made a composable pair */
	nfc = Utf8Nfc(buf, *buflen, &nfclen);
	if (nfclen != *buflen || memcmp(nfc, buf, nfclen) != 0)
		err = email_normalize(nfc, nfclen, buf, EMAIL_BUFSIZE, buflen);
	pfree(nfc);
	return err;
}

/* Canonical form of an address: NFC, then email_normalize; see above. */
EmailError
EnrollCanonicalEmail(const char *in, size_t len, char *out, size_t outcap,
					 size_t *outlen)
{
	char		buf[EMAIL_BUFSIZE];
	size_t		start,
				n,
				buflen = 0;
	EmailError	err;

	RequireUtf8Database();
	if (in == NULL || out == NULL)
		return email_normalize(in, len, out, outcap, outlen);
	n = email_trim(in, len, &start);
	if (!NeedsNfc(in + start, n))
		return email_normalize(in, len, out, outcap, outlen);

	err = NormalizeNfc(in + start, n, buf, &buflen);
	if (err == EMAIL_OK && outcap < buflen + 1)
		err = EMAIL_BUFFER_TOO_SMALL;
	if (err != EMAIL_OK)
	{
		buflen = 0;
		buf[0] = '\0';
	}
	if (outcap > 0)
		memcpy(out, buf, buflen + 1);
	if (outlen != NULL)
		*outlen = buflen;
	return err;
}

PG_FUNCTION_INFO_V1(normalize_email);
/*
 * enroll.normalize_email(text) -> text: the canonical form of an address
 * (EnrollCanonicalEmail), or 22023 naming what is wrong with it.
 */
Datum
normalize_email(PG_FUNCTION_ARGS)
{
	text	   *in = PG_GETARG_TEXT_PP(0);
	char		out[EMAIL_BUFSIZE];
	size_t		outlen;
	EmailError	err;

	err = EnrollCanonicalEmail(VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in),
							   out, sizeof(out), &outlen);
	if (err != EMAIL_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid e-mail address \"%s\": %s",
						EnrollQuotable(text_to_cstring(in)), email_strerror(err)),
				 errhint("An address is local-part@domain, at most 254 octets, with a domain of at least two labels (RFC 5321/5322).")));
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out, outlen));
}

PG_FUNCTION_INFO_V1(email_canonical_key);
/*
 * enroll.email_canonical_key(text) -> text: email_key of the canonical form,
 * so twin spellings of one mailbox get one key; NULL, never an error, for
 * an invalid address (for checks over already stored addresses).
 */
Datum
email_canonical_key(PG_FUNCTION_ARGS)
{
	text	   *in = PG_GETARG_TEXT_PP(0);
	char		out[EMAIL_BUFSIZE];
	char		key[EMAIL_BUFSIZE];
	size_t		outlen,
				keylen;

	if (EnrollCanonicalEmail(VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in),
							 out, sizeof(out), &outlen) != EMAIL_OK)
		PG_RETURN_NULL();
	keylen = email_key(out, outlen, key, sizeof(key));
	Assert(keylen == outlen);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(key, keylen));
}

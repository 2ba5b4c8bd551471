/*-------------------------------------------------------------------------
 * email_glue.c
 *	  SQL face of the pure C e-mail normalizer (email.c): one validation of
 *	  addresses for every path that stores one (S1.5), so that
 *	  register_account and setup_course_session accept and refuse the same
 *	  addresses and store them in the same form.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "email.h"
#include "pg_enroll.h"

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

PG_FUNCTION_INFO_V1(normalize_email);
/*
 * enroll.normalize_email(text) -> text: the stored form of an address
 * (trimmed, domain lower-cased), or 22023 naming what is wrong with it.
 */
Datum
normalize_email(PG_FUNCTION_ARGS)
{
	text	   *in = PG_GETARG_TEXT_PP(0);
	char		out[EMAIL_BUFSIZE];
	size_t		outlen;
	EmailError	err;

	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("e-mail addresses can only be validated in a UTF8 database")));
	err = email_normalize(VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in), out, sizeof(out), &outlen);
	if (err != EMAIL_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid e-mail address \"%s\": %s",
						EnrollQuotable(text_to_cstring(in)), email_strerror(err)),
				 errhint("An address is local-part@domain, at most 254 octets, with a domain of at least two labels (RFC 5321/5322).")));
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out, outlen));
}

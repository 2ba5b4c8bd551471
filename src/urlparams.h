/*-------------------------------------------------------------------------
 *
 * urlparams.h
 *	  Strict parser for URL-encoded parameter strings (rule S1.11).
 *
 * The product handler's internal parameter string looks like
 *	  coursename=SPOCM1&supervisor=teacher&starttime=1700000000
 * This module turns such a string into decoded key/value pairs and checks
 * them against a caller-supplied list of allowed (and required) keys.
 *
 * Pure C99: no PostgreSQL header, no malloc, no global state.  All memory
 * comes from the caller's allocator (palloc in the extension, an arena in
 * the tests and fuzzers) and is never freed here: the caller releases it,
 * e.g. by resetting its memory context.  On error some memory may already
 * have been taken from the allocator; it is not handed back.
 *
 * Grammar (stricter than browsers or PHP on purpose):
 *	  input   = ""  |  pair *( "&" pair )
 *	  pair    = key "=" value		; split at the FIRST "=", a raw "=" may
 *									; appear in the value
 *	  key     = 1*byte				; non-empty
 *	  value   = *byte				; may be empty
 * - "%XX" (hex digits in either case) decodes to one byte; a "%" not
 *	 followed by two hex digits is URLPARAM_BAD_ESCAPE.
 * - "+" decodes to a space, in keys and in values ("%2B" is a literal "+").
 * - Other bytes are taken as they are (raw UTF-8 is accepted).
 * - The decoded key and the decoded value must each be valid UTF-8 (no
 *	 overlong forms, no surrogates, nothing above U+10FFFF) and must not
 *	 contain a NUL byte (raw or "%00").
 * - An empty input is zero pairs.  An empty segment is an error: a leading
 *	 or trailing "&" or "&&" gives URLPARAM_EMPTY_PAIR.
 * - A pair without "=" is URLPARAM_NO_EQUALS; "=v" is URLPARAM_EMPTY_KEY.
 * - Keys are compared byte-wise after decoding ("a" and "%61" are the same
 *	 key), case-sensitively.  A key seen twice is URLPARAM_DUPLICATE_KEY.
 * - At most URLPARAM_MAX_INPUT bytes of input and URLPARAM_MAX_PAIRS pairs.
 *
 * Errors are reported at the first problem met scanning left to right,
 * except that the length and pair-count limits are checked first and
 * missing required keys last.
 *
 *-------------------------------------------------------------------------
 */
#ifndef URLPARAMS_H
#define URLPARAMS_H

#include <stddef.h>

/* Longest accepted input, in bytes. */
#define URLPARAM_MAX_INPUT		65536
/* Most pairs accepted in one input. */
#define URLPARAM_MAX_PAIRS		64
/* Size of UrlParamResult.error_key, including the terminating NUL. */
#define URLPARAM_ERROR_KEY_SIZE 64

/* Why a parameter string was rejected; URLPARAM_OK (0) means accepted. */
typedef enum UrlParamError
{
	URLPARAM_OK = 0,
	URLPARAM_BAD_ESCAPE,		/* "%" not followed by two hex digits */
	URLPARAM_BAD_UTF8,			/* decoded key or value is not valid UTF-8 */
	URLPARAM_NUL_BYTE,			/* decoded key or value contains a NUL byte */
	URLPARAM_NO_EQUALS,			/* a pair has no "=" */
	URLPARAM_EMPTY_KEY,			/* a pair has an empty key ("=v") */
	URLPARAM_EMPTY_PAIR,		/* empty segment: leading/trailing "&", "&&" */
	URLPARAM_DUPLICATE_KEY,		/* the same key appears twice */
	URLPARAM_UNKNOWN_KEY,		/* a key not in the caller's spec list */
	URLPARAM_MISSING_KEY,		/* a required key is absent */
	URLPARAM_TOO_LONG,			/* input longer than URLPARAM_MAX_INPUT */
	URLPARAM_TOO_MANY_PAIRS,	/* more than URLPARAM_MAX_PAIRS pairs */
	URLPARAM_NO_MEMORY,			/* the allocator returned NULL */
	URLPARAM_BAD_ARGUMENT		/* NULL pointer passed by the caller */
} UrlParamError;

/* Allocator: returns size bytes aligned for any type, or NULL.  No free. */
typedef void *(*UrlParamAllocFn) (void *ctx, size_t size);

/* One decoded pair.  Both strings are NUL-terminated; value_len excludes it. */
typedef struct UrlParam
{
	char	   *key;			/* decoded, non-empty, valid UTF-8, no NUL */
	size_t		key_len;
	char	   *value;			/* decoded, possibly "", valid UTF-8, no NUL */
	size_t		value_len;
} UrlParam;

/* One allowed key.  A key not listed is rejected as URLPARAM_UNKNOWN_KEY. */
typedef struct UrlParamSpec
{
	const char *key;			/* exact, case-sensitive, NUL-terminated */
	int			required;		/* non-zero: absence is URLPARAM_MISSING_KEY */
} UrlParamSpec;

/* Outcome of urlparam_parse. */
typedef struct UrlParamResult
{
	UrlParamError error;		/* same value urlparam_parse returned */

	/*
	 * Byte offset into the input where the problem was found: the "%" of a
	 * bad escape; the raw byte or "%" that starts an invalid UTF-8 sequence
	 * or a NUL; the start of the offending pair for NO_EQUALS, EMPTY_KEY,
	 * DUPLICATE_KEY, UNKNOWN_KEY, TOO_MANY_PAIRS; where the empty segment
	 * is for EMPTY_PAIR; the input length for MISSING_KEY; 0 otherwise.
	 */
	size_t		error_offset;

	/*
	 * The key concerned, NUL-terminated, cut to at most 63 bytes at a UTF-8
	 * character boundary: the decoded key for DUPLICATE_KEY, UNKNOWN_KEY and
	 * for BAD_ESCAPE/BAD_UTF8/NUL_BYTE found in a value; the spec key for
	 * MISSING_KEY; "" otherwise.  Always valid UTF-8 without NUL, but it may
	 * hold control characters: quote it when showing it to people.
	 */
	char		error_key[URLPARAM_ERROR_KEY_SIZE];

	UrlParam   *params;			/* on success: pairs in input order */
	size_t		nparams;		/* on error: params NULL and nparams 0 */
} UrlParamResult;

/*
 * Parse input[0..len) (it need not be NUL-terminated and may be NULL when
 * len is 0).  specs[0..nspecs) lists the allowed keys; specs == NULL means
 * "accept any key" (used by the fuzzer, not meant for production calls).
 * alloc(alloc_ctx, n) provides all memory.  Fills *result and returns
 * result->error.
 */
extern UrlParamError urlparam_parse(const char *input, size_t len,
									const UrlParamSpec *specs, size_t nspecs,
									UrlParamAllocFn alloc, void *alloc_ctx,
									UrlParamResult *result);

/* The pair with this decoded key in a successful result, or NULL. */
extern const UrlParam *urlparam_find(const UrlParamResult *result,
									 const char *key);

/* Lower-case English message for an error code, without final period. */
extern const char *urlparam_strerror(UrlParamError error);

/*
 * Parse a NUL-terminated decimal integer: optional "-", then one or more
 * ASCII digits, nothing else (no "+", no spaces, no hex).  Leading zeros are
 * allowed.  Returns 1 and sets *out on success; returns 0 on syntax error or
 * overflow of long long (at least 64 bits), leaving *out untouched.
 * Used for Unix timestamps (rule S1.10).
 */
extern int	urlparam_parse_int64(const char *s, long long *out);

#endif							/* URLPARAMS_H */

/*-------------------------------------------------------------------------
 * participants.c
 *	  The participants of a session setup (S1.2, S1.5): the JSON list
 *	  [{"email", "firstname", "lastname", "role": "learner"|"tutor"}, ...]
 *	  validated and normalized before anything is written.
 *
 * One pass, linear in the list: the JSON is read as text columns, a batch
 * of elements per statement (100,000 rows of eleven text columns would take
 * about 33 MB at once), each row is checked
 * in a per-row memory context that is reset after the row (only the
 * validated values are copied out, once, packed in large blocks), e-mail
 * addresses get their canonical form (EnrollCanonicalEmail: Unicode NFC, then
 * the pure C normalizer of email.c), and a hash table of
 * uniqueness keys finds a person listed twice.  CHECK_FOR_INTERRUPTS in the
 * loop, so a long list obeys statement_timeout.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "email.h"
#include "pg_enroll.h"

/* longest first or last name (CHECK account_firstname_length/lastname_length) */
#define ENROLL_NAME_MAX 200

/*
 * the participants $2 .. $3 (from 1) of the list $1 as text columns, with
 * shape problems spelled out, run once per batch; generic: a custom plan
 * would copy the list into the plan as a constant (12 MB for 100,000
 * participants).  Not a cursor over jsonb_array_elements($1): opening one
 * copies its parameters into the portal (the list again) and the function
 * scan materializes the elements (up to work_mem); `->` reads the i-th
 * element of the list where it lies.
 */
static EnrollPlan plan_participants = {
	"SELECT p.ord::int4, pg_catalog.jsonb_typeof(p.e),"
	"       pg_catalog.jsonb_typeof(p.e OPERATOR(pg_catalog.->) 'email'), p.e OPERATOR(pg_catalog.->>) 'email',"
	"       pg_catalog.jsonb_typeof(p.e OPERATOR(pg_catalog.->) 'firstname'), p.e OPERATOR(pg_catalog.->>) 'firstname',"
	"       pg_catalog.jsonb_typeof(p.e OPERATOR(pg_catalog.->) 'lastname'), p.e OPERATOR(pg_catalog.->>) 'lastname',"
	"       pg_catalog.jsonb_typeof(p.e OPERATOR(pg_catalog.->) 'role'), p.e OPERATOR(pg_catalog.->>) 'role',"
	"       (SELECT pg_catalog.string_agg(k, ', ' ORDER BY k)"
	"          FROM pg_catalog.jsonb_object_keys(CASE WHEN pg_catalog.jsonb_typeof(p.e) OPERATOR(pg_catalog.=) 'object'"
	"                                                 THEN p.e ELSE '{}' END) AS k"
	"         WHERE k OPERATOR(pg_catalog.<>) ALL ('{email,firstname,lastname,role}'::text[]))"
	"  FROM (SELECT g.i, $1 OPERATOR(pg_catalog.->) (g.i OPERATOR(pg_catalog.-) 1)"
	"          FROM pg_catalog.generate_series($2, $3) AS g(i)"
	"        OFFSET 0) AS p(ord, e)"
	" ORDER BY p.ord",
	3, {JSONBOID, INT4OID, INT4OID}, NULL, ENROLL_GENERIC
};

/* columns of plan_participants */
enum
{
	COL_TYPE = 2, COL_EMAIL_TYPE, COL_EMAIL, COL_FIRST_TYPE, COL_FIRST,
	COL_LAST_TYPE, COL_LAST, COL_ROLE_TYPE, COL_ROLE, COL_EXTRA
};

/* participants read by one statement */
#define PARTICIPANT_BATCH 1000

/* bytes of a block of the participants' strings */
#define STRING_BLOCK_SIZE (64 * 1024)

/*
 * hash entry: e-mail key (a participant's stored copy; the key is the
 * pointer, hashed and compared as the string) -> 1-based index of its first
 * participant.  A fixed EMAIL_BUFSIZE key cost 28 MB for 100,000.
 */
typedef struct KeyEntry
{
	const char *key;
	int			index;
} KeyEntry;

/* a bad participant: raised at once, or collected for a dry run's report */
typedef struct Reader
{
	HTAB	   *seen;
	MemoryContext keep_cxt;
	char	   *block;			/* free part of the current string block */
	Size		block_left;
	ParticipantProblem *problems;	/* NULL: raise the first problem */
	int			nproblems;
	int			maxproblems;
} Reader;

/* hash and match of KeyEntry keys: the strings they point to */
static uint32
KeyHash(const void *key, Size keysize)
{
	const char *s = *(const char *const *) key;

	return hash_bytes((const unsigned char *) s, strlen(s));
}

static int
KeyMatch(const void *key1, const void *key2, Size keysize)
{
	return strcmp(*(const char *const *) key1, *(const char *const *) key2);
}

/*
 * A copy of s that lives as long as the participants, packed after the
 * previous one in a large block: one palloc'd chunk each would cost its
 * header and a power-of-two rounding, about four times the bytes.
 */
static char *
KeepString(Reader *rd, const char *s)
{
	Size		len = strlen(s) + 1;
	char	   *copy;

	if (len > rd->block_left)
	{
		rd->block_left = Max(len, STRING_BLOCK_SIZE);
		rd->block = MemoryContextAlloc(rd->keep_cxt, rd->block_left);
	}
	copy = rd->block;
	memcpy(copy, s, len);
	rd->block += len;
	rd->block_left -= len;
	return copy;
}

/* the same string as same when equal, else a kept copy of s */
static char *
KeepStringOr(Reader *rd, const char *s, char *same)
{
	return strcmp(s, same) == 0 ? same : KeepString(rd, s);
}

/*
 * A participant cannot be set up: raise 22023 naming its index (1-based)
 * and address, or (dry run) record it and go on with the next one.
 * Returns false so that callers write "return Bad(...)".
 */
static bool
Bad(Reader *rd, int index, const char *email, const char *msg)
{
	if (rd->problems == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid participant: %s", msg),
				 errdetail("Participant %d, address \"%s\".", index, email ? EnrollQuotable(email) : ""),
				 errhint("Each participant is {\"email\": text, \"firstname\": text, \"lastname\": text, \"role\": \"learner\" or \"tutor\"}; a dry run lists every bad participant at once.")));
	/* room for this one and the order's (see ParticipantProblem) */
	if (rd->nproblems + 2 > rd->maxproblems)
	{
		rd->maxproblems *= 2;
		rd->problems = repalloc(rd->problems, sizeof(ParticipantProblem) * rd->maxproblems);
	}
	rd->problems[rd->nproblems].index = index;
	rd->problems[rd->nproblems].email = email ? MemoryContextStrdup(rd->keep_cxt, EnrollQuotable(email)) : NULL;
	rd->problems[rd->nproblems].problem = MemoryContextStrdup(rd->keep_cxt, msg);
	rd->problems[rd->nproblems].sqlstate = "22023";
	rd->nproblems++;
	return false;
}

/* a name column: a JSON string or null (absent), at most ENROLL_NAME_MAX characters */
static bool
NameIsString(const char *type)
{
	return type != NULL && strcmp(type, "string") == 0;
}

/*
 * Check row i of the fetched batch of plan_participants, participant index
 * (from 1), in the per-row context, and fill *p with copies kept in
 * keep_cxt.  Returns false for a bad participant (when collecting problems).
 */
static bool
ReadOne(uint64 i, int index, Reader *rd, Participant *p)
{
	char	   *type = EnrollGetText(i, COL_TYPE);
	char	   *email = EnrollGetText(i, COL_EMAIL);
	char	   *role = EnrollGetText(i, COL_ROLE);
	char	   *extra = EnrollGetText(i, COL_EXTRA);
	char	   *email_type = EnrollGetText(i, COL_EMAIL_TYPE);
	char	   *first_type = EnrollGetText(i, COL_FIRST_TYPE);
	char	   *last_type = EnrollGetText(i, COL_LAST_TYPE);
	char	   *first = NameIsString(first_type) ? EnrollGetText(i, COL_FIRST) : "";
	char	   *last = NameIsString(last_type) ? EnrollGetText(i, COL_LAST) : "";
	char		norm[EMAIL_BUFSIZE];
	char		key[EMAIL_BUFSIZE];
	size_t		normlen;
	EmailError	err;
	KeyEntry   *entry;
	bool		found;

	if (strcmp(type, "object") != 0)
		return Bad(rd, index, NULL, psprintf("expected a JSON object, got %s", type));
	if (extra != NULL)
		return Bad(rd, index, email, psprintf("unknown key(s): %s", EnrollQuotable(extra)));
	if (email_type == NULL || strcmp(email_type, "string") != 0)
		return Bad(rd, index, email, "\"email\" must be a string");
	if ((first_type && !NameIsString(first_type) && strcmp(first_type, "null") != 0) ||
		(last_type && !NameIsString(last_type) && strcmp(last_type, "null") != 0))
		return Bad(rd, index, email, "\"firstname\" and \"lastname\" must be strings");
	if (role != NULL && strcmp(role, "learner") != 0 && strcmp(role, "tutor") != 0)
		return Bad(rd, index, email, psprintf("\"role\" must be \"learner\" or \"tutor\", not \"%s\"", EnrollQuotable(role)));
	if (pg_mbstrlen(first) > ENROLL_NAME_MAX || pg_mbstrlen(last) > ENROLL_NAME_MAX)
		return Bad(rd, index, email, psprintf("\"firstname\" and \"lastname\" have at most %d characters",
											  ENROLL_NAME_MAX));

	err = EnrollCanonicalEmail(email, strlen(email), norm, sizeof(norm), &normlen);
	if (err != EMAIL_OK)
		return Bad(rd, index, email, psprintf("invalid e-mail address: %s", email_strerror(err)));
	email_key(norm, normlen, key, sizeof(key));
	if (strlen(key) >= 15 && strcmp(key + strlen(key) - 15, "@erased.invalid") == 0)
		return Bad(rd, index, email, "addresses at erased.invalid name erased accounts");

	{
		const char *k = key;

		entry = (KeyEntry *) hash_search(rd->seen, &k, HASH_ENTER, &found);
	}
	if (found && rd->problems == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("participant %d appears twice in the list", index),
				 errdetail("Participant %d, address \"%s\", has the same address as participant %d.",
						   index, EnrollQuotable(email), entry->index),
				 errhint("Addresses are compared case- and space-insensitively; list each person once.")));
	if (found)
		return Bad(rd, index, email, psprintf("the same address as participant %d", entry->index));
	entry->index = index;

	/* the only copies that outlive the row (one for equal strings) */
	p->index = index;
	p->given_email = KeepString(rd, email);
	p->email = KeepStringOr(rd, norm, p->given_email);
	p->key = KeepStringOr(rd, key, p->email);
	p->firstname = KeepString(rd, first);
	p->lastname = KeepString(rd, last);
	p->tutor = role != NULL && strcmp(role, "tutor") == 0;
	/* the entry points at the kept key from now on */
	entry->key = p->key;
	return true;
}

/*
 * Validate and normalize the participant list (at most
 * ENROLL_MAX_PARTICIPANTS: 54000 above).  With problems == NULL the first
 * bad participant is raised (22023) with its index and address; otherwise
 * every bad participant is recorded in *problems and left out.  Returns the
 * good participants, *count of them, allocated in the current memory
 * context.
 */
Participant *
EnrollReadParticipants(Jsonb *list, int *count, ParticipantProblem **problems, int *nproblems)
{
	Participant *parts;
	HASHCTL		ctl;
	MemoryContext row_cxt;
	Reader		rd;
	uint32		n;
	int			index = 0;
	int			good = 0;

	if (!JB_ROOT_IS_ARRAY(list) || JB_ROOT_IS_SCALAR(list))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("participants must be a JSON array"),
				 errhint("Pass [{\"email\": ..., \"firstname\": ..., \"lastname\": ..., \"role\": \"learner\"}, ...].")));
	n = JB_ROOT_COUNT(list);
	if (n > ENROLL_MAX_PARTICIPANTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many participants: %u", n),
				 errdetail("One call sets up at most %d participants.", ENROLL_MAX_PARTICIPANTS),
				 errhint("Split the list over several calls with the same order reference.")));
	/* plan_participants returns one row per element of the array */
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("participants must not be empty")));

	memset(&rd, 0, sizeof(rd));
	rd.keep_cxt = CurrentMemoryContext;
	if (problems)
	{
		rd.maxproblems = 16;
		rd.problems = palloc0(sizeof(ParticipantProblem) * rd.maxproblems);
	}
	parts = palloc0(sizeof(Participant) * n);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(const char *);
	ctl.entrysize = sizeof(KeyEntry);
	ctl.hash = KeyHash;
	ctl.match = KeyMatch;
	ctl.hcxt = rd.keep_cxt;
	rd.seen = hash_create("pg_enroll participants", n, &ctl,
						  HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	row_cxt = AllocSetContextCreate(rd.keep_cxt, "pg_enroll participant", ALLOCSET_SMALL_SIZES);

	for (int first = 1; first <= (int) n; first += PARTICIPANT_BATCH)
	{
		Datum		args[3];

		args[0] = JsonbPGetDatum(list);
		args[1] = Int32GetDatum(first);
		args[2] = Int32GetDatum(Min((int) n, first + PARTICIPANT_BATCH - 1));
		EnrollExecute(&plan_participants, args, NULL, true, 0, SPI_OK_SELECT);
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			MemoryContext old;

			CHECK_FOR_INTERRUPTS();
			if (++index > (int) n)
				elog(ERROR, "more participants than the %u of the list", n);
			old = MemoryContextSwitchTo(row_cxt);
			if (ReadOne(i, index, &rd, &parts[good]))
				good++;
			MemoryContextSwitchTo(old);
			MemoryContextReset(row_cxt);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	if (index != (int) n)
		elog(ERROR, "%d participants read of the %u of the list", index, n);
	/* SPI left its own context current */
	MemoryContextSwitchTo(rd.keep_cxt);
	MemoryContextDelete(row_cxt);
	hash_destroy(rd.seen);
	*count = good;
	if (problems)
	{
		*problems = rd.problems;
		*nproblems = rd.nproblems;
	}
	return parts;
}

/*-------------------------------------------------------------------------
 * spi_util.c
 *	  SPI helpers shared by every file: statements prepared once and kept
 *	  (SPI_keepplan), executed with typed parameters and checked results;
 *	  typed getters for result columns; running a piece of work as the
 *	  extension's owner; internal subtransactions.
 *
 * An EnrollPlan is a static struct holding the query text and argument
 * types; the SPIPlanPtr is filled on first use and survives across calls
 * and transactions.  The plan cache re-plans it when the tables change.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"
#include "sha256.h"

/* Prepare the statement on first use and keep it for the backend's life. */
SPIPlanPtr
EnrollPrepare(EnrollPlan *plan)
{
	if (plan->plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare_cursor(plan->sql, plan->nargs, plan->argtypes,
										   plan->cursor_options);

		if (p == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 plan->sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_keepplan failed");
		plan->plan = p;
	}
	return plan->plan;
}

/*
 * Execute a kept plan (SPI must be connected) and check the result code.
 * Returns SPI_processed.  nulls follows SPI's convention (' ' or 'n') and
 * may be NULL when no argument is null.
 */
uint64
EnrollExecute(EnrollPlan *plan, Datum *values, const char *nulls,
			  bool read_only, long count, int expected)
{
	int			ret;

	ret = SPI_execute_plan(EnrollPrepare(plan), values, nulls, read_only, count);
	if (ret != expected)
		elog(ERROR, "SPI_execute_plan returned %s for \"%s\"",
			 SPI_result_code_string(ret), plan->sql);
	return SPI_processed;
}

/* Column `col` (1-based) of row `row` of the last SPI result; isnull set. */
Datum
EnrollGetDatum(uint64 row, int col, bool *isnull)
{
	Assert(SPI_tuptable != NULL && row < SPI_processed);
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
						 col, isnull);
}

/* bigint column of the last SPI result; 0 when NULL */
int64
EnrollGetInt64(uint64 row, int col)
{
	bool		isnull;
	Datum		d = EnrollGetDatum(row, col, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

/* integer column of the last SPI result; 0 when NULL */
int32
EnrollGetInt32(uint64 row, int col)
{
	bool		isnull;
	Datum		d = EnrollGetDatum(row, col, &isnull);

	return isnull ? 0 : DatumGetInt32(d);
}

/* boolean column of the last SPI result; false when NULL */
bool
EnrollGetBool(uint64 row, int col)
{
	bool		isnull;
	Datum		d = EnrollGetDatum(row, col, &isnull);

	return !isnull && DatumGetBool(d);
}

/* timestamptz column of the last SPI result; *isnull set (may be NULL) */
TimestampTz
EnrollGetTimestamp(uint64 row, int col, bool *isnull)
{
	bool		null;
	Datum		d = EnrollGetDatum(row, col, &null);

	if (isnull)
		*isnull = null;
	return null ? 0 : DatumGetTimestampTz(d);
}

/*
 * Any column of the last SPI result as text (the type's output function),
 * palloc'd in the current memory context; NULL when the value is NULL.
 */
char *
EnrollGetText(uint64 row, int col)
{
	Assert(SPI_tuptable != NULL && row < SPI_processed);
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

/* The ids of column 1 of every row of the last SPI result. */
int64 *
EnrollGetIds(int *n)
{
	int64	   *ids = palloc(sizeof(int64) * Max(SPI_processed, 1));

	for (uint64 i = 0; i < SPI_processed; i++)
		ids[i] = EnrollGetInt64(i, 1);
	*n = (int) SPI_processed;
	return ids;
}

/*
 * Run fn(arg) with the extension owner as the current user, the way
 * ri_triggers.c runs its checks as the table owner: identity lookups and
 * the audit log must read and write the tables whatever the caller's own
 * rights and row-level security are (the policies call back into the
 * identity functions, which would otherwise recurse).  The user is restored
 * on every path.
 */
void
EnrollRunAsOwner(void (*fn) (void *arg), void *arg)
{
	Oid			save_userid;
	int			save_sec;

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(EnrollOwnerId(), save_sec | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		fn(arg);
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec);
	}
	PG_END_TRY();
}

/*
 * Internal subtransactions (for work that must be undone on its own: a dry
 * run, a statement whose error is translated).  Begin remembers the
 * caller's memory context and resource owner; each end restores both, as
 * PL/pgSQL does around its exception blocks.
 */
void
EnrollSubxactBegin(EnrollSubxact *sx)
{
	sx->cxt = CurrentMemoryContext;
	sx->owner = CurrentResourceOwner;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(sx->cxt);
}

/* Commit the subtransaction: its work becomes part of the caller's. */
void
EnrollSubxactCommit(EnrollSubxact *sx)
{
	ReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(sx->cxt);
	CurrentResourceOwner = sx->owner;
}

/* Roll the subtransaction back: its work is undone. */
void
EnrollSubxactRollback(EnrollSubxact *sx)
{
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(sx->cxt);
	CurrentResourceOwner = sx->owner;
}

/*
 * In a PG_CATCH() block around work done in the subtransaction: take the
 * error (copied into the caller's memory), roll the subtransaction back and
 * return the error for the caller to translate or rethrow (ReThrowError).
 * The subtransaction must be closed before the error leaves: a caller's
 * exception block rolls back only the innermost subtransaction, which would
 * otherwise be ours.
 */
ErrorData *
EnrollSubxactCatch(EnrollSubxact *sx)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(sx->cxt);
	edata = CopyErrorData();
	FlushErrorState();
	EnrollSubxactRollback(sx);
	return edata;
}

/* Is the string empty or made only of ASCII whitespace (enroll.is_blank)? */
bool
EnrollIsBlank(const char *s)
{
	return s[strspn(s, ENROLL_WHITESPACE)] == '\0';
}

/* A bigint[] datum of n values, for a statement's array parameter. */
Datum
EnrollInt8Array(const int64 *values, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	ArrayType  *a;

	for (int i = 0; i < n; i++)
		d[i] = Int64GetDatum(values[i]);
	a = construct_array(d, n, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	pfree(d);
	return PointerGetDatum(a);
}

/*
 * A text[] datum of n C strings, the i-th given by get(arg, i), for a
 * statement's array parameter: built in place, as construct_array lays it
 * out, with no text datum per element first (a setup passes 100,000).
 */
Datum
EnrollTextArrayOf(int n, const char *(*get) (const void *arg, int i), const void *arg)
{
	Size		nbytes = ARR_OVERHEAD_NONULLS(1);
	ArrayType  *a;
	char	   *data;

	if (n == 0)
		return PointerGetDatum(construct_empty_array(TEXTOID));
	for (int i = 0; i < n; i++)
		nbytes += INTALIGN(VARHDRSZ + strlen(get(arg, i)));
	if (!AllocSizeIsValid(nbytes))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("array size exceeds the maximum allowed (%d)", (int) MaxAllocSize)));
	a = (ArrayType *) palloc0(nbytes);
	SET_VARSIZE(a, nbytes);
	a->ndim = 1;
	a->dataoffset = 0;
	a->elemtype = TEXTOID;
	ARR_DIMS(a)[0] = n;
	ARR_LBOUND(a)[0] = 1;
	data = ARR_DATA_PTR(a);
	for (int i = 0; i < n; i++)
	{
		const char *str = get(arg, i);
		int			len = strlen(str);

		SET_VARSIZE(data, VARHDRSZ + len);
		memcpy(VARDATA(data), str, len);
		data += INTALIGN(VARHDRSZ + len);
	}
	return PointerGetDatum(a);
}

/* A timestamptz[] datum of n values. */
Datum
EnrollTimestampArray(const TimestampTz *values, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	ArrayType  *a;

	for (int i = 0; i < n; i++)
		d[i] = TimestampTzGetDatum(values[i]);
	a = construct_array(d, n, TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	pfree(d);
	return PointerGetDatum(a);
}

/* A timestamptz[] datum of n values, nulls[i] making element i NULL. */
Datum
EnrollTimestampArrayNulls(const TimestampTz *values, const bool *nulls, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};
	ArrayType  *a;

	for (int i = 0; i < n; i++)
		d[i] = TimestampTzGetDatum(values[i]);
	a = construct_md_array(d, (bool *) nulls, 1, dims, lbs, TIMESTAMPTZOID, sizeof(TimestampTz),
						   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	pfree(d);
	return PointerGetDatum(a);
}

/* A boolean[] datum of n values. */
Datum
EnrollBoolArray(const bool *values, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	ArrayType  *a;

	for (int i = 0; i < n; i++)
		d[i] = BoolGetDatum(values[i]);
	a = construct_array(d, n, BOOLOID, 1, true, TYPALIGN_CHAR);
	pfree(d);
	return PointerGetDatum(a);
}

/* hash entry of EnrollInt64Index: value -> its first position */
typedef struct Int64IndexEntry
{
	int64		value;
	int			pos;
} Int64IndexEntry;

/*
 * A hash index from each of values[0..n) to its position (the first one
 * for a repeated value), in the current memory context.
 */
HTAB *
EnrollInt64Index(const int64 *values, int n)
{
	HASHCTL		ctl;
	HTAB	   *h;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(Int64IndexEntry);
	ctl.hcxt = CurrentMemoryContext;
	h = hash_create("pg_enroll int64 index", Max(n, 1), &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	for (int i = 0; i < n; i++)
	{
		bool		found;
		Int64IndexEntry *e = hash_search(h, &values[i], HASH_ENTER, &found);

		if (!found)
			e->pos = i;
	}
	return h;
}

/* The position of value in an EnrollInt64Index, -1 when absent. */
int
EnrollInt64IndexFind(HTAB *index, int64 value)
{
	Int64IndexEntry *e = hash_search(index, &value, HASH_FIND, NULL);

	return e ? e->pos : -1;
}

/* The SHA-256 of a C string, as 64 lower-case hex digits (palloc'd; sha256.c). */
char *
EnrollSha256Hex(const char *data)
{
	EnrollSha256 sha;
	unsigned char digest[ENROLL_SHA256_LENGTH];
	char	   *hex = palloc(ENROLL_SHA256_LENGTH * 2 + 1);

	enroll_sha256_init(&sha);
	enroll_sha256_update(&sha, data, strlen(data));
	enroll_sha256_final(&sha, digest);
	for (int i = 0; i < ENROLL_SHA256_LENGTH; i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
	return hex;
}

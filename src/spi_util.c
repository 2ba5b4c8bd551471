/*-------------------------------------------------------------------------
 * spi_util.c
 *	  SPI helpers shared by every file: statements prepared once and kept
 *	  (SPI_keepplan), executed with typed parameters and checked results.
 *
 * An EnrollPlan is a static struct holding the query text and argument
 * types; the SPIPlanPtr is filled on first use and survives across calls
 * and transactions.  The plan cache re-plans it when the tables change.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "utils/resowner.h"

#include "pg_enroll.h"

/* Prepare the statement on first use and keep it for the backend's life. */
SPIPlanPtr
EnrollPrepare(EnrollPlan *plan)
{
	if (plan->plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(plan->sql, plan->nargs, plan->argtypes);

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

/*
 * Execute a statement that inserts current licenses.  Under READ COMMITTED
 * the holder's row lock, taken before, makes a concurrent license for the
 * same holder and course impossible to miss.  Under REPEATABLE READ or
 * SERIALIZABLE the snapshot may predate a license that a concurrent
 * transaction committed while this one waited for the lock; the partial
 * unique index license_current_* then refuses the insert.  That is a
 * serialization failure and is reported as one (40001, retry), not as a
 * unique violation.  `what` names the operation in the message.
 */
uint64
EnrollExecuteLicenseInsert(EnrollPlan *plan, Datum *values, const char *nulls,
						   int expected, const char *what)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile uint64 processed = 0;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		processed = EnrollExecute(plan, values, nulls, false, 0, expected);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		if (edata->sqlerrcode == ERRCODE_UNIQUE_VIOLATION &&
			edata->constraint_name != NULL &&
			strncmp(edata->constraint_name, "license_current_", 16) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize %s", what),
					 errdetail("Another license for the same holder and course was accepted by a concurrent transaction."),
					 errhint("Retry the transaction.")));
		ReThrowError(edata);
	}
	PG_END_TRY();
	return processed;
}

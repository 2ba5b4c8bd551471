/*-------------------------------------------------------------------------
 * licenses.c
 *	  Licenses: the one place where a license is created for a holder and
 *	  the holder's current license ends (S2.23, non-accumulation), and the
 *	  seats of organization licenses (allocate_seat).
 *
 * S2.23: if a learner accepts a new offer to get a new license, the access
 * time left from the earlier license is lost; access times never add up.
 * Every path that creates a license -- accept_offer (acceptance.c),
 * setup_course_session (session.c), allocate_seat (here) -- ends the
 * holder's current license for the course through EnrollSupersede or
 * EnrollSupersedeMany, which name the successor (superseded_by), and inserts
 * the new license through EnrollExecuteLicenseInsert.  The partial unique
 * indexes license_current_*_key keep two current licenses impossible even
 * for a DBA writing rows by hand.
 *
 * Concurrency: callers lock the holder's row (account or organization)
 * FOR NO KEY UPDATE before reading its current license, so two license
 * creations for one holder serialize and the second supersedes the first.
 * Under READ COMMITTED that lock is enough.  Under REPEATABLE READ or
 * SERIALIZABLE the snapshot may predate a license that a concurrent
 * transaction committed while this one waited for the lock: the unique
 * index then refuses the insert, and EnrollExecuteLicenseInsert reports it
 * as the serialization failure it is (40001, retry), never as 23505.
 *
 * Lock order, shared by every writer: offer, holder, membership, license.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"

static EnrollPlan plan_next_ids = {
	"SELECT pg_catalog.nextval('enroll.license_id_seq'::pg_catalog.regclass)"
	"  FROM pg_catalog.generate_series(1, $1)",
	1, {INT4OID}
};

/* the holder's current license for the course, locked */
static EnrollPlan plan_current = {
	"SELECT l.id FROM enroll.license l"
	" WHERE l.course_id OPERATOR(pg_catalog.=) $1 AND l.ended_at IS NULL"
	"   AND (l.account_id OPERATOR(pg_catalog.=) $2"
	"        OR l.organization_id OPERATOR(pg_catalog.=) $3)"
	"   FOR UPDATE",
	3, {INT8OID, INT8OID, INT8OID}
};

static EnrollPlan plan_supersede = {
	"UPDATE enroll.license SET ended_at = $2, end_reason = 'superseded',"
	"       superseded_by = $3"
	" WHERE id OPERATOR(pg_catalog.=) $1",
	3, {INT8OID, TIMESTAMPTZOID, INT8OID}
};

/* the same for many account holders of one course, in one statement */
static EnrollPlan plan_supersede_many = {
	"UPDATE enroll.license l SET ended_at = $3, end_reason = 'superseded', superseded_by = n.new_id"
	"  FROM ROWS FROM (pg_catalog.unnest($1::bigint[]), pg_catalog.unnest($2::bigint[])) AS n(account_id, new_id)"
	" WHERE l.account_id OPERATOR(pg_catalog.=) n.account_id"
	"   AND l.course_id OPERATOR(pg_catalog.=) $4 AND l.ended_at IS NULL"
	" RETURNING l.id",
	4, {INT8ARRAYOID, INT8ARRAYOID, TIMESTAMPTZOID, INT8OID}
};

/* Fill ids[0..n) with new license ids (the successors to name). */
void
EnrollNextLicenseIds(int64 *ids, int n)
{
	Datum		arg = Int32GetDatum(n);

	if (EnrollExecute(&plan_next_ids, &arg, NULL, false, 0, SPI_OK_SELECT) != (uint64) n)
		elog(ERROR, "could not draw %d license ids", n);
	for (int i = 0; i < n; i++)
		ids[i] = EnrollGetInt64(i, 1);
}

/*
 * End the holder's current license for the course as superseded by the
 * license about to be created, `successor` (S2.23).  The holder is an
 * account or an organization (the other is 0).  The current license is
 * locked first.  Returns the ended license, 0 when there was none.
 */
int64
EnrollSupersede(int64 course, int64 account, int64 organization,
				int64 successor, TimestampTz now)
{
	Datum		args[3];
	char		nulls[3] = {' ', ' ', ' '};
	int64		current;

	args[0] = Int64GetDatum(course);
	args[1] = Int64GetDatum(account);
	args[2] = Int64GetDatum(organization);
	if (account == 0)
		nulls[1] = 'n';
	if (organization == 0)
		nulls[2] = 'n';
	if (EnrollExecute(&plan_current, args, nulls, false, 1, SPI_OK_SELECT) == 0)
		return 0;
	current = EnrollGetInt64(0, 1);

	args[0] = Int64GetDatum(current);
	args[1] = TimestampTzGetDatum(now);
	args[2] = Int64GetDatum(successor);
	EnrollExecute(&plan_supersede, args, NULL, false, 0, SPI_OK_UPDATE);
	EnrollLogEvent("license.supersede", "license", current,
				   EnrollJsonbf("{\"superseded_by\": %lld}", (long long) successor));
	return current;
}

/*
 * EnrollSupersede for many account holders of one course at once (a session
 * setup): accounts[i]'s current license ends, superseded by successors[i].
 * The caller has locked the accounts.  Returns the ended licenses' ids
 * (*nended of them).
 */
int64 *
EnrollSupersedeMany(int64 course, const int64 *accounts, const int64 *successors,
					int n, TimestampTz now, int *nended)
{
	Datum		args[4];
	int64	   *ended;
	int64		actor = 0;

	args[0] = EnrollInt8Array(accounts, n);
	args[1] = EnrollInt8Array(successors, n);
	args[2] = TimestampTzGetDatum(now);
	args[3] = Int64GetDatum(course);
	EnrollExecute(&plan_supersede_many, args, NULL, false, 0, SPI_OK_UPDATE_RETURNING);
	ended = EnrollGetIds(nended);
	EnrollCurrentAccount(&actor);
	EnrollLogEvents(now, actor, "license.supersede", "license", ended, *nended,
					EnrollJsonbf("{\"via\": \"setup_course_session\"}"));
	return ended;
}

/*
 * Execute a statement that inserts current licenses, after the holders'
 * current licenses were superseded (see the file header): a concurrent
 * license that a REPEATABLE READ or SERIALIZABLE snapshot could not see is
 * reported as a serialization failure (40001), not as a unique violation.
 * `what` names the operation in the message.
 */
uint64
EnrollExecuteLicenseInsert(EnrollPlan *plan, Datum *values, const char *nulls,
						   int expected, const char *what)
{
	EnrollSubxact sx;
	volatile uint64 processed = 0;

	/* under READ COMMITTED the holder's lock is enough: no subtransaction */
	if (!IsolationUsesXactSnapshot())
		return EnrollExecute(plan, values, nulls, false, 0, expected);

	EnrollSubxactBegin(&sx);
	PG_TRY();
	{
		processed = EnrollExecute(plan, values, nulls, false, 0, expected);
		EnrollSubxactCommit(&sx);
	}
	PG_CATCH();
	{
		ErrorData  *edata = EnrollSubxactCatch(&sx);

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

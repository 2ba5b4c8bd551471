/*-------------------------------------------------------------------------
 * probe.c
 *	  Direct index probes on int8 keys, for the hot paths where a statement
 *	  through SPI cost more in executor start-up than in work: one index
 *	  scan under a given snapshot, no plan, no executor.
 *
 * Callers pass the snapshot a statement would have used (the active one,
 * or one pushed as SPI would push it), so that a probe sees what the
 * statement it replaces would have seen.  The heap relation is opened by
 * the caller; the index here.  Btree equality on an int8 column returns
 * only tuples whose key is equal (no recheck), visible to the snapshot.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "executor/tuptable.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "pg_enroll.h"

/*
 * A probe that replaces a statement run through SPI reads as that statement
 * would: under the snapshot SPI would take for it (a new one under READ
 * COMMITTED), with the writes of the commands before it.  Returns that
 * snapshot, active until EnrollEndStatementProbe.
 */
Snapshot
EnrollBeginStatementProbe(void)
{
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();
	return GetActiveSnapshot();
}

void
EnrollEndStatementProbe(void)
{
	PopActiveSnapshot();
}

/*
 * The first tuple of heap rel visible to snapshot whose int8 index
 * indexoid (leading column) equals key, copied into the current memory
 * context; NULL when none.
 */
HeapTuple
EnrollIndexFetch(Relation rel, Oid indexoid, int64 key, Snapshot snapshot)
{
	Relation	index = index_open(indexoid, AccessShareLock);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	ScanKeyData skey;
	IndexScanDesc scan;
	HeapTuple	found = NULL;

	ScanKeyInit(&skey, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(key));
	scan = index_beginscan(rel, index, snapshot, 1, 0);
	index_rescan(scan, &skey, 1, NULL, 0);
	if (index_getnext_slot(scan, ForwardScanDirection, slot))
		found = ExecCopySlotHeapTuple(slot);
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, AccessShareLock);
	return found;
}

/* Does a tuple of rel visible to snapshot have key in int8 index indexoid? */
bool
EnrollIndexHasKey(Relation rel, Oid indexoid, int64 key, Snapshot snapshot)
{
	HeapTuple	tup = EnrollIndexFetch(rel, indexoid, key, snapshot);

	if (tup == NULL)
		return false;
	heap_freetuple(tup);
	return true;
}

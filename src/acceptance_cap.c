/*-------------------------------------------------------------------------
 * acceptance_cap.c
 *	  The acceptance cap (offer.max_acceptances, 1.2): acceptance number
 *	  n+1 is refused with PE023, even under concurrency.
 *
 * An offer with a cap keeps the count of its acceptances in
 * offer.acceptances_made: the licenses obtained from it, a person's repeat
 * and each session participant's included, seats given from an
 * organization license not (they are not acceptances of the seat's offer).
 * Counting the licenses at every acceptance read every earlier acceptance
 * of the offer under its row lock (318 ms for an offer accepted 430,000
 * times on scripts/bench's data, docs/SCALING.md): the counter makes an
 * acceptance of a capped offer cost one row update, whatever its past.
 *
 * Who writes the counter:
 *	- EnrollTakePlaces, under the offer's row lock, before the licenses are
 *	  written (accept_offer, setup_course_session); an acceptance where the
 *	  holder keeps their license gives its place back (EnrollReturnPlaces);
 *	- the trigger offer_cap_count, whenever max_acceptances is written,
 *	  whoever writes it (update_offer, a DBA in psql): no cap, no counter;
 *	  a new capped offer starts at 0 (a restored one keeps the count it was
 *	  dumped with); a cap set on an uncapped offer counts
 *	  the licenses it already gave (once, reading the license table: no
 *	  index on offer_id, whose entries every acceptance paid; 0.2 s for
 *	  10^6 licenses); a cap below the count is refused (22023).
 * The CHECK constraints offer_places_counted and offer_places_within_cap
 * make the rest structural: a counter exactly when there is a cap, never
 * above it.  enroll.check_invariants() compares the counter with the
 * licenses, for licenses a DBA writes by hand.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/rel.h"

#include "pg_enroll.h"

/*
 * Take `needed` places of a capped offer (the row is written, so that
 * under REPEATABLE READ or SERIALIZABLE a concurrent acceptance that read
 * an older count fails with 40001 instead of passing the cap).  No row:
 * too few places left.
 */
static EnrollPlan plan_take_places = {
	"UPDATE enroll.offer o SET acceptances_made = o.acceptances_made OPERATOR(pg_catalog.+) $2"
	" WHERE o.id OPERATOR(pg_catalog.=) $1"
	"   AND o.acceptances_made OPERATOR(pg_catalog.+) $2 OPERATOR(pg_catalog.<=) o.max_acceptances"
	" RETURNING o.acceptances_made",
	2, {INT8OID, INT4OID}
};

/* the count, for the refusal's message */
static EnrollPlan plan_places_made = {
	"SELECT o.acceptances_made FROM enroll.offer o WHERE o.id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

static EnrollPlan plan_return_places = {
	"UPDATE enroll.offer o SET acceptances_made = o.acceptances_made OPERATOR(pg_catalog.-) $2"
	" WHERE o.id OPERATOR(pg_catalog.=) $1 AND o.acceptances_made IS NOT NULL",
	2, {INT8OID, INT4OID}
};

/* the licenses obtained from the offer so far (seats aside) */
static EnrollPlan plan_count_acceptances = {
	"SELECT pg_catalog.count(*)::int4 FROM enroll.license l"
	" WHERE l.offer_id OPERATOR(pg_catalog.=) $1 AND l.parent_license IS NULL",
	1, {INT8OID}
};

/*
 * Take `needed` places of the offer (cap 0: none, nothing to do), or PE023:
 * an acceptance needs one, an order one per license it creates (for_order
 * words the message for the order).  Call with SPI connected and the offer
 * row locked; the caller writes the licenses in the same transaction.
 */
void
EnrollTakePlaces(int64 offer, const char *code, int32 cap, int needed, bool for_order)
{
	int32		made;

	if (cap == 0 || needed <= 0)
		return;
	if (EnrollExecute(&plan_take_places, (Datum[]) {Int64GetDatum(offer), Int32GetDatum(needed)},
					  NULL, false, 1, SPI_OK_UPDATE_RETURNING) == 1)
		return;
	EnrollExecute(&plan_places_made, (Datum[]) {Int64GetDatum(offer)}, NULL, false, 1, SPI_OK_SELECT);
	made = EnrollGetInt32(0, 1);
	if (for_order)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_OFFER_FULL),
				 errmsg("offer \"%s\" has not enough places left", code),
				 errdetail("It can be accepted %d times and has been %d times; this order needs %d licenses.",
						   cap, made, needed),
				 errhint("enroll.visible_offers shows the places left of capped offers.")));
	ereport(ERROR,
			(errcode(ERRCODE_ENROLL_OFFER_FULL),
			 errmsg("offer \"%s\" has no place left", code),
			 errdetail("It can be accepted %d times and has been %d times.", cap, made),
			 errhint("enroll.visible_offers shows the places left of capped offers.")));
}

/*
 * Give back places taken by EnrollTakePlaces in this transaction that
 * created no license (the holder kept theirs).
 */
void
EnrollReturnPlaces(int64 offer, int32 cap, int n)
{
	if (cap == 0 || n <= 0)
		return;
	EnrollExecute(&plan_return_places, (Datum[]) {Int64GetDatum(offer), Int32GetDatum(n)},
				  NULL, false, 0, SPI_OK_UPDATE);
}

PG_FUNCTION_INFO_V1(offer_cap_count);
/*
 * Trigger on enroll.offer, BEFORE INSERT OR UPDATE OF max_acceptances FOR
 * EACH ROW: sets acceptances_made from the cap being written (see the file
 * header).  A cap out of its range is left to the CHECK constraint
 * offer_max_acceptances_range, which says so.
 */
Datum
offer_cap_count(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc;
	HeapTuple	newtup;
	int			cap_att;
	int			made_att;
	int			id_att;
	bool		isnull;
	int32		cap;
	Datum		made = (Datum) 0;
	bool		made_null = true;	/* no cap, no counter */

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!(TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) || TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("offer_cap_count must be a BEFORE INSERT OR UPDATE FOR EACH ROW trigger")));

	tupdesc = RelationGetDescr(trigdata->tg_relation);
	newtup = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	cap_att = EnrollOfferAttnum(tupdesc, "max_acceptances");
	made_att = EnrollOfferAttnum(tupdesc, "acceptances_made");
	id_att = EnrollOfferAttnum(tupdesc, "id");
	cap = DatumGetInt32(heap_getattr(newtup, cap_att, tupdesc, &isnull));

	if (!isnull && (cap <= 0 || cap > 100000000))
	{
		/* out of range: the range CHECK refuses it */
		made = Int32GetDatum(0);
		made_null = false;
	}
	else if (!isnull && TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		/*
		 * A new offer: no license names it yet, 0; a row given with its
		 * count is a restore (pg_dump's COPY fires this trigger) and keeps
		 * it (the CHECKs bound it, check_invariants compares it).
		 */
		made = heap_getattr(newtup, made_att, tupdesc, &made_null);
		if (made_null)
			made = Int32GetDatum(0);
		made_null = false;
	}
	else if (!isnull)
	{
		HeapTuple	oldtup = trigdata->tg_trigtuple;
		bool		old_uncapped;
		int32		count;

		(void) heap_getattr(oldtup, cap_att, tupdesc, &old_uncapped);
		if (old_uncapped)
		{
			Datum		id = heap_getattr(oldtup, id_att, tupdesc, &isnull);

			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			EnrollExecute(&plan_count_acceptances, &id, NULL, false, 1, SPI_OK_SELECT);
			count = EnrollGetInt32(0, 1);
			SPI_finish();
		}
		else
			count = DatumGetInt32(heap_getattr(oldtup, made_att, tupdesc, &isnull));
		if (count > cap)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("offer \"%s\" has been accepted %d times, more than the cap of %d",
							EnrollOfferCode(oldtup, tupdesc),
							count, cap),
					 errhint("Choose a cap of at least the acceptances already made, or 0 to remove the cap."),
					 errtablecol(trigdata->tg_relation, cap_att)));
		made = Int32GetDatum(count);
		made_null = false;
	}

	{
		int			cols[1] = {made_att};
		Datum		vals[1] = {made};
		bool		nulls[1] = {made_null};

		newtup = heap_modify_tuple_by_cols(newtup, tupdesc, 1, cols, vals, nulls);
	}
	return PointerGetDatum(newtup);
}

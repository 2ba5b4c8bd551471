/*-------------------------------------------------------------------------
 * offers.c
 *	  Offers (S2.1-S2.7): the one definition of an offer's state in C (S2.3)
 *	  and the "offer is active" check every license path makes (S2.5), and
 *	  the trigger that guards an offer's validity window on every UPDATE
 *	  (S2.4), whoever issues it.
 *
 * The SQL face of offers (create_offer, update_offer, offer_state, the
 * visible_offers view, addressees and registrar types) lives in the install
 * script; the rule that must hold for a DBA writing rows by hand too lives
 * here, in a BEFORE UPDATE FOR EACH ROW trigger on enroll.offer.
 *
 * S2.4, with now = EnrollClockNow():
 *	- a changed valid_from may not lie in the past, and the valid_from of an
 *	  offer that has started (old valid_from <= now) is frozen;
 *	- a changed valid_until may not lie in the past; valid_until = now is
 *	  allowed: it closes the offer at once (the window's end is exclusive);
 *	- the window stays non-empty (valid_until > valid_from).  The CHECK
 *	  constraint offer_window_not_empty holds the same rule; the trigger
 *	  runs first and says which values clashed.
 * Unchanged bounds pass untouched, so editing the title or the price of an
 * offer that has started is fine.  Every refusal is SQLSTATE PE008.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"

/*
 * Attribute number of a column of enroll.offer (a trigger's table); elog
 * if missing.  The offer triggers here and in acceptance_cap.c use it.
 */
int
EnrollOfferAttnum(TupleDesc tupdesc, const char *colname)
{
	int			attnum = SPI_fnumber(tupdesc, colname);

	if (attnum <= 0)
		elog(ERROR, "column \"%s\" of enroll.offer is missing", colname);
	return attnum;
}

/*
 * A timestamptz column of a row; false when NULL (the NOT NULL constraint,
 * checked after BEFORE triggers, reports that case).
 */
static bool
OfferTimestamp(HeapTuple tuple, TupleDesc tupdesc, int attnum,
			   TimestampTz *value)
{
	bool		isnull;
	Datum		d = heap_getattr(tuple, attnum, tupdesc, &isnull);

	if (isnull)
		return false;
	*value = DatumGetTimestampTz(d);
	return true;
}

/*
 * The offer's code, for messages (palloc'd; "?" if somehow NULL).  The
 * offer triggers here and in acceptance_cap.c use it.
 */
char *
EnrollOfferCode(HeapTuple tuple, TupleDesc tupdesc)
{
	bool		isnull;
	Datum		d = heap_getattr(tuple, EnrollOfferAttnum(tupdesc, "code"), tupdesc,
								 &isnull);

	return isnull ? pstrdup("?") : TextDatumGetCString(d);
}

/*
 * A timestamp as text in the session's DateStyle and TimeZone.  The result
 * is palloc'd: timestamptz_to_str returns a static buffer, and a message
 * shows several instants at once.
 */
static char *
TimestampText(TimestampTz t)
{
	return pstrdup(timestamptz_to_str(t));
}

/*
 * The latest acceptance of the offer ($1) at or after $2: the only ones that
 * can stop a new end, which is never before now.  A custom plan, so that the
 * planner sees how recent $2 is and takes license_accepted_at_idx (a BRIN:
 * the pages written since then) rather than reading every license; there is
 * no index on offer_id (see 03_tables.sql).
 */
static EnrollPlan plan_latest_acceptance = {
	"SELECT pg_catalog.max(accepted_at) FROM enroll.license"
	" WHERE offer_id OPERATOR(pg_catalog.=) $1 AND accepted_at OPERATOR(pg_catalog.>=) $2",
	2, {INT8OID, TIMESTAMPTZOID}, NULL, CURSOR_OPT_CUSTOM_PLAN
};

/* id column of an offer row */
static int64
OfferId(HeapTuple tuple, TupleDesc tupdesc)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tuple, tupdesc, EnrollOfferAttnum(tupdesc, "id"), &isnull);

	if (isnull)
		elog(ERROR, "offer row without id");
	return DatumGetInt64(d);
}

/*
 * The latest accepted_at of the offer's licenses if it is at or after
 * `from`; false when no license was accepted then.
 */
static bool
LatestAcceptanceFrom(int64 offer_id, TimestampTz from, TimestampTz *latest)
{
	Datum		args[2] = {Int64GetDatum(offer_id), TimestampTzGetDatum(from)};
	bool		isnull = true;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	EnrollExecute(&plan_latest_acceptance, args, NULL, false, 1, SPI_OK_SELECT);
	*latest = DatumGetTimestampTz(EnrollGetDatum(0, 1, &isnull));
	SPI_finish();
	return !isnull;
}

/*
 * The state of a validity window at an instant (S2.3): "upcoming" before
 * valid_from, "active" from valid_from (inclusive) until valid_until
 * (exclusive), "expired" from valid_until on.  The C twin of the SQL
 * function enroll.offer_window_state; 05_offers compares the two at the
 * bounds.
 */
const char *
EnrollOfferState(TimestampTz valid_from, TimestampTz valid_until, TimestampTz now)
{
	if (now < valid_from)
		return "upcoming";
	if (now < valid_until)
		return "active";
	return "expired";
}

/*
 * Licenses only from an active offer (S2.3, S2.5): PE002 naming the window
 * unless the offer is active at `now`.  Every path that creates a license
 * checks it here.
 */
void
EnrollRequireOfferActive(const char *code, TimestampTz valid_from,
						 TimestampTz valid_until, TimestampTz now)
{
	const char *state = EnrollOfferState(valid_from, valid_until, now);

	if (strcmp(state, "active") == 0)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_ENROLL_OFFER_NOT_ACTIVE),
			 errmsg(strcmp(state, "upcoming") == 0 ? "offer \"%s\" is not active yet"
					: "offer \"%s\" has expired", code),
			 errdetail("The offer is valid from %s until %s; it is now %s.",
					   TimestampText(valid_from), TimestampText(valid_until),
					   TimestampText(now)),
			 errhint("A license can only be obtained from an active offer; see enroll.visible_offers.")));
}

/* the old and new bounds of an offer being updated, for the checks below */
typedef struct WindowChange
{
	Relation	rel;
	HeapTuple	oldtup;
	int			from_attnum;
	int			until_attnum;
	TimestampTz old_from;
	TimestampTz new_from;
	TimestampTz old_until;
	TimestampTz new_until;
	TimestampTz now;
} WindowChange;

/*
 * A changed valid_from: the start of an offer that has started is frozen,
 * and an upcoming offer may start later or sooner, but not in the past.
 */
static void
CheckNewStart(const WindowChange *w)
{
	TupleDesc	tupdesc = RelationGetDescr(w->rel);

	if (w->old_from <= w->now)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_VALIDITY_CHANGE),
				 errmsg("cannot change \"valid_from\" of offer \"%s\": the offer has started",
						EnrollOfferCode(w->oldtup, tupdesc)),
				 errdetail("\"valid_from\" would change from %s to %s; the offer started at or before now (%s).",
						   TimestampText(w->old_from), TimestampText(w->new_from),
						   TimestampText(w->now)),
				 errhint("Once an offer has started its \"valid_from\" is frozen (S2.4); only \"valid_until\" may still change, to a time at or after now."),
				 errtablecol(w->rel, w->from_attnum)));
	if (w->new_from < w->now)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_VALIDITY_CHANGE),
				 errmsg("cannot move \"valid_from\" of offer \"%s\" into the past",
						EnrollOfferCode(w->oldtup, tupdesc)),
				 errdetail("\"valid_from\" would change from %s to %s, before now (%s).",
						   TimestampText(w->old_from), TimestampText(w->new_from),
						   TimestampText(w->now)),
				 errhint("Choose a time at or after now; to open the offer now, set valid_from to enroll.clock_now()."),
				 errtablecol(w->rel, w->from_attnum)));
}

/*
 * A changed valid_until: never in the past, and never before a license the
 * offer already granted (S2.4, S2.5).  "Close now" uses the closing
 * transaction's start as now; an acceptance that committed while the close
 * waited for the offer's row lock can be later than that, and the offer
 * would then end before its license.  The fresh snapshot of this query sees
 * every acceptance that held the row lock; later ones wait for this update.
 */
static void
CheckNewEnd(const WindowChange *w)
{
	TupleDesc	tupdesc = RelationGetDescr(w->rel);
	TimestampTz latest;

	if (w->new_until < w->now)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_VALIDITY_CHANGE),
				 errmsg("cannot move \"valid_until\" of offer \"%s\" into the past",
						EnrollOfferCode(w->oldtup, tupdesc)),
				 errdetail("\"valid_until\" would change from %s to %s, before now (%s); licenses obtained from the offer would then point to an offer that was not valid (S2.4).",
						   TimestampText(w->old_until), TimestampText(w->new_until),
						   TimestampText(w->now)),
				 errhint("Choose a time at or after now; to close the offer now, set valid_until to enroll.clock_now()."),
				 errtablecol(w->rel, w->until_attnum)));
	if (w->new_until < w->old_until &&
		LatestAcceptanceFrom(OfferId(w->oldtup, tupdesc), w->new_until, &latest))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_VALIDITY_CHANGE),
				 errmsg("cannot end offer \"%s\" before its latest acceptance",
						EnrollOfferCode(w->oldtup, tupdesc)),
				 errdetail("\"valid_until\" would be %s, but a license was accepted from the offer at %s.",
						   TimestampText(w->new_until), TimestampText(latest)),
				 errhint("Choose a \"valid_until\" after that acceptance; a close retried in a new transaction gets a later now."),
				 errtablecol(w->rel, w->until_attnum)));
}

/* is a private offer addressed to the account, directly or through a current membership? */
static EnrollPlan plan_addressed_to = {
	"SELECT EXISTS (SELECT FROM enroll.offer_recipient r"
	"  WHERE r.offer_id OPERATOR(pg_catalog.=) $1"
	"    AND (r.account_id OPERATOR(pg_catalog.=) $2"
	"         OR r.organization_id IN (SELECT m.organization_id FROM enroll.membership m"
	"              WHERE m.account_id OPERATOR(pg_catalog.=) $2 AND m.left_at IS NULL)))",
	2, {INT8OID, INT8OID}
};

/*
 * Is the offer among those addressed to the account: the account itself,
 * or an organization it currently belongs to (S2.7)?  The C twin of
 * enroll.offer_addressed_to_actor (SPI connected).
 */
bool
EnrollOfferAddressedTo(int64 offer, int64 account)
{
	EnrollExecute(&plan_addressed_to, (Datum[]) {Int64GetDatum(offer), Int64GetDatum(account)},
				  NULL, true, 1, SPI_OK_SELECT);
	return EnrollGetBool(0, 1);
}

PG_FUNCTION_INFO_V1(offer_validity_guard);
/*
 * Trigger function on enroll.offer, BEFORE UPDATE FOR EACH ROW: refuses the
 * validity edits S2.4 forbids (PE008) and returns the new row otherwise.
 * Reads the old and new rows and the rule clock; only when valid_until moves
 * earlier does it also read the offer's latest acceptance (one index probe).
 */
Datum
offer_validity_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc;
	HeapTuple	newtup;
	WindowChange w;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", "offer_validity_guard")));
	if (!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired BEFORE UPDATE FOR EACH ROW", "offer_validity_guard")));

	w.rel = trigdata->tg_relation;
	tupdesc = RelationGetDescr(w.rel);
	w.oldtup = trigdata->tg_trigtuple;
	newtup = trigdata->tg_newtuple;
	w.from_attnum = EnrollOfferAttnum(tupdesc, "valid_from");
	w.until_attnum = EnrollOfferAttnum(tupdesc, "valid_until");

	/* a NULL bound is left to the NOT NULL constraint */
	if (!OfferTimestamp(w.oldtup, tupdesc, w.from_attnum, &w.old_from) ||
		!OfferTimestamp(w.oldtup, tupdesc, w.until_attnum, &w.old_until) ||
		!OfferTimestamp(newtup, tupdesc, w.from_attnum, &w.new_from) ||
		!OfferTimestamp(newtup, tupdesc, w.until_attnum, &w.new_until))
		return PointerGetDatum(newtup);
	if (w.new_from == w.old_from && w.new_until == w.old_until)
		return PointerGetDatum(newtup);

	w.now = EnrollClockNow();
	if (w.new_from != w.old_from)
		CheckNewStart(&w);
	if (w.new_until != w.old_until)
		CheckNewEnd(&w);

	/* the same rule as CHECK offer_window_not_empty, with a clearer message */
	if (w.new_until <= w.new_from)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_VALIDITY_CHANGE),
				 errmsg("validity window of offer \"%s\" would be empty",
						EnrollOfferCode(w.oldtup, tupdesc)),
				 errdetail("\"valid_from\" would be %s and \"valid_until\" %s; the window ends before \"valid_until\", so it must be later than \"valid_from\".",
						   TimestampText(w.new_from), TimestampText(w.new_until)),
				 errhint("Choose a \"valid_until\" later than \"valid_from\" (S2.3)."),
				 errtableconstraint(w.rel, "offer_window_not_empty")));

	return PointerGetDatum(newtup);
}


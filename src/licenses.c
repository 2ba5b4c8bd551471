/*-------------------------------------------------------------------------
 * licenses.c
 *	  Licenses: the one place that decides a new license's access window,
 *	  what happens to the holder's current license when a new one comes
 *	  (S2.23 and the consent rule of 1.2), and what happens when a license
 *	  ends early.
 *
 * S2.23: if a learner accepts a new offer, the access time left from the
 * earlier license is lost; access times never add up.  That is the
 * learner's OWN choice.  1.2 adds the consent rule: a license created on
 * someone else's initiative -- an operator's order, an organization admin's
 * seat, a system admin accepting on a learner's behalf -- never reduces the
 * person's access at any instant and never ends a license they obtained
 * otherwise:
 *	 - when the new license would not give them more (it ends no later than
 *	   the current one, which still gives access), they keep theirs and no
 *	   license is created: outcome "kept";
 *	 - otherwise the current license is superseded, but a new license that
 *	   starts later (a session in June bought in March) does not cut access
 *	   before it starts: the current license's ended_at is set to the
 *	   instant the new one starts (outcome "follows"), or now ("replaced").
 *	   The access check (access.c) reads a current license that has not
 *	   started through its predecessor until the hand-over.
 * The holder's own choice supersedes whatever the current license gives,
 * with the same hand-over when the new license starts later.  A holder
 * without a current license simply gets the new one ("granted").
 * EnrollGrantDecide is that rule, once; accept_offer (acceptance.c),
 * allocate_seat (seats.c) and setup_course_session (session.c) all call
 * it, one holder at a time (EnrollGrantOne) or set-based for a session
 * (EnrollReadCurrent + EnrollSupersedeList).
 *
 * A license created on someone else's initiative (accepted_by is not its
 * holder) that ends early for any reason but being superseded -- its order
 * cancelled, its holder removed from the order, a seat released or left,
 * a revocation -- gives back the license it superseded, if that one's time
 * is not over (EnrollEndLicense): the person is where they would have been
 * without it.  A license the holder accepted themself gives nothing back
 * (S2.23: the time left was lost by their own choice).
 *
 * S2.18: a license that supersedes one of the same course and registrar
 * whose documents are due and not validated keeps that earlier deadline
 * (re-accepting never resets it).
 *
 * Concurrency: callers lock the holder's row (account or organization)
 * FOR NO KEY UPDATE before reading its current license, so two license
 * creations for one holder serialize.  Under REPEATABLE READ or
 * SERIALIZABLE the snapshot may predate a license that a concurrent
 * transaction committed while this one waited for the lock: the unique
 * index then refuses the insert, and EnrollExecuteLicenseInsert reports it
 * as the serialization failure it is (40001, retry), never as 23505.
 *
 * Lock order, shared by every writer: offer, holder, membership, license.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "pg_enroll.h"

/* license ids drawn by one statement */
#define LICENSE_ID_BATCH 5000

static EnrollPlan plan_next_ids = {
	"SELECT pg_catalog.nextval('enroll.license_id_seq'::pg_catalog.regclass)"
	"  FROM pg_catalog.generate_series(1, $1)",
	1, {INT4OID}, NULL, ENROLL_GENERIC
};

/*
 * The current licenses of account holders ($2) or of one organization ($3)
 * for a course, locked, with what the consent rule needs: the end of their
 * access, whether a seat has lost its organization license, and their
 * documents deadline.
 */
#define CURRENT_COLUMNS \
	"SELECT l.id, COALESCE(l.account_id, l.organization_id), l.access_until," \
	"       p.id IS NOT NULL AND (p.ended_at IS NOT NULL OR p.access_until OPERATOR(pg_catalog.<=) $4)," \
	"       l.registrar_org_id, l.documents_due_at," \
	"       l.documents_due_at IS NOT NULL AND l.documents_validated_at IS NULL" \
	"  FROM enroll.license l" \
	"  LEFT JOIN enroll.license p ON p.id OPERATOR(pg_catalog.=) l.parent_license"
#define CURRENT_WHERE \
	" WHERE l.course_id OPERATOR(pg_catalog.=) $1 AND l.ended_at IS NULL" \
	"   AND (l.account_id OPERATOR(pg_catalog.=) ANY ($2)" \
	"        OR l.organization_id OPERATOR(pg_catalog.=) $3)"
static EnrollPlan plan_current_locked = {
	CURRENT_COLUMNS CURRENT_WHERE " ORDER BY l.account_id, l.id FOR UPDATE OF l",
	4, {INT8OID, INT8ARRAYOID, INT8OID, TIMESTAMPTZOID}, NULL, ENROLL_GENERIC
};
static EnrollPlan plan_current = {
	CURRENT_COLUMNS CURRENT_WHERE,
	4, {INT8OID, INT8ARRAYOID, INT8OID, TIMESTAMPTZOID}, NULL, ENROLL_GENERIC
};

/*
 * The same for one holder, as EnrollGrantOne needs it: one probe of the
 * current-license key, locked; whether the license has not started yet (only
 * then can a predecessor still give access after now: see
 * EnrollGrantOne); the seat's organization license read only for a seat.
 */
#define CURRENT_ONE_COLUMNS \
	"SELECT l.id, l.access_until, l.access_from OPERATOR(pg_catalog.>) $3, l.parent_license," \
	"       l.registrar_org_id, l.documents_due_at," \
	"       l.documents_due_at IS NOT NULL AND l.documents_validated_at IS NULL" \
	"  FROM enroll.license l"
static EnrollPlan plan_current_account = {
	CURRENT_ONE_COLUMNS
	" WHERE l.account_id OPERATOR(pg_catalog.=) $1 AND l.course_id OPERATOR(pg_catalog.=) $2"
	"   AND l.ended_at IS NULL FOR UPDATE",
	3, {INT8OID, INT8OID, TIMESTAMPTZOID}
};
static EnrollPlan plan_current_organization = {
	CURRENT_ONE_COLUMNS
	" WHERE l.organization_id OPERATOR(pg_catalog.=) $1 AND l.course_id OPERATOR(pg_catalog.=) $2"
	"   AND l.ended_at IS NULL FOR UPDATE",
	3, {INT8OID, INT8OID, TIMESTAMPTZOID}
};
static EnrollPlan plan_seat_withdrawn = {
	"SELECT p.ended_at IS NOT NULL OR p.access_until OPERATOR(pg_catalog.<=) $2"
	"  FROM enroll.license p WHERE p.id OPERATOR(pg_catalog.=) $1",
	2, {INT8OID, TIMESTAMPTZOID}
};

/*
 * The holder's own choice (EnrollGrantOne with own): the current license,
 * if any, is always superseded, so it is read, locked and ended by one
 * UPDATE: its hand-over is EnrollGrantDecide's for own, Max(now, Min(from,
 * access_until)), which the caller checks against the rule itself.  The
 * columns returned are those of CURRENT_ONE_COLUMNS (none of them is
 * written here), then the hand-over.
 */
#define SUPERSEDE_OWN \
	"UPDATE enroll.license l SET ended_at = GREATEST($3, LEAST($4, l.access_until))," \
	"       end_reason = 'superseded', superseded_by = $5"
#define SUPERSEDE_OWN_RETURNING \
	"   AND l.ended_at IS NULL" \
	" RETURNING l.id, l.access_until, l.access_from OPERATOR(pg_catalog.>) $3, l.parent_license," \
	"           l.registrar_org_id, l.documents_due_at," \
	"           l.documents_due_at IS NOT NULL AND l.documents_validated_at IS NULL, l.ended_at"
static EnrollPlan plan_supersede_own_account = {
	SUPERSEDE_OWN
	" WHERE l.account_id OPERATOR(pg_catalog.=) $1 AND l.course_id OPERATOR(pg_catalog.=) $2"
	SUPERSEDE_OWN_RETURNING,
	5, {INT8OID, INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID, INT8OID}
};
static EnrollPlan plan_supersede_own_organization = {
	SUPERSEDE_OWN
	" WHERE l.organization_id OPERATOR(pg_catalog.=) $1 AND l.course_id OPERATOR(pg_catalog.=) $2"
	SUPERSEDE_OWN_RETURNING,
	5, {INT8OID, INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID, INT8OID}
};

/* plan_supersede for one license: its end, then (when needed) its predecessor's */
static EnrollPlan plan_supersede_one = {
	"UPDATE enroll.license SET ended_at = $2, end_reason = 'superseded', superseded_by = $3"
	" WHERE id OPERATOR(pg_catalog.=) $1",
	3, {INT8OID, TIMESTAMPTZOID, INT8OID}
};
static EnrollPlan plan_supersede_earlier = {
	"UPDATE enroll.license SET ended_at = $2"
	" WHERE superseded_by OPERATOR(pg_catalog.=) $1 AND ended_at OPERATOR(pg_catalog.>) $2",
	2, {INT8OID, TIMESTAMPTZOID}
};

/*
 * Supersede licenses: each ends at its hand-over instant, names its
 * successor; a predecessor still giving access until the old license's own
 * hand-over gives it up no later than the new hand-over.  (The enrollments
 * follow once the successor exists: EnrollRelinkEnrollments.)
 */
static EnrollPlan plan_supersede = {
	"WITH s AS ("
	"  SELECT * FROM ROWS FROM (pg_catalog.unnest($1::bigint[]), pg_catalog.unnest($2::timestamptz[]),"
	"                           pg_catalog.unnest($3::bigint[]), pg_catalog.unnest($4::timestamptz[]),"
	"                           pg_catalog.unnest($5::timestamptz[]))"
	"         AS s(old_id, handover, new_id, new_from, new_until)),"
	" ended AS ("
	"  UPDATE enroll.license l SET ended_at = s.handover, end_reason = 'superseded', superseded_by = s.new_id"
	"    FROM s WHERE l.id OPERATOR(pg_catalog.=) s.old_id RETURNING l.id),"
	" earlier AS ("
	"  UPDATE enroll.license l SET ended_at = s.handover"
	"    FROM s WHERE l.superseded_by OPERATOR(pg_catalog.=) s.old_id"
	"     AND l.ended_at OPERATOR(pg_catalog.>) s.handover RETURNING l.id)"
	"SELECT (SELECT pg_catalog.count(*) FROM ended), (SELECT pg_catalog.count(*) FROM earlier)",
	5, {INT8ARRAYOID, TIMESTAMPTZARRAYOID, INT8ARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID},
	NULL, ENROLL_GENERIC
};

/*
 * The enrollments that pointed at a superseded license point at its
 * successor, with the successor's window (run once the successor exists:
 * the foreign key is checked at once).
 */
static EnrollPlan plan_relink = {
	"UPDATE enroll.enrollment e"
	"   SET license_id = CASE WHEN e.license_id IS NULL THEN NULL ELSE $2 END,"
	"       via_license = CASE WHEN e.via_license IS NULL THEN NULL ELSE $2 END,"
	"       time_start = l.access_from, time_end = l.access_until"
	"  FROM enroll.license l"
	" WHERE (e.license_id OPERATOR(pg_catalog.=) $1 OR e.via_license OPERATOR(pg_catalog.=) $1)"
	"   AND l.id OPERATOR(pg_catalog.=) $2",
	2, {INT8OID, INT8OID}
};

/*
 * Does an enrollment point at the license (license_id or via_license)?
 * Seen as plan_relink's UPDATE would see it: the snapshot SPI would take
 * for the next statement (a new one under READ COMMITTED, this command's
 * writes included).  Most acceptances supersede a license no enrollment
 * names (a learner's own renewal): two index probes instead of an UPDATE
 * whose bitmap scan of two indexes was ~6 % of accept_offer (scripts/bench).
 */
static bool
EnrollmentNames(int64 license)
{
	const EnrollCatalog *cat = EnrollGetCatalog();
	Snapshot	snapshot = EnrollBeginStatementProbe();
	Relation	rel = table_open(cat->enrollment, AccessShareLock);
	bool		found;

	found = EnrollIndexHasKey(rel, cat->enrollment_license, license, snapshot) ||
		EnrollIndexHasKey(rel, cat->enrollment_via_license, license, snapshot);
	table_close(rel, AccessShareLock);
	EnrollEndStatementProbe();
	return found;
}

/*
 * After a license that superseded `old` was inserted as `successor`: the
 * enrollments follow it (enrollments keep pointing at the license that
 * gives access), the support-course enrollments that rode on `old` too
 * (S1.7: support access is the access to the session's course, as for a
 * participant whose own license was kept).
 */
void
EnrollRelinkEnrollments(int64 old, int64 successor)
{
	if (old == 0 || !EnrollmentNames(old))
		return;
	EnrollExecute(&plan_relink, (Datum[]) {Int64GetDatum(old), Int64GetDatum(successor)},
				  NULL, false, 0, SPI_OK_UPDATE);
}

/*
 * Fill ids[0..n) with new license ids (the successors to name), in order.
 * LICENSE_ID_BATCH at a time: a statement result of 100,000 rows took
 * about 12 MB (the rows and the materialized generate_series).
 */
void
EnrollNextLicenseIds(int64 *ids, int n)
{
	if (n == 1)
	{
		/* one id, as an acceptance or a seat needs it: nextval itself */
		ids[0] = nextval_internal(EnrollGetCatalog()->license_id_seq, true);
		return;
	}
	for (int first = 0; first < n; first += LICENSE_ID_BATCH)
	{
		int			m = Min(n - first, LICENSE_ID_BATCH);
		Datum		arg = Int32GetDatum(m);

		CHECK_FOR_INTERRUPTS();
		if (EnrollExecute(&plan_next_ids, &arg, NULL, false, 0, SPI_OK_SELECT) != (uint64) m)
			elog(ERROR, "could not draw %d license ids", m);
		for (int i = 0; i < m; i++)
			ids[first + i] = EnrollGetInt64(i, 1);
		SPI_freetuptable(SPI_tuptable);
	}
}

/*
 * The access window of a license from an offer, obtained now: a session's
 * starttime/endtime when the offer's handler_params give them (S1.10: the
 * session window is the access window), else from now for the offer's
 * access_period.  A session with only a start runs for access_period from
 * it; with only an end, from now until it.  A session that is over gives
 * nothing: PE002.  documents_due (when grace is not NULL) is the start of
 * access plus the documents grace (S2.18).
 */
void
EnrollLicenseWindow(const char *code, const SessionParams *sp, Datum access_period,
					Datum grace, bool grace_null, TimestampTz now,
					TimestampTz *from, TimestampTz *until, TimestampTz *documents_due)
{
	*from = (sp != NULL && sp->has_start) ? sp->starttime : now;
	if (sp != NULL && sp->has_end)
		*until = sp->endtime;
	else
		*until = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
														 TimestampTzGetDatum(*from), access_period));
	if (*until <= now || *until <= *from)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_OFFER_NOT_ACTIVE),
				 errmsg("the session of offer \"%s\" is over", code),
				 errdetail("Its access window ended at %s; it is now %s.",
						   pstrdup(timestamptz_to_str(*until)), pstrdup(timestamptz_to_str(now))),
				 errhint("Close the offer (valid_until) or give it a later endtime.")));
	*documents_due = grace_null ? 0 :
		DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
												TimestampTzGetDatum(*from), grace));
}

/*
 * The consent rule (see the file header): what a new license [from, until)
 * does to the holder's current license cur (id 0: none), on the holder's
 * own initiative or someone else's.  *handover is when the current license
 * stops (for replaced and follows).
 */
GrantOutcome
EnrollGrantDecide(const CurrentLicense *cur, TimestampTz from, TimestampTz until,
				  bool own, TimestampTz now, TimestampTz *handover)
{
	bool		gives_access;

	*handover = 0;
	if (cur->id == 0)
		return GRANT_GRANTED;
	gives_access = now < cur->access_until && !cur->withdrawn_seat;
	if (!own && gives_access && until <= cur->access_until)
		return GRANT_KEPT;
	/* the current license gives access until the new one starts, at most */
	*handover = Max(now, Min(from, cur->access_until));
	return *handover > now ? GRANT_FOLLOWS : GRANT_REPLACED;
}

/* The word an application shows for an outcome. */
const char *
EnrollGrantOutcomeName(GrantOutcome outcome)
{
	switch (outcome)
	{
		case GRANT_GRANTED:
			return "granted";
		case GRANT_REPLACED:
			return "replaced";
		case GRANT_FOLLOWS:
			return "follows";
		case GRANT_KEPT:
			return "kept";
	}
	return "?";
}

/*
 * S2.18: the documents deadline of a new license of the same course: an
 * unmet deadline of the current license with the same registrar stays when
 * it is earlier.  due == 0 means the new license needs no documents.
 */
TimestampTz
EnrollDocumentsDue(const CurrentLicense *cur, int64 registrar, TimestampTz due)
{
	if (due == 0 || cur->id == 0 || !cur->documents_unmet || cur->registrar != registrar)
		return due;
	return Min(due, cur->documents_due);
}

/*
 * Read (and lock, when lock) the current licenses for course of the account
 * holders accounts[0..n) (or of the organization when n == 0); cur[i]
 * describes accounts[i]'s (id 0: none), cur[0] the organization's.
 */
void
EnrollReadCurrent(int64 course, const int64 *accounts, int n, int64 organization,
				  TimestampTz now, bool lock, CurrentLicense *cur)
{
	Datum		args[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	HTAB	   *index = NULL;

	memset(cur, 0, sizeof(CurrentLicense) * Max(n, 1));
	args[0] = Int64GetDatum(course);
	args[1] = EnrollInt8Array(accounts, n);
	args[2] = Int64GetDatum(organization);
	nulls[2] = organization == 0 ? 'n' : ' ';
	args[3] = TimestampTzGetDatum(now);
	EnrollExecute(lock ? &plan_current_locked : &plan_current, args, nulls, false, 0, SPI_OK_SELECT);
	if (n > 1)
		index = EnrollInt64Index(accounts, n);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		int64		holder = EnrollGetInt64(r, 2);
		int			i = n > 1 ? EnrollInt64IndexFind(index, holder) : 0;
		CurrentLicense *c;
		bool		isnull;

		if (i < 0)
			continue;
		c = &cur[i];
		c->id = EnrollGetInt64(r, 1);
		c->holder = holder;
		c->access_until = EnrollGetTimestamp(r, 3, NULL);
		c->withdrawn_seat = EnrollGetBool(r, 4);
		c->registrar = EnrollGetInt64(r, 5);
		c->documents_due = EnrollGetTimestamp(r, 6, &isnull);
		c->documents_unmet = EnrollGetBool(r, 7);
	}
}

/*
 * Supersede old_ids[i] by successors[i] at handovers[i] (see
 * plan_supersede), set-based for a session setup, which records one event
 * per participant naming what it superseded.
 */
void
EnrollSupersedeList(const int64 *old_ids, const TimestampTz *handovers,
					const int64 *successors, const TimestampTz *new_from,
					const TimestampTz *new_until, int n)
{
	Datum		args[5];

	if (n == 0)
		return;
	args[0] = EnrollInt8Array(old_ids, n);
	args[1] = EnrollTimestampArray(handovers, n);
	args[2] = EnrollInt8Array(successors, n);
	args[3] = EnrollTimestampArray(new_from, n);
	args[4] = EnrollTimestampArray(new_until, n);
	EnrollExecute(&plan_supersede, args, NULL, false, 0, SPI_OK_SELECT);
	if (EnrollGetInt64(0, 1) != n)
		elog(ERROR, "superseded %lld of %d licenses", (long long) EnrollGetInt64(0, 1), n);
}

/*
 * The whole rule for one holder (an account, or an organization when
 * account is 0) and one new license [from, until) that will get id
 * successor: read and lock the current license, decide, supersede it when
 * the decision says so.  The holder's own choice always supersedes, so
 * there the three steps are one UPDATE (a statement and a row lock fewer
 * per acceptance: scripts/bench).  Returns the outcome; *cur describes the
 * license the holder had.  The caller's own event names the license
 * superseded (one event per acceptance, not one per row written).
 */
GrantOutcome
EnrollGrantOne(int64 course, int64 account, int64 organization, TimestampTz from,
			   TimestampTz until, bool own, int64 successor, TimestampTz now,
			   CurrentLicense *cur)
{
	GrantOutcome outcome;
	TimestampTz handover;
	bool		isnull;
	bool		not_started = false;
	int64		parent = 0;
	Datum		holder = Int64GetDatum(account != 0 ? account : organization);

	memset(cur, 0, sizeof(CurrentLicense));
	if (own)
	{
		/* always superseded: read, lock and end it in one statement */
		if (EnrollExecute(account != 0 ? &plan_supersede_own_account : &plan_supersede_own_organization,
						  (Datum[]) {holder, Int64GetDatum(course), TimestampTzGetDatum(now),
						  TimestampTzGetDatum(from), Int64GetDatum(successor)},
						  NULL, false, 0, SPI_OK_UPDATE_RETURNING) == 0)
			return EnrollGrantDecide(cur, from, until, own, now, &handover);
	}
	else if (EnrollExecute(account != 0 ? &plan_current_account : &plan_current_organization,
						   (Datum[]) {holder, Int64GetDatum(course), TimestampTzGetDatum(now)},
						   NULL, false, 0, SPI_OK_SELECT) == 0)
		return EnrollGrantDecide(cur, from, until, own, now, &handover);

	cur->id = EnrollGetInt64(0, 1);
	cur->holder = DatumGetInt64(holder);
	cur->access_until = EnrollGetTimestamp(0, 2, NULL);
	not_started = EnrollGetBool(0, 3);
	parent = EnrollGetInt64(0, 4);
	cur->registrar = EnrollGetInt64(0, 5);
	cur->documents_due = EnrollGetTimestamp(0, 6, &isnull);
	cur->documents_unmet = EnrollGetBool(0, 7);
	if (own)
	{
		/* the statement's hand-over must be the rule's */
		outcome = EnrollGrantDecide(cur, from, until, own, now, &handover);
		if ((outcome != GRANT_REPLACED && outcome != GRANT_FOLLOWS) ||
			EnrollGetTimestamp(0, 8, NULL) != handover)
			elog(ERROR, "license %lld was superseded against the consent rule", (long long) cur->id);
	}
	else
	{
		/* only someone else's acceptance asks whether a seat still gives access */
		if (parent != 0 &&
			EnrollExecute(&plan_seat_withdrawn,
						  (Datum[]) {Int64GetDatum(parent), TimestampTzGetDatum(now)},
						  NULL, false, 1, SPI_OK_SELECT) > 0)
			cur->withdrawn_seat = EnrollGetBool(0, 1);
		outcome = EnrollGrantDecide(cur, from, until, own, now, &handover);
		if ((outcome == GRANT_REPLACED || outcome == GRANT_FOLLOWS) &&
			EnrollExecute(&plan_supersede_one,
						  (Datum[]) {Int64GetDatum(cur->id), TimestampTzGetDatum(handover),
						  Int64GetDatum(successor)},
						  NULL, false, 0, SPI_OK_UPDATE) != 1)
			elog(ERROR, "license %lld vanished", (long long) cur->id);
	}

	/*
	 * A predecessor gives access after now only to a license that has not
	 * started: it handed over at the start of this one, at most
	 * (EnrollGrantDecide).  Then it hands over no later than now.
	 */
	if ((outcome == GRANT_REPLACED || outcome == GRANT_FOLLOWS) && not_started)
		EnrollExecute(&plan_supersede_earlier,
					  (Datum[]) {Int64GetDatum(cur->id), TimestampTzGetDatum(handover)},
					  NULL, false, 0, SPI_OK_UPDATE);
	return outcome;
}

/*
 * End licenses now for a reason (cancelled, removed, released, revoked);
 * then give back the license each superseded when the ended license was
 * created on someone else's initiative and the earlier one's time is not
 * over, and point the enrollments at it (the support-course ones riding on
 * the ended license too).  One row per license ended: its
 * id, its holder, the predecessor given back (NULL: none).
 */
#define END_LICENSES \
	"  UPDATE enroll.license l SET ended_at = $2, end_reason = $3::enroll.license_end_reason, end_note = $4," \
	"         superseded_by = NULL" \
	"   WHERE l.id OPERATOR(pg_catalog.=) ANY ($1)" \
	"     AND (l.ended_at IS NULL OR l.ended_at OPERATOR(pg_catalog.>) $2)"
static EnrollPlan plan_end = {
	"WITH ended AS (" END_LICENSES
	"  RETURNING l.id, l.account_id, l.accepted_by IS DISTINCT FROM l.account_id AS third_party),"
	" back AS ("
	"  UPDATE enroll.license p SET ended_at = NULL, end_reason = NULL, superseded_by = NULL"
	"    FROM ended"
	"   WHERE ended.third_party AND p.superseded_by OPERATOR(pg_catalog.=) ended.id"
	"     AND p.end_reason OPERATOR(pg_catalog.=) 'superseded'"
	"     AND p.access_until OPERATOR(pg_catalog.>) $2"
	"  RETURNING p.id, ended.id AS after, p.access_from, p.access_until),"
	" relinked AS ("
	"  UPDATE enroll.enrollment e"
	"     SET license_id = CASE WHEN e.license_id IS NULL THEN NULL ELSE back.id END,"
	"         via_license = CASE WHEN e.via_license IS NULL THEN NULL ELSE back.id END,"
	"         time_start = back.access_from, time_end = back.access_until"
	"    FROM back WHERE e.license_id OPERATOR(pg_catalog.=) back.after"
	"                 OR e.via_license OPERATOR(pg_catalog.=) back.after"
	"  RETURNING e.license_id IS NOT NULL AS course)"
	"SELECT ended.id, ended.account_id, back.id,"
	"       (SELECT pg_catalog.count(*) FROM relinked WHERE relinked.course)"
	"  FROM ended LEFT JOIN back ON back.after OPERATOR(pg_catalog.=) ended.id",
	4, {INT8ARRAYOID, TIMESTAMPTZOID, TEXTOID, TEXTOID}, NULL, ENROLL_GENERIC
};

/*
 * The same when none of the licenses superseded anything: nothing to give
 * back, so no probe of license_superseded_by_idx per license ended (10,000
 * probes, 8 ms of a 10k cancellation's ~130 ms UPDATE, scripts/bench).
 */
static EnrollPlan plan_end_alone = {
	END_LICENSES " RETURNING l.id, l.account_id, NULL::bigint, 0::bigint",
	4, {INT8ARRAYOID, TIMESTAMPTZOID, TEXTOID, TEXTOID}, NULL, ENROLL_GENERIC
};

/*
 * Whether any license names one in [$1, $2] as its successor: one descent
 * of license_superseded_by_idx, stopping at the first.  A license names its
 * successor when the successor is created (in the same transaction), so
 * the licenses being ended, which exist, gain no predecessor after this
 * read; the range may hold others' successors, and a hit then only sends
 * the caller to plan_end, which looks license by license.
 */
static EnrollPlan plan_any_predecessor = {
	"SELECT EXISTS (SELECT FROM enroll.license p"
	"                WHERE p.superseded_by OPERATOR(pg_catalog.>=) $1"
	"                  AND p.superseded_by OPERATOR(pg_catalog.<=) $2)",
	2, {INT8OID, INT8OID}, NULL, ENROLL_GENERIC
};

/*
 * End licenses ids[0..n) now for `reason` (a license_end_reason), with an
 * optional note, giving predecessors back (see the file header).  Fills
 * ended[] (at most n entries) and returns how many ended (licenses that had
 * already ended are left alone).  Records license.end (when log) and
 * license.restore events about the holders.
 */
int
EnrollEndLicenses(const int64 *ids, int n, const char *reason, const char *note,
				  TimestampTz now, bool log, EndedLicense *ended)
{
	Datum		args[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	int			nended;
	int			nrestored = 0;
	int64	   *restored_ids;
	int64	   *restored_holders;
	Jsonb	  **restored_details;
	int64	   *end_ids;
	int64	   *end_holders;
	Jsonb	  **end_details;
	bool		alone = false;

	if (n == 0)
		return 0;
	args[0] = EnrollInt8Array(ids, n);
	args[1] = TimestampTzGetDatum(now);
	args[2] = CStringGetTextDatum(reason);
	args[3] = note ? CStringGetTextDatum(note) : (Datum) 0;
	nulls[3] = note ? ' ' : 'n';
	if (n > 1)
	{
		/* many licenses (an order's): one probe for all their predecessors first */
		int64		lo = ids[0];
		int64		hi = ids[0];

		for (int i = 1; i < n; i++)
		{
			lo = Min(lo, ids[i]);
			hi = Max(hi, ids[i]);
		}
		EnrollExecute(&plan_any_predecessor, (Datum[]) {Int64GetDatum(lo), Int64GetDatum(hi)},
					  NULL, false, 1, SPI_OK_SELECT);
		alone = !EnrollGetBool(0, 1);
	}
	nended = (int) EnrollExecute(alone ? &plan_end_alone : &plan_end, args, nulls, false, 0,
								 alone ? SPI_OK_UPDATE_RETURNING : SPI_OK_SELECT);
	restored_ids = palloc(sizeof(int64) * Max(nended, 1));
	restored_holders = palloc(sizeof(int64) * Max(nended, 1));
	restored_details = palloc(sizeof(Jsonb *) * Max(nended, 1));
	end_ids = palloc(sizeof(int64) * Max(nended, 1));
	end_holders = palloc(sizeof(int64) * Max(nended, 1));
	end_details = palloc(sizeof(Jsonb *) * Max(nended, 1));
	for (int i = 0; i < nended; i++)
	{
		ended[i].id = EnrollGetInt64(i, 1);
		ended[i].holder = EnrollGetInt64(i, 2);
		ended[i].restored = EnrollGetInt64(i, 3);
	}
	for (int i = 0; i < nended; i++)
	{
		/* an order's participants have their own event, which names both */
		if (log)
		{
			end_ids[i] = ended[i].id;
			end_holders[i] = ended[i].holder;
			end_details[i] = EnrollJsonbf("{\"reason\": \"%s\", \"restored\": %s}", reason,
										  ended[i].restored ? psprintf("%lld", (long long) ended[i].restored) : "null");
		}
		if (ended[i].restored)
		{
			restored_ids[nrestored] = ended[i].restored;
			restored_holders[nrestored] = ended[i].holder;
			restored_details[nrestored++] = EnrollJsonbf("{\"after\": %lld}", (long long) ended[i].id);
		}
	}
	if (log)
		EnrollLogEventsAbout(now, EnrollActorOrZero(), "license.end", "license", end_ids, end_holders,
							 (const Jsonb *const *) end_details, nended);
	EnrollLogEventsAbout(now, EnrollActorOrZero(), "license.restore", "license", restored_ids,
						 restored_holders, (const Jsonb *const *) restored_details, nrestored);
	return nended;
}

/*
 * EnrollEndLicenses for one license.  Returns false when the license had
 * already ended; *restored is the predecessor given back (0: none).
 */
bool
EnrollEndLicense(int64 id, const char *reason, const char *note, TimestampTz now,
				 bool log, int64 *restored)
{
	EndedLicense ended;

	*restored = 0;
	if (EnrollEndLicenses(&id, 1, reason, note, now, log, &ended) == 0)
		return false;
	*restored = ended.restored;
	return true;
}

static EnrollPlan plan_license_row = {
	"SELECT l FROM enroll.license l WHERE l.id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

/* The enroll.license row `id`, copied out of SPI for the caller. */
Datum
EnrollLicenseRow(int64 id)
{
	bool		isnull;

	if (EnrollExecute(&plan_license_row, (Datum[]) {Int64GetDatum(id)}, NULL, false, 1, SPI_OK_SELECT) != 1)
		elog(ERROR, "license %lld vanished", (long long) id);
	return SPI_datumTransfer(EnrollGetDatum(0, 1, &isnull), false, -1);
}

/*
 * A reason for ending something early (release, cancellation, removal):
 * optional; trimmed (enroll.trim_blank); blank means none; at most 2000
 * characters (22023).
 */
void
EnrollCheckReason(char **reason)
{
	char	   *r = *reason;
	size_t		len;

	if (r == NULL)
		return;
	r += strspn(r, ENROLL_WHITESPACE);
	len = strlen(r);
	while (len > 0 && strchr(ENROLL_WHITESPACE, r[len - 1]) != NULL)
		len--;
	if (len == 0)
	{
		*reason = NULL;
		return;
	}
	r = pnstrdup(r, len);
	if (pg_mbstrlen(r) > 2000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the reason is too long: %d characters", pg_mbstrlen(r)),
				 errdetail("A reason has at most 2000 characters.")));
	*reason = r;
}

static EnrollPlan plan_grant_row = {
	"SELECT l.*, $2 FROM enroll.license l WHERE l.id OPERATOR(pg_catalog.=) $1",
	2, {INT8OID, TEXTOID}
};

/* the same, saying only whose license for which course, and the outcome */
static EnrollPlan plan_grant_row_redacted = {
	"SELECT (pg_catalog.jsonb_populate_record(NULL::enroll.license_grant, pg_catalog.jsonb_build_object("
	"        'account_id', l.account_id, 'course_id', l.course_id, 'holder_kind', l.holder_kind,"
	"        'outcome', $2))).*"
	"  FROM enroll.license l WHERE l.id OPERATOR(pg_catalog.=) $1",
	2, {INT8OID, TEXTOID}
};

/*
 * The result of a function returning enroll.license_grant: license `id`
 * (the new one, or the one the holder kept) and the outcome's word, copied
 * out of SPI for the caller (call before SPI_finish).  Redacted: only the
 * holder, the course and the outcome (a license the person obtained
 * themself is theirs: the caller learns that they kept it, nothing more).
 */
Datum
EnrollGrantResultRedacted(FunctionCallInfo fcinfo, int64 id, GrantOutcome outcome, bool redacted)
{
	TupleDesc	tupdesc;
	Datum		args[2] = {Int64GetDatum(id), CStringGetTextDatum(EnrollGrantOutcomeName(outcome))};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "function returning enroll.license_grant called in a context that cannot accept it");
	if (EnrollExecute(redacted ? &plan_grant_row_redacted : &plan_grant_row, args, NULL, false, 1,
					  SPI_OK_SELECT) != 1)
		elog(ERROR, "license %lld vanished", (long long) id);
	if (SPI_tuptable->tupdesc->natts != tupdesc->natts)
		elog(ERROR, "enroll.license_grant does not match enroll.license plus outcome");
	return PointerGetDatum(SPI_returntuple(SPI_tuptable->vals[0], BlessTupleDesc(tupdesc)));
}

Datum
EnrollGrantResult(FunctionCallInfo fcinfo, int64 id, GrantOutcome outcome)
{
	return EnrollGrantResultRedacted(fcinfo, id, outcome, false);
}

/*
 * The same from the license row just written (an INSERT ... RETURNING *
 * of enroll.license, described by rowdesc), without reading it again.
 */
Datum
EnrollGrantResultFromRow(FunctionCallInfo fcinfo, HeapTuple row, TupleDesc rowdesc,
						 GrantOutcome outcome)
{
	TupleDesc	tupdesc;
	Datum	   *values;
	bool	   *nulls;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "function returning enroll.license_grant called in a context that cannot accept it");
	if (tupdesc->natts != rowdesc->natts + 1)
		elog(ERROR, "enroll.license_grant does not match enroll.license plus outcome");
	values = palloc(sizeof(Datum) * tupdesc->natts);
	nulls = palloc(sizeof(bool) * tupdesc->natts);
	heap_deform_tuple(row, rowdesc, values, nulls);
	values[rowdesc->natts] = CStringGetTextDatum(EnrollGrantOutcomeName(outcome));
	nulls[rowdesc->natts] = false;
	tupdesc = BlessTupleDesc(tupdesc);
	return PointerGetDatum(SPI_returntuple(heap_form_tuple(tupdesc, values, nulls), tupdesc));
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

/* a license for revoke_license: what it checks, locked */
static EnrollPlan plan_revoke_target = {
	"SELECT l.end_reason::text, l.ended_at OPERATOR(pg_catalog.<=) $2, enroll.license_end_detail(l),"
	"       l.holder_kind::text, l.account_id, l.organization_id"
	"  FROM enroll.license l WHERE l.id OPERATOR(pg_catalog.=) $1 FOR UPDATE",
	2, {INT8OID, TIMESTAMPTZOID}
};

static EnrollPlan plan_live_seats = {
	"SELECT pg_catalog.count(*) FROM enroll.license x"
	" WHERE x.parent_license OPERATOR(pg_catalog.=) $1 AND x.ended_at IS NULL",
	1, {INT8OID}
};

PG_FUNCTION_INFO_V1(revoke_license);
/*
 * enroll.revoke_license(license bigint, reason text) -> enroll.license
 * (system admins): ends a current license now (end_reason revoked).  A
 * license created on someone else's initiative gives back the one it
 * superseded (EnrollEndLicense); revoking an organization license withdraws
 * its seats (access_status reads them seat_withdrawn).
 */
Datum
revoke_license(PG_FUNCTION_ARGS)
{
	TimestampTz now = EnrollClockNow();
	int64		id;
	char	   *reason;
	int64		restored;
	int64		withdrawn = -1;
	bool		org;
	Datum		result;

	EnrollRequireAdmin("revoke licenses");
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("license must not be null")));
	id = PG_GETARG_INT64(0);
	reason = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (reason == NULL || EnrollIsBlank(reason))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a reason is required to revoke a license"),
				 errhint("Say why, e.g. 'payment refunded'; it is kept in the license's end_note and in the audit log.")));
	EnrollCheckReason(&reason);
	EnrollRequireSchema();

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (EnrollExecute(&plan_revoke_target, (Datum[]) {Int64GetDatum(id), TimestampTzGetDatum(now)}, NULL, false, 1, SPI_OK_SELECT) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_UNKNOWN_LICENSE),
				 errmsg("license %lld does not exist", (long long) id)));
	if (EnrollGetText(0, 1) != NULL && strcmp(EnrollGetText(0, 1), "revoked") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_LICENSE_ENDED),
				 errmsg("license %lld was already revoked", (long long) id),
				 errdetail_internal("%s", EnrollGetText(0, 3))));
	if (EnrollGetBool(0, 2))
		ereport(ERROR,
				(errcode(ERRCODE_ENROLL_LICENSE_ENDED),
				 errmsg("license %lld has already ended", (long long) id),
				 errdetail_internal("%s", EnrollGetText(0, 3)),
				 errhint("Revoke the holder's current license for the course instead.")));
	org = strcmp(EnrollGetText(0, 4), "organization") == 0;
	if (!EnrollEndLicense(id, "revoked", reason, now, false, &restored))
		elog(ERROR, "license %lld could not be revoked", (long long) id);
	if (org)
	{
		EnrollExecute(&plan_live_seats, (Datum[]) {Int64GetDatum(id)}, NULL, false, 1, SPI_OK_SELECT);
		withdrawn = EnrollGetInt64(0, 1);
	}
	EnrollExecute(&plan_revoke_target, (Datum[]) {Int64GetDatum(id), TimestampTzGetDatum(now)}, NULL, false, 1, SPI_OK_SELECT);
	EnrollLogEventAbout("license.revoke", "license", id, EnrollGetInt64(0, 5),
						EnrollJsonbf("{\"reason\": %s, \"holder_kind\": \"%s\"%s%s%s}",
									 EnrollJsonQuote(reason), org ? "organization" : "person",
									 org ? psprintf(", \"organization\": %lld", (long long) EnrollGetInt64(0, 6))
									 : psprintf(", \"account\": %lld", (long long) EnrollGetInt64(0, 5)),
									 withdrawn >= 0 ? psprintf(", \"seats_withdrawn\": %lld", (long long) withdrawn) : "",
									 restored ? psprintf(", \"restored\": %lld", (long long) restored) : ""));
	result = EnrollLicenseRow(id);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

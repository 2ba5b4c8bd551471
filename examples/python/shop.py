"""shop.py: a small shop backend on pg_enroll, with psycopg 3.

One function per action.  Each action is one transaction

    BEGIN; SELECT enroll.act_as(<account>); <the action>; COMMIT

sent in ONE network round trip (psycopg's pipeline mode), so that the
identity the application acts for never outlives the action: behind a
transaction-mode pooler (PgBouncer) the next transaction on the same server
connection starts anonymous again.

The application connects as a login role that is a member of enroll_app:

    CREATE ROLE shop_app LOGIN IN ROLE enroll_app;

and says for which account each action runs.  Authentication is the
application's business: pg_enroll trusts the account it is given.

Errors: every function raises ShopError, whose `sentence` can be shown to a
person, and whose `code` (the SQLSTATE), `detail` and `server_message` are
for the developer and the logs.

Needs psycopg 3.1 or later (Debian 12: apt-get install python3-psycopg) and
libpq 14 or later for pipeline mode.
"""

import json
import select

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

__all__ = [
    "ShopError", "connect", "act", "sign_up", "browse", "requirements",
    "consent_needed", "accept", "access", "order_session", "allocate_seat",
    "release_seat", "organization_seats", "my_licenses", "EventListener",
    "SENTENCES",
]


# ---------------------------------------------------------------------------
# Errors a person can read
# ---------------------------------------------------------------------------

# SQLSTATE -> what to tell the person.  The PE codes are pg_enroll's own
# (src/errcodes.h, README "Errors"); the others are PostgreSQL's.
SENTENCES = {
    "PE001": "Please sign in first.",
    "PE002": "This offer is not open at the moment: it has not started yet, or it has ended.",
    "PE003": "This offer is not available to you.",
    "PE004": "Your profile needs more details (billing information) before you can take this offer.",
    "PE005": "Please choose the organization that registers you for this offer.",
    "PE006": "The organization you chose cannot register you for this offer "
             "(it is not of the right kind, or you are not a current member of it).",
    "PE007": "Please read and accept the offer's condition first.",
    "PE008": "The dates of this offer cannot be changed that way.",
    "PE009": "Some details of your profile are missing or not valid.",
    "PE010": "This offer is meant for another kind of customer (a person or an organization).",
    "PE011": "This license has already ended and can no longer be changed.",
    "PE012": "The history of the shop cannot be changed.",
    "PE013": "This account does not exist.",
    "PE014": "This person is not a current member of the organization.",
    "PE015": "This offer does not exist.",
    "PE016": "This organization does not exist.",
    "PE017": "All the seats of your organization's license are taken.",
    "PE018": "This license needs no documents.",
    "PE019": "This license does not exist.",
    "PE020": "This order reference is already used for a different order.",
    "PE021": "The order names more participants than the seats bought.",
    "PE022": "This organization adds its members itself: please ask one of its administrators.",
    "PE023": "This offer is full.",
    "PE024": "The renewal has fewer seats than the people using them now.",
    "PE025": "This account has been erased.",
    "PE026": "This order has been cancelled.",
    "PE027": "This order does not exist.",
    "42501": "You are not allowed to do that.",
    "22023": "Some of the information given is not valid.",
    "22004": "Some required information is missing.",
    "22P02": "A value is not in the expected format.",
    "23505": "This already exists.",
    "40001": "Someone else changed the same thing at the same time: please try again.",
    "40P01": "Someone else changed the same thing at the same time: please try again.",
    "25006": "The shop is read-only for maintenance: please try again later.",
    "57014": "This took too long and was stopped: please try again later.",
    "54000": "This request is too large.",
    "55000": "The event log cannot be read from that position.",
}
FALLBACK = "Something went wrong on our side. Please try again later."


class ShopError(Exception):
    """An action failed: `sentence` for the person, the rest for the developer."""

    def __init__(self, code, sentence, detail=None, hint=None, server_message=None):
        super().__init__("%s [%s]" % (sentence, code))
        self.code = code
        self.sentence = sentence
        self.detail = detail
        self.hint = hint
        self.server_message = server_message

    @classmethod
    def from_db(cls, exc):
        diag = exc.diag
        code = exc.sqlstate or "?????"
        return cls(code, SENTENCES.get(code, FALLBACK), diag.message_detail, diag.message_hint,
                   diag.message_primary or str(exc))


# ---------------------------------------------------------------------------
# Connections and the one-round-trip action
# ---------------------------------------------------------------------------

def connect(conninfo="", **kwargs):
    """A connection for the shop (libpq conninfo and PG* environment variables).

    autocommit: every action writes its own BEGIN ... COMMIT (with psycopg's
    default, autocommit off, psycopg sends BEGIN in a round trip of its own).
    prepare_threshold=None: psycopg never prepares statements on the server,
    which a transaction-mode pooler (PgBouncer before 1.21, or without
    max_prepared_statements) cannot follow from one server connection to the
    next.
    """
    kwargs.setdefault("autocommit", True)
    kwargs.setdefault("prepare_threshold", None)
    kwargs.setdefault("row_factory", dict_row)
    return psycopg.connect(conninfo, **kwargs)


def act(conn, account, query, params=(), *, mode="pipeline"):
    """Runs `query` for `account` (None: anonymous) in one transaction and one
    round trip; returns its rows (dicts).

    mode "pipeline": BEGIN, SELECT enroll.act_as(account), the query and
    COMMIT are queued in pipeline mode and sent together with one Sync: the
    server runs them in order and answers once.  On an error the server skips
    the rest up to the Sync, so the transaction is left aborted and one
    ROLLBACK follows (a second round trip, on the error path only).  Nothing
    of the transaction stays, and act_as is forgotten with it.

    mode "simple": one string "SELECT enroll.act_as(...); <query>" sent with
    the simple query protocol (psycopg's ClientCursor binds the parameters
    on the client).  A multi-statement string is one implicit transaction:
    no BEGIN/COMMIT needed, and an error rolls all of it back in the same
    round trip.
    """
    try:
        if mode == "pipeline":
            return _act_pipeline(conn, account, query, params)
        if mode == "simple":
            return _act_simple(conn, account, query, params)
        raise ValueError("mode must be 'pipeline' or 'simple', not %r" % (mode,))
    except psycopg.Error as exc:
        _rollback_quietly(conn)
        raise ShopError.from_db(exc) from exc


def _act_pipeline(conn, account, query, params):
    with conn.pipeline():
        conn.execute("BEGIN")
        if account is not None:
            conn.execute("SELECT enroll.act_as(%s::bigint)", (account,))
        cur = conn.execute(query, params)
        conn.execute("COMMIT")
    # leaving the block sent the Sync and read every result
    return cur.fetchall() if cur.description else []


def _act_simple(conn, account, query, params):
    cur = psycopg.ClientCursor(conn, row_factory=dict_row)
    if account is not None:
        cur.execute("SELECT enroll.act_as(%s::bigint); " + query, (account,) + tuple(params))
        cur.nextset()                   # the result of act_as, then the query's
    else:
        cur.execute(query, params)
    return cur.fetchall() if cur.description else []


def _rollback_quietly(conn):
    """After an error in an explicit block the connection waits for ROLLBACK."""
    if conn.closed or conn.info.transaction_status != psycopg.pq.TransactionStatus.INERROR:
        return
    try:
        conn.rollback()
    except psycopg.Error:
        pass


def _one(rows):
    return rows[0] if rows else None


# ---------------------------------------------------------------------------
# The shop's actions
# ---------------------------------------------------------------------------

def sign_up(conn, email, firstname="", lastname=""):
    """A visitor creates an account; returns {"id", "email"}.

    Anonymous (no act_as).  A known address (any case, surrounding spaces)
    returns the existing account's id and nothing else about that person:
    do not sign the visitor in as that account before they prove the
    address is theirs.
    """
    return _one(act(conn, None,
                    "SELECT id, email FROM enroll.register_account(%s, %s, %s)",
                    (email, firstname, lastname)))


def browse(conn, account=None):
    """The offers the visitor (None) or account may see and act on now."""
    return act(conn, account,
               "SELECT id, code, title, course_id, course_shortname, course_fullname, price, currency,"
               "       valid_from, valid_until, state, visibility, recipient_kind, required_level,"
               "       extra_condition, access_period, registrar_types, places_left"
               "  FROM enroll.visible_offers ORDER BY code")


def requirements(conn, account, offer):
    """What is left to do before accepting an offer (enroll.offer_requirements)."""
    return _one(act(conn, account, "SELECT enroll.offer_requirements(%s::bigint) AS r", (offer,)))["r"]


def consent_needed(reqs):
    """The replaces_current_license step of requirements(), or None.

    When present, accepting ends the person's current license for the course
    (S2.23: the time left is lost): show its "time_lost" and ask before
    calling accept().
    """
    for step in reqs.get("steps", []):
        if step.get("step") == "replaces_current_license":
            return step
    return None


def accept(conn, account, offer, *, accept_condition=False, registrar_org=None,
           join_registrar=False, for_organization=None):
    """Accepts an offer; returns the license that gives access, with "outcome":
    granted, replaced (the previous license ended now), follows (starts when
    the current one ends) or kept (nothing changed)."""
    return _one(act(conn, account,
                    "SELECT * FROM enroll.accept_offer(%s::bigint, registrar_org => %s::bigint,"
                    " join_registrar => %s, accept_condition => %s, for_organization => %s::bigint)",
                    (offer, registrar_org, join_registrar, accept_condition, for_organization)))


def access(conn, account, course):
    """The page-view check: {"allowed": bool, "status": active, no_license, ...}."""
    return _one(act(conn, account,
                    "SELECT enroll.can_access(%s::bigint, %s::bigint) AS allowed,"
                    "       enroll.access_status(%s::bigint, %s::bigint) AS status",
                    (account, course, account, course)))


def order_session(conn, operator, order_ref, offer, seats, participants, *,
                  dry_run=False, accept_condition=False):
    """An operator's order (S1): the report of enroll.setup_course_session.

    Call it with dry_run=True first: the same report, nothing written, and
    every bad participant listed at once in "problems".
    """
    return _one(act(conn, operator,
                    "SELECT enroll.setup_course_session(%s, %s::bigint, %s::bigint, %s::integer, %s,"
                    " dry_run => %s, accept_condition => %s) AS report",
                    (order_ref, offer, operator, seats, Jsonb(participants), dry_run,
                     accept_condition)))["report"]


def allocate_seat(conn, org_admin, organization, course, member):
    """An organization admin gives a member a seat of the organization's
    current license for the course; returns the member's license and outcome."""
    return _one(act(conn, org_admin,
                    "SELECT * FROM enroll.allocate_seat(%s::bigint, %s::bigint, %s::bigint)",
                    (organization, course, member)))


def release_seat(conn, org_admin, seat_license, reason=None):
    """An organization admin takes a seat back (it can be given again)."""
    return _one(act(conn, org_admin,
                    "SELECT id, end_reason, ended_at FROM enroll.release_seat(%s::bigint, %s)",
                    (seat_license, reason)))


def organization_seats(conn, org_admin):
    """The licenses of the organizations the account administers, seats used and free."""
    return act(conn, org_admin,
               "SELECT organization_id, organization, license_id, course_id, course, offer_code,"
               "       license_state, seats, used, free, holders"
               "  FROM enroll.organization_seats ORDER BY organization, course, license_id")


def my_licenses(conn, account):
    """The account's licenses, current and past, with their status and time left."""
    return act(conn, account,
               "SELECT license_id, course_id, course, offer_code, accepted_via, access_from,"
               "       access_until, license_state, access_status, time_left, ended_at, end_reason"
               "  FROM enroll.my_licenses ORDER BY license_id")


# ---------------------------------------------------------------------------
# Events: LISTEN to wake up, enroll.events_since() to read
# ---------------------------------------------------------------------------

class EventListener:
    """Hears NOTIFY enroll_events and reads the events with enroll.events_since.

    Needs a connection of its own, kept open: LISTEN belongs to a session, so
    it cannot go through a transaction-mode pooler.  The notification only
    wakes the consumer up (it may be lost while the consumer is down); the
    events themselves are read with events_since(after_id), where after_id
    is the id of the last event processed, which a real consumer stores
    durably.  `account` is the account the consumer reads for: an admin
    account reads every event, a person the events about them.
    """

    def __init__(self, conninfo="", account=None, after_id=0, page=500, **kwargs):
        self.conn = connect(conninfo, **kwargs)
        self.account = account
        self.after_id = after_id
        self.page = page
        self.heard = []
        # notifications that arrive while a query runs are handed here
        self.conn.add_notify_handler(lambda n: self.heard.append(json.loads(n.payload)))
        self.conn.execute("LISTEN enroll_events")

    def catch_up(self):
        """Every event after the last one read, page by page (one round trip each)."""
        events = []
        while True:
            rows = act(self.conn, self.account,
                       "SELECT id, at, account_id, what, table_name, row_id, subject_account, details"
                       "  FROM enroll.events_since(%s::bigint, %s::integer)",
                       (self.after_id, self.page))
            events.extend(rows)
            if rows:
                self.after_id = rows[-1]["id"]
            if len(rows) < self.page:
                return events

    def wait(self, timeout):
        """Waits up to `timeout` seconds for notifications; returns their payloads."""
        pgconn = self.conn.pgconn
        if not self.heard:
            ready, _, _ = select.select([self.conn.fileno()], [], [], timeout)
            if ready:
                pgconn.consume_input()
        while True:
            n = pgconn.notifies()
            if n is None:
                break
            self.heard.append(json.loads(n.extra.decode()))
        heard, self.heard = self.heard, []
        return heard

    def close(self):
        self.conn.close()

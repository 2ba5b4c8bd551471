#!/usr/bin/env python3
"""test_shop.py: drives the whole shop story against a database where
pg_enroll is installed, checks every result, and exits non-zero on any
failure.

    PGHOST=... PGPORT=... PGDATABASE=... PGUSER=shop_app \\
    SHOP_ADMIN_EMAIL=admin@shop.example python3 test_shop.py [--measure]

The connection comes from the PG* environment variables; it must be a login
role that is a member of enroll_app, connecting through a Unix socket
(PGHOST a directory).  SHOP_ADMIN_EMAIL names an account with is_admin (a DBA
step: UPDATE enroll.account SET is_admin = true WHERE ...), for which the
runner creates this run's catalogue.  Everything the runner creates carries
a fresh suffix, so it can run again on the same database.

Every action goes through wire.WireProxy, which counts network round trips:
each action must cost exactly one.  --measure adds 25 ms of latency instead
and prints how long each way of sending an action takes.

Output: one "ok N - ..." / "not ok N - ..." line per check, then "1..N".
"""

import os
import re
import secrets
import sys
import time
import traceback

import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shop                                  # noqa: E402
from shop import ShopError                   # noqa: E402
from wire import WireProxy                   # noqa: E402

MEASURE = "--measure" in sys.argv[1:]
DELAY = 0.025 if MEASURE else 0.005          # artificial round-trip time, seconds

checks = 0
failed = 0
figures = []                                 # (what, round trips, milliseconds)


def check(ok, what, info=None):
    global checks, failed
    checks += 1
    if not ok:
        failed += 1
    print("%sok %d - %s" % ("" if ok else "not ", checks, what), flush=True)
    if not ok and info is not None:
        print("#   got: %r" % (info,), flush=True)
    return ok


def note(text):
    print("# " + text, flush=True)


class Story:
    def __init__(self):
        host = os.environ.get("PGHOST", "")
        if not host.startswith("/"):
            raise SystemExit("PGHOST must be the directory of the server's Unix socket "
                             "(the round-trip counter sits on a Unix socket)")
        port = int(os.environ.get("PGPORT", "5432"))
        self.proxy = WireProxy(host, port, delay=DELAY)
        # every action of the story goes through the counting proxy
        self.conn = shop.connect(host=self.proxy.dir, port=self.proxy.port)
        self.run_id = secrets.token_hex(4)

    # -- one action, its round trips counted ---------------------------------
    def step(self, what, fn, flights=1):
        """Runs fn(); checks it took `flights` round trips; returns its result."""
        self.proxy.reset()
        t0 = time.monotonic()
        try:
            return fn()
        finally:
            ms = (time.monotonic() - t0) * 1000
            figures.append((what, self.proxy.flights, ms))
            check(self.proxy.flights == flights,
                  "%s: %d round trip(s)" % (what, flights), self.proxy.flights)

    def refused(self, what, code, fn, flights=1):
        """fn() must fail with `code`; returns the ShopError."""
        try:
            self.step(what, fn, flights)
        except ShopError as err:
            check(err.code == code, "%s: refused with %s (%s)" % (what, code, err.sentence),
                  (err.code, err.server_message))
            check(self.conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE,
                  "%s: the connection is idle again" % what, self.conn.info.transaction_status)
            return err
        check(False, "%s: refused with %s" % (what, code), "accepted")
        return None

    def as_admin(self, query, params=()):
        return shop.act(self.conn, self.admin, query, params)

    # -- the story ------------------------------------------------------------
    def run(self):
        r = self.run_id
        c = self.conn
        admin_email = os.environ.get("SHOP_ADMIN_EMAIL", "admin@shop.example")
        note("run %s, round-trip delay %d ms" % (r, DELAY * 1000))

        # ---- the shop's administrator sets up this run's catalogue ----------
        self.admin = self.step("sign-up of a known address (the admin)",
                               lambda: shop.sign_up(c, admin_email))["id"]
        is_admin = shop.act(c, self.admin, "SELECT enroll.acting_as_admin() AS a")[0]["a"]
        if not check(is_admin, "%s is a system administrator" % admin_email):
            raise SystemExit("SHOP_ADMIN_EMAIL must name an account with is_admin")
        listener = shop.EventListener(host=os.environ["PGHOST"], account=self.admin)
        listener.catch_up()                  # start after everything that happened before
        start_after = listener.after_id

        course = self.as_admin("SELECT id FROM enroll.create_course(%s, %s)",
                               ("PY-%s" % r, "Python shop course %s" % r))[0]["id"]
        support = self.as_admin("SELECT id FROM enroll.create_course(%s, %s)",
                                ("PY-%s-help" % r, "Support %s" % r))[0]["id"]

        def offer(code, title, period, **kw):
            cols = ", ".join("%s => %%s" % k for k in kw)
            return self.as_admin(
                "SELECT id FROM enroll.create_offer(%s, %s, %s, 0, 'EUR', now(),"
                " now() + interval '1 year', %s::interval" + (", " + cols if kw else "") + ")",
                (code, title, course, period) + tuple(kw.values()))[0]["id"]

        year = offer("PY-%s-YEAR" % r, "One year", "365 days",
                     extra_condition="I will not share my access.")
        month = offer("PY-%s-MONTH" % r, "One month", "30 days")
        session = offer("PY-%s-SESSION" % r, "Training session", "60 days", visibility="private",
                        handler_params="coursename=PY-%s&customersupport=PY-%s-help" % (r, r))
        team = offer("PY-%s-TEAM" % r, "Team pack", "90 days", recipient_kind="organization",
                     seats=2)
        self.as_admin("SELECT enroll.create_organization_type(%s, %s)", ("company_%s" % r, "Company"))
        org = self.as_admin("SELECT id FROM enroll.create_organization(%s, %s)",
                            ("company_%s" % r, "ACME %s" % r))[0]["id"]
        mine = re.compile(r"^PY-%s-" % r)

        # ---- a learner: browse, sign up, requirements, accept ---------------
        offers = self.step("browse (anonymous)", lambda: shop.browse(c))
        codes = sorted(o["code"] for o in offers if mine.match(o["code"]))
        check(codes == sorted(["PY-%s-MONTH" % r, "PY-%s-TEAM" % r, "PY-%s-YEAR" % r]),
              "a visitor sees the public offers, not the private session offer", codes)
        shown = next(o for o in offers if o["code"] == "PY-%s-YEAR" % r)
        check(shown["extra_condition"] == "I will not share my access.",
              "the condition is shown before sign-up (S2.21)", shown["extra_condition"])

        lea = self.step("sign-up", lambda: shop.sign_up(c, "lea.%s@example.org" % r, "Léa", "Martin"))["id"]
        again = self.step("sign-up again, other spelling",
                          lambda: shop.sign_up(c, "  LEA.%s@Example.ORG " % r, "Someone", "Else"))
        check(again["id"] == lea, "one account per address (S1.5)", again)

        reqs = self.step("requirements", lambda: shop.requirements(c, lea, year))
        steps = {s["step"]: s for s in reqs["steps"]}
        check(steps.get("login", {}).get("satisfied") is True, "requirements: logged in", reqs)
        check(steps.get("extra_condition", {}).get("text") == "I will not share my access.",
              "requirements: the condition to tick", reqs)
        check(shop.consent_needed(reqs) is None, "requirements: no license to replace yet", reqs)

        err = self.refused("accept without ticking the condition", "PE007",
                           lambda: shop.accept(c, lea, year), flights=2)
        check(err is not None and "I will not share" in (err.detail or ""),
              "the error's detail quotes the condition", err and err.detail)
        actor = shop.act(c, None, "SELECT enroll.current_account() AS a")[0]["a"]
        check(actor is None, "after the error, act_as has no effect: the next action is anonymous", actor)
        check(shop.my_licenses(c, lea) == [], "after the error, nothing was written")

        lic = self.step("accept", lambda: shop.accept(c, lea, year, accept_condition=True))
        check(lic["outcome"] == "granted" and lic["account_id"] == lea,
              "accept: granted, the learner's license", lic)
        check(lic["accepted_condition"] == "I will not share my access.",
              "accept: the condition is recorded as accepted")
        acc = self.step("access check", lambda: shop.access(c, lea, course))
        check(acc == {"allowed": True, "status": "active"}, "access: active", acc)

        reqs = self.step("requirements with the consent step", lambda: shop.requirements(c, lea, month))
        consent = shop.consent_needed(reqs)
        check(consent is not None and consent["license"] == lic["id"],
              "requirements: accepting the month would replace the year license", reqs)
        check(consent is not None and consent["time_lost_seconds"] > 300 * 86400,
              "requirements: about 335 days would be lost", consent)
        # the learner reads "you will lose <time_lost>" and agrees
        lic2 = self.step("accept after consent", lambda: shop.accept(c, lea, month))
        check(lic2["outcome"] == "replaced", "accept: replaced (S2.23)", lic2)
        mine_l = self.step("my licenses", lambda: shop.my_licenses(c, lea))
        check([(x["offer_code"], x["license_state"]) for x in mine_l]
              == [("PY-%s-YEAR" % r, "superseded"), ("PY-%s-MONTH" % r, "active")],
              "my licenses: the year superseded, the month active", mine_l)
        check(mine_l[-1]["time_left"].days in (29, 30), "my licenses: time left under 30 days",
              mine_l[-1]["time_left"])

        # ---- an operator's order: dry run first, then the real one ----------
        otto = shop.sign_up(c, "otto.%s@example.org" % r, "Otto", "Operator")["id"]
        self.as_admin("SELECT enroll.add_offer_recipient(%s, account => %s)", (session, otto))
        seen = [o["code"] for o in self.step("browse (operator)", lambda: shop.browse(c, otto))
                if mine.match(o["code"])]
        check("PY-%s-SESSION" % r in seen, "the operator sees the private session offer", seen)
        people = [
            {"email": "lea.%s@example.org" % r},
            {"email": "nina.%s@example.org" % r, "firstname": "Nina", "lastname": "Novak"},
            {"email": "tom.%s@example.org" % r, "firstname": "Tom", "lastname": "Roux", "role": "tutor"},
        ]
        order = "PO-%s" % r
        bad = people + [{"email": "not an address"}]
        rep = self.step("order, dry run with a bad participant",
                        lambda: shop.order_session(c, otto, order, session, 4, bad, dry_run=True))
        check(rep["status"] == "invalid" and [p["index"] for p in rep["problems"]] == [4],
              "dry run: the bad participant is reported, by index", rep.get("problems"))
        rep = self.step("order, dry run",
                        lambda: shop.order_session(c, otto, order, session, 3, people, dry_run=True))
        check(rep["status"] == "done" and rep["dry_run"] is True and rep["seats"]["used"] == 3,
              "dry run: the report of the real thing", rep)
        check(shop.act(c, otto, "SELECT count(*) AS n FROM enroll.order_participants WHERE order_ref = %s",
                       (order,))[0]["n"] == 0, "dry run: nothing written")
        self.refused("order with more participants than seats", "PE021",
                     lambda: shop.order_session(c, otto, "PO-%s-small" % r, session, 2, people),
                     flights=2)
        rep = self.step("order", lambda: shop.order_session(c, otto, order, session, 3, people))
        check(rep["status"] == "done" and sorted(rep["accounts"]["created"])
              == ["nina.%s@example.org" % r, "tom.%s@example.org" % r]
              and rep["accounts"]["reused"] == ["lea.%s@example.org" % r],
              "order: two accounts created, one reused", rep["accounts"])
        lea_row = next(e for e in rep["enrollments"] if e["email"] == "lea.%s@example.org" % r)
        check("outcome" not in lea_row and "license" not in lea_row,
              "order: the report tells the operator nothing about an existing person's licenses", lea_row)
        rep2 = self.step("the same order again", lambda: shop.order_session(c, otto, order, session, 3, people))
        check(rep2["status"] == "already_done", "order: idempotent by order reference", rep2["status"])
        nina = next(e["account"] for e in rep["enrollments"] if e["email"] == "nina.%s@example.org" % r)
        acc = shop.access(c, nina, course)
        check(acc["status"] == "active", "order: the new participant has access", acc)
        acc = shop.access(c, nina, support)
        check(acc["status"] == "active", "order: and to the support course (S1.7)", acc)
        lea_now = shop.my_licenses(c, lea)[-1]
        check(lea_now["accepted_via"] == "operator" and lea_now["license_state"] == "active",
              "order: Léa's 30 days became the session's 60 (more access, never less)", lea_now)

        # ---- an organization admin's seats ---------------------------------
        bea = shop.sign_up(c, "bea.%s@acme.example" % r, "Bea", "Boss")["id"]
        eli = shop.sign_up(c, "eli.%s@acme.example" % r, "Eli", "Emp")["id"]
        shop.act(c, bea, "SELECT enroll.join_organization(%s::bigint)", (org,))
        shop.act(c, eli, "SELECT enroll.join_organization(%s::bigint)", (org,))
        self.as_admin("SELECT enroll.set_organization_admin(%s, %s)", (org, bea))
        reqs = shop.requirements(c, bea, team)
        admin_step = next(s for s in reqs["steps"] if s["step"] == "organization_admin")
        check([o["id"] for o in admin_step["organizations"]] == [org],
              "requirements: Bea may accept for her organization", admin_step)
        pack = self.step("accept for the organization",
                         lambda: shop.accept(c, bea, team, for_organization=org))
        check(pack["outcome"] == "granted" and pack["organization_id"] == org and pack["seats"] == 2,
              "the organization holds a license of 2 seats", pack)
        self.refused("a member allocates a seat", "42501",
                     lambda: shop.allocate_seat(c, eli, org, course, eli), flights=2)
        seat = self.step("allocate a seat", lambda: shop.allocate_seat(c, bea, org, course, eli))
        check(seat["outcome"] == "granted" and seat["parent_license"] == pack["id"],
              "allocate: Eli holds a seat of the organization's license", seat)
        check(shop.access(c, eli, course)["status"] == "active", "allocate: Eli has access")
        seats = self.step("organization seats", lambda: shop.organization_seats(c, bea))
        check([(s["license_id"], s["used"], s["free"]) for s in seats] == [(pack["id"], 1, 1)],
              "seats: 1 used, 1 free", seats)
        check([h["account_id"] for h in seats[0]["holders"]] == [eli], "seats: Eli holds one")
        rel = self.step("release the seat", lambda: shop.release_seat(c, bea, seat["id"], "left the team"))
        check(rel["end_reason"] == "released", "release: the seat ended", rel)
        check(shop.access(c, eli, course)["status"] == "seat_withdrawn", "release: Eli's access is withdrawn")
        check(shop.organization_seats(c, bea)[0]["free"] == 2, "release: the seat is free again")
        eli_l = self.step("my licenses (Eli)", lambda: shop.my_licenses(c, eli))
        check([x["license_state"] for x in eli_l] == ["released"], "Eli's licenses: the released seat", eli_l)

        # ---- the event listener --------------------------------------------
        want = {("license.accept", lic["id"]), ("license.accept", lic2["id"]),
                ("purchase_order.setup", None), ("license.allocate_seat", seat["id"]),
                ("license.end", seat["id"])}
        seen, heard = [], []
        deadline = time.monotonic() + 15
        while True:
            heard += listener.wait(0.5)
            seen += listener.catch_up()
            got = {(e["what"], e["row_id"] if e["what"] != "purchase_order.setup" else None): e["id"]
                   for e in seen}
            announced = {h["id"] for h in heard}
            if (set(want) <= set(got) and {got[w] for w in want} <= announced) \
                    or time.monotonic() > deadline:
                break
        check(set(want) <= set(got), "listener: the story's events were read", sorted(set(want) - set(got)))
        check(all(got.get(w) in announced for w in want), "listener: each was announced by NOTIFY",
              sorted(w for w in want if got.get(w) not in announced))
        check(len({e["id"] for e in seen}) == len(seen), "listener: no event read twice")
        check(heard and all(set(h) == {"id", "what", "table", "row"} for h in heard),
              "listener: payloads are {id, what, table, row}, no person", heard[:1])
        pager = shop.EventListener(host=os.environ["PGHOST"], account=self.admin,
                                   after_id=start_after, page=3)
        paged = pager.catch_up()
        pager.close()
        check([e["id"] for e in paged][:len(seen)] == [e["id"] for e in seen],
              "listener: reading 3 at a time gives the same events in the same order")
        # a person's position is an event they can read: ids of other
        # people's events are "unknown" to them (22023), so start from 0
        lea_ev = shop.act(c, lea, "SELECT account_id, subject_account FROM enroll.events_since(0, 1000)")
        check(lea_ev and all(lea in (e["account_id"], e["subject_account"]) for e in lea_ev),
              "a person reads only the events about them", lea_ev[:3])
        listener.close()

        self.pitfalls(lea, month, course)

    # -- what goes wrong when an action is sent another way ------------------
    def pitfalls(self, lea, month, course):
        c = self.conn
        # 1. SELECT f(...) returns one composite value, as a string
        with c.pipeline():
            c.execute("BEGIN")
            c.execute("SELECT enroll.act_as(%s::bigint)", (lea,))
            one = c.execute("SELECT enroll.accept_offer(%s::bigint) AS g", (month,))
            rows = c.execute("SELECT * FROM enroll.accept_offer(%s::bigint)", (month,))
            c.execute("ROLLBACK")
        g = one.fetchone()["g"]
        check(isinstance(g, str) and g.startswith("(") and g.endswith(",replaced)"),
              "SELECT enroll.accept_offer(...) is one composite string", g)
        row = rows.fetchone()
        check(row["outcome"] == "replaced" and "access_until" in row,
              "SELECT * FROM enroll.accept_offer(...) gives columns", sorted(row)[:5])

        # 2. act_as alone in autocommit: refused, never a silent anonymous read
        try:
            c.execute("SELECT enroll.act_as(%s::bigint)", (lea,))
            check(False, "act_as alone in autocommit is refused", "accepted")
        except psycopg.Error as exc:
            check(exc.sqlstate == "25P01", "act_as alone in autocommit is refused (25P01)",
                  (exc.sqlstate, str(exc)))

        # 3. the same action in the other modes
        self.proxy.reset()
        simple = shop.act(c, lea, "SELECT enroll.access_status(%s, %s) AS s", (lea, course), mode="simple")
        check(simple == [{"s": "active"}] and self.proxy.flights == 1,
              "simple mode (one multi-statement string): 1 round trip", self.proxy.flights)
        self.proxy.reset()
        try:
            shop.act(c, lea, "SELECT * FROM enroll.accept_offer(%s::bigint)", (-1,), mode="simple")
        except ShopError as err:
            check(err.code == "PE015" and self.proxy.flights == 1
                  and c.info.transaction_status == psycopg.pq.TransactionStatus.IDLE,
                  "simple mode, error: 1 round trip, rolled back, idle", (err.code, self.proxy.flights))
        naive = psycopg.connect(host=self.proxy.dir, port=self.proxy.port)   # psycopg's defaults
        self.proxy.reset()
        naive.execute("SELECT enroll.act_as(%s::bigint)", (lea,))
        naive.execute("SELECT enroll.access_status(%s::bigint, %s::bigint)", (lea, course)).fetchone()
        naive.commit()
        check(self.proxy.flights == 4, "psycopg's defaults (autocommit off): 4 round trips",
              self.proxy.flights)
        figures.append(("access check, psycopg defaults", self.proxy.flights, None))

        # 4. psycopg prepares a query on the server from its 5th execution on
        #    (prepare_threshold=5): a transaction-mode pooler then sends the
        #    next execution to a server connection that never saw it
        for _ in range(6):
            naive.execute("SELECT count(*) FROM enroll.visible_offers").fetchone()
            naive.commit()
        prepared = naive.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0]
        check(prepared > 0, "psycopg's defaults prepare statements on the server", prepared)
        naive.close()
        for _ in range(6):
            shop.browse(c)
        prepared = shop.act(c, None, "SELECT count(*) AS n FROM pg_prepared_statements")[0]["n"]
        check(prepared == 0, "shop.connect (prepare_threshold=None) prepares nothing", prepared)

        # 5. every SQLSTATE pg_enroll defines has a sentence
        header = os.environ.get("SHOP_ERRCODES_H") or os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "errcodes.h")
        if os.path.exists(header):
            with open(header) as f:
                codes = re.findall(r"MAKE_SQLSTATE\('P','E','(\d)','(\d)','(\d)'\)", f.read())
            codes = ["PE" + "".join(x) for x in codes]
            missing = [x for x in codes if x not in shop.SENTENCES]
            check(codes and not missing, "every code of src/errcodes.h has a sentence (%d codes)" % len(codes),
                  missing)

    def close(self):
        self.conn.close()
        self.proxy.close()


def measure():
    """--measure: one action (the access check) sent in each way, timed."""
    host, port = os.environ["PGHOST"], int(os.environ.get("PGPORT", "5432"))
    proxy = WireProxy(host, port, delay=DELAY)
    conn = shop.connect(host=proxy.dir, port=proxy.port)
    naive = psycopg.connect(host=proxy.dir, port=proxy.port)          # psycopg's defaults
    account = shop.sign_up(conn, "measure@example.org")["id"]
    q = "SELECT enroll.access_status(%s::bigint, 1) AS s"

    def defaults():
        naive.execute("SELECT enroll.act_as(%s::bigint)", (account,))
        naive.execute(q, (account,)).fetchone()
        naive.commit()

    def tx_block():
        with conn.transaction():
            conn.execute("SELECT enroll.act_as(%s::bigint)", (account,))
            conn.execute(q, (account,)).fetchall()

    def tx_in_pipeline():
        with conn.pipeline(), conn.transaction():
            conn.execute("SELECT enroll.act_as(%s::bigint)", (account,))
            conn.execute(q, (account,))

    ways = [
        ("psycopg defaults: execute, execute, commit()", defaults),
        ("autocommit + conn.transaction()", tx_block),
        ("conn.pipeline() + conn.transaction()", tx_in_pipeline),
        ("shop.act pipeline: BEGIN; act_as; q; COMMIT", lambda: shop.act(conn, account, q, (account,))),
        ("shop.act simple: 'act_as; q' in one string",
         lambda: shop.act(conn, account, q, (account,), mode="simple")),
        ("error, shop.act pipeline (+ ROLLBACK)", lambda: shop.act(conn, account, "SELECT 1/0")),
        ("error, shop.act simple", lambda: shop.act(conn, account, "SELECT 1/0", mode="simple")),
    ]
    note("one action, %d ms added to every round trip (median of 5):" % (DELAY * 1000))
    for what, fn in ways:
        times = []
        for _ in range(5):
            proxy.reset()
            t0 = time.monotonic()
            try:
                fn()
            except ShopError:
                pass
            times.append(time.monotonic() - t0)
        note("  %-46s %d round trip(s) %6.1f ms" % (what, proxy.flights, sorted(times)[2] * 1000))
    naive.close()
    conn.close()
    proxy.close()


def main():
    story = None
    try:
        story = Story()
        story.run()
        if MEASURE:
            measure()
    except SystemExit:
        raise
    except BaseException:                    # noqa: B902 - report anything as a failure
        traceback.print_exc()
        check(False, "the story ran to its end")
    finally:
        if story is not None:
            story.close()
    per_action = [f for f in figures if f[2] is not None]
    if per_action:
        total = sum(f[1] for f in per_action)
        note("%d actions, %d round trips, %.0f ms in all (%d ms per round trip added)"
             % (len(per_action), total, sum(f[2] for f in per_action), DELAY * 1000))
    print("1..%d" % checks)
    if failed:
        print("# %d of %d checks failed" % (failed, checks))
        sys.exit(1)


if __name__ == "__main__":
    main()

'use strict'
// test.js: drives the whole shop story against a database where pg_enroll
// is installed, checks every result, and exits non-zero on any failure.
//
//   npm ci
//   PGHOST=... PGPORT=... PGDATABASE=... PGUSER=shop_app \
//   SHOP_ADMIN_EMAIL=admin@shop.example node test.js [--measure]
//
// The connection comes from the PG* environment variables; it must be a
// login role that is a member of enroll_app, connecting through a Unix
// socket (PGHOST a directory).  SHOP_ADMIN_EMAIL names an account with
// is_admin (a DBA step: UPDATE enroll.account SET is_admin = true WHERE ...),
// for which the runner creates this run's catalogue.  Everything the runner
// creates carries a fresh suffix, so it can run again on the same database.
//
// Every action goes through wire.js, which counts network round trips: each
// action must cost exactly one.  --measure adds 25 ms of latency instead and
// prints how long each way of sending an action takes.
//
// Output: one "ok N - ..." / "not ok N - ..." line per check, then "1..N".

const crypto = require('crypto')
const fs = require('fs')
const path = require('path')
const shop = require('./shop')
const { ShopError } = shop
const { WireProxy } = require('./wire')

const MEASURE = process.argv.includes('--measure')
const DELAY = MEASURE ? 25 : 5 // ms added to every round trip

let checks = 0
let failed = 0
const figures = [] // [what, round trips, ms]

function check(ok, what, info) {
  checks++
  if (!ok) failed++
  console.log(`${ok ? '' : 'not '}ok ${checks} - ${what}`)
  if (!ok && info !== undefined) console.log(`#   got: ${JSON.stringify(info)}`)
  return ok
}
const note = (text) => console.log(`# ${text}`)
const sorted = (a) => [...a].sort()
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)

class Story {
  async open() {
    const host = process.env.PGHOST || ''
    if (!host.startsWith('/')) {
      throw new Error("PGHOST must be the directory of the server's Unix socket (the round-trip counter sits on one)")
    }
    this.proxy = await WireProxy.start(host, process.env.PGPORT || 5432, DELAY)
    // every action of the story goes through the counting proxy
    this.via = { host: this.proxy.dir, port: this.proxy.port }
    this.client = await shop.connect(this.via)
    this.run = crypto.randomBytes(4).toString('hex')
  }

  // one action, its round trips counted
  async step(what, fn, flights = 1) {
    this.proxy.reset()
    const t0 = process.hrtime.bigint()
    try {
      return await fn()
    } finally {
      figures.push([what, this.proxy.flights, Number(process.hrtime.bigint() - t0) / 1e6])
      check(this.proxy.flights === flights, `${what}: ${flights} round trip(s)`, this.proxy.flights)
    }
  }

  // fn() must fail with `code`; returns the ShopError
  async refused(what, code, fn, flights = 1) {
    try {
      await this.step(what, fn, flights)
    } catch (err) {
      if (!(err instanceof ShopError)) throw err
      check(err.code === code, `${what}: refused with ${code} (${err.sentence})`, [err.code, err.serverMessage])
      const status = this.client.getTransactionStatus ? this.client.getTransactionStatus() : 'I'
      check(status === 'I', `${what}: the connection is idle again`, status)
      return err
    }
    check(false, `${what}: refused with ${code}`, 'accepted')
    return null
  }

  asAdmin(text, values = []) {
    return shop.act(this.client, this.admin, text, values)
  }

  async story() {
    const r = this.run
    const c = this.client
    const adminEmail = process.env.SHOP_ADMIN_EMAIL || 'admin@shop.example'
    note(`run ${r}, round-trip delay ${DELAY} ms, node ${process.version}, pg ${require('pg/package.json').version}`)

    // ---- the shop's administrator sets up this run's catalogue -----------
    this.admin = (await this.step('sign-up of a known address (the admin)', () => shop.signUp(c, adminEmail))).id
    const isAdmin = (await shop.act(c, this.admin, 'SELECT enroll.acting_as_admin() AS a'))[0].a
    if (!check(isAdmin, `${adminEmail} is a system administrator`)) {
      throw new Error('SHOP_ADMIN_EMAIL must name an account with is_admin')
    }
    const listener = await shop.EventListener.start({}, { account: this.admin })
    await listener.catchUp() // start after everything that happened before
    const startAfter = listener.afterId

    const course = (await this.asAdmin('SELECT id FROM enroll.create_course($1, $2)',
      [`JS-${r}`, `Node shop course ${r}`]))[0].id
    const support = (await this.asAdmin('SELECT id FROM enroll.create_course($1, $2)',
      [`JS-${r}-help`, `Support ${r}`]))[0].id
    const offer = async (code, title, period, named = {}) => {
      const keys = Object.keys(named)
      const extra = keys.map((k, i) => `, ${k} => $${i + 5}`).join('')
      const rows = await this.asAdmin(
        "SELECT id FROM enroll.create_offer($1, $2, $3, 0, 'EUR', now(), now() + interval '1 year'," +
        ` $4::interval${extra})`, [code, title, course, period, ...keys.map((k) => named[k])])
      return rows[0].id
    }
    const year = await offer(`JS-${r}-YEAR`, 'One year', '365 days',
      { extra_condition: 'I will not share my access.' })
    const month = await offer(`JS-${r}-MONTH`, 'One month', '30 days')
    const session = await offer(`JS-${r}-SESSION`, 'Training session', '60 days', {
      visibility: 'private', handler_params: `coursename=JS-${r}&customersupport=JS-${r}-help`,
    })
    const team = await offer(`JS-${r}-TEAM`, 'Team pack', '90 days', { recipient_kind: 'organization', seats: 2 })
    await this.asAdmin('SELECT enroll.create_organization_type($1, $2)', [`company_${r}`, 'Company'])
    const org = (await this.asAdmin('SELECT id FROM enroll.create_organization($1, $2)',
      [`company_${r}`, `ACME ${r}`]))[0].id
    const mine = (o) => o.code.startsWith(`JS-${r}-`)

    // ---- a learner: browse, sign up, requirements, accept -----------------
    const offers = await this.step('browse (anonymous)', () => shop.browse(c))
    const codes = sorted(offers.filter(mine).map((o) => o.code))
    check(same(codes, [`JS-${r}-MONTH`, `JS-${r}-TEAM`, `JS-${r}-YEAR`]),
      'a visitor sees the public offers, not the private session offer', codes)
    check(offers.find((o) => o.code === `JS-${r}-YEAR`).extra_condition === 'I will not share my access.',
      'the condition is shown before sign-up (S2.21)')

    const lea = (await this.step('sign-up', () => shop.signUp(c, `lea.${r}@example.org`, 'Léa', 'Martin'))).id
    const again = await this.step('sign-up again, other spelling',
      () => shop.signUp(c, `  LEA.${r}@Example.ORG `, 'Someone', 'Else'))
    check(again.id === lea, 'one account per address (S1.5)', again)

    let reqs = await this.step('requirements', () => shop.requirements(c, lea, year))
    const steps = Object.fromEntries(reqs.steps.map((s) => [s.step, s]))
    check(steps.login && steps.login.satisfied === true, 'requirements: logged in', reqs)
    check(steps.extra_condition && steps.extra_condition.text === 'I will not share my access.',
      'requirements: the condition to tick', reqs)
    check(shop.consentNeeded(reqs) === null, 'requirements: no license to replace yet', reqs)

    // pipelined: the error, then "transaction aborted" for the rest, and the
    // COMMIT rolls back: one round trip, the connection idle again
    const err = await this.refused('accept without ticking the condition', 'PE007', () => shop.accept(c, lea, year))
    check(err && (err.detail || '').includes('I will not share'), "the error's detail quotes the condition",
      err && err.detail)
    const actor = (await shop.act(c, null, 'SELECT enroll.current_account() AS a'))[0].a
    check(actor === null, 'after the error, act_as has no effect: the next action is anonymous', actor)
    check((await shop.myLicenses(c, lea)).length === 0, 'after the error, nothing was written')

    const lic = await this.step('accept', () => shop.accept(c, lea, year, { acceptCondition: true }))
    check(lic.outcome === 'granted' && lic.account_id === lea, "accept: granted, the learner's license", lic)
    check(lic.accepted_condition === 'I will not share my access.', 'accept: the condition is recorded as accepted')
    let acc = await this.step('access check', () => shop.access(c, lea, course))
    check(same(acc, { allowed: true, status: 'active' }), 'access: active', acc)

    reqs = await this.step('requirements with the consent step', () => shop.requirements(c, lea, month))
    const consent = shop.consentNeeded(reqs)
    check(consent && consent.license === lic.id, 'requirements: accepting the month would replace the year license',
      reqs)
    check(consent && consent.time_lost_seconds > 300 * 86400, 'requirements: about 335 days would be lost', consent)
    // the learner reads "you will lose <time_lost>" and agrees
    const lic2 = await this.step('accept after consent', () => shop.accept(c, lea, month))
    check(lic2.outcome === 'replaced', 'accept: replaced (S2.23)', lic2)
    const mineL = await this.step('my licenses', () => shop.myLicenses(c, lea))
    check(same(mineL.map((x) => [x.offer_code, x.license_state]),
      [[`JS-${r}-YEAR`, 'superseded'], [`JS-${r}-MONTH`, 'active']]),
    'my licenses: the year superseded, the month active', mineL)
    const left = mineL[mineL.length - 1].time_left
    check(left && [29, 30].includes(left.days), 'my licenses: time left under 30 days', left)

    // ---- an operator's order: dry run first, then the real one ------------
    const otto = (await shop.signUp(c, `otto.${r}@example.org`, 'Otto', 'Operator')).id
    await this.asAdmin('SELECT enroll.add_offer_recipient($1, account => $2)', [session, otto])
    const seen = (await this.step('browse (operator)', () => shop.browse(c, otto))).filter(mine).map((o) => o.code)
    check(seen.includes(`JS-${r}-SESSION`), 'the operator sees the private session offer', seen)
    const people = [
      { email: `lea.${r}@example.org` },
      { email: `nina.${r}@example.org`, firstname: 'Nina', lastname: 'Novak' },
      { email: `tom.${r}@example.org`, firstname: 'Tom', lastname: 'Roux', role: 'tutor' },
    ]
    const order = `PO-${r}`
    let rep = await this.step('order, dry run with a bad participant',
      () => shop.orderSession(c, otto, order, session, 4, [...people, { email: 'not an address' }], { dryRun: true }))
    check(rep.status === 'invalid' && same(rep.problems.map((p) => p.index), [4]),
      'dry run: the bad participant is reported, by index', rep.problems)
    rep = await this.step('order, dry run',
      () => shop.orderSession(c, otto, order, session, 3, people, { dryRun: true }))
    check(rep.status === 'done' && rep.dry_run === true && rep.seats.used === 3, 'dry run: the report of the real thing',
      rep)
    const written = await shop.act(c, otto,
      'SELECT count(*)::int AS n FROM enroll.order_participants WHERE order_ref = $1', [order])
    check(written[0].n === 0, 'dry run: nothing written')
    await this.refused('order with more participants than seats', 'PE021',
      () => shop.orderSession(c, otto, `PO-${r}-small`, session, 2, people))
    rep = await this.step('order', () => shop.orderSession(c, otto, order, session, 3, people))
    check(rep.status === 'done' && same(sorted(rep.accounts.created), [`nina.${r}@example.org`, `tom.${r}@example.org`]) &&
      same(rep.accounts.reused, [`lea.${r}@example.org`]), 'order: two accounts created, one reused', rep.accounts)
    const leaRow = rep.enrollments.find((e) => e.email === `lea.${r}@example.org`)
    check(!('outcome' in leaRow) && !('license' in leaRow),
      "order: the report tells the operator nothing about an existing person's licenses", leaRow)
    const rep2 = await this.step('the same order again', () => shop.orderSession(c, otto, order, session, 3, people))
    check(rep2.status === 'already_done', 'order: idempotent by order reference', rep2.status)
    const nina = rep.enrollments.find((e) => e.email === `nina.${r}@example.org`).account
    acc = await shop.access(c, nina, course)
    check(acc.status === 'active', 'order: the new participant has access', acc)
    acc = await shop.access(c, nina, support)
    check(acc.status === 'active', 'order: and to the support course (S1.7)', acc)
    const leaNow = (await shop.myLicenses(c, lea)).pop()
    check(leaNow.accepted_via === 'operator' && leaNow.license_state === 'active',
      "order: Léa's 30 days became the session's 60 (more access, never less)", leaNow)

    // ---- an organization admin's seats ------------------------------------
    const bea = (await shop.signUp(c, `bea.${r}@acme.example`, 'Bea', 'Boss')).id
    const eli = (await shop.signUp(c, `eli.${r}@acme.example`, 'Eli', 'Emp')).id
    await shop.act(c, bea, 'SELECT enroll.join_organization($1::bigint)', [org])
    await shop.act(c, eli, 'SELECT enroll.join_organization($1::bigint)', [org])
    await this.asAdmin('SELECT enroll.set_organization_admin($1, $2)', [org, bea])
    reqs = await shop.requirements(c, bea, team)
    const adminStep = reqs.steps.find((s) => s.step === 'organization_admin')
    check(same(adminStep.organizations.map((o) => o.id), [org]), 'requirements: Bea may accept for her organization',
      adminStep)
    const pack = await this.step('accept for the organization',
      () => shop.accept(c, bea, team, { forOrganization: org }))
    check(pack.outcome === 'granted' && pack.organization_id === org && pack.seats === 2,
      "the organization holds a license of 2 seats", pack)
    await this.refused('a member allocates a seat', '42501', () => shop.allocateSeat(c, eli, org, course, eli))
    const seat = await this.step('allocate a seat', () => shop.allocateSeat(c, bea, org, course, eli))
    check(seat.outcome === 'granted' && seat.parent_license === pack.id,
      "allocate: Eli holds a seat of the organization's license", seat)
    check((await shop.access(c, eli, course)).status === 'active', 'allocate: Eli has access')
    const seats = await this.step('organization seats', () => shop.organizationSeats(c, bea))
    check(same(seats.map((s) => [s.license_id, s.used, s.free]), [[pack.id, 1, 1]]), 'seats: 1 used, 1 free', seats)
    check(same(seats[0].holders.map((h) => h.account_id), [eli]), 'seats: Eli holds one')
    const rel = await this.step('release the seat', () => shop.releaseSeat(c, bea, seat.id, 'left the team'))
    check(rel.end_reason === 'released', 'release: the seat ended', rel)
    check((await shop.access(c, eli, course)).status === 'seat_withdrawn', "release: Eli's access is withdrawn")
    check((await shop.organizationSeats(c, bea))[0].free === 2, 'release: the seat is free again')
    const eliL = await this.step('my licenses (Eli)', () => shop.myLicenses(c, eli))
    check(same(eliL.map((x) => x.license_state), ['released']), "Eli's licenses: the released seat", eliL)

    // ---- the event listener -----------------------------------------------
    const key = (e) => `${e.what}:${e.what === 'purchase_order.setup' ? '' : e.row_id}`
    const want = [`license.accept:${lic.id}`, `license.accept:${lic2.id}`, 'purchase_order.setup:',
      `license.allocate_seat:${seat.id}`, `license.end:${seat.id}`]
    const seenEv = []
    const heard = []
    let got = new Map()
    const deadline = Date.now() + 15000
    for (;;) {
      heard.push(...await listener.wait(500))
      seenEv.push(...await listener.catchUp())
      got = new Map(seenEv.map((e) => [key(e), e.id]))
      const announced = new Set(heard.map((h) => h.id))
      if ((want.every((w) => got.has(w)) && want.every((w) => announced.has(got.get(w)))) || Date.now() > deadline) {
        break
      }
    }
    const announced = new Set(heard.map((h) => h.id))
    check(want.every((w) => got.has(w)), "listener: the story's events were read", want.filter((w) => !got.has(w)))
    check(want.every((w) => announced.has(got.get(w))), 'listener: each was announced by NOTIFY')
    check(new Set(seenEv.map((e) => e.id)).size === seenEv.length, 'listener: no event read twice')
    check(heard.length > 0 && heard.every((h) => same(Object.keys(h).sort(), ['id', 'row', 'table', 'what'])),
      'listener: payloads are {id, what, table, row}, no person', heard[0])
    const pager = await shop.EventListener.start({}, { account: this.admin, afterId: startAfter, page: 3 })
    const paged = await pager.catchUp()
    await pager.end()
    check(same(paged.map((e) => e.id).slice(0, seenEv.length), seenEv.map((e) => e.id)),
      'listener: reading 3 at a time gives the same events in the same order')
    // a person's position is an event they can read: ids of other people's
    // events are "unknown" to them (22023), so start from 0
    const leaEv = await shop.act(c, lea, 'SELECT account_id, subject_account FROM enroll.events_since(0, 1000)')
    check(leaEv.length > 0 && leaEv.every((e) => e.account_id === lea || e.subject_account === lea),
      'a person reads only the events about them', leaEv.slice(0, 3))
    await listener.end()

    await this.pitfalls(lea, month, course)
  }

  // what goes wrong when an action is sent another way
  async pitfalls(lea, month, course) {
    const c = this.client
    // 1. SELECT f(...) returns one composite value, as a string
    const q = [c.query('BEGIN'), c.query('SELECT enroll.act_as($1::bigint)', [lea]),
      c.query('SELECT enroll.accept_offer($1::bigint) AS g', [month]),
      c.query('SELECT * FROM enroll.accept_offer($1::bigint)', [month]), c.query('ROLLBACK')]
    const res = await Promise.all(q)
    const g = res[2].rows[0].g
    check(typeof g === 'string' && g.startsWith('(') && g.endsWith(',replaced)'),
      'SELECT enroll.accept_offer(...) is one composite string', g)
    const row = res[3].rows[0]
    check(row.outcome === 'replaced' && 'access_until' in row, 'SELECT * FROM enroll.accept_offer(...) gives columns',
      Object.keys(row).slice(0, 5))

    // 1b. actions of different accounts sharing one pipelined client, at the
    //     same time: each transaction is whole on the wire, no identity leaks
    const who = await Promise.all([lea, this.admin, lea, null].map((a) =>
      shop.act(c, a, 'SELECT enroll.current_account() AS a').then((rows) => rows[0].a)))
    check(same(who, [lea, this.admin, lea, null]), 'concurrent actions on one pipelined client keep their accounts', who)

    // 2. act_as alone (autocommit): refused, never a silent anonymous read
    try {
      await c.query('SELECT enroll.act_as($1::bigint)', [lea])
      check(false, 'act_as alone in autocommit is refused', 'accepted')
    } catch (e) {
      check(e.code === '25P01', 'act_as alone in autocommit is refused (25P01)', [e.code, e.message])
    }

    // 3. the same action in the other modes
    const simple = await shop.connect({ ...this.via, mode: 'simple' })
    this.proxy.reset()
    const s = await shop.act(simple, lea, 'SELECT enroll.access_status($1, $2) AS s', [lea, course])
    check(same(s, [{ s: 'active' }]) && this.proxy.flights === 1,
      'simple mode (one multi-statement string): 1 round trip', this.proxy.flights)
    this.proxy.reset()
    try {
      await shop.act(simple, lea, 'SELECT * FROM enroll.accept_offer($1::bigint)', [-1])
      check(false, 'simple mode, error: refused', 'accepted')
    } catch (e) {
      check(e.code === 'PE015' && this.proxy.flights === 1 && simple.getTransactionStatus() === 'I',
        'simple mode, error: 1 round trip, rolled back, idle', [e.code, this.proxy.flights])
    }
    const tricky = "O'Brien; DROP TABLE x; --"
    const echoed = await shop.act(simple, null, 'SELECT $1::text AS t', [tricky])
    check(echoed[0].t === tricky, 'simple mode: values are quoted with escapeLiteral', echoed)
    await simple.end()
    const sequential = await shop.connect({ ...this.via, mode: 'sequential' })
    this.proxy.reset()
    await shop.act(sequential, lea, 'SELECT enroll.access_status($1, $2) AS s', [lea, course])
    check(this.proxy.flights === 4, 'without pipelining (pg default): 4 round trips', this.proxy.flights)
    await sequential.end()

    // 4. node-postgres prepares nothing unless a query is given a name
    const prepared = await shop.act(c, null, 'SELECT count(*)::int AS n FROM pg_prepared_statements')
    check(prepared[0].n === 0, 'no statement is prepared on the server (safe behind PgBouncer)', prepared)

    // 5. every SQLSTATE pg_enroll defines has a sentence
    const header = process.env.SHOP_ERRCODES_H || path.join(__dirname, '..', '..', 'src', 'errcodes.h')
    if (fs.existsSync(header)) {
      const codes = [...fs.readFileSync(header, 'utf8').matchAll(/MAKE_SQLSTATE\('P','E','(\d)','(\d)','(\d)'\)/g)]
        .map((m) => `PE${m[1]}${m[2]}${m[3]}`)
      const missing = codes.filter((x) => !(x in shop.SENTENCES))
      check(codes.length > 0 && missing.length === 0, `every code of src/errcodes.h has a sentence (${codes.length} codes)`,
        missing)
    }
  }

  async close() {
    if (this.client) await this.client.end().catch(() => {})
    if (this.proxy) await this.proxy.close()
  }
}

// --measure: one action (the access check) sent in each way, timed
async function measure() {
  const proxy = await WireProxy.start(process.env.PGHOST, process.env.PGPORT || 5432, DELAY)
  const via = { host: proxy.dir, port: proxy.port }
  const clients = {
    pipeline: await shop.connect(via), simple: await shop.connect({ ...via, mode: 'simple' }),
    sequential: await shop.connect({ ...via, mode: 'sequential' }),
  }
  const account = (await shop.signUp(clients.pipeline, 'measure@example.org')).id
  const q = 'SELECT enroll.access_status($1::bigint, 1) AS s'
  const ways = [
    ['pg default: four queries, each awaited', 'sequential', q],
    ['pipeline: true, BEGIN; act_as; q; COMMIT', 'pipeline', q],
    ["simple: 'act_as; q' in one string", 'simple', q],
    ['error, pipeline', 'pipeline', 'SELECT 1/0'],
    ['error, simple', 'simple', 'SELECT 1/0'],
    ['error, pg default (+ ROLLBACK)', 'sequential', 'SELECT 1/0'],
  ]
  note(`one action, ${DELAY} ms added to every round trip (median of 5):`)
  for (const [what, mode, text] of ways) {
    const times = []
    for (let i = 0; i < 5; i++) {
      proxy.reset()
      const t0 = process.hrtime.bigint()
      await shop.act(clients[mode], account, text, text === q ? [account] : []).catch(() => {})
      times.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
    times.sort((a, b) => a - b)
    note(`  ${what.padEnd(46)} ${proxy.flights} round trip(s) ${times[2].toFixed(1).padStart(6)} ms`)
  }
  for (const cl of Object.values(clients)) await cl.end()
  await proxy.close()
}

async function main() {
  const story = new Story()
  try {
    await story.open()
    await story.story()
    if (MEASURE) await measure()
  } catch (e) {
    console.log(`# ${e && e.stack ? e.stack.replace(/\n/g, '\n# ') : e}`)
    check(false, 'the story ran to its end')
  } finally {
    await story.close()
  }
  if (figures.length > 0) {
    const total = figures.reduce((n, f) => n + f[1], 0)
    const ms = figures.reduce((n, f) => n + f[2], 0)
    note(`${figures.length} actions, ${total} round trips, ${ms.toFixed(0)} ms in all (${DELAY} ms per round trip added)`)
  }
  console.log(`1..${checks}`)
  if (failed > 0) {
    console.log(`# ${failed} of ${checks} checks failed`)
    process.exitCode = 1
  }
}

main()

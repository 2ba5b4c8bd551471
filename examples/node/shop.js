'use strict'
// shop.js: a small shop backend on pg_enroll, with node-postgres (pg).
//
// One function per action.  Each action is one transaction
//
//   BEGIN; SELECT enroll.act_as(<account>); <the action>; COMMIT
//
// sent in ONE network round trip, so that the identity the application
// acts for never outlives the action: behind a transaction-mode pooler
// (PgBouncer) the next transaction on the same server connection starts
// anonymous again.  Two ways, chosen per client (`connect({ mode })`):
//
// - 'pipeline' (default): the client is created with { pipeline: true }
//   (node-postgres 8.23.0 and later; an older pg ignores the option and
//   sends the statements one after the other): the four statements are
//   written without waiting, each with its own Sync, and the server answers
//   them in order.  When one fails, the next ones fail too ("current
//   transaction is aborted") and the COMMIT ends the transaction as a
//   ROLLBACK: the connection is idle again, in the same round trip.
// - 'simple': one string "SELECT enroll.act_as(42); <the action>" sent as a
//   simple query (no parameters: the values are written into the text with
//   escapeLiteral).  A multi-statement string is one implicit transaction:
//   no BEGIN/COMMIT needed, and an error rolls all of it back.  One action
//   at a time per client (await it): pg 8 queues the others (deprecated).
//
// Without pipelining ('sequential': the usual await client.query(...) for
// each statement), the same four statements cost four round trips.
// pool.query() cannot be used for an action (each call may take another
// connection); check a client out with pool.connect(), or keep one
// pipelined client per worker.
//
// The application connects as a login role that is a member of enroll_app:
//   CREATE ROLE shop_app LOGIN IN ROLE enroll_app;
// Errors: every function throws ShopError, whose `sentence` can be shown to
// a person, and whose `code` (SQLSTATE), `detail` and `serverMessage` are
// for the developer and the logs.

const pg = require('pg')

// ---------------------------------------------------------------------------
// Errors a person can read

// SQLSTATE -> what to tell the person.  The PE codes are pg_enroll's own
// (src/errcodes.h, README "Errors"); the others are PostgreSQL's.
const SENTENCES = {
  PE001: 'Please sign in first.',
  PE002: 'This offer is not open at the moment: it has not started yet, or it has ended.',
  PE003: 'This offer is not available to you.',
  PE004: 'Your profile needs more details (billing information) before you can take this offer.',
  PE005: 'Please choose the organization that registers you for this offer.',
  PE006: 'The organization you chose cannot register you for this offer ' +
    '(it is not of the right kind, or you are not a current member of it).',
  PE007: "Please read and accept the offer's condition first.",
  PE008: 'The dates of this offer cannot be changed that way.',
  PE009: 'Some details of your profile are missing or not valid.',
  PE010: 'This offer is meant for another kind of customer (a person or an organization).',
  PE011: 'This license has already ended and can no longer be changed.',
  PE012: 'The history of the shop cannot be changed.',
  PE013: 'This account does not exist.',
  PE014: 'This person is not a current member of the organization.',
  PE015: 'This offer does not exist.',
  PE016: 'This organization does not exist.',
  PE017: "All the seats of your organization's license are taken.",
  PE018: 'This license needs no documents.',
  PE019: 'This license does not exist.',
  PE020: 'This order reference is already used for a different order.',
  PE021: 'The order names more participants than the seats bought.',
  PE022: 'This organization adds its members itself: please ask one of its administrators.',
  PE023: 'This offer is full.',
  PE024: 'The renewal has fewer seats than the people using them now.',
  PE025: 'This account has been erased.',
  PE026: 'This order has been cancelled.',
  PE027: 'This order does not exist.',
  42501: 'You are not allowed to do that.',
  22023: 'Some of the information given is not valid.',
  22004: 'Some required information is missing.',
  '22P02': 'A value is not in the expected format.',
  23505: 'This already exists.',
  40001: 'Someone else changed the same thing at the same time: please try again.',
  '40P01': 'Someone else changed the same thing at the same time: please try again.',
  25006: 'The shop is read-only for maintenance: please try again later.',
  57014: 'This took too long and was stopped: please try again later.',
  54000: 'This request is too large.',
  55000: 'The event log cannot be read from that position.',
}
const FALLBACK = 'Something went wrong on our side. Please try again later.'

class ShopError extends Error {
  constructor(code, sentence, { detail, hint, serverMessage, cause } = {}) {
    super(`${sentence} [${code}]`)
    this.name = 'ShopError'
    this.code = code
    this.sentence = sentence
    this.detail = detail
    this.hint = hint
    this.serverMessage = serverMessage
    this.cause = cause
  }

  static fromDb(err) {
    if (err instanceof ShopError) return err
    const code = err.code && /^[0-9A-Z]{5}$/.test(err.code) ? err.code : '?????'
    return new ShopError(code, SENTENCES[code] || FALLBACK, {
      detail: err.detail, hint: err.hint, serverMessage: err.message, cause: err,
    })
  }
}

// ---------------------------------------------------------------------------
// Connections and the one-round-trip action

// bigint ids as JavaScript numbers (pg's default is a string); an id beyond
// 2^53 would be an error rather than a wrong number
const types = {
  getTypeParser(oid, format) {
    if (oid === 20 && format !== 'binary') {
      return (text) => {
        const n = Number(text)
        if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${text} does not fit a JavaScript number`)
        return n
      }
    }
    return pg.types.getTypeParser(oid, format)
  },
}

// A connected client for the shop (PG* environment variables, or config).
// No named statements are used, so nothing is prepared on the server that a
// transaction-mode pooler would lose.
async function connect(config = {}) {
  const { mode = 'pipeline', ...rest } = config
  if (mode !== 'pipeline' && mode !== 'simple' && mode !== 'sequential') {
    throw new TypeError(`mode must be 'pipeline', 'simple' or 'sequential', not ${mode}`)
  }
  const client = new pg.Client({ types, ...rest, pipeline: mode === 'pipeline' })
  client.shopMode = mode
  await client.connect()
  return client
}

// Runs `text` ($1, $2 ... parameters) for `account` (null: anonymous) in one
// transaction and one round trip; returns its rows.
async function act(client, account, text, values = []) {
  try {
    if (client.shopMode === 'simple') return await actSimple(client, account, text, values)
    if (client.shopMode === 'sequential') return await actSequential(client, account, text, values)
    return await actPipelined(client, account, text, values)
  } catch (err) {
    throw ShopError.fromDb(err)
  }
}

async function actPipelined(client, account, text, values) {
  // all four are queued before anything is awaited: nothing else can come
  // between them on this client, even when other actions share it
  const sent = [client.query('BEGIN')]
  if (account != null) sent.push(client.query('SELECT enroll.act_as($1::bigint)', [account]))
  sent.push(client.query(text, values))
  sent.push(client.query('COMMIT'))
  const results = await Promise.allSettled(sent)
  const failed = results.find((r) => r.status === 'rejected')
  if (failed) throw failed.reason // the first error; the COMMIT was a ROLLBACK
  return results[results.length - 2].value.rows
}

// the usual node-postgres transaction, for comparison: four round trips
// (five with the ROLLBACK of an error)
async function actSequential(client, account, text, values) {
  await client.query('BEGIN')
  try {
    if (account != null) await client.query('SELECT enroll.act_as($1::bigint)', [account])
    const result = await client.query(text, values)
    await client.query('COMMIT')
    return result.rows
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  }
}

async function actSimple(client, account, text, values) {
  const body = inline(text, values)
  const sql = account == null ? body : `SELECT enroll.act_as(${literal(account)}::bigint); ${body}`
  const result = await client.query(sql) // no values: the simple query protocol
  return (Array.isArray(result) ? result[result.length - 1] : result).rows
}

// the value as an SQL literal (simple mode only)
function literal(v) {
  if (v === null || v === undefined) return 'NULL'
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`not a finite number: ${v}`)
    return String(v)
  }
  if (typeof v === 'string') return pg.escapeLiteral(v)
  return pg.escapeLiteral(JSON.stringify(v)) // objects and arrays: JSON text
}

// $1, $2 ... replaced by literals (the queries of this module have no $ of
// their own in strings or identifiers)
function inline(text, values) {
  return text.replace(/\$(\d+)/g, (_, n) => {
    if (Number(n) < 1 || Number(n) > values.length) throw new RangeError(`no value for $${n}`)
    return literal(values[Number(n) - 1])
  })
}

// ---------------------------------------------------------------------------
// The shop's actions

// A visitor creates an account; returns { id, email }.  Anonymous.  A known
// address returns the existing account's id and nothing else about that
// person: do not sign the visitor in as that account before they prove the
// address is theirs.
async function signUp(client, email, firstname = '', lastname = '') {
  const rows = await act(client, null,
    'SELECT id, email FROM enroll.register_account($1, $2, $3)', [email, firstname, lastname])
  return rows[0]
}

// The offers the visitor (null) or account may see and act on now.
function browse(client, account = null) {
  return act(client, account,
    'SELECT id, code, title, course_id, course_shortname, course_fullname, price, currency,' +
    '       valid_from, valid_until, state, visibility, recipient_kind, required_level,' +
    '       extra_condition, access_period, registrar_types, places_left' +
    '  FROM enroll.visible_offers ORDER BY code')
}

// What is left to do before accepting an offer (enroll.offer_requirements).
async function requirements(client, account, offer) {
  const rows = await act(client, account, 'SELECT enroll.offer_requirements($1::bigint) AS r', [offer])
  return rows[0].r
}

// The replaces_current_license step of requirements(), or null: accepting
// ends the person's current license for the course (S2.23, the time left is
// lost).  Show its time_lost and ask before calling accept().
function consentNeeded(reqs) {
  return (reqs.steps || []).find((s) => s.step === 'replaces_current_license') || null
}

// Accepts an offer; returns the license that gives access, with outcome:
// granted, replaced (the previous license ended now), follows (starts when
// the current one ends) or kept (nothing changed).
async function accept(client, account, offer, opts = {}) {
  const { acceptCondition = false, registrarOrg = null, joinRegistrar = false, forOrganization = null } = opts
  const rows = await act(client, account,
    'SELECT * FROM enroll.accept_offer($1::bigint, registrar_org => $2::bigint,' +
    ' join_registrar => $3::boolean, accept_condition => $4::boolean, for_organization => $5::bigint)',
    [offer, registrarOrg, joinRegistrar, acceptCondition, forOrganization])
  return rows[0]
}

// The page-view check: { allowed, status }.
async function access(client, account, course) {
  const rows = await act(client, account,
    'SELECT enroll.can_access($1::bigint, $2::bigint) AS allowed,' +
    '       enroll.access_status($1::bigint, $2::bigint) AS status', [account, course])
  return rows[0]
}

// An operator's order (S1): the report of enroll.setup_course_session.  Call
// it with { dryRun: true } first: the same report, nothing written, and
// every bad participant listed at once in "problems".
async function orderSession(client, operator, orderRef, offer, seats, participants, opts = {}) {
  const { dryRun = false, acceptCondition = false } = opts
  const rows = await act(client, operator,
    'SELECT enroll.setup_course_session($1::text, $2::bigint, $3::bigint, $4::integer, $5::jsonb,' +
    ' dry_run => $6::boolean, accept_condition => $7::boolean) AS report',
    [orderRef, offer, operator, seats, JSON.stringify(participants), dryRun, acceptCondition])
  return rows[0].report
}

// An organization admin gives a member a seat of the organization's current
// license for the course; returns the member's license and outcome.
async function allocateSeat(client, orgAdmin, organization, course, member) {
  const rows = await act(client, orgAdmin,
    'SELECT * FROM enroll.allocate_seat($1::bigint, $2::bigint, $3::bigint)', [organization, course, member])
  return rows[0]
}

// An organization admin takes a seat back (it can be given again).
async function releaseSeat(client, orgAdmin, seatLicense, reason = null) {
  const rows = await act(client, orgAdmin,
    'SELECT id, end_reason, ended_at FROM enroll.release_seat($1::bigint, $2::text)', [seatLicense, reason])
  return rows[0]
}

// The licenses of the organizations the account administers, seats used and free.
function organizationSeats(client, orgAdmin) {
  return act(client, orgAdmin,
    'SELECT organization_id, organization, license_id, course_id, course, offer_code,' +
    '       license_state, seats, used, free, holders' +
    '  FROM enroll.organization_seats ORDER BY organization, course, license_id')
}

// The account's licenses, current and past, with their status and time left.
function myLicenses(client, account) {
  return act(client, account,
    'SELECT license_id, course_id, course, offer_code, accepted_via, access_from,' +
    '       access_until, license_state, access_status, time_left, ended_at, end_reason' +
    '  FROM enroll.my_licenses ORDER BY license_id')
}

// ---------------------------------------------------------------------------
// Events: LISTEN to wake up, enroll.events_since() to read
//
// A client of its own, kept open: LISTEN belongs to a session, so it cannot
// go through a transaction-mode pooler.  The notification only wakes the
// consumer up (it may be lost while the consumer is down); the events are
// read with events_since(afterId), afterId being the id of the last event
// processed, which a real consumer stores durably.  `account` is the account
// it reads for: an admin account reads every event, a person the events
// about them (a position is an event the reader can see).

class EventListener {
  static async start(config = {}, { account = null, afterId = 0, page = 500 } = {}) {
    const l = new EventListener(await connect(config), account, afterId, page)
    l.client.on('notification', (n) => {
      if (n.channel !== 'enroll_events') return
      l.heard.push(JSON.parse(n.payload))
      const wake = l.wake
      l.wake = null
      if (wake) wake()
    })
    await l.client.query('LISTEN enroll_events')
    return l
  }

  constructor(client, account, afterId, page) {
    Object.assign(this, { client, account, afterId, page, heard: [], wake: null })
  }

  // every event after the last one read, page by page (one round trip each)
  async catchUp() {
    const events = []
    for (;;) {
      const rows = await act(this.client, this.account,
        'SELECT id, at, account_id, what, table_name, row_id, subject_account, details' +
        '  FROM enroll.events_since($1::bigint, $2::integer)', [this.afterId, this.page])
      events.push(...rows)
      if (rows.length > 0) this.afterId = rows[rows.length - 1].id
      if (rows.length < this.page) return events
    }
  }

  // waits up to timeoutMs for notifications; returns their payloads
  async wait(timeoutMs) {
    if (this.heard.length === 0) {
      await new Promise((resolve) => {
        const timer = setTimeout(() => { this.wake = null; resolve() }, timeoutMs)
        this.wake = () => { clearTimeout(timer); resolve() }
      })
    }
    const heard = this.heard
    this.heard = []
    return heard
  }

  end() {
    return this.client.end()
  }
}

module.exports = {
  SENTENCES, ShopError, connect, act, signUp, browse, requirements, consentNeeded, accept, access,
  orderSession, allocateSeat, releaseSeat, organizationSeats, myLicenses, EventListener,
}

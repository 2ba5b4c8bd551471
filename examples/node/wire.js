'use strict'
// wire.js: a PostgreSQL wire proxy that counts round trips and adds latency.
//
// Not part of the shop: test.js puts it between the shop and the server to
// prove that every action costs one network round trip, and to time the
// actions as if the database were far away.
//
//   const proxy = await WireProxy.start(serverDir, serverPort, 20)   // 20 ms
//   const client = new pg.Client({ host: proxy.dir, port: proxy.port })
//   proxy.reset(); await shop.browse(client, account); proxy.flights  // -> 1
//
// A *flight* is the client sending, then waiting for the server: the proxy
// counts a new flight each time the client sends bytes after a
// ReadyForQuery message (the server's "done, your turn": the end of every
// simple query and of every Sync) reached it.  Every byte from the server is
// held back `delayMs` (an artificial round-trip time), so that a client that
// writes several messages without waiting (pipelining) is seen as one flight
// even when the server answers the first one at once.
//
// The proxy listens on a Unix socket in its own temporary directory
// (.s.PGSQL.<port>, as PostgreSQL does) and connects to the server's Unix
// socket: no TCP port is taken.

const fs = require('fs')
const net = require('net')
const os = require('os')
const path = require('path')

class WireProxy {
  static start(serverDir, serverPort, delayMs = 5) {
    const proxy = new WireProxy(serverDir, serverPort, delayMs)
    return new Promise((resolve, reject) => {
      proxy.server.once('error', reject)
      proxy.server.listen(proxy.path, () => resolve(proxy))
    })
  }

  constructor(serverDir, serverPort, delayMs) {
    this.target = path.join(serverDir, `.s.PGSQL.${serverPort}`)
    this.delayMs = delayMs
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wire.'))
    this.port = Number(serverPort)
    this.path = path.join(this.dir, `.s.PGSQL.${this.port}`)
    this.flights = 0
    this.pairs = new Set()
    this.server = net.createServer((client) => this._pair(client))
  }

  _pair(client) {
    const server = net.connect(this.target)
    const pair = { answered: true, pending: Buffer.alloc(0), client, server }
    this.pairs.add(pair)
    client.on('data', (data) => {
      if (pair.answered) this.flights++
      pair.answered = false
      server.write(data)
    })
    server.on('data', (data) => {
      // timers of equal delay fire in the order they were set: order kept
      setTimeout(() => {
        if (client.destroyed) return
        client.write(data)
        if (this._readyForQuery(pair, data)) pair.answered = true
      }, this.delayMs)
    })
    const end = () => {
      this.pairs.delete(pair)
      client.destroy()
      server.destroy()
    }
    client.on('close', end)
    server.on('close', () => setTimeout(end, this.delayMs + 1))
    client.on('error', end)
    server.on('error', end)
  }

  // did `data` complete a ReadyForQuery ('Z') message?  The server speaks
  // in messages of one type byte and a 4-byte length (no SSL on a socket)
  _readyForQuery(pair, data) {
    let buf = Buffer.concat([pair.pending, data])
    let ready = false
    while (buf.length >= 5) {
      const size = 1 + buf.readUInt32BE(1)
      if (buf.length < size) break
      if (buf[0] === 0x5a) ready = true // 'Z'
      buf = buf.subarray(size)
    }
    pair.pending = Buffer.from(buf)
    return ready
  }

  // starts counting again (call it when the connection is idle)
  reset() {
    this.flights = 0
    for (const pair of this.pairs) pair.answered = true
  }

  close() {
    for (const pair of this.pairs) {
      pair.client.destroy()
      pair.server.destroy()
    }
    return new Promise((resolve) => {
      this.server.close(() => {
        fs.rmSync(this.dir, { recursive: true, force: true })
        resolve()
      })
    })
  }
}

module.exports = { WireProxy }

"""wire.py: a PostgreSQL wire proxy that counts round trips and adds latency.

Not part of the shop: test_shop.py puts it between the shop and the server
to prove that every action costs one network round trip, and to time the
actions as if the database were far away.

    proxy = WireProxy(server_dir, server_port, delay=0.02)
    conn = psycopg.connect(host=proxy.dir, port=proxy.port, ...)
    proxy.reset()
    shop.browse(conn, account)
    proxy.flights        # -> 1

A *flight* is the client sending, then waiting for the server: the proxy
counts a new flight each time the client sends bytes after a ReadyForQuery
message (the server's "done, your turn": the end of every simple query and
of every Sync of the extended protocol) reached it.  Every byte from the
server is held back `delay` seconds (an artificial round-trip time), so
that a client that writes several messages at once, without waiting
(pipelining), is seen as one flight even when the server answers the first
message at once.

The proxy listens on a Unix socket in its own temporary directory
(.s.PGSQL.<port>, as PostgreSQL does) and connects to the server's Unix
socket: no TCP port is taken.
"""

import os
import socket
import tempfile
import threading
import time
from collections import deque

__all__ = ["WireProxy"]


class _Pair:
    """One client connection and its server connection."""

    def __init__(self, proxy, client, server):
        self.proxy = proxy
        self.client = client
        self.server = server
        self.queue = deque()            # (due, bytes) from the server, not yet delivered
        self.pending = b""              # the server's last message, not complete yet
        self.cond = threading.Condition()
        self.closed = False
        for target in (self.client_to_server, self.server_to_client, self.deliver):
            threading.Thread(target=target, daemon=True).start()

    def client_to_server(self):
        try:
            while True:
                data = self.client.recv(65536)
                if not data:
                    break
                self.proxy._client_sent(self)
                self.server.sendall(data)
        except OSError:
            pass
        self.close()

    def server_to_client(self):
        try:
            while True:
                data = self.server.recv(65536)
                if not data:
                    break
                with self.cond:
                    self.queue.append((time.monotonic() + self.proxy.delay, data))
                    self.cond.notify()
        except OSError:
            pass
        self.close()

    def deliver(self):
        """Hands the server's bytes to the client once they are due, in order."""
        while True:
            with self.cond:
                while not self.queue and not self.closed:
                    self.cond.wait()
                if not self.queue:
                    return
                due, data = self.queue.popleft()
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            # recorded before the client can see it: marked after, the client
            # could answer first (this thread loses the CPU after sendall), and
            # the stale mark would split its next flight in two
            if self._ready_for_query(data):
                self.proxy._server_delivered(self)
            try:
                self.client.sendall(data)
            except OSError:
                return

    def _ready_for_query(self, data):
        """Did `data` complete a ReadyForQuery ('Z') message?  The server
        speaks in messages of one type byte and a 4-byte length (there is
        no SSL negotiation on a Unix socket)."""
        buf = self.pending + data
        ready = False
        while len(buf) >= 5:
            size = 1 + int.from_bytes(buf[1:5], "big")
            if len(buf) < size:
                break
            ready = ready or buf[0:1] == b"Z"
            buf = buf[size:]
        self.pending = buf
        return ready

    def close(self):
        with self.cond:
            if self.closed:
                return
            self.closed = True
            self.cond.notify()
        for s in (self.client, self.server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class WireProxy:
    """Forwards to the server at server_dir/.s.PGSQL.server_port."""

    def __init__(self, server_dir, server_port, delay=0.005):
        self.target = os.path.join(server_dir, ".s.PGSQL.%d" % int(server_port))
        self.delay = delay
        self.dir = tempfile.mkdtemp(prefix="wire.")
        self.port = int(server_port)
        self.path = os.path.join(self.dir, ".s.PGSQL.%d" % self.port)
        self.lock = threading.Lock()
        self.flights = 0
        self._answered = {}            # pair -> server bytes delivered since its last send
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.connect(self.target)
            _Pair(self, client, server)

    def _client_sent(self, pair):
        with self.lock:
            if self._answered.get(pair, True):
                self.flights += 1
            self._answered[pair] = False

    def _server_delivered(self, pair):
        with self.lock:
            self._answered[pair] = True

    def reset(self):
        """Starts counting again (call it when the connection is idle)."""
        with self.lock:
            self.flights = 0
            for pair in self._answered:
                self._answered[pair] = True

    def close(self):
        self.listener.close()
        try:
            os.unlink(self.path)
            os.rmdir(self.dir)
        except OSError:
            pass

"""The faults a real network has, shared by the fake servers (tests/fake_bot_api.py, tests/fake_graph_api.py).

A real Bot API or Graph API server is tens of milliseconds away, sometimes answers 502 or 429,
sometimes takes longer than the client waits, resets a connection or is not there at all.
The fakes answer at once and never fail unless told; this module is what they are told with:

- ``Network.latency``: seconds added to every answer (a sleep in the request's own thread:
  the server handles each connection in a thread, so 200 clients waiting 50 ms each are
  served together, not one after the other);
- ``Network.refuse(fault, method=..., target=..., times=...)``: the next ``times`` calls to
  ``method`` (any, when None) for ``target`` (a chat id or a WhatsApp number; any, when None)
  meet ``fault``, one of:
  ``Answer(status, body)`` an error answer instead of the call's own (the call has no effect);
  ``Hold(seconds, deliver)`` the answer comes ``seconds`` late, longer than the client waits
  (``deliver``: the call still takes effect, as a slow server does; else it is dropped);
  ``RESET`` the connection is reset (TCP RST), no answer, no effect;
  ``Down(seconds)`` the connection is reset and the server stops listening for ``seconds``:
  new connections are refused (ECONNREFUSED), then it is back on the same port.
- ``Network.down()`` / ``Network.up()``: the same by hand, for as long as a test wants.

Each fake keeps a record of every call: ``at`` (time.monotonic() on arrival), ``answered_at`` (when
the answer was written; None if it never was), ``status`` (None: reset or not answered) and
``fault`` (the one it met), so tests can check the order per chat and the timing.
"""
from __future__ import annotations

import json
import os
import socket
import struct
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

__all__ = ["Answer", "Down", "FaultControls", "Hold", "Network", "RESET", "Reset", "Server", "write_json"]


@dataclass(frozen=True)
class Answer:
    """Answer ``status`` with ``body`` (JSON) instead of doing the call."""

    status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class Hold:
    """Answer ``seconds`` late: longer than the client's read timeout, it gives up first.
    ``deliver``: the call takes effect all the same (a slow server), else nothing happens."""

    seconds: float = 10.0
    deliver: bool = False


@dataclass(frozen=True)
class Reset:
    """Reset the connection (TCP RST) without an answer; the call has no effect."""


@dataclass(frozen=True)
class Down:
    """Reset the connection, then refuse connections (nothing listens) for ``seconds``."""

    seconds: float = 1.0


RESET = Reset()
Fault = Answer | Hold | Reset | Down


class Server(ThreadingHTTPServer):
    """A threaded HTTP server that knows its open connections, so it can reset them."""

    daemon_threads = True
    request_queue_size = 256  # http.server's 5 would refuse a client's many parallel connections

    def __init__(self, address, handler):
        self.connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def get_request(self):
        sock, address = super().get_request()
        with self._connections_lock:
            self.connections.add(sock)
        return sock, address

    def shutdown_request(self, request):
        with self._connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def reset_all(self) -> None:
        """Cut every open connection. From another thread a close would wait for the handler's
        blocked read, so this shuts them down (the client sees the connection end)."""
        with self._connections_lock:
            open_now = list(self.connections)
        for sock in open_now:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def reset(sock: socket.socket) -> None:
    """Reset a connection from the thread that serves it: SO_LINGER on with a zero timeout and a
    real close (the socket is detached from the handler's file objects, which would defer it)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        os.close(sock.detach())
    except OSError:
        pass


class _Rule:
    def __init__(self, fault: Fault, method: str | None, target: str | None, times: int | None):
        self.fault, self.method, self.target, self.times = fault, method, target, times

    def matches(self, method: str, target: str | None) -> bool:
        return ((self.times is None or self.times > 0) and self.method in (None, method)
                and (self.target is None or self.target == target))


class Network:
    """One fake server's listening socket, latency and scripted faults (see the module's docstring)."""

    def __init__(self, handler_class, *, host: str = "127.0.0.1", port: int = 0, latency: float = 0.0,
                 name: str = "fake-server"):
        self.latency = latency
        self.name = name
        self.handler_class = handler_class
        self.server = Server((host, port), handler_class)
        self.address = self.server.server_address[:2]  # kept across down() / up(): the same port
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closing = threading.Event()  # set by stop(): held requests stop waiting
        self._is_down = False

    # -- life cycle ----------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self.server.serve_forever, name=self.name,
                                            kwargs={"poll_interval": 0.05}, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._closing.set()
        with self._lock:
            if self._is_down:
                return
            self._is_down = True
        self._halt()

    def _halt(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def down(self) -> None:
        """Stop listening and reset every open connection: connecting is refused until ``up()``."""
        with self._lock:
            if self._is_down:
                return
            self._is_down = True
        self._halt()
        self.server.reset_all()

    def up(self) -> None:
        """Listen again, on the same port."""
        with self._lock:
            if not self._is_down or self._closing.is_set():
                return
            self.server = Server(self.address, self.handler_class)
            self._is_down = False
            self.start()

    # -- faults --------------------------------------------------------------
    def refuse(self, fault: Fault, *, method: str | None = None, target: Any = None,
               times: int | None = 1) -> None:
        """The next ``times`` calls (None: every one until ``clear()``) to ``method`` for ``target``
        meet ``fault``. Rules are tried in the order they were given."""
        with self._lock:
            self._rules.append(_Rule(fault, method, None if target is None else str(target), times))

    def clear(self) -> None:
        """Forget the faults not met yet."""
        with self._lock:
            self._rules.clear()

    def fault_for(self, method: str, target: Any) -> Fault | None:
        """The fault this call meets (its rule counted down), or None."""
        target = None if target is None else str(target)
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, target):
                    if rule.times is not None:
                        rule.times -= 1
                    self._rules = [r for r in self._rules if r.times is None or r.times > 0]
                    return rule.fault
        return None

    def serve(self, handler, exchange, fault: Fault | None,
              work: Callable[[], tuple[int, dict[str, Any]]],
              write: Callable[[int, dict[str, Any]], None]) -> None:
        """Answer one call, meeting ``fault``: ``work`` does the call (its effect) and returns
        (status, body); ``write`` sends the answer. ``handler`` is the request's BaseHTTPRequestHandler;
        ``exchange`` the call's record (its ``fault``, ``status`` and ``answered_at`` are set here)."""
        exchange.fault = fault
        if isinstance(fault, (Reset, Down)):
            handler.close_connection = True
            if isinstance(fault, Down):  # stop listening first: the client's retry must be refused
                self.down()
                timer = threading.Timer(fault.seconds, self.up)
                timer.daemon = True
                timer.start()
            reset(handler.connection)
            return
        if isinstance(fault, Hold):
            self._closing.wait(fault.seconds)
            if not fault.deliver:
                handler.close_connection = True
                reset(handler.connection)  # the client gave up long ago; nothing happened
                return
        if isinstance(fault, Answer):
            status, body = fault.status, fault.body
        else:
            status, body = work()
        if self.latency > 0:
            self._closing.wait(self.latency)
        exchange.status = status
        exchange.answered_at = time.monotonic()  # before the write: the client may look at once
        write(status, body)


def write_json(handler: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
    """Answer a fake's request with JSON; a client that went away (killed, or gave up waiting)
    is no error of the fake's."""
    data = json.dumps(payload).encode()
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


class FaultControls:
    """What both fakes give tests of their ``_network`` (a Network) and ``_listeners``."""

    _network: Network
    _listeners: list

    def clear_faults(self) -> None:
        self._network.clear()

    def down(self) -> None:
        """Stop listening (connections are refused) and cut the open connections, until ``up()``."""
        self._network.down()

    def up(self) -> None:
        self._network.up()

    def listen(self, callback: Callable[[Any], None]) -> None:
        """``callback(call)`` is told of each call once it is answered or reset, in the server's thread."""
        self._listeners.append(callback)

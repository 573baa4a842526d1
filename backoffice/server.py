"""Serving an ASGI application under uvicorn on OFFICE_HOST:OFFICE_PORT (127.0.0.1:8000).

``listen`` binds the port, for ``python -m bot run`` (bot.channels, which puts the Telegram
application and the outbox's scheduler in the same event loop) and ``python -m backoffice`` (the
back office alone, ``serve``) alike. The port is bound before anything else starts, so a port
already taken is one clear line and exit status 2, not a traceback after the bot has begun
polling.
"""
from __future__ import annotations

import contextlib
import errno
import logging
import signal
import socket
import threading

from typing import Callable

from backoffice.settings import OfficeSettings

log = logging.getLogger(__name__)
PORT_TAKEN = 2  # exit status


class PortTaken(OSError):
    """The address is already in use (another bot or back office?)."""


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on (host, port); ``PortTaken`` with a message for people if taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT of a previous run is no obstacle
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as error:
        sock.close()
        if error.errno in (errno.EADDRINUSE, errno.EACCES):
            raise PortTaken(error.errno, f"{host}:{port} is already in use (another bot or back office "
                                         f"running?): stop it, or choose another port with OFFICE_PORT") from None
        raise
    sock.set_inheritable(True)
    return sock


def listen(office: OfficeSettings) -> socket.socket | None:
    """The listening socket on OFFICE_HOST:OFFICE_PORT; None, with the reason logged, when the
    port is taken (the caller exits with PORT_TAKEN)."""
    try:
        return bind(office.host, office.port)
    except PortTaken as error:
        log.error("%s", error.strerror)
        return None


def config(app, log_level: str):
    """uvicorn's configuration for ``app``. log_config=None: uvicorn's lines go through our
    handler, which blanks secrets out (bot.logs)."""
    import uvicorn

    # proxy_headers: behind a TLS proxy on this machine, requests count as https (Secure cookies).
    return uvicorn.Config(app, lifespan="on", proxy_headers=True, forwarded_allow_ips="127.0.0.1",
                          log_config=None, log_level=log_level.lower(), access_log=False)


def server(app, log_level: str):
    """A uvicorn server whose SIGINT/SIGTERM end it gracefully and then let the process exit with
    status 0 (uvicorn itself raises the signal again once stopped, which kills the process)."""
    import uvicorn

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    return Server(config(app, log_level))


def serve(build: Callable[[], object], office: OfficeSettings) -> int:
    """``build()``'s application until Ctrl+C, once the port is bound; the exit status."""
    import asyncio

    sock = listen(office)
    if sock is None:
        return PORT_TAKEN
    with sock:
        app = build()
        log.info("back office on http://%s:%s/office/", office.host, office.port)
        asyncio.run(server(app, office.log_level).serve(sockets=[sock]))
    return 0

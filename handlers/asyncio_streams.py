"""httpcore's network backend on asyncio's own streams, for the Bot API calls (handlers.telegram_http).

httpcore reaches asyncio through anyio: every read and write opens a cancel scope (``fail_after``)
and passes anyio's checkpoints, a fifth of the bot's CPU time per update in bench_latency's
profile. Python 3.11's ``asyncio.timeout`` and ``StreamWriter.start_tls`` do the same job for a
plain client socket. Errors are httpcore's, as its anyio backend raises them: a time-out is
ReadTimeout, WriteTimeout or ConnectTimeout; a refused, reset or closed connection ReadError,
WriteError or ConnectError.
"""
from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from typing import Any, Iterable

from httpcore import ConnectError, ConnectTimeout, ReadError, ReadTimeout, WriteError, WriteTimeout
from httpcore._backends.base import SOCKET_OPTION, AsyncNetworkBackend, AsyncNetworkStream
from httpcore._utils import is_socket_readable


@contextlib.asynccontextmanager
async def _within(timeout: float | None, *, late: type[Exception], broken: type[Exception]):
    try:
        if timeout is None:
            yield
        else:
            async with asyncio.timeout(timeout):
                yield
    except TimeoutError as error:
        raise late(str(error) or "timed out") from error
    except (OSError, EOFError, asyncio.IncompleteReadError) as error:
        raise broken(str(error) or error.__class__.__name__) from error


# A connection that carried a response this recently is not asked the system whether the server
# closed it (see ``get_extra_info``).
RECENTLY = 1.0


class AsyncioStream(AsyncNetworkStream):
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self._reader, self._writer = reader, writer
        self._socket = writer.get_extra_info("socket")
        self._last_read = time.monotonic()

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        async with _within(timeout, late=ReadTimeout, broken=ReadError):
            data = await self._reader.read(max_bytes)
        self._last_read = time.monotonic()
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._writer.is_closing():
            raise WriteError("the connection is closed")
        self._writer.write(buffer)
        if self._writer.transport.get_write_buffer_size():  # not all of it went out at once
            async with _within(timeout, late=WriteTimeout, broken=WriteError):
                await self._writer.drain()

    async def aclose(self) -> None:
        # Not waiting for the close: over TLS a server that never answers the close_notify would
        # hold the caller (a request discarding an expired connection, the bot's stop) for asyncio's
        # 30 s shutdown time-out; the transport finishes closing by itself.
        self._writer.close()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> AsyncNetworkStream:
        try:
            async with _within(timeout, late=ConnectTimeout, broken=ConnectError):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except BaseException:
            await self.aclose()
            raise
        return AsyncioStream(self._reader, self._writer)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # a kept-alive connection the server closed, or sent something on
            # The event loop reads the socket whenever it can, so a close that arrived before its
            # last turn shows in at_eof() already. Asking the system too (a poll() per idle
            # connection, each time httpcore's pool looks at them: twice a call) is kept for the
            # connections quiet for a while, the ones a server closes for idleness; on busy ones
            # it was a twentieth of the bot's CPU time (bench_latency).
            if self._reader.at_eof() or self._writer.is_closing():
                return True
            if time.monotonic() - self._last_read < RECENTLY:
                return False
            return self._socket is not None and is_socket_readable(self._socket)
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._socket
        return None


class AsyncioBackend(AsyncNetworkBackend):
    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[SOCKET_OPTION] | None = None) -> AsyncNetworkStream:
        async with _within(timeout, late=ConnectTimeout, broken=ConnectError):
            reader, writer = await asyncio.open_connection(
                host, port, local_addr=(local_address, 0) if local_address else None)
        for option in socket_options or ():
            writer.get_extra_info("socket").setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[SOCKET_OPTION] | None = None) -> AsyncNetworkStream:
        async with _within(timeout, late=ConnectTimeout, broken=ConnectError):
            reader, writer = await asyncio.open_unix_connection(path)
        return AsyncioStream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

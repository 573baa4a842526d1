"""The bot's own HTTP path to the Bot API (handlers.telegram_http on handlers.asyncio_streams),
against a small HTTPS server on 127.0.0.1: TLS, kept-alive connections, a server that closes
them, a time-out and a refused connection, each as python-telegram-bot's errors say them."""
from __future__ import annotations

import asyncio
import json
import ssl
from pathlib import Path

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from handlers.telegram_http import ShardedRequest
from tests.postgres import free_port

CERTS = Path(__file__).resolve().parent / "certs"  # self-signed for localhost and 127.0.0.1, for tests only


class BotApiServer:
    """Answers every POST with {"ok": true, "result": <its form>}; ``delay`` before answering;
    ``close_after_answer`` drops each connection once it has answered (as a server whose
    keep-alive ran out)."""

    def __init__(self):
        self.connections = 0
        self.delay = 0.0
        self.close_after_answer = False
        self._server: asyncio.Server | None = None

    async def start(self, tls: bool = True) -> str:
        context = None
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(CERTS / "localhost.pem", CERTS / "localhost.key")
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=context)
        port = self._server.sockets[0].getsockname()[1]
        return f"{'https' if tls else 'http'}://localhost:{port}/botTOKEN"

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                form = (await reader.readexactly(length)).decode()
                await asyncio.sleep(self.delay)
                body = json.dumps({"ok": True, "result": form}).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()
                if self.close_after_answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def trusting() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(CERTS / "localhost.pem"))


async def call(request: ShardedRequest, url: str, text: str, **timeouts) -> str:
    form = RequestData(parameters=[RequestParameter.from_input("chat_id", 7), RequestParameter.from_input("text", text)])
    status, body = await request.do_request(f"{url}/sendMessage", "POST", form, **timeouts)
    assert status == 200
    return json.loads(body)["result"]


@pytest.fixture
async def server():
    server = BotApiServer()
    yield server
    await server.stop()


async def test_calls_go_over_tls_and_keep_their_connection(server):
    url = await server.start()
    request = ShardedRequest(4, per_shard=4, tls=trusting())
    await request.initialize()
    try:
        assert await call(request, url, "Ciao à tous") == "chat_id=7&text=Ciao+%C3%A0+tous"
        assert await call(request, url, "di nuovo") == "chat_id=7&text=di+nuovo"
        assert server.connections == 1  # kept alive, reused
    finally:
        await request.shutdown()


async def test_a_certificate_nobody_vouches_for_is_refused(server):
    url = await server.start()
    request = ShardedRequest(4, per_shard=4)  # certifi's authorities: they never signed ours
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as refused:
            await call(request, url, "ciao")
        assert not isinstance(refused.value, TimedOut)
    finally:
        await request.shutdown()


async def test_a_connection_the_server_closed_is_not_reused(server):
    url = await server.start()
    server.close_after_answer = True
    request = ShardedRequest(4, per_shard=4, tls=trusting())
    await request.initialize()
    try:
        for word in ("uno", "due", "tre"):
            assert await call(request, url, word) == f"chat_id=7&text={word}"
            await asyncio.sleep(0.05)  # the server's close reaches the client
        assert server.connections == 3
    finally:
        await request.shutdown()


async def test_a_slow_answer_is_a_time_out(server):
    url = await server.start(tls=False)
    server.delay = 1.0
    request = ShardedRequest(4, per_shard=4)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await call(request, url, "ciao", read_timeout=0.2)
        server.delay = 0.0
        assert await call(request, url, "ancora") == "chat_id=7&text=ancora"  # a fresh connection works
    finally:
        await request.shutdown()


async def test_a_refused_connection_is_a_network_error():
    request = ShardedRequest(4, per_shard=4)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as refused:
            await call(request, f"http://127.0.0.1:{free_port()}/botTOKEN", "ciao")
        assert not isinstance(refused.value, TimedOut)
    finally:
        await request.shutdown()


async def test_a_quiet_connection_is_asked_the_system_whether_the_server_closed_it(monkeypatch):
    """A close the event loop has not read yet: a connection quiet for a while is checked with
    the system (a poll); one that has just carried a response is not (the loop reads its socket
    at every turn: a close shows in at_eof() by the next one)."""
    import socket

    from handlers import asyncio_streams

    ours, servers = socket.socketpair()
    reader, writer = await asyncio.open_connection(sock=ours)
    stream = asyncio_streams.AsyncioStream(reader, writer)
    try:
        monkeypatch.setattr(asyncio_streams, "RECENTLY", 0.0)  # every connection counts as quiet
        assert stream.get_extra_info("is_readable") is False  # open, nothing came: the system says so
        servers.close()  # the server goes; the loop has not had a turn since
        assert stream.get_extra_info("is_readable") is True  # quiet: the system says closed
        monkeypatch.setattr(asyncio_streams, "RECENTLY", 60.0)  # every connection counts as busy
        assert stream.get_extra_info("is_readable") is False  # not asked
        await asyncio.sleep(0.05)  # a turn of the loop: it reads the close
        assert stream.get_extra_info("is_readable") is True
    finally:
        await stream.aclose()

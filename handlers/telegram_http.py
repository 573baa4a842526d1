"""The HTTP path of the bot's Bot API calls, the most of its CPU time (bench_latency's profile:
70% of an update at 50 ms of latency went to python-telegram-bot's HTTPXRequest).

- Straight on httpcore, the connection pools under httpx: httpx's client layers (URL merging,
  cookies, auth and redirect handling, building and closing its Request and Response objects)
  cost more than the HTTP itself, and a Bot API call needs none of them. A call with files
  (sendDocument: multipart) still goes through PTB's own HTTPXRequest.
- Several small pools instead of one large one: httpcore 1.0's pool scans all its connections,
  and for each of them counts the idle ones again, every time a request is queued or a response
  closed, so the work per call grows with the square of the connections (the fix upstream lives
  in httpx2, which PTB does not use). A call goes to the least busy of the pools of
  ``per_shard`` connections each; they share one TLS context (loading the certificates costs
  25 ms each).
- Under httpcore, asyncio's own streams instead of anyio's (handlers.asyncio_streams): anyio's
  cancel scopes and checkpoints around every read and write cost more than the reads and writes.

Errors as PTB's HTTPXRequest says them: a time-out is TimedOut, any other transport error
NetworkError, so the outbox retries them (services.outbox_sender).
"""
from __future__ import annotations

import ssl
from urllib.parse import urlencode

import certifi
import httpcore
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from handlers.asyncio_streams import AsyncioBackend

CONNECTIONS_PER_SHARD = 4
TIMEOUTS = {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 1.0}  # PTB's HTTPXRequest defaults
_FORM = [(b"Content-Type", b"application/x-www-form-urlencoded")]


class ShardedRequest(BaseRequest):
    def __init__(self, connections: int, *, per_shard: int = CONNECTIONS_PER_SHARD, tls: ssl.SSLContext | None = None):
        count = max(1, -(-connections // per_shard))
        self._tls = tls or ssl.create_default_context(cafile=certifi.where())
        self._shards: list[httpcore.AsyncConnectionPool] = []
        self._count, self._per_shard = count, per_shard
        self._busy = [0] * count
        self._uploads = HTTPXRequest(connection_pool_size=per_shard, httpx_kwargs={"verify": self._tls})
        self._headers = [(b"User-Agent", self.USER_AGENT.encode())]

    @property
    def read_timeout(self) -> float | None:
        return TIMEOUTS["read"]

    async def initialize(self) -> None:
        if not self._shards:
            self._shards = [httpcore.AsyncConnectionPool(
                ssl_context=self._tls, max_connections=self._per_shard, max_keepalive_connections=self._per_shard,
                network_backend=AsyncioBackend()) for _ in range(self._count)]
        await self._uploads.initialize()

    async def shutdown(self) -> None:
        shards, self._shards = self._shards, []
        for shard in shards:
            await shard.aclose()
        await self._uploads.shutdown()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: ODVInput[float] = DEFAULT_NONE, write_timeout: ODVInput[float] = DEFAULT_NONE,
                         connect_timeout: ODVInput[float] = DEFAULT_NONE,
                         pool_timeout: ODVInput[float] = DEFAULT_NONE) -> tuple[int, bytes]:
        if request_data is not None and request_data.contains_files:
            return await self._uploads.do_request(url, method, request_data, read_timeout=read_timeout,
                                                  write_timeout=write_timeout, connect_timeout=connect_timeout,
                                                  pool_timeout=pool_timeout)
        if not self._shards:
            raise RuntimeError("This ShardedRequest is not initialized!")
        given = {"read": read_timeout, "write": write_timeout, "connect": connect_timeout, "pool": pool_timeout}
        timeout = {name: TIMEOUTS[name] if isinstance(value, DefaultValue) else value for name, value in given.items()}
        body = urlencode(request_data.json_parameters).encode() if request_data is not None else None
        index = min(range(self._count), key=self._busy.__getitem__)
        self._busy[index] += 1
        try:
            response = await self._shards[index].request(
                method, url, headers=self._headers + _FORM if body is not None else self._headers, content=body,
                extensions={"timeout": timeout})
        except httpcore.TimeoutException as error:
            raise TimedOut from error
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol, httpcore.ProxyError,
                ssl.SSLError, OSError) as error:
            raise NetworkError(f"httpcore.{error.__class__.__name__}: {error}") from error
        finally:
            self._busy[index] -= 1
        return response.status, response.content

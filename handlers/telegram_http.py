"""The HTTP path of the Bot API calls: several small httpx pools instead of one large one.

httpcore 1.0's connection pool scans all its connections, and for each of them counts the idle
ones again, every time a request is queued or a response closed: the work per call grows with
the square of the connections. With the sender keeping dozens of calls in flight against a
server 50 ms away, that scan was a third of the bot's CPU time (bench_latency's profile). The
fix upstream lives in httpx2, which python-telegram-bot does not use; until it does, a call
goes to the least busy of ``shards`` PTB ``HTTPXRequest`` objects of a few connections each,
so each scan stays short and the connections in all are as many as before. The shards share
one TLS context (loading the certificates is 25 ms each).
"""
from __future__ import annotations

import ssl

import certifi

from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput

CONNECTIONS_PER_SHARD = 4


class ShardedRequest(BaseRequest):
    def __init__(self, connections: int, *, per_shard: int = CONNECTIONS_PER_SHARD, **options):
        count = max(1, -(-connections // per_shard))
        tls = ssl.create_default_context(cafile=certifi.where())
        self._shards = [HTTPXRequest(connection_pool_size=per_shard, httpx_kwargs={"verify": tls}, **options)
                        for _ in range(count)]
        self._busy = [0] * count

    @property
    def read_timeout(self) -> float | None:
        return self._shards[0].read_timeout

    async def initialize(self) -> None:
        for shard in self._shards:
            await shard.initialize()

    async def shutdown(self) -> None:
        for shard in self._shards:
            await shard.shutdown()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: ODVInput[float] = DEFAULT_NONE, write_timeout: ODVInput[float] = DEFAULT_NONE,
                         connect_timeout: ODVInput[float] = DEFAULT_NONE,
                         pool_timeout: ODVInput[float] = DEFAULT_NONE) -> tuple[int, bytes]:
        index = min(range(len(self._busy)), key=self._busy.__getitem__)
        self._busy[index] += 1
        try:
            return await self._shards[index].do_request(
                url, method, request_data, read_timeout=read_timeout, write_timeout=write_timeout,
                connect_timeout=connect_timeout, pool_timeout=pool_timeout)
        finally:
            self._busy[index] -= 1

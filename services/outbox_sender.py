"""A channel's outbox sender: claims due rows (services.outbox), paces the platform calls they need
within the channel's limits, sends them concurrently and writes back what happened in small
batches. A ``drain`` runs until nothing due is left; bot/scheduler.py starts one every second
unless one is running. The channel itself (how a message becomes calls, what its errors mean)
is a ``Transport`` (services/outbox_transport.py), handed in by the wiring (bot/wiring.py):
handlers/telegram_outbox.py, handlers/whatsapp_outbox.py.

**Pacing, never bursts.** Every platform call takes a slot. The channel's slots are 1/rate
apart and are reserved a quarter of a second at a time in a row that every bot process shares
(store.outbox_pace), so two processes on one bot token stay within its limit together. One chat's
calls are 1/per-chat-rate apart (in this process; across processes, services.outbox.claim skips a chat
that another sender is busy with or has just served), and in the order they came, whatever their
kind: a broadcast never lands between a person's question and the reply after it. A message that needs several calls (a
long text in two parts, a calendar file) takes a slot per call, under both limits. A call is
launched at its slot and runs concurrently with the next ones (at most ``concurrency`` at
once, by default enough for a 0.3 s round trip), so the round trip does not bound the rate.
A slot missed by more than 0.1 s is dropped rather than used late, so that a stalled event
loop never turns into a burst.

**Errors** (raised by the transport): ``Flood`` (429) pauses the channel, in every process, for
exactly retry_after and the same call is tried again, not counted as an attempt;
``Unreachable`` (403 blocked, chat not found) marks the person unreachable on the channel and
fails their rows; ``Rejected`` (the platform refuses the message itself) fails the row; any other
error is transient: the row is tried again later, each time after a longer delay, and fails
after max attempts (services.outbox.record); when the message's first calls went out already, only
the failed call is tried again, here, after 2, 4, 8... seconds.

**Replies** (``deliver``: a step's replies, written as rows held by this sender in the step's
transaction, services.reply_rows) go first: before broadcasts and notices, without the per-chat
gap (Telegram allows a reply's short burst; the slots still count them within the channel's
rate, shared with everything else), and are retried here, in their chat's line, so that a
later reply never overtakes one refused once.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import math
import os
import secrets
import socket
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from services.clock import utcnow
from services.outbox_holding import Holding
from services.outbox_pacing import Pacing, _Job
from services.outbox_results import Outcome
from services.outbox_rows import Pending
# What a channel implements and raises, read from here by the transports and the wiring.
from services.outbox_transport import Flood, Limits, Rejected, Transport, Unreachable, concurrency  # noqa: F401

log = logging.getLogger(__name__)


@dataclass
class _Clock:
    """The sender's time sources: ``clock`` for the database (due times, leases), ``timer``
    (seconds since the epoch, comparable across processes) and ``sleep`` for pacing."""

    clock: Callable[[], dt.datetime] = utcnow
    timer: Callable[[], float] = time.time
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep


class Sender(Pacing, Holding):
    FLUSH_EVERY = 0.2   # seconds between writes of outcomes: what a crash can make repeat
    WINDOW = 0.25       # seconds of send time reserved at once
    AHEAD = 2.0         # seconds of sending claimed ahead
    STALE = 0.1         # a slot missed by more than this is dropped, not used late

    def __init__(self, db_engine, transport: Transport, limits: Limits, *, clock: Callable[[], dt.datetime] = utcnow,
                 timer: Callable[[], float] = time.time, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                 worker: str | None = None):
        self.db_engine, self.transport, self.limits = db_engine, transport, limits
        self.channel = transport.channel
        self.time = _Clock(clock, timer, sleep)
        self.worker = worker or f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"
        self.sent = 0  # rows confirmed sent, since start
        self._interval = 1.0 / limits.per_second
        self._chat_interval = 1.0 / limits.per_chat_per_second
        self._high = min(2000, max(20, math.ceil(limits.per_second * self.AHEAD)))
        self._block = max(1, math.ceil(limits.per_second * self.WINDOW))
        self._concurrency = concurrency(limits)
        self._jobs: dict[int, _Job] = {}              # claimed rows not finished
        self._ready: list[tuple[float, int, _Job]] = []  # (not before, order, job): the next call of each
        self._urgent: list[tuple[float, int, _Job]] = []  # the same, for replies (sent first)
        self._lines: dict[str, deque[_Job]] = {}       # each chat's jobs in order (outbox_pacing)
        self._order = itertools.count()
        self._chat_next: dict[str, float] = {}         # a chat's next call not before
        self._slots: deque[float] = deque()            # reserved, unused send times
        self._paused_until = 0.0
        self._in_flight: set[asyncio.Task] = set()
        self._outcomes: list[Outcome] = []
        self._stopping = False
        self._draining: asyncio.Task | None = None     # a drain started by deliver
        self._running = False                          # a drain is running (never two at once)
        self._wakeup: asyncio.Future | None = None     # set by deliver: an idle drain looks again
        self._took_over = False                        # the rows of our dead processes (outbox_claim)

    # -- the loop ---------------------------------------------------------------------------
    async def drain(self) -> int:
        """Send what is due, until nothing is left or ``stop``; the rows sent meanwhile. Returns
        at once if a drain is running already (the scheduler's tick and ``deliver`` both start one)."""
        if self._running:
            return 0
        self._running = True
        try:
            sent = 0
            while True:  # once more if a reply came while the last turn was ending
                sent += await self._drain()
                if self._stopping or not self._jobs:
                    return sent
        finally:
            self._running = False

    async def _drain(self) -> int:
        before, timer = self.sent, self.time.timer
        flushed = renewed = timer()
        next_claim = 0.0
        claiming: asyncio.Task | None = None  # a claim runs in a thread, beside the sending
        try:
            while True:
                now = timer()
                if now - flushed >= self.FLUSH_EVERY or len(self._outcomes) >= 200:
                    await self._flush()
                    flushed = now
                if now - renewed >= self.limits.lease / 3:
                    await self._renew()
                    renewed = now
                if claiming is not None and claiming.done():
                    claimed, claiming = claiming.result(), None
                    next_claim = now if self._add(claimed) == claimed.limit else now + 0.5
                if (claiming is None and not self._stopping and now >= next_claim
                        and len(self._jobs) <= self._high // 2):
                    claiming = asyncio.create_task(asyncio.to_thread(self._claim, self._high - len(self._jobs)))
                first = self._first_ready()
                if self._stopping or first is None:
                    if not self._in_flight and claiming is None:
                        break
                    await self._idle(self.FLUSH_EVERY, claiming)
                    continue
                if len(self._in_flight) >= self._concurrency:
                    await self._idle(self.FLUSH_EVERY)
                    continue
                start = max(first, self._paused_until)
                if start > now:
                    await self._idle(min(start - now, self.FLUSH_EVERY), claiming)
                    continue
                slot = await self._slot(now)
                now = timer()
                if slot > now:
                    await self.time.sleep(slot - now)
                    continue  # a 429 or a reply may have come meanwhile: look again
                if self._first_ready() is None:
                    continue
                self._launch(self._slots.popleft())
        finally:
            if claiming is not None:  # its rows are ours: keep them (released below on stop)
                try:
                    self._add(await claiming)
                except Exception:  # noqa: BLE001 - the drain's own error goes on
                    log.exception("%s: a claim failed", self.channel)
            if self._stopping:
                self._release()
            await self._flush()
            self._forget_old_chats()
        return self.sent - before

    async def deliver(self, rows: list[Pending]) -> None:
        """Send ``rows`` (a step's replies, held by this sender: services.reply_rows) at once,
        before the channel's other messages and after that person's earlier ones; returns once
        each is sent or given up (a 429's wait and transient errors' retries included)."""
        if not rows:
            return
        loop = asyncio.get_running_loop()
        waiting = []
        for pending in rows:
            waiting.append(loop.create_future())
            self._take(pending, urgent=True, done=waiting[-1])
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)
        if not self._running:
            self._draining = asyncio.create_task(self.drain(), name=f"{self.channel} outbox drain")
        await asyncio.wait(waiting)
        await self._flush()  # written sent now, not a fraction of a second later: what a crash may repeat

    async def close(self) -> None:
        """``stop``, then wait for a drain started by ``deliver`` to hand back what it holds."""
        self.stop()
        if self._draining is not None:
            await asyncio.gather(self._draining, return_exceptions=True)

    def stop(self) -> None:
        """Ask a running drain (and any later one: the sender is done) to return once the calls
        in flight are done; the rows it holds and has not started go back to pending, for the
        next start or another process."""
        self._stopping = True

    async def _idle(self, seconds: float, claiming: asyncio.Task | None = None) -> None:
        """Until a call in flight (or the claim) ends, a reply comes (``deliver``), or ``seconds``."""
        if self._wakeup is None or self._wakeup.done():
            self._wakeup = asyncio.get_running_loop().create_future()
        waiting = self._in_flight | ({claiming} if claiming else set())
        if waiting:
            await asyncio.wait(waiting | {self._wakeup}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
            return
        sleeping = asyncio.ensure_future(self.time.sleep(seconds))  # the sender's own time (tests: a fake)
        await asyncio.wait({sleeping, self._wakeup}, return_when=asyncio.FIRST_COMPLETED)
        sleeping.cancel()

    # -- one call -------------------------------------------------------------------------------
    async def _call(self, job: _Job) -> None:
        try:
            message_id = await self.transport.send(job.pending.external_id, job.calls[job.index])
        except Flood as flood:
            self._pause(flood.seconds)
            self._push(job, self._paused_until)  # the same call again, not an attempt
        except Unreachable as error:
            self._finish(job, "blocked", error.reason)
        except Rejected as error:
            self._finish(job, "failed", error.reason)
        except Exception as error:  # noqa: BLE001 - 5xx, time-outs, network: tried again later
            reason = str(error) or type(error).__name__
            if job.index == 0 and not job.urgent:
                self._finish(job, "retry", reason)  # from the database, later: nothing went out yet
            # here: the parts sent are not sent again, and a reply keeps its place in its chat's line
            elif job.retries + 1 < self.limits.max_attempts:
                job.retries += 1
                self._push(job, self.time.timer() + 2.0 ** job.retries)
            else:
                self._finish(job, "failed", f"{reason} (after part {job.index} of {len(job.calls)})")
        else:
            job.message_id = message_id or job.message_id
            job.index += 1
            if job.index < len(job.calls):  # a reply's parts go back to back, the rest a chat's gap apart
                self._push(job, 0.0 if job.urgent else self._chat_next[job.pending.external_id])
            else:
                self._finish(job, "sent", message_id=job.message_id)
        finally:
            job.in_flight = False

    def _finish(self, job: _Job, status: str, error: str | None = None, message_id: str | None = None) -> None:
        if self._jobs.get(job.pending.id) is not job:
            return
        self._drop(job)
        self._outcomes.append(Outcome(job.pending, status, error, message_id, self.time.clock()))
        if status == "sent":
            self.sent += 1
        elif status == "blocked":  # their other rows fail in the database: forget them here
            for other in [j for j in self._jobs.values() if j.pending.contact_id == job.pending.contact_id]:
                if not other.in_flight:
                    self._drop(other)
        if status != "sent":
            log.info("%s: outbox row %s %s: %s", self.channel, job.pending.id, status, error)

"""A channel's outbox sender: claims due rows (services.outbox), paces the platform calls they need
within the channel's limits, sends them concurrently and writes back what happened in small
batches. A ``drain`` runs until nothing due is left; bot/scheduler.py starts one every second
unless one is running. The channel itself (how a message becomes calls, what its errors mean)
is a ``Transport``: handlers/telegram_outbox.py for Telegram.

**Pacing, never bursts.** Every platform call takes a slot. The channel's slots are 1/rate
apart and are reserved a quarter of a second at a time in a row that every bot process shares
(store.outbox_pace), so two processes on one bot token stay within its limit together. One chat's
calls are 1/per-chat-rate apart (in this process; across processes, services.outbox.claim skips a chat
that another sender is busy with or has just served). A message that needs several calls (a
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
"""
from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools
import logging
import math
import os
import secrets
import socket
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Protocol

from sqlmodel import Session

from services import outbox

from store import outbox_pace
from store.models import utcnow
from services.outbox import Outcome, Pending

log = logging.getLogger(__name__)


class Flood(Exception):
    """The platform says: too many messages, wait ``seconds``."""

    def __init__(self, seconds: float):
        super().__init__(f"flood control: retry after {seconds} s")
        self.seconds = seconds


class Unreachable(Exception):
    """The person cannot be reached on this channel (blocked the bot, chat gone)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Rejected(Exception):
    """The platform refuses this message for good: sending it again cannot help."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Transport(Protocol):
    channel: str

    def calls(self, pending: Pending) -> list[Any]:
        """The platform calls that deliver ``pending.message``, in order (the row's kind and the
        person's window may matter: handlers/whatsapp_outbox.py). ``Rejected``: nothing may go."""

    async def send(self, external_id: str, call: Any) -> str | None:
        """Make one call; the platform's message id, when it gives one."""


@dataclass(frozen=True)
class Limits:
    per_second: float               # the channel's overall rate (Telegram: 30 per bot token)
    per_chat_per_second: float      # to one chat (Telegram: 1)
    max_attempts: int = outbox.MAX_ATTEMPTS
    lease: float = outbox.LEASE.total_seconds()  # seconds a claim lives unless renewed
    # Calls in flight at once, each on an HTTP connection kept open (httpcore looks through all of
    # them at every request: more than needed costs CPU). None: enough for a 0.3 s round trip.
    concurrency: int | None = None


def concurrency(limits: Limits) -> int:
    """Calls in flight at once: as set, or enough for a 0.3 s round trip at the channel's rate."""
    return limits.concurrency or min(64, max(4, math.ceil(limits.per_second * 0.3)))


@dataclass(eq=False)
class _Job:
    pending: Pending
    calls: list[Any]
    index: int = 0                  # the next call to make
    retries: int = 0                # of a later call, here (the first ones went out already)
    message_id: str | None = None
    in_flight: bool = False


@dataclass(frozen=True)
class _Claimed:
    limit: int
    rows: list[Pending]


@dataclass
class _Clock:
    """The sender's time sources: ``clock`` for the database (due times, leases), ``timer``
    (seconds since the epoch, comparable across processes) and ``sleep`` for pacing."""

    clock: Callable[[], dt.datetime] = utcnow
    timer: Callable[[], float] = time.time
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep


class Sender:
    FLUSH_EVERY = 0.2   # seconds between writes of outcomes: what a crash can make repeat
    WINDOW = 0.25       # seconds of send time reserved at once
    AHEAD = 2.0         # seconds of sending claimed ahead
    STALE = 0.1         # a slot missed by more than this is dropped, not used late

    def __init__(self, db, transport: Transport, limits: Limits, *, clock: Callable[[], dt.datetime] = utcnow,
                 timer: Callable[[], float] = time.time, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                 worker: str | None = None):
        self.db, self.transport, self.limits = db, transport, limits
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
        self._order = itertools.count()
        self._chat_next: dict[str, float] = {}         # a chat's next call not before
        self._slots: deque[float] = deque()            # reserved, unused send times
        self._paused_until = 0.0
        self._in_flight: set[asyncio.Task] = set()
        self._outcomes: list[Outcome] = []
        self._stopping = False

    # -- the loop ---------------------------------------------------------------------------
    async def drain(self) -> int:
        """Send what is due, until nothing is left or ``stop``; the rows sent meanwhile."""
        before, timer = self.sent, self.time.timer
        flushed = renewed = timer()
        next_claim = 0.0
        claiming: asyncio.Task | None = None  # a claim runs in a thread, beside the sending
        try:
            while True:
                now = timer()
                if now - flushed >= self.FLUSH_EVERY or len(self._outcomes) >= 200:
                    self._flush()
                    flushed = now
                if now - renewed >= self.limits.lease / 3:
                    self._renew()
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
                slot = self._slot(now)
                if slot > now:
                    await self.time.sleep(slot - now)
                    continue  # a 429 may have come meanwhile: look again
                self._launch(self._slots.popleft())
        finally:
            if claiming is not None:  # its rows are ours: keep them (released below on stop)
                try:
                    self._add(await claiming)
                except Exception:  # noqa: BLE001 - the drain's own error goes on
                    log.exception("%s: a claim failed", self.channel)
            if self._stopping:
                self._release()
            self._flush()
            self._forget_old_chats()
        return self.sent - before

    def stop(self) -> None:
        """Ask a running drain (and any later one: the sender is done) to return once the calls
        in flight are done; the rows it holds and has not started go back to pending, for the
        next start or another process."""
        self._stopping = True

    async def _idle(self, seconds: float, claiming: asyncio.Task | None = None) -> None:
        """Until a call in flight (or the claim) ends, or ``seconds``."""
        waiting = self._in_flight | ({claiming} if claiming else set())
        if waiting:
            await asyncio.wait(waiting, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        else:
            await self.time.sleep(seconds)

    # -- slots ----------------------------------------------------------------------------------
    def _slot(self, now: float) -> float:
        """The next reserved send time; reserves more before they run out."""
        while self._slots and (self._slots[0] < now - self.STALE or self._slots[0] < self._paused_until):
            self._slots.popleft()
        if not self._slots:
            self._reserve(max(now, self._paused_until))
        elif len(self._slots) == 1:  # top up ahead, so that the next block follows without a gap
            self._reserve(self._slots[-1] + self._interval, only_beyond=1)
        return self._slots[0]

    def _reserve(self, begin: float, only_beyond: int = 0) -> None:
        """Reserve a slot for each call ready by a little after ``begin`` (at most a block)."""
        horizon = begin + self.WINDOW
        ready = sum(1 for start, _order, job in self._ready if start <= horizon and self._live(job))
        if ready <= only_beyond:
            return
        wanted = min(self._block, max(1, ready - only_beyond))
        start = outbox_pace.reserve(self.db, channel=self.channel, now=begin, seconds=wanted * self._interval)
        self._slots.extend(start + i * self._interval for i in range(wanted))

    def _first_ready(self) -> float | None:
        """When the first waiting call may go (forgetting jobs dropped meanwhile)."""
        while self._ready and not self._live(self._ready[0][2]):
            heapq.heappop(self._ready)
        return self._ready[0][0] if self._ready else None

    def _live(self, job: _Job) -> bool:
        return self._jobs.get(job.pending.id) is job

    def _launch(self, slot: float) -> None:
        _start, _order, job = heapq.heappop(self._ready)  # live: _first_ready looked just before
        # from the actual launch, which may be a little after the slot
        self._chat_next[job.pending.external_id] = max(slot, self.time.timer()) + self._chat_interval
        job.in_flight = True
        task = asyncio.create_task(self._call(job))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    def _push(self, job: _Job, start: float) -> None:
        start = max(start, self._chat_next.get(job.pending.external_id, 0.0))
        heapq.heappush(self._ready, (start, next(self._order), job))

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
            if job.index == 0:
                self._finish(job, "retry", reason)  # from the database, later: nothing went out yet
            elif job.retries + 1 < self.limits.max_attempts:  # here, so the parts sent are not sent again
                job.retries += 1
                self._push(job, self.time.timer() + 2.0 ** job.retries)
            else:
                self._finish(job, "failed", f"{reason} (after part {job.index} of {len(job.calls)})")
        else:
            job.message_id = message_id or job.message_id
            job.index += 1
            if job.index < len(job.calls):
                self._push(job, self._chat_next[job.pending.external_id])
            else:
                self._finish(job, "sent", message_id=job.message_id)
        finally:
            job.in_flight = False

    def _pause(self, seconds: float) -> None:
        until = self.time.timer() + seconds
        if until > self._paused_until:
            self._paused_until = until
            log.warning("%s: the platform asked to wait %s s (429): sending paused", self.channel, seconds)
            try:
                outbox_pace.pause(self.db, channel=self.channel, until=until)
            except Exception:  # noqa: BLE001 - this process pauses anyway
                log.exception("%s: could not share the pause", self.channel)

    def _finish(self, job: _Job, status: str, error: str | None = None, message_id: str | None = None) -> None:
        if self._jobs.pop(job.pending.id, None) is None:
            return
        self._outcomes.append(Outcome(job.pending, status, error, message_id, self.time.clock()))
        if status == "sent":
            self.sent += 1
        elif status == "blocked":  # their other rows fail in the database: forget them here
            for other in [j for j in self._jobs.values() if j.pending.contact_id == job.pending.contact_id]:
                if not other.in_flight:
                    del self._jobs[other.pending.id]
        if status != "sent":
            log.info("%s: outbox row %s %s: %s", self.channel, job.pending.id, status, error)

    # -- the database ---------------------------------------------------------------------------
    def _claim(self, wanted: int) -> "_Claimed":
        """In a worker thread: claim up to ``wanted`` rows."""
        now = self.time.clock()
        with Session(self.db) as session, session.begin():
            claimed = outbox.claim(session, channel=self.channel, now=now, worker=self.worker, limit=wanted,
                                   lease=dt.timedelta(seconds=self.limits.lease),
                                   chat_gap=dt.timedelta(seconds=self._chat_interval))
        return _Claimed(wanted, claimed)

    def _add(self, claimed: "_Claimed") -> int:
        """Queue the claimed rows' calls; how many rows."""
        for pending in claimed.rows:
            try:
                calls = self.transport.calls(pending)
            except Rejected as error:  # the channel's rules forbid it (e.g. WhatsApp's window)
                calls, reason = [], error.reason
            except Exception as error:  # noqa: BLE001 - content the channel cannot express
                calls, reason = [], f"cannot be sent: {error}"
            else:
                reason = "nothing to send"
            job = _Job(pending, calls)
            self._jobs[pending.id] = job
            if calls:
                self._push(job, 0.0)
            else:
                self._finish(job, "failed", reason)
        return len(claimed.rows)

    def _flush(self) -> None:
        if not self._outcomes:
            return
        batch, self._outcomes = self._outcomes, []
        try:
            with Session(self.db) as session, session.begin():
                outbox.record(session, batch, worker=self.worker, now=self.time.clock(),
                              max_attempts=self.limits.max_attempts)
        except Exception:  # noqa: BLE001 - kept, written at the next flush
            log.exception("%s: could not record %d outbox outcomes; trying again", self.channel, len(batch))
            self._outcomes[:0] = batch

    def _renew(self) -> None:
        """Extend the leases of the rows held; forget those withdrawn meanwhile."""
        ids = set(self._jobs) | {o.pending.id for o in self._outcomes}
        if not ids:
            return
        until = self.time.clock() + dt.timedelta(seconds=self.limits.lease)
        try:
            with Session(self.db) as session, session.begin():
                held = outbox.renew(session, worker=self.worker, until=until, ids=ids)
        except Exception:  # noqa: BLE001 - tried again at the next renewal
            log.exception("%s: could not renew the outbox leases", self.channel)
            return
        for row_id in set(self._jobs) - held:
            if not self._jobs[row_id].in_flight:
                log.info("%s: outbox row %s was withdrawn before it went out", self.channel, row_id)
                del self._jobs[row_id]

    def _release(self) -> None:
        """On stop: the rows held and not started go back to pending. A message stopped between
        its parts (a long text's first part, or the text before its .ics) is not sent again from
        the start: it fails, saying what went out, rather than repeat what the person has."""
        for job in [j for j in self._jobs.values() if not j.in_flight]:
            if job.index:
                self._finish(job, "failed", f"stopped after part {job.index} of {len(job.calls)}",
                             message_id=job.message_id)
            else:
                del self._jobs[job.pending.id]
                self._outcomes.append(Outcome(job.pending, "released"))
        self._ready.clear()
        self._slots.clear()

    def _forget_old_chats(self) -> None:
        now = self.time.timer()
        self._chat_next = {chat: at for chat, at in self._chat_next.items() if at > now}

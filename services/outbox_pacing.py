"""The outbox sender's pacing: send times reserved in the row that every process shares
(store.outbox_pace), one chat's calls apart, a 429 pausing the
channel everywhere (services/outbox_sender.py explains the rules). A part of ``Sender``."""
from __future__ import annotations

import asyncio
import heapq
import logging
from dataclasses import dataclass
from typing import Any

from store import outbox_pace
from services.outbox_rows import Pending

log = logging.getLogger("services.outbox_sender")


@dataclass(eq=False)
class _Job:
    pending: Pending
    calls: list[Any]
    index: int = 0                  # the next call to make
    retries: int = 0                # of a later call, here (the first ones went out already)
    message_id: str | None = None
    in_flight: bool = False


class Pacing:
    """Slots and per-chat times of a Sender (whose __init__ sets the attributes used here)."""

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
        start = outbox_pace.reserve(self.db_engine, channel=self.channel, now=begin, seconds=wanted * self._interval)
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

    def _pause(self, seconds: float) -> None:
        until = self.time.timer() + seconds
        if until > self._paused_until:
            self._paused_until = until
            log.warning("%s: the platform asked to wait %s s (429): sending paused", self.channel, seconds)
            try:
                outbox_pace.pause(self.db_engine, channel=self.channel, until=until)
            except Exception:  # noqa: BLE001 - this process pauses anyway
                log.exception("%s: could not share the pause", self.channel)

    def _forget_old_chats(self) -> None:
        now = self.time.timer()
        self._chat_next = {chat: at for chat, at in self._chat_next.items() if at > now}

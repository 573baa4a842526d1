"""The outbox sender's pacing: send times reserved in the row that every process shares
(store.outbox_pace), one chat's calls apart and in order, replies before the rest, a 429 pausing
the channel everywhere (services/outbox_sender.py explains the rules). A part of ``Sender``.

Each chat has a line of its jobs in the order they came (``_lines``): only its first job is
waiting to be called (in ``_urgent``, a reply, or ``_ready``, the rest), so that one person's
messages never overtake each other, whatever their kind. One exception: while the first job marks
an earlier message (the pressed one's choice: ``Transport.beside``), the next, if a new message,
goes beside it; the rest wait for both."""
from __future__ import annotations

import asyncio
import heapq
import logging
from collections import deque
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
    urgent: bool = False            # a reply a person waits for: before the rest, no per-chat gap
    started: bool = False           # its chat's line has let it go (see Pacing._beside)
    done: asyncio.Future | None = None  # set once the job ends, for whoever waits on it (deliver)


class Pacing:
    """Slots and per-chat times of a Sender (whose __init__ sets the attributes used here)."""

    # -- slots ----------------------------------------------------------------------------------
    async def _slot(self, now: float) -> float:
        """The next reserved send time; reserves more (in a worker thread) before they run out."""
        while self._slots and (self._slots[0] < now - self.STALE or self._slots[0] < self._paused_until):
            self._slots.popleft()
        if not self._slots:
            await self._reserve(max(now, self._paused_until))
        elif len(self._slots) == 1:  # top up ahead, so that the next block follows without a gap
            await self._reserve(self._slots[-1] + self._interval, only_beyond=1)
        return self._slots[0] if self._slots else now

    async def _reserve(self, begin: float, only_beyond: int = 0) -> None:
        """Reserve a slot for each call ready by a little after ``begin`` (at most a block)."""
        horizon = begin + self.WINDOW
        ready = sum(1 for heap in (self._urgent, self._ready) for start, _order, job in heap
                    if start <= horizon and self._live(job))
        if ready <= only_beyond:
            return
        wanted = min(self._block, max(1, ready - only_beyond))
        start = await asyncio.to_thread(outbox_pace.reserve, self.db_engine, channel=self.channel, now=begin,
                                        seconds=wanted * self._interval)
        self._slots.extend(start + i * self._interval for i in range(wanted))

    def _first_ready(self) -> float | None:
        """When the first waiting call may go (forgetting jobs dropped meanwhile)."""
        for heap in (self._urgent, self._ready):
            while heap and not self._live(heap[0][2]):
                heapq.heappop(heap)
        return min((heap[0][0] for heap in (self._urgent, self._ready) if heap), default=None)

    def _live(self, job: _Job) -> bool:
        return self._jobs.get(job.pending.id) is job

    def _launch(self, slot: float) -> None:
        """Call the first job whose time has come: a reply before the rest."""
        now = self.time.timer()
        urgent = self._urgent and self._urgent[0][0] <= max(now, slot)
        heap = self._urgent if urgent or not self._ready else self._ready
        _start, _order, job = heapq.heappop(heap)  # live: _first_ready looked just before
        # from the actual launch, which may be a little after the slot
        self._chat_next[job.pending.external_id] = max(slot, now) + self._chat_interval
        job.in_flight = True
        task = asyncio.create_task(self._call(job))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        if job.index == len(job.calls) - 1 and self.transport.beside(job.calls[job.index]):
            self._beside(job)

    def _push(self, job: _Job, start: float) -> None:
        """Wait for ``start`` (and, but for a reply, for the chat's gap) before the job's next call."""
        if not job.urgent:
            start = max(start, self._chat_next.get(job.pending.external_id, 0.0))
        heapq.heappush(self._urgent if job.urgent else self._ready, (start, next(self._order), job))

    # -- each chat's line ----------------------------------------------------------------------
    def _enqueue(self, job: _Job) -> None:
        """A new job: called at once if its chat has nothing before it, else after the rest."""
        self._jobs[job.pending.id] = job
        line = self._lines.setdefault(job.pending.external_id, deque())
        line.append(job)
        if len(line) == 1:
            self._start(job)

    def _start(self, job: _Job) -> None:
        job.started = True
        self._push(job, 0.0)

    def _beside(self, job: _Job) -> None:
        """The job, first in its chat's line, marks an earlier message (the pressed one): the
        next job, if it is a new message, goes beside it (a press's answer comes a round trip
        sooner); anything after waits for both, so that nothing edits that message before the mark."""
        line = self._lines.get(job.pending.external_id)
        if not line or line[0] is not job or len(line) < 2:
            return
        following = line[1]
        if (self._live(following) and not following.started
                and self.transport.new_message(following.calls[following.index])):
            self._start(following)

    def _drop(self, job: _Job) -> None:
        """The job is over (or withdrawn): its chat's next job may go."""
        if self._jobs.get(job.pending.id) is job:
            del self._jobs[job.pending.id]
        if job.done is not None and not job.done.done():
            job.done.set_result(None)
        line = self._lines.get(job.pending.external_id)
        if not line:
            return
        if line[0] is job:
            self._pass_turn(job.pending.external_id, line)
        elif job in line:
            line.remove(job)
            if not line:
                del self._lines[job.pending.external_id]

    def _pass_turn(self, chat: str, line: deque[_Job]) -> None:
        """The first job of ``chat``'s line is done with it: the next live one may go (unless it
        went already, beside it)."""
        line.popleft()
        while line and not self._live(line[0]):
            line.popleft()
        if not line:
            del self._lines[chat]
        elif not line[0].started:
            self._start(line[0])

    def _pause(self, seconds: float) -> None:
        until = self.time.timer() + seconds
        if until > self._paused_until:
            self._paused_until = until
            log.warning("%s: the platform asked to wait %s s (429): sending paused", self.channel, seconds)
            task = asyncio.create_task(self._share_pause(until))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    async def _share_pause(self, until: float) -> None:
        try:
            await asyncio.to_thread(outbox_pace.pause, self.db_engine, channel=self.channel, until=until)
        except Exception:  # noqa: BLE001 - this process pauses anyway
            log.exception("%s: could not share the pause", self.channel)

    def _forget_old_chats(self) -> None:
        now = self.time.timer()
        self._chat_next = {chat: at for chat, at in self._chat_next.items() if at > now}

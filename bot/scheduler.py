"""The bot process's clockwork: an APScheduler 3.x ``AsyncIOScheduler`` in the event loop of
the Telegram application (long polling or webhook).

- every second (and at start) a tick starts a drain of each outbox sender, unless that sender's
  drain is still running (a broadcast keeps one busy for minutes): never two drains of a sender;
- every ``plan_every`` seconds, and once at start, the planners (reminders, broadcasts whose time
  has come...) turn the database's bookings and broadcasts into outbox rows, in a worker thread;
  what they queued is sent at once;
- on SQLite, every few seconds a worker thread copies the write-ahead log into the database file,
  which the connections handling messages would otherwise do themselves now and then, with an
  fsync, while a person waits (services.database.checkpoint_elsewhere).

What is due lives in our tables; the scheduler only ticks (its job store is in memory, one per
process, as APScheduler 3 requires). Each job starts a task and returns at once, so the scheduler
never has to skip a run (nor log that it did). Time is injected: ``clock`` gives every job its now.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Awaitable, Callable, Protocol, Sequence

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from services.clock import utcnow
from services.database import checkpoint_elsewhere
from services.outbox import Planner, run_planners

log = logging.getLogger(__name__)
# APScheduler logs every run at INFO ("Running job ...", "... executed successfully"): twice a second.
logging.getLogger("apscheduler").setLevel(logging.WARNING)
CHECKPOINT_EVERY = 5.0  # seconds: a few hundred messages' worth of log at the busiest


class Drainer(Protocol):
    """What the tick drives: an outbox sender (services.outbox_sender.Sender)."""

    async def drain(self) -> int: ...

    def stop(self) -> None: ...


class _Once:
    """Runs ``work`` as a task unless the previous one is still running."""

    def __init__(self, name: str, work: Callable[[], Awaitable[object]]):
        self.name, self.work = name, work
        self.task: asyncio.Task | None = None

    def fire(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run(), name=self.name)

    async def _run(self) -> None:
        try:
            await self.work()
        except Exception:  # noqa: BLE001 - the next tick tries again
            log.exception("%s failed; trying again at the next tick", self.name)


class BotScheduler:
    def __init__(self, *, db_engine, senders: Sequence[Drainer] = (), planners: Sequence[Planner] = (),
                 clock: Callable[[], dt.datetime] = utcnow, tick: float = 1.0, plan_every: float = 30.0,
                 stop_timeout: float = 10.0):
        self.db_engine, self.senders, self.planners, self.clock = db_engine, tuple(senders), tuple(planners), clock
        self.tick_seconds, self.plan_every, self.stop_timeout = tick, plan_every, stop_timeout
        self._drains = [_Once(f"outbox drain {i}", sender.drain) for i, sender in enumerate(self.senders)]
        self._planning = _Once("outbox planners", self.plan)
        self._checkpointing: _Once | None = None
        self._scheduler: AsyncIOScheduler | None = None

    def start(self) -> None:
        """In the running event loop."""
        scheduler = AsyncIOScheduler(timezone=dt.timezone.utc)
        # coalesce, no grace limit: after a stall one run makes up for those missed, silently
        common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        at_once = dt.datetime.now(dt.timezone.utc)  # APScheduler's own time: when to run first
        scheduler.add_job(self.tick, "interval", seconds=self.tick_seconds, id="outbox-tick",
                          next_run_time=at_once, **common)
        if self.planners:
            scheduler.add_job(self._plan_tick, "interval", seconds=self.plan_every, id="planners",
                              next_run_time=at_once, **common)
        checkpoint = checkpoint_elsewhere(self.db_engine)
        if checkpoint is not None:
            self._checkpointing = _Once("WAL checkpoint", lambda: asyncio.to_thread(checkpoint))
            scheduler.add_job(self._checkpoint_tick, "interval", seconds=CHECKPOINT_EVERY, id="checkpoint",
                              **common)
        scheduler.start()
        self._scheduler = scheduler
        log.info("scheduler started: %d sender(s), %d planner(s)", len(self.senders), len(self.planners))

    # Coroutines on purpose: APScheduler runs plain functions in a thread pool.
    async def tick(self) -> None:
        for drain in self._drains:
            drain.fire()

    async def _plan_tick(self) -> None:
        self._planning.fire()

    async def _checkpoint_tick(self) -> None:
        self._checkpointing.fire()

    async def plan(self) -> int:
        """Run the planners once (in a thread: they read and write the database); what they
        queued goes out at once, not at the next tick."""
        queued = await asyncio.to_thread(run_planners, self.db_engine, self.planners, self.clock())
        if queued and self._scheduler is not None:
            await self.tick()
        return queued

    async def shutdown(self) -> None:
        """Stop ticking; let the drains finish the calls in flight and hand back what they hold."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
        for sender in self.senders:
            sender.stop()
        running = (*self._drains, self._planning, *([self._checkpointing] if self._checkpointing else []))
        tasks = [once.task for once in running if once.task and not once.task.done()]
        # and a drain that a reply started (services.outbox_sender.Sender.deliver)
        tasks += [asyncio.ensure_future(sender.close()) for sender in self.senders if hasattr(sender, "close")]
        if not tasks:
            return
        done, late = await asyncio.wait(tasks, timeout=self.stop_timeout)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

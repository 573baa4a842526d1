"""bot/scheduler.py: the APScheduler ticks that drive the outbox senders and the planners, in
the event loop of the Telegram application (short periods here, so that the tests are quick)."""
from __future__ import annotations

import asyncio
import logging

from conversations.messages import Outbound
from services import outbox, repository
from bot.scheduler import BotScheduler
from bot.settings import Settings
from bot import wiring
from bot.wiring import telegram_background
from conversations.commands import build_engine
from services.conversation import ConversationService
from services.outbox_sender import Sender
from handlers.telegram import build_application
from tests.conftest import NOW
from tests.fake_bot_api import FakeBotApi
from tests.outbox_helpers import TOKEN, statuses


class SlowSender:
    """A sender whose drain lasts until released; counts drains and how many ran at once."""

    def __init__(self):
        self.started = self.running = self.most_at_once = 0
        self.release = asyncio.Event()
        self.stopped = False

    async def drain(self) -> int:
        self.started += 1
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await self.release.wait()
        finally:
            self.running -= 1
        return 0

    def stop(self) -> None:
        self.stopped = True
        self.release.set()


async def until(condition, seconds: float = 3.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("waited in vain")


async def test_a_long_drain_is_never_doubled_and_no_skipped_run_is_logged(db, caplog):
    caplog.set_level(logging.DEBUG)
    sender = SlowSender()
    scheduler = BotScheduler(db_engine=db, senders=[sender], tick=0.02)
    scheduler.start()
    try:
        await asyncio.sleep(0.3)  # some fifteen ticks while one drain runs
        assert (sender.started, sender.most_at_once) == (1, 1)
        sender.release.set()
        await until(lambda: sender.started >= 3)  # the next ticks start new drains
        assert sender.most_at_once == 1
    finally:
        await scheduler.shutdown()
    assert not [r for r in caplog.records if r.name.startswith("apscheduler") and r.levelno >= logging.INFO]


async def test_shutdown_stops_the_ticks_and_lets_the_running_drain_end(db):
    sender = SlowSender()
    scheduler = BotScheduler(db_engine=db, senders=[sender], tick=0.02)
    scheduler.start()
    await until(lambda: sender.running == 1)
    await scheduler.shutdown()
    assert sender.stopped and sender.running == 0  # asked to stop, and awaited
    started = sender.started
    await asyncio.sleep(0.1)
    assert sender.started == started  # no tick after the shutdown


async def test_the_planners_run_at_start_and_then_periodically_with_the_injected_clock(db):
    seen, sender = [], SlowSender()
    sender.release.set()

    def planner(session, now):
        seen.append(now)
        return 0

    def failing(session, now):
        raise RuntimeError("a planner's bug")

    scheduler = BotScheduler(db_engine=db, senders=[sender], planners=[failing, planner], clock=lambda: NOW,
                             tick=10, plan_every=0.05)
    scheduler.start()
    try:
        await until(lambda: len(seen) >= 3)  # once at start, then every period: a failing one does not stop it
    finally:
        await scheduler.shutdown()
    assert set(seen) == {NOW}


async def test_what_a_planner_queues_is_sent_at_once_not_at_the_next_tick(db):
    sender = SlowSender()
    sender.release.set()

    def planner(session, now):
        contact_id, _language, _state = repository.load_contact(session.connection(), "telegram", "5001")
        return int(outbox.enqueue(session, contact_id=contact_id, message=Outbound("Reminder"), key="r:1",
                                  due_at=now, kind="reminder"))

    scheduler = BotScheduler(db_engine=db, senders=[sender], planners=[planner], clock=lambda: NOW, tick=3600)
    scheduler.start()
    try:
        await until(lambda: sender.started >= 2)  # the first tick, then the one the planner asked for
    finally:
        await scheduler.shutdown()
    assert statuses(db) == {"pending": 1}


async def test_the_telegram_application_starts_the_scheduler_with_its_sender_and_stops_it(db_url, db):
    settings = Settings(database_url=db_url)
    built = []

    def background(sender):
        scheduler = telegram_background(settings, db)(sender)
        built.append(scheduler)
        return scheduler

    api = FakeBotApi(token=TOKEN).start()
    application = build_application(token=TOKEN, api_url=api.url, service=ConversationService(db, build_engine()),
                                    limits=wiring.telegram_limits(settings),
                                    background=background)
    await application.initialize()
    from handlers.telegram import _on_start, _on_stop  # what post_init / post_shutdown run
    await _on_start(application)
    [scheduler] = built
    try:
        [sender] = scheduler.senders
        assert isinstance(sender, Sender) and sender.channel == "telegram"
        assert sender.limits.per_second == settings.outbox.telegram_per_second == 30
        assert sender.limits.per_chat_per_second == 1 and sender.limits.max_attempts == 5
        assert [p.__name__ for p in scheduler.planners] == ["reminders_plan", "broadcasts_due"]
        assert scheduler._scheduler.running
    finally:
        await _on_stop(application)
        await application.shutdown()
        api.stop()
    assert scheduler._scheduler is None
    assert await scheduler.plan() == 0  # the real planners run on an empty database

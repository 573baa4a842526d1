"""For the outbox tests: injected time, queued rows, and a real python-telegram-bot Bot talking
HTTP to the fake Bot API on 127.0.0.1 through the Telegram outbox sender."""
from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

from sqlalchemy import func, select
from sqlmodel import Session

from conversations.messages import Attachment, Button, Outbound
from services import outbox, repository
from store.models import ChannelIdentity, OutboxMessage
from telegram import Bot

import handlers.telegram  # noqa: F401  (sets PTB_TIMEDELTA, as the running bot does: retry_after is a timedelta)
from telegram.request import HTTPXRequest

from bot import wiring  # noqa: F401
from handlers.telegram_outbox import TelegramTransport
from services.outbox_sender import Limits, Sender
from tests.conftest import NOW

TOKEN = "424242:TEST-token-not-real"
NOTICE = Outbound("A seat is yours", (Button("Give the seat back", "1|g|ws:drop:1"),))
ICS = Attachment("invito.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")


def make_bot(api) -> Bot:
    """A Bot on the fake's URL with a pool of connections, as python-telegram-bot's Application has
    (a bare Bot has one connection: its calls would go one at a time)."""
    return Bot(TOKEN, base_url=f"{api.url}/bot", request=HTTPXRequest(connection_pool_size=128))


class Clock:
    """The business clock (due times, leases): moves only when a test moves it."""

    def __init__(self, now: dt.datetime = NOW):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class PaceTime:
    """The pacing timer and its sleep: sleeping moves the timer at once, and is recorded."""

    def __init__(self, start: float = 1_000_000.0):
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


def queue(db, external_id: str, *, channel: str = "telegram", key: str | None = None,
          message: Outbound = NOTICE, due_at: dt.datetime = NOW, kind: str = "notice") -> int | None:
    """A pending row for a (new) person on ``channel``; its id (None if enqueue refused it)."""
    with db.begin() as connection:
        contact_id, _language, _state = repository.load_contact(connection, channel, external_id)
        if not outbox.enqueue(connection, contact_id=contact_id, message=message, key=key or f"test:{external_id}",
                              due_at=due_at, kind=kind):
            return None
        return connection.execute(select(func.max(OutboxMessage.id))).scalar()


def queue_many(db, count: int, *, first_chat: int = 600_000, message=None, kind: str = "broadcast",
               due_at: dt.datetime = NOW) -> list[int]:
    """One pending row for each of ``count`` new people (chat ids from ``first_chat``)."""
    ids = []
    with db.begin() as connection:
        for n in range(count):
            contact_id, _language, _state = repository.load_contact(connection, "telegram", str(first_chat + n))
            outbox.enqueue(connection, contact_id=contact_id, key=f"{kind}:{first_chat + n}", due_at=due_at,
                           message=message or Outbound(f"Notice number {n}"), kind=kind)
        ids = list(connection.execute(select(OutboxMessage.id).order_by(OutboxMessage.id)).scalars())
    return ids


def rows(db) -> list[OutboxMessage]:
    with Session(db) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def row(db, row_id: int) -> OutboxMessage:
    with Session(db) as session:
        return session.get(OutboxMessage, row_id)


def identity(db, external_id: str, channel: str = "telegram") -> ChannelIdentity:
    with Session(db) as session:
        return session.exec(select(ChannelIdentity).where(ChannelIdentity.scheme == channel,
                                                          ChannelIdentity.external_id == external_id)).scalar_one()


def statuses(db) -> Counter:
    return Counter(r.status for r in rows(db))


def make_sender(bot, db, *, clock: Clock, pace: PaceTime | None = None, per_second: float = 30.0,
                per_chat: float = 1.0, max_attempts: int = outbox.MAX_ATTEMPTS, **options) -> Sender:
    timing = {"timer": pace, "sleep": pace.sleep} if pace else {}
    limits = Limits(per_second=per_second, per_chat_per_second=per_chat, max_attempts=max_attempts)
    return Sender(db, TelegramTransport(bot), limits, clock=clock, **timing, **options)


async def drain_until_done(sender: Sender, db, clock: Clock, *, step: dt.timedelta = dt.timedelta(minutes=10),
                           rounds: int = 40) -> int:
    """Drain, move the business clock on (retries wait), again, until no row is left to send."""
    sent = 0
    for _round in range(rounds):
        sent += await sender.drain()
        left = statuses(db)
        if not left["pending"] and not left["sending"]:
            return sent
        clock.now += step
    raise AssertionError(f"rows still to send after {rounds} rounds: {statuses(db)}")

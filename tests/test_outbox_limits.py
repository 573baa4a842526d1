"""The Telegram sender against the fake Bot API enforcing Telegram's limits (scaled: 200
messages/s overall so that the test is short, 1/s per chat) and injecting faults at random:
no 429 provoked by the pacer, every row sent once or failed with its reason, none lost."""
from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from telegram.error import RetryAfter

from conversations.messages import Outbound
from services import outbox
from store import outbox_pace
from tests.fake_bot_api import FakeBotApi, Faults
from tests.outbox_helpers import (ICS, TOKEN, Clock, PaceTime, drain_until_done, identity, make_bot, make_sender,
                                  queue, queue_many, rows, statuses)

# The scaled overall limit: the sender shares this process with the fake server, and
# python-telegram-bot spends some 5 ms of CPU on a call; the real processes of
# test_outbox_processes.py go at 100/s.
RATE = 60.0


@pytest.fixture
async def limited():
    """A fake enforcing RATE with half a second of burst, and 1/s per chat with 1.5 calls of
    burst: a second call to one chat at once is refused."""
    with FakeBotApi(token=TOKEN, rate=RATE, burst=0.5, per_chat_rate=1.0, per_chat_burst=1.5) as api:
        async with make_bot(api) as bot:
            yield api, bot


async def test_the_fake_refuses_a_burst_over_its_limits():
    """The control: what the pacer avoids does happen to a sender that does not pace."""
    with FakeBotApi(token=TOKEN, rate=5, burst=1.0, per_chat_rate=1.0, per_chat_burst=1.5) as api:
        async with make_bot(api) as bot:
            results = await asyncio.gather(*(bot.send_message(700_000 + n, "hi") for n in range(40)),
                                           return_exceptions=True)
            floods = [r for r in results if isinstance(r, RetryAfter)]
            assert floods and api.rate_limited == len(floods) and floods[0].retry_after.total_seconds() >= 1
            assert sum(api.delivered.values()) == 40 - len(floods)
            await asyncio.sleep(1)
            await bot.send_message(5001, "one")
            with pytest.raises(RetryAfter):
                await bot.send_message(5001, "two")  # the same chat again at once


async def test_the_pacer_stays_within_both_limits_counting_every_call(db, limited):
    api, bot = limited
    queue_many(db, 150)
    long = "word " * 1000  # two messages, and a calendar file: three calls to one chat
    heavy = [queue(db, str(5000 + n), key=f"heavy:{n}", message=Outbound(long, file=ICS)) for n in range(4)]
    sender = make_sender(bot, db, clock=Clock(), per_second=RATE, per_chat=1.0)  # real pacing time

    assert await sender.drain() == 154
    assert api.rate_limited == 0, api.floods  # no 429: paced evenly, each call counted
    assert statuses(db) == {"sent": 154}
    assert all(api.delivered[600_000 + n] == 1 for n in range(150))
    assert all(api.delivered[5000 + n] == 3 for n in range(4)) and len(api.delivered) == 154
    calls = [c for c in api.calls if c.method in ("sendMessage", "sendDocument")]
    assert len(calls) == 162
    for n in range(4):  # one chat's calls a second apart (as they arrive: give or take the way there)
        times = [c.at for c in calls if int(c.params["chat_id"]) == 5000 + n]
        assert all(later - earlier > 0.5 for earlier, later in zip(times, times[1:]))
    assert {r.id for r in rows(db) if r.platform_message_id} >= set(heavy)


async def test_random_faults_every_row_ends_sent_or_failed_with_its_reason_none_twice_none_lost(db):
    faults = Faults(seed=4, flood=0.03, blocked=0.03, chat_not_found=0.02, server_error=0.12,
                    retry_after_range=(1, 3))
    with FakeBotApi(token=TOKEN, faults=faults) as api:
        async with make_bot(api) as bot:
            queue_many(db, 300)
            long = "word " * 1000
            for n in range(10):  # messages of three calls: a fault may come after the first
                queue(db, str(5000 + n), key=f"heavy:{n}", message=Outbound(long, file=ICS))
            clock = Clock()
            sender = make_sender(bot, db, clock=clock, pace=PaceTime(), per_second=RATE)
            await drain_until_done(sender, db, clock)

    assert all(faults > 0 for faults in api.faults_injected.values()) and len(api.faults_injected) == 4
    stored = rows(db)
    assert len(stored) == 310 and {r.status for r in stored} <= {"sent", "failed"}  # none lost
    calls_of = {r.id: 3 if r.idempotency_key.startswith("heavy") else 1 for r in stored}
    chat_of = {r.id: int(identity_of(db, r)) for r in stored}
    for r in stored:
        delivered = api.delivered[chat_of[r.id]]
        if r.status == "sent":
            assert delivered == calls_of[r.id], r  # once: no call twice
            assert r.last_error is None or r.attempts > 1
        else:
            assert r.last_error and delivered < calls_of[r.id], r  # its reason; a part at most
    blocked = [r for r in stored if (r.last_error or "").startswith(outbox.BLOCKED)]
    assert blocked and all(identity(db, str(chat_of[r.id])).unreachable_at is not None for r in blocked)
    gave_up = [r for r in stored if r.status == "failed" and r not in blocked]
    assert all(r.attempts == outbox.MAX_ATTEMPTS or "part" in r.last_error for r in gave_up)
    assert Counter(r.status for r in stored)["sent"] == sum(1 for r in stored if api.delivered[chat_of[r.id]]
                                                             == calls_of[r.id])
    assert api.rate_limited == 0


def identity_of(db, stored) -> str:
    from sqlmodel import Session, select

    from store.models import ChannelIdentity
    with Session(db) as session:
        return session.exec(select(ChannelIdentity.external_id).where(
            ChannelIdentity.contact_id == stored.contact_id)).one()


@pytest.mark.both_databases
def test_send_time_is_handed_out_once_whoever_asks_and_a_pause_holds_for_everyone(db):
    """store.outbox_pace: what two processes reserve never overlaps."""
    first = outbox_pace.reserve(db, channel="telegram", now=100.0, seconds=1.0)
    second = outbox_pace.reserve(db, channel="telegram", now=100.2, seconds=0.5)  # another process, a moment later
    assert (first, second) == (100.0, 101.0)
    assert outbox_pace.reserve(db, channel="telegram", now=200.0, seconds=0.1) == 200.0  # idle meanwhile: now
    outbox_pace.pause(db, channel="telegram", until=230.0)  # a 429 with retry_after 30
    assert outbox_pace.reserve(db, channel="telegram", now=201.0, seconds=0.1) == 230.0
    outbox_pace.pause(db, channel="telegram", until=210.0)  # an earlier end does not shorten it
    assert outbox_pace.reserve(db, channel="telegram", now=202.0, seconds=0.1) == pytest.approx(230.1)
    assert outbox_pace.reserve(db, channel="whatsapp", now=202.0, seconds=1.0) == 202.0  # per channel


async def test_a_stopped_drain_finishes_the_calls_in_flight_and_hands_back_the_rest(db, limited):
    api, bot = limited
    queue_many(db, 60)
    sender = make_sender(bot, db, clock=Clock(), per_second=20.0)  # three seconds of sending, real time
    drain = asyncio.create_task(sender.drain())
    while sum(api.delivered.values()) < 5:
        await asyncio.sleep(0.01)
    sender.stop()
    sent = await drain
    left = statuses(db)
    assert sent == left["sent"] == sum(api.delivered.values()) and 5 <= sent < 60  # what went out is recorded
    assert left["pending"] == 60 - sent and not left["sending"]  # the rest is free for the next start
    assert all(r.claimed_by is None for r in rows(db) if r.status == "pending")


async def test_a_message_stopped_between_its_parts_is_not_sent_again_from_the_start(db, limited):
    """Its text went out, its calendar file waits a second (one chat, 1/s): a stop then fails
    the row saying so, and a new sender does not repeat the text."""
    api, bot = limited
    row_id = queue(db, "5100", key="two-parts", message=Outbound("Your interview", file=ICS))
    sender = make_sender(bot, db, clock=Clock(), per_second=RATE, per_chat=1.0)
    drain = asyncio.create_task(sender.drain())
    while api.delivered.get(5100, 0) < 1:
        await asyncio.sleep(0.01)
    sender.stop()
    await drain
    stopped = next(r for r in rows(db) if r.id == row_id)
    assert stopped.status == "failed" and stopped.last_error == "stopped after part 1 of 2"
    assert await make_sender(bot, db, clock=Clock(), per_second=RATE).drain() == 0
    assert [c.method for c in api.calls if c.method.startswith("send")] == ["sendMessage"]

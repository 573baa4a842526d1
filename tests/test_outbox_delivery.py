"""The outbox's last leg: the Telegram sender (handlers/outbox_sender.py + telegram_outbox.py)
with a real python-telegram-bot Bot over HTTP to the fake Bot API, time injected: sent once,
403 / chat not found make the person unreachable, other errors are retried with a growing
delay up to max attempts, 429 waits exactly retry_after; and the console showing what waits
for a person before its next prompt."""
from __future__ import annotations

import asyncio
import datetime as dt
import io

import pytest
from sqlmodel import Session
from telegram import Update

from conversations.messages import Outbound
from services import outbox, reply_rows, repository
from store import outbox_pace
from services.outbox import RETRY_DELAY, OutboxService
from handlers import console
from handlers.telegram import build_application
from tests.booking_flow_helpers import add_workshop, days_ahead, registrations
from tests.conftest import NOW, Chat
from tests.fake_bot_api import CHAT_NOT_FOUND, FakeBotApi
from tests.fake_network import Hold
from tests.outbox_helpers import (ICS, TOKEN, Clock, PaceTime, identity, make_bot, make_sender, queue, row,
                                  rows, statuses)
from tests.registration_helpers import reach


@pytest.fixture
def api():
    with FakeBotApi(token=TOKEN) as server:
        yield server


@pytest.fixture
async def bot(api):
    async with make_bot(api) as bot:
        yield bot


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def pace() -> PaceTime:
    return PaceTime()


@pytest.fixture
def sender(bot, db, clock, pace):
    return make_sender(bot, db, clock=clock, pace=pace)


def chats(api, method: str = "sendMessage") -> list[int]:
    return [int(call.params["chat_id"]) for call in api.calls_to(method)]


# -- a promotion, sent once ---------------------------------------------------------------------
async def test_a_promotion_is_sent_once_marked_sent_and_its_button_gives_the_seat_back(service, db, api, sender):
    workshop = add_workshop(db, days_ahead(3, 15), capacity=1)
    first, second = Chat(service, "5001", "telegram"), Chat(service, "5002", "telegram")
    for chat in (first, second):
        reach(chat)
        chat.press("Workshops")
        chat.press("Sat, 28 Nov 15:00")
        chat.press(chat.labels[0])  # a seat; then the waiting list
    first.press("My appointments")
    first.press("Cancel Sat, 28 Nov")
    first.press("Yes, give it up")
    [pending] = rows(db)
    assert (pending.channel, pending.status, pending.attempts) == ("telegram", "pending", 0)

    assert await sender.drain() == 1
    [message] = api.sent()
    assert int(message["chat_id"]) == 5002
    assert message["text"].startswith("Good news: a seat has freed up and it is yours now!")
    [[button]] = message["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Give the seat back"
    assert chats(api, "sendDocument") == [5002]  # its calendar file, a second call
    sent = row(db, pending.id)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, None) and sent.sent_at is not None
    assert sent.platform_message_id == str(api.messages(5002)[0]["message_id"])  # the one with the buttons

    mark = api.mark()
    assert await sender.drain() == 0
    assert api.calls[mark:] == []  # never twice

    # the person presses the button of the message they got, through the real application
    application = build_application(token=TOKEN, api_url=api.url, service=service)
    async with application:
        update = api.push({"callback_query": {
            "id": "q1", "from": {"id": 5002, "is_bot": False, "first_name": "Maria"}, "chat_instance": "1",
            "data": button["callback_data"], "message": api.messages(5002)[0]}})
        await application.process_update(Update.de_json(update, application.bot))
    assert api.sent()[-1]["text"].startswith("Done: you are no longer signed up")
    assert [r.status for r in registrations(db, workshop)] == ["cancelled", "cancelled"]


async def test_a_key_queued_twice_is_one_row_and_one_message(db, api, sender):
    queue(db, "5001", key="promotion:7")
    assert queue(db, "5001", key="promotion:7") is None
    assert len(rows(db)) == 1
    assert await sender.drain() == 1
    assert chats(api) == [5001]


async def test_only_due_telegram_rows_are_sent_and_cancelled_ones_never(db, api, sender, clock):
    later = queue(db, "5001", due_at=NOW + dt.timedelta(hours=1))
    on_console = queue(db, "someone", channel="console")
    withdrawn = queue(db, "5002")
    with Session(db) as session, session.begin():
        session.get(type(row(db, withdrawn)), withdrawn).status = "cancelled"
    assert await sender.drain() == 0
    assert api.calls_to("sendMessage") == []
    assert (row(db, later).status, row(db, on_console).status, row(db, withdrawn).status) == (
        "pending", "pending", "cancelled")
    clock.now += dt.timedelta(hours=1)
    assert await sender.drain() == 1
    assert chats(api) == [5001]
    assert row(db, withdrawn).status == "cancelled"


# -- claims ---------------------------------------------------------------------------------------
async def test_a_reminder_due_during_a_broadcast_goes_before_the_broadcasts_rest(db):
    early = [queue(db, str(6000 + n), key=f"broadcast:{n}", kind="broadcast", due_at=NOW - dt.timedelta(minutes=5))
             for n in range(5)]
    reminder = queue(db, "5001", key="reminder:1", kind="reminder")
    with Session(db) as session, session.begin():
        first = outbox.claim(session, channel="telegram", now=NOW, worker="w", limit=2)
    assert [p.id for p in first] == [reminder, early[0]]



async def test_a_row_claimed_by_a_live_sender_is_left_alone_and_taken_over_once_its_lease_passed(
        db, api, sender, clock):
    pending = queue(db, "5001")
    with Session(db) as session, session.begin():
        [claimed] = outbox.claim(session, channel="telegram", now=NOW, worker="other", lease=dt.timedelta(seconds=30))
    assert claimed.id == pending and row(db, pending).status == "sending"
    assert await sender.drain() == 0  # another sender holds it
    clock.now += dt.timedelta(seconds=31)  # ... and died: its lease passed
    assert await sender.drain() == 1
    assert chats(api) == [5001]
    stored = row(db, pending)
    assert (stored.status, stored.claimed_by) == ("sent", sender.worker)


async def test_the_late_result_of_a_sender_whose_row_was_taken_over_changes_nothing(db, clock):
    pending = queue(db, "5001")
    with Session(db) as session, session.begin():
        [old] = outbox.claim(session, channel="telegram", now=NOW, worker="old", lease=dt.timedelta(seconds=30))
    later = NOW + dt.timedelta(seconds=31)
    with Session(db) as session, session.begin():
        [new] = outbox.claim(session, channel="telegram", now=later, worker="new")
        outbox.record(session, [outbox.Outcome(new, "sent", message_id="77")], worker="new", now=later)
    with Session(db) as session, session.begin():
        outbox.record(session, [outbox.Outcome(old, "retry", "timed out")], worker="old", now=later)
    stored = row(db, pending)
    assert (stored.status, stored.claimed_by, stored.platform_message_id, stored.attempts) == ("sent", "new", "77", 1)


async def test_two_rows_for_one_chat_are_a_second_apart_and_each_call_counts(db, api, sender, clock, pace):
    long = "word " * 1000  # 5,000 characters: two messages
    first = queue(db, "5001", key="a", message=Outbound(long, file=ICS))
    second = queue(db, "5001", key="b")
    assert await sender.drain() == 1  # one row per chat at a time
    assert row(db, second).status == "pending"
    clock.now += dt.timedelta(seconds=1)
    assert await sender.drain() == 1
    calls = [c for c in api.calls if c.method in ("sendMessage", "sendDocument")]
    assert [c.method for c in calls] == ["sendMessage", "sendMessage", "sendDocument", "sendMessage"]
    assert row(db, first).status == row(db, second).status == "sent"
    # three calls of one message to one chat: paced a second apart (1/s per chat)
    assert sum(pace.slept) >= 2.0


# -- failures -----------------------------------------------------------------------------------
async def test_a_person_who_blocked_the_bot_is_marked_unreachable_and_gets_nothing_more(db, api, sender, clock):
    blocked, other = queue(db, "5001"), queue(db, "5002")
    later = queue(db, "5001", key="reminder", due_at=NOW + dt.timedelta(hours=1))
    api.block(5001)

    assert await sender.drain() == 1
    failed = row(db, blocked)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error == "blocked: Forbidden: bot was blocked by the user"
    assert row(db, other).status == "sent"
    person = identity(db, "5001")
    assert person.unreachable_at is not None and person.unreachable_reason == "Forbidden: bot was blocked by the user"
    assert (row(db, later).status, row(db, later).last_error) == ("failed", failed.last_error)  # not sent either

    with db.begin() as connection:  # nothing new is queued for them
        contact_id = person.contact_id
        assert not outbox.enqueue(connection, contact_id=contact_id, message=Outbound("hi"), key="new")
    clock.now += dt.timedelta(hours=2)
    mark = api.mark()
    assert await sender.drain() == 0
    assert api.calls_to("sendMessage", since=mark) == []

    with db.begin() as connection:  # the person writes again: reachable again
        repository.load_contact(connection, "telegram", "5001")
        assert outbox.enqueue(connection, contact_id=contact_id, message=Outbound("hi"), key="new")
    assert identity(db, "5001").unreachable_at is None


async def test_a_chat_that_no_longer_exists_is_not_retried(db, api, sender):
    gone = queue(db, "5001")
    api.block(5001, CHAT_NOT_FOUND)
    assert await sender.drain() == 0
    stored = row(db, gone)
    assert (stored.status, stored.attempts) == ("failed", 1)
    assert stored.last_error.lower() == "blocked: chat not found"
    assert identity(db, "5001").unreachable_reason.lower() == "chat not found"
    assert len(api.calls_to("sendMessage")) == 1


@pytest.mark.parametrize("status, description", [(500, "Internal Server Error"), (502, "Bad Gateway")])
async def test_server_errors_are_retried_later_each_time_up_to_max_attempts_then_failed(
        db, api, sender, clock, status, description):
    pending = queue(db, "5001")
    api.fail(5001, status, description)
    delay = RETRY_DELAY
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert await sender.drain() == 0
        stored = row(db, pending)
        assert stored.attempts == attempt and description.lower() in stored.last_error.lower()
        assert stored.status == ("failed" if attempt == outbox.MAX_ATTEMPTS else "pending")
        clock.now += delay - dt.timedelta(seconds=1)
        await sender.drain()  # not yet: the next attempt waits a little longer
        assert row(db, pending).attempts == attempt
        clock.now += dt.timedelta(seconds=1)
        delay *= 2
    assert await sender.drain() == 0
    assert chats(api) == [5001] * outbox.MAX_ATTEMPTS
    assert clock.now - NOW == RETRY_DELAY * (2 ** outbox.MAX_ATTEMPTS - 1)


async def test_a_message_telegram_refuses_as_such_fails_at_once(db, api, sender):
    pending = queue(db, "5001")
    api.fail(5001, 400, "Bad Request: can't parse entities")
    assert await sender.drain() == 0
    stored = row(db, pending)
    assert (stored.status, stored.attempts) == ("failed", 1) and "parse entities" in stored.last_error
    assert identity(db, "5001").unreachable_at is None


async def test_a_message_that_failed_once_goes_out_on_a_later_round(db, api, sender, clock):
    pending, other = queue(db, "5001"), queue(db, "5002")
    api.fail(5001, 502, "Bad Gateway")
    assert await sender.drain() == 1  # the other one is not held up
    api.fail(5001, 0, "")
    clock.now += RETRY_DELAY
    assert await sender.drain() == 1
    assert sorted(chats(api)) == [5001, 5001, 5002]
    assert [(row(db, r).status, row(db, r).attempts) for r in (pending, other)] == [("sent", 2), ("sent", 1)]


async def test_flood_control_pauses_exactly_retry_after_and_retries_the_same_row_not_as_an_attempt(
        db, api, sender, pace):
    first, second, third = queue(db, "5001"), queue(db, "5002"), queue(db, "5003")
    api.fail(5002, 429, "Too Many Requests: retry after 7", retry_after=7, times=1)
    launched, answered = [], {}
    send = sender.transport.send

    async def timed(external_id, call):  # the pacing clock at each call and at each answer
        launched.append((external_id, pace.now))
        try:
            return await send(external_id, call)
        finally:
            answered.setdefault(external_id, pace.now)
    sender.transport.send = timed

    assert await sender.drain() == 3
    assert [chat for chat, _at in launched].count("5002") == 2  # the same row again...
    assert [(row(db, r).status, row(db, r).attempts) for r in (first, second, third)] == [
        ("sent", 1), ("sent", 1), ("sent", 1)]  # ... not counted as an attempt
    retried_at = [at for chat, at in launched if chat == "5002"][1]
    flooded_at = answered["5002"]
    assert flooded_at + 7 <= retried_at < flooded_at + 7 + 2 / 30  # exactly retry_after, then its slot
    # the pause is the channel's: nothing is launched during it, and other processes see it too
    assert not [at for _chat, at in launched if flooded_at < at < flooded_at + 7]
    assert outbox_pace.next_at(db, "telegram") >= flooded_at + 7
    assert api.rate_limited == 0 and sum(api.delivered.values()) == 3


# -- the console ----------------------------------------------------------------------------------
def test_the_console_shows_a_pending_message_before_its_next_prompt_once(service, db):
    add_workshop(db, days_ahead(3, 15), capacity=1)
    first, second = Chat(service, "p1"), Chat(service, "p2")
    for chat in (first, second):
        reach(chat)
        chat.press("Workshops")
        chat.press("Sat, 28 Nov 15:00")
        chat.press(chat.labels[0])
    first.press("My appointments")
    first.press("Cancel Sat, 28 Nov")
    first.press("Yes, give it up")
    sender = OutboxService(db, clock=lambda: NOW)

    stdout = io.StringIO()
    console.run(service.handle, io.StringIO("/help\n"), stdout, external_id="p2", outbox=sender)
    shown = stdout.getvalue()
    news = shown.index("Good news: a seat has freed up and it is yours now!")
    assert shown.index("Here is what I can do for you.") < news < shown.index("> ")
    assert "  1) Give the seat back" in shown[news:shown.index("> ")]
    assert shown.count("Good news") == 1  # not again before the second prompt
    [notice] = rows(db)
    assert notice.status == "sent" and notice.attempts == 1 and notice.claimed_by == "console"

    stdout = io.StringIO()
    console.run(service.handle, io.StringIO(""), stdout, external_id="p1", outbox=sender)
    assert "Good news" not in stdout.getvalue()  # nobody else's


def test_the_console_runs_the_planners_before_each_prompt_and_shows_what_they_queued(service, db):
    clock = Clock(NOW)
    planned = []

    def planner(session, now):
        planned.append(now)
        contact_id, _language, _state = repository.load_contact(session.connection(), "console", "p1")
        return outbox.enqueue(session, contact_id=contact_id, message=Outbound(f"Reminder {len(planned)}"),
                              key=f"reminder:{len(planned)}", due_at=now, kind="reminder")

    stdout = io.StringIO()
    console.run(service.handle, io.StringIO("/help\n/help\n"), stdout, external_id="p1",
                outbox=OutboxService(db, clock=clock, planners=[planner]))
    shown = stdout.getvalue()
    assert planned == [NOW, NOW, NOW]  # before each of the three prompts, with the injected clock
    assert [shown.count(f"Reminder {n}") for n in (1, 2, 3)] == [1, 1, 1]
    assert shown.index("Reminder 1") < shown.index("> ") < shown.index("Reminder 2")
    assert statuses(db) == {"sent": 3}


# -- a pressed message's mark, beside the next message ----------------------------------------------
def _replies(db, sender, external_id: str, key: str, *replies: Outbound) -> list:
    """A step's replies written as rows held by ``sender`` (services.reply_rows), for its deliver."""
    with db.begin() as connection:
        contact_id, _language, _state = repository.load_contact(connection, "telegram", external_id)
        return reply_rows.store(connection, contact_id=contact_id, channel="telegram", external_id=external_id,
                                replies=list(replies), update_key=key, hold=reply_rows.Hold(sender.worker, 30.0),
                                now=NOW)


async def test_the_next_message_goes_beside_a_mark_and_a_later_edit_of_that_message_waits_for_it(db, api, bot, sender):
    """A mark on an earlier message (its choice, its buttons taken away) lets the chat's next new
    message go beside it; a later edit of that same message (another step's) waits for it."""
    pressed = await bot.send_message(600_100, "Quale giorno?")
    target = str(pressed.message_id)
    api.refuse(Hold(1.0, deliver=True), method="editMessageText", chat_id=600_100)
    first = asyncio.ensure_future(sender.deliver(_replies(
        db, sender, "600100", "press:1", Outbound("Quale giorno?\n\n➡️ Lunedì", target=target), Outbound("A che ora?"))))
    question = (await asyncio.to_thread(api.wait_for, "sendMessage", 2, done=True))[-1]
    await sender.deliver(_replies(db, sender, "600100", "press:2",
                                  Outbound("Quale giorno? Martedì", target=target, edit=True)))
    await first
    mark, edit = api.calls_to("editMessageText")
    assert question.params["text"] == "A che ora?"
    assert question.at < mark.answered_at  # the next message went while the mark was on its way
    assert edit.at >= mark.answered_at  # the later edit of the same message waited for it
    assert api.message(600_100, pressed.message_id)["text"] == "Quale giorno? Martedì"

"""The outbox's last leg: handlers.telegram_outbox.drain_once with a real PTB Bot over a
RecordingRequest (sent once, 403 never retried, other errors retried up to MAX_ATTEMPTS,
429 waits), and the console showing what waits for a person before its next prompt."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from telegram import Bot, Update

from conversations.messages import Button, Outbound
from db import outbox, repository
from db.models import OutboxMessage
from db.outbox import MAX_ATTEMPTS, RETRY_DELAY, OutboxService
from handlers import console, telegram_outbox
from handlers.telegram import build_application
from tests.booking_flow_helpers import add_workshop, days_ahead, outbox as outbox_rows, registrations, row
from tests.conftest import NOW, Chat
from tests.registration_helpers import reach
from tests.telegram_fakes import TOKEN, RecordingRequest, callback_update

API_URL = "http://127.0.0.1:9"  # never dialled: RecordingRequest answers everything
NOTICE = Outbound("A seat is yours", (Button("Give the seat back", "1|g|ws:drop:1"),))


class PerChat(RecordingRequest):
    """Fails ``sendMessage`` for some chats only: ``failing[chat_id] = (status, description,
    parameters)``, as Telegram answers a blocked user (403) or a flood (429 with retry_after)."""

    def __init__(self) -> None:
        super().__init__()
        self.failing: dict[int, tuple[int, str, dict]] = {}

    async def do_request(self, url, method, request_data=None, **timeouts):
        params = request_data.parameters if request_data else {}
        chat_id = int(params.get("chat_id", 0) or 0)
        if url.endswith("/sendMessage") and chat_id in self.failing:
            self.calls.append(("sendMessage", params))
            status, description, parameters = self.failing[chat_id]
            answer = {"ok": False, "error_code": status, "description": description, "parameters": parameters}
            return status, json.dumps(answer).encode()
        return await super().do_request(url, method, request_data, **timeouts)


@pytest.fixture
def request_() -> PerChat:
    return PerChat()


@pytest.fixture
async def bot(request_):
    bot = Bot(TOKEN, base_url=f"{API_URL}/bot", request=request_)
    await bot.initialize()
    request_.clear()
    yield bot
    await bot.shutdown()


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def sender(db, clock) -> OutboxService:
    return OutboxService(db, clock=clock)


def queue(db, external_id: str, *, channel: str = "telegram", key: str | None = None,
          message: Outbound = NOTICE, due_at: dt.datetime = NOW) -> int:
    """A pending row for a (new) person on ``channel``; its id."""
    with db.begin() as connection:
        contact_id, _language, _state = repository.load_contact(connection, channel, external_id)
        outbox.enqueue(connection, contact_id=contact_id, message=message,
                       key=key or f"test:{external_id}", due_at=due_at)
    return max(r.id for r in outbox_rows(db))


def outbox_row(db, row_id: int) -> OutboxMessage:
    return row(db, OutboxMessage, row_id)


def sent_to(request: RecordingRequest, method: str = "sendMessage") -> list[int]:
    return [int(params["chat_id"]) for params in request.sent(method)]


# -- a promotion, sent once ---------------------------------------------------------------------
async def test_a_promotion_is_sent_once_marked_sent_and_its_button_gives_the_seat_back(
        service, db, bot, request_, sender):
    workshop = add_workshop(db, days_ahead(3, 15), capacity=1)
    first, second = Chat(service, "5001", "telegram"), Chat(service, "5002", "telegram")
    for chat in (first, second):
        reach(chat)
        chat.press("Workshops")
        chat.press("Sat, Nov 28 15:00")
        chat.press(chat.labels[0])  # a seat; then the waiting list
    first.press("My appointments")
    first.press("Cancel Sat, Nov 28")
    first.press("Yes, give it up")
    [pending] = outbox_rows(db)
    assert (pending.channel, pending.status, pending.attempts) == ("telegram", "pending", 0)

    assert await telegram_outbox.drain_once(bot, sender) == 1
    [message] = request_.sent("sendMessage")
    assert int(message["chat_id"]) == 5002
    assert message["text"].startswith("Good news: a seat has freed up and it is yours now!")
    [[button]] = message["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Give the seat back"
    assert sent_to(request_, "sendDocument") == [5002]
    sent = outbox_row(db, pending.id)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, None) and sent.sent_at is not None

    request_.clear()
    assert await telegram_outbox.drain_once(bot, sender) == 0
    assert request_.calls == []  # never twice

    # the person presses the button of the message they got, through the real application
    application = build_application(token=TOKEN, api_url=API_URL, handle=service.handle, request=request_)
    await application.initialize()
    try:
        update = callback_update(button["callback_data"], user_id=5002, message_text=message["text"],
                                 keyboard=[[button]])
        await application.process_update(Update.de_json(update, application.bot))
    finally:
        await application.shutdown()
    assert request_.sent("sendMessage")[-1]["text"].startswith("Done: you are no longer signed up")
    assert [r.status for r in registrations(db, workshop)] == ["cancelled", "cancelled"]


async def test_a_key_queued_twice_is_one_row_and_one_message(db, bot, request_, sender):
    queue(db, "5001", key="promotion:7")
    queue(db, "5001", key="promotion:7")
    assert len(outbox_rows(db)) == 1
    assert await telegram_outbox.drain_once(bot, sender) == 1
    assert sent_to(request_) == [5001]


async def test_only_due_telegram_rows_are_sent(db, bot, request_, sender, clock):
    later = queue(db, "5001", due_at=NOW + dt.timedelta(hours=1))
    on_console = queue(db, "someone", channel="console")
    assert await telegram_outbox.drain_once(bot, sender) == 0
    assert request_.calls == []
    assert outbox_row(db, later).status == outbox_row(db, on_console).status == "pending"
    clock.now += dt.timedelta(hours=1)
    assert await telegram_outbox.drain_once(bot, sender) == 1
    assert sent_to(request_) == [5001]


# -- failures -----------------------------------------------------------------------------------
async def test_a_person_who_blocked_the_bot_is_not_retried_and_the_others_still_get_theirs(
        db, bot, request_, sender):
    blocked, other = queue(db, "5001"), queue(db, "5002")
    request_.failing[5001] = (403, "Forbidden: bot was blocked by the user", {})

    assert await telegram_outbox.drain_once(bot, sender) == 1
    failed = outbox_row(db, blocked)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error == "blocked: Forbidden: bot was blocked by the user"
    assert outbox_row(db, other).status == "sent"

    request_.clear()
    assert await telegram_outbox.drain_once(bot, sender) == 0
    assert request_.calls == []


async def test_a_chat_that_no_longer_exists_is_not_retried(db, bot, request_, sender):
    gone = queue(db, "5001")
    request_.failing[5001] = (400, "Bad Request: chat not found", {})
    assert await telegram_outbox.drain_once(bot, sender) == 0
    assert (outbox_row(db, gone).status, outbox_row(db, gone).attempts) == ("failed", 1)


@pytest.mark.parametrize("status, description", [(500, "internal server error"), (502, "bad gateway"),
                                                 (400, "Bad Request: message is too long")])
async def test_other_errors_are_retried_later_up_to_max_attempts_then_failed(db, bot, request_, sender, clock,
                                                                             status, description):
    pending = queue(db, "5001")
    request_.failing[5001] = (status, description, {})
    delay = RETRY_DELAY
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert await telegram_outbox.drain_once(bot, sender) == 0
        stored = outbox_row(db, pending)
        assert stored.attempts == attempt and description.split(": ")[-1] in stored.last_error.lower()
        assert stored.status == ("failed" if attempt == MAX_ATTEMPTS else "pending")
        clock.now += delay - dt.timedelta(seconds=1)
        await telegram_outbox.drain_once(bot, sender)  # not yet: the next attempt waits a little longer
        assert outbox_row(db, pending).attempts == attempt
        clock.now += dt.timedelta(seconds=1)
        delay *= 2
    assert await telegram_outbox.drain_once(bot, sender) == 0
    assert sent_to(request_) == [5001] * MAX_ATTEMPTS
    assert clock.now - NOW == RETRY_DELAY * (2 ** MAX_ATTEMPTS - 1)


async def test_a_message_that_failed_once_goes_out_on_a_later_round(db, bot, request_, sender, clock):
    pending, other = queue(db, "5001"), queue(db, "5002")
    request_.failing[5001] = (502, "Bad Gateway", {})
    assert await telegram_outbox.drain_once(bot, sender) == 1  # the other one is not held up
    del request_.failing[5001]
    clock.now += RETRY_DELAY
    assert await telegram_outbox.drain_once(bot, sender) == 1
    assert sent_to(request_) == [5001, 5002, 5001]
    assert [(outbox_row(db, r).status, outbox_row(db, r).attempts) for r in (pending, other)] == [
        ("sent", 2), ("sent", 1)]


async def test_flood_control_waits_as_long_as_telegram_says_and_keeps_the_rows(
        db, bot, request_, sender, monkeypatch):
    waited = []

    async def sleep(seconds):
        waited.append(seconds)

    monkeypatch.setattr(telegram_outbox.asyncio, "sleep", sleep)
    first, second = queue(db, "5001"), queue(db, "5002")
    request_.failing[5001] = (429, "Too Many Requests: retry after 7", {"retry_after": 7})

    assert await telegram_outbox.drain_once(bot, sender) == 0
    assert waited == [7]
    assert sent_to(request_) == [5001]  # the rest waits for the next round
    for pending in (first, second):
        assert (outbox_row(db, pending).status, outbox_row(db, pending).attempts) == ("pending", 0)


# -- the console ----------------------------------------------------------------------------------
def test_the_console_shows_a_pending_message_before_its_next_prompt_once(service, db):
    add_workshop(db, days_ahead(3, 15), capacity=1)
    first, second = Chat(service, "p1"), Chat(service, "p2")
    for chat in (first, second):
        reach(chat)
        chat.press("Workshops")
        chat.press("Sat, Nov 28 15:00")
        chat.press(chat.labels[0])
    first.press("My appointments")
    first.press("Cancel Sat, Nov 28")
    first.press("Yes, give it up")
    sender = OutboxService(db, clock=lambda: NOW)

    stdout = io.StringIO()
    console.run(service.handle, io.StringIO("/help\n"), stdout, external_id="p2", outbox=sender)
    shown = stdout.getvalue()
    news = shown.index("Good news: a seat has freed up and it is yours now!")
    assert shown.index("Here is what I can do for you.") < news < shown.index("> ")
    assert "  1) Give the seat back" in shown[news:shown.index("> ")]
    assert shown.count("Good news") == 1  # not again before the second prompt
    [notice] = outbox_rows(db)
    assert notice.status == "sent" and notice.attempts == 1

    stdout = io.StringIO()
    console.run(service.handle, io.StringIO(""), stdout, external_id="p1", outbox=sender)
    assert "Good news" not in stdout.getvalue()  # nobody else's

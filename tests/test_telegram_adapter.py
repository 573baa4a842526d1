"""The Telegram adapter on recorded update JSON: the real PTB Application, no network.

Each update goes through ``Application.process_update(Update.de_json(...))`` of the
application ``handlers.telegram.build_application`` builds; HTTP is a RecordingRequest.
Italian prose is being translated in parallel: where text matters, the person picks English.
"""
from __future__ import annotations

import pytest
from sqlalchemy import text
from telegram import Update

from conversations import payload
from conversations.messages import Button, Inbound, Outbound
from handlers.telegram import build_application, split_text
from tests.registration_helpers import NATIVE
from tests.telegram_fakes import (TOKEN, RecordingRequest, callback_update, message_update,
                                  press_update)

API_URL = "http://127.0.0.1:9"  # never dialled: RecordingRequest answers everything
USER = 5001
TABLES = ("contact", "channel_identity", "conversation_state", "consent", "registration", "processed_update")


class TelegramChat:
    """One person writing to the bot through the real PTB application."""

    def __init__(self, application, request: RecordingRequest, user_id: int = USER):
        self.app, self.request, self.user_id = application, request, user_id

    async def feed(self, update: dict) -> list[tuple[str, dict]]:
        """Process one raw update; returns the Bot API calls it caused."""
        start = len(self.request.calls)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.request.calls[start:]

    async def say(self, text_: str) -> list[tuple[str, dict]]:
        return await self.feed(message_update(text_, user_id=self.user_id))

    async def press(self, label: str) -> list[tuple[str, dict]]:
        """Press a button of the newest message that still shows an inline keyboard."""
        return await self.feed(press_update(self.keyboard_message(), label, user_id=self.user_id))

    def keyboard_message(self) -> dict:
        with_keyboard = [m for m in self.request.messages.values() if m.get("reply_markup")]
        assert with_keyboard, "no message with an inline keyboard"
        return max(with_keyboard, key=lambda m: m["message_id"])


def sent(calls) -> list[dict]:
    return [params for name, params in calls if name == "sendMessage"]


def names(calls) -> list[str]:
    return [name for name, _params in calls]


def labels(params: dict) -> list[str]:
    markup = params.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def callback_data(params: dict) -> list[str]:
    markup = params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


def snapshot(db) -> dict[str, list]:
    with db.connect() as connection:
        return {table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))]
                for table in TABLES}


@pytest.fixture
def request_():
    return RecordingRequest()


async def _application(service, request):
    application = build_application(token=TOKEN, api_url=API_URL, service=service, request=request)
    await application.initialize()
    return application


@pytest.fixture
async def app(service, request_):
    application = await _application(service, request_)
    request_.clear()
    yield application
    await application.shutdown()


@pytest.fixture
def tg(app, request_) -> TelegramChat:
    return TelegramChat(app, request_)


async def english(tg: TelegramChat) -> None:
    """First message, then "English" at the language step: the consent question is next."""
    await tg.say("ciao")
    await tg.press("English")


async def to_first_name(tg: TelegramChat) -> None:
    await english(tg)
    await tg.press("Yes, I agree")


async def to_phone(tg: TelegramChat) -> None:
    await to_first_name(tg)
    for answer in ("Maria", "Rossi", "05/03/1990"):
        await tg.say(answer)
    await tg.press("I don't have one")
    await tg.say("Bologna")


# -- messages and buttons ------------------------------------------------------

async def test_a_text_message_gets_the_welcome_with_an_inline_keyboard(tg):
    calls = await tg.say("ciao")
    assert names(calls) == ["sendMessage"]
    welcome = sent(calls)[0]
    assert welcome["chat_id"] == USER and welcome["text"]
    assert labels(welcome) == NATIVE
    assert {payload.decode(data).scope for data in callback_data(welcome)} == {"reg.language"}


async def test_a_pressed_button_is_answered_and_its_keyboard_closed(tg):
    await tg.say("ciao")
    welcome = tg.keyboard_message()
    calls = await tg.press("English")
    assert names(calls)[0] == "answerCallbackQuery"
    edits = [params for name, params in calls if name in ("editMessageText", "editMessageReplyMarkup")]
    assert len(edits) == 1 and edits[0]["message_id"] == welcome["message_id"]
    assert "inline_keyboard" not in (edits[0].get("reply_markup") or {})
    assert "English" in edits[0].get("text", "English")  # the choice made stays readable
    consent = sent(calls)[-1]
    assert labels(consent) == ["Yes, I agree", "No"]


async def test_every_callback_query_is_answered_even_stale_forged_or_from_a_group(tg, db):
    await tg.say("ciao")
    stale = await tg.feed(callback_update(payload.encode("reg.summary", "confirm"), user_id=USER))
    forged = await tg.feed(callback_update("x" * 64, user_id=USER))
    group = await tg.feed(callback_update(payload.encode("reg.language", "en"), user_id=USER,
                                          chat_id=-100123, chat_type="supergroup"))
    for calls in (stale, forged, group):
        assert names(calls).count("answerCallbackQuery") == 1
    assert sent(stale) and sent(forged)  # "no longer active" and the question again
    assert names(group) == ["answerCallbackQuery"]


async def test_a_callback_query_too_old_to_answer_is_still_handled(tg, request_):
    """After downtime the queued presses are older than Telegram's answer window."""
    await tg.say("ciao")
    request_.errors["answerCallbackQuery"] = (
        400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
    calls = await tg.press("English")
    assert labels(sent(calls)[-1]) == ["Yes, I agree", "No"]


async def test_every_keyboard_of_the_registration_fits_telegram_callback_data(tg, request_, db):
    await to_phone(tg)
    await tg.feed(message_update(user_id=USER, contact={"phone_number": "393471234567", "first_name": "Maria",
                                                        "user_id": USER}))
    await tg.press("Skip")
    for label in ("Looking for work", "High school diploma", "Good"):
        await tg.press(label)
    calls = await tg.press("Cleaning")  # a multi-select toggle edits the message in place
    assert names(calls) == ["answerCallbackQuery", "editMessageText"]
    assert any(label.startswith("✅") for label in labels(calls[1][1]))
    await tg.press("Care of people")
    await tg.press("Done")
    await tg.press("Licence, no car")
    await tg.press("Part time")
    await tg.press("Done")
    await tg.press("Change an answer")  # the longest payloads: step names
    await tg.press("Email")
    await tg.say("maria.rossi@example.org")
    await tg.say("/privacy")
    await tg.say("/language")
    await tg.say("/menu")
    await tg.press("Register")
    await tg.press("Yes, register me")

    keyboards = [params for name, params in request_.calls
                 if name in ("sendMessage", "editMessageText", "editMessageReplyMarkup")]
    all_data = [data for params in keyboards for data in callback_data(params)]
    assert len(all_data) > 40
    assert all(1 <= len(data.encode()) <= 64 for data in all_data), max(all_data, key=len)
    with db.connect() as connection:
        row = connection.execute(text("SELECT first_name, phone, email, sectors FROM registration")).one()
    assert row.first_name == "Maria" and row.phone == "+393471234567"
    assert row.email == "maria.rossi@example.org" and "cleaning" in row.sectors


# -- repeats, groups, things that are not text ----------------------------------

async def test_a_repeated_update_is_handled_once(tg, db):
    update = message_update("ciao", user_id=USER)
    first = await tg.feed(update)
    before = snapshot(db)
    again = await tg.feed(update)
    # not handled again, nor answered again: its replies are outbox rows, sent once (a crash
    # before they went out leaves them to the outbox: tests/test_telegram_kill.py)
    assert sent(first) and sent(again) == []
    assert snapshot(db) == before


async def test_a_repeated_button_press_is_answered_but_acts_once(tg, db):
    await tg.say("ciao")
    update = press_update(tg.keyboard_message(), "English", user_id=USER)
    await tg.feed(update)
    assert sent(await tg.say("/start"))
    before = snapshot(db)
    again = await tg.feed(update)
    assert names(again) == ["answerCallbackQuery"]  # its replies went out the first time
    assert snapshot(db) == before


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_group_messages_get_one_line_and_nothing_is_stored(tg, db, chat_type):
    before = snapshot(db)
    calls = await tg.feed(message_update("ciao", user_id=USER, chat_type=chat_type, chat_id=-100777))
    [pointer] = sent(calls)
    assert pointer["chat_id"] == -100777
    assert "\n" not in pointer["text"] and "t.me/insieme_test_bot" in pointer["text"]
    assert snapshot(db) == before


UNSUPPORTED = {
    "sticker": {"sticker": {"file_id": "s1", "file_unique_id": "s1", "width": 512, "height": 512,
                            "is_animated": False, "is_video": False, "type": "regular", "emoji": "👍"}},
    "location": {"location": {"latitude": 44.49, "longitude": 11.34}},
}  # photos and documents are kept as the person's documents (tests/test_documents_channels.py)


@pytest.mark.parametrize("kind", sorted(UNSUPPORTED))
async def test_what_is_not_text_gets_text_please_and_the_question_again(tg, kind):
    await to_first_name(tg)
    question = sent(tg.request.calls)[-1]["text"]
    calls = await tg.feed(message_update(user_id=USER, **UNSUPPORTED[kind]))
    replies = sent(calls)
    assert [r["text"] for r in replies] == ["I can only read text here. Please type your answer or tap a button.",
                                            question]


VOICE = {  # what many people send instead of typing, as Telegram delivers it
    "voice": {"voice": {"file_id": "v1", "file_unique_id": "v1", "duration": 3, "mime_type": "audio/ogg"}},
    "audio": {"audio": {"file_id": "a1", "file_unique_id": "a1", "duration": 40, "mime_type": "audio/mpeg"}},
    "video_note": {"video_note": {"file_id": "n1", "file_unique_id": "n1", "length": 240, "duration": 5}},
}


@pytest.mark.parametrize("kind", sorted(VOICE))
async def test_a_voice_note_gets_how_to_answer_without_one_and_the_question_again(tg, kind):
    await to_first_name(tg)
    question = sent(tg.request.calls)[-1]["text"]
    calls = await tg.feed(message_update(user_id=USER, **VOICE[kind]))
    assert [r["text"] for r in sent(calls)] == [
        "I cannot listen to voice messages. Please write your answer here. If writing is hard for you, "
        "come to the Insieme per il lavoro office: we will help you there.", question]


# -- the phone number ------------------------------------------------------------

async def test_the_phone_question_offers_the_share_contact_button(tg, request_):
    await to_phone(tg)
    question = sent(request_.calls)[-1]
    keyboard = question["reply_markup"]["keyboard"]
    assert [[button.get("request_contact") for button in row] for row in keyboard] == [[True]]


@pytest.mark.parametrize("shared, stored", [("+393471234567", "+393471234567"),
                                            ("393471234567", "+393471234567"),
                                            ("447911123456", "+447911123456")])  # Telegram may omit the +
async def test_the_persons_own_contact_fills_the_phone(tg, db, shared, stored):
    await to_phone(tg)
    calls = await tg.feed(message_update(user_id=USER, contact={
        "phone_number": shared, "first_name": "Maria", "user_id": USER}))
    replies = sent(calls)
    assert replies[0]["reply_markup"] == {"remove_keyboard": True}
    assert labels(replies[-1]) == ["Skip"]  # the email question
    assert _answers(db)["phone"] == stored


@pytest.mark.parametrize("contact", [{"user_id": 9999}, {}])
async def test_someone_elses_contact_is_refused(tg, db, request_, contact):
    await to_phone(tg)
    question = sent(request_.calls)[-1]
    calls = await tg.feed(message_update(user_id=USER, contact={
        "phone_number": "+393339998877", "first_name": "Luca", **contact}))
    replies = sent(calls)
    assert "phone" not in _answers(db)
    assert len(replies) == 2 and replies[-1]["text"] == question["text"]
    assert replies[-1]["reply_markup"] == question["reply_markup"]


def _answers(db) -> dict:
    import json
    with db.connect() as connection:
        data = connection.execute(text("SELECT data FROM conversation_state")).scalar_one()
    return (json.loads(data) if isinstance(data, str) else data)["answers"]


# -- long texts and failures -------------------------------------------------------

async def test_text_over_4096_characters_is_split(service, request_, monkeypatch):
    long_text = "\n".join(f"line {n:04d} " + "x" * 60 for n in range(150))  # about 10,500 characters
    button = Button("OK", payload.encode_global("menu"))
    monkeypatch.setattr(service.conversation_engine, "handle", lambda *args: [Outbound(long_text, (button,))])
    app = await _application(service, request_)
    try:
        calls = await TelegramChat(app, request_).say("ciao")
    finally:
        await app.shutdown()
    replies = sent(calls)
    assert len(replies) == 3
    assert all(len(r["text"]) <= 4096 for r in replies)
    assert "\n".join(r["text"] for r in replies) == long_text
    assert [bool(r.get("reply_markup")) for r in replies] == [False, False, True]


@pytest.mark.parametrize("text_, expected", [
    ("a" * 4096, ["a" * 4096]),
    ("a" * 4096 + "\n", ["a" * 4096]),
    ("a" * 4097, ["a" * 4096, "a"]),
    ("word " * 1000, None),
])
def test_split_text_keeps_everything_within_the_limit(text_, expected):
    chunks = split_text(text_)
    if expected is not None:
        assert chunks == expected
    assert all(0 < len(chunk) <= 4096 and chunk.strip() for chunk in chunks)
    assert "".join(chunks).replace(" ", "").replace("\n", "") == text_.replace(" ", "").replace("\n", "")


async def test_an_error_outside_the_engine_never_reaches_the_person(service, request_, caplog, monkeypatch):
    def broken(*args):
        raise RuntimeError("database password=hunter2 at line 42")

    monkeypatch.setattr(service, "step", broken)
    app = await _application(service, request_)
    try:
        calls = await TelegramChat(app, request_).say("ciao")
    finally:
        await app.shutdown()
    for params in sent(calls):
        assert "hunter2" not in params["text"] and "Traceback" not in params["text"]
    assert len(sent(calls)) == 1  # a short apology, not silence
    assert "hunter2" in caplog.text  # the operators see it in the log


async def test_an_error_in_the_engine_gets_an_apology_and_the_question_again(tg, service, monkeypatch):
    await english(tg)

    def broken(*args, **kwargs):
        raise RuntimeError("internal detail 0xDEADBEEF")

    monkeypatch.setattr(service.conversation_engine, "handle", broken)
    calls = await tg.say("hello")
    replies = sent(calls)
    assert len(replies) == 2 and labels(replies[-1]) == ["Yes, I agree", "No"]
    assert all("DEADBEEF" not in r["text"] and "Traceback" not in r["text"] for r in replies)


@pytest.mark.parametrize("proxy", [None, "http://proxy.comune.example:3128"])
def test_the_bot_api_calls_go_through_a_proxy_set_in_the_environment(service, monkeypatch, proxy):
    """Our own HTTP path (handlers.telegram_http) knows no proxy: with HTTPS_PROXY set (an office
    network), the calls go through python-telegram-bot's HTTPXRequest, which honours it."""
    from telegram.request import HTTPXRequest

    from handlers.telegram_http import ShardedRequest
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    if proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy)
    application = build_application(token=TOKEN, api_url="http://127.0.0.1:9", service=service)
    request = application.bot.request
    assert isinstance(request, HTTPXRequest if proxy else ShardedRequest)

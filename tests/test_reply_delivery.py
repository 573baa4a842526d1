"""Replies against a Bot API that behaves like the real one under faults (#12).

The real application and long polling (handlers.telegram, handlers.telegram_polling) in this
process, over HTTP to the fake Bot API: a reply refused once (502, 429 with retry_after, a send
that outlives the client's wait) still reaches the person, after exactly the wait asked for a
429; one person's reply held up on the network holds up nobody else; and what a person is sent
comes in the order it was written, a broadcast never between a question and the next reply.
"""
from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlalchemy import text
from sqlmodel import Session

from bot.wiring import telegram_background
from bot.settings import Settings
from conversations.commands import build_engine
from conversations.messages import Outbound
from handlers.telegram import build_application
from handlers.telegram_polling import follow
from services import outbox, repository
from services.conversation import ConversationService
from services.outbox_sender import Limits
from tests.fake_bot_api import BAD_GATEWAY, FakeBotApi, flood
from tests.fake_network import Hold
from tests.telegram_fakes import message_update, press_update

TOKEN = "123456:reply-delivery-test"
WAIT = 15.0


@pytest.fixture
def api():
    with FakeBotApi(token=TOKEN) as server:
        yield server


@pytest.fixture
async def running(api, db, db_url):
    """The bot, polling the fake, with its scheduler (the outbox's other rows) running."""
    service = ConversationService(db, build_engine())
    application = build_application(token=TOKEN, api_url=api.url, service=service,
                                    limits=Limits(per_second=30, per_chat_per_second=1, lease=5),
                                    background=telegram_background(Settings(database_url=db_url), db))
    await application.initialize()
    await application.post_init(application)
    stop = asyncio.Event()
    polling = asyncio.create_task(follow(application, allowed_updates=["message", "callback_query"], stop=stop))
    yield application
    stop.set()
    await polling
    await application.post_shutdown(application)
    await application.shutdown()


def delivered_texts(api: FakeBotApi, chat: int) -> list[str]:
    return [call.params["text"] for call in api.chat_calls(chat, {"sendMessage"}) if call.status == 200]


async def first_reply(api: FakeBotApi, chat: int, *, timeout: float = WAIT) -> str:
    """The first text that reached ``chat`` (waiting in the event loop, so the bot runs meanwhile)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        texts = delivered_texts(api, chat)
        if texts:
            return texts[0]
        await asyncio.sleep(0.02)
    raise AssertionError(f"nothing reached chat {chat}; calls: {api.chat_calls(chat)}")


@pytest.mark.parametrize("fault", [BAD_GATEWAY, flood(2), Hold(6, deliver=False)], ids=["502", "429", "time-out"])
async def test_a_reply_refused_once_still_reaches_the_person_once(api, running, db, fault):
    api.refuse(fault, method="sendMessage", chat_id=5001)
    api.push(message_update("ciao", user_id=5001))
    assert "Which language do you prefer?" in await first_reply(api, 5001)
    calls = api.chat_calls(5001, {"sendMessage"})
    assert [call.status == 200 for call in calls] == [False, True]  # refused once, then delivered
    if fault is not BAD_GATEWAY and not isinstance(fault, Hold):  # the 429: exactly retry_after later
        assert calls[1].at - calls[0].answered_at >= 2.0
    await asyncio.sleep(0.3)
    assert delivered_texts(api, 5001) == [delivered_texts(api, 5001)[0]]  # once


async def test_one_persons_reply_held_on_the_network_holds_up_nobody_else(api, running):
    api.refuse(Hold(4, deliver=True), method="sendMessage", chat_id=5001)
    api.push(message_update("ciao", user_id=5001))
    await asyncio.sleep(0.2)
    api.push(message_update("ciao", user_id=5002))
    assert "Which language do you prefer?" in await first_reply(api, 5002, timeout=3)
    [held] = api.chat_calls(5001, {"sendMessage"})
    assert held.answered_at is None  # 5002 was answered while 5001's reply was still on its way
    assert "Which language do you prefer?" in await first_reply(api, 5001)


async def test_a_broadcast_never_lands_between_a_persons_messages(api, running, db):
    api.push(message_update("ciao", user_id=5001))
    await first_reply(api, 5001)
    with Session(db) as session, session.begin():  # a notice for them, due now, while they chat
        contact_id, _language, _state = repository.load_contact(session.connection(), "telegram", "5001")
        outbox.enqueue(session, contact_id=contact_id, message=Outbound("NOTICE"), key="n:1", kind="broadcast")
    for text in ("/help", "/menu", "/help"):
        api.push(message_update(text, user_id=5001))
    deadline = time.monotonic() + WAIT
    while len(written(db)) < 4 or len(delivered_texts(api, 5001)) < len(written(db)) + 1:
        assert time.monotonic() < deadline, delivered_texts(api, 5001)
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    texts, rows = delivered_texts(api, 5001), written(db)
    notice = texts.index("NOTICE")
    assert texts[:notice] + texts[notice + 1:] == [text for _step, text in rows]  # each once, in order
    steps = [step for step, _text in rows]
    assert notice in (0, len(steps)) or steps[notice - 1] != steps[notice], "the notice split a step's replies"


def written(db) -> list[tuple[str, str]]:
    """The replies written, in order: (the update they answer, their text)."""
    with db.connect() as connection:
        found = connection.execute(text("SELECT idempotency_key, content FROM outbox WHERE kind = 'reply' ORDER BY id"))
        return [(key.rsplit(":", 1)[0], (content if isinstance(content, dict) else json.loads(content))["text"])
                for key, content in found]


async def test_the_mark_on_a_pressed_button_does_not_hold_up_the_next_question(api, running):
    """The pressed message's mark (its choice, its buttons taken away) goes out beside the next
    question, not before it: a slow edit does not keep the person waiting."""
    api.push(message_update("ciao", user_id=5001))
    await first_reply(api, 5001)
    [question] = api.messages(5001)
    api.refuse(Hold(3, deliver=True), method="editMessageText", chat_id=5001)
    api.push(press_update(question, "English", user_id=5001))
    deadline = time.monotonic() + WAIT
    while len(delivered_texts(api, 5001)) < 2:
        assert time.monotonic() < deadline, api.chat_calls(5001)
        await asyncio.sleep(0.02)
    [mark] = api.chat_calls(5001, {"editMessageText"})
    assert mark.answered_at is None  # the next question came while the mark was still on its way
    while not mark.done:
        assert time.monotonic() < deadline, "the mark never arrived"
        await asyncio.sleep(0.05)
    assert "English" in api.message(5001, question["message_id"])["text"]  # and the mark arrived, once
    assert len(api.chat_calls(5001, {"editMessageText"})) == 1


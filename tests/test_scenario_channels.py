"""One scenario (tests/scenarios.py), two channels: the same steps played on Telegram, through the
real python-telegram-bot application over HTTP to the fake Bot API, and on WhatsApp, by signed
webhook posts through the real router with replies to the fake Graph API; both on 127.0.0.1, and
the outbox's own senders deliver the broadcasts."""
from __future__ import annotations

import asyncio
import datetime as dt
import contextlib
import re

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient
from telegram import Update

from bot import wiring
from services.outbox_sender import Limits
from handlers.telegram import build_application
from handlers.whatsapp import WhatsAppClient
from handlers.whatsapp_webhook import whatsapp_router
from store.models import Registration
from tests import scenarios
from tests.registration_helpers import TAX_CODE, rows, state_of
from tests.scenarios import Deliver, Expect, Press, Say
from tests.booking_flow_helpers import add_slot, add_workshop, days_ahead
from tests.conftest import NOW
from tests.fake_bot_api import FakeBotApi
from tests.fake_graph_api import PHONE_ID, TOKEN as WA_TOKEN, FakeGraphApi, WaChat, settings_for
from tests.outbox_helpers import TOKEN, Clock, PaceTime, make_bot, make_sender
from tests.telegram_fakes import message_update, press_update

USER = 7001
WA_ID = "393471234567"


class TelegramPerson:
    """Updates into the real application (``process_update``, no polling wait); its Bot API calls
    go over HTTP to the fake Bot API, where the person reads them."""

    def __init__(self, api: FakeBotApi, service, db, runner: asyncio.Runner):
        self.api, self.db, self.runner = api, db, runner
        self.app = build_application(token=TOKEN, api_url=api.url, service=service)
        runner.run(self.app.initialize())
        self.calls = []

    def _feed(self, update: dict) -> None:
        mark = self.api.mark()
        self.runner.run(self.app.process_update(Update.de_json(update, self.app.bot)))
        self.calls = self.api.calls[mark:]

    def say(self, text: str) -> None:
        self._feed(message_update(text, user_id=USER))

    def press(self, label: str) -> None:
        """The button of the newest message showing it (as a person would look up)."""
        for message in reversed(self.api.messages(USER)):
            buttons = [b["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
            if any(label == b or label in b for b in buttons):
                return self._feed(press_update(message, label, user_id=USER))
        raise AssertionError(f"no button {label!r} in the chat")

    def deliver(self) -> None:
        async def drain() -> None:
            async with make_bot(self.api) as bot:
                # a little later: the replies just sent to that chat hold its next message a second
                await make_sender(bot, self.db, clock=Clock(NOW + dt.timedelta(seconds=2)), pace=PaceTime()).drain()
        mark = self.api.mark()
        self.runner.run(drain())
        self.calls = self.api.calls[mark:]

    @property
    def text(self) -> str:
        return "\n".join(call.params.get("text", "") for call in self.calls
                         if call.method in ("sendMessage", "editMessageText"))

    def close(self) -> None:
        self.runner.run(self.app.shutdown())


class WhatsAppPerson:
    """Signed webhooks into the router (tests.fake_graph_api.WaChat); the outbox sends with the
    WhatsApp transport, the person being inside the 24-hour window (they just wrote)."""

    def __init__(self, graph: FakeGraphApi, service, db, runner: asyncio.Runner):
        self.graph, self.db, self.runner = graph, db, runner
        self.router = whatsapp_router(service, settings_for(graph), clock=lambda: NOW)
        app = FastAPI()
        app.include_router(self.router)
        self.client = TestClient(app).__enter__()
        self.chat = WaChat(self.client, graph, WA_ID)
        self.sent: list[dict] = []

    def say(self, text: str) -> None:
        self.sent = self.chat.say(text)

    def press(self, label: str) -> None:
        self.sent = self.chat.press(label)

    def deliver(self) -> None:
        async def drain() -> None:
            client = WhatsAppClient(settings_for(self.graph))
            pace = PaceTime()
            try:
                await wiring.whatsapp_sender(client, self.db, Limits(per_second=80, per_chat_per_second=1),
                                            # a little later, as for Telegram: the replies just sent hold the chat
                                            clock=Clock(NOW + dt.timedelta(seconds=2)), timer=pace,
                                            sleep=pace.sleep).drain()
            finally:
                await client.aclose()
        mark = len(self.graph.sent)
        self.runner.run(drain())
        self.sent = self.graph.sent[mark:]

    @property
    def text(self) -> str:
        return "\n".join(_texts(self.sent))

    def close(self) -> None:
        self.client.portal.call(self.router.whatsapp_client.aclose)
        self.client.__exit__(None, None, None)


def _texts(sent: list[dict]) -> list[str]:
    shown = []
    for body in sent:
        if body["type"] == "text":
            shown.append(body["text"]["body"])
        elif body["type"] == "interactive":
            shown.append(body["interactive"]["body"]["text"])
    return shown


@pytest.fixture
def agenda(db):
    """Tomorrow at 9:00 (Thu, 26 Nov) in the office; a workshop on Saturday with one seat left."""
    add_slot(db, days_ahead(1, 9), address="Via Castiglione 1, Bologna")
    add_workshop(db, days_ahead(3, 9), capacity=12, registered=11)


@contextlib.contextmanager
def telegram_person(db, service, runner):
    with FakeBotApi() as api:
        driver = TelegramPerson(api, service, db, runner)
        yield driver
        driver.close()


@contextlib.contextmanager
def whatsapp_person(db, service, runner):
    with FakeGraphApi(token=WA_TOKEN, phone_id=PHONE_ID) as graph:
        driver = WhatsAppPerson(graph, service, db, runner)
        yield driver
        driver.close()
        assert graph.refused == [], graph.refused  # nothing Meta would refuse


@pytest.fixture(params=["telegram", "whatsapp"])
def person(request, db, service, agenda):
    person = telegram_person if request.param == "telegram" else whatsapp_person
    with asyncio.Runner() as runner, person(db, service, runner) as driver:
        yield driver


def test_register_book_get_a_notice_and_opt_out(person, db):
    scenarios.play(person, scenarios.EVERYTHING, db)


def test_registered_on_telegram_then_linked_from_whatsapp(db, service, agenda):
    """Both adapters at once: the code asked for on Telegram, sent from WhatsApp; the office's
    notice then reaches the person once, on the app they linked last."""
    with (asyncio.Runner() as runner, telegram_person(db, service, runner) as telegram,
          whatsapp_person(db, service, runner) as whatsapp):
        scenarios.play(telegram, scenarios.register() + [Say("/link"), Expect("/link ")], db)
        code = re.search(r"/link (\d{6})", telegram.text).group(1)
        scenarios.play(whatsapp, [
            Say(f"/link {code}"), Expect("Done! This chat is now linked to your registration"),
            Press("My registration"), Expect("Account: Telegram 7001"), Expect(f"Account: WhatsApp {WA_ID}"),
            scenarios.broadcast("The office is closed on 8 December."), Deliver(),
            Expect("The office is closed on 8 December.")], db)
        telegram.deliver()
        assert "8 December" not in telegram.text
        assert len(rows(db, Registration)) == 1


def test_whatsapp_asks_to_confirm_the_number_it_wrote_from(db, service):
    with asyncio.Runner() as runner, whatsapp_person(db, service, runner) as whatsapp:
        scenarios.play(whatsapp, [
            Say("ciao"), Press("English"), Press("Yes, I agree"), Say("maria"), Say("ROSSI"), Say("05/03/1990"),
            Say(TAX_CODE), Say("Bologna"), Expect("You are writing to me from this number: +39 347 123 4567"),
            Press("Yes, this number"), Expect("Thank you: +39 347 123 4567."), Expect("email address")], db)
        assert state_of(db, WA_ID, "whatsapp")["answers"]["phone"] == "+393471234567"

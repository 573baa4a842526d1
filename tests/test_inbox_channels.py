"""The inbox end to end on every channel (#15): "vorrei parlare con un operatore" -> a message ->
in the inbox -> an operator's reply reaches the person (Telegram through the fake Bot API;
WhatsApp through the fake Graph API, as it is inside the 24-hour window and as the notice template
outside it; the web chat's page) -> the person's answer goes back to the same conversation."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from fastapi.testclient import TestClient

from bot.wiring import whatsapp_sender
from conversations.commands import build_engine
from handlers.whatsapp import WhatsAppClient
from services.conversation import ConversationService
from services.outbox_sender import Limits
from tests import scenarios
from tests.conftest import NOW
from tests.fake_graph_api import PHONE_ID, TOKEN as WA_TOKEN, FakeGraphApi, settings_for
from tests.inbox_helpers import conversations, messages, office_rows, reply
from tests.office_support import fast_hashes  # noqa: F401  (fixture)
from tests.outbox_helpers import Clock, PaceTime
from tests.scenarios import Deliver, Expect, Office, Say
from tests.test_scenario_channels import WhatsAppPerson, telegram_person, whatsapp_person

HOUR = dt.timedelta(hours=1)
NOTICE = "avviso_ufficio"


def ask_the_office() -> list:
    return [Say("vorrei parlare con un operatore"), Expect("Write your message for the office"),
            Say("Can I bring my CV to the interview?"), Expect("your message has reached the office")]


def the_office_replies(text: str) -> Office:
    return Office("an operator replies", lambda db: reply(db, conversations(db)[-1].id, text, at=NOW))


@pytest.mark.parametrize("channel", ["telegram", "whatsapp"])
def test_a_question_and_its_answer_on_telegram_and_whatsapp(db, service, channel):
    person = telegram_person if channel == "telegram" else whatsapp_person
    with asyncio.Runner() as runner, person(db, service, runner) as driver:
        scenarios.play(driver, scenarios.register() + ask_the_office() + [
            the_office_replies("Yes, bring it printed."), Deliver(),
            Expect("Message from the Insieme per il lavoro office:"), Expect("Yes, bring it printed."),
            Expect("To answer, just write here."),
            Say("Thank you, see you then!"), Expect("Thank you, I passed your message to the office."),
            Expect("Here is what I can do", absent=True)], db)
    [conversation] = conversations(db)
    assert conversation.channel == channel and conversation.status == "assigned"  # the one who replied has it
    assert messages(db) == [("person", "Can I bring my CV to the interview?"), ("operator", "Yes, bring it printed."),
                            ("person", "Thank you, see you then!")]
    assert [row.status for row in office_rows(db)] == ["sent"]


def test_whatsapp_outside_the_window_gets_the_notice_template_and_the_answer_comes_back(db):
    clock = {"now": NOW}
    service = ConversationService(db, build_engine(), clock=lambda: clock["now"])
    with asyncio.Runner() as runner, FakeGraphApi(token=WA_TOKEN, phone_id=PHONE_ID) as graph:
        graph.templates = {(NOTICE, "it"): 1}
        driver = WhatsAppPerson(graph, service, db, runner)
        try:
            scenarios.play(driver, scenarios.register() + ask_the_office(), db)
            clock["now"] = NOW + 25 * HOUR  # the person wrote 25 hours ago: the window is closed
            reply(db, conversations(db)[0].id, "Yes, bring it printed.", at=clock["now"])

            async def drain() -> None:
                client = WhatsAppClient(settings_for(graph).model_copy(update={"notice_template": NOTICE}))
                pace = PaceTime()
                try:
                    await whatsapp_sender(client, db, Limits(per_second=80, per_chat_per_second=1),
                                          clock=Clock(clock["now"]), timer=pace, sleep=pace.sleep).drain()
                finally:
                    await client.aclose()
            runner.run(drain())
            [template] = graph.templates_sent()
            assert template["name"] == NOTICE
            [param] = [p["text"] for c in template["components"] for p in c["parameters"]]
            assert "Yes, bring it printed." in param and "\n" not in param
            [row] = office_rows(db)
            assert row.status == "sent", row.last_error
            clock["now"] += HOUR  # the person answers the template: the window opens, the answer is the office's
            scenarios.play(driver, [Say("Grazie mille"), Expect("Thank you, I passed your message to the office.")], db)
        finally:
            driver.close()
    assert messages(db)[-1] == ("person", "Grazie mille")


def test_the_web_chat_gets_the_reply_with_its_next_poll(db, fast_hashes):  # noqa: F811
    from tests.test_webchat import Browser, make_app
    with TestClient(make_app(db)) as client:
        browser = Browser(client)
        browser.say("operatore")
        assert "Scrivi qui il tuo messaggio per l'ufficio" in browser.text
        browser.say("Dove si trova l'ufficio?")
        assert "il tuo messaggio è arrivato all'ufficio" in browser.text
        [conversation] = conversations(db)
        assert conversation.channel == "web"
        reply(db, conversation.id, "In via Castiglione 1, Bologna.", at=NOW)
        [shown] = client.get("/chat/messages").json()["messages"]
        assert "Messaggio dall'ufficio di Insieme per il lavoro:" in shown["text"]
        assert "In via Castiglione 1, Bologna." in shown["text"]
        browser.say("Grazie!")
        assert browser.text == "Grazie, ho passato il tuo messaggio all'ufficio."
    assert messages(db)[-1] == ("person", "Grazie!")

"""The inbox end to end on every channel (#15): "vorrei parlare con un operatore" -> a message ->
in the inbox -> an operator's reply reaches the person (Telegram through the fake Bot API;
WhatsApp through the fake Graph API, as it is inside the 24-hour window and as the notice template
outside it; the web chat's page) -> the person's answer goes back to the same conversation.
As people use it, on a slow network that fails now and then: "quando apre l'ufficio?" (the hours),
the office, the operator's reply, the person's answer and their CV (a PDF, fetched again after the
platform refused it once), both in the conversation, the PDF with its document."""
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
from services import demo_info
from services.documents import Documents
from tests import document_samples as samples
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


def with_programme_info(db) -> None:
    from sqlmodel import Session
    with Session(db) as session, session.begin():
        demo_info.load(session, now=NOW)


def in_the_conversation(db) -> list[tuple[str, str, bool]]:
    """(kind, text, has a document) of every message to and from the office."""
    from sqlmodel import Session, select
    from store.models import InboxMessage, PersonDocument
    with Session(db) as session:
        documents = set(session.exec(select(PersonDocument.id)).all())
        return [(m.kind, m.text, m.document_id in documents)
                for m in session.exec(select(InboxMessage).order_by(InboxMessage.id)).all()]


def hours_then_the_office() -> list:
    return [Say("quando apre l'ufficio?"), Expect("Orari e telefono"), Expect("dalle 9:00 alle 13:00")] + \
        ask_the_office() + [the_office_replies("Yes, send it here as a PDF."), Deliver(),
                            Expect("Yes, send it here as a PDF."), Expect("To answer, just write here."),
                            Say("Here it is"), Expect("Thank you, I passed your message to the office.")]


def test_telegram_on_a_slow_network_that_fails_once_in_a_while(db, service, tmp_path):
    from tests.fake_bot_api import BAD_GATEWAY
    from tests.telegram_fakes import message_update
    from tests.test_scenario_channels import USER
    service.documents = Documents(tmp_path / "documents")
    with_programme_info(db)
    with asyncio.Runner() as runner, telegram_person(db, service, runner) as person:
        person.api.latency = 0.05  # every call 50 ms away
        scenarios.play(person, scenarios.register() + hours_then_the_office(), db)
        sent = person.api.add_file(samples.PDF)
        cv = message_update(user_id=USER, document={**sent, "file_name": "CV Maria Rossi.pdf"})
        person.api.refuse(BAD_GATEWAY, method="getFile")  # once: the bot tries again by itself
        person._feed(cv)
        assert person.text == "Thank you: I received CV Maria Rossi.pdf and passed it to the office."
        assert [c.method for c in person.api.calls].count("getFile") == 2
    assert in_the_conversation(db) == [
        ("person", "Can I bring my CV to the interview?", False), ("operator", "Yes, send it here as a PDF.", False),
        ("person", "Here it is", False), ("person", "CV Maria Rossi.pdf", True)]
    assert conversations(db)[0].channel == "telegram"


def test_whatsapp_on_a_slow_network_that_fails_once_in_a_while(db, service, tmp_path, monkeypatch):
    from handlers import whatsapp_outbox
    from tests.fake_graph_api import BAD_GATEWAY, THROUGHPUT, document
    from tests.test_scenario_channels import WA_ID
    monkeypatch.setattr(whatsapp_outbox, "RATE_LIMIT_WAIT", 0.5)
    service.documents = Documents(tmp_path / "documents")
    with_programme_info(db)
    with asyncio.Runner() as runner, whatsapp_person(db, service, runner) as person:
        person.graph.latency = 0.05
        scenarios.play(person, scenarios.register(), db)
        person.graph.refuse(THROUGHPUT, kind="messages", to=WA_ID)  # the hours' answer meets a 429 first
        scenarios.play(person, hours_then_the_office(), db)
        media = person.graph.add_media(samples.PDF, "application/pdf")
        person.graph.refuse(BAD_GATEWAY, kind="media-url", times=3)  # Meta's lookup of the file fails each try
        person.sent = person.chat.send(document(media, "CV Maria Rossi.pdf"))
        assert "I could not receive this file. Please try again in a few minutes." in person.text
        person.graph.refuse(BAD_GATEWAY, kind="media-url")  # once: the bot tries again by itself
        person.sent = person.chat.send(document(media, "CV Maria Rossi.pdf"))
        assert person.text == "Thank you: I received CV Maria Rossi.pdf and passed it to the office."
    assert [(kind, has) for kind, _text, has in in_the_conversation(db)] == [
        ("person", False), ("operator", False), ("person", False), ("person", True)]
    assert conversations(db)[0].channel == "whatsapp"


def test_the_web_chat_a_newcomer_then_someone_who_accepted_the_notice(db, fast_hashes, tmp_path):  # noqa: F811
    """A newcomer's CV is not kept (no privacy notice accepted): they are told to write in words,
    the conversation goes on; once the notice is accepted, the paperclip's PDF lands in it."""
    from bot.app import create_app
    from backoffice.settings import OfficeSettings
    from services.outbox import OutboxService
    from tests.test_webchat import Browser
    from tests.test_webchat_upload import upload as post_file

    def upload(browser, name: str, content: bytes):
        answer = post_file(browser, name, content, client_id=f"f{browser.sent}")
        browser.sent += 1
        browser.replies = answer.json()["messages"] if answer.status_code == 200 else []
        return answer
    service = ConversationService(db, build_engine(), clock=lambda: NOW, documents=Documents(tmp_path / "documents"))
    with_programme_info(db)
    app = create_app(db, clock=lambda: NOW, settings=OfficeSettings(secret_key="k" * 40), announce=lambda _m: None,
                     service=service, outbox=OutboxService(db, clock=lambda: NOW))
    with TestClient(app) as client:
        browser = Browser(client)
        browser.say("quando apre l'ufficio?")
        assert "dalle 9:00 alle 13:00" in browser.text
        browser.say("vorrei parlare con un operatore")
        assert "L'ufficio tiene il tuo messaggio e il contatto di questa chat solo per risponderti" in browser.text
        browser.say("Posso mandarvi il CV?")
        reply(db, conversations(db)[0].id, "Sì, per favore.", at=NOW)
        assert "Sì, per favore." in client.get("/chat/messages").json()["messages"][0]["text"]
        browser.say("Eccolo")
        assert browser.text == "Grazie, ho passato il tuo messaggio all'ufficio."
        assert upload(browser, "cv.pdf", samples.PDF).status_code == 200
        assert "Puoi scrivere il tuo messaggio all'ufficio a parole." in browser.text
        assert "Iscriviti" not in browser.text  # the conversation goes on: no menu

        client.cookies.clear()  # another person, on another phone
        other = Browser(client)
        other.say("ciao")
        other.press("Italiano")
        other.press("Sì, sono d'accordo")
        other.say("/annulla")  # not now: the notice is accepted all the same
        other.say("operatore")
        assert "L'ufficio tiene il tuo messaggio" not in other.text
        assert upload(other, "Il mio CV.pdf", samples.PDF).status_code == 200  # the file is the message
        assert "il tuo messaggio è arrivato all'ufficio" in other.text
    assert in_the_conversation(db)[-1] == ("person", "Il mio CV.pdf", True)
    assert [(kind, has) for kind, _text, has in in_the_conversation(db)[:3]] == [
        ("person", False), ("operator", False), ("person", False)]
    assert len(conversations(db)) == 2

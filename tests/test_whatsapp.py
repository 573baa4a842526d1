"""The WhatsApp channel end to end: signed webhooks into the real ASGI app, replies out to a fake
Graph API on 127.0.0.1 through pywa's async client."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select
from starlette.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings, WhatsAppSettings
from store.models import ChannelIdentity, OutboxMessage, Registration
from handlers.whatsapp import ChannelOff
from handlers.whatsapp_webhook import whatsapp_router
from tests.booking_flow_helpers import add_slot, days_ahead
from tests.conftest import NOW
from tests.fake_graph_api import (PATH, PHONE_ID, TOKEN, VERIFY, FakeGraphApi, WaChat, button_reply, envelope,
                                  list_reply, message_value, settings_for, sign, status_value, text)
from tests.registration_helpers import reach, state_of

WA_ID = "393471234567"


@pytest.fixture
def graph():
    with FakeGraphApi(token=TOKEN, phone_id=PHONE_ID) as api:
        yield api


def _serve(db, service, graph, *, office: bool):
    router = whatsapp_router(service, settings_for(graph), clock=lambda: NOW)
    if office:  # the project's ASGI app, back office and all
        app = create_app(db, routers=[router], clock=lambda: NOW, announce=lambda _message: None)
    else:  # the router alone: faster
        app = FastAPI()
        app.include_router(router)
    with TestClient(app) as test_client:
        yield test_client
        test_client.portal.call(router.whatsapp_client.aclose)


@pytest.fixture
def client(db, service, graph):
    yield from _serve(db, service, graph, office=False)


@pytest.fixture
def office_client(db, service, graph):
    yield from _serve(db, service, graph, office=True)


@pytest.fixture
def wa(client, graph) -> WaChat:
    return WaChat(client, graph, WA_ID)


def test_registration_through_whatsapp(office_client, graph, db):
    wa = WaChat(office_client, graph, WA_ID)
    reach(wa)
    assert graph.refused == [] and graph.errors == []
    with Session(db) as session:
        registration = session.exec(select(Registration)).one()
        identity = session.exec(select(ChannelIdentity)).one()
    assert (registration.first_name, registration.last_name) == ("Maria", "Rossi")
    assert (identity.scheme, identity.external_id) == ("whatsapp", WA_ID)
    assert identity.last_inbound_at.replace(tzinfo=dt.timezone.utc) == NOW  # the 24-hour window
    assert all(m["to"] == WA_ID and m["messaging_product"] == "whatsapp" for m in graph.sent)
    kinds = {m["interactive"]["type"] for m in graph.sent if m["type"] == "interactive"}
    assert kinds == {"button", "list"}
    rows = [[r["id"] for s in m["interactive"]["action"]["sections"] for r in s["rows"]]
            for m in graph.sent if m["type"] == "interactive" and m["interactive"]["type"] == "list"]
    assert any("wa|more|1" in ids for ids in rows)  # the sectors: 9 rows and the next page...
    assert any("1|reg.sectors|__done" in ids for ids in rows)  # ...where "Done" is


def test_booking_an_interview_sends_the_calendar_file_as_a_document(wa, graph, db):
    for hour in (9, 10, 11):
        add_slot(db, days_ahead(2, hour))
    reach(wa)
    wa.say("/menu")
    wa.press("Book an interview")
    wa.press(wa.choices()[0][1].split(". ", 1)[-1])  # the first day
    wa.press(wa.choices()[0][1].split(". ", 1)[-1])  # the first time
    wa.press(wa.choices()[0][1].split(". ", 1)[-1])  # confirm
    documents = [m for m in graph.sent if m["type"] == "document"]
    assert len(documents) == 1 and graph.refused == []
    upload = graph.uploads[documents[0]["document"]["id"]]
    assert upload.filename.endswith(".ics") and upload.content.startswith(b"BEGIN:VCALENDAR")
    # text/calendar is not a type Meta takes: plain text, the name keeping .ics (handlers/whatsapp_files.py)
    assert upload.mime_type == "text/plain" and graph.refused_media == []
    assert documents[0]["document"]["filename"] == upload.filename and "caption" not in documents[0]["document"]


def test_verification_handshake(client):
    ok = client.get(PATH, params={"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"})
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = client.get(PATH, params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"})
    assert wrong.status_code == 403
    mode = client.get(PATH, params={"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"})
    assert mode.status_code == 403


@pytest.mark.parametrize("signature,status", [(None, 401), ("sha256=" + "0" * 64, 403), ("md5=abc", 403),
                                              ("forged", 403)])
def test_forged_or_missing_signature_is_refused(wa, graph, db, signature, status):
    payload = envelope([message_value(WA_ID, text("hello"))])
    if signature == "forged":  # signed with another secret
        signature = sign(json.dumps(payload).encode(), "not-the-secret")
    assert wa.post(payload, signature=signature) == status
    assert graph.sent == []
    with Session(db) as session:
        assert session.exec(select(ChannelIdentity)).all() == []


def test_signature_is_over_the_raw_body(wa, graph):
    """The same JSON with other spacing has another signature: the raw bytes count."""
    body = b'{"object": "whatsapp_business_account", "entry": []}'
    answer = wa.client.post(PATH, content=body.replace(b": ", b":"), headers={"X-Hub-Signature-256": sign(body)})
    assert answer.status_code == 403
    answer = wa.client.post(PATH, content=body, headers={"X-Hub-Signature-256": sign(body)})
    assert answer.status_code == 200


def test_duplicate_delivery_is_handled_once(wa, graph, db):
    wa.say("hello")
    wa.press("English")
    first = envelope([message_value(WA_ID, {**button_reply(wa.choices()[0][0]), "id": "wamid.same"})])
    assert wa.post(first) == 200
    step = state_of(db, WA_ID, "whatsapp")["step"]
    sent = len(graph.sent)
    assert wa.post(first) == 200  # Meta delivers it again
    assert len(graph.sent) == sent and state_of(db, WA_ID, "whatsapp")["step"] == step


def test_duplicate_after_a_restart_is_not_handled_again(db, service, graph):
    """A new router (a restart) finds the ids it saw in the database: a message Meta delivers
    again is neither handled nor answered a second time."""
    payload = envelope([message_value(WA_ID, {**text("hello"), "id": "wamid.once"})])
    answers = []
    for _restart in range(2):
        router = whatsapp_router(service, settings_for(graph), clock=lambda: NOW)
        app = create_app(db, routers=[router], clock=lambda: NOW, announce=lambda _message: None)
        with TestClient(app) as test_client:
            chat = WaChat(test_client, graph, WA_ID)
            assert chat.post(payload) == 200
            answers.append(len(chat.sent))
            test_client.portal.call(router.whatsapp_client.aclose)
    assert answers[0] > 0 and answers[1] == 0
    assert state_of(db, WA_ID, "whatsapp")["step"] == "language"


def test_every_message_of_every_entry_is_handled(wa, graph, db):
    payload = envelope([message_value("391111111", text("hello")), message_value("392222222", text("hello"))])
    payload["entry"].append(envelope([message_value("393333333", text("hello"), text("hi again"))])["entry"][0])
    assert wa.post(payload) == 200
    with Session(db) as session:
        people = sorted(session.exec(select(ChannelIdentity.external_id)).all())
    assert people == ["391111111", "392222222", "393333333"]
    assert {m["to"] for m in graph.sent} == set(people)


def test_unsupported_messages_get_the_question_again(wa, graph):
    wa.say("hello")
    question = wa.choices()
    wa.send({"type": "sticker", "sticker": {"id": "s1", "mime_type": "image/webp"}})
    assert wa.choices() == question


def test_status_webhooks_update_the_outbox_row(wa, graph, db):
    wa.say("hello")
    with Session(db) as session:
        contact_id = session.exec(select(ChannelIdentity.contact_id)).one()
        for key, pmid in (("a", "wamid.out1"), ("b", "wamid.out2")):
            session.add(OutboxMessage(contact_id=contact_id, channel="whatsapp", idempotency_key=key,
                                      status="sent", platform_message_id=pmid, sent_at=NOW))
        session.commit()
    # (131047 queues the row again as a template instead: tests/test_whatsapp_window.py)
    error = [{"code": 131000, "title": "Something went wrong", "message": "Something went wrong"}]
    assert wa.post(envelope([status_value("wamid.out1", "delivered", WA_ID),
                             status_value("wamid.out1", "read", WA_ID),
                             status_value("wamid.out2", "failed", WA_ID, error)])) == 200
    with Session(db) as session:
        rows = {r.idempotency_key: r for r in session.exec(select(OutboxMessage))}
    assert (rows["a"].status, rows["a"].last_error) == ("sent", None)
    assert (rows["b"].status, rows["b"].last_error) == ("failed", "whatsapp 131000: Something went wrong")


def test_a_refused_reply_is_written_on_its_row_and_the_webhook_still_answers(wa, graph, db):
    graph.fail(131026)  # undeliverable: the person cannot be reached on WhatsApp
    assert wa.post(envelope([message_value(WA_ID, text("hello"))])) == 200
    assert graph.errors and graph.sent == []
    with Session(db) as session:
        [row] = session.exec(select(OutboxMessage)).all()
        identity = session.exec(select(ChannelIdentity)).one()
    assert (row.kind, row.status) == ("reply", "failed") and "131026" in row.last_error
    assert identity.unreachable_at is not None


def test_paged_list_next_page(wa, graph):
    """More than 10 choices: 9 rows and a row for the next page, answered by the adapter."""
    from conversations.messages import Button, Outbound
    from handlers.whatsapp_render import render

    reply = Outbound("Pick one", tuple(Button(f"Option {n}", f"1|x.y|{n}") for n in range(1, 24)))
    rows = render(reply)[0].body["action"]["sections"][0]["rows"]
    assert [r["title"] for r in rows][-2:] == ["9. Option 9", "➡️ 10–18"]


def _page(wa) -> tuple[list[str], str]:
    """The titles of the list's rows now on screen, and the button that opens it."""
    [message] = [m for m in wa.sent if m["type"] == "interactive"]
    return [c[1] for c in wa.choices()], message["interactive"]["action"]["button"]


def test_a_choice_ticked_on_the_second_page_comes_back_on_that_page_with_done(wa, db):
    reach(wa, "sectors")  # 10 sectors and "Done": two pages
    titles, button = _page(wa)
    assert button == "Choose" and titles[-2:] == ["11. Done", "➡️ 9–10"]  # chose English on the way
    wa.press("Other")  # on the second page
    titles, _button = _page(wa)
    assert titles == ["9. Office work", "10. ✅ Other", "11. Done", "⬅️ 1–8"]
    wa.press("Cleaning")  # back to the first page to tick another
    titles, _button = _page(wa)
    assert titles[1] == "2. ✅ Cleaning" and titles[-2] == "11. Done"
    wa.press("Done")
    assert state_of(db, WA_ID, "whatsapp")["answers"]["sectors"] == ["cleaning", "other"]


def test_a_number_typed_after_ticking_is_added_and_said(wa, db):
    reach(wa, "sectors")
    wa.press("Cleaning")
    wa.say("5")
    assert wa.sent[0]["text"]["body"] == 'Chosen so far: Cleaning, Care of people. Tap "Done" to go on, or choose more.'
    titles, _button = _page(wa)
    assert {"2. ✅ Cleaning", "5. ✅ Care of people"} <= set(titles)
    wa.say("11")
    assert state_of(db, WA_ID, "whatsapp")["answers"]["sectors"] == ["cleaning", "care"]


def test_a_list_opens_through_a_button_in_the_persons_language(wa):
    reach(wa, "situation")
    assert _page(wa)[1] == "Choose"
    wa.say("/language")
    wa.press("Italiano")
    titles, button = _page(wa)
    assert button == "Scegli" and titles[0] == "1. Cerco lavoro"


def test_the_channel_refuses_to_start_without_an_app_secret(service, graph):
    with pytest.raises(ChannelOff, match="APP_SECRET"):
        whatsapp_router(service, settings_for(graph).model_copy(update={"app_secret": None}))
    with pytest.raises(ChannelOff):
        whatsapp_router(service, WhatsAppSettings(_env_file=None))


def test_settings_from_the_environment(monkeypatch):
    assert not WhatsAppSettings(_env_file=None).enabled  # no settings: the channel is off
    for name, value in {"WHATSAPP_PHONE_NUMBER_ID": "42", "WHATSAPP_ACCESS_TOKEN": "tok",
                        "WHATSAPP_APP_SECRET": "sec", "WHATSAPP_VERIFY_TOKEN": "ver",
                        "WHATSAPP_API_URL": "http://127.0.0.1:9/", "WHATSAPP_API_VERSION": "v22.0"}.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    assert settings.whatsapp.enabled and settings.whatsapp.api_url == "http://127.0.0.1:9"
    assert settings.whatsapp.api_version == "22.0"
    assert {"tok", "sec", "ver"} <= set(settings.secrets())


def test_another_number_is_typed_whatsapp_has_no_share_button(wa, graph, db):
    reach(wa, "phone")
    assert state_of(db, WA_ID, "whatsapp")["step"] == "phone_confirm"  # tests/test_linking.py
    wa.press("Another number")
    assert wa.choices() == []  # no "share my number": the number it would give is the one just refused
    assert [message["text"]["body"] for message in wa.sent] == [
        "What is your phone number? Please type it, for example: 347 123 4567."]
    wa.say("051 123456")
    assert state_of(db, WA_ID, "whatsapp")["answers"]["phone"] == "+39051123456"
    assert state_of(db, WA_ID, "whatsapp")["step"] == "email"


def test_a_voice_note_gets_how_to_answer_and_the_question_again(wa, graph):
    wa.say("hello")
    question = wa.choices()
    wa.send({"type": "audio", "audio": {"id": "a1", "mime_type": "audio/ogg; codecs=opus", "voice": True}})
    sorry, again = wa.sent
    assert sorry["text"]["body"].startswith("Non posso ascoltare i messaggi vocali. Scrivi qui la tua risposta.")  # no language yet: Italian
    assert again["type"] == "interactive" and wa.choices() == question


def test_an_undeliverable_status_marks_the_person_unreachable_on_whatsapp(wa, graph, db):
    wa.say("hello")
    with Session(db) as session:
        contact_id = session.exec(select(ChannelIdentity.contact_id)).one()
        session.add(OutboxMessage(contact_id=contact_id, channel="whatsapp", idempotency_key="a", status="sent",
                                  platform_message_id="wamid.out9", sent_at=NOW))
        session.add(OutboxMessage(contact_id=contact_id, channel="whatsapp", idempotency_key="b", status="pending"))
        session.commit()
    error = [{"code": 131026, "title": "Message Undeliverable"}]
    assert wa.post(envelope([status_value("wamid.out9", "failed", WA_ID, error)])) == 200
    with Session(db) as session:
        identity = session.exec(select(ChannelIdentity)).one()
        statuses = [r.status for r in session.exec(select(OutboxMessage).where(OutboxMessage.kind != "reply")
                                                   .order_by(OutboxMessage.id))]
    assert identity.unreachable_at is not None and statuses == ["failed", "failed"]


def test_a_next_page_after_a_restart_shows_the_next_page(db, service, graph):
    """The list's pages are kept in the database: after a restart "next page" still shows it."""
    for restart in range(2):
        router = whatsapp_router(service, settings_for(graph), clock=lambda: NOW)
        app = FastAPI()
        app.include_router(router)
        with TestClient(app) as test_client:
            wa = WaChat(test_client, graph, WA_ID)
            if restart == 0:
                reach(wa, "sectors")
                first_page = [c[0] for c in wa.choices()]
                assert "wa|more|1" in first_page
            else:
                wa.send(list_reply("wa|more|1", "➡️ 9–10"))
                second_page = [c[0] for c in wa.choices()]
                assert "wa|more|1" not in second_page and "wa|more|0" in second_page
                assert set(second_page) & set(first_page) == {"1|reg.sectors|__done"}  # on every page
                assert "1|reg.sectors|other" in second_page
                assert state_of(db, WA_ID, "whatsapp")["step"] == "sectors"
            test_client.portal.call(router.whatsapp_client.aclose)

"""WhatsApp's replies are outbox rows of their step (handlers/whatsapp_webhook.py): a reply Meta
refuses once still arrives, once; one person's reply held on the network holds up nobody else;
Meta hears 200 once the step is committed; a webhook delivered again sends nothing twice; a
reply never goes as a template. Signed webhooks into the router, a fake Graph API on 127.0.0.1."""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select
from starlette.testclient import TestClient

from bot import wiring
from conversations.messages import Button, Outbound
from handlers import whatsapp_outbox
from handlers.whatsapp import WhatsAppClient
from handlers.whatsapp_outbox import REPLY_NO_TEMPLATE
from handlers.whatsapp_webhook import whatsapp_router
from services import reply_rows
from services.outbox_sender import Limits
from store.models import OutboxMessage
from tests.conftest import NOW
from tests.fake_graph_api import (BAD_GATEWAY, PATH, PHONE_ID, RATE_LIMIT, THROUGHPUT, TOKEN, FakeGraphApi, Hold,
                                  WaChat, envelope, failed_status, list_reply, message_value, settings_for, sign, text)
from tests.outbox_helpers import Clock, PaceTime
from tests.registration_helpers import reach

WA_ID, OTHER = "393471234567", "393479876543"
LANGUAGE_QUESTION = "In che lingua preferisci parlare?"


@pytest.fixture
def graph():
    with FakeGraphApi(token=TOKEN, phone_id=PHONE_ID) as api:
        yield api


@pytest.fixture
def router(service, graph):
    return whatsapp_router(service, settings_for(graph), clock=lambda: NOW)


@pytest.fixture
def client(router):
    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as test_client:
        yield test_client
        test_client.portal.call(router.whatsapp_client.aclose)


def post(client, payload: dict) -> int:
    """One webhook, without waiting for its replies (WaChat waits)."""
    body = json.dumps(payload).encode()
    return client.post(PATH, content=body, headers={"X-Hub-Signature-256": sign(body)}).status_code


def reply_rows_of(db) -> list[OutboxMessage]:
    with Session(db) as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reply")
                                 .order_by(OutboxMessage.id)).all())


def wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.02)


@pytest.mark.parametrize("fault", [BAD_GATEWAY, THROUGHPUT, RATE_LIMIT], ids=["502", "130429", "80007"])
def test_a_reply_refused_once_still_reaches_the_person_once(client, graph, db, fault, monkeypatch):
    monkeypatch.setattr(whatsapp_outbox, "RATE_LIMIT_WAIT", 0.5)  # Meta said nothing of how long: a minute
    graph.refuse(fault, kind="messages", to=WA_ID)
    wa = WaChat(client, graph, WA_ID)
    wa.say("hello")
    assert [LANGUAGE_QUESTION in shown for shown in graph.texts(WA_ID)] == [True]  # once
    assert [call.status for call in graph.calls_to(WA_ID)] == [fault.status, 200]
    [row] = reply_rows_of(db)
    assert (row.status, row.platform_message_id) == ("sent", "wamid.fake1")
    wa.press("English")  # and the conversation goes on
    assert "Before we start" in wa.text or wa.choices()


def test_one_persons_reply_held_on_the_network_holds_up_nobody(client, router, graph, db):
    graph.refuse(Hold(1.5, deliver=True), kind="messages", to=WA_ID)
    started = time.monotonic()
    assert post(client, envelope([message_value(WA_ID, text("hello"))])) == 200
    assert post(client, envelope([message_value(OTHER, text("hello"))])) == 200
    answered = time.monotonic()
    wait_for(lambda: graph.texts(OTHER))
    held = graph.calls_to(WA_ID)
    assert held and held[0].answered_at is None  # still on the network: the other was answered meanwhile
    client.portal.call(router.settle)
    [held] = graph.calls_to(WA_ID)
    [other] = graph.calls_to(OTHER)
    assert other.answered_at < held.answered_at and held.seconds >= 1.5
    assert answered - started < 1.5  # Meta heard 200 once the steps were committed, not once sent
    assert [LANGUAGE_QUESTION in shown for shown in graph.texts(WA_ID)] == [True]
    assert [row.status for row in reply_rows_of(db)] == ["sent", "sent"]


def test_a_webhook_delivered_again_sends_nothing_twice(client, router, graph, db):
    """Again while its reply is still on the network, and again after: one reply; a "next page"
    delivered twice: one page."""
    graph.refuse(Hold(1.0, deliver=True), kind="messages", to=WA_ID)
    payload = envelope([message_value(WA_ID, {**text("hello"), "id": "wamid.twice"})])
    assert post(client, payload) == 200
    assert post(client, payload) == 200
    client.portal.call(router.settle)
    assert post(client, payload) == 200
    client.portal.call(router.settle)
    assert len(graph.sent) == 1 and len(reply_rows_of(db)) == 1
    wa = WaChat(client, graph, WA_ID)
    reach(wa, "sectors")  # a list of 11: two pages
    more = envelope([message_value(WA_ID, {**list_reply("wa|more|1", "➡️ 9–10"), "id": "wamid.more"})])
    assert wa.post(more) == 200
    second_page = [choice[0] for choice in wa.choices()]
    assert wa.post(more) == 200 and wa.sent == []
    assert "1|reg.sectors|other" in second_page and "wa|more|0" in second_page
    [row] = [row for row in reply_rows_of(db) if "page" in row.content]
    assert row.content["page"] == 1 and row.status == "sent"


async def test_a_reply_never_goes_as_a_template(db, graph):
    """A reply whose sender died is sent by another one, even a day later: as it is (the person
    wrote), never as the notice template; Meta refusing it for the window fails the row."""
    from tests.test_whatsapp_window import whatsapp_person

    contact_id = whatsapp_person(db, wrote=NOW)
    with db.begin() as connection:
        reply_rows.store(connection, contact_id=contact_id, channel="whatsapp", external_id=WA_ID,
                         replies=[Outbound("Pick one", (Button("Yes", "1|x|y"), Button("No", "1|x|n")))],
                         update_key="whatsapp:wamid.old", hold=reply_rows.Hold("dead", 0), now=NOW)
    client = WhatsAppClient(settings_for(graph).model_copy(update={"notice_template": "avviso_programma"}))
    graph.fail(131047)  # the window closed
    later, pace = Clock(NOW + dt.timedelta(hours=25)), PaceTime()
    try:
        await wiring.whatsapp_sender(client, db, Limits(per_second=80, per_chat_per_second=1), clock=later,
                                     timer=pace, sleep=pace.sleep).drain()
    finally:
        await client.aclose()
    [row] = reply_rows_of(db)
    assert row.status == "failed" and "131047" in row.last_error and REPLY_NO_TEMPLATE in row.last_error
    assert graph.templates_sent() == [] and [body["type"] for _code, body in graph.errors] == ["interactive"]


def test_a_reply_meta_refuses_late_for_the_window_fails_and_is_not_queued_as_a_template(client, graph, db):
    """Meta accepted the reply, then its "failed" status said 131047: the row fails with Meta's
    reason (a notice would go again as the template, tests/test_whatsapp_window.py)."""
    wa = WaChat(client, graph, WA_ID)
    wa.say("hello")
    [row] = reply_rows_of(db)
    assert wa.post(envelope([failed_status(row.platform_message_id, WA_ID, 131047)])) == 200
    [row] = reply_rows_of(db)
    assert (row.status, "131047" in row.last_error) == ("failed", True) and "template" not in row.content
    assert graph.templates_sent() == []


async def test_after_a_crash_between_commit_and_send_the_reply_arrives_once(db, service, graph):
    """The step committed, its process died before sending (its hold runs out): the outbox's next
    sender delivers the reply; Meta delivering the message again (it never heard 200) adds nothing."""
    from conversations.messages import Inbound, Kind

    inbound = Inbound(channel="whatsapp", external_id=WA_ID, kind=Kind.TEXT, text="hello",
                      update_key="whatsapp:wamid.crash")
    [row] = service.step(inbound, reply_rows.Hold("died", 30))
    assert service.step(inbound, reply_rows.Hold("restarted", 30)) == []  # delivered again: nothing written
    client, pace = WhatsAppClient(settings_for(graph)), PaceTime()
    try:
        sender = wiring.whatsapp_sender(client, db, Limits(per_second=80, per_chat_per_second=1),
                                        clock=Clock(NOW + dt.timedelta(seconds=31)), timer=pace, sleep=pace.sleep)
        assert await sender.drain() == 1
        assert await sender.drain() == 0
    finally:
        await client.aclose()
    assert [LANGUAGE_QUESTION in shown for shown in graph.texts(WA_ID)] == [True]
    assert [r.status for r in reply_rows_of(db)] == ["sent"]

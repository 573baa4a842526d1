"""WhatsApp's 24-hour window through the outbox, against the fake Graph API on 127.0.0.1 with the
real database: a reminder inside the window goes as it is, outside it as the pre-approved
template with its parameters (read back from the fake's recorded request), nothing to a person
who never opted in, and Meta's errors: 131047 at once and late (in a status webhook), 130429,
131056, 131026."""
from __future__ import annotations

import datetime as dt

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from store.models import ChannelIdentity, Consent, Contact, OutboxMessage, aware
from services.outbox_sender import Limits
from handlers.whatsapp import WhatsAppClient, record_status
from handlers.whatsapp_webhook import whatsapp_router
from bot.wiring import whatsapp_sender as sender
from handlers.whatsapp_outbox import (NOT_OPTED_IN, NOTICE_PARAM_MAX, NOTICES_OFF, THROUGHPUT_WAIT, no_template,
                                      parameter)
from tests.booking_flow_helpers import add_workshop, rome
from tests.conftest import NOW
from tests.fake_graph_api import (PHONE_ID, TOKEN, FakeGraphApi, WaChat, envelope, failed_status, settings_for,
                                  status_value)
from tests.outbox_helpers import ICS, NOTICE, Clock, PaceTime, queue
from tests.reminder_helpers import interview, plan, seat

WA_ID = "393471234567"
REMINDER, NOTICE_TEMPLATE = "promemoria_appuntamento", "avviso_programma"
BOOKED = rome(2026, 11, 28, 9, 30)       # the interview
REMINDED = rome(2026, 11, 27, 9, 30)     # its reminder, 24 hours before
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def graph():
    with FakeGraphApi(token=TOKEN, phone_id=PHONE_ID) as api:
        api.templates = {(REMINDER, "it"): 2, (REMINDER, "en"): 2, (NOTICE_TEMPLATE, "it"): 1}
        yield api


def make_client(graph, **templates) -> WhatsAppClient:
    values = {"reminder_template": REMINDER, "reminder_template_language": "it,en",
              "notice_template": NOTICE_TEMPLATE, **templates}
    return WhatsAppClient(settings_for(graph).model_copy(update=values))


@pytest.fixture
async def client(graph):
    client = make_client(graph)
    yield client
    await client.aclose()


def whatsapp_person(db, *, wrote: dt.datetime | None, consent: bool = True, language: str = "en",
                    wa_id: str = WA_ID, **fields) -> int:
    with Session(db) as session:
        contact = Contact(language=language, **fields)
        session.add(contact)
        session.flush()
        session.add(ChannelIdentity(contact_id=contact.id, scheme="whatsapp", external_id=wa_id,
                                    last_inbound_at=wrote))
        if consent:
            session.add(Consent(contact_id=contact.id, notice_version="1", given_at=NOW - 30 * 24 * HOUR))
        session.commit()
        return contact.id


def booked_reminder(db, **person) -> int:
    """A person on WhatsApp with an interview, its reminder queued by the real planner."""
    interview(db, whatsapp_person(db, **person), BOOKED)
    assert plan(db, REMINDED - dt.timedelta(minutes=2)) == 1
    return rows(db)[0].id


async def drain(db, client, clock: Clock, pace: PaceTime | None = None) -> PaceTime:
    pace = pace or PaceTime()
    await sender(client, db, Limits(per_second=80, per_chat_per_second=1), clock=clock, timer=pace,
                 sleep=pace.sleep).drain()
    return pace


def rows(db) -> list[OutboxMessage]:
    with Session(db) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def body_params(template: dict) -> list[str]:
    return [p["text"] for c in template.get("components", []) for p in c["parameters"]]


# -- the window ---------------------------------------------------------------------------------
async def test_a_reminder_inside_the_window_goes_free_form(db, client, graph):
    booked_reminder(db, wrote=REMINDED - 23 * HOUR)
    await drain(db, client, Clock(REMINDED))
    [row] = rows(db)
    assert row.status == "sent" and graph.templates_sent() == []
    [message] = graph.sent
    assert message["type"] == "interactive" and message["to"] == WA_ID
    assert "orientation interview" in message["interactive"]["body"]["text"]
    assert [b["reply"]["title"] for b in message["interactive"]["action"]["buttons"]] == [
        "I'll be there", "Reschedule", "Cancel"]


@pytest.mark.parametrize("language,code", [("en", "en"), ("uk", "it")])
async def test_a_reminder_outside_the_window_goes_as_the_template_with_its_parameters(db, client, graph,
                                                                                      language, code):
    booked_reminder(db, wrote=REMINDED - 25 * HOUR, language=language)
    await drain(db, client, Clock(REMINDED))
    [row] = rows(db)
    assert (row.status, row.last_error) == ("sent", None) and row.platform_message_id.startswith("wamid.")
    [template] = graph.templates_sent(WA_ID)
    assert template["name"] == REMINDER and template["language"] == {"code": code}
    what, when = body_params(template)
    assert "\n" not in what + when
    if language == "en":
        assert (what, when) == ("your orientation interview", "Saturday, 28 November 2026, 09:30")
    assert [m["type"] for m in graph.sent] == ["template"] and graph.refused == []


def test_a_workshop_reminder_carries_its_template_parameters(db):
    seat(db, whatsapp_person(db, wrote=None), add_workshop(db, BOOKED))
    assert plan(db, REMINDED - dt.timedelta(minutes=2)) == 1
    [row] = rows(db)
    assert row.content["template"] == {"params": ["the workshop «Incontro 1 - Il lavoro di cura»",
                                                  "Saturday, 28 November 2026, 09:30-11:30"]}


async def test_a_notice_outside_the_window_goes_as_the_notice_template_on_one_line(db, client, graph):
    whatsapp_person(db, wrote=NOW - 3 * 24 * HOUR, language="en")
    long = "The office moved your workshop.\n\nThe new time:\tMonday " + "very long words " * 80
    queue(db, WA_ID, channel="whatsapp", message=NOTICE.__class__(long, NOTICE.buttons, file=ICS))
    await drain(db, client, Clock())
    [row] = rows(db)
    assert row.status == "sent", row.last_error
    [template] = graph.templates_sent()
    assert template["name"] == NOTICE_TEMPLATE and template["language"] == {"code": "it"}  # en not approved
    [text] = body_params(template)
    assert text.startswith("The office moved your workshop. The new time: Monday very long words")
    assert len(text) <= NOTICE_PARAM_MAX and text.endswith("…") and "  " not in text
    assert [m["type"] for m in graph.sent] == ["template"]  # no buttons, no calendar file


def test_a_parameter_is_one_line_cut_at_a_word():
    assert parameter("a\tb\n\nc      d", 50) == "a b c d"
    assert parameter("one two three four", 12) == "one two…"
    assert parameter(" \n ", 10) == "-"


async def test_without_a_template_for_its_kind_the_row_fails_saying_so(db, graph):
    client = make_client(graph, reminder_template=None)
    try:
        booked_reminder(db, wrote=REMINDED - 30 * HOUR)
        await drain(db, client, Clock(REMINDED))
    finally:
        await client.aclose()
    [row] = rows(db)
    assert (row.status, row.last_error) == ("failed", no_template("reminder")) and graph.sent == []
    assert "WHATSAPP_REMINDER_TEMPLATE" in row.last_error


async def test_a_template_meta_refuses_fails_the_row_once(db, client, graph):
    graph.templates = {(REMINDER, "en"): 3}  # the approved template wants a third parameter
    booked_reminder(db, wrote=REMINDED - 30 * HOUR)
    await drain(db, client, Clock(REMINDED))
    [row] = rows(db)
    assert row.status == "failed" and "132000" in row.last_error and row.attempts == 1


# -- opt-in -------------------------------------------------------------------------------------
@pytest.mark.parametrize("person", [{"wrote": None}, {"wrote": NOW - 48 * HOUR, "consent": False}],
                         ids=["never-wrote-on-whatsapp", "never-accepted-the-privacy-notice"])
async def test_nothing_goes_outside_the_window_to_who_never_opted_in(db, client, graph, person):
    booked_reminder(db, **person)
    await drain(db, client, Clock(REMINDED))
    [row] = rows(db)
    assert (row.status, row.last_error) == ("failed", NOT_OPTED_IN) and graph.sent == [] and graph.errors == []


async def test_after_stop_broadcasts_get_no_template_but_their_own_notices_do(db, client, graph):
    whatsapp_person(db, wrote=NOW - 48 * HOUR, notices_off_at=NOW - 24 * HOUR)
    queue(db, WA_ID, channel="whatsapp", kind="broadcast", key="broadcast:1", message=NOTICE.__class__("News"))
    queue(db, WA_ID, channel="whatsapp", kind="notice", key="promotion:1", due_at=NOW + dt.timedelta(seconds=1))
    for seconds in (2, 10):  # one row of a person at a time
        await drain(db, client, Clock(NOW + dt.timedelta(seconds=seconds)))
    broadcast, promotion = rows(db)
    assert (broadcast.status, broadcast.last_error) == ("failed", NOTICES_OFF)
    assert promotion.status == "sent" and body_params(graph.templates_sent()[0]) == ["A seat is yours"]


# -- 131047: the window closed though our clock said open --------------------------------------
async def test_131047_at_once_sends_the_template_instead_of_the_whole_message(db, client, graph):
    whatsapp_person(db, wrote=NOW - 23 * HOUR)
    queue(db, WA_ID, channel="whatsapp", message=NOTICE.__class__(NOTICE.text, NOTICE.buttons, file=ICS))
    graph.fail(131047, only="interactive")
    await drain(db, client, Clock())
    [row] = rows(db)
    assert row.status == "sent", row.last_error
    assert [code for code, _body in graph.errors] == [131047]
    assert [m["type"] for m in graph.sent] == ["template"]  # not the calendar file after it
    assert row.platform_message_id == "wamid.fake1"


async def test_131047_at_once_without_a_template_fails_with_both_reasons(db, graph):
    client = make_client(graph, notice_template=None)
    try:
        whatsapp_person(db, wrote=NOW - 23 * HOUR)
        queue(db, WA_ID, channel="whatsapp")
        graph.fail(131047)
        await drain(db, client, Clock())
    finally:
        await client.aclose()
    [row] = rows(db)
    assert row.status == "failed" and "131047" in row.last_error and no_template("notice") in row.last_error


async def test_131047_late_queues_the_row_again_as_a_template_once(db, client, graph):
    row_id = booked_reminder(db, wrote=REMINDED - 23 * HOUR)
    await drain(db, client, Clock(REMINDED))
    [free_form] = graph.sent
    first_id = rows(db)[0].platform_message_id
    late = REMINDED + dt.timedelta(minutes=1)
    status = failed_status(first_id, WA_ID, 131047)["statuses"][0]
    record_status(db, status, late)
    record_status(db, status, late)  # Meta delivered the webhook twice: still one template
    [row] = rows(db)
    assert (row.status, aware(row.due_at), row.platform_message_id) == ("pending", late, None)
    assert "131047" in row.last_error
    await drain(db, client, Clock(late))
    [row] = rows(db)
    assert row.id == row_id and row.status == "sent"
    [template] = graph.templates_sent()
    assert template["name"] == REMINDER and len(graph.sent) == 2
    # the template refused late as well: the row fails, it is not queued a third time
    record_status(db, failed_status(row.platform_message_id, WA_ID, 131047)["statuses"][0], late + HOUR)
    await drain(db, client, Clock(late + 2 * HOUR))
    [row] = rows(db)
    assert row.status == "failed" and "131047" in row.last_error and len(graph.sent) == 2


def test_131047_late_through_the_webhook(db, service, graph):
    whatsapp_person(db, wrote=NOW - 23 * HOUR)
    with Session(db) as session:
        contact_id = session.exec(select(ChannelIdentity.contact_id)).one()
        session.add(OutboxMessage(contact_id=contact_id, channel="whatsapp", idempotency_key="r", kind="reminder",
                                  content={"text": "Reminder"}, status="sent", platform_message_id="wamid.out7",
                                  sent_at=NOW))
        session.commit()
    router = whatsapp_router(service, settings_for(graph), clock=lambda: NOW)
    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as http:
        chat = WaChat(http, graph, WA_ID)
        assert chat.post(envelope([status_value("wamid.out7", "delivered", WA_ID),
                                   failed_status("wamid.out7", WA_ID, 131047)])) == 200
        http.portal.call(router.whatsapp_client.aclose)
    [row] = rows(db)
    assert row.status == "pending" and row.content["template"] == {"via": True}


# -- throughput, pair rate, undeliverable -------------------------------------------------------
async def test_130429_waits_and_sends_again_without_counting_an_attempt(db, client, graph):
    whatsapp_person(db, wrote=NOW - HOUR)
    queue(db, WA_ID, channel="whatsapp")
    graph.fail(130429, times=2)
    pace = await drain(db, client, Clock())
    [row] = rows(db)
    assert (row.status, row.attempts) == ("sent", 1)
    assert [code for code, _body in graph.errors] == [130429, 130429] and len(graph.sent) == 1
    assert pace.now - PaceTime().now >= 2 * THROUGHPUT_WAIT  # paused each time


async def test_131056_is_tried_again_after_a_wait(db, client, graph):
    whatsapp_person(db, wrote=NOW - HOUR)
    queue(db, WA_ID, channel="whatsapp")
    graph.fail(131056)
    clock = Clock()
    await drain(db, client, clock)
    [row] = rows(db)
    assert (row.status, row.attempts) == ("pending", 1) and "131056" in row.last_error
    assert aware(row.due_at) == NOW + dt.timedelta(seconds=30) and graph.sent == []
    clock.now += dt.timedelta(seconds=31)
    await drain(db, client, clock)
    [row] = rows(db)
    assert row.status == "sent" and len(graph.sent) == 1


async def test_undeliverable_marks_the_whatsapp_identity_unreachable(db, client, graph):
    whatsapp_person(db, wrote=NOW - 30 * HOUR)
    queue(db, WA_ID, channel="whatsapp", key="a")
    queue(db, WA_ID, channel="whatsapp", key="b", due_at=NOW + dt.timedelta(seconds=5))
    graph.fail(131026)
    await drain(db, client, Clock(NOW + dt.timedelta(seconds=10)))
    assert [(r.status, r.last_error.startswith("blocked: whatsapp 131026")) for r in rows(db)] == [
        ("failed", True), ("failed", True)]
    with Session(db) as session:
        identity = session.exec(select(ChannelIdentity)).one()
    assert identity.unreachable_at is not None and graph.sent == []

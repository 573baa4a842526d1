"""Calendar files on WhatsApp (handlers/whatsapp_files.py) against the fake Graph API, which
refuses the media types Meta refuses: a document Meta takes, the signed link an iPhone can add,
a message whose file failed counting as delivered (the waiting-list promotion), and Meta's
account rate limit (80007) waited out rather than taken for a refusal."""
from __future__ import annotations

import datetime as dt
import logging
import secrets

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import Session
from starlette.testclient import TestClient

from conversations.messages import Attachment, Outbound
from handlers import whatsapp_files
from bot.app import create_app
from handlers.whatsapp import WhatsAppClient
from handlers.whatsapp_webhook import whatsapp_router
from handlers.whatsapp_outbox import RATE_LIMIT_WAIT, regain_access
from services import repository, workshops
from tests.booking_flow_helpers import add_workshop, days_ahead
from tests.conftest import NOW
from tests.fake_graph_api import (BAD_GATEWAY, PHONE_ID, RATE_LIMIT, TOKEN, Answer, FakeGraphApi, media_type_error,
                                  settings_for)
from tests.outbox_helpers import ICS, Clock
from tests.test_whatsapp_outbox import drain, rows, wrote

WA_ID = "393471234567"
PUBLIC = "https://bot.example.it"
REFUSED = Answer(400, media_type_error("text/plain"))  # Meta refusing the file, whatever its reason


@pytest.fixture
def graph():
    with FakeGraphApi(token=TOKEN, phone_id=PHONE_ID) as api:
        yield api


@pytest.fixture
async def client(graph):
    client = WhatsAppClient(settings_for(graph))
    yield client
    await client.aclose()


def test_the_upload_type_is_one_meta_takes():
    assert whatsapp_files.upload_type(ICS) == "text/plain"
    assert whatsapp_files.upload_type(Attachment("a.ics", b"x", "text/calendar; charset=utf-8")) == "text/plain"
    assert whatsapp_files.upload_type(Attachment("a.pdf", b"%PDF", "application/pdf")) == "application/pdf"


async def test_a_reply_s_calendar_file_goes_as_a_document_meta_takes(client, graph):
    await client.send_reply(WA_ID, Outbound("Booked", file=ICS))
    assert [m["type"] for m in graph.sent] == ["text", "document"] and graph.refused_media == []
    document = graph.sent[1]["document"]
    upload = graph.uploads[document["id"]]
    assert (upload.mime_type, upload.filename, upload.content) == ("text/plain", "invito.ics", ICS.content)
    assert document["filename"] == "invito.ics" and "caption" not in document  # no public address: no link


def test_the_link_in_the_caption_gives_the_calendar_file(db, service, graph):
    """The link is served by the project's ASGI app, where the WhatsApp router is mounted."""
    router = whatsapp_router(service, settings_for(graph).model_copy(update={"public_url": PUBLIC}),
                             clock=lambda: NOW)
    linking = router.whatsapp_client
    app = create_app(db, routers=[router], clock=lambda: NOW, announce=lambda _message: None)
    with TestClient(app) as web:
        web.portal.call(linking.send_reply, WA_ID, Outbound("Booked", file=ICS))
        caption = graph.sent[1]["document"]["caption"]
        assert caption.startswith("📅 " + PUBLIC + whatsapp_files.LINK_PATH + "/")
        path = caption.split(PUBLIC, 1)[1]
        first = web.get(path, follow_redirects=False)
        assert first.status_code == 303  # by a redirect, iOS adds the event instead of offering to subscribe
        assert first.headers["location"] == f"{PUBLIC}{path}/invito.ics"
        got = web.get(first.headers["location"].split(PUBLIC, 1)[1])
        assert got.status_code == 200 and got.content == ICS.content
        assert got.headers["content-type"].startswith("text/calendar")
        assert 'filename="invito.ics"' in got.headers["content-disposition"]
        token = path.rsplit("/", 1)[1]
        forged = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
        assert web.get(f"{whatsapp_files.LINK_PATH}/{forged}", follow_redirects=False).status_code == 404
        assert web.get(f"{whatsapp_files.LINK_PATH}/nothing", follow_redirects=False).status_code == 404
        web.portal.call(linking.aclose)
    # expired after LINK_DAYS; signed with another app secret: nothing
    assert whatsapp_files.opened(linking.settings, token) == Attachment("invito.ics", ICS.content, "text/calendar")
    later = dt.datetime.now().timestamp() + (whatsapp_files.LINK_DAYS + 1) * 86400
    assert whatsapp_files.opened(linking.settings, token, now=later) is None
    other = linking.settings.model_copy(update={"app_secret": SecretStr("another-secret")})
    assert whatsapp_files.opened(other, token) is None


async def test_a_file_too_big_for_a_caption_goes_without_its_link(graph):
    """Meta refuses a caption over 1,024 characters (the fake too): a long description, no link."""
    big = Attachment("laboratorio.ics", b"BEGIN:VCALENDAR\r\nDESCRIPTION:" + secrets.token_hex(600).encode()
                     + b"\r\nEND:VCALENDAR\r\n", "text/calendar")
    client = WhatsAppClient(settings_for(graph).model_copy(update={"public_url": PUBLIC}))
    await client.send_reply(WA_ID, Outbound("Signed up", file=big))
    await client.send_reply(WA_ID, Outbound("Signed up", file=ICS))
    await client.aclose()
    assert graph.refused == [] and [m["type"] for m in graph.sent] == ["text", "document"] * 2
    assert "caption" not in graph.sent[1]["document"] and "caption" in graph.sent[3]["document"]


async def test_a_reply_whose_file_fails_still_goes_and_so_do_the_next(client, graph, caplog):
    graph.refuse(REFUSED, kind="media")
    with caplog.at_level(logging.ERROR):
        await client.send_reply(WA_ID, Outbound("Booked", file=ICS))
        await client.send_reply(WA_ID, Outbound("What next?"))
    assert graph.texts(WA_ID) == ["Booked", "What next?"] and graph.uploads == {}
    assert "its file invito.ics did not" in caplog.text


def promote(db) -> None:
    """The real waiting-list promotion: a person on WhatsApp waits for the only seat, whose holder
    gives it up; services.workshops queues the notice (text, button and .ics)."""
    workshop = add_workshop(db, days_ahead(3, 15), capacity=1)
    with db.begin() as connection:
        holder = repository.load_contact(connection, "console", "holder")[0]
        waiting = repository.load_contact(connection, "whatsapp", WA_ID)[0]
    wrote(db, WA_ID, NOW - dt.timedelta(hours=1))  # inside the 24-hour window
    cutoff = dt.timedelta(0)
    with Session(db) as session:
        seat = workshops.sign_up(session, contact_id=holder, workshop_session_id=workshop, now=NOW, cutoff=cutoff)
        workshops.sign_up(session, contact_id=waiting, workshop_session_id=workshop, now=NOW, cutoff=cutoff,
                          waitlist=True)
        session.commit()
        assert workshops.cancel(session, contact_id=holder, registration_id=seat.id, now=NOW) is not None
        session.commit()


@pytest.mark.parametrize("fault,tries", [(None, 1), (REFUSED, 1), (BAD_GATEWAY, whatsapp_files.FILE_TRIES)])
async def test_a_promotion_counts_as_delivered_when_its_text_is(db, client, graph, caplog, fault, tries):
    promote(db)
    if fault is not None:
        graph.refuse(fault, kind="media", times=None)
    with caplog.at_level(logging.WARNING):
        await drain(db, client)
    [row] = [r for r in rows(db) if r.channel == "whatsapp"]
    assert row.idempotency_key.startswith("promotion:") and row.status == "sent", row.last_error
    assert graph.texts(WA_ID)[0].startswith("Buone notizie: si è liberato un posto")  # Italian: the first language
    assert len(graph.calls_to(None, "media")) == tries  # a refusal is final, a 502 is tried again
    documents = [m for m in graph.sent if m["type"] == "document"]
    if fault is None:
        assert len(documents) == 1 and row.last_error is None
    else:
        assert documents == [] and "its file laboratorio.ics did not" in caplog.text


async def test_the_account_rate_limit_is_waited_out_not_a_refusal(db, client, graph):
    """80007 answers 429: the channel waits (no X-Business-Use-Case-Usage: RATE_LIMIT_WAIT) and
    the same message goes again, not counted as an attempt."""
    from tests.outbox_helpers import PaceTime, queue
    from bot.wiring import whatsapp_sender
    from services.outbox_sender import Limits

    queue(db, WA_ID, channel="whatsapp")
    wrote(db, WA_ID, NOW)
    graph.refuse(RATE_LIMIT, kind="messages", times=2)
    pace = PaceTime()
    sender = whatsapp_sender(client, db, Limits(per_second=80, per_chat_per_second=1), clock=Clock(),
                             timer=pace, sleep=pace.sleep)
    await sender.drain()
    [row] = rows(db)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)  # one attempt: the one that went
    assert len(graph.calls_to(WA_ID)) == 3 and len(graph.texts(WA_ID)) == 1
    assert sum(pace.slept) >= 2 * RATE_LIMIT_WAIT


def test_the_wait_meta_gives_for_its_rate_limit():
    usage = '{"102": [{"type": "whatsapp", "call_count": 100, "estimated_time_to_regain_access": 7}]}'
    assert regain_access(httpx.Response(429, headers={"X-Business-Use-Case-Usage": usage})) == 420
    for headers in ({}, {"X-Business-Use-Case-Usage": "not json"},
                    {"X-Business-Use-Case-Usage": '{"102": [{"estimated_time_to_regain_access": 0}]}'}):
        assert regain_access(httpx.Response(429, headers=headers)) is None
    assert regain_access(None) is None

"""The outbox over WhatsApp: the generic sender with the WhatsApp transport, against the fake
Graph API on 127.0.0.1: inside the 24-hour window it sends, outside it refuses a person who never
opted in, Meta's errors. Templates outside the window: tests/test_whatsapp_window.py."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from store.models import ChannelIdentity, OutboxMessage
from services.outbox_sender import Limits
from handlers.whatsapp import WhatsAppClient
from bot.wiring import whatsapp_sender as sender
from handlers.whatsapp_outbox import NOT_OPTED_IN
from tests.conftest import NOW
from tests.fake_graph_api import PHONE_ID, TOKEN, FakeGraphApi, settings_for
from tests.outbox_helpers import ICS, NOTICE, Clock, PaceTime, queue

WA_ID = "393471234567"


@pytest.fixture
def graph():
    with FakeGraphApi(token=TOKEN, phone_id=PHONE_ID) as api:
        yield api


@pytest.fixture
async def client(graph):
    client = WhatsAppClient(settings_for(graph))
    yield client
    await client.aclose()


def wrote(db, external_id: str, at: dt.datetime | None) -> None:
    with db.begin() as connection:
        connection.execute(update(ChannelIdentity).where(ChannelIdentity.scheme == "whatsapp",
                                                         ChannelIdentity.external_id == external_id)
                           .values(last_inbound_at=at))


async def drain(db, client, clock: Clock | None = None) -> None:
    pace = PaceTime()
    await sender(client, db, Limits(per_second=80, per_chat_per_second=1), clock=clock or Clock(),
                 timer=pace, sleep=pace.sleep).drain()


def rows(db) -> list[OutboxMessage]:
    with Session(db) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_inside_the_window_the_message_and_its_file_go_out(db, client, graph):
    queue(db, WA_ID, channel="whatsapp", message=NOTICE.__class__(NOTICE.text, NOTICE.buttons, file=ICS))
    wrote(db, WA_ID, NOW - dt.timedelta(hours=23))
    await drain(db, client)
    [row] = rows(db)
    assert row.status == "sent" and row.platform_message_id.startswith("wamid.")
    assert [m["type"] for m in graph.sent] == ["interactive", "document"]
    assert graph.sent[0]["interactive"]["action"]["buttons"][0]["reply"]["title"] == "Give the seat back"


@pytest.mark.parametrize("last", [None, NOW - dt.timedelta(hours=24, seconds=1)])
async def test_outside_the_window_nothing_is_sent_to_who_never_opted_in(db, client, graph, last):
    queue(db, WA_ID, channel="whatsapp")
    wrote(db, WA_ID, last)
    await drain(db, client)
    [row] = rows(db)
    assert (row.status, row.last_error) == ("failed", NOT_OPTED_IN) and graph.sent == []


@pytest.mark.parametrize("code,status,reachable", [(131026, "failed", False), (131047, "failed", True),
                                                   (131056, "pending", True), (130429, "sent", True)])
async def test_meta_errors(db, client, graph, code, status, reachable):
    queue(db, WA_ID, channel="whatsapp")
    wrote(db, WA_ID, NOW)
    graph.fail(code)
    await drain(db, client)
    [row] = rows(db)
    assert row.status == status, row.last_error
    if status != "sent":
        assert str(code) in row.last_error
    with Session(db) as session:
        identity = session.exec(select(ChannelIdentity)).one()
    assert (identity.unreachable_at is None) == reachable


def test_limits_come_from_the_settings(monkeypatch):
    from bot.settings import Settings
    from bot.wiring import whatsapp_limits as limits

    monkeypatch.setenv("WHATSAPP_PER_SECOND", "40")
    made = limits(Settings(_env_file=None))
    assert made.per_second == 40 and made.per_chat_per_second == pytest.approx(1 / 6)

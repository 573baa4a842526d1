"""What a channel adapter remembers between messages lives in the database (services.channel_state):
message ids taken once across restarts and processes, a taken one whose handler died taken again
later, the long list's pages kept per chat and forgotten at erasure; the window noted by the
conversation service's own transaction."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from conversations.commands import build_engine
from conversations.messages import Button, Inbound, Kind, Outbound
from services import channel_state
from services.conversation import ConversationService
from store.models import ChannelIdentity, ChannelListPage
from tests.conftest import NOW

pytestmark = pytest.mark.both_databases


def test_a_message_id_is_taken_once_and_again_only_if_its_handler_died(db):
    assert channel_state.take(db, "whatsapp:wamid.1", NOW)
    assert not channel_state.take(db, "whatsapp:wamid.1", NOW)  # being answered
    later = NOW + channel_state.ANSWERING + dt.timedelta(seconds=1)
    assert channel_state.take(db, "whatsapp:wamid.1", later)  # taken, never answered: the process died
    channel_state.answered(db, "whatsapp:wamid.1", later)
    assert not channel_state.take(db, "whatsapp:wamid.1", later + dt.timedelta(days=1))
    assert channel_state.take(db, "whatsapp:wamid.2", NOW)


def test_the_last_long_list_is_kept_per_chat_and_its_page_notes_the_window(db):
    service = ConversationService(db, build_engine(), clock=lambda: NOW)
    service.handle(Inbound(channel="whatsapp", external_id="3901", kind=Kind.TEXT, text="hello",
                           update_key="whatsapp:wamid.hello"))
    first = Outbound("Pick one", tuple(Button(f"choice {n}", f"1|x|{n}") for n in range(12)))
    second = Outbound("Pick another", tuple(Button(f"other {n}", f"1|y|{n}") for n in range(11)))
    channel_state.keep_page(db, channel="whatsapp", external_id="3901", reply=first, now=NOW)
    channel_state.keep_page(db, channel="whatsapp", external_id="3901", reply=second, now=NOW)
    later = NOW + dt.timedelta(hours=30)
    assert channel_state.page_of(db, channel="whatsapp", external_id="3901", now=later) == second
    assert channel_state.page_of(db, channel="whatsapp", external_id="3902", now=later) is None
    with db.connect() as connection:
        wrote = connection.execute(select(ChannelIdentity.last_inbound_at)).scalar()
    assert wrote.replace(tzinfo=dt.timezone.utc) == later


def test_the_conversation_service_notes_the_window_of_whatsapp_only(db):
    service = ConversationService(db, build_engine(), clock=lambda: NOW)
    for channel in ("whatsapp", "telegram"):
        service.handle(Inbound(channel=channel, external_id="3901", kind=Kind.TEXT, text="hello",
                               update_key=f"{channel}:1"))
    with db.connect() as connection:
        noted = dict(connection.execute(select(ChannelIdentity.scheme, ChannelIdentity.last_inbound_at)).all())
    assert noted["whatsapp"].replace(tzinfo=dt.timezone.utc) == NOW and noted["telegram"] is None


def test_erasure_forgets_the_chat_s_list(db):
    from services.repository import SqlStore

    service = ConversationService(db, build_engine(), clock=lambda: NOW)
    service.handle(Inbound(channel="whatsapp", external_id="3901", kind=Kind.TEXT, text="hello", update_key="k1"))
    channel_state.keep_page(db, channel="whatsapp", external_id="3901",
                            reply=Outbound("Pick", tuple(Button(str(n), f"1|x|{n}") for n in range(11))), now=NOW)
    with db.begin() as connection:
        contact_id = connection.execute(select(ChannelIdentity.contact_id)).scalar()
        SqlStore(connection, contact_id, NOW).erase_personal_data()
    with db.connect() as connection:
        assert connection.execute(select(ChannelListPage)).all() == []

"""What a channel adapter remembers between messages lives in the database (services.channel_state):
the long list's pages kept per chat, its "next page" a reply row written once, the lists forgotten
at erasure; the window noted by the conversation service's own transaction."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from conversations.commands import build_engine
from conversations.messages import Button, Inbound, Kind, Outbound
from services import channel_state
from services.conversation import ConversationService
from services.outbox_rows import PAGE
from services.reply_rows import Hold
from store.models import ChannelIdentity, ChannelListPage, OutboxMessage, ProcessedUpdate
from tests.conftest import NOW

pytestmark = pytest.mark.both_databases


def test_the_last_long_list_is_kept_per_chat_and_its_next_page_is_a_reply_row_written_once(db):
    """A "next page" press is a step of its own: the page asked for as a reply row (its PAGE),
    the update's key and the person's window in one transaction; the same press again writes
    nothing; with no list kept, nothing is written (the conversation answers it)."""
    service = ConversationService(db, build_engine(), clock=lambda: NOW)
    service.handle(Inbound(channel="whatsapp", external_id="3901", kind=Kind.TEXT, text="hello",
                           update_key="whatsapp:wamid.hello"))
    first = Outbound("Pick one", tuple(Button(f"choice {n}", f"1|x|{n}") for n in range(12)))
    second = Outbound("Pick another", tuple(Button(f"other {n}", f"1|y|{n}") for n in range(11)))
    channel_state.keep_page(db, channel="whatsapp", external_id="3901", reply=first, now=NOW)
    channel_state.keep_page(db, channel="whatsapp", external_id="3901", reply=second, now=NOW)
    assert channel_state.page_of(db, channel="whatsapp", external_id="3901") == second
    later, hold = NOW + dt.timedelta(hours=30), Hold("here", 30)

    def press(external_id: str, key: str):
        return channel_state.next_page(db, Inbound(channel="whatsapp", external_id=external_id, kind=Kind.BUTTON,
                                                   payload="wa|more|1", update_key=key), 1, hold, later)
    [row] = press("3901", "whatsapp:wamid.more")
    assert (row.message, row.page, row.kind) == (second, 1, "reply")
    assert press("3901", "whatsapp:wamid.more") == []  # Meta delivered it again
    assert press("3902", "whatsapp:wamid.other") is None  # no list: nothing written, not even the key
    with db.connect() as connection:
        wrote = connection.execute(select(ChannelIdentity.last_inbound_at)).scalar()
        [(content, claimed_by)] = connection.execute(select(OutboxMessage.content, OutboxMessage.claimed_by)
                                                     .where(OutboxMessage.kind == "reply")).all()
        keys = set(connection.execute(select(ProcessedUpdate.key)).scalars())
    assert wrote.replace(tzinfo=dt.timezone.utc) == later
    assert (content[PAGE], content["to"], claimed_by) == (1, "3901", "here")
    assert "whatsapp:wamid.more" in keys and "whatsapp:wamid.other" not in keys


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


def test_whatsapp_message_ids_are_kept_as_long_as_meta_may_deliver_them_again(db):
    """The step's update key is WhatsApp's one duplicate check: kept 7 days (Meta retries an
    unanswered webhook that long), other channels' 2."""
    from sqlalchemy import insert

    service = ConversationService(db, build_engine(), clock=lambda: NOW)
    ages = {"whatsapp:wamid.3d": 3, "whatsapp:wamid.8d": 8, "telegram:3d": 3, "telegram:1d": 1}
    with db.begin() as connection:
        connection.execute(insert(ProcessedUpdate.__table__), [
            {"key": key, "processed_at": NOW - dt.timedelta(days=days)} for key, days in ages.items()])
    service._handled = 999  # the next step prunes (every 1000th)
    service._prune_now_and_then()
    with db.connect() as connection:
        kept = set(connection.execute(select(ProcessedUpdate.key)).scalars())
    assert kept == {"whatsapp:wamid.3d", "telegram:1d"}


def test_a_next_page_waits_for_the_person_s_other_step_on_postgresql(pg_url):
    """Across processes, one message of a person at a time: a "next page" press takes the
    person's row lock as every step does (services.repository), so its reply row is never
    written in the middle of another step of theirs."""
    import threading

    from sqlalchemy import text

    from store.engine import make_engine
    db = make_engine(pg_url)
    service = ConversationService(db, build_engine(), clock=lambda: NOW)
    service.handle(Inbound(channel="whatsapp", external_id="3901", kind=Kind.TEXT, text="hello"))
    long_list = Outbound("Pick one", tuple(Button(f"choice {n}", f"1|x|{n}") for n in range(12)))
    channel_state.keep_page(db, channel="whatsapp", external_id="3901", reply=long_list, now=NOW)
    done = threading.Event()

    def press():
        channel_state.next_page(db, Inbound(channel="whatsapp", external_id="3901", kind=Kind.BUTTON,
                                            payload="wa|more|1", update_key="whatsapp:wamid.more"), 1,
                                Hold("here", 30), NOW)
        done.set()
    with db.begin() as other_step:  # another process's step holds the person
        other_step.execute(text("SELECT id FROM contact FOR NO KEY UPDATE"))
        pressing = threading.Thread(target=press)
        pressing.start()
        assert not done.wait(0.5)
    pressing.join(5)
    assert done.is_set()
    db.dispose()

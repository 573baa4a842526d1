"""What a channel adapter remembers between messages, in the database so that a restart (or
another process) keeps it: the long list last sent to a chat, for its "next page" row
(handlers/whatsapp_webhook.py).

A message the platform delivers again is handled once by the update key of the conversation
service's step (services.conversation), the one check: its replies are outbox rows of that
step already (services.reply_rows). A "next page" press is such a step too (``next_page``)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, delete, exists, select, update

from conversations.messages import Inbound, Outbound

from store.hot_path import HotPath
from store.models import ChannelIdentity, ChannelListPage, Contact

from services import reply_rows
from services.outbox_rows import Pending, dialect_of, from_content, to_content
from services.reply_rows import Hold

_page, _identity = ChannelListPage.__table__, ChannelIdentity.__table__
_contact = Contact.__table__


def next_page(db_engine: Engine, inbound: Inbound, page: int, hold: Hold, now: dt.datetime) -> list[Pending] | None:
    """A "next page" press: page ``page`` of the long list last sent to the chat, as a reply row
    held by ``hold`` (services.reply_rows, its PAGE), written in one transaction with the
    update's key and the person's window (they wrote: it starts again, as services.conversation
    notes for every other message). [] for an update handled before; None, with nothing
    written, when there is no list (never one, or erased): the conversation answers that."""
    with db_engine.begin() as connection:
        found = connection.execute(select(_page.c.content, _identity.c.contact_id).join(
            _identity, (_identity.c.scheme == _page.c.scheme) & (_identity.c.external_id == _page.c.external_id))
            .join(_contact, _contact.c.id == _identity.c.contact_id)
            .where(_page.c.scheme == inbound.channel, _page.c.external_id == inbound.external_id)
            # the person's row, as every step locks it (services.repository): one of their messages
            # at a time across processes, so the page's reply row never lands between another step's
            .with_for_update(of=_contact, key_share=True)).first()
        if found is None:
            return None
        if inbound.update_key and not HotPath(db_engine.dialect.name).mark_processed(connection, inbound.update_key, now):
            return []
        _note_window(connection, inbound.channel, inbound.external_id, now)
        return reply_rows.store(connection, contact_id=found.contact_id, channel=inbound.channel,
                                external_id=inbound.external_id, replies=[from_content(found.content)],
                                update_key=inbound.update_key, hold=hold, now=now, pages=lambda _reply: page)


def keep_page(db_engine: Engine, *, channel: str, external_id: str, reply: Outbound, now: dt.datetime) -> None:
    """``reply`` is the long list now on the chat's screen: its later pages come from here."""
    values = {"content": to_content(reply), "sent_at": now}
    with db_engine.begin() as connection:
        connection.execute(
            dialect_of(db_engine).insert(_page).values(scheme=channel, external_id=external_id, **values)
            .on_conflict_do_update(index_elements=["scheme", "external_id"], set_=values))


def page_of(db_engine: Engine, *, channel: str, external_id: str) -> Outbound | None:
    """The long list last sent to the chat, or None (never one, or erased)."""
    with db_engine.connect() as connection:
        content = connection.execute(select(_page.c.content).where(
            _page.c.scheme == channel, _page.c.external_id == external_id)).scalar()
    return from_content(content) if content is not None else None


def _note_window(connection: Connection, channel: str, external_id: str, now: dt.datetime) -> None:
    connection.execute(update(_identity).where(_identity.c.scheme == channel, _identity.c.external_id == external_id)
                       .values(last_inbound_at=now))


def language_of(db_engine: Engine, *, channel: str, external_id: str) -> str | None:
    """The language the person chats in (None for someone unknown: the default's)."""
    with db_engine.connect() as connection:
        return connection.execute(select(_contact.c.language).join(
            _identity, _identity.c.contact_id == _contact.c.id).where(
            _identity.c.scheme == channel, _identity.c.external_id == external_id)).scalar()


def forget_pages(connection, contact_id: int) -> None:
    """Erasure, in its transaction (before the identities go): the lists last sent to the
    person's chats go too."""
    connection.execute(delete(_page).where(exists().where(
        _identity.c.contact_id == contact_id, _identity.c.scheme == _page.c.scheme,
        _identity.c.external_id == _page.c.external_id)))

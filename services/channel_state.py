"""What a channel adapter remembers between messages, in the database so that a restart (or
another process) keeps it: the long list last sent to a chat, for its "next page" row, and the
platform message ids taken for handling, so that a message the platform delivers again is
answered once (handlers/whatsapp.py).

A message id is taken before its handling and marked answered once its replies went out. One
taken and never answered (the process died meanwhile) may be taken again after ``ANSWERING``:
then the conversation service, which saw it, asks the current question again
(services.conversation)."""
from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import Engine, delete, exists, select, update

from conversations.messages import Outbound

from store.models import ChannelIdentity, ChannelListPage, ChannelSeenMessage, Contact

from services.outbox_rows import dialect_of, from_content, to_content

ANSWERING = dt.timedelta(minutes=5)   # a message taken this long ago and not answered: its handler died
KEEP_SEEN = dt.timedelta(days=7)      # Meta retries an unacknowledged webhook for up to 7 days
PRUNE_EVERY = 1000                    # takes between two prunings of the old ids
_seen, _page, _identity = ChannelSeenMessage.__table__, ChannelListPage.__table__, ChannelIdentity.__table__
_contact = Contact.__table__
_takes = itertools.count(1)


def take(db_engine: Engine, key: str, now: dt.datetime) -> bool:
    """Take message ``key`` for handling; False when it was answered, or is being answered."""
    with db_engine.begin() as connection:
        taken = connection.execute(
            dialect_of(db_engine).insert(_seen).values(key=key, seen_at=now)
            .on_conflict_do_nothing(index_elements=["key"]).returning(_seen.c.key)).first()
        if taken is None:  # seen before: again only if its handler died unanswered
            taken = connection.execute(
                update(_seen).where(_seen.c.key == key, _seen.c.answered_at.is_(None),
                                    _seen.c.seen_at < now - ANSWERING)
                .values(seen_at=now).returning(_seen.c.key)).first()
        if next(_takes) % PRUNE_EVERY == 0:
            connection.execute(delete(_seen).where(_seen.c.seen_at < now - KEEP_SEEN))
    return taken is not None


def answered(db_engine: Engine, key: str, now: dt.datetime) -> None:
    """The replies to message ``key`` went out (or could not, for good)."""
    with db_engine.begin() as connection:
        connection.execute(update(_seen).where(_seen.c.key == key).values(answered_at=now))


def keep_page(db_engine: Engine, *, channel: str, external_id: str, reply: Outbound, now: dt.datetime) -> None:
    """``reply`` is the long list now on the chat's screen: its later pages come from here."""
    values = {"content": to_content(reply), "sent_at": now}
    with db_engine.begin() as connection:
        connection.execute(
            dialect_of(db_engine).insert(_page).values(scheme=channel, external_id=external_id, **values)
            .on_conflict_do_update(index_elements=["scheme", "external_id"], set_=values))


def page_of(db_engine: Engine, *, channel: str, external_id: str, now: dt.datetime) -> Outbound | None:
    """The long list last sent to the chat, or None (never one, or erased). The person wrote
    (pressed its "next page" row): their window starts again (as services.conversation does for
    every other message), in the same transaction."""
    with db_engine.begin() as connection:
        content = connection.execute(select(_page.c.content).where(
            _page.c.scheme == channel, _page.c.external_id == external_id)).scalar()
        connection.execute(update(_identity).where(_identity.c.scheme == channel,
                                                   _identity.c.external_id == external_id)
                           .values(last_inbound_at=now))
    return from_content(content) if content is not None else None


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

"""What the web chat (handlers/webchat.py) asks of the database besides the conversation itself:
the person's language for the page's own words, moving an identity of the old cookie format to
its hashed id, and the messages the bot started itself, read without changing anything and
marked sent only when the page says it has shown them (so a GET stays a read).

A POST's replies are outbox rows of its step too (services.reply_rows), held by the page
(``HOLD``): returned in the POST's answer with their ids, marked sent when the page says it
showed them; one it never confirms comes with a later poll once the hold has run out. A POST
repeated (the same client id) gets the replies of that step again (``replies_of``)."""
from __future__ import annotations

import datetime as dt
from typing import Callable, Sequence

from sqlalchemy import Engine, and_, exists, or_, select, update
from sqlalchemy.exc import IntegrityError

from conversations.messages import Outbound

from store.models import ChannelIdentity, Consent, Contact, OutboxMessage, utcnow

from services.outbox_rows import from_content
from services.reply_rows import KIND as REPLY, Hold

SCHEME = "web"
_identity, _contact = ChannelIdentity.__table__, Contact.__table__
_consent, _outbox = Consent.__table__, OutboxMessage.__table__
HOLD = Hold("web-page", 60.0)  # a POST's replies: the page shows them and says so well within a minute


def _contact_of(external_id: str):
    return select(_identity.c.contact_id).where(_identity.c.scheme == SCHEME,
                                                _identity.c.external_id == external_id)


def person(db_engine: Engine, external_id: str) -> tuple[bool, str | None]:
    """(known, language): whether the identity exists (it does not after "erase my data"), and
    the language the person chose, None before they chose one (a contact still on the default
    language that never consented has not answered the first question yet)."""
    with db_engine.connect() as connection:
        row = connection.execute(
            select(_contact.c.language, _contact.c.language != _contact.c.language.default.arg,
                   exists().where(_consent.c.contact_id == _contact.c.id))
            .where(_contact.c.id.in_(_contact_of(external_id)))).first()
    if row is None:
        return False, None
    return True, row[0] if (row[1] or row[2]) else None


def rekey(db_engine: Engine, old: str, new: str) -> bool:
    """Move the web identity ``old`` (a cookie's value, as ids were kept before) to ``new`` (its
    hash); True if one moved. Nothing happens when there is none, or ``new`` exists already."""
    try:
        with db_engine.begin() as connection:
            moved = connection.execute(update(_identity).where(
                _identity.c.scheme == SCHEME, _identity.c.external_id == old).values(external_id=new))
            return bool(moved.rowcount)
    except IntegrityError:
        return False


def waiting(db_engine: Engine, external_id: str, now: dt.datetime, limit: int = 20) -> list[tuple[int, Outbound]]:
    """The person's due messages on the web chat not yet shown, oldest first, with their ids."""
    with db_engine.connect() as connection:
        rows = connection.execute(
            select(_outbox.c.id, _outbox.c.content)
            .where(_outbox.c.channel == SCHEME, _outbox.c.due_at <= now,
                   or_(_outbox.c.status == "pending",  # or a POST's reply the page never said it showed
                       and_(_outbox.c.status == "sending", _outbox.c.kind == REPLY, _outbox.c.claimed_until < now)),
                   _outbox.c.contact_id.in_(_contact_of(external_id)))
            .order_by(_outbox.c.due_at, _outbox.c.id).limit(limit)).all()
    return [(row.id, from_content(row.content)) for row in rows]


def shown(db_engine: Engine, external_id: str, ids: Sequence[int], now: dt.datetime) -> int:
    """Mark sent those of ``ids`` that are the person's pending web messages; how many."""
    if not ids:
        return 0
    with db_engine.begin() as connection:
        return connection.execute(
            update(_outbox).where(_outbox.c.id.in_(list(ids)), _outbox.c.channel == SCHEME,
                                  _outbox.c.status.in_(("pending", "sending")),
                                  _outbox.c.contact_id.in_(_contact_of(external_id)))
            .values(status="sent", sent_at=now, attempts=_outbox.c.attempts + 1, claimed_until=None)).rowcount


def replies_of(db_engine: Engine, update_key: str) -> list[tuple[int, Outbound]]:
    """The replies written by the step of ``update_key`` (the web chat's keys name the person:
    handlers.webchat_parts.inbound), in order, with their ids; shown again or not yet."""
    with db_engine.connect() as connection:
        rows = connection.execute(
            select(_outbox.c.id, _outbox.c.content)
            .where(_outbox.c.channel == SCHEME, _outbox.c.kind == REPLY,
                   _outbox.c.idempotency_key.startswith(f"reply:{update_key}:"[:120], autoescape=True))
            .order_by(_outbox.c.id)).all()
    return [(row.id, from_content(row.content)) for row in rows]


class WebChatPeople:
    """The functions above bound to a database and a clock, as the web chat's router takes them."""

    def __init__(self, db_engine: Engine, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.db_engine, self.clock = db_engine, clock

    def person(self, external_id: str) -> tuple[bool, str | None]:
        return person(self.db_engine, external_id)

    def rekey(self, old: str, new: str) -> bool:
        return rekey(self.db_engine, old, new)

    def waiting(self, external_id: str) -> list[tuple[int, Outbound]]:
        return waiting(self.db_engine, external_id, self.clock())

    def shown(self, external_id: str, ids: Sequence[int]) -> int:
        return shown(self.db_engine, external_id, ids, self.clock())

    def replies_of(self, update_key: str) -> list[tuple[int, Outbound]]:
        return replies_of(self.db_engine, update_key)

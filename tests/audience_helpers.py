"""People for the broadcast tests, written straight into the database (contact, channel
identities, registration), one at a time or ten thousand at once."""
from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import insert, select
from sqlmodel import Session

from services import broadcasts
from store.models import (Broadcast, ChannelIdentity, Contact, InterviewBooking, InterviewSlot, OutboxMessage,
                       Registration, WorkshopRegistration)
from tests.conftest import NOW

_codes = itertools.count(1)


def add_person(db, name: str, *, channel: str = "telegram", language: str = "it", municipality: str = "Bologna",
               registered: bool = True, notices_off: bool = False, unreachable: bool = False,
               erased: bool = False, also_on: tuple[str, ...] = ()) -> int:
    """A contact reached on ``channel`` (and on ``also_on`` channels); ``unreachable``: blocked
    the bot on every one of them."""
    with Session(db) as session, session.begin():
        contact = Contact(language=language, notices_off_at=NOW if notices_off else None,
                          erased_at=NOW if erased else None)
        session.add(contact)
        session.flush()
        for scheme in (channel, *also_on):
            session.add(ChannelIdentity(contact_id=contact.id, scheme=scheme, external_id=f"{name}-{scheme}",
                                        unreachable_at=NOW if unreachable else None,
                                        unreachable_reason="blocked by the user" if unreachable else None))
        if registered:
            session.add(Registration(contact_id=contact.id, code=f"T{next(_codes):05d}", first_name=name,
                                     municipality=municipality, language=language,
                                     erased_at=NOW if erased else None, status="erased" if erased else "new"))
        return contact.id


def add_many(db, count: int, *, channel: str = "telegram") -> None:
    """``count`` registered people, in bulk (a few statements, not one per person)."""
    with db.begin() as connection:
        first = (connection.execute(select(Contact.id).order_by(Contact.id.desc()).limit(1)).scalar() or 0) + 1
        ids = range(first, first + count)
        connection.execute(insert(Contact.__table__), [{"id": i, "language": "en" if i % 5 == 0 else "it",
                                                        "created_at": NOW} for i in ids])
        connection.execute(insert(ChannelIdentity.__table__), [
            {"contact_id": i, "scheme": channel, "external_id": f"bulk{i}", "created_at": NOW} for i in ids])
        connection.execute(insert(Registration.__table__), [
            {"contact_id": i, "code": f"B{i:07d}", "status": "new", "language": "it", "municipality": "Imola",
             "created_at": NOW} for i in ids])
    if db.dialect.name == "postgresql":  # ids were given explicitly: move the sequence past them
        with db.begin() as connection:
            connection.exec_driver_sql("SELECT setval('contact_id_seq', (SELECT max(id) FROM contact))")


def interview(db, contact_id: int, status: str) -> None:
    with Session(db) as session, session.begin():
        slot = InterviewSlot(starts_at=NOW - dt.timedelta(days=2), operator="Anna", booked=0)
        session.add(slot)
        session.flush()
        session.add(InterviewBooking(slot_id=slot.id, contact_id=contact_id, status=status))


def seat(db, contact_id: int, session_id: int, status: str = "registered") -> None:
    with Session(db) as session, session.begin():
        session.add(WorkshopRegistration(session_id=session_id, contact_id=contact_id, status=status))


def count(db, audience: dict | None = None, now: dt.datetime = NOW):
    with Session(db) as session:
        return broadcasts.count(session, audience, now)


def new_broadcast(db, audience: dict | None = None, *, texts: dict | None = None, send_at: dt.datetime = NOW,
                  queue: bool = True, now: dt.datetime = NOW) -> int:
    """A broadcast created at ``now``, and queued at once if it is due and ``queue``."""
    with Session(db) as session, session.begin():
        broadcast = broadcasts.create(session, texts=texts or {"it": "Avviso"}, audience=audience or {},
                                      send_at=send_at, created_by="test", now=now)
        if queue:
            broadcasts.queue_due(session, now=now)
        return broadcast.id


def outbox_rows(db, broadcast_id: int | None = None) -> list[OutboxMessage]:
    with Session(db) as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if broadcast_id is not None:
            query = query.where(OutboxMessage.broadcast_id == broadcast_id)
        return list(session.execute(query).scalars())


def recipients(db, broadcast_id: int) -> set[int]:
    return {row.contact_id for row in outbox_rows(db, broadcast_id)}


def broadcast(db, broadcast_id: int) -> Broadcast:
    with Session(db) as session:
        return session.get(Broadcast, broadcast_id)

"""Interview slots and workshop sessions for the conversation-level booking tests, and what
the bookings left in the database. Times are aware UTC; ``rome(...)`` reads a Bologna clock."""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from conversations.i18n import TIMEZONE
from store.models import (ChannelIdentity, InterviewBooking, InterviewSlot, OutboxMessage, WorkshopRegistration,
                       WorkshopSession)
from tests.conftest import NOW

ADDRESS = "Via del Lavoro 1, Bologna"
PLACE = "Sala incontri, Via dei Mille 5, Bologna"


def rome(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """The UTC instant of a wall-clock time in Bologna."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=TIMEZONE).astimezone(dt.timezone.utc)


def days_ahead(days: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """``hour:minute`` in Bologna, ``days`` after NOW's local day."""
    day = NOW.astimezone(TIMEZONE).date() + dt.timedelta(days=days)
    return rome(day.year, day.month, day.day, hour, minute)


def add_slot(db, starts_at: dt.datetime, **fields) -> int:
    fields = {"address": ADDRESS, "operator": "Anna Bianchi", **fields}
    with Session(db) as session:
        slot = InterviewSlot(starts_at=starts_at, **fields)
        session.add(slot)
        session.commit()
        return slot.id


def add_workshop(db, starts_at: dt.datetime, *, capacity: int = 10, registered: int = 0,
                 title: str = "Incontro 1 - Il lavoro di cura", **fields) -> int:
    """A session; ``registered`` seats count as taken by people outside the test."""
    fields = {"place": PLACE, "ends_at": starts_at + dt.timedelta(hours=2), **fields}
    with Session(db) as session:
        workshop = WorkshopSession(starts_at=starts_at, capacity=capacity, registered=registered,
                                   title=title, **fields)
        session.add(workshop)
        session.commit()
        return workshop.id


def update_row(db, model, row_id: int, **values) -> None:
    """Change a row behind the bot's back (another person, an operator)."""
    with Session(db) as session:
        row = session.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)
        session.commit()


def row(db, model, row_id: int):
    with Session(db) as session:
        return session.get(model, row_id)


def contact_of(db, external_id: str, channel: str = "console") -> int:
    with Session(db) as session:
        return session.exec(select(ChannelIdentity.contact_id).where(
            ChannelIdentity.scheme == channel, ChannelIdentity.external_id == external_id)).one()


def bookings(db) -> list[InterviewBooking]:
    with Session(db) as session:
        return list(session.exec(select(InterviewBooking).order_by(InterviewBooking.id)).all())


def registrations(db, workshop_id: int | None = None) -> list[WorkshopRegistration]:
    with Session(db) as session:
        query = select(WorkshopRegistration).order_by(WorkshopRegistration.id)
        if workshop_id is not None:
            query = query.where(WorkshopRegistration.session_id == workshop_id)
        return list(session.exec(query).all())


def outbox(db) -> list[OutboxMessage]:
    with Session(db) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())

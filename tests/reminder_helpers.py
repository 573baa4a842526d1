"""Reminder tests' helpers: people, bookings and sessions written straight into the database,
the planner run at a given time, and what it queued."""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from bot.settings import ReminderSettings
from services import reminders
from store.models import (ChannelIdentity, Contact, InterviewBooking, InterviewSlot, OutboxMessage, WorkshopRegistration,
                       WorkshopSession, aware)
from services.outbox import from_content
from conversations.messages import Outbound
from tests.conftest import NOW

SETTINGS = ReminderSettings(workshop_hours=[24, 2], interview_hours=[24], quiet_start=dt.time(21),
                            quiet_end=dt.time(8))
MINUTE, HOUR, DAY = dt.timedelta(minutes=1), dt.timedelta(hours=1), dt.timedelta(days=1)
EARLY = NOW - 3 * DAY  # when the bookings of these tests were made, unless said otherwise


def person(db, name: str = "p1", language: str = "en", **fields) -> int:
    with Session(db) as session:
        contact = Contact(language=language, **fields)
        session.add(contact)
        session.flush()
        session.add(ChannelIdentity(contact_id=contact.id, scheme="console", external_id=name))
        session.commit()
        return contact.id


def interview(db, contact_id: int, starts_at: dt.datetime, booked_at: dt.datetime = EARLY, **slot) -> int:
    """A booked interview on a slot of its own; returns the booking's id."""
    with Session(db) as session:
        row = InterviewSlot(starts_at=starts_at, booked=1, operator="Anna Bianchi",
                            address="Via del Lavoro 1, Bologna", **slot)
        session.add(row)
        session.flush()
        booking = InterviewBooking(slot_id=row.id, contact_id=contact_id, created_at=booked_at, updated_at=booked_at)
        session.add(booking)
        session.commit()
        return booking.id


def seat(db, contact_id: int, workshop_id: int, booked_at: dt.datetime = EARLY, status: str = "registered") -> int:
    with Session(db) as session:
        registration = WorkshopRegistration(session_id=workshop_id, contact_id=contact_id, status=status,
                                            created_at=booked_at, updated_at=booked_at)
        session.add(registration)
        if status == "registered":
            session.get(WorkshopSession, workshop_id).registered += 1
        session.commit()
        return registration.id


def plan(db, now: dt.datetime, settings=SETTINGS) -> int:
    with Session(db) as session, session.begin():
        return reminders.plan(session, now=now, settings=settings)


def reminder_rows(db, status: str | None = None) -> list[OutboxMessage]:
    with Session(db) as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "reminder").order_by(OutboxMessage.id)
        if status:
            query = query.where(OutboxMessage.status == status)
        return list(session.exec(query).all())


def schedule(db) -> list[tuple[str, dt.datetime, str]]:
    """(about, due at, status) of every reminder row."""
    return [(r.about, aware(r.due_at), r.status) for r in reminder_rows(db)]


def send_due(db, now: dt.datetime) -> None:
    """What the sender does with the rows due by ``now``."""
    with Session(db) as session, session.begin():
        for row in session.exec(select(OutboxMessage).where(OutboxMessage.status == "pending",
                                                            OutboxMessage.due_at <= now)):
            row.status, row.sent_at = "sent", now


def in_session(db, change):
    with Session(db) as session, session.begin():
        return change(session)


def queued_message(db, about: str) -> Outbound:
    """The newest reminder queued about a booking, as the person will get it."""
    [*_older, newest] = [r for r in reminder_rows(db) if r.about == about]
    return from_content(newest.content)

"""Who is where, for the office: interview bookings, registrations, workshop sessions and
their participants, each person named from their registration."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import func, select
from sqlmodel import Session

from store.models import InterviewBooking, InterviewSlot, Registration, WorkshopRegistration, WorkshopSession


@dataclass(frozen=True)
class BookingRow:
    booking: InterviewBooking
    slot: InterviewSlot
    person: Registration | None  # None: the contact never registered, or erased their data


@dataclass(frozen=True)
class WorkshopRow:
    workshop: WorkshopSession
    waitlisted: int


@dataclass(frozen=True)
class Participant:
    seat: WorkshopRegistration
    position: int | None  # in the waitlist, from 1
    person: Registration | None


def slot(sql_session: Session, slot_id: int) -> InterviewSlot | None:
    """One interview slot (cancelled ones too), or None."""
    return sql_session.get(InterviewSlot, slot_id)


def workshop(sql_session: Session, workshop_id: int) -> WorkshopSession | None:
    """One workshop session (cancelled ones too), or None."""
    return sql_session.get(WorkshopSession, workshop_id)


def people(sql_session: Session, contact_ids: Iterable[int]) -> dict[int, Registration]:
    """Each contact's newest registration not erased."""
    ids = set(contact_ids)
    if not ids:
        return {}
    rows = sql_session.execute(select(Registration).where(
        Registration.contact_id.in_(ids), Registration.erased_at.is_(None)).order_by(Registration.id)).scalars()
    return {row.contact_id: row for row in rows}  # later ids overwrite earlier ones


def bookings_between(sql_session: Session, *, start: dt.datetime, end: dt.datetime,
                     statuses: Iterable[str] | None = ("booked",)) -> list[BookingRow]:
    """Interview bookings whose slot starts in [start, end), earliest first; every status
    when ``statuses`` is None."""
    query = (select(InterviewBooking, InterviewSlot)
             .join(InterviewSlot, InterviewSlot.id == InterviewBooking.slot_id)
             .where(InterviewSlot.starts_at >= start, InterviewSlot.starts_at < end))
    if statuses is not None:
        query = query.where(InterviewBooking.status.in_(tuple(statuses)))
    rows = sql_session.execute(query.order_by(InterviewSlot.starts_at, InterviewBooking.id)).all()
    named = people(sql_session, (booking.contact_id for booking, _slot in rows))
    return [BookingRow(booking, slot, named.get(booking.contact_id)) for booking, slot in rows]


def registrations(sql_session: Session, *, status: str | None = None) -> list[Registration]:
    """Registrations not erased, oldest first, optionally of one status."""
    query = select(Registration).where(Registration.erased_at.is_(None))
    if status:
        query = query.where(Registration.status == status)
    return list(sql_session.execute(query.order_by(Registration.created_at, Registration.id)).scalars())


def workshops(sql_session: Session, *, now: dt.datetime | None = None) -> list[WorkshopRow]:
    """Sessions with their waitlist length, earliest first; only those not yet over if ``now``."""
    waiting = (select(WorkshopRegistration.session_id, func.count().label("n"))
               .where(WorkshopRegistration.status == "waitlisted")
               .group_by(WorkshopRegistration.session_id).subquery())
    query = (select(WorkshopSession, func.coalesce(waiting.c.n, 0))
             .outerjoin(waiting, waiting.c.session_id == WorkshopSession.id))
    if now is not None:
        query = query.where(WorkshopSession.ends_at > now)
    rows = sql_session.execute(query.order_by(WorkshopSession.starts_at, WorkshopSession.id)).all()
    return [WorkshopRow(workshop, waitlisted) for workshop, waitlisted in rows]


def participants(sql_session: Session, *, workshop_session_id: int) -> list[Participant] | None:
    """Seats first (attended and no-show count as seats), then the waitlist in its order
    (first come, first served by id); None when there is no such session."""
    if sql_session.get(WorkshopSession, workshop_session_id) is None:
        return None
    seats = list(sql_session.execute(select(WorkshopRegistration).where(
        WorkshopRegistration.session_id == workshop_session_id,
        WorkshopRegistration.status != "cancelled")
        .order_by(WorkshopRegistration.id)).scalars())
    named = people(sql_session, (seat.contact_id for seat in seats))
    seated = [Participant(s, None, named.get(s.contact_id)) for s in seats if s.status != "waitlisted"]
    waiting = [s for s in seats if s.status == "waitlisted"]
    return seated + [Participant(s, n, named.get(s.contact_id)) for n, s in enumerate(waiting, start=1)]

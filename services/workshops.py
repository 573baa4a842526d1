"""Workshop sessions: seats, the waitlist and its automatic promotion (the person promoted is
told here, through services.notices, whoever freed the seat: the person in the chat, the office
adding seats, a merge).

Seats are counted in ``workshop_session.registered`` and taken with a conditional UPDATE
(see services.bookings for why); the waitlist is first come, first served (by registration id).

On PostgreSQL a sign-up locks the session's row even when it is full, so joining the
waitlist and giving up a seat happen one after the other: otherwise the cancellation could
look for someone to promote before the newcomer's row is visible, and leave the seat empty.
A cancellation locks its registration, so a second tap finds it already cancelled.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from conversations.store import Seat, Workshop

from services import notices, reminders
from services.booking_views import workshop_view
from services.bookings import BookingError
from store.models import WorkshopRegistration, WorkshopSession, aware, utcnow

ACTIVE = ("registered", "waitlisted")


def upcoming(sql_session: Session, *, now: dt.datetime, limit: int = 10) -> list[Workshop]:
    rows = sql_session.execute(select(WorkshopSession).where(
        WorkshopSession.cancelled_at.is_(None), WorkshopSession.starts_at > now)
        .order_by(WorkshopSession.starts_at, WorkshopSession.id).limit(limit)).scalars()
    return [workshop_view(row) for row in rows]


def seats_of(sql_session: Session, contact_id: int, *, now: dt.datetime) -> list[Seat]:
    """The person's active registrations to sessions not yet over, earliest first."""
    rows = sql_session.execute(
        select(WorkshopRegistration, WorkshopSession)
        .join(WorkshopSession, WorkshopSession.id == WorkshopRegistration.session_id)
        .where(WorkshopRegistration.contact_id == contact_id, WorkshopRegistration.status.in_(ACTIVE),
               WorkshopSession.ends_at > now)
        .order_by(WorkshopSession.starts_at)).all()
    return [Seat(reg.id, reg.status, waitlist_position(sql_session, reg), workshop_view(ws)) for reg, ws in rows]


def waitlist_position(sql_session: Session, registration: WorkshopRegistration) -> int | None:
    if registration.status != "waitlisted":
        return None
    return sql_session.execute(select(func.count()).where(
        WorkshopRegistration.session_id == registration.session_id,
        WorkshopRegistration.status == "waitlisted", WorkshopRegistration.id <= registration.id)).scalar()


def sign_up(sql_session: Session, *, contact_id: int, workshop_session_id: int, now: dt.datetime,
            cutoff: dt.timedelta, waitlist: bool = False) -> WorkshopRegistration:
    """A seat if one is free; else, with ``waitlist``, a place in the queue; else BookingError("full")."""
    existing = sql_session.execute(select(WorkshopRegistration).where(
        WorkshopRegistration.contact_id == contact_id, WorkshopRegistration.session_id == workshop_session_id,
        WorkshopRegistration.status.in_(ACTIVE))).scalars().first()
    if existing:
        raise BookingError("already_booked")
    try:
        with sql_session.begin_nested():
            status = "registered" if _take_seat(sql_session, workshop_session_id, now, cutoff) else "waitlisted"
            if status == "waitlisted" and not waitlist:
                raise BookingError("full")
            registration = WorkshopRegistration(session_id=workshop_session_id, contact_id=contact_id, status=status,
                                                created_at=now, updated_at=now)
            sql_session.add(registration)
            sql_session.flush()
    except IntegrityError:
        raise BookingError("already_booked") from None
    return registration


def cancel(sql_session: Session, *, contact_id: int, registration_id: int, now: dt.datetime,
           cutoff: dt.timedelta = dt.timedelta(0)) -> WorkshopRegistration | None:
    """Cancel the person's seat or queue place; returns the waitlisted registration promoted
    to the freed seat, if any (told by promote_first). Within ``cutoff`` of the start
    nobody is promoted: they could not make it in time."""
    registration = sql_session.get(WorkshopRegistration, registration_id, with_for_update=True,
                                   populate_existing=True)
    if registration is None or registration.contact_id != contact_id or registration.status not in ACTIVE:
        raise BookingError("no_booking")
    had_seat = registration.status == "registered"
    registration.status, registration.updated_at = "cancelled", utcnow()
    sql_session.flush()
    reminders.withdraw(sql_session, reminders.about(reminders.WORKSHOP, registration.id))
    if not had_seat:
        return None
    sql_session.execute(update(WorkshopSession).where(WorkshopSession.id == registration.session_id,
                                                      WorkshopSession.registered > 0)
                        .values(registered=WorkshopSession.registered - 1))
    return promote_first(sql_session, registration.session_id, now=now, cutoff=cutoff)


def promote_first(sql_session: Session, workshop_session_id: int, *, now: dt.datetime,
                  cutoff: dt.timedelta = dt.timedelta(0)) -> WorkshopRegistration | None:
    """Give a free seat to the first person waiting, if the session starts after ``now + cutoff``,
    and queue the notice that tells them."""
    first = sql_session.execute(select(WorkshopRegistration).where(
        WorkshopRegistration.session_id == workshop_session_id, WorkshopRegistration.status == "waitlisted")
        .order_by(WorkshopRegistration.id).limit(1).with_for_update(skip_locked=True)).scalars().first()
    try:
        if first is None or not _take_seat(sql_session, workshop_session_id, now, cutoff):
            return None
    except BookingError:  # started, too close, or cancelled by the office: the seat stays free
        return None
    first.status, first.updated_at = "registered", now  # its reminders count from now (services.reminders)
    sql_session.flush()
    # No refresh: the row is current in this transaction, and a refresh would load SQLite's naive
    # times, which the next _take_seat's UPDATE cannot compare when it syncs the SQL session's objects.
    workshop = sql_session.get(WorkshopSession, workshop_session_id)
    notices.promoted(sql_session, contact_id=first.contact_id, seat=Seat(first.id, first.status, None,
                                                                         workshop_view(workshop)), now=now)
    return first


def _take_seat(sql_session: Session, workshop_session_id: int, now: dt.datetime, cutoff: dt.timedelta) -> bool:
    """True if a seat was taken; False when full; BookingError when it cannot be booked at all."""
    sql_session.execute(select(WorkshopSession.id).where(WorkshopSession.id == workshop_session_id)
                        .with_for_update(key_share=True))  # even when full: see the module's docstring
    taken = sql_session.execute(update(WorkshopSession).where(
        WorkshopSession.id == workshop_session_id, WorkshopSession.cancelled_at.is_(None),
        WorkshopSession.starts_at > now + cutoff, WorkshopSession.registered < WorkshopSession.capacity)
        .values(registered=WorkshopSession.registered + 1))
    if taken.rowcount == 1:
        return True
    workshop = sql_session.get(WorkshopSession, workshop_session_id)
    if workshop is None:
        raise BookingError("not_found")
    sql_session.refresh(workshop)
    if workshop.cancelled_at is not None:
        raise BookingError("cancelled")
    if aware(workshop.starts_at) <= now:
        raise BookingError("past")
    if aware(workshop.starts_at) <= now + cutoff:
        raise BookingError("too_late")
    return False

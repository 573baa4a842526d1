"""Interview slots: find free ones, book, reschedule, cancel — never more than capacity.

Capacity is enforced by the database, not by a Python lock, so it holds across processes:
a booking raises ``booked`` with ``UPDATE ... WHERE booked < capacity`` and succeeds only if
that touched the row (on PostgreSQL the WHERE is re-checked after the row lock; on SQLite
writers are serialised by BEGIN IMMEDIATE), and a CHECK constraint backs it up. A partial
unique index allows one booked interview per person.

On PostgreSQL each change first locks the person's contact row, so two taps of the same
person (cancel twice, move and cancel) act one after the other instead of both acting on
the booking they both saw; slots are locked in id order, as the office's cancel_slot does
(slot, then bookings), so that no two changes wait for each other. FOR UPDATE is a no-op
on SQLite, where BEGIN IMMEDIATE already runs writers one at a time.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from conversations.i18n import TIMEZONE
from conversations.store import BookingFailed, Slot

from services import reminders
from services.agenda import local
from services.booking_views import slot_view
from store.models import Contact, InterviewBooking, InterviewSlot, aware, utcnow

HORIZON = dt.timedelta(days=180)  # how far ahead free slots are offered


BookingError = BookingFailed  # the engine's own exception: its reasons go straight to the person


def _bookable(now: dt.datetime, cutoff: dt.timedelta):
    return (InterviewSlot.cancelled_at.is_(None), InterviewSlot.booked < InterviewSlot.capacity,
            InterviewSlot.starts_at > now + cutoff)


def free_slots(sql_session: Session, *, now: dt.datetime, cutoff: dt.timedelta,
               day: dt.date | None = None) -> list[Slot]:
    """Free slots from now on (or on one local day), earliest first."""
    query = select(InterviewSlot).where(*_bookable(now, cutoff), InterviewSlot.starts_at < now + HORIZON)
    if day is not None:
        start, end = local(day, dt.time(0)), local(day + dt.timedelta(days=1), dt.time(0))
        query = query.where(InterviewSlot.starts_at >= start, InterviewSlot.starts_at < end)
    rows = sql_session.execute(query.order_by(InterviewSlot.starts_at, InterviewSlot.id)).scalars()
    return [slot_view(row) for row in rows]


def free_days(sql_session: Session, *, now: dt.datetime, cutoff: dt.timedelta) -> list[dt.date]:
    """Local (Europe/Rome) days that have at least one free slot (only start times are read)."""
    starts = sql_session.execute(select(InterviewSlot.starts_at).distinct().where(
        *_bookable(now, cutoff), InterviewSlot.starts_at < now + HORIZON)).scalars()
    return sorted({aware(start).astimezone(TIMEZONE).date() for start in starts})


def active_booking(sql_session: Session, contact_id: int,
                   now: dt.datetime | None = None) -> tuple[InterviewBooking, Slot] | None:
    """The person's booked interview; with ``now``, only if it has not started yet."""
    query = (select(InterviewBooking, InterviewSlot).join(InterviewSlot, InterviewSlot.id == InterviewBooking.slot_id)
             .where(InterviewBooking.contact_id == contact_id, InterviewBooking.status == "booked"))
    if now is not None:
        query = query.where(InterviewSlot.starts_at > now)
    row = sql_session.execute(query).first()
    return (row[0], slot_view(row[1])) if row else None


def close_past(sql_session: Session, *, contact_id: int, now: dt.datetime) -> None:
    """An interview whose time has passed with no outcome recorded yet becomes "past" (the
    office turns it into attended or no_show): it no longer stops the person booking again."""
    started = select(InterviewSlot.id).where(InterviewSlot.starts_at <= now)
    sql_session.execute(update(InterviewBooking).where(
        InterviewBooking.contact_id == contact_id, InterviewBooking.status == "booked",
        InterviewBooking.slot_id.in_(started)).values(status="past", updated_at=utcnow()))


def book(sql_session: Session, *, contact_id: int, slot_id: int, now: dt.datetime,
         cutoff: dt.timedelta) -> InterviewBooking:
    _one_at_a_time(sql_session, contact_id)
    close_past(sql_session, contact_id=contact_id, now=now)
    if active_booking(sql_session, contact_id):
        raise BookingError("already_booked")
    try:
        with sql_session.begin_nested():
            _hold(sql_session, slot_id, now, cutoff)
            booking = InterviewBooking(slot_id=slot_id, contact_id=contact_id, created_at=now, updated_at=now)
            sql_session.add(booking)
            sql_session.flush()
    except IntegrityError:  # the same person booking twice at the same moment
        raise BookingError("already_booked") from None
    return booking


def reschedule(sql_session: Session, *, contact_id: int, slot_id: int, now: dt.datetime,
               cutoff: dt.timedelta) -> InterviewBooking:
    """Move the person's interview: the new slot is held first, then the old one released."""
    _one_at_a_time(sql_session, contact_id)
    current = active_booking(sql_session, contact_id, now)
    if current is None:
        raise BookingError("no_booking")
    old, old_slot = current
    if old.slot_id == slot_id:
        return old
    with sql_session.begin_nested():
        _lock_slots(sql_session, old.slot_id, slot_id)  # two people swapping slots would deadlock otherwise
        _hold(sql_session, slot_id, now, cutoff)
        old.status, old.cancel_reason, old.updated_at = "cancelled", "rescheduled", utcnow()
        sql_session.flush()
        reminders.withdraw(sql_session, reminders.about(reminders.INTERVIEW, old.id))
        booking = InterviewBooking(slot_id=slot_id, contact_id=contact_id, created_at=now, updated_at=now)
        sql_session.add(booking)
        _release(sql_session, old.slot_id)
        sql_session.flush()
    return booking


def cancel(sql_session: Session, *, contact_id: int, reason: str | None,
           now: dt.datetime | None = None) -> InterviewBooking:
    """Cancel the person's interview (with ``now``: only one that has not started yet)."""
    _one_at_a_time(sql_session, contact_id)
    current = active_booking(sql_session, contact_id, now)
    if current is None:
        raise BookingError("no_booking")
    booking, _slot = current
    _release(sql_session, booking.slot_id)  # the slot before the booking, in cancel_slot's order
    booking.status, booking.cancel_reason, booking.updated_at = "cancelled", reason, utcnow()
    sql_session.flush()
    reminders.withdraw(sql_session, reminders.about(reminders.INTERVIEW, booking.id))
    return booking


def _one_at_a_time(sql_session: Session, contact_id: int) -> None:
    """Hold the person's row until the transaction ends (FOR NO KEY UPDATE: rows referring to
    the contact can still be inserted meanwhile)."""
    sql_session.execute(select(Contact.id).where(Contact.id == contact_id).with_for_update(key_share=True))


def _lock_slots(sql_session: Session, *slot_ids: int) -> None:
    sql_session.execute(select(InterviewSlot.id).where(InterviewSlot.id.in_(slot_ids))
                        .order_by(InterviewSlot.id).with_for_update(key_share=True))


def _hold(sql_session: Session, slot_id: int, now: dt.datetime, cutoff: dt.timedelta) -> None:
    held = sql_session.execute(update(InterviewSlot).where(InterviewSlot.id == slot_id, *_bookable(now, cutoff))
                               .values(booked=InterviewSlot.booked + 1))
    if held.rowcount != 1:
        raise BookingError(why_not(sql_session, slot_id, now, cutoff))


def _release(sql_session: Session, slot_id: int) -> None:
    sql_session.execute(update(InterviewSlot).where(InterviewSlot.id == slot_id, InterviewSlot.booked > 0)
                        .values(booked=InterviewSlot.booked - 1))


def why_not(sql_session: Session, slot_id: int, now: dt.datetime, cutoff: dt.timedelta) -> str:
    """Why a slot cannot be booked now: not_found, cancelled, past, too_late or taken."""
    slot = sql_session.get(InterviewSlot, slot_id)
    if slot is None:
        return "not_found"
    sql_session.refresh(slot)
    if slot.cancelled_at is not None:
        return "cancelled"
    if aware(slot.starts_at) <= now:
        return "past"
    if aware(slot.starts_at) <= now + cutoff:
        return "too_late"
    return "taken"

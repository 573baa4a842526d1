"""The office's side of the calendar: interview slots one by one or from a weekly pattern,
workshop sessions, cancelling a slot or a session (which cancels the bookings on it and
tells their people), and an interview's outcome.

Weekly patterns are local (Europe/Rome) wall-clock windows: each window's opening and closing
are turned into UTC instants first, then filled back to back with real durations, so a
window on a clock-change day still holds what the clock on the office wall says. They skip
public holidays (services.public_holidays) unless the office asks for them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Container, Iterable, Iterator

from sqlalchemy import select, update
from sqlmodel import Session

from conversations.i18n import TIMEZONE

from services import notices, programme, public_holidays, reminders
from services.booking_views import slot_view, workshop_view
from services.clock import local  # noqa: F401  (agenda.local: the office reads Rome days)
from store.models import InterviewBooking, InterviewSlot, WorkshopRegistration, WorkshopSession, aware

UTC = dt.timezone.utc
OFFICE_CANCELLED = "cancelled by the office"
MODES = ("in_person", "phone", "video")
OUTCOMES = ("attended", "no_show")  # of an interview, and of a seat at a workshop session


class AgendaError(Exception):
    """Why the office's request cannot be done: past, exists, not_found, cancelled, order,
    address (in person without one), hours (a window closing before it opens), window (no
    interview fits in it), capacity, outcome, not_started."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def pattern_starts(*, first_day: dt.date, weeks: int, weekdays: Iterable[int], opens: dt.time,
                   closes: dt.time, minutes: int, skip: Container[dt.date] = ()) -> Iterator[dt.datetime]:
    """UTC starts of back-to-back interviews in the window ``opens``-``closes`` of each chosen
    weekday (Monday 0), for ``weeks`` weeks from ``first_day``, but none on the days in ``skip``."""
    chosen, length = set(weekdays), dt.timedelta(minutes=minutes)
    for offset in range(weeks * 7):
        day = first_day + dt.timedelta(days=offset)
        if day.weekday() not in chosen or day in skip:
            continue
        start, end = local(day, opens), local(day, closes)
        while start + length <= end:
            yield start
            start += length


@dataclass
class PatternResult:
    created: list[InterviewSlot] = field(default_factory=list)
    existing: int = 0  # the operator already has a slot (even a cancelled one) at that start
    past: int = 0
    holidays: dict[dt.date, str] = field(default_factory=dict)  # chosen days skipped, with their names


def add_slots(sql_session: Session, *, starts: Iterable[dt.datetime], now: dt.datetime, duration_minutes: int,
              mode: str, address: str | None, operator: str, capacity: int = 1) -> PatternResult:
    """One slot per start, skipping past starts and those the operator already has: running
    the same pattern again adds nothing, and a slot the office cancelled does not come back."""
    starts = sorted(set(starts))
    result = PatternResult()
    if not starts:
        return result
    taken = {aware(s) for s in sql_session.execute(select(InterviewSlot.starts_at).where(
        InterviewSlot.operator == operator, InterviewSlot.starts_at >= starts[0],
        InterviewSlot.starts_at <= starts[-1])).scalars()}
    for start in starts:
        if start <= now:
            result.past += 1
        elif start in taken:
            result.existing += 1
        else:
            slot = InterviewSlot(starts_at=start, duration_minutes=duration_minutes, mode=mode,
                                 address=address, operator=operator, capacity=capacity)
            sql_session.add(slot)
            result.created.append(slot)
    sql_session.flush()
    return result


def add_pattern(sql_session: Session, *, first_day: dt.date, last_day: dt.date, weekdays: Iterable[int],
                opens: dt.time, closes: dt.time, now: dt.datetime, duration_minutes: int, mode: str,
                address: str | None, operator: str, capacity: int = 1,
                include_holidays: bool = False) -> PatternResult:
    """The office's weekly pattern: back-to-back interviews in the window ``opens``-``closes``
    of the chosen weekdays (Monday 0), from ``first_day`` to ``last_day`` included, as
    ``add_slots`` adds them. Public holidays are skipped, and listed in the result's
    ``holidays``, unless ``include_holidays``. AgendaError address, hours or window."""
    _check_address(mode, address)
    if closes <= opens:
        raise AgendaError("hours")
    if dt.datetime.combine(first_day, closes) - dt.datetime.combine(first_day, opens) < dt.timedelta(
            minutes=duration_minutes):
        raise AgendaError("window")
    weekdays = set(weekdays)
    closed = {} if include_holidays else {
        day: name for day, name in public_holidays.between(first_day, last_day).items() if day.weekday() in weekdays}
    end = local(last_day + dt.timedelta(days=1), dt.time(0, 0))
    starts = [start for start in pattern_starts(
        first_day=first_day, weeks=(last_day - first_day).days // 7 + 1, weekdays=weekdays, opens=opens,
        closes=closes, minutes=duration_minutes, skip=closed) if start < end]
    result = add_slots(sql_session, starts=starts, now=now, duration_minutes=duration_minutes, mode=mode,
                       address=address, operator=operator, capacity=capacity)
    result.holidays = closed
    return result


def _check_address(mode: str, address: str | None) -> None:
    if mode == "in_person" and not address:
        raise AgendaError("address")


def add_slot(sql_session: Session, *, starts_at: dt.datetime, now: dt.datetime, duration_minutes: int,
             mode: str, address: str | None, operator: str, capacity: int = 1) -> InterviewSlot:
    """One slot; AgendaError address (in person without one), past, or exists when the
    operator has a live slot at that start (after a cancellation the office may add it again
    on purpose)."""
    _check_address(mode, address)
    if starts_at <= now:
        raise AgendaError("past")
    live = sql_session.execute(select(InterviewSlot.id).where(
        InterviewSlot.operator == operator, InterviewSlot.starts_at == starts_at,
        InterviewSlot.cancelled_at.is_(None))).first()
    if live:
        raise AgendaError("exists")
    slot = InterviewSlot(starts_at=starts_at, duration_minutes=duration_minutes, mode=mode,
                         address=address, operator=operator, capacity=capacity)
    sql_session.add(slot)
    sql_session.flush()
    return slot


def cancel_slot(sql_session: Session, *, slot_id: int, now: dt.datetime) -> notices.Told:
    """The office cancels a slot: it leaves the offer, and its bookings are cancelled, their
    reminders withdrawn and their people told (services.notices). Returns those bookings, and
    the ids of those whose person a notice reaches."""
    slot = sql_session.get(InterviewSlot, slot_id)
    if slot is None:
        raise AgendaError("not_found")
    if slot.cancelled_at is not None:
        raise AgendaError("cancelled")
    if aware(slot.starts_at) <= now:
        raise AgendaError("past")
    # The slot first: a booking racing this one either committed before (and is cancelled
    # below) or finds cancelled_at set and fails (services.bookings checks it in its UPDATE).
    done = sql_session.execute(update(InterviewSlot).where(
        InterviewSlot.id == slot_id, InterviewSlot.cancelled_at.is_(None)).values(cancelled_at=now, booked=0))
    if done.rowcount != 1:
        raise AgendaError("cancelled")
    sql_session.refresh(slot)
    booked = list(sql_session.execute(select(InterviewBooking).where(
        InterviewBooking.slot_id == slot_id, InterviewBooking.status == "booked")
        .order_by(InterviewBooking.id)).scalars())
    for booking in booked:
        booking.status, booking.cancel_reason, booking.updated_at = "cancelled", OFFICE_CANCELLED, now
    sql_session.flush()
    for booking in booked:
        reminders.withdraw(sql_session, reminders.about(reminders.INTERVIEW, booking.id))
    result = notices.Told(rows=booked)
    for booking in booked:
        if notices.slot_cancelled(sql_session, contact_id=booking.contact_id, booking_id=booking.id,
                                  slot=slot_view(slot), now=now):
            result.told.add(booking.id)
    return result


def slots_between(sql_session: Session, *, start: dt.datetime, end: dt.datetime) -> list[InterviewSlot]:
    """Every slot (cancelled ones too) starting in [start, end), earliest first."""
    return list(sql_session.execute(select(InterviewSlot).where(
        InterviewSlot.starts_at >= start, InterviewSlot.starts_at < end)
        .order_by(InterviewSlot.starts_at, InterviewSlot.operator, InterviewSlot.id)).scalars())


def cancel_workshop(sql_session: Session, *, workshop_id: int, now: dt.datetime) -> notices.Told:
    """The office cancels a workshop session: it leaves the offer, its seats and waiting list
    are cancelled, their reminders withdrawn and their people told (services.notices). Returns
    the registrations cancelled, and the ids of those whose person a notice reaches."""
    workshop = sql_session.get(WorkshopSession, workshop_id)
    if workshop is None:
        raise AgendaError("not_found")
    if aware(workshop.starts_at) <= now:
        raise AgendaError("past")
    # The session first, as cancel_slot does: a sign-up racing this one fails on cancelled_at.
    done = sql_session.execute(update(WorkshopSession).where(
        WorkshopSession.id == workshop_id, WorkshopSession.cancelled_at.is_(None))
        .values(cancelled_at=now, registered=0))
    if done.rowcount != 1:
        raise AgendaError("cancelled")
    sql_session.refresh(workshop)
    seats = list(sql_session.execute(select(WorkshopRegistration).where(
        WorkshopRegistration.session_id == workshop_id,
        WorkshopRegistration.status.in_(("registered", "waitlisted")))
        .order_by(WorkshopRegistration.id).with_for_update()).scalars())
    for seat in seats:
        seat.status, seat.updated_at = "cancelled", now
    sql_session.flush()
    result = notices.Told(rows=seats)
    for seat in seats:
        reminders.withdraw(sql_session, reminders.about(reminders.WORKSHOP, seat.id))
        if notices.workshop_changed(sql_session, contact_id=seat.contact_id, registration_id=seat.id,
                                    workshop=workshop_view(workshop), now=now, kind=notices.CANCELLED):
            result.told.add(seat.id)
    return result


def add_workshop(sql_session: Session, *, title: str, starts_at: dt.datetime, ends_at: dt.datetime,
                 place: str, capacity: int, now: dt.datetime, language: str = "it",
                 description: str = "") -> WorkshopSession:
    """A workshop session; AgendaError order (ends before it starts) or past."""
    if ends_at <= starts_at:
        raise AgendaError("order")
    if starts_at <= now:
        raise AgendaError("past")
    workshop = WorkshopSession(title=title, description=description, starts_at=starts_at, ends_at=ends_at,
                               place=place, capacity=capacity, language=language)
    sql_session.add(workshop)
    sql_session.flush()
    return workshop


def interview_outcome(sql_session: Session, *, booking_id: int, status: str, note: str | None, now: dt.datetime,
                      created_by: str = "") -> InterviewBooking:
    """The office records how an interview went, once it has started: AgendaError outcome (not
    attended nor no_show), not_found (no such booking, or cancelled), not_started. "attended"
    records the "interviewed" step on the person's path; "no_show" takes it back
    (services.programme.interview_outcome)."""
    if status not in OUTCOMES:
        raise AgendaError("outcome")
    booking = sql_session.get(InterviewBooking, booking_id)
    if booking is None or booking.status == "cancelled":
        raise AgendaError("not_found")
    if aware(sql_session.get(InterviewSlot, booking.slot_id).starts_at) > now:
        raise AgendaError("not_started")
    booking.status, booking.outcome_note, booking.updated_at = status, note, now
    programme.interview_outcome(sql_session, booking=booking, today=now.astimezone(TIMEZONE).date(), timezone=TIMEZONE,
                                created_by=created_by)
    return booking

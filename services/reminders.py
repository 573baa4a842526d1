"""Reminders of interviews and workshop seats, derived from the bookings every time ``plan``
runs: nothing is scheduled when a booking is made, so a cancelled or moved booking has no
reminder to forget, and a restart loses none. ``plan`` queues in the outbox the reminder due
within the next few minutes (``HORIZON``), with ``due_at`` at its time, once per booking,
reminder and start time (the idempotency key: two runs, or two processes, queue it once).

The rules, with the settings' hours before the start (bot.settings.ReminderSettings):
- quiet hours (21:00-08:00 in Rome): a reminder that would fall inside them comes earlier,
  half an hour before they begin (20:30 that evening), so that a queue slowed by the rate
  limits still delivers it before 21:00;
- no reminder whose time came before the booking was made (a seat from the waiting list
  counts from its promotion), nor once the appointment has begun, nor for a person who
  turned reminders off or erased their data;
- when the bot was down at a reminder's time and the appointment is still ahead, the reminder
  goes late, but only the latest one due of each booking (an older one still pending is
  withdrawn), and never in the quiet hours: it then waits for their end.

Changes to a booking call ``withdraw`` in their own transaction, so its pending reminder is
never sent; ``sweep`` (at each plan) withdraws whatever is left over, e.g. by a change made
straight in the database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, select, update
from sqlmodel import Session

from conversations import describe
from conversations import reminders as texts
from conversations.i18n import TIMEZONE

from services import outbox
from services.booking_views import slot_view, workshop_view
from services.clock import local
from store.models import (Contact, InterviewBooking, InterviewSlot, OutboxMessage, WorkshopRegistration,
                          WorkshopSession, aware)

KIND = "reminder"
HORIZON = dt.timedelta(minutes=5)       # queued this long before their time: the sender is on time
BEFORE_QUIET = dt.timedelta(minutes=30)  # a reminder moved out of the quiet hours goes this early
INTERVIEW, WORKSHOP = "interview_booking", "workshop_registration"


class Settings(Protocol):
    workshop_hours: list[float]
    interview_hours: list[float]
    quiet_start: dt.time
    quiet_end: dt.time


def about(kind: str, booking_id: int) -> str:
    """What an outbox row is about: "interview_booking:12", "workshop_registration:7"."""
    return f"{kind}:{booking_id}"


# -- when ---------------------------------------------------------------------------------
def in_quiet_hours(at: dt.datetime, settings: Settings) -> bool:
    start, end, time = settings.quiet_start, settings.quiet_end, at.astimezone(TIMEZONE).time()
    if start == end:
        return False
    return start <= time < end if start < end else (time >= start or time < end)


def out_of_quiet_hours(at: dt.datetime, settings: Settings) -> dt.datetime:
    """``at``, or, inside the quiet hours, ``BEFORE_QUIET`` before they began (Rome's wall clock,
    so a clock change in the night does not move 20:30)."""
    if not in_quiet_hours(at, settings):
        return at
    day = at.astimezone(TIMEZONE).date()
    if settings.quiet_start > settings.quiet_end and at.astimezone(TIMEZONE).time() < settings.quiet_end:
        day -= dt.timedelta(days=1)  # after midnight: they began the evening before
    return local(day, settings.quiet_start) - BEFORE_QUIET


def reminder_times(starts_at: dt.datetime, hours: list[float], settings: Settings) -> list[tuple[float, dt.datetime]]:
    """(hours before, when it goes) for each reminder of an appointment."""
    return [(h, out_of_quiet_hours(starts_at - dt.timedelta(hours=h), settings)) for h in hours]


@dataclass(frozen=True)
class Due:
    hours: float           # which reminder: hours before the start
    at: dt.datetime        # its time (out of the quiet hours)
    due_at: dt.datetime    # when to send it: its time, or now if it is late


def due_reminder(*, starts_at: dt.datetime, booked_at: dt.datetime, hours: list[float], now: dt.datetime,
                 settings: Settings) -> Due | None:
    """The reminder to queue now for one booking, if any (see the module's rules)."""
    if starts_at <= now:
        return None
    times = [(h, at) for h, at in reminder_times(starts_at, hours, settings) if booked_at <= at <= now + HORIZON]
    if not times:
        return None
    chosen, at = max(times, key=lambda t: (t[1], -t[0]))
    due_at = max(at, now)
    if in_quiet_hours(due_at, settings):  # late, and the night has begun: in the morning, if still ahead
        return None
    return Due(chosen, at, due_at)


# -- planning -----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Booking:
    kind: str
    id: int
    contact_id: int
    language: str
    starts_at: dt.datetime
    booked_at: dt.datetime
    view: object  # the Slot or Workshop the text describes


def plan(sql_session: Session, *, now: dt.datetime, settings: Settings) -> int:
    """Queue the reminders due within ``HORIZON``; returns how many rows were added. Runs inside
    the caller's transaction (commit after)."""
    sweep(sql_session, now=now)
    window = now + dt.timedelta(hours=max([*settings.workshop_hours, *settings.interview_hours, 0]) + 24)
    candidates = _interviews(sql_session, now, window) + _seats(sql_session, now, window)
    queued_keys = set(sql_session.execute(select(OutboxMessage.idempotency_key).where(
        OutboxMessage.kind == KIND, OutboxMessage.about.in_([about(b.kind, b.id) for b in candidates]))).scalars())
    queued = 0
    for booking in candidates:
        hours = settings.interview_hours if booking.kind == INTERVIEW else settings.workshop_hours
        due = due_reminder(starts_at=booking.starts_at, booked_at=booking.booked_at, hours=hours, now=now,
                           settings=settings)
        if due is None:
            continue
        key = f"reminder:{about(booking.kind, booking.id)}:{due.hours:g}h:{booking.starts_at:%Y%m%dT%H%MZ}"
        if key not in queued_keys and _still_booked(sql_session, booking) and \
                _queue(sql_session, booking, due, key, now):
            queued += 1
    return queued


def _interviews(sql_session: Session, now: dt.datetime, window: dt.datetime) -> list[_Booking]:
    rows = sql_session.execute(
        select(InterviewBooking, InterviewSlot, Contact.language)
        .join(InterviewSlot, InterviewSlot.id == InterviewBooking.slot_id)
        .join(Contact, Contact.id == InterviewBooking.contact_id)
        .where(InterviewBooking.status == "booked", InterviewSlot.cancelled_at.is_(None),
               InterviewSlot.starts_at > now, InterviewSlot.starts_at <= window, *_wants_reminders())
        .order_by(InterviewBooking.id)).all()
    return [_Booking(INTERVIEW, booking.id, booking.contact_id, language, aware(slot.starts_at),
                     aware(booking.created_at), slot_view(slot)) for booking, slot, language in rows]


def _seats(sql_session: Session, now: dt.datetime, window: dt.datetime) -> list[_Booking]:
    rows = sql_session.execute(
        select(WorkshopRegistration, WorkshopSession, Contact.language)
        .join(WorkshopSession, WorkshopSession.id == WorkshopRegistration.session_id)
        .join(Contact, Contact.id == WorkshopRegistration.contact_id)
        .where(WorkshopRegistration.status == "registered", WorkshopSession.cancelled_at.is_(None),
               WorkshopSession.starts_at > now, WorkshopSession.starts_at <= window, *_wants_reminders())
        .order_by(WorkshopRegistration.id)).all()
    # updated_at: a seat given from the waiting list counts from its promotion
    return [_Booking(WORKSHOP, seat.id, seat.contact_id, language, aware(ws.starts_at),
                     max(aware(seat.created_at), aware(seat.updated_at)), workshop_view(ws))
            for seat, ws, language in rows]


def _wants_reminders():
    return Contact.erased_at.is_(None), Contact.reminders_off_at.is_(None)


def _still_booked(sql_session: Session, booking: _Booking) -> bool:
    """Lock the booking while its reminder is queued, so that a cancellation committing at the
    same moment either finds the row to withdraw or is seen here. A booking being changed right
    now (locked) is left to the next run (PostgreSQL; on SQLite writers already take turns)."""
    model, status = ((InterviewBooking, "booked") if booking.kind == INTERVIEW
                     else (WorkshopRegistration, "registered"))
    return sql_session.execute(select(model.id).where(model.id == booking.id, model.status == status)
                           .with_for_update(skip_locked=True)).first() is not None


def _queue(sql_session: Session, booking: _Booking, due: Due, key: str, now: dt.datetime) -> bool:
    reader = describe.Reader(booking.language or "it", now)
    message = (texts.interview_reminder(reader, booking.id, booking.view) if booking.kind == INTERVIEW
               else texts.workshop_reminder(reader, booking.id, booking.view))
    subject = about(booking.kind, booking.id)
    if not outbox.enqueue(sql_session, contact_id=booking.contact_id, message=message, key=key,
                          due_at=due.due_at, kind=KIND, about=subject,
                          template_params=template_params(reader, booking.kind, booking.view)):
        return False
    # only the latest reminder of a booking: an older one not sent yet (the bot was down) goes
    sql_session.execute(update(OutboxMessage).where(
        OutboxMessage.about == subject, OutboxMessage.kind == KIND, OutboxMessage.status == "pending",
        OutboxMessage.idempotency_key != key).values(status="cancelled"))
    return True


def template_params(reader: describe.Reader, kind: str, view) -> list[str]:
    """A reminder's parameters for WhatsApp's reminder template, outside the 24-hour window
    (handlers/whatsapp_outbox.py): {{1}} what, {{2}} when, in the person's language."""
    _ = reader.t.gettext
    if kind == INTERVIEW:
        return [_("your orientation interview"), describe.when(reader, view.starts_at)]
    when = reader.t.day_and_hours(view.starts_at, view.ends_at)
    return [_("the workshop «{title}»").format(title=view.title), when]


# -- withdrawing --------------------------------------------------------------------------
def withdraw(sql_session: Session, about: str) -> int:
    """Cancel the pending reminders about a booking that changed (cancelled, moved, its slot or
    session cancelled); in the caller's transaction. Rows already being sent are left alone."""
    return sql_session.execute(update(OutboxMessage).where(
        OutboxMessage.about == about, OutboxMessage.kind == KIND, OutboxMessage.status == "pending")
        .values(status="cancelled")).rowcount


def withdraw_person(sql_session: Session, contact_id: int) -> int:
    """Cancel a person's pending reminders (they turned reminders off)."""
    return sql_session.execute(update(OutboxMessage).where(
        OutboxMessage.contact_id == contact_id, OutboxMessage.kind == KIND, OutboxMessage.status == "pending")
        .values(status="cancelled")).rowcount


def forget_withdrawn(sql_session: Session, contact_id: int) -> None:
    """Delete a person's withdrawn reminders (they turned reminders on again): the planner
    queues again those whose booking is still active and ahead."""
    sql_session.execute(delete(OutboxMessage).where(
        OutboxMessage.contact_id == contact_id, OutboxMessage.kind == KIND, OutboxMessage.status == "cancelled"))


def sweep(sql_session: Session, *, now: dt.datetime) -> int:
    """Withdraw pending reminders whose booking is no longer active and ahead, or whose person
    turned reminders off or was erased: what the change itself did not withdraw."""
    pending = sql_session.execute(select(OutboxMessage.id, OutboxMessage.about).where(
        OutboxMessage.kind == KIND, OutboxMessage.status == "pending")).all()
    if not pending:
        return 0
    ids = {INTERVIEW: set(), WORKSHOP: set()}
    for _row_id, subject in pending:
        kind, _sep, number = (subject or "").partition(":")
        if kind in ids and number.isdecimal():
            ids[kind].add(int(number))
    live = {about(INTERVIEW, i) for i in sql_session.execute(
        select(InterviewBooking.id).join(InterviewSlot, InterviewSlot.id == InterviewBooking.slot_id)
        .join(Contact, Contact.id == InterviewBooking.contact_id)
        .where(InterviewBooking.id.in_(ids[INTERVIEW]), InterviewBooking.status == "booked",
               InterviewSlot.cancelled_at.is_(None), InterviewSlot.starts_at > now, *_wants_reminders())).scalars()}
    live |= {about(WORKSHOP, i) for i in sql_session.execute(
        select(WorkshopRegistration.id).join(WorkshopSession, WorkshopSession.id == WorkshopRegistration.session_id)
        .join(Contact, Contact.id == WorkshopRegistration.contact_id)
        .where(WorkshopRegistration.id.in_(ids[WORKSHOP]), WorkshopRegistration.status == "registered",
               WorkshopSession.cancelled_at.is_(None), WorkshopSession.starts_at > now, *_wants_reminders()))
        .scalars()}
    stale = [row_id for row_id, subject in pending if subject not in live]
    if not stale:
        return 0
    # rows another planner or a sender holds are left to the next run: nobody waits for anybody
    free = sql_session.execute(select(OutboxMessage.id).where(
        OutboxMessage.id.in_(stale), OutboxMessage.status == "pending",
    ).with_for_update(skip_locked=True)).scalars().all()
    done = sql_session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(free)).values(status="cancelled"))
    return done.rowcount


# -- "I'll be there" ----------------------------------------------------------------------
def confirm(sql_session: Session, model, booking_id: int, *, contact_id: int, now: dt.datetime) -> bool:
    """Record "I'll be there" on the person's active interview or seat; False if it is not."""
    status = "booked" if model is InterviewBooking else "registered"
    done = sql_session.execute(update(model).where(model.id == booking_id, model.contact_id == contact_id,
                                               model.status == status).values(confirmed_at=now))
    return done.rowcount == 1


def run(db_engine, *, now: dt.datetime, settings: Settings) -> int:
    """One planning pass in its own transaction, for the bot's scheduler tick."""
    with Session(db_engine) as sql_session, sql_session.begin():
        return plan(sql_session, now=now, settings=settings)

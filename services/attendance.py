"""The office changes a workshop session: its details, or its time. When the time moves, the
people with a seat or on the waiting list are told through the outbox (in their language,
once per new time, by services.notices) and their pending reminders are withdrawn, so the
planner plans them again for the new time. Cancelling a session is services.agenda.cancel_workshop.
Once a session has started, the office records who came (record_attendance)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from services import notices, reminders
from services.agenda import OUTCOMES, AgendaError
from services.workshops import promote_first, workshop_view
from store.models import WorkshopRegistration, WorkshopSession, aware

ACTIVE = ("registered", "waitlisted")


@dataclass
class Edited(notices.Told):
    """``rows``: the seats and waiting places told of a new time (none when the time stayed),
    ``told`` as in services.notices.Told; ``promoted``: who got one of the new seats."""

    promoted: list[WorkshopRegistration] = field(default_factory=list)


def edit_workshop(sql_session: Session, *, workshop_id: int, now: dt.datetime, title: str, description: str,
                  starts_at: dt.datetime, ends_at: dt.datetime, place: str, capacity: int,
                  language: str) -> Edited:
    """Change a session not yet started nor cancelled. AgendaError not_found, cancelled, past
    (it started, or the new start is past), order (ends before it starts), capacity (below the
    seats taken). More seats go to the people waiting (told by services.workshops). A new time
    withdraws the reminders of its seats and waiting list and tells their people."""
    workshop = sql_session.get(WorkshopSession, workshop_id)
    if workshop is None:
        raise AgendaError("not_found")
    if workshop.cancelled_at is not None:
        raise AgendaError("cancelled")
    if ends_at <= starts_at:
        raise AgendaError("order")
    moved = aware(workshop.starts_at) != starts_at or aware(workshop.ends_at) != ends_at
    if aware(workshop.starts_at) <= now or (moved and starts_at <= now):
        raise AgendaError("past")
    if capacity < workshop.registered:
        raise AgendaError("capacity")
    more_seats = capacity > workshop.capacity
    workshop.title, workshop.description, workshop.place = title, description, place
    workshop.capacity, workshop.language = capacity, language
    workshop.starts_at, workshop.ends_at = starts_at, ends_at
    sql_session.flush()
    result = Edited()
    if more_seats:  # the people waiting take the new seats, first come first served
        while (promoted := promote_first(sql_session, workshop_id, now=now)) is not None:
            result.promoted.append(promoted)
    if not moved:
        return result
    result.rows = list(sql_session.execute(select(WorkshopRegistration).where(
        WorkshopRegistration.session_id == workshop_id, WorkshopRegistration.status.in_(ACTIVE))
        .order_by(WorkshopRegistration.id)).scalars())
    for seat in result.rows:
        reminders.withdraw(sql_session, reminders.about(reminders.WORKSHOP, seat.id))
        if notices.workshop_changed(sql_session, contact_id=seat.contact_id, registration_id=seat.id,
                                    workshop=workshop_view(workshop), now=now, kind=notices.MOVED):
            result.told.add(seat.id)
    return result


def record_attendance(sql_session: Session, *, workshop_id: int, outcomes: dict[int, str], now: dt.datetime) -> int:
    """Attended or no-show for the seats of a session that has started (``outcomes``: by
    registration id; other values and other rows are left alone). AgendaError not_found,
    not_started. Returns how many seats changed."""
    workshop = sql_session.get(WorkshopSession, workshop_id)
    if workshop is None:
        raise AgendaError("not_found")
    if aware(workshop.starts_at) > now:
        raise AgendaError("not_started")
    seats = sql_session.scalars(select(WorkshopRegistration).where(
        WorkshopRegistration.session_id == workshop_id,
        WorkshopRegistration.status.in_(("registered",) + OUTCOMES))).all()
    changed = 0
    for seat in seats:
        wanted = outcomes.get(seat.id)
        if wanted in OUTCOMES and wanted != seat.status:
            seat.status, seat.updated_at = wanted, now
            changed += 1
    return changed

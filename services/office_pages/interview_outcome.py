"""An interview's outcome, recorded by the office once the interview has started: the booking
says attended or no-show, and the programme's path follows (services.programme)."""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from conversations.i18n import TIMEZONE
from services import programme
from store.models import InterviewBooking, InterviewSlot, aware

OUTCOMES = ("attended", "no_show")


class OutcomeError(ValueError):
    """Why the outcome cannot be recorded: status (not an outcome), not_found (no such booking,
    or cancelled), not_started (the interview is still to come)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def record(sql_session: Session, *, booking_id: int, status: str, note: str | None, now: dt.datetime,
           created_by: str) -> InterviewBooking:
    if status not in OUTCOMES:
        raise OutcomeError("status")
    booking = sql_session.get(InterviewBooking, booking_id)
    if booking is None or booking.status == "cancelled":
        raise OutcomeError("not_found")
    slot = sql_session.get(InterviewSlot, booking.slot_id)
    if aware(slot.starts_at) > now:
        raise OutcomeError("not_started")
    booking.status, booking.outcome_note, booking.updated_at = status, note or None, now
    programme.interview_outcome(sql_session, booking=booking, today=now.astimezone(TIMEZONE).date(),
                                timezone=TIMEZONE, created_by=created_by)
    return booking

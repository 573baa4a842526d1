"""Interview slots and bookings, workshop sessions and their seats."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from store.models.columns import utcnow, when as _when

# -- interviews and workshops ---------------------------------------------------------

ACTIVE_BOOKING = "status = 'booked'"
ACTIVE_SEAT = "status IN ('registered', 'waitlisted')"


class InterviewSlot(SQLModel, table=True):
    """An operator's free time for an orientation interview. ``booked`` never passes
    ``capacity``: bookings raise it with a conditional UPDATE, and a CHECK guards it."""

    __tablename__ = "interview_slot"
    __table_args__ = (CheckConstraint("booked >= 0 AND booked <= capacity", name="slot_capacity"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    starts_at: dt.datetime = _when(nullable=False, index=True)
    duration_minutes: int = 45
    mode: str = Field(default="in_person", max_length=16)  # in_person / phone / video
    address: Optional[str] = Field(default=None, max_length=200)
    operator: str = Field(default="", max_length=80)
    capacity: int = 1
    booked: int = 0
    cancelled_at: Optional[dt.datetime] = _when(nullable=True)
    created_at: dt.datetime = _when(nullable=False, default=utcnow)


class InterviewBooking(SQLModel, table=True):
    """A person's interview: booked, cancelled, past (its time went by, no outcome recorded yet),
    attended or no_show. One booked per person."""

    __tablename__ = "interview_booking"
    __table_args__ = (
        Index("uq_interview_booking_active", "contact_id", unique=True,
              sqlite_where=text(ACTIVE_BOOKING), postgresql_where=text(ACTIVE_BOOKING)),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key="interview_slot.id", index=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    status: str = Field(default="booked", max_length=16)
    cancel_reason: Optional[str] = Field(default=None, max_length=300)
    outcome_note: Optional[str] = Field(default=None, max_length=2000)
    confirmed_at: Optional[dt.datetime] = _when(nullable=True)  # "I'll be there" on a reminder
    created_at: dt.datetime = _when(nullable=False, default=utcnow)
    updated_at: dt.datetime = _when(nullable=False, default=utcnow)


class WorkshopSession(SQLModel, table=True):
    """One session of the "bussola" workshop cycle. ``registered`` never passes ``capacity``."""

    __tablename__ = "workshop_session"
    __table_args__ = (CheckConstraint("registered >= 0 AND registered <= capacity", name="seat_capacity"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    starts_at: dt.datetime = _when(nullable=False, index=True)
    ends_at: dt.datetime = _when(nullable=False)
    place: str = Field(default="", max_length=200)
    capacity: int = 30
    language: str = Field(default="it", max_length=8)
    registered: int = 0
    cancelled_at: Optional[dt.datetime] = _when(nullable=True)
    created_at: dt.datetime = _when(nullable=False, default=utcnow)


class WorkshopRegistration(SQLModel, table=True):
    """A seat (registered) or a place in the queue (waitlisted, first come first served by id);
    later cancelled, attended or no_show. One active per person and session."""

    __tablename__ = "workshop_registration"
    __table_args__ = (
        Index("uq_workshop_registration_active", "session_id", "contact_id", unique=True,
              sqlite_where=text(ACTIVE_SEAT), postgresql_where=text(ACTIVE_SEAT)),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="workshop_session.id", index=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    status: str = Field(default="registered", max_length=16)
    confirmed_at: Optional[dt.datetime] = _when(nullable=True)  # "I'll be there" on a reminder
    created_at: dt.datetime = _when(nullable=False, default=utcnow)
    updated_at: dt.datetime = _when(nullable=False, default=utcnow)

"""Tables. Times are stored in UTC; people are contacts with channel identities."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def aware(value: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes: they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _when(**kw) -> Any:
    return Field(sa_column=Column(DateTime(timezone=True), **kw))


class Contact(SQLModel, table=True):
    """A person, whatever channel they write from. Survives erasure as an anonymous row."""

    id: Optional[int] = Field(default=None, primary_key=True)
    language: str = Field(default="it", max_length=8)
    created_at: dt.datetime = _when(nullable=False, default=utcnow)
    erased_at: Optional[dt.datetime] = _when(nullable=True)
    # Set when the person wrote /stop or STOP: no broadcast notices until /start.
    notices_off_at: Optional[dt.datetime] = _when(nullable=True)
    # Set when the person turned reminders off in /settings.
    reminders_off_at: Optional[dt.datetime] = _when(nullable=True)


class ChannelIdentity(SQLModel, table=True):
    """How a contact is reached: scheme (telegram, whatsapp, web, console) and external id."""

    __tablename__ = "channel_identity"
    __table_args__ = (UniqueConstraint("scheme", "external_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    scheme: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    created_at: dt.datetime = _when(nullable=False, default=utcnow)
    # The platform said the person cannot be reached here (blocked the bot, chat gone):
    # nothing more is sent on this identity until they write again.
    unreachable_at: Optional[dt.datetime] = _when(nullable=True)
    unreachable_reason: Optional[str] = Field(default=None, max_length=200)
    # When the person last wrote on this channel (WhatsApp's 24-hour window).
    last_inbound_at: Optional[dt.datetime] = _when(nullable=True)


class ConversationState(SQLModel, table=True):
    """Where a person is in a flow, and the answers so far (JSON)."""

    __tablename__ = "conversation_state"

    contact_id: int = Field(foreign_key="contact.id", primary_key=True)
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: dt.datetime = _when(nullable=False, default=utcnow)


class Consent(SQLModel, table=True):
    """Consent to a version of the privacy notice, with its time."""

    id: Optional[int] = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    notice_version: str = Field(max_length=16)
    given_at: dt.datetime = _when(nullable=False, default=utcnow)


class Registration(SQLModel, table=True):
    """A confirmed self-registration, for operators to review (status "new" at first).
    One per person, erased ones aside."""

    __table_args__ = (
        Index("uq_registration_current", "contact_id", unique=True,
              sqlite_where=text("erased_at IS NULL"), postgresql_where=text("erased_at IS NULL")),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    code: str = Field(max_length=12, unique=True)
    status: str = Field(default="new", max_length=16, index=True)
    language: str = Field(default="it", max_length=8)
    first_name: Optional[str] = Field(default=None, max_length=60)
    last_name: Optional[str] = Field(default=None, max_length=60)
    birth_date: Optional[dt.date] = None
    tax_code: Optional[str] = Field(default=None, max_length=16, index=True)
    municipality: Optional[str] = Field(default=None, max_length=40)
    phone: Optional[str] = Field(default=None, max_length=20, index=True)
    email: Optional[str] = Field(default=None, max_length=254)
    situation: Optional[str] = Field(default=None, max_length=24)
    education: Optional[str] = Field(default=None, max_length=24)
    italian: Optional[str] = Field(default=None, max_length=24)
    sectors: Optional[list] = Field(default=None, sa_column=Column(JSON))
    driving: Optional[str] = Field(default=None, max_length=24)
    availability: Optional[list] = Field(default=None, sa_column=Column(JSON))
    created_at: dt.datetime = _when(nullable=False, default=utcnow)
    erased_at: Optional[dt.datetime] = _when(nullable=True)


class ProcessedUpdate(SQLModel, table=True):
    """Platform update ids already handled, so a repeated delivery is handled once."""

    __tablename__ = "processed_update"

    key: str = Field(primary_key=True, max_length=80)
    processed_at: dt.datetime = _when(nullable=False, default=utcnow, index=True)


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


class Broadcast(SQLModel, table=True):
    """A notice operators send to an audience: text per language (Italian is the fallback),
    the audience's filters, now or at ``send_at``. Status: scheduled, queued (its outbox rows
    exist), cancelled."""

    id: Optional[int] = Field(default=None, primary_key=True)
    texts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    audience: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="scheduled", max_length=16, index=True)
    send_at: dt.datetime = _when(nullable=False, default=utcnow, index=True)
    created_by: str = Field(default="", max_length=80)
    created_at: dt.datetime = _when(nullable=False, default=utcnow)
    queued_at: Optional[dt.datetime] = _when(nullable=True)
    cancelled_at: Optional[dt.datetime] = _when(nullable=True)
    skipped: int = 0  # people in the audience who could not be reached when it was queued
    # The confirmation page's one-time key: the same page sent twice (a double click, a resent
    # form) is one broadcast, never two notices to everybody.
    request_key: Optional[str] = Field(default=None, max_length=64, unique=True, index=True)


class OutboxMessage(SQLModel, table=True):
    """A message the bot starts itself (waitlist promotion, reminder, notice), sent by a drain
    loop; the idempotency key makes a second row for the same purpose impossible.

    Status: pending -> sending (claimed by a sender until ``claimed_until``) -> sent or failed;
    cancelled when what it was about went away (a cancelled booking, a cancelled broadcast).
    ``about`` names that thing (e.g. "interview_booking:12") so it can be withdrawn."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "due_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    channel: str = Field(max_length=16)
    kind: str = Field(default="notice", max_length=16)  # promotion / reminder / broadcast / notice
    about: Optional[str] = Field(default=None, max_length=60, index=True)
    broadcast_id: Optional[int] = Field(default=None, foreign_key="broadcast.id", index=True)
    content: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    due_at: dt.datetime = _when(nullable=False, default=utcnow)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    last_error: Optional[str] = Field(default=None, max_length=500)
    idempotency_key: str = Field(max_length=120, unique=True)
    claimed_by: Optional[str] = Field(default=None, max_length=60)
    claimed_until: Optional[dt.datetime] = _when(nullable=True)
    platform_message_id: Optional[str] = Field(default=None, max_length=100)
    created_at: dt.datetime = _when(nullable=False, default=utcnow)
    sent_at: Optional[dt.datetime] = _when(nullable=True)


# Tables declared beside the code that owns them, registered here for Alembic and the tests.
from db import linking, office_models, outbox_pace, programme  # noqa: E402,F401

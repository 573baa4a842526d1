"""People: contacts, their channel identities, conversation state, consents, registrations."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from store.models.columns import utcnow, when as _when


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
    # Set when the person turned job offers off: never matched to a vacancy.
    offers_off_at: Optional[dt.datetime] = _when(nullable=True)


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

"""What the bot sends by itself: broadcasts and the outbox, and the send pace per channel."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, Float, CheckConstraint, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from store.models.columns import utcnow, when as _when


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


class OutboxPace(SQLModel, table=True):
    """One row per channel: the earliest time its next platform call may go out."""

    __tablename__ = "outbox_pace"

    channel: str = Field(primary_key=True, max_length=16)
    next_at: float = Field(default=0.0, sa_column=Column(Float, nullable=False, server_default="0"))

"""The operator inbox: a person's questions to the office as conversations, their messages, and
the replies operators keep ready per language."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlmodel import Field, SQLModel

from store.models.columns import utcnow, when as _when

STATUSES = ("new", "assigned", "waiting", "closed")  # nuova, in carico, in attesa della persona, chiusa
KINDS = ("person", "operator", "note")  # from the person, an operator's reply, an internal note


class InboxConversation(SQLModel, table=True):
    """One question thread of a person with the office, on the channel they wrote from.

    ``first_response_at``: the first operator reply (the dashboard's first-response time);
    ``last_person_at`` / ``last_operator_at``: the newest message each way (the person's answers
    go to this conversation for 24 hours after ``last_operator_at``); ``seen_at``: when an operator
    last opened it (what is newer is unread)."""

    __tablename__ = "inbox_conversation"

    id: Optional[int] = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    registration_id: Optional[int] = Field(default=None, foreign_key="registration.id")
    channel: str = Field(max_length=16)
    language: str = Field(default="it", max_length=8)
    status: str = Field(default="new", max_length=16, index=True)
    assigned_to: Optional[str] = Field(default=None, max_length=80)
    opened_at: dt.datetime = _when(nullable=False, default=utcnow)
    closed_at: Optional[dt.datetime] = _when(nullable=True)
    first_response_at: Optional[dt.datetime] = _when(nullable=True)
    last_person_at: Optional[dt.datetime] = _when(nullable=True)
    last_operator_at: Optional[dt.datetime] = _when(nullable=True)
    seen_at: Optional[dt.datetime] = _when(nullable=True)


class InboxMessage(SQLModel, table=True):
    """A message of a conversation: the person's, an operator's reply (``outbox_id``: its row),
    or an internal note only operators read. ``document_id``: a file the person sent with it
    (kept by the documents' table, when there is one)."""

    __tablename__ = "inbox_message"

    id: Optional[int] = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="inbox_conversation.id", index=True)
    kind: str = Field(max_length=16)
    text: str = Field(max_length=4000)
    author: Optional[str] = Field(default=None, max_length=80)
    created_at: dt.datetime = _when(nullable=False, default=utcnow)
    document_id: Optional[int] = Field(default=None)
    outbox_id: Optional[int] = Field(default=None)


class InboxCannedReply(SQLModel, table=True):
    """A reply operators insert with one click, in one of the person's languages; admins edit them."""

    __tablename__ = "inbox_canned_reply"

    id: Optional[int] = Field(default=None, primary_key=True)
    language: str = Field(default="it", max_length=8, index=True)
    title: str = Field(max_length=80)
    text: str = Field(max_length=2000)
    updated_at: dt.datetime = _when(nullable=False, default=utcnow)

"""One-time codes that join a second chat app to a registration, and the wrong codes typed."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlmodel import Field, SQLModel

from store.models.columns import when as _when


class LinkCode(SQLModel, table=True):
    """A one-time code a registered contact asked for, to link another chat app."""

    __tablename__ = "link_code"

    id: Optional[int] = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    salt: str = Field(max_length=32)
    code_hash: str = Field(max_length=64)
    created_at: dt.datetime = _when(nullable=False)
    expires_at: dt.datetime = _when(nullable=False, index=True)
    used_at: Optional[dt.datetime] = _when(nullable=True)


class LinkAttempt(SQLModel, table=True):
    """A wrong code typed by a contact: a few of them lock the contact out for a while."""

    __tablename__ = "link_attempt"

    id: Optional[int] = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    at: dt.datetime = _when(nullable=False)

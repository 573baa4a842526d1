"""The programme's path: one row per step of a person's path, on a day."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlmodel import Field, SQLModel

from store.models.columns import utcnow, when as _when


class ProgrammeEvent(SQLModel, table=True):
    """One step of a person's path, on a day. Selection: ``company``. Placement: ``company``,
    ``contract_type``, ``day`` is the contract's start. Closed: ``reason`` (CLOSE_REASONS)."""

    __tablename__ = "programme_event"

    id: Optional[int] = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    kind: str = Field(max_length=16, index=True)
    day: dt.date = Field(index=True)
    company: Optional[str] = Field(default=None, max_length=200)
    contract_type: Optional[str] = Field(default=None, max_length=16)
    reason: Optional[str] = Field(default=None, max_length=24)
    note: Optional[str] = Field(default=None, max_length=2000)
    source: str = Field(default="office", max_length=16)  # office / agenda / import
    source_key: Optional[str] = Field(default=None, max_length=120, unique=True)
    created_by: str = Field(default="", max_length=80)
    created_at: dt.datetime = _when(nullable=False, default=utcnow)

"""Column helpers shared by the tables: times are stored in UTC, timezone-aware."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, DateTime
from sqlmodel import Field


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def aware(value: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes: they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def when(**kw) -> Any:
    """A timezone-aware datetime column."""
    return Field(sa_column=Column(DateTime(timezone=True), **kw))

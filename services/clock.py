"""The time as the application reads it: now in UTC, and stored times as UTC instants
(SQLite gives them back naive: never read them as the machine's local time)."""
from __future__ import annotations

import datetime as dt

from conversations.i18n import TIMEZONE
from store.models import aware, utcnow

__all__ = ["aware", "local", "utcnow"]


def local(day: dt.date, time: dt.time) -> dt.datetime:
    """A Rome wall-clock time as a UTC instant (a time the spring change skips reads as the
    hour before the change; one the autumn change repeats, as its first occurrence)."""
    return dt.datetime.combine(day, time, TIMEZONE).astimezone(dt.timezone.utc)

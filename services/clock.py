"""The time as the application reads it: now in UTC, and stored times as UTC instants
(SQLite gives them back naive: never read them as the machine's local time)."""
from __future__ import annotations

from store.models import aware, utcnow

__all__ = ["aware", "utcnow"]

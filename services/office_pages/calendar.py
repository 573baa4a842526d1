"""The agenda page's days: each day's interview slots (cancelled ones too), each with its
bookings of every status, in Rome's calendar."""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from conversations.i18n import TIMEZONE
from services import agenda, rosters
from store.models import InterviewSlot, aware

Day = tuple[dt.date, list[tuple[InterviewSlot, list[rosters.BookingRow]]]]


def days(sql_session: Session, *, first: dt.date, length: int) -> list[Day]:
    """``length`` days from ``first``: (the day, [(slot, its bookings)]), slots by start."""
    start = agenda.local(first, dt.time(0, 0))
    end = agenda.local(first + dt.timedelta(days=length), dt.time(0, 0))
    slots = agenda.slots_between(sql_session, start=start, end=end)
    bookings: dict[int, list[rosters.BookingRow]] = {}
    for row in rosters.bookings_between(sql_session, start=start, end=end, statuses=None):
        bookings.setdefault(row.slot.id, []).append(row)
    found = []
    for offset in range(length):
        date = first + dt.timedelta(days=offset)
        found.append((date, [(slot, bookings.get(slot.id, [])) for slot in slots
                             if aware(slot.starts_at).astimezone(TIMEZONE).date() == date]))
    return found

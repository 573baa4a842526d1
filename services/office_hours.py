"""The office's opening hours: when the office answers (the chat's confirmation says when to
expect an answer) and how much of a waiting time fell within them (the dashboard's first-response
time). Rome's wall clock; Saturdays, Sundays and public holidays (services.public_holidays) closed."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from conversations.i18n import TIMEZONE

from services import public_holidays

# Monday to Friday (weekday 0-4) 9:00-13:00, Tuesday and Thursday also 14:30-17:00: the hours the
# programme information tells people (services/info_texts, "Orari e telefono"). The one place the
# chat's confirmation and the dashboard read them; change the information's text with them.
_MORNING, _AFTERNOON = (dt.time(9, 0), dt.time(13, 0)), (dt.time(14, 30), dt.time(17, 0))
OFFICE_HOURS: dict[int, tuple[tuple[dt.time, dt.time], ...]] = {
    day: (_MORNING, _AFTERNOON) if day in (1, 3) else (_MORNING,) for day in range(5)}
LOOK_AHEAD = 30  # days searched for the next opening (Christmas and a long bridge fit easily)


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(public_holidays.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))


def windows(day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The day's opening windows as UTC instants; none on a holiday or a weekend."""
    if day in _holidays(day.year):
        return []
    return [(dt.datetime.combine(day, start, TIMEZONE).astimezone(dt.timezone.utc),
             dt.datetime.combine(day, end, TIMEZONE).astimezone(dt.timezone.utc))
            for start, end in OFFICE_HOURS.get(day.weekday(), ())]


def is_open(at: dt.datetime) -> bool:
    return any(start <= at < end for start, end in windows(at.astimezone(TIMEZONE).date()))


def next_opening(at: dt.datetime) -> dt.datetime | None:
    """None while the office is open at ``at``; otherwise when it opens next."""
    day = at.astimezone(TIMEZONE).date()
    for offset in range(LOOK_AHEAD):
        for start, end in windows(day + dt.timedelta(days=offset)):
            if start <= at < end:
                return None
            if start > at:
                return start
    return None


def open_seconds(start: dt.datetime, end: dt.datetime) -> float:
    """Seconds between ``start`` and ``end`` that fell within office hours."""
    if end <= start:
        return 0.0
    total, day = 0.0, start.astimezone(TIMEZONE).date()
    last = end.astimezone(TIMEZONE).date()
    while day <= last:
        for opens, closes in windows(day):
            total += max(0.0, (min(closes, end) - max(opens, start)).total_seconds())
        day += dt.timedelta(days=1)
    return total

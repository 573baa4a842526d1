"""What operators read on the command line: plain-text tables, dates in Italian via Babel
("mar 1 dic 2026 09:00", Rome's time)."""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Sequence

from babel import dates as babel_dates

from conversations.i18n import TIMEZONE
from services.agenda import local
from services.clock import aware  # SQLite returns naive UTC: never read it as the machine's local time

DAY_NAMES = ("lun", "mar", "mer", "gio", "ven", "sab", "dom")
MODES = {"in_person": "in presenza", "phone": "telefono", "video": "video"}


def when(value: dt.datetime) -> str:
    """ "mar 1 dic 2026 09:00", in Rome's time."""
    return babel_dates.format_datetime(aware(value).astimezone(TIMEZONE), "EEE d MMM y HH:mm", tzinfo=TIMEZONE,
                                       locale="it")


def day(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = aware(value).astimezone(TIMEZONE).date()
    return babel_dates.format_date(value, "EEE d MMM y", locale="it")


def hour(value: dt.datetime) -> str:
    return babel_dates.format_time(aware(value).astimezone(TIMEZONE), "HH:mm", tzinfo=TIMEZONE, locale="it")


def days_text(weekdays: Iterable[int]) -> str:
    return ", ".join(DAY_NAMES[d] for d in sorted(weekdays))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Columns padded to their widest cell, a rule under the headers."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def person_name(registration) -> str:
    if registration is None:
        return "(anonimo)"
    return " ".join(p for p in (registration.first_name, registration.last_name) if p) or "(senza nome)"


def field(registration, name: str) -> str:
    return getattr(registration, name, None) or "-"


def mode(value: str) -> str:
    return MODES.get(value, value)


def slot_line(slot) -> str:
    where = slot.address if slot.mode == "in_person" else mode(slot.mode)
    return f"{when(slot.starts_at)}, {slot.duration_minutes} min, {slot.operator}, {where}"


def span(workshop_session) -> str:
    """ "mer 9 dic 2026 09:30-12:30" (the end in full when it falls on another day)."""
    end = hour(workshop_session.ends_at)
    if day(workshop_session.ends_at) != day(workshop_session.starts_at):
        end = when(workshop_session.ends_at)
    return f"{when(workshop_session.starts_at)}-{end}"


def period(since: dt.date | None, days: int, now: dt.datetime) -> tuple[dt.datetime, dt.datetime, str]:
    """[start, end) in UTC for ``days`` local days from ``since`` (default today), and its label."""
    first = since or now.astimezone(TIMEZONE).date()
    last = first + dt.timedelta(days=days - 1)
    label = f"dal {day(first)} al {day(last)}" if last > first else f"di {day(first)}"
    start, end = local(first, dt.time(0)), local(last + dt.timedelta(days=1), dt.time(0))
    return start, end, label

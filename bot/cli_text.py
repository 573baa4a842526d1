"""What operators type and read on the command line: Italian input formats (dates, times,
day names) with Italian error messages, plain-text tables, dates in Italian via Babel."""
from __future__ import annotations

import argparse
import datetime as dt
import re
import unicodedata
from typing import Iterable, Sequence

from babel import dates as babel_dates

from conversations.i18n import TIMEZONE

DAYS = {  # Monday is 0, as in date.weekday()
    "lun": 0, "lunedi": 0, "mon": 0, "monday": 0,
    "mar": 1, "martedi": 1, "tue": 1, "tuesday": 1,
    "mer": 2, "mercoledi": 2, "wed": 2, "wednesday": 2,
    "gio": 3, "giovedi": 3, "thu": 3, "thursday": 3,
    "ven": 4, "venerdi": 4, "fri": 4, "friday": 4,
    "sab": 5, "sabato": 5, "sat": 5, "saturday": 5,
    "dom": 6, "domenica": 6, "sun": 6, "sunday": 6,
}
DAY_NAMES = ("lun", "mar", "mer", "gio", "ven", "sab", "dom")
MODES = {"in_person": "in presenza", "phone": "telefono", "video": "video"}
EXAMPLE_DATE, EXAMPLE_TIME = "2026-12-01 oppure 01/12/2026", "09:00"


def _invalid(message: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(message)


# -- input ------------------------------------------------------------------------------

def date_arg(text: str) -> dt.date:
    value = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise _invalid(f"data non valida «{text}» (esempio: {EXAMPLE_DATE})")


def time_arg(text: str) -> dt.time:
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?", text.strip())
    if match:
        hour, minute = int(match[1]), int(match[2] or 0)
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise _invalid(f"ora non valida «{text}» (esempio: {EXAMPLE_TIME})")


def datetime_arg(text: str) -> tuple[dt.date, dt.time]:
    """Local (Rome) date and time, "2026-12-01 09:00"; kept apart until made a UTC instant."""
    parts = text.strip().replace("T", " ").split()
    if len(parts) != 2:
        raise _invalid(f"data e ora non valide «{text}» (esempio: 2026-12-01 09:00)")
    try:
        return date_arg(parts[0]), time_arg(parts[1])
    except argparse.ArgumentTypeError:
        raise _invalid(f"data e ora non valide «{text}» (esempio: 2026-12-01 09:00)") from None


def days_arg(text: str) -> list[int]:
    """ "tue,thu", "mar,gio", "lun-ven", "martedì giovedì": weekdays, Monday 0."""
    chosen, unknown = set(), []
    for word in re.split(r"[,;\s]+", _plain(text)):
        if not word:
            continue
        first, _dash, last = word.partition("-")
        if first in DAYS and (not last or last in DAYS):
            start, end = DAYS[first], DAYS[last or first]
            chosen.update(range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)])
        else:
            unknown.append(word)
    if unknown or not chosen:
        names = ", ".join(unknown) or "nessuno"
        raise _invalid(f"giorno non riconosciuto: {names} (usa lun, mar, mer, gio, ven, sab, dom "
                       "oppure mon, tue, wed, thu, fri, sat, sun, separati da virgole)")
    return sorted(chosen)


def positive_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise _invalid(f"numero non valido «{text}»") from None
    if value < 1:
        raise _invalid(f"deve essere almeno 1 (non {value})")
    return value


def text_arg(text: str) -> str:
    value = " ".join(text.split())
    if not value:
        raise _invalid("non può essere vuoto")
    return value


def _plain(text: str) -> str:
    """Lower case without accents: "Martedì" -> "martedi"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# -- output -----------------------------------------------------------------------------

def when(value: dt.datetime) -> str:
    """ "mar 1 dic 2026 09:00", in Rome's time."""
    return babel_dates.format_datetime(value.astimezone(TIMEZONE), "EEE d MMM y HH:mm", tzinfo=TIMEZONE,
                                       locale="it")


def day(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = value.astimezone(TIMEZONE).date()
    return babel_dates.format_date(value, "EEE d MMM y", locale="it")


def hour(value: dt.datetime) -> str:
    return babel_dates.format_time(value.astimezone(TIMEZONE), "HH:mm", tzinfo=TIMEZONE, locale="it")


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

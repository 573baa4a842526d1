"""What operators type on the command line: Italian (or English) dates, times and day names,
checked as argparse parses them, with Italian error messages. Light on imports: it is
loaded whenever ``python -m bot`` starts."""
from __future__ import annotations

import argparse
import datetime as dt
import re
import unicodedata
from typing import Callable

DAYS = {  # Monday is 0, as in date.weekday()
    "lun": 0, "lunedi": 0, "mon": 0, "monday": 0,
    "mar": 1, "martedi": 1, "tue": 1, "tuesday": 1,
    "mer": 2, "mercoledi": 2, "wed": 2, "wednesday": 2,
    "gio": 3, "giovedi": 3, "thu": 3, "thursday": 3,
    "ven": 4, "venerdi": 4, "fri": 4, "friday": 4,
    "sab": 5, "sabato": 5, "sat": 5, "saturday": 5,
    "dom": 6, "domenica": 6, "sun": 6, "sunday": 6,
}
MODES = ("in_person", "phone", "video")
EXAMPLE_DATE, EXAMPLE_TIME = "2026-12-01 oppure 01/12/2026", "09:00"


class CliError(Exception):
    """An input refused after parsing (by a check across options, or by the database):
    shown as "errore: ...", exit status 2."""


def _invalid(message: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(message)


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


def positive_arg(text: str, *, most: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise _invalid(f"numero non valido «{text}»") from None
    if value < 1:
        raise _invalid(f"deve essere almeno 1 (non {value})")
    if most is not None and value > most:
        raise _invalid(f"deve essere al massimo {most} (non {value})")
    return value


def at_most(most: int) -> Callable[[str], int]:
    """A whole number from 1 to ``most``."""
    return lambda text: positive_arg(text, most=most)


def text_arg(text: str, *, limit: int = 200) -> str:
    value = " ".join(text.split())
    if not value:
        raise _invalid("non può essere vuoto")
    if len(value) > limit:
        raise _invalid(f"troppo lungo: al massimo {limit} caratteri (ne ha {len(value)})")
    return value


def text_of(limit: int) -> Callable[[str], str]:
    """Text on one line, not empty, at most ``limit`` characters (the column's length)."""
    return lambda text: text_arg(text, limit=limit)


def _plain(text: str) -> str:
    """Lower case without accents: "Martedì" -> "martedi"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))

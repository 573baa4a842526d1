"""What operators type, read once for every tool they type it in (the command line, the back
office): Italian or English dates, times, day names, whole numbers and one-line texts.

A wrong input raises ``Invalid`` with a message for the operator (Italian, as the office works)
and a ``reason`` a caller may word in its own language instead. Light on imports (the standard
library only): ``python -m bot`` loads it whenever it starts.
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import unicodedata

DAYS = {  # Monday is 0, as in date.weekday()
    "lun": 0, "lunedi": 0, "mon": 0, "monday": 0,
    "mar": 1, "martedi": 1, "tue": 1, "tuesday": 1,
    "mer": 2, "mercoledi": 2, "wed": 2, "wednesday": 2,
    "gio": 3, "giovedi": 3, "thu": 3, "thursday": 3,
    "ven": 4, "venerdi": 4, "fri": 4, "friday": 4,
    "sab": 5, "sabato": 5, "sat": 5, "saturday": 5,
    "dom": 6, "domenica": 6, "sun": 6, "sunday": 6,
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")
EXAMPLE_DATE, EXAMPLE_TIME, EXAMPLE_DATETIME = "2026-12-01 oppure 01/12/2026", "09:00", "2026-12-01 09:00"


class Invalid(ValueError):
    """A wrong input: ``str(error)`` is the message for the operator; ``reason`` says which
    rule it broke (day, time, datetime, weekdays, number, too_small, too_big, empty, too_long)."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason


def parse_day(text: str) -> dt.date:
    """ "2026-12-01", "01/12/2026", "01.12.2026" or "01-12-2026"."""
    value = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise Invalid(f"data non valida «{text}» (esempio: {EXAMPLE_DATE})", reason="day")


def parse_time(text: str) -> dt.time:
    """ "9", "09:00" or "9.30"."""
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?", text.strip())
    if match:
        hour, minute = int(match[1]), int(match[2] or 0)
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise Invalid(f"ora non valida «{text}» (esempio: {EXAMPLE_TIME})", reason="time")


def parse_datetime(text: str) -> tuple[dt.date, dt.time]:
    """Local (Rome) date and time, "2026-12-01 09:00"; kept apart until made a UTC instant
    (services.agenda.local)."""
    parts = text.strip().replace("T", " ").split()
    try:
        if len(parts) == 2:
            return parse_day(parts[0]), parse_time(parts[1])
    except Invalid:
        pass
    raise Invalid(f"data e ora non valide «{text}» (esempio: {EXAMPLE_DATETIME})", reason="datetime")


def parse_end(text: str) -> tuple[dt.date | None, dt.time]:
    """The end of something that starts on a known day: a date and time, or only the time
    (no date: the same day)."""
    if len(text.split()) == 1 and "-" not in text and "/" not in text:
        return None, parse_time(text)
    return parse_datetime(text)


def parse_weekdays(text: str) -> list[int]:
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
        raise Invalid(f"giorno non riconosciuto: {names} (usa lun, mar, mer, gio, ven, sab, dom "
                      "oppure mon, tue, wed, thu, fri, sat, sun, separati da virgole)", reason="weekdays")
    return sorted(chosen)


def parse_whole(text: str, *, least: int = 1, most: int | None = None) -> int:
    """A whole number from ``least`` (default 1) to ``most`` (no limit when None)."""
    try:
        value = int(text)
    except ValueError:
        raise Invalid(f"numero non valido «{text}»", reason="number") from None
    if value < least:
        raise Invalid(f"deve essere almeno {least} (non {value})", reason="too_small")
    if most is not None and value > most:
        raise Invalid(f"deve essere al massimo {most} (non {value})", reason="too_big")
    return value


def parse_line(text: str, *, limit: int = 200) -> str:
    """Text on one line (spaces collapsed), not empty, at most ``limit`` characters."""
    value = " ".join(text.split())
    if not value:
        raise Invalid("non può essere vuoto", reason="empty")
    if len(value) > limit:
        raise Invalid(f"troppo lungo: al massimo {limit} caratteri (ne ha {len(value)})", reason="too_long")
    return value


def _plain(text: str) -> str:
    """Lower case without accents: "Martedì" -> "martedi"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# -- the command lines' parsers ------------------------------------------------------------------
_ARGPARSE_ITALIAN = (  # argparse's own messages are English
    (r"^the following arguments are required: (.*)$", r"parametri obbligatori mancanti: \1"),
    (r"^argument (\S+): invalid choice: (.*?) \(choose from (.*)\)$",
     r"parametro \1: valore non ammesso \2 (ammessi: \3)"),
    (r"^argument (\S+): expected one argument$", r"parametro \1: manca il valore"),
    (r"^argument (\S+): ", r"parametro \1: "),
    (r"^unrecognized arguments: (.*)$", r"parametri non riconosciuti: \1"),
)


class OperatorParser(argparse.ArgumentParser):
    """An operators' command line (``python -m backoffice``): errors in Italian, on stderr, exit
    status 2, never a traceback."""

    def error(self, message: str):
        for pattern, replacement in _ARGPARSE_ITALIAN:
            message = re.sub(pattern, replacement, message)
        sys.stderr.write(self.format_usage().replace("usage:", "uso:", 1))
        self.exit(2, f"errore: {message}\n")

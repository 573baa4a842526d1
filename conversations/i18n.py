"""Translations and locale-aware formatting for one person's language.

Strings are marked with ``_()`` / ``N_()`` in English; ``locales/`` holds a catalog for each
language of conversations.languages (Italian the default). Dates are shown in Europe/Rome, the
way the person's language writes them.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel.support import NullTranslations, Translations

from . import languages

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
TIMEZONE = ZoneInfo("Europe/Rome")


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


class Translator:
    """gettext plus dates for one language."""

    def __init__(self, language: str | None):
        known = languages.get(language)  # the default for a language the bot does not speak
        self.language, self.locale, self.direction = known.code, known.locale, known.direction
        self._catalog = _load(self.language)

    def gettext(self, message: str) -> str:
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog.ngettext(singular, plural, n)

    def format_date(self, value: dt.date | dt.datetime, fmt: str = "long") -> str:
        """A date; an aware datetime (UTC in the database) counts by its day in Rome."""
        return babel_dates.format_date(_rome_day(value), format=fmt, locale=self.locale)

    def format_datetime(self, value: dt.datetime, fmt: str = "full") -> str:
        """Format an aware datetime (UTC in the database) in Rome's local time."""
        local = value.astimezone(TIMEZONE)
        return babel_dates.format_datetime(local, format=fmt, tzinfo=TIMEZONE, locale=self.locale)

    def day_label(self, value: dt.date | dt.datetime) -> str:
        """A short day for a button: "mar 1 dic" / "Tue, Dec 1" (datetimes by their day in Rome)."""
        return babel_dates.format_skeleton("MMMEd", _rome_day(value), locale=self.locale)

    def time_label(self, value: dt.datetime) -> str:
        """The local time of day: "09:30"."""
        return babel_dates.format_time(value.astimezone(TIMEZONE), "HH:mm", tzinfo=TIMEZONE,
                                       locale=self.locale)

    def month_names(self) -> dict[int, list[str]]:
        """Wide and abbreviated month names, for parsing "5 marzo 1990"."""
        wide = babel_dates.get_month_names("wide", locale=self.locale)
        short = babel_dates.get_month_names("abbreviated", locale=self.locale)
        return {m: [wide[m], short[m]] for m in range(1, 13)}


def _rome_day(value: dt.date | dt.datetime) -> dt.date:
    return value.astimezone(TIMEZONE).date() if isinstance(value, dt.datetime) else value


@lru_cache(maxsize=None)
def _load(language: str) -> NullTranslations:
    return Translations.load(str(LOCALES_DIR), [language], domain="messages")


@lru_cache(maxsize=None)
def translator(language: str | None) -> Translator:
    return Translator(language)

"""Translations and locale-aware formatting for one person's language.

Strings are marked with ``_()`` / ``N_()`` in English; ``locales/`` holds a catalog for each
language of conversations.languages (Italian the default). Dates are shown in Europe/Rome, the
way the person's language writes them, and always unambiguous: the month in words, the day before
or after it as the language has it, a 24-hour clock. Never CLDR's "short" or "medium" widths:
American English writes 4 December as "12/4/26" and 10:45 as "10:45 AM", which people here read
as 12 April, and some languages' short times have a day period ("h:mm a"). Digits are Latin in
every language (Babel's dates always are; the registry's locales keep its numbers so too): the
codes, phone numbers and codice fiscale the office writes are Latin, and one message should not
mix two sets of digits. Typed digits of any script are read (conversations.typed).

Values put into a translated sentence (names, codes, phone numbers, dates) go through
``Translator.isolate``: in a right-to-left language a Latin code or "+39 347 123 4567" inside
Arabic would otherwise be reordered by the Unicode bidi algorithm ("4567 123 347 39+").
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from functools import cached_property, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel.support import NullTranslations, Translations

from . import languages

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
TIMEZONE = ZoneInfo("Europe/Rome")
WORDED = ("long", "full")  # CLDR's date widths with the month in words, in every language
FSI, PDI = "\u2068", "\u2069"  # FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


class Translator:
    """gettext plus dates for one language."""

    def __init__(self, language: str | None):
        known = languages.get(language)  # the default for a language the bot does not speak
        self.language, self.locale = known.code, known.locale
        self._catalog = _load(self.language)

    @cached_property
    def direction(self) -> str:
        """"ltr" or "rtl", asked when needed: it loads the language's CLDR data (a megabyte each),
        which the command menu's nine catalogs at start-up do not need."""
        return languages.get(self.language).direction

    def gettext(self, message: str) -> str:
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog.ngettext(singular, plural, n)

    def format_date(self, value: dt.date | dt.datetime, fmt: str = "long") -> str:
        """A date with the month in words: "4 dicembre 2026"; "full" adds the day of the week
        ("venerdì 4 dicembre 2026"). An aware datetime (UTC in the database) counts by its day
        in Rome."""
        if fmt not in WORDED:
            raise ValueError(f"dates are written {' or '.join(WORDED)}, never {fmt!r} (numeric)")
        return babel_dates.format_date(_rome_day(value), format=fmt, locale=self.locale)

    def format_datetime(self, value: dt.datetime, fmt: str = "long") -> str:
        """An aware datetime's day and time in Rome: "4 dicembre 2026, 10:45" ("full": with the
        day of the week)."""
        _ = self.gettext
        # Translators: a date and a time of day, "4 dicembre 2026, 10:45" (24-hour clock)
        return _("{day}, {time}").format(day=self.format_date(value, fmt), time=self.time_label(value))

    def day_and_hours(self, start: dt.datetime, end: dt.datetime) -> str:
        """A session's day and hours in Rome: "sabato 28 novembre 2026, 15:00-17:00", each time
        isolated (Arabic and Urdu write them with words between: "من 15:00 إلى 17:00")."""
        _ = self.gettext
        # Translators: a workshop's day and hours, "sabato 28 novembre 2026, 15:00-17:00". In a right-to-left
        # language write the hours with words ("من {start} إلى {end}"), not a dash: around a dash they read backwards
        return _("{day}, {start}-{end}").format(day=self.format_date(start, "full"),
                                                start=self.isolate(self.time_label(start)),
                                                end=self.isolate(self.time_label(end)))

    def day_label(self, value: dt.date | dt.datetime) -> str:
        """A short day for a button: "ven 4 dic" / "Fri, 4 Dec" (datetimes by their day in Rome)."""
        return babel_dates.format_skeleton("MMMEd", _rome_day(value), locale=self.locale)

    def time_label(self, value: dt.datetime) -> str:
        """The local time of day on a 24-hour clock, the language's way: "09:30"."""
        return babel_dates.format_skeleton("Hm", value.astimezone(TIMEZONE), tzinfo=TIMEZONE,
                                           locale=self.locale)

    def isolate(self, value: object) -> str:
        """A value for a translated sentence (a name, a code, a phone number, a date), wrapped in
        Unicode's isolates (FSI ... PDI) where its direction could upset the sentence's: always in
        a right-to-left language, and in a left-to-right one only a value with right-to-left
        letters (an Arabic name in an Italian sentence). Latin values in Italian or English stay
        as they are: nothing to fix there, and their texts stay plain to read and to test."""
        text = str(value)
        if text and "\n" not in text and (self.direction == "rtl" or has_rtl(text)):
            return f"{FSI}{text}{PDI}"
        return text


def month_names(locale: str) -> dict[int, list[str]]:
    """Wide and abbreviated month names, as in a date and standing alone (Ukrainian writes
    "14 лютого" but names the month "лютий"), for parsing "5 marzo 1990"."""
    names: dict[int, list[str]] = {m: [] for m in range(1, 13)}
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in babel_dates.get_month_names(width, context, locale).items():
                names[number].append(name)
    return names


def has_rtl(text: str) -> bool:
    """Whether ``text`` has a right-to-left letter (Hebrew, Arabic, Urdu's script...)."""
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def _rome_day(value: dt.date | dt.datetime) -> dt.date:
    return value.astimezone(TIMEZONE).date() if isinstance(value, dt.datetime) else value


@lru_cache(maxsize=None)
def _load(language: str) -> NullTranslations:
    return Translations.load(str(LOCALES_DIR), [language], domain="messages")


@lru_cache(maxsize=None)
def translator(language: str | None) -> Translator:
    return Translator(language)

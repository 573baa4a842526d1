"""The month names and date words people may type, from CLDR (Babel's data), kept as a table.

Reading dates in words looks at every region where a language is spoken (Arabic from Morocco
writes "غشت", from the Levant "آب" or "كانون الثاني", where plain "ar" writes "أغسطس"): 246
of Babel's locales. Loading them when a person first typed a date took about a second and kept
26 MB in Babel's cache for the rest of the process, so the names are kept in
``cldr_dates.json`` instead, built from Babel by ``scripts/update_tables.py``;
tests/test_generated_tables.py checks the table against Babel's data (after a Babel upgrade, run
the script again).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from . import languages
from .engine import normalize
from .i18n import month_names

TABLE = Path(__file__).resolve().parent / "cldr_dates.json"


def months(language: str) -> dict[str, int]:
    """A language's month names, normalised as typed text is, to their numbers: those of its
    registry locale first, then those of every region where it is spoken."""
    return _table()["months"].get(language, {})


@lru_cache(maxsize=1)
def date_words() -> frozenset[str]:
    """The words the registry's languages write around a date's numbers and month: Spanish "de",
    Ukrainian "р." (рік), the quoted literals of CLDR's date patterns; and the days of the week
    ("domenica 14 febbraio 1988", as the bot itself writes dates)."""
    return frozenset(_table()["date_words"])


@lru_cache(maxsize=1)
def _table() -> dict:
    return json.loads(TABLE.read_text(encoding="utf-8"))


def build() -> dict:
    """The table from Babel's data (slow: every region's locale)."""
    return {"months": {language.code: _months_from_babel(language.locale) for language in languages.ALL},
            "date_words": sorted(_date_words_from_babel())}


def _months_from_babel(locale_name: str) -> dict[str, int]:
    from babel import Locale
    from babel.localedata import locale_identifiers

    own = Locale.parse(locale_name)
    regions = sorted(i for i in locale_identifiers() if i.split("_")[0] == own.language)
    found: dict[str, int] = {}
    for locale in (str(own), *regions):
        for number, names in month_names(locale).items():
            for name in names:
                found.setdefault(normalize(name).rstrip("."), number)
    return found


def _date_words_from_babel() -> set[str]:
    from babel import Locale
    from babel.dates import get_day_names

    found = set()
    for language in languages.ALL:
        for width in ("long", "medium", "full"):
            pattern = Locale.parse(language.locale).date_formats[width].pattern
            for literal in re.findall(r"'([^']+)'", pattern):
                found.update(literal.split())
        for width in ("wide", "abbreviated"):
            found.update(get_day_names(width, "format", language.locale).values())
    return {plain for word in found if (plain := normalize(word).strip("."))}

"""Italian first. sqladmin ships English, German and a few more, not Italian: our catalog
(locales/it/LC_MESSAGES/office.po) holds sqladmin's strings and ours, and is registered with
sqladmin's i18n as the locale "it", the default. English is sqladmin's own plus our English msgids.
``python -m backoffice.i18n`` adds new strings of the code and templates to the catalog.

Dates are shown the Italian way in both languages (25/11/2026, 11:00 Rome time).

The office's own languages are not the job seekers' (conversations.languages): ``person_language``
names one of theirs in the operator's language, from Babel's data ("Inglese", "Arabic")."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, Translations
from sqladmin import i18n as sqladmin_i18n
from sqladmin.i18n import I18nConfig, gettext

from conversations import languages
from conversations.i18n import TIMEZONE

HERE = Path(__file__).resolve().parent
CATALOG = HERE / "locales" / "it" / "LC_MESSAGES" / "office.po"
OFFICE_LANGUAGES = ("it", "en")  # the operators' interface: sqladmin's and our catalog
COOKIE = "office_language"

_ = gettext


class LazyText(LazyProxy):
    """A label translated each time it is shown, in the request's language; hashable, because
    sqladmin also uses column labels as dictionary keys."""

    def __hash__(self) -> int:
        return hash(self._args[0])


def L_(message: str) -> LazyText:
    """For labels defined at import time."""
    return LazyText(gettext, message, enable_cache=False)


def N_(message: str) -> str:
    """Mark a string for the catalog; it is translated where it is shown."""
    return message


def install() -> I18nConfig:
    """Register Italian with sqladmin (once per process) and return the back office's config."""
    if "it" not in sqladmin_i18n.translations:
        with CATALOG.open("rb") as handle:
            catalog = read_po(handle, locale="it")
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        sqladmin_i18n.translations["it"] = Translations(compiled, domain="office")
    if "it" not in sqladmin_i18n.SUPPORTED_LOCALES:
        sqladmin_i18n.SUPPORTED_LOCALES.append("it")
    # No Accept-Language: Italian unless the operator picks English (kept in a cookie).
    return I18nConfig(default_locale="it", language_cookie_name=COOKIE, language_header_name=None,
                      language_switcher=list(OFFICE_LANGUAGES))


def current_language() -> str:
    return sqladmin_i18n.get_locale()


def person_language(code: str, *, in_text: bool = False) -> str:
    """A job seeker's language named in the operator's language: "Inglese" / "English" (in a
    sentence, "inglese")."""
    if code not in languages.CODES:
        return code
    language = languages.get(code)
    return language.name_in(current_language()) if in_text else language.label_in(current_language())


def person_language_for_operators(code: str) -> str:
    """A job seeker's language as the office lists it: its name in the operator's language, and
    in itself when that reads otherwise ("Arabo (العربية)", "Inglese (English)", "Italiano"), so
    that an operator can name it and recognise it on the person's screen."""
    named = person_language(code)
    native = languages.get(code).native if code in languages.CODES else named
    return named if native.casefold() == named.casefold() else f"{named} ({native})"


def person_languages() -> dict[str, LazyText]:
    """The job seekers' languages for a filter or a form: code -> its name, translated when shown."""
    return {code: LazyText(person_language, code, enable_cache=False) for code in languages.CODES}


def format_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    return value.strftime("%d/%m/%Y")


def format_datetime(value: dt.datetime | None) -> str:
    return "" if value is None else _local(value).strftime("%d/%m/%Y %H:%M")


def _local(value: dt.datetime) -> dt.datetime:
    """Times are UTC in the database (SQLite hands them back naive)."""
    return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).astimezone(TIMEZONE)

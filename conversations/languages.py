"""The languages job seekers can use, one line each: every layer reads them from here.

Adding a language is one line in ``ALL`` plus its catalog, locales/<code>/LC_MESSAGES/messages.po
(``scripts/update_catalogs.py`` creates it; translate every entry). The bot's question, /language,
the dates, the web chat's page, Telegram's command menu, WhatsApp's templates, the back office's
filters and forms, the command line and the broadcasts' texts then all offer it. Its text
direction and its name in other languages come from Babel's CLDR data, so Arabic and Urdu read
right to left without another setting.

This is not the list of the back office's own interface languages (backoffice.i18n): operators
use the office in Italian or English whatever languages the bot speaks.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from babel import Locale


@dataclass(frozen=True)
class Language:
    code: str            # stored with the person; the catalog's folder; Telegram's language_code
    native: str          # its name in itself, on the language buttons: "Italiano"
    # Babel's locale for dates and numbers. English is "en_150", English as written in Europe:
    # the day before the month and a 24-hour clock, as on every paper of the office (plain "en"
    # is American: "December 4", and "12/4/26, 10:45 AM" in its short formats)
    locale: str
    whatsapp: str        # the language code of WhatsApp's message templates, as approved at Meta
    also: tuple[str, ...] = ()  # names people may type besides the native one and its names in ALL

    @cached_property
    def _babel(self) -> Locale:
        return Locale.parse(self.locale)

    @property
    def direction(self) -> str:
        """How its text runs: "ltr", or "rtl" (Arabic, Urdu)."""
        return self._babel.text_direction

    def name_in(self, language: str) -> str:
        """Its name in another language, as written inside a sentence: "inglese" to an Italian
        reader, "English" to an English one."""
        return self._babel.get_language_name(get(language).locale) or self.native

    def label_in(self, language: str) -> str:
        """Its name in another language, as a label or a list item: "Inglese"."""
        name = self.name_in(language)
        return name[:1].upper() + name[1:]

    def names(self) -> set[str]:
        """What a person may type to pick it: "Italiano", "Italian", "inglese", "English"..."""
        return {self.native, *self.also, *(self.name_in(other.code) for other in ALL)}


# Locales, checked for #14 (tests/test_dates.py): every one writes the month in words, a 24-hour
# clock and Latin digits. Arabic is plain "ar", Modern Standard Arabic: its month names (يناير،
# فبراير) are understood in every Arab country, where "ar_MA" would write Morocco's (ماي، غشت),
# strange to an Egyptian, and "ar_SA" counts in Arabic-Indic digits. What people type is read
# in any region's month names and any of these scripts' digits (conversations.validators, typed).
ALL = (
    Language("it", "Italiano", locale="it", whatsapp="it"),
    Language("en", "English", locale="en_150", whatsapp="en"),  # English as written in Europe
    Language("fr", "Français", locale="fr", whatsapp="fr"),
    Language("es", "Español", locale="es", whatsapp="es"),
    Language("ar", "العربية", locale="ar", whatsapp="ar"),
    Language("uk", "Українська", locale="uk", whatsapp="uk"),
    Language("ro", "Română", locale="ro", whatsapp="ro"),
    Language("ur", "اردو", locale="ur", whatsapp="ur"),
    Language("bn", "বাংলা", locale="bn", whatsapp="bn"),
)
DEFAULT = "it"  # the programme's language: shown when a person's is unknown; broadcasts require it
CODES = tuple(language.code for language in ALL)
_BY_CODE = {language.code: language for language in ALL}


def get(code: str | None) -> Language:
    """The language with this code; the default for an unknown code or none."""
    return _BY_CODE.get(code or "") or _BY_CODE[DEFAULT]


def others() -> tuple[Language, ...]:
    """Every language but the default: their texts are optional and fall back to the default's."""
    return tuple(language for language in ALL if language.code != DEFAULT)


def from_tag(tag: str | None) -> str | None:
    """A registry code for a language tag ("en-GB", "it_IT", "EN" from Telegram or a browser's
    Accept-Language), or None when the bot does not speak it."""
    primary = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in _BY_CODE else None

"""The catalogs of every registry language: complete (every plural form), not fuzzy, in step with
the code, placeholders intact."""
from __future__ import annotations

import io
import re
import subprocess
import sys
from string import Formatter

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from conversations.i18n import LOCALES_DIR, translator
from conversations.languages import CODES as LANGUAGES
from scripts.update_catalogs import IGNORE_DIRS, SOURCES
from tests.conftest import ROOT

PLACEHOLDER = re.compile(r"\{(\w*)\}")


def catalog(language: str):
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def problems(po) -> list[str]:
    """What is wrong with a catalog: an entry untranslated (a plural form missing or empty
    included: Arabic has 6, Ukrainian and Romanian 3), fuzzy (the header too: Babel would not
    compile it), or with its {placeholders} lost, added or broken."""
    found = ["the header is fuzzy"] if po.fuzzy else []
    wanted_forms = get_plural(po.locale).num_plurals
    if po.num_plurals != wanted_forms:
        found.append(f"Plural-Forms has {po.num_plurals} forms, the language {wanted_forms}")
    for message in (m for m in po if m.id):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found.append(f"fuzzy: {ids[0]!r}")
        if not all(strings) or (len(ids) > 1 and len(strings) != wanted_forms):
            found.append(f"untranslated: {ids[0]!r}")
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in filter(None, strings):  # an empty one is untranslated, above
            if set(PLACEHOLDER.findall(string)) != wanted or not _well_formed(string):
                found.append(f"placeholders: {ids[0]!r} -> {string!r}")
    return found


def _well_formed(string: str) -> bool:
    try:
        list(Formatter().parse(string))
        return True
    except ValueError:  # "{count" or "count}": .format() would raise in the chat
        return False


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_not_fuzzy_and_keeps_its_placeholders(language):
    po = catalog(language)
    assert [m for m in po if m.id], "empty catalog"
    assert problems(po) == []


def test_the_catalog_check_catches_what_it_should():
    bad = read_po(io.BytesIO('''msgid ""
msgstr ""
"Language: uk\\n"
"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"

msgid "Menu"
msgstr ""

#, fuzzy
msgid "Skip"
msgstr "Пропустити"

msgid "Your code is {code}."
msgstr "Ваш код {kod}."

msgid "Hello {name}"
msgstr "Привіт {name"

msgid "{count} seat left"
msgid_plural "{count} seats left"
msgstr[0] "{count} місце"
msgstr[1] "{count} місця"
'''.encode()), locale="uk")
    assert problems(bad) == ["untranslated: 'Menu'", "fuzzy: 'Skip'", "placeholders: 'Your code is {code}.' -> "
                             "'Ваш код {kod}.'", "placeholders: 'Hello {name}' -> 'Привіт {name'",
                             "untranslated: '{count} seat left'"]


def test_catalogs_hold_every_string_of_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract", "-F",
                    "pyproject.toml", "-o", str(pot), "--ignore-dirs", IGNORE_DIRS, *SOURCES],
                   check=True, cwd=ROOT)
    with pot.open("rb") as handle:
        in_code = {m.id for m in read_po(handle) if m.id}
    for language in LANGUAGES:
        in_catalog = {m.id for m in catalog(language) if m.id}
        assert in_code - in_catalog == set(), f"run scripts/update_catalogs.py and translate ({language})"


def test_italian_is_the_default_and_really_italian():
    assert translator(None).gettext("Please write your answer.") == "Scrivi la tua risposta."
    assert translator("en").gettext("Please write your answer.") == "Please write your answer."
    assert translator("xx").language == "it"

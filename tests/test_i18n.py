"""The catalogs: complete, not fuzzy, in step with the code, placeholders intact."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from conversations.i18n import LOCALES_DIR, translator
from conversations.languages import CODES as LANGUAGES
from scripts.update_catalogs import IGNORE_DIRS, SOURCES
from tests.conftest import ROOT

PLACEHOLDER = re.compile(r"\{(\w*)\}")


def catalog(language: str):
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(language):
    entries = [m for m in catalog(language) if m.id]
    assert entries, "empty catalog"
    untranslated = [m.id for m in entries if not all(m.string if isinstance(m.string, tuple) else [m.string])]
    fuzzy = [m.id for m in entries if m.fuzzy]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    for message in catalog(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, message.id


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

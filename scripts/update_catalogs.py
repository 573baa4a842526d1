"""Re-extract the strings and merge them into locales/*/messages.po (run after changing text).

    .venv/bin/python scripts/update_catalogs.py

English msgids are the source: the English catalog copies them. Every other language of
conversations.languages gets its catalog (created here when a new language was added) and the
list of entries still to translate (the tests fail on any empty or fuzzy entry).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the project's packages are beside this folder
    sys.path.insert(0, str(ROOT))

from conversations import languages  # noqa: E402

SOURCES = ["conversations", "bot", "handlers", "services", "store"]
# services/office speaks to operators: its strings are in the back office's catalog (backoffice.catalog).
IGNORE_DIRS = ".* ._ office"
SOURCE_LANGUAGE = "en"  # the language the msgids are written in


def catalog_path(code: str) -> Path:
    return ROOT / "locales" / code / "LC_MESSAGES" / "messages.po"


def main() -> None:
    pot = ROOT / "locales" / "messages.pot"
    pybabel = [sys.executable, "-m", "babel.messages.frontend", "--quiet"]
    subprocess.run([*pybabel, "extract", "-F", "pyproject.toml", "-o", str(pot), "--no-location",
                    "--sort-output", "--project", "insieme-bot", "-c", "Translators:", "--ignore-dirs", IGNORE_DIRS, *SOURCES],
                   check=True, cwd=ROOT)
    for language in languages.ALL:
        if not catalog_path(language.code).exists():
            subprocess.run([*pybabel, "init", "-i", str(pot), "-d", "locales", "-D", "messages",
                            "-l", language.code, "--no-wrap"], check=True, cwd=ROOT)
    subprocess.run([*pybabel, "update", "-i", str(pot), "-d", "locales", "-D", "messages",
                    "--no-fuzzy-matching", "--ignore-obsolete"], check=True, cwd=ROOT)
    if SOURCE_LANGUAGE in languages.CODES:
        copy_msgids(catalog_path(SOURCE_LANGUAGE))
    for code in languages.CODES:
        if code != SOURCE_LANGUAGE:
            for msgid in to_translate(code):
                print(f"to translate ({code}):", msgid if isinstance(msgid, str) else msgid[0])


def copy_msgids(path: Path) -> None:
    """The source language's catalog says each msgid as it is."""
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=SOURCE_LANGUAGE)
    for message in catalog:
        if message.id:
            message.string = message.id
    with path.open("wb") as handle:
        write_po(handle, catalog, no_location=True, sort_output=True)


def to_translate(code: str) -> list:
    with catalog_path(code).open("rb") as handle:
        return [m.id for m in read_po(handle, locale=code)
                if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]


if __name__ == "__main__":
    main()

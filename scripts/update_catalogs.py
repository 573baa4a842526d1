"""Re-extract the strings and merge them into locales/*/messages.po (run after changing text).

    .venv/bin/python scripts/update_catalogs.py

English msgids are the source; the English catalog copies them, so a new string
only needs its Italian translation (the tests fail on any empty or fuzzy entry).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["conversations", "bot", "handlers", "services", "store"]
# services/office speaks to operators: its strings are in the back office's catalog (backoffice.catalog).
IGNORE_DIRS = ".* ._ office"


def main() -> None:
    pot = ROOT / "locales" / "messages.pot"
    pybabel = [sys.executable, "-m", "babel.messages.frontend", "--quiet"]
    subprocess.run([*pybabel, "extract", "-F", "pyproject.toml", "-o", str(pot), "--no-location",
                    "--sort-output", "--project", "insieme-bot", "-c", "Translators:", "--ignore-dirs", IGNORE_DIRS, *SOURCES],
                   check=True, cwd=ROOT)
    subprocess.run([*pybabel, "update", "-i", str(pot), "-d", "locales", "-D", "messages",
                    "--no-fuzzy-matching", "--ignore-obsolete"], check=True, cwd=ROOT)
    english = ROOT / "locales" / "en" / "LC_MESSAGES" / "messages.po"
    with english.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if message.id:
            message.string = message.id
    with english.open("wb") as handle:
        write_po(handle, catalog, no_location=True, sort_output=True)
    with (ROOT / "locales" / "it" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        missing = [m.id for m in read_po(handle, locale="it")
                   if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    for msgid in missing:
        print("to translate (it):", msgid if isinstance(msgid, str) else msgid[0])


if __name__ == "__main__":
    main()

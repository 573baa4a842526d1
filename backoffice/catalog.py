"""Keep the Italian catalog in step: ``python -m backoffice.catalog`` adds the strings of
sqladmin's templates and of ours (Python and Jinja2) to locales/it/LC_MESSAGES/office.po,
drops those no longer used, and lists the ones still to translate."""
from __future__ import annotations

from pathlib import Path

import sqladmin
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from backoffice.i18n import CATALOG, HERE

# The back office's own code and templates, and the operators' services (account errors).
SOURCES = (HERE, HERE.parent / "services" / "office")
SQLADMIN_POT = Path(sqladmin.__file__).resolve().parent / "translations" / "admin.pot"
METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}
KEYWORDS = {**DEFAULT_KEYWORDS, "L_": None, "N_": None}


def used_msgids() -> set[str | tuple[str, str]]:
    found = set()
    for folder in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(str(folder), METHODS, OPTIONS, KEYWORDS):
            found.add(message if isinstance(message, str) else tuple(message))
    with SQLADMIN_POT.open("rb") as handle:
        found |= {m.id for m in read_po(handle) if m.id}
    return found


def catalog() -> Catalog:
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="it")


def main() -> None:
    old = catalog() if CATALOG.exists() else Catalog(locale="it", domain="office")
    new = Catalog(locale="it", domain="office", project="insieme-bot back office", fuzzy=False,
                  creation_date=old.creation_date, revision_date=old.revision_date)
    for msgid in sorted(used_msgids(), key=str):
        kept = old.get(msgid)
        new.add(msgid, kept.string if kept else ("", "") if isinstance(msgid, tuple) else "")
    CATALOG.parent.mkdir(parents=True, exist_ok=True)
    with CATALOG.open("wb") as handle:
        write_po(handle, new, no_location=True, sort_output=True, width=100)
    for message in new:
        if message.id and not all(message.string if isinstance(message.string, tuple) else [message.string]):
            print("to translate:", message.id)


if __name__ == "__main__":
    main()

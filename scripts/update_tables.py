"""Rebuild the tables the chat keeps from libraries' data (run after upgrading Babel or
python-codicefiscale, adding a language, or changing conversations.engine.normalize):

- conversations/cldr_dates.json: the month names and date words read in typed dates, from
  Babel's CLDR data (conversations.cldr_dates);
- conversations/other_comuni.json: Italy's active comuni outside Bologna's area, from
  python-codicefiscale's list (conversations.municipalities).

    .venv/bin/python scripts/update_tables.py

tests/test_generated_tables.py fails while a table differs from what this writes.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the project's packages are beside this folder
    sys.path.insert(0, str(ROOT))

from conversations import cldr_dates, municipalities  # noqa: E402


def write(path: Path, table) -> None:
    path.write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{path.relative_to(ROOT)} written")


def main() -> None:
    write(cldr_dates.TABLE, cldr_dates.build())
    write(municipalities.OTHER_COMUNI, municipalities.other_comuni_from_source())


if __name__ == "__main__":
    main()

"""Rebuild conversations/cldr_dates.json, the month names and date words read in typed dates,
from Babel's CLDR data (run after upgrading Babel or adding a language).

    .venv/bin/python scripts/update_cldr_dates.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the project's packages are beside this folder
    sys.path.insert(0, str(ROOT))

from conversations import cldr_dates  # noqa: E402


def main() -> None:
    table = cldr_dates.build()
    cldr_dates.TABLE.write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{cldr_dates.TABLE.relative_to(ROOT)}: {sum(map(len, table['months'].values()))} month names, "
          f"{len(table['date_words'])} date words")


if __name__ == "__main__":
    main()

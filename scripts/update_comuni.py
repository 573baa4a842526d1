"""Rebuild conversations/other_comuni.json, Italy's active comuni outside Bologna's area (the
registration tells people who name one that the programme is for the metropolitan city), from
python-codicefiscale's data (run after upgrading it).

    .venv/bin/python scripts/update_comuni.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the project's packages are beside this folder
    sys.path.insert(0, str(ROOT))

from conversations import municipalities  # noqa: E402


def main() -> None:
    names = municipalities.other_comuni_from_source()
    municipalities.OTHER_COMUNI.write_text(json.dumps(names, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{municipalities.OTHER_COMUNI.relative_to(ROOT)}: {len(names)} comuni")


if __name__ == "__main__":
    main()

"""The table of month names and date words (conversations/cldr_dates.json) is Babel's CLDR data:
after a Babel upgrade, a new language or a change of normalize(), scripts/update_cldr_dates.py
writes it again."""
from __future__ import annotations

import json

from conversations import cldr_dates, languages


def test_the_table_is_what_babel_says_today():
    stored = json.loads(cldr_dates.TABLE.read_text(encoding="utf-8"))
    assert stored == cldr_dates.build(), "run: .venv/bin/python scripts/update_cldr_dates.py"


def test_every_language_has_its_twelve_months_and_the_regions_words():
    for language in languages.ALL:
        assert set(cldr_dates.months(language.code).values()) == set(range(1, 13)), language.code
    assert cldr_dates.months("ar")["غشت"] == 8  # Morocco's August, not plain Arabic's
    assert cldr_dates.months("it")["febbraio"] == 2
    assert {"de", "domenica"} <= cldr_dates.date_words()

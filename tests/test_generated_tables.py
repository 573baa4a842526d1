"""The tables built from libraries' data still match it: the month names and date words of typed
dates (conversations/cldr_dates.json, from Babel's CLDR data: after a Babel upgrade, a new language
or a change of normalize(), run scripts/update_tables.py) and Italy's other comuni
(conversations/other_comuni.json, from python-codicefiscale: scripts/update_tables.py)."""
from __future__ import annotations

import json

from conversations import cldr_dates, languages, municipalities


def test_the_table_is_what_babel_says_today():
    stored = json.loads(cldr_dates.TABLE.read_text(encoding="utf-8"))
    assert stored == cldr_dates.build(), "run: .venv/bin/python scripts/update_tables.py"


def test_every_language_has_its_twelve_months_and_the_regions_words():
    for language in languages.ALL:
        assert set(cldr_dates.months(language.code).values()) == set(range(1, 13)), language.code
    assert cldr_dates.months("ar")["غشت"] == 8  # Morocco's August, not plain Arabic's
    assert cldr_dates.months("it")["febbraio"] == 2
    assert {"de", "domenica"} <= cldr_dates.date_words()


def test_the_other_comuni_are_python_codicefiscales_active_ones_outside_bologna():
    stored = json.loads(municipalities.OTHER_COMUNI.read_text(encoding="utf-8"))
    assert stored == municipalities.other_comuni_from_source(), "run: .venv/bin/python scripts/update_tables.py"
    assert "Modena" in stored and "Bologna" not in stored and "Imola" not in stored

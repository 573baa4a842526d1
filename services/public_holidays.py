"""The days the office is closed: Italy's public holidays and Bologna's patron, San Petronio
(4 October), which the weekly slot pattern and the demo agenda skip.

The calendar is python-holidays' (Italy with the province of Bologna's subdivision, which
carries San Petronio): a maintained library keeps Easter Monday and any new holiday right,
where a list of our own would go stale. It is imported on first use (some 70 ms), so the
bot's start-up never pays for it.
"""
from __future__ import annotations

import datetime as dt
from typing import Mapping

PROVINCE = "BO"  # python-holidays' subdivision for Bologna: adds San Petronio, 4 October
LANGUAGE = "it_IT"  # the names the office reads


def between(first_day: dt.date, last_day: dt.date) -> dict[dt.date, str]:
    """The holidays from ``first_day`` to ``last_day`` included, earliest first, each with its
    Italian name (two feasts on one day are joined by "; ")."""
    if last_day < first_day:
        return {}
    import holidays  # lazily: see the module's docstring

    calendar = holidays.Italy(subdiv=PROVINCE, years=range(first_day.year, last_day.year + 1),
                              language=LANGUAGE)
    return {day: name for day, name in sorted(calendar.items()) if first_day <= day <= last_day}


def listed(days: Mapping[dt.date, str]) -> str:
    """"8/12/2026 (Immacolata Concezione), 25/12/2026 (Natale)": the days a pattern skipped,
    as the office reads them."""
    return ", ".join(f"{day.day}/{day.month}/{day.year} ({name})" for day, name in sorted(days.items()))

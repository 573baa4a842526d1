"""The Italian partita IVA (VAT number), checked as python-stdnum's ``stdnum.it.iva`` checks it:
11 digits, the first seven (the taxpayer's number) not all zero, the next three a tax office
(001-100, 120, 121, 888, 999), and the last the Luhn check digit. python-stdnum is not in
requirements.lock yet: this small function stands in for it until it is."""
from __future__ import annotations

import re

OFFICES = set(range(1, 101)) | {120, 121, 888, 999}


def compact(text: str) -> str:
    """Spaces, dots and dashes away, and an "IT" prefix."""
    value = re.sub(r"[\s.\-/]", "", text or "").upper()
    return value[2:] if value.startswith("IT") else value


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def valid(text: str) -> str | None:
    """The compact partita IVA when it is valid, else None."""
    value = compact(text)
    if not re.fullmatch(r"\d{11}", value) or value[:7] == "0000000" or int(value[7:10]) not in OFFICES:
        return None
    return value if luhn_ok(value) else None

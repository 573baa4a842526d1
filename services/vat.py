"""The Italian partita IVA (VAT number), checked by python-stdnum's ``stdnum.it.iva``: 11 digits,
the taxpayer's number not all zero, a real tax office, the Luhn check digit. This module only
cleans what operators type (dots and slashes too) and says what is wrong in Italian."""
from __future__ import annotations

import re

from stdnum import exceptions
from stdnum.it import iva

WHY = {  # stdnum's exception -> what the operator reads
    exceptions.InvalidLength: "servono 11 cifre",
    exceptions.InvalidFormat: "servono 11 cifre, non tutte zero all'inizio",
    exceptions.InvalidComponent: "le cifre 8-10 non sono un ufficio delle entrate",
    exceptions.InvalidChecksum: "la cifra di controllo (l'ultima) non torna",
}


def compact(text: str) -> str:
    """Spaces, dots, dashes and slashes away, and an "IT" prefix."""
    return iva.compact(re.sub(r"[\s./\-]", "", text or ""))


def problem(text: str) -> str | None:
    """What is wrong with a partita IVA, in Italian; None when it is valid."""
    try:
        iva.validate(compact(text))
    except exceptions.ValidationError as error:
        return WHY.get(type(error), "11 cifre con la cifra di controllo giusta")
    return None


def valid(text: str) -> str | None:
    """The compact partita IVA when it is valid, else None."""
    return None if problem(text) else compact(text)

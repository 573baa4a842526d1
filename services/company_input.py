"""What operators type for a company or a vacancy (command line, back office, CSV import), read
and checked once: each reader returns the value to store or raises services.operator_input.Invalid
with an Italian message and, as ``reason``, the field it is about."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any, Optional

from conversations import municipalities, validators
from conversations.flow import Invalid as ChatInvalid
from conversations.i18n import translator

from services import placement_words as words, vat
from services.operator_input import Invalid

LIMITS = {"name": 200, "address": 200, "contact_person": 120, "source": 80, "notes": 2000, "role": 120,
          "description": 2000}
MAX_PLACES = 500
NAMES = {"name": "nome", "address": "indirizzo", "contact_person": "referente", "source": "provenienza",
         "notes": "note", "role": "mansione", "description": "descrizione"}


def _ctx() -> SimpleNamespace:
    """What conversations.validators read from a chat step (their chat messages are not shown)."""
    return SimpleNamespace(t=translator("it"), state=SimpleNamespace(language="it"), answers={})


def text(field: str, value: Optional[str], *, required: bool = False) -> Optional[str]:
    value = " ".join((value or "").split()) if field not in ("notes", "description") else (value or "").strip()
    if not value:
        if required:
            raise Invalid(f"{NAMES[field]}: non può essere vuoto", reason=field)
        return None
    if len(value) > LIMITS[field]:
        raise Invalid(f"{NAMES[field]}: al massimo {LIMITS[field]} caratteri (ne ha {len(value)})", reason=field)
    return value


def vat_number(value: str) -> str:
    why = vat.problem(value or "")
    if why:
        raise Invalid(f"partita IVA non valida «{value}»: {why}", reason="vat_number")
    return vat.compact(value)


def municipality(value: str, field: str = "municipality") -> str:
    match = municipalities.find(value or "")
    if match.name:
        return match.name
    if match.suggestions:
        raise Invalid(f"comune sconosciuto «{value}»: forse {' / '.join(match.suggestions)}?", reason=field)
    if match.outside:
        raise Invalid(f"{match.outside} è fuori dalla Città metropolitana di Bologna", reason=field)
    raise Invalid(f"comune sconosciuto «{value}» (uno dei 55 della Città metropolitana)", reason=field)


def phone(value: Optional[str]) -> Optional[str]:
    if not (value or "").strip():
        return None
    try:
        return validators.phone(value, _ctx())
    except ChatInvalid:
        raise Invalid(f"numero di telefono non valido «{value}»", reason="phone") from None


def email(value: Optional[str]) -> Optional[str]:
    if not (value or "").strip():
        return None
    try:
        return validators.email(value, _ctx())
    except ChatInvalid:
        raise Invalid(f"indirizzo email non valido «{value}»", reason="email") from None


def word(kind: str, value: Optional[str], *, required: bool = True) -> Optional[str]:
    if not (value or "").strip():
        if required:
            raise Invalid(f"{words.WHAT[kind]}: non può essere vuoto", reason=kind)
        return None
    return words.read(kind, value)


def company(**given: Any) -> dict[str, Any]:
    """A company's fields, checked: name, vat_number, sector, municipality required."""
    return {"name": text("name", given.get("name"), required=True), "vat_number": vat_number(given.get("vat_number")),
            "sector": word("sector", given.get("sector")), "municipality": municipality(given.get("municipality")),
            "address": text("address", given.get("address")),
            "contact_person": text("contact_person", given.get("contact_person")),
            "phone": phone(given.get("phone")), "email": email(given.get("email")),
            "source": text("source", given.get("source")), "notes": text("notes", given.get("notes"))}


def vacancy(**given: Any) -> dict[str, Any]:
    """A vacancy's fields but its company, checked."""
    places = given.get("places") or 1
    if not isinstance(places, int) or not 1 <= places <= MAX_PLACES:
        raise Invalid(f"posti: un numero da 1 a {MAX_PLACES}", reason="places")
    start = given.get("start_date")
    if start is not None and not isinstance(start, dt.date):
        raise Invalid("data di inizio non valida", reason="start_date")
    return {"role": text("role", given.get("role"), required=True), "sector": word("sector", given.get("sector")),
            "municipality": municipality(given.get("municipality")),
            "contract_type": word("contract", given.get("contract_type")), "hours": word("hours", given.get("hours")),
            "start_date": start, "places": places, "needs_licence": bool(given.get("needs_licence")),
            "needs_car": bool(given.get("needs_car")),
            "italian": word("italian", given.get("italian"), required=False),
            "education": word("education", given.get("education"), required=False),
            "description": text("description", given.get("description")),
            "status": word("status", given.get("status") or "open")}

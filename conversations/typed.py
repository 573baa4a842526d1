"""What a person types, made plain once before any step reads it (Engine.handle).

- Digits of the scripts our languages write are read as 0-9: Arabic-Indic (٠-٩, Arabic
  keyboards), Eastern Arabic-Indic (۰-۹, Urdu and Persian keyboards) and Bengali (০-৯), so a
  date, a phone number, a code or the number of an option typed on those keyboards works like
  one typed in Latin digits, and is stored in them.
- Invisible direction marks are dropped (LRM, RLM, ALM, the embeddings and the isolates): right-
  to-left keyboards add them, and a code or a phone number copied from one of the bot's Arabic or
  Urdu messages carries the isolates around it (conversations.i18n.Translator.isolate). The zero
  width (non-)joiners, which spell Urdu and Bengali words, are kept.
"""
from __future__ import annotations

from dataclasses import replace

from .messages import Inbound

DIGITS = {"arabic-indic": "٠١٢٣٤٥٦٧٨٩", "eastern arabic-indic": "۰۱۲۳۴۵۶۷۸۹", "bengali": "০১২৩৪৫৬৭৮৯"}
DIRECTION_MARKS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_TABLE = {ord(c): None for c in DIRECTION_MARKS} | {
    ord(digit): str(value) for digits in DIGITS.values() for value, digit in enumerate(digits)}


def plain(text: str) -> str:
    """``text`` with Latin digits and no direction marks: "١٤/٠٢/١٩٨٨" -> "14/02/1988"."""
    return text.translate(_TABLE)


def plain_inbound(inbound: Inbound) -> Inbound:
    """The message with its text (and a shared contact's number) made plain."""
    if not inbound.text and not inbound.phone:
        return inbound
    return replace(inbound, text=plain(inbound.text), phone=plain(inbound.phone) if inbound.phone else inbound.phone)

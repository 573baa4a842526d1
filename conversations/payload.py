"""The one codec for button payloads.

A payload is ``1|<scope>|<value>``: a version, the step (``flow.step``) or ``g`` for
global actions, and the chosen value. Telegram allows 64 bytes of callback data
(WhatsApp 256 characters of id), so payloads are short and checked here.
"""
from __future__ import annotations

from dataclasses import dataclass

from .messages import Button

VERSION = "1"
GLOBAL = "g"
MAX_BYTES = 64


class PayloadError(ValueError):
    """The payload is not one of ours (old version, forged, truncated)."""


@dataclass(frozen=True)
class Payload:
    scope: str
    value: str

    @property
    def is_global(self) -> bool:
        return self.scope == GLOBAL


def encode(scope: str, value: str) -> str:
    if "|" in scope:
        raise ValueError(f"scope may not contain '|': {scope!r}")
    data = f"{VERSION}|{scope}|{value}"
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"payload over {MAX_BYTES} bytes: {data!r}")
    return data


def encode_global(value: str) -> str:
    return encode(GLOBAL, value)


def action_button(label: str, action: str) -> Button:
    """A button for a global action (menu, my appointments, ...), valid from any step."""
    return Button(label, encode_global(action))


def decode(data: str | None) -> Payload:
    if not data:
        raise PayloadError("empty payload")
    parts = data.split("|", 2)
    if len(parts) != 3 or parts[0] != VERSION or not parts[1]:
        raise PayloadError(f"not a payload of ours: {data!r}")
    return Payload(scope=parts[1], value=parts[2])

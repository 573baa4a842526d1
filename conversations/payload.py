"""The one codec for button payloads, and the registry of the actions a button can carry.

A payload is ``1|<scope>|<value>``: a version, the step (``flow.step``) or ``g`` for
global actions, and the chosen value. Telegram allows 64 bytes of callback data
(WhatsApp 256 characters of id), so payloads are short and checked here.

A global value is an action: a small frozen dataclass registered under its wire word
(``ws:drop`` + ``:<registration id>`` is ``DropSeat(12)``). Flows and messages build buttons
from these types, and the engine decodes a pressed button once, into one of them
(``decode_action``), then dispatches by type. The wire words are those of the buttons
already sent, so old messages in people's chats keep working.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import ClassVar

from .messages import Button

VERSION = "1"
GLOBAL = "g"
MAX_BYTES = 64
ID = {"id": True}  # an int field holding a database id (the codec's tests try the largest)


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


# Buttons of confirmations that were global actions before they became flows ("Yes, erase"
# in a chat since then): they now answer that flow's question, and are stale anywhere else.
_ANSWERS_OF_OLD = {"erase_yes": ("erase.sure", "yes"), "erase_no": ("erase.sure", "no")}


def decode(data: str | None) -> Payload:
    if not data:
        raise PayloadError("empty payload")
    parts = data.split("|", 2)
    if len(parts) != 3 or parts[0] != VERSION or not parts[1]:
        raise PayloadError(f"not a payload of ours: {data!r}")
    if parts[1] == GLOBAL and parts[2] in _ANSWERS_OF_OLD:
        return Payload(*_ANSWERS_OF_OLD[parts[2]])
    return Payload(scope=parts[1], value=parts[2])


# -- the actions ------------------------------------------------------------------------------
_REGISTRY: dict[str, type["Action"]] = {}


@dataclass(frozen=True)
class Action:
    """What a global button does, with its arguments; valid from any step.

    Fields are written after the wire word, ``:``-separated, in order: an ``int`` as digits,
    a ``str`` one of its ``choices`` or at most ``max_length`` characters (field metadata).
    """

    WORD: ClassVar[str]

    def __init_subclass__(cls, word: str = "", **kwargs):
        super().__init_subclass__(**kwargs)
        if not word or word in _REGISTRY or "|" in word:
            raise ValueError(f"an action needs its own word: {word!r}")
        cls.WORD = word
        _REGISTRY[word] = cls

    def args(self) -> tuple[str, ...]:
        return tuple(str(getattr(self, f.name)) for f in dataclasses.fields(self))

    @classmethod
    def from_args(cls, args: list[str]) -> "Action | None":
        fields = dataclasses.fields(cls)
        if len(args) != len(fields):
            return None
        values = [_value(f, arg) for f, arg in zip(fields, args)]
        return None if None in values else cls(*values)


def _value(f: dataclasses.Field, text: str) -> int | str | None:
    if f.type in (int, "int"):
        # isascii: int() would also read "١٢" and "+12"; a payload is digits only
        return int(text) if text.isascii() and text.isdecimal() else None
    choices, longest = f.metadata.get("choices"), f.metadata.get("max_length", 0)
    return text if (text in choices if choices else 0 < len(text) <= longest) else None


def encode_action(action: Action) -> str:
    """The payload of an action's button; over 64 bytes is a bug (ValueError)."""
    return encode_global(":".join((action.WORD,) + action.args()))


def decode_action(value: str) -> Action | None:
    """The action a global value stands for (``ws:drop:12`` -> DropSeat(12)); None if none."""
    parts = value.split(":")
    for cut in range(len(parts), 0, -1):
        kind = _REGISTRY.get(":".join(parts[:cut]))
        if kind is not None:
            return kind.from_args(parts[cut:])
    return None


def registered() -> tuple[type[Action], ...]:
    return tuple(_REGISTRY.values())


def action_button(label: str, action: Action) -> Button:
    """A button for a global action (menu, my appointments, ...), valid from any step."""
    if isinstance(action, str):  # a wire value written out by hand: it must be one of ours
        decoded = decode_action(action)
        if decoded is None:
            raise ValueError(f"not a registered action: {action!r}")
        action = decoded
    return Button(label, encode_action(action))


# Menu and help
@dataclass(frozen=True)
class Menu(Action, word="menu"): pass
@dataclass(frozen=True)
class Register(Action, word="register"): pass
@dataclass(frozen=True)
class Help(Action, word="help"): pass
@dataclass(frozen=True)
class Languages(Action, word="language"): pass


@dataclass(frozen=True)
class SetLanguage(Action, word="lang"):
    language: str = field(metadata={"max_length": 16})  # whether we speak it: conversations.commands


# Privacy, settings, linking
@dataclass(frozen=True)
class Privacy(Action, word="privacy"): pass
@dataclass(frozen=True)
class MyData(Action, word="mydata"): pass
@dataclass(frozen=True)
class Erase(Action, word="erase"): pass
@dataclass(frozen=True)
class Settings(Action, word="settings"): pass
@dataclass(frozen=True)
class LinkApp(Action, word="link"): pass


@dataclass(frozen=True)
class Toggle(Action, word="set"):
    """A settings button: ``set:reminders_off``, ``set:notices_on``, ``set:offers_off``."""

    setting: str = field(metadata={"choices": ("reminders", "notices", "offers")})
    on: bool = False

    def args(self) -> tuple[str, ...]:
        return (f"{self.setting}_{'on' if self.on else 'off'}",)

    @classmethod
    def from_args(cls, args: list[str]) -> "Toggle | None":
        setting, _sep, value = args[0].partition("_") if len(args) == 1 else ("", "", "")
        ok = setting in cls.__dataclass_fields__["setting"].metadata["choices"] and value in ("on", "off")
        return cls(setting, value == "on") if ok else None


# Appointments
@dataclass(frozen=True)
class Appointments(Action, word="appts"): pass
@dataclass(frozen=True)
class BookInterview(Action, word="int:book"): pass
@dataclass(frozen=True)
class MoveInterview(Action, word="int:move"): pass
@dataclass(frozen=True)
class CancelInterview(Action, word="int:cancel"): pass
@dataclass(frozen=True)
class Workshops(Action, word="ws:list"): pass


@dataclass(frozen=True)
class GiveBackSeat(Action, word="ws:cancel"):
    """Asks first (conversations.flows.workshop's give-back flow)."""

    registration_id: int = field(metadata=ID)


@dataclass(frozen=True)
class DropSeat(Action, word="ws:drop"):
    """Gives the seat back at once: the button of a promotion's notice."""

    registration_id: int = field(metadata=ID)


@dataclass(frozen=True)
class ReminderAnswer(Action, word="rem"):
    """A reminder's button: ``rem:<ok|move|cancel>:<i|w><booking id>``."""

    verb: str = field(metadata={"choices": ("ok", "move", "cancel")})
    kind: str = field(metadata={"choices": ("i", "w")})  # an InterviewBooking, a WorkshopRegistration
    booking_id: int = field(default=0, metadata=ID)

    def args(self) -> tuple[str, ...]:
        return (self.verb, f"{self.kind}{self.booking_id}")

    @classmethod
    def from_args(cls, args: list[str]) -> "ReminderAnswer | None":
        if len(args) != 2:
            return None
        return super().from_args([args[0], args[1][:1], args[1][1:]])


# Job proposals (conversations.jobs)
@dataclass(frozen=True)
class MyJobs(Action, word="jobs"): pass


@dataclass(frozen=True)
class JobAnswer(Action, word="job"):
    """A proposal's button: ``job:yes:<candidate id>`` ("I'm interested"), ``job:no:<id>`` (asks why)."""

    verb: str = field(metadata={"choices": ("yes", "no")})
    candidate_id: int = field(metadata=ID)


# Talking to the office (#15)
@dataclass(frozen=True)
class WriteToOffice(Action, word="office"): pass

"""Declarations a flow is made of: steps with prompt, options, parser and next step."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .i18n import N_, TIMEZONE, Translator, translator
from . import languages
from .messages import Inbound, Outbound
from .payload import Payload

if TYPE_CHECKING:
    from .store import Store

SKIP = "__skip"
DONE = "__done"
# Translators: a button after the options of a question with several answers; at most 20 characters
DONE_LABEL = N_("Done")
# Translators: Telegram's button that sends the person's own phone number to the bot
SHARE_NUMBER = N_("📱 Share my number")


class Invalid(Exception):
    """An answer that does not fit; ``message`` is already translated."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class State:
    """What is remembered of a person's conversation between messages."""

    language: str = languages.DEFAULT
    flow: str | None = None
    step: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    scratch: dict[str, Any] = field(default_factory=dict)  # per-step working data
    editing: bool = False  # answering one question from the summary: go back there after
    # (label, payload) of the last buttons shown, so typing a number or label works everywhere
    buttons: list[list[str]] = field(default_factory=list)
    # the flow a question asked aside (Flow.aside) interrupted: flow, step, answers, scratch, editing
    paused: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {"flow": self.flow, "step": self.step, "answers": self.answers,
                "scratch": self.scratch, "editing": self.editing, "buttons": self.buttons}
        return data | ({"paused": self.paused} if self.paused else {})

    @classmethod
    def from_dict(cls, language: str, data: dict[str, Any] | None) -> "State":
        data = data or {}
        return cls(language=language, flow=data.get("flow"), step=data.get("step"),
                   answers=dict(data.get("answers") or {}), scratch=dict(data.get("scratch") or {}),
                   editing=bool(data.get("editing")), buttons=list(data.get("buttons") or []),
                   paused=data.get("paused") or None)


@dataclass
class Ctx:
    """Everything a step's functions may look at while handling one message."""

    state: State
    store: "Store"
    inbound: Inbound
    now: dt.datetime
    button: Payload | None = None  # the pressed button, decoded once by the engine

    @property
    def t(self) -> Translator:
        return translator(self.state.language)

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(TIMEZONE).date()

    @property
    def answers(self) -> dict[str, Any]:
        return self.state.answers


@dataclass(frozen=True)
class Option:
    value: str
    label: str  # an N_() message id


@dataclass(frozen=True)
class Outcome:
    """What a step's ``after`` hook decides: where to go, and what to say first."""

    goto: str | None = None       # next step; None with end=False means the declared next
    messages: tuple[Outbound, ...] = ()
    end: bool = False             # leave the flow (state cleared)
    menu: bool = False            # with end: show the main menu after the messages
    resume: bool = False          # with end: the question it was asked aside of again (or the menu)


Text = Callable[[Ctx], str]


@dataclass(frozen=True)
class Step:
    name: str
    prompt: str | Text                                   # N_() id or a function of ctx
    options: tuple[Option, ...] | Callable[[Ctx], tuple[Option, ...]] = ()
    multi: bool = False                                  # several options, then "Done"
    parse: Callable[[str, Ctx], Any] | None = None       # free text -> value, or raise Invalid
    skip_label: str | None = None                        # an optional answer ("Skip")
    request_phone: bool = False
    max_length: int = 100
    next: str | None = None
    after: Callable[[Ctx, Any], Outcome | None] | None = None
    # said when a button of this step is no longer an option: an N_() id, or a function of
    # (ctx, the pressed value) that can tell why
    stale: str | Callable[[Ctx, str], str] | None = None
    # for the summary: its label and how a value reads; None keeps it out
    summary_label: str | None = None
    show: Callable[[Any, Ctx], str] | None = None

    def options_for(self, ctx: Ctx) -> tuple[Option, ...]:
        return self.options(ctx) if callable(self.options) else self.options


@dataclass(frozen=True)
class Flow:
    name: str
    steps: tuple[Step, ...]
    diagram: str = ""  # file name of the Mermaid diagram beside the flow
    # a question asked aside (a confirmation): the flow under way is paused, not dropped, and
    # comes back when this one ends; typed text that is no answer here goes to that flow
    aside: bool = False

    def step(self, name: str | None) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    @property
    def first(self) -> Step:
        return self.steps[0]

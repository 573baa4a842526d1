"""Scenarios written once and played on every channel (tests/test_scenario_channels.py has the
drivers): a list of steps a person takes, each checked by what they read next.

A driver is anything with ``say(text)``, ``press(label)`` (the button, or list row, showing that
label), ``deliver()`` (run the outbox: what the bot sends by itself reaches the person) and
``text`` (everything the person read after their last step, joined).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

from tests.registration_helpers import TAX_CODE


class Driver(Protocol):
    def say(self, text: str) -> object: ...
    def press(self, label: str) -> object: ...
    def deliver(self) -> object: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Press:
    label: str


@dataclass(frozen=True)
class Expect:
    """What the person read after the last step contains this (or, with ``absent``, does not)."""

    contains: str
    absent: bool = False


@dataclass(frozen=True)
class Office:
    """Something the office does meanwhile (a broadcast, a new slot): ``act(db)``."""

    name: str
    act: Callable


@dataclass(frozen=True)
class Deliver:
    """The outbox runs: what is queued for the person is sent."""


Step = Say | Press | Expect | Office | Deliver


def play(driver: Driver, steps: list, db) -> None:
    """Take the steps; an Expect that fails says which step of the scenario it was."""
    for number, step in enumerate(steps, 1):
        if isinstance(step, Say):
            driver.say(step.text)
        elif isinstance(step, Press):
            driver.press(step.label)
        elif isinstance(step, Deliver):
            driver.deliver()
        elif isinstance(step, Office):
            step.act(db)
        elif isinstance(step, Expect):
            found = step.contains in driver.text
            assert found != step.absent, (
                f"step {number}: {'did not expect' if step.absent else 'expected'} {step.contains!r} "
                f"in what the person read:\n{driver.text}")
        else:
            raise TypeError(step)


def register() -> list:
    """A newcomer registers, in English, typing the phone number (on WhatsApp too: a number
    typed at the "is this your number?" question is taken)."""
    return [
        Say("ciao"), Expect("Which language do you prefer?"),
        Press("English"), Expect("About your data."),
        Press("Yes, I agree"), Expect("What is your first name?"),
        Say("maria"), Say("ROSSI"), Say("05/03/1990"), Say(TAX_CODE), Say("Bologna"),
        Say("347 123 4567"), Expect("Thank you: +39 347 123 4567."),
        Press("Skip"), Press("Looking for work"), Press("High school diploma"), Press("Good"),
        Press("Cleaning"), Press("Done"), Press("Licence, no car"), Press("Part time"), Press("Done"),
        Expect("Here is what you told me."),
        Press("Yes, register me"), Expect("You are registered. Your code is"),
    ]


def book_interview() -> list:
    """The first free time of the first day (tomorrow at 9:00, see the test's agenda)."""
    return [
        Press("Book my interview"), Expect("Choose a day"),
        Press("Thu, 26 Nov"), Press("09:00"), Expect("Via Castiglione 1"),
        Press("Yes, book it"), Expect("Done: your orientation interview is booked."),
    ]


def book_workshop() -> list:
    return [
        Say("/menu"), Press("Workshops"), Press("Sat, 28 Nov"), Expect("1 seat left"),
        Press("Yes, sign me up"), Expect("Done: you are signed up."),
    ]


def broadcast(text: str) -> Office:
    def send(db) -> None:
        import datetime as dt

        from sqlmodel import Session

        from services import broadcasts
        from tests.conftest import NOW

        with Session(db) as session, session.begin():
            broadcasts.create(session, texts={"it": f"(it) {text}", "en": text}, audience={},
                              send_at=NOW, now=NOW - dt.timedelta(minutes=1))
            broadcasts.queue_due(session, now=NOW)
    return Office(f"broadcast {text!r}", send)


def receive_broadcast() -> list:
    return [broadcast("The office is closed on 8 December."), Deliver(),
            Expect("The office is closed on 8 December.")]


def opt_out() -> list:
    """STOP: no more notices; the next broadcast does not reach the person."""
    return [
        Say("STOP"), Expect("You will no longer receive notices"),
        broadcast("A new workshop in January."), Deliver(), Expect("A new workshop in January.", absent=True),
    ]


# Register, book the orientation interview, book a workshop seat, get the office's notice, opt out.
EVERYTHING = register() + book_interview() + book_workshop() + receive_broadcast() + opt_out()

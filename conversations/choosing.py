"""How a typed answer picks among a question's buttons, and how several choices (Step.multi) are
made: by tapping, by typing, or both.

What a person expects of several choices, and so what happens:
- A tap toggles one choice (a second tap takes it back); "Done" closes the question.
- Choices typed before any tap ("1, 3", "2 5", "cleaning, office work") are the whole answer: the
  question closes at once, as for someone who answers in writing.
- Choices typed after some taps are added to the ticked ones, never replace them: someone who
  ticked two and types "5" means "and 5 too". Typing never takes a tick away (retyping one's whole
  list, ticked ones included, keeps them all); a tap does that. The question stays open, preceded
  by a line naming everything chosen so far, so nothing changes unseen; "Done" typed with them
  ("5, done") closes it at once.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .flow import DONE


def normalize(text: str) -> str:
    """Lower case, no accents, single spaces: for matching typed labels."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace("’", "'").split())


def match(choices: list[tuple[str, str]], typed: str) -> str | None:
    """The value of the choice whose number or label was typed."""
    typed = typed.strip()
    if typed.isdecimal():  # not isdigit(): int() refuses "²", which isdigit() accepts
        index = int(typed)
        return choices[index - 1][0] if 1 <= index <= len(choices) else None
    wanted = normalize(typed.removeprefix("✅").strip())
    for value, label in choices:
        if normalize(label.removeprefix("✅").strip()) == wanted:
            return value
    return None


def typed_values(choices: list[tuple[str, str]], text: str) -> list[str] | None:
    """The values typed as "1, 3", "2 5", "5;2" or labels (a whole label with a comma too:
    "Restaurants, bars"); None when any piece is no choice."""
    pieces = [p for p in text.replace(";", ",").split(",") if p.strip()]
    if match(choices, text) is not None:
        pieces = [text]
    elif len(pieces) == 1 and all(word.isdecimal() for word in text.split()):
        pieces = text.split()
    picked = [match(choices, piece) for piece in pieces]
    return None if None in picked else picked


@dataclass(frozen=True)
class Typed:
    """What typed choices did to the ticks: ``close`` the question, or keep it open and say so."""

    selected: list[str]
    close: bool


def add_typed(selected: list[str], picked: list[str]) -> Typed:
    """The ticks after typed choices (see the module's docstring for why)."""
    done = DONE in picked
    chosen = [value for value in picked if value != DONE]
    if not selected:
        return Typed(list(dict.fromkeys(chosen)), close=True)
    merged = selected + [value for value in dict.fromkeys(chosen) if value not in selected]
    return Typed(merged, close=done)

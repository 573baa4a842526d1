"""What the engine reads of the programme information (#15): the topics the office wrote, each
with its text per language. services.info_store implements it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from . import languages


@dataclass(frozen=True)
class InfoEntry:
    """A topic in one language: the button's title, the answer, the words that point to it."""

    title: str
    answer: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class InfoTopic:
    key: str                                               # "hours": the same in every language
    texts: dict[str, InfoEntry] = field(default_factory=dict)  # language code -> its text

    def entry(self, language: str) -> InfoEntry | None:
        """The text in ``language``, else in the default (Italian); None when neither has one."""
        return self.texts.get(language) or self.texts.get(languages.DEFAULT)


class InfoStore(Protocol):
    def info_topics(self) -> list[InfoTopic]:
        """Every topic, in the office's order, with all its languages."""

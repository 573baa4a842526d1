"""What the engine needs from persistence; db.repository implements it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class PersonalData:
    """Everything stored about one person, for "my data"."""

    language: str
    identities: list[tuple[str, str]]            # (channel, id on that channel)
    consents: list[tuple[str, dt.datetime]]      # (notice version, given at)
    registration: dict[str, Any] | None = None   # the answers, with code and status
    extra: dict[str, Any] = field(default_factory=dict)


class Store(Protocol):
    def registration_code(self) -> str | None:
        """The person's registration code, if they registered."""

    def record_consent(self, notice_version: str) -> None: ...

    def save_registration(self, answers: dict[str, Any], language: str) -> str:
        """Store a confirmed registration with status "new"; returns its code."""

    def personal_data(self) -> PersonalData: ...

    def erase_personal_data(self) -> None:
        """Remove personal data, keeping only anonymous counts."""

"""What the office inbox needs of persistence (services.inbox_store implements it): the person's
messages to the office and whether an operator's reply is still open to their answers."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OfficeReceipt:
    """A message stored in the person's conversation with the office; ``opens_at``: when the
    office opens next if it is closed now (None: open now)."""

    conversation_id: int
    opens_at: dt.datetime | None = None


@dataclass(frozen=True)
class OfficeLine:
    """One message of the person's conversations with the office, for "see my data"."""

    at: dt.datetime
    kind: str  # person / operator (internal notes are the office's and never shown)
    text: str  # a document's name, for a file the person sent
    document: bool = False


class InboxStore(Protocol):
    def office_write(self, text: str, channel: str, document_id: int | None = None) -> OfficeReceipt:
        """Store the person's message (written on ``channel``) in their open conversation with the
        office, or a new one; ``document_id``: a file they sent (save_document's id), ``text`` its name."""

    def office_thread_open(self) -> bool:
        """An operator replied less than 24 hours ago and the conversation is not closed: the
        person's next messages outside any flow go to it."""

    def office_lines(self) -> list[OfficeLine]:
        """The person's messages to the office and the office's replies, oldest first."""

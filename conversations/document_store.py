"""What the engine asks of persistence about the documents a person sends (#15); services.document_store
implements it. The bytes never come here: services.documents checked and kept them before the step."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from .messages import Upload


@dataclass(frozen=True)
class Document:
    """A document the person sent, as "see my data" lists it."""

    id: int
    name: str
    kind: str
    size: int
    sent_at: dt.datetime


class DocumentStore(Protocol):
    def may_keep_documents(self) -> bool:
        """Whether the person accepted the privacy notice: without it nothing personal is kept."""

    def save_document(self, upload: Upload, channel: str) -> int:
        """The row of a file the person sent (its bytes are kept already), with their registration
        if they have one; its id (the office's inbox may point at it)."""

    def documents(self) -> list[Document]:
        """The person's documents, oldest first."""

"""The programme information half of the engine's Store (conversations.info_store): every topic
with its texts, read in the transaction of the message being handled. A few dozen short rows
(topics x languages): read whole, no cache to keep in step with the office's edits."""
from __future__ import annotations

from sqlalchemy import select

from conversations.info_store import InfoEntry, InfoTopic

from store.models import InfoText

_info = InfoText.__table__
_ALL_TEXTS = select(_info.c.topic, _info.c.language, _info.c.position, _info.c.title, _info.c.answer,
                    _info.c.keywords).order_by(_info.c.position, _info.c.topic, _info.c.language)


def keyword_lines(keywords: str) -> tuple[str, ...]:
    """The words and phrases of a ``keywords`` column: one a line (commas separate too)."""
    return tuple(part.strip() for line in keywords.splitlines() for part in line.split(",") if part.strip())


def topics(connection) -> list[InfoTopic]:
    """Every topic in order (the smallest position among its languages, then its key)."""
    texts: dict[str, dict[str, InfoEntry]] = {}
    for row in connection.execute(_ALL_TEXTS):
        if row.title.strip() and row.answer.strip():
            texts.setdefault(row.topic, {})[row.language] = InfoEntry(row.title, row.answer,
                                                                      keyword_lines(row.keywords))
    return [InfoTopic(key, entries) for key, entries in texts.items()]


class InfoStoreMixin:
    connection: object

    def info_topics(self) -> list[InfoTopic]:
        return topics(self.connection)

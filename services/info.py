"""The programme information's texts as the office edits them (#15): per topic (a key such as
``hours``) and language, a title (the chat's button), the answer and the words and phrases that
point to it (conversations.info_match). Written through the ORM, so the back office's audit log
sees every change; a wrong input raises services.operator_input.Invalid with an Italian message.

The Italian text of a topic comes first: it is what every language without its own falls back
to, so a topic is created by its Italian text, and a translation emptied is removed (Italian is
shown in its place)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from conversations import languages

from services.operator_input import Invalid
from store.models import InfoText

KEY = re.compile(r"[a-z0-9_-]{1,24}")  # a button's payload carries it (conversations.payload)
LIMITS = {"title": 60, "answer": 3000, "keywords": 2000}
WORDS = {"title": "titolo", "answer": "risposta", "keywords": "parole chiave"}
MAX_POSITION = 999


@dataclass
class Topic:
    """A topic with its texts by language, in the office's order."""

    key: str
    position: int
    texts: dict[str, InfoText] = field(default_factory=dict)


def topics(sql_session: Session) -> list[Topic]:
    found: dict[str, Topic] = {}
    for text in sql_session.scalars(select(InfoText).order_by(InfoText.position, InfoText.topic, InfoText.id)):
        topic = found.setdefault(text.topic, Topic(text.topic, text.position))
        topic.texts[text.language] = text
    return list(found.values())


def find(sql_session: Session, topic: str, language: str) -> InfoText | None:
    return sql_session.scalar(select(InfoText).where(InfoText.topic == topic, InfoText.language == language))


def save(sql_session: Session, *, topic: str, language: str, title: str, answer: str, keywords: str,
         position: int | None, by: str, now: dt.datetime) -> InfoText | None:
    """Create or change one text; None when a translation was emptied, hence removed. ``position``
    (when given) moves the whole topic."""
    topic = topic.strip().lower()
    if not KEY.fullmatch(topic):
        raise Invalid("chiave dell'argomento: da 1 a 24 lettere minuscole senza accenti, cifre, _ o -", reason="topic")
    if language not in languages.CODES:
        raise Invalid(f"lingua sconosciuta «{language[:10]}»", reason="language")
    if position is not None and not 0 <= position <= MAX_POSITION:
        raise Invalid(f"posizione: un numero da 0 a {MAX_POSITION}", reason="position")
    title, answer = " ".join(title.split()), answer.strip()
    keywords = "\n".join(line.strip() for line in keywords.splitlines() if line.strip())
    existing = find(sql_session, topic, language)
    italian = existing if language == languages.DEFAULT else find(sql_session, topic, languages.DEFAULT)
    if not title and not answer and language != languages.DEFAULT:
        if existing is not None:
            sql_session.delete(existing)
            sql_session.flush()
        return None
    for name, value in (("title", title), ("answer", answer), ("keywords", keywords)):
        if name != "keywords" and not value:
            raise Invalid(f"{WORDS[name]}: non può essere vuoto", reason=name)
        if len(value) > LIMITS[name]:
            raise Invalid(f"{WORDS[name]}: al massimo {LIMITS[name]} caratteri (ne ha {len(value)})", reason=name)
    if italian is None and language != languages.DEFAULT:
        raise Invalid("scrivi prima il testo in italiano: le altre lingue, se mancano, mostrano quello",
                      reason="language")
    text = existing or InfoText(topic=topic, language=language,
                                position=italian.position if italian else _next_position(sql_session))
    text.title, text.answer, text.keywords, text.updated_by, text.updated_at = title, answer, keywords, by, now
    sql_session.add(text)
    if position is not None:
        for other in sql_session.scalars(select(InfoText).where(InfoText.topic == topic)):
            other.position = position
        text.position = position
    sql_session.flush()
    return text


def _next_position(sql_session: Session) -> int:
    last = max((t.position for t in topics(sql_session)), default=0)
    return min(last + 10, MAX_POSITION)

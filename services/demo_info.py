"""Demo texts of the programme information (part of ``python -m bot demo``, and of the first
start on the embedded database): eight topics in every language of the bot, read from
services/info_texts/<language>.toml. Plausible, not the office's final words: addresses and the
phone are marked as test ones, and the translations beside Italian are first drafts.

Idempotent: a topic that has any text already is left as the office made it."""
from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from conversations import languages

from services import info
from store.models import InfoText

TEXTS = Path(__file__).resolve().parent / "info_texts"
TOPICS = ("what", "who", "after", "workshops", "where", "hours", "documents", "privacy")


def texts(language: str) -> dict[str, dict[str, str]]:
    path = TEXTS / f"{language}.toml"
    return tomllib.loads(path.read_text("utf-8")) if path.exists() else {}


def load(sql_session: Session, *, now: dt.datetime) -> int:
    """The topics added (those already there are skipped)."""
    present = set(sql_session.scalars(select(InfoText.topic).distinct()))
    every = {language: texts(language) for language in languages.CODES}
    added = 0
    for position, topic in enumerate(TOPICS, start=1):
        if topic in present:
            continue
        for language in languages.CODES:  # Italian first: the others need it
            entry = every[language].get(topic)
            if entry:
                info.save(sql_session, topic=topic, language=language, title=entry["title"], answer=entry["answer"],
                          keywords=entry["keywords"], position=position * 10, by="demo", now=now)
        added += 1
    return added

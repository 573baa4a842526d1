"""Programme information for job seekers: one row per topic and language (title, answer, the
words and phrases that point to it), edited by the office."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.models.columns import utcnow, when as _when


class InfoText(SQLModel, table=True):
    """A topic's text in one language. ``topic`` is the topic's key (``hours``), the same in every
    language; ``position`` orders the topics (the Italian row's counts); ``keywords`` holds one
    word or phrase a line, in that language."""

    __tablename__ = "info_text"
    __table_args__ = (UniqueConstraint("topic", "language", name="uq_info_text_topic_language"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    topic: str = Field(max_length=24, index=True)
    language: str = Field(max_length=8)
    position: int = Field(default=0)
    title: str = Field(max_length=60)
    answer: str = Field(sa_type=Text)
    keywords: str = Field(default="", sa_type=Text)
    updated_by: str = Field(default="", max_length=80)
    updated_at: dt.datetime = _when(nullable=False, default=utcnow)

"""What a channel adapter must remember between messages, kept here so that a restart keeps it:
the long list last sent to a person (for its "next page" row) and the platform message ids taken
for handling (a platform that delivers a message again finds it answered)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from store.models.columns import utcnow, when as _when


class ChannelListPage(SQLModel, table=True):
    """The last reply with more choices than the channel shows at once (WhatsApp: 10 rows) sent
    to one chat, as the outbox stores a message (services.outbox_rows.to_content)."""

    __tablename__ = "channel_list_page"

    scheme: str = Field(primary_key=True, max_length=16)
    external_id: str = Field(primary_key=True, max_length=64)
    content: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    sent_at: dt.datetime = _when(nullable=False, default=utcnow)


class ChannelSeenMessage(SQLModel, table=True):
    """A platform message taken for handling (``key``: channel and the platform's message id);
    ``answered_at`` once its replies went out. No longer written: WhatsApp's repeated deliveries
    are recognised by the step's update key (services.conversation); the table waits for a
    migration that drops it."""

    __tablename__ = "channel_seen_message"

    key: str = Field(primary_key=True, max_length=128)
    seen_at: dt.datetime = _when(nullable=False, default=utcnow, index=True)
    answered_at: Optional[dt.datetime] = _when(nullable=True)

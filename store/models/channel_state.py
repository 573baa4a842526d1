"""What a channel adapter must remember between messages, kept here so that a restart keeps it:
the long list last sent to a person (for its "next page" row). A message a platform delivers
again is recognised by the step's update key (processed_update, services.conversation)."""
from __future__ import annotations

import datetime as dt

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

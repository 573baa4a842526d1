"""The outbox: messages the bot starts itself (waitlist promotions now; reminders and
notices later) are rows, written in the same transaction as the change that causes them,
and sent by a drain loop. The idempotency key makes a second row for one purpose impossible.
"""
from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from conversations.messages import Attachment, Button, Outbound

from .models import ChannelIdentity, OutboxMessage, utcnow

MAX_ATTEMPTS = 5
RETRY_DELAY = dt.timedelta(seconds=30)  # doubled after each failure: 30 s, 1, 2, 4 minutes
_outbox = OutboxMessage.__table__


@dataclass(frozen=True)
class Pending:
    id: int
    contact_id: int
    channel: str
    external_id: str
    message: Outbound
    attempts: int


def to_content(message: Outbound) -> dict:
    content = {"text": message.text, "buttons": [[b.label, b.payload] for b in message.buttons]}
    if message.file:
        content["file"] = {"filename": message.file.filename, "mime_type": message.file.mime_type,
                           "content": base64.b64encode(message.file.content).decode()}
    return content


def from_content(content: dict) -> Outbound:
    file = content.get("file")
    attachment = Attachment(file["filename"], base64.b64decode(file["content"]), file["mime_type"]) if file else None
    return Outbound(content["text"], tuple(Button(label, data) for label, data in content.get("buttons", ())),
                    file=attachment)


def enqueue(db, *, contact_id: int, message: Outbound, key: str, due_at: dt.datetime | None = None) -> bool:
    """Queue a message for the channel the person last used; False if ``key`` was queued before
    or the person can no longer be reached (no channel identity left)."""
    channel = db.execute(select(ChannelIdentity.scheme).where(ChannelIdentity.contact_id == contact_id)
                         .order_by(ChannelIdentity.id.desc()).limit(1)).scalar()
    if channel is None:
        return False
    values = {"contact_id": contact_id, "channel": channel, "content": to_content(message),
              "due_at": due_at or utcnow(), "status": "pending", "attempts": 0,
              "idempotency_key": key, "created_at": utcnow()}
    name = db.dialect.name if hasattr(db, "dialect") else db.get_bind().dialect.name
    dialect = postgresql if name == "postgresql" else sqlite
    # RETURNING rather than rowcount: psycopg reports -1 rows for INSERT ... ON CONFLICT
    inserted = db.execute(dialect.insert(_outbox).values(**values)
                          .on_conflict_do_nothing(index_elements=["idempotency_key"])
                          .returning(_outbox.c.id)).first()
    return inserted is not None


def due(session: Session, *, channel: str, now: dt.datetime, limit: int = 50) -> list[Pending]:
    rows = session.execute(
        select(OutboxMessage, ChannelIdentity.external_id)
        .join(ChannelIdentity, (ChannelIdentity.contact_id == OutboxMessage.contact_id)
              & (ChannelIdentity.scheme == OutboxMessage.channel))
        .where(OutboxMessage.channel == channel, OutboxMessage.status == "pending", OutboxMessage.due_at <= now)
        .order_by(OutboxMessage.due_at, OutboxMessage.id).limit(limit)).all()
    return [Pending(row.id, row.contact_id, row.channel, external_id, from_content(row.content), row.attempts)
            for row, external_id in rows]


def mark_sent(session: Session, message_id: int) -> None:
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                    .values(status="sent", sent_at=utcnow(), attempts=OutboxMessage.attempts + 1))


def mark_failed(session: Session, message_id: int, error: str, *, final: bool = False,
                now: dt.datetime | None = None) -> None:
    """A failed attempt, tried again a little later each time (the sender looks every second:
    without a delay the attempts would all be spent in one short outage); after MAX_ATTEMPTS
    (or a final error) the row stops being retried."""
    row = session.get(OutboxMessage, message_id)
    row.attempts += 1
    row.last_error = error[:500]
    if final or row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
    else:
        row.due_at = (now or utcnow()) + RETRY_DELAY * 2 ** (row.attempts - 1)
    session.flush()


class OutboxService:
    """What a channel's sender needs: the due messages, and how each attempt went."""

    def __init__(self, db, clock=utcnow):
        self.db = db
        self.clock = clock

    def due(self, channel: str, limit: int = 50) -> list[Pending]:
        with Session(self.db) as session:
            return due(session, channel=channel, now=self.clock(), limit=limit)

    def sent(self, message_id: int) -> None:
        with Session(self.db) as session, session.begin():
            mark_sent(session, message_id)

    def failed(self, message_id: int, error: str, *, final: bool = False) -> None:
        with Session(self.db) as session, session.begin():
            mark_failed(session, message_id, error, final=final, now=self.clock())

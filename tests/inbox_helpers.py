"""The office's side of the inbox in tests: what an operator does (services.inbox), and reading
the conversations back."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlmodel import Session

from services import inbox
from store.models import InboxConversation, InboxMessage, OutboxMessage


def conversations(db) -> list[InboxConversation]:
    with Session(db) as session:
        return list(session.scalars(select(InboxConversation).order_by(InboxConversation.id)))


def messages(db, conversation_id: int | None = None) -> list[tuple[str, str]]:
    """(kind, text) of a conversation's messages (of all, without an id), oldest first."""
    with Session(db) as session:
        query = select(InboxMessage.kind, InboxMessage.text).order_by(InboxMessage.id)
        if conversation_id is not None:
            query = query.where(InboxMessage.conversation_id == conversation_id)
        return [tuple(row) for row in session.execute(query)]


def reply(db, conversation_id: int, text: str, *, at: dt.datetime, by: str = "anna") -> None:
    with Session(db) as session, session.begin():
        inbox.reply(session, conversation_id, text=text, by=by, now=at)


def close(db, conversation_id: int, *, at: dt.datetime) -> None:
    with Session(db) as session, session.begin():
        inbox.close(session, conversation_id, now=at)


def office_rows(db) -> list[OutboxMessage]:
    with Session(db) as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == inbox.KIND)
                                    .order_by(OutboxMessage.id)))

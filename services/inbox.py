"""The operator inbox's changes: a person's message lands in their open conversation (or a new
one), operators take it ("prendo io"), reply (queued in the outbox on the person's channel, in
the same transaction), write internal notes, close and reopen. Each function works in the
caller's transaction (the back office's are audited: services.office.audit); the caller commits.

Statuses: ``new`` (nuova) -> ``assigned`` (in carico) -> ``waiting`` (in attesa della persona,
after a reply) -> ``closed`` (chiusa). A person who writes again puts a waiting conversation back
to ``assigned`` (or ``new`` if nobody took it).
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from conversations import office as chat

from services import outbox
from services.operator_input import Invalid
from store.models import (ChannelIdentity, Contact, InboxConversation, InboxMessage, OutboxMessage, Registration,
                          aware)

KIND = "office"  # the outbox's kind of a reply: outside WhatsApp's window it goes as the notice template
MAX_REPLY = 3500  # characters: with the chat's first and last line, within Telegram's 4,096
MAX_NOTE = 4000
ANSWERS_FOR = dt.timedelta(hours=24)  # after an operator's reply, the person's messages go to it
STATUS_WORDS = {"new": "nuova", "assigned": "in carico", "waiting": "in attesa della persona", "closed": "chiusa"}


def open_conversation(sql_session: Session, contact_id: int) -> Optional[InboxConversation]:
    """The person's newest conversation that is not closed."""
    return sql_session.scalar(select(InboxConversation).where(
        InboxConversation.contact_id == contact_id, InboxConversation.status != "closed")
        .order_by(InboxConversation.id.desc()).limit(1))


def person_wrote(sql_session: Session, *, contact_id: int, channel: str, text: str, now: dt.datetime,
                 document_id: Optional[int] = None) -> InboxConversation:
    """Store the person's message; a new conversation when none is open."""
    conversation = open_conversation(sql_session, contact_id)
    language = sql_session.scalar(select(Contact.language).where(Contact.id == contact_id)) or "it"
    registration = None
    if conversation is None or conversation.registration_id is None:  # registered since it opened?
        registration = sql_session.scalar(select(Registration.id).where(
            Registration.contact_id == contact_id, Registration.erased_at.is_(None)))
    if conversation is None:
        conversation = InboxConversation(contact_id=contact_id, registration_id=registration, channel=channel,
                                         language=language, status="new", opened_at=now)
        sql_session.add(conversation)
        sql_session.flush()
    elif conversation.status == "waiting":
        conversation.status = "assigned" if conversation.assigned_to else "new"
    conversation.registration_id = conversation.registration_id or registration
    conversation.channel = channel  # the answer goes where they wrote last, in the language they chat in now
    conversation.language = language
    conversation.last_person_at = now
    sql_session.add(InboxMessage(conversation_id=conversation.id, kind="person", text=text[:chat.KEPT],
                                 created_at=now, document_id=document_id))
    sql_session.flush()
    return conversation


def answers_go_to_office(sql_session: Session, contact_id: int, now: dt.datetime) -> bool:
    """An operator replied less than ANSWERS_FOR ago to a conversation still open. Asked of every
    message outside a flow (and every answer a question refuses): one column, no ORM object."""
    replied = sql_session.execute(_LAST_REPLY, {"contact_id": contact_id}).scalar()
    return bool(replied and aware(replied) > now - ANSWERS_FOR)


_conversation = InboxConversation.__table__
_LAST_REPLY = (select(_conversation.c.last_operator_at)
               .where(_conversation.c.contact_id == bindparam("contact_id"), _conversation.c.status != "closed")
               .order_by(_conversation.c.id.desc()).limit(1))


def get(sql_session: Session, conversation_id: int) -> InboxConversation:
    conversation = sql_session.get(InboxConversation, conversation_id)
    if conversation is None:
        raise Invalid(f"nessuna conversazione con il numero {conversation_id}", reason="not_found")
    return conversation


def _text(text: str, limit: int) -> str:
    value = (text or "").strip()
    if not value:
        raise Invalid("il testo è vuoto", reason="empty")
    if len(value) > limit:
        raise Invalid(f"testo troppo lungo: al massimo {limit} caratteri (ne ha {len(value)})", reason="too_long")
    return value


def reply(sql_session: Session, conversation_id: int, *, text: str, by: str, now: dt.datetime) -> InboxMessage:
    """The operator's reply: a message of the conversation and an outbox row to the person, in their
    language, on the channel they wrote from (else their newest reachable one)."""
    value = _text(text, MAX_REPLY)
    conversation = get(sql_session, conversation_id)
    if conversation.status == "closed":
        raise Invalid("la conversazione è chiusa: riaprila prima di rispondere", reason="closed")
    contact = sql_session.get(Contact, conversation.contact_id)
    if contact is None or contact.erased_at is not None:
        raise Invalid("la persona ha cancellato i suoi dati: non si può risponderle", reason="erased")
    message = InboxMessage(conversation_id=conversation.id, kind="operator", text=value, author=by, created_at=now)
    sql_session.add(message)
    sql_session.flush()
    queued = outbox.enqueue(sql_session, contact_id=conversation.contact_id, kind=KIND, due_at=now,
                            message=chat.reply(language=contact.language, text=value, now=now),
                            key=f"inbox:{message.id}", channel=_reachable(sql_session, conversation))
    if not queued:
        raise Invalid("nessun canale raggiunge la persona (ha bloccato il bot?): la risposta non è partita",
                      reason="unreachable")
    message.outbox_id = sql_session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.idempotency_key == f"inbox:{message.id}"))
    conversation.first_response_at = conversation.first_response_at or now
    conversation.last_operator_at = now
    conversation.status = "waiting"
    conversation.assigned_to = conversation.assigned_to or by
    sql_session.flush()
    return message


def _reachable(sql_session: Session, conversation: InboxConversation) -> Optional[str]:
    """The conversation's channel if the person can still be reached there."""
    found = sql_session.scalar(select(ChannelIdentity.id).where(
        ChannelIdentity.contact_id == conversation.contact_id, ChannelIdentity.scheme == conversation.channel,
        ChannelIdentity.unreachable_at.is_(None)))
    return conversation.channel if found else None


def note(sql_session: Session, conversation_id: int, *, text: str, by: str, now: dt.datetime) -> InboxMessage:
    """An internal note: operators read it, the person never does."""
    message = InboxMessage(conversation_id=get(sql_session, conversation_id).id, kind="note",
                           text=_text(text, MAX_NOTE), author=by, created_at=now)
    sql_session.add(message)
    sql_session.flush()
    return message


def take(sql_session: Session, conversation_id: int, *, by: str) -> InboxConversation:
    """"Prendo io": the operator takes the conversation in hand."""
    conversation = get(sql_session, conversation_id)
    if conversation.status == "closed":
        raise Invalid("la conversazione è chiusa", reason="closed")
    conversation.assigned_to = by
    if conversation.status == "new":
        conversation.status = "assigned"
    sql_session.flush()
    return conversation


def close(sql_session: Session, conversation_id: int, *, now: dt.datetime) -> InboxConversation:
    conversation = get(sql_session, conversation_id)
    if conversation.status != "closed":
        conversation.status, conversation.closed_at = "closed", now
        sql_session.flush()
    return conversation


def reopen(sql_session: Session, conversation_id: int) -> InboxConversation:
    """Open again; refused while the person has another conversation open (write there)."""
    conversation = get(sql_session, conversation_id)
    if conversation.status != "closed":
        return conversation
    other = open_conversation(sql_session, conversation.contact_id)
    if other is not None:
        raise Invalid(f"la persona ha già la conversazione {other.id} aperta", reason="other_open")
    conversation.status = "assigned" if conversation.assigned_to else "new"
    conversation.closed_at = None
    sql_session.flush()
    return conversation


def seen(sql_session: Session, conversation_id: int, now: dt.datetime) -> None:
    """An operator read it: what the person wrote until now is no longer unread (not audited:
    reading changes nothing of the conversation)."""
    sql_session.execute(update(InboxConversation).where(InboxConversation.id == conversation_id)
                        .values(seen_at=now))


def merged(sql_session: Session, *, kept: Registration, gone: Registration) -> int:
    """Two registrations merged (services.merge): the removed one's conversations become the kept
    person's. How many moved."""
    rows = sql_session.scalars(select(InboxConversation).where(InboxConversation.contact_id == gone.contact_id)).all()
    for row in rows:
        row.contact_id, row.registration_id = kept.contact_id, kept.id
    sql_session.flush()
    return len(rows)

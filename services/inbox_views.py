"""Reading the operator inbox: the conversations by status with who wrote and what, one
conversation's history, the unread count, and the canned replies of a language. Shared by the
back office and the command line (services.inbox changes things)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import func, or_, select
from sqlmodel import Session

from services import inbox
from services.operator_input import Invalid
from store.models import InboxCannedReply, InboxConversation, InboxMessage, Registration, aware

STATUS_READ = {"new": "new", "nuova": "new", "nuove": "new", "assigned": "assigned", "in carico": "assigned",
               "in_carico": "assigned", "carico": "assigned", "waiting": "waiting", "in attesa": "waiting",
               "attesa": "waiting", "in attesa della persona": "waiting", "closed": "closed", "chiusa": "closed",
               "chiuse": "closed"}
PREVIEW = 120  # characters of the last message in a list
_unread = (InboxConversation.status != "closed", InboxConversation.last_person_at.is_not(None),
           or_(InboxConversation.seen_at.is_(None), InboxConversation.last_person_at > InboxConversation.seen_at))


@dataclass(frozen=True)
class Line:
    id: int
    kind: str  # person / operator / note
    text: str
    author: Optional[str]
    at: dt.datetime
    document_id: Optional[int] = None


@dataclass(frozen=True)
class Summary:
    id: int
    status: str
    name: str  # "Rossi Maria", or "" for a person not registered (or erased)
    code: Optional[str]
    registration_id: Optional[int]
    contact_id: int
    language: str
    channel: str
    assigned_to: Optional[str]
    opened_at: dt.datetime
    last_at: dt.datetime
    unread: bool
    last_text: str = ""


@dataclass(frozen=True)
class Detail:
    conversation: Summary
    lines: list[Line] = field(default_factory=list)
    closed_at: Optional[dt.datetime] = None
    first_response_at: Optional[dt.datetime] = None


def read_status(text: str | None) -> Optional[str]:
    """A status typed by an operator ("new", "nuova", "in carico"...); None for every status."""
    if text is None or not text.strip():
        return None
    found = STATUS_READ.get(" ".join(text.strip().lower().replace("_", " ").split()))
    if found is None:
        raise Invalid(f"stato sconosciuto «{text}» (ammessi: nuova, in carico, in attesa, chiusa)", reason="status")
    return found


def _summaries(sql_session: Session, conversations: list[InboxConversation]) -> list[Summary]:
    if not conversations:
        return []
    ids = [c.id for c in conversations]
    # A conversation opened before the person registered has no registration: their registration now
    found = sql_session.execute(
        select(Registration.id, Registration.first_name, Registration.last_name, Registration.code,
               Registration.erased_at, Registration.contact_id).where(or_(
                   Registration.id.in_({c.registration_id for c in conversations} - {None}),
                   Registration.contact_id.in_({c.contact_id for c in conversations if c.registration_id is None})
                   & Registration.erased_at.is_(None)))).all()
    people = {row.id: row for row in found}
    registered_since = {row.contact_id: row for row in found if row.erased_at is None}
    newest = dict(sql_session.execute(select(InboxMessage.conversation_id, func.max(InboxMessage.id))
                                      .where(InboxMessage.conversation_id.in_(ids), InboxMessage.kind != "note")
                                      .group_by(InboxMessage.conversation_id)).all())
    texts = {row.id: ("📎 " if row.document_id else "") + row.text for row in sql_session.execute(  # a file: its name
        select(InboxMessage.id, InboxMessage.text, InboxMessage.document_id)
        .where(InboxMessage.id.in_(list(newest.values()))))}
    made = []
    for c in conversations:
        person = people.get(c.registration_id) if c.registration_id else registered_since.get(c.contact_id)
        live = person is not None and person.erased_at is None
        name = f"{person.last_name or ''} {person.first_name or ''}".strip() if live else ""
        last = max([aware(t) for t in (c.opened_at, c.last_person_at, c.last_operator_at) if t])
        unread = (c.status != "closed" and c.last_person_at is not None
                  and (c.seen_at is None or aware(c.last_person_at) > aware(c.seen_at)))
        text = texts.get(newest.get(c.id), "")
        made.append(Summary(c.id, c.status, name, person.code if live else None, person.id if live else None,
                            c.contact_id, c.language, c.channel, c.assigned_to, aware(c.opened_at), last, unread,
                            text if len(text) <= PREVIEW else text[:PREVIEW - 1] + "…"))
    return made


def listing(sql_session: Session, status: Optional[str] = None, limit: int = 200) -> list[Summary]:
    """Conversations, those with the newest activity first; ``status`` only that one."""
    query = select(InboxConversation)
    if status:
        query = query.where(InboxConversation.status == status)
    last = func.coalesce(InboxConversation.last_person_at, InboxConversation.opened_at)
    query = query.order_by(last.desc(), InboxConversation.id.desc()).limit(limit)
    return _summaries(sql_session, list(sql_session.scalars(query)))


def counts(sql_session: Session) -> dict[str, int]:
    """How many conversations in each status, and ``unread``: those with a message from the person
    that no operator opened since."""
    found = dict(sql_session.execute(select(InboxConversation.status, func.count())
                                     .group_by(InboxConversation.status)).all())
    shown = {status: found.get(status, 0) for status in inbox.STATUS_WORDS}
    shown["unread"] = sql_session.scalar(select(func.count()).select_from(InboxConversation).where(*_unread))
    return shown


def detail(sql_session: Session, conversation_id: int, after: int = 0) -> Detail:
    """A conversation and its messages (those after message ``after`` only, for the page's polls)."""
    conversation = inbox.get(sql_session, conversation_id)
    [summary] = _summaries(sql_session, [conversation])
    rows = sql_session.scalars(select(InboxMessage).where(InboxMessage.conversation_id == conversation.id,
                                                          InboxMessage.id > after).order_by(InboxMessage.id))
    lines = [Line(m.id, m.kind, m.text, m.author, aware(m.created_at), m.document_id) for m in rows]
    return Detail(summary, lines, aware(conversation.closed_at) if conversation.closed_at else None,
                  aware(conversation.first_response_at) if conversation.first_response_at else None)


def canned(sql_session: Session, language: str) -> list[InboxCannedReply]:
    """The canned replies in ``language``; the Italian ones when it has none."""
    for wanted in dict.fromkeys((language, "it")):
        found = list(sql_session.scalars(select(InboxCannedReply).where(InboxCannedReply.language == wanted)
                                         .order_by(InboxCannedReply.title)))
        if found:
            return found
    return []

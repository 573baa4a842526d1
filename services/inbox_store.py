"""The inbox's half of the engine's Store (conversations.office_store), for one contact inside the
transaction of the message being handled; and the person's inbox data for "see my data" and
"erase my data"."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update

from conversations.office_store import OfficeLine, OfficeReceipt

from services import inbox, office_hours
from store.models import InboxConversation, InboxMessage, Registration, aware

_conversation, _message = InboxConversation.__table__, InboxMessage.__table__


class InboxStoreMixin:
    contact_id: int
    now: dt.datetime

    def office_write(self, text: str, channel: str, document_id: int | None = None) -> OfficeReceipt:
        conversation = inbox.person_wrote(self.sql_session, contact_id=self.contact_id, channel=channel, text=text,
                                          now=self.now, document_id=document_id)
        return OfficeReceipt(conversation.id, office_hours.next_opening(self.now))

    def office_thread_open(self) -> bool:
        return inbox.answers_go_to_office(self.sql_session, self.contact_id, self.now)

    def office_lines(self) -> list[OfficeLine]:
        rows = self.sql_session.execute(
            select(_message.c.created_at, _message.c.kind, _message.c.text, _message.c.document_id)
            .join(_conversation, _conversation.c.id == _message.c.conversation_id)
            .where(_conversation.c.contact_id == self.contact_id, _message.c.kind != "note")
            .order_by(_message.c.created_at, _message.c.id))
        return [OfficeLine(aware(at), kind, text, document is not None) for at, kind, text, document in rows]


def erase(connection, contact_id: int) -> None:
    """"Erase my data": the person's conversations with the office and every message of them."""
    mine = select(_conversation.c.id).where(_conversation.c.contact_id == contact_id)
    connection.execute(delete(_message).where(_message.c.conversation_id.in_(mine)))
    connection.execute(delete(_conversation).where(_conversation.c.contact_id == contact_id))


def relink(connection, *, gone: int, owner: int) -> None:
    """A chat linked to a registration (services.linking): what it wrote to the office before is
    the registered person's, and goes on in the same conversation."""
    registration = select(Registration.id).where(Registration.contact_id == owner, Registration.erased_at.is_(None))
    connection.execute(update(_conversation).where(_conversation.c.contact_id == gone)
                       .values(contact_id=owner, registration_id=registration.scalar_subquery()))

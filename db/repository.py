"""Reading and writing contacts, conversation state, consent and registrations.

``SqlStore`` is the engine's view of persistence for one contact, inside the
transaction of the message being handled.
"""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import delete, select, update
from sqlmodel import Session

from conversations.store import PersonalData

from .models import ChannelIdentity, Consent, Contact, ConversationState, Registration, utcnow

CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B look-alikes


def aware(value: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes: they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def find_or_create_contact(session: Session, scheme: str, external_id: str) -> tuple[int, str]:
    """(contact id, language) for a channel identity, creating the contact on first contact."""
    row = session.execute(
        select(Contact.id, Contact.language).join(ChannelIdentity, ChannelIdentity.contact_id == Contact.id)
        .where(ChannelIdentity.scheme == scheme, ChannelIdentity.external_id == external_id)).first()
    if row:
        return row.id, row.language
    contact = Contact()
    session.add(contact)
    session.flush()
    session.add(ChannelIdentity(contact_id=contact.id, scheme=scheme, external_id=external_id))
    session.flush()
    return contact.id, contact.language


def load_state(session: Session, contact_id: int) -> dict | None:
    return session.execute(select(ConversationState.data)
                           .where(ConversationState.contact_id == contact_id)).scalar()


def save_state(session: Session, contact_id: int, data: dict, existed: bool) -> None:
    if existed:
        session.execute(update(ConversationState).where(ConversationState.contact_id == contact_id)
                        .values(data=data, updated_at=utcnow()))
    else:
        session.add(ConversationState(contact_id=contact_id, data=data))


def set_language(session: Session, contact_id: int, language: str) -> None:
    session.execute(update(Contact).where(Contact.id == contact_id).values(language=language))


def new_registration_code(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        code = f"{code[:3]}-{code[3:]}"
        if session.execute(select(Registration.id).where(Registration.code == code)).first() is None:
            return code


class SqlStore:
    """The conversations.store.Store of one contact, on the current session."""

    def __init__(self, session: Session, contact_id: int):
        self.session = session
        self.contact_id = contact_id
        self.erased = False  # set once the person erased their data: nothing more is saved

    def _registration(self) -> Registration | None:
        return self.session.exec(select(Registration).where(
            Registration.contact_id == self.contact_id, Registration.erased_at.is_(None))).scalars().first()

    def registration_code(self) -> str | None:
        return self.session.execute(select(Registration.code).where(
            Registration.contact_id == self.contact_id, Registration.erased_at.is_(None))).scalar()

    def record_consent(self, notice_version: str) -> None:
        self.session.add(Consent(contact_id=self.contact_id, notice_version=notice_version))

    def save_registration(self, answers: dict[str, Any], language: str) -> str:
        existing = self.registration_code()
        if existing:
            return existing
        fields = {k: answers.get(k) for k in (
            "first_name", "last_name", "tax_code", "municipality", "phone", "email", "situation",
            "education", "italian", "sectors", "driving", "availability")}
        registration = Registration(
            contact_id=self.contact_id, code=new_registration_code(self.session), language=language,
            birth_date=dt.date.fromisoformat(answers["birth_date"]), **fields)
        self.session.add(registration)
        return registration.code

    def personal_data(self) -> PersonalData:
        session = self.session
        contact = session.get(Contact, self.contact_id)
        identities = session.execute(select(ChannelIdentity.scheme, ChannelIdentity.external_id)
                                     .where(ChannelIdentity.contact_id == self.contact_id)).all()
        consents = session.execute(select(Consent.notice_version, Consent.given_at)
                                   .where(Consent.contact_id == self.contact_id)).all()
        registration = self._registration()
        reg = None
        if registration:
            answers = registration.model_dump(include={
                "first_name", "last_name", "tax_code", "municipality", "phone", "email", "situation",
                "education", "italian", "sectors", "driving", "availability"})
            answers["birth_date"] = registration.birth_date.isoformat() if registration.birth_date else None
            reg = {"code": registration.code, "status": registration.status,
                   "created_at": aware(registration.created_at), "answers": answers}
        return PersonalData(
            language=contact.language,
            identities=[(r.scheme, r.external_id) for r in identities],
            consents=[(r.notice_version, aware(r.given_at)) for r in consents],
            registration=reg)

    def erase_personal_data(self) -> None:
        """Delete identities, consents and state; registrations keep only date, status and language."""
        session, cid = self.session, self.contact_id
        now = utcnow()
        session.execute(update(Registration).where(Registration.contact_id == cid).values(
            status="erased", erased_at=now, first_name=None, last_name=None, birth_date=None,
            tax_code=None, municipality=None, phone=None, email=None, situation=None, education=None,
            italian=None, sectors=None, driving=None, availability=None))
        session.execute(delete(Consent).where(Consent.contact_id == cid))
        session.execute(delete(ChannelIdentity).where(ChannelIdentity.contact_id == cid))
        session.execute(delete(ConversationState).where(ConversationState.contact_id == cid))
        session.execute(update(Contact).where(Contact.id == cid).values(erased_at=now))
        self.erased = True

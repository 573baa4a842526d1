"""Reading and writing contacts, conversation state, consent and registrations.

``SqlStore`` is the engine's view of persistence for one contact, inside the
transaction of the message being handled.

Every message passes through here, so the statements are SQLAlchemy Core on the
tables, built once at import: no unit of work, no statement building per call
(bench/bench_updates.py: the ORM version spent three times as long on each message).
They run on a Connection or a Session alike.
"""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, Union

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlmodel import Session

from conversations.store import PersonalData, Preferences

from services import channel_state, reminders
from services.booking_store import DEFAULT_CUTOFF, BookingStoreMixin
from services.document_store import DocumentStoreMixin
from services.info_store import InfoStoreMixin
from services.inbox_store import InboxStoreMixin, erase as erase_inbox
from services.job_store import JobStoreMixin
from services.linking import LinkStoreMixin
from store.models import (ChannelIdentity, Consent, Contact, ConversationState, InterviewBooking, OutboxMessage,
                     Registration, aware, utcnow)
from store.models import Candidate, ProgrammeEvent

CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B look-alikes
ANSWER_COLUMNS = ("first_name", "last_name", "tax_code", "municipality", "phone", "email", "situation",
                  "education", "italian", "sectors", "driving", "availability")

ConnectionOrSession = Union[Connection, Session]

_contact = Contact.__table__
_identity = ChannelIdentity.__table__
_state = ConversationState.__table__
_consent = Consent.__table__
_registration = Registration.__table__
_booking = InterviewBooking.__table__
_outbox = OutboxMessage.__table__
_event = ProgrammeEvent.__table__
_candidate = Candidate.__table__

_FIND_CONTACT = (
    select(_contact.c.id, _contact.c.language, _state.c.data, _identity.c.id, _identity.c.unreachable_at)
    .select_from(_identity.join(_contact, _identity.c.contact_id == _contact.c.id)
                 .outerjoin(_state, _state.c.contact_id == _contact.c.id))
    .where(_identity.c.scheme == bindparam("scheme"), _identity.c.external_id == bindparam("external_id"))
    # One message of a person at a time, even across processes (PostgreSQL; SQLite's BEGIN
    # IMMEDIATE already serialises): the later one reads the state the earlier one saved.
    .with_for_update(of=_contact, key_share=True))
# A person who blocked the bot (or whose chat was gone) and writes again can be reached again.
_REACHABLE_AGAIN = (update(_identity).where(_identity.c.id == bindparam("b_identity_id"))
                    .values(unreachable_at=None, unreachable_reason=None))
_NEW_CONTACT = insert(_contact)
_NEW_IDENTITY = insert(_identity)
_NEW_STATE = insert(_state)
_UPDATE_STATE = (update(_state).where(_state.c.contact_id == bindparam("b_contact_id"))
                 .values(data=bindparam("b_data"), updated_at=bindparam("b_updated_at")))
_SET_LANGUAGE = (update(_contact).where(_contact.c.id == bindparam("b_contact_id"))
                 .values(language=bindparam("b_language")))
_CODE_TAKEN = select(_registration.c.id).where(_registration.c.code == bindparam("code"))
_CURRENT_REGISTRATION = (_registration.c.contact_id == bindparam("contact_id"),
                         _registration.c.erased_at.is_(None))
_REGISTRATION_CODE = select(_registration.c.code).where(*_CURRENT_REGISTRATION)
_NEW_CONSENT = insert(_consent)
_NEW_REGISTRATION = insert(_registration)


def load_contact(connection: ConnectionOrSession, scheme: str, external_id: str) -> tuple[int, str, dict | None]:
    """(contact id, language, stored conversation state) for a channel identity, in one query;
    the contact is created on first contact. An identity marked unreachable (services.outbox) is
    reachable again: the person wrote (one more statement, only then)."""
    row = connection.execute(_FIND_CONTACT, {"scheme": scheme, "external_id": external_id}).first()
    if row:
        if row[4] is not None:
            connection.execute(_REACHABLE_AGAIN, {"b_identity_id": row[3]})
        return row[0], row[1], row[2]
    contact_id = connection.execute(_NEW_CONTACT).inserted_primary_key[0]
    connection.execute(_NEW_IDENTITY, {"contact_id": contact_id, "scheme": scheme, "external_id": external_id})
    return contact_id, _contact.c.language.default.arg, None


def save_state(connection: ConnectionOrSession, contact_id: int, data: dict, existed: bool) -> None:
    if existed:
        connection.execute(_UPDATE_STATE, {"b_contact_id": contact_id, "b_data": data, "b_updated_at": utcnow()})
    else:
        connection.execute(_NEW_STATE, {"contact_id": contact_id, "data": data})


def set_language(connection: ConnectionOrSession, contact_id: int, language: str) -> None:
    connection.execute(_SET_LANGUAGE, {"b_contact_id": contact_id, "b_language": language})


def new_registration_code(connection: ConnectionOrSession) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        code = f"{code[:3]}-{code[3:]}"
        if connection.execute(_CODE_TAKEN, {"code": code}).first() is None:
            return code


class SqlStore(LinkStoreMixin, BookingStoreMixin, JobStoreMixin, DocumentStoreMixin, InfoStoreMixin,
               InboxStoreMixin):
    """The conversations.store.Store of one contact, in the transaction of the current message."""

    def __init__(self, connection: ConnectionOrSession, contact_id: int, now: dt.datetime | None = None,
                 cutoff: dt.timedelta = DEFAULT_CUTOFF):
        self.connection = connection
        self.contact_id = contact_id
        self.now = now or utcnow()  # the service's clock, so every row of one message agrees
        self.cutoff = cutoff  # bookings closer than this to their start are refused
        self.erased = False  # set once the person erased their data: nothing more is saved
        self.dropped_files: set[str] = set()  # documents' files to remove once committed

    def registration_code(self) -> str | None:
        return self.connection.execute(_REGISTRATION_CODE, {"contact_id": self.contact_id}).scalar()

    def record_consent(self, notice_version: str) -> None:
        self.connection.execute(_NEW_CONSENT, {"contact_id": self.contact_id, "notice_version": notice_version,
                                               "given_at": self.now})

    def save_registration(self, answers: dict[str, Any], language: str) -> str:
        existing = self.registration_code()
        if existing:
            return existing
        code = new_registration_code(self.connection)
        self.connection.execute(_NEW_REGISTRATION, {
            **{k: answers.get(k) for k in ANSWER_COLUMNS}, "contact_id": self.contact_id, "code": code,
            "language": language, "birth_date": dt.date.fromisoformat(answers["birth_date"]),
            "created_at": self.now})
        return code

    def personal_data(self) -> PersonalData:
        connection, cid = self.connection, self.contact_id
        language = connection.execute(select(_contact.c.language).where(_contact.c.id == cid)).scalar_one()
        identities = connection.execute(select(_identity.c.scheme, _identity.c.external_id)
                                        .where(_identity.c.contact_id == cid)).all()
        consents = connection.execute(select(_consent.c.notice_version, _consent.c.given_at)
                                      .where(_consent.c.contact_id == cid)).all()
        registration = connection.execute(select(_registration).where(*_CURRENT_REGISTRATION),
                                          {"contact_id": cid}).mappings().first()
        reg = None
        if registration:
            answers = {k: registration[k] for k in ANSWER_COLUMNS}
            answers["birth_date"] = registration["birth_date"].isoformat() if registration["birth_date"] else None
            reg = {"code": registration["code"], "status": registration["status"],
                   "created_at": aware(registration["created_at"]), "answers": answers}
        return PersonalData(
            language=language,
            identities=[(r.scheme, r.external_id) for r in identities],
            consents=[(r.notice_version, aware(r.given_at)) for r in consents],
            registration=reg)

    def preferences(self) -> Preferences:
        row = self.connection.execute(select(_contact.c.reminders_off_at, _contact.c.notices_off_at,
                                             _contact.c.offers_off_at).where(_contact.c.id == self.contact_id)).one()
        return Preferences(reminders=row.reminders_off_at is None, notices=row.notices_off_at is None,
                           offers=row.offers_off_at is None)

    def set_offers(self, on: bool) -> None:
        """Off: no proposal is sent any more (services.proposals); those queued are withdrawn."""
        self._switch(_contact.c.offers_off_at, on)
        if not on:
            self.connection.execute(update(_outbox).where(_outbox.c.contact_id == self.contact_id,
                                                          _outbox.c.kind == "proposal", _outbox.c.status == "pending")
                                    .values(status="cancelled"))

    def set_notices(self, on: bool) -> None:
        """Off keeps the time it was first asked; the notices already queued are withdrawn."""
        self._switch(_contact.c.notices_off_at, on)
        if not on:
            self.connection.execute(update(_outbox).where(_outbox.c.contact_id == self.contact_id,
                                                          _outbox.c.kind == "broadcast", _outbox.c.status == "pending")
                                    .values(status="cancelled"))

    def set_reminders(self, on: bool) -> None:
        """Off withdraws the reminders already queued; on forgets the withdrawn ones, so that the
        next plan queues those still ahead again (their idempotency keys are free once more)."""
        self._switch(_contact.c.reminders_off_at, on)
        if on:
            reminders.forget_withdrawn(self.connection, self.contact_id)
        else:
            reminders.withdraw_person(self.connection, self.contact_id)

    def _switch(self, off_at, on: bool) -> None:
        """On clears the ``..._off_at`` column; off sets it, unless it is set already."""
        self.connection.execute(update(_contact).where(_contact.c.id == self.contact_id,
                                                       off_at.is_not(None) if on else off_at.is_(None))
                                .values({off_at.name: None if on else self.now}))

    def erase_personal_data(self) -> None:
        """Delete identities, consents, state, pending messages and typed notes; registrations keep
        only date, status and language, bookings only their slot and status, the path's steps only kind,
        day and contract type (anonymous counts)."""
        connection, cid, now = self.connection, self.contact_id, self.now
        connection.execute(update(_registration).where(_registration.c.contact_id == cid).values(
            status="erased", erased_at=now, first_name=None, last_name=None, birth_date=None,
            tax_code=None, municipality=None, phone=None, email=None, situation=None, education=None,
            italian=None, sectors=None, driving=None, availability=None))
        connection.execute(update(_booking).where(_booking.c.contact_id == cid)  # free text they typed
                           .values(cancel_reason=None, outcome_note=None))
        # The path keeps its steps, days and contract types (anonymous counts), not whom or what.
        connection.execute(update(_event).where(_event.c.contact_id == cid).values(company=None, note=None))
        # Candidacies keep their state and coded reason (the programme's mismatch counts), not what they typed.
        connection.execute(update(_candidate).where(_candidate.c.contact_id == cid).values(reason_text=None))
        connection.execute(delete(_outbox).where(_outbox.c.contact_id == cid, _outbox.c.status == "pending"))
        connection.execute(delete(_consent).where(_consent.c.contact_id == cid))
        self.erase_documents()  # the rows; the files once this transaction has committed
        erase_inbox(connection, cid)  # their messages to the office (#15)
        channel_state.forget_pages(connection, cid)
        connection.execute(delete(_identity).where(_identity.c.contact_id == cid))
        connection.execute(delete(_state).where(_state.c.contact_id == cid))
        connection.execute(update(_contact).where(_contact.c.id == cid).values(erased_at=now))
        self.erased = True

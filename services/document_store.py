"""The documents half of the engine's Store (conversations.document_store), in the transaction of the
message being handled; and what the erasure and a merge do with the rows. The files themselves are
services.documents'."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert, or_, select, update

from conversations.document_store import Document
from conversations.messages import Upload
from store.models import Consent, PersonDocument, Registration, aware

_document = PersonDocument.__table__
_registration = Registration.__table__
_consent = Consent.__table__


class DocumentStoreMixin:
    contact_id: int
    now: dt.datetime

    def may_keep_documents(self) -> bool:
        return self.connection.execute(select(_consent.c.id).where(
            _consent.c.contact_id == self.contact_id).limit(1)).first() is not None

    def save_document(self, upload: Upload, channel: str) -> int:
        registration = self.connection.execute(select(_registration.c.id).where(
            _registration.c.contact_id == self.contact_id, _registration.c.erased_at.is_(None))).scalar()
        return self.connection.execute(insert(_document).values(
            contact_id=self.contact_id, registration_id=registration, filename=upload.name, kind=upload.kind,
            size=upload.size, sha256=upload.sha256, channel=channel, created_at=self.now)).inserted_primary_key[0]

    def documents(self) -> list[Document]:
        rows = self.connection.execute(select(_document).where(_document.c.contact_id == self.contact_id)
                                       .order_by(_document.c.created_at, _document.c.id)).mappings()
        return [Document(r["id"], r["filename"], r["kind"], r["size"], aware(r["created_at"])) for r in rows]

    def erase_documents(self) -> None:
        """The rows go now; their files once the transaction has committed (``dropped_files``, for
        services.conversation to hand to services.documents.Documents.forget)."""
        hashes = self.connection.execute(select(_document.c.sha256).where(
            _document.c.contact_id == self.contact_id)).scalars().all()
        self.connection.execute(delete(_document).where(_document.c.contact_id == self.contact_id))
        self.dropped_files = set(hashes)


def of_registration(connection, registration_id: int, contact_id: int) -> list:
    """The documents shown on a registration's page: sent with it, or by the same person before any
    registration; newest first."""
    return connection.execute(select(_document).where(or_(
        _document.c.registration_id == registration_id,
        (_document.c.registration_id.is_(None)) & (_document.c.contact_id == contact_id)))
        .order_by(_document.c.created_at.desc(), _document.c.id.desc())).mappings().all()


def one(connection, document_id: int):
    """A document's row (filename, kind, sha256, registration_id, ...) with its registration's
    contact; None if there is none."""
    return connection.execute(select(_document).where(_document.c.id == document_id)).mappings().first()


def move(connection, *, from_contact: int, to_contact: int, registration_id: int) -> int:
    """A merge: the removed person's documents go to the one who stays, with the kept registration."""
    return connection.execute(update(_document).where(_document.c.contact_id == from_contact).values(
        contact_id=to_contact, registration_id=registration_id)).rowcount

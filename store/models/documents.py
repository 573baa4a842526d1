"""Documents a job seeker sent (a CV, a certificate): the row here, the bytes in a folder outside
the database (services.documents), named by their SHA-256."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlmodel import Field, SQLModel

from store.models.columns import when as _when


class PersonDocument(SQLModel, table=True):
    __tablename__ = "person_document"

    id: Optional[int] = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    registration_id: Optional[int] = Field(default=None, foreign_key="registration.id", index=True)
    filename: str = Field(max_length=120)   # the name it came with, made safe, with the type's extension
    kind: str = Field(max_length=8)         # the type found in its content: pdf, jpeg, png, doc, docx, odt
    size: int
    sha256: str = Field(max_length=64, index=True)  # the file's name in the documents folder
    channel: str = Field(max_length=16)
    created_at: dt.datetime = _when(nullable=False)

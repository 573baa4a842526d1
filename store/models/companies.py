"""Companies, their vacancies, and the people put to a vacancy (mediated selections)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from store.models.columns import utcnow, when as _when


class Company(SQLModel, table=True):
    """A firm the programme works with. ``vat_number``: the partita IVA, 11 digits, unique."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    vat_number: str = Field(max_length=11, unique=True)
    sector: str = Field(max_length=24)
    municipality: str = Field(max_length=40)
    address: Optional[str] = Field(default=None, max_length=200)
    contact_person: Optional[str] = Field(default=None, max_length=120)
    phone: Optional[str] = Field(default=None, max_length=20)
    email: Optional[str] = Field(default=None, max_length=254)
    source: Optional[str] = Field(default=None, max_length=80)  # "campagna CNA", "Confcommercio", "diretto"
    notes: Optional[str] = Field(default=None, max_length=2000)
    created_by: str = Field(default="", max_length=80)
    created_at: dt.datetime = _when(nullable=False, default=utcnow)


class Vacancy(SQLModel, table=True):
    """A position a company wants filled. Requirements are minimums: ``italian`` and
    ``education`` are the registration's codes (conversations.flows.choices)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    role: str = Field(max_length=120)
    sector: str = Field(max_length=24)
    municipality: str = Field(max_length=40)
    contract_type: str = Field(max_length=16)
    hours: str = Field(max_length=16)  # full_time / part_time / shifts
    start_date: Optional[dt.date] = None
    places: int = Field(default=1)
    needs_licence: bool = Field(default=False)
    needs_car: bool = Field(default=False)
    italian: Optional[str] = Field(default=None, max_length=24)
    education: Optional[str] = Field(default=None, max_length=24)
    description: Optional[str] = Field(default=None, max_length=2000)
    status: str = Field(default="open", max_length=16, index=True)
    created_by: str = Field(default="", max_length=80)
    created_at: dt.datetime = _when(nullable=False, default=utcnow)
    updated_at: dt.datetime = _when(nullable=False, default=utcnow)


class Candidate(SQLModel, table=True):
    """A person put to a vacancy: proposed, interested, declined (``reason``), put forward,
    hired, not selected, withdrew, refused the contract. One row per person and vacancy."""

    __tablename__ = "vacancy_candidate"
    __table_args__ = (UniqueConstraint("vacancy_id", "contact_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    vacancy_id: int = Field(foreign_key="vacancy.id", index=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    state: str = Field(default="proposed", max_length=16, index=True)
    reason: Optional[str] = Field(default=None, max_length=24)
    reason_text: Optional[str] = Field(default=None, max_length=500)
    show_company: bool = Field(default=False)  # the proposal names the company (the office's choice)
    created_by: str = Field(default="", max_length=80)
    created_at: dt.datetime = _when(nullable=False, default=utcnow)
    updated_at: dt.datetime = _when(nullable=False, default=utcnow)

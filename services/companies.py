"""Companies and their vacancies: create, edit, list (the office's pages and the command line).
Every input is checked by services.company_input; the caller's transaction is used, the caller
commits. A partita IVA already known is refused with the company that has it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import case, func, select
from sqlmodel import Session

from services import company_input
from services.operator_input import Invalid
from store.models import Candidate, Company, Registration, Vacancy

OPEN = ("open", "in_selection")  # a vacancy still to fill


@dataclass
class CompanyRow:
    company: Company
    vacancies: int
    open_vacancies: int


def create_company(sql_session: Session, *, now: dt.datetime, created_by: str = "", **given: Any) -> Company:
    fields = company_input.company(**given)
    _vat_free(sql_session, fields["vat_number"], None)
    company = Company(**fields, created_by=created_by, created_at=now)
    sql_session.add(company)
    sql_session.flush()
    return company


def edit_company(sql_session: Session, company_id: int, **given: Any) -> Company:
    company = get_company(sql_session, company_id)
    fields = company_input.company(**given)
    _vat_free(sql_session, fields["vat_number"], company.id)
    for key, value in fields.items():
        if getattr(company, key) != value:
            setattr(company, key, value)
    sql_session.flush()
    return company


def get_company(sql_session: Session, company_id: int) -> Company:
    company = sql_session.get(Company, company_id)
    if company is None:
        raise Invalid(f"non esiste un'azienda con ID {company_id}", reason="company")
    return company


def find_company(sql_session: Session, company_id: Optional[int]) -> Optional[Company]:
    return sql_session.get(Company, company_id) if company_id else None


def find_vacancy(sql_session: Session, vacancy_id: Optional[int]) -> Optional[Vacancy]:
    return sql_session.get(Vacancy, vacancy_id) if vacancy_id else None


def _vat_free(sql_session: Session, vat_number: str, own_id: Optional[int]) -> None:
    other = sql_session.scalars(select(Company).where(Company.vat_number == vat_number)).first()
    if other is not None and other.id != own_id:
        raise Invalid(f"la partita IVA {vat_number} è già dell'azienda «{other.name}» (ID {other.id})",
                      reason="vat_taken")


def companies(sql_session: Session, *, search: str = "") -> list[CompanyRow]:
    """Every company by name, with its vacancies and the open ones."""
    counts = (select(Vacancy.company_id, func.count().label("all"),
                     func.sum(case((Vacancy.status.in_(OPEN), 1), else_=0)).label("open"))
              .group_by(Vacancy.company_id).subquery())
    query = (select(Company, counts.c.all, counts.c.open).outerjoin(counts, counts.c.company_id == Company.id)
             .order_by(func.lower(Company.name), Company.id))
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        query = query.where(func.lower(Company.name).like(pattern) | (Company.vat_number == search.strip()))
    return [CompanyRow(company, all_ or 0, open_ or 0) for company, all_, open_ in sql_session.execute(query)]


# -- vacancies ----------------------------------------------------------------------------

def create_vacancy(sql_session: Session, *, company_id: int, now: dt.datetime, created_by: str = "",
                   **given: Any) -> Vacancy:
    get_company(sql_session, company_id)
    vacancy = Vacancy(company_id=company_id, **company_input.vacancy(**given), created_by=created_by,
                      created_at=now, updated_at=now)
    sql_session.add(vacancy)
    sql_session.flush()
    return vacancy


def edit_vacancy(sql_session: Session, vacancy_id: int, *, now: dt.datetime, company_id: Optional[int] = None,
                 **given: Any) -> Vacancy:
    vacancy = get_vacancy(sql_session, vacancy_id)
    fields = company_input.vacancy(**given)
    if company_id is not None and company_id != vacancy.company_id:
        get_company(sql_session, company_id)
        fields["company_id"] = company_id
    changed = False
    for key, value in fields.items():
        if getattr(vacancy, key) != value:
            setattr(vacancy, key, value)
            changed = True
    if changed:
        vacancy.updated_at = now
    sql_session.flush()
    return vacancy


def get_vacancy(sql_session: Session, vacancy_id: int) -> Vacancy:
    vacancy = sql_session.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise Invalid(f"non esiste un'offerta con ID {vacancy_id}", reason="vacancy")
    return vacancy


def vacancies(sql_session: Session, *, status: Optional[str] = None,
              company_id: Optional[int] = None) -> list[tuple[Vacancy, Company]]:
    """Newest first, each with its company."""
    query = select(Vacancy, Company).join(Company, Company.id == Vacancy.company_id)
    if status:
        query = query.where(Vacancy.status == status)
    if company_id:
        query = query.where(Vacancy.company_id == company_id)
    return list(sql_session.execute(query.order_by(Vacancy.created_at.desc(), Vacancy.id.desc())))


def candidates(sql_session: Session, vacancy_id: int) -> list[tuple[Candidate, Optional[Registration]]]:
    """The people put to a vacancy, each with their current registration (None once erased)."""
    get_vacancy(sql_session, vacancy_id)
    query = (select(Candidate, Registration)
             .outerjoin(Registration, (Registration.contact_id == Candidate.contact_id)
                        & Registration.erased_at.is_(None))
             .where(Candidate.vacancy_id == vacancy_id).order_by(Candidate.created_at, Candidate.id))
    return list(sql_session.execute(query))

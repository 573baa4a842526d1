"""Proposing a vacancy to chosen people: a candidacy (state "proposed") and the proposal in the
outbox (kind "proposal", once per vacancy and person), in the person's language, in one
transaction; the caller commits.

Nobody gets a proposal who erased their data, wrote /stop, turned job offers off, was already
proposed this vacancy, got ``per_week`` proposals in the last seven days, or has no channel
left (the row then is not kept). What each one got, or why not, is in the result
(services.candidacy's words say it in Italian)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import func, select
from sqlmodel import Session

from conversations import jobs
from conversations.store import Job

from services import outbox
from services.companies import get_vacancy
from services.operator_input import Invalid
from store.models import Candidate, Company, Contact, Registration, Vacancy

KIND = "proposal"  # the outbox's kind: handlers.whatsapp_outbox picks the proposal template by it
WEEK = dt.timedelta(days=7)
PER_WEEK = 2  # the default of PROPOSALS_PER_WEEK (bot.settings)
WHY_NOT = {"erased": "ha cancellato i suoi dati", "stop": "ha scritto /stop",
           "offers_off": "ha spento le offerte di lavoro", "already": "ha già ricevuto questa offerta",
           "week": "ha già ricevuto {n} proposte negli ultimi 7 giorni", "unreachable": "nessun canale la raggiunge",
           "closed": "il suo percorso è chiuso o è già assunta"}


@dataclass
class Proposed:
    """Who got the proposal (their codes), and who did not with why (code -> WHY_NOT's key)."""

    sent: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def people(sql_session: Session, codes: list[str]) -> list[Registration]:
    """The current registrations of ``codes`` (as typed: case and spaces aside), in order;
    Invalid naming the codes nobody has."""
    wanted = [c.strip().upper() for c in codes if c.strip()]
    if not wanted:
        raise Invalid("nessun codice di persona", reason="codes")
    found = {r.code: r for r in sql_session.scalars(select(Registration).where(Registration.code.in_(wanted)))}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise Invalid("nessuna persona con il codice " + ", ".join(missing), reason="codes")
    return [found[c] for c in dict.fromkeys(wanted)]


def why_not(sql_session: Session, vacancy_id: int, registration: Registration, *, now: dt.datetime,
            per_week: int = PER_WEEK) -> Optional[str]:
    """Why this person may not be proposed this vacancy now (WHY_NOT's key), or None."""
    if registration.erased_at is not None:
        return "erased"
    if registration.status in ("placed", "closed"):
        return "closed"
    contact = sql_session.get(Contact, registration.contact_id)
    if contact.notices_off_at is not None:
        return "stop"
    if contact.offers_off_at is not None:
        return "offers_off"
    mine = Candidate.contact_id == registration.contact_id
    if sql_session.scalar(select(Candidate.id).where(mine, Candidate.vacancy_id == vacancy_id)) is not None:
        return "already"
    recent = sql_session.scalar(select(func.count()).select_from(Candidate)
                                .where(mine, Candidate.created_at >= now - WEEK))
    return "week" if recent >= per_week else None


def propose(sql_session: Session, *, vacancy_id: int, codes: list[str], now: dt.datetime, created_by: str = "",
            show_company: bool = False, per_week: int = PER_WEEK) -> Proposed:
    vacancy = get_vacancy(sql_session, vacancy_id)
    if vacancy.status not in ("open", "in_selection"):
        raise Invalid(f"l'offerta {vacancy.id} è chiusa", reason="closed")
    result = Proposed()
    for registration in people(sql_session, codes):
        why = why_not(sql_session, vacancy.id, registration, now=now, per_week=per_week)
        if why is None and not _send(sql_session, vacancy, registration, now, created_by, show_company):
            why = "unreachable"
        if why is None:
            result.sent.append(registration.code)
        else:
            result.skipped[registration.code] = why
    if result.sent and vacancy.status == "open":
        vacancy.status, vacancy.updated_at = "in_selection", now
    sql_session.flush()
    return result


def _send(sql_session: Session, vacancy: Vacancy, registration: Registration, now: dt.datetime, created_by: str,
          show_company: bool) -> bool:
    candidate = Candidate(vacancy_id=vacancy.id, contact_id=registration.contact_id, state="proposed",
                          show_company=show_company, created_by=created_by, created_at=now, updated_at=now)
    sql_session.add(candidate)
    sql_session.flush()
    company = sql_session.get(Company, vacancy.company_id)
    job = job_view(candidate, vacancy, company)
    language = sql_session.scalar(select(Contact.language).where(Contact.id == registration.contact_id)) or "it"
    queued = outbox.enqueue(sql_session, contact_id=registration.contact_id, kind=KIND,
                            message=jobs.proposal(language=language, job=job, now=now),
                            key=f"proposal:{vacancy.id}:{registration.contact_id}", due_at=now,
                            template_params=jobs.template_params(language=language, job=job, now=now))
    if not queued:
        sql_session.delete(candidate)
        sql_session.flush()
    return queued


def job_view(candidate: Candidate, vacancy: Vacancy, company: Optional[Company]) -> Job:
    """The candidacy as the person sees it: the company named once they are interested, or
    from the start if the office chose so."""
    named = candidate.show_company or candidate.state not in ("proposed", "declined")
    return Job(candidate_id=candidate.id, role=vacancy.role, municipality=vacancy.municipality,
               contract=vacancy.contract_type, hours=vacancy.hours, state=candidate.state,
               company=company.name if (named and company) else None, start_date=vacancy.start_date,
               description=vacancy.description, reason=candidate.reason,
               closed=vacancy.status not in ("open", "in_selection"))

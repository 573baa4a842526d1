"""A candidacy's states after the proposal (services.proposals): the person's answer in the chat
and the company's outcome recorded by the office. The path (services.programme) stays the one
source of truth of where a person is: "interested" records its "in selezione" step with the
company, when the path allows it (programme.advance), and "hired" its "placed" step, once.

States: proposed -> interested (path: selection) | declined (reason, and the person's words for
"other"); interested or put_forward -> hired (path: placement) | not_selected | withdrew |
refused_contract (reason). The caller's transaction; the caller commits."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import select
from sqlmodel import Session

from services import programme
from services.operator_input import Invalid
from store.models import Candidate, Company, Registration, Vacancy

REASONS = ("too_far", "hours", "contract", "kind_of_work", "pay", "found_work", "other")
RESULTS = ("put_forward", "hired", "not_selected", "withdrew", "refused_contract")
# The vacancy's contract types on the path's (programme.CONTRACT_TYPES has fewer)
PATH_CONTRACT = {"permanent": "permanent", "fixed_term": "fixed_term", "apprenticeship": "apprenticeship"}


def _registration(sql_session: Session, contact_id: int) -> Optional[Registration]:
    return sql_session.scalar(select(Registration).where(Registration.contact_id == contact_id,
                                                         Registration.erased_at.is_(None)))


def _company_name(sql_session: Session, vacancy: Vacancy) -> str:
    company = sql_session.get(Company, vacancy.company_id)
    return company.name if company else "?"


def interested(sql_session: Session, candidate: Candidate, *, now: dt.datetime, today: dt.date) -> bool:
    """"I'm interested" (also after a "No, thanks": a change of mind); False when the proposal
    was answered already or the vacancy is closed. The path's "in selezione" step with the
    company, where advance allows."""
    vacancy = sql_session.get(Vacancy, candidate.vacancy_id)
    if candidate.state not in ("proposed", "declined") or vacancy.status not in ("open", "in_selection"):
        return False
    candidate.state, candidate.reason, candidate.reason_text, candidate.updated_at = "interested", None, None, now
    registration = _registration(sql_session, candidate.contact_id)
    if registration is not None:
        try:
            programme.advance(registration.status, "selection")
        except programme.PathError:
            pass  # not interviewed yet (or closed): the office decides; the candidacy says "interested"
        else:
            programme.record(sql_session, registration=registration, kind="selection", on=today, today=today,
                             company=_company_name(sql_session, vacancy), source="proposal",
                             source_key=f"candidate:{candidate.id}:selection", created_by="chat")
    sql_session.flush()
    return True


def declined(sql_session: Session, candidate: Candidate, *, reason: str, text: Optional[str],
             now: dt.datetime) -> bool:
    """"No, thanks" with why; False when the proposal was answered already."""
    if candidate.state != "proposed":
        return False
    if reason not in REASONS:
        raise ValueError(reason)
    candidate.state, candidate.reason, candidate.updated_at = "declined", reason, now
    candidate.reason_text = ((text or "").strip()[:500] or None) if reason == "other" else None
    sql_session.flush()
    return True


def find(sql_session: Session, vacancy_id: int, code: str) -> tuple[Candidate, Registration]:
    registration = sql_session.scalar(select(Registration).where(Registration.code == code.strip().upper()))
    candidate = None if registration is None else sql_session.scalar(select(Candidate).where(
        Candidate.vacancy_id == vacancy_id, Candidate.contact_id == registration.contact_id))
    if candidate is None:
        raise Invalid(f"la persona {code} non è tra i candidati dell'offerta {vacancy_id}", reason="candidate")
    return candidate, registration


def outcome(sql_session: Session, *, vacancy_id: int, code: str, result: str, now: dt.datetime, today: dt.date,
            contract: Optional[str] = None, start: Optional[dt.date] = None, reason: Optional[str] = None,
            created_by: str = "") -> Candidate:
    """The company's outcome for one candidate. ``hired`` records the path's "placed" step (contract
    type: the vacancy's unless given; start: today unless given), once per candidacy."""
    if result not in RESULTS:
        raise Invalid(f"esito sconosciuto «{result}» (ammessi: {', '.join(RESULTS)})", reason="result")
    vacancy = sql_session.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise Invalid(f"non esiste un'offerta con ID {vacancy_id}", reason="vacancy")
    candidate, registration = find(sql_session, vacancy_id, code)
    if candidate.state == "hired" and result != "hired":
        raise Invalid(f"la persona {registration.code} è già assunta per questa offerta", reason="hired")
    if result == "hired":
        if registration.erased_at is not None:
            raise Invalid(f"la persona {registration.code} ha cancellato i suoi dati", reason="erased")
        kind = contract or vacancy.contract_type
        try:
            programme.record(sql_session, registration=registration, kind="placement", on=start or today,
                             today=today, company=_company_name(sql_session, vacancy),
                             contract_type=PATH_CONTRACT.get(kind, "other"), source="proposal",
                             source_key=f"candidate:{candidate.id}:placed", created_by=created_by)
        except programme.PathError as bad:
            raise Invalid(_PATH_WORDS.get(bad.code, f"il percorso non lo permette ({bad.code})"),
                          reason="path") from None
    candidate.state, candidate.updated_at = result, now
    if reason and reason.strip():
        candidate.reason_text = reason.strip()[:500]
    sql_session.flush()
    return candidate


_PATH_WORDS = {"stage": "il percorso non lo permette: registra prima il colloquio di orientamento",
               "erased": "la persona ha cancellato i suoi dati"}


def funnel(states: list[str]) -> dict[str, int]:
    """A vacancy's funnel from its candidacies' states: proposed (all), interested (said yes,
    whatever came after), declined, put forward to the company (and after), hired."""
    said_yes = [s for s in states if s not in ("proposed", "declined")]
    return {"proposed": len(states), "interested": len(said_yes), "declined": states.count("declined"),
            "put_forward": sum(s in ("put_forward", "hired", "not_selected", "refused_contract") for s in states),
            "hired": states.count("hired")}

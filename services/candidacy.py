"""A candidacy's states after the proposal (services.proposals): the person's answer in the chat
and the company's outcome recorded by the office. The path (services.programme) stays the one
source of truth of where a person is: "interested" records its "in selezione" step with the
company, when the path allows it (programme.advance; a person not interviewed yet gets it once
the office puts them forward), and "hired" its "placed" step, once.

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
from store.models import Candidate, Company, ProgrammeEvent, Registration, Vacancy

REASONS = ("too_far", "hours", "contract", "kind_of_work", "pay", "found_work", "other")
RESULTS = ("put_forward", "hired", "not_selected", "withdrew", "refused_contract")
PUT_FORWARD = ("put_forward", "hired", "not_selected", "refused_contract")  # the company saw the person
# The vacancy's contract types on the path's (programme.CONTRACT_TYPES has fewer)
PATH_CONTRACT = {"permanent": "permanent", "fixed_term": "fixed_term", "apprenticeship": "apprenticeship"}


def _registration(sql_session: Session, contact_id: int) -> Optional[Registration]:
    return sql_session.scalar(select(Registration).where(Registration.contact_id == contact_id,
                                                         Registration.erased_at.is_(None)))


def _company_name(sql_session: Session, vacancy: Vacancy) -> str:
    company = sql_session.get(Company, vacancy.company_id)
    return company.name if company else "?"


def interested(sql_session: Session, candidate: Candidate, *, now: dt.datetime, today: dt.date) -> Optional[str]:
    """"I'm interested" (also after a "No, thanks": a change of mind): the person is in the
    vacancy's selection either way. What comes next: "selection" (the path's "in selezione" step
    with the company is recorded), "interview" (not interviewed yet: the orientation interview
    comes first, and the step is recorded once the office puts them forward), "office" (the path
    is closed, or no registration: the office decides). None when the proposal was answered
    already or the vacancy is closed."""
    vacancy = sql_session.get(Vacancy, candidate.vacancy_id)
    if candidate.state not in ("proposed", "declined") or vacancy.status not in ("open", "in_selection"):
        return None
    candidate.state, candidate.reason, candidate.reason_text, candidate.updated_at = "interested", None, None, now
    registration = _registration(sql_session, candidate.contact_id)
    if _selection(sql_session, candidate, registration, vacancy, on=today, today=today, created_by="chat"):
        found = "selection"
    elif registration is not None and registration.status in ("new", "registered"):
        found = "interview"
    else:
        found = "office"
    sql_session.flush()
    return found


def _selection(sql_session: Session, candidate: Candidate, registration: Optional[Registration], vacancy: Vacancy,
               *, on: dt.date, today: dt.date, created_by: str) -> bool:
    """The path's "in selezione" step with the company for this candidacy, once, where the path
    allows it (programme.advance); whether the path has it now."""
    key = f"candidate:{candidate.id}:selection"
    if sql_session.scalar(select(ProgrammeEvent.id).where(ProgrammeEvent.source_key == key)) is not None:
        return True
    if registration is None:
        return False
    try:
        programme.advance(registration.status, "selection")
    except programme.PathError:
        return False
    programme.record(sql_session, registration=registration, kind="selection", on=on, today=today,
                     company=_company_name(sql_session, vacancy), source="proposal", source_key=key,
                     created_by=created_by)
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
            programme.advance(registration.status, "placement")
            # put forward before placed: the "in selezione" step of a person interested before the interview
            _selection(sql_session, candidate, registration, vacancy, on=min(today, start or today), today=today,
                       created_by=created_by)
            programme.record(sql_session, registration=registration, kind="placement", on=start or today,
                             today=today, company=_company_name(sql_session, vacancy),
                             contract_type=PATH_CONTRACT.get(kind, "other"), source="proposal",
                             source_key=f"candidate:{candidate.id}:placed", created_by=created_by)
        except programme.PathError as bad:
            raise Invalid(_PATH_WORDS.get(bad.code, f"il percorso non lo permette ({bad.code})"),
                          reason="path") from None
    elif result in PUT_FORWARD:
        _selection(sql_session, candidate, registration if registration.erased_at is None else None, vacancy,
                   on=today, today=today, created_by=created_by)
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
            "put_forward": sum(s in PUT_FORWARD for s in states),
            "hired": states.count("hired")}

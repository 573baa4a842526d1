"""Who fits a vacancy: the registered people ranked by how well they fit, each with a one-line
Italian explanation (services.matching_words), and who was left out and why.

Left out always (``excluded``, counted by reason): erased people, people who wrote /stop or
turned job offers off, people already placed or whose path is closed, people merged into
another, and people already put to this vacancy. Left out by the vacancy's requirements (unless
``strict`` is off): no driving licence or no car when needed, Italian or school title below the
one asked. An unknown answer (an imported person never asked) is not a refusal: it is ranked,
marked "da verificare". The other filters are the operator's: distance, sector, hours, only
interviewed people, nobody in another selection.

Score, out of 100: sector chosen 30, available for the hours 20, distance 25 (full at the same
comune, none at MAX_KM or more), interview done 10, not in another selection 10, requirements
known and met 5. Ties: nearer first, then who registered earlier (waiting longer).

One query for the people (columns only, no ORM objects: 20,000 people in well under 200 ms,
bench/bench_matching.py), one for the selections under way, one for the counts of exclusions."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import case, func, select
from sqlmodel import Session

from conversations.coordinates import distance_km

from services import matching_words
from services.companies import get_company, get_vacancy
from services.placement_words import ACTIVE_STATES, EDUCATION_ORDER, ITALIAN_ORDER, at_least
from store.models import Candidate, Contact, Registration, Vacancy

MAX_KM = 50.0
OPEN_STAGES = ("new", "registered", "interviewed", "in_selection")
INTERVIEWED = ("interviewed", "in_selection")


@dataclass(frozen=True)
class Filters:
    max_km: Optional[float] = None
    sector_only: bool = False
    hours_only: bool = False
    interviewed_only: bool = False
    free_only: bool = False  # nobody in another selection
    strict: bool = True  # the vacancy's requirements leave out who does not meet them


@dataclass
class Match:
    contact_id: int
    code: str
    name: str
    municipality: Optional[str]
    km: Optional[float]
    score: int
    interviewed: bool
    other_selections: int
    checks: dict[str, Optional[bool]]  # sector, hours, licence, car, italian, education: met / not / unknown
    explanation: str = ""


@dataclass
class Result:
    vacancy: Vacancy
    company_name: str
    people: list[Match]
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> how many


def match(sql_session: Session, vacancy_id: int, filters: Filters = Filters()) -> Result:
    vacancy = get_vacancy(sql_session, vacancy_id)
    company = get_company(sql_session, vacancy.company_id)
    excluded = _always_excluded(sql_session)
    busy: dict[int, int] = {}
    here: set[int] = set()
    for contact_id, other, state in sql_session.execute(
            select(Candidate.contact_id, Candidate.vacancy_id, Candidate.state)):
        if other == vacancy.id:
            here.add(contact_id)
        elif state in ACTIVE_STATES:
            busy[contact_id] = busy.get(contact_id, 0) + 1
    rows = sql_session.execute(
        select(Registration.contact_id, Registration.code, Registration.first_name, Registration.last_name,
               Registration.municipality, Registration.education, Registration.italian, Registration.sectors,
               Registration.driving, Registration.availability, Registration.status, Registration.created_at)
        .join(Contact, Contact.id == Registration.contact_id)
        .where(Registration.erased_at.is_(None), Registration.status.in_(OPEN_STAGES), Contact.erased_at.is_(None),
               Contact.notices_off_at.is_(None), Contact.offers_off_at.is_(None)))
    distances = {}
    people, created = [], {}
    for (contact_id, code, first, last, comune, education, italian, sectors, driving, availability, status,
         created_at) in rows:
        if contact_id in here:
            _count(excluded, "already_here")
            continue
        checks = _checks(vacancy, sectors, availability, driving, italian, education)
        refused = next((key for key in ("licence", "car", "italian", "education") if checks[key] is False), None)
        if refused and filters.strict:
            _count(excluded, refused)
            continue
        if comune not in distances:
            distances[comune] = distance_km(comune, vacancy.municipality) if comune else None
        km = distances[comune]
        interviewed = status in INTERVIEWED
        other = busy.get(contact_id, 0) + (1 if status == "in_selection" and not busy.get(contact_id) else 0)
        reason = _filtered(filters, checks, km, interviewed, other)
        if reason:
            _count(excluded, reason)
            continue
        score = (30 * bool(checks["sector"]) + 20 * bool(checks["hours"])
                 + (round(25 * max(0.0, 1 - km / MAX_KM)) if km is not None else 0)
                 + 10 * interviewed + 10 * (not other)
                 + 5 * all(checks[k] is not None for k in ("licence", "car", "italian", "education")))
        name = " ".join(p for p in (last, first) if p) or "(senza nome)"
        people.append(Match(contact_id, code, name, comune, km, score, interviewed, other, checks))
        created[contact_id] = created_at
    people.sort(key=lambda m: (-m.score, m.km if m.km is not None else 999.0, created[m.contact_id], m.code))
    for person in people:
        person.explanation = matching_words.explain(person, vacancy)
    return Result(vacancy=vacancy, company_name=company.name, people=people, excluded=excluded)


def _checks(vacancy: Vacancy, sectors, availability, driving, italian, education) -> dict[str, Optional[bool]]:
    licence = None if driving is None else driving in ("licence", "licence_car")
    return {
        "sector": None if sectors is None else vacancy.sector in sectors,
        "hours": None if availability is None else vacancy.hours in availability,
        "licence": True if not vacancy.needs_licence else licence,
        "car": True if not vacancy.needs_car else (None if driving is None else driving == "licence_car"),
        "italian": at_least(ITALIAN_ORDER, italian, vacancy.italian) if italian or not vacancy.italian else None,
        "education": (at_least(EDUCATION_ORDER, education, vacancy.education)
                      if education or not vacancy.education else None),
    }


def _filtered(filters: Filters, checks: dict, km: Optional[float], interviewed: bool, other: int) -> Optional[str]:
    """The operator's filter that leaves this person out, if any."""
    if filters.max_km is not None and (km is None or km > filters.max_km):
        return "far"
    if filters.sector_only and not checks["sector"]:
        return "sector"
    if filters.hours_only and not checks["hours"]:
        return "hours"
    if filters.interviewed_only and not interviewed:
        return "not_interviewed"
    if filters.free_only and other:
        return "busy"
    return None


def _count(excluded: dict[str, int], reason: str) -> None:
    excluded[reason] = excluded.get(reason, 0) + 1


def _always_excluded(sql_session: Session) -> dict[str, int]:
    """How many registrations are left out whatever the vacancy, by reason (one pass in SQL)."""
    reason = case(
        (Registration.erased_at.is_not(None) | Contact.erased_at.is_not(None), "erased"),
        (Registration.status == "erased", "erased"),
        (Registration.status == "merged", "merged"),
        (Registration.status == "placed", "placed"),
        (Registration.status == "closed", "closed"),
        (Contact.notices_off_at.is_not(None), "stopped"),
        (Contact.offers_off_at.is_not(None), "offers_off"),
        else_="")
    query = (select(reason, func.count()).select_from(Registration)
             .join(Contact, Contact.id == Registration.contact_id).group_by(reason))
    return {key: count for key, count in sql_session.execute(query) if key}

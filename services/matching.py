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
from operator import attrgetter
from typing import Any, Optional

from sqlalchemy import Text, and_, case, cast, func, or_, select
from sqlmodel import Session

from conversations.coordinates import distance_km

from services import matching_words
from services.companies import get_company, get_vacancy
from services.placement_words import ACTIVE_STATES, EDUCATION_ORDER, ITALIAN_ORDER, at_least
from store.models import Candidate, Contact, Registration, Vacancy

MAX_KM = 50.0
OPEN_STAGES = ("new", "registered", "interviewed", "in_selection")
INTERVIEWED = ("interviewed", "in_selection")
CHECKS = ("sector", "hours", "licence", "car", "italian", "education")
REQUIREMENTS = CHECKS[2:]


@dataclass(frozen=True)
class Filters:
    max_km: Optional[float] = None
    sector_only: bool = False
    hours_only: bool = False
    interviewed_only: bool = False
    free_only: bool = False  # nobody in another selection
    strict: bool = True  # the vacancy's requirements leave out who does not meet them

    @property
    def narrowing(self) -> bool:
        """Whether any of the operator's filters is on."""
        return (self.max_km is not None or self.sector_only or self.hours_only or self.interviewed_only
                or self.free_only)


class Match:
    """One person who fits: the explanation (and the name) are made when first read, so that
    ranking 20,000 people does not write 20,000 lines nobody reads (a page shows the first 200)."""

    __slots__ = ("contact_id", "code", "first_name", "last_name", "municipality", "km", "score", "interviewed",
                 "other_selections", "answers", "registered", "key", "_explainer", "_explanation")

    def __init__(self, contact_id: int, code: str, first_name: Optional[str], last_name: Optional[str],
                 municipality: Optional[str], km: Optional[float], score: int, interviewed: bool,
                 other_selections: int, answers: tuple, registered: str, explainer: Any):
        self.contact_id, self.code, self.first_name, self.last_name = contact_id, code, first_name, last_name
        self.municipality, self.km, self.score, self.interviewed = municipality, km, score, interviewed
        self.other_selections, self.answers, self.registered = other_selections, answers, registered
        # The rank: higher score, then nearer, then who registered earlier (waiting longer).
        self.key = (-score, 999.0 if km is None else km, registered, code)
        self._explainer, self._explanation = explainer, None

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name) if p) or "(senza nome)"

    @property
    def checks(self) -> dict[str, Optional[bool]]:
        """One per CHECKS: met (True), not met (False), unknown (None)."""
        return dict(zip(CHECKS, self.answers))

    @property
    def explanation(self) -> str:
        if self._explanation is None:
            self._explanation = self._explainer(self)
        return self._explanation

    def __repr__(self) -> str:
        return f"Match({self.code!r}, score={self.score}, km={self.km})"


@dataclass
class Result:
    vacancy: Vacancy
    company_name: str
    people: list[Match]
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> how many


def match(sql_session: Session, vacancy_id: int, filters: Filters = Filters()) -> Result:
    vacancy = get_vacancy(sql_session, vacancy_id)
    company = get_company(sql_session, vacancy.company_id)
    connection = sql_session.connection()  # Core rows: the ORM's row handling doubled the time
    busy: dict[int, int] = {}
    here: set[int] = set()
    for contact_id, other, state in connection.execute(
            select(Candidate.contact_id, Candidate.vacancy_id, Candidate.state)):
        if other == vacancy.id:
            here.add(contact_id)
        elif state in ACTIVE_STATES:
            busy[contact_id] = busy.get(contact_id, 0) + 1
    rules = _Rules(vacancy)
    # The few contacts out of reach as a NOT IN, not a join: SQLite's join cost as much as all the rest.
    unreachable = select(Contact.id).where(or_(Contact.erased_at.is_not(None), Contact.notices_off_at.is_not(None),
                                               Contact.offers_off_at.is_not(None)))
    live = (Registration.erased_at.is_(None), Registration.status.in_(OPEN_STAGES),
            Registration.contact_id.not_in(unreachable))
    query = (select(Registration.contact_id, Registration.code, Registration.first_name, Registration.last_name,
                    Registration.municipality, Registration.education, Registration.italian,
                    cast(Registration.sectors, Text), Registration.driving, cast(Registration.availability, Text),
                    Registration.status, cast(Registration.created_at, Text))
             .where(*live))
    failing = rules.failing() if filters.strict else []
    put_here = select(Candidate.contact_id).where(Candidate.vacancy_id == vacancy.id)
    excluded = _excluded(connection, [(and_(Registration.contact_id.not_in(put_here), column.in_(values)), why)
                                      for why, column, values in failing])
    if failing:
        # Who misses a requirement is left out in SQL and only counted (most of the rows, often); the
        # people already put to this vacancy come through, to be counted as such.
        met = and_(*(or_(column.is_(None), column.not_in(values)) for _reason, column, values in failing))
        query = query.where(or_(met, Registration.contact_id.in_(put_here)))
    # The JSON lists as their text (a quoted code inside it is the answer), the time of registering as its
    # text (UTC, so it sorts as the time does): decoding 20,000 lists and parsing the times cost more than
    # all the rest.
    rows = connection.execute(query).all()
    narrowing = filters.narrowing
    places: dict = {}  # comune -> (km, points for the distance)
    explain = matching_words.Explainer(vacancy)
    people = []
    for (contact_id, code, first, last, comune, education, italian, sectors, driving, availability, status,
         registered) in rows:
        if contact_id in here:
            _count(excluded, "already_here")
            continue
        answers = rules.answers(sectors, availability, driving, italian, education)
        if filters.strict and False in answers[2:]:
            _count(excluded, REQUIREMENTS[answers[2:].index(False)])
            continue
        if comune not in places:
            km = distance_km(comune, vacancy.municipality) if comune else None
            places[comune] = (km, round(25 * max(0.0, 1 - km / MAX_KM)) if km is not None else 0)
        km, near = places[comune]
        interviewed = status in INTERVIEWED
        other = busy.get(contact_id, 0) or (1 if status == "in_selection" else 0)
        if narrowing:
            reason = _filtered(filters, answers, km, interviewed, other)
            if reason:
                _count(excluded, reason)
                continue
        score = (30 * bool(answers[0]) + 20 * bool(answers[1]) + near + 10 * interviewed + 10 * (not other)
                 + 5 * (None not in answers[2:]))
        people.append(Match(contact_id, code, first, last, comune, km, score, interviewed, other, answers,
                            registered or "", explain))
    people.sort(key=_rank)
    return Result(vacancy=vacancy, company_name=company.name, people=people, excluded=excluded)


class _Rules:
    """The vacancy's requirements as lookups, read once (not 20,000 times off the ORM object)."""

    def __init__(self, vacancy: Vacancy):
        self.sector, self.hours = f'"{vacancy.sector}"', f'"{vacancy.hours}"'
        self.licence = {"licence": True, "licence_car": True, "none": False} if vacancy.needs_licence else None
        self.car = {"licence_car": True, "licence": False, "none": False} if vacancy.needs_car else None
        self.italian = _levels(ITALIAN_ORDER, vacancy.italian)
        self.education = _levels(EDUCATION_ORDER, vacancy.education)

    def failing(self) -> list[tuple[str, Any, list[str]]]:
        """(requirement, column, the answers that miss it), for the requirements the vacancy has."""
        found = []
        for why, column, table in (("licence", Registration.driving, self.licence), ("car", Registration.driving, self.car),
                                   ("italian", Registration.italian, self.italian),
                                   ("education", Registration.education, self.education)):
            if table is not None:
                found.append((why, column, sorted(answer for answer, met in table.items() if met is False)))
        return found

    def answers(self, sectors, availability, driving, italian, education) -> tuple:
        """One per CHECKS: met (True), not met (False), unknown (None: not asked, or not ranked)."""
        return (None if sectors is None or sectors == "null" else self.sector in sectors,
                None if availability is None or availability == "null" else self.hours in availability,
                True if self.licence is None else self.licence.get(driving),
                True if self.car is None else self.car.get(driving),
                True if self.italian is None else self.italian.get(italian),
                True if self.education is None else self.education.get(education))


def _levels(order: tuple[str, ...], wanted: Optional[str]) -> Optional[dict[str, bool]]:
    """level -> whether it reaches ``wanted`` (None: nothing asked); a level not in ``order`` is unknown."""
    if not wanted:
        return None
    return {level: at_least(order, level, wanted) for level in order}


_rank = attrgetter("key")


def _filtered(filters: Filters, answers: tuple, km: Optional[float], interviewed: bool, other: int) -> Optional[str]:
    """The operator's filter that leaves this person out, if any."""
    if filters.max_km is not None and (km is None or km > filters.max_km):
        return "far"
    if filters.sector_only and not answers[0]:
        return "sector"
    if filters.hours_only and not answers[1]:
        return "hours"
    if filters.interviewed_only and not interviewed:
        return "not_interviewed"
    if filters.free_only and other:
        return "busy"
    return None


def _count(excluded: dict[str, int], reason: str) -> None:
    excluded[reason] = excluded.get(reason, 0) + 1


def _excluded(connection, missing: list) -> dict[str, int]:
    """How many registrations are left out, by reason, in one pass in SQL: whatever the vacancy
    (erased, stopped...), then by the vacancy's requirements (``missing``: the case's clauses)."""
    reason = case(
        (Registration.erased_at.is_not(None) | Contact.erased_at.is_not(None), "erased"),
        (Registration.status == "erased", "erased"),
        (Registration.status == "merged", "merged"),
        (Registration.status == "placed", "placed"),
        (Registration.status == "closed", "closed"),
        (Contact.notices_off_at.is_not(None), "stopped"),
        (Contact.offers_off_at.is_not(None), "offers_off"),
        *missing, else_="")
    query = (select(reason, func.count()).select_from(Registration)
             .join(Contact, Contact.id == Registration.contact_id).group_by(reason))
    return {key: count for key, count in connection.execute(query) if key}

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
comune, none at 50 km or more), interview done 10, not in another selection 10, requirements
known and met 5. Ties: nearer first, then who registered earlier (waiting longer).

The database does the work (services.matching_sql): one query counts the people left out by
reason and those who fit, one returns the first ``limit`` who fit, ranked; only those come to
Python, where their answers are read and their line is written when first asked for. 20,000
people: bench/bench_matching.py."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from sqlalchemy import func, select
from sqlmodel import Session

from services import matching_words
from services.companies import get_company, get_vacancy
from services.matching_sql import FAR, INTERVIEWED, Ranking
from services.placement_words import ACTIVE_STATES, EDUCATION_ORDER, ITALIAN_ORDER, at_least
from store.models import Candidate, Registration, Vacancy

CHUNK = 500  # values per IN (...): SQLite's limit on bound parameters
CHECKS = ("sector", "hours", "licence", "car", "italian", "education")


@dataclass(frozen=True)
class Filters:
    max_km: Optional[float] = None
    sector_only: bool = False
    hours_only: bool = False
    interviewed_only: bool = False
    free_only: bool = False  # nobody in another selection
    strict: bool = True  # the vacancy's requirements leave out who does not meet them


class Match:
    """One person who fits, as ranked by the database; the line saying why is written when first read."""

    __slots__ = ("contact_id", "code", "first_name", "last_name", "municipality", "km", "score", "interviewed",
                 "other_selections", "answers", "_explainer", "_explanation")

    def __init__(self, contact_id: int, code: str, first_name: Optional[str], last_name: Optional[str],
                 municipality: Optional[str], km: Optional[float], score: int, interviewed: bool,
                 other_selections: int, answers: tuple, explainer: Any):
        self.contact_id, self.code, self.first_name, self.last_name = contact_id, code, first_name, last_name
        self.municipality, self.km, self.score, self.interviewed = municipality, km, score, interviewed
        self.other_selections, self.answers = other_selections, answers
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
    people: list[Match]  # the first ones (``limit``), best first
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> how many
    total: int = 0  # how many fit


def match(sql_session: Session, vacancy_id: int, filters: Filters = Filters(), *,
          limit: Optional[int] = None) -> Result:
    """The people who fit, best first (the first ``limit`` of them; all with None), and the
    counts: ``total`` who fit, ``excluded`` by reason."""
    vacancy = get_vacancy(sql_session, vacancy_id)
    company = get_company(sql_session, vacancy.company_id)
    connection = sql_session.connection()  # Core rows: the ORM's row handling doubled the time
    rules = _Rules(vacancy)
    ranking = Ranking(vacancy, rules.failing(), rules.known(), filters)
    excluded = {why: count for why, count in connection.execute(ranking.counts())}
    total = excluded.pop("", 0)
    rows = connection.execute(ranking.ranked(limit)).all()
    busy: dict[int, int] = {}
    shown = [row[0] for row in rows]
    for start in range(0, len(shown), CHUNK):
        for contact_id, count in connection.execute(
                select(Candidate.contact_id, func.count()).where(
                    Candidate.contact_id.in_(shown[start:start + CHUNK]), Candidate.vacancy_id != vacancy.id,
                    Candidate.state.in_(ACTIVE_STATES)).group_by(Candidate.contact_id)):
            busy[contact_id] = count
    explain = matching_words.Explainer(vacancy)
    people = []
    for (contact_id, code, first, last, comune, education, italian, sectors, driving, availability, status,
         score, km) in rows:
        other = busy.get(contact_id, 0) or (1 if status == "in_selection" else 0)
        people.append(Match(contact_id, code, first, last, comune, None if km >= FAR else km, score,
                            status in INTERVIEWED, other, rules.answers(sectors, availability, driving, italian,
                                                                        education), explain))
    return Result(vacancy=vacancy, company_name=company.name, people=people, excluded=excluded, total=total)


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
        for why, column, table in self._tables():
            if table is not None:
                found.append((why, column, sorted(answer for answer, met in table.items() if met is False)))
        return found

    def _tables(self) -> tuple:
        return (("licence", Registration.driving, self.licence), ("car", Registration.driving, self.car),
                ("italian", Registration.italian, self.italian), ("education", Registration.education, self.education))

    def known(self) -> list:
        """SQL conditions: each requirement's answer is one that can be ranked (not missing, not "foreign")."""
        return [column.in_(sorted(table)) for _why, column, table in self._tables() if table is not None]

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

"""The figures of companies, vacancies and job proposals (#16), per semester like services.figures
(H1 January-June, H2 July-December, Rome days) and over all time.

Each thing counts in the semester it started: a company in the one it was added, a vacancy in
the one it was opened, a proposal in the one it was sent. What became of a vacancy (covered) or
of a proposal (interested, "No, grazie" and why, put forward to the company, hired, contract
refused) counts with it, whenever it happened: a semester's figures are its proposals' funnel,
and they grow while answers and outcomes come in. A company is involved in a semester when it
opened a vacancy or one of its vacancies was proposed then. Time to hire: days from the proposal
to the start of the contract (the path's "placed" step of that candidacy), their median.

Candidacies stay when a person erases their data (anonymous counts), as registrations do."""
from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, fields
from typing import Optional

from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import Session

from conversations.i18n import TIMEZONE

from services.candidacy import REASONS, funnel
from services.figures import Semester
from store.models import Candidate, Company, ProgrammeEvent, Vacancy, aware

COVERED = "closed_filled"
NO_SOURCE = ""  # a company whose source was not written down


@dataclass(frozen=True)
class JobFigures:
    """One period's figures. A share or a median is None when there is nothing to count."""

    companies_involved: int      # opened a vacancy or had one proposed in the period
    companies_new: int           # added in the period
    vacancies_opened: int
    vacancies_covered: int       # of those, closed as covered
    proposed: int                # proposals sent (one person, one vacancy)
    interested: int              # of those, "Mi interessa" (whatever came after)
    declined: int                # "No, grazie"
    put_forward: int             # put forward to the company's selection: "inserimenti mediati"
    hired: int
    contract_refused: int        # the company's outcome "refused the contract"
    path_contract_refused: int   # paths closed in the period as "refused a contract" (any source)
    days_to_hire: Optional[float]  # median days from proposal to the contract's start
    hired_permanent: int         # hirings (with their "placed" step) on a permanent contract
    hired_permanent_share: Optional[float]

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class JobReport:
    """A semester beside the same semester a year before, and all time; companies by source and
    the reasons of "No, grazie" in each."""

    semester: Semester
    figures: JobFigures
    year_before: JobFigures
    all_time: JobFigures
    sources: list["SourceRow"]
    reasons: dict[str, tuple[int, int, int]]  # reason -> (semester, year before, all time)


@dataclass(frozen=True)
class SourceRow:
    """Companies of one source: involved and new in the semester, the same semester a year
    before and all time (new all time: every company of that source)."""

    source: str                    # as the office wrote it (the first spelling met); NO_SOURCE when none
    involved: tuple[int, int, int]
    new: tuple[int, int, int]


def _within(column, semester: Semester | None):
    if semester is None:
        return true()
    start, end = semester.span()
    return and_(column >= start, column < end)


def _rome_day(moment: dt.datetime) -> dt.date:
    return aware(moment).astimezone(TIMEZONE).date()


def _involved(sql_session: Session, semester: Semester | None) -> set[int]:
    opened = select(Vacancy.company_id).where(_within(Vacancy.created_at, semester))
    proposed = (select(Vacancy.company_id).join(Candidate, Candidate.vacancy_id == Vacancy.id)
                .where(_within(Candidate.created_at, semester)))
    return set(sql_session.scalars(opened.union(proposed)))


def figures(sql_session: Session, *, semester: Semester | None = None) -> JobFigures:
    """The figures of ``semester``, or of all time without one."""
    companies_new = sql_session.scalar(select(func.count()).select_from(Company)
                                       .where(_within(Company.created_at, semester)))
    opened, covered = sql_session.execute(
        select(func.count(), func.count(Vacancy.id).filter(Vacancy.status == COVERED))
        .where(_within(Vacancy.created_at, semester))).one()
    rows = sql_session.execute(select(Candidate.id, Candidate.state, Candidate.created_at)
                               .where(_within(Candidate.created_at, semester))).all()
    counted = funnel([state for _id, state, _at in rows])
    hired_on = {f"candidate:{id_}:placed": _rome_day(at) for id_, state, at in rows if state == "hired"}
    starts = [((day - hired_on[key]).days, contract) for key, day, contract in sql_session.execute(
        select(ProgrammeEvent.source_key, ProgrammeEvent.day, ProgrammeEvent.contract_type)
        .where(ProgrammeEvent.kind == "placement", ProgrammeEvent.source == "proposal",
               ProgrammeEvent.source_key.like("candidate:%"))) if key in hired_on]
    permanent = sum(contract == "permanent" for _days, contract in starts)
    days = [days for days, _contract in starts]
    closed = select(func.count()).select_from(ProgrammeEvent).where(
        ProgrammeEvent.kind == "closed", ProgrammeEvent.reason == "refused_contract")
    if semester is not None:
        closed = closed.where(ProgrammeEvent.day >= semester.first_day, ProgrammeEvent.day < semester.end_day)
    return JobFigures(
        companies_involved=len(_involved(sql_session, semester)), companies_new=companies_new,
        vacancies_opened=opened, vacancies_covered=covered, proposed=counted["proposed"],
        interested=counted["interested"], declined=counted["declined"], put_forward=counted["put_forward"],
        hired=counted["hired"], contract_refused=sum(state == "refused_contract" for _i, state, _a in rows),
        path_contract_refused=sql_session.scalar(closed),
        days_to_hire=float(statistics.median(days)) if days else None, hired_permanent=permanent,
        hired_permanent_share=permanent / len(starts) if starts else None)


def decline_reasons(sql_session: Session, *, semester: Semester | None = None) -> dict[str, int]:
    """Why people said "No, grazie" to the period's proposals: every reason (REASONS' order), 0 too."""
    found = dict(sql_session.execute(
        select(Candidate.reason, func.count()).where(Candidate.state == "declined",
                                                     _within(Candidate.created_at, semester))
        .group_by(Candidate.reason)).all())
    return {reason: found.get(reason, 0) for reason in REASONS}


def sources(sql_session: Session, semester: Semester) -> list[SourceRow]:
    """Companies by how they came ("campagna CNA", "Confcommercio"...: written alike whatever the
    case and spaces), the most numerous first; those without a source last."""
    periods = (semester, semester.year_before(), None)
    involved = [_involved(sql_session, period) for period in periods]
    spans = [period.span() for period in periods[:2]]
    names: dict[str, str] = {}
    counts: dict[str, list[int]] = {}
    for company_id, source, created in sql_session.execute(select(Company.id, Company.source, Company.created_at)):
        written = " ".join((source or "").split())
        key = written.casefold()
        names.setdefault(key, written)
        created = aware(created)
        new = [start <= created < end for start, end in spans] + [True]
        tally = counts.setdefault(key, [0] * 6)
        for index in range(3):
            tally[index] += company_id in involved[index]
            tally[3 + index] += new[index]
    order = sorted(counts, key=lambda key: (key == NO_SOURCE, -counts[key][5], key))
    return [SourceRow(names[key], tuple(counts[key][:3]), tuple(counts[key][3:])) for key in order]


def report(sql_session: Session, semester: Semester) -> JobReport:
    """Everything the dashboard and the semester report show of companies and proposals."""
    periods = (semester, semester.year_before(), None)
    reasons = [decline_reasons(sql_session, semester=period) for period in periods]
    return JobReport(semester, *(figures(sql_session, semester=period) for period in periods),
                     sources=sources(sql_session, semester),
                     reasons={reason: tuple(found[reason] for found in reasons) for reason in REASONS})

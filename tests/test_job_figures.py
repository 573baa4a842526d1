"""The figures of companies, vacancies and job proposals (services.job_figures) on hand-built
rows across two semesters a year apart (and one more), on SQLite and PostgreSQL: every figure
exactly, per semester, the year before and all time; companies by source; the reasons of "No,
thanks"; a proposal sent at a Rome midnight counts in the right semester; a hiring recorded
twice through the office counts, and steps on the path, once. The dashboard and the CSV report
show these rows: tests/test_backoffice_dashboard_jobs.py."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from services import candidacy, job_figures
from services.figures import Semester
from store.models import Candidate, Company, Contact, ProgrammeEvent, Registration, Vacancy

pytestmark = pytest.mark.both_databases
UTC = dt.timezone.utc
H2_2026, H2_2025, H1_2026 = Semester(2026, 2), Semester(2025, 2), Semester(2026, 1)
TODAY = dt.date(2026, 11, 25)


def at(*parts) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


class Rows:
    def __init__(self, session: Session):
        self.session = session
        self.vat = 10

    def company(self, source: str | None, created: dt.datetime) -> int:
        self.vat += 1
        row = Company(name=f"Ditta {self.vat}", vat_number=f"{self.vat:011d}", sector="cleaning",
                      municipality="Bologna", source=source, created_at=created)
        self.session.add(row)
        self.session.flush()
        return row.id

    def vacancy(self, company: int, created: dt.datetime, status: str = "open", contract: str = "fixed_term") -> int:
        row = Vacancy(company_id=company, role="Addetta pulizie", sector="cleaning", municipality="Bologna",
                      contract_type=contract, hours="shifts", status=status, created_at=created, updated_at=created)
        self.session.add(row)
        self.session.flush()
        return row.id

    def candidate(self, vacancy: int, created: dt.datetime, state: str, reason: str | None = None,
                  placed: tuple[dt.date, str] | None = None) -> Candidate:
        contact = Contact()
        self.session.add(contact)
        self.session.flush()
        row = Candidate(vacancy_id=vacancy, contact_id=contact.id, state=state, reason=reason,
                        created_at=created, updated_at=created)
        self.session.add(row)
        self.session.flush()
        if placed:
            self.session.add(ProgrammeEvent(contact_id=contact.id, kind="placement", day=placed[0], company="Ditta",
                                            contract_type=placed[1], source="proposal",
                                            source_key=f"candidate:{row.id}:placed"))
        return row

    def closed(self, candidate: Candidate, day: dt.date) -> None:
        self.session.add(ProgrammeEvent(contact_id=candidate.contact_id, kind="closed", day=day,
                                        reason="refused_contract"))


@pytest.fixture
def rows(db) -> None:
    """H2 2025: company A (CNA) opens a vacancy, covered; four proposals: hired (30 days,
    permanent), "too far", "pay", contract refused (and the path closed so).
    H1 2026: company C (Confcommercio) opens a vacancy; one proposal at 23:30 of 30 June, Rome.
    H2 2026: company B ("Campagna  cna", the same source written otherwise) and D (no source) are
    new; A opens a vacancy at 00:30 of 1 July, Rome, B one (permanent, covered); twelve
    proposals: waiting, interested, put forward, hired (10 days, fixed term), "hours", "too far",
    not selected, withdrew on A's; hired (30 days, permanent), "other", and one hired through the
    office (recorded twice, 30 days, the vacancy's permanent contract) on B's; the contract refused
    on C's older vacancy (C involved now), and that path closed."""
    with Session(db) as session:
        add = Rows(session)
        a = add.company("campagna CNA", at(2025, 9, 10, 9))
        v1 = add.vacancy(a, at(2025, 9, 15, 9), status="closed_filled")
        add.candidate(v1, at(2025, 9, 20, 9), "hired", placed=(dt.date(2025, 10, 20), "permanent"))
        add.candidate(v1, at(2025, 9, 20, 9), "declined", "too_far")
        add.candidate(v1, at(2025, 9, 21, 9), "declined", "pay")
        add.closed(add.candidate(v1, at(2025, 9, 21, 9), "refused_contract"), dt.date(2025, 11, 1))

        c = add.company("Confcommercio", at(2026, 2, 1, 9))
        v4 = add.vacancy(c, at(2026, 3, 1, 9))
        add.candidate(v4, at(2026, 6, 30, 21, 30), "proposed")  # 23:30 in Rome: still H1

        b = add.company("Campagna  cna", at(2026, 8, 1, 9))
        add.company(None, at(2026, 10, 1, 9))
        v2 = add.vacancy(a, at(2026, 6, 30, 22, 30), status="in_selection")  # 00:30 of 1 July in Rome
        v3 = add.vacancy(b, at(2026, 8, 5, 9), status="closed_filled", contract="permanent")
        for state, reason in (("proposed", None), ("interested", None), ("put_forward", None), ("declined", "hours"),
                              ("declined", "too_far"), ("not_selected", None), ("withdrew", None)):
            add.candidate(v2, at(2026, 7, 10, 9), state, reason)
        add.candidate(v2, at(2026, 7, 10, 9), "hired", placed=(dt.date(2026, 7, 20), "fixed_term"))
        add.candidate(v3, at(2026, 8, 10, 9), "hired", placed=(dt.date(2026, 9, 9), "permanent"))
        add.candidate(v3, at(2026, 8, 10, 9), "declined", "other")
        through_office = add.candidate(v3, at(2026, 9, 1, 9), "interested")
        session.add(Registration(contact_id=through_office.contact_id, code="K7P-3QX", status="interviewed",
                                 created_at=at(2026, 8, 20, 9)))
        add.closed(add.candidate(v4, at(2026, 9, 1, 9), "refused_contract"), dt.date(2026, 10, 5))
        session.commit()
        for _twice in range(2):
            candidacy.outcome(session, vacancy_id=v3, code="K7P-3QX", result="hired", now=at(2026, 10, 1, 9),
                              today=TODAY, start=dt.date(2026, 10, 1))
            session.commit()


def test_a_hiring_recorded_twice_is_one_placed_step(db, rows):
    with Session(db) as session:
        contact = session.scalar(select(Registration.contact_id).where(Registration.code == "K7P-3QX"))
        kinds = session.scalars(select(ProgrammeEvent.kind).where(ProgrammeEvent.contact_id == contact)).all()
        assert sorted(kinds) == ["placement", "selection"]  # put forward on the path first, then placed
        assert session.scalar(select(Registration.status).where(Registration.contact_id == contact)) == "placed"
        assert session.scalar(select(func.count()).select_from(ProgrammeEvent)
                              .where(ProgrammeEvent.kind == "placement")) == 4


def test_the_semester(db, rows):
    with Session(db) as session:
        found = job_figures.figures(session, semester=H2_2026)
    assert found.as_dict() == {
        "companies_involved": 3, "companies_new": 2, "vacancies_opened": 2, "vacancies_covered": 1,
        "proposed": 12, "interested": 8, "declined": 3, "put_forward": 6, "hired": 3, "contract_refused": 1,
        "path_contract_refused": 1, "days_to_hire": 30.0, "hired_permanent": 2, "hired_permanent_share": 2 / 3}


def test_the_same_semester_a_year_before(db, rows):
    with Session(db) as session:
        found = job_figures.figures(session, semester=H2_2025)
    assert found.as_dict() == {
        "companies_involved": 1, "companies_new": 1, "vacancies_opened": 1, "vacancies_covered": 1,
        "proposed": 4, "interested": 2, "declined": 2, "put_forward": 2, "hired": 1, "contract_refused": 1,
        "path_contract_refused": 1, "days_to_hire": 30.0, "hired_permanent": 1, "hired_permanent_share": 1.0}


def test_all_time_and_the_semester_between(db, rows):
    with Session(db) as session:
        every = job_figures.figures(session)
        between = job_figures.figures(session, semester=H1_2026)
    assert every.as_dict() == {
        "companies_involved": 3, "companies_new": 4, "vacancies_opened": 4, "vacancies_covered": 2,
        "proposed": 17, "interested": 10, "declined": 5, "put_forward": 8, "hired": 4, "contract_refused": 2,
        "path_contract_refused": 2, "days_to_hire": 30.0, "hired_permanent": 3, "hired_permanent_share": 0.75}
    assert (between.companies_new, between.companies_involved, between.vacancies_opened, between.proposed,
            between.days_to_hire, between.hired_permanent_share) == (1, 1, 1, 1, None, None)


def test_companies_by_source_and_the_reasons_of_no_thanks(db, rows):
    with Session(db) as session:
        report = job_figures.report(session, H2_2026)
    assert [(row.source, row.involved, row.new) for row in report.sources] == [
        ("campagna CNA", (2, 1, 2), (1, 1, 2)),
        ("Confcommercio", (1, 0, 1), (0, 0, 1)),
        ("", (0, 0, 0), (1, 0, 1))]
    assert report.reasons == {"too_far": (1, 1, 2), "hours": (1, 0, 1), "contract": (0, 0, 0),
                              "kind_of_work": (0, 0, 0), "pay": (0, 1, 1), "found_work": (0, 0, 0),
                              "other": (1, 0, 1)}
    assert (report.figures, report.year_before.proposed, report.all_time.proposed) == (
        job_figures.figures(Session(db), semester=H2_2026), 4, 17)


def test_the_median_of_an_even_count_and_an_empty_database(db):
    with Session(db) as session:
        empty = job_figures.figures(session)
        assert (empty.proposed, empty.days_to_hire, empty.hired_permanent_share) == (0, None, None)
        assert job_figures.report(session, H2_2026).sources == []
        add = Rows(session)
        vacancy = add.vacancy(add.company(None, at(2026, 8, 1, 9)), at(2026, 8, 1, 9))
        for days in (7, 14):
            start = dt.date(2026, 8, 2) + dt.timedelta(days)
            add.candidate(vacancy, at(2026, 8, 2, 9), "hired", placed=(start, "other"))
        session.commit()
        assert job_figures.figures(session, semester=H2_2026).days_to_hire == 10.5

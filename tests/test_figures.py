"""The programme's figures (services.figures) on hand-built data, on SQLite and PostgreSQL: exact
numbers per semester and over all time, semester boundaries at Rome's midnight (summer and
winter time), the year-before comparison, registrations per month, workshop and interview rates."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from services import figures
from services.figures import Semester
from store.models import (Contact, InterviewBooking, InterviewSlot, Registration, WorkshopRegistration,
                       WorkshopSession)
from store.models import ProgrammeEvent

pytestmark = pytest.mark.both_databases
UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
H2_2026, H2_2025 = Semester(2026, 2), Semester(2025, 2)


def at(*parts) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


class Data:
    def __init__(self, session: Session):
        self.session = session
        self.people: dict[str, int] = {}

    def person(self, name: str, created: dt.datetime, status: str = "registered", erased: bool = False) -> int:
        contact = Contact()
        self.session.add(contact)
        self.session.flush()
        self.session.add(Registration(contact_id=contact.id, code=f"C{contact.id:05d}", status=status,
                                      created_at=created, erased_at=created if erased else None))
        self.people[name] = contact.id
        return contact.id

    def step(self, name: str, kind: str, day: dt.date, contract: str | None = None) -> None:
        self.session.add(ProgrammeEvent(contact_id=self.people[name], kind=kind, day=day, contract_type=contract,
                                        company="Hera" if kind in ("selection", "placement") else None))

    def workshop(self, starts: dt.datetime, capacity: int, seats: dict[str, int], cancelled: bool = False) -> None:
        row = WorkshopSession(title="Bussola", starts_at=starts, ends_at=starts + dt.timedelta(hours=2),
                              capacity=capacity, cancelled_at=starts if cancelled else None,
                              registered=seats.get("registered", 0))
        self.session.add(row)
        self.session.flush()
        for status, count in seats.items():
            for _ in range(count):
                self.session.add(WorkshopRegistration(session_id=row.id, contact_id=self._anyone(), status=status))

    def interview(self, starts: dt.datetime, status: str) -> None:
        slot = InterviewSlot(starts_at=starts, operator="Anna")
        self.session.add(slot)
        self.session.flush()
        self.session.add(InterviewBooking(slot_id=slot.id, contact_id=self._anyone(), status=status))

    def _anyone(self) -> int:
        contact = Contact()
        self.session.add(contact)
        self.session.flush()
        return contact.id


@pytest.fixture
def data(db):
    with Session(db) as session:
        d = Data(session)
        # Registrations. 21:59:59 UTC on 30 June is still June in Rome (summer time, +2); 22:00 is July.
        d.person("june", at(2026, 6, 30, 21, 59, 59))
        d.person("a", at(2026, 6, 30, 22, 0))
        d.person("b", at(2026, 9, 10, 8, 0))
        d.person("erased", at(2026, 10, 1, 8, 0), status="erased", erased=True)  # still counts
        d.person("merged", at(2026, 10, 2, 8, 0), status="merged")               # does not
        d.person("c", at(2026, 11, 25, 9, 0), status="new")
        # 23:00 UTC on 31 December is already 1 January in Rome (winter time, +1).
        d.person("old1", at(2025, 12, 31, 22, 59, 59))
        d.person("old2", at(2025, 12, 31, 23, 0))
        d.person("old3", at(2025, 8, 1, 8, 0))
        d.person("old4", at(2024, 11, 30, 8, 0))  # before the 24 months

        d.step("a", "interviewed", dt.date(2026, 7, 1))
        d.step("a", "interviewed", dt.date(2026, 9, 1))   # the same person twice: one
        d.step("b", "interviewed", dt.date(2026, 10, 1))
        d.step("c", "interviewed", dt.date(2026, 6, 30))  # H1
        d.step("a", "selection", dt.date(2026, 9, 5))
        d.step("a", "selection", dt.date(2026, 9, 20))
        d.step("b", "selection", dt.date(2026, 10, 5))
        d.step("a", "placement", dt.date(2026, 11, 1), "permanent")
        d.step("b", "placement", dt.date(2026, 12, 15), "fixed_term")    # starts next month: still H2
        d.step("c", "placement", dt.date(2027, 1, 10), "apprenticeship")  # H1 2027
        for name, contract in (("old1", "permanent"), ("old2", "fixed_term"), ("old3", "fixed_term"),
                               ("old4", "other")):
            d.step(name, "placement", dt.date(2025, 9, 1), contract)
        d.step("old3", "closed", dt.date(2025, 10, 1))

        # Workshops held in H2 2026: 5 + 2 + 1 seats taken of 10 + 5 + 5.
        d.workshop(at(2026, 10, 1, 8), 10, {"attended": 3, "no_show": 1, "registered": 1, "cancelled": 2,
                                            "waitlisted": 1})
        d.workshop(at(2026, 11, 20, 8), 5, {"attended": 2})
        d.workshop(at(2026, 6, 30, 22, 30), 5, {"no_show": 1})          # 00:30 on 1 July in Rome
        d.workshop(at(2026, 10, 15, 8), 20, {"attended": 1}, cancelled=True)  # cancelled: out
        d.workshop(at(2026, 12, 1, 8), 30, {"registered": 4})            # not held yet: out
        d.workshop(at(2026, 6, 30, 21, 30), 8, {"attended": 2})          # 23:30 on 30 June: H1

        for status in ("attended", "attended", "attended", "no_show", "past", "cancelled"):
            d.interview(at(2026, 9, 15, 8), status)
        d.interview(at(2026, 6, 30, 21, 0), "no_show")  # 23:00 on 30 June: H1
        d.interview(at(2026, 12, 2, 8), "booked")
        d.interview(at(2025, 10, 2, 8), "attended")
        session.commit()
    return d


def test_the_semester_funnel(db, data):
    with Session(db) as session:
        found = figures.figures(session, now=NOW, semester=H2_2026)
    assert (found.registered, found.interviewed, found.selections, found.selected_people, found.placed) == (
        4, 2, 3, 2, 2)
    assert (found.placements, found.permanent, found.permanent_share) == (2, 1, 0.5)


def test_semester_boundaries_are_rome_midnights(db, data):
    with Session(db) as session:
        h1 = figures.figures(session, now=NOW, semester=Semester(2026, 1))
        h2_2025 = figures.figures(session, now=NOW, semester=H2_2025)
    assert h1.registered == 2  # 30 June 23:59:59 and 1 January 00:00 in Rome
    assert h2_2025.registered == 2  # 1 August, and 31 December 23:59:59
    assert h1.interviewed == 1 and h1.interviews_no_show == 1
    assert (h1.workshop_sessions, h1.workshop_seats, h1.workshop_attended) == (1, 2, 2)
    assert Semester(2026, 1).span() == (at(2025, 12, 31, 23), at(2026, 6, 30, 22))


def test_workshop_and_interview_rates(db, data):
    with Session(db) as session:
        found = figures.figures(session, now=NOW, semester=H2_2026)
    assert (found.workshop_sessions, found.workshop_seats, found.workshop_capacity) == (3, 8, 20)
    assert found.workshop_fill_rate == pytest.approx(0.4)
    assert (found.workshop_attended, found.workshop_no_show) == (5, 2)
    assert found.workshop_no_show_rate == pytest.approx(2 / 7)
    assert (found.interviews_attended, found.interviews_no_show, found.interview_no_show_rate) == (3, 1, 0.25)


def test_the_same_semester_a_year_before(db, data):
    with Session(db) as session:
        report = figures.compare(session, H2_2026, now=NOW)
    assert report.year_before.placements == 4 and report.year_before.permanent_share == 0.25
    assert report.permanent_change == 25.0
    assert report.year_before.interviewed == 0 and report.year_before.interviews_attended == 1
    assert report.year_before.workshop_fill_rate is None  # no sessions: nothing to divide by


def test_all_time(db, data):
    with Session(db) as session:
        found = figures.figures(session, now=NOW)
    assert (found.registered, found.interviewed, found.selections, found.placed, found.placements) == (
        9, 3, 3, 7, 7)
    assert found.permanent == 2 and found.permanent_share == pytest.approx(2 / 7)
    assert (found.workshop_sessions, found.workshop_seats, found.workshop_capacity) == (4, 10, 28)
    assert (found.interviews_attended, found.interviews_no_show) == (4, 2)


def test_registrations_per_month(db, data):
    with Session(db) as session:
        months = figures.registrations_per_month(session, today=dt.date(2026, 11, 25))
    assert len(months) == 24 and months[0][0] == dt.date(2024, 12, 1) and months[-1][0] == dt.date(2026, 11, 1)
    counts = {month: count for month, count in months if count}
    assert counts == {dt.date(2025, 8, 1): 1, dt.date(2025, 12, 1): 1, dt.date(2026, 1, 1): 1,
                      dt.date(2026, 6, 1): 1, dt.date(2026, 7, 1): 1, dt.date(2026, 9, 1): 1,
                      dt.date(2026, 10, 1): 1, dt.date(2026, 11, 1): 1}


def test_permanent_shares_and_semesters(db, data):
    with Session(db) as session:
        shares = figures.permanent_shares(session, [H2_2025, Semester(2026, 1), H2_2026])
        listed = figures.semesters_with_data(session, today=dt.date(2026, 11, 25))
    assert shares == [(H2_2025, 4, 0.25), (Semester(2026, 1), 0, None), (H2_2026, 2, 0.5)]
    assert listed[:2] == [H2_2026.next(), H2_2026] and listed[-1] == Semester(2024, 2) and len(listed) == 6


def test_an_empty_database_gives_zeros_and_no_rates(db):
    with Session(db) as session:
        report = figures.compare(session, H2_2026, now=NOW)
        listed = figures.semesters_with_data(session, today=dt.date(2026, 11, 25))
    assert report.figures.registered == 0 and report.figures.permanent_share is None
    assert report.permanent_change is None and report.figures.interview_no_show_rate is None
    assert listed == [H2_2026.next(), H2_2026, Semester(2026, 1), H2_2025]


def test_semester_keys():
    assert Semester.parse("2026-h1") == Semester(2026, 1) and Semester(2026, 2).key == "2026-H2"
    assert Semester.of(dt.date(2026, 7, 1)) == H2_2026 and H2_2026.next() == Semester(2027, 1)
    for wrong in ("2026", "2026-H3", "26-H1", "x-H1"):
        with pytest.raises(ValueError):
            Semester.parse(wrong)


def test_a_placement_starting_in_a_future_semester_has_its_semester_to_choose(db):
    """Recorded today, a contract starting in 2027-H2: all time counts it, and so does a semester
    the picker offers."""
    with Session(db) as session:
        contact = Contact()
        session.add(contact)
        session.flush()
        session.add(ProgrammeEvent(contact_id=contact.id, kind="placement", day=dt.date(2027, 9, 1),
                                   company="Hera", contract_type="permanent"))
        session.commit()
        listed = figures.semesters_with_data(session, today=dt.date(2026, 11, 25))
        later = figures.figures(session, now=NOW, semester=Semester(2027, 2))
        all_time = figures.figures(session, now=NOW)
    assert listed[:3] == [Semester(2027, 2), Semester(2027, 1), H2_2026]
    assert later.placements == all_time.placements == 1

"""The programme's path (services.programme): steps move the registration's stage, wrong steps are
refused with a reason, a step recorded twice for the same reason is one row, and the agenda's
"attended" outcome records the interview on its day (taken back by "no_show")."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from conversations.i18n import TIMEZONE
from services import programme
from store.models import Contact, InterviewBooking, InterviewSlot, Registration
from services.programme import PathError
from store.models import ProgrammeEvent

TODAY = dt.date(2026, 11, 25)


def _person(session: Session, status: str = "registered") -> Registration:
    contact = Contact()
    session.add(contact)
    session.flush()
    registration = Registration(contact_id=contact.id, code=f"P{contact.id:05d}", status=status,
                                first_name="Anna", last_name="Verdi")
    session.add(registration)
    session.flush()
    return registration


def _events(session: Session, contact_id: int) -> list[tuple[str, dt.date]]:
    rows = session.execute(select(ProgrammeEvent.kind, ProgrammeEvent.day)
                           .where(ProgrammeEvent.contact_id == contact_id).order_by(ProgrammeEvent.id))
    return [tuple(row) for row in rows]


def test_the_whole_path_moves_the_stage(db):
    with Session(db) as session:
        person = _person(session)
        programme.record(session, registration=person, kind="interviewed", on=dt.date(2026, 10, 1), today=TODAY)
        assert person.status == "interviewed"
        programme.record(session, registration=person, kind="selection", on=dt.date(2026, 10, 20), today=TODAY,
                         company="Coop Alleanza")
        assert person.status == "in_selection"
        programme.record(session, registration=person, kind="placement", on=dt.date(2026, 12, 1), today=TODAY,
                         company="Coop Alleanza", contract_type="permanent")
        assert person.status == "placed"
        session.commit()
        assert _events(session, person.contact_id) == [
            ("interviewed", dt.date(2026, 10, 1)), ("selection", dt.date(2026, 10, 20)),
            ("placement", dt.date(2026, 12, 1))]


@pytest.mark.parametrize("status, kind, details, code", [
    ("registered", "selection", {"company": "Hera"}, "stage"),
    ("new", "placement", {"company": "Hera", "contract_type": "permanent"}, "stage"),
    ("interviewed", "selection", {"company": "  "}, "company"),
    ("in_selection", "placement", {"company": "Hera", "contract_type": "forever"}, "contract_type"),
    ("interviewed", "closed", {"reason": "bored"}, "reason"),
    ("closed", "interviewed", {}, "stage"),
    ("erased", "closed", {"reason": "other"}, "erased"),
])
def test_a_step_that_does_not_fit_is_refused_and_nothing_changes(db, status, kind, details, code):
    with Session(db) as session:
        person = _person(session, status)
        with pytest.raises(PathError) as problem:
            programme.record(session, registration=person, kind=kind, on=TODAY, today=TODAY, **details)
        assert problem.value.code == code
        assert person.status == status
        assert session.scalar(select(func.count()).select_from(ProgrammeEvent)) == 0


def test_only_a_placement_may_be_dated_after_today(db):
    with Session(db) as session:
        person = _person(session, "interviewed")
        with pytest.raises(PathError, match="future"):
            programme.record(session, registration=person, kind="selection", on=TODAY + dt.timedelta(days=1),
                             today=TODAY, company="Hera")


def test_closing_and_reopening_goes_back_to_the_last_step(db):
    with Session(db) as session:
        person = _person(session)
        programme.record(session, registration=person, kind="interviewed", on=TODAY, today=TODAY)
        programme.record(session, registration=person, kind="closed", on=TODAY, today=TODAY,
                         reason="refused_contract", note="Orari incompatibili")
        assert person.status == "closed"
        assert programme.reopen(session, registration=person) == "interviewed"
        with pytest.raises(PathError):
            programme.reopen(session, registration=person)


def test_the_same_source_key_is_one_row(db):
    with Session(db) as session:
        person = _person(session)
        first = programme.record(session, registration=person, kind="interviewed", on=TODAY, today=TODAY,
                                 source="import", source_key="import:abc")
        again = programme.record(session, registration=person, kind="interviewed", on=TODAY, today=TODAY,
                                 source="import", source_key="import:abc")
        assert again.id == first.id
        assert len(_events(session, person.contact_id)) == 1


def test_a_late_interview_does_not_move_a_placed_person_back(db):
    with Session(db) as session:
        person = _person(session, "placed")
        programme.record(session, registration=person, kind="interviewed", on=TODAY, today=TODAY)
        assert person.status == "placed"
        assert _events(session, person.contact_id) == [("interviewed", TODAY)]


def test_attended_records_the_interview_day_and_no_show_takes_it_back(db):
    with Session(db) as session:
        person = _person(session)
        slot = InterviewSlot(starts_at=dt.datetime(2026, 11, 20, 23, 30, tzinfo=dt.timezone.utc), booked=1)
        session.add(slot)
        session.flush()
        booking = InterviewBooking(slot_id=slot.id, contact_id=person.contact_id, status="attended")
        session.add(booking)
        session.flush()
        for _ in range(2):
            programme.interview_outcome(session, booking=booking, today=TODAY, timezone=TIMEZONE)
        # 23:30 UTC on the 20th is the 21st in Rome
        assert _events(session, person.contact_id) == [("interviewed", dt.date(2026, 11, 21))]
        assert person.status == "interviewed"
        booking.status = "no_show"
        programme.interview_outcome(session, booking=booking, today=TODAY, timezone=TIMEZONE)
        assert _events(session, person.contact_id) == []
        assert person.status == "registered"

"""services.office_pages: what the back office's pages read and do through services, on SQLite
and on PostgreSQL: an interview's outcome, a workshop session's roll call, what moves with a
contact, and a confirmation already sent."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from services.agenda import AgendaError
from services.office_pages import broadcast_lookups, interview_outcome, path_view, roll_call
from store.models import Broadcast, InterviewBooking, Registration, WorkshopRegistration
from tests.audience_helpers import add_person, new_broadcast, seat
from tests.booking_flow_helpers import add_slot, add_workshop, days_ahead, row
from tests.conftest import NOW

LATER = NOW + dt.timedelta(days=3)


def booked(db, contact_id: int, starts_at: dt.datetime) -> int:
    slot_id = add_slot(db, starts_at, duration_minutes=45, mode="phone")
    with Session(db) as sql_session, sql_session.begin():
        booking = InterviewBooking(slot_id=slot_id, contact_id=contact_id, status="booked")
        sql_session.add(booking)
        sql_session.flush()
        return booking.id


def test_an_outcome_waits_for_the_interview_then_moves_the_path(any_db):
    maria = add_person(any_db, "Maria")
    booking_id = booked(any_db, maria, days_ahead(1, 10))
    with Session(any_db) as sql_session:
        for status, now, reason in [("booked", LATER, "status"), ("attended", NOW, "not_started")]:
            with pytest.raises(interview_outcome.OutcomeError) as refused:
                interview_outcome.record(sql_session, booking_id=booking_id, status=status, note="", now=now,
                                         created_by="otto")
            assert refused.value.reason == reason
        with pytest.raises(interview_outcome.OutcomeError, match="not_found"):
            interview_outcome.record(sql_session, booking_id=booking_id + 1, status="attended", note="", now=LATER,
                                     created_by="otto")
        interview_outcome.record(sql_session, booking_id=booking_id, status="attended", note="Bene", now=LATER,
                                 created_by="otto")
        sql_session.commit()
    booking = row(any_db, InterviewBooking, booking_id)
    assert (booking.status, booking.outcome_note) == ("attended", "Bene")
    with Session(any_db) as sql_session:
        registration = sql_session.exec(select(Registration).where(Registration.contact_id == maria)).one()
        assert registration.status == "interviewed"
        assert path_view.holdings(sql_session, maria) == {"channels": "telegram", "bookings": 0, "seats": 0,
                                                          "events": 1}
        found = path_view.path(sql_session, registration.id)
        assert [event.kind for event in found.events] == ["interviewed"] and found.live


def test_the_roll_call_is_taken_once_the_session_has_started(any_db):
    workshop_id = add_workshop(any_db, days_ahead(1, 10), registered=2)
    anna, ben, carla = (add_person(any_db, name) for name in ("Anna", "Ben", "Carla"))
    seat(any_db, anna, workshop_id)
    seat(any_db, ben, workshop_id)
    seat(any_db, carla, workshop_id, "waitlisted")
    with Session(any_db) as sql_session:
        sheet = roll_call.sheet(sql_session, workshop_id)
        assert [p.seat.contact_id for p in sheet.seated] == [anna, ben]
        assert [(p.seat.contact_id, p.position) for p in sheet.waiting] == [(carla, 1)]
        ids = {p.seat.contact_id: p.seat.id for p in sheet.seated + sheet.waiting}
        wanted = {ids[anna]: "attended", ids[ben]: "no_show", ids[carla]: "attended"}
        with pytest.raises(AgendaError, match="not_started"):
            roll_call.take(sql_session, workshop_session_id=workshop_id, wanted=wanted, now=NOW)
        with pytest.raises(AgendaError, match="not_found"):
            roll_call.take(sql_session, workshop_session_id=workshop_id + 1, wanted=wanted, now=LATER)
        assert roll_call.take(sql_session, workshop_session_id=workshop_id, wanted=wanted, now=LATER) == 2
        sql_session.commit()
    statuses = {cid: row(any_db, WorkshopRegistration, sid).status for cid, sid in ids.items()}
    assert statuses == {anna: "attended", ben: "no_show", carla: "waitlisted"}  # the waiting list is not taken


def test_a_confirmation_already_sent_is_found_by_its_key(any_db):
    broadcast_id = new_broadcast(any_db)
    with Session(any_db) as sql_session, sql_session.begin():
        sql_session.get(Broadcast, broadcast_id).request_key = "k" * 32
    with Session(any_db) as sql_session:
        assert broadcast_lookups.sent_with_key(sql_session, "k" * 32) == broadcast_id
        assert broadcast_lookups.sent_with_key(sql_session, "other") is None
        assert broadcast_lookups.sent_with_key(sql_session, None) is None

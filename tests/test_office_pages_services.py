"""services.office_pages: what the back office's pages read through services, on SQLite and on
PostgreSQL: the path on a registration's page and what moves with a contact, a workshop
session's sheet, and a confirmation already sent."""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from services import agenda
from services.office_pages import broadcast_lookups, path_view, workshop_sheet
from store.models import Broadcast, InterviewBooking, Registration
from tests.audience_helpers import add_person, new_broadcast, seat
from tests.booking_flow_helpers import add_slot, add_workshop, days_ahead
from tests.conftest import NOW

LATER = NOW + dt.timedelta(days=3)


def booked(db, contact_id: int, starts_at: dt.datetime) -> int:
    slot_id = add_slot(db, starts_at, duration_minutes=45, mode="phone")
    with Session(db) as sql_session, sql_session.begin():
        booking = InterviewBooking(slot_id=slot_id, contact_id=contact_id, status="booked")
        sql_session.add(booking)
        sql_session.flush()
        return booking.id


def test_the_path_and_what_moves_with_a_contact(any_db):
    maria = add_person(any_db, "Maria")
    booking_id = booked(any_db, maria, days_ahead(1, 10))
    with Session(any_db) as sql_session:
        registration = sql_session.exec(select(Registration).where(Registration.contact_id == maria)).one()
        assert path_view.holdings(sql_session, maria) == {"channels": "telegram", "bookings": 1, "seats": 0,
                                                          "events": 0, "language": "it"}
        agenda.interview_outcome(sql_session, booking_id=booking_id, status="attended", note="Bene", now=LATER,
                                 created_by="otto")
        sql_session.commit()
        assert path_view.holdings(sql_session, maria) == {"channels": "telegram", "bookings": 0, "seats": 0,
                                                          "events": 1, "language": "it"}
        found = path_view.path(sql_session, registration.id)
        assert [event.kind for event in found.events] == ["interviewed"] and found.live
        assert [booking.status for booking, _slot in found.interviews] == ["attended"] and found.seats == []
        assert found.registration.status == "interviewed" and found.duplicates == []
        assert path_view.path(sql_session, registration.id + 1) is None
        assert path_view.registration(sql_session, None) is None


def test_a_workshop_sheet_has_its_seats_then_its_waiting_list(any_db):
    workshop_id = add_workshop(any_db, days_ahead(1, 10), registered=2)
    cancelled = add_workshop(any_db, days_ahead(2, 10), cancelled_at=NOW)
    anna, ben, carla = (add_person(any_db, name) for name in ("Anna", "Ben", "Carla"))
    seat(any_db, anna, workshop_id)
    seat(any_db, ben, workshop_id, "attended")
    seat(any_db, carla, workshop_id, "waitlisted")
    with Session(any_db) as sql_session:
        sheet = workshop_sheet.sheet(sql_session, workshop_id)
        assert [row.workshop.id for row in sheet.workshops] == [workshop_id]  # not the cancelled one
        assert sheet.workshop_session.id == workshop_id
        assert [p.seat.contact_id for p in sheet.seated] == [anna, ben]
        assert [(p.seat.contact_id, p.position) for p in sheet.waiting] == [(carla, 1)]
        assert workshop_sheet.sheet(sql_session, cancelled).workshop_session.id == cancelled  # still shown
        nothing = workshop_sheet.sheet(sql_session, None)
        assert (nothing.workshop_session, nothing.seated, nothing.waiting) == (None, [], [])


def test_a_confirmation_already_sent_is_found_by_its_key(any_db):
    broadcast_id = new_broadcast(any_db)
    with Session(any_db) as sql_session, sql_session.begin():
        sql_session.get(Broadcast, broadcast_id).request_key = "k" * 32
    with Session(any_db) as sql_session:
        assert broadcast_lookups.sent_with_key(sql_session, "k" * 32) == broadcast_id
        assert broadcast_lookups.sent_with_key(sql_session, "other") is None
        assert broadcast_lookups.sent_with_key(sql_session, None) is None

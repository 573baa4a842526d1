"""services.workshops on SQLite and PostgreSQL: seats, the waitlist in order, cancelling, promotion."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from services import workshops
from services.bookings import BookingError
from store.models import WorkshopRegistration, WorkshopSession
from tests.booking_race import CUTOFF, LATER, contacts, counter, seats, workshop
from tests.conftest import NOW


def sign_up(engine, contact_id: int, session_id: int, waitlist: bool = True,
            now: dt.datetime = NOW) -> WorkshopRegistration:
    with Session(engine, expire_on_commit=False) as session:
        registration = workshops.sign_up(session, contact_id=contact_id, workshop_session_id=session_id, now=now,
                                         cutoff=CUTOFF, waitlist=waitlist)
        session.commit()
        return registration


def cancel(engine, contact_id: int, registration_id: int, now: dt.datetime = NOW) -> int | None:
    """The contact id of whoever was promoted."""
    with Session(engine) as session:
        promoted = workshops.cancel(session, contact_id=contact_id, registration_id=registration_id, now=now)
        session.commit()
        return promoted and promoted.contact_id


def refused(action, *args, **kwargs) -> str:
    with pytest.raises(BookingError) as error:
        action(*args, **kwargs)
    return error.value.reason


def positions(engine, session_id: int) -> dict[int, int]:
    """contact id -> place in the waitlist."""
    with Session(engine) as session:
        return {r.contact_id: workshops.waitlist_position(session, r) for r in seats(engine, session_id, "waitlisted")}


def test_a_free_seat_is_taken_and_counted(any_db):
    [maria] = contacts(any_db, 1)
    session_id = workshop(any_db, capacity=2)
    registration = sign_up(any_db, maria, session_id)
    assert registration.status == "registered" and counter(any_db, WorkshopSession, session_id) == 1
    with Session(any_db) as session:
        [seat] = workshops.seats_of(session, maria, now=NOW)
    assert (seat.status, seat.position, seat.workshop.id, seat.workshop.seats_left) == ("registered", None, session_id, 1)


def test_a_full_session_refuses_or_waitlists(any_db):
    maria, luca = contacts(any_db, 2)
    session_id = workshop(any_db, capacity=1, taken=1)
    assert refused(sign_up, any_db, maria, session_id, waitlist=False) == "full"
    assert sign_up(any_db, luca, session_id).status == "waitlisted"
    assert counter(any_db, WorkshopSession, session_id) == 1
    assert positions(any_db, session_id) == {luca: 1}


@pytest.mark.parametrize("starts_in, cancelled, reason", [
    (dt.timedelta(hours=-1), False, "past"),
    (dt.timedelta(hours=1), False, "too_late"),
    (dt.timedelta(days=2), True, "cancelled"),
])
def test_past_late_or_cancelled_sessions_are_refused_even_for_the_waitlist(any_db, starts_in, cancelled, reason):
    [maria] = contacts(any_db, 1)
    session_id = workshop(any_db, NOW + starts_in, capacity=1, taken=1, cancelled=cancelled)
    assert refused(sign_up, any_db, maria, session_id) == reason
    assert seats(any_db, session_id, "waitlisted") == []


def test_an_unknown_session_is_refused(any_db):
    [maria] = contacts(any_db, 1)
    assert refused(sign_up, any_db, maria, 999_999) == "not_found"


def test_one_active_registration_per_person_and_session(any_db):
    [maria] = contacts(any_db, 1)
    session_id = workshop(any_db, capacity=5)
    first = sign_up(any_db, maria, session_id)
    assert refused(sign_up, any_db, maria, session_id) == "already_booked"
    assert counter(any_db, WorkshopSession, session_id) == 1
    cancel(any_db, maria, first.id)
    assert sign_up(any_db, maria, session_id).status == "registered"


def test_the_waitlist_is_first_come_first_served(any_db):
    people = contacts(any_db, 4)
    session_id = workshop(any_db, capacity=1, taken=1)
    for person in people:
        sign_up(any_db, person, session_id)
    assert positions(any_db, session_id) == {person: i for i, person in enumerate(people, 1)}
    with Session(any_db) as session:
        [seat] = workshops.seats_of(session, people[2], now=NOW)
    assert (seat.status, seat.position) == ("waitlisted", 3)


def test_cancelling_a_seat_promotes_the_first_waiting(any_db):
    maria, first, second = contacts(any_db, 3)
    session_id = workshop(any_db, capacity=2, taken=1)
    seat = sign_up(any_db, maria, session_id)
    sign_up(any_db, first, session_id)
    sign_up(any_db, second, session_id)
    assert cancel(any_db, maria, seat.id) == first
    assert counter(any_db, WorkshopSession, session_id) == 2
    assert {r.contact_id for r in seats(any_db, session_id, "registered")} >= {first}
    assert positions(any_db, session_id) == {second: 1}


def test_cancelling_a_waitlist_place_promotes_nobody_and_moves_the_queue_up(any_db):
    first, second, third = contacts(any_db, 3)
    session_id = workshop(any_db, capacity=1, taken=1)
    places = [sign_up(any_db, person, session_id) for person in (first, second, third)]
    assert cancel(any_db, second, places[1].id) is None
    assert counter(any_db, WorkshopSession, session_id) == 1
    assert positions(any_db, session_id) == {first: 1, third: 2}


def test_cancelling_a_seat_with_nobody_waiting_frees_it(any_db):
    maria, luca = contacts(any_db, 2)
    session_id = workshop(any_db, capacity=1)
    seat = sign_up(any_db, maria, session_id)
    assert cancel(any_db, maria, seat.id) is None
    assert counter(any_db, WorkshopSession, session_id) == 0
    assert sign_up(any_db, luca, session_id, waitlist=False).status == "registered"


def test_only_the_person_can_cancel_their_own_registration_and_only_once(any_db):
    maria, luca = contacts(any_db, 2)
    session_id = workshop(any_db, capacity=3)
    seat = sign_up(any_db, maria, session_id)
    assert refused(cancel, any_db, luca, seat.id) == "no_booking"
    cancel(any_db, maria, seat.id)
    assert refused(cancel, any_db, maria, seat.id) == "no_booking"
    assert refused(cancel, any_db, maria, 999_999) == "no_booking"
    assert counter(any_db, WorkshopSession, session_id) == 0


def test_a_seat_given_up_once_the_session_started_promotes_nobody(any_db):
    maria, waiting = contacts(any_db, 2)
    session_id = workshop(any_db, capacity=1)
    seat = sign_up(any_db, maria, session_id)
    sign_up(any_db, waiting, session_id)
    assert cancel(any_db, maria, seat.id, now=LATER + dt.timedelta(minutes=10)) is None
    assert positions(any_db, session_id) == {waiting: 1}
    assert counter(any_db, WorkshopSession, session_id) == 0


def test_upcoming_sessions_are_those_not_started_nor_cancelled_earliest_first(any_db):
    late = workshop(any_db, LATER + dt.timedelta(days=7))
    early = workshop(any_db, LATER)
    workshop(any_db, LATER + dt.timedelta(days=1), cancelled=True)
    workshop(any_db, NOW - dt.timedelta(hours=1))
    with Session(any_db) as session:
        assert [w.id for w in workshops.upcoming(session, now=NOW)] == [early, late]

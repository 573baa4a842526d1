"""Many people pressing the same button at the same moment, on SQLite and PostgreSQL: never
more bookings than places, every loser told why, nothing counted twice.

Each racer has its own thread, session and connection, and all are let go by one barrier.
On SQLite writers queue behind BEGIN IMMEDIATE (busy timeout 30 s: none may fail with
"database is locked"); on PostgreSQL they meet at the row locks of READ COMMITTED.
"""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlmodel import Session

from services import agenda, bookings, workshops
from store.models import InterviewSlot, WorkshopSession
from tests.booking_race import (CUTOFF, LATER, active_bookings, contacts, counter, race, race_engine, seats, slot,
                                workshop)
from tests.conftest import NOW

RACERS = 50


@pytest.fixture
def engine(any_db_url):
    engine = race_engine(any_db_url, RACERS)
    yield engine
    engine.dispose()


def book(contact_id: int, slot_id: int):
    return lambda session: bookings.book(session, contact_id=contact_id, slot_id=slot_id, now=NOW,
                                         cutoff=CUTOFF).id


def sign_up(contact_id: int, session_id: int, waitlist: bool = True):
    def action(session):
        registration = workshops.sign_up(session, contact_id=contact_id, workshop_session_id=session_id, now=NOW,
                                         cutoff=CUTOFF, waitlist=waitlist)
        return registration.status
    return action


def give_up(contact_id: int, registration_id: int):
    def action(session):
        promoted = workshops.cancel(session, contact_id=contact_id, registration_id=registration_id, now=NOW)
        return promoted and promoted.contact_id
    return action


def outcomes(results) -> Counter:
    """What the racers got: "booked" for an id, else the status or the refusal's reason."""
    return Counter("booked" if isinstance(r, int) else r for r in results)


@pytest.mark.parametrize("capacity", [1, 3])
def test_fifty_people_booking_one_slot_get_exactly_its_places(engine, capacity):
    people = contacts(engine, RACERS)
    slot_id = slot(engine, capacity=capacity)
    results = race(engine, [book(person, slot_id) for person in people])
    assert outcomes(results) == {"booked": capacity, "taken": RACERS - capacity}
    assert counter(engine, InterviewSlot, slot_id) == capacity == active_bookings(engine, slot_id)


@pytest.mark.parametrize("waitlist", [True, False])
def test_fifty_people_for_the_last_seat_of_a_workshop(engine, waitlist):
    people = contacts(engine, RACERS)
    session_id = workshop(engine, capacity=30, taken=29)
    results = race(engine, [sign_up(person, session_id, waitlist) for person in people])
    losers = "waitlisted" if waitlist else "full"
    assert outcomes(results) == {"registered": 1, losers: RACERS - 1}
    assert counter(engine, WorkshopSession, session_id) == 30 == len(seats(engine, session_id, "registered"))
    waiting = seats(engine, session_id, "waitlisted")
    with Session(engine) as session:
        places = [workshops.waitlist_position(session, r) for r in waiting]
    assert places == list(range(1, RACERS)) if waitlist else places == []


def test_fifty_people_moving_onto_one_slot(engine):
    people = contacts(engine, RACERS)
    old = [slot(engine, LATER + i * bookings.HORIZON / 400) for i in range(RACERS)]
    with Session(engine) as session:
        for person, slot_id in zip(people, old):
            bookings.book(session, contact_id=person, slot_id=slot_id, now=NOW, cutoff=CUTOFF)
        session.commit()
    target = slot(engine, LATER - CUTOFF / 2)

    def move(person):
        return lambda session: bookings.reschedule(session, contact_id=person, slot_id=target, now=NOW,
                                                   cutoff=CUTOFF).slot_id
    results = race(engine, [move(person) for person in people])
    assert outcomes(results) == {"booked": 1, "taken": RACERS - 1}
    winner = results.index(target)
    assert counter(engine, InterviewSlot, target) == 1 == active_bookings(engine, target)
    for i, slot_id in enumerate(old):  # the losers keep their interview, the winner's old slot is free
        assert counter(engine, InterviewSlot, slot_id) == active_bookings(engine, slot_id) == (i != winner)


@pytest.mark.parametrize("capacity", [1, 3])
def test_the_same_person_pressing_book_many_times_at_once_books_once(engine, capacity):
    [maria] = contacts(engine, 1)
    same, other = slot(engine, capacity=capacity), slot(engine, LATER + CUTOFF, capacity=capacity)
    results = race(engine, [book(maria, same), book(maria, same), book(maria, other), book(maria, same)])
    assert outcomes(results)["booked"] == 1 and set(outcomes(results)) <= {"booked", "already_booked", "taken"}
    assert counter(engine, InterviewSlot, same) + counter(engine, InterviewSlot, other) == 1
    assert active_bookings(engine, same) + active_bookings(engine, other) == 1


def test_the_same_person_cancelling_many_times_at_once_releases_the_slot_once(engine):
    maria, *others = contacts(engine, 3)
    slot_id = slot(engine, capacity=3)
    with Session(engine) as session:
        for person in others:
            bookings.book(session, contact_id=person, slot_id=slot_id, now=NOW, cutoff=CUTOFF)
        session.commit()
    cancel = lambda session: bookings.cancel(session, contact_id=maria, reason="twice").id  # noqa: E731
    for _round in range(5):
        with Session(engine) as session:
            bookings.book(session, contact_id=maria, slot_id=slot_id, now=NOW, cutoff=CUTOFF)
            session.commit()
        results = race(engine, [cancel] * 6)
        assert outcomes(results) == {"booked": 1, "no_booking": 5}
        assert counter(engine, InterviewSlot, slot_id) == 2 == active_bookings(engine, slot_id)


def test_moving_and_cancelling_at_once_leaves_one_consistent_outcome(engine):
    [maria] = contacts(engine, 1)
    old, new = slot(engine, capacity=2), slot(engine, LATER + CUTOFF, capacity=2)
    with Session(engine) as session:
        bookings.book(session, contact_id=maria, slot_id=old, now=NOW, cutoff=CUTOFF)
        session.commit()
    move = lambda session: bookings.reschedule(  # noqa: E731
        session, contact_id=maria, slot_id=new, now=NOW, cutoff=CUTOFF).id
    cancel = lambda session: bookings.cancel(session, contact_id=maria, reason="no").id  # noqa: E731
    for _round in range(5):
        race(engine, [move, cancel, move, cancel])
        assert counter(engine, InterviewSlot, old) == active_bookings(engine, old)
        assert counter(engine, InterviewSlot, new) == active_bookings(engine, new)
        assert active_bookings(engine, old) + active_bookings(engine, new) <= 1
        with Session(engine) as session:  # back to a booking on the old slot for the next round
            if bookings.active_booking(session, maria):
                bookings.cancel(session, contact_id=maria, reason="reset")
            bookings.book(session, contact_id=maria, slot_id=old, now=NOW, cutoff=CUTOFF)
            session.commit()


def test_two_people_swapping_slots_at_once_do_not_deadlock(engine):
    maria, luca = contacts(engine, 2)
    first, second = slot(engine, capacity=2), slot(engine, LATER + CUTOFF, capacity=2)
    with Session(engine) as session:
        bookings.book(session, contact_id=maria, slot_id=first, now=NOW, cutoff=CUTOFF)
        bookings.book(session, contact_id=luca, slot_id=second, now=NOW, cutoff=CUTOFF)
        session.commit()

    def move(person, slot_id):
        return lambda session: bookings.reschedule(session, contact_id=person, slot_id=slot_id, now=NOW,
                                                   cutoff=CUTOFF).slot_id
    for _round in range(5):  # there and back again, each time at once
        assert race(engine, [move(maria, second), move(luca, first)]) == [second, first]
        assert race(engine, [move(maria, first), move(luca, second)]) == [first, second]
    assert counter(engine, InterviewSlot, first) == 1 == counter(engine, InterviewSlot, second)


@pytest.mark.parametrize("round_", range(4))
def test_the_office_cancelling_a_slot_while_its_people_cancel_or_move_does_not_deadlock(engine, round_):
    people = contacts(engine, 20)
    crowded, elsewhere = slot(engine, capacity=20), slot(engine, LATER + CUTOFF, capacity=20)
    with Session(engine) as session:
        for person in people:
            bookings.book(session, contact_id=person, slot_id=crowded, now=NOW, cutoff=CUTOFF)
        session.commit()

    def leave(person):
        return lambda session: bookings.cancel(session, contact_id=person, reason="leaving").slot_id

    def move(person):
        return lambda session: bookings.reschedule(session, contact_id=person, slot_id=elsewhere, now=NOW,
                                                   cutoff=CUTOFF).slot_id
    office = lambda session: len(agenda.cancel_slot(session, slot_id=crowded, now=NOW).rows)  # noqa: E731
    racers = [leave(p) if i % 2 else move(p) for i, p in enumerate(people)]
    racers.insert(round_ * 3, office)  # the office among the first, or later
    race(engine, racers)
    assert active_bookings(engine, crowded) == 0 == counter(engine, InterviewSlot, crowded)
    assert counter(engine, InterviewSlot, elsewhere) == active_bookings(engine, elsewhere) <= 10


def test_two_seats_given_up_at_once_promote_one_person_each(engine):
    holders, waiting = contacts(engine, 2), contacts(engine, 5)
    session_id = workshop(engine, capacity=2)
    with Session(engine) as session:
        places = [workshops.sign_up(session, contact_id=p, workshop_session_id=session_id, now=NOW, cutoff=CUTOFF,
                                    waitlist=True) for p in holders + waiting]
        session.commit()
        ids = [place.id for place in places]
    results = race(engine, [give_up(holders[0], ids[0]), give_up(holders[1], ids[1])])
    assert sorted(results) == sorted(waiting[:2])  # the first two waiting, one each
    assert counter(engine, WorkshopSession, session_id) == 2
    assert [r.contact_id for r in seats(engine, session_id, "registered")] == waiting[:2]
    with Session(engine) as session:
        assert [workshops.waitlist_position(session, r) for r in seats(engine, session_id, "waitlisted")] == [1, 2, 3]


def test_the_same_seat_given_up_twice_at_once_promotes_one_person(engine):
    maria, *waiting = contacts(engine, 4)
    session_id = workshop(engine, capacity=2, taken=1)
    with Session(engine) as session:
        places = [workshops.sign_up(session, contact_id=p, workshop_session_id=session_id, now=NOW, cutoff=CUTOFF,
                                    waitlist=True) for p in (maria, *waiting)]
        session.commit()
        seat = places[0].id
    results = race(engine, [give_up(maria, seat)] * 4)
    assert Counter(results) == {waiting[0]: 1, "no_booking": 3}
    assert counter(engine, WorkshopSession, session_id) == 2 == len(seats(engine, session_id, "registered"))
    assert [r.contact_id for r in seats(engine, session_id, "waitlisted")] == waiting[1:]


def test_a_seat_freed_while_someone_joins_the_waitlist_is_not_left_empty(any_db_url):
    """The joiner's transaction is still open when the seat is given up: whichever order the
    database picks, the seat ends up taken (by the joiner or by promotion)."""
    engine = race_engine(any_db_url, 2)
    try:
        maria, luca = contacts(engine, 2)
        session_id = workshop(engine, capacity=1)
        with Session(engine) as session:
            seat = workshops.sign_up(session, contact_id=maria, workshop_session_id=session_id, now=NOW,
                                     cutoff=CUTOFF).id
            session.commit()
        joined, go_on, failures = threading.Event(), threading.Event(), []

        def join():
            try:
                with Session(engine) as session:
                    workshops.sign_up(session, contact_id=luca, workshop_session_id=session_id, now=NOW, cutoff=CUTOFF,
                                      waitlist=True)
                    joined.set()
                    go_on.wait(10)
                    session.commit()
            except Exception as error:  # noqa: BLE001
                failures.append(error)
                joined.set()

        def leave():
            try:
                with Session(engine) as session:
                    workshops.cancel(session, contact_id=maria, registration_id=seat, now=NOW)
                    session.commit()
            except Exception as error:  # noqa: BLE001
                failures.append(error)

        joiner = threading.Thread(target=join)
        joiner.start()
        assert joined.wait(30)
        leaver = threading.Thread(target=leave)
        leaver.start()
        leaver.join(0.5)  # SQLite: the leaver queues behind the joiner; PostgreSQL: it may wait too
        go_on.set()
        joiner.join(30)
        leaver.join(30)
        assert not failures and not joiner.is_alive() and not leaver.is_alive()
        assert [r.contact_id for r in seats(engine, session_id, "registered")] == [luca]
        assert counter(engine, WorkshopSession, session_id) == 1 and seats(engine, session_id, "waitlisted") == []
    finally:
        engine.dispose()

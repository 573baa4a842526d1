"""Rows for booking tests, and a race: many people pressing a button at the same moment."""
from __future__ import annotations

import datetime as dt
import threading
from typing import Any, Callable

from sqlalchemy import func, select
from sqlmodel import Session

from services.bookings import BookingError
from store.engine import make_engine
from store.models import Contact, InterviewBooking, InterviewSlot, WorkshopRegistration, WorkshopSession
from tests.conftest import NOW

CUTOFF = dt.timedelta(hours=2)
LATER = NOW + dt.timedelta(days=2)  # comfortably bookable


def contacts(engine, n: int) -> list[int]:
    with Session(engine) as session:
        people = [Contact() for _ in range(n)]
        session.add_all(people)
        session.commit()
        return [person.id for person in people]


def slot(engine, starts_at: dt.datetime = LATER, *, capacity: int = 1, booked: int = 0,
         cancelled: bool = False) -> int:
    with Session(engine) as session:
        row = InterviewSlot(starts_at=starts_at, capacity=capacity, booked=booked, operator="Anna",
                            cancelled_at=NOW if cancelled else None)
        session.add(row)
        session.commit()
        return row.id


def workshop(engine, starts_at: dt.datetime = LATER, *, capacity: int = 30, taken: int = 0,
             cancelled: bool = False) -> int:
    """A session with ``taken`` seats already held by people of its own."""
    with Session(engine) as session:
        row = WorkshopSession(title="Bussola", starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=3),
                              capacity=capacity, cancelled_at=NOW if cancelled else None)
        session.add(row)
        session.flush()
        for contact_id in contacts_in(session, taken):
            session.add(WorkshopRegistration(session_id=row.id, contact_id=contact_id))
        row.registered = taken
        session.commit()
        return row.id


def contacts_in(session: Session, n: int) -> list[int]:
    people = [Contact() for _ in range(n)]
    session.add_all(people)
    session.flush()
    return [person.id for person in people]


def counter(engine, model, row_id: int) -> int:
    """The stored count of a slot (booked) or a session (registered)."""
    column = model.booked if model is InterviewSlot else model.registered
    with Session(engine) as session:
        return session.execute(select(column).where(model.id == row_id)).scalar_one()


def active_bookings(engine, slot_id: int) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).where(
            InterviewBooking.slot_id == slot_id, InterviewBooking.status == "booked")).scalar_one()


def seats(engine, session_id: int, status: str) -> list[WorkshopRegistration]:
    with Session(engine) as session:
        return list(session.execute(select(WorkshopRegistration).where(
            WorkshopRegistration.session_id == session_id, WorkshopRegistration.status == status)
            .order_by(WorkshopRegistration.id)).scalars())


def race(engine, actions: list[Callable[[Session], Any]], timeout: float = 120) -> list[Any]:
    """Run each action in its own thread, session and connection, all let go at once by a
    barrier; each commits. Results in order: what the action returned, the reason of its
    BookingError, or any other exception (the tests check there is none)."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(i: int) -> None:
        try:
            with Session(engine) as session:
                barrier.wait(timeout)
                try:
                    results[i] = actions[i](session)
                    session.commit()
                except BookingError as error:
                    session.rollback()
                    results[i] = error.reason
        except Exception as error:  # noqa: BLE001  (reported, and failed on, by the test)
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a racer is stuck (deadlock?)"
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, f"{len(errors)} racers failed, first: {errors[0]!r}"
    return results


def race_engine(url: str, racers: int):
    """An engine with a connection for every racer (the default pool would queue them)."""
    return make_engine(url, pool_size=racers, max_overflow=5)

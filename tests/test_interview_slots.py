"""services.bookings on SQLite and PostgreSQL: free slots, book, reschedule, cancel, and why a
booking is refused; local days across the clock changes."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from conversations.i18n import TIMEZONE
from conversations.store import Slot
from services import agenda, bookings
from services.bookings import BookingError
from store.models import InterviewBooking, InterviewSlot
from tests.booking_race import CUTOFF, LATER, active_bookings, contacts, counter, slot
from tests.conftest import NOW


def book(engine, contact_id: int, slot_id: int, now: dt.datetime = NOW) -> int:
    with Session(engine) as session:
        booking = bookings.book(session, contact_id=contact_id, slot_id=slot_id, now=now, cutoff=CUTOFF)
        session.commit()
        return booking.id


def refused(action, *args, **kwargs) -> str:
    with pytest.raises(BookingError) as error:
        action(*args, **kwargs)
    return error.value.reason


def reschedule(engine, contact_id: int, slot_id: int) -> int:
    with Session(engine) as session:
        booking = bookings.reschedule(session, contact_id=contact_id, slot_id=slot_id, now=NOW, cutoff=CUTOFF)
        session.commit()
        return booking.id


def cancel(engine, contact_id: int, reason: str | None = "changed my mind") -> None:
    with Session(engine) as session:
        bookings.cancel(session, contact_id=contact_id, reason=reason)
        session.commit()


def booking_of(engine, booking_id: int) -> InterviewBooking:
    with Session(engine) as session:
        return session.get(InterviewBooking, booking_id)


def free(engine, now: dt.datetime = NOW, day: dt.date | None = None) -> list[Slot]:
    with Session(engine) as session:
        return bookings.free_slots(session, now=now, cutoff=CUTOFF, day=day)


def test_a_free_slot_is_booked_and_counted(any_db):
    [maria] = contacts(any_db, 1)
    slot_id = slot(any_db, capacity=2)
    booking_id = book(any_db, maria, slot_id)
    assert (booking_of(any_db, booking_id).status, counter(any_db, InterviewSlot, slot_id)) == ("booked", 1)
    with Session(any_db) as session:
        found, booked_slot = bookings.active_booking(session, maria)
    assert found.id == booking_id and booked_slot.id == slot_id
    assert booked_slot.starts_at == LATER and booked_slot.starts_at.tzinfo is not None


def test_a_full_slot_is_taken(any_db):
    maria, luca = contacts(any_db, 2)
    slot_id = slot(any_db)
    book(any_db, maria, slot_id)
    assert refused(book, any_db, luca, slot_id) == "taken"
    assert counter(any_db, InterviewSlot, slot_id) == 1 and active_bookings(any_db, slot_id) == 1


@pytest.mark.parametrize("starts_in, reason", [
    (dt.timedelta(hours=-1), "past"),
    (dt.timedelta(0), "past"),
    (dt.timedelta(hours=1), "too_late"),
    (CUTOFF, "too_late"),  # the cut-off itself is already too late
])
def test_past_slots_and_slots_within_the_cut_off_are_refused(any_db, starts_in, reason):
    [maria] = contacts(any_db, 1)
    slot_id = slot(any_db, NOW + starts_in)
    assert refused(book, any_db, maria, slot_id) == reason
    assert counter(any_db, InterviewSlot, slot_id) == 0 and free(any_db) == []


def test_a_slot_just_past_the_cut_off_is_bookable(any_db):
    [maria] = contacts(any_db, 1)
    slot_id = slot(any_db, NOW + CUTOFF + dt.timedelta(minutes=1))
    assert [s.id for s in free(any_db)] == [slot_id]
    book(any_db, maria, slot_id)


def test_a_cancelled_or_unknown_slot_is_refused(any_db):
    [maria] = contacts(any_db, 1)
    assert refused(book, any_db, maria, slot(any_db, cancelled=True)) == "cancelled"
    assert refused(book, any_db, maria, 999_999) == "not_found"


def test_one_booked_interview_per_person(any_db):
    [maria] = contacts(any_db, 1)
    first, second = slot(any_db), slot(any_db, LATER + dt.timedelta(hours=1))
    book(any_db, maria, first)
    assert refused(book, any_db, maria, second) == "already_booked"
    assert counter(any_db, InterviewSlot, second) == 0


def test_free_slots_are_the_bookable_ones_earliest_first(any_db):
    [maria] = contacts(any_db, 1)
    late, early = slot(any_db, LATER + dt.timedelta(hours=3)), slot(any_db, LATER)
    full = slot(any_db, LATER + dt.timedelta(hours=1))
    book(any_db, maria, full)
    slot(any_db, LATER + dt.timedelta(hours=2), cancelled=True)
    slot(any_db, NOW + dt.timedelta(hours=1))  # within the cut-off
    slot(any_db, NOW + bookings.HORIZON + dt.timedelta(days=1))  # beyond the horizon
    assert [s.id for s in free(any_db)] == [early, late]


def test_reschedule_moves_the_booking_and_frees_the_old_slot(any_db):
    [maria] = contacts(any_db, 1)
    old, new = slot(any_db), slot(any_db, LATER + dt.timedelta(days=1))
    first = book(any_db, maria, old)
    moved = reschedule(any_db, maria, new)
    assert (booking_of(any_db, first).status, booking_of(any_db, first).cancel_reason) == ("cancelled", "rescheduled")
    assert booking_of(any_db, moved).slot_id == new and booking_of(any_db, moved).status == "booked"
    assert (counter(any_db, InterviewSlot, old), counter(any_db, InterviewSlot, new)) == (0, 1)
    assert [s.id for s in free(any_db)] == [old]


@pytest.mark.parametrize("make_target, reason", [
    (lambda db: slot(db, capacity=1, booked=1), "taken"),
    (lambda db: slot(db, NOW + dt.timedelta(hours=1)), "too_late"),
    (lambda db: slot(db, cancelled=True), "cancelled"),
    (lambda db: 999_999, "not_found"),
])
def test_reschedule_keeps_the_old_slot_until_the_new_one_is_held(any_db, make_target, reason):
    [maria] = contacts(any_db, 1)
    old = slot(any_db, LATER + dt.timedelta(days=1))
    first = book(any_db, maria, old)
    assert refused(reschedule, any_db, maria, make_target(any_db)) == reason
    assert booking_of(any_db, first).status == "booked" and counter(any_db, InterviewSlot, old) == 1


def test_reschedule_onto_the_same_slot_changes_nothing(any_db):
    [maria] = contacts(any_db, 1)
    slot_id = slot(any_db, capacity=3)
    first = book(any_db, maria, slot_id)
    assert reschedule(any_db, maria, slot_id) == first and counter(any_db, InterviewSlot, slot_id) == 1


def test_reschedule_or_cancel_without_a_booking(any_db):
    [maria] = contacts(any_db, 1)
    assert refused(reschedule, any_db, maria, slot(any_db)) == "no_booking"
    assert refused(cancel, any_db, maria) == "no_booking"


def test_cancel_releases_the_slot_for_someone_else(any_db):
    maria, luca = contacts(any_db, 2)
    slot_id = slot(any_db)
    first = book(any_db, maria, slot_id)
    cancel(any_db, maria, "found a job")
    assert (booking_of(any_db, first).status, booking_of(any_db, first).cancel_reason) == ("cancelled", "found a job")
    assert counter(any_db, InterviewSlot, slot_id) == 0
    book(any_db, luca, slot_id)
    assert refused(cancel, any_db, maria) == "no_booking"


def test_after_cancelling_the_person_can_book_again(any_db):
    [maria] = contacts(any_db, 1)
    slot_id = slot(any_db)
    book(any_db, maria, slot_id)
    cancel(any_db, maria)
    book(any_db, maria, slot_id)
    assert active_bookings(any_db, slot_id) == 1


# -- clock changes: 28 March 2027 (02:00 -> 03:00) and 31 October 2027 (03:00 -> 02:00) in Rome ----
def rome(day: dt.date, hour: int, minute: int = 0, fold: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, fold=fold), TIMEZONE).astimezone(dt.timezone.utc)


SPRING, AUTUMN = dt.date(2027, 3, 28), dt.date(2027, 10, 31)


@pytest.mark.parametrize("day, times", [
    # 00:15 is still the day before in UTC; 01:30 is before the change, 03:30 after it
    (SPRING, [(0, 15, 0), (1, 30, 0), (3, 30, 0), (23, 45, 0)]),
    # 02:30 happens twice: summer time first (fold 0), then winter time (fold 1)
    (AUTUMN, [(0, 15, 0), (2, 30, 0), (2, 30, 1), (23, 45, 0)]),
])
def test_slots_on_clock_change_days_are_on_their_local_day_at_their_local_time(any_db, day, times):
    now = dt.datetime.combine(day - dt.timedelta(days=30), dt.time(12), dt.timezone.utc)
    starts = [rome(day, *t) for t in times]
    for start in starts:
        slot(any_db, start)
    slot(any_db, rome(day - dt.timedelta(days=1), 23, 59))  # the evening before and the morning after
    slot(any_db, rome(day + dt.timedelta(days=1), 0, 0))
    with Session(any_db) as session:
        days = bookings.free_days(session, now=now, cutoff=CUTOFF)
        on_the_day = bookings.free_slots(session, now=now, cutoff=CUTOFF, day=day)
    assert days == [day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)]
    assert [s.starts_at for s in on_the_day] == starts
    local = [s.starts_at.astimezone(TIMEZONE) for s in on_the_day]
    assert [(t.hour, t.minute) for t in local] == [(h, m) for h, m, _fold in times]
    assert len({t.utcoffset() for t in local}) == 2  # the day has both offsets
    assert all(t.date() == day for t in local)


def test_a_weekly_pattern_across_the_spring_change_keeps_the_wall_clock(any_db):
    """The office's pattern (services.agenda): 9:00 on the Saturday before and the Monday after."""
    now = dt.datetime(2027, 3, 1, tzinfo=dt.timezone.utc)
    with Session(any_db) as session:
        agenda.add_slots(session, starts=agenda.pattern_starts(
            first_day=dt.date(2027, 3, 27), weeks=1, weekdays=[5, 0], opens=dt.time(9), closes=dt.time(9, 45),
            minutes=45), now=now, duration_minutes=45, mode="in_person", address=None, operator="Anna")
        session.commit()
        found = bookings.free_slots(session, now=now, cutoff=CUTOFF)
    assert [(s.starts_at.astimezone(TIMEZONE).date().day, s.starts_at.astimezone(TIMEZONE).hour) for s in found] \
        == [(27, 9), (29, 9)]
    assert [s.starts_at.hour for s in found] == [8, 7]  # UTC: one hour less in winter, two in summer

"""Reminders: when services.reminders.plan queues them (offsets, quiet hours, late bot, bookings made
late), that a changed booking never keeps one, and that they are planned once.

The planner's database behaviour runs on SQLite and PostgreSQL (``both_databases``); time is
passed in. Rows are written straight into the database; NOW is Wednesday 25 November 2026,
11:00 in Bologna. The buttons are in tests/test_reminder_buttons.py.
"""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlmodel import Session, select

from bot.settings import ReminderSettings
from services import agenda, bookings, reminders, workshops
from store.models import (Contact, ConversationState, InterviewBooking, InterviewSlot, OutboxMessage,
                       WorkshopRegistration, WorkshopSession, aware)
from services.outbox import from_content
from services.repository import SqlStore
from tests.booking_flow_helpers import add_workshop, rome, update_row
from tests.conftest import NOW
from tests.reminder_helpers import (DAY, HOUR, MINUTE, SETTINGS, in_session, interview, person, plan,
                                    reminder_rows, schedule, seat, send_due)


# -- when: pure --------------------------------------------------------------------------------
@pytest.mark.parametrize("hours, when, expected", [
    (24, rome(2026, 12, 3, 15), rome(2026, 12, 2, 15)),            # afternoon: as is
    (2, rome(2026, 12, 3, 9), rome(2026, 12, 2, 20, 30)),          # 07:00 is quiet: 20:30 the evening before
    (24, rome(2026, 12, 3, 8, 30), rome(2026, 12, 2, 8, 30)),      # 08:30 the day before: fine
    (24, rome(2026, 12, 3, 8), rome(2026, 12, 2, 8)),              # 08:00: the quiet hours are over
    (24, rome(2026, 12, 3, 22), rome(2026, 12, 2, 20, 30)),        # 22:00 moves to 20:30 that evening
    (24, rome(2026, 12, 3, 21), rome(2026, 12, 2, 20, 30)),        # 21:00 is the first quiet minute
    (24, rome(2026, 12, 3, 20, 59), rome(2026, 12, 2, 20, 59)),
    (2, rome(2026, 12, 3, 4), rome(2026, 12, 2, 20, 30)),          # 02:00: the evening before
    (2, rome(2027, 3, 28, 5), rome(2027, 3, 27, 20, 30)),          # 03:00 on the spring clock change
])
def test_a_reminder_in_the_quiet_hours_comes_at_half_past_eight_the_evening_before(hours, when, expected):
    [(_h, at)] = reminders.reminder_times(when, [hours], SETTINGS)
    assert at == expected


def test_quiet_hours_that_do_not_span_midnight_and_none_at_all():
    lunch = ReminderSettings(quiet_start=dt.time(13), quiet_end=dt.time(14))
    assert reminders.out_of_quiet_hours(rome(2026, 12, 3, 13, 30), lunch) == rome(2026, 12, 3, 12, 30)
    assert reminders.out_of_quiet_hours(rome(2026, 12, 3, 14), lunch) == rome(2026, 12, 3, 14)
    never = ReminderSettings(quiet_start=dt.time(0), quiet_end=dt.time(0))
    assert reminders.out_of_quiet_hours(rome(2026, 12, 3, 3), never) == rome(2026, 12, 3, 3)


# -- when: planned -----------------------------------------------------------------------------
@pytest.mark.both_databases
def test_a_workshop_seat_is_reminded_24_and_2_hours_before(db):
    workshop = add_workshop(db, rome(2026, 11, 28, 15))  # Saturday 15:00
    registration = seat(db, person(db), workshop)
    about = f"workshop_registration:{registration}"
    first, second = rome(2026, 11, 27, 15), rome(2026, 11, 28, 13)
    assert plan(db, NOW) == 0
    assert plan(db, first - 6 * MINUTE) == 0  # not yet within the horizon
    assert plan(db, first - 4 * MINUTE) == 1
    assert schedule(db) == [(about, first, "pending")]
    send_due(db, first)
    assert plan(db, first + 2 * HOUR) == 0  # its time went by: nothing new
    assert plan(db, second - 3 * MINUTE) == 1
    assert schedule(db) == [(about, first, "sent"), (about, second, "pending")]
    assert plan(db, second + HOUR) == 0
    [row24, row2] = reminder_rows(db)
    assert row24.idempotency_key == f"reminder:{about}:24h:20261128T1400Z"
    assert row2.idempotency_key == f"reminder:{about}:2h:20261128T1400Z"
    assert (row2.kind, row2.channel) == ("reminder", "console")


@pytest.mark.both_databases
def test_an_interview_is_reminded_24_hours_before_in_the_persons_language(db):
    english = interview(db, person(db, "p1", "en"), rome(2026, 11, 28, 9, 30))
    italian = interview(db, person(db, "p2", "it"), rome(2026, 11, 28, 10, 15), mode="phone")
    assert plan(db, rome(2026, 11, 27, 9, 28)) == 1
    assert plan(db, rome(2026, 11, 27, 10, 14)) == 1
    assert schedule(db) == [(f"interview_booking:{english}", rome(2026, 11, 27, 9, 30), "pending"),
                            (f"interview_booking:{italian}", rome(2026, 11, 27, 10, 15), "pending")]
    assert plan(db, rome(2026, 11, 28, 7, 35)) == 0  # no 2-hour reminder for interviews
    en, it = (from_content(r.content) for r in reminder_rows(db))
    assert "orientation interview" in en.text
    assert "Saturday, 28 November 2026, 09:30" in en.text and "Where: Via del Lavoro 1, Bologna" in en.text
    assert [b.label for b in en.buttons] == ["I'll be there", "Reschedule", "Cancel"]
    assert [b.payload for b in en.buttons] == [f"1|g|rem:{verb}:i{english}" for verb in ("ok", "move", "cancel")]
    assert "sabato 28 novembre 2026, ore 10:15" in it.text and "telefono" in it.text


@pytest.mark.both_databases
def test_a_reminder_due_in_the_quiet_hours_is_queued_for_half_past_eight(db):
    workshop = add_workshop(db, rome(2026, 11, 28, 9))
    seat(db, person(db), workshop)
    assert plan(db, rome(2026, 11, 27, 9) - 4 * MINUTE) == 1   # 24 hours before: 09:00, as is
    send_due(db, rome(2026, 11, 27, 9))
    assert plan(db, rome(2026, 11, 27, 20, 24)) == 0
    assert plan(db, rome(2026, 11, 27, 20, 27)) == 1           # the 2-hour one, 07:00, comes at 20:30
    assert [due for _a, due, _s in schedule(db)] == [rome(2026, 11, 27, 9), rome(2026, 11, 27, 20, 30)]
    assert plan(db, rome(2026, 11, 28, 6, 58)) == 0            # nothing more at 07:00


@pytest.mark.both_databases
def test_an_interview_at_half_past_eight_is_reminded_at_half_past_eight_the_day_before(db):
    interview(db, person(db), rome(2026, 11, 28, 8, 30))
    assert plan(db, rome(2026, 11, 27, 8, 27)) == 1
    assert [due for _a, due, _s in schedule(db)] == [rome(2026, 11, 27, 8, 30)]


# -- who gets none -----------------------------------------------------------------------------
@pytest.mark.both_databases
def test_nobody_who_turned_reminders_off_or_erased_their_data_gets_one(db):
    start = rome(2026, 11, 28, 15)
    workshop = add_workshop(db, start)
    seat(db, person(db, "off", reminders_off_at=NOW), workshop)
    seat(db, person(db, "gone", erased_at=NOW), workshop)
    interview(db, person(db, "off2", reminders_off_at=NOW), start)
    on = seat(db, person(db, "on"), workshop)
    assert plan(db, start - DAY) == 1
    assert [a for a, _d, _s in schedule(db)] == [f"workshop_registration:{on}"]


@pytest.mark.both_databases
def test_no_reminder_whose_time_came_before_the_booking_was_made(db):
    start = rome(2026, 11, 28, 15)
    booking = interview(db, person(db, "p1"), start, booked_at=start - 10 * HOUR)  # 10 hours ahead
    workshop = add_workshop(db, start)
    late_seat = seat(db, person(db, "p2"), workshop, booked_at=start - 10 * HOUR)
    for now in (start - 10 * HOUR, start - 9 * HOUR, start - 2 * HOUR - MINUTE, start - MINUTE):
        plan(db, now)
    assert schedule(db) == [(f"workshop_registration:{late_seat}", start - 2 * HOUR, "pending")]  # only the 2-hour one
    assert not [a for a, _d, _s in schedule(db) if a == f"interview_booking:{booking}"]


@pytest.mark.both_databases
def test_a_seat_from_the_waiting_list_counts_from_its_promotion(db):
    start = rome(2026, 11, 28, 15)
    workshop = add_workshop(db, start, capacity=1)
    queued = seat(db, person(db), workshop, booked_at=start - 3 * DAY, status="waitlisted")
    promoted_at = start - 10 * HOUR
    with Session(db) as session, session.begin():
        assert workshops.promote_first(session, workshop, now=promoted_at).id == queued
    plan(db, promoted_at)
    assert schedule(db) == []  # the 24-hour one went by before the seat was theirs
    plan(db, start - 2 * HOUR - MINUTE)
    assert [due for _a, due, _s in schedule(db)] == [start - 2 * HOUR]


@pytest.mark.both_databases
def test_no_reminder_once_the_appointment_has_begun_nor_for_cancelled_ones(db):
    start = rome(2026, 11, 28, 15)
    interview(db, person(db, "p1"), start)
    on_cancelled_slot = interview(db, person(db, "p2"), start)
    update_row(db, InterviewSlot, in_session(db, lambda s: s.get(InterviewBooking, on_cancelled_slot).slot_id),
               cancelled_at=NOW)
    off = add_workshop(db, start, cancelled_at=NOW)
    seat(db, person(db, "p3"), off)
    waiting = add_workshop(db, start, capacity=0)
    seat(db, person(db, "p4"), waiting, status="waitlisted")
    assert plan(db, start + MINUTE) == 0
    assert plan(db, start - DAY) == 1  # only p1's


# -- a late bot --------------------------------------------------------------------------------
@pytest.mark.both_databases
def test_after_a_downtime_only_the_latest_reminder_goes_late(db):
    start = rome(2026, 11, 28, 15)
    workshop = add_workshop(db, start)
    registration = seat(db, person(db), workshop)
    back = start - HOUR  # the bot was down from before the 24-hour time until now
    assert plan(db, back) == 1
    [row] = reminder_rows(db)
    assert aware(row.due_at) == back and row.idempotency_key.endswith(":2h:20261128T1400Z")
    assert row.about == f"workshop_registration:{registration}"
    assert plan(db, back + 10 * MINUTE) == 0


@pytest.mark.both_databases
def test_a_reminder_missed_by_a_few_hours_goes_late_and_the_next_one_on_time(db):
    start = rome(2026, 11, 28, 15)
    seat(db, person(db), add_workshop(db, start))
    assert plan(db, start - DAY + 3 * HOUR) == 1  # 3 hours late
    assert plan(db, start - 2 * HOUR - 2 * MINUTE) == 1
    assert [due for _a, due, _s in schedule(db)] == [start - DAY + 3 * HOUR, start - 2 * HOUR]


@pytest.mark.both_databases
def test_an_older_reminder_not_sent_yet_is_withdrawn_by_the_newer_one(db):
    start = rome(2026, 11, 28, 15)
    seat(db, person(db), add_workshop(db, start))
    plan(db, start - DAY)  # queued, then the sender was down
    plan(db, start - 2 * HOUR)
    assert [(due, status) for _a, due, status in schedule(db)] == [(start - DAY, "cancelled"),
                                                                    (start - 2 * HOUR, "pending")]


@pytest.mark.both_databases
def test_a_late_reminder_waits_for_the_end_of_the_quiet_hours(db):
    start = rome(2026, 11, 28, 9, 30)
    interview(db, person(db), start)  # its reminder: Friday 09:30; the bot was down all Friday
    assert plan(db, rome(2026, 11, 27, 22)) == 0
    assert plan(db, rome(2026, 11, 28, 7, 59)) == 0
    assert plan(db, rome(2026, 11, 28, 8)) == 1
    assert [due for _a, due, _s in schedule(db)] == [rome(2026, 11, 28, 8)]


# -- once --------------------------------------------------------------------------------------
@pytest.mark.both_databases
def test_planning_twice_queues_once(db):
    start = rome(2026, 11, 28, 15)
    seat(db, person(db, "p1"), add_workshop(db, start))
    interview(db, person(db, "p2"), start)
    assert plan(db, start - DAY) == 2
    assert plan(db, start - DAY) == 0
    assert plan(db, start - DAY + MINUTE) == 0
    assert len(reminder_rows(db)) == 2


@pytest.mark.both_databases
def test_two_planners_at_once_queue_each_reminder_once(db):
    start = rome(2026, 11, 28, 15)
    workshop = add_workshop(db, start, capacity=30)
    for n in range(12):
        seat(db, person(db, f"w{n}"), workshop)
        interview(db, person(db, f"i{n}"), start)
    gate = threading.Barrier(2)
    counts, errors = [], []

    def planner():
        try:
            gate.wait()
            for step in range(3):
                counts.append(reminders.run(db, now=start - DAY + step * MINUTE, settings=SETTINGS))
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=planner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(counts) == 24 and len(reminder_rows(db)) == 24
    assert len({r.about for r in reminder_rows(db)}) == 24


# -- never stale: withdrawn with the change -----------------------------------------------------
def _queued_interview(db, start=rome(2026, 11, 28, 15)) -> tuple[int, int]:
    contact = person(db, "interviewed")
    booking = interview(db, contact, start)
    assert plan(db, start - DAY - 2 * MINUTE) == 1
    return contact, booking


def _queued_seat(db, start=rome(2026, 11, 28, 15)) -> tuple[int, int, int]:
    contact, workshop = person(db, "seated"), add_workshop(db, start)
    registration = seat(db, contact, workshop)
    assert plan(db, start - DAY - 2 * MINUTE) == 1
    return contact, workshop, registration


@pytest.mark.both_databases
def test_a_cancelled_interview_has_its_reminder_withdrawn(db):
    contact, _booking = _queued_interview(db)
    in_session(db, lambda s: bookings.cancel(s, contact_id=contact, reason=None, now=NOW))
    assert [r.status for r in reminder_rows(db)] == ["cancelled"]
    assert plan(db, rome(2026, 11, 27, 15)) == 0


@pytest.mark.both_databases
def test_a_moved_interview_loses_the_old_reminder_and_gets_its_own(db):
    contact, old = _queued_interview(db)
    with Session(db) as session:
        new_slot = InterviewSlot(starts_at=rome(2026, 11, 28, 16), operator="Anna Bianchi")
        session.add(new_slot)
        session.commit()
        new_slot_id = new_slot.id
    new = in_session(db, lambda s: bookings.reschedule(s, contact_id=contact, slot_id=new_slot_id, now=NOW,
                                                       cutoff=2 * HOUR).id)
    assert schedule(db) == [(f"interview_booking:{old}", rome(2026, 11, 27, 15), "cancelled")]
    assert plan(db, rome(2026, 11, 27, 15, 58)) == 1
    assert schedule(db)[1] == (f"interview_booking:{new}", rome(2026, 11, 27, 16), "pending")


@pytest.mark.both_databases
def test_a_seat_given_up_has_its_reminder_withdrawn(db):
    contact, _workshop, registration = _queued_seat(db)
    in_session(db, lambda s: workshops.cancel(s, contact_id=contact, registration_id=registration, now=NOW))
    assert [r.status for r in reminder_rows(db)] == ["cancelled"]
    assert plan(db, rome(2026, 11, 28, 13)) == 0


@pytest.mark.both_databases
def test_a_slot_cancelled_by_the_office_withdraws_the_reminder_but_not_the_notice(db):
    _contact, booking = _queued_interview(db)
    slot_id = in_session(db, lambda s: s.get(InterviewBooking, booking).slot_id)

    def cancel(session):
        agenda.cancel_slot(session, slot_id=slot_id, now=NOW)
    in_session(db, cancel)
    assert [r.status for r in reminder_rows(db)] == ["cancelled"]
    with Session(db) as session:
        notices = session.exec(select(OutboxMessage).where(OutboxMessage.kind != "reminder")).all()
    assert [(n.idempotency_key, n.status) for n in notices] == [(f"slot-cancelled:{booking}", "pending")]
    assert plan(db, rome(2026, 11, 27, 15)) == 0


@pytest.mark.both_databases
def test_a_session_cancelled_by_the_office_withdraws_its_reminders(db):
    contact, workshop, registration = _queued_seat(db)
    waiting = seat(db, person(db, "p2"), workshop, status="waitlisted")

    def cancel(session):
        done = agenda.cancel_workshop(session, workshop_id=workshop, now=NOW)
        return [r.id for r in done.rows], sorted(done.told)
    cancelled, told = in_session(db, cancel)
    assert cancelled == told == [registration, waiting]
    assert [r.status for r in reminder_rows(db)] == ["cancelled"]
    with Session(db) as session:
        assert {r.status for r in session.exec(select(WorkshopRegistration)).all()} == {"cancelled"}
        assert session.get(WorkshopSession, workshop).registered == 0
    assert plan(db, rome(2026, 11, 28, 13)) == 0
    with pytest.raises(agenda.AgendaError, match="cancelled"):
        in_session(db, lambda s: agenda.cancel_workshop(s, workshop_id=workshop, now=NOW))


@pytest.mark.both_databases
def test_what_a_change_did_not_withdraw_the_next_plan_does(db):
    contact, booking = _queued_interview(db)
    _c, _w, registration = _queued_seat(db, rome(2026, 11, 28, 15))
    update_row(db, InterviewBooking, booking, status="cancelled")      # straight in the database
    update_row(db, WorkshopRegistration, registration, status="no_show")
    plan(db, rome(2026, 11, 27, 14, 59))
    assert [r.status for r in reminder_rows(db)] == ["cancelled", "cancelled"]


@pytest.mark.both_databases
def test_turning_reminders_off_withdraws_the_pending_one_at_the_next_plan(db):
    contact, _booking = _queued_interview(db)
    update_row(db, Contact, contact, reminders_off_at=NOW)
    plan(db, rome(2026, 11, 27, 14, 59))
    assert [r.status for r in reminder_rows(db)] == ["cancelled"]


@pytest.mark.both_databases
def test_erasing_ones_data_deletes_the_pending_reminder(db):
    contact, _booking = _queued_interview(db)
    with db.begin() as connection:
        SqlStore(connection, contact, NOW).erase_personal_data()
    assert reminder_rows(db) == []
    assert plan(db, rome(2026, 11, 27, 15)) == 0


def test_planning_leaves_conversations_alone(db):
    contact, _booking = _queued_interview(db)
    state = {"flow": "ws", "step": "confirm", "answers": {"pick": "3"}, "scratch": {}, "editing": False,
             "buttons": []}
    with Session(db) as session:
        session.add(ConversationState(contact_id=contact, data=state))
        session.commit()
    plan(db, rome(2026, 11, 27, 15))
    with Session(db) as session:
        assert session.get(ConversationState, contact).data == state


@pytest.mark.both_databases
def test_withdraw_person_cancels_only_that_persons_pending_reminders(db):
    contact, _booking = _queued_interview(db)
    _other, _workshop, _registration = _queued_seat(db)
    assert in_session(db, lambda s: reminders.withdraw_person(s, contact)) == 1
    assert [r.status for r in reminder_rows(db)] == ["cancelled", "pending"]


@pytest.mark.both_databases
def test_reminders_turned_off_and_on_again_come_back(db):
    contact, _booking = _queued_interview(db)
    with db.begin() as connection:
        SqlStore(connection, contact, NOW).set_reminders(False)
    assert [r.status for r in reminder_rows(db)] == ["cancelled"]  # withdrawn at once
    with db.begin() as connection:
        SqlStore(connection, contact, NOW).set_reminders(True)
    assert plan(db, rome(2026, 11, 27, 14, 59)) == 1
    assert [r.status for r in reminder_rows(db)] == ["pending"]

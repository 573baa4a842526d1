"""The buttons of a reminder ("I'll be there", "Reschedule", "Cancel"), pressed through the real
service on SQLite, and a reminder arriving in the middle of a conversation.

The person registers in English (tests.registration_helpers.reach); their bookings are rows
written straight into the database, the reminder is the one services.reminders.plan queued. The
service's clock is NOW (Wednesday 25 November 2026, 11:00 in Bologna).
"""
from __future__ import annotations

import pytest

from conversations import payload, reminders as texts
from conversations.i18n import translator
from store.models import InterviewBooking, WorkshopRegistration, WorkshopSession, aware
from tests.booking_flow_helpers import add_slot, add_workshop, contact_of, days_ahead, outbox, rome, row, update_row
from tests.conftest import NOW, Chat
from tests.registration_helpers import reach, state_of
from tests.reminder_helpers import DAY, HOUR, MINUTE, interview, plan, queued_message, reminder_rows, seat

SATURDAY = rome(2026, 11, 28, 15)
SUNDAY = rome(2026, 11, 29, 10)


@pytest.fixture
def person(chat):
    """Registered (in English), at the "you are registered" message."""
    reach(chat)
    return chat


def remind(chat, db, about: str, starts_at=SATURDAY) -> None:
    """Plan the 24-hour reminder and put it in front of the person, as the outbox would."""
    plan(db, starts_at - DAY - 2 * MINUTE)
    chat.replies = [queued_message(db, about)]


def booked_interview(chat, db, starts_at=SATURDAY) -> int:
    booking = interview(db, contact_of(db, chat.external_id), starts_at)
    remind(chat, db, f"interview_booking:{booking}", starts_at)
    return booking


def booked_seat(chat, db, workshop_id: int, starts_at=SATURDAY) -> int:
    registration = seat(db, contact_of(db, chat.external_id), workshop_id)
    remind(chat, db, f"workshop_registration:{registration}", starts_at)
    return registration


# -- I'll be there -----------------------------------------------------------------------------
def test_ill_be_there_confirms_the_interview(person, db):
    booking = booked_interview(person, db)
    assert person.labels == ["I'll be there", "Reschedule", "Cancel"]
    person.press("I'll be there")
    assert person.text == "Thank you for letting us know. See you there!"
    assert person.labels == ["My appointments", "Menu"]
    assert aware(row(db, InterviewBooking, booking).confirmed_at) == NOW


def test_ill_be_there_confirms_the_workshop_seat(person, db):
    registration = booked_seat(person, db, add_workshop(db, SATURDAY))
    person.press("I'll be there")
    assert "See you there!" in person.text
    assert aware(row(db, WorkshopRegistration, registration).confirmed_at) == NOW


# -- Reschedule ----------------------------------------------------------------------------------
def test_reschedule_moves_the_interview_and_withdraws_its_reminder(person, db):
    old = booked_interview(person, db)
    add_slot(db, days_ahead(5, 10))  # Monday 30 November, 10:00
    person.press("Reschedule")
    assert "Choose a new day for your interview:" in person.text
    assert state_of(db)["answers"] == {"reschedule": True}
    person.press("Mon, 30 Nov")
    person.press("10:00")
    person.press("Yes, book it")
    assert "Done: your interview is moved." in person.text
    assert row(db, InterviewBooking, old).status == "cancelled"
    assert [r.status for r in reminder_rows(db)] == ["cancelled"]


def test_reschedule_moves_the_workshop_seat_once_the_new_one_is_held(person, db):
    saturday, sunday = add_workshop(db, SATURDAY), add_workshop(db, SUNDAY, title="Incontro 2 - Edilizia")
    old = booked_seat(person, db, saturday)
    person.press("Reschedule")
    assert "Choose another session: once you have a seat there, we give your current seat back." in person.text
    assert person.labels == ["✅ Sat, 28 Nov 15:00", "Sun, 29 Nov 10:00", "Menu"]
    person.press("Sun, 29 Nov 10:00")
    assert row(db, WorkshopRegistration, old).status == "registered"  # nothing given back yet
    person.press("Yes, sign me up")
    done, given_back = person.replies
    assert done.text.startswith("Done: you are signed up.") and "Sunday, 29 November 2026" in done.text
    assert given_back.text == "Your seat on Sat, 28 Nov has been given back. Thank you!"
    assert row(db, WorkshopRegistration, old).status == "cancelled"
    assert (row(db, WorkshopSession, saturday).registered, row(db, WorkshopSession, sunday).registered) == (0, 1)
    assert [r.status for r in reminder_rows(db)] == ["cancelled"]
    assert state_of(db)["flow"] is None


def test_a_seat_moved_away_goes_to_the_first_waiting(person, db, service):
    saturday = add_workshop(db, SATURDAY, capacity=1)
    add_workshop(db, SUNDAY, title="Incontro 2 - Edilizia")
    old = booked_seat(person, db, saturday)
    other = Chat(service, "p2")
    reach(other)
    waiting = seat(db, contact_of(db, "p2"), saturday, status="waitlisted")
    person.press("Reschedule")
    person.press("Sun, 29 Nov 10:00")
    person.press("Yes, sign me up")
    assert row(db, WorkshopRegistration, old).status == "cancelled"
    assert row(db, WorkshopRegistration, waiting).status == "registered"
    assert [m.idempotency_key for m in outbox(db) if m.kind != "reminder"] == [f"promotion:{waiting}"]


def test_moving_to_a_full_session_keeps_the_seat_until_one_frees_up(person, db):
    saturday = add_workshop(db, SATURDAY)
    add_workshop(db, SUNDAY, capacity=3, registered=3, title="Incontro 2 - Edilizia")
    old = booked_seat(person, db, saturday)
    person.press("Reschedule")
    person.press("Sun, 29 Nov 10:00")
    person.press("Yes, waiting list")
    assert "You are on the waiting list, number 1." in person.text
    assert "You keep your seat on Sat, 28 Nov until one frees up here." in person.text
    assert row(db, WorkshopRegistration, old).status == "registered"


# -- Cancel --------------------------------------------------------------------------------------
def test_cancel_reaches_the_interview_cancellation(person, db):
    booking = booked_interview(person, db)
    person.press("Cancel")
    assert "Do you want to cancel this interview?" in person.text
    person.press("Yes, cancel it")
    person.press("Skip")
    assert "Your interview is cancelled." in person.text
    assert row(db, InterviewBooking, booking).status == "cancelled"
    assert [r.status for r in reminder_rows(db)] == ["cancelled"]


def test_cancel_gives_the_workshop_seat_back_after_asking(person, db):
    registration = booked_seat(person, db, add_workshop(db, SATURDAY))
    person.press("Cancel")
    assert "Do you want to give up your place at this workshop?" in person.text
    person.press("Yes, give it up")
    assert "you are no longer signed up for this workshop" in person.text
    assert row(db, WorkshopRegistration, registration).status == "cancelled"
    assert [r.status for r in reminder_rows(db)] == ["cancelled"]


# -- a booking no longer active ------------------------------------------------------------------
@pytest.mark.parametrize("button", ["I'll be there", "Reschedule", "Cancel"])
def test_the_buttons_of_a_cancelled_interview_say_it_is_no_longer_active(person, db, button):
    booking = booked_interview(person, db)
    update_row(db, InterviewBooking, booking, status="cancelled")
    newer = interview(db, contact_of(db, "p1"), SUNDAY)  # booked again meanwhile: left alone
    person.press(button)
    gone, appointments = person.replies
    assert gone.text == "This booking is no longer active."
    assert appointments.text.startswith("Your orientation interview:") and "Sunday, 29 November" in appointments.text
    assert row(db, InterviewBooking, booking).confirmed_at is None
    assert row(db, InterviewBooking, newer).status == "booked" and row(db, InterviewBooking, newer).confirmed_at is None
    assert state_of(db)["flow"] is None


@pytest.mark.parametrize("button", ["I'll be there", "Reschedule", "Cancel"])
def test_the_buttons_of_a_seat_given_up_say_it_is_no_longer_active(person, db, button):
    registration = booked_seat(person, db, add_workshop(db, SATURDAY))
    update_row(db, WorkshopRegistration, registration, status="cancelled")
    person.press(button)
    assert person.replies[0].text == "This booking is no longer active."
    assert "You are not signed up for any workshop." in person.text
    assert row(db, WorkshopRegistration, registration).confirmed_at is None


def test_a_reminder_button_after_the_interview_began_is_no_longer_active(person, db, service):
    booking = booked_interview(person, db, starts_at=NOW + 3 * HOUR)
    service.clock = lambda: NOW + 3 * HOUR + MINUTE
    person.press("I'll be there")
    assert person.replies[0].text == "This booking is no longer active."
    assert row(db, InterviewBooking, booking).confirmed_at is None


# -- mid-conversation ----------------------------------------------------------------------------
def test_a_reminder_arriving_mid_conversation_leaves_the_step_alone(person, db):
    add_workshop(db, SUNDAY, title="Incontro 2 - Edilizia")
    booking = interview(db, contact_of(db, "p1"), SATURDAY)
    person.say("/menu")
    person.press("Workshops")
    person.press("Sun, 29 Nov 10:00")
    assert person.labels == ["Yes, sign me up", "Another session"]
    before = state_of(db)
    assert before["step"] == "confirm"

    plan(db, SATURDAY - DAY)  # the reminder is queued (and sent) while the person is at "confirm"
    assert state_of(db) == before
    person.replies = [queued_message(db, f"interview_booking:{booking}")]
    person.press("I'll be there")
    thanks, question = person.replies
    assert thanks.text == "Thank you for letting us know. See you there!"
    assert "Do you want to sign up?" in question.text and person.labels == ["Yes, sign me up", "Another session"]
    after = state_of(db)
    assert (after["flow"], after["step"], after["answers"]) == (before["flow"], before["step"], before["answers"])
    assert row(db, InterviewBooking, booking).confirmed_at is not None

    person.press("Yes, sign me up")  # and the conversation goes on where it was
    assert "Done: you are signed up." in person.text


def test_a_typed_number_after_a_reminder_answers_the_current_question(person, db):
    """The reminder was not shown by the conversation: typing "1" answers the step, not the reminder."""
    add_workshop(db, SUNDAY, title="Incontro 2 - Edilizia")
    booking = interview(db, contact_of(db, "p1"), SATURDAY)
    person.say("/menu")
    person.press("Workshops")
    person.press("Sun, 29 Nov 10:00")
    plan(db, SATURDAY - DAY)
    person.say("1")
    assert "Done: you are signed up." in person.text
    assert row(db, InterviewBooking, booking).confirmed_at is None


# -- the codec -----------------------------------------------------------------------------------
def test_reminder_buttons_fit_telegrams_64_bytes_and_decode_back():
    from conversations.describe import Reader
    from conversations.store import Workshop

    workshop = Workshop(1, "t" * 200, "", SATURDAY, SUNDAY, "", 30, 1, "it")
    message = texts.workshop_reminder(Reader("it", NOW), 10**15, workshop)
    for button in message.buttons:
        data = payload.decode(button.payload)
        assert len(button.payload.encode()) <= payload.MAX_BYTES and data.is_global
        action = payload.decode_action(data.value)
        assert data.value.startswith("rem:") and isinstance(action, payload.ReminderAnswer)
        assert (action.kind, action.booking_id) == ("w", 10**15)
    for forged in ("rem:ok:x12", "rem:later:i12", "rem:ok:i", "rem:ok:i-1", "rem:ok:i12:3"):
        assert payload.decode_action(forged) is None
    assert [b.label for b in message.buttons] == [translator("it").gettext(label) for label in
                                                  ("I'll be there", "Reschedule", "Cancel")]

"""Booking, moving and cancelling the orientation interview, through the real service on SQLite.

The person registers in English (tests.registration_helpers.reach), so text is checked in
English; slots are rows written straight into the database, times relative to NOW.
"""
from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from conversations import payload
from conversations.commands import build_engine
from services.conversation import ConversationService
from store.models import InterviewBooking, InterviewSlot
from tests.booking_flow_helpers import (ADDRESS, add_slot, add_workshop, bookings, contact_of, days_ahead,
                                        registrations, rome, row, update_row)
from tests.conftest import NOW, Chat
from tests.registration_helpers import press_payload, reach, state_of

TAKEN = "somebody has just booked that time"


class Clock:
    """A clock the test moves: a person may press a button hours after it was shown."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def calendar_event(reply):
    assert reply.file is not None and reply.file.mime_type == "text/calendar"
    [event] = Calendar.from_ical(reply.file.content).walk("VEVENT")
    return event


def utc(event, name: str) -> dt.datetime:
    value = event.decoded(name)
    assert value.utcoffset() == dt.timedelta(0), "calendar times are written in UTC"
    return value


def booked_rows(db) -> list[tuple[int, str, str | None]]:
    return [(b.slot_id, b.status, b.cancel_reason) for b in bookings(db)]


def booked_count(db, slot_id: int) -> int:
    return row(db, InterviewSlot, slot_id).booked


@pytest.fixture
def person(chat):
    """Registered (in English), at the "you are registered" message."""
    reach(chat)
    return chat


def book(chat, day_label: str, time_label: str) -> None:
    """From any message with a "Book ..." button: day, time, confirm."""
    chat.press("Book")
    chat.press(day_label)
    chat.press(time_label)
    chat.press("Yes, book it")
    assert "is booked" in chat.text, chat.text


# -- the happy path ---------------------------------------------------------------------------
def test_right_after_registering_the_interview_is_booked_day_time_confirm_with_a_calendar_file(person, db):
    nine = add_slot(db, days_ahead(1, 9))
    add_slot(db, days_ahead(1, 10, 30), mode="phone", address=None)
    add_slot(db, days_ahead(2, 15))
    assert person.labels == ["Book my interview", "Workshops", "Menu"]

    person.press("Book my interview")
    assert "Choose a day" in person.text
    assert person.labels == ["Thu, 26 Nov", "Fri, 27 Nov"]
    person.press("Thu, 26 Nov")
    assert "Free times on Thursday, 26 November 2026" in person.text
    assert person.labels == ["09:00", "10:30 · phone", "Other days"]
    person.press("09:00")
    assert person.text.startswith("Book this interview?")
    assert "Thursday, 26 November 2026, 09:00" in person.text and ADDRESS in person.text
    assert person.labels == ["Yes, book it", "Another time"]
    assert bookings(db) == []  # nothing is held before the confirmation

    person.press("Yes, book it")
    [done] = person.replies
    assert done.text.startswith("Done: your orientation interview is booked.")
    assert "Thursday, 26 November 2026, 09:00" in done.text
    assert person.labels == ["My appointments", "Menu"]
    [booking] = bookings(db)
    assert (booking.slot_id, booking.status, booking.contact_id) == (nine, "booked", contact_of(db, "p1"))
    assert booked_count(db, nine) == 1
    event = calendar_event(done)
    assert utc(event, "dtstart") == days_ahead(1, 9) == dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.timezone.utc)
    assert utc(event, "dtend") == days_ahead(1, 9) + dt.timedelta(minutes=45)
    assert str(event["location"]) == ADDRESS
    assert str(event["uid"]) == f"interview-{booking.id}@insieme-bot"


def test_a_phone_interview_has_no_address_and_says_so(person, db):
    add_slot(db, days_ahead(1, 10, 30), mode="phone", address=None)
    book(person, "Thu, 26 Nov", "10:30")
    assert "by phone: we will call you" in person.text and "Where:" not in person.text
    assert str(calendar_event(person.replies[0])["location"]) == "by phone: we will call you"


def test_days_come_five_at_a_time_with_later_and_earlier_dates(person, db):
    for days in range(1, 9):
        add_slot(db, days_ahead(days, 9))
        add_slot(db, days_ahead(days, 11))
    first = ["Thu, 26 Nov", "Fri, 27 Nov", "Sat, 28 Nov", "Sun, 29 Nov", "Mon, 30 Nov"]

    person.press("Book my interview")
    assert person.labels == first + ["Later dates"]
    person.press("Later dates")
    assert person.labels == ["Tue, 1 Dec", "Wed, 2 Dec", "Thu, 3 Dec", "Earlier dates"]
    person.press("Earlier dates")
    assert person.labels == first + ["Later dates"]
    person.press("Later dates")
    person.press("Wed, 2 Dec")
    assert person.labels == ["09:00", "11:00", "Other days"]
    person.press("Other days")
    assert person.labels == ["Tue, 1 Dec", "Wed, 2 Dec", "Thu, 3 Dec", "Earlier dates"]


@pytest.mark.parametrize("typed", [
    ("2", "2", "1"),                                   # numbers
    ("fri, 27 nov", "11:00", "yes, book it"),          # labels, any case
])
def test_typing_numbers_or_labels_works_at_every_step(person, db, typed):
    add_slot(db, days_ahead(1, 9))
    add_slot(db, days_ahead(2, 9))
    eleven = add_slot(db, days_ahead(2, 11))
    day, time, yes = typed
    person.say("1")  # "Book my interview", the first button of the registration's last message
    assert person.labels == ["Thu, 26 Nov", "Fri, 27 Nov"]
    person.say(day)
    assert person.labels == ["09:00", "11:00", "Other days"]
    person.say(time)
    assert person.text.startswith("Book this interview?") and "11:00" in person.text
    person.say(yes)
    assert "is booked" in person.text
    assert booked_rows(db) == [(eleven, "booked", None)]


def test_typing_something_else_asks_again_with_the_same_buttons(person, db):
    add_slot(db, days_ahead(1, 9))
    person.press("Book my interview")
    person.say("tomorrow please")
    assert "type its number (1 to 1)" in person.text
    assert person.labels == ["Thu, 26 Nov"]
    person.say("7")
    assert person.labels == ["Thu, 26 Nov"] and bookings(db) == []


def test_another_time_goes_back_to_the_times(person, db):
    add_slot(db, days_ahead(1, 9))
    ten = add_slot(db, days_ahead(1, 10))
    person.press("Book my interview")
    person.press("Thu, 26 Nov")
    person.press("09:00")
    person.press("Another time")
    assert person.labels == ["09:00", "10:00", "Other days"]
    person.press("10:00")
    person.press("Yes, book it")
    assert booked_rows(db) == [(ten, "booked", None)]


def test_with_no_free_slot_the_person_is_told_and_offered_the_menu(person, db):
    add_slot(db, days_ahead(1, 9), booked=1)
    person.press("Book my interview")
    assert "there are no free dates at the moment" in person.text
    assert person.labels == ["Menu"]
    person.press("Menu")  # one tap: the flow ends and the main menu shows
    assert state_of(db)["flow"] is None
    assert "Book an interview" in person.labels


# -- somebody else was quicker ----------------------------------------------------------------
def test_a_time_booked_meanwhile_by_somebody_else_is_refused_at_its_button_with_fresh_times(service, db):
    nine = add_slot(db, days_ahead(1, 9))
    add_slot(db, days_ahead(1, 10))
    maria, luca = Chat(service, "p1"), Chat(service, "p2")
    reach(maria)
    reach(luca)
    maria.press("Book my interview")
    maria.press("Thu, 26 Nov")
    assert maria.labels == ["09:00", "10:00", "Other days"]

    book(luca, "Thu, 26 Nov", "09:00")
    maria.press("09:00")
    assert TAKEN in maria.text
    assert maria.labels == ["10:00", "Other days"]
    assert booked_rows(db) == [(nine, "booked", None)] and booked_count(db, nine) == 1
    assert [b.contact_id for b in bookings(db)] == [contact_of(db, "p2")]


def test_a_time_booked_meanwhile_is_refused_at_the_confirmation_with_the_days_left(person, db):
    nine = add_slot(db, days_ahead(1, 9))
    add_slot(db, days_ahead(2, 9))
    person.press("Book my interview")
    person.press("Thu, 26 Nov")
    person.press("09:00")
    update_row(db, InterviewSlot, nine, booked=1)  # taken by somebody on another channel

    person.press("Yes, book it")
    assert TAKEN in person.text
    assert person.labels == ["Fri, 27 Nov"]  # that day has no free time left: the days again
    assert bookings(db) == [] and booked_count(db, nine) == 1


def test_a_time_booked_meanwhile_is_refused_at_the_confirmation_with_the_times_left(person, db):
    nine = add_slot(db, days_ahead(1, 9))
    add_slot(db, days_ahead(1, 10))
    person.press("Book my interview")
    person.press("Thu, 26 Nov")
    person.press("09:00")
    update_row(db, InterviewSlot, nine, booked=1)
    person.press("Yes, book it")
    assert TAKEN in person.text
    assert person.labels == ["10:00", "Other days"]
    person.press("10:00")
    person.press("Yes, book it")
    assert [(b.status, b.slot_id) for b in bookings(db)] == [("booked", nine + 1)]


def test_slots_too_close_past_cancelled_or_full_are_not_offered(person, db):
    add_slot(db, NOW - dt.timedelta(hours=1))                        # past
    add_slot(db, NOW + dt.timedelta(hours=1, minutes=59))            # inside the 2-hour cut-off
    add_slot(db, NOW + dt.timedelta(hours=2, minutes=30))            # 13:30 in Bologna: bookable
    add_slot(db, NOW + dt.timedelta(hours=4), cancelled_at=NOW)      # cancelled by the office
    add_slot(db, NOW + dt.timedelta(hours=5), booked=1)              # full
    add_slot(db, days_ahead(1, 9), cancelled_at=NOW)                 # a day with only a cancelled slot
    person.press("Book my interview")
    assert person.labels == ["Wed, 25 Nov"]
    person.press("Wed, 25 Nov")
    assert person.labels == ["13:30", "Other days"]


CHANGES = {  # what makes the 09:00 slot of tomorrow unbookable after its button was shown
    "too close": lambda clock, db, slot: setattr(clock, "now", days_ahead(1, 8)),
    "past": lambda clock, db, slot: setattr(clock, "now", days_ahead(1, 10)),
    "cancelled": lambda clock, db, slot: update_row(db, InterviewSlot, slot, cancelled_at=NOW),
}
WHY = {"too close": "that time is too close to book now", "past": "that time has already passed",
       "cancelled": "that time was cancelled by the office"}


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def clocked(db, clock) -> Chat:
    """A registered person on a service whose clock the test moves."""
    chat = Chat(ConversationService(db, build_engine(), clock=clock))
    reach(chat)
    return chat


@pytest.mark.parametrize("change", CHANGES)
def test_the_button_of_a_time_that_became_too_close_past_or_cancelled_is_refused(clocked, clock, db, change):
    nine = add_slot(db, days_ahead(1, 9))
    clocked.press("Book my interview")
    clocked.press("Thu, 26 Nov")
    CHANGES[change](clock, db, nine)
    clocked.press("09:00")
    assert "Here are the free times now" in clocked.text and WHY[change] in clocked.text
    assert "There are no free times left on Thursday, 26 November 2026" in clocked.text
    assert clocked.labels == ["Other days"]
    assert bookings(db) == [] and booked_count(db, nine) == 0


@pytest.mark.parametrize("change", CHANGES)
def test_confirming_a_time_that_became_too_close_past_or_cancelled_says_why(clocked, clock, db, change):
    nine = add_slot(db, days_ahead(1, 9))
    later = add_slot(db, days_ahead(5, 9))
    clocked.press("Book my interview")
    clocked.press("Thu, 26 Nov")
    clocked.press("09:00")
    CHANGES[change](clock, db, nine)

    clocked.press("Yes, book it")
    assert WHY[change] in clocked.text
    assert clocked.labels == ["Mon, 30 Nov"]  # that day has nothing left: the days again
    assert bookings(db) == [] and booked_count(db, nine) == 0
    clocked.press("Mon, 30 Nov")
    clocked.press("09:00")
    clocked.press("Yes, book it")
    assert booked_rows(db) == [(later, "booked", None)]


def test_a_yes_left_on_the_question_about_another_time_books_nothing(person, db):
    add_slot(db, days_ahead(1, 9))
    ten = add_slot(db, days_ahead(1, 10))
    person.press("Book my interview")
    person.press("Thu, 26 Nov")
    person.press("09:00")
    nine_question = person.replies
    person.say("2")  # "Another time", typed: the 09:00 question keeps its buttons on the screen
    person.press("10:00")
    person.replies = nine_question
    person.press("Yes, book it")
    assert "That button is no longer active" in person.text
    assert "10:00" in person.text and person.labels == ["Yes, book it", "Another time"]
    assert bookings(db) == []
    person.say("1")
    assert booked_rows(db) == [(ten, "booked", None)]


def test_a_forged_time_button_for_a_slot_of_another_day_books_nothing(person, db):
    add_slot(db, days_ahead(1, 9))
    other_day = add_slot(db, days_ahead(2, 9))
    person.press("Book my interview")
    person.press("Thu, 26 Nov")
    press_payload(person, payload.encode("int.time", str(other_day)))
    assert TAKEN in person.text and person.labels == ["09:00", "Other days"]
    assert bookings(db) == []


# -- one interview per person: move it, cancel it ---------------------------------------------
def test_asking_for_a_second_interview_shows_the_one_booked(person, db):
    add_slot(db, days_ahead(1, 9))
    add_slot(db, days_ahead(2, 9))
    book(person, "Thu, 26 Nov", "09:00")
    person.say("/menu")
    person.press("Book an interview")
    assert person.text.startswith("You already have an interview booked:")
    assert "Thursday, 26 November 2026, 09:00" in person.text
    assert person.labels == ["Change day or time", "Cancel the interview", "Menu"]
    assert len(bookings(db)) == 1


def test_moving_the_interview_holds_the_new_slot_and_frees_the_old_one(person, db):
    nine = add_slot(db, days_ahead(1, 9))
    friday = add_slot(db, days_ahead(2, 11))
    book(person, "Thu, 26 Nov", "09:00")
    person.press("My appointments")
    person.press("Change day or time")
    assert "Choose a new day for your interview" in person.text
    assert person.labels == ["Fri, 27 Nov"]  # the person's own slot is not free
    person.press("Fri, 27 Nov")
    person.press("11:00")
    assert person.text.startswith("Move your interview to this time?")
    person.press("Yes, book it")

    assert person.text.startswith("Done: your interview is moved.")
    assert utc(calendar_event(person.replies[0]), "dtstart") == days_ahead(2, 11)
    assert booked_rows(db) == [(nine, "cancelled", "rescheduled"), (friday, "booked", None)]
    assert (booked_count(db, nine), booked_count(db, friday)) == (0, 1)
    person.press("My appointments")
    assert "Friday, 27 November 2026, 11:00" in person.text


def test_moving_to_a_slot_taken_meanwhile_keeps_the_interview_where_it_was(person, db):
    nine = add_slot(db, days_ahead(1, 9))
    friday = add_slot(db, days_ahead(2, 11))
    book(person, "Thu, 26 Nov", "09:00")
    person.press("My appointments")
    person.press("Change day or time")
    person.press("Fri, 27 Nov")
    person.press("11:00")
    update_row(db, InterviewSlot, friday, booked=1)

    person.press("Yes, book it")
    assert TAKEN in person.text
    assert booked_rows(db) == [(nine, "booked", None)]
    assert (booked_count(db, nine), booked_count(db, friday)) == (1, 1)


def test_moving_an_interview_the_office_cancelled_meanwhile_says_there_is_none(person, db):
    add_slot(db, days_ahead(1, 9))
    friday = add_slot(db, days_ahead(2, 11))
    book(person, "Thu, 26 Nov", "09:00")
    person.press("My appointments")
    person.press("Change day or time")
    person.press("Fri, 27 Nov")
    person.press("11:00")
    [booking] = bookings(db)
    update_row(db, InterviewBooking, booking.id, status="cancelled", cancel_reason="office")

    person.press("Yes, book it")
    assert "You have no interview booked." in person.text
    assert "Book an interview" in person.labels
    assert booked_count(db, friday) == 0 and [b.status for b in bookings(db)] == ["cancelled"]


def test_cancelling_an_interview_the_office_cancelled_meanwhile_says_there_is_none(person, db):
    add_slot(db, days_ahead(1, 9))
    book(person, "Thu, 26 Nov", "09:00")
    person.press("My appointments")
    person.press("Cancel the interview")
    [booking] = bookings(db)
    update_row(db, InterviewBooking, booking.id, status="cancelled", cancel_reason="office")
    person.press("Yes, cancel it")
    assert person.text == "You have no interview booked."
    assert person.labels == ["Book an interview", "Menu"]
    assert booked_rows(db) == [(booking.slot_id, "cancelled", "office")]


@pytest.mark.parametrize("answer, stored", [
    (lambda chat: chat.say("  I found   a job  "), "I found a job"),
    (lambda chat: chat.press("Skip"), None),
])
def test_cancelling_asks_to_be_sure_then_an_optional_reason(person, db, answer, stored):
    nine = add_slot(db, days_ahead(1, 9))
    book(person, "Thu, 26 Nov", "09:00")
    person.press("My appointments")
    person.press("Cancel the interview")
    assert person.text.startswith("Do you want to cancel this interview?")
    assert person.labels == ["Yes, cancel it", "No, keep it"]
    person.press("Yes, cancel it")
    assert "tell us why" in person.text and person.labels == ["Skip"]
    assert booked_rows(db) == [(nine, "booked", None)]  # not before the reason's step is answered

    answer(person)
    assert person.text.startswith("Your interview is cancelled.")
    assert person.labels == ["Book an interview", "Menu"]
    assert booked_rows(db) == [(nine, "cancelled", stored)] and booked_count(db, nine) == 0
    person.press("Book an interview")  # the slot is free again, for anybody
    assert person.labels == ["Thu, 26 Nov"]


def test_no_keep_it_leaves_the_interview_booked(person, db):
    nine = add_slot(db, days_ahead(1, 9))
    book(person, "Thu, 26 Nov", "09:00")
    person.press("My appointments")
    person.press("Cancel the interview")
    person.say("2")
    assert "stays as it is" in person.text
    assert booked_rows(db) == [(nine, "booked", None)] and booked_count(db, nine) == 1


def test_my_appointments_lists_the_interview_and_workshop_seats_with_working_buttons(person, db):
    add_slot(db, days_ahead(1, 9))
    add_slot(db, days_ahead(2, 9))
    workshop = add_workshop(db, days_ahead(3, 15), capacity=1)
    book(person, "Thu, 26 Nov", "09:00")
    person.say("/menu")
    person.press("Workshops")
    person.press("Sat, 28 Nov 15:00")
    person.press("Yes, sign me up")

    person.press("My appointments")
    assert "Your orientation interview:\nThursday, 26 November 2026, 09:00" in person.text
    assert "Workshop (signed up):" in person.text and "Saturday, 28 November 2026, 15:00-17:00" in person.text
    assert person.labels == ["Change day or time", "Cancel the interview", "Cancel Sat, 28 Nov",
                             "Workshops", "Menu"]
    appointments = person.replies
    for label, expected in [("Change day or time", "Choose a new day"),
                            ("Cancel the interview", "Do you want to cancel this interview?"),
                            ("Cancel Sat, 28 Nov", "Do you want to give up your place at this workshop?"),
                            ("Workshops", "Choose a session:")]:
        person.replies = appointments
        person.press(label)
        assert expected in person.text, label
    assert [r.status for r in registrations(db, workshop)] == ["registered"]
    assert [b.status for b in bookings(db)] == ["booked"]


def test_my_appointments_with_nothing_booked_offers_to_book(person):
    person.say("/menu")
    person.press("My appointments")
    assert "You have no interview booked." in person.text
    assert "You are not signed up for any workshop." in person.text
    assert person.labels == ["Book an interview", "Workshops", "Menu"]


@pytest.mark.parametrize("action", ["int:move", "int:cancel"])
def test_moving_or_cancelling_without_an_interview_says_there_is_none(person, action):
    press_payload(person, payload.encode_global(action))
    assert person.text == "You have no interview booked."
    assert person.labels == ["Book an interview", "Menu"]


# -- the clock changes -----------------------------------------------------------------------
@pytest.mark.parametrize("day, labels, utc_hour", [
    (dt.date(2027, 3, 28), ["Sat, 27 Mar", "Sun, 28 Mar"], 7),   # summer time began at 02:00 that night
    (dt.date(2027, 10, 31), ["Sat, 30 Oct", "Sun, 31 Oct"], 8),  # and ended at 03:00
])
def test_a_slot_on_the_day_the_clocks_change_reads_nine_everywhere(db, day, labels, utc_hour):
    starts_at = rome(day.year, day.month, day.day, 9)
    assert starts_at == dt.datetime(day.year, day.month, day.day, utc_hour, tzinfo=dt.timezone.utc)
    chat = Chat(ConversationService(db, build_engine(), clock=Clock(starts_at - dt.timedelta(days=3))))
    reach(chat)
    slot = add_slot(db, starts_at)
    add_slot(db, rome(day.year, day.month, day.day, 0))            # midnight: still that day
    add_slot(db, rome(day.year, day.month, day.day, 0) - dt.timedelta(minutes=1))  # 23:59 the day before

    chat.press("Book my interview")
    assert chat.labels == labels
    chat.press(labels[1])
    assert chat.labels == ["00:00", "09:00", "Other days"]
    chat.press("09:00")
    assert ", 09:00\n" in chat.text
    chat.press("Yes, book it")
    assert ", 09:00\n" in chat.text
    event = calendar_event(chat.replies[0])
    assert utc(event, "dtstart") == dt.datetime(day.year, day.month, day.day, utc_hour, tzinfo=dt.timezone.utc)
    assert booked_rows(db) == [(slot, "booked", None)]


# -- not registered -------------------------------------------------------------------------
@pytest.mark.parametrize("action", ["int:book", "int:move", "int:cancel", "ws:list", "ws:cancel:1",
                                    "ws:drop:1", "appts"])
def test_people_not_registered_are_asked_to_register_first(chat, db, action):
    add_slot(db, days_ahead(1, 9))
    add_workshop(db, days_ahead(1, 15))
    chat.say("hello")
    chat.press("English")
    press_payload(chat, payload.encode_global(action))
    assert chat.text == "First you need to register: it takes a few minutes."
    assert chat.labels == ["Register", "Menu"]
    chat.press("Register")
    assert "Do you agree?" in chat.text  # the registration goes on where it was
    assert bookings(db) == [] and registrations(db) == []


def test_two_workshop_seats_on_one_day_have_cancel_buttons_that_read_apart(person, db):
    """Issue 13: two sessions on the same day read "Cancel Sat, 28 Nov" twice."""
    morning = add_workshop(db, days_ahead(3, 10), capacity=5)
    afternoon = add_workshop(db, days_ahead(3, 15), capacity=5)
    for label in ("Sat, 28 Nov 10:00", "Sat, 28 Nov 15:00"):
        person.say("/menu")
        person.press("Workshops")
        person.press(label)
        person.press("Yes, sign me up")
    person.press("My appointments")
    cancels = [label for label in person.labels if label.startswith("Cancel Sat")]
    assert cancels == ["Cancel Sat, 28 Nov 10:00", "Cancel Sat, 28 Nov 15:00"]
    person.press("Cancel Sat, 28 Nov 15:00")
    person.press("Yes, give it up")
    assert [r.status for r in registrations(db, afternoon)] == ["cancelled"]
    assert [r.status for r in registrations(db, morning)] == ["registered"]

"""Signing up to the "bussola" workshops, the waiting list and its promotions, giving a seat
back and erasing one's data, through the real service on SQLite.

People register in English (tests.registration_helpers.reach); one of them may switch to
Italian to show that what they are told comes in their language.
"""
from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from conversations import payload
from conversations.i18n import translator
from store.models import InterviewSlot, WorkshopSession
from tests.booking_flow_helpers import (PLACE, add_slot, add_workshop, bookings, contact_of, days_ahead, outbox,
                                        registrations, row, update_row)
from tests.conftest import NOW, Chat
from tests.registration_helpers import press_payload, reach

SATURDAY = "Sat, 28 Nov 15:00"  # the button of a session three days after NOW


@pytest.fixture
def person(chat):
    reach(chat)
    return chat


@pytest.fixture
def people(service):
    """Three registered people, p1 p2 p3, in English."""
    chats = [Chat(service, f"p{n}") for n in (1, 2, 3)]
    for chat in chats:
        reach(chat)
    return chats


def to_italian(chat) -> None:
    chat.say("/language")
    chat.press("Italiano")


def sign_up(chat, label: str = SATURDAY, language: str = "en") -> None:
    """From anywhere: the list, the session, then "yes" to a seat or to the waiting list."""
    chat.say("/menu")
    chat.press(translator(language).gettext("Workshops"))
    chat.press(label)
    chat.press(chat.labels[0])


def statuses(db, workshop_id: int) -> list[tuple[int, str]]:
    return [(r.contact_id, r.status) for r in registrations(db, workshop_id)]


def seats_taken(db, workshop_id: int) -> int:
    return row(db, WorkshopSession, workshop_id).registered


def workshop_event(reply):
    assert reply.file is not None and reply.file.filename == "laboratorio.ics"
    [event] = Calendar.from_ical(reply.file.content).walk("VEVENT")
    return event


# -- the list --------------------------------------------------------------------------------
def test_the_list_tells_the_seats_left_in_english(person, db):
    add_workshop(db, days_ahead(3, 15), capacity=5, registered=4)
    add_workshop(db, days_ahead(4, 10), capacity=10, registered=7, title="Incontro 2 - Edilizia")
    add_workshop(db, days_ahead(5, 10), capacity=2, registered=2, title="Incontro 3 - Diploma")
    add_workshop(db, days_ahead(-1, 10), title="Incontro 0 - gone")          # over
    add_workshop(db, days_ahead(6, 10), title="Incontro 4 - off", cancelled_at=NOW)
    person.press("Workshops")
    assert "• Sat, 28 Nov 15:00 - Incontro 1 - Il lavoro di cura (1 seat left)" in person.text
    assert "• Sun, 29 Nov 10:00 - Incontro 2 - Edilizia (3 seats left)" in person.text
    assert "• Mon, 30 Nov 10:00 - Incontro 3 - Diploma (full: waiting list open)" in person.text
    assert "gone" not in person.text and "off" not in person.text
    assert person.labels == [SATURDAY, "Sun, 29 Nov 10:00", "Mon, 30 Nov 10:00", "Menu"]


def test_the_list_tells_the_seats_left_in_italian(person, db):
    add_workshop(db, days_ahead(3, 15), capacity=5, registered=4)
    add_workshop(db, days_ahead(4, 10), capacity=10, registered=7, title="Incontro 2 - Edilizia")
    to_italian(person)
    _ = translator("it").gettext
    person.press(_("Workshops"))
    assert "Incontro 1 - Il lavoro di cura (1 posto libero)" in person.text
    assert "Incontro 2 - Edilizia (3 posti liberi)" in person.text
    person.press("sab 28 nov 15:00")
    assert "1 posto libero." in person.text


def test_with_no_session_planned_the_person_is_told(person):
    person.press("Workshops")
    assert "No sessions are planned at the moment" in person.text
    assert person.labels == ["Menu"]


# -- signing up ------------------------------------------------------------------------------
def test_signing_up_takes_a_seat_and_attaches_a_calendar_file(person, db):
    starts_at = days_ahead(3, 15)
    workshop = add_workshop(db, starts_at, capacity=10, registered=7)
    person.press("Workshops")
    person.press(SATURDAY)
    assert "«Incontro 1 - Il lavoro di cura»\nSaturday, 28 November 2026, 15:00-17:00" in person.text
    assert "3 seats left. Do you want to sign up?" in person.text
    assert person.labels == ["Yes, sign me up", "Another session"]

    person.press("Yes, sign me up")
    [done] = person.replies
    assert done.text.startswith("Done: you are signed up.")
    assert statuses(db, workshop) == [(contact_of(db, "p1"), "registered")]
    assert seats_taken(db, workshop) == 8
    event = workshop_event(done)
    assert event.decoded("dtstart") == starts_at == dt.datetime(2026, 11, 28, 14, 0, tzinfo=dt.timezone.utc)
    assert event.decoded("dtend") == starts_at + dt.timedelta(hours=2)
    assert str(event["location"]) == PLACE


def test_typing_numbers_signs_up_too(person, db):
    workshop = add_workshop(db, days_ahead(3, 15))
    person.say("2")  # "Workshops" on the registration's last message
    person.say("1")
    person.say("1")
    assert "Done: you are signed up." in person.text
    assert [s for _c, s in statuses(db, workshop)] == ["registered"]


def test_nobody_signs_up_twice_for_the_same_session(person, db):
    workshop = add_workshop(db, days_ahead(3, 15))
    sign_up(person)
    person.say("/menu")
    person.press("Workshops")
    assert person.labels[0] == "✅ " + SATURDAY
    person.press(SATURDAY)
    assert "You are already signed up for this session." in person.text
    assert person.labels == ["✅ " + SATURDAY, "Menu"]  # the list again
    assert len(registrations(db, workshop)) == 1 and seats_taken(db, workshop) == 1


def test_another_session_goes_back_to_the_list(person, db):
    add_workshop(db, days_ahead(3, 15))
    sunday = add_workshop(db, days_ahead(4, 10))
    person.press("Workshops")
    person.press(SATURDAY)
    person.press("Another session")
    person.press("Sun, 29 Nov 10:00")
    person.press("Yes, sign me up")
    assert [(r.session_id, r.status) for r in registrations(db)] == [(sunday, "registered")]


# -- the waiting list ------------------------------------------------------------------------
def test_a_full_session_offers_the_waiting_list_and_tells_the_position(people, db):
    workshop = add_workshop(db, days_ahead(3, 15), capacity=1)
    first, second, third = people
    sign_up(first)
    second.say("/menu")
    second.press("Workshops")
    second.press(SATURDAY)
    assert "This session is full. Do you want to join the waiting list?" in second.text
    assert second.labels == ["Yes, waiting list", "Another session"]
    second.press("Yes, waiting list")
    assert second.text.startswith("You are on the waiting list, number 1.")
    assert second.replies[0].file is None  # no calendar file for a place in the queue
    sign_up(third)
    assert third.text.startswith("You are on the waiting list, number 2.")
    assert [s for _c, s in statuses(db, workshop)] == ["registered", "waitlisted", "waitlisted"]
    assert seats_taken(db, workshop) == 1
    third.press("My appointments")
    assert "Workshop (waiting list, number 2):" in third.text


def test_the_last_seat_taken_before_the_confirmation_offers_the_waiting_list(person, db):
    workshop = add_workshop(db, days_ahead(3, 15), capacity=3, registered=2)
    person.press("Workshops")
    person.press(SATURDAY)
    assert "1 seat left" in person.text
    update_row(db, WorkshopSession, workshop, registered=3)  # somebody else was quicker

    person.press("Yes, sign me up")
    assert person.text.startswith("Sorry, the last seat has just been taken. You can join the waiting list.")
    assert "This session is full" in person.text
    assert person.labels == ["Yes, waiting list", "Another session"]
    assert registrations(db) == []  # not put in the queue without being asked
    person.press("Yes, waiting list")
    assert person.text.startswith("You are on the waiting list, number 1.")
    assert [r.status for r in registrations(db)] == ["waitlisted"]


def test_a_seat_freed_before_joining_the_waiting_list_is_taken_at_once(person, db):
    workshop = add_workshop(db, days_ahead(3, 15), capacity=3, registered=3)
    person.press("Workshops")
    person.press(SATURDAY)
    update_row(db, WorkshopSession, workshop, registered=2)
    person.press("Yes, waiting list")
    assert person.text.startswith("Done: you are signed up.")
    assert [r.status for r in registrations(db)] == ["registered"] and seats_taken(db, workshop) == 3


def test_a_yes_left_on_the_question_about_another_session_signs_up_to_nothing(person, db):
    add_workshop(db, days_ahead(3, 15))
    sunday = add_workshop(db, days_ahead(4, 10))
    person.press("Workshops")
    person.press(SATURDAY)
    saturday_question = person.replies
    person.say("2")  # "Another session", typed: Saturday's question keeps its buttons on the screen
    person.press("Sun, 29 Nov 10:00")
    person.replies = saturday_question
    person.press("Yes, sign me up")
    assert "That button is no longer active" in person.text
    assert "Sunday, 29 November 2026" in person.text and registrations(db) == []
    person.say("1")
    assert [(r.session_id, r.status) for r in registrations(db)] == [(sunday, "registered")]


def test_a_session_cancelled_before_the_confirmation_is_refused(person, db):
    workshop = add_workshop(db, days_ahead(3, 15))
    person.press("Workshops")
    person.press(SATURDAY)
    update_row(db, WorkshopSession, workshop, cancelled_at=NOW)
    person.press("Yes, sign me up")
    assert "Sorry, this session was cancelled." in person.text
    assert "No sessions are planned" in person.text and registrations(db) == []


def test_giving_up_a_seat_promotes_the_first_waiting_who_is_told_in_their_language(people, db):
    workshop = add_workshop(db, days_ahead(3, 15), capacity=1)
    first, second, third = people
    to_italian(second)
    sign_up(first)
    sign_up(second, "sab 28 nov 15:00", "it")
    sign_up(third)
    assert outbox(db) == []

    first.press("My appointments")
    first.press("Cancel Sat, 28 Nov")
    assert first.text.startswith("Do you want to give up your place at this workshop?")
    first.press("Yes, give it up")
    assert first.text.startswith("Done: you are no longer signed up for this workshop.")
    p1, p2, p3 = (contact_of(db, chat.external_id) for chat in people)
    assert statuses(db, workshop) == [(p1, "cancelled"), (p2, "registered"), (p3, "waitlisted")]
    assert seats_taken(db, workshop) == 1

    [notice] = outbox(db)
    promoted = registrations(db, workshop)[1]
    assert (notice.contact_id, notice.channel, notice.status) == (p2, "console", "pending")
    assert notice.idempotency_key == f"promotion:{promoted.id}"
    _ = translator("it").gettext
    assert notice.content["text"].startswith(_("Good news: a seat has freed up and it is yours now!"))
    give_back = payload.encode_global(f"ws:drop:{promoted.id}")
    assert notice.content["buttons"] == [[_("Give the seat back"), give_back]]
    assert notice.content["file"]["filename"] == "laboratorio.ics"

    second.replies = []
    press_payload(second, give_back)  # "Give the seat back", from the notice
    assert second.text == _("Done: you are no longer signed up for this workshop. Thank you for telling us.")
    assert statuses(db, workshop) == [(p1, "cancelled"), (p2, "cancelled"), (p3, "registered")]
    assert [(n.contact_id, n.content["buttons"][0][0]) for n in outbox(db)] == [
        (p2, _("Give the seat back")), (p3, "Give the seat back")]
    press_payload(second, give_back)  # twice: nothing more happens
    assert _("This booking is no longer active.") in second.text
    assert len(outbox(db)) == 2 and seats_taken(db, workshop) == 1


def test_giving_up_a_place_in_the_queue_promotes_nobody(people, db):
    workshop = add_workshop(db, days_ahead(3, 15), capacity=1)
    first, second, third = people
    sign_up(first)
    sign_up(second)
    sign_up(third)
    second.press("My appointments")
    second.press("Cancel Sat, 28 Nov")
    second.press("Yes, give it up")
    assert [s for _c, s in statuses(db, workshop)] == ["registered", "cancelled", "waitlisted"]
    assert outbox(db) == []
    third.press("My appointments")
    assert "Workshop (waiting list, number 1):" in third.text


def test_keeping_the_seat_changes_nothing(person, db):
    workshop = add_workshop(db, days_ahead(3, 15))
    sign_up(person)
    person.press("My appointments")
    person.press("Cancel Sat, 28 Nov")
    person.press("No, keep my seat")
    assert "Workshop (signed up):" in person.text
    assert [s for _c, s in statuses(db, workshop)] == ["registered"] and seats_taken(db, workshop) == 1


def test_nobody_can_give_back_somebody_elses_seat(people, db):
    workshop = add_workshop(db, days_ahead(3, 15))
    first, second, _third = people
    sign_up(first)
    [seat] = registrations(db, workshop)
    press_payload(second, payload.encode_global(f"ws:drop:{seat.id}"))
    assert "This booking is no longer active." in second.text
    assert [s for _c, s in statuses(db, workshop)] == ["registered"]


# -- erasing one's data ----------------------------------------------------------------------
def test_erasing_my_data_frees_the_interview_and_the_seats_and_promotes_who_waits(people, db):
    slot = add_slot(db, days_ahead(1, 9))
    workshop = add_workshop(db, days_ahead(3, 15), capacity=1)
    queue_only = add_workshop(db, days_ahead(4, 10), capacity=1, registered=1)
    first, second, _third = people
    first.press("Book my interview")
    first.press("Thu, 26 Nov")
    first.press("09:00")
    first.press("Yes, book it")
    sign_up(first)
    sign_up(first, "Sun, 29 Nov 10:00")
    sign_up(second)
    p1, p2 = contact_of(db, "p1"), contact_of(db, "p2")

    first.say("/privacy")
    first.press("Erase my data")
    first.press("Yes, erase")
    assert first.text.startswith("Your data has been erased.")
    [booking] = bookings(db)
    assert (booking.status, booking.cancel_reason) == ("cancelled", None)  # no typed text survives erasure
    assert row(db, InterviewSlot, slot).booked == 0
    assert statuses(db, workshop) == [(p1, "cancelled"), (p2, "registered")]
    assert statuses(db, queue_only) == [(p1, "cancelled")] and seats_taken(db, queue_only) == 1
    assert [(n.contact_id, n.idempotency_key) for n in outbox(db)] == [
        (p2, f"promotion:{registrations(db, workshop)[1].id}")]


@pytest.mark.parametrize("session_change", [
    {"starts_at": NOW - dt.timedelta(minutes=30), "ends_at": NOW + dt.timedelta(hours=1)},  # under way
    {"cancelled_at": NOW},                                                                  # called off
])
def test_erasing_my_data_with_a_seat_in_a_session_no_longer_open_still_erases(people, db, session_change):
    workshop = add_workshop(db, days_ahead(3, 15), capacity=1)
    first, second, _third = people
    sign_up(first)
    sign_up(second)
    update_row(db, WorkshopSession, workshop, **session_change)

    first.say("/privacy")
    first.press("Erase my data")
    first.press("Yes, erase")
    assert first.text.startswith("Your data has been erased.")
    assert [s for _c, s in statuses(db, workshop)] == ["cancelled", "waitlisted"]
    assert outbox(db) == []


def test_the_seat_of_somebody_who_erased_their_data_is_not_notified_to_them(people, db):
    workshop = add_workshop(db, days_ahead(3, 15), capacity=1)
    first, second, third = people
    sign_up(first)
    sign_up(second)
    sign_up(third)
    second.say("/privacy")
    second.press("Erase my data")
    second.press("Yes, erase")  # leaves the queue: third is first in line now
    first.press("My appointments")
    first.press("Cancel Sat, 28 Nov")
    first.press("Yes, give it up")
    assert [s for _c, s in statuses(db, workshop)] == ["cancelled", "cancelled", "registered"]
    assert [n.contact_id for n in outbox(db)] == [contact_of(db, "p3")]


def test_a_session_starting_within_the_cutoff_cannot_be_joined_here(person, db):
    add_workshop(db, NOW + dt.timedelta(hours=1))
    person.press("Workshops")
    person.press("Wed, 25 Nov 12:00")
    person.press("Yes, sign me up")
    assert "Sorry, this session starts too soon to sign up here." in person.text
    assert registrations(db) == []

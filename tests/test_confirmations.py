"""The confirmations asked aside of a flow (Flow.aside): "erase my data?" and "give up your
place?". The form under way is paused beneath the question, not dropped: "No" asks it again,
typed text or a button of that form goes on with it, /cancel stops both. Through the real
service and database."""
from __future__ import annotations

import pytest

from conversations import payload
from store.models import ChannelIdentity, Registration
from tests.booking_flow_helpers import add_slot, add_workshop, days_ahead, registrations
from tests.registration_helpers import ANSWERS, answers_of, press_payload, reach, rows, state_of, step_of

SATURDAY = "Sat, 28 Nov 15:00"


def ask_erase(chat) -> None:
    chat.say("/privacy")
    chat.press("Erase my data")
    assert chat.labels == ["Yes, erase", "No, keep my data"]


@pytest.mark.both_databases
def test_typing_an_answer_under_the_erase_question_goes_on_with_the_form(chat, db):
    reach(chat, "birth_date")
    ask_erase(chat)
    chat.say("05/03/1990")
    assert answers_of(db)["birth_date"] == ANSWERS["birth_date"] and step_of(db) == "tax_code"
    assert "paused" not in state_of(db) and rows(db, ChannelIdentity)


def test_a_button_of_the_form_beneath_answers_the_form(chat, db):
    reach(chat, "situation")
    situation = chat.replies[-1].buttons[0].payload
    ask_erase(chat)
    assert state_of(db)["paused"]["step"] == "situation"
    press_payload(chat, situation)
    assert answers_of(db)["situation"] == "unemployed" and step_of(db) == "education"
    assert "paused" not in state_of(db)


def test_cancel_under_the_erase_question_stops_the_form_too(chat, db):
    reach(chat, "email")
    ask_erase(chat)
    chat.say("/cancel")
    assert chat.text.startswith("OK, I stopped.")
    assert state_of(db)["flow"] is None and "paused" not in state_of(db)


def test_keeping_the_data_outside_a_form_shows_the_menu(chat, db):
    reach(chat)
    ask_erase(chat)
    chat.say("2")  # No, keep my data
    assert chat.replies[0].text == "OK, nothing was erased."
    assert chat.replies[1].text == "Menu: choose what you need."
    assert len(rows(db, Registration)) == 1


def test_the_old_global_erase_buttons_answer_only_the_current_question(chat, db):
    reach(chat, "phone")
    press_payload(chat, "1|g|erase_yes")  # from a message sent before erasing became a flow
    assert "no longer active" in chat.replies[0].text and step_of(db) == "phone"
    ask_erase(chat)
    press_payload(chat, "1|g|erase_no")
    assert chat.replies[0].text == "OK, nothing was erased." and step_of(db) == "phone"
    ask_erase(chat)
    press_payload(chat, "1|g|erase_yes")
    assert chat.text.startswith("Your data has been erased.") and rows(db, ChannelIdentity) == []


def test_giving_a_seat_back_is_asked_aside_of_a_booking_under_way(chat, db):
    add_slot(db, days_ahead(1, 9))
    workshop = add_workshop(db, days_ahead(3, 15))
    reach(chat)
    chat.say("/menu")
    chat.press("Workshops")
    chat.press(SATURDAY)
    chat.press("Yes, sign me up")
    chat.say("/menu")
    chat.press("Book an interview")
    day = chat.replies[-1]
    chat.say("/menu")
    chat.press("My appointments")
    chat.press("Cancel Sat, 28 Nov")
    assert chat.text.startswith("Do you want to give up your place at this workshop?")
    assert state_of(db)["paused"]["flow"] == "int"
    chat.press("No, keep my seat")
    assert "Workshop (signed up):" in chat.text
    assert (state_of(db)["flow"], step_of(db)) == ("int", "day")  # the booking goes on
    chat.press("Cancel Sat, 28 Nov")
    chat.say("2")  # No: typed, as its number
    assert "Workshop (signed up):" in chat.text
    chat.press("Cancel Sat, 28 Nov")
    chat.press("Yes, give it up")
    assert chat.text.startswith("Done: you are no longer signed up for this workshop.")
    assert [r.status for r in registrations(db, workshop)] == ["cancelled"]
    chat.replies = [day]
    chat.press("Thu, 26 Nov")
    assert chat.labels == ["09:00", "Other days"]


def test_a_yes_left_on_the_question_about_another_seat_gives_back_nothing(chat, db):
    add_workshop(db, days_ahead(3, 15))
    add_workshop(db, days_ahead(4, 10))
    reach(chat)
    for label in (SATURDAY, "Sun, 29 Nov 10:00"):
        chat.say("/menu")
        chat.press("Workshops")
        chat.press(label)
        chat.press("Yes, sign me up")
    chat.press("My appointments")
    chat.press("Cancel Sat, 28 Nov")
    yes_for_saturday = chat.replies[-1].buttons[0].payload
    chat.say("/menu")
    chat.press("My appointments")
    chat.press("Cancel Sun, 29 Nov")
    press_payload(chat, yes_for_saturday)
    assert "no longer active" in chat.replies[0].text
    assert [r.status for r in registrations(db)] == ["registered", "registered"]
    assert payload.decode(yes_for_saturday).scope == "wsg.sure"


def test_a_seat_given_back_meanwhile_leaves_no_yes_on_its_question(chat, db):
    workshop = add_workshop(db, days_ahead(3, 15))
    reach(chat)
    chat.say("/menu")
    chat.press("Workshops")
    chat.press(SATURDAY)
    chat.press("Yes, sign me up")
    chat.press("My appointments")
    chat.press("Cancel Sat, 28 Nov")
    [seat] = registrations(db, workshop)
    press_payload(chat, payload.encode_action(payload.DropSeat(seat.id)))  # a promotion's own button
    assert chat.text.startswith("Done: you are no longer signed up for this workshop.")
    chat.say("/start")
    assert "This booking is no longer active." in chat.text and chat.labels == ["No, keep my seat"]
    chat.press("No, keep my seat")
    assert "You are not signed up for any workshop." in chat.text and state_of(db)["flow"] is None

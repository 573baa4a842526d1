"""Opting out of notices with /stop or STOP, back in with /start, and /settings (reminders and
notices), through the real service: the person's step never moves, the database remembers."""
from __future__ import annotations

import pytest
from sqlmodel import Session

from conversations import payload
from store.models import Contact
from tests.audience_helpers import new_broadcast, outbox_rows, recipients
from tests.booking_flow_helpers import contact_of
from tests.conftest import Chat
from tests.registration_helpers import answers_of, press_payload, reach, step_of


def contact(db, external_id: str = "p1") -> Contact:
    with Session(db) as session:
        return session.get(Contact, contact_of(db, external_id))


@pytest.fixture
def person(chat):
    reach(chat)  # registered, in English
    return chat


@pytest.mark.both_databases
def test_stop_turns_notices_off_and_says_what_stays(person, db):
    person.say("/stop")
    assert contact(db).notices_off_at is not None
    assert contact(db).reminders_off_at is None
    assert "no longer receive notices" in person.text
    assert "/settings" in person.text and "/start" in person.text


@pytest.mark.parametrize("typed", ["STOP", "stop", "Stop!", "  stop. ", "/stop", "/STOP"])
def test_stop_typed_alone_in_any_case(service, db, typed):
    chat = Chat(service, "p9")
    reach(chat)
    chat.say(typed)
    assert contact(db, "p9").notices_off_at is not None, typed


def test_stop_inside_a_sentence_is_not_an_opt_out(person, db):
    person.say("please don't stop")
    assert contact(db).notices_off_at is None
    assert "no longer receive notices" not in person.text


@pytest.mark.both_databases
def test_stop_mid_flow_asks_the_same_question_again(chat, db):
    reach(chat, "birth_date")
    question = chat.replies[-1].text
    chat.say("STOP")
    assert contact(db).notices_off_at is not None
    assert step_of(db) == "birth_date"
    assert chat.replies[-1].text == question
    assert answers_of(db)["first_name"] == "Maria"  # nothing given is lost
    chat.say("05/03/1990")
    assert step_of(db) == "tax_code"


def test_stop_at_a_step_with_buttons_keeps_them_working(chat, db):
    reach(chat, "situation")
    labels = chat.labels
    chat.say("stop")
    assert chat.labels == labels and step_of(db) == "situation"
    chat.say("1")  # typed numbers still answer the question
    assert step_of(db) == "education"


@pytest.mark.both_databases
def test_start_turns_notices_back_on(person, db):
    person.say("STOP")
    person.say("/start")
    assert contact(db).notices_off_at is None
    assert "Notices are on again" in person.replies[0].text
    assert "Menu: choose what you need." in person.text  # then /start as usual
    person.say("/start")
    assert "Notices are on again" not in person.text


def test_start_mid_flow_after_stop_goes_on_from_there(chat, db):
    reach(chat, "email")
    chat.say("stop")
    chat.say("/start")
    assert "Notices are on again" in chat.replies[0].text
    assert "go on from where we were" in chat.text
    assert step_of(db) == "email"


@pytest.mark.both_databases
def test_settings_turn_reminders_and_notices_off_and_on(person, db):
    person.say("/settings")
    assert "Reminders of your appointments: on" in person.text
    assert "Notices from Insieme per il lavoro: on" in person.text
    person.press("Turn reminders off")
    assert contact(db).reminders_off_at is not None and contact(db).notices_off_at is None
    assert person.replies[0].edit  # the settings message is updated in place
    assert "Reminders of your appointments: off" in person.text
    person.press("Turn notices off")
    assert contact(db).notices_off_at is not None
    assert "Notices from Insieme per il lavoro: off" in person.text
    assert person.labels == ["Turn reminders on", "Turn notices on", "Turn job offers off", "Menu"]
    person.press("Turn reminders on")
    person.press("Turn notices on")
    assert contact(db).reminders_off_at is None and contact(db).notices_off_at is None
    assert "Job offers: on" in person.text
    person.press("Turn job offers off")
    assert contact(db).offers_off_at is not None and "Job offers: off" in person.text


def test_settings_mid_flow_keep_the_step(chat, db):
    reach(chat, "municipality")
    question = chat.replies[-1].text
    chat.say("/settings")
    assert step_of(db) == "municipality"
    chat.press("Turn reminders off")
    assert contact(db).reminders_off_at is not None
    assert step_of(db) == "municipality"
    assert chat.replies[-1].text == question
    chat.say("Bologna")
    assert step_of(db) == "phone"


def test_an_old_settings_button_pressed_twice_does_not_flip_back(person, db):
    person.say("/settings")
    person.press("Turn reminders off")
    press_payload(person, payload.encode_global("set:reminders_off"))  # the old button again
    assert contact(db).reminders_off_at is not None
    press_payload(person, payload.encode_global("set:volume_up"))
    assert "no longer active" in person.text


def test_my_data_shows_both_settings(person, db):
    person.say("STOP")
    person.say("/privacy")
    person.press("See my data")
    assert "Reminders of your appointments: on" in person.text
    assert "Notices from Insieme per il lavoro: off" in person.text


# -- with broadcasts ----------------------------------------------------------------------

@pytest.mark.both_databases
def test_opted_out_people_get_no_notices_and_queued_ones_are_withdrawn(person, db):
    me = contact_of(db, "p1")
    queued = new_broadcast(db)
    assert recipients(db, queued) == {me}
    person.say("STOP")
    assert [row.status for row in outbox_rows(db, queued)] == ["cancelled"]
    assert recipients(db, new_broadcast(db)) == set()
    person.say("/start")
    assert recipients(db, new_broadcast(db)) == {me}


@pytest.mark.both_databases
def test_erasing_ones_data_removes_pending_notices(person, db):
    broadcast_id = new_broadcast(db)
    assert len(outbox_rows(db, broadcast_id)) == 1
    person.say("/privacy")
    person.press("Erase my data")
    person.press("Yes, erase")
    assert outbox_rows(db, broadcast_id) == []
    assert recipients(db, new_broadcast(db)) == set()

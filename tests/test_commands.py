"""Global commands and buttons, from the middle of the registration and outside it:
/help /menu /language /cancel /start /privacy, unknown commands, stale and forged buttons,
"see my data" and "erase my data"."""
from __future__ import annotations

import pytest

from conversations import languages, payload
from conversations.flows import registration
from conversations.i18n import translator
from conversations.languages import CODES
from store.models import ChannelIdentity, Consent, Contact, ConversationState, Registration
from services.repository import aware
from tests.conftest import NOW, Chat
from tests.registration_helpers import ANSWERS, NATIVE, answers_of, press_payload, reach, rows, state_of, step_of

MENU = ["Register", "Already registered", "Write to the office", "About the programme", "Privacy and my data",
        "Language", "Help"]
MENU_REGISTERED = ["My appointments", "Book an interview", "Workshops", "My registration",
                   "My applications", "Write to the office", "About the programme", "Privacy and my data",
                   "Language", "Help"]


def contact_language(db) -> str:
    [contact] = rows(db, Contact)
    return contact.language


# -- /help /menu /start /cancel ---------------------------------------------------------------
@pytest.mark.parametrize("first", [lambda chat: chat.say("/start"), lambda chat: chat.say("ciao"),
                                   lambda chat: chat.send_sticker(), lambda chat: chat.say("")])
def test_whatever_a_newcomer_sends_first_starts_the_registration(chat, db, first):
    first(chat)
    assert chat.labels == NATIVE
    assert [payload.decode(b.payload).scope for b in chat.replies[-1].buttons] == ["reg.language"] * len(NATIVE)
    assert step_of(db) == "language"



@pytest.mark.parametrize("command", ["/help", "/aiuto", "/HELP@insieme_bot"])
def test_help_mid_flow_explains_then_asks_the_question_again(chat, db, command):
    reach(chat, "last_name")
    question, before = chat.replies[-1], state_of(db)
    chat.say(command)
    assert "/cancel" in chat.replies[0].text and "/privacy" in chat.replies[0].text
    assert chat.replies[1:] == [question]
    assert state_of(db)["answers"] == before["answers"] and step_of(db) == "last_name"


def test_help_outside_a_flow_shows_the_menu(chat):
    reach(chat)
    chat.say("/help")
    assert "/menu" in chat.replies[0].text
    assert chat.labels == MENU_REGISTERED


def test_menu_mid_flow_keeps_the_flow_going(chat, db):
    reach(chat, "last_name")
    chat.say("/menu")
    assert chat.labels == MENU
    assert all(payload.decode(b.payload).is_global for b in chat.replies[-1].buttons)
    assert step_of(db) == "last_name"
    chat.say("Rossi")  # the question is still open
    assert answers_of(db)["last_name"] == "Rossi" and step_of(db) == "birth_date"


def test_the_menus_register_button_mid_flow_brings_back_the_question(chat, db):
    reach(chat, "situation")
    question = chat.replies[-1]
    chat.say("/menu")
    chat.press("Register")
    assert chat.replies == [question]
    assert step_of(db) == "situation"


@pytest.mark.parametrize("command", ["/start", "/START@insieme_bot", "/start again"])
def test_start_mid_flow_resumes_where_the_person_was(service, db, command):
    chat = Chat(service, channel="telegram")  # its phone question has the "share my number" button
    reach(chat, "phone")
    question, before = chat.replies[-1], state_of(db, "p1", "telegram")
    chat.say(command)
    assert "go on from where we were" in chat.replies[0].text
    assert chat.replies[1:] == [question] and question.phone_button
    assert state_of(db, "p1", "telegram")["answers"] == before["answers"]
    assert state_of(db, "p1", "telegram")["step"] == "phone"


def test_start_after_registering_shows_the_menu(chat, db):
    reach(chat)
    chat.say("/start")
    assert chat.labels == MENU_REGISTERED
    assert len(rows(db, Registration)) == 1


@pytest.mark.parametrize("command", ["/cancel", "/annulla"])
def test_cancel_leaves_the_flow(chat, db, command):
    reach(chat, "birth_date")
    chat.say(command)
    [stopped] = chat.replies
    assert "I stopped" in stopped.text and stopped.close_keyboard and not stopped.buttons
    state = state_of(db)
    assert (state["flow"], state["step"], state["answers"]) == (None, None, {})
    assert len(rows(db, Consent)) == 1  # what was saved stays
    chat.say("Rossi")  # no longer an answer: a newcomer starts registering
    assert chat.labels == NATIVE
    assert rows(db, Registration) == []


def test_cancel_with_nothing_under_way(chat):
    reach(chat)
    chat.say("/cancel")
    assert "nothing to stop" in chat.replies[0].text
    assert chat.labels == MENU_REGISTERED


# -- /language --------------------------------------------------------------------------------
def test_language_switch_mid_flow_asks_the_question_again_in_the_new_language(chat, db):
    reach(chat, "situation")
    in_english = chat.replies[-1]
    chat.say("/language")
    assert chat.labels == NATIVE
    assert [payload.decode(b.payload).value for b in chat.replies[-1].buttons] == [f"lang:{code}" for code in CODES]
    chat.press("Italiano")
    in_italian = chat.replies[-1]
    assert in_italian.text == translator("it").gettext("What is your situation today?")
    assert [b.payload for b in in_italian.buttons] == [b.payload for b in in_english.buttons]
    assert contact_language(db) == "it"

    chat.say("/lingua")
    chat.say("2")  # English, typed
    assert "I will write to you in English" in chat.replies[0].text
    assert chat.replies[-1] == in_english
    assert contact_language(db) == "en"
    assert answers_of(db)["first_name"] == "Maria" and step_of(db) == "situation"
    chat.press("Studying")
    assert answers_of(db)["situation"] == "student"


def test_language_switch_keeps_the_choices_tapped_so_far(chat, db):
    reach(chat, "sectors")
    chat.press("Cleaning")
    chat.say("/language")
    chat.say("english")
    assert "✅ Cleaning" in chat.labels
    chat.press("Done")
    assert answers_of(db)["sectors"] == ["cleaning"]


def test_language_switch_outside_a_flow_shows_the_menu(chat, db):
    reach(chat)
    chat.say("/language")
    chat.press("Italiano")
    assert len(chat.replies[-1].buttons) == len(MENU_REGISTERED) and contact_language(db) == "it"
    assert chat.replies[-1].buttons[0].payload == payload.encode_global("appts")


# -- unknown commands -------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["/foo", "/foo bar", "/", "/registrami"])
def test_an_unknown_command_says_so_and_asks_again(chat, db, command):
    reach(chat, "first_name")
    question = chat.replies[-1]
    chat.say(command)
    assert f"I don't know the command {command.split()[0]}" in chat.replies[0].text
    assert "/help" in chat.replies[0].text
    assert chat.replies[1:] == [question]
    assert step_of(db) == "first_name"


def test_an_over_long_unknown_command_is_not_echoed_back_whole(chat):
    reach(chat, "first_name")
    chat.say("/" + "x" * 3000)
    assert "I don't know the command /xxx" in chat.replies[0].text
    assert len(chat.replies[0].text) < 200


# -- stale and forged buttons -----------------------------------------------------------------
def test_a_button_of_an_earlier_step_is_no_longer_active(chat, db):
    reach(chat, "consent")
    agree = chat.replies[-1].buttons[0].payload
    chat.press("Yes, I agree")
    chat.say("Maria")
    question = chat.replies[-1]
    press_payload(chat, agree)
    assert "no longer active" in chat.replies[0].text
    assert chat.replies[1:] == [question]
    assert step_of(db) == "last_name" and len(rows(db, Consent)) == 1


def test_a_toggle_of_several_choices_pressed_after_moving_on_is_no_longer_active(chat, db):
    reach(chat, "sectors")
    chat.press("Cleaning")
    cleaning = chat.replies[-1].buttons[1].payload
    chat.press("Done")
    press_payload(chat, cleaning)
    assert "no longer active" in chat.replies[0].text
    assert answers_of(db)["sectors"] == ["cleaning"] and step_of(db) == "driving"


@pytest.mark.parametrize("step, forged", [
    ("first_name", None), ("first_name", ""), ("first_name", "garbage"), ("first_name", "2|reg.first_name|Eve"),
    ("first_name", "1||Eve"), ("first_name", "1|reg.first_name|Mallory"),  # free text through a button
    ("first_name", "1|g|nonsense"), ("first_name", "1|g|lang:xx"), ("first_name", "1|other.step|x"),
    ("situation", "1|reg.situation|astronaut"), ("situation", "1|reg.situation|__skip"),
    ("situation", "1|reg.situation|__done"), ("situation", "1|reg.summary|confirm"),
    ("email", "1|reg.email|not-an-email"),
])
def test_a_forged_button_is_refused_and_the_question_asked_again(chat, db, step, forged):
    reach(chat, step)
    question, before = chat.replies[-1], state_of(db)
    press_payload(chat, forged)
    assert "no longer active" in chat.replies[0].text
    assert chat.replies[1:] == [question]
    assert state_of(db)["answers"] == before["answers"] and step_of(db) == step
    assert rows(db, Registration) == []


def test_a_stale_button_outside_a_flow_shows_the_menu(chat, db):
    reach(chat, "summary")
    confirm = chat.replies[-1].buttons[0].payload
    chat.press("Yes, register me")
    press_payload(chat, confirm)
    assert "no longer active" in chat.replies[0].text
    assert chat.labels == MENU_REGISTERED
    assert len(rows(db, Registration)) == 1


@pytest.mark.parametrize("typed", ["8", "privacy and MY DATA"])
def test_a_menu_button_can_be_typed(chat, typed):
    reach(chat)
    chat.say("/menu")
    chat.say(typed)
    assert chat.labels == ["See my data", "Erase my data", "Menu"]


# -- privacy: see and erase -------------------------------------------------------------------
def test_privacy_mid_flow_shows_the_notice_and_keeps_the_flow(chat, db):
    reach(chat, "birth_date")
    chat.say("/privacy")
    assert "About your data" in chat.replies[0].text
    assert chat.labels == ["See my data", "Erase my data", "Menu"]
    assert step_of(db) == "birth_date"
    chat.say("05/03/1990")
    assert answers_of(db)["birth_date"] == "1990-03-05"


@pytest.mark.both_databases
def test_see_my_data_shows_everything_stored(chat, db):
    reach(chat)
    [saved] = rows(db, Registration)
    chat.say("/privacy")
    chat.press("See my data")
    shown = chat.replies[0].text
    for expected in ("Language: English", "Account: terminal p1", registration.NOTICE_VERSION,
                     "25 November 2026, 11:00",  # the consent's time, in Rome
                     saved.code, "Maria", "Rossi", "5 March 1990", ANSWERS["tax_code"], "Bologna",
                     "+39 347 123 4567", ANSWERS["email"], "Looking for work", "High school diploma",
                     "Good", "Cleaning, Office work", "Licence, no car", "Part time"):
        assert expected in shown
    assert chat.labels == ["Send my CV", "Erase my data", "Menu"]


def test_see_my_data_mid_flow_shows_the_unfinished_answers(chat):
    reach(chat, "birth_date")
    chat.say("/privacy")
    chat.press("See my data")
    shown = chat.replies[0].text
    assert "not finished" in shown and "Maria" in shown and "Rossi" in shown
    assert "Registration" not in shown


@pytest.mark.both_databases
def test_erasing_keeps_only_an_anonymous_count(chat, db):
    reach(chat)
    chat.say("/privacy")
    chat.press("Erase my data")
    assert chat.labels == ["Yes, erase", "No, keep my data"]
    assert rows(db, ChannelIdentity) and rows(db, Consent)  # nothing erased before confirming
    chat.press("Yes, erase")
    assert "erased" in chat.text and chat.labels == []

    [erased] = rows(db, Registration)
    assert erased.status == "erased" and aware(erased.erased_at) == NOW
    assert {name: getattr(erased, name) for name in ANSWERS} == dict.fromkeys(ANSWERS)
    assert erased.code and erased.language == "en" and aware(erased.created_at) == NOW
    assert rows(db, ChannelIdentity) == [] and rows(db, Consent) == [] and rows(db, ConversationState) == []
    [contact] = rows(db, Contact)
    assert aware(contact.erased_at) == NOW


@pytest.mark.both_databases
def test_after_erasing_the_person_can_register_again(chat, db):
    reach(chat)
    chat.say("/privacy")
    chat.say("2")  # Erase my data
    chat.say("1")  # Yes, erase
    assert rows(db, ChannelIdentity) == []

    reach(chat)
    erased, new = sorted(rows(db, Registration), key=lambda r: r.id)
    assert (erased.status, erased.first_name) == ("erased", None)
    assert (new.status, new.first_name) == ("new", "Maria") and new.code != erased.code
    assert len(rows(db, Contact)) == 2 and len(rows(db, Consent)) == 1


def test_erasing_mid_flow_removes_the_unfinished_answers(chat, db):
    reach(chat, "email")
    chat.say("/privacy")
    chat.press("Erase my data")
    chat.press("Yes, erase")
    assert rows(db, ConversationState) == [] and rows(db, Consent) == [] and rows(db, Registration) == []
    assert rows(db, ChannelIdentity) == []


def test_keeping_the_data_erases_nothing_and_goes_on(chat, db):
    reach(chat, "phone")
    question, before = chat.replies[-1], state_of(db)
    chat.say("/privacy")
    chat.press("Erase my data")
    chat.press("No, keep my data")
    assert "nothing was erased" in chat.replies[0].text
    assert chat.replies[1:] == [question]
    assert state_of(db)["answers"] == before["answers"]
    assert len(rows(db, Consent)) == 1 and len(rows(db, ChannelIdentity)) == 1


# -- the payload codec ------------------------------------------------------------------------
def test_payloads_round_trip_and_stay_within_telegrams_64_bytes():
    data = payload.encode("reg.availability", "full_time")
    assert payload.decode(data) == payload.Payload("reg.availability", "full_time")
    assert payload.decode(payload.encode_global("lang:en")).is_global
    with pytest.raises(ValueError):
        payload.encode("reg.x", "y" * 60)
    with pytest.raises(ValueError):
        payload.encode("a|b", "c")


@pytest.mark.parametrize("data", [None, "", "garbage", "2|reg.x|y", "1||y", "1|reg.x"])
def test_payloads_not_of_ours_are_refused(data):
    with pytest.raises(payload.PayloadError):
        payload.decode(data)

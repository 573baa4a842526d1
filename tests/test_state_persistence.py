"""State lives in the database: a restart or a second process goes on where the person was,
a repeated update is handled once, and an unexpected error loses nothing."""
from __future__ import annotations

import phonenumbers
import pytest

from conversations import municipalities, validators
from conversations.commands import build_engine
from conversations.engine import Engine
from conversations.i18n import translator
from conversations.messages import Inbound, Kind
from services.conversation import ConversationService
from store.engine import make_engine
from store.models import Consent, Registration
from services.repository import SqlStore
from tests.conftest import NOW, Chat
from tests.registration_helpers import (ANSWERS, HAPPY_PATH, NATIVE, answers_of, press_payload, reach, rows,
                                        state_of, step_of)

pytestmark = pytest.mark.both_databases  # the service's transactions, on SQLite and PostgreSQL


@pytest.fixture
def restarted(db_url):
    """Another service on the same database file: a restarted bot, or a second process."""
    engine = make_engine(db_url)
    yield ConversationService(engine, build_engine(), clock=lambda: NOW)
    engine.dispose()


def test_a_restart_goes_on_exactly_where_the_person_was(chat, db, restarted):
    reach(chat, "last_name")
    later = Chat(restarted)
    later.say("Rossi")
    assert later.replies[-1].text.startswith("What is your date of birth?")  # still in English
    assert answers_of(db)["first_name"] == "Maria" and answers_of(db)["last_name"] == "Rossi"
    assert step_of(db) == "birth_date"


def test_a_restart_keeps_the_choices_tapped_so_far(chat, db, restarted):
    reach(chat, "sectors")
    chat.press("Cleaning")
    chat.press("Care of people")
    later = Chat(restarted)
    later.say("done")
    assert answers_of(db)["sectors"] == ["cleaning", "care"]


def test_a_restart_keeps_the_suggested_comuni_and_their_buttons(chat, db, restarted):
    reach(chat, "municipality")
    chat.say("castel")
    suggested = chat.replies[-1].buttons
    later = Chat(restarted)
    press_payload(later, suggested[2].payload)  # a button sent before the restart
    assert answers_of(db)["municipality"] == suggested[2].label


def test_a_restart_in_the_summarys_change_keeps_going_back_to_the_summary(chat, db, restarted):
    reach(chat, "summary")
    chat.press("Change an answer")
    chat.press("Last name")
    later = Chat(restarted)
    later.say("Bianchi")
    assert step_of(db) == "summary" and "Bianchi" in later.replies[-1].text


def test_two_processes_taking_turns_register_one_person(service, restarted, db):
    chat = Chat(service)
    chat.say("hello")
    for turn, (_step, answer) in enumerate(HAPPY_PATH):
        chat.service = (service, restarted)[turn % 2]
        answer(chat)
    [saved] = rows(db, Registration)
    assert (saved.first_name, saved.phone, saved.sectors) == ("Maria", ANSWERS["phone"], ANSWERS["sectors"])
    assert len(rows(db, Consent)) == 1
    Chat(restarted).say("hi")
    assert step_of(db) is None  # registered: the menu, not a new registration


def test_people_do_not_share_state(service, db):
    maria, luca = Chat(service, "maria"), Chat(service, "luca")
    reach(maria, "birth_date")
    reach(luca, "last_name")
    assert (step_of(db, "maria"), step_of(db, "luca")) == ("birth_date", "last_name")
    assert answers_of(db, "maria")["last_name"] == "Rossi" and "last_name" not in answers_of(db, "luca")


def test_the_same_id_on_another_channel_is_another_person(service, db):
    reach(Chat(service, "42", channel="console"), "email")
    telegram = Chat(service, "42", channel="telegram")
    telegram.say("hello")
    assert telegram.labels == NATIVE
    assert state_of(db, "42", channel="telegram")["step"] == "language"
    assert state_of(db, "42", channel="console")["step"] == "email"


# -- repeated updates -------------------------------------------------------------------------
def test_a_repeated_update_is_handled_once_even_by_another_process(chat, db, restarted):
    reach(chat, "sectors")
    cleaning = chat.replies[-1].buttons[1].payload
    tap = Inbound(channel="console", external_id="p1", kind=Kind.BUTTON, payload=cleaning, update_key="tg:1001")
    assert chat.service.handle(tap)
    question = chat.service.handle(Inbound(channel="console", external_id="p1", text="/start"))[-1]
    # repeats only ask the current question again (its replies may have been lost in a crash)
    assert restarted.handle(tap) == [question] and chat.service.handle(tap) == [question]
    assert state_of(db)["scratch"]["selected"] == ["cleaning"]  # toggled once, not on-off-on


# -- unexpected errors ------------------------------------------------------------------------
def boom(*args, **kwargs):
    raise RuntimeError("database password is hunter2")


@pytest.mark.parametrize("step, patch, answer", [
    ("birth_date", (validators, "_parse_date"), lambda chat: chat.say("05/03/1990")),
    ("municipality", (municipalities, "find"), lambda chat: chat.say("Bologna")),
    ("phone", (phonenumbers, "parse"), lambda chat: chat.share_phone("+393471234567")),
    ("summary", (SqlStore, "save_registration"), lambda chat: chat.press("Yes, register me")),
])
def test_an_error_inside_a_step_apologizes_and_asks_again_keeping_the_answers(
        chat, db, monkeypatch, step, patch, answer):
    reach(chat, step)
    question, before = chat.replies[-1], state_of(db)
    monkeypatch.setattr(*patch, boom)
    answer(chat)
    assert "Sorry, something went wrong" in chat.replies[0].text
    assert chat.replies[1:] == [question]
    assert "hunter2" not in chat.text and "Traceback" not in chat.text and "RuntimeError" not in chat.text
    assert state_of(db) == before
    assert rows(db, Registration) == []

    monkeypatch.undo()
    answer(chat)
    assert step_of(db) != step


def test_an_error_in_a_command_apologizes_and_asks_again(chat, db, monkeypatch):
    reach(chat, "education")
    question = chat.replies[-1]
    monkeypatch.setattr(SqlStore, "personal_data", boom)
    chat.say("/privacy")
    chat.press("See my data")
    assert "Sorry, something went wrong" in chat.replies[0].text
    assert chat.replies[1:] == [question]


def test_when_even_the_apology_fails_a_short_message_is_sent(chat, monkeypatch):
    reach(chat, "first_name")
    monkeypatch.setattr(Engine, "answer", boom)
    monkeypatch.setattr(Engine, "reprompt", boom)
    chat.say("Maria")
    last_resort = "Sorry, something went wrong on our side. Please write again in a few minutes."
    assert [reply.text for reply in chat.replies] == [translator(None).gettext(last_resort)]

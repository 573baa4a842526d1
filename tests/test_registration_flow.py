"""The registration end to end: the real service on a real SQLite file, one person chatting.

Text is checked in English (the person picks it at the first question), so that the Italian
catalog can change without breaking these tests; in Italian only structure is checked.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from codicefiscale import codicefiscale

from conversations.flows import registration
from store.models import Consent, Registration
from services.repository import CODE_ALPHABET, aware
from tests.conftest import NOW, Chat
from tests.registration_helpers import (ANSWERS, HAPPY_PATH, NATIVE, STEPS, TAX_CODE, answers_of, reach, rows,
                                        state_of, step_of)

PERSONAL = tuple(ANSWERS)  # the registration's columns that hold answers


def registration_answers(row: Registration) -> dict:
    answers = {name: getattr(row, name) for name in PERSONAL}
    answers["birth_date"] = row.birth_date.isoformat() if row.birth_date else None
    return answers


def next_step(step: str) -> str:
    return STEPS[STEPS.index(step) + 1]


# -- the whole way through --------------------------------------------------------------------
@pytest.mark.both_databases
def test_happy_path_saves_a_new_registration_and_the_consent(chat, db):
    reach(chat)

    [saved] = rows(db, Registration)
    assert saved.status == "new"
    assert re.fullmatch(f"[{CODE_ALPHABET}]{{3}}-[{CODE_ALPHABET}]{{3}}", saved.code)
    assert saved.code in chat.text and "Maria" in chat.text
    assert registration_answers(saved) == ANSWERS
    assert saved.phone == "+393471234567"  # E.164
    assert saved.language == "en"
    assert aware(saved.created_at) == NOW and saved.erased_at is None
    [consent] = rows(db, Consent)
    assert (consent.contact_id, consent.notice_version) == (saved.contact_id, registration.NOTICE_VERSION)
    assert aware(consent.given_at) == NOW
    state = state_of(db)
    assert (state["flow"], state["step"], state["answers"]) == (None, None, {})
    assert [b.label for b in chat.replies[-1].buttons] == ["Book my interview", "Workshops", "Menu"]


@pytest.mark.both_databases
def test_happy_path_in_italian_typing_numbers_instead_of_tapping(chat, db):
    chat.say("ciao")
    assert chat.labels == NATIVE
    for typed, buttons in [("1", 2), ("1", 0), ("anna maria", 0), ("de luca", 0), ("5 marzo 1990", 1)]:
        chat.say(typed)
        assert len(chat.labels) == buttons, typed
    for typed in [codicefiscale.encode(lastname="De Luca", firstname="Anna Maria", gender="F",
                                       birthdate="05/03/1990", birthplace="Imola"),
                  "san lazaro", "347 123 4567", "1", "1", "2", "3", "2 5", "1", "1, 3", "1"]:
        chat.say(typed)

    [saved] = rows(db, Registration)
    assert (saved.language, saved.status) == ("it", "new")
    assert (saved.first_name, saved.last_name) == ("Anna Maria", "De Luca")
    assert saved.municipality == "San Lazzaro di Savena"
    assert saved.email is None  # "1" is the Skip button
    assert (saved.situation, saved.education, saved.italian, saved.driving) == (
        "unemployed", "lower_secondary", "basic", "licence_car")
    assert saved.sectors == ["cleaning", "care"] and saved.availability == ["full_time", "shifts"]
    assert saved.code in chat.text


# -- consent ----------------------------------------------------------------------------------
@pytest.mark.parametrize("decline", [lambda chat: chat.press("No"), lambda chat: chat.say("2"),
                                     lambda chat: chat.say(" NO ")])
def test_declining_consent_exits_politely_and_stores_nothing_personal(chat, db, decline):
    reach(chat, "consent")
    decline(chat)

    assert "Without your consent we cannot register you" in chat.text
    assert chat.labels == []
    assert rows(db, Registration) == [] and rows(db, Consent) == []
    state = state_of(db)
    assert (state["flow"], state["step"], state["answers"], state["scratch"]) == (None, None, {}, {})

    chat.say("I changed my mind")  # starts again from the first question
    assert chat.labels == NATIVE


# -- date of birth ----------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["05/03/1990", "5-3-1990", "5.3.1990", "5 marzo 1990", "5 march 1990",
                                   "5 MARZO 1990", "5 mar. 1990", " 5 / 3 / 90 "])
def test_date_of_birth_is_read_in_many_ways(chat, db, typed):
    reach(chat, "birth_date")
    chat.say(typed)
    assert answers_of(db)["birth_date"] == "1990-03-05"
    assert step_of(db) == "tax_code"


@pytest.mark.parametrize("typed, says", [
    ("26/11/2008", "adults (18 and over)"),   # 18 tomorrow
    ("01/01/2020", "adults (18 and over)"),
    ("01/01/2030", "check the year"),         # the future
    ("26/11/2026", "check the year"),         # tomorrow
    ("24/11/1925", "check the year"),         # 101 years old
    ("01/01/1900", "check the year"),
    ("yesterday", "could not read that date"),
    ("31/02/1990", "could not read that date"),
    ("5 foo 1990", "could not read that date"),
    ("1990", "could not read that date"),
])
def test_impossible_dates_of_birth_are_refused_and_asked_again(chat, db, typed, says):
    reach(chat, "birth_date")
    question = chat.replies[-1].text
    chat.say(typed)
    assert says in chat.replies[0].text
    assert "05/03/1990" in chat.replies[0].text  # an example of what is expected
    assert [r.text for r in chat.replies[1:]] == [question]
    assert step_of(db) == "birth_date"
    assert "birth_date" not in answers_of(db)
    assert answers_of(db)["last_name"] == "Rossi"


# -- codice fiscale ---------------------------------------------------------------------------
def test_a_valid_codice_fiscale_is_kept_in_capitals_without_spaces(chat, db):
    reach(chat, "tax_code")
    chat.say(f" {TAX_CODE[:6].lower()} {TAX_CODE[6:11]} {TAX_CODE[11:]} ")
    assert answers_of(db)["tax_code"] == TAX_CODE
    assert step_of(db) == "municipality"


def test_a_codice_fiscale_with_a_wrong_check_letter_is_refused(chat, db):
    reach(chat, "tax_code")
    question = chat.replies[-1]
    wrong = TAX_CODE[:-1] + ("A" if TAX_CODE[-1] != "A" else "B")
    chat.say(wrong)
    assert "not valid" in chat.replies[0].text
    assert chat.replies[-1] == question  # asked again, "I don't have one" still offered
    assert step_of(db) == "tax_code" and "tax_code" not in answers_of(db)


def test_a_codice_fiscale_of_another_birth_date_is_refused(chat, db):
    reach(chat, "tax_code")
    other = codicefiscale.encode(lastname="Rossi", firstname="Maria", gender="F",
                                 birthdate="06/03/1990", birthplace="Bologna")
    chat.say(other)
    assert "does not match your date of birth" in chat.replies[0].text
    assert step_of(db) == "tax_code" and "tax_code" not in answers_of(db)


def test_a_codice_fiscale_of_someone_born_a_century_ago_is_accepted(chat, db):
    """The code has two digits of the year: 1926 must not be read as 2026."""
    reach(chat, "birth_date")
    chat.say("01/03/1926")
    assert step_of(db) == "tax_code"
    chat.say(codicefiscale.encode(lastname="Rossi", firstname="Maria", gender="F",
                                  birthdate="01/03/1926", birthplace="Bologna"))
    assert step_of(db) == "municipality"


@pytest.mark.parametrize("without", [lambda chat: chat.press("I don't have one"), lambda chat: chat.say("1"),
                                     lambda chat: chat.say("i don’t HAVE one")])
def test_i_dont_have_a_codice_fiscale(chat, db, without):
    reach(chat, "tax_code")
    assert chat.labels == ["I don't have one"]
    without(chat)
    assert answers_of(db)["tax_code"] is None
    assert step_of(db) == "municipality"


# -- phone and email --------------------------------------------------------------------------
@pytest.mark.parametrize("shared, stored", [
    ("+393471234567", "+393471234567"),
    ("393471234567", "+393471234567"),   # Telegram leaves out the "+"
    ("447911123456", "+447911123456"),   # a British SIM: not an Italian number
    ("33612345678", "+33612345678"),     # a French SIM: not the Italian 336 12345678
])
def test_a_shared_contact_is_the_phone_number(service, db, shared, stored):
    chat = Chat(service, channel="telegram")  # the one channel with a "share my number" button
    reach(chat, "phone")
    assert chat.replies[-1].phone_button == "📱 Share my number"
    chat.share_phone(shared)
    assert state_of(db, "p1", "telegram")["answers"]["phone"] == stored
    assert state_of(db, "p1", "telegram")["step"] == "email"
    assert chat.replies[0].close_keyboard  # the share button goes away


@pytest.mark.parametrize("channel, language, question, button", [
    ("telegram", "English", 'What is your phone number? Tap "Share my number" or type it, for example: 347 123 4567.',
     "📱 Share my number"),
    ("telegram", "Italiano", 'Qual è il tuo numero di telefono? Tocca "Condividi il mio numero" oppure scrivilo, '
     "per esempio: 347 123 4567.", "📱 Condividi il mio numero"),
    ("whatsapp", "English", "What is your phone number? Please type it, for example: 347 123 4567.", None),
    ("web", "English", "What is your phone number? Please type it, for example: 347 123 4567.", None),
    ("web", "Italiano", "Qual è il tuo numero di telefono? Scrivilo, per esempio: 347 123 4567.", None),
    ("console", "English", "What is your phone number? Please type it, for example: 347 123 4567.", None),
])
def test_the_phone_question_names_a_share_button_only_where_the_channel_shows_one(
        service, db, channel, language, question, button):
    chat = Chat(service, channel=channel)  # WhatsApp without the number (a user id): asked directly
    chat.say("hello")
    chat.press(language)
    chat.press("Yes, I agree" if language == "English" else "Sì, sono d'accordo")
    answers = dict(HAPPY_PATH)
    for name in STEPS[STEPS.index("first_name"):STEPS.index("phone")]:  # typed: the same in any language
        answers[name](chat)
    assert state_of(db, "p1", channel)["step"] == "phone"
    assert (chat.replies[-1].text, chat.replies[-1].phone_button) == (question, button)
    chat.say("347 123 4567")
    assert state_of(db, "p1", channel)["answers"]["phone"] == "+393471234567"


@pytest.mark.parametrize("typed, stored", [("347 123 4567", "+393471234567"), ("+39 347 1234567", "+393471234567"),
                                           ("0039 347-123-4567", "+393471234567"), ("051 123456", "+39051123456")])
def test_a_typed_phone_number_is_stored_in_e164(chat, db, typed, stored):
    reach(chat, "phone")
    chat.say(typed)
    assert answers_of(db)["phone"] == stored
    assert "Thank you" in chat.replies[0].text


@pytest.mark.parametrize("typed", ["12345", "347", "my phone", "+39 347 123 4567 890 12"])
def test_a_wrong_phone_number_is_refused_and_asked_again(chat, db, typed):
    reach(chat, "phone")
    question = chat.replies[-1]
    chat.say(typed)
    assert "does not look right" in chat.replies[0].text
    assert chat.replies[-1] == question
    assert step_of(db) == "phone" and "phone" not in answers_of(db)


def test_an_empty_shared_contact_is_refused(chat, db):
    reach(chat, "phone")
    chat.share_phone("")
    assert "does not look right" in chat.text
    assert step_of(db) == "phone"


@pytest.mark.parametrize("skip", [lambda chat: chat.press("Skip"), lambda chat: chat.say("1"),
                                  lambda chat: chat.say("SKIP")])
def test_email_is_optional(chat, db, skip):
    reach(chat, "email")
    skip(chat)
    assert answers_of(db)["email"] is None
    assert step_of(db) == "situation"


def test_a_valid_email_is_stored_and_a_wrong_one_asked_again(chat, db):
    reach(chat, "email")
    question = chat.replies[-1]
    for wrong in ("maria.rossi", "maria@", "maria rossi@example.com"):
        chat.say(wrong)
        assert "does not look right" in chat.replies[0].text, wrong
        assert chat.replies[-1] == question
    chat.say(" Maria.Rossi@Example.COM ")
    assert answers_of(db)["email"] == "Maria.Rossi@example.com"
    assert step_of(db) == "situation"


# -- buttons answered by typing ---------------------------------------------------------------
@pytest.mark.parametrize("step, typed, value", [
    ("language", "2", "en"), ("language", "english", "en"), ("language", "  ITALIANO ", "it"),
    ("consent", "1", "yes"), ("consent", "yes, I AGREE", "yes"),
    ("situation", "3", "student"), ("situation", "working, want OTHER", "employed"),
    ("education", "6", "foreign"), ("education", "high school diploma", "upper_secondary"),
    ("italian", "4", "little"), ("italian", "Líttle or nóne", "little"),  # accents do not matter
    ("driving", "03", "none"), ("driving", "LICENCE, NO CAR", "licence"),
])
def test_a_button_question_takes_the_typed_number_or_label(chat, db, step, typed, value):
    reach(chat, step)
    chat.say(typed)
    assert answers_of(db)[step] == value
    assert step_of(db) == next_step(step)


@pytest.mark.parametrize("typed", ["5", "0", "-1", "astronaut", "1.5", "²"])
def test_a_typed_number_or_label_that_is_no_option_is_refused(chat, db, typed):
    reach(chat, "situation")
    question = chat.replies[-1]
    chat.say(typed)
    assert "type its number (1 to 4)" in chat.replies[0].text
    assert chat.replies[-1] == question
    assert step_of(db) == "situation" and "situation" not in answers_of(db)


# -- several choices --------------------------------------------------------------------------
def test_several_choices_are_toggled_then_done(chat, db):
    reach(chat, "sectors")
    chat.press("Cleaning")
    [toggled] = chat.replies
    assert toggled.edit and "✅ Cleaning" in chat.labels and chat.labels[-1] == "Done"
    chat.press("Agriculture")
    assert {"✅ Cleaning", "✅ Agriculture"} <= set(chat.labels)
    chat.press("✅ Cleaning")  # tapped again: off
    assert "Cleaning" in chat.labels and "✅ Cleaning" not in chat.labels
    assert step_of(db) == "sectors"
    chat.press("Done")
    assert answers_of(db)["sectors"] == ["agriculture"]
    assert step_of(db) == "driving"


@pytest.mark.parametrize("typed, chosen", [
    ("1, 3", ["restaurants", "logistics"]), ("2 5", ["cleaning", "care"]), ("5;2", ["cleaning", "care"]),
    ("cleaning, OFFICE WORK", ["cleaning", "office"]), ("Restaurants, bars", ["restaurants"]),
    ("✅ cleaning", ["cleaning"]), ("10", ["other"]),
])
def test_several_choices_can_be_typed(chat, db, typed, chosen):
    reach(chat, "sectors")
    chat.say(typed)
    assert answers_of(db)["sectors"] == chosen
    assert step_of(db) == "driving"


@pytest.mark.parametrize("typed, chosen", [("3", ["full_time", "shifts"]), ("3, 1", ["full_time", "shifts"]),
                                           ("1", ["full_time"])])
def test_typed_choices_after_taps_are_added_and_said_never_replacing_the_tapped_ones(chat, db, typed, chosen):
    """conversations/choosing.py: someone who ticked and then types a number means "that one too"."""
    reach(chat, "availability")
    chat.press("Full time")
    chat.say(typed)
    note, question = chat.replies
    labels = {"full_time": "Full time", "shifts": "Shifts"}
    assert note.text == f'Chosen so far: {", ".join(labels[v] for v in chosen)}. Tap "Done" to go on, or choose more.'
    assert not question.edit and {f"✅ {labels[v]}" for v in chosen} <= set(chat.labels)
    assert step_of(db) == "availability"
    chat.press("Done")
    assert answers_of(db)["availability"] == chosen and step_of(db) == "summary"


@pytest.mark.parametrize("typed, chosen", [("Done", ["full_time"]), ("3, done", ["full_time", "shifts"])])
def test_typed_choices_with_done_after_taps_close_with_both(chat, db, typed, chosen):
    reach(chat, "availability")
    chat.press("Full time")
    chat.say(typed)
    assert answers_of(db)["availability"] == chosen
    assert step_of(db) == "summary"


@pytest.mark.parametrize("done", [lambda chat: chat.press("Done"), lambda chat: chat.say("done"),
                                  lambda chat: chat.say("11")])
def test_done_with_nothing_chosen_is_refused(chat, db, done):
    reach(chat, "sectors")
    done(chat)
    assert "choose at least one option" in chat.replies[0].text
    assert step_of(db) == "sectors" and "sectors" not in answers_of(db)
    assert len(chat.replies[-1].buttons) == len(registration.choices.SECTORS) + 1


@pytest.mark.parametrize("typed", ["1, 99", "cleaning, astronaut", "1 and 3"])
def test_typed_choices_that_are_no_options_are_refused(chat, db, typed):
    reach(chat, "sectors")
    chat.press("Cleaning")
    chat.say(typed)
    assert "type the numbers of your choices, for example: 1, 2, 3" in chat.replies[0].text
    assert "✅ Cleaning" in chat.labels  # what was tapped is still tapped
    chat.press("Done")
    assert answers_of(db)["sectors"] == ["cleaning"]


# -- the summary ------------------------------------------------------------------------------
def test_the_summary_shows_every_answer(chat):
    reach(chat, "summary")
    summary = chat.replies[-1]
    for shown in ("Maria", "Rossi", "5 March 1990", TAX_CODE, "Bologna", "+39 347 123 4567",
                  "maria.rossi@example.com", "Looking for work", "High school diploma", "Good",
                  "Cleaning, Office work", "Licence, no car", "Part time"):
        assert shown in summary.text
    assert chat.labels == ["Yes, register me", "Change an answer"]


def test_one_answer_is_changed_from_the_summary_keeping_the_others(chat, db):
    reach(chat, "summary")
    chat.press("Change an answer")
    assert len(chat.labels) == len(registration.EDITABLE)
    chat.press("Comune")
    assert step_of(db) == "municipality"
    chat.say("imola")
    assert step_of(db) == "summary"  # straight back, not on to the phone
    assert "Imola" in chat.replies[-1].text
    kept = {name: value for name, value in answers_of(db).items() if name in ANSWERS}
    assert kept == ANSWERS | {"municipality": "Imola"}
    chat.press("Yes, register me")
    [saved] = rows(db, Registration)
    assert registration_answers(saved) == ANSWERS | {"municipality": "Imola"}


def test_several_choices_changed_from_the_summary_start_from_the_earlier_ones(chat, db):
    reach(chat, "summary")
    chat.say("2")       # Change an answer
    chat.say("sectors")
    assert {"✅ Cleaning", "✅ Office work"} <= set(chat.labels)
    chat.press("Construction")
    chat.press("Done")
    assert step_of(db) == "summary"
    assert answers_of(db)["sectors"] == ["cleaning", "construction", "office"]
    assert answers_of(db)["availability"] == ["part_time"]


def test_a_birth_date_changed_from_the_summary_is_checked_against_the_codice_fiscale(chat, db):
    reach(chat, "summary")
    chat.press("Change an answer")
    chat.press("Date of birth")
    chat.say("6/3/1990")
    assert step_of(db) == "summary"
    chat.press("Yes, register me")
    assert "does not match your date of birth" in chat.text
    assert step_of(db) == "tax_code" and rows(db, Registration) == []
    chat.press("I don't have one")
    assert step_of(db) == "summary"
    chat.press("Yes, register me")
    [saved] = rows(db, Registration)
    assert (saved.birth_date, saved.tax_code) == (dt.date(1990, 3, 6), None)


# -- wrong input at every step ----------------------------------------------------------------
@pytest.mark.parametrize("step", STEPS)
def test_wrong_input_at_every_step_is_refused_and_nothing_is_lost(chat, db, step):
    reach(chat, step)
    question = chat.replies[-1]
    before = state_of(db)
    english = step != "language"
    for send, says in [(chat.send_sticker, "only read text"), (chat.send_voice, "cannot listen to voice messages"),
                       (lambda: chat.say(""), "write your answer"),
                       (lambda: chat.say(" \n "), "write your answer"), (lambda: chat.say("x" * 1001), "too long"),
                       (lambda: chat.share_phone("+393471234567") if step != "phone" else chat.say("x" * 41),
                        "only read text" if step != "phone" else "at most 40 characters")]:
        send()
        assert len(chat.replies) == 2 and chat.replies[-1].text == question.text
        assert [b.payload for b in chat.replies[-1].buttons] == [b.payload for b in question.buttons]
        if english:
            assert says in chat.replies[0].text
        assert state_of(db)["step"] == step
        assert state_of(db)["answers"] == before["answers"]
    assert rows(db, Registration) == []


def test_an_over_long_answer_is_refused_never_cut(chat, db):
    reach(chat, "first_name")
    longest = " ".join(["Anna"] * 12)  # 59 characters
    chat.say(longest + "xx")
    assert "at most 60 characters" in chat.replies[0].text
    assert step_of(db) == "first_name" and "first_name" not in answers_of(db)
    chat.say(longest)
    assert answers_of(db)["first_name"] == longest


VOICE_SORRY = ("I cannot listen to voice messages. Please write your answer here. If writing is hard for you, "
               "come to the Insieme per il lavoro office: we will help you there.")


def test_a_voice_note_as_the_first_message_says_how_to_answer_and_asks_the_language(chat, db):
    chat.send_voice()
    sorry, question = chat.replies
    assert sorry.text.startswith("Non posso ascoltare i messaggi vocali. Scrivi qui la tua risposta.")
    assert "ufficio di Insieme per il lavoro" in sorry.text and step_of(db) == "language"
    assert [b.label for b in question.buttons]== NATIVE


def test_a_voice_note_mid_question_keeps_the_question_in_the_persons_language(chat, db):
    reach(chat, "municipality")
    question = chat.replies[-1]
    chat.send_voice()
    assert [reply.text for reply in chat.replies] == [VOICE_SORRY, question.text]
    assert step_of(db) == "municipality"


def test_a_voice_note_outside_any_question_says_how_to_answer_and_shows_the_menu(chat, db):
    reach(chat)
    chat.send_voice()
    assert chat.replies[0].text == VOICE_SORRY and chat.replies[-1].text == "Menu: choose what you need."


def test_a_sticker_keeps_the_choices_tapped_so_far(chat, db):
    reach(chat, "sectors")
    chat.press("Care of people")
    chat.send_sticker()
    assert "✅ Care of people" in chat.labels
    chat.press("Done")
    assert answers_of(db)["sectors"] == ["care"]


@pytest.mark.parametrize("typed", ["M", "Maria2", "R2-D2", "@maria", "maria_rossi"])
def test_a_name_that_is_not_a_name_is_refused(chat, db, typed):
    reach(chat, "first_name")
    chat.say(typed)
    assert "letters only" in chat.replies[0].text
    assert step_of(db) == "first_name"

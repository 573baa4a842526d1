"""The comune: the 55 of the Città metropolitana di Bologna, typos, doubts, and places outside."""
from __future__ import annotations

import pytest

from conversations import municipalities
from conversations.municipalities import COMUNI, find
from tests.registration_helpers import answers_of, press_payload, reach, step_of


def test_the_list_holds_the_55_comuni_once_each():
    assert len(COMUNI) == len(set(COMUNI)) == 55
    assert {"Bologna", "Imola", "San Lazzaro di Savena", "Valsamoggia", "Alto Reno Terme"} <= set(COMUNI)


@pytest.mark.parametrize("name", COMUNI)
def test_every_comune_is_found_by_its_own_name(name):
    assert find(name).name == name
    assert find(name.upper()).name == name


@pytest.mark.parametrize("typed, name", [
    ("san lazaro", "San Lazzaro di Savena"), ("S. Lazzaro", "San Lazzaro di Savena"),
    ("casalechio di reno", "Casalecchio di Reno"), ("valsamogia", "Valsamoggia"),
    ("sant agata bolognese", "Sant'Agata Bolognese"), ("Sant’Agata", "Sant'Agata Bolognese"),
    ("anzola dell emilia", "Anzola dell'Emilia"), ("bologna (bo)", "Bologna"), ("  IMOLA ", "Imola"),
    ("castel san pietro", "Castel San Pietro Terme"),
])
def test_typos_and_short_forms_are_understood(typed, name):
    assert find(typed) == municipalities.Match(name=name)


def test_an_unclear_name_gives_at_most_three_suggestions():
    match = find("Castel")
    assert match.name is None and match.outside is None
    assert 2 <= len(match.suggestions) <= 3
    assert all(name in COMUNI and name.startswith("Castel") for name in match.suggestions)


@pytest.mark.parametrize("typed", ["Modena", "milano", "ROMA", "Ferrara"])
def test_a_comune_outside_the_area_is_recognised(typed):
    match = find(typed)
    assert match.outside == typed.title() and match.name is None and match.suggestions == ()


@pytest.mark.parametrize("typed", ["xqzzv", "asdf", "123", "the moon"])
def test_gibberish_matches_nothing(typed):
    assert find(typed) == municipalities.Match()


# -- in the registration ----------------------------------------------------------------------
def test_the_exact_comune_is_taken(chat, db):
    reach(chat, "municipality")
    chat.say("Casalecchio di Reno")
    assert answers_of(db)["municipality"] == "Casalecchio di Reno"
    assert step_of(db) == "phone"


def test_a_typo_is_corrected(chat, db):
    reach(chat, "municipality")
    chat.say("san lazaro")
    assert answers_of(db)["municipality"] == "San Lazzaro di Savena"
    assert step_of(db) == "phone"


def test_an_unclear_comune_offers_buttons_and_one_is_tapped(chat, db):
    reach(chat, "municipality")
    chat.say("castel")
    assert "not sure which comune" in chat.replies[0].text
    suggested = chat.labels
    assert suggested == list(find("castel").suggestions)
    chat.press(suggested[1])
    assert answers_of(db)["municipality"] == suggested[1]
    assert step_of(db) == "phone"


@pytest.mark.parametrize("typed", ["2", " 2 "])
def test_an_unclear_comune_is_chosen_by_typing_the_suggestions_number(chat, db, typed):
    reach(chat, "municipality")
    chat.say("castel")
    suggested = chat.labels
    chat.say(typed)
    assert answers_of(db)["municipality"] == suggested[1]


def test_after_suggestions_the_comune_may_be_written_again(chat, db):
    reach(chat, "municipality")
    chat.say("castel")
    chat.say("Castel Maggiore")
    assert answers_of(db)["municipality"] == "Castel Maggiore"


def test_a_suggestion_of_an_earlier_attempt_is_no_longer_active(chat, db):
    reach(chat, "municipality")
    chat.say("castel")
    old = chat.replies[-1].buttons[0].payload
    chat.say("san")
    assert old not in [b.payload for b in chat.replies[-1].buttons]
    press_payload(chat, old)
    assert "no longer active" in chat.replies[0].text
    assert step_of(db) == "municipality" and "municipality" not in answers_of(db)


def test_a_comune_outside_the_area_is_explained_and_asked_again(chat, db):
    reach(chat, "municipality")
    question = chat.replies[-1].text
    chat.say("Modena")
    explanation = chat.replies[0].text
    assert "Modena is outside the Città metropolitana di Bologna" in explanation
    assert "Centro per l'impiego" in explanation
    assert chat.replies[-1].text == question and chat.labels == []
    assert step_of(db) == "municipality" and "municipality" not in answers_of(db)


def test_gibberish_is_refused_with_an_example(chat, db):
    reach(chat, "municipality")
    chat.say("xqzzv")
    assert "can't find this comune" in chat.replies[0].text
    assert "Casalecchio di Reno" in chat.replies[0].text
    assert step_of(db) == "municipality" and "municipality" not in answers_of(db)

"""Right to left (#14): values inside translated sentences are wrapped in Unicode isolates where
their direction could differ from the sentence's, and the web chat gives every bubble its dir."""
from __future__ import annotations

import datetime as dt

import pytest

from conversations import languages
from conversations.i18n import FSI, PDI, Translator
from conversations.messages import Outbound
from handlers.webchat_parts import render
from tests.registration_helpers import HAPPY_PATH, STEPS, reach

RTL = [language.code for language in languages.ALL if language.direction == "rtl"]
LTR = [language.code for language in languages.ALL if language.direction == "ltr"]
START, END = dt.datetime(2026, 12, 4, 8, 30, tzinfo=dt.timezone.utc), dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.timezone.utc)


def right_to_left(code: str = "it") -> Translator:
    """A translator whose language runs right to left (the registry's RTL ones, or one made so)."""
    t = Translator(code)
    t.direction = "rtl"
    return t


def test_in_a_right_to_left_language_every_value_is_isolated():
    t = right_to_left()
    for value in ("+39 347 123 4567", "RSSMRA90C05A944B", "K7P-3QX", "Maria", "4 dicembre 2026"):
        assert t.isolate(value) == f"{FSI}{value}{PDI}"
    assert t.day_and_hours(START, END).endswith(f", {FSI}09:30{PDI}-{FSI}11:00{PDI}")


def test_in_a_left_to_right_language_only_right_to_left_values_are_isolated():
    t = Translator("en")
    assert [t.isolate(v) for v in ("+39 347 123 4567", "Maria", "RSSMRA90C05A944B")] == [
        "+39 347 123 4567", "Maria", "RSSMRA90C05A944B"]  # nothing to fix: Italian and English texts stay plain
    assert t.isolate("محمد") == f"{FSI}محمد{PDI}"  # an Arabic name in an English sentence
    assert t.day_and_hours(START, END) == "Friday, 4 December 2026, 09:30-11:00"


def test_empty_and_multi_line_values_are_left_alone():
    t = right_to_left()
    assert t.isolate("") == "" and t.isolate("a\nb") == "a\nb"  # an isolate cannot cross a paragraph


@pytest.mark.parametrize("code", RTL)
def test_the_summary_code_and_phone_are_isolated_in_a_right_to_left_language(chat, db, code):
    reach(chat, "summary")
    chat.say("/language")
    chat.press(languages.get(code).native)
    assert f"{FSI}+39 347 123 4567{PDI}" in chat.text and f"{FSI}Maria{PDI}" in chat.text


def test_in_english_the_summary_has_no_isolates(chat):
    reach(chat, "summary")
    assert FSI not in chat.text and "+39 347 123 4567" in chat.text


def test_an_arabic_name_in_an_english_summary_is_isolated(chat):
    reach(chat, "first_name")
    chat.say("محمد")
    for _step, answer in HAPPY_PATH[STEPS.index("last_name"):-1]:
        answer(chat)
    assert f"• First name: {FSI}محمد{PDI}" in chat.text and "• Last name: Rossi" in chat.text


# -- the web chat's bubbles -------------------------------------------------------------------
@pytest.mark.parametrize("code", languages.CODES)
def test_a_bot_bubble_carries_its_language_and_direction(code):
    shown = render(Outbound("…"), language=code)
    assert (shown["lang"], shown["dir"]) == (code, languages.get(code).direction)


def test_a_bubble_of_unknown_language_lets_the_browser_guess():
    assert render(Outbound("Promemoria")) == {"text": "Promemoria", "buttons": [], "dir": "auto"}

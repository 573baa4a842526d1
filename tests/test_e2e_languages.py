"""#14 end to end, in the person's language: registering and booking the orientation interview
in Arabic on Telegram (the real application over HTTP to the fake Bot API) and in Ukrainian on
WhatsApp (signed webhooks, replies to the fake Graph API). Every label pressed and every line
expected is the catalog's own translation, so a missing or broken one shows here too."""
from __future__ import annotations

import asyncio

import pytest

from conversations import languages
from conversations.i18n import FSI, PDI, translator
from store.models import InterviewBooking, Registration
from tests.booking_flow_helpers import days_ahead
from tests.registration_helpers import TAX_CODE, rows
from tests.scenarios import Expect, Press, Say, play
from tests.test_scenario_channels import agenda, telegram_person, whatsapp_person  # noqa: F401  (fixture)

DRIVERS = {"telegram": telegram_person, "whatsapp": whatsapp_person}
CASES = [("ar", "telegram"), ("uk", "whatsapp")]


def register_in(code: str) -> list:
    """A newcomer registers in ``code``: typed answers in Arabic-Indic digits where the language
    writes them (Arabic, Urdu), buttons pressed by their translated labels."""
    t = translator(code)
    _ = t.gettext
    digits = (lambda text: text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))) if t.direction == "rtl" \
        else (lambda text: text)
    return [
        Say("/start"), Press(languages.get(code).native), Expect(_("Do you agree?")),
        Press(_("Yes, I agree")), Expect(_("What is your first name?")),
        Say("Maria"), Say("Rossi"), Say(digits("05/03/1990")), Say(TAX_CODE), Say("Bologna"),
        Say(digits("347 123 4567")), Expect(_("Thank you: {phone}.").format(phone=t.isolate("+39 347 123 4567"))),
        Press(_("Skip")), Press(_("Looking for work")), Press(_("High school diploma")), Press(_("Good")),
        Press(_("Cleaning")), Press(_("Done")), Press(_("Licence, no car")), Press(_("Part time")), Press(_("Done")),
        Expect(_("Here is what you told me. Is everything right?")),
        Expect(f"• {_('Phone')}: {t.isolate('+39 347 123 4567')}"),
        Press(_("Yes, register me")),
    ]


def book_in(code: str) -> list:
    """The first free time of the first day: tomorrow at 9:00 (tests.test_scenario_channels.agenda)."""
    t = translator(code)
    _ = t.gettext
    return [
        Press(_("Book my interview")), Press(t.day_label(days_ahead(1, 9))), Press(t.time_label(days_ahead(1, 9))),
        Expect(_("Book this interview?")), Expect(t.format_datetime(days_ahead(1, 9), "full")),
        Press(_("Yes, book it")), Expect(_("Done: your orientation interview is booked.")),
        Expect(_("Where: {address}").format(address=t.isolate("Via Castiglione 1, Bologna"))),
    ]


@pytest.mark.parametrize("code, channel", CASES)
def test_a_person_registers_and_books_in_their_language(db, service, agenda, code, channel):  # noqa: F811
    if code not in languages.CODES:
        pytest.fail(f"{code} is not in conversations/languages.py yet")
    with asyncio.Runner() as runner, DRIVERS[channel](db, service, runner) as person:
        play(person, register_in(code), db)
        [registration] = rows(db, Registration)
        assert registration.language == code and registration.phone == "+393471234567"
        code_line = translator(code).isolate(registration.code)
        assert code_line in person.text  # "Your code is ⁨K7P-3QX⁩" in Arabic: isolated, read in order
        play(person, book_in(code), db)
        assert len(rows(db, InterviewBooking)) == 1


def test_arabic_texts_isolate_the_latin_values_and_ukrainian_ones_need_not():
    assert translator("uk").isolate("+39 347 123 4567") == "+39 347 123 4567"
    assert translator("ar").isolate("K7P-3QX") == f"{FSI}K7P-3QX{PDI}"

"""What people type on other keyboards (#14): Arabic-Indic, Persian and Bengali digits, the
invisible direction marks of right-to-left keyboards and of text copied from the bot, and dates
with the month in words in every registry language."""
from __future__ import annotations

import datetime as dt

import pytest
from babel import dates as babel_dates

from conversations import languages, validators
from conversations.i18n import FSI, PDI
from conversations.typed import DIGITS, plain
from tests.registration_helpers import TAX_CODE, answers_of, reach, step_of
from tests.test_validators import ctx

BORN = dt.date(1988, 2, 14)


def native(text: str, script: str) -> str:
    """``text`` with its Latin digits written in another script's digits."""
    return text.translate({ord(str(value)): digit for value, digit in enumerate(DIGITS[script])})


@pytest.mark.parametrize("script", DIGITS)
def test_digits_of_every_script_become_latin(script):
    assert plain(native("14/02/1988 +39 347 123 4567", script)) == "14/02/1988 +39 347 123 4567"


def test_direction_marks_are_dropped_and_joiners_kept():
    copied = f"\u200f{FSI}RSSMRA90C05A944B{PDI}\u200e \u202bx\u202c\u061c"
    assert plain(copied) == "RSSMRA90C05A944B x"
    assert plain("می\u200cخواهم") == "می\u200cخواهم"  # Urdu/Persian's zero width non-joiner spells the word


@pytest.mark.parametrize("script", DIGITS)
def test_a_date_a_phone_and_a_list_number_typed_in_other_digits_work_in_the_chat(chat, db, script):
    reach(chat, "birth_date")
    chat.say(native("14/02/1988", script))
    assert answers_of(db)["birth_date"] == "1988-02-14"
    chat.say("I don't have one")
    chat.say("Bologna")
    chat.say(native("347 123 4567", script))
    assert answers_of(db)["phone"] == "+393471234567"
    chat.say("maria@example.com")
    chat.say(native("1", script))  # the first option, "Looking for work"
    assert answers_of(db)["situation"] == "unemployed" and step_of(db) == "education"


def test_a_codice_fiscale_copied_from_a_right_to_left_message_is_read(chat, db):
    reach(chat, "birth_date")
    chat.say("05/03/1990")
    chat.say(f"\u200f{FSI}{TAX_CODE}{PDI}")
    assert answers_of(db)["tax_code"] == TAX_CODE and step_of(db) == "municipality"


@pytest.mark.parametrize("code", languages.CODES)
@pytest.mark.parametrize("width", ["long", "medium", "full"])
def test_a_date_written_the_way_each_language_writes_it_is_read(code, width):
    """Babel's own words for 14 February 1988 in the language (Spanish "14 de febrero de 1988",
    Ukrainian "14 лютого 1988 р.", Arabic "الأحد، 14 فبراير 1988"), in Latin or Arabic digits."""
    written = babel_dates.format_date(BORN, width, locale=languages.get(code).locale)
    for typed in (written, native(written, "arabic-indic")):
        assert validators.birth_date(plain(typed), ctx(code)) == BORN.isoformat(), typed


@pytest.mark.parametrize("code", languages.CODES)
def test_a_month_named_standing_alone_or_abbreviated_is_read(code):
    locale = languages.get(code).locale
    for width in ("wide", "abbreviated"):
        month = babel_dates.get_month_names(width, "stand-alone", locale)[2]
        assert validators.birth_date(f"14 {month} 1988", ctx(code)) == BORN.isoformat(), month


@pytest.mark.parametrize("typed", ["mar 5 mar 1990", "5 mar 1990"])  # "mar": Tuesday, and March
def test_a_weekday_abbreviated_like_a_month_does_not_hide_the_month(typed):
    assert validators.birth_date(typed, ctx("it")) == "1990-03-05"


@pytest.mark.parametrize("typed", ["14 febbraio", "febbraio 1988", "14 15 febbraio 1988", "14 febbraio marzo 1988",
                                   "14 pizza febbraio 1988", "02/14/1988"])
def test_a_date_missing_a_part_or_with_extra_words_is_refused(typed):
    with pytest.raises(validators.Invalid):
        validators.birth_date(typed, ctx("it"))


@pytest.mark.parametrize("typed", ["14 غشت 1988", "14 آب 1988", "14 أوت 1988"])  # Morocco, the Levant, Tunisia
def test_arabic_months_are_read_as_each_region_writes_them(typed):
    assert validators.birth_date(typed, ctx("ar")) == "1988-08-14"


@pytest.mark.parametrize("typed", ["14 كانون الثاني 1988", "كانون الثاني 14، 1988"])  # January, in two words
def test_a_month_named_in_two_words_is_read(typed):
    assert validators.birth_date(plain(typed), ctx("ar")) == "1988-01-14"

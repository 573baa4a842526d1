"""Parsers of typed answers, one by one, without a database: today is 25 November 2026."""
from __future__ import annotations

import datetime as dt

import pytest
from codicefiscale import codicefiscale

from conversations import validators
from conversations.engine import normalize
from conversations.flow import Ctx, Invalid, State
from conversations.messages import Inbound
from tests.conftest import NOW
from tests.registration_helpers import TAX_CODE


def ctx(language: str = "en", **answers) -> Ctx:
    return Ctx(state=State(language=language, answers=answers), store=None,
               inbound=Inbound(channel="console", external_id="v"), now=NOW)


def refused(parse, text: str, context: Ctx | None = None) -> str:
    """The message a parser refuses ``text`` with."""
    with pytest.raises(Invalid) as refusal:
        parse(text, context or ctx())
    return refusal.value.message


# -- normalize: how typed labels are compared ---------------------------------------------------
@pytest.mark.parametrize("typed, normalized", [
    ("Città", "citta"), ("  LÍTTLE   or\tnóne ", "little or none"), ("I don’t", "i don't"),
    ("Straße", "strasse"),
])
def test_normalize_ignores_case_accents_spaces_and_curly_apostrophes(typed, normalized):
    assert normalize(typed) == normalized


# -- names ------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed, kept", [
    ("maria", "Maria"), ("MARIA GRAZIA", "Maria Grazia"), ("  anna    maria ", "Anna Maria"),
    ("d'angelo", "D'Angelo"), ("Jean-Luc", "Jean-Luc"), ("McDonald", "McDonald"),
    ("De la Cruz", "De la Cruz"), ("o’neil", "O’Neil"), ("Nguyễn", "Nguyễn"), ("Öztürk", "Öztürk"),
])
def test_names_keep_the_persons_capitals_and_fix_all_lower_or_upper(typed, kept):
    assert validators.person_name(typed, ctx()) == kept


@pytest.mark.parametrize("typed", ["M", "Maria2", "maria_rossi", "@maria", "--", "Maria  -", "x" * 61,
                                   "⁰⁴⁵", "⅛⅜", "Maria²", "Ⅻ", "Anna ①", "Maria٣", "١٢٣"])
def test_names_with_digits_symbols_or_one_letter_are_refused(typed):
    assert "letters only" in refused(validators.person_name, typed)
    assert "letters only" in refused(validators.last_name, typed)


@pytest.mark.parametrize("typed", ["محمد", "অমিত", "Олена", "Ștefan", "اردو نام", "Nguyễn"])
def test_names_in_every_script_with_their_marks_are_kept(typed):
    assert validators.person_name(typed, ctx()) == typed


def test_a_refused_last_name_is_told_last_name_not_name():
    assert refused(validators.last_name, "Rossi2") == (
        "Please write the last name with letters only, for example: Rossi.")
    assert refused(validators.person_name, "Maria2") == (
        "Please write the name with letters only, for example: Maria Grazia.")


# -- date of birth ----------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["05/03/1990", "5-3-1990", "5.3.1990", "5 marzo 1990", "5 march 1990",
                                   "5 Mar 1990", "5 mar. 1990", "5 Marzo 1990", "05 / 03 / 1990", "5 3 1990",
                                   "5/3/90"])
def test_dates_of_birth_in_many_ways(typed):
    assert validators.birth_date(typed, ctx()) == "1990-03-05"


def test_month_names_of_both_languages_are_read_whatever_the_persons_language():
    assert validators.birth_date("5 march 1990", ctx("it")) == "1990-03-05"
    assert validators.birth_date("5 marzo 1990", ctx("en")) == "1990-03-05"
    assert validators.birth_date("1 dicembre 1999", ctx("en")) == "1999-12-01"


@pytest.mark.parametrize("typed, iso", [
    ("25/11/2008", "2008-11-25"),   # 18 today
    ("25/11/1926", "1926-11-25"),   # 100 today
    ("26/11/1925", "1925-11-26"),   # 100 until tomorrow
    ("29/02/2000", "2000-02-29"),
    ("5/3/08", "2008-03-05"),       # two digits: this century when that is in the past
])
def test_dates_of_birth_at_the_edges_are_accepted(typed, iso):
    assert validators.birth_date(typed, ctx()) == iso


@pytest.mark.parametrize("typed", ["26/11/2008", "01/01/2020", "25/11/2026", "5/3/26"])
def test_minors_are_refused(typed):
    assert "adults (18 and over)" in refused(validators.birth_date, typed)


@pytest.mark.parametrize("typed", ["26/11/2026", "01/01/2099", "25/11/1925", "01/01/1900", "05/03/0990"])
def test_future_dates_and_over_100_years_are_refused(typed):
    assert "check the year" in refused(validators.birth_date, typed)


@pytest.mark.parametrize("typed", ["", "hello", "31/02/1990", "29/02/2001", "32/01/1990", "05/13/1990",
                                   "5 foo 1990", "1990", "05/03", "5//3/1990", "1990-03-05x"])
def test_dates_that_cannot_be_read_are_refused_with_an_example(typed):
    message = refused(validators.birth_date, typed)
    assert "could not read that date" in message and "05/03/1990" in message


# -- codice fiscale ---------------------------------------------------------------------------
def test_a_valid_codice_fiscale_is_kept_in_capitals():
    assert validators.tax_code(TAX_CODE.lower(), ctx(birth_date="1990-03-05")) == TAX_CODE
    assert validators.tax_code(f"{TAX_CODE[:8]}  {TAX_CODE[8:]}", ctx()) == TAX_CODE


def test_an_omocode_variant_is_accepted():
    variant = next(code for code in codicefiscale.decode(TAX_CODE)["omocodes"] if code != TAX_CODE)
    assert validators.tax_code(variant, ctx(birth_date="1990-03-05")) == variant


@pytest.mark.parametrize("typed", [TAX_CODE[:-1] + ("A" if TAX_CODE[-1] != "A" else "B"), TAX_CODE[:15],
                                   TAX_CODE + "X", "RSSMRA90C45A944", "1234567890123456", "hello",
                                   "00743110157",  # a company's codice fiscale (11 digits), not a person's
                                   "RSSMRA90B30A944N"])  # 30 February, with its right check letter
def test_a_wrong_codice_fiscale_is_refused(typed):
    assert "not valid" in refused(validators.tax_code, typed)


def test_a_codice_fiscale_of_another_birth_date_is_refused_with_the_date():
    message = refused(validators.tax_code, TAX_CODE, ctx(birth_date="1990-03-06"))
    assert "does not match your date of birth (6 March 1990)" in message


@pytest.mark.parametrize("born", ["1926-03-01", "1926-12-01", "2005-07-31", "1999-12-31", "2008-11-25"])
def test_a_codice_fiscale_matches_its_birth_date_whatever_the_century(born):
    year, month, day = born.split("-")
    code = codicefiscale.encode(lastname="Bianchi", firstname="Luca", gender="M",
                                birthdate=f"{day}/{month}/{year}", birthplace="Imola")
    assert validators.tax_code_matches(code, born)
    assert not validators.tax_code_matches(code, (dt.date.fromisoformat(born) + dt.timedelta(days=1)).isoformat())
    assert validators.tax_code(code, ctx(birth_date=born)) == code


# -- phone ------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed, e164", [
    ("347 123 4567", "+393471234567"), ("3471234567", "+393471234567"), ("+39 347 123 4567", "+393471234567"),
    ("0039 347 123 4567", "+393471234567"), ("(347) 123-4567", "+393471234567"),
    ("051 123456", "+39051123456"), ("+44 7911 123456", "+447911123456"), ("+212 612-345678", "+212612345678"),
])
def test_phone_numbers_are_stored_in_e164(typed, e164):
    assert validators.phone(typed, ctx()) == e164


@pytest.mark.parametrize("typed", ["", "12345", "347", "phone", "+39 347 123 4567 890 12", "+999 1234567"])
def test_wrong_phone_numbers_are_refused_with_an_example(typed):
    assert "347 123 4567" in refused(validators.phone, typed)


def test_a_phone_number_reads_in_international_format():
    assert validators.show_phone("+393471234567", ctx()) == "+39 347 123 4567"


# -- email ------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed, kept", [
    ("maria.rossi@example.com", "maria.rossi@example.com"), (" Maria@Example.COM ", "Maria@example.com"),
    ("anna+lavoro@gmail.com", "anna+lavoro@gmail.com"),
])
def test_valid_emails_are_kept(typed, kept):
    assert validators.email(typed, ctx()) == kept


@pytest.mark.parametrize("typed", ["maria", "maria@", "@example.com", "maria rossi@example.com",
                                   "maria@example", "maria@@example.com"])
def test_wrong_emails_are_refused_with_an_example(typed):
    assert "maria.rossi@gmail.com" in refused(validators.email, typed)

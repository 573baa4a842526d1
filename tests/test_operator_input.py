"""services.operator_input: what operators type, read the same by the command line and the back
office; a wrong input is a ValueError with a message for people and a reason for callers."""
from __future__ import annotations

import datetime as dt

import pytest

from services.operator_input import (Invalid, parse_datetime, parse_day, parse_end, parse_line, parse_time,
                                     parse_weekdays, parse_whole)


@pytest.mark.parametrize("typed", ["2026-12-01", "01/12/2026", "01.12.2026", "01-12-2026", " 2026-12-01 "])
def test_a_day_in_every_way_the_office_writes_it(typed):
    assert parse_day(typed) == dt.date(2026, 12, 1)


@pytest.mark.parametrize("typed, expected", [("9", dt.time(9)), ("09:00", dt.time(9)), ("9.30", dt.time(9, 30)),
                                             ("23:59", dt.time(23, 59))])
def test_a_time(typed, expected):
    assert parse_time(typed) == expected


def test_a_date_and_time_stay_apart_until_made_an_instant():
    assert parse_datetime("2026-12-01T09:00") == (dt.date(2026, 12, 1), dt.time(9))
    assert parse_end("12:30") == (None, dt.time(12, 30))
    assert parse_end("02/12/2026 12:30") == (dt.date(2026, 12, 2), dt.time(12, 30))


@pytest.mark.parametrize("typed, expected", [
    ("tue,thu", [1, 3]), ("Martedì giovedì", [1, 3]), ("lun-ven", [0, 1, 2, 3, 4]), ("sab-lun", [0, 5, 6]),
])
def test_weekdays_in_italian_or_english(typed, expected):
    assert parse_weekdays(typed) == expected


@pytest.mark.parametrize("parse, typed, reason, message", [
    (parse_day, "31/02/2026", "day", "data non valida «31/02/2026» (esempio: 2026-12-01 oppure 01/12/2026)"),
    (parse_time, "24:00", "time", "ora non valida «24:00» (esempio: 09:00)"),
    (parse_datetime, "2026-12-01", "datetime", "data e ora non valide «2026-12-01» (esempio: 2026-12-01 09:00)"),
    (parse_datetime, "2026-12-01 25:00", "datetime", "data e ora non valide «2026-12-01 25:00»"),
    (parse_weekdays, "tue,fry", "weekdays", "giorno non riconosciuto: fry"),
    (parse_weekdays, " , ", "weekdays", "giorno non riconosciuto: nessuno"),
    (parse_whole, "due", "number", "numero non valido «due»"),
    (parse_whole, "0", "too_small", "deve essere almeno 1 (non 0)"),
    (lambda typed: parse_whole(typed, most=52), "53", "too_big", "deve essere al massimo 52 (non 53)"),
    (parse_line, "   ", "empty", "non può essere vuoto"),
    (lambda typed: parse_line(typed, limit=3), "abcd", "too_long", "troppo lungo: al massimo 3 caratteri (ne ha 4)"),
])
def test_a_wrong_input_says_why_in_words_and_by_reason(parse, typed, reason, message):
    with pytest.raises(Invalid) as problem:
        parse(typed)
    assert isinstance(problem.value, ValueError)
    assert problem.value.reason == reason
    assert message in str(problem.value)


def test_one_line_text_collapses_its_spaces():
    assert parse_line("  Anna \n Bianchi ") == "Anna Bianchi"

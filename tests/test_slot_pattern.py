"""services.agenda.add_pattern, the office's weekly pattern as both the CLI and the back office
ask for it, on SQLite and PostgreSQL: its checks, and the days from the first to the last."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from conversations.i18n import TIMEZONE
from services import agenda
from tests.conftest import NOW

FIELDS = {"duration_minutes": 45, "mode": "in_person", "address": "Via Castiglione 1", "operator": "Anna"}


def pattern(db_engine, **changes) -> agenda.PatternResult:
    request = {"first_day": dt.date(2026, 11, 30), "last_day": dt.date(2026, 12, 13), "weekdays": [1, 3],
               "opens": dt.time(9), "closes": dt.time(10, 30), "now": NOW, **FIELDS, **changes}
    with Session(db_engine) as sql_session, sql_session.begin():
        result = agenda.add_pattern(sql_session, **request)
        return agenda.PatternResult([(s.starts_at.astimezone(TIMEZONE)) for s in result.created],
                                    result.existing, result.past, result.holidays)


def test_a_pattern_fills_the_chosen_days_up_to_the_last_one(any_db):
    result = pattern(any_db)
    assert [(t.day, t.hour, t.minute) for t in result.created] == [
        (d, h, m) for d in (1, 3, 10) for h, m in ((9, 0), (9, 45))]  # tuesday 8 december is a holiday
    assert result.holidays == {dt.date(2026, 12, 8): "Immacolata Concezione"}
    assert pattern(any_db).existing == 6


def test_a_pattern_stops_at_its_last_day_within_a_week(any_db):
    result = pattern(any_db, last_day=dt.date(2026, 12, 8), include_holidays=True)
    assert sorted({t.day for t in result.created}) == [1, 3, 8]


@pytest.mark.parametrize("changes, reason", [
    ({"address": None}, "address"),
    ({"opens": dt.time(13), "closes": dt.time(9)}, "hours"),
    ({"opens": dt.time(9), "closes": dt.time(9)}, "hours"),
    ({"opens": dt.time(9), "closes": dt.time(9, 30)}, "window"),
])
def test_a_pattern_that_cannot_hold_an_interview_is_refused(any_db, changes, reason):
    with pytest.raises(agenda.AgendaError) as problem:
        pattern(any_db, **changes)
    assert problem.value.reason == reason


def test_a_slot_in_person_needs_an_address(any_db):
    with Session(any_db) as sql_session, pytest.raises(agenda.AgendaError) as problem:
        agenda.add_slot(sql_session, starts_at=NOW + dt.timedelta(days=1), now=NOW,
                        **{**FIELDS, "address": None})
    assert problem.value.reason == "address"

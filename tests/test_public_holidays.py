"""Public holidays (services.public_holidays, from python-holidays): the office's weekly pattern
skips them unless asked, and says which; the demo agenda puts nothing on them. On SQLite and
PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlmodel import Session

from conversations.i18n import TIMEZONE
from services import agenda, demo, public_holidays
from store.models import InterviewSlot, WorkshopSession

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
FIELDS = {"opens": dt.time(9), "closes": dt.time(10, 30), "duration_minutes": 45, "mode": "phone",
          "address": None, "operator": "Anna", "now": NOW}
MON_TO_SAT = range(6)


def run_pattern(db_engine, first_day: dt.date, last_day: dt.date, **changes):
    """(local days that got slots, the holidays the pattern reported skipping)."""
    with Session(db_engine) as sql_session, sql_session.begin():
        result = agenda.add_pattern(sql_session, first_day=first_day, last_day=last_day, weekdays=MON_TO_SAT,
                                    **{**FIELDS, **changes})
        return sorted({s.starts_at.astimezone(TIMEZONE).date() for s in result.created}), result.holidays


def test_december_skips_the_immacolata_and_christmas(any_db):
    days, skipped = run_pattern(any_db, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    holidays = [dt.date(2026, 12, 8), dt.date(2026, 12, 25), dt.date(2026, 12, 26)]
    assert skipped == {holidays[0]: "Immacolata Concezione", holidays[1]: "Natale", holidays[2]: "Santo Stefano"}
    assert not set(holidays) & set(days)
    assert len(days) == 27 - 3  # the month's 27 days from Monday to Saturday, less the three
    assert public_holidays.listed(skipped) == \
        "8/12/2026 (Immacolata Concezione), 25/12/2026 (Natale), 26/12/2026 (Santo Stefano)"


def test_the_office_may_ask_for_the_holidays(any_db):
    days, skipped = run_pattern(any_db, dt.date(2026, 12, 1), dt.date(2026, 12, 31), include_holidays=True)
    assert skipped == {}
    assert {dt.date(2026, 12, 8), dt.date(2026, 12, 25), dt.date(2026, 12, 26)} <= set(days)
    assert len(days) == 27


def test_san_petronio_closes_the_office_in_bologna(any_db):
    days, skipped = run_pattern(any_db, dt.date(2027, 10, 1), dt.date(2027, 10, 9))
    assert dt.date(2027, 10, 4) not in days and dt.date(2027, 10, 5) in days
    assert list(skipped) == [dt.date(2027, 10, 4)]
    assert "San Petronio" in skipped[dt.date(2027, 10, 4)]


def test_only_holidays_on_the_chosen_weekdays_are_reported(any_db):
    with Session(any_db) as sql_session, sql_session.begin():
        result = agenda.add_pattern(sql_session, first_day=dt.date(2026, 12, 1), last_day=dt.date(2026, 12, 31),
                                    weekdays=[3], **FIELDS)  # thursdays: none is a holiday in December 2026
    assert result.holidays == {} and len(result.created) == 5 * 2


@pytest.mark.parametrize("now", [
    dt.datetime(2026, 12, 1, 5, 0, tzinfo=UTC),  # tuesday 8 december in the slots' three weeks
    dt.datetime(2026, 12, 20, 10, 0, tzinfo=UTC),  # wednesday 6 january for the slots and for the cycle
])
def test_the_demo_puts_nothing_on_a_holiday(any_db, now):
    today = now.astimezone(TIMEZONE).date()
    with Session(any_db) as sql_session, sql_session.begin():
        report = demo.load(sql_session, now=now)
    with Session(any_db) as sql_session:
        slot_days = {s.astimezone(TIMEZONE).date() for s in sql_session.execute(
            select(InterviewSlot.starts_at)).scalars()}
        workshop_days = [w.astimezone(TIMEZONE).date() for w in sql_session.execute(
            select(WorkshopSession.starts_at).order_by(WorkshopSession.starts_at)).scalars()]
    closed = public_holidays.between(today, today + dt.timedelta(weeks=12))
    skipped = {day for _plan, result in report.slots for day in result.holidays}
    assert skipped and skipped <= set(closed)
    assert not (slot_days | set(workshop_days)) & set(closed)
    assert len(workshop_days) == len(demo.SESSIONS)
    assert all(day.weekday() == demo.WED for day in workshop_days)
    if today == dt.date(2026, 12, 20):
        assert workshop_days == [dt.date(2026, 12, 23), dt.date(2026, 12, 30), dt.date(2027, 1, 13),
                                 dt.date(2027, 1, 20)]
        assert dt.date(2027, 1, 7) in slot_days  # the thursday after the Epiphany is a working day

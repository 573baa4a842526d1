"""Office hours (services.office_hours) and the inbox's figures on the dashboard
(services.inbox_figures): next opening across weekends and holidays, waiting time counted in
office hours only, questions, first-response median and 90th percentile, open conversations by age."""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from services import inbox, inbox_figures, office_hours
from services.clock import local
from store.models import InboxConversation
from tests.conftest import NOW
from tests.office_support import client, fast_hashes, logged_in, office, office_accounts  # noqa: F401


def rome(day: str, time: str) -> dt.datetime:
    return local(dt.date.fromisoformat(day), dt.time.fromisoformat(time))


def test_next_opening():
    assert office_hours.next_opening(rome("2026-11-25", "11:00")) is None  # Wednesday morning: open
    assert office_hours.next_opening(rome("2026-11-24", "13:30")) == rome("2026-11-24", "14:30")  # Tuesday lunch
    assert office_hours.next_opening(rome("2026-11-25", "13:30")) == rome("2026-11-26", "09:00")  # Wednesday: mornings only
    assert office_hours.next_opening(rome("2026-11-27", "17:00")) == rome("2026-11-30", "09:00")  # Friday evening
    assert office_hours.next_opening(rome("2026-12-24", "18:00")) == rome("2026-12-28", "09:00")  # Christmas, S. Stefano
    assert office_hours.next_opening(rome("2026-10-03", "10:00")) == rome("2026-10-05", "09:00")
    assert office_hours.next_opening(rome("2026-10-02", "18:00")) == rome("2026-10-05", "09:00")  # S. Petronio is Sunday
    assert not office_hours.is_open(rome("2026-12-08", "10:00"))  # Immacolata


def test_open_seconds_count_office_hours_only():
    assert office_hours.open_seconds(rome("2026-11-25", "10:00"), rome("2026-11-25", "11:30")) == 5400
    assert office_hours.open_seconds(rome("2026-11-24", "12:00"), rome("2026-11-24", "15:00")) == 5400  # lunch out
    # Thursday 16:00 to Monday 10:00: one hour on Thursday, the Friday morning, one on Monday
    assert office_hours.open_seconds(rome("2026-11-26", "16:00"), rome("2026-11-30", "10:00")) == 7200 + 14400
    assert office_hours.open_seconds(rome("2026-11-28", "10:00"), rome("2026-11-28", "12:00")) == 0


def test_percentile_nearest_rank():
    assert inbox_figures.percentile([], 0.5) is None
    assert inbox_figures.percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert inbox_figures.percentile([float(n) for n in range(1, 11)], 0.9) == 9.0


def conversation(session, opened: dt.datetime, answered: dt.datetime | None = None, status: str = "new") -> None:
    from store.models import Contact
    contact = Contact()
    session.add(contact)
    session.flush()
    session.add(InboxConversation(contact_id=contact.id, channel="telegram", status=status, opened_at=opened,
                                  first_response_at=answered))


def test_figures_and_the_dashboard(db, client):
    with Session(db) as session, session.begin():
        conversation(session, rome("2026-11-20", "10:00"), rome("2026-11-20", "11:00"), "closed")  # 1 h
        conversation(session, rome("2026-11-19", "16:00"), rome("2026-11-20", "10:00"), "waiting")  # Thu->Fri: 2 h
        conversation(session, rome("2026-11-24", "09:00"), rome("2026-11-24", "13:00"), "closed")  # 4 h
        conversation(session, rome("2026-11-25", "09:30"))  # open, not answered, less than a day
        conversation(session, rome("2026-06-30", "09:30"), status="closed")  # the semester before
    with Session(db) as session:
        found = inbox_figures.figures(session, first_day=dt.date(2026, 7, 1), end_day=dt.date(2027, 1, 1), now=NOW)
    assert (found.questions, found.answered, found.median_hours, found.p90_hours) == (4, 3, 2.0, 4.0)
    assert found.open_by_age == {"day": 1, "three_days": 0, "week": 1, "older": 0} and found.open_now == 2
    logged_in(client, "vera")
    page = client.get("/office/dashboard?semester=2026-2").text
    assert 'data-inbox="questions">4<' in page and 'data-inbox="median">2 h<' in page
    assert 'data-inbox="p90">4 h<' in page and 'data-inbox-age="all">2<' in page
    assert "Prima risposta, mediana (ore d&#39;ufficio)" in page or "Prima risposta, mediana (ore d'ufficio)" in page
    assert inbox.STATUS_WORDS["waiting"] == "in attesa della persona"

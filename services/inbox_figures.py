"""The inbox's figures for the dashboard: questions (conversations opened) in a semester, the
first-response time (median and 90th percentile) counted in office hours only
(services.office_hours), and the conversations open now by age."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import select
from sqlmodel import Session

from services import office_hours
from services.clock import local
from store.models import InboxConversation, aware

AGES = (("day", dt.timedelta(days=1)), ("three_days", dt.timedelta(days=3)), ("week", dt.timedelta(days=7)),
        ("older", None))  # open conversations: less than a day, 1-3 days, 3-7 days, more


@dataclass(frozen=True)
class InboxFigures:
    questions: int                       # conversations opened in the period
    answered: int                        # of which an operator replied to
    median_hours: Optional[float]        # first response, in office hours
    p90_hours: Optional[float]
    open_by_age: dict[str, int] = field(default_factory=dict)  # AGES' keys -> conversations open now

    @property
    def open_now(self) -> int:
        return sum(self.open_by_age.values())


def percentile(values: list[float], share: float) -> Optional[float]:
    """The nearest-rank percentile (the smallest value with at least ``share`` of them at or below)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def figures(sql_session: Session, *, first_day: dt.date, end_day: dt.date, now: dt.datetime) -> InboxFigures:
    """Questions opened from ``first_day`` to the day before ``end_day`` (Rome days), and what is open now."""
    start, end = local(first_day, dt.time(0, 0)), local(end_day, dt.time(0, 0))
    rows = sql_session.execute(select(InboxConversation.opened_at, InboxConversation.first_response_at)
                               .where(InboxConversation.opened_at >= start, InboxConversation.opened_at < end)).all()
    waits = [office_hours.open_seconds(aware(opened), aware(answered)) / 3600 for opened, answered in rows if answered]
    open_since = [aware(opened) for opened in sql_session.scalars(
        select(InboxConversation.opened_at).where(InboxConversation.status != "closed"))]
    by_age = {key: 0 for key, _limit in AGES}
    for opened in open_since:
        age = now - opened
        by_age[next(key for key, limit in AGES if limit is None or age < limit)] += 1
    return InboxFigures(len(rows), len(waits), _round(percentile(waits, 0.5)), _round(percentile(waits, 0.9)),
                        by_age)


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 1)

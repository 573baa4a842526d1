"""The back office's home page figures: the current semester's funnel (services.figures) and
the counts under it."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from sqlalchemy import func, select

from conversations.i18n import TIMEZONE
from services import figures
from services.agenda import local
from store.models import InterviewBooking, InterviewSlot, Registration


def home_counts(session_maker, clock: Callable[[], dt.datetime]) -> dict[str, object]:
    today = local(clock().astimezone(TIMEZONE).date(), dt.time(0, 0))
    live = Registration.erased_at.is_(None)
    with session_maker() as sql_session:
        return {
            # The current semester's funnel (services.figures), the home page's first block.
            "semester": figures.figures(sql_session, now=clock(), semester=figures.Semester.of(
                clock().astimezone(TIMEZONE).date())),
            "new": sql_session.scalar(select(func.count()).where(live, Registration.status == "new")),
            "all": sql_session.scalar(select(func.count()).select_from(Registration).where(live)),
            "interviews": sql_session.scalar(
                select(func.count()).select_from(InterviewBooking)
                .join(InterviewSlot, InterviewSlot.id == InterviewBooking.slot_id)
                .where(InterviewBooking.status == "booked", InterviewSlot.starts_at >= today)),
        }

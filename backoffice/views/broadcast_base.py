"""What the broadcasts' pages share: the grant to act, the database and clock, one way to read
or change, and the names of the workshop sessions an audience may name."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from sqladmin import BaseView
from sqlalchemy.orm import sessionmaker

from services.clock import utcnow
from services.office import audit
from services.office_pages import broadcast_lookups

from backoffice.views.broadcast_words import workshop_names

EDIT = "broadcasts"  # the grant that lets one compose, count and cancel


def broadcast_id(raw: Any) -> int:
    """The id a page sent; 0 (found nowhere) when it is not one."""
    text = str(raw or "")
    return int(text) if text.isdigit() and len(text) < 18 else 0


class OfficePage(BaseView):
    """A broadcasts' page: its database and clock, and one way to read or change."""

    session_maker: sessionmaker | None = None
    clock: Callable[[], dt.datetime] = staticmethod(utcnow)

    def _run(self, work: Callable, *args, action: str | None = None):
        """Read (nothing committed), or with ``action`` change, in one audited transaction."""
        if action:
            return audit.run(self.session_maker, action, lambda sql_session: work(sql_session, *args))
        with self.session_maker() as sql_session:
            return work(sql_session, *args)

    def _workshops(self, sql_session) -> dict[int, str]:
        return workshop_names(broadcast_lookups.workshop_sessions(sql_session))

"""A workshop session's page in the office: the sessions to choose from, the chosen one's seats
and waiting list, and its attendance, taken once the session has started."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

from sqlalchemy import select
from sqlmodel import Session

from services import rosters
from services.agenda import AgendaError
from store.models import WorkshopRegistration, WorkshopSession, aware

OUTCOMES = ("attended", "no_show")
TAKEN = ("registered", *OUTCOMES)  # the seats attendance is taken on


@dataclass
class Sheet:
    workshops: list[rosters.WorkshopRow]  # not cancelled, earliest first
    workshop_session: WorkshopSession | None = None
    seated: list[rosters.Participant] = field(default_factory=list)
    waiting: list[rosters.Participant] = field(default_factory=list)


def sheet(sql_session: Session, workshop_session_id: int | None) -> Sheet:
    found = Sheet([row for row in rosters.workshops(sql_session) if row.workshop.cancelled_at is None])
    if workshop_session_id:
        found.workshop_session = rosters.workshop(sql_session, workshop_session_id)
    if found.workshop_session is not None:
        people = rosters.participants(sql_session, session_id=workshop_session_id) or []
        found.seated = [p for p in people if p.position is None]
        found.waiting = [p for p in people if p.position is not None]
    return found


def take(sql_session: Session, *, workshop_session_id: int, wanted: Mapping[int, str], now: dt.datetime) -> int:
    """Each seat in ``wanted`` (seat id -> attended or no_show) set so; returns how many changed.
    AgendaError not_found, or not_started before the session starts."""
    workshop_session = rosters.workshop(sql_session, workshop_session_id)
    if workshop_session is None:
        raise AgendaError("not_found")
    if aware(workshop_session.starts_at) > now:
        raise AgendaError("not_started")
    seats = sql_session.scalars(select(WorkshopRegistration).where(
        WorkshopRegistration.session_id == workshop_session_id, WorkshopRegistration.status.in_(TAKEN))).all()
    changed = 0
    for seat in seats:
        status = wanted.get(seat.id)
        if status in OUTCOMES and status != seat.status:
            seat.status, seat.updated_at = status, now
            changed += 1
    return changed

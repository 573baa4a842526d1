"""A workshop session's sheet in the office: the sessions to choose from, and the chosen one's
seats and waiting list (its attendance is recorded by services.attendance.record_attendance)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from services import rosters
from store.models import WorkshopSession


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
        people = rosters.participants(sql_session, workshop_session_id=workshop_session_id) or []
        found.seated = [p for p in people if p.position is None]
        found.waiting = [p for p in people if p.position is not None]
    return found

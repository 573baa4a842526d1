"""What the broadcasts' pages look up besides services.broadcasts: the workshop sessions an
audience may name, and the broadcast a confirmation page already sent."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from store.models import Broadcast, WorkshopSession


@dataclass(frozen=True)
class Named:
    id: int
    title: str
    starts_at: dt.datetime
    cancelled: bool


def workshop_sessions(sql_session: Session) -> list[Named]:
    """Every workshop session, earliest first, cancelled ones too (old broadcasts name them)."""
    rows = sql_session.execute(select(WorkshopSession.id, WorkshopSession.title, WorkshopSession.starts_at,
                                      WorkshopSession.cancelled_at).order_by(WorkshopSession.starts_at))
    return [Named(row.id, row.title, row.starts_at, row.cancelled_at is not None) for row in rows]


def workshop_session_exists(sql_session: Session, workshop_session_id: int) -> bool:
    return sql_session.get(WorkshopSession, workshop_session_id) is not None


def sent_with_key(sql_session: Session, request_key: str | None) -> int | None:
    """The broadcast created by the confirmation page holding ``request_key``, if any."""
    if not request_key:
        return None
    return sql_session.scalar(select(Broadcast.id).where(Broadcast.request_key == request_key))

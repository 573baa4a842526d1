"""Server-side sessions: the signed cookie carries a random token, the database its SHA-256.
Logging out, a password change or deactivating the account ends them for good."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete
from sqlalchemy.orm import Session

from store.models import aware
from store.models import OfficeOperator, OfficeSession

TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen_at is written at most this often


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, operator_id: int, *, now: dt.datetime) -> str:
    token = secrets.token_urlsafe(32)
    session.add(OfficeSession(token_hash=_hash(token), operator_id=operator_id, created_at=now, last_seen_at=now))
    return token


def resolve(session: Session, token: str | None, *, now: dt.datetime, idle: dt.timedelta) -> OfficeOperator | None:
    """The active operator behind a token, or None (unknown, idle too long, deactivated)."""
    if not token or not isinstance(token, str):
        return None
    row = session.get(OfficeSession, _hash(token))
    if row is None:
        return None
    if now - aware(row.last_seen_at) > idle:
        session.delete(row)
        return None
    operator = session.get(OfficeOperator, row.operator_id)
    if operator is None or not operator.active:
        session.delete(row)
        return None
    if now - aware(row.last_seen_at) > TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
    return operator


def close(session: Session, token: str | None) -> None:
    if token and isinstance(token, str):
        session.execute(delete(OfficeSession).where(OfficeSession.token_hash == _hash(token)))


def close_all(session: Session, operator_id: int) -> None:
    session.execute(delete(OfficeSession).where(OfficeSession.operator_id == operator_id))

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


def open_session(sql_session: Session, operator_id: int, *, now: dt.datetime) -> str:
    token = secrets.token_urlsafe(32)
    sql_session.add(OfficeSession(token_hash=_hash(token), operator_id=operator_id, created_at=now, last_seen_at=now))
    return token


def resolve(sql_session: Session, token: str | None, *, now: dt.datetime, idle: dt.timedelta) -> OfficeOperator | None:
    """The active operator behind a token, or None (unknown, idle too long, deactivated)."""
    if not token or not isinstance(token, str):
        return None
    login = sql_session.get(OfficeSession, _hash(token))
    if login is None:
        return None
    if now - aware(login.last_seen_at) > idle:
        sql_session.delete(login)
        return None
    operator = sql_session.get(OfficeOperator, login.operator_id)
    if operator is None or not operator.active:
        sql_session.delete(login)
        return None
    if now - aware(login.last_seen_at) > TOUCH_EVERY:
        login.last_seen_at = now
        sql_session.add(login)
    return operator


def close(sql_session: Session, token: str | None) -> None:
    if token and isinstance(token, str):
        sql_session.execute(delete(OfficeSession).where(OfficeSession.token_hash == _hash(token)))


def close_all(sql_session: Session, operator_id: int) -> None:
    sql_session.execute(delete(OfficeSession).where(OfficeSession.operator_id == operator_id))

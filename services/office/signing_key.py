"""The session signing key: OFFICE_SECRET_KEY, or one generated at first start and kept in the
database (office_secret) so that every process on that database signs alike."""
from __future__ import annotations

import secrets

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.models import OfficeSecret

SESSION_KEY = "session_signing_key"


def session_key(db_engine: Engine, configured: str | None = None) -> str:
    if configured:
        return configured
    with Session(db_engine) as sql_session:
        found = sql_session.get(OfficeSecret, SESSION_KEY)
        if found:
            return found.value
        sql_session.add(OfficeSecret(name=SESSION_KEY, value=secrets.token_urlsafe(48)))
        try:
            sql_session.commit()
        except IntegrityError:  # another process generated it first: use theirs
            sql_session.rollback()
    with Session(db_engine) as sql_session:
        return sql_session.get(OfficeSecret, SESSION_KEY).value

"""The back office's own tables: operator accounts, their sessions, login throttling, the audit
log and generated secrets. Registered by store.models so that Alembic sees them."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from store.models.columns import utcnow, when as _when

ROLES = ("admin", "operator", "viewer")


class OfficeOperator(SQLModel, table=True):
    """A person who works in the back office. Never deleted: deactivated, so the audit keeps
    pointing at somebody."""

    __tablename__ = "office_operator"

    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True)
    full_name: str = Field(default="", max_length=120)
    role: str = Field(default="viewer", max_length=16)  # admin / operator / viewer
    password_hash: str = Field(max_length=200)
    active: bool = True
    created_at: dt.datetime = _when(nullable=False, default=utcnow)
    password_changed_at: Optional[dt.datetime] = _when(nullable=True)
    last_login_at: Optional[dt.datetime] = _when(nullable=True)

    def __str__(self) -> str:
        return self.username


class OfficeSession(SQLModel, table=True):
    """A logged-in browser. The cookie carries a random token; only its SHA-256 is stored,
    so logging out (or deactivating the operator) ends the session for good."""

    __tablename__ = "office_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    operator_id: int = Field(foreign_key="office_operator.id", index=True)
    created_at: dt.datetime = _when(nullable=False, default=utcnow)
    last_seen_at: dt.datetime = _when(nullable=False, default=utcnow)


class OfficeLoginThrottle(SQLModel, table=True):
    """Failed logins per key ("user:<name>" or "ip:<address>") and until when the key waits."""

    __tablename__ = "office_login_throttle"

    key: str = Field(primary_key=True, max_length=120)
    failures: int = 0
    last_failure_at: dt.datetime = _when(nullable=False, default=utcnow)
    locked_until: Optional[dt.datetime] = _when(nullable=True)


class OfficeAudit(SQLModel, table=True):
    """Who changed what, when, with the values before and after (only the columns that changed).
    ``operator_name`` is copied so the row stays readable whatever happens to the account."""

    __tablename__ = "office_audit"

    id: Optional[int] = Field(default=None, primary_key=True)
    at: dt.datetime = _when(nullable=False, default=utcnow, index=True)
    operator_id: Optional[int] = Field(default=None, index=True)
    operator_name: str = Field(default="", max_length=60)
    action: str = Field(max_length=40)  # create / update / delete / login / logout / an action's name
    table_name: str = Field(default="", max_length=60)
    row_id: Optional[str] = Field(default=None, max_length=60)
    before: Optional[dict] = Field(default=None, sa_column=Column(JSON))
    after: Optional[dict] = Field(default=None, sa_column=Column(JSON))
    ip: Optional[str] = Field(default=None, max_length=64)


class OfficeSecret(SQLModel, table=True):
    """Secrets generated at first start (the session signing key when OFFICE_SECRET_KEY is unset),
    shared by every process on the database."""

    __tablename__ = "office_secret"

    name: str = Field(primary_key=True, max_length=60)
    value: str = Field(max_length=200)
    created_at: dt.datetime = _when(nullable=False, default=utcnow)

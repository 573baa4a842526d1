"""The audit log: every change made through the back office's database sessions is written in
the same transaction as the change itself, with who, when, what, and the changed columns before
and after. Nothing changes without a known operator (the request sets ``current_actor``)."""
from __future__ import annotations

import datetime as dt
import functools
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, sessionmaker

from store.models import OfficeAudit

NOT_AUDITED = {"office_session", "office_login_throttle", "office_secret", "office_audit"}
REDACTED = {"password_hash"}
ACTION_KEY = "audit_action"  # session.info[ACTION_KEY] names an update ("mark_reviewed")


@dataclass(frozen=True)
class Actor:
    operator_id: int | None
    name: str
    ip: str | None = None


current_actor: ContextVar[Actor | None] = ContextVar("office_actor", default=None)


class NoActor(PermissionError):
    """A change reached the database with no operator behind it."""


def install(session_maker: sessionmaker, clock: Callable[[], dt.datetime]) -> None:
    event.listen(session_maker, "after_flush", functools.partial(_after_flush, clock=clock))


def run(session_maker: sessionmaker, action: str, work: Callable[[Session], Any]) -> Any:
    """``work`` in one transaction, its changes written to the log under ``action``; committed
    when it returns, rolled back when it raises. Blocking: call it in a worker thread."""
    with session_maker() as sql_session:
        sql_session.info[ACTION_KEY] = action
        done = work(sql_session)
        sql_session.commit()
        return done


def record(sql_session: Session, *, action: str, actor: Actor, at: dt.datetime, table: str = "",
           row_id: Any = None, before: dict | None = None, after: dict | None = None) -> None:
    """An entry for what the listener cannot see (logins, logouts, password changes)."""
    sql_session.add(OfficeAudit(at=at, operator_id=actor.operator_id, operator_name=actor.name, action=action,
                                table_name=table, row_id=None if row_id is None else str(row_id),
                                before=before, after=after, ip=actor.ip))


def _after_flush(sql_session: Session, _context, *, clock: Callable[[], dt.datetime]) -> None:
    # Still the flush's "pre" state here: session.new/dirty/deleted and attribute histories.
    entries = [e for e in (*(_created(o) for o in sql_session.new), *(_updated(o) for o in sql_session.dirty),
                           *(_deleted(o) for o in sql_session.deleted)) if e]
    if not entries:
        return
    actor = current_actor.get()
    if actor is None:
        raise NoActor("a change in the back office with no operator to write in the audit log")
    named = sql_session.info.get(ACTION_KEY)
    rows = [{"at": clock(), "operator_id": actor.operator_id, "operator_name": actor.name, "ip": actor.ip,
             "action": named if named and action == "update" else action, "table_name": table,
             "row_id": row_id, "before": before, "after": after}
            for action, table, row_id, before, after in entries]
    sql_session.connection().execute(insert(OfficeAudit.__table__), rows)


def _table(obj: Any) -> str | None:
    table = getattr(type(obj), "__tablename__", None)
    return None if table in NOT_AUDITED else table


def _columns(obj: Any) -> list[str]:
    return [attr.key for attr in inspect(type(obj)).column_attrs]


def _row_id(obj: Any) -> str:
    return ",".join(str(v) for v in inspect(obj).identity or ())


def _created(obj: Any):
    table = _table(obj)
    if table:
        after = {key: _plain(key, getattr(obj, key)) for key in _columns(obj)}
        return "create", table, _row_id(obj), None, after


def _deleted(obj: Any):
    table = _table(obj)
    if table:
        before = {key: _plain(key, getattr(obj, key)) for key in _columns(obj)}
        return "delete", table, _row_id(obj), before, None


def _updated(obj: Any):
    table = _table(obj)
    if not table:
        return None
    state, before, after = inspect(obj), {}, {}
    for key in _columns(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old != new:
            before[key], after[key] = _plain(key, old), _plain(key, new)
    if after:
        return "update", table, _row_id(obj), before, after


def _plain(key: str, value: Any) -> Any:
    """A JSON value: dates as ISO text; secrets hidden."""
    if key in REDACTED:
        return "***" if value else value
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain("", v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool, dict)):
        return value
    return str(value)

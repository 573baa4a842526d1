"""Operator accounts: creation (the first admin too), password checks with throttling, and
password changes. Every function takes the SQL session and ``now``; the caller commits."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.models import ROLES, OfficeOperator

from services.office import audit, passwords, logins, login_throttle as throttle


def N_(message: str) -> str:
    """Mark a string for the back office's catalog (backoffice/catalog.py scans this package);
    it is translated where it is shown."""
    return message


USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,59}$")
FIRST_ADMIN = "admin"


class AccountError(ValueError):
    """A name, role or password that cannot be used; the message is for the operator (English
    msgid, translated where it is shown)."""


@dataclass(frozen=True)
class LoginResult:
    operator: OfficeOperator | None
    wait: dt.timedelta | None = None  # set when throttled: nothing was checked


def normalize_username(name: str) -> str:
    return name.strip().lower()


def create_operator(sql_session: Session, *, username: str, role: str, now: dt.datetime, full_name: str = "",
                    password: str | None = None, actor: audit.Actor | None = None) -> tuple[OfficeOperator, str]:
    """A new account; returns it with its password (random unless given)."""
    username = normalize_username(username)
    if not USERNAME.match(username):
        raise AccountError(N_("A username has up to 60 characters: lowercase letters, digits and . _ @ -"))
    if role not in ROLES:
        raise AccountError(N_("Unknown role."))
    if sql_session.scalar(select(OfficeOperator.id).where(OfficeOperator.username == username)):
        raise AccountError(N_("This username is taken."))
    password = password or passwords.random_password()
    check_strength(password)
    operator = OfficeOperator(username=username, full_name=full_name.strip(), role=role, created_at=now,
                              password_hash=passwords.hash_password(password), password_changed_at=now)
    sql_session.add(operator)
    sql_session.flush()
    if actor:
        audit.record(sql_session, action="create", actor=actor, at=now, table="office_operator", row_id=operator.id,
                     after={"username": username, "role": role, "full_name": operator.full_name})
    return operator, password


def check_strength(password: str) -> None:
    if len(password) < passwords.MIN_LENGTH:
        raise AccountError(N_("The password needs at least 10 characters."))


def ensure_first_admin(db_engine: Engine, *, now: dt.datetime, announce: Callable[[str], None]) -> str | None:
    """With no operator at all, create "admin" with a random password and announce it once.
    Returns the password, or None when accounts already exist."""
    with Session(db_engine) as sql_session:
        if sql_session.scalar(select(func.count()).select_from(OfficeOperator)):
            return None
        try:  # create_operator flushes: the INSERT itself may meet the other's row
            _, password = create_operator(sql_session, username=FIRST_ADMIN, role="admin", now=now,
                                          actor=audit.Actor(None, "(first start)"))
            sql_session.commit()
        except IntegrityError:  # another process created it at the same moment
            return None
    announce(first_admin_message(FIRST_ADMIN, password))
    return password


def first_admin_message(username: str, password: str) -> str:
    line = "=" * 72
    return (f"{line}\nBack office: primo accesso / first login\n"
            f"  utente / user:      {username}\n  password:           {password}\n"
            f"La password è mostrata solo ora: conservala e cambiala dopo il primo accesso.\n"
            f"This password is shown only now: keep it, and change it after the first login.\n{line}")


def check_login(sql_session: Session, *, username: str, password: str, ip: str | None,
                now: dt.datetime, logging_in: bool = True) -> LoginResult:
    """Throttled check of a password (``logging_in=False``: a check before a password change)."""
    username = normalize_username(username)
    keys = throttle.keys(username, ip)
    wait = throttle.wait(sql_session, keys, now=now)
    if wait:
        return LoginResult(None, wait)
    operator = sql_session.scalar(select(OfficeOperator).where(OfficeOperator.username == username))
    good = passwords.verify(operator.password_hash if operator else None, password)
    if not good or not operator.active:
        throttle.failed(sql_session, keys, now=now)
        return LoginResult(None)
    throttle.succeeded(sql_session, username)
    if passwords.needs_rehash(operator.password_hash):
        operator.password_hash = passwords.hash_password(password)
    if logging_in:
        operator.last_login_at = now
    sql_session.add(operator)
    return LoginResult(operator)


def set_password(sql_session: Session, operator: OfficeOperator, password: str, *, now: dt.datetime,
                 actor: audit.Actor, action: str = "password_change") -> None:
    """A new password ends every session of the account (the caller opens a new one if needed)."""
    check_strength(password)
    operator.password_hash = passwords.hash_password(password)
    operator.password_changed_at = now
    sql_session.add(operator)
    logins.close_all(sql_session, operator.id)
    audit.record(sql_session, action=action, actor=actor, at=now, table="office_operator", row_id=operator.id)


def reset_password(sql_session: Session, username: str, *, now: dt.datetime, actor: audit.Actor) -> tuple[str, str]:
    """A new random password for ``username`` (its sessions end); the account's name and the
    password. AccountError when there is no such account."""
    operator = sql_session.scalar(select(OfficeOperator).where(OfficeOperator.username == normalize_username(username)))
    if operator is None:
        raise AccountError(N_("No account with this username."))
    password = passwords.random_password()
    set_password(sql_session, operator, password, now=now, actor=actor, action="password_reset")
    return operator.username, password

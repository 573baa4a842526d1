"""Login throttling, per account and per address: after 5 failed attempts in a row on an account
(20 from one address, which an office behind one router shares), each further attempt waits, twice as long after every new failure (30 s, 1 min, 2 min, ...,
at most MAX_WAIT). A success clears the account's counter; counters older than FORGET start over.

Kept in the database (office_login_throttle) so that every process and every restart sees them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from store.models import aware
from store.models import OfficeLoginThrottle

FREE_FAILURES = {"user": 5, "ip": 20}
FIRST_WAIT = dt.timedelta(seconds=30)
MAX_WAIT = dt.timedelta(minutes=30)
FORGET = dt.timedelta(hours=24)


def keys(username: str, ip: str | None) -> list[str]:
    found = [f"user:{username.strip().lower()[:100]}"]
    if ip:
        found.append(f"ip:{ip[:100]}")
    return found


def wait(sql_session: Session, keys: list[str], *, now: dt.datetime) -> dt.timedelta | None:
    """How long these keys must still wait before another attempt, or None."""
    longest = None
    for key in keys:
        row = sql_session.get(OfficeLoginThrottle, key)
        if row and row.locked_until and aware(row.locked_until) > now:
            left = aware(row.locked_until) - now
            longest = max(longest or left, left)
    return longest


def failed(sql_session: Session, keys: list[str], *, now: dt.datetime) -> None:
    for key in keys:
        row = sql_session.get(OfficeLoginThrottle, key)
        if row is None or now - aware(row.last_failure_at) > FORGET:
            row = row or OfficeLoginThrottle(key=key)
            row.failures, row.locked_until = 0, None
        row.failures += 1
        row.last_failure_at = now
        free = FREE_FAILURES[key.split(":", 1)[0]]
        if row.failures >= free:
            row.locked_until = now + min(FIRST_WAIT * 2 ** (row.failures - free), MAX_WAIT)
        sql_session.add(row)


def succeeded(sql_session: Session, username: str) -> None:
    """The account's counter starts over; the address keeps its own (one good password must not
    open the way to guessing the others' from the same address)."""
    row = sql_session.get(OfficeLoginThrottle, keys(username, None)[0])
    if row:
        sql_session.delete(row)

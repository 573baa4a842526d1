"""The send times a channel has handed out, in one row shared by every bot process.

Telegram's overall limit (about 30 messages a second) is for the bot token, not for a process:
two bot processes on one PostgreSQL database must stay within it together. Each sender reserves
its next few send slots here, ``next_at = max(next_at, now) + calls / rate``, in one UPDATE that
returns the new value: the slots of all processes follow each other, never overlap. A 429 pushes
``next_at`` past its retry_after, which pauses every process.

Times are seconds since the epoch of each process's wall clock (machines kept in step by NTP;
a skew of d seconds can let two processes' slots overlap by d at most, which the platform's one
second of burst absorbs).
"""
from __future__ import annotations

from sqlalchemy import case, select, update

from store.models import OutboxPace


_pace = OutboxPace.__table__


def reserve(db_engine, *, channel: str, now: float, seconds: float) -> float:
    """Reserve ``seconds`` of the channel's send time from ``now`` on: the reserved span's
    start (``now`` or later, when other senders hold the time until then). Commits."""
    later = case((_pace.c.next_at > now, _pace.c.next_at), else_=now) + seconds
    statement = (update(_pace).where(_pace.c.channel == channel).values(next_at=later)
                 .returning(_pace.c.next_at))
    with db_engine.begin() as connection:
        end = connection.execute(statement).scalar()
        if end is None:  # the channel's first reservation
            _create(connection, channel)
            end = connection.execute(statement).scalar()
    return end - seconds


def pause(db_engine, *, channel: str, until: float) -> None:
    """No slot before ``until`` for any sender (the platform asked to wait)."""
    later = case((_pace.c.next_at > until, _pace.c.next_at), else_=until)
    with db_engine.begin() as connection:
        if connection.execute(update(_pace).where(_pace.c.channel == channel)
                              .values(next_at=later)).rowcount == 0:
            _create(connection, channel)
            connection.execute(update(_pace).where(_pace.c.channel == channel).values(next_at=later))


def next_at(db_engine, channel: str) -> float | None:
    with db_engine.connect() as connection:
        return connection.execute(select(_pace.c.next_at).where(_pace.c.channel == channel)).scalar()


def _create(connection, channel: str) -> None:
    dialect = connection.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    connection.execute(upsert(_pace).values(channel=channel, next_at=0.0).on_conflict_do_nothing())

"""Database engine: SQLite (embedded default) or PostgreSQL, chosen by DATABASE_URL."""
from __future__ import annotations

import sqlite3
import threading
import weakref
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{PROJECT_DIR / 'insieme.db'}"


def make_engine(url: str | None = None, **kwargs) -> Engine:
    url = make_url(url or DEFAULT_URL)
    if url.get_backend_name() == "sqlite":
        db_engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _tune_sqlite(db_engine)
        return db_engine
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver installed
    # pre_ping and recycle: a restarted server or a firewall dropping idle connections costs a
    # reconnect, not a failed message. UTC sessions: naive datetimes mean UTC, as on SQLite.
    options = {"pool_pre_ping": True, "pool_recycle": 1800,
               "connect_args": {"options": "-c TimeZone=UTC", "application_name": "insieme-bot"}}
    return create_engine(url, **{**options, **kwargs})


# Each connection's own page cache. SQLite's default of 2 MiB, times the connections of the step
# threads, the sender and the back office, was 7 MB of the bot's memory in a broadcast; what the
# cache misses, the system's file cache serves (bench_broadcast, issue 12).
SQLITE_CACHE_KIB = 512
BUSY_SECONDS = 30  # how long a transaction waits for the database before giving up (SQLite's busy timeout)


def _tune_sqlite(db_engine: Engine) -> None:
    """WAL for concurrent readers; BEGIN IMMEDIATE so two processes never deadlock
    upgrading a read lock to a write lock (SQLite's busy timeout cannot break that).

    Within the process, the write lock is handed from thread to thread by a Python lock taken
    before BEGIN IMMEDIATE and given back right after COMMIT or ROLLBACK. SQLite alone makes a
    waiting connection sleep and try again (1, 2, 5, 10... ms), so under load the database stood
    unlocked while the steps waiting for it slept: a sixth of the transactions of bench_latency
    waited, 39 ms each on average. Other processes on the same file still meet SQLite's own wait."""
    writer = threading.Lock()
    holder: list = []  # the driver connection whose transaction holds it, while one does

    @event.listens_for(db_engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(db_engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        if db_engine in _CHECKPOINTED_ELSEWHERE and not record.info.get("no_autocheckpoint"):
            dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
            record.info["no_autocheckpoint"] = True

    def release(driver) -> None:
        if holder and holder[0] is driver:
            holder.clear()
            writer.release()

    @event.listens_for(db_engine, "begin")
    def _on_begin(connection):
        driver = connection.connection.driver_connection
        if not writer.acquire(timeout=BUSY_SECONDS):
            raise OperationalError("BEGIN IMMEDIATE", None, Exception("database is locked (by this process)"))
        try:
            holder.append(driver)
            # Straight on the driver: exec_driver_sql's machinery costs more than the BEGIN
            # itself, and every message opens a transaction (bench/bench_updates.py).
            driver.execute("BEGIN IMMEDIATE")
        except BaseException as error:
            holder.clear()  # ours, whether or not the append happened
            writer.release()
            if isinstance(error, sqlite3.OperationalError):  # another process holds it: as SQLAlchemy says it
                raise OperationalError("BEGIN IMMEDIATE", None, error) from error
            raise

    def _ending(statement: str):
        def end(connection):
            try:
                driver = connection.connection.driver_connection
            except Exception:  # noqa: BLE001 - invalidated: the pool's events below give it back
                return
            finish(driver, statement, always=False)
        return end

    def finish(driver, statement: str, *, always: bool) -> None:
        """End the holder's transaction here, so that the lock passes on after it (the driver's
        own COMMIT or ROLLBACK, next, is then a no-op). Unless ``always``, the lock stays while
        the transaction could not end (a refused COMMIT: the rollback that follows gives it back)."""
        if not (holder and holder[0] is driver):
            return  # not the holder (its BEGIN failed, or it ended already)
        try:
            if driver.in_transaction:
                driver.execute(statement)
        except Exception:  # noqa: BLE001 - the driver's own, next, meets it again: SQLAlchemy reports it
            pass
        if always or not _still_open(driver):
            release(driver)

    event.listen(db_engine, "commit", _ending("COMMIT"))
    event.listen(db_engine, "rollback", _ending("ROLLBACK"))

    # A connection back in the pool (or dropped) with its transaction never ended through
    # SQLAlchemy's Connection (garbage collected, a failed commit, invalidated) gives it back too.
    for name in ("reset", "invalidate", "close"):
        event.listen(db_engine.pool, name, lambda driver, *_: finish(driver, "ROLLBACK", always=True))


def _still_open(driver) -> bool:
    try:
        return driver.in_transaction
    except Exception:  # noqa: BLE001 - a closed connection holds nothing
        return False


_CHECKPOINTED_ELSEWHERE: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def checkpoint_elsewhere(db_engine: Engine) -> Callable[[], None] | None:
    """SQLite copies the write-ahead log into the database file every 1,000 pages (about 250
    messages), on the connection whose commit crossed the mark: that message waits for the copy
    and its fsync (20-100 ms here, bench/bench_updates.py). After this call the engine's
    connections no longer do it; the function returned does it without blocking anyone
    (PASSIVE), for a worker thread to call every few seconds (bot.scheduler). None: nothing to do
    (PostgreSQL)."""
    if db_engine.dialect.name != "sqlite":
        return None
    _CHECKPOINTED_ELSEWHERE.add(db_engine)

    def checkpoint() -> None:
        raw = db_engine.raw_connection()  # autocommit on the driver: no BEGIN around the PRAGMA
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            raw.close()
    return checkpoint

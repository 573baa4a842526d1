"""Database engine: SQLite (embedded default) or PostgreSQL, chosen by DATABASE_URL."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{PROJECT_DIR / 'insieme.db'}"


def make_engine(url: str | None = None, **kwargs) -> Engine:
    url = make_url(url or DEFAULT_URL)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _tune_sqlite(engine)
        return engine
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver installed
    # pre_ping and recycle: a restarted server or a firewall dropping idle connections costs a
    # reconnect, not a failed message. UTC sessions: naive datetimes mean UTC, as on SQLite.
    options = {"pool_pre_ping": True, "pool_recycle": 1800,
               "connect_args": {"options": "-c TimeZone=UTC", "application_name": "insieme-bot"}}
    return create_engine(url, **{**options, **kwargs})


def _tune_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers; BEGIN IMMEDIATE so two processes never deadlock
    upgrading a read lock to a write lock (SQLite's busy timeout cannot break that)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Straight on the driver: exec_driver_sql's machinery costs more than the BEGIN itself,
        # and every message opens a transaction (bench/bench_updates.py).
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE")

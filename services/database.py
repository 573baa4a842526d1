"""The database a process works on: the engine for its URL, with the schema brought to the
newest migration, so that every entry point (the bot, the CLI, the back office) opens it the
same way."""
from __future__ import annotations

from sqlalchemy import Engine

from store import migrate
from store.engine import make_engine


def open_database(url: str | None) -> Engine:
    """The engine for ``url`` (the embedded SQLite file when None), migrated; the caller
    disposes of it."""
    db_engine = make_engine(url)
    try:
        migrate.upgrade(db_engine)
    except BaseException:
        db_engine.dispose()
        raise
    return db_engine

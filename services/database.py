"""The database a process works on: the engine for its URL, with the schema brought to the
newest migration, so that every entry point (the bot, the CLI, the back office) opens it the
same way."""
from __future__ import annotations

from sqlalchemy import Engine

from store import migrate
from store.engine import DEFAULT_URL, checkpoint_elsewhere, make_engine

__all__ = ["DEFAULT_URL", "checkpoint_elsewhere", "load_demo_if_empty", "open_database"]


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


def load_demo_if_empty(db_engine: Engine) -> bool:
    """With no interview slot and no workshop session at all, load the demo data (services.demo)
    so that a newcomer's first chat can try every flow; True if it did. With no programme
    information at all, its demo topics (services.demo_info) whatever the agenda holds."""
    from sqlalchemy import exists, select
    from sqlmodel import Session

    from services import demo, demo_info
    from store.models import InfoText, InterviewSlot, WorkshopSession, utcnow

    with Session(db_engine) as sql_session, sql_session.begin():
        if not sql_session.execute(select(exists().where(InfoText.id.isnot(None)))).scalar():
            demo_info.load(sql_session, now=utcnow())  # no programme information yet: the demo's (#15)
        if sql_session.execute(select(exists().where(InterviewSlot.id.isnot(None)))).scalar() or \
                sql_session.execute(select(exists().where(WorkshopSession.id.isnot(None)))).scalar():
            return False
        demo.load(sql_session, now=utcnow())
    return True


def ping(db_engine: Engine) -> None:
    """A round trip to the database (/health); raises when it cannot be reached."""
    from sqlalchemy import text

    with db_engine.connect() as connection:
        connection.execute(text("SELECT 1"))

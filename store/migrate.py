"""Bring the schema to the newest Alembic revision (run at start-up and in tests)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
HEAD = "0015"  # newest revision; tests check it against Alembic's own view


def current_revision(db_engine: Engine) -> str | None:
    with db_engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(db_engine: Engine, revision: str = "head") -> None:
    if revision == "head" and current_revision(db_engine) == HEAD:
        return  # nothing to do: skip importing Alembic, it costs start-up time
    _run(db_engine, "upgrade", revision)


def downgrade(db_engine: Engine, revision: str = "base") -> None:
    _run(db_engine, "downgrade", revision)


def _run(db_engine: Engine, action: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    with db_engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)

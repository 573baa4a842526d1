"""Alembic environment: runs on the connection given by store.migrate, or on DATABASE_URL."""
import os

from alembic import context
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables)
from store.engine import make_engine

target_metadata = SQLModel.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    db_engine = make_engine(os.environ.get("DATABASE_URL"))
    with db_engine.connect() as connection:
        _migrate(connection)


def _migrate(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run()

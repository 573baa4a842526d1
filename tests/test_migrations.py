"""Alembic: up, down and up again; the models and the migrations describe the same schema."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import db.models  # noqa: F401
from db import migrate
from db.engine import make_engine


def test_head_constant_matches_alembic():
    script = ScriptDirectory.from_config(Config(str(migrate.ALEMBIC_INI)))
    assert migrate.HEAD == script.get_current_head()


def test_upgrade_downgrade_upgrade(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.HEAD
    assert {"contact", "channel_identity", "registration"} <= set(inspect(engine).get_table_names())
    migrate.downgrade(engine, "base")
    assert "registration" not in inspect(engine).get_table_names()
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.HEAD


def test_models_and_migrations_agree(db):
    with db.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []

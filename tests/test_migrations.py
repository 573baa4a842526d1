"""Alembic: up, down and up again; the models and the migrations describe the same schema."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import store.models  # noqa: F401
from store import migrate
from store.engine import make_engine
from tests.conftest import BACKENDS


def test_head_constant_matches_alembic():
    script = ScriptDirectory.from_config(Config(str(migrate.ALEMBIC_INI)))
    assert migrate.HEAD == script.get_current_head()


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path) -> str:
    """A database with no tables, on SQLite and on PostgreSQL."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_empty_url")
    return f"sqlite:///{tmp_path / 'm.db'}"


def test_upgrade_downgrade_upgrade(empty_url):
    engine = make_engine(empty_url)
    try:
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.HEAD
        assert {"contact", "channel_identity", "registration", "interview_slot"} <= set(inspect(engine).get_table_names())
        migrate.downgrade(engine, "base")
        assert "registration" not in inspect(engine).get_table_names()
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.HEAD
    finally:
        engine.dispose()


def test_models_and_migrations_agree(any_db):
    with any_db.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_the_partial_unique_indexes_and_checks_are_in_the_database(any_db):
    """Alembic's comparison ignores an index's WHERE and CHECK constraints: look for them."""
    found = inspect(any_db)
    indexes = {i["name"]: i for t in ("interview_booking", "workshop_registration") for i in found.get_indexes(t)}
    for name, where in [("uq_interview_booking_active", "booked"), ("uq_workshop_registration_active", "waitlisted")]:
        assert indexes[name]["unique"]
        assert where in str(indexes[name]["dialect_options"].get(f"{any_db.dialect.name}_where"))
    checks = {c["name"] for t in ("interview_slot", "workshop_session") for c in found.get_check_constraints(t)}
    assert checks == {"slot_capacity", "seat_capacity"}

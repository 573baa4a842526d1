"""Persistence: SQLModel models, engine and sessions, repositories, Alembic migrations."""

"""The three statements every message runs — mark the update handled, load the person with
their conversation state, save the state — straight on the database driver.

SQLAlchemy's work around each statement (parameter processing, result wrapping) cost more
than SQLite's own work on them (bench/bench_updates.py), and these run on every message.
Everything else goes through SQLAlchemy. The SQL is written once per dialect; values are
stored exactly as SQLAlchemy stores them (SQLite: JSON text and "YYYY-MM-DD HH:MM:SS.ffffff"
UTC datetimes), so both paths read each other's rows.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection

_LOAD = ("SELECT contact.id, contact.language, conversation_state.data,"
         " channel_identity.id, channel_identity.unreachable_at"
         " FROM channel_identity JOIN contact ON channel_identity.contact_id = contact.id"
         " LEFT OUTER JOIN conversation_state ON conversation_state.contact_id = contact.id"
         " WHERE channel_identity.scheme = {p} AND channel_identity.external_id = {p}")
# One message of a person at a time, even across processes (PostgreSQL; SQLite's BEGIN
# IMMEDIATE already serialises): the later one reads the state the earlier one saved.
_LOCK = " FOR NO KEY UPDATE OF contact"
_MARK = "INSERT INTO processed_update (key, processed_at) VALUES ({p}, {p}) ON CONFLICT DO NOTHING"
# A person marked unreachable (services.outbox: blocked the bot, chat gone) who writes again can be
# reached again: one more statement, only then.
_REACHABLE = "UPDATE channel_identity SET unreachable_at = NULL, unreachable_reason = NULL WHERE id = {p}"
_SAVE = "UPDATE conversation_state SET data = {p}, updated_at = {p} WHERE contact_id = {p}"


class HotPath:
    def __init__(self, dialect: str):
        self.postgres = dialect == "postgresql"
        p = "%s" if self.postgres else "?"
        self._load = _LOAD.format(p=p) + (_LOCK if self.postgres else "")
        self._mark = _MARK.format(p=p)
        self._save = _SAVE.format(p=p)
        self._reachable = _REACHABLE.format(p=p)
        if self.postgres:
            from psycopg.types.json import Json
            self._json = Json
        else:
            self._json = json.dumps

    def mark_processed(self, connection: Connection, key: str, now: dt.datetime) -> bool:
        """False if ``key`` was handled before."""
        return _driver(connection).execute(self._mark, (key, self._when(now))).rowcount == 1

    def load(self, connection: Connection, scheme: str, external_id: str) -> tuple[int, str, dict | None] | None:
        """(contact id, language, stored state) of a known channel identity, else None."""
        driver = _driver(connection)
        row = driver.execute(self._load, (scheme, external_id)).fetchone()
        if row is None:
            return None
        if row[4] is not None:
            driver.execute(self._reachable, (row[3],))
        data = row[2]
        if isinstance(data, str):  # SQLite keeps JSON as text
            data = json.loads(data)
        return row[0], row[1], data

    def save_state(self, connection: Connection, contact_id: int, data: dict[str, Any], now: dt.datetime) -> None:
        _driver(connection).execute(self._save, (self._json(data), self._when(now), contact_id))

    def _when(self, value: dt.datetime) -> Any:
        if self.postgres:
            return value
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def _driver(connection: Connection):
    """The DB-API connection under SQLAlchemy's, inside the same transaction."""
    return connection.connection.driver_connection

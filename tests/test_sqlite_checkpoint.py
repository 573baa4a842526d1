"""The write-ahead log is copied into the SQLite file by the bot's scheduler, not by the
connection of a message that happens to cross SQLite's 1,000-page mark (store.engine)."""
from __future__ import annotations

import asyncio
import os

from sqlalchemy import text

from bot.scheduler import BotScheduler
from store.engine import checkpoint_elsewhere, make_engine


def _autocheckpoint(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()


def _fill(engine, rows: int) -> None:
    """Many small transactions, as messages are: each commit may cross the 1,000-page mark."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body TEXT)"))
    for _ in range(rows // 50):
        with engine.begin() as connection:
            for _ in range(50):
                connection.execute(text("INSERT INTO filler (body) VALUES (:body)"), {"body": "x" * 3000})


def test_by_default_sqlite_checkpoints_on_the_way(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    _fill(engine, 2000)
    assert os.path.getsize(tmp_path / "d.db-wal") < 6_000_000  # the log was copied and reused
    engine.dispose()


def test_connections_leave_the_checkpoint_to_the_function_given_back(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    assert _autocheckpoint(engine) == 1000  # SQLite's own, until someone takes the job
    checkpoint = checkpoint_elsewhere(engine)
    assert _autocheckpoint(engine) == 0
    _fill(engine, 2000)  # about 1,500 pages: SQLite alone would have checkpointed on the way
    assert os.path.getsize(tmp_path / "c.db-wal") > 6_000_000  # all still in the log
    size_before = os.path.getsize(tmp_path / "c.db")
    checkpoint()
    assert os.path.getsize(tmp_path / "c.db") > size_before + 6_000_000  # now in the file
    engine.dispose()


def test_postgresql_has_nothing_to_checkpoint():
    engine = make_engine("postgresql://nobody@127.0.0.1:1/none")
    assert checkpoint_elsewhere(engine) is None


def test_the_scheduler_takes_the_job_on_sqlite(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")

    async def run() -> list[str]:
        scheduler = BotScheduler(db_engine=engine)
        scheduler.start()
        jobs = [job.id for job in scheduler._scheduler.get_jobs()]
        await scheduler.shutdown()
        return jobs

    assert "checkpoint" in asyncio.run(run())
    assert _autocheckpoint(engine) == 0
    engine.dispose()

"""On SQLite the process's threads hand the write lock to one another (store.engine): a
transaction waiting for another goes on once that one commits or rolls back, however it ended,
and another process holding the database still makes it wait and, in the end, fail."""
from __future__ import annotations

import gc
import sqlite3
import threading

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from store import engine as store_engine
from store.engine import make_engine


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setattr(store_engine, "BUSY_SECONDS", 2)  # a lock never given back fails the test fast
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (body TEXT)"))
    yield engine
    engine.dispose()


def _notes(engine) -> list[str]:
    with engine.begin() as connection:
        return [row[0] for row in connection.execute(text("SELECT body FROM note ORDER BY rowid"))]


def test_a_transaction_waits_for_the_one_writing_and_goes_on_when_it_commits(db):
    said: list[tuple[str, str]] = []  # (thread, statement) as SQLite ran them
    event.listen(db, "connect", lambda driver, _record: driver.set_trace_callback(
        lambda statement: said.append((threading.current_thread().name, statement))))
    db.dispose()  # new connections, traced
    first = db.connect()
    first.begin()
    first.execute(text("INSERT INTO note VALUES ('first')"))
    began, seen = threading.Event(), []

    def second() -> None:
        with db.begin() as connection:
            began.set()
            seen.extend(row[0] for row in connection.execute(text("SELECT body FROM note")))
            connection.execute(text("INSERT INTO note VALUES ('second')"))

    worker = threading.Thread(target=second, name="second")
    worker.start()
    assert not began.wait(0.3)  # held up while the first one writes
    first.commit()
    first.close()
    worker.join(5)
    assert began.is_set() and seen == ["first"]  # it began after the commit and sees it
    assert _notes(db) == ["first", "second"]
    ordered = [statement for thread, statement in said if statement in ("COMMIT", "BEGIN IMMEDIATE")
               and (thread == "second" or statement == "COMMIT")]
    # the second asked SQLite for the lock only once it was free: no waiting in SQLite's busy handler
    assert ordered[:2] == ["COMMIT", "BEGIN IMMEDIATE"], said


def test_a_refused_commit_holds_nothing_back(db):
    with db.begin() as connection:
        connection.execute(text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
        connection.execute(text("CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) "
                                "DEFERRABLE INITIALLY DEFERRED)"))
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with db.begin() as connection:
            connection.execute(text("INSERT INTO child VALUES (42)"))  # refused only at COMMIT
    with db.begin() as connection:  # at once (BUSY_SECONDS is 2 here)
        connection.execute(text("INSERT INTO note VALUES ('after')"))
    assert _notes(db) == ["after"]


@pytest.mark.parametrize("ending", ["rollback", "close", "invalidate", "forgotten"])
def test_the_lock_is_given_back_however_the_transaction_ends(db, ending):
    connection = db.connect()
    connection.begin()
    connection.execute(text("INSERT INTO note VALUES ('lost')"))
    if ending == "rollback":
        connection.rollback()
    elif ending == "close":
        connection.close()
    elif ending == "invalidate":
        connection.invalidate()
    else:  # dropped without a word: the pool takes the connection back when it is collected
        del connection
        gc.collect()
    assert _notes(db) == []  # another transaction begins at once (BUSY_SECONDS is 2 here)
    with db.begin() as writer:
        writer.execute(text("INSERT INTO note VALUES ('kept')"))
    assert _notes(db) == ["kept"]


def test_another_process_holding_the_database_makes_it_fail_and_the_lock_is_given_back(db, tmp_path):
    other = sqlite3.connect(tmp_path / "w.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # as another process writing
    try:
        with pytest.raises(OperationalError, match="locked"):
            with db.begin() as connection:
                connection.execute(text("INSERT INTO note VALUES ('refused')"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    with db.begin() as connection:  # the failed BEGIN held nothing back
        connection.execute(text("INSERT INTO note VALUES ('later')"))
    assert _notes(db) == ["later"]

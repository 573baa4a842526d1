"""A sender at start takes over the rows that a dead process of this machine left held, at once;
a live process's rows, another machine's and its own wait for their lease (services.outbox_claim)."""
from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys

from sqlalchemy import update
from sqlmodel import Session

from services.outbox_claim import take_over_the_dead
from store.models import OutboxMessage, aware
from tests.conftest import NOW
from tests.outbox_helpers import queue, rows


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid  # gone (reaped): no process has it now


def test_only_the_rows_of_a_dead_process_of_this_machine_are_taken_over(db):
    host = socket.gethostname()[:30]
    holders = {"dead": f"{host}:{dead_pid()}:aaaaaa", "alive": f"{host}:{os.getppid()}:bbbbbb",
               "elsewhere": f"another-host:{dead_pid()}:cccccc", "me": f"{host}:{os.getpid()}:dddddd"}
    ids = {}
    for name, holder in holders.items():
        row_id = queue(db, f"70{len(ids)}", key=f"k:{name}")
        with Session(db) as session, session.begin():
            session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(
                status="sending", claimed_by=holder, claimed_until=NOW + dt.timedelta(seconds=30)))
        ids[name] = row_id
    with Session(db) as session, session.begin():
        assert take_over_the_dead(session, channel="telegram", worker=holders["me"], now=NOW) == 1
    until = {row.id: aware(row.claimed_until) for row in rows(db)}
    assert until[ids["dead"]] < NOW  # claimable now
    assert all(until[ids[name]] > NOW for name in ("alive", "elsewhere", "me"))

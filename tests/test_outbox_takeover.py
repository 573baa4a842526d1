"""Rows nobody will finish: a sender at start takes over the rows that a dead process of this machine left held, at once;
a live process's rows, another machine's and its own wait for their lease (services.outbox_claim);
replies are forgotten after two days (services.reply_rows.prune)."""
from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys

from sqlalchemy import text, update
from sqlmodel import Session

from conversations.messages import Outbound
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


def test_replies_are_forgotten_after_two_days_whatever_became_of_them(db):
    from services import reply_rows
    from services.reply_rows import Hold
    with db.begin() as connection:
        contact_id = connection.execute(text("INSERT INTO contact (language, created_at) VALUES ('it', :at) RETURNING id"),
                                        {"at": NOW}).scalar_one()
        for at, key in ((NOW - dt.timedelta(days=3), "old"), (NOW - dt.timedelta(hours=1), "new")):
            reply_rows.store(connection, contact_id=contact_id, channel="web", external_id="w1",
                             replies=[Outbound("hello")], update_key=key, hold=Hold("web-page", 60), now=at)
        reply_rows.prune(connection, NOW)  # the old one still "sending": nobody will confirm it now
    assert [row.idempotency_key for row in rows(db)] == ["reply:new:0"]

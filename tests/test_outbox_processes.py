"""End to end: the real bot process (``python -m bot run``, long polling) sends the outbox
against the fake Bot API enforcing the limits (scaled to 100 messages/s). SIGKILLed halfway and
restarted, it delivers the rest and sends nothing already confirmed again (only the messages in
flight at the kill may arrive twice); on PostgreSQL two bot processes share the rows, none sent
twice, within the overall limit together."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from store import migrate
from store.engine import make_engine
from store.models import ChannelIdentity, OutboxMessage, utcnow
from services.outbox_sender import Limits, Sender, concurrency
from tests.fake_bot_api import FakeBotApi
from tests.outbox_helpers import queue_many
from tests.postgres import free_port

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "987654321:AAE2e-Outbox_token-that-must-not-leak"
RATE = 100
FIRST_CHAT = 900_000
WAIT = 30.0


class Bot:
    """``python -m bot run`` in its own process group, logging to a file."""

    def __init__(self, api: FakeBotApi, db_url: str, log: Path, **env):
        self.api, self.log_path = api, log
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "OUTBOX_"))}
        environment.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.url, DATABASE_URL=db_url,
                           LOG_LEVEL="INFO", PYTHONUNBUFFERED="1", TELEGRAM_WEBHOOK_URL="",
                           OUTBOX_TELEGRAM_PER_SECOND=str(RATE), OUTBOX_LEASE_SECONDS="2",
                           OFFICE_PORT=str(free_port()), **env)
        with open(log, "wb") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=environment,
                                            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=WAIT)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=WAIT)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def api():
    # half a second of burst: this process also polls the database, which can hold the fake back a little
    with FakeBotApi(token=TOKEN, rate=RATE, burst=0.5, per_chat_rate=1.0, per_chat_burst=1.5) as server:
        yield server


@pytest.fixture
def bots():
    started: list[Bot] = []
    yield started
    for bot in started:
        if bot.process.poll() is None:
            bot.process.kill()
            bot.process.wait(timeout=WAIT)


def outbox_rows(db) -> list[tuple[int, str, str | None, int]]:
    """(row id, status, claimed_by, chat id) of every row."""
    with Session(db) as session:
        return [(r.id, r.status, r.claimed_by, int(chat)) for r, chat in session.execute(
            select(OutboxMessage, ChannelIdentity.external_id)
            .join(ChannelIdentity, ChannelIdentity.contact_id == OutboxMessage.contact_id)
            .order_by(OutboxMessage.id)).all()]


def unsent(db) -> int:
    with db.connect() as connection:
        return connection.execute(select(func.count()).where(OutboxMessage.status != "sent")).scalar()


def wait_until(condition, what: str, bots: list[Bot], seconds: float = WAIT) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds}s for {what}\n" + "\n".join(b.log()[-3000:] for b in bots))
        time.sleep(0.1)


def test_killed_halfway_and_restarted_the_rest_is_delivered_and_nothing_confirmed_goes_twice(api, bots, tmp_path):
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    db = make_engine(url)
    migrate.upgrade(db)
    queue_many(db, 300, first_chat=FIRST_CHAT, due_at=utcnow())

    bots.append(Bot(api, url, tmp_path / "bot-1.log"))
    wait_until(lambda: sum(api.delivered.values()) >= 150, "half of the messages", bots)
    bots[0].kill()
    time.sleep(0.2)  # requests the bot sent before dying are answered all the same
    at_kill = outbox_rows(db)
    confirmed = {chat for _id, status, _by, chat in at_kill if status == "sent"}
    in_flight = {chat for _id, status, _by, chat in at_kill if status == "sending"}
    delivered_at_kill = sum(api.delivered.values())
    assert 0 < len(confirmed) < 300 and delivered_at_kill < 300

    bots.append(Bot(api, url, tmp_path / "bot-2.log"))
    wait_until(lambda: unsent(db) == 0, "every row sent", bots)
    api.wait_quiet(0.3)
    assert bots[1].stop() == 0

    delivered = api.delivered
    assert all(delivered[FIRST_CHAT + n] >= 1 for n in range(300))  # none lost
    assert all(delivered[chat] == 1 for chat in confirmed)  # nothing confirmed was sent again
    repeated = {chat for chat, count in delivered.items() if count > 1}
    assert repeated <= in_flight and all(delivered[chat] == 2 for chat in repeated)  # at most once more
    # those repeated are exactly the ones delivered and not yet written as sent at the kill: at most
    # a flush interval of sending and the calls in flight
    assert len(repeated) == delivered_at_kill - len(confirmed)
    assert len(repeated) <= RATE * Sender.FLUSH_EVERY + concurrency(Limits(RATE, 1))
    assert api.rate_limited == 0, api.floods
    logs = "".join(bot.log() for bot in bots)
    assert "Traceback" not in logs and TOKEN.split(":")[1] not in logs
    db.dispose()


@pytest.mark.postgresql
def test_two_bot_processes_share_the_rows_on_postgresql_none_twice_within_the_limit_together(api, bots, pg_url,
                                                                                          tmp_path):
    db = make_engine(pg_url)
    queue_many(db, 400, first_chat=FIRST_CHAT, due_at=utcnow())
    bots.extend([Bot(api, pg_url, tmp_path / "bot-a.log"), Bot(api, pg_url, tmp_path / "bot-b.log")])
    wait_until(lambda: unsent(db) == 0, "every row sent", bots)
    api.wait_quiet(0.3)
    assert [bot.stop() for bot in bots] == [0, 0]

    rows = outbox_rows(db)
    senders = Counter(by for _id, _status, by, _chat in rows)
    assert len(senders) == 2 and min(senders.values()) >= 20, senders  # both took a share
    assert sorted(api.delivered.values()) == [1] * 400  # none twice, none lost
    assert api.rate_limited == 0, api.floods  # the two together within RATE
    sends = sorted(c.at for c in api.calls if c.method == "sendMessage")
    busiest = max(sum(1 for t in sends[i:i + 2 * RATE] if t < start + 1.0) for i, start in enumerate(sends))
    assert busiest <= RATE * 1.5, busiest  # in any second (two at full speed would make 2 * RATE)
    db.dispose()

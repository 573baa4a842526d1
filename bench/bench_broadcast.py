"""A broadcast to 10,000 people, sent by the real bot process within Telegram's limits.

The database (a fresh SQLite file, or PostgreSQL) gets 10,000 registered people on Telegram and
one broadcast to all of them, due now (services.broadcasts.create). Then ``python -m bot run`` starts,
long polling a fake Bot API server in this process (tests/fake_bot_api.py) that enforces the
overall rate (a token bucket holding one second of calls) and 1 message/s per chat, answering
429 beyond them as Telegram does. The bot's planner queues the broadcast (10,000 outbox rows)
and its sender sends them. Measured, from the fake server's side and the database's:

- completion time: first to last message delivered, plus one interval, as a ratio to the floor
  (recipients / rate); also from the moment the broadcast was queued to the last message;
- 429s provoked, messages lost (a recipient with no message and no failed row), duplicates
  (a recipient with more than one), the outbox rows' final statuses;
- the bot process's memory: VmRSS of /proc/<pid>/status sampled every 0.2 s during the
  broadcast (peak and before it), and VmHWM (the kernel's own peak) at the end.

    .venv/bin/python -m bench.bench_broadcast --rate 150      # scaled: about 70 s
    .venv/bin/python -m bench.bench_broadcast                 # 30 msg/s: about 6 minutes

One bot process needs 5-6 ms of CPU per message: at 300/s it is the CPU that sets the time.

Options: --recipients N (default 10,000), --rate R messages/s, enforced by the fake and given to
the bot as OUTBOX_TELEGRAM_PER_SECOND (default 30), --database sqlite|postgresql (PostgreSQL as
the tests get it: TEST_POSTGRES_URL or a throw-away cluster), --cpu N / --no-pin (the bot is
pinned to one core, by default the last one; this process, with the fake server, to the
others), --db-dir DIR, --json PATH, --profile PATH (the bot under cProfile, for python -m pstats).
Targets: within 1.05x of the floor, zero 429s, zero lost, zero duplicates, the bot's memory
under 150 MB.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlmodel import Session

from bench._common import verdict
from services import broadcasts
from store import migrate
from store.engine import make_engine
from store.models import Broadcast, ChannelIdentity, Contact, OutboxMessage, Registration, utcnow
from tests.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-broadcast-token"
FIRST_CHAT = 10_000_000
TARGET_RATIO, TARGET_MB = 1.05, 150.0


def populate(db, recipients: int) -> int:
    """``recipients`` registered people on Telegram and a broadcast to all of them, due now; its id."""
    now = utcnow()
    with db.begin() as connection:
        first = (connection.execute(select(func.max(Contact.id))).scalar() or 0) + 1
        ids = range(first, first + recipients)
        connection.execute(insert(Contact.__table__), [
            {"id": i, "language": "it" if i % 3 else "en", "created_at": now} for i in ids])
        connection.execute(insert(ChannelIdentity.__table__), [
            {"contact_id": i, "scheme": "telegram", "external_id": str(FIRST_CHAT + i), "created_at": now}
            for i in ids])
        connection.execute(insert(Registration.__table__), [
            {"contact_id": i, "code": f"B{i:07d}", "status": "new", "language": "it" if i % 3 else "en",
             "first_name": "Persona", "last_name": f"N{i}", "created_at": now} for i in ids])
    with Session(db) as session, session.begin():
        broadcast = broadcasts.create(
            session, texts={"it": "Nuovo laboratorio giovedì alle 9:30: iscriviti dal menu.",
                            "en": "New workshop on Thursday at 9:30: sign up from the menu."},
            audience=None, send_at=now, created_by="bench", now=now)
        return broadcast.id


class Memory:
    """Samples a process's VmRSS (MB) every ``every`` seconds, in a thread."""

    def __init__(self, pid: int, every: float = 0.2):
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "Memory":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def status(self, field: str) -> float | None:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = self.status("VmRSS")
            if rss is not None:
                self.samples.append((time.monotonic(), rss))
            self._stop.wait(self.every)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process so far."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak(self, since: float = 0.0, until: float = float("inf")) -> float:
        return max((rss for at, rss in self.samples if since <= at <= until), default=float("nan"))


def run(args) -> dict:
    workdir = Path(args.db_dir or tempfile.mkdtemp(prefix="bench-broadcast-"))
    workdir.mkdir(parents=True, exist_ok=True)
    cluster = server = None
    if args.database == "postgresql":
        from tests.postgres import obtain
        server, cluster, _where = obtain()
        url = server.url(server.create())
    else:
        url = f"sqlite:///{workdir / 'broadcast.db'}"
    try:
        return measure(args, url, workdir)
    finally:
        if server is not None:
            server.close()
        if cluster is not None:
            cluster.stop()


def measure(args, url: str, workdir: Path) -> dict:
    db = make_engine(url)
    migrate.upgrade(db)
    started = time.perf_counter()
    broadcast_id = populate(db, args.recipients)
    print(f"database: {args.database}, {args.recipients:,} registered people and one broadcast "
          f"({time.perf_counter() - started:.1f} s to fill)")
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    bot_cpu = None if args.no_pin or len(cpus) < 2 else (args.cpu if args.cpu is not None else cpus[-1])
    if bot_cpu is not None:
        os.sched_setaffinity(0, set(cpus) - {bot_cpu})  # the fake server: the other cores
    floor = args.recipients / args.rate
    with FakeBotApi(token=TOKEN, rate=args.rate, burst=1.0, per_chat_rate=1.0, per_chat_burst=3.0) as api:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "OUTBOX_"))}
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.url, DATABASE_URL=url, LOG_LEVEL="WARNING",
                   OUTBOX_TELEGRAM_PER_SECOND=str(args.rate), TELEGRAM_WEBHOOK_URL="")
        pin = (lambda: os.sched_setaffinity(0, {bot_cpu})) if bot_cpu is not None else None
        log_path = workdir / "bot.log"
        wall_offset = time.time() - time.monotonic()
        with open(log_path, "wb") as log:
            profile = ["-m", "cProfile", "-o", args.profile] if args.profile else []
            bot = subprocess.Popen([sys.executable, *profile, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=pin)
        memory = Memory(bot.pid).start()
        try:
            deadline = time.monotonic() + floor * 2 + 120
            cpu_start = None
            while sum(api.delivered.values()) < args.recipients and time.monotonic() < deadline:
                if bot.poll() is not None:
                    raise SystemExit(f"the bot stopped:\n{log_path.read_text()[-3000:]}")
                if cpu_start is None and api.delivered:
                    cpu_start = memory.cpu_seconds()
                time.sleep(0.2)
            api.wait_quiet(1.0, timeout=30)
            high_water = memory.status("VmHWM")
            cpu = memory.cpu_seconds() - (cpu_start or 0.0)
        finally:
            memory.stop()
            bot.send_signal(signal.SIGTERM)
            try:
                bot.wait(timeout=30)
            except subprocess.TimeoutExpired:
                bot.kill()
        sends = api.calls_to("sendMessage")
        delivered, floods = dict(api.delivered), api.rate_limited
    with Session(db) as session:
        statuses = dict(session.execute(select(OutboxMessage.status, func.count())
                                        .where(OutboxMessage.broadcast_id == broadcast_id)
                                        .group_by(OutboxMessage.status)).all())
        queued_at = session.get(Broadcast, broadcast_id).queued_at
        failed_chats = {int(chat) for chat in session.execute(
            select(ChannelIdentity.external_id)
            .join(OutboxMessage, OutboxMessage.contact_id == ChannelIdentity.contact_id)
            .where(OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.status == "failed")).scalars()}
    db.dispose()
    chats = range(FIRST_CHAT + 1, FIRST_CHAT + args.recipients + 1)
    ok_sends = [c for c in sends if delivered.get(int(c.params["chat_id"]))]
    first, last = ok_sends[0].at, ok_sends[-1].at
    completion = last - first + 1 / args.rate
    queued = (queued_at.replace(tzinfo=dt.timezone.utc) if queued_at.tzinfo is None else queued_at).timestamp()
    from_queued = last + wall_offset - queued
    during = memory.peak(first, last)
    before = memory.peak(0.0, first - 0.5)
    return {
        "database": args.database, "recipients": args.recipients, "rate": args.rate, "floor_s": floor,
        "completion_s": completion, "ratio": completion / floor,
        "from_queued_s": from_queued, "ratio_from_queued": from_queued / floor,
        "rate_limited_429": floods, "lost": sum(1 for c in chats if not delivered.get(c) and c not in failed_chats),
        "duplicates": sum(1 for c in chats if delivered.get(c, 0) > 1), "statuses": statuses,
        "rss_peak_mb": during, "rss_before_mb": before, "vm_hwm_mb": high_water,
        "bot_exit": bot.returncode, "bot_cpu": bot_cpu,
        "bot_cpu_ms_per_message": cpu * 1000 / max(1, sum(delivered.values())),
    }


def report(figures: dict) -> None:
    f = figures
    print(f"recipients {f['recipients']:,} at {f['rate']:g} msg/s: floor {f['floor_s']:.1f} s")
    print(f"completion (first to last message)  {f['completion_s']:.1f} s = {f['ratio']:.3f}x the floor")
    print(f"from queued to the last message     {f['from_queued_s']:.1f} s = {f['ratio_from_queued']:.3f}x the floor")
    print(f"429s provoked {f['rate_limited_429']}, lost {f['lost']}, duplicates {f['duplicates']}, "
          f"outbox rows {f['statuses']}")
    print(f"bot CPU time: {f['bot_cpu_ms_per_message']:.2f} ms per message sent")
    print(f"bot memory: peak VmRSS during the broadcast {f['rss_peak_mb']:.1f} MB (before it "
          f"{f['rss_before_mb']:.1f} MB), VmHWM {f['vm_hwm_mb']:.1f} MB; bot exit status {f['bot_exit']}")
    print(f"target within {TARGET_RATIO}x of the floor: {verdict(f['ratio'] <= TARGET_RATIO)}")
    print(f"target zero 429s, lost, duplicates: "
          f"{verdict(f['rate_limited_429'] == f['lost'] == f['duplicates'] == 0)}")
    print(f"target memory < {TARGET_MB:g} MB: {verdict(max(f['rss_peak_mb'], f['vm_hwm_mb'] or 0) < TARGET_MB)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_broadcast", description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=30.0, help="messages/s, enforced and configured (default 30)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--cpu", type=int, default=None, help="core to pin the bot to (default: the last one)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the bot to one core")
    parser.add_argument("--db-dir", help="folder for the SQLite file and the bot's log (default: a temporary one)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--profile", help="run the bot under cProfile, its figures to this file")
    args = parser.parse_args(argv)
    figures = run(args)
    report(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str))
    return 0 if figures["lost"] == figures["duplicates"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

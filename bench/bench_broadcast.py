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
  broadcast (peak and before it), and VmHWM (the kernel's own peak) at the end;
- with ``--chatting N``, N people who keep talking to the bot while the broadcast goes out
  (bench/_chatters.py: not recipients; each pushes an update once the bot's whole answer to
  the previous one has arrived and a think time has passed): per update, seconds from the push
  to the whole answer (p50, p95, max), replies lost (no whole answer by the end), the 429s in
  their chats, and the share of the rate their replies took. Replies and the broadcast share
  one budget (replies first), so the completion is also compared with the floor of that share:
  (recipients + reply calls while the broadcast went out) / rate.

    .venv/bin/python -m bench.bench_broadcast --rate 150      # scaled: about 70 s
    .venv/bin/python -m bench.bench_broadcast                 # 30 msg/s: about 6 minutes
    .venv/bin/python -m bench.bench_broadcast --chatting 100  # issue 12: 100 people chat meanwhile
    .venv/bin/python -m bench.bench_broadcast --recipients 600 --rate 60 --chatting 10   # a quick look

One bot process needs 3-4 ms of CPU per message: at 300/s it is the CPU that sets the time.

Options: --recipients N (default 10,000), --rate R messages/s, enforced by the fake and given to
the bot as OUTBOX_TELEGRAM_PER_SECOND (default 30), --database sqlite|postgresql (PostgreSQL as
the tests get it: TEST_POSTGRES_URL or a throw-away cluster), --cpu N / --no-pin (the bot is
pinned to one core, by default the last one; this process, with the fake server, to the
others), --db-dir DIR, --json PATH, --profile PATH (the bot under cProfile, for python -m pstats),
--chatting N (default 0), --think MIN MAX (a chatter's think time, default 1 3 s), --seed N.
Targets: within 1.05x of the floor, zero 429s, zero lost, zero duplicates, the bot's memory
under 100 MB (issue 12; issue 4 asked under 150); chatting: zero replies lost, reply p95 <= 1 s.
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
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlmodel import Session

from bench import _chatters
from bench._common import verdict
from bench._memory import Memory
from services import broadcasts
from services.office import accounts
from store import migrate
from store.engine import make_engine
from store.models import Broadcast, ChannelIdentity, Contact, OutboxMessage, Registration, utcnow
from tests.fake_bot_api import FakeBotApi
from tests.postgres import free_port

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-broadcast-token"
FIRST_CHAT = 10_000_000
TARGET_RATIO, TARGET_MB = 1.05, 100.0  # issue 12 (issue 4 asked < 150 MB)
STALL = 120.0  # seconds without a broadcast message delivered before giving up
GRACE = 30.0  # seconds the chatters' last answers may take once the broadcast is out


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
    # An office already set up, as where a broadcast goes out: else the bot's first start hashes
    # the first admin's password (argon2, 64 MiB for a moment) and the peak would be that.
    accounts.ensure_first_admin(db, now=now, announce=lambda message: None)
    with Session(db) as session, session.begin():
        broadcast = broadcasts.create(
            session, texts={"it": "Nuovo laboratorio giovedì alle 9:30: iscriviti dal menu.",
                            "en": "New workshop on Thursday at 9:30: sign up from the menu."},
            audience=None, send_at=now, created_by="bench", now=now)
        return broadcast.id


def quiet(api: FakeBotApi, seconds: float = 30.0) -> None:
    """Wait for the bot to go quiet; if it does not, say what it kept calling."""
    try:
        api.wait_quiet(1.0, timeout=seconds)
    except AssertionError:
        since = time.monotonic() - seconds
        calls = Counter((c.method, c.status, "recipient" if FIRST_CHAT < (c.chat_id or 0) < _chatters.FIRST_CHATTER
                         else "chatter" if c.chat_id else "-") for c in list(api.calls)
                        if c.at >= since and c.method != "getUpdates")
        print(f"warning: the bot kept calling for {seconds:g} s after the broadcast: {dict(calls)}")


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
    counts = _chatters.learn_answers(workdir, bot_cpu) if args.chatting else None
    recipients = range(FIRST_CHAT + 1, FIRST_CHAT + args.recipients + 1)
    with FakeBotApi(token=TOKEN, rate=args.rate, burst=1.0, per_chat_rate=1.0, per_chat_burst=3.0) as api:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "OUTBOX_"))}
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.url, DATABASE_URL=url, LOG_LEVEL="WARNING",
                   OUTBOX_TELEGRAM_PER_SECOND=str(args.rate), TELEGRAM_WEBHOOK_URL="", OFFICE_PORT=str(free_port()))
        pin = (lambda: os.sched_setaffinity(0, {bot_cpu})) if bot_cpu is not None else None
        log_path = workdir / "bot.log"
        wall_offset = time.time() - time.monotonic()
        with open(log_path, "wb") as log:
            profile = ["-m", "cProfile", "-o", args.profile] if args.profile else []
            bot = subprocess.Popen([sys.executable, *profile, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=pin)
        memory = Memory(bot.pid).start()
        chatters = _chatters.Chatters(api, args.chatting, counts, tuple(args.think), args.seed) if counts else None
        try:
            done, cpu_start, deadline = 0, None, time.monotonic() + STALL
            while done < args.recipients and time.monotonic() < deadline:
                if bot.poll() is not None:
                    raise SystemExit(f"the bot stopped:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.2)
                if (now_done := sum(n for chat, n in api.delivered_now().items() if chat in recipients)) > done:
                    done, deadline = now_done, time.monotonic() + STALL
                if cpu_start is None and done:
                    cpu_start = memory.cpu_seconds()
                    if chatters is not None:
                        chatters.start()  # as the broadcast's first message has gone out
            if chatters is not None:
                chatters.finish(GRACE)
            quiet(api)
            high_water = memory.status("VmHWM")
            cpu = memory.cpu_seconds() - (cpu_start or 0.0)
        finally:
            memory.stop()
            bot.send_signal(signal.SIGTERM)
            try:
                bot.wait(timeout=30)
            except subprocess.TimeoutExpired:
                bot.kill()
        sends = [c for c in api.calls_to("sendMessage") if c.status == 200 and c.chat_id in recipients]
        delivered, floods = api.delivered_now(), list(api.floods)
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
    first, last = sends[0].at, sends[-1].at
    completion = last - first + 1 / args.rate
    queued = (queued_at.replace(tzinfo=dt.timezone.utc) if queued_at.tzinfo is None else queued_at).timestamp()
    from_queued = last + wall_offset - queued
    during = memory.peak(first, last)
    before = memory.peak(0.0, first - 0.5)
    figures = {
        "database": args.database, "recipients": args.recipients, "rate": args.rate, "floor_s": floor,
        "completion_s": completion, "ratio": completion / floor,
        "from_queued_s": from_queued, "ratio_from_queued": from_queued / floor,
        "rate_limited_429": len(floods), "429_to_recipients": sum(1 for *_, chat in floods if chat in recipients),
        "lost": sum(1 for c in recipients if not delivered.get(c) and c not in failed_chats),
        "duplicates": sum(1 for c in recipients if delivered.get(c, 0) > 1), "statuses": statuses,
        "rss_peak_mb": during, "rss_before_mb": before, "vm_hwm_mb": high_water,
        "bot_exit": bot.returncode, "bot_cpu": bot_cpu,
        "bot_cpu_ms_per_message": cpu * 1000 / max(1, sum(delivered.values())),
    }
    if chatters is not None:
        chat = figures["chat"] = chatters.figures(first, last)
        chat["429s"] = sum(1 for *_, c in floods if c not in recipients)
        chat["429s_per_chat_limit"] = sum(1 for _, kind, c in floods if c not in recipients and kind == "chat")
        figures["shared_floor_s"] = (args.recipients + chat["reply_calls_during"]) / args.rate
        figures["ratio_shared"] = completion / figures["shared_floor_s"]
    return figures


def report(figures: dict) -> None:
    f = figures
    print(f"recipients {f['recipients']:,} at {f['rate']:g} msg/s: floor {f['floor_s']:.1f} s")
    print(f"completion (first to last message)  {f['completion_s']:.1f} s = {f['ratio']:.3f}x the floor")
    print(f"from queued to the last message     {f['from_queued_s']:.1f} s = {f['ratio_from_queued']:.3f}x the floor")
    print(f"429s provoked {f['rate_limited_429']} ({f['429_to_recipients']} to recipients), lost {f['lost']}, "
          f"duplicates {f['duplicates']}, outbox rows {f['statuses']}")
    chat = f.get("chat")
    if chat:
        _chatters.report(chat, f["rate"], f["shared_floor_s"], f["ratio_shared"])
    print(f"bot CPU time: {f['bot_cpu_ms_per_message']:.2f} ms per message sent")
    print(f"bot memory: peak VmRSS during the broadcast {f['rss_peak_mb']:.1f} MB (before it "
          f"{f['rss_before_mb']:.1f} MB), VmHWM {f['vm_hwm_mb']:.1f} MB; bot exit status {f['bot_exit']}")
    print(f"target within {TARGET_RATIO}x of the floor: {verdict(f['ratio'] <= TARGET_RATIO)}"
          + (f" (of the shared floor: {verdict(f['ratio_shared'] <= TARGET_RATIO)})" if chat else ""))
    print(f"target zero 429s, lost, duplicates: "
          f"{verdict(f['rate_limited_429'] == f['lost'] == f['duplicates'] == 0)}")
    if chat:
        print(f"target zero replies lost, reply p95 <= {_chatters.TARGET_P95_S:g} s: "
              f"{verdict(chat['replies_lost'] == 0)}, {verdict(chat['reply_p95_s'] <= _chatters.TARGET_P95_S)}")
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
    parser.add_argument("--chatting", type=int, default=0, help="people chatting during the broadcast (default 0)")
    parser.add_argument("--think", type=float, nargs=2, default=[1.0, 3.0], metavar=("MIN", "MAX"),
                        help="a chatter's think time, seconds (default 1 3)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the think times (default 1)")
    args = parser.parse_args(argv)
    if args.chatting < 0 or not 0 <= args.think[0] <= args.think[1]:
        parser.error("--chatting must be >= 0 and --think MIN MAX with 0 <= MIN <= MAX")
    figures = run(args)
    report(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str))
    lost_replies = figures.get("chat", {}).get("replies_lost", 0)
    return 0 if figures["lost"] == figures["duplicates"] == lost_replies == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Updates per second through the real Telegram Application, beside a bare echo bot.

Many simulated people register (text answers and button presses, pressing the
buttons the bot actually sent) through ``handlers.telegram.build_application``
with the real ConversationService on a fresh, migrated SQLite file and the
recording fake transport of tests/telegram_fakes.py. After each round (everyone
answers one step) the very same update JSON goes through two more applications
over the same fake transport: a bare python-telegram-bot Application that only
echoes, and the "adapter floor", our adapter with the service's replies replayed
from memory (what python-telegram-bot and handlers/telegram.py cost on their own;
registration minus floor is what the database and the engine cost). Printed per
line: updates/s (by the summed handling times), by CPU time, by wall clock, the
mean, p50, p99 and max handling time; then the ratio echo/registration.

    .venv/bin/python -m bench.bench_updates                 # 1,000 people
    .venv/bin/python -m bench.bench_updates --people 200 --warmup 10 --no-pin
    .venv/bin/python -m bench.bench_updates --profile /tmp/reg.prof   # cProfile of the registration run

Options: --people N (default 1000), --warmup N people run first and not counted
(default 20), --cpu N to pin to that core (default: the last one), --no-pin,
--db-dir DIR for the SQLite file (default: a temporary directory), --json PATH
to also write the figures, --profile PATH for a cProfile dump of the measured
registration run. Targets: >= 1,000 registration updates/s on one core, within
3x of the echo, p99 handling time under 10 ms.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import logging
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codicefiscale import codicefiscale
from telegram import Update
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes,
                          MessageHandler, filters)

from bench._common import percentile, pin_to_one_core, verdict
from bot.scheduler import BotScheduler
from conversations.commands import build_engine
from conversations.messages import Inbound, Outbound
from store import migrate
from services.conversation import ConversationService
from services.outbox_rows import Pending
from services.outbox_sender import Limits
from store.engine import make_engine
from handlers.telegram import build_application
from tests.telegram_fakes import TOKEN, RecordingRequest, callback_update, message_update

API_URL = "http://127.0.0.1:9"  # never contacted: RecordingRequest answers every call
TARGET_RATE, TARGET_RATIO, TARGET_P99_MS = 1000.0, 3.0, 10.0

COMUNI = ("Bologna", "Imola", "San Lazzaro di Savena", "Casalecchio di Reno", "Budrio", "Valsamoggia")
NAMES = ("Maria", "Ahmed", "Giulia", "Olena", "Luca", "Fatima", "Ana Maria", "Chidi")


def script(index: int) -> list[tuple[str, Any]]:
    """One person's registration: ("text", answer) or ("press", index of the button last sent).
    Birth dates (and so tax codes) differ from person to person, so no cache sees repeats."""
    name = NAMES[index % len(NAMES)]
    day, month, year = 1 + index % 28, 1 + index // 28 % 12, 1960 + index % 40
    born = f"{day:02d}/{month:02d}/{year}"
    return [
        ("text", "ciao"),
        ("press", 0),                                  # language: Italiano
        ("press", 0),                                  # consent: yes
        ("text", name),
        ("text", "Rossi"),
        ("text", born),
        ("text", tax_code(name, born)) if index % 2 else ("press", -1),  # tax code, or "I don't have one"
        ("text", COMUNI[index % len(COMUNI)]),
        ("text", f"347 {index % 1000:03d} {4567 + index % 5000:04d}"),
        ("text", f"person{index}@gmail.com") if index % 3 else ("press", -1),  # email, or skip
        ("press", 0),                                  # situation
        ("press", 3),                                  # education
        ("press", 1),                                  # italian
        ("press", 0), ("press", 2), ("press", -1),     # sectors: two, then Done
        ("press", 0),                                  # driving
        ("press", 1), ("press", -1),                   # availability: one, then Done
        ("press", 0),                                  # summary: yes, register me
    ]


def tax_code(name: str, born: str) -> str:
    return codicefiscale.encode(lastname="Rossi", firstname=name, gender="F", birthdate=born,
                                birthplace="Bologna")


@dataclass
class Person:
    user_id: int
    steps: list[tuple[str, Any]]
    keyboard: dict[str, Any] | None = None  # the last inline keyboard sent: (text, rows)

    def next_update(self, position: int) -> dict[str, Any]:
        kind, value = self.steps[position]
        if kind == "text":
            return message_update(value, user_id=self.user_id)
        if self.keyboard is None:
            raise RuntimeError(f"person {self.user_id}, step {position}: no buttons to press")
        rows = self.keyboard["rows"]
        data = rows[value][0]["callback_data"]
        return callback_update(data, user_id=self.user_id, message_text=self.keyboard["text"], keyboard=rows)

    def read_replies(self, calls: list[tuple[str, dict[str, Any]]]) -> None:
        for method, params in calls:
            markup = params.get("reply_markup")
            if method in {"sendMessage", "editMessageText"} and isinstance(markup, dict) \
                    and "inline_keyboard" in markup:
                self.keyboard = {"text": params.get("text", ""), "rows": markup["inline_keyboard"]}


@dataclass
class Run:
    name: str
    durations: list[float] = field(default_factory=list)  # seconds per update, de_json + process_update
    cpu: float = 0.0   # the process's CPU seconds over the same spans: robust to a busy machine
    wall: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.durations) / sum(self.durations)

    def figures(self) -> dict[str, float]:
        ordered = sorted(self.durations)
        return {"updates": len(ordered), "updates_per_s": self.rate,
                "wall_updates_per_s": len(ordered) / self.wall, "cpu_updates_per_s": len(ordered) / self.cpu,
                "p50_ms": percentile(ordered, 0.50) * 1e3, "p99_ms": percentile(ordered, 0.99) * 1e3,
                "max_ms": ordered[-1] * 1e3, "mean_ms": sum(ordered) / len(ordered) * 1e3}


@dataclass
class Recording:
    """The real service, keeping each step's replies (before the adapter shapes them) for the floor."""

    def __init__(self, service: ConversationService, replies: dict):
        self.service, self.replies = service, replies
        self.db_engine, self.clock = service.db_engine, service.clock

    def step(self, inbound: Inbound, hold, shape=None) -> list[Pending]:
        def keep(replies: list[Outbound]) -> list[Outbound]:
            self.replies[inbound.update_key] = replies
            return shape(replies) if shape else replies
        return self.service.step(inbound, hold, keep)


class Replayed:
    """The adapter floor's service: the recorded replies as rows that exist nowhere (no database,
    no engine), so what is measured is python-telegram-bot, the adapter and the outbox sender."""

    def __init__(self, service: ConversationService, replies: dict):
        self.replies, self.db_engine, self.clock = replies, service.db_engine, service.clock
        self.ids = itertools.count(10 ** 9)

    def step(self, inbound: Inbound, hold, shape=None) -> list[Pending]:
        replies = self.replies[inbound.update_key]
        return [Pending(next(self.ids), 0, inbound.channel, inbound.external_id, reply, 0, kind="reply")
                for reply in (shape(replies) if shape else replies)]


class Side:
    """One application under test, its fake transport, and its figures."""

    application: Application
    request: RecordingRequest
    run: Run

    async def feed(self, data: dict[str, Any]) -> None:
        start, cpu = time.perf_counter(), time.process_time()
        await self.application.process_update(Update.de_json(data, self.application.bot))
        self.run.durations.append(time.perf_counter() - start)
        self.run.cpu += time.process_time() - cpu

    def forget(self) -> None:
        """Drop what the fake transport recorded: kept, it would only grow the heap (and the
        garbage collector's passes, which would be charged to the updates that trigger them)."""
        self.request.clear()
        self.request.messages.clear()

    async def replay(self, updates: list[dict[str, Any]]) -> None:
        started = time.perf_counter()
        for data in updates:
            await self.feed(data)
            self.forget()
        self.run.wall += time.perf_counter() - started


async def drive(real: Side, others: list[Side], people: list[Person], profiler=None,
                end_of_round=lambda: None) -> None:
    """Everyone answers one step per round, so conversations interleave as they would live.
    After each round the same update JSON goes through the other applications, so that noise
    on a shared machine falls on every line alike."""
    for position in range(len(people[0].steps)):
        batch = []
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        for person in people:
            data = person.next_update(position)
            batch.append(data)
            await real.feed(data)
            person.read_replies(real.request.calls)
            real.forget()
        if profiler:
            profiler.disable()
        real.run.wall += time.perf_counter() - started
        for side in others:
            await side.replay(batch)
        end_of_round()


def echo_application(request: RecordingRequest) -> Application:
    """The baseline: python-telegram-bot with one echo per update kind, nothing else."""

    async def echo_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await context.bot.send_message(update.effective_chat.id, update.message.text)

    async def echo_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer()
        await context.bot.send_message(update.effective_chat.id, update.callback_query.data)

    application = (ApplicationBuilder().token(TOKEN).base_url(f"{API_URL}/bot")
                   .request(request).get_updates_request(request).build())
    application.add_handler(MessageHandler(filters.TEXT, echo_text))
    application.add_handler(CallbackQueryHandler(echo_button))
    return application


def registrations_saved(db) -> int:
    with db.connect() as connection:
        return connection.exec_driver_sql("SELECT count(*) FROM registration").scalar()


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    db_dir = Path(args.db_dir or tempfile.mkdtemp(prefix="bench-updates-"))
    db_path = db_dir / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db = make_engine(f"sqlite:///{db_path}")
    migrate.upgrade(db)
    service = ConversationService(db, build_engine())
    # The bot process's scheduler, as in production: on SQLite it copies the write-ahead log into
    # the database in a worker thread (store.engine.checkpoint_elsewhere), not while a message waits.
    scheduler = BotScheduler(db_engine=db)
    scheduler.start()
    gc.freeze()  # as bot.__main__ does once the service is built
    replies_by_key: dict[str | None, list[Outbound]] = {}
    recording, replayed = Recording(service, replies_by_key), Replayed(service, replies_by_key)
    unpaced = Limits(per_second=1e6, per_chat_per_second=1e6)  # the recording transport has no limits

    sides = []
    for name, make in (("registration", lambda request: build_application(
                            token=TOKEN, api_url=API_URL, service=recording, limits=unpaced, request=request)),
                       ("adapter floor", lambda request: build_application(
                            token=TOKEN, api_url=API_URL, service=replayed, limits=unpaced, request=request)),
                       ("bare echo", echo_application)):
        request = RecordingRequest()
        sides.append(Side(make(request), request, Run(name)))
        await sides[-1].application.initialize()
    real, *others = sides

    warm_people = [Person(900_000_000 + i, script(i)) for i in range(args.warmup)]
    people = [Person(100_000_000 + i, script(i)) for i in range(args.people)]
    if warm_people:
        await drive(real, others, warm_people, end_of_round=replies_by_key.clear)
        for side in sides:
            side.run = Run(side.run.name)

    profiler = None
    if args.profile:
        import cProfile
        profiler = cProfile.Profile()
    await drive(real, others, people, profiler, end_of_round=replies_by_key.clear)
    if profiler:
        profiler.dump_stats(args.profile)

    for side in sides:
        await side.application.shutdown()
    await scheduler.shutdown()
    saved = registrations_saved(db) - args.warmup
    db.dispose()
    if saved != args.people:
        raise SystemExit(f"only {saved} of {args.people} registrations were saved: the script went astray")
    registration, adapter, bare = (side.run for side in sides)
    return {"people": args.people, "db": str(db_path), "registration": registration.figures(),
            "adapter_floor": adapter.figures(), "echo": bare.figures(),
            "ratio": bare.rate / registration.rate}


def report(results: dict[str, Any], pinned: str) -> None:
    reg, floor, echo = results["registration"], results["adapter_floor"], results["echo"]
    print(f"bench_updates: {results['people']} people, {reg['updates']:,} updates per line; {pinned}")
    print(f"SQLite file: {results['db']}")
    print(f"{'':16}{'updates/s':>10}{'cpu upd/s':>11}{'wall upd/s':>12}{'mean ms':>9}{'p50 ms':>8}"
          f"{'p99 ms':>8}{'max ms':>8}")
    for name, fig in (("registration", reg), ("adapter floor", floor), ("bare echo", echo)):
        print(f"{name:16}{fig['updates_per_s']:>10,.0f}{fig['cpu_updates_per_s']:>11,.0f}"
              f"{fig['wall_updates_per_s']:>12,.0f}{fig['mean_ms']:>9.3f}"
              f"{fig['p50_ms']:>8.2f}{fig['p99_ms']:>8.2f}{fig['max_ms']:>8.2f}")
    print(f"ratio echo/registration: {results['ratio']:.2f}x "
          f"(by CPU time: {echo['cpu_updates_per_s'] / reg['cpu_updates_per_s']:.2f}x)")
    print(f"service (database + engine) per update: {reg['mean_ms'] - floor['mean_ms']:.3f} ms "
          f"= registration - adapter floor (the floor replays the replies without them)")
    print(f"target >= {TARGET_RATE:,.0f} registration updates/s: {verdict(reg['updates_per_s'] >= TARGET_RATE)}")
    print(f"target within {TARGET_RATIO:.0f}x of echo: {verdict(results['ratio'] <= TARGET_RATIO)}")
    print(f"target p99 < {TARGET_P99_MS:.0f} ms: {verdict(reg['p99_ms'] < TARGET_P99_MS)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_updates", description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1000, help="people who register (default 1000)")
    parser.add_argument("--warmup", type=int, default=20, help="people run first, not counted (default 20)")
    parser.add_argument("--cpu", type=int, default=None, help="core to pin to (default: the last one)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one core")
    parser.add_argument("--db-dir", help="directory for the SQLite file (default: a new temporary one)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--profile", help="write a cProfile dump of the measured registration run")
    args = parser.parse_args(argv)
    if args.people < 1:
        parser.error("--people must be at least 1")

    logging.basicConfig(level=logging.WARNING)
    pinned = "not pinned" if args.no_pin else pin_to_one_core(args.cpu)
    results = asyncio.run(main_async(args))
    report(results, pinned)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

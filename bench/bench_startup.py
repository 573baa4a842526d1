"""Time from process start to the first update handled: ``python -m bot`` long polling a
fake Bot API server on 127.0.0.1 (tests/fake_bot_api.py), one update already waiting.

The clock starts just before the process is spawned and stops when the bot's first
sendMessage reaches the fake server. Each run gets its own SQLite file: "warm" is a
copy of an already migrated database, "fresh" an empty path, so the start-up runs the
migrations too. The median of several runs is printed for each, with the moments of
the first request (getMe: imports and set-up done) and of the first getUpdates.

    .venv/bin/python -m bench.bench_startup                  # 7 runs of each
    .venv/bin/python -m bench.bench_startup --runs 11 --no-pin
    .venv/bin/python -m bench.bench_startup --compile        # with the project's .pyc written first

Options: --runs N (default 7), --cpu N / --no-pin (the bot is pinned to one core, by
default the last one; the fake server runs in this process), --timeout seconds per run
(default 30), --compile to byte-compile the project's packages first (writes
__pycache__, which git ignores; without it, PYTHONDONTWRITEBYTECODE=1 in the environment
makes every start compile them again), --json PATH to also write the figures.
Target: under 1.5 s from process start to the first update handled.
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._common import verdict
from db import migrate
from db.engine import make_engine
from tests.fake_bot_api import FakeBotApi
from tests.telegram_fakes import message_update

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-startup-token"
TARGET_S = 1.5
PACKAGES = ("bot", "conversations", "db", "handlers")


def one_run(db_url: str, log_path: Path, cpu: int | None, timeout: float) -> dict[str, float]:
    """Seconds from spawning ``python -m bot`` to its first call, first getUpdates, first sendMessage."""
    with FakeBotApi(token=TOKEN) as api:
        api.push(message_update("ciao", user_id=7001))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.url, DATABASE_URL=db_url)
        pin = (lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None
        with open(log_path, "wb") as log:
            started = time.monotonic()
            process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, preexec_fn=pin,
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
            try:
                sent = api.wait_for("sendMessage", timeout=timeout)[0]
                first = api.calls[0]
                polled = api.calls_to("getUpdates")[0]
            except AssertionError:
                raise SystemExit(f"no answer within {timeout} s; the bot's log is {log_path}") from None
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    return {"first_call": first.at - started, "first_get_updates": polled.at - started,
            "first_reply": sent.at - started}


def measure(mode: str, runs: int, work: Path, template: Path, cpu: int | None, timeout: float) -> list[dict]:
    results = []
    for index in range(runs):
        db_path = work / f"{mode}-{index}.db"
        if mode == "warm":
            shutil.copy(template, db_path)
        results.append(one_run(f"sqlite:///{db_path}", work / f"{mode}-{index}.log", cpu, timeout))
    return results


def summary(results: list[dict]) -> dict[str, float]:
    return {key: statistics.median(r[key] for r in results) for key in results[0]} | {
        "min_first_reply": min(r["first_reply"] for r in results),
        "max_first_reply": max(r["first_reply"] for r in results)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_startup", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each kind (default 7)")
    parser.add_argument("--cpu", type=int, default=None, help="core to pin the bot to (default: the last one)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the bot to one core")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for each run")
    parser.add_argument("--compile", action="store_true", help="byte-compile the project's packages first")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    cpu = None
    if not args.no_pin and hasattr(os, "sched_setaffinity"):
        cpu = sorted(os.sched_getaffinity(0))[-1] if args.cpu is None else args.cpu
    if args.compile:
        for package in PACKAGES:
            compileall.compile_dir(str(ROOT / package), quiet=1)
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    template = work / "migrated.db"
    engine = make_engine(f"sqlite:///{template}")
    migrate.upgrade(engine)
    engine.dispose()

    results = {mode: summary(measure(mode, args.runs, work, template, cpu, args.timeout))
               for mode in ("warm", "fresh")}
    bytecode = ("compiled first (--compile)" if args.compile else
                "PYTHONDONTWRITEBYTECODE=1: project modules compiled at every start"
                if os.environ.get("PYTHONDONTWRITEBYTECODE") else "written as usual")
    print(f"bench_startup: median of {args.runs} runs each; bot "
          f"{'pinned to CPU %d' % cpu if cpu is not None else 'not pinned'}; bytecode {bytecode}")
    print(f"logs and databases: {work}")
    print(f"{'database':10}{'getMe s':>9}{'getUpdates s':>14}{'1st reply s':>13}{'min':>7}{'max':>7}")
    for mode, fig in results.items():
        print(f"{mode:10}{fig['first_call']:>9.3f}{fig['first_get_updates']:>14.3f}{fig['first_reply']:>13.3f}"
              f"{fig['min_first_reply']:>7.3f}{fig['max_first_reply']:>7.3f}")
    for mode, fig in results.items():
        print(f"target first reply < {TARGET_S} s ({mode} database): {verdict(fig['first_reply'] < TARGET_S)}")
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": args.runs, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

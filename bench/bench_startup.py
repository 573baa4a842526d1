"""Time from process start to the first update handled: ``python -m bot`` long polling a
fake Bot API server on 127.0.0.1 (tests/fake_bot_api.py), one update already waiting.

The clock starts just before the process is spawned and stops when the bot's first
sendMessage reaches the fake server. The process serves the back office and the web chat too
(on a free OFFICE_PORT); it builds them in a thread once polling has started (bot/channels.py). Each run gets its own SQLite file: "warm" is a
copy of an already migrated database, "fresh" an empty path, so the start-up runs the
migrations too. Each is measured twice: with the environment as it is (where
PYTHONDONTWRITEBYTECODE=1, the project's modules are compiled from source at every
start) and with cached bytecode (PYTHONPYCACHEPREFIX in a temporary directory, filled
by one start that is not counted), as an installed bot would run. The series take
turns, so a busy machine slows them alike. Printed: the median (and min, max) of the
runs, with the moments of the first request (getMe: imports and set-up done) and of
the first getUpdates.

    .venv/bin/python -m bench.bench_startup                  # 7 runs of each series
    .venv/bin/python -m bench.bench_startup --runs 11 --no-pin

Options: --runs N (default 7), --cpu N / --no-pin (the bot is pinned to one core, by
default the last one; the fake server runs in this process), --timeout seconds per run
(default 30), --json PATH to also write the figures, --verbose for every run's time.
Target: under 1.5 s from process start to the first update handled.
"""
from __future__ import annotations

import argparse
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
from store import migrate
from store.engine import make_engine
from tests.fake_bot_api import FakeBotApi
from tests.postgres import free_port
from tests.telegram_fakes import message_update

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-startup-token"
TARGET_S = 1.5


def one_run(db_url: str, log_path: Path, cpu: int | None, timeout: float,
            pycache: Path | None) -> dict[str, float]:
    """Seconds from spawning ``python -m bot`` to its first call, first getUpdates, first sendMessage."""
    with FakeBotApi(token=TOKEN) as api:
        api.push(message_update("ciao", user_id=7001))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.url, DATABASE_URL=db_url,
                   OFFICE_PORT=str(free_port()))  # the back office and web chat run beside Telegram
        if pycache is not None:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(pycache)
        pin = (lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None
        with open(log_path, "wb") as log:
            started = time.monotonic()
            process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, preexec_fn=pin,
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
            try:
                sent = _first_reply(api, process, started + timeout, log_path)
                first = api.calls[0]
                polled = api.calls_to("getUpdates")[0]
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    return {"first_call": first.at - started, "first_get_updates": polled.at - started,
            "first_reply": sent.at - started}


def _first_reply(api: FakeBotApi, process: subprocess.Popen, deadline: float, log_path: Path):
    while time.monotonic() < deadline:
        try:
            return api.wait_for("sendMessage", timeout=0.05)[0]
        except AssertionError:
            if process.poll() is not None:
                raise SystemExit(f"the bot exited ({process.returncode}) before answering; "
                                 f"its log, {log_path}, ends:\n{log_path.read_text()[-2000:]}") from None
    raise SystemExit(f"no answer in time; the bot's log is {log_path}")


SERIES = (("warm", False), ("fresh", False), ("warm", True), ("fresh", True))  # (database, bytecode cached)


def measure(runs: int, work: Path, template: Path, cpu: int | None, timeout: float) -> dict[tuple, list]:
    pycache = work / "pycache"
    one_run(f"sqlite:///{work / 'prime.db'}", work / "prime.log", cpu, timeout, pycache)  # fills the cache
    results: dict[tuple, list] = {series: [] for series in SERIES}
    for index in range(runs):
        for mode, cached in SERIES:
            name = f"{mode}-{'cached' if cached else 'as-is'}-{index}"
            if mode == "warm":
                shutil.copy(template, work / f"{name}.db")
            results[(mode, cached)].append(one_run(f"sqlite:///{work / name}.db", work / f"{name}.log",
                                                   cpu, timeout, pycache if cached else None))
    return results


def summary(results: list[dict]) -> dict:
    return {key: statistics.median(r[key] for r in results) for key in results[0]} | {
        "min_first_reply": min(r["first_reply"] for r in results),
        "max_first_reply": max(r["first_reply"] for r in results),
        "first_replies": [round(r["first_reply"], 3) for r in results]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_startup", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each kind (default 7)")
    parser.add_argument("--cpu", type=int, default=None, help="core to pin the bot to (default: the last one)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the bot to one core")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for each run")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--verbose", action="store_true", help="print every run's time too")
    args = parser.parse_args(argv)

    cpu = None
    if not args.no_pin and hasattr(os, "sched_setaffinity"):
        cpu = sorted(os.sched_getaffinity(0))[-1] if args.cpu is None else args.cpu
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    template = work / "migrated.db"
    engine = make_engine(f"sqlite:///{template}")
    migrate.upgrade(engine)
    engine.dispose()

    results = {series: summary(runs) for series, runs in
               measure(args.runs, work, template, cpu, args.timeout).items()}
    as_is = ("as-is (PYTHONDONTWRITEBYTECODE=1: compiled at every start)"
             if os.environ.get("PYTHONDONTWRITEBYTECODE") else "as-is (written as usual)")
    print(f"bench_startup: {args.runs} runs of each series; bot "
          f"{'pinned to CPU %d' % cpu if cpu is not None else 'not pinned'}")
    print(f"logs and databases: {work}")
    print(f"{'database':10}{'bytecode':10}{'getMe s':>9}{'getUpdates s':>14}{'median 1st reply s':>20}"
          f"{'min':>7}{'max':>7}")
    for (mode, cached), fig in results.items():
        print(f"{mode:10}{'cached' if cached else 'as-is':10}{fig['first_call']:>9.3f}"
              f"{fig['first_get_updates']:>14.3f}{fig['first_reply']:>20.3f}"
              f"{fig['min_first_reply']:>7.3f}{fig['max_first_reply']:>7.3f}")
    print(f"as-is: {as_is}; cached: .pyc kept in {work / 'pycache'}")
    if args.verbose:
        for (mode, cached), fig in results.items():
            print(f"  {mode} {'cached' if cached else 'as-is'}: {fig['first_replies']}")
    for (mode, cached), fig in results.items():
        print(f"target first reply < {TARGET_S} s ({mode} database, bytecode {'cached' if cached else 'as-is'}): "
              f"{verdict(fig['first_reply'] < TARGET_S)}")
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": args.runs, "results": [
            {"database": mode, "bytecode": "cached" if cached else "as-is", **fig}
            for (mode, cached), fig in results.items()]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

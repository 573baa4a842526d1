"""Matching 20,000 registered people against a vacancy (services.matching.match), on SQLite and on
PostgreSQL: the time of one whole match as the back office's page asks for it (every person ranked
and the people left out counted by reason, the first 200 with their explanation), p50 and max over
repeated runs after a warm-up, and this process's CPU time (the database server's is not in it).
Target: under 200 ms.

The people are spread over the 55 comuni, with random answers to the questionnaire (sectors,
hours, licence, Italian, school), a tenth interviewed, a few hundred each erased, stopped,
placed or closed, and 2,000 already candidates of other vacancies.

    .venv/bin/python -m bench.bench_matching                      # both databases
    .venv/bin/python -m bench.bench_matching --database sqlite --people 20000 --runs 15

PostgreSQL as the tests get it: TEST_POSTGRES_URL, or a throw-away cluster when its binaries
are installed. Options: --cpu N / --no-pin (pinned to one core by default), --seed, --json PATH.
"""
from __future__ import annotations

import argparse
import gc
import datetime as dt
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select
from sqlmodel import Session

from bench._common import pin_to_one_core, verdict
from conversations.flows import choices
from conversations.municipalities import COMUNI
from services import companies, matching
from store import migrate
from store.engine import make_engine
from store.models import Candidate, Contact, Registration

TARGET_MS = 200.0
SHOWN = 200  # what the back office's matching page lists (the command line: 30)
KINDS = ("with requirements", "open to all")
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)


def populate(db, people: int, seed: int) -> tuple[int, int]:
    """The people, a company, others vacancies holding candidates, and the two vacancies to match:
    one with requirements (licence, Italian, school title: most people are left out in SQL) and one
    with none (every person still in the programme is ranked and explained)."""
    rng = random.Random(seed)
    values = lambda options: [o.value for o in options]  # noqa: E731
    sectors, hours = values(choices.SECTORS), values(choices.AVAILABILITY)
    italian, education, driving = values(choices.ITALIAN), values(choices.EDUCATION), values(choices.DRIVING)
    with Session(db) as session:
        company = companies.create_company(session, now=NOW, name="Logistica Bench srl", vat_number="03123450375",
                                           sector="logistics", municipality="Castel San Pietro Terme")
        others = [companies.create_vacancy(session, company_id=company.id, now=NOW, role=f"Altra {i}",
                                           sector="logistics", municipality="Bologna", contract_type="fixed_term",
                                           hours="full_time") for i in range(10)]
        wanted = companies.create_vacancy(session, company_id=company.id, now=NOW, role="Magazziniere",
                                          sector="logistics", municipality="Castel San Pietro Terme",
                                          contract_type="permanent", hours="shifts", needs_licence=True,
                                          italian="basic", education="lower_secondary")
        open_to_all = companies.create_vacancy(session, company_id=company.id, now=NOW, role="Addetto pulizie",
                                               sector="cleaning", municipality="Bologna", contract_type="fixed_term",
                                               hours="part_time")
        session.commit()
        wanted_id, other_ids = (wanted.id, open_to_all.id), [o.id for o in others]
    with db.begin() as connection:
        first = connection.execute(select(Contact.id).order_by(Contact.id.desc()).limit(1)).scalar() or 0
        contacts = []
        for i in range(people):
            roll = rng.random()
            contacts.append({"id": first + 1 + i, "language": "it", "created_at": NOW,
                             "notices_off_at": NOW if roll < 0.01 else None,
                             "offers_off_at": NOW if 0.01 <= roll < 0.02 else None, "erased_at": None})
        connection.execute(insert(Contact), contacts)
        statuses = ["registered"] * 80 + ["interviewed"] * 10 + ["in_selection"] * 2 + ["placed", "closed"] + ["new"] * 6
        connection.execute(insert(Registration), [{
            "contact_id": c["id"], "code": f"B{c['id']:07d}", "status": rng.choice(statuses), "language": "it",
            "first_name": "Persona", "last_name": f"Prova {i}", "municipality": rng.choice(COMUNI),
            "sectors": rng.sample(sectors, rng.randint(1, 3)), "availability": rng.sample(hours, rng.randint(1, 2)),
            "driving": rng.choice(driving), "italian": rng.choice(italian), "education": rng.choice(education),
            "created_at": NOW - dt.timedelta(days=rng.randint(0, 900)), "erased_at": None}
            for i, c in enumerate(contacts)])
        connection.execute(insert(Candidate), [{
            "vacancy_id": rng.choice(other_ids), "contact_id": c["id"], "state": rng.choice(("proposed", "interested",
                                                                                           "declined")),
            "created_by": "", "created_at": NOW, "updated_at": NOW} for c in rng.sample(contacts, people // 10)])
    return wanted_id


def measure(url: str, args) -> dict:
    db = make_engine(url)
    migrate.upgrade(db)
    vacancies = populate(db, args.people, args.seed)
    gc.collect()
    gc.freeze()  # as the bot does once started (bot/__main__.py): the collector leaves the start-up objects
    try:
        return {name: _runs(db, vacancy_id, args.runs) for name, vacancy_id in zip(KINDS, vacancies)}
    finally:
        db.dispose()
        gc.unfreeze()


def _runs(db, vacancy_id: int, runs: int) -> dict:
    times, cpu = [], []
    for run in range(runs + 2):
        with Session(db) as session:
            started, used = time.perf_counter(), time.process_time()
            result = matching.match(session, vacancy_id, limit=SHOWN)
            elapsed, spent = (time.perf_counter() - started) * 1000, (time.process_time() - used) * 1000
        if run >= 2:  # the first two warm the caches
            times.append(elapsed)
            cpu.append(spent)
    return {"ranked": result.total, "excluded": sum(result.excluded.values()),
            "p50_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
            "cpu_p50_ms": round(statistics.median(cpu), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cpu", type=int)
    parser.add_argument("--no-pin", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    print(pin_to_one_core(args.cpu) if not args.no_pin else "not pinned")
    figures = {}
    for backend in (("sqlite", "postgresql") if args.database == "both" else (args.database,)):
        if backend == "postgresql":
            from tests.postgres import obtain
            server, cluster, _where = obtain()
            name = server.create()
            try:
                figures[backend] = measure(server.url(name), args)
            finally:
                server.drop(name)
                server.close()
                if cluster is not None:
                    cluster.stop()
        else:
            with tempfile.TemporaryDirectory(prefix="bench-matching-") as folder:
                figures[backend] = measure(f"sqlite:///{Path(folder) / 'matching.db'}", args)
        for kind, f in figures[backend].items():
            print(f"{backend}, vacancy {kind}: {args.people} people, {f['ranked']} ranked, {f['excluded']} left "
                  f"out; one match p50 {f['p50_ms']} ms, max {f['max_ms']} ms, this process's CPU p50 "
                  f"{f['cpu_p50_ms']} ms (target < {TARGET_MS:.0f} ms at p50: {verdict(f['p50_ms'] < TARGET_MS)})")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

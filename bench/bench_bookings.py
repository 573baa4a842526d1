"""Bookings per second through the real Telegram Application, and proof of no double booking.

Many registered people (rows inserted straight into a fresh, migrated database, so that
only booking is measured) each book an orientation interview or a workshop seat through
``handlers.telegram.build_application`` with the real ConversationService, over the
recording fake transport of tests/telegram_fakes.py. Each person presses "Book my
interview" (or "Workshops") on the message the registration ended with, then the day,
the time and "Yes, book it" (or the session and "Yes, sign me up" / "Yes, waiting list"),
always pressing the buttons the bot actually sent them last. There are fewer places than
people (by default 70% want an interview: 0.6 slots of one place per person; 30% want a
workshop: sessions of 30 seats for 0.24 per person, then the waiting list), and people
pick among the first days and times shown, so they collide: a time taken between the
keyboard and the press, "somebody has just booked that time", "the last seat has just
been taken" all happen, and the person carries on with the fresh buttons, as a person would.
One person in ten taps the final "yes" a second time (a double tap): it must book nothing more.

Updates run on --tasks asyncio tasks: each person's updates in order, many people mid-flow
at once (a task yields after each update, as a network round trip would). The adapter handles
the database synchronously in the event loop, so one process runs one transaction at a time;
--processes 2 starts two processes on the same database, each driving half of the people
(and of the tasks) with its own Application, let go together by a barrier: real concurrent
transactions.

Printed per database: bookings made (interviews, seats, waiting-list places), people left
without a place, updates, wall time, bookings/s (bookings divided by the wall time of the
booking run), updates/s, p50 and p99 per update (Update.de_json + process_update), the
collisions met; then checks read straight from the database: every slot booked <= capacity
and booked == its 'booked' rows; nobody with two booked interviews; every session registered
<= capacity and == its 'registered' rows; one active registration per person and session;
waiting-list positions unique and the same the bot told; what the bot told each person ==
what the database holds. "double bookings: 0" is printed only when those checks pass; any
failed check (or an error handling an update) makes the exit status 1.

    .venv/bin/python -m bench.bench_bookings                          # 1,000 people, both databases
    .venv/bin/python -m bench.bench_bookings --database postgresql --processes 2
    .venv/bin/python -m bench.bench_bookings --people 200 --database sqlite --no-pin

Options: --people N (default 1000), --database sqlite|postgresql|both (default both),
--processes 1|2 (default 1), --tasks N asyncio tasks in all, split between the processes:
people mid-flow at once (default 100), --warmup N
people per process run first up to the confirmation and not counted (default 10), --seed N
for the people's choices, --cpu N to pin to that core (default: the last one), --no-pin,
--db-dir DIR for the SQLite file (default: a temporary directory), --json PATH to also
write the figures.

PostgreSQL as in tests/postgres.py: the server at TEST_POSTGRES_URL, else a throw-away
cluster (fsync and synchronous_commit off) when initdb/pg_ctl are installed; else that line
is skipped, saying why. One process is pinned to one core (the last) unless --no-pin; two
processes are not pinned.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import math
import multiprocessing
import random
import re
import sys
import tempfile
import time
from collections import Counter, deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import select, text
from sqlmodel import Session
from telegram import Update

from bench._common import percentile, pin_to_one_core
from conversations import payload
from conversations.commands import build_engine
from conversations.flows import interview, workshop
from conversations.i18n import TIMEZONE, translator
from conversations.languages import CODES as LANGUAGES
from store import migrate
from services import workshops
from services.conversation import ConversationService
from store.engine import make_engine
from store.models import (ChannelIdentity, Contact, InterviewSlot, Registration, WorkshopRegistration,
                       WorkshopSession)
from handlers.telegram import build_application
from tests.telegram_fakes import TOKEN, RecordingRequest, callback_update

API_URL = "http://127.0.0.1:9"  # never contacted: the recording transport answers every call
INTERVIEW_SHARE = 7            # of every 10 people, this many want an interview, the rest a workshop
SLOTS_PER_PERSON = 0.6         # interview slots (one place each) per person
SLOTS_PER_DAY, SLOT_MINUTES = 20, 20
SEATS, SEATS_PER_PERSON = 30, 0.24
MAX_SESSIONS = 10              # services.workshops.upcoming lists ten sessions
FIRST_TIMES = 6                # people pick among the first times of a day: they collide
MAX_UPDATES = 60               # per person: more means the script went round in circles
USER_IDS, WARM_USER_IDS = 100_000_000, 900_000_000
DOUBLE_TAPPERS = (3, 18)       # of every 20 people these two (an interview, a workshop) tap "yes" twice
AGAIN, PLACES = "again", ("interview", "seat", "waitlist")
STEPS = {"g": "menu button", "int.day": "day", "int.time": "time", "int.confirm": "yes, book it",
         "ws.pick": "session", "ws.confirm": "yes, sign up/queue", AGAIN: "double tap"}  # as reported


# -- the database --------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    people: int
    warmup: int  # per process: people who open the flows but never confirm, not counted
    processes: int

    @property
    def slots(self) -> int:
        return round(self.people * SLOTS_PER_PERSON)

    @property
    def sessions(self) -> int:
        return min(MAX_SESSIONS, max(1, round(self.people * SEATS_PER_PERSON / SEATS)))

    def user_ids(self) -> list[int]:
        warm = [WARM_USER_IDS + i for i in range(self.warmup * self.processes)]
        return [USER_IDS + i for i in range(self.people)] + warm


def wants_interview(index: int) -> bool:
    return index % 10 < INTERVIEW_SHARE


def language_of(user_id: int) -> str:
    return LANGUAGES[user_id // 3 % len(LANGUAGES)]  # not by parity, which picks the process


def seed(db, plan: Plan) -> dict[int, int]:
    """Registered people, interview slots from tomorrow on, workshop sessions; returns
    Telegram user id -> contact id."""
    tomorrow = dt.datetime.now(TIMEZONE).date() + dt.timedelta(days=1)
    per_day = max(SLOTS_PER_DAY, math.ceil(plan.slots / 150))  # services.bookings offers 180 days ahead
    with Session(db) as session:
        user_ids = plan.user_ids()
        contacts = [Contact(language=language_of(user_id)) for user_id in user_ids]
        session.add_all(contacts)
        session.flush()
        for n, (user_id, contact) in enumerate(zip(user_ids, contacts)):
            session.add(ChannelIdentity(contact_id=contact.id, scheme="telegram", external_id=str(user_id)))
            session.add(Registration(contact_id=contact.id, code=f"BEN-{n:07d}", language=contact.language,
                                     first_name="Maria", last_name="Rossi", birth_date=dt.date(1990, 3, 5),
                                     municipality="Bologna", phone=f"+39347{n:07d}"))
        for n in range(plan.slots):
            day = tomorrow + dt.timedelta(days=n // per_day)
            starts = dt.datetime.combine(day, dt.time(9), TIMEZONE) + dt.timedelta(minutes=SLOT_MINUTES * (n % per_day))
            session.add(InterviewSlot(starts_at=starts.astimezone(dt.timezone.utc), capacity=1,
                                      address="Via del Lavoro 1, Bologna", operator=f"Operatore {n % 4 + 1}"))
        for n in range(plan.sessions):
            day = tomorrow + dt.timedelta(days=2 * n + 1)
            starts = dt.datetime.combine(day, dt.time(10), TIMEZONE).astimezone(dt.timezone.utc)
            session.add(WorkshopSession(title=f"Incontro {n + 1}", starts_at=starts,
                                        ends_at=starts + dt.timedelta(hours=2), capacity=SEATS,
                                        place="Sala incontri, Via dei Mille 5, Bologna"))
        session.commit()
        return {user_id: contact.id for user_id, contact in zip(user_ids, contacts)}


# -- people ----------------------------------------------------------------------------------
class Texts:
    """What the bot says, in one language: to recognise outcomes and collisions."""

    def __init__(self, language: str):
        _ = translator(language).gettext
        self.booked = _("Done: your orientation interview is booked.")
        self.signed_up = _("Done: you are signed up. See you there!")
        queued = _("You are on the waiting list, number {position}. If a seat frees up, it goes to the "
                   "first in line and we tell you at once.")
        self.waitlisted = re.compile(re.escape(queued).replace(re.escape("{position}"), r"(\d+)"))
        self.waitlist_label = _("Yes, waiting list")
        self.menu_keyboard = [[{"text": _(label), "callback_data": payload.encode_global(action)}]
                              for label, action in (("Book my interview", "int:book"), ("Workshops", "ws:list"),
                                                    ("Menu", "menu"))]
        self.events = {
            _(interview.FAILURES["taken"]): "time taken",  # also the time step's stale text: see Person.read
            **{_(interview.FAILURES[r]): f"interview {r}" for r in ("past", "too_late", "cancelled", "not_found")},
            _(interview.FLOW.step("day").stale): "day full before the press",
            _(workshop.FAILURES["full"]): "last seat taken before \"yes\"",
            _(workshop.FLOW.step("pick").stale): "session closed before the press",
            _("That button is no longer active. Here is where we are now."): "button no longer active",
            _("You already have an interview booked."): "already booked",
            _("Sorry, something went wrong on our side. Let's try again."): "ERROR (apology)",
            _("Sorry, something went wrong on our side. Please write again in a few minutes."): "ERROR (apology)",
        }


@dataclass
class Person:
    index: int
    user_id: int
    contact_id: int
    wants: str         # "int" or "ws"
    texts: Texts
    rng: random.Random
    dry: bool = False  # warm-up: stops at the confirmation
    keyboard: dict[str, Any] | None = None  # the last message with buttons, as Telegram's JSON
    pressed: str | None = None              # scope of the last button pressed
    chosen: int | None = None               # slot or session of the last "yes"
    outcome: str | None = None              # interview, seat, waitlist, none, or what went wrong
    detail: tuple = ()
    double_tap: bool = False  # presses the final "yes" a second time, as an impatient thumb does
    last_press: tuple = ()
    updates: int = 0
    declined: int = 0
    paged: bool = False
    events: Counter = field(default_factory=Counter)

    def next_update(self, update_id: int) -> dict[str, Any] | None:
        """The next button press, or None when this person is done."""
        if self.outcome:
            if not (self.double_tap and self.outcome in PLACES):
                return None
            self.double_tap = False  # a double tap: the same "yes" once more, on the same message
            return self._press(*self.last_press, update_id, scope=AGAIN)
        if self.updates >= MAX_UPDATES:
            return self._stop(f"gave up after {MAX_UPDATES} updates")
        if self.updates == 0:  # "Book my interview" / "Workshops" under the registration's last message
            keyboard = self.texts.menu_keyboard
            message = {"text": "…", "message_id": 1, "reply_markup": {"inline_keyboard": keyboard}}
            data = keyboard[0 if self.wants == "int" else 1][0]["callback_data"]
        else:
            message = self.keyboard
            if message is None:
                return self._stop("no buttons to press")
            data = self._choose([button for row in message["reply_markup"]["inline_keyboard"] for button in row])
            if data is None:
                return None
        self.last_press = (message, data)
        return self._press(message, data, update_id, scope=payload.decode(data).scope)

    def _press(self, message: dict[str, Any], data: str, update_id: int, scope: str) -> dict[str, Any]:
        self.updates += 1
        self.pressed = scope
        return callback_update(data, user_id=self.user_id, message_text=message["text"],
                               keyboard=message["reply_markup"]["inline_keyboard"], update_id=update_id,
                               message_id=message["message_id"])

    def _choose(self, buttons: list[dict[str, str]]) -> str | None:
        """Which button to press: the person's policy, seeded."""
        values = {payload.decode(b["callback_data"]).value: b for b in buttons}
        scope = payload.decode(buttons[0]["callback_data"]).scope
        data = {value: button["callback_data"] for value, button in values.items()}
        if scope == "int.day":
            days = [v for v in values if v not in (interview.MORE, interview.LESS, interview.MENU)]
            if not days:
                return self._stop("none", "no free dates")
            if interview.MORE in values and not self.paged and self.rng.random() < 0.1:
                self.paged = True
                return data[interview.MORE]
            return data[self.rng.choice(days)]
        if scope == "int.time":
            times = [v for v in values if v != interview.BACK]
            return data[self.rng.choice(times[:FIRST_TIMES])] if times else data[interview.BACK]
        if scope in ("int.confirm", "ws.confirm"):
            if self.dry:
                return self._stop("warm")
            yes = next(v for v in values if v.startswith("yes:"))  # "yes:<slot>" or "yes:<session>"
            if values[yes]["text"] == self.texts.waitlist_label and self.declined < 2:
                self.declined += 1  # full: look at another session first, twice, then queue
                return data[workshop.OTHER]
            self.chosen = int(yes.partition(":")[2])
            return data[yes]
        if scope == "ws.pick":
            return data[self.rng.choice([v for v in values if v != workshop.MENU])]
        return self._stop(f"stuck at buttons {scope}")

    def _stop(self, outcome: str, *detail) -> None:
        self.outcome, self.detail = outcome, detail
        return None

    def read(self, sent: list[dict[str, Any]]) -> None:
        """The messages the bot sent this person for the last update."""
        for message in sent:
            body = message.get("text", "")
            if "reply_markup" in message:
                self.keyboard = message
            event = self.texts.events.get(body)
            if event == "time taken" and self.pressed == "int.time":
                event = "time taken before the press"
            elif event == "time taken":
                event = "time taken before \"yes\""
            if self.pressed == AGAIN:  # the first tap already ended the flow
                if event or any(body.startswith(t) for t in (self.texts.booked, self.texts.signed_up)) \
                        or self.texts.waitlisted.match(body):
                    self.events[f"double tap on yes: {event or 'BOOKED AGAIN'}"] += 1
                continue
            if event:
                self.events[event] += 1
            if body.startswith(self.texts.booked):
                self._stop("interview", self.chosen)
            elif body.startswith(self.texts.signed_up):
                self._stop("seat", self.chosen)
            elif found := self.texts.waitlisted.match(body):
                self._stop("waitlist", self.chosen, int(found.group(1)))


def people_of(plan: Plan, contacts: dict[int, int], part: int, seed_value: int) -> tuple[list[Person], list[Person]]:
    """This process's share of the people, and its warm-up people."""
    texts = {language: Texts(language) for language in LANGUAGES}

    def person(index: int, user_id: int, dry: bool) -> Person:
        return Person(index, user_id, contacts[user_id], "int" if wants_interview(index) else "ws",
                      texts[language_of(user_id)], random.Random(seed_value * 1_000_003 + user_id), dry=dry,
                      double_tap=not dry and index % 20 in DOUBLE_TAPPERS)

    # blocks of ten (seven for an interview, three for a workshop) alternate between processes
    people = [person(i, USER_IDS + i, False) for i in range(plan.people) if i // 10 % plan.processes == part]
    warm = [person(i, WARM_USER_IDS + part * plan.warmup + i, True) for i in range(plan.warmup)]
    return people, warm


# -- driving the application -----------------------------------------------------------------
class Transport(RecordingRequest):
    """The recording fake, keeping each chat's sent messages (with their ids) apart."""

    def __init__(self) -> None:
        super().__init__()
        self.inbox: dict[int, list[dict[str, Any]]] = {}

    def result_for(self, name: str, params: dict[str, Any]) -> Any:
        result = super().result_for(name, params)
        if name == "sendMessage":
            self.inbox.setdefault(int(params["chat_id"]), []).append(result)
        return result

    def take(self, chat_id: int) -> list[dict[str, Any]]:
        self.calls.clear()     # kept, they would only grow the heap
        self.messages.clear()
        return self.inbox.pop(chat_id, [])


@dataclass
class Tally:
    durations: list[float] = field(default_factory=list)
    by_step: dict[str, list[float]] = field(default_factory=dict)  # by the scope of the button pressed
    in_flight: int = 0
    most_in_flight: int = 0  # > 1 would mean process_update yielded mid-update


async def drive(application, transport: Transport, people: list[Person], tasks: int, update_ids: Iterator[int],
                tally: Tally) -> None:
    """``tasks`` workers take people from one queue; each runs one person's presses in order
    and yields after every update, so many people are mid-flow at once."""
    queue = deque(people)

    async def worker() -> None:
        while queue:
            person = queue.popleft()
            while (data := person.next_update(next(update_ids))) is not None:
                started = time.perf_counter()
                tally.in_flight += 1
                tally.most_in_flight = max(tally.most_in_flight, tally.in_flight)
                await application.process_update(Update.de_json(data, application.bot))
                tally.in_flight -= 1
                took = time.perf_counter() - started
                tally.durations.append(took)
                tally.by_step.setdefault(STEPS.get(person.pressed, person.pressed), []).append(took)
                person.read(transport.take(person.user_id))
                await asyncio.sleep(0)

    await asyncio.gather(*(worker() for _ in range(min(tasks, len(people)) or 1)))


class ErrorCount(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count, self.first = 0, None

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        self.first = self.first or self.format(record)[-1500:]


def run_part(url: str, plan: Plan, contacts: dict[int, int], part: int, tasks: int, seed_value: int,
             barrier=None) -> dict[str, Any]:
    """One process's share: its own engine and Application; returns what it measured."""
    logging.basicConfig(level=logging.WARNING)
    errors = ErrorCount()
    logging.getLogger().addHandler(errors)
    db = make_engine(url)
    service = ConversationService(db, build_engine())
    transport = Transport()
    application = build_application(token=TOKEN, api_url=API_URL, service=service, request=transport)
    people, warm = people_of(plan, contacts, part, seed_value)
    update_ids = iter(range((part + 1) * 100_000_000, (part + 2) * 100_000_000))  # apart per process

    async def main() -> tuple[float, float, Tally]:
        await application.initialize()
        await drive(application, transport, warm, 1, update_ids, Tally())
        if barrier is not None:
            barrier.wait()  # blocks the loop on purpose: nothing else runs yet
        started, tally = time.monotonic(), Tally()
        await drive(application, transport, people, tasks, update_ids, tally)
        finished = time.monotonic()
        await application.shutdown()
        return started, finished, tally

    try:
        started, finished, tally = asyncio.run(main())
    finally:
        logging.getLogger().removeHandler(errors)
        db.dispose()
    events = Counter()
    for person in people:
        events.update(person.events)
    return {"started": started, "finished": finished, "durations": tally.durations, "by_step": tally.by_step,
            "most_in_flight": tally.most_in_flight, "events": dict(events),
            "outcomes": [(p.index, p.contact_id, p.outcome, p.detail) for p in people],
            "errors": errors.count, "first_error": errors.first}


def _child(queue, *args) -> None:
    try:
        queue.put(run_part(*args))
    except BaseException as error:  # noqa: BLE001  (the parent reports it)
        queue.put({"crashed": repr(error)})
        raise


def run_processes(url: str, plan: Plan, contacts: dict[int, int], tasks: int, seed_value: int) -> list[dict]:
    """Two (or more) processes on the same database, let go together by a barrier."""
    context = multiprocessing.get_context("spawn")
    barrier, queue = context.Barrier(plan.processes), context.Queue()
    children = [context.Process(target=_child, args=(queue, url, plan, contacts, part, tasks, seed_value, barrier))
                for part in range(plan.processes)]
    for child in children:
        child.start()
    results = [queue.get() for _ in children]  # before join: a child cannot exit with a full pipe
    for child in children:
        child.join()
    crashed = [r["crashed"] for r in results if "crashed" in r]
    if crashed:
        raise SystemExit(f"a benchmark process crashed: {crashed[0]}")
    return results


# -- checks, straight from the database ------------------------------------------------------
def check(db, outcomes: list[tuple]) -> tuple[list[tuple[str, bool, str]], dict[str, int]]:
    """(name, ok, detail) per check, and what the database holds."""
    results = []
    with db.connect() as connection:
        sql = lambda query: connection.execute(text(query)).all()  # noqa: E731
        slots = sql("SELECT s.id, s.capacity, s.booked, (SELECT count(*) FROM interview_booking b "
                    "WHERE b.slot_id = s.id AND b.status = 'booked') FROM interview_slot s")
        bad = [s for s in slots if not (s[2] <= s[1] and s[2] == s[3])]
        results.append(("every slot: booked <= capacity and == its 'booked' rows", not bad,
                        f"{len(slots)} slots" if not bad else f"{len(bad)} wrong, e.g. {bad[:3]}"))
        twice = sql("SELECT contact_id, count(*) FROM interview_booking WHERE status = 'booked' "
                    "GROUP BY contact_id HAVING count(*) > 1")
        results.append(("nobody has two booked interviews", not twice,
                        "" if not twice else f"{len(twice)} people, e.g. {twice[:3]}"))
        sessions = sql("SELECT s.id, s.capacity, s.registered, (SELECT count(*) FROM workshop_registration r "
                       "WHERE r.session_id = s.id AND r.status = 'registered') FROM workshop_session s")
        bad = [s for s in sessions if not (s[2] <= s[1] and s[2] == s[3])]
        results.append(("every session: registered <= capacity and == its 'registered' rows", not bad,
                        f"{len(sessions)} sessions" if not bad else f"{len(bad)} wrong, e.g. {bad[:3]}"))
        twice = sql("SELECT session_id, contact_id, count(*) FROM workshop_registration "
                    "WHERE status IN ('registered', 'waitlisted') GROUP BY session_id, contact_id HAVING count(*) > 1")
        results.append(("one active registration per person and session", not twice,
                        "" if not twice else f"{len(twice)} pairs, e.g. {twice[:3]}"))
        booked = {(r[0], r[1]) for r in sql("SELECT contact_id, slot_id FROM interview_booking "
                                            "WHERE status = 'booked'")}
        seats = {(r[0], r[1]) for r in sql("SELECT contact_id, session_id FROM workshop_registration "
                                           "WHERE status = 'registered'")}
        free = sql("SELECT count(*) FROM interview_slot WHERE booked < capacity")[0][0]
    with Session(db) as session:  # positions as the bot computes them (services.workshops.waitlist_position)
        queued = session.execute(select(WorkshopRegistration).where(
            WorkshopRegistration.status == "waitlisted")).scalars().all()
        positions = {(r.contact_id, r.session_id): workshops.waitlist_position(session, r) for r in queued}
    per_session = Counter((s, p) for (_c, s), p in positions.items())
    repeated = [key for key, n in per_session.items() if n > 1]
    told_positions = {(c, d[0]): d[1] for _i, c, o, d in outcomes if o == "waitlist"}
    results.append(("waiting-list positions unique, and the ones the bot told",
                    not repeated and told_positions == positions,
                    f"{len(positions)} places" if not repeated and told_positions == positions else
                    f"repeated {repeated[:3]}; told != stored: "
                    f"{sorted(set(told_positions.items()) ^ set(positions.items()))[:3]}"))
    told_booked = {(c, d[0]) for _i, c, o, d in outcomes if o == "interview"}
    told_seats = {(c, d[0]) for _i, c, o, d in outcomes if o == "seat"}
    results.append(("what the bot told people == what the database holds",
                    told_booked == booked and told_seats == seats,
                    "" if told_booked == booked and told_seats == seats else
                    f"interviews told-only {len(told_booked - booked)}, stored-only {len(booked - told_booked)}; "
                    f"seats told-only {len(told_seats - seats)}, stored-only {len(seats - told_seats)}"))
    turned_away = sum(1 for o in outcomes if o[2] == "none")
    results.append(("nobody turned away while a slot was free", not turned_away or not free,
                    f"{turned_away} turned away, {free} slots free"))
    return results, {"interviews": len(booked), "seats": len(seats), "waitlist": len(positions)}


# -- one database ----------------------------------------------------------------------------
def run_database(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    plan = Plan(args.people, args.warmup, args.processes)
    db = make_engine(url)
    migrate.upgrade(db)
    contacts = seed(db, plan)
    if args.processes == 1:
        parts = [run_part(url, plan, contacts, 0, args.tasks, args.seed)]
    else:  # the same number of people mid-flow in all, whatever the number of processes
        parts = run_processes(url, plan, contacts, math.ceil(args.tasks / args.processes), args.seed)
    outcomes = [o for part in parts for o in part["outcomes"]]
    checks, held = check(db, outcomes)
    db.dispose()
    durations = sorted(d for part in parts for d in part["durations"])
    wall = max(p["finished"] for p in parts) - min(p["started"] for p in parts)
    bookings = sum(held.values())
    events = Counter()
    for part in parts:
        events.update(part["events"])
    results = Counter(o[2] for o in outcomes)
    by_step = {}
    for part in parts:
        for step, times in part["by_step"].items():
            by_step.setdefault(step, []).extend(times)
    steps = {step: {"updates": len(times), "p50_ms": percentile(sorted(times), 0.50) * 1e3,
                    "p99_ms": percentile(sorted(times), 0.99) * 1e3}
             for step, times in sorted(by_step.items(), key=lambda item: _step_order(item[0]))}
    errors = sum(p["errors"] for p in parts)
    return {
        "database": name, "people": args.people, "processes": args.processes, "tasks": args.tasks,
        "slots": plan.slots, "sessions": plan.sessions, "seats_per_session": SEATS,
        "bookings": bookings, **held, "no_place": results["none"],
        "unfinished": {k: v for k, v in results.items() if k not in ("interview", "seat", "waitlist", "none")},
        "updates": len(durations), "wall_s": wall, "bookings_per_s": bookings / wall,
        "updates_per_s": len(durations) / wall, "p50_ms": percentile(durations, 0.50) * 1e3,
        "p99_ms": percentile(durations, 0.99) * 1e3, "max_ms": durations[-1] * 1e3,
        "steps": steps, "events": dict(events.most_common()), "errors": errors,
        "first_error": next((p["first_error"] for p in parts if p["first_error"]), None),
        "most_in_flight": max(p["most_in_flight"] for p in parts),
        "per_process": [{"updates": len(p["durations"]), "wall_s": p["finished"] - p["started"],
                         "start_lag_s": p["started"] - min(q["started"] for q in parts)} for p in parts],
        "checks": [{"check": c, "ok": ok, "detail": detail} for c, ok, detail in checks],
    }


def _step_order(step: str) -> int:
    order = list(STEPS.values())
    return order.index(step) if step in order else len(order)


@contextmanager
def sqlite_url(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    db_dir = Path(args.db_dir or tempfile.mkdtemp(prefix="bench-bookings-"))
    path = db_dir / "bookings.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    yield f"sqlite:///{path}", f"file {path}"


class NoPostgres(Exception):
    pass


@contextmanager
def postgres_url() -> Iterator[tuple[str, str]]:
    """A fresh database on TEST_POSTGRES_URL's server, else on a throw-away cluster (tests/postgres.py)."""
    try:
        from tests.postgres import obtain
    except ImportError as error:
        raise NoPostgres(f"cannot import tests/postgres.py: {error}") from None
    cluster = None
    try:
        server, cluster, where = obtain()
        name = server.create()
    except Exception as error:  # noqa: BLE001  (Unavailable, or a server that refuses us)
        if cluster:
            cluster.stop()
        raise NoPostgres(str(error)) from None
    try:
        yield server.url(name), f"{where}, database {name}"
    finally:
        server.drop(name)
        server.close()
        if cluster:
            cluster.stop()


# -- report ----------------------------------------------------------------------------------
HEADER = (f"{'database':12}{'bookings':>9}{'interv.':>8}{'seats':>7}{'waitl.':>7}{'no place':>9}{'updates':>9}"
          f"{'wall s':>8}{'bookings/s':>11}{'updates/s':>10}{'p50 ms':>8}{'p99 ms':>8}")


def report_line(r: dict[str, Any]) -> list[str]:
    lines = [f"{r['database']:12}{r['bookings']:>9,}{r['interviews']:>8,}{r['seats']:>7,}{r['waitlist']:>7,}"
             f"{r['no_place']:>9,}{r['updates']:>9,}{r['wall_s']:>8.2f}{r['bookings_per_s']:>11,.1f}"
             f"{r['updates_per_s']:>10,.0f}{r['p50_ms']:>8.2f}{r['p99_ms']:>8.2f}"]
    lines.append("  per step pressed (updates, p50/p99 ms): " + ", ".join(
        f"{step} {f['updates']:,} {f['p50_ms']:.1f}/{f['p99_ms']:.1f}" for step, f in r["steps"].items()))
    if len(r["per_process"]) > 1:
        lines.append("  per process: " + "; ".join(
            f"{p['updates']:,} updates in {p['wall_s']:.2f} s (started +{p['start_lag_s'] * 1e3:.0f} ms)"
            for p in r["per_process"]))
    lines.append("  collisions: " + (", ".join(f"{n:,} {e}" for e, n in r["events"].items()) or "none"))
    if r["unfinished"]:
        lines.append(f"  PEOPLE WHO DID NOT FINISH: {r['unfinished']}")
    if r["errors"]:
        lines.append(f"  ERRORS LOGGED: {r['errors']}, the first: {r['first_error']}")
    if r["most_in_flight"] > 1:
        lines.append(f"  note: up to {r['most_in_flight']} updates were in process_update at once "
                     "(it yielded): per-update times include other people's")
    for c in r["checks"]:
        lines.append(f"  check: {c['check']}: {'ok' if c['ok'] else 'FAILED'}"
                     + (f" ({c['detail']})" if c["detail"] else ""))
    failed = [c for c in r["checks"] if not c["ok"]]
    lines.append("  double bookings: 0" if not failed else
                 f"  DOUBLE BOOKINGS OR MISCOUNTS: {len(failed)} checks failed")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_bookings", description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1000, help="people who book (default 1000)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1,
                        help="processes on the same database, each with half of the people (default 1)")
    parser.add_argument("--tasks", type=int, default=100,
                        help="asyncio tasks, each driving one person at a time, split between the processes: "
                             "people mid-flow at once (default 100)")
    parser.add_argument("--warmup", type=int, default=10,
                        help="people per process run first up to the confirmation, not counted (default 10)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the people's choices (default 1)")
    parser.add_argument("--cpu", type=int, default=None, help="core to pin one process to (default: the last)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one core")
    parser.add_argument("--db-dir", help="directory for the SQLite file (default: a new temporary one)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.people < 10:
        parser.error("--people must be at least 10")
    if args.tasks < 1:
        parser.error("--tasks must be at least 1")

    logging.basicConfig(level=logging.WARNING)
    pinned = ("not pinned" if args.no_pin else pin_to_one_core(args.cpu)) if args.processes == 1 else \
        f"{args.processes} processes, not pinned"
    plan = Plan(args.people, args.warmup, args.processes)
    interviewees = sum(1 for i in range(args.people) if wants_interview(i))
    print(f"bench_bookings: {args.people:,} people: {interviewees:,} want an interview ({plan.slots:,} slots of "
          f"1 place), {args.people - interviewees:,} a workshop ({plan.sessions} session(s) of {SEATS} seats, then "
          f"the waiting list); {args.processes} process(es), {args.tasks} asyncio tasks in all; {pinned}")
    print(HEADER)
    names = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    everything, status = [], 0
    for name in names:
        try:
            with (sqlite_url(args) if name == "sqlite" else postgres_url()) as (url, where):
                result = run_database(name, url, args)
        except NoPostgres as why:
            reason = " ".join(str(why).split())[:400]  # driver errors come over several lines
            print(f"{'postgresql':12}skipped: no PostgreSQL: {reason} (set TEST_POSTGRES_URL, or install postgresql)")
            status = status or (2 if args.database == "postgresql" else 0)
            continue
        result["where"] = where
        everything.append(result)
        for line in report_line(result):
            print(line)
        print(f"  ({where})")
        if result["errors"] or result["unfinished"] or not all(c["ok"] for c in result["checks"]):
            status = 1
    if args.json:
        Path(args.json).write_text(json.dumps(everything, indent=2, default=str))
    return status


if __name__ == "__main__":
    sys.exit(main())

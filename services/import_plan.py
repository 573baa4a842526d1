"""The check of an import against the database (services.importer writes what it decides): one
step per kind of row. People are matched first (by codice fiscale, else by phone, among the file's
"persona" rows and the live registrations), then each step row finds its person, then the steps
are decided in the order of their days, each person's stage moving by services.programme.advance,
as the office's, the agenda's and the import's own steps move it. Reads only."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Optional

from sqlalchemy import select
from sqlmodel import Session

from conversations.engine import normalize
from conversations.i18n import TIMEZONE

from services import programme
from services.agenda import local
from services.import_csv import Parsed, Problem, Row
from store.models import InterviewBooking, InterviewSlot, ProgrammeEvent, Registration

OUTCOMES = ("create", "present", "refused")
RANK = {"interview": 0, "selection": 1, "placement": 2, "closed": 3}  # same day: this order
NOT_MATCHED = ("erased", "merged")
CHUNK = 500  # values per IN (...): SQLite's limit on bound parameters


@dataclass(eq=False)
class Person:
    registration: Optional[Registration] = None  # from the database, or once created
    row: Optional[Row] = None  # the file's "persona" row that creates it
    stage: str = "registered"
    bookings: dict[dt.date, set[str]] = field(default_factory=dict)  # local day -> statuses
    steps: set[tuple] = field(default_factory=set)  # step_key of what is recorded


@dataclass
class Report:
    rows: list[Row]
    separator: str
    ignored_columns: list[str]
    order: list[Row] = field(default_factory=list)  # the steps to write, in the order checked

    def counts(self) -> dict[str, int]:
        return {outcome: sum(1 for r in self.rows if r.outcome == outcome) for outcome in OUTCOMES}

    def by_kind(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for row in self.rows:
            if row.kind:
                table.setdefault(row.kind, dict.fromkeys(OUTCOMES, 0))[row.outcome] += 1
        return table

    @property
    def refused(self) -> list[Row]:
        return [r for r in self.rows if r.outcome == "refused"]


def plan(sql_session: Session, parsed: Parsed, *, now: dt.datetime) -> Report:
    """Each row's outcome (create, present, refused) and the steps to write, in order."""
    report = Report(rows=parsed.rows, separator=parsed.separator, ignored_columns=parsed.ignored_columns)
    for row in parsed.rows:
        if row.problems:
            row.outcome = "refused"
    people = People(sql_session, parsed.rows)
    refused_people = _match_people(parsed.rows, people)
    steps = [r for r in parsed.rows if r.kind not in ("person", "") and not r.problems]
    _match_steps(steps, people, refused_people)
    _load_history(sql_session, list(people.known.values()))
    for row in sorted((r for r in steps if not r.outcome), key=lambda r: (r.data["day"], RANK[r.kind], r.line)):
        if row.kind == "interview":
            _decide_interview(row, now=now)
        else:
            _decide_step(row)
        if row.outcome == "create":
            report.order.append(row)
    return report


class People:
    """Who a row is about: the live registrations sharing the file's codes and phones, and the
    people the file's own "persona" rows create."""

    def __init__(self, sql_session: Session, rows: list[Row]):
        self.by_code, self.by_phone = _registrations(
            sql_session, {r.data["tax_code"] for r in rows if r.data.get("tax_code")},
            {r.data["phone"] for r in rows if r.data.get("phone")})
        self.known: dict[int, Person] = {}  # registration id -> its person
        self.in_file: dict[tuple[str, str], tuple[Person, int]] = {}  # key -> the person, the line naming them

    def from_db(self, registration: Registration) -> Person:
        if registration.id not in self.known:
            self.known[registration.id] = Person(registration=registration, stage=registration.status)
        return self.known[registration.id]

    def lookup(self, code: Optional[str], phone: Optional[str]) -> Optional[Person]:
        """By codice fiscale; else by phone, unless the one with that phone has another code."""
        if code:
            if ("tax_code", code) in self.in_file:
                return self.in_file[("tax_code", code)][0]
            if code in self.by_code:
                return self.from_db(self.by_code[code])
        if phone:
            if ("phone", phone) in self.in_file:
                person = self.in_file[("phone", phone)][0]
                return person if not (code and _code_of(person)) else None
            if phone in self.by_phone:
                registration = self.by_phone[phone]
                return self.from_db(registration) if not (code and registration.tax_code) else None
        return None


def _match_people(rows: list[Row], people: People) -> dict[tuple[str, str], Row]:
    """The verdict of each "persona" row; returns the refused ones by code and phone (so that
    the steps of a refused person say why they are refused)."""
    refused_people: dict[tuple[str, str], Row] = {}
    for row in rows:
        if row.kind != "person":
            continue
        keys = _keys(row)
        code, phone = row.data.get("tax_code"), row.data.get("phone")
        person = None if row.problems else people.lookup(code, phone)
        if not row.problems and person is None and code and phone and ("phone", phone) in people.in_file:
            row.refuse("phone_in_file", line=people.in_file[("phone", phone)][1])
        elif not row.problems and person is None and code and phone in people.by_phone:
            row.refuse("phone_taken", code=people.by_phone[phone].code)
        if row.problems:
            row.outcome = "refused"
            for key in keys:
                refused_people.setdefault(key, row)
            continue
        if person is None:
            row.person, row.outcome = Person(row=row), "create"
        elif person.registration is not None:
            row.person, row.outcome = person, "present"
            row.remark = Problem("in_database", {"code": person.registration.code})
        else:
            row.person, row.outcome, row.remark = person, "present", Problem("twice", {"line": person.row.line})
        for key in keys:
            people.in_file.setdefault(key, (row.person, row.line))
    return refused_people


def _match_steps(steps: list[Row], people: People, refused_people: dict[tuple[str, str], Row]) -> None:
    for row in steps:
        row.person = people.lookup(row.data.get("tax_code"), row.data.get("phone"))
        if row.person is None:
            refused = next((refused_people[k] for k in _keys(row) if k in refused_people), None)
            if refused is not None:
                row.refuse("person_refused", line=refused.line)
            else:
                row.refuse("unknown_person")
            row.outcome = "refused"


def _decide_interview(row: Row, *, now: dt.datetime) -> None:
    """An interview already there (an outcome that day, or its step) is present; one booked or
    waiting for its outcome is the agenda's to record; "attended" records "interviewed" as
    services.programme.interview_outcome does (unless the path was closed)."""
    person, d = row.person, row.data
    day = d["day"]
    statuses = person.bookings.get(day, set())
    if statuses & {"attended", "no_show"} or ("interviewed", day, "") in person.steps:
        row.outcome, row.remark = "present", None
        return
    if statuses:
        row.refuse("interview_pending")
        row.outcome = "refused"
        return
    if local(day, d["time"]) > now:
        row.refuse("date_future", column="ora", value=row.values.get("ora") or d["time"].strftime("%H:%M"))
        row.outcome = "refused"
        return
    row.outcome = "create"
    person.bookings.setdefault(day, set()).add(d["outcome"])
    d["step"] = False
    if d["outcome"] == "attended":
        try:
            person.stage = programme.advance(person.stage, "interviewed")
        except programme.PathError:
            return
        d["step"] = True
        person.steps.add(("interviewed", day, ""))


def _decide_step(row: Row) -> None:
    """A selection, placement or closure: present when the same step is there, refused when
    it does not follow from the person's stage at that day."""
    person, d = row.person, row.data
    key = step_key(row.kind, d["day"], d.get("company"))
    if key in person.steps:
        row.outcome = "present"
        return
    try:
        stage = programme.advance(person.stage, row.kind)
    except programme.PathError:
        row.refuse("stage", stage=person.stage)
        row.outcome = "refused"
        return
    row.outcome = "create"
    person.steps.add(key)
    person.stage = stage


def _code_of(person: Person) -> Optional[str]:
    return person.registration.tax_code if person.registration is not None else person.row.data.get("tax_code")


def _keys(row: Row) -> list[tuple[str, str]]:
    return [(name, row.data[name]) for name in ("tax_code", "phone") if row.data.get(name)]


def _registrations(sql_session: Session, codes: set[str], phones: set[str]) -> tuple[dict, dict]:
    """Live registrations by codice fiscale and by phone (the oldest first when several share one)."""
    by_code: dict[str, Registration] = {}
    by_phone: dict[str, Registration] = {}
    for column, values, into in ((Registration.tax_code, codes, by_code), (Registration.phone, phones, by_phone)):
        for chunk in _chunks(sorted(values)):
            for registration in sql_session.scalars(select(Registration).where(
                    column.in_(chunk), Registration.erased_at.is_(None),
                    Registration.status.not_in(NOT_MATCHED)).order_by(Registration.id)):
                into.setdefault(getattr(registration, column.key), registration)
    return by_code, by_phone


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _load_history(sql_session: Session, people: list[Person]) -> None:
    """What the database already holds of these people: interviews by day, steps by key."""
    by_contact = {p.registration.contact_id: p for p in people}
    for chunk in _chunks(sorted(by_contact)):
        for contact_id, status, starts in sql_session.execute(
                select(InterviewBooking.contact_id, InterviewBooking.status, InterviewSlot.starts_at)
                .join(InterviewSlot, InterviewSlot.id == InterviewBooking.slot_id)
                .where(InterviewBooking.contact_id.in_(chunk), InterviewBooking.status != "cancelled")):
            day = _local_day(starts)
            by_contact[contact_id].bookings.setdefault(day, set()).add(status)
        for contact_id, kind, day, company in sql_session.execute(
                select(ProgrammeEvent.contact_id, ProgrammeEvent.kind, ProgrammeEvent.day, ProgrammeEvent.company)
                .where(ProgrammeEvent.contact_id.in_(chunk))):
            by_contact[contact_id].steps.add(step_key(kind, day, company))


def _local_day(value: dt.datetime) -> dt.date:
    aware = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(TIMEZONE).date()


def step_key(kind: str, day: dt.date, company: Optional[str]) -> tuple:
    """What makes two steps the same: kind, day, and for a selection or placement the company."""
    return (kind, day, normalize(company or "") if kind in ("selection", "placement") else "")

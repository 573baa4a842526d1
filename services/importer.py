"""Import of the programme's records kept so far in spreadsheets (the file's format: services.import_csv).

``preview`` reads the file and says, row by row, what an import would create, what is already
present and what is refused, writing nothing; ``run`` does the same and writes the rows to create,
in the caller's transaction. The rows written are the ones the bot and the office write: a
person is a Contact with a Registration (code from the chat's generator, ``created_at`` on the
day of the file), an interview is a past slot with its booking, attended or no-show, and
"attended" records the "interviewed" step keyed by the booking as the agenda's outcome does
(services.programme.interview_outcome); selections, placements and closures are services.programme's steps
(source "import"). So the figures count them alike.

People are matched by codice fiscale, else by phone, among the file's "persona" rows and the
live registrations. The steps are checked in the order of their days, each person's stage moving
as services.programme moves it. Importing the same file again creates nothing: a person, an interview
on the same day, a step of the same kind, day (and company) already there are "present"."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Iterable, Optional

from sqlalchemy import select
from sqlmodel import Session

from conversations.engine import normalize
from conversations.i18n import TIMEZONE

from services import programme
from services.agenda import local
from services.import_csv import FileError, Parsed, Problem, Row, read  # noqa: F401 (FileError: for callers)
from store.models import Contact, InterviewBooking, InterviewSlot, Registration
from services.programme import STAGES
from store.models import ProgrammeEvent
from services.repository import new_registration_code

OUTCOMES = ("create", "present", "refused")
RANK = {"interview": 0, "selection": 1, "placement": 2, "closed": 3}  # same day: this order
NOT_MATCHED = ("erased", "merged")
SLOT_MINUTES = 45
CHUNK = 500  # values per IN (...): SQLite's limit on bound parameters


@dataclass(eq=False)
class Person:
    registration: Optional[Registration] = None  # from the database, or once created
    row: Optional[Row] = None  # the file's "persona" row that creates it
    stage: str = "registered"
    bookings: dict[dt.date, set[str]] = field(default_factory=dict)  # local day -> statuses
    steps: set[tuple] = field(default_factory=set)  # _step_key of what is recorded


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


def preview(session: Session, data: bytes, *, now: dt.datetime) -> Report:
    """What ``run`` would do; reads only. FileError when the file itself is wrong."""
    today = now.astimezone(TIMEZONE).date()
    return plan(session, read(data, today=today), now=now)


def run(session: Session, data: bytes, *, now: dt.datetime, created_by: str = "") -> Report:
    """Check and write the valid rows in the session's transaction (the caller commits)."""
    report = preview(session, data, now=now)
    write(session, report, now=now, created_by=created_by)
    return report


# -- checking against the database ------------------------------------------------------

def plan(session: Session, parsed: Parsed, *, now: dt.datetime) -> Report:
    report = Report(rows=parsed.rows, separator=parsed.separator, ignored_columns=parsed.ignored_columns)
    for row in parsed.rows:
        if row.problems:
            row.outcome = "refused"
    by_code, by_phone = _registrations(session, {r.data["tax_code"] for r in parsed.rows if r.data.get("tax_code")},
                                       {r.data["phone"] for r in parsed.rows if r.data.get("phone")})
    known: dict[int, Person] = {}

    def from_db(registration: Registration) -> Person:
        if registration.id not in known:
            known[registration.id] = Person(registration=registration, stage=registration.status)
        return known[registration.id]

    in_file: dict[tuple[str, str], tuple[Person, int]] = {}  # key -> the person, the line that named them

    def lookup(code: Optional[str], phone: Optional[str]) -> Optional[Person]:
        """By codice fiscale; else by phone, unless the one with that phone has another code."""
        if code:
            if ("tax_code", code) in in_file:
                return in_file[("tax_code", code)][0]
            if code in by_code:
                return from_db(by_code[code])
        if phone:
            if ("phone", phone) in in_file:
                person = in_file[("phone", phone)][0]
                return person if not (code and _code_of(person)) else None
            if phone in by_phone:
                registration = by_phone[phone]
                return from_db(registration) if not (code and registration.tax_code) else None
        return None

    refused_people: dict[tuple[str, str], Row] = {}
    for row in parsed.rows:
        if row.kind != "person":
            continue
        keys = _keys(row)
        if row.problems:
            for key in keys:
                refused_people.setdefault(key, row)
            continue
        code, phone = row.data.get("tax_code"), row.data.get("phone")
        person = lookup(code, phone)
        if person is None and code and phone and ("phone", phone) in in_file:
            row.refuse("phone_in_file", line=in_file[("phone", phone)][1])
        elif person is None and code and phone in by_phone:
            row.refuse("phone_taken", code=by_phone[phone].code)
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
            in_file.setdefault(key, (row.person, row.line))

    steps = [r for r in parsed.rows if r.kind not in ("person", "") and not r.problems]
    for row in steps:
        row.person = lookup(row.data.get("tax_code"), row.data.get("phone"))
        if row.person is None:
            refused = next((refused_people[k] for k in _keys(row) if k in refused_people), None)
            if refused is not None:
                row.refuse("person_refused", line=refused.line)
            else:
                row.refuse("unknown_person")
            row.outcome = "refused"
    _load_history(session, [p for p in known.values()])

    today = now.astimezone(TIMEZONE).date()
    for row in sorted((r for r in steps if not r.outcome), key=lambda r: (r.data["day"], RANK[r.kind], r.line)):
        _decide(row, now=now, today=today)
        if row.outcome == "create":
            report.order.append(row)
    return report


def _code_of(person: Person) -> Optional[str]:
    return person.registration.tax_code if person.registration is not None else person.row.data.get("tax_code")


def _keys(row: Row) -> list[tuple[str, str]]:
    return [(name, row.data[name]) for name in ("tax_code", "phone") if row.data.get(name)]


def _registrations(session: Session, codes: set[str], phones: set[str]) -> tuple[dict, dict]:
    """Live registrations by codice fiscale and by phone (the oldest first when several share one)."""
    by_code: dict[str, Registration] = {}
    by_phone: dict[str, Registration] = {}
    for column, values, into in ((Registration.tax_code, codes, by_code), (Registration.phone, phones, by_phone)):
        for chunk in _chunks(sorted(values)):
            for registration in session.scalars(select(Registration).where(
                    column.in_(chunk), Registration.erased_at.is_(None),
                    Registration.status.not_in(NOT_MATCHED)).order_by(Registration.id)):
                into.setdefault(getattr(registration, column.key), registration)
    return by_code, by_phone


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _load_history(session: Session, people: list[Person]) -> None:
    """What the database already holds of these people: interviews by day, steps by key."""
    by_contact = {p.registration.contact_id: p for p in people}
    for chunk in _chunks(sorted(by_contact)):
        for contact_id, status, starts in session.execute(
                select(InterviewBooking.contact_id, InterviewBooking.status, InterviewSlot.starts_at)
                .join(InterviewSlot, InterviewSlot.id == InterviewBooking.slot_id)
                .where(InterviewBooking.contact_id.in_(chunk), InterviewBooking.status != "cancelled")):
            day = _local_day(starts)
            by_contact[contact_id].bookings.setdefault(day, set()).add(status)
        for contact_id, kind, day, company in session.execute(
                select(ProgrammeEvent.contact_id, ProgrammeEvent.kind, ProgrammeEvent.day, ProgrammeEvent.company)
                .where(ProgrammeEvent.contact_id.in_(chunk))):
            by_contact[contact_id].steps.add(_step_key(kind, day, company))


def _local_day(value: dt.datetime) -> dt.date:
    aware = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(TIMEZONE).date()


def _step_key(kind: str, day: dt.date, company: Optional[str]) -> tuple:
    return (kind, day, normalize(company or "") if kind in ("selection", "placement") else "")


def _decide(row: Row, *, now: dt.datetime, today: dt.date) -> None:
    """The verdict of one step, given what its person has so far; moves the person's stage as
    services.programme would."""
    person, d = row.person, row.data
    day = d["day"]
    if row.kind == "interview":
        statuses = person.bookings.get(day, set())
        if statuses & {"attended", "no_show"} or ("interviewed", day, "") in person.steps:
            row.outcome, row.remark = "present", None
            return
        if statuses:  # booked, or past without an outcome: the agenda records it
            row.refuse("interview_pending")
            row.outcome = "refused"
            return
        if local(day, d["time"]) > now:
            row.refuse("date_future", column="ora", value=row.values.get("ora") or d["time"].strftime("%H:%M"))
            row.outcome = "refused"
            return
        row.outcome = "create"
        person.bookings.setdefault(day, set()).add(d["outcome"])
        d["step"] = d["outcome"] == "attended" and person.stage in programme._FROM["interviewed"]
        if d["step"]:  # as services.programme.interview_outcome: "attended" records "interviewed"
            person.steps.add(("interviewed", day, ""))
            if STAGES.index(person.stage) < STAGES.index("interviewed"):
                person.stage = "interviewed"
        return
    key = _step_key(row.kind, day, d.get("company"))
    if key in person.steps:
        row.outcome = "present"
        return
    if person.stage not in programme._FROM[row.kind]:
        row.refuse("stage", stage=person.stage)
        row.outcome = "refused"
        return
    row.outcome = "create"
    person.steps.add(key)
    person.stage = programme._TO[row.kind]


# -- writing ----------------------------------------------------------------------------

def write(session: Session, report: Report, *, now: dt.datetime, created_by: str = "") -> None:
    """Write what ``plan`` decided, in a few flushes: the rows services.programme.record and
    interview_outcome would write one by one (a flush each: 20,000 rows took minutes), with
    their source keys, so that the agenda or the office acting later on an imported booking or
    step finds it. Each person's stage is the one the plan reached step by step."""
    today = now.astimezone(TIMEZONE).date()
    new = [row for row in report.rows if row.kind == "person" and row.outcome == "create"]
    contacts = [Contact(language="it", created_at=local(row.data["day"], dt.time(12, 0))) for row in new]
    session.add_all(contacts)
    session.flush()  # their ids
    codes: set[str] = set()
    for row, contact in zip(new, contacts):
        d = row.data
        row.person.registration = Registration(
            contact_id=contact.id, code=_code(session, codes), status="registered", language="it",
            first_name=d.get("first_name"), last_name=d.get("last_name"), birth_date=d.get("birth_date"),
            tax_code=d.get("tax_code"), municipality=d.get("municipality"), phone=d.get("phone"),
            email=d.get("email"), created_at=contact.created_at)
    session.add_all(row.person.registration for row in new)

    interviews = [row for row in report.order if row.kind == "interview"]
    slots = [InterviewSlot(starts_at=local(row.data["day"], row.data["time"]), duration_minutes=SLOT_MINUTES,
                           mode="in_person", operator=row.data["operator"], capacity=1, booked=1, created_at=now)
             for row in interviews]
    session.add_all(slots)
    session.flush()  # slot ids
    bookings = [InterviewBooking(slot_id=slot.id, contact_id=row.person.registration.contact_id,
                                 status=row.data["outcome"], outcome_note=row.data["note"], created_at=now,
                                 updated_at=now) for row, slot in zip(interviews, slots)]
    session.add_all(bookings)
    session.flush()  # booking ids: the source keys of the "interviewed" steps
    booking_of = {id(row): booking for row, booking in zip(interviews, bookings)}

    events = []
    for row in report.order:
        contact_id, d = row.person.registration.contact_id, row.data
        if row.kind == "interview":
            if d["step"]:
                events.append(ProgrammeEvent(contact_id=contact_id, kind="interviewed", day=min(d["day"], today),
                                             source="import", source_key=f"interview_booking:{booking_of[id(row)].id}",
                                             created_by=created_by, created_at=now))
            continue
        events.append(ProgrammeEvent(
            contact_id=contact_id, kind=row.kind, day=d["day"], company=d.get("company"),
            contract_type=d.get("contract_type"), reason=d.get("reason"), note=d["note"], source="import",
            source_key=_source_key(row, contact_id), created_by=created_by, created_at=now))
    session.add_all(events)
    people = {id(row.person): row.person for row in report.order} | {id(row.person): row.person for row in new}
    for person in people.values():
        if person.registration.status != person.stage:
            person.registration.status = person.stage
    session.flush()


def _code(session: Session, taken: set[str]) -> str:
    """The chat's registration code; unique also among the codes of this import not yet written."""
    while True:
        code = new_registration_code(session)
        if code not in taken:
            taken.add(code)
            return code


def _source_key(row: Row, contact_id: int) -> str:
    """Stable for the same step of the same person, whatever line of the file it is on."""
    what = "|".join(normalize(str(row.data.get(k) or "")) for k in ("company", "contract_type", "reason"))
    digest = hashlib.sha256(what.encode()).hexdigest()[:12]
    return f"import:{row.kind}:{contact_id}:{row.data['day'].isoformat()}:{digest}"

"""Import of the programme's records kept so far in spreadsheets (the file's format: services.import_csv).

``preview`` reads the file and says, row by row, what an import would create, what is already
present and what is refused, writing nothing; ``run`` does the same and writes the rows to create,
in the caller's transaction. The rows written are the ones the bot and the office write: a
person is a Contact with a Registration (code from the chat's generator, ``created_at`` on the
day of the file), an interview is a past slot with its booking, attended or no-show, and
"attended" records the "interviewed" step keyed by the booking as the agenda's outcome does
(services.programme.interview_outcome); selections, placements and closures are services.programme's steps
(source "import"). So the figures count them alike.

The check is services.import_plan's (people matched by codice fiscale, else by phone; the steps
checked in the order of their days, each person's stage moving by services.programme.advance).
Importing the same file again creates nothing: a person, an interview on the same day, a step of
the same kind, day (and company) already there are "present"."""
from __future__ import annotations

import datetime as dt
import hashlib

from sqlmodel import Session

from conversations.engine import normalize
from conversations.i18n import TIMEZONE

from services.agenda import local
from services.import_csv import FileError, Row, read  # noqa: F401 (FileError: for callers)
from services.import_plan import Report, plan
from services.repository import new_registration_code
from store.models import Contact, InterviewBooking, InterviewSlot, ProgrammeEvent, Registration

SLOT_MINUTES = 45


def preview(sql_session: Session, data: bytes, *, now: dt.datetime) -> Report:
    """What ``run`` would do; reads only. FileError when the file itself is wrong."""
    today = now.astimezone(TIMEZONE).date()
    return plan(sql_session, read(data, today=today), now=now)


def run(sql_session: Session, data: bytes, *, now: dt.datetime, created_by: str = "") -> Report:
    """Check and write the valid rows in the SQL session's transaction (the caller commits)."""
    report = preview(sql_session, data, now=now)
    write(sql_session, report, now=now, created_by=created_by)
    return report


# -- writing ----------------------------------------------------------------------------

def write(sql_session: Session, report: Report, *, now: dt.datetime, created_by: str = "") -> None:
    """Write what ``plan`` decided, in a few flushes: the rows services.programme.record and
    interview_outcome would write one by one (a flush each: 20,000 rows took minutes), with
    their source keys, so that the agenda or the office acting later on an imported booking or
    step finds it. Each person's stage is the one the plan reached step by step."""
    today = now.astimezone(TIMEZONE).date()
    new = [row for row in report.rows if row.kind == "person" and row.outcome == "create"]
    contacts = [Contact(language="it", created_at=local(row.data["day"], dt.time(12, 0))) for row in new]
    sql_session.add_all(contacts)
    sql_session.flush()  # their ids
    codes: set[str] = set()
    for row, contact in zip(new, contacts):
        d = row.data
        row.person.registration = Registration(
            contact_id=contact.id, code=_code(sql_session, codes), status="registered", language="it",
            first_name=d.get("first_name"), last_name=d.get("last_name"), birth_date=d.get("birth_date"),
            tax_code=d.get("tax_code"), municipality=d.get("municipality"), phone=d.get("phone"),
            email=d.get("email"), created_at=contact.created_at)
    sql_session.add_all(row.person.registration for row in new)

    interviews = [row for row in report.order if row.kind == "interview"]
    slots = [InterviewSlot(starts_at=local(row.data["day"], row.data["time"]), duration_minutes=SLOT_MINUTES,
                           mode="in_person", operator=row.data["operator"], capacity=1, booked=1, created_at=now)
             for row in interviews]
    sql_session.add_all(slots)
    sql_session.flush()  # slot ids
    bookings = [InterviewBooking(slot_id=slot.id, contact_id=row.person.registration.contact_id,
                                 status=row.data["outcome"], outcome_note=row.data["note"], created_at=now,
                                 updated_at=now) for row, slot in zip(interviews, slots)]
    sql_session.add_all(bookings)
    sql_session.flush()  # booking ids: the source keys of the "interviewed" steps
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
    sql_session.add_all(events)
    people = {id(row.person): row.person for row in report.order} | {id(row.person): row.person for row in new}
    for person in people.values():
        if person.registration.status != person.stage:
            person.registration.status = person.stage
    sql_session.flush()


def _code(sql_session: Session, taken: set[str]) -> str:
    """The chat's registration code; unique also among the codes of this import not yet written."""
    while True:
        code = new_registration_code(sql_session)
        if code not in taken:
            taken.add(code)
            return code


def _source_key(row: Row, contact_id: int) -> str:
    """Stable for the same step of the same person, whatever line of the file it is on."""
    what = "|".join(normalize(str(row.data.get(k) or "")) for k in ("company", "contract_type", "reason"))
    digest = hashlib.sha256(what.encode()).hexdigest()[:12]
    return f"import:{row.kind}:{contact_id}:{row.data['day'].isoformat()}:{digest}"

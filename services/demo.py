"""Demo data, so that a newcomer can try every flow right after ``python -m bot``: interview
slots for the next three weeks and the "bussola" workshop cycle, one session nearly full,
none on a public holiday (services.public_holidays), as the office's own pattern does; a few
companies with a vacancy each (services.demo_companies); the programme information's topics in
every language (services.demo_info).

Idempotent: slots are skipped where the operator already has one at that start, the cycle
is added only when none of its sessions is still to come, demo contacts are found again by
their channel identity (scheme "demo").
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterator

from sqlalchemy import select
from sqlmodel import Session

from conversations.i18n import TIMEZONE

from services import agenda, demo_companies, demo_info, inbox_demo, public_holidays
from store.models import ChannelIdentity, Contact, WorkshopRegistration, WorkshopSession

CYCLE = "Come muoverti nel mondo del lavoro senza perdere la bussola"  # the chat names the cycle so too
CENTRE = "Insieme per il lavoro, sede del centro (indirizzo di prova), Bologna"
NORTH = "Insieme per il lavoro, sede Navile (indirizzo di prova), Bologna"
HALL = "Insieme per il lavoro, sala incontri (indirizzo di prova), Bologna"
TUE, WED, THU = 1, 2, 3
WEEKS = 3


@dataclass(frozen=True)
class SlotPlan:
    operator: str
    weekday: int
    opens: dt.time
    closes: dt.time
    mode: str
    address: str | None
    minutes: int = 45


SLOTS = (
    SlotPlan("Anna Bianchi", TUE, dt.time(9), dt.time(13), "in_person", CENTRE),
    SlotPlan("Marco Rossi", THU, dt.time(9), dt.time(13), "in_person", NORTH),
    SlotPlan("Marco Rossi", WED, dt.time(15), dt.time(15, 45), "phone", None),
)
# The cycle's sessions: (title, description, capacity, seats already taken by anonymous demo contacts).
SESSIONS = (
    ("Il lavoro di cura: l'operatore socio-sanitario",
     "Chi è l'OSS, cosa fa ogni giorno, quale corso serve e dove si lavora.", 25, 3),
    ("Edilizia e impianti: i mestieri più richiesti",
     "Muratori, elettricisti, idraulici: cosa chiedono le imprese e come arrivarci.", 12, 11),
    ("Dopo il diploma: i primi passi nel lavoro",
     "Curriculum, colloquio, tirocini e canali di ricerca per chi ha appena finito la scuola.", 25, 0),
    ("Il lavoro d'ufficio: competenze e canali di ricerca",
     "Le competenze richieste negli uffici, come presentarsi e dove cercare.", 25, 0),
)
TITLES = tuple(title for title, *_rest in SESSIONS)


@dataclass
class DemoReport:
    slots: list[tuple[SlotPlan, agenda.PatternResult]] = field(default_factory=list)
    workshops: list[WorkshopSession] = field(default_factory=list)
    cycle_already_there: int = 0  # sessions of the cycle still to come, when none was added
    companies: tuple[int, int] = (0, 0)  # companies and vacancies created (services.demo_companies)
    info_topics: int = 0  # programme information topics added (services.demo_info)


def load(sql_session: Session, *, now: dt.datetime) -> DemoReport:
    report = DemoReport(companies=demo_companies.load(sql_session, now=now),
                        info_topics=demo_info.load(sql_session, now=now))
    inbox_demo.load(sql_session, now=now)  # the inbox's canned replies (#15)
    today = now.astimezone(TIMEZONE).date()
    # Far enough for the slots' weeks and the cycle's Wednesdays, however many holidays they meet.
    closed = public_holidays.between(today, today + dt.timedelta(weeks=WEEKS + 2 * len(SESSIONS)))
    for plan in SLOTS:
        starts = agenda.pattern_starts(first_day=today, weeks=WEEKS, weekdays=[plan.weekday],
                                       opens=plan.opens, closes=plan.closes, minutes=plan.minutes, skip=closed)
        result = agenda.add_slots(sql_session, starts=starts, now=now, duration_minutes=plan.minutes,
                                  mode=plan.mode, address=plan.address, operator=plan.operator)
        result.holidays = {day: name for day, name in closed.items()
                           if day.weekday() == plan.weekday and day < today + dt.timedelta(weeks=WEEKS)}
        report.slots.append((plan, result))
    upcoming = sql_session.execute(select(WorkshopSession.id).where(
        WorkshopSession.title.in_(TITLES), WorkshopSession.cancelled_at.is_(None),
        WorkshopSession.ends_at > now)).all()
    if upcoming:
        report.cycle_already_there = len(upcoming)
        return report
    for (title, description, capacity, taken), day in zip(SESSIONS, _wednesdays(today, closed)):
        workshop = agenda.add_workshop(
            sql_session, title=title, description=description, starts_at=agenda.local(day, dt.time(9, 30)),
            ends_at=agenda.local(day, dt.time(12, 30)), place=HALL, capacity=capacity, now=now)
        _fill(sql_session, workshop, taken)
        report.workshops.append(workshop)
    return report


def _wednesdays(today: dt.date, closed: dict[dt.date, str]) -> Iterator[dt.date]:
    """The cycle's weekly days: Wednesdays from the first one at least 3 days away, holidays left out."""
    day = today + dt.timedelta(days=3)
    day += dt.timedelta(days=(WED - day.weekday()) % 7)
    while True:
        if day not in closed:
            yield day
        day += dt.timedelta(weeks=1)


def _fill(sql_session: Session, workshop: WorkshopSession, taken: int) -> None:
    """Seats for anonymous demo contacts in a session just created (so no count to race)."""
    for number in range(1, taken + 1):
        contact_id = demo_contact(sql_session, number)
        sql_session.add(WorkshopRegistration(session_id=workshop.id, contact_id=contact_id, status="registered"))
    workshop.registered = taken
    sql_session.flush()


def demo_contact(sql_session: Session, number: int) -> int:
    """The anonymous contact "demo-NN", created the first time."""
    external_id = f"demo-{number:02d}"
    found = sql_session.execute(select(ChannelIdentity.contact_id).where(
        ChannelIdentity.scheme == "demo", ChannelIdentity.external_id == external_id)).scalar()
    if found:
        return found
    contact = Contact()
    sql_session.add(contact)
    sql_session.flush()
    sql_session.add(ChannelIdentity(contact_id=contact.id, scheme="demo", external_id=external_id))
    sql_session.flush()
    return contact.id

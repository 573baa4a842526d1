"""Fixtures and helpers of the back office tests: an application on the test's database with a
clock the test moves, three accounts (admin, operator, viewer), logged-in HTTP clients, and a
small programme (registrations, an interview, a workshop seat, a broadcast) to look at."""
from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass, field

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.office import accounts, passwords
from backoffice.app import create_app
from backoffice.settings import OfficeSettings
from store.models import (Broadcast, InterviewBooking, InterviewSlot, Registration, WorkshopRegistration,
                       WorkshopSession)
from store.models import OfficeAudit
from tests.conftest import NOW, Chat
from tests.registration_helpers import TAX_CODE, reach

with warnings.catch_warnings():  # starlette suggests httpx2; httpx is what the project has
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORDS = {"anna": "anna-password-1", "otto": "otto-password-1", "vera": "vera-password-1"}
ROLES = {"anna": "admin", "otto": "operator", "vera": "viewer"}
# What an anonymous visitor must never read: Maria Rossi's data, registered through the chat.
PERSONAL = ("Rossi", "Maria", TAX_CODE, "4567", "maria.rossi@example.com", "Bianchi")
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"|name="csrf_token" value="([^"]+)"')


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@dataclass
class Office:
    app: object
    clock: Clock
    announced: list[str] = field(default_factory=list)


@pytest.fixture
def fast_hashes(monkeypatch):
    """Argon2id still, with light parameters: the library's defaults cost 0.6 s a hash here.
    (test_backoffice_accounts checks the defaults are what production uses.)"""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def office_accounts(db, fast_hashes) -> dict[str, int]:
    with Session(db) as session:
        ids = {}
        for name, role in ROLES.items():
            operator, _ = accounts.create_operator(session, username=name, role=role, now=NOW,
                                                   full_name=name.title(), password=PASSWORDS[name])
            ids[name] = operator.id
        session.commit()
    return ids


@pytest.fixture
def office(db, office_accounts) -> Office:
    clock = Clock(NOW)
    office = Office(app=None, clock=clock)
    office.app = create_app(db, clock=clock, settings=OfficeSettings(secret_key="k" * 40),
                            announce=office.announced.append)
    return office


@pytest.fixture
def client(office):
    with TestClient(office.app, follow_redirects=False) as http:
        yield http


def csrf(http, path: str = "/office/login") -> str:
    match = CSRF.search(http.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def login(http, username: str, password: str | None = None):
    token = csrf(http)
    return http.post("/office/login", data={"username": username, "password": password or PASSWORDS[username],
                                            "csrf_token": token})


def logout(http):
    """The "Esci" button: a POST with the CSRF token of the page it is on."""
    return http.post("/office/logout", data={"csrf_token": csrf(http, "/office/")})


def logged_in(http, username: str):
    response = login(http, username)
    assert response.status_code == 302 and response.headers["location"].endswith("/office/"), response.text[:300]
    return http


@pytest.fixture
def programme(db, service) -> dict[str, int]:
    """Maria Rossi registered through the chat, Luca Bianchi already reviewed, Maria's interview,
    a workshop seat and a broadcast."""
    chat = Chat(service, "maria")
    reach(chat)
    with Session(db) as session:
        maria = session.scalar(select(Registration).where(Registration.last_name == "Rossi"))
        luca = Registration(contact_id=maria.contact_id + 1000, code="LB0002", status="registered", language="it",
                            first_name="Luca", last_name="Bianchi", municipality="Imola", phone="+393331112222",
                            sectors=["logistics"], created_at=NOW - dt.timedelta(days=40))
        _contact(session, luca.contact_id)
        slot = InterviewSlot(starts_at=NOW + dt.timedelta(days=2), operator="Anna Bianchi", booked=1,
                             address="Via del Lavoro 1, Bologna")
        workshop = WorkshopSession(title="Incontro 1", starts_at=NOW + dt.timedelta(days=3),
                                   ends_at=NOW + dt.timedelta(days=3, hours=2), registered=1)
        session.add_all([luca, slot, workshop])
        session.flush()
        booking = InterviewBooking(slot_id=slot.id, contact_id=maria.contact_id)
        seat = WorkshopRegistration(session_id=workshop.id, contact_id=maria.contact_id)
        broadcast = Broadcast(texts={"it": "Avviso per Rossi"}, audience={"all": True}, created_by="anna")
        session.add_all([booking, seat, broadcast])
        session.commit()
        return {"maria": maria.id, "luca": luca.id, "slot": slot.id, "booking": booking.id,
                "workshop": workshop.id, "seat": seat.id, "broadcast": broadcast.id, "contact": maria.contact_id}


def _contact(session: Session, contact_id: int) -> None:
    from store.models import Contact

    session.add(Contact(id=contact_id))
    session.flush()


def registration(db, registration_id: int) -> Registration:
    with Session(db) as session:
        return session.get(Registration, registration_id)


def audit_rows(db, **where) -> list[OfficeAudit]:
    with Session(db) as session:
        query = select(OfficeAudit).order_by(OfficeAudit.id)
        for key, value in where.items():
            query = query.where(getattr(OfficeAudit, key) == value)
        return list(session.scalars(query))

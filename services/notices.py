"""Queuing the notices to another person (conversations.notices builds their text).

The service that changes what somebody else booked calls these itself, in the same transaction
as the change, so that no caller can forget to tell them: services.workshops when a freed seat
goes to the first person waiting, services.agenda when the office cancels a slot or a session,
services.attendance when it moves one. Each notice has its idempotency key (queued once), goes
to the person's newest reachable channel in their language; the outbox's drain sends it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from conversations import notices
from conversations import languages
from conversations.messages import Outbound
from conversations.store import Seat, Slot, Workshop

from services import outbox
from store.models import Contact

MOVED, CANCELLED = notices.MOVED, notices.CANCELLED


@dataclass
class Told:
    """What an office action changed for other people: the rows (bookings or seats) it changed,
    and the ids of those whose person a notice reaches (the others have no channel left: erased,
    or they blocked the bot; the office calls them)."""

    rows: list = field(default_factory=list)
    told: set[int] = field(default_factory=set)


def language_of(sql_session: Session, contact_id: int) -> str:
    found = sql_session.execute(select(Contact.language).where(Contact.id == contact_id)).scalar()
    return found or languages.DEFAULT


def queue(sql_session: Session, *, contact_id: int, message: Outbound, key: str, now: dt.datetime) -> bool:
    """Queue ``message`` for the person, due now, once per ``key``; False when it was queued
    before or no channel reaches them."""
    sql_session.flush()  # the change first: the outbox statement runs on the same connection
    return outbox.enqueue(sql_session, contact_id=contact_id, message=message, key=key, due_at=now)


def promoted(sql_session: Session, *, contact_id: int, seat: Seat, now: dt.datetime) -> bool:
    """``seat`` (registered now) came to the person from the waiting list."""
    message = notices.promoted(language=language_of(sql_session, contact_id), seat=seat, now=now)
    return queue(sql_session, contact_id=contact_id, message=message, key=f"promotion:{seat.registration_id}",
                 now=now)


def slot_cancelled(sql_session: Session, *, contact_id: int, booking_id: int, slot: Slot, now: dt.datetime) -> bool:
    """The office cancelled the slot of booking ``booking_id``."""
    message = notices.slot_cancelled(language=language_of(sql_session, contact_id), slot=slot, now=now)
    return queue(sql_session, contact_id=contact_id, message=message, key=f"slot-cancelled:{booking_id}", now=now)


def workshop_changed(sql_session: Session, *, contact_id: int, registration_id: int, workshop: Workshop,
                     now: dt.datetime, kind: str) -> bool:
    """The office cancelled or moved the session of registration ``registration_id``: once per
    cancellation, once per new time."""
    message = notices.workshop_changed(language=language_of(sql_session, contact_id), workshop=workshop, now=now,
                                       kind=kind)
    key = f"workshop-{kind}:{registration_id}"
    if kind == MOVED:
        key += ":" + workshop.starts_at.strftime("%Y%m%d%H%M")
    return queue(sql_session, contact_id=contact_id, message=message, key=key, now=now)

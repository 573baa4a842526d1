"""The programme's path on a registration's page, and what moves with a contact when two
registrations are merged: read for the office, nothing written."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from services import duplicates, workshops
from store.models import (ChannelIdentity, Contact, InterviewBooking, InterviewSlot, ProgrammeEvent, Registration,
                          WorkshopRegistration, WorkshopSession)


@dataclass(frozen=True)
class Path:
    registration: Registration
    events: list[ProgrammeEvent]  # by day
    live: bool  # not erased
    duplicates: list[duplicates.Pair]  # empty once erased
    interviews: list[tuple[InterviewBooking, InterviewSlot]]  # newest first
    seats: list[tuple[WorkshopRegistration, WorkshopSession]]  # newest first


def registration(sql_session: Session, registration_id: int | None) -> Registration | None:
    return sql_session.get(Registration, registration_id) if registration_id else None


def path(sql_session: Session, registration_id: int | None) -> Path | None:
    found = registration(sql_session, registration_id)
    if found is None:
        return None
    events = sql_session.scalars(select(ProgrammeEvent).where(ProgrammeEvent.contact_id == found.contact_id)
                                 .order_by(ProgrammeEvent.day, ProgrammeEvent.id)).all()
    live = found.erased_at is None
    return Path(found, list(events), live, duplicates.pairs(sql_session, registration_id=found.id) if live else [],
                *appointments(sql_session, found.contact_id))


def appointments(sql_session: Session, contact_id: int, limit: int = 50) -> tuple[list, list]:
    """The person's interviews and workshop rows (seats, waiting places, past ones), newest
    first: the registration's page shows them with links to the agenda."""
    interviews = sql_session.execute(
        select(InterviewBooking, InterviewSlot).join(InterviewSlot, InterviewSlot.id == InterviewBooking.slot_id)
        .where(InterviewBooking.contact_id == contact_id)
        .order_by(InterviewSlot.starts_at.desc(), InterviewBooking.id.desc()).limit(limit)).all()
    seats = sql_session.execute(
        select(WorkshopRegistration, WorkshopSession)
        .join(WorkshopSession, WorkshopSession.id == WorkshopRegistration.session_id)
        .where(WorkshopRegistration.contact_id == contact_id)
        .order_by(WorkshopSession.starts_at.desc(), WorkshopRegistration.id.desc()).limit(limit)).all()
    return [tuple(row) for row in interviews], [tuple(row) for row in seats]


def holdings(sql_session: Session, contact_id: int) -> dict[str, object]:
    """Chat channels (their schemes), live bookings, active seats and path steps of a contact,
    and the language it chats in now (the one the office shows)."""
    def count(model, *where) -> int:
        return sql_session.scalar(select(func.count()).select_from(model).where(model.contact_id == contact_id,
                                                                                 *where))

    schemes = sql_session.scalars(select(ChannelIdentity.scheme).where(ChannelIdentity.contact_id == contact_id)
                                  .order_by(ChannelIdentity.id)).all()
    return {"channels": ", ".join(schemes), "bookings": count(InterviewBooking, InterviewBooking.status == "booked"),
            "seats": count(WorkshopRegistration, WorkshopRegistration.status.in_(workshops.ACTIVE)),
            "events": count(ProgrammeEvent),
            "language": sql_session.scalar(select(Contact.language).where(Contact.id == contact_id))}

"""The programme's path on a registration's page, and what moves with a contact when two
registrations are merged: read for the office, nothing written."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from services import duplicates, workshops
from store.models import ChannelIdentity, InterviewBooking, ProgrammeEvent, Registration, WorkshopRegistration


@dataclass(frozen=True)
class Path:
    registration: Registration
    events: list[ProgrammeEvent]  # by day
    live: bool  # not erased
    duplicates: list[duplicates.Pair]  # empty once erased


def registration(sql_session: Session, registration_id: int | None) -> Registration | None:
    return sql_session.get(Registration, registration_id) if registration_id else None


def path(sql_session: Session, registration_id: int | None) -> Path | None:
    found = registration(sql_session, registration_id)
    if found is None:
        return None
    events = sql_session.scalars(select(ProgrammeEvent).where(ProgrammeEvent.contact_id == found.contact_id)
                                 .order_by(ProgrammeEvent.day, ProgrammeEvent.id)).all()
    live = found.erased_at is None
    return Path(found, list(events), live, duplicates.pairs(sql_session, registration_id=found.id) if live else [])


def holdings(sql_session: Session, contact_id: int) -> dict[str, object]:
    """Chat channels (their schemes), live bookings, active seats and path steps of a contact."""
    def count(model, *where) -> int:
        return sql_session.scalar(select(func.count()).select_from(model).where(model.contact_id == contact_id,
                                                                                 *where))

    schemes = sql_session.scalars(select(ChannelIdentity.scheme).where(ChannelIdentity.contact_id == contact_id)
                                  .order_by(ChannelIdentity.id)).all()
    return {"channels": ", ".join(schemes), "bookings": count(InterviewBooking, InterviewBooking.status == "booked"),
            "seats": count(WorkshopRegistration, WorkshopRegistration.status.in_(workshops.ACTIVE)),
            "events": count(ProgrammeEvent)}

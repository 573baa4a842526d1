"""The programme's path of a person after registering: registered -> interviewed -> in selection
("inserimento mediato", with a company and a date) -> placed (contract type, start date), or
closed (a reason; a refused contract is tracked as a mismatch signal).

Each step is a ``ProgrammeEvent`` row with its day; ``Registration.status`` is the stage reached,
kept in step by the functions here (the only writers). The figures of the dashboard count the
events, so a step recorded by the office, by the agenda's "attended" outcome or by an import of
old records counts the same. ``source_key`` makes a step recorded twice for the same reason
(the same booking, the same imported row) one row."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlmodel import Session

from store.models import InterviewBooking, InterviewSlot, ProgrammeEvent, Registration, aware

# Stages of Registration.status, in order; "erased" is set by the person's erasure.
STAGES = ("new", "registered", "interviewed", "in_selection", "placed", "closed")
KINDS = ("interviewed", "selection", "placement", "closed")
CONTRACT_TYPES = ("permanent", "fixed_term", "apprenticeship", "other")
CLOSE_REASONS = ("refused_contract", "found_work_alone", "not_interested", "unreachable", "moved_away",
                 "other")

# Which stages each step may start from.
_FROM = {
    "interviewed": {"new", "registered", "interviewed", "in_selection", "placed"},
    "selection": {"interviewed", "in_selection", "placed"},
    "placement": {"interviewed", "in_selection", "placed"},
    "closed": {"new", "registered", "interviewed", "in_selection", "placed"},
}
_TO = {"interviewed": "interviewed", "selection": "in_selection", "placement": "placed", "closed": "closed"}


class PathError(ValueError):
    """A step that does not fit: ``code`` is stage (not from this stage), erased, company,
    contract_type, reason, future (a day after today)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def record(session: Session, *, registration: Registration, kind: str, on: dt.date, today: dt.date,
           company: str | None = None, contract_type: str | None = None, reason: str | None = None,
           note: str | None = None, source: str = "office", source_key: str | None = None,
           created_by: str = "") -> ProgrammeEvent:
    """Add a step and move the registration's stage. A ``source_key`` already recorded gives back
    the existing row, unchanged. Placements may start in the future (a contract signed today
    for next month); the other steps happened, so not after ``today``."""
    if source_key is not None:
        existing = session.execute(select(ProgrammeEvent).where(ProgrammeEvent.source_key == source_key)).scalar()
        if existing is not None:
            return existing
    if registration.erased_at is not None or registration.status == "erased":
        raise PathError("erased")
    if registration.status not in _FROM[kind]:
        raise PathError("stage")
    company = (company or "").strip() or None
    if kind in ("selection", "placement") and not company:
        raise PathError("company")
    if kind == "placement" and contract_type not in CONTRACT_TYPES:
        raise PathError("contract_type")
    if kind == "closed" and reason not in CLOSE_REASONS:
        raise PathError("reason")
    if kind != "placement" and on > today:
        raise PathError("future")
    event = ProgrammeEvent(contact_id=registration.contact_id, kind=kind, day=on, company=company,
                           contract_type=contract_type if kind == "placement" else None,
                           reason=reason if kind == "closed" else None, note=(note or "").strip() or None,
                           source=source, source_key=source_key, created_by=created_by)
    session.add(event)
    if kind != "interviewed" or STAGES.index(registration.status) < STAGES.index("interviewed"):
        registration.status = _TO[kind]  # an interview recorded late does not move a person back
    session.flush()
    return event


def reopen(session: Session, *, registration: Registration) -> str:
    """Undo "closed": back to the stage of the latest step before it (or "registered")."""
    if registration.status != "closed":
        raise PathError("stage")
    registration.status = _stage_from_events(session, registration.contact_id, skip_closed=True)
    session.flush()
    return registration.status


def _stage_from_events(session: Session, contact_id: int, *, skip_closed: bool = False) -> str:
    rows = session.execute(select(ProgrammeEvent.kind).where(ProgrammeEvent.contact_id == contact_id)
                           .order_by(ProgrammeEvent.day.desc(), ProgrammeEvent.id.desc())).scalars()
    for kind in rows:
        if skip_closed and kind == "closed":
            continue
        return _TO[kind]
    return "registered"


def interview_outcome(session: Session, *, booking: InterviewBooking, today: dt.date, timezone,
                      created_by: str = "") -> Optional[ProgrammeEvent]:
    """The agenda's outcome of an interview, on the path: "attended" records "interviewed" on the
    interview's day (once per booking); changing it to "no_show" takes that step back.
    Without a live registration, nothing (the person was never registered, or erased)."""
    registration = session.execute(select(Registration).where(
        Registration.contact_id == booking.contact_id, Registration.erased_at.is_(None))).scalar()
    if registration is None:
        return None
    key = f"interview_booking:{booking.id}"
    existing = session.execute(select(ProgrammeEvent).where(ProgrammeEvent.source_key == key)).scalar()
    if booking.status == "attended":
        if existing is not None:
            return existing
        if registration.status not in _FROM["interviewed"]:
            return None  # closed: the office decided; the outcome stays on the booking
        slot = session.get(InterviewSlot, booking.slot_id)
        day = aware(slot.starts_at).astimezone(timezone).date()
        return record(session, registration=registration, kind="interviewed", on=min(day, today), today=today,
                      source="agenda", source_key=key, created_by=created_by)
    if existing is not None:
        session.delete(existing)
        session.flush()
        if registration.status == "interviewed":
            registration.status = _stage_from_events(session, registration.contact_id)
            session.flush()
    return None

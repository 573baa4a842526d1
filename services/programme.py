"""The programme's path of a person after registering: registered -> interviewed -> in selection
("inserimento mediato", with a company and a date) -> placed (contract type, start date), or
closed (a reason; a refused contract is tracked as a mismatch signal).

Each step is a ``ProgrammeEvent`` row with its day; ``Registration.status`` is the stage reached,
kept in step by the functions here (the only writers). The figures of the dashboard count the
events, so a step recorded by the office, by the agenda's "attended" outcome or by an import of
old records counts the same. ``source_key`` makes a step recorded twice for the same reason
(the same booking, the same imported row) one row.

Which step may follow which stage, and where it leads, is ``advance``: the office's path page,
the agenda's outcome, the import of old records and the merge all ask it."""
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

# Which stages each step may start from, and the stage it leads to (see ``advance``).
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


def advance(stage: str, kind: str) -> str:
    """The stage a person reaches with a step of ``kind`` from ``stage``; PathError("erased") for
    an erased registration, PathError("stage") when the step does not follow (or is unknown).
    An interview recorded late does not move a person back: from a later stage it stays there."""
    if stage == "erased":
        raise PathError("erased")
    if kind not in _FROM or stage not in _FROM[kind]:
        raise PathError("stage")
    if kind == "interviewed" and STAGES.index(stage) > STAGES.index("interviewed"):
        return stage
    return _TO[kind]


def next_kinds(stage: str) -> list[str]:
    """The steps that may follow ``stage``, in KINDS' order (what the path page offers)."""
    found = []
    for kind in KINDS:
        try:
            advance(stage, kind)
        except PathError:
            continue
        found.append(kind)
    return found


def record(sql_session: Session, *, registration: Registration, kind: str, on: dt.date, today: dt.date,
           company: str | None = None, contract_type: str | None = None, reason: str | None = None,
           note: str | None = None, source: str = "office", source_key: str | None = None,
           created_by: str = "") -> ProgrammeEvent:
    """Add a step and move the registration's stage. A ``source_key`` already recorded gives back
    the existing row, unchanged. Placements may start in the future (a contract signed today
    for next month); the other steps happened, so not after ``today``."""
    if source_key is not None:
        existing = sql_session.execute(select(ProgrammeEvent).where(ProgrammeEvent.source_key == source_key)).scalar()
        if existing is not None:
            return existing
    if registration.erased_at is not None:
        raise PathError("erased")
    stage = advance(registration.status, kind)
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
    sql_session.add(event)
    registration.status = stage
    sql_session.flush()
    return event


def reopen(sql_session: Session, *, registration: Registration) -> str:
    """Undo "closed": back to the stage of the latest step before it (or "registered")."""
    if registration.status != "closed":
        raise PathError("stage")
    registration.status = stage_from_events(sql_session, registration.contact_id, skip_closed=True)
    sql_session.flush()
    return registration.status


def stage_from_events(sql_session: Session, contact_id: int, *, skip_closed: bool = False) -> str:
    """The stage the person's latest step (by day) leads to; "registered" without any (with
    ``skip_closed``: the latest before a closure)."""
    rows = sql_session.execute(select(ProgrammeEvent.kind).where(ProgrammeEvent.contact_id == contact_id)
                               .order_by(ProgrammeEvent.day.desc(), ProgrammeEvent.id.desc())).scalars()
    for kind in rows:
        if skip_closed and kind == "closed":
            continue
        return _TO[kind]
    return "registered"


def interview_outcome(sql_session: Session, *, booking: InterviewBooking, today: dt.date, timezone,
                      created_by: str = "") -> ProgrammeEvent | None:
    """The agenda's outcome of an interview, on the path: "attended" records "interviewed" on the
    interview's day (once per booking); changing it to "no_show" takes that step back.
    Without a live registration, nothing (the person was never registered, or erased)."""
    registration = sql_session.execute(select(Registration).where(
        Registration.contact_id == booking.contact_id, Registration.erased_at.is_(None))).scalar()
    if registration is None:
        return None
    key = f"interview_booking:{booking.id}"
    existing = sql_session.execute(select(ProgrammeEvent).where(ProgrammeEvent.source_key == key)).scalar()
    if booking.status == "attended":
        if existing is not None:
            return existing
        try:
            advance(registration.status, "interviewed")
        except PathError:
            return None  # closed: the office decided; the outcome stays on the booking
        slot = sql_session.get(InterviewSlot, booking.slot_id)
        day = aware(slot.starts_at).astimezone(timezone).date()
        return record(sql_session, registration=registration, kind="interviewed", on=min(day, today), today=today,
                      source="agenda", source_key=key, created_by=created_by)
    if existing is not None:
        sql_session.delete(existing)
        sql_session.flush()
        if registration.status == "interviewed":
            registration.status = stage_from_events(sql_session, registration.contact_id)
            sql_session.flush()
    return None

"""The programme's figures for the technical board, per semester (H1 January-June, H2
July-December, days in Rome) and over all time: the funnel (registered, interviewed, in
selection, placed), the share of permanent contracts and its change against the same semester a
year before, new registrations per month, the workshops' fill and no-show rates and the
interviews' no-show rate. Plain queries that run the same on SQLite and PostgreSQL.

The path's figures count ``ProgrammeEvent`` rows, whoever wrote them (the office, the agenda's
"attended" outcome, an import of old records). Registrations count by ``created_at`` (imports
set it to the old day); erased ones still count (erasure keeps the anonymous row), merged
duplicates do not."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Optional

from sqlalchemy import and_, distinct, func, select, true
from sqlalchemy.orm import Session

from conversations.i18n import TIMEZONE

from store.models import InterviewBooking, InterviewSlot, Registration, WorkshopRegistration, WorkshopSession, aware
from store.models import ProgrammeEvent

UTC = dt.timezone.utc
NOT_COUNTED = ("merged",)  # registrations folded into another: the other one counts
SEATS_TAKEN = ("registered", "attended", "no_show")


@dataclass(frozen=True, order=True)
class Semester:
    """H1 (``half`` 1) is January to June, H2 July to December."""

    year: int
    half: int

    @classmethod
    def of(cls, day: dt.date) -> "Semester":
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def parse(cls, text: str) -> "Semester":
        """"2026-H2" (the form of ``key``); ValueError otherwise."""
        year, _, half = str(text).strip().upper().partition("-H")
        if not (year.isdigit() and len(year) == 4 and half in ("1", "2")):
            raise ValueError(text)
        return cls(int(year), int(half))

    @property
    def key(self) -> str:
        return f"{self.year}-H{self.half}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end_day(self) -> dt.date:
        """The day after the last."""
        return self.next().first_day

    def next(self) -> "Semester":
        return Semester(self.year, 2) if self.half == 1 else Semester(self.year + 1, 1)

    def previous(self) -> "Semester":
        return Semester(self.year, 1) if self.half == 2 else Semester(self.year - 1, 2)

    def year_before(self) -> "Semester":
        return Semester(self.year - 1, self.half)

    def span(self) -> tuple[dt.datetime, dt.datetime]:
        """UTC instants of its first and of the next semester's first Rome midnight."""
        return _midnight(self.first_day), _midnight(self.end_day)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), TIMEZONE).astimezone(UTC)


@dataclass(frozen=True)
class Figures:
    """One period's figures. A rate or share is None when there is nothing to divide by."""

    registered: int
    interviewed: int
    selections: int           # "inserimenti mediati": selection steps
    selected_people: int      # distinct people in those steps
    placed: int               # distinct people with a contract starting in the period
    placements: int           # contracts starting in the period
    permanent: int            # of which permanent
    permanent_share: Optional[float]
    workshop_sessions: int    # held (started, not cancelled)
    workshop_seats: int       # seats taken in them
    workshop_capacity: int
    workshop_fill_rate: Optional[float]
    workshop_attended: int
    workshop_no_show: int
    workshop_no_show_rate: Optional[float]
    interviews_attended: int
    interviews_no_show: int
    interview_no_show_rate: Optional[float]

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Comparison:
    """A semester beside the same semester a year before."""

    semester: Semester
    figures: Figures
    year_before: Figures

    @property
    def permanent_change(self) -> Optional[float]:
        """Percentage points (0.5 -> 0.6 is +10.0); None when either share is missing."""
        now, then = self.figures.permanent_share, self.year_before.permanent_share
        return None if now is None or then is None else round((now - then) * 100, 1)


def _ratio(part: int, whole: int) -> Optional[float]:
    return part / whole if whole else None


def figures(sql_session: Session, *, now: dt.datetime, semester: Semester | None = None) -> Figures:
    """The figures of ``semester``, or of all time up to ``now`` without one. Workshops and
    interviews count only those already started at ``now``."""
    now = aware(now)
    if semester is not None:
        start, end = semester.span()
        first_day, end_day = semester.first_day, semester.end_day
    else:
        start = end = None
        first_day = end_day = None

    def within(column):
        return and_(column >= start, column < end) if start is not None else true()

    def on_days(column):
        return and_(column >= first_day, column < end_day) if first_day is not None else true()

    registered = sql_session.scalar(select(func.count()).select_from(Registration).where(
        Registration.status.not_in(NOT_COUNTED), within(Registration.created_at)))

    def events(kind: str, *columns):
        return select(*columns).select_from(ProgrammeEvent).where(ProgrammeEvent.kind == kind,
                                                                  on_days(ProgrammeEvent.day))

    people = func.count(distinct(ProgrammeEvent.contact_id))
    interviewed = sql_session.scalar(events("interviewed", people))
    selections, selected_people = sql_session.execute(events("selection", func.count(), people)).one()
    placements, placed = sql_session.execute(events("placement", func.count(), people)).one()
    permanent = sql_session.scalar(events("placement", func.count()).where(ProgrammeEvent.contract_type == "permanent"))

    held = and_(WorkshopSession.cancelled_at.is_(None), WorkshopSession.starts_at <= now,
                within(WorkshopSession.starts_at))
    sessions_held, capacity = sql_session.execute(select(func.count(), func.coalesce(func.sum(WorkshopSession.capacity), 0))
                                         .where(held)).one()
    seats = dict(sql_session.execute(
        select(WorkshopRegistration.status, func.count()).join(
            WorkshopSession, WorkshopSession.id == WorkshopRegistration.session_id)
        .where(held, WorkshopRegistration.status.in_(SEATS_TAKEN)).group_by(WorkshopRegistration.status)).all())
    taken = sum(seats.values())

    interviews = dict(sql_session.execute(
        select(InterviewBooking.status, func.count()).join(InterviewSlot, InterviewSlot.id == InterviewBooking.slot_id)
        .where(InterviewBooking.status.in_(("attended", "no_show")), InterviewSlot.starts_at <= now,
               within(InterviewSlot.starts_at)).group_by(InterviewBooking.status)).all())
    attended, no_show = interviews.get("attended", 0), interviews.get("no_show", 0)
    w_attended, w_no_show = seats.get("attended", 0), seats.get("no_show", 0)

    return Figures(
        registered=registered, interviewed=interviewed, selections=selections, selected_people=selected_people,
        placed=placed, placements=placements, permanent=permanent, permanent_share=_ratio(permanent, placements),
        workshop_sessions=sessions_held, workshop_seats=taken, workshop_capacity=int(capacity),
        workshop_fill_rate=_ratio(taken, int(capacity)), workshop_attended=w_attended, workshop_no_show=w_no_show,
        workshop_no_show_rate=_ratio(w_no_show, w_attended + w_no_show), interviews_attended=attended,
        interviews_no_show=no_show, interview_no_show_rate=_ratio(no_show, attended + no_show))


def compare(sql_session: Session, semester: Semester, *, now: dt.datetime) -> Comparison:
    return Comparison(semester, figures(sql_session, now=now, semester=semester),
                      figures(sql_session, now=now, semester=semester.year_before()))


def registrations_per_month(sql_session: Session, *, today: dt.date, months: int = 24) -> list[tuple[dt.date, int]]:
    """New registrations in each of the last ``months`` months (Rome), ending with ``today``'s:
    (first day of the month, count), oldest first."""
    firsts = [_add_months(today.replace(day=1), -offset) for offset in range(months - 1, -1, -1)]
    end = _add_months(firsts[-1], 1)
    counts = dict.fromkeys(firsts, 0)
    rows = sql_session.scalars(select(Registration.created_at).where(
        Registration.status.not_in(NOT_COUNTED), Registration.created_at >= _midnight(firsts[0]),
        Registration.created_at < _midnight(end)))
    for created in rows:
        counts[aware(created).astimezone(TIMEZONE).date().replace(day=1)] += 1
    return list(counts.items())


def _add_months(first: dt.date, delta: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + delta
    return dt.date(index // 12, index % 12 + 1, 1)


def permanent_shares(sql_session: Session, semesters: list[Semester]) -> list[tuple[Semester, int, Optional[float]]]:
    """(semester, placements, share of permanent contracts) for each semester given."""
    found = []
    for semester in semesters:
        total, permanent = sql_session.execute(
            select(func.count(), func.count(ProgrammeEvent.contract_type).filter(
                ProgrammeEvent.contract_type == "permanent"))
            .where(ProgrammeEvent.kind == "placement", ProgrammeEvent.day >= semester.first_day,
                   ProgrammeEvent.day < semester.end_day)).one()
        found.append((semester, total, _ratio(permanent, total)))
    return found


def semesters_with_data(sql_session: Session, *, today: dt.date, most: int = 20) -> list[Semester]:
    """From the semester of the oldest registration or step to the next one, newest first (at
    most ``most``; always the next, the current one and the one a year before). A step recorded
    ahead (a contract starting next semester, or the one after, up to the end of next year)
    counts in all time, so its semester is offered too."""
    current = Semester.of(today)
    oldest_registration = sql_session.scalar(select(func.min(Registration.created_at)))
    oldest_step, newest_step = sql_session.execute(select(func.min(ProgrammeEvent.day), func.max(ProgrammeEvent.day))).one()
    newest = current.next()
    if newest_step is not None:
        newest = min(max(newest, Semester.of(newest_step)), Semester(today.year + 1, 2))
    candidates = [current.year_before()]
    if oldest_registration is not None:
        candidates.append(Semester.of(aware(oldest_registration).astimezone(TIMEZONE).date()))
    if oldest_step is not None:
        candidates.append(Semester.of(oldest_step))
    oldest = min(candidates)
    found, semester = [], newest
    while semester >= oldest and len(found) < most:
        found.append(semester)
        semester = semester.previous()
    return found

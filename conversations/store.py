"""What the engine needs from persistence; services.repository implements it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from .document_store import DocumentStore
from .info_store import InfoStore
from .office_store import InboxStore  # the office inbox (#15)


@dataclass(frozen=True)
class PersonalData:
    """Everything stored about one person, for "my data"."""

    language: str
    identities: list[tuple[str, str]]            # (channel, id on that channel)
    consents: list[tuple[str, dt.datetime]]      # (notice version, given at)
    registration: dict[str, Any] | None = None   # the answers, with code and status


class RegistrationStore(Protocol):
    def registration_code(self) -> str | None:
        """The person's registration code, if they registered."""

    def record_consent(self, notice_version: str) -> None: ...

    def save_registration(self, answers: dict[str, Any], language: str) -> str:
        """Store a confirmed registration with status "new"; returns its code."""

    def personal_data(self) -> PersonalData: ...

    def erase_personal_data(self) -> None:
        """Remove personal data, keeping only anonymous counts."""


# -- interviews and workshops -----------------------------------------------------------

class BookingFailed(Exception):
    """Why a booking could not be made: taken, past, cancelled, too_late, full,
    already_booked, not_found, no_booking."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Slot:
    """An interview slot as a person sees it; times are aware, in UTC."""

    id: int
    starts_at: dt.datetime
    duration_minutes: int
    mode: str                  # in_person / phone / video
    address: str | None
    operator: str

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class Interview:
    booking_id: int
    slot: Slot


@dataclass(frozen=True)
class Workshop:
    id: int
    title: str
    description: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    capacity: int
    registered: int
    language: str

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.registered, 0)


@dataclass(frozen=True)
class Seat:
    """A person's place at a workshop session: registered, or waitlisted at ``position``."""

    registration_id: int
    status: str
    position: int | None
    workshop: Workshop


class BookingStore(Protocol):
    def interview_days(self) -> list[dt.date]:
        """Local days with at least one free slot bookable now (past the cut-off)."""

    def interview_slots(self, day: dt.date) -> list[Slot]: ...

    def interview_slot(self, slot_id: int) -> Slot | None: ...

    def slot_problem(self, slot_id: int) -> str:
        """Why a slot cannot be booked now: not_found, cancelled, past, too_late or taken."""

    def current_interview(self) -> Interview | None: ...

    def book_interview(self, slot_id: int) -> Interview:
        """Raises BookingFailed."""

    def reschedule_interview(self, slot_id: int) -> Interview:
        """The new slot is held before the old one is released; raises BookingFailed."""

    def cancel_interview(self, reason: str | None) -> None: ...

    def confirm_interview(self, booking_id: int) -> bool:
        """"I'll be there" on a reminder; False if that interview is no longer booked."""

    def workshops(self) -> list[Workshop]: ...

    def workshop(self, workshop_id: int) -> Workshop | None: ...

    def seats(self) -> list[Seat]: ...

    def sign_up(self, workshop_id: int, *, waitlist: bool) -> Seat:
        """A seat, or with ``waitlist`` a place in the queue; raises BookingFailed."""

    def confirm_seat(self, registration_id: int) -> bool:
        """"I'll be there" on a reminder; False if that seat is no longer the person's."""

    def give_up_seat(self, registration_id: int) -> None:
        """Cancel a seat or queue place; raises BookingFailed. A seat freed goes to the first
        person waiting, whom the implementation tells (services.notices), in the same transaction."""


@dataclass(frozen=True)
class Preferences:
    """What the person chose in /settings (and with /stop)."""

    reminders: bool = True  # reminders of what they booked
    notices: bool = True    # the office's notices (broadcasts)
    offers: bool = True     # job proposals


class PreferenceStore(Protocol):
    def preferences(self) -> Preferences: ...

    def set_notices(self, on: bool) -> None:
        """Off: no broadcast reaches the person (those queued for them are withdrawn)."""

    def set_reminders(self, on: bool) -> None: ...

    def set_offers(self, on: bool) -> None:
        """Off: no job proposal reaches the person."""


@dataclass(frozen=True)
class LinkResult:
    """What sending a one-time code did (conversations.flows.linking): linked, wrong, expired
    (or already used), locked (too many wrong codes), own (the code of this same chat), registered
    (this chat has its own registration), taken (the registration has an account on this app)."""

    status: str
    contact_id: int | None = None          # with linked: whose chat this is now
    language: str | None = None            # with linked: their language
    registration_code: str | None = None   # with linked: their registration's code


class LinkStore(Protocol):
    def link_code(self) -> str:
        """A new one-time code for this (registered) person; older ones stop working."""

    def link_with(self, code: str, channel: str, external_id: str) -> LinkResult:
        """Give this chat (``channel``, ``external_id``) to the person the code belongs to."""


@dataclass(frozen=True)
class Job:
    """A vacancy proposed to the person, as they see it. ``company`` is None while it is hidden
    (the office chose not to name it before they say they are interested)."""

    candidate_id: int
    role: str
    municipality: str
    contract: str          # services.placement_words.CONTRACTS' codes
    hours: str             # full_time / part_time / shifts
    state: str             # proposed, interested, declined, put_forward, hired, ...
    company: str | None = None
    start_date: dt.date | None = None
    description: str | None = None
    reason: str | None = None
    closed: bool = False   # the vacancy is closed: no answer changes anything now
    next_step: str | None = None  # after "I'm interested": selection / interview (first) / office


class JobStore(Protocol):
    def jobs(self) -> list[Job]:
        """The person's proposals, newest first."""

    def job(self, candidate_id: int) -> Job | None:
        """One of the person's proposals (None: not theirs, or gone)."""

    def job_interested(self, candidate_id: int) -> Job | None:
        """"I'm interested": in the vacancy's selection, with what comes next (``Job.next_step``).
        None when the proposal is no longer open."""

    def job_declined(self, candidate_id: int, reason: str, text: str | None = None) -> Job | None:
        """"No, thanks" with why; None when the proposal is no longer open."""


class Store(RegistrationStore, BookingStore, PreferenceStore, LinkStore, JobStore, DocumentStore, InfoStore,
            InboxStore, Protocol):
    """Everything the engine may ask of persistence, for one person."""

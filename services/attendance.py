"""The office changes a workshop session: its details, or its time. When the time moves, the
people with a seat or on the waiting list are told through the outbox (in their language,
once per new time) and their pending reminders are withdrawn, so the planner plans them again
for the new time. Cancelling a session (services.agenda.cancel_workshop) tells them with
``WorkshopNotifier(kind="cancelled")``."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from sqlalchemy import select
from sqlmodel import Session

from conversations import describe
from conversations.messages import Outbound
from conversations.payload import Menu, action_button

from services import outbox, reminders
from services.agenda import AgendaError
from store.models import Contact, WorkshopRegistration, WorkshopSession, aware
from services.workshops import promote_first, workshop_view

ACTIVE = ("registered", "waitlisted")


def workshop_notice(*, language: str, workshop: WorkshopSession, now: dt.datetime, kind: str) -> Outbound:
    reader = describe.Reader(language, now)
    _ = reader.t.gettext
    if kind == "cancelled":
        head = _("We are sorry: the office had to cancel a workshop session you signed up for.")
    else:
        head = _("The office moved a workshop session you signed up for. The new time:")
    return Outbound(head + "\n\n" + describe.workshop_text(reader, workshop_view(workshop)),
                    (action_button(_("Menu"), Menu()),))


class WorkshopNotifier:
    """Queues one notice per seat (by its key, once); ``queued`` holds the seats whose person
    could be reached."""

    def __init__(self, session: Session, *, now: dt.datetime, kind: str):
        self.session, self.now, self.kind = session, now, kind
        self.queued: set[int] = set()

    def __call__(self, seat: WorkshopRegistration, workshop: WorkshopSession) -> None:
        language = self.session.execute(select(Contact.language).where(Contact.id == seat.contact_id)).scalar()
        message = workshop_notice(language=language or "it", workshop=workshop, now=self.now, kind=self.kind)
        when = aware(workshop.starts_at).strftime("%Y%m%d%H%M")
        key = f"workshop-{self.kind}:{seat.id}" + (f":{when}" if self.kind == "moved" else "")
        if outbox.enqueue(self.session, contact_id=seat.contact_id, message=message, key=key, due_at=self.now):
            self.queued.add(seat.id)


def edit_workshop(session: Session, *, workshop_id: int, now: dt.datetime, title: str, description: str,
                  starts_at: dt.datetime, ends_at: dt.datetime, place: str, capacity: int, language: str,
                  notify: Callable[[WorkshopRegistration, WorkshopSession], None] | None = None,
                  on_promoted: Callable[[WorkshopRegistration], None] | None = None,
                  ) -> list[WorkshopRegistration]:
    """Change a session not yet started nor cancelled. AgendaError not_found, cancelled, past
    (it started, or the new start is past), order (ends before it starts), capacity (below the
    seats taken). More seats go to the people waiting, each passed to ``on_promoted``. A new time
    withdraws the reminders of its seats and waiting list and passes each to ``notify``; returns
    them (empty when the time stayed)."""
    workshop = session.get(WorkshopSession, workshop_id)
    if workshop is None:
        raise AgendaError("not_found")
    if workshop.cancelled_at is not None:
        raise AgendaError("cancelled")
    if ends_at <= starts_at:
        raise AgendaError("order")
    moved = aware(workshop.starts_at) != starts_at or aware(workshop.ends_at) != ends_at
    if aware(workshop.starts_at) <= now or (moved and starts_at <= now):
        raise AgendaError("past")
    if capacity < workshop.registered:
        raise AgendaError("capacity")
    more_seats = capacity > workshop.capacity
    workshop.title, workshop.description, workshop.place = title, description, place
    workshop.capacity, workshop.language = capacity, language
    workshop.starts_at, workshop.ends_at = starts_at, ends_at
    session.flush()
    if more_seats:  # the people waiting take the new seats, first come first served
        while (promoted := promote_first(session, workshop_id, now=now)) is not None:
            if on_promoted is not None:
                on_promoted(promoted)
    if not moved:
        return []
    seats = list(session.execute(select(WorkshopRegistration).where(
        WorkshopRegistration.session_id == workshop_id, WorkshopRegistration.status.in_(ACTIVE))
        .order_by(WorkshopRegistration.id)).scalars())
    for seat in seats:
        reminders.withdraw(session, reminders.about(reminders.WORKSHOP, seat.id))
        if notify:
            notify(seat, workshop)
    return seats

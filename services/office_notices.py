"""What the office's actions tell the people concerned: queued in the outbox, in the same
transaction as the change, in the person's language; the bot's drain loop sends them."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Callable

from sqlalchemy import select
from sqlmodel import Session

from conversations import appointments, describe
from conversations.messages import Outbound
from conversations.payload import BookInterview, Menu, action_button
from conversations.store import Promotion, Seat, Slot
from services import outbox, workshops
from store.models import Contact, InterviewBooking, InterviewSlot, WorkshopRegistration, WorkshopSession, aware


def slot_cancelled(*, language: str, slot: Slot, now: dt.datetime) -> Outbound:
    reader = describe.Reader(language, now)
    _ = reader.t.gettext
    text = (_("We are sorry: the office had to cancel your orientation interview.") + "\n\n"
            + describe.slot_text(reader, slot) + "\n\n"
            + _("You can choose another day and time now."))
    return Outbound(text, (action_button(_("Book an interview"), BookInterview()), action_button(_("Menu"), Menu())))


class SlotCancelledNotifier:
    """For services.agenda.cancel_slot: one notice per cancelled booking (once, by its key);
    ``queued`` holds the bookings whose person could be reached (has a channel left)."""

    def __init__(self, session: Session, *, now: dt.datetime):
        self.session, self.now = session, now
        self.queued: set[int] = set()

    def __call__(self, booking: InterviewBooking, slot: InterviewSlot) -> None:
        language = self.session.execute(select(Contact.language).where(Contact.id == booking.contact_id)).scalar()
        view = Slot(slot.id, aware(slot.starts_at), slot.duration_minutes, slot.mode, slot.address, slot.operator)
        message = slot_cancelled(language=language or "it", slot=view, now=self.now)
        key = f"slot-cancelled:{booking.id}"
        if outbox.enqueue(self.session, contact_id=booking.contact_id, message=message, key=key, due_at=self.now):
            self.queued.add(booking.id)


def promotion_teller(session: Session, now: dt.datetime) -> Callable[[WorkshopRegistration], None]:
    """For the office's actions that give a waiting person a seat (a merge that frees one, more
    seats for a session): the bot tells them, as when somebody gives a seat back in the chat
    (conversations.appointments.tell_promoted)."""

    def notify(contact_id: int, message, key: str) -> None:
        session.flush()
        outbox.enqueue(session, contact_id=contact_id, message=message, key=key, due_at=now)

    def tell(promoted: WorkshopRegistration) -> None:
        language = session.scalar(select(Contact.language).where(Contact.id == promoted.contact_id)) or "it"
        workshop = workshops.workshop_view(session.get(WorkshopSession, promoted.session_id))
        appointments.tell_promoted(SimpleNamespace(now=now, store=SimpleNamespace(notify=notify)),
                                   Promotion(promoted.contact_id, language, Seat(promoted.id, promoted.status, None,
                                                                                  workshop)))

    return tell

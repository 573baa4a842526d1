"""The booking half of the engine's Store: interviews and workshops, for one contact inside the transaction of the message being handled."""
from __future__ import annotations

import datetime as dt
from functools import cached_property

from sqlmodel import Session

from conversations import store as views

from services import bookings, reminders, workshops
from store.models import InterviewBooking, InterviewSlot, WorkshopRegistration, WorkshopSession

DEFAULT_CUTOFF = dt.timedelta(hours=2)


class BookingStoreMixin:
    connection: object
    contact_id: int
    now: dt.datetime
    cutoff: dt.timedelta = DEFAULT_CUTOFF

    @cached_property
    def sql_session(self) -> Session:
        """An ORM session on the message's own connection and transaction."""
        return self.connection if isinstance(self.connection, Session) else Session(bind=self.connection)

    @cached_property
    def _seen(self) -> dict:
        """What was read during this message (a step asks for its options more than once);
        forgotten as soon as this message books or cancels anything."""
        return {}

    def _remember(self, key, read):
        if key not in self._seen:
            self._seen[key] = read()
        return self._seen[key]

    # -- interviews ------------------------------------------------------------
    def interview_days(self) -> list[dt.date]:
        return self._remember("days", lambda: bookings.free_days(self.sql_session, now=self.now, cutoff=self.cutoff))

    def interview_slots(self, day: dt.date) -> list[views.Slot]:
        return self._remember(("slots", day), lambda: bookings.free_slots(
            self.sql_session, now=self.now, cutoff=self.cutoff, day=day))

    def interview_slot(self, slot_id: int) -> views.Slot | None:
        row = self.sql_session.get(InterviewSlot, slot_id)
        return bookings.slot_view(row) if row else None

    def slot_problem(self, slot_id: int) -> str:
        return bookings.why_not(self.sql_session, slot_id, self.now, self.cutoff)

    def current_interview(self) -> views.Interview | None:
        found = bookings.active_booking(self.sql_session, self.contact_id, self.now)
        return views.Interview(found[0].id, found[1]) if found else None

    def book_interview(self, slot_id: int) -> views.Interview:
        self._seen.clear()
        booking = bookings.book(self.sql_session, contact_id=self.contact_id, slot_id=slot_id,
                                now=self.now, cutoff=self.cutoff)
        return views.Interview(booking.id, self.interview_slot(slot_id))

    def reschedule_interview(self, slot_id: int) -> views.Interview:
        self._seen.clear()
        booking = bookings.reschedule(self.sql_session, contact_id=self.contact_id, slot_id=slot_id,
                                      now=self.now, cutoff=self.cutoff)
        return views.Interview(booking.id, self.interview_slot(slot_id))

    def cancel_interview(self, reason: str | None) -> None:
        self._seen.clear()
        bookings.cancel(self.sql_session, contact_id=self.contact_id, reason=reason, now=self.now)

    def confirm_interview(self, booking_id: int) -> bool:
        return reminders.confirm(self.sql_session, InterviewBooking, booking_id, contact_id=self.contact_id,
                                 now=self.now)

    def confirm_seat(self, registration_id: int) -> bool:
        return reminders.confirm(self.sql_session, WorkshopRegistration, registration_id,
                                 contact_id=self.contact_id, now=self.now)

    # -- workshops -------------------------------------------------------------
    def workshops(self) -> list[views.Workshop]:
        return self._remember("workshops", lambda: workshops.upcoming(self.sql_session, now=self.now))

    def workshop(self, workshop_id: int) -> views.Workshop | None:
        row = self.sql_session.get(WorkshopSession, workshop_id)
        if row is None:
            return None
        self.sql_session.refresh(row)
        return workshops.workshop_view(row)

    def seats(self) -> list[views.Seat]:
        return self._remember("seats", lambda: workshops.seats_of(self.sql_session, self.contact_id, now=self.now))

    def sign_up(self, workshop_id: int, *, waitlist: bool) -> views.Seat:
        self._seen.clear()
        registration = workshops.sign_up(self.sql_session, contact_id=self.contact_id, workshop_session_id=workshop_id,
                                         now=self.now, cutoff=self.cutoff, waitlist=waitlist)
        return views.Seat(registration.id, registration.status,
                          workshops.waitlist_position(self.sql_session, registration), self.workshop(workshop_id))

    def give_up_seat(self, registration_id: int) -> None:
        self._seen.clear()  # a seat freed goes to the first person waiting, told by services.workshops
        workshops.cancel(self.sql_session, contact_id=self.contact_id, registration_id=registration_id, now=self.now,
                         cutoff=self.cutoff)

"""Notices to another person are queued by the service that changes the fact, in its transaction:
whoever frees a seat or the office adding seats, nobody has to remember to tell the person
promoted. On the real database; the texts are conversations.notices' pure builders."""
from __future__ import annotations

import datetime as dt

import pytest

from conversations import notices
from conversations.store import Seat, Slot, Workshop
from services import attendance, workshops
from services.outbox import from_content
from store.models import WorkshopSession
from tests.booking_flow_helpers import add_workshop, days_ahead, outbox, update_row
from tests.conftest import NOW
from tests.reminder_helpers import in_session, person, seat

WORKSHOP = Workshop(1, "Incontro 1", "", NOW + dt.timedelta(days=3), NOW + dt.timedelta(days=3, hours=2),
                    "Sala incontri", 10, 10, "it")


def test_the_promotion_reads_in_the_persons_language_with_the_seat_to_give_back():
    english = notices.promoted(language="en", seat=Seat(7, "registered", None, WORKSHOP), now=NOW)
    italian = notices.promoted(language="it", seat=Seat(7, "registered", None, WORKSHOP), now=NOW)
    assert english.text.startswith("Good news: a seat has freed up") and english.text != italian.text
    assert [b.payload for b in english.buttons] == [b.payload for b in italian.buttons]
    assert "7" in english.buttons[0].payload and english.file is not None


def test_the_office_notices_read_what_changed():
    slot = Slot(3, NOW + dt.timedelta(days=2), 45, "phone", None, "Anna")
    assert "cancel your orientation interview" in notices.slot_cancelled(language="en", slot=slot, now=NOW).text
    cancelled = notices.workshop_changed(language="en", workshop=WORKSHOP, now=NOW, kind=notices.CANCELLED)
    moved = notices.workshop_changed(language="en", workshop=WORKSHOP, now=NOW, kind=notices.MOVED)
    assert "cancel a workshop session" in cancelled.text and "The new time:" in moved.text


@pytest.mark.both_databases
def test_a_seat_given_back_tells_the_first_person_waiting_without_the_caller_asking(db):
    workshop = add_workshop(db, days_ahead(3), capacity=1)
    holder, first, second = person(db, "holder"), person(db, "first"), person(db, "second", language="it")
    held = seat(db, holder, workshop)
    waiting = seat(db, first, workshop, status="waitlisted")
    seat(db, second, workshop, status="waitlisted")

    promoted = in_session(db, lambda s: workshops.cancel(s, contact_id=holder, registration_id=held, now=NOW).id)
    assert promoted == waiting
    [told] = outbox(db)
    assert (told.contact_id, told.idempotency_key, told.kind) == (first, f"promotion:{waiting}", "notice")
    assert from_content(told.content).text.startswith("Good news: a seat has freed up")  # first's language: en


@pytest.mark.both_databases
def test_more_seats_from_the_office_tell_each_person_promoted_once(db):
    starts = days_ahead(4)
    workshop = add_workshop(db, starts, capacity=1, registered=1)
    waiting = [seat(db, person(db, f"w{n}"), workshop, status="waitlisted") for n in range(3)]

    def more_seats(session, capacity):
        row = session.get(WorkshopSession, workshop)
        edited = attendance.edit_workshop(session, workshop_id=workshop, now=NOW, title=row.title,
                                          description=row.description, starts_at=starts,
                                          ends_at=starts + dt.timedelta(hours=2), place=row.place,
                                          capacity=capacity, language=row.language)
        return [r.id for r in edited.promoted], edited.rows

    assert in_session(db, lambda s: more_seats(s, 3)) == (waiting[:2], [])  # same time: nobody told of a move
    assert sorted(m.idempotency_key for m in outbox(db)) == sorted(f"promotion:{w}" for w in waiting[:2])
    update_row(db, WorkshopSession, workshop, registered=3)
    assert in_session(db, lambda s: more_seats(s, 3)) == ([], [])
    assert len(outbox(db)) == 2

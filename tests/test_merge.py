"""Duplicates (services.duplicates) and their merge (services.merge) on the real database, SQLite and
PostgreSQL: pairs by codice fiscale or phone, everything of the removed contact moving to the
kept one, conflicts with the unique indexes resolved, the path's stage, and refusals."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from services import duplicates, merge, programme
from store.models import (Broadcast, ChannelIdentity, Consent, Contact, ConversationState, InterviewBooking,
                       InterviewSlot, OutboxMessage, Registration, WorkshopRegistration, WorkshopSession)
from store.models import InboxConversation, PersonDocument, ProgrammeEvent
from tests.conftest import NOW

TODAY = dt.date(2026, 11, 25)
CF = "RSSMRA90C45A944X"


def person(session: Session, code: str, *, tax_code: str | None = CF, phone: str | None = "+393471234567",
           scheme: str = "telegram", external_id: str | None = None, status: str = "new", **fields) -> Registration:
    contact = Contact()
    session.add(contact)
    session.flush()
    session.add(ChannelIdentity(contact_id=contact.id, scheme=scheme, external_id=external_id or code))
    session.add(Consent(contact_id=contact.id, notice_version="1"))
    session.add(ConversationState(contact_id=contact.id, data={"flow": "menu"}))
    registration = Registration(contact_id=contact.id, code=code, status=status, first_name="Maria",
                                last_name="Rossi", tax_code=tax_code, phone=phone, **fields)
    session.add(registration)
    session.flush()
    return registration


def slot(session: Session, days: int, capacity: int = 1) -> InterviewSlot:
    row = InterviewSlot(starts_at=NOW + dt.timedelta(days=days), operator="Anna", capacity=capacity)
    session.add(row)
    session.flush()
    return row


def book(session: Session, registration: Registration, row: InterviewSlot) -> InterviewBooking:
    row.booked += 1
    booking = InterviewBooking(slot_id=row.id, contact_id=registration.contact_id)
    session.add(booking)
    session.flush()
    return booking


def seat(session: Session, registration: Registration, workshop: WorkshopSession,
         status: str = "registered") -> WorkshopRegistration:
    if status == "registered":
        workshop.registered += 1
    row = WorkshopRegistration(session_id=workshop.id, contact_id=registration.contact_id, status=status)
    session.add(row)
    session.flush()
    return row


def workshop(session: Session, capacity: int = 2) -> WorkshopSession:
    row = WorkshopSession(title="Bussola 1", starts_at=NOW + dt.timedelta(days=3),
                          ends_at=NOW + dt.timedelta(days=3, hours=2), capacity=capacity)
    session.add(row)
    session.flush()
    return row


def count(session: Session, model, **where) -> int:
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return session.scalar(query)


@pytest.mark.both_databases
def test_pairs_share_a_tax_code_or_a_phone_on_two_contacts(db):
    with Session(db) as session:
        maria = person(session, "AAA001")
        web = person(session, "AAA002", phone="+393330000000", scheme="web")  # same codice fiscale
        phone_only = person(session, "AAA003", tax_code=None)  # same phone as maria
        other = person(session, "AAA004", tax_code="BNCLCU80A01A944X", phone="+393339999999")
        erased = person(session, "AAA005")
        erased.erased_at = NOW
        session.commit()
        found = {(p.first.code, p.second.code): p.matches for p in duplicates.pairs(session)}
        assert found == {("AAA001", "AAA002"): ("tax_code",), ("AAA001", "AAA003"): ("phone",)}
        assert [(p.first.code, p.second.code) for p in duplicates.pairs(session, registration_id=web.id)] == [
            ("AAA001", "AAA002")]
        assert duplicates.pairs(session, registration_id=other.id) == []
        assert maria.id and phone_only.id


@pytest.mark.both_databases
def test_everything_moves_to_the_kept_contact(db):
    with Session(db) as session:
        kept = person(session, "KEEP01", status="registered", email=None)
        gone = person(session, "GONE01", scheme="web", email="maria@example.com", municipality="Imola")
        kept_cid, gone_cid = kept.contact_id, gone.contact_id
        booking = book(session, gone, slot(session, 2))
        seat_row = seat(session, gone, workshop(session))
        programme.record(session, registration=gone, kind="interviewed", on=dt.date(2026, 11, 20), today=TODAY)
        broadcast = Broadcast(texts={"it": "Avviso"})
        session.add(broadcast)
        session.flush()
        for cid, key in ((kept_cid, "b:1"), (gone_cid, "b:2")):
            session.add(OutboxMessage(contact_id=cid, channel="telegram", broadcast_id=broadcast.id, kind="broadcast",
                                      idempotency_key=key))
        session.add(OutboxMessage(contact_id=gone_cid, channel="web", idempotency_key="notice:1"))
        session.add(PersonDocument(contact_id=gone_cid, registration_id=gone.id, filename="cv.pdf", kind="pdf",
                                   size=10, sha256="a" * 64, channel="web", created_at=NOW))  # the CV sent (#15)
        question = InboxConversation(contact_id=gone_cid, registration_id=gone.id, channel="web")
        session.add(question)
        session.commit()

        result = merge.merge(session, keep_id=kept.id, drop_id=gone.id, now=NOW)
        session.commit()
        assert result.moved == {"identities": 1, "bookings": 1, "seats": 1, "events": 1, "consents": 1,
                                "outbox": 2, "candidates": 0, "documents": 1, "inbox": 1}
        [document] = session.exec(select(PersonDocument)).scalars().all()
        assert (document.contact_id, document.registration_id) == (kept_cid, kept.id)
        assert (question.contact_id, question.registration_id) == (kept_cid, kept.id)
        assert result.removed_code == "GONE01" and result.cancelled_bookings == []
        assert session.get(Registration, gone.id) is None
        kept = session.get(Registration, kept.id)
        assert kept.status == "interviewed"  # the other one had gone on along the path
        assert kept.email == "maria@example.com" and kept.municipality == "Imola"  # blanks filled
        assert {(i.scheme, i.contact_id) for i in session.scalars(select(ChannelIdentity))} == {
            ("telegram", kept_cid), ("web", kept_cid)}
        assert session.get(InterviewBooking, booking.id).contact_id == kept_cid
        assert session.get(WorkshopRegistration, seat_row.id).contact_id == kept_cid
        assert count(session, ProgrammeEvent, contact_id=kept_cid) == 1
        assert count(session, Consent, contact_id=kept_cid) == 2
        statuses = {m.idempotency_key: (m.contact_id, m.status) for m in session.scalars(select(OutboxMessage))}
        assert statuses == {"b:1": (kept_cid, "pending"), "b:2": (kept_cid, "cancelled"),  # one copy of a notice
                            "notice:1": (kept_cid, "pending")}
        assert session.get(ConversationState, gone_cid) is None and session.get(ConversationState, kept_cid)
        assert session.get(Contact, gone_cid).erased_at is not None
        assert duplicates.pairs(session) == []


@pytest.mark.both_databases
def test_two_booked_interviews_keep_one_and_two_seats_in_a_session_keep_one(db):
    with Session(db) as session:
        kept, gone = person(session, "KEEP02"), person(session, "GONE02")
        first, second = slot(session, 2), slot(session, 4)
        kept_booking, gone_booking = book(session, kept, first), book(session, gone, second)
        full = workshop(session, capacity=2)
        waiting_person = person(session, "WAIT01", tax_code=None, phone=None)
        seat(session, kept, full, "waitlisted")
        gone_seat = seat(session, gone, full, "registered")
        other_seat = seat(session, waiting_person, full, "registered")
        both = workshop(session, capacity=3)
        kept_both, gone_both = seat(session, kept, both), seat(session, gone, both)
        last = seat(session, waiting_person, both, "waitlisted")  # first in line for the seat freed here
        session.commit()
        result = merge.merge(session, keep_id=kept.id, drop_id=gone.id, now=NOW)
        session.commit()
        assert result.cancelled_bookings == [gone_booking.id]
        cancelled = session.get(InterviewBooking, gone_booking.id)
        assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "merged into KEEP02")
        assert session.get(InterviewSlot, second.id).booked == 0 and session.get(InterviewSlot, first.id).booked == 1
        assert session.get(InterviewBooking, kept_booking.id).status == "booked"
        assert count(session, InterviewBooking, contact_id=kept.contact_id, status="booked") == 1
        # In the full session the seat beats the waiting place; in the other, the kept person's seat stays.
        assert session.get(WorkshopRegistration, gone_seat.id).status == "registered"
        assert session.get(WorkshopRegistration, gone_both.id).status == "cancelled"
        assert session.get(WorkshopRegistration, kept_both.id).status == "registered"
        assert session.get(WorkshopSession, full.id).registered == 2
        assert [r.id for r in result.promoted] == [last.id]
        told = session.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key == f"promotion:{last.id}"))
        assert [m.contact_id for m in told] == [waiting_person.contact_id]
        assert session.get(WorkshopRegistration, last.id).status == "registered"
        assert session.get(WorkshopSession, both.id).registered == 2
        active = session.scalars(select(WorkshopRegistration).where(
            WorkshopRegistration.contact_id == kept.contact_id,
            WorkshopRegistration.status.in_(("registered", "waitlisted")))).all()
        assert sorted(r.session_id for r in active) == [full.id, both.id]
        assert other_seat.id


def test_the_latest_step_decides_when_both_had_gone_on(db):
    with Session(db) as session:
        kept, gone = person(session, "KEEP03", status="registered"), person(session, "GONE03", status="registered")
        programme.record(session, registration=kept, kind="interviewed", on=dt.date(2026, 10, 1), today=TODAY)
        programme.record(session, registration=gone, kind="interviewed", on=dt.date(2026, 10, 5), today=TODAY)
        programme.record(session, registration=gone, kind="selection", on=dt.date(2026, 11, 2), today=TODAY,
                         company="Hera")
        merge.merge(session, keep_id=kept.id, drop_id=gone.id, now=NOW)
        assert kept.status == "in_selection"
        kept_new, gone_reviewed = person(session, "KEEP04", tax_code="X1"), person(session, "GONE04", tax_code="X1",
                                                                                 status="registered")
        merge.merge(session, keep_id=kept_new.id, drop_id=gone_reviewed.id, now=NOW)
        assert kept_new.status == "registered"


@pytest.mark.parametrize("case, code", [("same", "same"), ("missing", "not_found"), ("erased", "erased"),
                                        ("unrelated", "unrelated")])
def test_a_merge_that_does_not_fit_is_refused_and_nothing_changes(db, case, code):
    with Session(db) as session:
        a, b = person(session, "REF001"), person(session, "REF002")
        if case == "erased":
            b.erased_at = NOW
        if case == "unrelated":  # neither codice fiscale nor phone in common
            b.tax_code, b.phone = "BNCLCU80A01A944X", "+393339999999"
        session.commit()
        drop = {"same": a.id, "missing": 99999}.get(case, b.id)
        with pytest.raises(merge.MergeError) as problem:
            merge.merge(session, keep_id=a.id, drop_id=drop, now=NOW)
        assert problem.value.code == code
        session.rollback()
        assert count(session, Registration) == 2 and count(session, ChannelIdentity, contact_id=a.contact_id) == 1


@pytest.mark.both_databases
def test_erasing_keeps_the_steps_of_the_path_but_not_the_company_or_the_note(chat, db):
    from tests.registration_helpers import reach

    reach(chat)
    with Session(db) as session:
        maria = session.scalar(select(Registration))
        programme.record(session, registration=maria, kind="interviewed", on=dt.date(2026, 11, 2), today=TODAY,
                         note="Cerca in logistica")
        programme.record(session, registration=maria, kind="placement", on=dt.date(2026, 12, 1), today=TODAY,
                         company="Coop Alleanza", contract_type="permanent", note="Contratto firmato")
        session.commit()
    chat.say("/privacy")
    chat.press("Erase my data")
    chat.press("Yes, erase")
    with Session(db) as session:
        steps = [(e.kind, e.day, e.contract_type, e.company, e.note)
                 for e in session.scalars(select(ProgrammeEvent).order_by(ProgrammeEvent.id))]
    assert steps == [("interviewed", dt.date(2026, 11, 2), None, None, None),
                     ("placement", dt.date(2026, 12, 1), "permanent", None, None)]


def test_two_unrelated_registrations_merge_only_when_confirmed(db):
    with Session(db) as session:
        a = person(session, "UNR001")
        b = person(session, "UNR002", tax_code=None, phone="+393339999999")
        session.commit()
        result = merge.merge(session, keep_id=a.id, drop_id=b.id, now=NOW, confirmed=True)
        session.commit()
        assert result.removed_code == "UNR002" and count(session, Registration) == 1


def test_candidacies_move_and_one_per_vacancy_stays(db):
    from services import companies
    from store.models import Candidate

    with Session(db) as session:
        company = companies.create_company(session, now=NOW, name="Ditta", vat_number="03123450375",
                                           sector="Pulizie", municipality="Imola")
        both, only_gone = (companies.create_vacancy(session, company_id=company.id, now=NOW, role=role,
                                                    sector="Pulizie", municipality="Imola", contract_type="altro",
                                                    hours="Turni") for role in ("A", "B"))
        kept = person(session, "KEEP01", status="registered")
        gone = person(session, "GONE01", scheme="web")
        session.get(Contact, gone.contact_id).offers_off_at = NOW
        session.add_all([Candidate(vacancy_id=both.id, contact_id=kept.contact_id, state="interested"),
                         Candidate(vacancy_id=both.id, contact_id=gone.contact_id, state="declined"),
                         Candidate(vacancy_id=only_gone.id, contact_id=gone.contact_id, state="proposed")])
        session.commit()
        done = merge.merge(session, keep_id=kept.id, drop_id=gone.id, now=NOW)
        session.commit()
        rows = sorted(session.execute(select(Candidate.vacancy_id, Candidate.contact_id, Candidate.state)).all())
        assert rows == [(both.id, kept.contact_id, "interested"), (only_gone.id, kept.contact_id, "proposed")]
        assert done.moved["candidates"] == 1
        assert session.get(Contact, kept.contact_id).offers_off_at is not None  # "no offers" on either holds

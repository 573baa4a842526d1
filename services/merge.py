"""Merging two registrations of one person (services.duplicates finds the candidates): the office
chooses the registration that stays; everything of the other contact moves to the kept one, in
the caller's transaction (the back office's session audits every row changed).

What moves: channel identities (so the person's Telegram and web chat reach one contact),
interview bookings, workshop seats, the path's steps, consents, outbox rows and candidacies. Conflicts with
the unique indexes are resolved first:
- two booked interviews: the kept person's stays, the other is cancelled ("merged into CODE"),
  its slot released and its reminders withdrawn (services.bookings.cancel);
- two active rows in one workshop session: a seat beats a waiting place, otherwise the kept
  person's row stays; the other is cancelled, and a seat it frees goes to the first person
  waiting (services.workshops.cancel, which tells them);
- the same broadcast queued for both: the duplicate's pending copy is cancelled;
- put to the same vacancy both: the kept person's candidacy stays, the other is removed.

The merged registration is deleted, not kept as a marked row: it is the same person, and a
second row would count them twice in every figure that counts registrations (erased ones too,
for the anonymous counts), and would keep a copy of their data that an erasure of the kept
contact would not find. The audit log keeps what it held, who merged it and when. The removed
contact stays as an empty anonymous row (``erased_at`` set, as after an erasure) with its
conversation state dropped: the person's next message arrives on the kept contact."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from services import bookings, document_store, duplicates, inbox, programme, reminders, workshops
from store.models import (Candidate, ChannelIdentity, Consent, Contact, ConversationState, InterviewBooking,
                          OutboxMessage, Registration, WorkshopRegistration)
from store.models import ProgrammeEvent

# Answers of the removed registration that fill the kept one's empty ones.
FILLED = ("first_name", "last_name", "birth_date", "tax_code", "municipality", "phone", "email", "situation",
          "education", "italian", "sectors", "driving", "availability")
MOVED = {"identities": ChannelIdentity, "bookings": InterviewBooking, "seats": WorkshopRegistration,
         "events": ProgrammeEvent, "consents": Consent, "outbox": OutboxMessage, "candidates": Candidate}
EARLY = ("new", "registered")


class MergeError(ValueError):
    """``code``: not_found, same (one registration twice, or two of one contact), erased,
    unrelated (they share neither codice fiscale nor phone, and nobody confirmed they are one person)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class Merged:
    kept: Registration
    removed_code: str
    moved: dict[str, int] = field(default_factory=dict)
    cancelled_bookings: list[int] = field(default_factory=list)
    cancelled_seats: list[int] = field(default_factory=list)
    promoted: list[WorkshopRegistration] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)


def merge(sql_session: Session, *, keep_id: int, drop_id: int, now: dt.datetime, confirmed: bool = False) -> Merged:
    """``confirmed``: the operator confirmed, naming both, that two registrations sharing neither
    codice fiscale nor phone are one person; without it such a pair is refused."""
    if keep_id == drop_id:
        raise MergeError("same")
    keep, drop = sql_session.get(Registration, keep_id), sql_session.get(Registration, drop_id)
    if keep is None or drop is None:
        raise MergeError("not_found")
    if keep.erased_at is not None or drop.erased_at is not None:
        raise MergeError("erased")
    if keep.contact_id == drop.contact_id:
        raise MergeError("same")
    if not duplicates.shared(keep, drop) and not confirmed:
        raise MergeError("unrelated")
    kept_cid, gone_cid = keep.contact_id, drop.contact_id
    # Both people's messages wait until the merge is done (as services.repository locks one person).
    sql_session.execute(select(Contact.id).where(Contact.id.in_((kept_cid, gone_cid))).order_by(Contact.id)
                    .with_for_update(key_share=True))
    result = Merged(kept=keep, removed_code=drop.code)

    _one_interview(sql_session, keep, drop, now, result)
    _one_row_per_workshop(sql_session, kept_cid, gone_cid, now, result)
    _one_copy_per_broadcast(sql_session, kept_cid, gone_cid)
    _one_candidacy_per_vacancy(sql_session, kept_cid, gone_cid)
    gone_had_path = drop.status not in EARLY
    for name, model in MOVED.items():
        rows = sql_session.scalars(select(model).where(model.contact_id == gone_cid)).all()
        for row in rows:
            row.contact_id = kept_cid
        result.moved[name] = len(rows)
    result.moved["inbox"] = inbox.merged(sql_session, kept=keep, gone=drop)  # messages to the office (#15)
    sql_session.flush()
    result.moved["documents"] = document_store.move(sql_session, from_contact=gone_cid, to_contact=kept_cid,
                                                    registration_id=keep.id)

    for name in FILLED:
        if getattr(keep, name) in (None, "", []) and getattr(drop, name) not in (None, "", []):
            setattr(keep, name, getattr(drop, name))
            result.filled.append(name)
    if keep.status in EARLY and gone_had_path:
        keep.status = drop.status  # only the other one had gone on along the path
    elif keep.status not in EARLY and gone_had_path:
        keep.status = programme.stage_from_events(sql_session, kept_cid)  # both had: the latest step decides
    elif keep.status == "new" and drop.status == "registered":
        keep.status = "registered"

    kept_contact, gone_contact = sql_session.get(Contact, kept_cid), sql_session.get(Contact, gone_cid)
    for preference in ("notices_off_at", "reminders_off_at", "offers_off_at"):  # "stop" on either channel holds
        if getattr(kept_contact, preference) is None and getattr(gone_contact, preference) is not None:
            setattr(kept_contact, preference, getattr(gone_contact, preference))
    gone_contact.erased_at = now
    state = sql_session.get(ConversationState, gone_cid)
    if state is not None:
        sql_session.delete(state)
    sql_session.delete(drop)
    sql_session.flush()
    if kept_contact.reminders_off_at is not None:
        reminders.withdraw_person(sql_session, kept_cid)
    return result


def _one_interview(sql_session: Session, keep: Registration, drop: Registration, now: dt.datetime,
                   result: Merged) -> None:
    for registration in (keep, drop):
        bookings.close_past(sql_session, contact_id=registration.contact_id, now=now)
    if bookings.active_booking(sql_session, keep.contact_id) and bookings.active_booking(sql_session, drop.contact_id):
        cancelled = bookings.cancel(sql_session, contact_id=drop.contact_id, reason=f"merged into {keep.code}")
        result.cancelled_bookings.append(cancelled.id)


def _one_row_per_workshop(sql_session: Session, kept_cid: int, gone_cid: int, now: dt.datetime,
                          result: Merged) -> None:
    rows = sql_session.scalars(select(WorkshopRegistration).where(
        WorkshopRegistration.contact_id.in_((kept_cid, gone_cid)), WorkshopRegistration.status.in_(workshops.ACTIVE))
        .order_by(WorkshopRegistration.id)).all()
    by_session: dict[int, dict[int, WorkshopRegistration]] = {}
    for row in rows:
        by_session.setdefault(row.session_id, {})[row.contact_id] = row
    for both in by_session.values():
        if len(both) < 2:
            continue
        kept, gone = both[kept_cid], both[gone_cid]
        loser = kept if (kept.status, gone.status) == ("waitlisted", "registered") else gone
        promoted = workshops.cancel(sql_session, contact_id=loser.contact_id, registration_id=loser.id, now=now)
        result.cancelled_seats.append(loser.id)
        if promoted is not None:
            result.promoted.append(promoted)


def _one_candidacy_per_vacancy(sql_session: Session, kept_cid: int, gone_cid: int) -> None:
    """Put to the same vacancy twice: the kept person's candidacy stays, the other goes."""
    kept = set(sql_session.scalars(select(Candidate.vacancy_id).where(Candidate.contact_id == kept_cid)))
    for row in sql_session.scalars(select(Candidate).where(Candidate.contact_id == gone_cid,
                                                           Candidate.vacancy_id.in_(kept))):
        sql_session.delete(row)
    sql_session.flush()


def _one_copy_per_broadcast(sql_session: Session, kept_cid: int, gone_cid: int) -> None:
    kept = set(sql_session.scalars(select(OutboxMessage.broadcast_id).where(
        OutboxMessage.contact_id == kept_cid, OutboxMessage.broadcast_id.is_not(None))))
    for row in sql_session.scalars(select(OutboxMessage).where(
            OutboxMessage.contact_id == gone_cid, OutboxMessage.status == "pending",
            OutboxMessage.broadcast_id.in_(kept))):
        row.status = "cancelled"

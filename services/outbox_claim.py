"""Claiming the outbox's due rows for a sender, and renewing the lease on those it holds
(services.outbox: how claims keep two senders from taking one row)."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlalchemy import and_, bindparam, exists, or_, select, update
from sqlmodel import Session

from store.models import ChannelIdentity, Consent, Contact, OutboxMessage, aware

from services.outbox_rows import BLOCKED, LEASE, PAGE, TEMPLATE, TO, Pending, from_content

_outbox = OutboxMessage.__table__
_identity = ChannelIdentity.__table__
_contact, _consent = Contact.__table__, Consent.__table__


def claim(sql_session: Session, *, channel: str, now: dt.datetime, worker: str, limit: int = 50,
          lease: dt.timedelta = LEASE, chat_gap: dt.timedelta = dt.timedelta(0),
          external_id: str | None = None, one_per_chat: bool = True) -> list[Pending]:
    """Claim up to ``limit`` due rows of ``channel`` for ``worker`` (oldest first), in the
    caller's transaction. With ``one_per_chat``, at most one row per chat, and none for a chat
    that another claimed row is being sent to or that got one less than ``chat_gap`` ago (so the
    per-chat limit holds across senders). Rows of people no longer reachable there fail at once,
    with the reason; ``external_id`` claims only that person's rows."""
    due = [_outbox.c.channel == channel, _outbox.c.due_at <= now]
    if external_id is not None:
        due.append(_outbox.c.contact_id.in_(select(_identity.c.contact_id).where(
            _identity.c.scheme == channel, _identity.c.external_id == external_id)))
    candidates: list[tuple[int, int]] = []
    # The rows of a sender that died first (their lease passed), then the pending ones, a
    # person's own (reminders, promotions, notices) before the broadcasts' (so that a reminder
    # does not wait behind a broadcast of thousands). Each query walks the (status, due_at)
    # index and stops at ``limit``.
    for state in ((_outbox.c.status == "sending", _outbox.c.claimed_until < now),
                  (_outbox.c.status == "pending", _outbox.c.kind != "broadcast"),
                  (_outbox.c.status == "pending", _outbox.c.kind == "broadcast")):
        if len(candidates) < limit:
            candidates += sql_session.execute(
                select(_outbox.c.id, _outbox.c.contact_id).where(*due, *state)
                .order_by(_outbox.c.due_at, _outbox.c.id).limit(limit - len(candidates))
                .with_for_update(skip_locked=True)).all()
    if one_per_chat and candidates:
        busy = set(sql_session.execute(select(_outbox.c.contact_id).where(
            _outbox.c.contact_id.in_({contact for _id, contact in candidates}), _outbox.c.channel == channel,
            or_(and_(_outbox.c.status == "sending", _outbox.c.claimed_until >= now),
                and_(_outbox.c.status == "sent", _outbox.c.sent_at > now - chat_gap)))).scalars())
        candidates = [(row_id, contact) for row_id, contact in candidates if contact not in busy]
    if not candidates:
        return []
    claimed, gone, chats = [], [], set()
    found = {row.id: row for row in sql_session.execute(_CANDIDATES, {"ids": [i for i, _contact in candidates]})}
    for row in (found[row_id] for row_id, _contact in candidates if row_id in found):
        external_id = row.content.get(TO) or row.external_id  # a reply names its chat (services.reply_rows)
        if external_id is None or row.unreachable_at is not None:
            reason = row.unreachable_reason or "no way to reach them here"
            gone.append({"b_id": row.id, "b_error": BLOCKED + reason})
        elif not one_per_chat or external_id not in chats:  # the next waits for the per-chat gap
            chats.add(external_id)
            template = row.content.get(TEMPLATE)
            claimed.append(Pending(row.id, row.contact_id, channel, external_id,
                                   from_content(row.content), row.attempts, kind=row.kind,
                                   template=template if isinstance(template, dict) else None,
                                   last_inbound_at=aware(row.last_inbound_at) if row.last_inbound_at else None,
                                   consented=bool(row.consented), notices_off=row.notices_off_at is not None,
                                   language=row.language, page=_page(row.content)))
    if gone:
        sql_session.execute(_FAIL, gone)
    if claimed:
        sql_session.execute(update(_outbox).where(_outbox.c.id.in_([p.id for p in claimed]))
                        .values(status="sending", claimed_by=worker, claimed_until=now + lease))
    return claimed


_CANDIDATES = (
    select(_outbox.c.id, _outbox.c.contact_id, _outbox.c.content, _outbox.c.attempts, _outbox.c.kind,
           _identity.c.external_id, _identity.c.unreachable_at, _identity.c.unreachable_reason,
           _identity.c.last_inbound_at, _contact.c.notices_off_at, _contact.c.language,
           exists().where(_consent.c.contact_id == _outbox.c.contact_id).label("consented"))
    .select_from(_outbox.outerjoin(_identity, (_identity.c.contact_id == _outbox.c.contact_id)
                                   & (_identity.c.scheme == _outbox.c.channel))
                 .outerjoin(_contact, _contact.c.id == _outbox.c.contact_id))
    .where(_outbox.c.id.in_(bindparam("ids", expanding=True))))
_FAIL = (update(_outbox).where(_outbox.c.id == bindparam("b_id"), _outbox.c.status.in_(("pending", "sending")))
         .values(status="failed", last_error=bindparam("b_error"), claimed_until=None))


def _page(content: dict) -> int:
    page = content.get(PAGE)
    return page if isinstance(page, int) and page > 0 else 0


def renew(sql_session: Session, *, worker: str, until: dt.datetime, ids: Iterable[int]) -> set[int]:
    """Extend the lease of the rows ``worker`` still holds among ``ids``; those it still holds
    (a row withdrawn meanwhile is not among them: do not send it)."""
    ids = list(ids)
    if not ids:
        return set()
    held = sql_session.execute(update(_outbox).where(_outbox.c.id.in_(ids), _outbox.c.status == "sending",
                                                 _outbox.c.claimed_by == worker)
                           .values(claimed_until=until).returning(_outbox.c.id)).scalars()
    return set(held)

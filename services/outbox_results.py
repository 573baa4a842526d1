"""What became of the outbox's rows: a sender's outcomes written in batches, a person no longer
reachable on a channel, and a platform's late refusal (services.outbox explains the whole)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from store.models import ChannelIdentity, OutboxMessage

from services.outbox_rows import BLOCKED, MAX_ATTEMPTS, RETRY_DELAY, TEMPLATE, Pending

_outbox = OutboxMessage.__table__
_identity = ChannelIdentity.__table__
_MINE = (_outbox.c.id == bindparam("b_id"), _outbox.c.status == "sending",
         _outbox.c.claimed_by == bindparam("b_worker"))


@dataclass(frozen=True)
class Outcome:
    """What became of a claimed row: ``sent`` (with the platform's message id), ``retry`` (a
    transient error: tried again later, up to max attempts), ``failed`` (for good), ``blocked``
    (the person cannot be reached on this channel), ``released`` (not sent: back to pending)."""

    pending: Pending
    status: str
    error: str | None = None
    message_id: str | None = None
    at: dt.datetime | None = None


def record(sql_session: Session, outcomes: Sequence[Outcome], *, worker: str, now: dt.datetime,
           max_attempts: int = MAX_ATTEMPTS) -> None:
    """Write a batch of outcomes in the caller's transaction; only rows ``worker`` still holds
    change (one taken over after its lease passed belongs to the other sender now)."""
    sent, retry, failed, released = [], [], [], []
    for outcome in outcomes:
        pending, mine = outcome.pending, {"b_id": outcome.pending.id, "b_worker": worker}
        if outcome.status == "sent":
            sent.append({**mine, "b_at": outcome.at or now, "b_message_id": outcome.message_id})
        elif outcome.status == "retry" and pending.attempts + 1 < max_attempts:
            retry.append({**mine, "b_error": (outcome.error or "")[:500],
                          "b_due": now + RETRY_DELAY * 2 ** pending.attempts})
        elif outcome.status in ("retry", "failed"):
            failed.append({**mine, "b_error": (outcome.error or "")[:500]})
        elif outcome.status == "blocked":
            sql_session.execute(_FAILED, {**mine, "b_error": (BLOCKED + (outcome.error or ""))[:500]})
            mark_unreachable(sql_session, contact_id=pending.contact_id, channel=pending.channel,
                             reason=outcome.error or "", now=now)
        elif outcome.status == "released":
            released.append(mine)
    for statement, rows in ((_SENT, sent), (_RETRY, retry), (_FAILED, failed), (_RELEASED, released)):
        if rows:
            sql_session.execute(statement, rows)


_SENT = update(_outbox).where(*_MINE).values(
    status="sent", sent_at=bindparam("b_at"), attempts=_outbox.c.attempts + 1,
    platform_message_id=bindparam("b_message_id"), claimed_until=None)
_RETRY = update(_outbox).where(*_MINE).values(
    status="pending", due_at=bindparam("b_due"), attempts=_outbox.c.attempts + 1,
    last_error=bindparam("b_error"), claimed_by=None, claimed_until=None)
_FAILED = update(_outbox).where(*_MINE).values(
    status="failed", attempts=_outbox.c.attempts + 1, last_error=bindparam("b_error"), claimed_until=None)
_RELEASED = update(_outbox).where(*_MINE).values(status="pending", claimed_by=None, claimed_until=None)


def mark_unreachable(sql_session: Session, *, contact_id: int, channel: str, reason: str, now: dt.datetime) -> None:
    """The platform says the person cannot be reached on ``channel`` (blocked the bot, chat gone):
    mark the identity, and fail every row for it not yet sent, with the reason. Nothing more is
    queued there until the person writes again (their next message clears the mark: store.hot_path)."""
    sql_session.execute(update(_identity).where(_identity.c.contact_id == contact_id, _identity.c.scheme == channel)
                    .values(unreachable_at=now, unreachable_reason=reason[:200]))
    sql_session.execute(update(_outbox).where(_outbox.c.contact_id == contact_id, _outbox.c.channel == channel,
                                          _outbox.c.status.in_(("pending", "sending")))
                    .values(status="failed", last_error=(BLOCKED + reason)[:500], claimed_until=None))


def resend_as_template(sql_session: Session, *, channel: str, platform_message_id: str, reason: str,
                       now: dt.datetime) -> int | None:
    """The platform accepted a free-form message and refused it later because the person's window
    had closed (WhatsApp's 131047 in a "failed" status webhook): the row goes back to pending,
    due now, marked to go as a template (TEMPLATE "via"), once: a row sent that way already (or
    no longer ``sent``, or a step's reply, services.reply_rows) is only marked failed with ``reason``. Its platform message id is cleared,
    so that the same webhook delivered twice finds nothing. The row's contact id; None when no row
    has that message id (e.g. the webhook came before the sender wrote the row as sent)."""
    row = sql_session.execute(select(_outbox.c.id, _outbox.c.contact_id, _outbox.c.content, _outbox.c.status,
                                     _outbox.c.kind).where(
        _outbox.c.channel == channel, _outbox.c.platform_message_id == platform_message_id)
        .with_for_update()).first()
    if row is None:
        return None
    template = row.content.get(TEMPLATE) if isinstance(row.content.get(TEMPLATE), dict) else {}
    if template.get("via") or row.status != "sent" or row.kind == "reply":  # a reply: never a template
        sql_session.execute(update(_outbox).where(_outbox.c.id == row.id).values(
            status="failed", last_error=reason[:500], claimed_until=None))
    else:
        content = {**row.content, TEMPLATE: {**template, "via": True}}
        sql_session.execute(update(_outbox).where(_outbox.c.id == row.id).values(
            status="pending", content=content, due_at=now, last_error=reason[:500], claimed_by=None,
            claimed_until=None, platform_message_id=None, sent_at=None))
    return row.contact_id


def refused_after_sending(db_engine, *, channel: str, platform_message_id: str, reason: str, now: dt.datetime,
                          unreachable: bool = False, as_template: bool = False) -> None:
    """The platform accepted a message, then said it failed (WhatsApp's "failed" status webhook):
    its row is marked failed with ``reason``, in one transaction; ``unreachable``: the person
    cannot be reached there (mark_unreachable); ``as_template``: it failed because the window had
    closed, and goes again as a template, once (resend_as_template)."""
    with Session(db_engine) as sql_session, sql_session.begin():
        if as_template:
            resend_as_template(sql_session, channel=channel, platform_message_id=platform_message_id,
                               reason=reason, now=now)
            return
        contact_id = sql_session.execute(
            update(_outbox).where(_outbox.c.channel == channel, _outbox.c.platform_message_id == platform_message_id)
            .values(status="failed", last_error=reason[:500], claimed_until=None)
            .returning(_outbox.c.contact_id)).scalar()
        if contact_id is not None and unreachable:
            mark_unreachable(sql_session, contact_id=contact_id, channel=channel, reason=reason, now=now)

"""Operators' notices (broadcasts): composed with a text per language, sent to an audience
(services.audience) now or at a set time, cancelled while they wait, and reported on.

A broadcast is scheduled until its time comes; ``queue_due`` then turns it into one outbox
row per person, in the same transaction as the scheduled -> queued transition (a conditional
UPDATE: two processes, or one run twice, queue it once; idempotency keys make a second row
for the same person impossible anyway). The outbox sender does the rest, within the limits.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from conversations import languages
from conversations.i18n import translator
from conversations.messages import Outbound

from services import audience as audiences
from services import outbox
from services.audience import Audience, Plan
from store.models import Broadcast, OutboxMessage, utcnow
from services.outbox import BLOCKED, to_content

MAX_TEXT = 3500  # Telegram takes 4,096 characters; room is left for the line on how to stop
CHUNK = 1000     # outbox rows per INSERT: SQLite allows 32,766 parameters per statement
_broadcast, _outbox = Broadcast.__table__, OutboxMessage.__table__
# The web chat has no push: its rows wait, pending, until the person opens the page (handlers.webchat).
WEB = "web"


class BroadcastError(Exception):
    """Why a request about a broadcast cannot be done: no_italian, language, too_long, past,
    not_found, cancelled, finished, repeated (its confirmation was already sent)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def count(sql_session: Session, audience: Audience | dict | None, now: dt.datetime) -> Plan:
    """Who would get a notice sent now (``recipients``), and who would be left out."""
    return audiences.plan(sql_session, audience, now)


def create(sql_session: Session, *, texts: dict[str, str], audience: Audience | dict | None,
           send_at: dt.datetime, created_by: str = "", now: dt.datetime | None = None,
           request_key: str | None = None) -> Broadcast:
    """A scheduled broadcast. Italian is required; other languages fall back to it. A
    ``request_key`` already used raises BroadcastError("repeated") (the database's unique index
    decides, so two requests at once cannot both pass)."""
    if request_key is not None and sql_session.execute(
            select(Broadcast.id).where(Broadcast.request_key == request_key)).first() is not None:
        raise BroadcastError("repeated")
    texts = {language: text.strip() for language, text in texts.items() if text and text.strip()}
    if languages.DEFAULT not in texts:
        raise BroadcastError("no_italian")
    if set(texts) - set(languages.CODES):
        raise BroadcastError("language")
    if any(len(text) > MAX_TEXT for text in texts.values()):
        raise BroadcastError("too_long")
    now = now or utcnow()
    if send_at.tzinfo is None:
        raise ValueError("send_at must be an aware datetime")
    if send_at < now - dt.timedelta(minutes=1):
        raise BroadcastError("past")
    broadcast = Broadcast(texts=texts, audience=Audience.of(audience).to_dict(), send_at=send_at,
                          created_by=created_by[:80], created_at=now, status="scheduled", request_key=request_key)
    sql_session.add(broadcast)
    try:
        with sql_session.begin_nested():
            sql_session.flush()
    except IntegrityError:
        raise BroadcastError("repeated") from None
    return broadcast


def text_for(texts: dict[str, str], language: str) -> str:
    """The notice as a person reads it: their language's text (or the default's), and how to stop."""
    _ = translator(language).gettext
    how_to_stop = _("Write STOP to stop receiving notices.")
    return f"{texts.get(language) or texts[languages.DEFAULT]}\n\n{how_to_stop}"


def queue_due(sql_session: Session, *, now: dt.datetime) -> int:
    """Queue every scheduled broadcast whose time has come; the number of outbox rows added."""
    due = sql_session.execute(select(_broadcast.c.id).where(
        _broadcast.c.status == "scheduled", _broadcast.c.send_at <= now).order_by(_broadcast.c.send_at)).scalars()
    return sum(queue(sql_session, broadcast_id, now=now) for broadcast_id in list(due))


def queue(sql_session: Session, broadcast_id: int, *, now: dt.datetime) -> int:
    """One broadcast into the outbox, if it is scheduled and due; the number of its rows
    (0 when another process or an earlier run queued it)."""
    moved = sql_session.execute(update(_broadcast).where(
        _broadcast.c.id == broadcast_id, _broadcast.c.status == "scheduled", _broadcast.c.send_at <= now)
        .values(status="queued", queued_at=now))
    if moved.rowcount != 1:
        return 0
    texts, audience = sql_session.execute(select(_broadcast.c.texts, _broadcast.c.audience)
                                      .where(_broadcast.c.id == broadcast_id)).one()
    found = audiences.plan(sql_session, audience, now)
    contents = {language: to_content(Outbound(text_for(texts, language))) for language in
                {r.language for r in found.recipients}}
    statement = _insert(sql_session).on_conflict_do_nothing(index_elements=["idempotency_key"])
    for start in range(0, len(found.recipients), CHUNK):  # a chunk's rows at a time: 10,000 at once weigh 10 MB
        sql_session.execute(statement, [
            {"contact_id": r.contact_id, "channel": r.channel, "kind": "broadcast", "broadcast_id": broadcast_id,
             "content": contents[r.language], "due_at": now, "status": "pending", "attempts": 0,
             "idempotency_key": f"broadcast:{broadcast_id}:{r.contact_id}", "created_at": now}
            for r in found.recipients[start:start + CHUNK]])
    sql_session.execute(update(_broadcast).where(_broadcast.c.id == broadcast_id).values(skipped=found.excluded))
    return sql_session.execute(select(func.count()).where(_outbox.c.broadcast_id == broadcast_id)).scalar_one()


def queue_due_now(db_engine, clock=utcnow) -> int:
    """What a scheduler tick calls: queue the due broadcasts in a transaction of their own."""
    with Session(db_engine) as sql_session, sql_session.begin():
        return queue_due(sql_session, now=clock())


@dataclass(frozen=True)
class Cancelled:
    was: str        # scheduled or queued
    withdrawn: int  # outbox rows cancelled before they went out


def cancel(sql_session: Session, broadcast_id: int, now: dt.datetime) -> Cancelled:
    """A scheduled broadcast never goes out; a queued one stops: what was sent stays sent."""
    row = sql_session.execute(select(_broadcast.c.status).where(_broadcast.c.id == broadcast_id)).first()
    if row is None:
        raise BroadcastError("not_found")
    if row.status == "cancelled":
        raise BroadcastError("cancelled")
    if row.status == "queued" and not _statuses(sql_session, broadcast_id).get("pending"):
        raise BroadcastError("finished")
    moved = sql_session.execute(update(_broadcast).where(
        _broadcast.c.id == broadcast_id, _broadcast.c.status.in_(("scheduled", "queued")))
        .values(status="cancelled", cancelled_at=now))
    if moved.rowcount != 1:  # cancelled meanwhile by somebody else
        raise BroadcastError("cancelled")
    withdrawn = sql_session.execute(update(_outbox).where(
        _outbox.c.broadcast_id == broadcast_id, _outbox.c.status == "pending").values(status="cancelled"))
    return Cancelled(row.status, withdrawn.rowcount)


@dataclass(frozen=True)
class Report:
    """What happened to one broadcast. ``failed`` leaves out ``blocked`` (people who blocked
    the bot or whose chat is gone); ``reasons`` tells the failures apart."""

    broadcast: Broadcast
    audience_size: int | None  # when it was queued: rows + skipped (None while scheduled)
    queued: int
    sent: int
    pending: int               # not yet sent (waiting, or being sent)
    failed: int
    blocked: int
    skipped: int               # opted out or unreachable when it was queued
    cancelled: int
    reasons: dict[str, int] = field(default_factory=dict)
    web_waiting: int = 0       # of ``pending``: web chat people, who get it when they next open the page
    finished_at: dt.datetime | None = None  # every row final (sent, failed, withdrawn): the last sending

    @property
    def finished(self) -> bool:
        return self.broadcast.queued_at is not None and self.pending == 0


def report(sql_session: Session, broadcast_id: int) -> Report:
    broadcast = sql_session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise BroadcastError("not_found")
    rows = sql_session.execute(select(_outbox.c.status, _outbox.c.last_error, _outbox.c.channel, func.count(),
                                  func.max(_outbox.c.sent_at))
                           .where(_outbox.c.broadcast_id == broadcast_id)
                           .group_by(_outbox.c.status, _outbox.c.last_error, _outbox.c.channel)).all()
    counts: dict[str, int] = {}
    reasons: dict[str, int] = {}
    blocked = web_waiting = 0
    last_sent = [moment for *_row, moment in rows if moment is not None]
    for status, error, channel, number, _sent_at in rows:
        if status in ("pending", "sending") and channel == WEB:
            web_waiting += number
        if status == "failed" and (error or "").startswith(BLOCKED):  # blocked the bot, or the chat is gone
            blocked += number
            continue
        counts[status] = counts.get(status, 0) + number
        if status == "failed":
            reason = error or "?"
            reasons[reason] = reasons.get(reason, 0) + number
    queued = sum(counts.values()) + blocked
    pending = counts.get("pending", 0) + counts.get("sending", 0)
    finished_at = None
    if broadcast.queued_at is not None and not pending:
        finished_at = max(last_sent) if last_sent else broadcast.queued_at
    return Report(
        broadcast=broadcast, audience_size=None if broadcast.queued_at is None else queued + broadcast.skipped,
        queued=queued, sent=counts.get("sent", 0), pending=pending,
        failed=counts.get("failed", 0), blocked=blocked, skipped=broadcast.skipped,
        cancelled=counts.get("cancelled", 0), reasons=dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
        web_waiting=web_waiting, finished_at=finished_at)


@dataclass(frozen=True)
class Summary:
    broadcast: Broadcast
    queued: int
    sent: int
    pending: int = 0  # not yet sent (waiting, or being sent): what cancelling would still stop
    web_waiting: int = 0  # of ``pending``: web chat people, who get it when they next open the page


def recent(sql_session: Session, limit: int = 50) -> list[Summary]:
    """The latest broadcasts, newest first, with how many rows were queued and sent."""
    found = list(sql_session.execute(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)).scalars())
    ids = [b.id for b in found]
    counts: dict[int, dict[str, int]] = {}
    web: dict[int, int] = {}
    if ids:
        for broadcast_id, status, channel, number in sql_session.execute(
                select(_outbox.c.broadcast_id, _outbox.c.status, _outbox.c.channel, func.count())
                .where(_outbox.c.broadcast_id.in_(ids))
                .group_by(_outbox.c.broadcast_id, _outbox.c.status, _outbox.c.channel)):
            mine = counts.setdefault(broadcast_id, {})
            mine[status] = mine.get(status, 0) + number
            if status in ("pending", "sending") and channel == WEB:
                web[broadcast_id] = web.get(broadcast_id, 0) + number
    return [Summary(b, sum(counts.get(b.id, {}).values()), counts.get(b.id, {}).get("sent", 0),
                    counts.get(b.id, {}).get("pending", 0) + counts.get(b.id, {}).get("sending", 0),
                    web.get(b.id, 0)) for b in found]


def _statuses(sql_session: Session, broadcast_id: int) -> dict[str, int]:
    return dict(sql_session.execute(select(_outbox.c.status, func.count()).where(_outbox.c.broadcast_id == broadcast_id)
                                .group_by(_outbox.c.status)).all())


def _insert(sql_session: Session):
    return outbox.dialect_of(sql_session).insert(_outbox)

"""The outbox: messages the bot starts itself (waiting-list promotions, reminders, notices,
broadcasts) are rows, written in the same transaction as the change that causes them, and sent
by each channel's sender (handlers/outbox_sender.py; the console shows its rows before a prompt).
The idempotency key makes a second row for one purpose impossible.

A row goes pending -> sending -> sent or failed; ``cancelled`` rows (withdrawn reminders, a
cancelled broadcast) are never claimed, so never sent.

**Claims.** ``claim`` takes the due ``pending`` rows of one channel (and the ``sending`` rows
whose lease has passed: their sender died) and marks them ``sending`` with the sender's name
(``claimed_by``) and a lease (``claimed_until``), which the sender renews while it works on them
(``renew``). On PostgreSQL the rows are picked with ``SELECT ... FOR UPDATE SKIP LOCKED``: several
bot processes share the rows and never claim one twice. On SQLite the claim's transaction holds
the database's write lock from its first statement (``BEGIN IMMEDIATE``, store/engine.py), so claims
cannot interleave either; one bot process (one sender) is the supported SQLite set-up.

**Exactly once, but for a crash.** A row is marked sent once the platform confirmed it (results
are written in small batches, a fraction of a second apart). A sender killed between the
platform's confirmation and that write (SIGKILL, power cut) leaves the row ``sending``; when its
lease passes, another sender (or the restarted one) sends it again. Only such in-flight messages
can arrive twice, once more for each crash; a row marked sent is never sent again. The same
holds for a call that timed out: the platform may have delivered it, and it is retried.
A message that needs several calls (a long text in two parts, a calendar file) is resent whole.
"""
from __future__ import annotations

import base64
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from sqlalchemy import and_, bindparam, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from conversations.messages import Attachment, Button, Outbound

from store.models import ChannelIdentity, Consent, Contact, OutboxMessage, aware, utcnow


MAX_ATTEMPTS = 5  # the default of bot.settings.OutboxSettings.max_attempts
RETRY_DELAY = dt.timedelta(seconds=30)  # doubled after each failure: 30 s, 1, 2, 4 minutes
LEASE = dt.timedelta(seconds=30)  # a claim's life unless renewed: how long a dead sender's rows wait
BLOCKED = "blocked: "  # how last_error starts when the person cannot be reached (services.broadcasts counts them)
log = logging.getLogger(__name__)
_outbox = OutboxMessage.__table__
_identity = ChannelIdentity.__table__
_contact, _consent = Contact.__table__, Consent.__table__
Planner = Callable[[Session, dt.datetime], int]


@dataclass(frozen=True)
class Pending:
    id: int
    contact_id: int
    channel: str
    external_id: str
    message: Outbound
    attempts: int
    # What a channel with rules on unsolicited messages (WhatsApp's 24-hour window and templates,
    # handlers/whatsapp_outbox.py) needs to know of the row and of the person:
    kind: str = "notice"                      # promotion / reminder / broadcast / notice
    template: dict | None = field(default=None, compare=False)  # the content's TEMPLATE entry, if any
    last_inbound_at: dt.datetime | None = None  # when they last wrote on this channel
    consented: bool = False                   # they accepted the privacy notice
    notices_off: bool = False                 # they wrote /stop
    language: str | None = None               # the language they chat in


# content["template"]: what a template needs when the message cannot go as it is (WhatsApp outside
# the 24-hour window): {"params": [str, ...]} written by whoever queues the row (services.reminders), and
# {"via": true} once a free-form send was refused late (handlers/whatsapp.record_status).
TEMPLATE = "template"


def to_content(message: Outbound) -> dict:
    content = {"text": message.text, "buttons": [[b.label, b.payload] for b in message.buttons]}
    if message.file:
        content["file"] = {"filename": message.file.filename, "mime_type": message.file.mime_type,
                           "content": base64.b64encode(message.file.content).decode()}
    return content


def from_content(content: dict) -> Outbound:
    file = content.get("file")
    attachment = Attachment(file["filename"], base64.b64decode(file["content"]), file["mime_type"]) if file else None
    return Outbound(content["text"], tuple(Button(label, data) for label, data in content.get("buttons", ())),
                    file=attachment)


# -- queueing -----------------------------------------------------------------------------------
_REACHABLE = (select(_identity.c.scheme).where(_identity.c.contact_id == bindparam("contact_id"),
                                               _identity.c.unreachable_at.is_(None))
              .order_by(_identity.c.id.desc()).limit(1))


def enqueue(db, *, contact_id: int, message: Outbound, key: str, due_at: dt.datetime | None = None,
            kind: str = "notice", about: str | None = None, broadcast_id: int | None = None,
            template_params: Sequence[str] | None = None) -> bool:
    """Queue a message for the person's newest channel that can still reach them; False if ``key``
    was queued before, or no channel can (erased, or marked unreachable: blocked the bot).
    ``template_params``: the message's parameters for a channel that must send a template
    instead (see TEMPLATE)."""
    channel = db.execute(_REACHABLE, {"contact_id": contact_id}).scalar()
    if channel is None:
        return False
    content = to_content(message)
    if template_params is not None:
        content[TEMPLATE] = {"params": [str(p) for p in template_params]}
    values = {"contact_id": contact_id, "channel": channel, "content": content,
              "due_at": due_at or utcnow(), "status": "pending", "attempts": 0, "kind": kind,
              "about": about, "broadcast_id": broadcast_id, "idempotency_key": key, "created_at": utcnow()}
    # RETURNING rather than rowcount: psycopg reports -1 rows for INSERT ... ON CONFLICT
    inserted = db.execute(dialect_of(db).insert(_outbox).values(**values)
                          .on_conflict_do_nothing(index_elements=["idempotency_key"])
                          .returning(_outbox.c.id)).first()
    return inserted is not None


def dialect_of(db):
    """SQLAlchemy's PostgreSQL or SQLite dialect module, for INSERT ... ON CONFLICT."""
    name = db.dialect.name if hasattr(db, "dialect") else db.get_bind().dialect.name
    return postgresql if name == "postgresql" else sqlite


# -- claiming -----------------------------------------------------------------------------------
def claim(session: Session, *, channel: str, now: dt.datetime, worker: str, limit: int = 50,
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
            candidates += session.execute(
                select(_outbox.c.id, _outbox.c.contact_id).where(*due, *state)
                .order_by(_outbox.c.due_at, _outbox.c.id).limit(limit - len(candidates))
                .with_for_update(skip_locked=True)).all()
    if one_per_chat and candidates:
        busy = set(session.execute(select(_outbox.c.contact_id).where(
            _outbox.c.contact_id.in_({contact for _id, contact in candidates}), _outbox.c.channel == channel,
            or_(and_(_outbox.c.status == "sending", _outbox.c.claimed_until >= now),
                and_(_outbox.c.status == "sent", _outbox.c.sent_at > now - chat_gap)))).scalars())
        candidates = [(row_id, contact) for row_id, contact in candidates if contact not in busy]
    if not candidates:
        return []
    claimed, gone, chats = [], [], set()
    found = {row.id: row for row in session.execute(_CANDIDATES, {"ids": [i for i, _contact in candidates]})}
    for row in (found[row_id] for row_id, _contact in candidates if row_id in found):
        if row.external_id is None or row.unreachable_at is not None:
            reason = row.unreachable_reason or "no way to reach them here"
            gone.append({"b_id": row.id, "b_error": BLOCKED + reason})
        elif not one_per_chat or row.external_id not in chats:  # the next waits for the per-chat gap
            chats.add(row.external_id)
            template = row.content.get(TEMPLATE)
            claimed.append(Pending(row.id, row.contact_id, channel, row.external_id,
                                   from_content(row.content), row.attempts, kind=row.kind,
                                   template=template if isinstance(template, dict) else None,
                                   last_inbound_at=aware(row.last_inbound_at) if row.last_inbound_at else None,
                                   consented=bool(row.consented), notices_off=row.notices_off_at is not None,
                                   language=row.language))
    if gone:
        session.execute(_FAIL, gone)
    if claimed:
        session.execute(update(_outbox).where(_outbox.c.id.in_([p.id for p in claimed]))
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
_MINE = (_outbox.c.id == bindparam("b_id"), _outbox.c.status == "sending",
         _outbox.c.claimed_by == bindparam("b_worker"))


def renew(session: Session, *, worker: str, until: dt.datetime, ids: Iterable[int]) -> set[int]:
    """Extend the lease of the rows ``worker`` still holds among ``ids``; those it still holds
    (a row withdrawn meanwhile is not among them: do not send it)."""
    ids = list(ids)
    if not ids:
        return set()
    held = session.execute(update(_outbox).where(_outbox.c.id.in_(ids), _outbox.c.status == "sending",
                                                 _outbox.c.claimed_by == worker)
                           .values(claimed_until=until).returning(_outbox.c.id)).scalars()
    return set(held)


# -- what happened ------------------------------------------------------------------------------
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


def record(session: Session, outcomes: Sequence[Outcome], *, worker: str, now: dt.datetime,
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
            session.execute(_FAILED, {**mine, "b_error": (BLOCKED + (outcome.error or ""))[:500]})
            mark_unreachable(session, contact_id=pending.contact_id, channel=pending.channel,
                             reason=outcome.error or "", now=now)
        elif outcome.status == "released":
            released.append(mine)
    for statement, rows in ((_SENT, sent), (_RETRY, retry), (_FAILED, failed), (_RELEASED, released)):
        if rows:
            session.execute(statement, rows)


_SENT = update(_outbox).where(*_MINE).values(
    status="sent", sent_at=bindparam("b_at"), attempts=_outbox.c.attempts + 1,
    platform_message_id=bindparam("b_message_id"), claimed_until=None)
_RETRY = update(_outbox).where(*_MINE).values(
    status="pending", due_at=bindparam("b_due"), attempts=_outbox.c.attempts + 1,
    last_error=bindparam("b_error"), claimed_by=None, claimed_until=None)
_FAILED = update(_outbox).where(*_MINE).values(
    status="failed", attempts=_outbox.c.attempts + 1, last_error=bindparam("b_error"), claimed_until=None)
_RELEASED = update(_outbox).where(*_MINE).values(status="pending", claimed_by=None, claimed_until=None)


def mark_unreachable(session: Session, *, contact_id: int, channel: str, reason: str, now: dt.datetime) -> None:
    """The platform says the person cannot be reached on ``channel`` (blocked the bot, chat gone):
    mark the identity, and fail every row for it not yet sent, with the reason. Nothing more is
    queued there until the person writes again (their next message clears the mark: store.hot_path)."""
    session.execute(update(_identity).where(_identity.c.contact_id == contact_id, _identity.c.scheme == channel)
                    .values(unreachable_at=now, unreachable_reason=reason[:200]))
    session.execute(update(_outbox).where(_outbox.c.contact_id == contact_id, _outbox.c.channel == channel,
                                          _outbox.c.status.in_(("pending", "sending")))
                    .values(status="failed", last_error=(BLOCKED + reason)[:500], claimed_until=None))


def resend_as_template(session: Session, *, channel: str, platform_message_id: str, reason: str,
                       now: dt.datetime) -> int | None:
    """The platform accepted a free-form message and refused it later because the person's window
    had closed (WhatsApp's 131047 in a "failed" status webhook): the row goes back to pending,
    due now, marked to go as a template (TEMPLATE "via"), once: a row sent that way already (or
    no longer ``sent``) is only marked failed with ``reason``. Its platform message id is cleared,
    so that the same webhook delivered twice finds nothing. The row's contact id; None when no row
    has that message id (e.g. the webhook came before the sender wrote the row as sent)."""
    row = session.execute(select(_outbox.c.id, _outbox.c.contact_id, _outbox.c.content, _outbox.c.status).where(
        _outbox.c.channel == channel, _outbox.c.platform_message_id == platform_message_id)
        .with_for_update()).first()
    if row is None:
        return None
    template = row.content.get(TEMPLATE) if isinstance(row.content.get(TEMPLATE), dict) else {}
    if template.get("via") or row.status != "sent":
        session.execute(update(_outbox).where(_outbox.c.id == row.id).values(
            status="failed", last_error=reason[:500], claimed_until=None))
    else:
        content = {**row.content, TEMPLATE: {**template, "via": True}}
        session.execute(update(_outbox).where(_outbox.c.id == row.id).values(
            status="pending", content=content, due_at=now, last_error=reason[:500], claimed_by=None,
            claimed_until=None, platform_message_id=None, sent_at=None))
    return row.contact_id


# -- a channel that delivers at once (the console) ---------------------------------------------
def run_planners(db, planners: Sequence[Planner], now: dt.datetime) -> int:
    """Each planner (reminders, due broadcasts...) in a transaction of its own; the rows they
    queued. One that fails is logged and does not stop the others."""
    queued = 0
    for planner in planners:
        try:
            with Session(db) as session, session.begin():
                queued += planner(session, now) or 0
        except Exception:  # noqa: BLE001 - the next tick tries again
            log.exception("outbox: planner %s failed", getattr(planner, "__name__", planner))
    return queued


class OutboxService:
    """For the console: plan, claim what is due for one person, mark it sent once shown."""

    def __init__(self, db, clock: Callable[[], dt.datetime] = utcnow, planners: Sequence[Planner] = (),
                 worker: str = "console"):
        self.db, self.clock, self.planners, self.worker = db, clock, tuple(planners), worker

    def plan(self) -> int:
        return run_planners(self.db, self.planners, self.clock())

    def claim(self, channel: str, external_id: str, limit: int = 20) -> list[Pending]:
        with Session(self.db) as session, session.begin():
            return claim(session, channel=channel, now=self.clock(), worker=self.worker, limit=limit,
                         external_id=external_id, one_per_chat=False)

    def sent(self, pending: Sequence[Pending]) -> None:
        now = self.clock()
        with Session(self.db) as session, session.begin():
            record(session, [Outcome(p, "sent", at=now) for p in pending], worker=self.worker, now=now)

"""The outbox: messages the bot starts itself (waiting-list promotions, reminders, notices,
broadcasts) are rows, written in the same transaction as the change that causes them, and sent
by each channel's sender (services/outbox_sender.py; the console shows its rows before a prompt).
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

import datetime as dt
import logging
from typing import Callable, Sequence

from sqlalchemy import bindparam, select
from sqlmodel import Session

from conversations.messages import Outbound

from store.models import ChannelIdentity, OutboxMessage, utcnow

# The outbox's parts, one module each, read through this one: rows and content, claims, results.
from services.outbox_rows import (BLOCKED, LEASE, MAX_ATTEMPTS, RETRY_DELAY, TEMPLATE, Pending, Planner,  # noqa: F401
                                  dialect_of, from_content, to_content)
from services.outbox_claim import claim, renew  # noqa: F401
from services.outbox_results import (Outcome, mark_unreachable, record, refused_after_sending,  # noqa: F401
                                     resend_as_template)

log = logging.getLogger(__name__)
_outbox = OutboxMessage.__table__
_identity = ChannelIdentity.__table__


_REACHABLE = (select(_identity.c.scheme).where(_identity.c.contact_id == bindparam("contact_id"),
                                               _identity.c.unreachable_at.is_(None))
              .order_by(_identity.c.id.desc()).limit(1))


def enqueue(connection, *, contact_id: int, message: Outbound, key: str, due_at: dt.datetime | None = None,
            kind: str = "notice", about: str | None = None, broadcast_id: int | None = None,
            template_params: Sequence[str] | None = None, channel: str | None = None) -> bool:
    """Queue a message for the person's newest channel that can still reach them; False if ``key``
    was queued before, or no channel can (erased, or marked unreachable: blocked the bot).
    ``template_params``: the message's parameters for a channel that must send a template
    instead (see TEMPLATE). ``channel``: one the caller checked can reach them (the office's reply
    goes where the person wrote)."""
    channel = channel or connection.execute(_REACHABLE, {"contact_id": contact_id}).scalar()
    if channel is None:
        return False
    content = to_content(message)
    if template_params is not None:
        content[TEMPLATE] = {"params": [str(p) for p in template_params]}
    values = {"contact_id": contact_id, "channel": channel, "content": content,
              "due_at": due_at or utcnow(), "status": "pending", "attempts": 0, "kind": kind,
              "about": about, "broadcast_id": broadcast_id, "idempotency_key": key, "created_at": utcnow()}
    # RETURNING rather than rowcount: psycopg reports -1 rows for INSERT ... ON CONFLICT
    inserted = connection.execute(dialect_of(connection).insert(_outbox).values(**values)
                                  .on_conflict_do_nothing(index_elements=["idempotency_key"])
                                  .returning(_outbox.c.id)).first()
    return inserted is not None


# -- a channel that delivers at once (the console) ---------------------------------------------
def run_planners(db_engine, planners: Sequence[Planner], now: dt.datetime) -> int:
    """Each planner (reminders, due broadcasts...) in a transaction of its own; the rows they
    queued. One that fails is logged and does not stop the others."""
    queued = 0
    for planner in planners:
        try:
            with Session(db_engine) as sql_session, sql_session.begin():
                queued += planner(sql_session, now) or 0
        except Exception:  # noqa: BLE001 - the next tick tries again
            log.exception("outbox: planner %s failed", getattr(planner, "__name__", planner))
    return queued


class OutboxService:
    """For the console: plan, claim what is due for one person, mark it sent once shown."""

    def __init__(self, db_engine, clock: Callable[[], dt.datetime] = utcnow, planners: Sequence[Planner] = (),
                 worker: str = "console"):
        self.db_engine, self.clock, self.planners, self.worker = db_engine, clock, tuple(planners), worker

    def plan(self) -> int:
        return run_planners(self.db_engine, self.planners, self.clock())

    def claim(self, channel: str, external_id: str, limit: int = 20) -> list[Pending]:
        with Session(self.db_engine) as sql_session, sql_session.begin():
            return claim(sql_session, channel=channel, now=self.clock(), worker=self.worker, limit=limit,
                         external_id=external_id, one_per_chat=False)

    def sent(self, pending: Sequence[Pending]) -> None:
        now = self.clock()
        with Session(self.db_engine) as sql_session, sql_session.begin():
            record(sql_session, [Outcome(p, "sent", at=now) for p in pending], worker=self.worker, now=now)

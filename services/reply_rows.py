"""The replies of a step, as outbox rows written in the step's own transaction (RapidPro's courier:
a message exists in the database before anyone tries to send it).

Each reply is a row of kind ``reply`` on the channel the person wrote on, addressed to that chat
(``content["to"]``: it must reach them even once their identity is gone, after "erase my data").
It is written already claimed by the sender of the process that handles the step (``Hold``):
that sender sends it at once (services/outbox_sender.py ``deliver``), first among the channel's
messages; if the process dies before the platform confirmed it, the lease runs out and any
sender (the restarted one, or another process) sends it, as for every row (services.outbox).
The idempotency key is the update's: a step handled once has its replies written once.

Replies are kept ``KEEP`` (two days, as the update keys), then pruned with those keys.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Callable, Sequence

from sqlalchemy import Connection, delete, insert

from conversations.messages import Outbound
from store.models import OutboxMessage

from services.outbox_rows import PAGE, TO, Pending, to_content

KIND = "reply"
KEEP = dt.timedelta(days=2)
_outbox = OutboxMessage.__table__
_INSERT = insert(_outbox).returning(_outbox.c.id)


@dataclass(frozen=True)
class Hold:
    """Who sends the replies at once: the sender's worker name and its lease, in seconds."""

    worker: str
    lease: float


def store(connection: Connection, *, contact_id: int, channel: str, external_id: str, replies: Sequence[Outbound],
          update_key: str | None, hold: Hold, now: dt.datetime,
          pages: Callable[[Outbound], int] | None = None) -> list[Pending]:
    """Write ``replies`` as rows held by ``hold.worker``; the rows, in order, for its sender.
    ``pages``: the page of a long list each reply shows (services.outbox_rows.PAGE; 0, the first)."""
    key = update_key or f"{channel}:{external_id}:{secrets.token_hex(8)}"
    until = now + dt.timedelta(seconds=hold.lease)
    rows = []
    for index, reply in enumerate(replies):
        content = {**to_content(reply), TO: external_id}
        page = pages(reply) if pages else 0
        if page:
            content[PAGE] = page
        row_id = connection.execute(_INSERT, {
            "contact_id": contact_id, "channel": channel, "kind": KIND, "content": content, "due_at": now,
            "status": "sending", "attempts": 0, "idempotency_key": f"reply:{key}:{index}"[:120],
            "claimed_by": hold.worker, "claimed_until": until, "created_at": now}).scalar_one()
        rows.append(Pending(row_id, contact_id, channel, external_id, reply, 0, kind=KIND, page=page))
    return rows


def prune(connection: Connection, now: dt.datetime) -> None:
    """Forget replies written more than KEEP ago, whatever became of them: sent or failed long
    since, or never confirmed (a web page's reply to someone who erased their data in that step:
    nobody can ask for it any more)."""
    connection.execute(delete(_outbox).where(_outbox.c.kind == KIND, _outbox.c.created_at < now - KEEP))

"""WhatsApp's side of the outbox sender (handlers/outbox_sender.py): the Cloud API messages an
outbox message needs, the 24-hour window, and what Meta's errors mean.

A message is its rendered WhatsApp messages (handlers/whatsapp_render.py), each a call. Before
the first call the person's window is checked (channel_identity.last_inbound_at): outside it no
free-form message may go, and without a template fallback (not built yet) the row fails with the
reason instead of breaking Meta's rules.

Meta's errors: 130429 (throughput) -> Flood, the channel waits; 131056 (pair rate: too many to one
person) -> transient, the row is tried again later; 131047 (re-engagement: the window closed) ->
Rejected; 131026 (undeliverable) -> Unreachable; other 4xx -> Rejected; 5xx and network errors ->
transient.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import Engine, select

from conversations.messages import Outbound
from db.models import ChannelIdentity, utcnow

from .outbox_sender import Flood, Limits, Rejected, Sender, Unreachable
from .whatsapp import CHANNEL, WhatsAppClient
from .whatsapp_render import WaMessage, render

WINDOW = dt.timedelta(hours=24)
THROUGHPUT_WAIT = 1.0  # seconds; Meta gives no retry-after for 130429
OUTSIDE_WINDOW = "whatsapp: outside the 24-hour window (no template fallback yet)"
_identity = ChannelIdentity.__table__


@dataclass(frozen=True)
class _Call:
    message: WaMessage
    first: bool


class WhatsAppTransport:
    channel = CHANNEL

    def __init__(self, client: WhatsAppClient, db: Engine, clock: Callable[[], dt.datetime] = utcnow):
        self.client, self.db, self.clock = client, db, clock

    def calls(self, message: Outbound) -> list[Any]:
        return [_Call(part, index == 0) for index, part in enumerate(render(message))]

    async def send(self, external_id: str, call: Any) -> str | None:
        from pywa.errors import WhatsAppError

        if call.first and not self.in_window(external_id):
            raise Rejected(OUTSIDE_WINDOW)
        try:
            return await self.client.send(external_id, call.message)
        except WhatsAppError as error:
            reason = f"whatsapp {error.code}: {error.message}"[:300]
            if error.code == 130429:
                raise Flood(THROUGHPUT_WAIT) from None
            if error.code == 131056:
                raise RuntimeError(reason) from None  # transient: later, after the sender's delay
            if error.code == 131026:
                raise Unreachable(reason) from None
            status = error.status_code or 400
            if 400 <= status < 500:
                raise Rejected(reason) from None
            raise RuntimeError(reason) from None

    def in_window(self, external_id: str) -> bool:
        with self.db.connect() as connection:
            last = connection.scalar(select(_identity.c.last_inbound_at).where(
                _identity.c.scheme == CHANNEL, _identity.c.external_id == external_id))
        if last is None:
            return False
        if last.tzinfo is None:
            last = last.replace(tzinfo=dt.timezone.utc)
        return self.clock() - last < WINDOW


def limits(settings) -> Limits:
    """The sender's limits from bot.settings.Settings (its whatsapp and outbox groups)."""
    return Limits(per_second=settings.whatsapp.per_second, per_chat_per_second=settings.whatsapp.per_user_per_second,
                  max_attempts=settings.outbox.max_attempts, lease=settings.outbox.lease_seconds,
                  concurrency=settings.outbox.concurrency)


def sender(client: WhatsAppClient, db: Engine, limits: Limits, *, clock: Callable[[], dt.datetime] = utcnow,
           **options) -> Sender:
    """The outbox sender of the WhatsApp channel (limits: e.g. 80 a second, Meta's default)."""
    return Sender(db, WhatsAppTransport(client, db, clock), limits, **options)

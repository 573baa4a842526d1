"""What a channel gives the outbox sender (services/outbox_sender.py): a ``Transport`` that turns
a row into platform calls and makes them, the errors that say what a failed call means, and the
channel's ``Limits``. The wiring (bot/wiring.py) hands each channel's transport to a Sender:
handlers/telegram_outbox.py, handlers/whatsapp_outbox.py."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

from services.outbox_rows import LEASE, MAX_ATTEMPTS, Pending


class Flood(Exception):
    """The platform says: too many messages, wait ``seconds``."""

    def __init__(self, seconds: float):
        super().__init__(f"flood control: retry after {seconds} s")
        self.seconds = seconds


class Unreachable(Exception):
    """The person cannot be reached on this channel (blocked the bot, chat gone)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Rejected(Exception):
    """The platform refuses this message for good: sending it again cannot help."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Transport(Protocol):
    channel: str

    def calls(self, pending: Pending) -> list[Any]:
        """The platform calls that deliver ``pending.message``, in order (the row's kind and the
        person's window may matter: handlers/whatsapp_outbox.py). ``Rejected``: nothing may go."""

    async def send(self, external_id: str, call: Any) -> str | None:
        """Make one call; the platform's message id, when it gives one."""

    def beside(self, call: Any) -> bool:
        """True for a call that only marks an earlier message (the pressed one's choice), given
        up if refused: the chat's next message, if new, need not wait for it to be answered."""

    def new_message(self, call: Any) -> bool:
        """True for a call that adds a message to the chat (not one that changes an earlier one)."""


@dataclass(frozen=True)
class Limits:
    per_second: float               # the channel's overall rate (Telegram: 30 per bot token)
    per_chat_per_second: float      # to one chat (Telegram: 1)
    max_attempts: int = MAX_ATTEMPTS
    lease: float = LEASE.total_seconds()  # seconds a claim lives unless renewed
    # Calls in flight at once, each on an HTTP connection kept open (httpcore looks through all of
    # them at every request: more than needed costs CPU). None: enough for a 0.3 s round trip.
    concurrency: int | None = None


def concurrency(limits: Limits) -> int:
    """Calls in flight at once: as set, or enough for a 0.3 s round trip at the channel's rate."""
    return limits.concurrency or min(64, max(4, math.ceil(limits.per_second * 0.3)))

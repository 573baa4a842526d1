"""Sends what the outbox holds for Telegram (messages the bot starts itself), every second.

A person who blocked the bot (403) or a chat that no longer exists is not retried; other
errors are retried a few times, later each time (db.outbox.MAX_ATTEMPTS, RETRY_DELAY); 429 waits
as long as Telegram says.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from db.outbox import OutboxService

CHANNEL = "telegram"
INTERVAL = 1.0  # seconds between looks at the outbox
log = logging.getLogger(__name__)


async def drain_once(bot: Bot, outbox: OutboxService) -> int:
    """Send every due message once; the number sent."""
    from .telegram import send  # the one way an Outbound becomes Bot API calls

    sent = 0
    for pending in outbox.due(CHANNEL):
        try:
            await send(bot, int(pending.external_id), pending.message)
        except RetryAfter as error:
            wait = error.retry_after
            await asyncio.sleep(wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait))
            return sent  # the rest next time round
        except Forbidden as error:
            outbox.failed(pending.id, f"blocked: {error.message}", final=True)
            continue
        except BadRequest as error:
            outbox.failed(pending.id, error.message, final="chat not found" in error.message.lower())
            continue
        except TelegramError as error:
            outbox.failed(pending.id, str(error))
            continue
        outbox.sent(pending.id)
        sent += 1
    return sent


async def run(bot: Bot, outbox: OutboxService, interval: float = INTERVAL) -> None:
    while True:
        try:
            await drain_once(bot, outbox)
        except Exception:  # noqa: BLE001 - the loop must outlive a database hiccup
            log.exception("outbox: sending failed; trying again shortly")
        await asyncio.sleep(interval)

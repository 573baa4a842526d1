"""Telegram's side of the outbox sender (services/outbox_sender.py, given this transport by
bot/wiring.py): the Bot API calls a
message needs, and what Telegram's answers mean.

A message is one sendMessage per 4,096-character part (the buttons on the last part) and a
sendDocument for an attached file (the .ics of a booking): each call counts against the limits.
429 -> Flood(retry_after); 403 (the person blocked the bot, or deleted their account) and
"chat not found" -> Unreachable; any other 400 -> Rejected (the same request would be refused
again); 5xx, time-outs and network errors -> transient, retried later.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, RetryAfter

from conversations.messages import Attachment
from services.outbox import Pending
from services.outbox_sender import Flood, Rejected, Unreachable
from handlers.telegram import call_api, reply_markup, split_text

CHANNEL = "telegram"


@dataclass(frozen=True)
class _Text:
    text: str
    markup: Any = None


class TelegramTransport:
    channel = CHANNEL

    def __init__(self, bot: Bot):
        self.bot = bot

    def calls(self, pending: Pending) -> list[Any]:
        message = pending.message
        parts = split_text(message.text)
        calls: list[Any] = [_Text(part) for part in parts[:-1]] + [_Text(parts[-1], reply_markup(message))]
        if message.file:
            calls.append(message.file)
        return calls

    async def send(self, external_id: str, call: Any) -> str | None:
        chat_id = int(external_id)
        try:
            if isinstance(call, Attachment):
                await call_api(self.bot, "sendDocument", chat_id=chat_id,
                               document=InputFile(call.content, filename=call.filename))
                return None  # the row keeps the id of its (last) text, the one with the buttons
            sent = await call_api(self.bot, "sendMessage", chat_id=chat_id, text=call.text,
                                  reply_markup=call.markup)
        except RetryAfter as error:
            wait = error.retry_after
            raise Flood(wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)) from None
        except Forbidden as error:
            raise Unreachable(error.message) from None
        except BadRequest as error:
            if "chat not found" in error.message.lower():
                raise Unreachable(error.message) from None
            raise Rejected(error.message) from None
        return str(sent["message_id"])


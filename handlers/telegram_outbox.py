"""Telegram's side of the outbox sender (services/outbox_sender.py, given this transport by
bot/wiring.py): the Bot API calls a message needs, and what Telegram's answers mean. Every
message goes this way, the replies to a person's messages too (services.reply_rows).

A message is one sendMessage per 4,096-character part (the buttons on the last part) and a
sendDocument for an attached file (the .ics of a booking): each call counts against the limits.
A reply that changes the message whose button was pressed (``Outbound.target``) is an
editMessageText (or editMessageReplyMarkup, to only take its buttons away); when Telegram refuses
the edit (too old, unchanged), a reply meant to replace it goes as a new message, and a mere
"answered" mark is dropped.
429 -> Flood(retry_after); 403 (the person blocked the bot, or deleted their account) and
"chat not found" -> Unreachable; any other 400 -> Rejected (the same request would be refused
again); 5xx, time-outs and network errors -> transient, retried.
"""
from __future__ import annotations

import datetime as dt
import logging
import warnings
from dataclasses import dataclass
from typing import Any

from telegram import Bot, InputFile
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.warnings import PTBUserWarning

from conversations import messages
from conversations.messages import Attachment, Outbound
from services.outbox_rows import Pending
from services.outbox_transport import Flood, Rejected, Unreachable

CHANNEL = "telegram"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Text:
    text: str
    markup: Any = None


@dataclass(frozen=True)
class _Edit:
    message_id: int
    text: str | None             # None: only take the buttons away
    markup: Any = None
    replaces: bool = False       # refused: send it as a new message instead


class TelegramTransport:
    channel = CHANNEL

    def __init__(self, bot: Bot):
        self.bot = bot

    def calls(self, pending: Pending) -> list[Any]:
        message = pending.message
        if message.target and (not message.edit or len(message.text) <= MessageLimit.MAX_TEXT_LENGTH):
            return [_Edit(int(message.target), message.text or None, reply_markup(message) if message.edit else None,
                          replaces=message.edit)]
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
            if isinstance(call, _Edit):
                return await self._edit(chat_id, call)
            sent = await call_api(self.bot, "sendMessage", chat_id=chat_id, text=call.text,
                                  reply_markup=call.markup)
        except RetryAfter as error:
            raise Flood(retry_after_seconds(error)) from None
        except Forbidden as error:
            raise Unreachable(error.message) from None
        except BadRequest as error:
            if "chat not found" in error.message.lower():
                raise Unreachable(error.message) from None
            raise Rejected(error.message) from None
        return str(sent["message_id"])

    def beside(self, call: Any) -> bool:
        """The mark on a pressed message (its choice, its buttons taken away) changes nothing
        below it: the next question goes out beside it rather than after it. An edit that may
        turn into a new message (``replaces``) keeps its place."""
        return isinstance(call, _Edit) and not call.replaces

    def new_message(self, call: Any) -> bool:
        return not isinstance(call, _Edit)

    async def _edit(self, chat_id: int, call: _Edit) -> str | None:
        try:
            if call.text is None:
                await call_api(self.bot, "editMessageReplyMarkup", chat_id=chat_id, message_id=call.message_id)
            else:
                await call_api(self.bot, "editMessageText", chat_id=chat_id, message_id=call.message_id,
                               text=call.text, reply_markup=call.markup)
        except BadRequest as error:
            if "chat not found" in error.message.lower():
                raise  # send() says what it means
            if not call.replaces:
                log.info("could not update a pressed keyboard: %s", error)
                return None
            log.info("could not edit a message in place (%s): sent as a new one", error)
            sent = await call_api(self.bot, "sendMessage", chat_id=chat_id, text=call.text, reply_markup=call.markup)
            return str(sent["message_id"])
        return str(call.message_id)


# PTB asks to use its typed methods instead of do_api_request: we call it on purpose (call_api).
warnings.filterwarnings("ignore", r"Please use 'Bot\.(sendMessage|sendDocument|editMessageText|answerCallbackQuery|"
                        r"editMessageReplyMarkup|getUpdates)' instead", PTBUserWarning)


async def call_api(bot, method: str, **params) -> dict | bool:
    """A Bot API call whose answer stays raw JSON: we never read the Message objects Telegram
    sends back, and building them cost a third of the CPU time of an update (bench_updates)."""
    return await bot.do_api_request(method, api_kwargs={k: v for k, v in params.items() if v is not None})


def retry_after_seconds(error: RetryAfter) -> float:
    """A 429's wait in seconds (PTB gives an int, or a timedelta when asked to)."""
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)


def split_text(text: str) -> list[str]:
    """Telegram takes 4,096 characters a message."""
    return messages.split_text(text, MessageLimit.MAX_TEXT_LENGTH)


def reply_markup(reply: Outbound) -> dict | None:
    """The reply markup as the Bot API's JSON (plain dicts: PTB's objects cost more to build
    than the call itself)."""
    if reply.buttons:
        return {"inline_keyboard": [[{"text": b.label, "callback_data": b.payload}] for b in reply.buttons]}
    if reply.phone_button:
        return {"keyboard": [[{"text": reply.phone_button, "request_contact": True}]],
                "one_time_keyboard": True, "resize_keyboard": True}
    if reply.close_keyboard:
        return {"remove_keyboard": True}
    return None

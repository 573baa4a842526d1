"""Telegram adapter on python-telegram-bot 22: updates -> Inbound, Outbound -> Bot API calls.

Long polling by default (telegram_polling); webhook mode lives in bot.webhook.
"""
from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from telegram import Bot, BotCommand, CallbackQuery, Message, Update
from telegram.constants import ChatType, MessageLimit
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest

from conversations import languages
from conversations.i18n import N_, translator
from conversations.messages import Inbound, Kind, Outbound
from services.conversation import ConversationService, Shape
from services.outbox_sender import Limits, Sender
from services.reply_rows import Hold

from handlers.per_chat import PerChat
from handlers.telegram_files import attached, fetch
from handlers.telegram_http import ShardedRequest
from handlers.telegram_outbox import TelegramTransport, call_api, split_text  # noqa: F401 (split_text: tests)
from handlers.telegram_polling import poll

# Durations such as RetryAfter.retry_after as timedelta: PTB 22.2's opt-in, its future default.
os.environ.setdefault("PTB_TIMEDELTA", "1")

CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]
LIMITS = Limits(per_second=30, per_chat_per_second=1)  # Telegram's (PLATFORM.md); the settings' OUTBOX_*
# Threads running the steps' database work: the event loop goes on meanwhile (other people, the
# back office, the web chat). SQLite takes one write at a time anyway; PostgreSQL several.
STEP_THREADS = 8
BOT_API_CONNECTIONS = 256  # python-telegram-bot's own default, split in small pools (telegram_http)
log = logging.getLogger(__name__)

# Given the application's outbox sender once it runs: an object with start() and async shutdown()
# (bot.scheduler.BotScheduler: the sender's ticks for the rest of the outbox, and the planners).
Background = Callable[[Sender], Any]


def build_application(*, token: str, api_url: str, service: ConversationService, limits: Limits = LIMITS,
                      request: BaseRequest | None = None, updates_request: BaseRequest | None = None,
                      background: Background | None = None) -> Application:
    """``api_url`` is the Bot API server's root: calls go to <root>/bot<token>/<method>. Each
    update is handled in a task of its own (one person's in order: handlers.per_chat), its step
    and replies written in one transaction, the replies then sent by the channel's outbox sender
    (``bot_data["sender"]``, within ``limits``). ``background`` runs while the application runs."""
    builder = (ApplicationBuilder().token(token)
               .base_url(f"{api_url}/bot").base_file_url(f"{api_url}/file/bot")
               .concurrent_updates(1024).post_init(_on_start).post_shutdown(_on_stop))
    if request is not None:
        builder = builder.request(request).get_updates_request(updates_request or request)
    elif not _proxied():  # the calls the bot makes (get_updates keeps PTB's own request of one connection)
        builder = builder.request(ShardedRequest(BOT_API_CONNECTIONS))
    application = builder.build()
    application.bot_data.update(
        service=service, background=background, chats=PerChat(),
        sender=Sender(service.db_engine, TelegramTransport(application.bot), limits, clock=service.clock),
        steps=ThreadPoolExecutor(STEP_THREADS, thread_name_prefix="telegram-step"))
    application.add_handler(TypeHandler(Update, on_update))
    application.add_error_handler(on_error)
    return application


def _proxied() -> bool:
    """A proxy set in the environment: PTB's own requests go through it (httpx reads these
    variables), ours straight on httpcore would not."""
    return any(os.environ.get(name) for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"))


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    data = context.application.bot_data
    # A button press is answered at once, beside the handling: it only stops the button's spinner.
    answering = asyncio.ensure_future(_answer(context.bot, update.callback_query)) if update.callback_query else None
    try:
        await _handle(update, context.bot, data)
    finally:
        committed(data, update.update_id)
        if answering is not None:
            await answering


async def _handle(update: Update, bot: Bot, data: dict) -> None:
    chat = update.effective_chat
    if chat is None or update.effective_user is None:
        return
    if chat.type != ChatType.PRIVATE:
        await _point_to_private_chat(update)
        return
    inbound = to_inbound(update)
    if inbound is None:
        return
    sender: Sender = data["sender"]
    async with data["chats"].turn(chat.id):
        try:
            if inbound.kind is Kind.DOCUMENT:  # fetched, checked and kept before its step
                inbound = await fetch(bot, update.message, inbound, data["service"].documents, data["steps"])
            step = functools.partial(data["service"].step, inbound, Hold(sender.worker, sender.limits.lease),
                                     _shape(update))
            rows = await asyncio.get_running_loop().run_in_executor(data["steps"], step)
        except Exception:  # the service answers its own errors; this is the database gone
            log.exception("error handling Telegram update %s", update.update_id)
            await _say_sorry(bot, chat.id, update)  # a short apology, never the error itself
            return
        committed(data, update.update_id)
        await sender.deliver(rows)


def committed(data: dict, update_id: int) -> None:
    """The update's step is in the database (or there is nothing to do): the long polling may
    confirm it to Telegram (handlers.telegram_polling waits for this, not for the replies)."""
    waiting = data.get("uncommitted", {}).get(update_id)
    if waiting is not None and not waiting.done():
        waiting.set_result(None)


async def _answer(bot: Bot, query: CallbackQuery) -> None:
    """Always answer, to stop the button's spinner; a press queued while the bot was down
    is too old to answer (Telegram allows about 15 s) but must still be handled. A raw call
    (call_api), as the outbox's: nothing of Telegram's answer is read."""
    try:
        await call_api(bot, "answerCallbackQuery", callback_query_id=query.id)
    except TelegramError as error:
        log.info("could not answer a callback query: %s", error)


async def _say_sorry(bot: Bot, chat_id: int, update: Update) -> None:
    language = update.effective_user.language_code if update.effective_user else None
    _ = translator(languages.from_tag(language)).gettext
    try:
        await call_api(bot, "sendMessage", chat_id=chat_id,
                       text=_("Sorry, something went wrong on our side. Please write again in a few minutes."))
    except TelegramError as error:
        log.info("could not apologize to %s: %s", chat_id, error)


def to_inbound(update: Update) -> Inbound | None:
    """The neutral message of a private-chat update; None for updates we do not act on."""
    user_id = str(update.effective_user.id)
    common = {"channel": CHANNEL, "external_id": user_id, "update_key": f"{CHANNEL}:{update.update_id}"}
    if update.callback_query:
        return Inbound(kind=Kind.BUTTON, payload=update.callback_query.data or "", **common)
    message = update.message
    if message is None:
        return None  # edited messages, member updates...: nothing to answer
    if message.text is not None:
        return Inbound(kind=Kind.TEXT, text=message.text, **common)
    if message.contact and message.contact.user_id == update.effective_user.id:
        return Inbound(kind=Kind.CONTACT, phone=message.contact.phone_number, **common)
    if attached(message):
        return Inbound(kind=Kind.DOCUMENT, **common)
    return Inbound(kind=Kind.VOICE if message.voice or message.audio or message.video_note else Kind.UNSUPPORTED, **common)


def _shape(update: Update) -> Shape | None:
    """Old buttons must not act twice: the pressed message is edited in place (multi-select)
    or loses its keyboard and shows the choice made. These edits are replies like the others
    (rows of the step, sent in order by the outbox: handlers.telegram_outbox)."""
    query = update.callback_query
    pressed = query.message if query else None
    if not isinstance(pressed, Message):
        return None
    target, label = str(pressed.message_id), _label_of(pressed, query.data)
    marked = f"{pressed.text}\n\n➡️ {label}"[:MessageLimit.MAX_TEXT_LENGTH] if pressed.text and label else ""

    def shape(replies: list[Outbound]) -> list[Outbound]:
        if not replies:
            return replies
        if replies[0].edit and len(replies[0].text) <= MessageLimit.MAX_TEXT_LENGTH:
            return [dataclasses.replace(replies[0], target=target), *replies[1:]]
        return [Outbound(marked, target=target), *replies]
    return shape


def _label_of(message: Message, data: str | None) -> str | None:
    keyboard = message.reply_markup.inline_keyboard if message.reply_markup else ()
    return next((b.text for row in keyboard for b in row if b.callback_data == data), None)


async def _point_to_private_chat(update: Update) -> None:
    """Nothing from groups is stored; one line sends the person to the private chat."""
    message = update.effective_message
    if message is None or update.callback_query or not (message.text or message.caption):
        return  # members joining or leaving, pinned messages...: nothing a person said
    language = update.effective_user.language_code if update.effective_user else None
    _ = translator(languages.from_tag(language)).gettext
    me = update.get_bot().username
    await update.effective_message.reply_text(
        _("I only answer in a private chat: write to me at t.me/{bot}.").format(bot=me))


COMMANDS = (("start", N_("Start or go on")), ("menu", N_("What I can do")), ("help", N_("Help")),
            ("cancel", N_("Stop what we are doing")), ("language", N_("Change language")),
            ("privacy", N_("Your data: see it or erase it")),
            ("settings", N_("Reminders and notices on or off")), ("stop", N_("Stop the office's notices")),
            ("link", N_("Use me on another app too")))


async def _on_start(application: Application) -> None:
    await _set_commands(application)
    make = application.bot_data.get("background")
    if make is not None:
        running = application.bot_data["background_running"] = make(application.bot_data["sender"])
        running.start()


async def _on_stop(application: Application) -> None:
    running = application.bot_data.pop("background_running", None)
    if running is not None:
        await running.shutdown()
    await application.bot_data["sender"].close()  # what it holds and has not sent goes back to the outbox


async def _set_commands(application: Application) -> None:
    """The command menu in Telegram's own interface, in each language."""
    for language in languages.CODES:  # the default's menu for everyone whose language is not one of ours
        _ = translator(language).gettext
        commands = [BotCommand(name, _(description)) for name, description in COMMANDS]
        try:
            await application.bot.set_my_commands(
                commands, language_code=None if language == languages.DEFAULT else language)
        except TelegramError as error:
            log.warning("could not set the command menu: %s", error)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("error while handling a Telegram update: %s", context.error, exc_info=context.error)


def run_polling(application: Application) -> None:
    """Until SIGINT/SIGTERM; updates are confirmed only once handled (see telegram_polling)."""
    asyncio.run(poll(application, allowed_updates=ALLOWED_UPDATES))

"""Telegram adapter on python-telegram-bot 22: updates -> Inbound, Outbound -> Bot API calls.

Long polling by default (telegram_polling); webhook mode lives in bot.webhook.
"""
from __future__ import annotations

import asyncio
import logging
import os
import warnings
from typing import Any, Callable

from telegram import Bot, BotCommand, CallbackQuery, InputFile, Message, Update
from telegram.constants import ChatType, MessageLimit
from telegram.error import BadRequest, TelegramError
from telegram.warnings import PTBUserWarning
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest

from conversations import languages
from conversations.i18n import N_, translator
from conversations import messages
from conversations.messages import Inbound, Kind, Outbound

from handlers.telegram_polling import poll

# Durations such as RetryAfter.retry_after as timedelta: PTB 22.2's opt-in, its future default.
os.environ.setdefault("PTB_TIMEDELTA", "1")

CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]
log = logging.getLogger(__name__)

Handle = Callable[[Inbound], list[Outbound]]
# Given the application's Bot once it runs: an object with start() and async shutdown()
# (bot.scheduler.BotScheduler: the outbox sender's ticks and the planners).
Background = Callable[[Bot], Any]


def build_application(*, token: str, api_url: str, handle: Handle,
                      request: BaseRequest | None = None,
                      updates_request: BaseRequest | None = None,
                      background: Background | None = None) -> Application:
    """``api_url`` is the Bot API server's root: calls go to <root>/bot<token>/<method>.
    ``background`` (the outbox sender and its scheduler) runs while the application runs."""
    builder = (ApplicationBuilder().token(token)
               .base_url(f"{api_url}/bot").base_file_url(f"{api_url}/file/bot")
               .post_init(_on_start).post_shutdown(_on_stop))
    if request is not None:
        builder = builder.request(request).get_updates_request(updates_request or request)
    application = builder.build()
    application.bot_data["handle"] = handle
    application.bot_data["background"] = background
    application.add_handler(TypeHandler(Update, on_update))
    application.add_error_handler(on_error)
    return application


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    handle: Handle = context.application.bot_data["handle"]
    chat = update.effective_chat
    if update.callback_query:
        await _answer(update.callback_query)
    if chat is None or update.effective_user is None:
        return
    if chat.type != ChatType.PRIVATE:
        await _point_to_private_chat(update)
        return
    inbound = to_inbound(update)
    if inbound is None:
        return
    try:  # in the event loop's thread on purpose: one update at a time reads and writes a state
        replies = handle(inbound)
    except Exception:
        log.exception("error handling Telegram update %s", update.update_id)
        replies = [_sorry(update)]  # a short apology, never the error itself
    if not replies:
        return
    pressed = update.callback_query.message if update.callback_query else None
    if isinstance(pressed, Message):
        replies = await _close_pressed_keyboard(pressed, update.callback_query.data, replies)
    for reply in replies:
        await send(context.bot, chat.id, reply)


async def _answer(query: CallbackQuery) -> None:
    """Always answer, to stop the button's spinner; a press queued while the bot was down
    is too old to answer (Telegram allows about 15 s) but must still be handled."""
    try:
        await query.answer()
    except TelegramError as error:
        log.info("could not answer a callback query: %s", error)


def _sorry(update: Update) -> Outbound:
    language = update.effective_user.language_code if update.effective_user else None
    _ = translator(languages.from_tag(language)).gettext
    return Outbound(_("Sorry, something went wrong on our side. Please write again in a few minutes."))


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
    return Inbound(kind=Kind.VOICE if message.voice or message.audio or message.video_note else Kind.UNSUPPORTED, **common)


async def send(bot, chat_id: int, reply: Outbound) -> None:
    """Send one reply: long texts in several messages (the buttons on the last), then its file."""
    chunks = split_text(reply.text)
    for index, chunk in enumerate(chunks):
        markup = reply_markup(reply) if index == len(chunks) - 1 else None
        await call_api(bot, "sendMessage", chat_id=chat_id, text=chunk, reply_markup=markup)
    if reply.file:
        await call_api(bot, "sendDocument", chat_id=chat_id,
                       document=InputFile(reply.file.content, filename=reply.file.filename))


# PTB asks to use its typed methods instead of do_api_request: we call it on purpose (call_api).
warnings.filterwarnings("ignore", r"Please use 'Bot\.(sendMessage|sendDocument|editMessageText|"
                        r"editMessageReplyMarkup)' instead", PTBUserWarning)


async def call_api(bot, method: str, **params) -> dict | bool:
    """A Bot API call whose answer stays raw JSON: we never read the Message objects Telegram
    sends back, and building them cost a third of the CPU time of an update (bench_updates)."""
    return await bot.do_api_request(method, api_kwargs={k: v for k, v in params.items() if v is not None})


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


async def _close_pressed_keyboard(message: Message, data: str | None, replies: list[Outbound]) -> list[Outbound]:
    """Old buttons must not act twice: the pressed message is edited in place (multi-select)
    or loses its keyboard and shows the choice made."""
    try:
        if replies[0].edit and len(replies[0].text) <= MessageLimit.MAX_TEXT_LENGTH:
            await call_api(message.get_bot(), "editMessageText", chat_id=message.chat_id,
                        message_id=message.message_id, text=replies[0].text, reply_markup=reply_markup(replies[0]))
            return replies[1:]
        label = _label_of(message, data)
        if message.text and label:
            await call_api(message.get_bot(), "editMessageText", chat_id=message.chat_id,
                        message_id=message.message_id,
                        text=f"{message.text}\n\n➡️ {label}"[:MessageLimit.MAX_TEXT_LENGTH])
        else:
            await call_api(message.get_bot(), "editMessageReplyMarkup", chat_id=message.chat_id,
                        message_id=message.message_id)
    except BadRequest as error:  # too old to edit, or unchanged: the new messages still go out
        log.info("could not update a pressed keyboard: %s", error)
    return replies


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
        running = application.bot_data["background_running"] = make(application.bot)
        running.start()


async def _on_stop(application: Application) -> None:
    running = application.bot_data.pop("background_running", None)
    if running is not None:
        await running.shutdown()


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

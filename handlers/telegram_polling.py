"""Long polling that confirms an update to Telegram only after it has been handled.

python-telegram-bot's Updater puts fetched updates in an in-memory queue and its next
getUpdates call confirms them at once (the offset moves past them): a crash or a
SIGKILL while they wait or are being handled loses them, e.g. a person's button press
that then never gets an answer. Here an update is confirmed by the getUpdates after
the one that brought it, once ``process_update`` has returned for it. An update
handled just before a crash comes again after the restart: the service drops repeats
by update_id (services.conversation), so nothing is handled twice.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal

from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

log = logging.getLogger(__name__)
LONG_POLL = 25      # seconds one getUpdates may wait for news (Telegram allows up to 50)
MAX_BACKOFF = 30.0  # seconds between retries while Telegram cannot be reached


async def poll(application: Application, *, allowed_updates: list[str],
               stop: asyncio.Event | None = None) -> None:
    """Fetch and handle updates one at a time until ``stop`` is set (SIGINT/SIGTERM set it)."""
    stop = stop or _stop_on_signals()
    async with application:  # initialize() ... shutdown()
        if application.post_init:
            await application.post_init(application)
        try:
            await follow(application, allowed_updates=allowed_updates, stop=stop)
        finally:
            if application.post_shutdown:
                await application.post_shutdown(application)


async def follow(application: Application, *, allowed_updates: list[str], stop: asyncio.Event) -> None:
    """The polling itself, for an application already initialized (``python -m bot run`` runs it
    as a task of the ASGI app's lifespan): until ``stop`` is set, then what was handled is confirmed."""
    await application.bot.delete_webhook()  # getUpdates is refused while a webhook is set
    offset = await _loop(application, allowed_updates, stop)
    if offset is not None:  # confirm what was handled, or it comes again (and is dropped)
        try:
            await application.bot.get_updates(offset=offset, timeout=0, allowed_updates=allowed_updates)
        except TelegramError as error:
            log.info("could not confirm the last updates: %s", error)


async def _loop(application: Application, allowed_updates: list[str], stop: asyncio.Event) -> int | None:
    offset: int | None = None
    backoff = 0.0
    while not stop.is_set():
        try:
            updates = await _unless_stopped(stop, application.bot.get_updates(
                offset=offset, timeout=LONG_POLL, allowed_updates=allowed_updates))
        except TimedOut:
            continue  # a long poll that outlived the read timeout: just ask again
        except RetryAfter as error:
            await _sleep(stop, _seconds(error.retry_after))
            continue
        except InvalidToken:
            raise  # retrying cannot help
        except Exception as error:  # noqa: BLE001 - NetworkError, Conflict (another instance
            # polls, or a webhook is set), an update PTB cannot read...: keep going, slower
            backoff = min(MAX_BACKOFF, max(1.0, backoff * 2))
            log.warning("getUpdates failed (%s: %s); trying again in %.0f s",
                        type(error).__name__, error, backoff, exc_info=not isinstance(error, TelegramError))
            await _sleep(stop, backoff)
            continue
        if updates is None:
            break
        backoff = 0.0
        for update in updates:
            await application.process_update(update)  # handler errors go to the error handler
            offset = update.update_id + 1
            if stop.is_set():
                break  # the rest is not confirmed: it comes again at the next start
    return offset


async def _unless_stopped(stop: asyncio.Event, call) -> tuple[Update, ...] | None:
    """The call's result, or None as soon as ``stop`` is set (the call is cancelled)."""
    task = asyncio.ensure_future(call)
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        stopped.cancel()
        return task.result()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return None


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except asyncio.TimeoutError:
        pass


def _seconds(value: int | float | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # Windows: Ctrl+C raises KeyboardInterrupt
            pass
    return stop

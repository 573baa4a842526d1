"""Long polling that confirms an update to Telegram only once its step is in the database.

python-telegram-bot's Updater puts fetched updates in an in-memory queue and its next
getUpdates call confirms them at once (the offset moves past them): a crash or a
SIGKILL while they wait or are being handled loses them, e.g. a person's button press
that then never gets an answer. Here each update is handled in a task of its own (people at
once; one person's in order, handlers.per_chat), and the offset of the next getUpdates moves
only past the updates whose step has committed (handlers.telegram.committed: the step and its
replies are rows by then, services.reply_rows). An update still being handled is asked for
again (and skipped: it is being handled), so a slow one holds up nobody else; an update
handled just before a crash comes again after the restart, and the service drops repeats by
update_id (services.conversation), so nothing is handled twice.
"""
from __future__ import annotations

import asyncio
import logging
import signal

from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from handlers.telegram_outbox import retry_after_seconds

log = logging.getLogger(__name__)
LONG_POLL = 25      # seconds one getUpdates may wait for news (Telegram allows up to 50)
MAX_BACKOFF = 30.0  # seconds between retries while Telegram cannot be reached
COMMIT_WAIT = 0.05  # seconds: while only updates being handled come back, the longest wait for news
STOP_WAIT = 10.0    # seconds the updates being handled get to finish at stop


async def poll(application: Application, *, allowed_updates: list[str],
               stop: asyncio.Event | None = None) -> None:
    """Fetch and handle updates until ``stop`` is set (SIGINT/SIGTERM set it)."""
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
    uncommitted: dict[int, asyncio.Future] = application.bot_data.setdefault("uncommitted", {})
    handling: set[asyncio.Task] = set()
    newest: int | None = None  # the newest update taken
    backoff = 0.0
    while not stop.is_set():
        offset = _offset(uncommitted, newest)
        try:
            updates = await _unless_stopped(stop, _fetch(application, offset, allowed_updates, newest))
        except TimedOut:
            continue  # a long poll that outlived the read timeout: just ask again
        except RetryAfter as error:
            await _sleep(stop, retry_after_seconds(error))
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
        fresh = updates
        for update in fresh:
            start_handling(application, update, uncommitted, handling)
            newest = update.update_id
        if not fresh and uncommitted:  # only the ones being handled came back: let them commit
            await asyncio.wait([*uncommitted.values()], timeout=COMMIT_WAIT)
    if handling:  # what has started finishes (or hands its replies back to the outbox) before we confirm
        await asyncio.wait(handling, timeout=STOP_WAIT)
    return _offset(uncommitted, newest)


async def _fetch(application: Application, offset: int | None, allowed_updates: list[str],
                 newest: int | None) -> list[Update]:
    """The updates after ``newest`` (those being handled come back too while not confirmed: they
    are left as JSON, not read again)."""
    raw = await application.bot.do_api_request(
        "getUpdates", api_kwargs={"offset": offset, "timeout": LONG_POLL, "allowed_updates": allowed_updates},
        read_timeout=LONG_POLL + 10)
    return [Update.de_json(data, application.bot) for data in raw
            if newest is None or data["update_id"] > newest]


def _offset(uncommitted: dict[int, asyncio.Future], newest: int | None) -> int | None:
    """Confirm every update before the oldest one not yet committed."""
    if uncommitted:
        return min(uncommitted)
    return newest + 1 if newest is not None else None


def start_handling(application: Application, update: Update, uncommitted: dict[int, asyncio.Future],
                   handling: set[asyncio.Task]) -> asyncio.Future:
    """Handle ``update`` in a task of its own (kept in ``handling`` until it ends); the future
    returned (also in ``uncommitted`` until then) is done once its step has committed, or once
    there is no step to wait for. The webhook answers Telegram then (bot.webhook)."""
    waiting = asyncio.get_running_loop().create_future()
    uncommitted[update.update_id] = waiting
    waiting.add_done_callback(lambda _done, key=update.update_id: uncommitted.pop(key, None))

    async def handle() -> None:
        try:
            await application.process_update(update)  # handler errors go to the error handler
        finally:
            if not waiting.done():  # no step to commit (or it failed): nothing to wait for
                waiting.set_result(None)
    task = asyncio.create_task(handle(), name=f"telegram update {update.update_id}")
    handling.add(task)
    task.add_done_callback(handling.discard)
    return waiting


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


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # Windows: Ctrl+C raises KeyboardInterrupt
            pass
    return stop

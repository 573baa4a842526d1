"""``python -m bot run``: one process, one event loop. The ASGI application (back office, /health,
web chat, Telegram's webhook route, WhatsApp's webhook) under uvicorn on OFFICE_HOST:OFFICE_PORT;
Telegram long polling as a task beside it when a token is set (no webhook); one BotScheduler for
the outbox senders of every channel that is on and for the planners.

Start (``Channels.start``, from the application's lifespan; ``run`` calls it earlier, as soon as
Telegram accepted the token, and builds the back office in a thread meanwhile, so that the first
update does not wait for the back office's imports): Telegram's application (initialize, command
menu, start), its polling, then the scheduler. Stop, in the lifespan's end: the scheduler (the
senders hand back what they hold), the polling (what was handled is confirmed to Telegram:
handlers/telegram_polling.py), Telegram's application, WhatsApp's HTTP client.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from services.conversation import ConversationService

from bot.settings import Settings

log = logging.getLogger(__name__)
STARTUP_FAILED = 1
REFUSED = 2  # exit status: a setting is wrong (token refused, WhatsApp half configured, port taken)


class SettingsRefused(Exception):
    """A channel's settings cannot work; the message says which and why, for the log."""


class Channels:
    """The channels the settings turn on, their senders, and the lifespan that runs them."""

    def __init__(self, settings: Settings, service: ConversationService):
        self.settings, self.service, self.db_engine = settings, service, service.db_engine
        self.telegram = None        # python-telegram-bot Application, with a token
        self.webhook = bool(settings.telegram.webhook_url)
        self.whatsapp_client = None  # handlers.whatsapp.WhatsAppClient, with WhatsApp settings
        self.whatsapp_sender = None  # its outbox sender (services.outbox_sender.Sender)
        self.routers: list = []      # mounted in the application (WhatsApp's webhook)
        self.scheduler = None
        self.started = False
        self._stop_polling: asyncio.Event | None = None
        self._polling: asyncio.Task | None = None
        if settings.telegram.bot_token:
            self._build_telegram()
        if settings.whatsapp.enabled:
            self._build_whatsapp()

    def _build_telegram(self) -> None:
        from bot import wiring
        from handlers.telegram import build_application

        telegram = self.settings.telegram
        if self.webhook and telegram.webhook_secret is None:
            raise SettingsRefused("webhook mode needs TELEGRAM_WEBHOOK_SECRET")
        # No ``background``: the one scheduler below ticks Telegram's sender with the others.
        self.telegram = build_application(token=telegram.bot_token.get_secret_value(), api_url=telegram.api_url,
                                          service=self.service, limits=wiring.telegram_limits(self.settings))

    def _build_whatsapp(self) -> None:
        from bot import wiring
        from handlers.whatsapp import ChannelOff, WhatsAppClient, check_settings
        from handlers.whatsapp_webhook import whatsapp_router

        whatsapp = self.settings.whatsapp
        try:
            check_settings(whatsapp)
        except ChannelOff as error:
            raise SettingsRefused(str(error)) from None
        self.whatsapp_client = WhatsAppClient(whatsapp)
        # One sender for the number: the webhook's replies and the scheduler's ticks (senders()).
        self.whatsapp_sender = wiring.whatsapp_sender(self.whatsapp_client, self.db_engine,
                                                      wiring.whatsapp_limits(self.settings))
        self.routers.append(whatsapp_router(self.service, whatsapp, client=self.whatsapp_client,
                                            sender=self.whatsapp_sender))

    def app_options(self) -> dict:
        """For bot.app.create_app: Telegram's webhook route, the routers, the web chat, and
        this lifespan."""
        from fastapi import APIRouter

        from services.outbox import OutboxService

        # FastAPI nests an included router's lifespan inside the application's own (which starts
        # Telegram's webhook mode when there is one): ours runs once that is up.
        options = {"service": self.service, "routers": [*self.routers, APIRouter(lifespan=self.lifespan)],
                   # the web chat's polls only take its rows: the scheduler runs the planners
                   "outbox": OutboxService(self.db_engine, worker="web")}
        if self.telegram is not None and self.webhook:
            telegram = self.settings.telegram
            options.update(telegram_application=self.telegram, telegram_public_url=telegram.webhook_url,
                           telegram_secret=telegram.webhook_secret.get_secret_value())
        return options

    def senders(self) -> list:
        """The outbox sender of every channel that is on (the web chat's rows are taken by its
        page's polls)."""
        senders = []
        if self.telegram is not None:  # the one that sends the replies too
            senders.append(self.telegram.bot_data["sender"])
        if self.whatsapp_sender is not None:  # the one that sends the webhook's replies too
            senders.append(self.whatsapp_sender)
        return senders

    async def check_telegram(self) -> None:
        """Telegram's getMe, before the server starts (the lifespan's initialize() is then a
        no-op): SettingsRefused if Telegram refuses the token."""
        if self.telegram is None:
            return
        from telegram.error import InvalidToken

        try:
            await self.telegram.initialize()
        except InvalidToken:  # its message quotes the token: not for the log
            raise SettingsRefused(f"Telegram refused TELEGRAM_BOT_TOKEN (at {self.settings.telegram.api_url}): "
                                  "check it with @BotFather") from None

    @contextlib.asynccontextmanager
    async def lifespan(self, _app):
        try:
            await self.start()
            yield
        finally:
            await self.stop()
            await self.close()

    async def start(self) -> None:
        """Telegram's polling (unless in webhook mode) and the scheduler; once (``run`` starts them
        before the back office is built, so that the first update need not wait for it)."""
        if self.started:
            return
        self.started = True
        from bot.scheduler import BotScheduler
        from bot.wiring import planners

        if self.telegram is not None and not self.webhook:
            await self._start_polling()
        self.scheduler = BotScheduler(db_engine=self.db_engine, senders=self.senders(),
                                      planners=planners(self.settings.reminders))
        self.scheduler.start()

    async def stop(self) -> None:
        """The scheduler (its senders hand back what they hold), then the polling; idempotent."""
        if self.scheduler is not None:
            scheduler, self.scheduler = self.scheduler, None
            await scheduler.shutdown()
        await self._stop_polling_mode()

    async def _start_polling(self) -> None:
        from handlers.telegram import ALLOWED_UPDATES
        from handlers.telegram_polling import follow

        application = self.telegram
        await application.initialize()
        if application.post_init:
            await application.post_init(application)  # the command menu
        await application.start()
        self._stop_polling = asyncio.Event()
        self._polling = asyncio.create_task(
            follow(application, allowed_updates=ALLOWED_UPDATES, stop=self._stop_polling), name="telegram polling")
        self._polling.add_done_callback(_report_end)
        log.info("Telegram: long polling on %s", self.settings.telegram.api_url)

    async def _stop_polling_mode(self) -> None:
        if self._polling is None:
            return
        self._stop_polling.set()
        await asyncio.gather(self._polling, return_exceptions=True)
        self._polling = None
        application = self.telegram
        if application.running:
            await application.stop()
        if application.post_shutdown:
            await application.post_shutdown(application)
        await application.shutdown()

    async def close(self) -> None:
        """What may still be open: after the lifespan, or when the server never started.
        Idempotent; Telegram's application is left alone while it runs (webhook mode: the
        application's own lifespan stops it)."""
        if self.telegram is not None and not self.telegram.running:
            await self.telegram.shutdown()  # a no-op when not initialized or already shut down
        if self.whatsapp_client is not None:
            await self.whatsapp_client.aclose()


def _report_end(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        error = task.exception()
        from telegram.error import InvalidToken

        if isinstance(error, InvalidToken):  # its message quotes the token: not for the log
            log.error("Telegram refused TELEGRAM_BOT_TOKEN: polling stopped; check the token with @BotFather")
        else:
            log.error("Telegram polling stopped on an error", exc_info=error)


def run(settings: Settings, service: ConversationService) -> int:
    """Serve until SIGINT/SIGTERM; the exit status."""
    from backoffice.server import PORT_TAKEN, listen
    from backoffice.settings import OfficeSettings

    office = OfficeSettings()
    sock = listen(office)
    if sock is None:
        return PORT_TAKEN
    with sock:
        try:
            channels = Channels(settings, service)
        except SettingsRefused as error:
            log.error("%s", error)
            return REFUSED
        return asyncio.run(_serve(channels, sock, office))


async def _serve(channels: Channels, sock, office) -> int:
    from backoffice.server import server

    stopping = _stop_on_signals()  # until uvicorn's own handlers take over, then again after
    try:
        try:
            await channels.check_telegram()
        except SettingsRefused as error:
            log.error("%s", error)
            return REFUSED
        # Telegram's updates and the outbox first; the back office's imports and set-up (the
        # larger part of the start-up) in a thread meanwhile.
        await channels.start()
        building = asyncio.ensure_future(asyncio.to_thread(_application, channels, office))
        interrupted = asyncio.ensure_future(stopping.wait())
        await asyncio.wait({building, interrupted}, return_when=asyncio.FIRST_COMPLETED)
        interrupted.cancel()
        if stopping.is_set():
            return 0  # (asyncio.run waits for the thread before the process ends)
        app = building.result()
        base = f"http://{office.host}:{office.port}"
        print(f"Chat: {base}/chat  -  back office: {base}/office/\n"
              "(Ctrl+C per uscire / to stop; python -m bot console: la chat nel terminale)", flush=True)
        uvicorn_server = server(app, channels.settings.log_level)
        try:
            await uvicorn_server.serve(sockets=[sock])
        except SystemExit:  # uvicorn's way of saying the lifespan's start-up failed (it logged why)
            return STARTUP_FAILED
        return 0 if uvicorn_server.started else STARTUP_FAILED
    finally:
        await channels.stop()
        await channels.close()
        stopping.restore()


class _Signals(asyncio.Event):
    previous: dict

    def restore(self) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)


def _stop_on_signals() -> _Signals:
    """An event set by SIGINT/SIGTERM (signal.signal, as uvicorn's handlers, which replace these
    while it serves and put them back after)."""
    event = _Signals()
    loop = asyncio.get_running_loop()
    event.previous = {signum: signal.signal(signum, lambda *_: loop.call_soon_threadsafe(event.set))
                      for signum in (signal.SIGINT, signal.SIGTERM)}
    return event


def _application(channels: Channels, office):
    from bot.app import create_app
    return create_app(channels.db_engine, settings=office, **channels.app_options())

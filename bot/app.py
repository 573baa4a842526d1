"""The one ASGI application of ``python -m bot run``, built here only: the back office
(backoffice.app, with /health and / leading to it), the web chat at /chat (handlers.webchat),
Telegram's webhook route in webhook mode (bot.webhook) and WhatsApp's webhook (the routers
bot.channels gives). The office's lifespan (its first account) and the webhook's (Telegram's
application, setWebhook) run inside this application's."""
from __future__ import annotations

import contextlib
import datetime as dt
import sys
from typing import Callable, Sequence

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine

from services.clock import utcnow
from services.office import signing_key as keys

from handlers.body_limit import WEBHOOK_LIMIT, BodyLimit

from backoffice import app as office_app
from backoffice.security import HardenResponses
from backoffice.settings import OfficeSettings


def _announce(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def create_app(db_engine: Engine, *, telegram_application=None, telegram_secret: str | None = None,
               telegram_public_url: str | None = None, clock: Callable[[], dt.datetime] = utcnow,
               settings: OfficeSettings | None = None, announce: Callable[[str], None] = _announce,
               service=None, outbox=None, routers: Sequence[APIRouter] = ()) -> FastAPI:
    """The schema must be migrated already. ``telegram_application`` (python-telegram-bot's, in
    webhook mode): its route, checked against ``telegram_secret``, and ``telegram_public_url``
    registered at start-up. ``service`` (a ConversationService): the web chat, which ``outbox``
    (a services.outbox.OutboxService) gives the messages the bot starts itself. ``routers`` are
    included as they are (handlers.whatsapp_webhook.whatsapp_router's webhook, bot.channels' lifespan)."""
    settings = settings or OfficeSettings()
    office = office_app.create_app(db_engine, clock=clock, settings=settings, announce=announce)
    webhook = None
    if telegram_application is not None:
        from bot.webhook import create_app as create_webhook_app

        webhook = create_webhook_app(telegram_application, secret=telegram_secret or "", public_url=telegram_public_url)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        async with contextlib.AsyncExitStack() as stack:
            for mounted in (office, webhook):  # mounted applications' lifespans are not run for them
                if mounted is not None:
                    await stack.enter_async_context(mounted.router.lifespan_context(mounted))
            yield

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    hooks: list[str] = []  # the platforms' POST routes: their bodies are limited before being read
    limits: dict[str, int] = {}  # other POST routes' limits
    if webhook is not None:
        from bot.webhook import WEBHOOK_PATH

        app.router.routes.extend(r for r in webhook.routes if getattr(r, "path", None) == WEBHOOK_PATH)
        hooks.append(WEBHOOK_PATH)
    for router in routers:
        app.include_router(router)
        hooks += [route.path for route in router.routes if "POST" in (getattr(route, "methods", None) or ())]
    if service is not None:
        from handlers import webchat, webchat_upload
        from services.web_chat import WebChatPeople

        secret = keys.session_key(db_engine, settings.secret_key.get_secret_value() if settings.secret_key else None)
        app.include_router(webchat.router(service.handle, secret=secret, outbox=outbox, step=service.step,
                                          people=WebChatPeople(db_engine, clock), documents=service.documents))
        limits[webchat_upload.PATH] = webchat_upload.limit(service.documents)  # the paperclip's files
    app.state.office = office.state.office
    app.mount("", office)  # last: everything the routes above do not take (/office, /health, /)
    app.add_middleware(HardenResponses, private_prefix=office_app.BASE_URL)
    app.add_middleware(BodyLimit, limits={path: WEBHOOK_LIMIT for path in hooks} | limits)
    return app

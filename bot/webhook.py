"""Webhook mode: the route that takes Telegram's POSTs, checking the secret token on each, and the
lifespan that starts the application and registers the webhook. bot.app.create_app mounts
both in the one ASGI application (``python -m bot run``); ``create_app`` alone serves them too."""
from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging

from fastapi import FastAPI, Request, Response
from telegram import Update
from telegram.ext import Application

from handlers.telegram import ALLOWED_UPDATES
from handlers.telegram_polling import STOP_WAIT, start_handling

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"


def create_app(application: Application, *, secret: str, public_url: str | None = None) -> FastAPI:
    """``public_url``, when given, is registered with Telegram at start-up (setWebhook)."""
    if not secret:
        raise ValueError("the webhook needs a secret token: an empty one would accept any caller")

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        await application.initialize()
        if application.post_init:
            await application.post_init(application)
        if public_url:
            await application.bot.set_webhook(public_url, secret_token=secret,
                                              allowed_updates=ALLOWED_UPDATES)
        await application.start()
        yield
        if handling:  # what has started finishes (or hands its replies back to the outbox)
            await asyncio.wait(handling, timeout=STOP_WAIT)
        await application.stop()
        if application.post_shutdown:
            await application.post_shutdown(application)
        await application.shutdown()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    uncommitted: dict[int, asyncio.Future] = application.bot_data.setdefault("uncommitted", {})
    handling: set[asyncio.Task] = set()

    @app.post(WEBHOOK_PATH)
    async def telegram_webhook(request: Request) -> Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook call with a wrong secret token from %s", request.client.host if request.client else "?")
            return Response(status_code=403)
        try:
            data = await request.json()
            if not isinstance(data, dict) or type(data.get("update_id")) is not int:
                raise ValueError("not an update")
            update = Update.de_json(data, application.bot)
        except Exception:  # not JSON, or not an update: nothing to retry
            return Response(status_code=400)
        # Telegram hears 200 once the step is in the database: its replies are outbox rows by
        # then (services.reply_rows), sent on after the answer; a crash before this point makes
        # Telegram post the update again, and a repeat is dropped by its update_id.
        await start_handling(application, update, uncommitted, handling)
        return Response(status_code=200)

    @app.get("/health")
    async def health() -> dict:
        return {"status": "ok"}

    return app

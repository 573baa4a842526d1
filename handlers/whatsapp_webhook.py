"""WhatsApp's webhook, a FastAPI router for the project's ASGI app: Meta's signed posts in, each
message a step of the conversation (services.conversation) whose replies are outbox rows written
in the step's transaction (services.reply_rows), sent at once by the channel's outbox sender
(handlers/whatsapp_outbox.py; bot/channels.py hands the router the same sender its scheduler
ticks), before broadcasts, in each person's order, retried there when Meta refuses one.

People are handled at once, one person's messages in order (handlers.per_chat); each step's
database work runs in a worker thread.

**When Meta hears 200**: once the payload's steps are committed, not once their replies went
out. Meta asks for answers within a second (median 250 ms) and delivers again, with a growing
delay, what it did not hear answered: holding the webhook through a 429's wait or a 5xx's
retries would make Meta deliver it again and slow down the number's other webhooks. Nothing is
lost meanwhile: the replies are rows, which the sender delivers (or, after a crash, the outbox
once the lease has run out). A step that cannot be written (the database gone) answers 500:
Meta delivers it again later.

**Once.** A message Meta delivers again is recognised by its update key, written in its step's
transaction (services.conversation; a "next page" press: services.channel_state.next_page): it
writes nothing and sends nothing.

**Long lists** (more than 10 choices, handlers/whatsapp_render.py): the last one sent to a chat
is kept (services.channel_state.keep_page); a reply row names the page it shows (the page of the
choice just ticked; for "next page", the page asked for), and the outbox's transport renders it.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hmac
import json
import logging
from typing import Callable

import anyio
from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from conversations.messages import Inbound, Kind
from services import channel_state
from services.clock import utcnow
from services.outbox_rows import Pending
from services.outbox_sender import Limits, Sender
from services.reply_rows import Hold

from handlers import whatsapp_files, whatsapp_media
from handlers.per_chat import PerChat
from handlers.whatsapp import (CHANNEL, WEBHOOK_PATH, Settings, WhatsAppClient, check_settings, inbound_messages,
                               record_status, signature_ok, statuses)
from handlers.whatsapp_outbox import WhatsAppTransport
from handlers.whatsapp_render import PHONE_ID, more_page, opens_list, page_showing

# Meta's Cloud API (PLATFORM.md); ``python -m bot run`` passes the settings' (bot.wiring.whatsapp_limits).
LIMITS = Limits(per_second=80, per_chat_per_second=1 / 6)
log = logging.getLogger(__name__)


def whatsapp_router(service, settings: Settings, *, client: WhatsAppClient | None = None,
                    sender: Sender | None = None, limits: Limits = LIMITS,
                    clock: Callable[[], dt.datetime] = utcnow) -> APIRouter:
    """The webhook routes. ``service`` is the ConversationService; ``client`` defaults to one
    built from the settings, ``sender`` (the channel's outbox sender) to one on that client.
    Refuses to build without an app secret or verify token."""
    check_settings(settings)
    client = client or WhatsAppClient(settings)
    sender = sender or Sender(service.db_engine, WhatsAppTransport(client, clock), limits, clock=clock)
    secret = settings.app_secret.get_secret_value()
    verify = settings.verify_token.get_secret_value()
    db_engine = service.db_engine
    chats = PerChat()
    delivering: set[asyncio.Task] = set()
    router = APIRouter()
    router.include_router(whatsapp_files.calendar_router(settings))

    @router.get(WEBHOOK_PATH)
    async def verification(request: Request) -> Response:
        params = request.query_params
        token = params.get("hub.verify_token", "")
        if params.get("hub.mode") != "subscribe" or not hmac.compare_digest(token.encode(), verify.encode()):
            return Response(status_code=403)
        return PlainTextResponse(params.get("hub.challenge", ""))

    @router.post(WEBHOOK_PATH)
    async def webhook(request: Request) -> Response:
        request.app.state.whatsapp_settle = settle  # (tests.fake_graph_api.WaChat waits on it)
        body = await request.body()
        header = request.headers.get("X-Hub-Signature-256")
        if not header:
            return Response(status_code=401)
        if not signature_ok(secret, body, header):
            log.warning("WhatsApp webhook with a bad signature from %s", request.client.host if request.client else "?")
            return Response(status_code=403)
        try:
            payload = json.loads(body)
            if not isinstance(payload, dict):
                raise ValueError("not an object")
        except ValueError:
            return Response(status_code=400)
        for status in statuses(payload):  # in a worker thread: the event loop serves everyone else
            await anyio.to_thread.run_sync(record_status, db_engine, status, clock())
        handled = await asyncio.gather(*(_handle(inbound, address, media)
                                         for inbound, address, media in inbound_messages(payload)),
                                       return_exceptions=True)
        failed = [error for error in handled if isinstance(error, BaseException)]
        for error in failed:
            log.error("could not handle a WhatsApp message; Meta will deliver it again", exc_info=error)
        return Response(status_code=500 if failed else 200)

    async def _handle(inbound: Inbound, address: str, media: whatsapp_media.Media | None) -> None:
        inbound = _phone_pressed(inbound, address)
        hold = Hold(sender.worker, sender.limits.lease)
        async with chats.turn(address):
            if media is not None and inbound.kind is Kind.DOCUMENT:  # fetched, checked and kept before its step
                inbound = await whatsapp_media.fetch(client, media, inbound, service.documents)
            rows = await anyio.to_thread.run_sync(_step, inbound, address, hold)
            if rows:  # in this person's order: the sender's line for the chat keeps it
                task = asyncio.create_task(_deliver(rows), name=f"whatsapp replies to {address}")
                delivering.add(task)
                task.add_done_callback(delivering.discard)

    def _step(inbound: Inbound, address: str, hold: Hold) -> list[Pending]:
        """The step's rows (in a worker thread): a "next page" press, or the conversation's."""
        page = more_page(inbound.payload) if inbound.kind is Kind.BUTTON else None
        rows = None if page is None else channel_state.next_page(db_engine, inbound, page, hold, clock())
        if rows is None:  # a next page whose list is gone: the engine says the button is no longer active
            pressed = inbound.payload if inbound.kind is Kind.BUTTON else None
            rows = service.step(inbound, hold, pages=lambda reply: page_showing(reply.buttons, pressed))
            long_lists = [row.message for row in rows if len(row.message.buttons) > 10]
            if long_lists:
                channel_state.keep_page(db_engine, channel=CHANNEL, external_id=address, reply=long_lists[-1],
                                        now=clock())
        if any(opens_list(row.message) for row in rows):  # a list says "Choose" in the person's language
            language = channel_state.language_of(db_engine, channel=CHANNEL, external_id=address)
            rows = [dataclasses.replace(row, language=language) for row in rows]
        return rows

    async def _deliver(rows: list[Pending]) -> None:
        try:
            await sender.deliver(rows)
        except Exception:  # noqa: BLE001  (the rows stay in the outbox: sent once their lease runs out)
            log.exception("could not send WhatsApp replies %s", [row.id for row in rows])

    async def settle() -> None:
        """Until the replies being sent now are sent (or given up): tests, and a clean stop."""
        while delivering:
            await asyncio.gather(*delivering, return_exceptions=True)

    router.settle = settle  # type: ignore[attr-defined]
    router.whatsapp_client = client  # type: ignore[attr-defined]  (closed by whoever mounts it)
    router.whatsapp_sender = sender  # type: ignore[attr-defined]  (stopped by whoever ticks it)
    return router


def _phone_pressed(inbound: Inbound, address: str) -> Inbound:
    """"Share my number": the number Meta says this message came from."""
    if inbound.kind is not Kind.BUTTON or inbound.payload != PHONE_ID:
        return inbound
    if address.isdecimal():
        return Inbound(channel=CHANNEL, external_id=address, kind=Kind.CONTACT, phone=address,
                       update_key=inbound.update_key)
    return Inbound(channel=CHANNEL, external_id=address, kind=Kind.UNSUPPORTED, update_key=inbound.update_key)

"""WhatsApp adapter on the Cloud API: the webhook (a FastAPI router for the project's ASGI app)
turns Meta's payloads into Inbound messages, and replies go out through pywa's async Graph API
client.

Why the webhook does not use pywa's own handlers (PLATFORM.md, pywa 4.5): they handle only the
first message of a webhook, silently drop entries whose contact lacks ``user_id``, dedupe on the
raw body instead of the message id, and accept unsigned posts when no app secret is set. Meta's
payload is small and documented, so it is read here, after checking the signature on the raw
body; pywa sends (its ``GraphAPIAsync`` with the HTTP client's base URL set after construction, so
``WHATSAPP_API_URL`` can point at a local server).
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import logging
from typing import Callable, Iterator, Protocol

import anyio
import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import SecretStr

from conversations.messages import Inbound, Kind, Outbound
from services import channel_state, outbox
from services.clock import utcnow

from handlers import whatsapp_files
from handlers.whatsapp_render import PHONE_ID, WaMessage, more_page, opens_list, page_showing, render

CHANNEL = "whatsapp"
WEBHOOK_PATH = "/whatsapp/webhook"
log = logging.getLogger(__name__)


class Settings(Protocol):
    """What the adapter reads of the WhatsApp settings (the wiring passes bot.settings' group)."""

    phone_number_id: str | None
    access_token: SecretStr | None
    app_secret: SecretStr | None
    verify_token: SecretStr | None
    api_url: str
    api_version: str
    public_url: str | None
    reminder_template: str | None
    reminder_template_language: str
    notice_template: str | None
    notice_template_language: str
    proposal_template: str | None
    proposal_template_language: str

    @property
    def enabled(self) -> bool: ...


class ChannelOff(RuntimeError):
    """The WhatsApp settings are missing or unsafe."""


def check_settings(settings: Settings) -> None:
    if not settings.enabled:
        raise ChannelOff("WhatsApp is off: set WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_ACCESS_TOKEN")
    if not settings.app_secret:
        raise ChannelOff("WHATSAPP_APP_SECRET is required: without it forged webhook posts would be accepted")
    if not settings.verify_token:
        raise ChannelOff("WHATSAPP_VERIFY_TOKEN is required for Meta's webhook verification")


class WhatsAppClient:
    """Sends rendered replies with pywa's async Graph API client."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None):
        from pywa_async import WhatsApp

        self.settings = settings
        self.http_client = httpx.AsyncClient(timeout=httpx.Timeout(20.0), transport=transport)
        self.whatsapp = WhatsApp(phone_id=settings.phone_number_id,
                                 token=settings.access_token.get_secret_value(),
                                 session=self.http_client, api_version=settings.api_version, server=None)
        # pywa sets Meta's host while it builds the client: point it where the settings say.
        self.http_client.base_url = f"{settings.api_url}/v{settings.api_version}"
        self.api = self.whatsapp.api

    async def send(self, to: str, message: WaMessage) -> str:
        """Send one message; the platform's message id. pywa's WhatsAppError on refusals."""
        body = message.body
        if message.attachment is not None:  # a type Meta takes, and a link (handlers/whatsapp_files.py)
            body = await whatsapp_files.document(self.api, self.settings, message.attachment, body)
        address = {"to": to, "recipient": None} if to.isdecimal() else {"to": None, "recipient": to}
        answer = await self.api.send_message(sender=self.settings.phone_number_id, recipient_type="individual",
                                             typ=message.type, msg=body, **address)
        return answer["messages"][0]["id"]

    async def send_reply(self, to: str, reply: Outbound, page: int = 0, language: str | None = None) -> list[str]:
        # a file's failure: logged, the next messages still go
        return await whatsapp_files.send_all(self.send, to, render(reply, page, language))

    async def aclose(self) -> None:
        await self.http_client.aclose()


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """X-Hub-Signature-256: ``sha256=<hex HMAC-SHA256 of the raw body>``, compared in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header[len("sha256="):].strip().lower().encode(), expected.encode())


def inbound_messages(payload: dict) -> Iterator[tuple[Inbound, str]]:
    """Every message of every entry and change, as (Inbound, address to reply to)."""
    for entry in _list(payload.get("entry")):
        for change in _list(entry.get("changes") if isinstance(entry, dict) else None):
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            contacts = [c for c in _list(value.get("contacts")) if isinstance(c, dict)]
            only_user = contacts[0].get("user_id") if len(contacts) == 1 else None
            for message in _list(value.get("messages")):
                if not isinstance(message, dict) or not message.get("id"):
                    continue
                # The phone number (wa_id) when Meta gives it, else the business-scoped user id.
                sender = message.get("from") or message.get("from_user_id") or only_user
                if not sender:
                    continue
                sender = str(sender)
                yield to_inbound(message, sender), sender


def to_inbound(message: dict, sender: str) -> Inbound:
    common = {"channel": CHANNEL, "external_id": sender, "update_key": f"{CHANNEL}:{message['id']}",
              # the wa_id is the phone number: the registration asks to confirm it, not to type it
              "channel_phone": sender if sender.isdecimal() else None}
    kind = message.get("type")
    if kind == "text" and isinstance(message.get("text"), dict):
        return Inbound(kind=Kind.TEXT, text=str(message["text"].get("body", "")), **common)
    if kind == "interactive" and isinstance(message.get("interactive"), dict):
        interactive = message["interactive"]
        reply = interactive.get("button_reply") or interactive.get("list_reply")
        if isinstance(reply, dict) and reply.get("id"):
            return Inbound(kind=Kind.BUTTON, payload=str(reply["id"]), **common)
    if kind == "button" and isinstance(message.get("button"), dict):  # a template's quick reply
        return Inbound(kind=Kind.BUTTON, payload=str(message["button"].get("payload", "")), **common)
    return Inbound(kind=Kind.VOICE if kind in ("audio", "voice") else Kind.UNSUPPORTED, **common)


def statuses(payload: dict) -> Iterator[dict]:
    for entry in _list(payload.get("entry")):
        for change in _list(entry.get("changes") if isinstance(entry, dict) else None):
            value = change.get("value") if isinstance(change, dict) else None
            if isinstance(value, dict):
                yield from (s for s in _list(value.get("statuses")) if isinstance(s, dict) and s.get("id"))


def _list(value) -> list:
    return value if isinstance(value, list) else []


def whatsapp_router(service, settings: Settings, *, client: WhatsAppClient | None = None,
                    clock: Callable[[], dt.datetime] = utcnow) -> APIRouter:
    """The webhook routes. ``service`` is the ConversationService; ``client`` defaults to one
    built from the settings. Refuses to build without an app secret or verify token."""
    check_settings(settings)
    client = client or WhatsAppClient(settings)
    secret = settings.app_secret.get_secret_value()
    verify = settings.verify_token.get_secret_value()
    handling = anyio.Lock()  # FIFO: messages are handled in the order they came
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
            await anyio.to_thread.run_sync(record_status, service.db_engine, status, clock())
        for inbound, sender in inbound_messages(payload):
            await _handle(inbound, sender)
        return Response(status_code=200)

    async def _handle(inbound: Inbound, sender: str) -> None:
        db_engine = service.db_engine
        if not await anyio.to_thread.run_sync(channel_state.take, db_engine, inbound.update_key, clock()):
            return  # Meta delivered it again: answered once already (or being answered)
        if inbound.kind is Kind.BUTTON and inbound.payload == PHONE_ID:
            # "Share my number": the number Meta says this message came from.
            inbound = (Inbound(channel=CHANNEL, external_id=sender, kind=Kind.CONTACT, phone=sender,
                               update_key=inbound.update_key) if sender.isdecimal()
                       else Inbound(channel=CHANNEL, external_id=sender, kind=Kind.UNSUPPORTED,
                                    update_key=inbound.update_key))
        page = more_page(inbound.payload) if inbound.kind is Kind.BUTTON else None
        listed = None
        if page is not None:  # the list's later page, from the database (a restart keeps it)
            listed = await anyio.to_thread.run_sync(functools.partial(
                channel_state.page_of, db_engine, channel=CHANNEL, external_id=sender, now=clock()))
        if listed is not None:
            replies, page_of = [listed], page
        else:
            # A next page whose list is gone (erased) is not a payload of the engine's: it answers
            # "that button is no longer active" and asks the question again. One message at a
            # time, as for Telegram, in their order; in a worker thread, so that the event loop
            # (Telegram, the back office) is not held up meanwhile. The service notes that the
            # person wrote (their 24-hour window) in its transaction.
            async with handling:
                replies, page_of = await anyio.to_thread.run_sync(service.handle, inbound), 0
            long_lists = [reply for reply in replies if len(reply.buttons) > 10]
            if long_lists:
                await anyio.to_thread.run_sync(functools.partial(
                    channel_state.keep_page, db_engine, channel=CHANNEL, external_id=sender,
                    reply=long_lists[-1], now=clock()))
        # A list says "Choose" in the person's language; a choice just ticked in a long list comes
        # back on its own page (with "Done"), not on the first.
        language = None
        if any(opens_list(reply) for reply in replies):
            language = await anyio.to_thread.run_sync(functools.partial(
                channel_state.language_of, db_engine, channel=CHANNEL, external_id=sender))
        try:
            for reply in replies:
                shown = page_of if listed is not None else page_showing(reply.buttons, inbound.payload)
                await client.send_reply(sender, reply, shown, language)
        except Exception:  # noqa: BLE001  (logged; Meta would only post the same message again)
            log.exception("could not send a WhatsApp reply to %s", sender)
        await anyio.to_thread.run_sync(channel_state.answered, db_engine, inbound.update_key, clock())

    router.whatsapp_client = client  # type: ignore[attr-defined]  (closed by whoever mounts it)
    return router


def record_status(db_engine, status: dict, now: dt.datetime) -> None:
    """sent / delivered / read need nothing stored (the row is sent already); failed marks the
    outbox row failed with Meta's error, and 131026 (undeliverable) the person unreachable here.
    131047 (the window had closed: Meta accepted the free-form message, then refused it) queues
    the row again as a template, once (handlers/whatsapp_outbox.py)."""
    if status.get("status") != "failed":
        log.debug("WhatsApp message %s %s", status.get("id"), status.get("status"))
        return
    errors = [e for e in _list(status.get("errors")) if isinstance(e, dict)]
    error = errors[0] if errors else {}
    reason = f"whatsapp {error.get('code', '?')}: {error.get('title') or error.get('message') or 'failed'}"
    code = str(error.get("code"))
    outbox.refused_after_sending(db_engine, channel=CHANNEL, platform_message_id=str(status["id"]), reason=reason,
                                 now=now, unreachable=code == "131026", as_template=code == "131047")

"""WhatsApp adapter on the Cloud API: Meta's webhook payloads turned into Inbound messages (the
webhook itself: handlers/whatsapp_webhook.py), and messages sent through pywa's async Graph API
client (by the outbox sender: handlers/whatsapp_outbox.py).

Why the webhook does not use pywa's own handlers (PLATFORM.md, pywa 4.5): they handle only the
first message of a webhook, silently drop entries whose contact lacks ``user_id``, dedupe on the
raw body instead of the message id, and accept unsigned posts when no app secret is set. Meta's
payload is small and documented, so it is read here, after checking the signature on the raw
body; pywa sends (its ``GraphAPIAsync`` with the HTTP client's base URL set after construction, so
``WHATSAPP_API_URL`` can point at a local server).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from typing import Iterator, Protocol

import httpx
from pydantic import SecretStr

from conversations.messages import Inbound, Kind, Outbound
from services import outbox

from handlers import whatsapp_files
from handlers.whatsapp_media import Media, media_of
from handlers.whatsapp_render import WaMessage, render

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


def inbound_messages(payload: dict) -> Iterator[tuple[Inbound, str, Media | None]]:
    """Every message of every entry and change, as (Inbound, address to reply to, the media of a
    file or photo to fetch: handlers.whatsapp_media)."""
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
                yield to_inbound(message, sender), sender, media_of(message)


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
    if media_of(message) is not None:  # fetched before the step (handlers.whatsapp_media)
        return Inbound(kind=Kind.DOCUMENT, **common)
    return Inbound(kind=Kind.VOICE if kind in ("audio", "voice") else Kind.UNSUPPORTED, **common)


def statuses(payload: dict) -> Iterator[dict]:
    for entry in _list(payload.get("entry")):
        for change in _list(entry.get("changes") if isinstance(entry, dict) else None):
            value = change.get("value") if isinstance(change, dict) else None
            if isinstance(value, dict):
                yield from (s for s in _list(value.get("statuses")) if isinstance(s, dict) and s.get("id"))


def _list(value) -> list:
    return value if isinstance(value, list) else []


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

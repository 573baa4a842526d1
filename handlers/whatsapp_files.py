"""Calendar files on WhatsApp: in a form Meta takes, and that a phone can add to its calendar.
Both ways out use it: every document goes through ``document`` (handlers/whatsapp.WhatsAppClient.send),
for the replies (``send_all``) and the outbox (handlers/whatsapp_outbox.py) alike.

**Why not text/calendar.** Meta's media endpoint takes only the types it lists (audio: aac,
amr, mpeg, mp4, ogg/opus; documents: text/plain, PDF and the MS Office/OpenXML types; image:
jpeg, png; sticker: webp; video: mp4, 3gpp) and answers anything else, text/calendar
included, with "(#100) Param file must be a file with one of the following types" (Meta's
"Supported media types").

**What goes instead, and why both.**

- The .ics as a *document uploaded as text/plain* (a document type Meta takes: an .ics is plain
  text), its filename keeping ".ics" (the document message's ``filename``: WhatsApp shows that
  name and picks the icon by its extension). On Android, opening an .ics document received on
  WhatsApp hands it to the calendar app, which adds the event (users report it). It needs no
  setting, so it always goes.
- On iPhone, WhatsApp previews an .ics document but offers no way to add it to the Calendar (no
  "Add", nor Calendar in the share sheet: users report having to mail it to themselves), while
  Safari opening a link served as text/calendar shows the event with "Add". So, when the app's
  public address is set (``WHATSAPP_PUBLIC_URL``), the document's caption carries a link to
  the file served by this app (``calendar_router``): signed, so nobody can make the app serve
  files of their own, expiring after ``LINK_DAYS``. The file travels inside the link (compressed,
  about 400 characters for an interview), so no table keeps it and any process can serve it; a
  file too big for a caption's 1,024 characters goes without its link. The link answers
  303 to the file itself: iOS offers to *subscribe* to a link that is an .ics, and to add the
  event when it gets there by a redirect (reported, not documented by Apple).

Neither way was tried on a real phone here (Meta and phones are out of reach): the two reports
above are third-party. A document that still fails is not worth the message: the text went, so
the message counts as delivered and the failure is logged (``FILE_TRIES`` for the outbox).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import time
import zlib
from typing import Any, Awaitable, Callable

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from conversations.messages import Attachment

log = logging.getLogger(__name__)
LINK_PATH = "/whatsapp/calendar"
LINK_DAYS = 30          # a calendar link works this long after it was sent
FILE_TRIES = 3          # the outbox tries a failing file this often, then leaves it (the text went)
CAPTION = "📅 {url}"    # language-neutral: the adapter does not know the person's language
CAPTION_LIMIT = 1024    # Meta's, for a document's caption (a file with a long description makes a long link)
# Meta's document types: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media
DOCUMENT_TYPES = frozenset({
    "text/plain", "application/pdf", "application/vnd.ms-powerpoint", "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
})


def upload_type(attachment: Attachment) -> str:
    """The MIME type to upload a document as: its own when Meta takes it, text/plain for any
    other text (text/calendar), else its own (Meta will say no; the failure is logged)."""
    mime_type = attachment.mime_type.split(";")[0].strip().lower()
    if mime_type in DOCUMENT_TYPES:
        return mime_type
    return "text/plain" if mime_type.startswith("text/") else attachment.mime_type


async def document(api: Any, settings: Any, attachment: Attachment, body: dict) -> dict:
    """Upload ``attachment`` through pywa's Graph API client; the document message's object:
    ``body`` with the media id, the filename, and the calendar link as caption when it can have one."""
    uploaded = await api.upload_media(phone_id=settings.phone_number_id, media=attachment.content,
                                      mime_type=upload_type(attachment), filename=attachment.filename)
    body = {**body, "id": uploaded["id"], "filename": attachment.filename}
    caption = CAPTION.format(url=link(settings, attachment) or "")
    if "://" in caption and len(caption) <= CAPTION_LIMIT:  # a longer one: the file alone
        body["caption"] = caption
    return body


async def send_all(send: Callable[[str, Any], Awaitable[str]], to: str, messages: list) -> list[str]:
    """Send a reply's messages (handlers.whatsapp_render.WaMessage) in order; their ids. A file
    that fails is logged and left: its text went, and the next replies go on."""
    sent = []
    for message in messages:
        try:
            sent.append(await send(to, message))
        except Exception:  # noqa: BLE001  (only a file's: any other failure is raised)
            if message.attachment is None:
                raise
            log.exception("whatsapp: the text went to %s, its file %s did not", to, message.attachment.filename)
    return sent


# -- the signed link --------------------------------------------------------------------------
def _key(settings: Any) -> bytes:
    """The links' signing key, derived from the app secret (every process has it; no table)."""
    secret = settings.app_secret.get_secret_value() if settings.app_secret else ""
    return hmac.new(secret.encode(), b"insieme-bot calendar links", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(settings: Any, message: str) -> str:
    return _b64(hmac.new(_key(settings), message.encode(), hashlib.sha256).digest()[:16])


def link(settings: Any, attachment: Attachment, now: float | None = None) -> str | None:
    """The public link to ``attachment`` (a calendar file), or None: no public address, or not a calendar."""
    public = (getattr(settings, "public_url", None) or "").rstrip("/")
    if not public or not attachment.mime_type.startswith("text/calendar") or not settings.app_secret:
        return None
    expires = int((time.time() if now is None else now) + LINK_DAYS * 86400)
    packed = zlib.compress(_safe_name(attachment.filename).encode() + b"\n" + attachment.content, 9)
    message = f"{expires:x}.{_b64(packed)}"
    return f"{public}{LINK_PATH}/{message}.{_sign(settings, message)}"


def opened(settings: Any, token: str, now: float | None = None) -> Attachment | None:
    """The file a link carries; None when it is forged, damaged or expired."""
    message, _dot, signature = token.rpartition(".")
    if not message or not hmac.compare_digest(signature.encode(), _sign(settings, message).encode()):
        return None
    expires, _dot, packed = message.partition(".")
    try:
        if int(expires, 16) < (time.time() if now is None else now):
            return None
        name, _newline, content = zlib.decompress(_unb64(packed), bufsize=4096).partition(b"\n")
    except (ValueError, zlib.error, binascii.Error):
        return None
    return Attachment(name.decode(errors="replace"), content, "text/calendar")


def calendar_router(settings: Any) -> APIRouter:
    """``GET /whatsapp/calendar/<token>``: 303 to ``.../<token>/<name>.ics``, the file itself
    (text/calendar, inline: a phone's browser offers to add the event). 404 for a link that is
    forged, damaged or expired."""
    router = APIRouter()
    public = (getattr(settings, "public_url", None) or "").rstrip("/")

    @router.get(LINK_PATH + "/{token}")
    async def calendar_link(token: str) -> Response:
        found = opened(settings, token)
        if found is None:
            return Response(status_code=404)
        return RedirectResponse(f"{public}{LINK_PATH}/{token}/{found.filename}", status_code=303,
                                headers={"Cache-Control": "no-store"})

    @router.get(LINK_PATH + "/{token}/{name}")
    async def calendar_file(token: str, name: str) -> Response:
        found = opened(settings, token)
        if found is None:
            return Response(status_code=404)
        return Response(found.content, media_type="text/calendar; charset=utf-8", headers={
            "Content-Disposition": f'inline; filename="{found.filename}"', "Cache-Control": "private, no-store"})

    return router


def _safe_name(name: str) -> str:
    safe = "".join(c for c in name if c.isalnum() or c in "._-")[:60] or "calendar"
    return safe if safe.endswith(".ics") else safe + ".ics"

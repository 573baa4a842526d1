"""Files and photos people send on WhatsApp (#15): an ``image`` or ``document`` message carries a media
id; the Graph API's ``GET /<media id>`` gives its URL and size, and the URL is downloaded with the
access token (Meta's lookaside host; a local fake in tests). The bytes go to services.documents to
check and keep; the step then sees an ``Upload``. A file Meta says is too big is not downloaded, and
a download is cut off past the limit whatever Meta said. A fetch that fails is tried again twice."""
from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass


from conversations.messages import Inbound
from services.documents import Documents

ATTEMPTS = 3  # a failed fetch is tried again twice, after 0.5 and 1 s, before the person is asked again
MEDIA_KINDS = ("image", "document")  # what the office takes; stickers, audio and video are not documents
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Media:
    id: str
    filename: str | None


def media_of(message: dict) -> Media | None:
    """The media of an image or document message; None for any other."""
    kind = message.get("type")
    body = message.get(kind) if kind in MEDIA_KINDS else None
    if not isinstance(body, dict) or not body.get("id"):
        return None
    name = body.get("filename")
    return Media(str(body["id"]), str(name) if name else None)


async def fetch(client, media: Media, inbound: Inbound, documents: Documents) -> Inbound:
    """The Inbound with its ``upload``: kept, or refused with why (nothing kept). ``client`` is
    handlers.whatsapp.WhatsAppClient (pywa's Graph API client and its HTTP client)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            found = await client.api.get_media_url(media.id)
            size = found.get("file_size")
            upload = documents.declared(media.filename, int(size) if str(size or "").isdigit() else None)
            if upload is None:
                content = await _download(client, str(found["url"]), documents.max_bytes)
                upload = await asyncio.to_thread(documents.take, content, media.filename)
            break
        except Exception as error:  # noqa: BLE001  (pywa's errors, the network's, a malformed answer)
            if attempt == ATTEMPTS:
                log.warning("could not fetch WhatsApp media %s: %s", media.id, error)
                upload = documents.unreadable(media.filename)
            else:  # a 5xx or a dropped connection often passes: a little later, once or twice more
                await asyncio.sleep(0.5 * attempt)
    return dataclasses.replace(inbound, upload=upload)


async def _download(client, url: str, limit: int) -> bytes:
    """At most ``limit`` + 1 bytes: one more is enough to know it is too big."""
    token = client.settings.access_token.get_secret_value()
    received = bytearray()
    async with client.http_client.stream("GET", url, headers={"Authorization": f"Bearer {token}"}) as answer:
        answer.raise_for_status()
        async for chunk in answer.aiter_bytes():
            received += chunk
            if len(received) > limit:
                break
    return bytes(received)

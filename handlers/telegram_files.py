"""Files and photos people send on Telegram (#15): the Bot API's getFile, then the file's download
from <root>/file/bot<token>/<path>, handed to services.documents to check and keep; the step then
sees an ``Upload``. A file the update already says is too big is not fetched at all (the Bot API
serves files up to 20 MB to bots; ours stop at DOCUMENTS_MAX_MB). A fetch the network or Telegram
fails (5xx, a time-out, a 429 of a few seconds) is tried again twice, after 0.5 and 1 s, before the
person is asked to send the file again."""
from __future__ import annotations

import asyncio
import dataclasses
import logging
from concurrent.futures import Executor

from telegram import Bot, Message
from telegram.error import BadRequest, NetworkError, RetryAfter

from conversations.messages import Inbound, Kind
from services.documents import Documents

from handlers.telegram_outbox import retry_after_seconds

log = logging.getLogger(__name__)
ATTEMPTS = 3
LONGEST_WAIT = 5.0  # seconds: a longer 429 is not waited for (the person is asked to send it again)


def attached(message: Message):
    """(the file's Telegram object, its name or None) of a document or a photo; None otherwise."""
    if message.document is not None:
        return message.document, message.document.file_name
    if message.photo:
        return message.photo[-1], None  # the largest of the sizes Telegram made
    return None


async def fetch(bot: Bot, message: Message, inbound: Inbound, documents: Documents, threads: Executor) -> Inbound:
    """The Inbound of a file with its ``upload``: kept, or refused with why (nothing kept)."""
    found = attached(message)
    if found is None or inbound.kind is not Kind.DOCUMENT:
        return inbound
    media, name = found
    upload = documents.declared(name, media.file_size)
    if upload is None:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                content = await _download(bot, media.file_id, name, documents)
                upload = content if not isinstance(content, bytes) else await asyncio.get_running_loop(
                ).run_in_executor(threads, documents.take, content, name)
                break
            except (RetryAfter, NetworkError) as error:  # BadRequest is a NetworkError too: not worth another try
                wait = retry_after_seconds(error) if isinstance(error, RetryAfter) else 0.5 * attempt
                if isinstance(error, BadRequest) or attempt == ATTEMPTS or wait > LONGEST_WAIT:
                    log.warning("could not fetch a file from Telegram: %s", error)
                    break
                await asyncio.sleep(wait)
            except Exception as error:  # noqa: BLE001  (a malformed answer)
                log.warning("could not fetch a file from Telegram: %s", error)
                break
        if upload is None:
            upload = documents.unreadable(name, media.file_size or 0)
    return dataclasses.replace(inbound, upload=upload)


async def _download(bot: Bot, file_id: str, name: str | None, documents: Documents):
    """The file's bytes, or the Upload refusing it when Telegram says it is too big."""
    telegram_file = await bot.get_file(file_id)
    refused = documents.declared(name, telegram_file.file_size)
    return refused if refused is not None else bytes(await telegram_file.download_as_bytearray())


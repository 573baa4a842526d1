"""Files and photos people send on Telegram (#15): the Bot API's getFile, then the file's download
from <root>/file/bot<token>/<path>, handed to services.documents to check and keep; the step then
sees an ``Upload``. A file the update already says is too big is not fetched at all (the Bot API
serves files up to 20 MB to bots; ours stop at DOCUMENTS_MAX_MB)."""
from __future__ import annotations

import asyncio
import dataclasses
import logging
from concurrent.futures import Executor

from telegram import Bot, Message

from conversations.messages import Inbound, Kind
from services.documents import Documents

log = logging.getLogger(__name__)


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
        try:
            telegram_file = await bot.get_file(media.file_id)
            upload = documents.declared(name, telegram_file.file_size)
            if upload is None:
                content = bytes(await telegram_file.download_as_bytearray())
                upload = await asyncio.get_running_loop().run_in_executor(threads, documents.take, content, name)
        except Exception as error:  # noqa: BLE001  (Telegram's errors, the network's, a malformed answer)
            log.warning("could not fetch a file from Telegram: %s", error)
            upload = documents.unreadable(name, media.file_size or 0)
    return dataclasses.replace(inbound, upload=upload)

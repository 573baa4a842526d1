"""The web chat's paperclip (#15): ``POST /chat/upload``, multipart with ``file`` and ``client_id``
(the page's id for it: a repeated POST is one step), turned into the Inbound of a document once
services.documents has checked and kept the file. The body is capped before it is read
(bot.app mounts handlers.body_limit on this path: ``limit``); a file the page already knows is too
big is not sent at all, only its ``size``, so that the bot says so in the person's language."""
from __future__ import annotations

import anyio
from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from conversations.messages import Inbound, Kind
from services.documents import Documents

from handlers.webchat_parts import CHANNEL, HEADERS

PATH = "/chat/upload"
ROOM = 64 * 1024  # the form's other fields and boundaries, besides the file


def limit(documents: Documents) -> int:
    """The largest body taken on PATH: a file of the largest size, and the rest of the form."""
    return documents.max_bytes + ROOM


async def read(request: Request, person: str, documents: Documents) -> Inbound | Response:
    try:
        form = await request.form(max_files=1, max_fields=4, max_part_size=1024)
    except MultiPartException:
        return _bad("not a form")
    try:
        client_id = form.get("client_id")
        key = f"web:{person}:{client_id}" if isinstance(client_id, str) and 0 < len(client_id) <= 100 else None
        file = form.get("file")
        if isinstance(file, UploadFile):
            content = await file.read(documents.max_bytes + 1)  # one byte more tells it is too big
            upload = await anyio.to_thread.run_sync(documents.take, content, file.filename)
        else:
            size = form.get("size")  # the page's: a file too big to send
            upload = documents.declared(None, int(size)) if isinstance(size, str) and size.isdigit() else None
            if upload is None:
                return _bad("no file")
    finally:
        await form.close()
    return Inbound(channel=CHANNEL, external_id=person, kind=Kind.DOCUMENT, upload=upload, update_key=key)


def _bad(error: str) -> Response:
    return JSONResponse({"error": error}, status_code=400, headers={"Cache-Control": "no-store", **HEADERS})

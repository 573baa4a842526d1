"""A CSV upload carried from the preview to the confirmation, shared by the import pages
(import_pages: people's records; company_import: companies): the file is read once from the
form, then rides in the preview's hidden field, compressed and in base64, so that nothing is
kept on the server between the two steps."""
from __future__ import annotations

import base64
import zlib
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.requests import Request

from services.import_csv import MAX_BYTES, FileError

PAYLOAD_LIMIT = 8 * 1024 * 1024  # the hidden field: a 5 MB file, compressed and in base64, fits


async def read_upload(request: Request) -> tuple[str, bytes]:
    """The uploaded file's name (at most 200 characters) and its first MAX_BYTES + 1 bytes (one
    more, so that a file too large is told apart); FileError("empty") when no file was chosen."""
    async with request.form(max_part_size=1024 * 1024) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise FileError("empty")
        return Path(upload.filename).name[:200], await upload.read(MAX_BYTES + 1)


def pack(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data, 6)).decode("ascii")


def unpack(payload: str) -> bytes:
    """The file from the preview's hidden field; at most MAX_BYTES once decompressed."""
    try:
        data = zlib.decompressobj().decompress(base64.b64decode(payload, validate=True), MAX_BYTES + 1)
    except (ValueError, zlib.error):
        raise FileError("damaged") from None
    if not data:
        raise FileError("damaged")
    return data

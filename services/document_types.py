"""What a file is, read from its content (magic bytes, by the ``filetype`` library), never
from its name or declared type.

Only the kinds the office takes are recognised; anything else (an executable, a script, an
archive, a spreadsheet, a renamed ``.exe``) is None and refused.
"""
from __future__ import annotations

import filetype

# kind -> (extension, MIME type) as the office downloads it
KINDS = {
    "pdf": (".pdf", "application/pdf"),
    "jpeg": (".jpg", "image/jpeg"),
    "png": (".png", "image/png"),
    "doc": (".doc", "application/msword"),
    "docx": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "odt": (".odt", "application/vnd.oasis.opendocument.text"),
}
_BY_MIME = {mime: kind for kind, (_extension, mime) in KINDS.items()}


def kind_of(content: bytes) -> str | None:
    """pdf, jpeg, png, doc, docx or odt; None for anything else."""
    guess = filetype.guess(content) if content else None
    return _BY_MIME.get(guess.mime) if guess is not None else None

"""What a file is, read from its content (magic bytes), never from its name or declared type.

A small check of our own behind one function, ``kind_of``: the project's lock has no file-type
library yet (``filetype`` 1.2.0 would be the one to add; it reads the same signatures, but not
inside a ZIP). Only the kinds the office takes are recognised; anything else (an executable, a
script, an archive, a renamed ``.exe``) is None and refused.
"""
from __future__ import annotations

import io
import zipfile

# kind -> (extension, MIME type) as the office downloads it
KINDS = {
    "pdf": (".pdf", "application/pdf"),
    "jpeg": (".jpg", "image/jpeg"),
    "png": (".png", "image/png"),
    "doc": (".doc", "application/msword"),
    "docx": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "odt": (".odt", "application/vnd.oasis.opendocument.text"),
}
_SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "doc"),  # OLE2, Word 97-2003 (Excel's old files too: rare here)
)
_ODT = b"application/vnd.oasis.opendocument.text"


def kind_of(content: bytes) -> str | None:
    """pdf, jpeg, png, doc, docx or odt; None for anything else."""
    # A PDF may start after a little junk (the first 1024 bytes, as readers allow); nothing else may.
    if b"%PDF-" in content[:1024]:
        return "pdf"
    for signature, kind in _SIGNATURES:
        if content.startswith(signature):
            return kind
    if content.startswith(b"PK\x03\x04"):
        return _zipped(content)
    return None


def _zipped(content: bytes) -> str | None:
    """A Word (.docx) or OpenDocument text (.odt) file is a ZIP with known parts; other ZIPs are not ours."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return "docx"
            if "mimetype" in names and archive.read("mimetype").strip() == _ODT:
                return "odt"
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    return None

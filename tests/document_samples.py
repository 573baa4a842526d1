"""Small files of each kind for the documents tests (#15), made here: a PDF, a JPEG photo, a PNG,
a .doc, a .docx, and the things that must be refused (an ELF and a Windows MZ executable renamed cv.pdf,
a ZIP that is not a Word file, a 50 MB file)."""
from __future__ import annotations

import io
import zipfile

PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(200) + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100)
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(500)
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(500) + b"This program cannot be run in DOS mode."
# Office 97-2003: an OLE2 container; Word's has its File Information Block (0xA5EC) at 512.
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
DOC = OLE + b"\xec\xa5\xc1\x00" + bytes(600)
OLE_NOT_WORD = OLE + b"\x09\x08\x10\x00" + bytes(600)  # an old Excel workbook's first record


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("setup.exe", MZ)
    return out.getvalue()


def big(megabytes: int = 50) -> bytes:
    """A PDF of ``megabytes`` MB: its kind is fine, its size is not."""
    return PDF + bytes(megabytes * 1024 * 1024 - len(PDF))

"""CSV files the office opens in Excel: UTF-8 with a byte order mark and ``;`` between fields.

Italian Excel needs both to open a file with a double click: without the BOM it reads the bytes
as Windows-1252 (accents come out garbled), and its list separator is ``;`` (the comma is the
decimal sign), so a comma-separated file lands in one column. LibreOffice and Python's csv
(``encoding="utf-8-sig", delimiter=";"``) read it as well.

A cell that a spreadsheet would run as a formula (``=``, ``@``, ``+``/``-`` not followed by a
plain number, a tab or a carriage return first: text typed by people in the chat reaches these
files) is written with a leading apostrophe, as OWASP advises; numbers such as ``-12`` stay as
they are.

Phone numbers are text, not numbers: left as they are, Excel reads ``+393471234567`` as the
number 393471234567 (the "+" gone, shown as 3,93E+11). A leading apostrophe would stay visible
in a CSV (Excel hides it only when typed), and spaces change the number people copy. So a cell
marked ``Text`` whose value is only digits, with a "+" first at most, is written ``="+39…"``:
Excel and LibreOffice show it as that text, exactly. This is the one formula these files carry,
and it holds nothing a person typed but digits: anything else in such a cell goes through the
defusing above like every other cell."""
from __future__ import annotations

import csv
import io
import re
from typing import Iterable

from starlette.responses import Response

BOM = "\ufeff"
DELIMITER = ";"
MEDIA_TYPE = "text/csv; charset=utf-8"
_NUMBER = re.compile(r"[+-][\d\s.,]*\Z")
_DIGITS = re.compile(r"\+?\d{1,20}\Z")


class Text(str):
    """A cell to keep as text in Excel (a phone number): see the module's docstring."""


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if isinstance(value, Text) and _DIGITS.match(text):
        return f'="{text}"'
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in ("+", "-") and not _NUMBER.match(text)):
        return "'" + text
    return text


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return BOM + buffer.getvalue()


def csv_response(filename: str, rows: Iterable[Iterable[object]]) -> Response:
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return Response(csv_text(rows).encode("utf-8"), media_type=MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{safe_name}"'})

"""Import of companies from a CSV file (the operators' spreadsheets, the CNA campaign's list), as
the people's import works (services.importer): ``preview`` says row by row what would be created,
what is already there and what is refused and why, writing nothing; ``run`` writes the rows to
create in the caller's transaction. A company is known by its partita IVA: importing the same
file again creates nothing.

Columns (first line, Italian, case and accents aside): ``nome`` (or ragione sociale), ``partita_iva``,
``settore`` (the chat's labels: Pulizie, Ristoranti, bar...), ``comune``, and optionally
``indirizzo``, ``referente``, ``telefono``, ``email``, ``provenienza``, ``note``; separated by ; or ,;
UTF-8 or Excel's Windows-1252."""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from conversations.engine import normalize

from services import company_input
from services.import_csv import FileError, MAX_BYTES
from services.operator_input import Invalid
from store.models import Company

MAX_ROWS = 5_000
COLUMNS = {"nome": "name", "ragione sociale": "name", "azienda": "name", "denominazione": "name",
           "partita iva": "vat_number", "p. iva": "vat_number", "p.iva": "vat_number", "piva": "vat_number",
           "settore": "sector", "comune": "municipality", "indirizzo": "address", "referente": "contact_person",
           "persona di riferimento": "contact_person", "telefono": "phone", "tel": "phone", "cellulare": "phone",
           "email": "email", "e-mail": "email", "mail": "email", "provenienza": "source", "fonte": "source",
           "canale": "source", "note": "notes", "nota": "notes"}
REQUIRED = ("name", "vat_number", "sector", "municipality")
READERS = {"name": lambda v: company_input.text("name", v, required=True), "vat_number": company_input.vat_number,
           "sector": lambda v: company_input.word("sector", v), "municipality": company_input.municipality,
           "address": lambda v: company_input.text("address", v), "phone": company_input.phone,
           "contact_person": lambda v: company_input.text("contact_person", v), "email": company_input.email,
           "source": lambda v: company_input.text("source", v), "notes": lambda v: company_input.text("notes", v)}


@dataclass
class Row:
    line: int
    values: dict[str, str]
    data: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # Italian, for the operator
    outcome: str = ""  # create, present, refused
    remark: str = ""  # why it is "present"


@dataclass
class Report:
    rows: list[Row]
    ignored_columns: list[str]

    def counts(self) -> dict[str, int]:
        return {outcome: sum(1 for r in self.rows if r.outcome == outcome) for outcome in ("create", "present",
                                                                                         "refused")}


def preview(sql_session: Session, data: bytes) -> Report:
    """What ``run`` would do; reads only. FileError when the file itself is wrong."""
    rows, ignored = _read(data)
    for row in rows:
        for key, reader in READERS.items():
            try:
                row.data[key] = reader(row.values.get(key, ""))
            except Invalid as problem:
                row.problems.append(str(problem))
    known = {company.vat_number: company for company in sql_session.scalars(
        select(Company).where(Company.vat_number.in_({r.data["vat_number"] for r in rows
                                                      if r.data.get("vat_number")})))}
    seen: dict[str, int] = {}
    for row in rows:
        vat = row.data.get("vat_number")
        if vat in seen:
            row.problems.append(f"la stessa partita IVA della riga {seen[vat]}")
        if row.problems:
            row.outcome = "refused"
            continue
        seen[vat] = row.line
        if vat in known:
            row.outcome, row.remark = "present", f"già presente: {known[vat].name} (ID {known[vat].id})"
        else:
            row.outcome = "create"
    return Report(rows=rows, ignored_columns=ignored)


def run(sql_session: Session, data: bytes, *, now: dt.datetime, created_by: str = "") -> Report:
    """Check and write the new companies in the caller's transaction (the caller commits)."""
    report = preview(sql_session, data)
    sql_session.add_all(Company(**row.data, created_by=created_by, created_at=now)
                        for row in report.rows if row.outcome == "create")
    sql_session.flush()
    return report


def _read(data: bytes) -> tuple[list[Row], list[str]]:
    if len(data) > MAX_BYTES:
        raise FileError("too_large", limit=MAX_BYTES // (1024 * 1024))
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise FileError("excel")
    if b"\x00" in data[:4096]:
        raise FileError("not_csv")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    records = csv.reader(io.StringIO(text, newline=""), delimiter=";" if first.count(";") >= first.count(",") else ",")
    header = next(records, None) or []
    columns = [COLUMNS.get(normalize(name).replace("_", " "), "") for name in header]
    if "vat_number" not in columns:
        raise FileError("no_vat_column")
    rows = []
    for values in records:
        if not any(v.strip() for v in values):
            continue
        if len(rows) == MAX_ROWS:
            raise FileError("too_many_rows", limit=MAX_ROWS)
        rows.append(Row(line=records.line_num, values={c: v.strip() for c, v in zip(columns, values) if c}))
    return rows, [name for name, column in zip(header, columns) if not column and name.strip()]

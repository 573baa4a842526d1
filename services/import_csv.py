"""Reading an import file (services.importer): one CSV, a row per record, its kind in the ``tipo``
column; Italian headers and values, since it comes from the operators' spreadsheets.

Each row is checked on its own here (codes, dates, comune, the words of each kind); whether the
person exists and what is already in the database is services.importer's part. Problems are codes with
parameters: the back office words them (backoffice.views.import_pages).

One file with a kind column rather than a file per kind: a person and their history travel
together (a selection may name a person added a few lines above), one upload does it all,
and a spreadsheet with a sheet per kind is pasted one sheet under the other."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, Optional

from conversations import municipalities, validators
from conversations.engine import normalize
from conversations.flow import Invalid
from conversations.i18n import translator

from services.programme import CLOSE_REASONS, CONTRACT_TYPES

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
EARLIEST = dt.date(2000, 1, 1)  # an earlier day in the programme's records is a typo
PLACEMENT_AHEAD = 366  # a contract may start up to a year after today

# tipo -> the kind of record (the path's kinds for the steps).
KINDS = {"persona": "person", "colloquio": "interview", "selezione": "selection", "assunzione": "placement",
         "chiusura": "closed"}
COLUMNS = ("tipo", "codice_fiscale", "telefono", "cognome", "nome", "data_nascita", "comune", "email", "data",
           "ora", "esito", "operatore", "azienda", "contratto", "motivo", "nota")
# Other ways the operators' spreadsheets write the same headers (after normalising).
HEADER_ALIASES = {
    "codice fiscale": "codice_fiscale", "cf": "codice_fiscale", "c.f.": "codice_fiscale",
    "cellulare": "telefono", "tel": "telefono", "tel.": "telefono", "data di nascita": "data_nascita",
    "nato il": "data_nascita", "tipo contratto": "contratto", "tipo di contratto": "contratto",
    "note": "nota", "e-mail": "email", "mail": "email", "comune di residenza": "comune",
    "motivo chiusura": "motivo", "ora colloquio": "ora",
}
OUTCOMES = {"presente": "attended", "assente": "no_show"}
CONTRACTS = {"indeterminato": "permanent", "tempo indeterminato": "permanent", "determinato": "fixed_term",
             "tempo determinato": "fixed_term", "apprendistato": "apprenticeship", "altro": "other",
             **{code.replace("_", " "): code for code in CONTRACT_TYPES}}
REASONS = {"contratto rifiutato": "refused_contract", "rifiuto contratto": "refused_contract",
           "lavoro trovato da solo": "found_work_alone", "lavoro trovato": "found_work_alone",
           "non interessato": "not_interested", "irreperibile": "unreachable", "trasferito": "moved_away",
           "altro": "other", **{code.replace("_", " "): code for code in CLOSE_REASONS}}
DEFAULT_TIME = dt.time(9, 0)  # an interview with no time is put at 09:00
LIMITS = {"cognome": 60, "nome": 60, "operatore": 80, "azienda": 200, "nota": 2000}


class FileError(ValueError):
    """The file as a whole cannot be read: too_large, too_many_rows, excel, not_csv, no_kind_column."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code, self.params = code, params


@dataclass
class Problem:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Row:
    """One record of the file. ``outcome`` (create, present, refused) is services.importer's verdict."""

    line: int
    kind: str  # person, interview, selection, placement, closed; "" when tipo is unknown
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    # Checked values: tax_code, phone, email, birth_date, municipality, day, time, outcome,
    # contract_type, reason, company, operator, note, first_name, last_name.
    data: dict[str, Any] = field(default_factory=dict)
    outcome: str = ""
    remark: Optional[Problem] = None  # why it is "present", when that needs saying
    person: Any = None  # services.importer's Person this row is about

    def refuse(self, code: str, /, **params: Any) -> None:
        self.problems.append(Problem(code, params))

    @property
    def person_label(self) -> str:
        name = " ".join(v for v in (self.values.get("cognome"), self.values.get("nome")) if v)
        return name or self.values.get("codice_fiscale") or self.values.get("telefono") or ""


@dataclass
class Parsed:
    rows: list[Row]
    separator: str
    ignored_columns: list[str]


def read(data: bytes, *, today: dt.date) -> Parsed:
    """The file's rows, each with its own problems; FileError when the file itself is wrong."""
    if len(data) > MAX_BYTES:
        raise FileError("too_large", limit=MAX_BYTES // (1024 * 1024))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError("excel")  # .xlsx (a zip) or .xls
    if data.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff")) or b"\x00" in data[:4096]:
        raise FileError("not_csv")
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    separator = ";" if first_line.count(";") >= first_line.count(",") else ","
    records = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    header = next(records, None)
    columns = [_column(name) for name in header or ()]
    if "tipo" not in columns:
        raise FileError("no_kind_column")
    ignored = [name for name, column in zip(header, columns) if column not in COLUMNS and name.strip()]
    rows: list[Row] = []
    for values in records:
        if not any(v.strip() for v in values):
            continue  # a blank line, as spreadsheets leave at the end
        if len(rows) == MAX_ROWS:
            raise FileError("too_many_rows", limit=MAX_ROWS)
        named = {column: value.strip() for column, value in zip(columns, values) if column in COLUMNS}
        rows.append(_check(Row(line=records.line_num, kind=KINDS.get(normalize(named.get("tipo", "")), ""),
                               values=named), today))
    return Parsed(rows=rows, separator=separator, ignored_columns=ignored)


def _decode(data: bytes) -> str:
    """UTF-8 with or without BOM; otherwise Windows-1252, what Excel's plain "CSV" writes in Italy."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileError("not_csv") from None


def _column(name: str) -> str:
    plain = normalize(name.replace("\ufeff", ""))
    plain = HEADER_ALIASES.get(plain, plain)
    return HEADER_ALIASES.get(plain, plain.replace(" ", "_"))


# -- one row ----------------------------------------------------------------------------

def _check(row: Row, today: dt.date) -> Row:
    v, d = row.values, row.data
    if not row.kind:
        row.refuse("kind", value=v.get("tipo", ""))
        return row
    for column, limit in LIMITS.items():
        if len(v.get(column, "")) > limit:
            row.refuse("too_long", column=column, limit=limit)
    _person_key(row)
    d["day"] = _date(row, "data", today, ahead=PLACEMENT_AHEAD if row.kind == "placement" else 0)
    d["note"] = v.get("nota") or None
    if row.kind == "person":
        _person(row, today)
    elif row.kind == "interview":
        d["outcome"] = OUTCOMES.get(normalize(v.get("esito", "")))
        if d["outcome"] is None and v.get("esito"):
            row.refuse("outcome", value=v["esito"])
        elif d["outcome"] is None:
            row.refuse("missing", column="esito")
        d["operator"] = v.get("operatore", "")
        d["time"] = DEFAULT_TIME
        if v.get("ora"):
            match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", v["ora"])
            if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
                row.refuse("time", value=v["ora"])
            else:
                d["time"] = dt.time(int(match.group(1)), int(match.group(2)))
    else:
        if row.kind in ("selection", "placement"):
            d["company"] = " ".join(v.get("azienda", "").split()) or None
            if not d["company"]:
                row.refuse("missing", column="azienda")
        if row.kind == "placement":
            d["contract_type"] = _word(row, "contratto", CONTRACTS, "contract")
        if row.kind == "closed":
            d["reason"] = _word(row, "motivo", REASONS, "reason")
    return row


def _person_key(row: Row) -> None:
    v, d = row.values, row.data
    code = re.sub(r"\s+", "", v.get("codice_fiscale", "")).upper()
    if code:
        try:
            d["tax_code"] = validators.tax_code(code, _Ctx())
        except Invalid:
            row.refuse("tax_code", value=v["codice_fiscale"])
    if v.get("telefono"):
        d["phone"] = _phone(v["telefono"])
        if d["phone"] is None:
            row.refuse("phone", value=v["telefono"])
    if not code and not v.get("telefono"):
        row.refuse("no_person_key")


@lru_cache(maxsize=65536)
def _phone(text: str) -> Optional[str]:
    """E.164, or None. Cached: a person's phone comes back on each row of their history, and
    parsing one costs about a millisecond."""
    try:
        return validators.phone(text, _Ctx())
    except Invalid:
        return None


def _person(row: Row, today: dt.date) -> None:
    v, d = row.values, row.data
    for column, key, parse in (("cognome", "last_name", validators.last_name),
                               ("nome", "first_name", validators.person_name)):
        if not v.get(column):
            row.refuse("missing", column=column)
            continue
        try:
            d[key] = parse(v[column], _Ctx())
        except Invalid:
            row.refuse("name", column=column, value=v[column])
    born = _date(row, "data_nascita", today, required=False, earliest=dt.date(1900, 1, 1))
    if born is not None:
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if not validators.ADULT_AGE <= age <= validators.OLDEST_AGE:
            row.refuse("birth_age", value=v["data_nascita"])
        elif d.get("tax_code") and not validators.tax_code_matches(d["tax_code"], born.isoformat()):
            row.refuse("tax_code_birth", value=v["codice_fiscale"], born=born.strftime("%d/%m/%Y"))
        else:
            d["birth_date"] = born
    if not v.get("comune"):
        row.refuse("missing", column="comune")
    else:
        match = municipalities.find(v["comune"])
        if match.name:
            d["municipality"] = match.name
        elif match.suggestions:
            row.refuse("comune_suggest", value=v["comune"], suggestion=" / ".join(match.suggestions))
        elif match.outside:
            row.refuse("comune_outside", value=match.outside)
        else:
            row.refuse("comune_unknown", value=v["comune"])
    if v.get("email"):
        try:
            d["email"] = validators.email(v["email"], _Ctx())
        except Invalid:
            row.refuse("email", value=v["email"])


def _date(row: Row, column: str, today: dt.date, *, ahead: int = 0, required: bool = True,
          earliest: dt.date = EARLIEST) -> Optional[dt.date]:
    text = row.values.get(column, "")
    if not text:
        if required:
            row.refuse("missing", column=column)
        return None
    match = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text) or re.fullmatch(
        r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if not match:
        row.refuse("date_format", column=column, value=text)
        return None
    numbers = [int(g) for g in match.groups()]
    year, month, day = numbers if len(match.group(1)) == 4 else numbers[::-1]
    try:
        value = dt.date(year, month, day)
    except ValueError:
        row.refuse("date_impossible", column=column, value=text)
        return None
    if value > today + dt.timedelta(days=ahead):
        row.refuse("date_future", column=column, value=text)
        return None
    if value < earliest:
        row.refuse("date_old", column=column, value=text, earliest=earliest.strftime("%d/%m/%Y"))
        return None
    return value


def _word(row: Row, column: str, words: dict[str, str], code: str) -> Optional[str]:
    text = row.values.get(column, "")
    if not text:
        row.refuse("missing", column=column)
        return None
    found = words.get(normalize(text).replace("_", " "))
    if found is None:
        row.refuse(code, value=text)
    return found


class _Ctx(SimpleNamespace):
    """What conversations.validators read from a chat step (their messages are not shown here)."""

    def __init__(self):
        super().__init__(t=translator("it"), state=SimpleNamespace(language="it"), answers={})

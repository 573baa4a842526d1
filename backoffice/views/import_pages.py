"""Import of today's records (services.importer): upload a CSV, read the preview (row by row: created,
already present, refused and why), confirm. Nothing is written before the confirmation; the
confirmation checks the file again and writes its valid rows in one audited transaction.

The file travels from the preview to the confirmation in the page itself (compressed, in a
hidden field), so no upload is kept on the server and any process may take the confirmation;
it is checked again there, so what was shown is what is written, or the new verdicts.

Operators and admins import; viewers do not see the page (403)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable

import anyio
from sqladmin import BaseView, Flash, expose
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from services import importer
from services.import_csv import MAX_BYTES, MAX_ROWS, FileError, Problem
from services.clock import utcnow

from services.office import audit

from backoffice import roles
from backoffice.views.uploads import PAYLOAD_LIMIT, pack, read_upload, unpack
from backoffice.i18n import L_, N_, _

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "import-esempio.csv"
SHOWN = 500  # refused rows listed on the preview; the count says how many in all
EXCEL = (".xlsx", ".xls", ".ods", ".numbers")

KINDS = {"person": L_("People"), "interview": L_("Interviews"), "selection": L_("Selections"),
         "placement": L_("Placements"), "closed": L_("Closures")}
STAGES = {"new": L_("new"), "registered": L_("registered"), "interviewed": L_("interviewed"),
          "in_selection": L_("in selection"), "placed": L_("placed"), "closed": L_("closed")}
FILE_ERRORS = {
    "too_large": N_("The file is larger than %(limit)s MB: split it into smaller files."),
    "too_many_rows": N_("The file has more than %(limit)s rows: split it into smaller files."),
    "excel": N_("This is a spreadsheet, not a CSV file: in Excel or LibreOffice choose "
                "\"Save as\" > \"CSV\" and upload that file."),
    "not_csv": N_("This is not a CSV file (text with columns separated by ; or ,)."),
    "no_kind_column": N_("The file has no \"tipo\" column: the first line must hold the column names "
                         "(see the sample file)."),
    "empty": N_("Choose a file to upload."),
    "damaged": N_("The page was damaged: upload the file again."),
}
PROBLEMS = {
    "kind": N_("Unknown tipo \"%(value)s\": write persona, colloquio, selezione, assunzione or chiusura."),
    "too_long": N_("The column %(column)s is longer than %(limit)s characters."),
    "no_person_key": N_("Write the person's codice fiscale or phone number."),
    "tax_code": N_("The codice fiscale %(value)s is not valid."),
    "tax_code_birth": N_("The codice fiscale %(value)s does not match the date of birth %(born)s."),
    "phone": N_("The phone number %(value)s is not valid."),
    "email": N_("The email address %(value)s is not valid."),
    "name": N_("The %(column)s \"%(value)s\" should hold letters only."),
    "missing": N_("The column %(column)s is empty."),
    "date_format": N_("The date %(value)s (%(column)s) cannot be read: write it as dd/mm/yyyy."),
    "date_impossible": N_("The date %(value)s (%(column)s) does not exist."),
    "date_future": N_("The date %(value)s (%(column)s) is in the future."),
    "date_old": N_("The date %(value)s (%(column)s) is before %(earliest)s."),
    "birth_age": N_("The date of birth %(value)s gives an age outside 18 to 100 years."),
    "comune_suggest": N_("Unknown comune \"%(value)s\": did you mean %(suggestion)s?"),
    "comune_outside": N_("%(value)s is outside the Città metropolitana di Bologna."),
    "comune_unknown": N_("Unknown comune \"%(value)s\"."),
    "time": N_("The time %(value)s cannot be read: write it as hh:mm."),
    "outcome": N_("Unknown esito \"%(value)s\": write presente or assente."),
    "contract": N_("Unknown contract type \"%(value)s\": write indeterminato, determinato, apprendistato "
                   "or altro."),
    "reason": N_("Unknown motivo \"%(value)s\": write contratto rifiutato, lavoro trovato da solo, "
                 "non interessato, irreperibile, trasferito or altro."),
    "phone_taken": N_("This phone number belongs to a person with another codice fiscale (code %(code)s)."),
    "phone_in_file": N_("This phone number belongs to the person on line %(line)s, who has another codice "
                        "fiscale."),
    "unknown_person": N_("This person is neither in the file nor in the database: add a \"persona\" row."),
    "person_refused": N_("The person's row (line %(line)s) was refused."),
    "interview_pending": N_("An interview booked on that day is waiting for its outcome: record it in the "
                            "agenda."),
    "stage": N_("This step does not follow from the person's stage (%(stage)s)."),
    "in_database": N_("Already registered (code %(code)s)."),
    "twice": N_("The same person as line %(line)s."),
}


class ImportPage(BaseView):
    """/office/import: upload, preview, confirm."""

    name = L_("Import records")
    icon = "fa-solid fa-file-import"
    category = L_("Office")
    session_maker: sessionmaker | None = None
    clock: Callable[[], dt.datetime] = staticmethod(utcnow)
    page_identity = "import"

    # The first route is the menu's (sqladmin names the view after it).
    @expose("/import", methods=["GET"], identity="import")
    async def upload(self, request: Request) -> Response:
        return await self._form(request)

    @expose("/import/sample", methods=["GET"], identity="import-sample")
    async def sample(self, request: Request) -> Response:
        return FileResponse(SAMPLE, media_type="text/csv; charset=utf-8", filename=SAMPLE.name)

    @expose("/import/preview", methods=["POST"], identity="import-preview")
    async def preview(self, request: Request) -> Response:
        roles.require(request, ImportPage.page_identity)
        try:
            name, data = await read_upload(request)
        except FileError as problem:
            return await self._form(request, error=_file_error(problem), status_code=400)
        if name.lower().endswith(EXCEL):
            return await self._form(request, error=_file_error(FileError("excel")), status_code=400)
        try:
            report = await anyio.to_thread.run_sync(self._check, data)
        except FileError as problem:
            return await self._form(request, error=_file_error(problem), status_code=400)
        payload = pack(data)
        return await self._preview(request, report, name=name, payload=payload)

    @expose("/import/confirm", methods=["POST"], identity="import-confirm")
    async def confirm(self, request: Request) -> Response:
        roles.require(request, ImportPage.page_identity)
        form = await request.form(max_part_size=PAYLOAD_LIMIT)
        name = str(form.get("name") or "")[:200]
        try:
            data = unpack(str(form.get("payload") or ""))
            report = await anyio.to_thread.run_sync(self._write, data, name, request.state.operator.username)
        except FileError as problem:
            return await self._form(request, error=_file_error(problem), status_code=400)
        except IntegrityError:  # another operator recorded the same step meanwhile (PostgreSQL)
            return await self._form(request, error=_("The records changed while importing: upload the file "
                                                     "again to see the new preview."), status_code=409)
        counts = report.counts()
        Flash.success(request, _("Import of %(name)s done: %(create)s created, %(present)s already present, "
                                 "%(refused)s refused.") % {"name": name, **counts})
        return RedirectResponse(str(request.url_for("admin:view-import")), status_code=303)

    # -- work in a thread ----------------------------------------------------------------

    def _check(self, data: bytes) -> importer.Report:
        with self.session_maker() as sql_session:
            try:
                return importer.preview(sql_session, data, now=self.clock())
            finally:
                sql_session.rollback()

    def _write(self, data: bytes, name: str, username: str) -> importer.Report:
        def work(sql_session) -> importer.Report:
            report = importer.run(sql_session, data, now=self.clock(), created_by=username)
            audit.record(sql_session, action="import", actor=audit.current_actor.get(), at=self.clock(),
                         after={"file": name, **report.counts()})
            return report
        return audit.run(self.session_maker, "import", work)

    # -- pages ---------------------------------------------------------------------------

    async def _form(self, request: Request, *, error: str | None = None, status_code: int = 200) -> Response:
        context = {"title": _("Import records"), "error": error, "max_mb": MAX_BYTES // (1024 * 1024),
                   "max_rows": MAX_ROWS}
        return await self.templates.TemplateResponse(request, "office/import.html", context, status_code=status_code)

    async def _preview(self, request: Request, report: importer.Report, *, name: str, payload: str) -> Response:
        refused = report.refused
        context = {
            "title": _("Import records"), "name": name, "payload": payload, "counts": report.counts(),
            "by_kind": [(KINDS[kind], numbers) for kind, numbers in report.by_kind().items()],
            "refused": [_refused_row(row) for row in refused[:SHOWN]], "more": max(0, len(refused) - SHOWN),
            "present": [(row.line, _describe(row.remark)) for row in report.rows if row.remark][:SHOWN],
            "ignored": report.ignored_columns, "separator": report.separator,
        }
        return await self.templates.TemplateResponse(request, "office/import_preview.html", context)


def _file_error(problem: FileError) -> str:
    return _(FILE_ERRORS[problem.code]) % problem.params


def _describe(problem: Problem | None) -> str:
    if problem is None:
        return ""
    params: dict[str, Any] = dict(problem.params)
    if "stage" in params:
        params["stage"] = str(STAGES.get(params["stage"], params["stage"]))
    return _(PROBLEMS[problem.code]) % params


def _refused_row(row) -> dict[str, Any]:
    return {"line": row.line, "kind": row.values.get("tipo", ""),
            "who": row.person_label, "problems": [_describe(p) for p in row.problems]}


def views(clock: Callable[[], dt.datetime], session_maker: sessionmaker) -> list[type]:
    """A fresh subclass for each application, as backoffice.app.views makes."""
    return [type(ImportPage.__name__, (ImportPage,), {"clock": staticmethod(clock), "session_maker": session_maker})]

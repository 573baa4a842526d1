"""Import of companies from a CSV file (services.company_import): upload, read the preview (row by
row: created, already present, refused and why), confirm. As the people's import
(backoffice.views.import_pages): nothing is written before the confirmation, the file travels
in the page (compressed, in a hidden field) and is checked again when confirmed, then written in
one audited transaction. Operators and admins import; viewers do not see the page (403)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

import anyio
from sqladmin import BaseView, Flash, expose
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from services import company_import
from services.clock import utcnow
from services.import_csv import MAX_BYTES, FileError
from services.office import audit

from backoffice import roles
from backoffice.views.uploads import PAYLOAD_LIMIT, pack, read_upload, unpack
from backoffice.i18n import L_, N_, _

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "aziende-esempio.csv"
FILE_ERRORS = {
    "too_large": N_("The file is larger than %(limit)s MB: split it into smaller files."),
    "too_many_rows": N_("The file has more than %(limit)s rows: split it into smaller files."),
    "excel": N_("This is a spreadsheet, not a CSV file: in Excel or LibreOffice choose "
                "\"Save as\" > \"CSV\" and upload that file."),
    "not_csv": N_("This is not a CSV file (text with columns separated by ; or ,)."),
    "no_vat_column": N_("The file has no \"partita_iva\" column: the first line must hold the column names "
                        "(see the sample file)."),
    "empty": N_("Choose a file to upload."),
    "damaged": N_("The page was damaged: upload the file again."),
}
OUTCOMES = {"create": L_("to create"), "present": L_("already present"), "refused": L_("refused")}


class CompanyImportPage(BaseView):
    """/office/companies-import: upload, preview, confirm."""

    name = L_("Import companies")
    icon = "fa-solid fa-file-import"
    category = L_("Companies and vacancies")
    session_maker: sessionmaker | None = None
    clock: Callable[[], dt.datetime] = staticmethod(utcnow)
    page_identity = "companies-import"

    @expose("/companies-import", methods=["GET"], identity="companies-import")
    async def upload(self, request: Request) -> Response:
        roles.require(request, self.page_identity)
        return await self._form(request)

    @expose("/companies-import/sample", methods=["GET"], identity="companies-import-sample")
    async def sample(self, request: Request) -> Response:
        return FileResponse(SAMPLE, media_type="text/csv; charset=utf-8", filename=SAMPLE.name)

    @expose("/companies-import/preview", methods=["POST"], identity="companies-import-preview")
    async def preview(self, request: Request) -> Response:
        roles.require(request, self.page_identity)
        try:
            name, data = await read_upload(request)
        except FileError as problem:
            return await self._form(request, error=_error(problem), status_code=400)
        try:
            report = await anyio.to_thread.run_sync(self._check, data)
        except FileError as problem:
            return await self._form(request, error=_error(problem), status_code=400)
        payload = pack(data)
        context = {"title": _("Import companies"), "name": name, "payload": payload, "report": report,
                   "counts": report.counts(), "outcomes": OUTCOMES}
        return await self.templates.TemplateResponse(request, "office/company_import_preview.html", context)

    @expose("/companies-import/confirm", methods=["POST"], identity="companies-import-confirm")
    async def confirm(self, request: Request) -> Response:
        roles.require(request, self.page_identity)
        form = await request.form(max_part_size=PAYLOAD_LIMIT)
        name = str(form.get("name") or "")[:200]
        try:
            data = unpack(str(form.get("payload") or ""))
            report = await anyio.to_thread.run_sync(self._write, data, name, request.state.operator.username)
        except FileError as problem:
            return await self._form(request, error=_error(problem), status_code=400)
        except IntegrityError:  # another operator added the same partita IVA meanwhile
            return await self._form(request, error=_("The records changed while importing: upload the file "
                                                     "again to see the new preview."), status_code=409)
        Flash.success(request, _("Import of %(name)s done: %(create)s created, %(present)s already present, "
                                 "%(refused)s refused.") % {"name": name, **report.counts()})
        return RedirectResponse(str(request.url_for("admin:view-companies")), status_code=303)

    def _check(self, data: bytes) -> company_import.Report:
        with self.session_maker() as sql_session:
            try:
                return company_import.preview(sql_session, data)
            finally:
                sql_session.rollback()

    def _write(self, data: bytes, name: str, username: str) -> company_import.Report:
        def work(sql_session) -> company_import.Report:
            report = company_import.run(sql_session, data, now=self.clock(), created_by=username)
            audit.record(sql_session, action="companies_import", actor=audit.current_actor.get(), at=self.clock(),
                         after={"file": name, **report.counts()})
            return report
        return audit.run(self.session_maker, "companies_import", work)

    async def _form(self, request: Request, *, error: str | None = None, status_code: int = 200) -> Response:
        context = {"title": _("Import companies"), "error": error, "max_mb": MAX_BYTES // (1024 * 1024),
                   "max_rows": company_import.MAX_ROWS}
        return await self.templates.TemplateResponse(request, "office/company_import.html", context,
                                                     status_code=status_code)


def _error(problem: FileError) -> str:
    return _(FILE_ERRORS[problem.code]) % problem.params


def views(clock: Callable[[], dt.datetime], session_maker: sessionmaker) -> list[type]:
    return [type(CompanyImportPage.__name__, (CompanyImportPage,),
                 {"clock": staticmethod(clock), "session_maker": session_maker})]

"""Documents job seekers sent (#15), in the back office: listed on the registration's page
(``documents_context``, backoffice/templates/office/registration_documents.html) and downloaded
from /office/documents/download?id=N by operators and admins only (viewers see the list; 403),
never without login, always as an attachment (never shown in the office's own pages), each
download in the audit log (on the registration's history)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import anyio
from sqladmin import BaseView, expose
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from services import document_store
from services.clock import utcnow
from services.document_types import KINDS
from services.documents import Documents
from services.office import audit
from services.office_pages import path_view

from backoffice import roles
from backoffice.i18n import L_

PAGE = "documents"  # roles.ACTING_PAGES: operators and admins download
KIND_LABELS = {"pdf": "PDF", "jpeg": L_("Photo (JPEG)"), "png": L_("Image (PNG)"), "doc": "Word (.doc)",
               "docx": "Word (.docx)", "odt": "OpenDocument (.odt)"}
CHANNELS = {"telegram": "Telegram", "whatsapp": "WhatsApp", "web": L_("Web chat"), "console": L_("Terminal")}


def size_text(size: int) -> str:
    """1,2 MB or 340 KB, as the office reads sizes."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, round(size / 1024))} KB"


def documents_context(session_maker: sessionmaker, pk: Any) -> dict[str, Any]:
    """For the registration's page: its documents, newest first."""
    with session_maker() as sql_session:
        registration = path_view.registration(sql_session, int(pk)) if str(pk).isdigit() else None
        if registration is None or registration.erased_at is not None:
            return {"documents": []}
        rows = document_store.of_registration(sql_session, registration.id, registration.contact_id)
    return {"documents": [{"id": r["id"], "name": r["filename"], "kind": KIND_LABELS.get(r["kind"], r["kind"]),
                           "size": size_text(r["size"]), "sent_at": r["created_at"],
                           "channel": CHANNELS.get(r["channel"], r["channel"])} for r in rows],
            "document_kinds": KIND_LABELS}


class DocumentsPage(BaseView):
    """Not in the menu: the downloads of the registration pages' links."""

    name = L_("Documents")
    session_maker: sessionmaker | None = None
    documents: Documents | None = None
    clock: Callable[[], dt.datetime] = staticmethod(utcnow)

    def is_visible(self, request: Request) -> bool:
        return False

    @expose("/documents/download", methods=["GET"], identity=PAGE)
    async def download(self, request: Request) -> Response:
        roles.require(request, PAGE, "list")
        text = request.query_params.get("id", "")
        if not (text.isdigit() and len(text) < 18):
            raise HTTPException(status_code=404)
        found = await anyio.to_thread.run_sync(self._find, int(text))
        if found is None:
            raise HTTPException(status_code=404)
        row, path = found
        return FileResponse(path, media_type=KINDS[row["kind"]][1], filename=row["filename"],
                            content_disposition_type="attachment",
                            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})

    def _find(self, document_id: int):
        """The row and its file, the download written in the audit log; None if either is gone."""
        with self.session_maker() as sql_session:
            row = document_store.one(sql_session, document_id)
            if row is None or row["kind"] not in KINDS:
                return None
            path = self.documents.path(row["sha256"])
            if not path.is_file():
                return None
            audit.record(sql_session, action="document_download", actor=audit.current_actor.get(), at=self.clock(),
                         table="registration", row_id=row["registration_id"],
                         after={"document": row["filename"]})
            sql_session.commit()
            return row, path


def views(clock: Callable[[], dt.datetime], session_maker: sessionmaker, documents: Documents) -> list[type]:
    return [type(DocumentsPage.__name__, (DocumentsPage,), {"clock": staticmethod(clock), "session_maker": session_maker,
                                                            "documents": documents})]

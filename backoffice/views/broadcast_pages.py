"""The broadcasts' pages: the list with cancel, and each broadcast's delivery report; composing
one is on broadcast_compose, the form in backoffice.forms.broadcast.

The same functions as ``python -m bot broadcasts`` do the work (services.broadcasts, services.audience):
counting, queueing, cancelling and the report are computed in one place. Everyone with the
pages' ``list`` grant reads the list and the reports; composing, counting and cancelling need
``edit`` (operators, admins). Every POST is CSRF-checked by the middleware and runs in one
audited transaction; a wrong input is shown on the form and nothing is written."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import anyio
from sqladmin import Flash, expose
from sqlalchemy.orm import sessionmaker
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from conversations import languages
from services import broadcasts
from services.office import audit
from services.operator_input import Invalid

from backoffice import roles
from backoffice.forms.broadcast import LANGUAGE_NAMES
from backoffice.i18n import L_, _, format_datetime
from backoffice.views.broadcast_base import EDIT, OfficePage, broadcast_id
from backoffice.views.broadcast_compose import ComposePage
from backoffice.views.broadcast_words import cancellable, describe, refusal, short, status_label

class BroadcastsPage(OfficePage):
    """/office/broadcasts: every broadcast with its status; the report; cancel."""

    name = L_("Broadcasts")
    icon = "fa-solid fa-bullhorn"

    # The first route is the menu's (sqladmin names the view after it).
    @expose("/broadcasts", methods=["GET"], identity="broadcasts")
    async def listing(self, request: Request) -> Response:
        return await self._list(request)

    @expose("/broadcasts/report", methods=["GET"], identity="broadcasts-report")
    async def report(self, request: Request) -> Response:
        return await self._report(request, broadcast_id(request.query_params.get("broadcast")))

    @expose("/broadcasts/cancel", methods=["POST"], identity="broadcasts-cancel")
    async def cancel(self, request: Request) -> Response:
        roles.require(request, EDIT)
        form = await request.form()
        chosen = broadcast_id(form.get("broadcast"))
        back_to_report = form.get("back") == "report"

        def work(sql_session) -> str:
            now = self.clock()
            try:
                done = broadcasts.cancel(sql_session, chosen, now)
            except broadcasts.BroadcastError as problem:
                raise Invalid(refusal(problem), reason=problem.reason) from None
            audit.record(sql_session, action="cancel_broadcast", actor=audit.current_actor.get(), at=now,
                         table="broadcast", row_id=chosen, before={"status": done.was},
                         after={"status": "cancelled", "withdrawn": done.withdrawn})
            if done.was == "scheduled":
                return _("Broadcast %(id)s cancelled: it will not be sent.") % {"id": chosen}
            return (_("Broadcast %(id)s stopped: %(count)s messages not yet sent were withdrawn; those sent "
                      "stay sent.") % {"id": chosen, "count": done.withdrawn})

        try:
            done = await anyio.to_thread.run_sync(lambda: self._run(work, action="cancel_broadcast"))
        except Invalid as problem:
            if back_to_report and chosen:
                return await self._report(request, chosen, error=str(problem), status_code=400)
            return await self._list(request, error=str(problem), status_code=400)
        Flash.success(request, done)
        if back_to_report:
            url = request.url_for("admin:view-broadcasts-report").include_query_params(broadcast=chosen)
        else:
            url = request.url_for("admin:view-broadcasts")
        return RedirectResponse(str(url), status_code=303)

    async def _list(self, request: Request, *, error: str | None = None, status_code: int = 200) -> Response:
        def load(sql_session) -> dict[str, Any]:
            rows = broadcasts.recent(sql_session, limit=200)
            named = self._workshops(sql_session)
            sql_session.expunge_all()
            return {"rows": [{"summary": row, "status": status_label(row.broadcast.status, row.pending, row.web_waiting),
                              "audience": describe(row.broadcast.audience, named),
                              "cancellable": cancellable(row.broadcast.status, row.pending),
                              "text": short(row.broadcast.texts.get(languages.DEFAULT) or "")} for row in rows]}

        data = await anyio.to_thread.run_sync(self._run, load)
        context = {"title": _("Broadcasts"), "error": error, "when": format_datetime,
                   "can_edit": roles.can(request, EDIT, "edit"),
                   "can_export": roles.can(request, "broadcast", "export"), **data}
        return await self.templates.TemplateResponse(request, "office/broadcast_list.html", context,
                                                     status_code=status_code)

    async def _report(self, request: Request, chosen: int, *, error: str | None = None,
                      status_code: int = 200) -> Response:
        def load(sql_session) -> dict[str, Any] | None:
            try:
                found = broadcasts.report(sql_session, chosen)
            except broadcasts.BroadcastError:
                return None
            named = self._workshops(sql_session)
            sql_session.expunge_all()
            return {"report": found, "audience": describe(found.broadcast.audience, named),
                    "status": status_label(found.broadcast.status, found.pending, found.web_waiting),
                    "cancellable": cancellable(found.broadcast.status, found.pending),
                    "texts": [(str(LANGUAGE_NAMES.get(language, language)), text)
                              for language, text in found.broadcast.texts.items()]}

        data = await anyio.to_thread.run_sync(self._run, load)
        if data is None:
            return await self._list(request, error=_("Not found."), status_code=404)
        context = {"title": _("Broadcast %(id)s") % {"id": chosen}, "error": error, "when": format_datetime,
                   "can_edit": roles.can(request, EDIT, "edit"), **data}
        return await self.templates.TemplateResponse(request, "office/broadcast_report.html", context,
                                                     status_code=status_code)


def views(clock: Callable[[], dt.datetime], session_maker: sessionmaker) -> list[type]:
    """Fresh subclasses for each application, as backoffice.app.views makes."""
    return [type(base.__name__, (base,), {"clock": staticmethod(clock), "session_maker": session_maker})
            for base in (BroadcastsPage, ComposePage)]

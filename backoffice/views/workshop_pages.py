"""A workshop session's page: its participants, waiting list and attendance; a new session,
changes to one (a new time tells its people through the outbox), cancelling one. The forms
are in backoffice.forms.agenda.

Everyone with the page's ``list`` grant reads; acting needs ``edit`` (operators, admins).
Every POST is CSRF-checked by the middleware and runs in one audited transaction; a wrong
input is shown on the form and nothing is written."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import anyio
from sqladmin import BaseView, Flash, expose
from sqlalchemy.orm import sessionmaker
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services import agenda, attendance
from services.clock import aware, utcnow
from services.office import audit
from services.office_pages import workshop_sheet
from services.operator_input import Invalid

from backoffice import roles
from backoffice.forms.agenda import WorkshopChoiceForm, WorkshopSessionForm
from backoffice.forms.fields import checked
from backoffice.i18n import L_, _
from backoffice.views.agenda_words import hour, local_day, refusal, when
from backoffice.views.workshops import SEAT_STATUSES


class WorkshopPage(BaseView):
    """/office/workshop-attendance?session=N: a session's seats, waiting list and attendance."""

    name = L_("Sessions and attendance")
    icon = "fa-solid fa-clipboard-check"
    category = L_("Workshops")
    session_maker: sessionmaker | None = None
    clock: Callable[[], dt.datetime] = staticmethod(utcnow)
    page_identity = "workshop-attendance"

    @expose("/workshop-attendance", methods=["GET"], identity="workshop-attendance")
    async def attendance(self, request: Request) -> Response:
        return await self._page(request)

    @expose("/workshop-attendance/save", methods=["POST"], identity="workshop-attendance-save")
    async def save(self, request: Request) -> Response:
        roles.require(request, self.page_identity)
        form = await request.form()
        wanted = {int(key[5:]): str(value) for key, value in form.items()
                  if key.startswith("seat-") and key[5:].isdigit() and len(key) < 24}

        def work(sql_session) -> tuple[int, str]:
            workshop_session_id = checked(WorkshopChoiceForm, form).session.data
            try:
                changed = attendance.record_attendance(sql_session, workshop_id=workshop_session_id,
                                                       outcomes=wanted, now=self.clock())
            except agenda.AgendaError as problem:
                raise Invalid(refusal(problem.reason, not_started=_("The session has not started yet.")),
                              reason=problem.reason) from None
            return workshop_session_id, _("Attendance saved: %(count)s changed.") % {"count": changed}

        return await self._run(request, "workshop_attendance", work, form)

    @expose("/workshop-attendance/session", methods=["POST"], identity="workshop-attendance-session")
    async def session_save(self, request: Request) -> Response:
        """A new session (no ``session`` field) or changes to one; a new time tells its people."""
        roles.require(request, self.page_identity)
        form = await request.form()

        def work(sql_session) -> tuple[int, str]:
            fields = checked(WorkshopSessionForm, form, now=self.clock())
            try:
                if not fields.session.data:
                    workshop_session = agenda.add_workshop(sql_session, now=self.clock(), **fields.fields())
                    return workshop_session.id, _("Session created.")
                edited = attendance.edit_workshop(sql_session, workshop_id=fields.session.data, now=self.clock(),
                                                  **fields.fields())
            except agenda.AgendaError as problem:
                raise Invalid(refusal(problem.reason), reason=problem.reason) from None
            done = (_("Session moved; people told by the bot: %(told)s of %(count)s.")
                    % {"told": len(edited.told), "count": len(edited.rows)}) if edited.rows else _("Session saved.")
            if edited.promoted:
                done += " " + _("From the waiting list to a seat: %(count)s.") % {"count": len(edited.promoted)}
            return fields.session.data, done

        return await self._run(request, "workshop_save", work, form)

    @expose("/workshop-attendance/cancel", methods=["POST"], identity="workshop-attendance-cancel")
    async def session_cancel(self, request: Request) -> Response:
        roles.require(request, self.page_identity)
        form = await request.form()

        def work(sql_session) -> tuple[int, str]:
            workshop_session_id = checked(WorkshopChoiceForm, form).session.data
            try:
                seats = agenda.cancel_workshop(sql_session, workshop_id=workshop_session_id, now=self.clock())
            except agenda.AgendaError as problem:
                raise Invalid(refusal(problem.reason), reason=problem.reason) from None
            return workshop_session_id, (_("Session cancelled; people told by the bot: %(told)s of %(count)s.")
                                         % {"told": len(seats.told), "count": len(seats.rows)})

        return await self._run(request, "workshop_cancel", work, form)

    async def _run(self, request: Request, action: str, work: Callable, form) -> Response:
        try:
            workshop_session_id, done = await anyio.to_thread.run_sync(audit.run, self.session_maker, action, work)
        except Invalid as problem:
            return await self._page(request, error=str(problem), chosen=form.get("session"), form=form,
                                    status_code=400)
        Flash.success(request, done)
        back = request.url_for("admin:view-workshop-attendance").include_query_params(session=workshop_session_id)
        return RedirectResponse(str(back), status_code=303)

    async def _page(self, request: Request, *, error: str | None = None, chosen: Any = None, form=None,
                    status_code: int = 200) -> Response:
        raw = str(chosen if chosen is not None else request.query_params.get("session", ""))
        workshop_session_id = int(raw) if raw.isdigit() and len(raw) < 18 else None
        data = await anyio.to_thread.run_sync(self._load, workshop_session_id)
        context = {"title": _("Attendance"), "error": error, "now": self.clock(), "aware": aware, "when": when,
                   "hour": hour, "local_day": local_day, "statuses": SEAT_STATUSES, "form": form,
                   "can_edit": roles.can(request, self.page_identity, "edit"), **data}
        return await self.templates.TemplateResponse(request, "office/workshop_attendance.html", context,
                                                     status_code=status_code)

    def _load(self, workshop_session_id: int | None) -> dict[str, Any]:
        with self.session_maker() as sql_session:
            sheet = workshop_sheet.sheet(sql_session, workshop_session_id)
            sql_session.expunge_all()
        return {"workshops": sheet.workshops, "workshop": sheet.workshop_session, "seated": sheet.seated,
                "waiting": sheet.waiting}

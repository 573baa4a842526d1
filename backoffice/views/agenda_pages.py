"""The agenda's page: the day's and the week's interviews, a new slot, slots from a weekly
pattern (with a preview count first), cancelling a slot (the people booked are told through
the outbox, as by ``python -m bot slots cancel``), an interview's outcome. The workshop
sessions' page is beside it (workshop_pages); the forms are in backoffice.forms.agenda.

Everyone with the agenda's ``list`` grant reads; acting needs ``edit`` (operators, admins).
Every POST is CSRF-checked by the middleware and runs in one audited transaction; a wrong
input is shown on the form and nothing is written."""
from __future__ import annotations

import datetime as dt
from typing import Callable

import anyio
from sqladmin import BaseView, Flash, expose
from sqlalchemy.orm import sessionmaker
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from conversations.i18n import TIMEZONE
from services import agenda, public_holidays
from services.clock import aware, utcnow
from services.office import audit
from services.office_pages import calendar
from services.operator_input import Invalid, parse_day

from backoffice import roles
from backoffice.forms.agenda import CancelSlotForm, OutcomeForm, PatternForm, SlotForm
from backoffice.forms.fields import checked
from backoffice.i18n import L_, _
from backoffice.views.agenda import BOOKING_STATUSES, MODES
from backoffice.views.agenda_words import WEEKDAYS, hour, refusal, skipped, when
from backoffice.views.workshop_pages import WorkshopPage


class _Preview(Exception):
    """The pattern's preview: counted, nothing written."""


class AgendaPage(BaseView):
    """/office/agenda: the day or week, new slots, a pattern, cancel, outcome."""

    name = L_("Calendar")
    icon = "fa-solid fa-calendar-week"
    category = L_("Agenda")
    session_maker: sessionmaker | None = None
    clock: Callable[[], dt.datetime] = staticmethod(utcnow)
    page_identity = "agenda"

    # The first route is the menu's (sqladmin names the view after it).
    @expose("/agenda", methods=["GET"], identity="agenda")
    async def agenda(self, request: Request) -> Response:
        return await self._page(request)

    @expose("/agenda/slot", methods=["POST"], identity="agenda-slot")
    async def add_slot(self, request: Request) -> Response:
        roles.require(request, self.page_identity)
        form = await request.form()

        def work(sql_session) -> str:
            fields = checked(SlotForm, form)
            try:
                slot = agenda.add_slot(sql_session, starts_at=fields.starts_at(), now=self.clock(), **fields.slot())
            except agenda.AgendaError as problem:
                raise Invalid(refusal(problem.reason), reason=problem.reason) from None
            return _("Slot created: %(when)s.") % {"when": when(slot.starts_at)}

        return await self._act(request, "add_slot", work, form)

    @expose("/agenda/pattern", methods=["POST"], identity="agenda-pattern")
    async def pattern(self, request: Request) -> Response:
        roles.require(request, self.page_identity)
        form = await request.form()
        preview = form.get("preview") is not None

        def work(sql_session) -> str:
            fields = checked(PatternForm, form, now=self.clock())
            try:
                result = agenda.add_pattern(sql_session, first_day=fields.first.data, last_day=fields.last.data,
                                            weekdays=fields.weekday.data, opens=fields.opens.data,
                                            closes=fields.closes.data, now=self.clock(),
                                            include_holidays=fields.holidays.data, **fields.slot())
            except agenda.AgendaError as problem:
                raise Invalid(refusal(problem.reason, hours=fields.hours(), window=fields.hours()),
                              reason=problem.reason) from None
            numbers = {"new": len(result.created), "existing": result.existing, "past": result.past,
                       "holidays": public_holidays.listed(result.holidays)}
            if preview:
                sql_session.rollback()
                request.state.pattern_preview = numbers
                raise _Preview()
            done = _("Slots created: %(new)s; already there: %(existing)s; already past: %(past)s.") % numbers
            return f"{done} {skipped(numbers['holidays'])}".strip()

        return await self._act(request, "add_slots", work, form)

    @expose("/agenda/cancel", methods=["POST"], identity="agenda-cancel")
    async def cancel(self, request: Request) -> Response:
        roles.require(request, self.page_identity)
        form = await request.form()

        def work(sql_session) -> str:
            slot_id = checked(CancelSlotForm, form).slot.data
            try:
                cancelled = agenda.cancel_slot(sql_session, slot_id=slot_id, now=self.clock())
            except agenda.AgendaError as problem:
                raise Invalid(refusal(problem.reason), reason=problem.reason) from None
            return (_("Slot cancelled; bookings cancelled: %(count)s, people told by the bot: %(told)s.")
                    % {"count": len(cancelled.rows), "told": len(cancelled.told)})

        return await self._act(request, "cancel_slot", work, form)

    @expose("/agenda/outcome", methods=["POST"], identity="agenda-outcome")
    async def outcome(self, request: Request) -> Response:
        roles.require(request, self.page_identity)
        form = await request.form()

        def work(sql_session) -> str:
            fields = checked(OutcomeForm, form)
            try:
                agenda.interview_outcome(sql_session, booking_id=fields.booking.data, status=fields.status.data,
                                         note=fields.note.data or None, now=self.clock(),
                                         created_by=request.state.operator.username)
            except agenda.AgendaError as problem:
                raise Invalid(refusal(problem.reason, not_found=_("This booking does not exist or was cancelled."),
                                      not_started=_("The interview has not started yet.")),
                              reason=problem.reason) from None
            return _("Outcome saved.")

        return await self._act(request, "interview_outcome", work, form)

    # -- shared -------------------------------------------------------------------------

    async def _act(self, request: Request, action: str, work: Callable, form) -> Response:
        try:
            done = await anyio.to_thread.run_sync(audit.run, self.session_maker, action, work)
        except _Preview:
            return await self._page(request, form=form)
        except Invalid as problem:
            return await self._page(request, error=str(problem), form=form, status_code=400)
        Flash.success(request, done)
        back = request.url_for("admin:view-agenda").include_query_params(
            day=str(form.get("back_day") or ""), span=str(form.get("back_span") or "week"))
        return RedirectResponse(str(back), status_code=303)

    async def _page(self, request: Request, *, error: str | None = None, form=None,
                    status_code: int = 200) -> Response:
        source = form if form is not None else request.query_params
        today = self.clock().astimezone(TIMEZONE).date()
        try:
            day = parse_day(str(source.get("back_day") or request.query_params.get("day") or ""))
        except Invalid:
            day = today
        span = "day" if (source.get("back_span") or request.query_params.get("span")) == "day" else "week"
        first = day if span == "day" else day - dt.timedelta(days=day.weekday())
        length = 1 if span == "day" else 7
        data = await anyio.to_thread.run_sync(self._load, first, length)
        step = dt.timedelta(days=length)
        context = {
            "title": _("Calendar"), "error": error, "form": form or {}, "span": span, "day": day, "first": first,
            "last": first + dt.timedelta(days=length - 1), "previous": first - step, "next": first + step,
            "today": today, "days": data, "modes": MODES, "statuses": BOOKING_STATUSES, "weekdays": WEEKDAYS,
            "can_edit": roles.can(request, self.page_identity, "edit"),
            "preview": getattr(request.state, "pattern_preview", None), "when": when, "hour": hour,
            "now": self.clock(), "aware": aware,
        }
        return await self.templates.TemplateResponse(request, "office/agenda.html", context,
                                                     status_code=status_code)

    def _load(self, first: dt.date, length: int) -> list[calendar.Day]:
        with self.session_maker() as sql_session:
            days = calendar.days(sql_session, first=first, length=length)
            sql_session.expunge_all()
        return days


def views(clock: Callable[[], dt.datetime], session_maker: sessionmaker) -> list[type]:
    """Fresh subclasses for each application, as backoffice.app.views makes."""
    return [type(base.__name__, (base,), {"clock": staticmethod(clock), "session_maker": session_maker})
            for base in (AgendaPage, WorkshopPage)]

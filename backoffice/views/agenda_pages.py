"""The agenda's pages: the day's and the week's interviews, a new slot, slots from a weekly
pattern (with a preview count first), cancelling a slot (the people booked are told through
the outbox, as by ``python -m bot slots cancel``), an interview's outcome; and a workshop
session's participants, waiting list and attendance.

Everyone with the agenda's ``list`` grant reads; acting needs ``edit`` (operators, admins).
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

from conversations import languages
from conversations.i18n import TIMEZONE
from services import agenda, attendance, rosters
from store.models import WorkshopSession, aware, utcnow

from services.office import audit

from backoffice import roles
from backoffice.i18n import L_, _
from backoffice.views.agenda import BOOKING_STATUSES, MODES
from backoffice.views.workshops import SEAT_STATUSES

WEEKDAYS = (L_("Mon"), L_("Tue"), L_("Wed"), L_("Thu"), L_("Fri"), L_("Sat"), L_("Sun"))
OUTCOMES = ("attended", "no_show")
MAX_PATTERN_DAYS = 366


class Invalid(ValueError):
    """A wrong input, shown on the form."""



def parse_day(value: Any) -> dt.date:
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise Invalid(_("Write the date as dd/mm/yyyy."))


def parse_time(value: Any) -> dt.time:
    try:
        return dt.datetime.strptime(str(value or "").strip(), "%H:%M").time()
    except ValueError:
        raise Invalid(_("Write the time as hh:mm.")) from None


def parse_int(value: Any, *, low: int, high: int, what: str) -> int:
    text = str(value or "").strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise Invalid(_("%(what)s: a whole number from %(low)s to %(high)s.") % {"what": what, "low": low,
                                                                                 "high": high})
    return int(text)


def _text(form, key: str, limit: int) -> str:
    return str(form.get(key) or "").strip()[:limit]


def _slot_fields(form) -> dict[str, Any]:
    mode = str(form.get("mode") or "")
    if mode not in agenda.MODES:
        raise Invalid(_("Choose the mode of the interview."))
    operator = _text(form, "operator", 80)
    if not operator:
        raise Invalid(_("Write the interviewer's name."))
    address = _text(form, "address", 200) or None
    if mode == "in_person" and not address:
        raise Invalid(_("An interview in person needs an address."))
    return {"mode": mode, "operator": operator, "address": address,
            "duration_minutes": parse_int(form.get("duration"), low=5, high=480, what=_("Minutes")),
            "capacity": parse_int(form.get("capacity") or "1", low=1, high=50, what=_("Places"))}


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

        def work(session) -> str:
            starts = agenda.local(parse_day(form.get("day")), parse_time(form.get("time")))
            if starts <= self.clock():
                raise Invalid(_("That time is already past."))
            try:
                slot = agenda.add_slot(session, starts_at=starts, now=self.clock(), **_slot_fields(form))
            except agenda.AgendaError as problem:
                raise Invalid(_agenda_error(problem)) from None
            return _("Slot created: %(when)s.") % {"when": _when(slot.starts_at)}

        return await self._act(request, "add_slot", work, form)

    @expose("/agenda/pattern", methods=["POST"], identity="agenda-pattern")
    async def pattern(self, request: Request) -> Response:
        roles.require(request, self.page_identity)
        form = await request.form()
        preview = form.get("preview") is not None

        def work(session) -> str:
            days = sorted({int(d) for d in form.getlist("weekday") if str(d) in "0123456"})
            if not days:
                raise Invalid(_("Choose at least one day of the week."))
            first, last = parse_day(form.get("first")), parse_day(form.get("last"))
            if last < first:
                raise Invalid(_("The last day comes before the first."))
            if (last - first).days > MAX_PATTERN_DAYS:
                raise Invalid(_("At most one year at a time."))
            if last < self.clock().astimezone(TIMEZONE).date():
                raise Invalid(_("Those days are already past."))
            opens, closes = parse_time(form.get("opens")), parse_time(form.get("closes"))
            fields = _slot_fields(form)
            window = dt.datetime.combine(first, closes) - dt.datetime.combine(first, opens)
            if window < dt.timedelta(minutes=fields["duration_minutes"]):
                raise Invalid(_("No interview fits between %(opens)s and %(closes)s.")
                              % {"opens": f"{opens:%H:%M}", "closes": f"{closes:%H:%M}"})
            end = agenda.local(last + dt.timedelta(days=1), dt.time(0, 0))
            starts = [s for s in agenda.pattern_starts(
                first_day=first, weeks=(last - first).days // 7 + 1, weekdays=days, opens=opens, closes=closes,
                minutes=fields["duration_minutes"]) if s < end]
            result = agenda.add_slots(session, starts=starts, now=self.clock(), **fields)
            numbers = {"new": len(result.created), "existing": result.existing, "past": result.past}
            if preview:
                session.rollback()
                request.state.pattern_preview = numbers
                raise _Preview()
            return (_("Slots created: %(new)s; already there: %(existing)s; already past: %(past)s.") % numbers)

        return await self._act(request, "add_slots", work, form)

    @expose("/agenda/cancel", methods=["POST"], identity="agenda-cancel")
    async def cancel(self, request: Request) -> Response:
        roles.require(request, self.page_identity)
        form = await request.form()

        def work(session) -> str:
            slot_id = parse_int(form.get("slot"), low=1, high=2**62, what=_("Slot"))
            try:
                cancelled = agenda.cancel_slot(session, slot_id=slot_id, now=self.clock())
            except agenda.AgendaError as problem:
                raise Invalid(_agenda_error(problem)) from None
            return (_("Slot cancelled; bookings cancelled: %(count)s, people told by the bot: %(told)s.")
                    % {"count": len(cancelled.rows), "told": len(cancelled.told)})

        return await self._act(request, "cancel_slot", work, form)

    @expose("/agenda/outcome", methods=["POST"], identity="agenda-outcome")
    async def outcome(self, request: Request) -> Response:
        roles.require(request, self.page_identity)
        form = await request.form()

        def work(session) -> str:
            booking_id = parse_int(form.get("booking"), low=1, high=2**62, what=_("Booking"))
            status = str(form.get("status") or "")
            if status not in OUTCOMES:
                raise Invalid(_("Choose attended or no-show."))
            try:
                agenda.interview_outcome(session, booking_id=booking_id, status=status, now=self.clock(),
                                         note=_text(form, "note", 2000) or None,
                                         created_by=request.state.operator.username)
            except agenda.AgendaError as problem:
                raise Invalid({"not_found": _("This booking does not exist or was cancelled."),
                               "not_started": _("The interview has not started yet.")}.get(
                                   problem.reason, _agenda_error(problem))) from None
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
            day = parse_day(source.get("back_day") or request.query_params.get("day") or "")
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
            "preview": getattr(request.state, "pattern_preview", None), "when": _when, "hour": _hour,
            "now": self.clock(), "aware": aware,
        }
        return await self.templates.TemplateResponse(request, "office/agenda.html", context,
                                                     status_code=status_code)

    def _load(self, first: dt.date, length: int) -> list[tuple[dt.date, list]]:
        start = agenda.local(first, dt.time(0, 0))
        end = agenda.local(first + dt.timedelta(days=length), dt.time(0, 0))
        with self.session_maker() as session:
            slots = agenda.slots_between(session, start=start, end=end)
            bookings: dict[int, list] = {}
            for row in rosters.bookings_between(session, start=start, end=end, statuses=None):
                bookings.setdefault(row.slot.id, []).append(row)
            session.expunge_all()
        days = []
        for offset in range(length):
            date = first + dt.timedelta(days=offset)
            days.append((date, [(slot, bookings.get(slot.id, [])) for slot in slots
                                if aware(slot.starts_at).astimezone(TIMEZONE).date() == date]))
        return days


class _Preview(Exception):
    """The pattern's preview: counted, nothing written."""


def _when(value: dt.datetime) -> str:
    return aware(value).astimezone(TIMEZONE).strftime("%d/%m/%Y %H:%M")


def _hour(value: dt.datetime) -> str:
    return aware(value).astimezone(TIMEZONE).strftime("%H:%M")


def _local_day(value: dt.datetime) -> str:
    return aware(value).astimezone(TIMEZONE).date().isoformat()


def _agenda_error(problem: agenda.AgendaError) -> str:
    return {"past": _("That time is already past."),
            "exists": _("The interviewer already has a slot at that time."),
            "not_found": _("Not found."),
            "cancelled": _("Already cancelled."),
            "order": _("The end comes before the start."),
            "capacity": _("The seats cannot be fewer than the seats already taken.")}.get(problem.reason, str(problem))


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

        def work(session) -> tuple[int, str]:
            session_id = parse_int(form.get("session"), low=1, high=2**62, what=_("Session"))
            outcomes = {int(key[5:]): str(value) for key, value in form.items()
                        if key.startswith("seat-") and key[5:].isdigit() and len(key) < 24}
            try:
                changed = attendance.record_attendance(session, workshop_id=session_id, outcomes=outcomes,
                                                       now=self.clock())
            except agenda.AgendaError as problem:
                raise Invalid(_("The session has not started yet.") if problem.reason == "not_started"
                              else _agenda_error(problem)) from None
            return session_id, _("Attendance saved: %(count)s changed.") % {"count": changed}

        return await self._run(request, "workshop_attendance", work, form)

    @expose("/workshop-attendance/session", methods=["POST"], identity="workshop-attendance-session")
    async def session_save(self, request: Request) -> Response:
        """A new session (no ``session`` field) or changes to one; a new time tells its people."""
        roles.require(request, self.page_identity)
        form = await request.form()

        def work(session) -> tuple[int, str]:
            title = _text(form, "title", 200)
            if not title:
                raise Invalid(_("Write the title."))
            day = parse_day(form.get("day"))
            starts, ends = agenda.local(day, parse_time(form.get("start"))), agenda.local(day, parse_time(form.get("end")))
            if ends <= starts:
                raise Invalid(_("The end comes before the start."))
            if starts <= self.clock():
                raise Invalid(_("That time is already past."))
            language = str(form.get("language") or languages.DEFAULT)
            if language not in languages.CODES:
                raise Invalid(_("Choose the language."))
            fields = {"title": title, "description": _text(form, "description", 2000), "starts_at": starts,
                      "ends_at": ends, "place": _text(form, "place", 200), "language": language,
                      "capacity": parse_int(form.get("capacity"), low=1, high=1000, what=_("Seats"))}
            raw = str(form.get("session") or "")
            try:
                if not raw:
                    workshop = agenda.add_workshop(session, now=self.clock(), **fields)
                    return workshop.id, _("Session created.")
                edited = attendance.edit_workshop(
                    session, workshop_id=parse_int(raw, low=1, high=2**62, what=_("Session")), now=self.clock(),
                    **fields)
            except agenda.AgendaError as problem:
                raise Invalid(_agenda_error(problem)) from None
            done = (_("Session moved; people told by the bot: %(told)s of %(count)s.")
                    % {"told": len(edited.told), "count": len(edited.rows)}) if edited.rows else _("Session saved.")
            if edited.promoted:
                done += " " + _("From the waiting list to a seat: %(count)s.") % {"count": len(edited.promoted)}
            return int(raw), done

        return await self._run(request, "workshop_save", work, form)

    @expose("/workshop-attendance/cancel", methods=["POST"], identity="workshop-attendance-cancel")
    async def session_cancel(self, request: Request) -> Response:
        roles.require(request, self.page_identity)
        form = await request.form()

        def work(session) -> tuple[int, str]:
            workshop_id = parse_int(form.get("session"), low=1, high=2**62, what=_("Session"))
            try:
                seats = agenda.cancel_workshop(session, workshop_id=workshop_id, now=self.clock())
            except agenda.AgendaError as problem:
                raise Invalid(_agenda_error(problem)) from None
            return workshop_id, (_("Session cancelled; people told by the bot: %(told)s of %(count)s.")
                                 % {"told": len(seats.told), "count": len(seats.rows)})

        return await self._run(request, "workshop_cancel", work, form)

    async def _run(self, request: Request, action: str, work: Callable, form) -> Response:
        try:
            session_id, done = await anyio.to_thread.run_sync(audit.run, self.session_maker, action, work)
        except Invalid as problem:
            return await self._page(request, error=str(problem), chosen=form.get("session"), form=form,
                                    status_code=400)
        Flash.success(request, done)
        back = request.url_for("admin:view-workshop-attendance").include_query_params(session=session_id)
        return RedirectResponse(str(back), status_code=303)

    async def _page(self, request: Request, *, error: str | None = None, chosen: Any = None, form=None,
                    status_code: int = 200) -> Response:
        raw = str(chosen if chosen is not None else request.query_params.get("session", ""))
        session_id = int(raw) if raw.isdigit() and len(raw) < 18 else None
        data = await anyio.to_thread.run_sync(self._load, session_id)
        context = {"title": _("Attendance"), "error": error, "now": self.clock(), "aware": aware, "when": _when,
                   "hour": _hour, "local_day": _local_day, "statuses": SEAT_STATUSES, "form": form, "can_edit": roles.can(request, self.page_identity, "edit"),
                   **data}
        return await self.templates.TemplateResponse(request, "office/workshop_attendance.html", context,
                                                     status_code=status_code)

    def _load(self, session_id: int | None) -> dict[str, Any]:
        with self.session_maker() as session:
            rows = rosters.workshops(session)
            workshop = session.get(WorkshopSession, session_id) if session_id else None
            found = rosters.participants(session, session_id=session_id) if workshop else None
            session.expunge_all()
        return {"workshops": [row for row in rows if row.workshop.cancelled_at is None], "workshop": workshop,
                "seated": [p for p in found or () if p.position is None],
                "waiting": [p for p in found or () if p.position is not None]}


def views(clock: Callable[[], dt.datetime], session_maker: sessionmaker) -> list[type]:
    """Fresh subclasses for each application, as backoffice.app.views makes."""
    return [type(base.__name__, (base,), {"clock": staticmethod(clock), "session_maker": session_maker})
            for base in (AgendaPage, WorkshopPage)]

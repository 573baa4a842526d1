"""The programme's path in the back office, and duplicates.

A registration's detail page shows its path (backoffice/templates/office/registration_details.html,
with ``path_context``); its forms post here: the next step (interviewed, in selection, placed,
closed) through services.programme.record, the only writer of the stage, or reopening a closed one.
A wrong step goes back to the page with the reason and writes nothing.

/office/duplicates lists live registrations of two contacts sharing a codice fiscale or a phone;
/office/duplicates/merge shows a pair side by side, the operator chooses which stays, and
services.merge moves everything to it.

Everyone with the page's ``list`` grant reads; acting needs ``edit`` (operators, admins). Every
POST is CSRF-checked by the middleware and runs in one audited transaction."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import anyio
from sqladmin import BaseView, Flash, expose
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from conversations.i18n import TIMEZONE
from services import duplicates, merge, programme
from services.clock import utcnow
from services.office import audit
from services.office_pages import path_view
from services.operator_input import Invalid

from backoffice import roles
from backoffice.forms.fields import checked
from backoffice.forms.path import StepForm
from backoffice.i18n import L_, _
from backoffice.views.agenda import BOOKING_STATUSES, MODES
from backoffice.views.agenda_words import local_day, when
from backoffice.views.workshops import SEAT_STATUSES

PATH = "registration-path"  # roles.PAGES: everyone reads, operators and admins record steps
DUPLICATES = "duplicates"
STEPS = {"interviewed": L_("Interviewed"), "selection": L_("In selection"), "placement": L_("Placed"),
         "closed": L_("Closed")}
CONTRACTS = {"permanent": L_("Permanent"), "fixed_term": L_("Fixed-term"), "apprenticeship": L_("Apprenticeship"),
             "other": L_("Other")}
REASONS = {"refused_contract": L_("Refused a contract"), "found_work_alone": L_("Found work on their own"),
           "not_interested": L_("No longer interested"), "unreachable": L_("Unreachable"),
           "moved_away": L_("Moved away"), "other": L_("Other")}
SOURCES = {"office": L_("Back office"), "agenda": L_("Agenda"), "import": L_("Imported")}
ERROR_KEY = "path_error"  # the session's: why the last step was refused
MATCHES = {"tax_code": L_("Codice fiscale"), "phone": L_("Phone")}
# Side by side on the merge page.
COMPARED = ("code", "status", "created_at", "first_name", "last_name", "birth_date", "tax_code", "municipality",
            "phone", "email", "language")



def _path_error(problem: programme.PathError) -> str:
    return {"stage": _("This step does not follow from the registration's current stage."),
            "erased": _("This registration was erased."),
            "company": _("Write the company."),
            "contract_type": _("Choose the type of contract."),
            "reason": _("Choose the reason for closing."),
            "future": _("That day is after today.")}.get(problem.code, str(problem))


def _merge_error(problem: merge.MergeError) -> str:
    return {"not_found": _("Not found."), "same": _("Choose two registrations of two different people."),
            "erased": _("One of the two registrations was erased."),
            "unrelated": _("These two registrations share neither codice fiscale nor phone: tick the confirmation "
                           "that they are the same person, or do not merge them.")}.get(problem.code, str(problem))


def pair_key(first, second) -> str:
    """The value of the "same person" confirmation: both codes, so that it holds for this pair only."""
    return f"{first.code}+{second.code}"


def _id(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 18 else None


def next_steps(status: str) -> list[str]:
    """The steps the forms offer from a stage (services.programme.record refuses the others anyway)."""
    return programme.next_kinds(status)


def path_context(session_maker: sessionmaker, pk: Any) -> dict[str, Any]:
    """For the registration's detail page: its steps, the possible duplicates."""
    with session_maker() as sql_session:
        found = path_view.path(sql_session, _id(pk))
        sql_session.expunge_all()
    if found is None:
        return {}
    registration = found.registration
    others = [(p.second if p.first.id == registration.id else p.first, p) for p in found.duplicates]
    return {"path": {"registration": registration, "events": found.events, "live": found.live,
                     "steps": next_steps(registration.status) if found.live else [], "duplicates": others,
                     "interviews": found.interviews, "seats": found.seats},
            "path_labels": {"steps": STEPS, "contracts": CONTRACTS, "reasons": REASONS, "sources": SOURCES,
                            "matches": MATCHES, "bookings": BOOKING_STATUSES, "seats": SEAT_STATUSES,
                            "modes": MODES},
            "when": when, "local_day": local_day}


class DuplicatesPage(BaseView):
    """/office/duplicates (the menu's), the merge, and the path's steps."""

    name = L_("Possible duplicates")
    icon = "fa-solid fa-clone"
    session_maker: sessionmaker | None = None
    clock: Callable[[], dt.datetime] = staticmethod(utcnow)

    @expose("/duplicates", methods=["GET"], identity="duplicates")
    async def duplicates(self, request: Request) -> Response:
        def load() -> list:
            with self.session_maker() as sql_session:
                found = duplicates.pairs(sql_session)
                sql_session.expunge_all()
                return found

        pairs = await anyio.to_thread.run_sync(load)
        return await self.templates.TemplateResponse(request, "office/duplicates.html", {
            "title": _("Possible duplicates"), "pairs": pairs, "matches": MATCHES,
            "can_merge": roles.can(request, DUPLICATES, "edit")})

    @expose("/duplicates/merge", methods=["GET", "POST"], identity="duplicates-merge")
    async def merge(self, request: Request) -> Response:
        """GET: the two side by side and the choice; POST: the merge."""
        if request.method == "POST":
            roles.require(request, DUPLICATES)
        form = await request.form() if request.method == "POST" else request.query_params
        first, second = _id(form.get("first")), _id(form.get("second"))
        if first is None or second is None:
            raise HTTPException(status_code=404)
        if request.method != "POST":
            return await self._merge_page(request, first, second)
        keep = _id(form.get("keep"))

        def work(sql_session) -> str:
            if keep not in (first, second):
                raise Invalid(_("Choose the registration that stays."), reason="keep")
            drop = second if keep == first else first
            pair = [path_view.registration(sql_session, pk) for pk in (first, second)]
            confirmed = None not in pair and form.get("same_person") == pair_key(*pair)
            try:
                done = merge.merge(sql_session, keep_id=keep, drop_id=drop, now=self.clock(), confirmed=confirmed)
            except merge.MergeError as problem:
                raise Invalid(_merge_error(problem), reason=problem.code) from None
            audit.record(sql_session, action="merge", actor=audit.current_actor.get(), at=self.clock(),
                         table="registration", row_id=keep, before={"removed": done.removed_code},
                         after={**done.moved, "cancelled_bookings": done.cancelled_bookings,
                                "cancelled_seats": done.cancelled_seats, "filled": done.filled})
            return _("Merged: %(removed)s into %(kept)s.") % {"removed": done.removed_code, "kept": done.kept.code}

        try:
            done = await anyio.to_thread.run_sync(self._run, "merge", work)
        except Invalid as problem:
            return await self._merge_page(request, first, second, error=str(problem), status_code=400)
        Flash.success(request, done)
        return RedirectResponse(str(request.url_for("admin:details", identity="registration", pk=keep)),
                                status_code=303)

    async def _merge_page(self, request: Request, first: int, second: int, *, error: str | None = None,
                          status_code: int = 200) -> Response:
        def load():
            with self.session_maker() as sql_session:
                rows = [path_view.registration(sql_session, pk) for pk in (first, second)]
                held = [path_view.holdings(sql_session, row.contact_id) if row else {} for row in rows]
                sql_session.expunge_all()
                return rows, held

        rows, held = await anyio.to_thread.run_sync(load)
        if None in rows:
            raise HTTPException(status_code=404)
        from backoffice.views.registrations import LABELS, LANGUAGES, STATUSES  # registrations imports this module

        return await self.templates.TemplateResponse(request, "office/merge.html", {
            "title": _("Merge two registrations"), "rows": rows, "held": held, "fields": COMPARED,
            "shared": duplicates.shared(*rows), "pair_key": pair_key(*rows),
            "labels": LABELS, "statuses": STATUSES, "languages": LANGUAGES, "held_labels": HELD, "error": error,
            "can_merge": roles.can(request, DUPLICATES, "edit")}, status_code=status_code)

    @expose("/registration-path/step", methods=["POST"], identity="registration-path-step")
    async def step(self, request: Request) -> Response:
        roles.require(request, PATH)
        form = await request.form()
        pk = self._registration_id(form)

        def work(sql_session) -> str:
            step = checked(StepForm, form)
            today = self.clock().astimezone(TIMEZONE).date()
            try:
                programme.record(sql_session, registration=path_view.registration(sql_session, pk),
                                 kind=step.kind.data, on=step.day.data, today=today, company=step.company.data,
                                 contract_type=step.contract_type.data or None, reason=step.reason.data or None,
                                 note=step.note.data, created_by=request.state.operator.username)
            except programme.PathError as problem:
                raise Invalid(_path_error(problem), reason=problem.code) from None
            return _("Step recorded: %(step)s.") % {"step": STEPS[step.kind.data]}

        return await self._back(request, pk, "programme_step", work)

    @expose("/registration-path/reopen", methods=["POST"], identity="registration-path-reopen")
    async def reopen(self, request: Request) -> Response:
        roles.require(request, PATH)
        pk = self._registration_id(await request.form())

        def work(sql_session) -> str:
            from backoffice.views.registrations import STATUSES

            try:
                stage = programme.reopen(sql_session, registration=path_view.registration(sql_session, pk))
            except programme.PathError as problem:
                raise Invalid(_path_error(problem), reason=problem.code) from None
            return _("Reopened: back to \"%(stage)s\".") % {"stage": STATUSES.get(stage, stage)}

        return await self._back(request, pk, "programme_reopen", work)

    # -- shared -------------------------------------------------------------------------

    def _registration_id(self, form) -> int:
        pk = _id(form.get("registration"))
        with self.session_maker() as sql_session:
            if path_view.registration(sql_session, pk) is None:
                raise HTTPException(status_code=404)
        return pk

    def _run(self, action: str, work: Callable) -> str:
        return audit.run(self.session_maker, action, work)

    async def _back(self, request: Request, pk: int, action: str, work: Callable) -> Response:
        """Back to the detail page, with what was done or why nothing was."""
        try:
            done = await anyio.to_thread.run_sync(self._run, action, work)
        except Invalid as problem:
            request.session[ERROR_KEY] = str(problem)  # shown on the page (a toast would fade away)
        else:
            Flash.success(request, done)
        back = request.url_for("admin:details", identity="registration", pk=pk)
        return RedirectResponse(f"{back}#path", status_code=303)


HELD = {"channels": L_("Chat channels"), "bookings": L_("Interviews booked"), "seats": L_("Workshop places"),
        "events": L_("Path steps")}


def views(clock: Callable[[], dt.datetime], session_maker: sessionmaker) -> list[type]:
    return [type(DuplicatesPage.__name__, (DuplicatesPage,),
                 {"clock": staticmethod(clock), "session_maker": session_maker})]

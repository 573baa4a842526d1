"""/office/broadcasts/new: compose a notice (text per language, the audience with a live count,
a preview exactly as each person reads it, now or at a Rome date and time), a confirmation
showing the count, then send or schedule. The form is backoffice.forms.broadcast; the work is
services.broadcasts' (the same as ``python -m bot broadcasts``).

Composing and counting need the broadcasts' ``edit`` grant; every POST is CSRF-checked by the
middleware, and sending runs in one audited transaction. A wrong input is shown on the form
and nothing is written; the confirmation carries a one-time key, so sending it twice is one
broadcast."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import anyio
from sqladmin import Flash, expose
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from conversations import languages, municipalities
from conversations.i18n import TIMEZONE
from services import broadcasts
from services.audience import CHANNELS, Audience, Plan
from services.office import audit
from services.office_pages import broadcast_lookups
from services.operator_input import Invalid

from backoffice import roles
from backoffice.forms.broadcast import LANGUAGE_NAMES, WORKSHOP_MISSING, AudienceForm, TextsForm, WhenForm
from backoffice.forms.fields import checked
from backoffice.i18n import L_, _, format_datetime
from backoffice.views.broadcast_base import EDIT, OfficePage
from backoffice.views.broadcast_words import CHANNEL_NAMES, count_line, describe, previews, refusal

# The compose form's fields: carried through the confirmation step as hidden inputs.
FIELDS = (*(f"text_{code}" for code in languages.CODES), "not_interviewed", "workshop", "with_waitlist",
          "language", "channel", "municipality", "when", "send_at")


@dataclass(frozen=True)
class Draft:
    """A checked compose form: nothing written yet."""

    texts: dict[str, str]
    audience: Audience
    send_at: dt.datetime | None  # None: now


def audience_of(sql_session, form) -> Audience:
    """The form's filters, the workshop session looked up in the database."""
    audience = checked(AudienceForm, form).audience()
    if audience.workshop is not None and not broadcast_lookups.workshop_session_exists(sql_session,
                                                                                        audience.workshop):
        raise Invalid(str(WORKSHOP_MISSING), reason="workshop")
    return audience


class ComposePage(OfficePage):
    """/office/broadcasts/new: compose, count, preview, confirm, send or schedule."""

    name = L_("New broadcast")
    icon = "fa-solid fa-pen-to-square"

    def is_visible(self, request: Request) -> bool:
        return False  # reached from the list's "New broadcast" button

    @expose("/broadcasts/new", methods=["GET", "POST"], identity="broadcasts-new")
    async def compose(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._form(request)
        roles.require(request, EDIT)
        form = await request.form()
        step = str(form.get("step") or "review")
        if step == "edit":
            return await self._form(request, form=form)
        if step in ("count", "preview"):
            return await self._checked_form(request, form, with_texts=step == "preview")
        if step == "send":
            return await self._send(request, form)
        return await self._review(request, form)

    @expose("/broadcasts/count", methods=["POST"], identity="broadcasts-count")
    async def count(self, request: Request) -> Response:
        """The live count: the audience's figures as JSON, for the compose page's script."""
        roles.require(request, EDIT)
        form = await request.form()

        def work(sql_session) -> dict[str, Any]:
            plan = broadcasts.count(sql_session, audience_of(sql_session, form), self.clock())
            return {"count": len(plan.recipients), "opted_out": plan.opted_out, "unreachable": plan.unreachable,
                    "text": count_line(plan)}

        try:
            return JSONResponse(await anyio.to_thread.run_sync(self._run, work))
        except Invalid as problem:
            return JSONResponse({"error": str(problem)}, status_code=400)

    # -- steps ----------------------------------------------------------------------------

    async def _checked_form(self, request: Request, form, *, with_texts: bool) -> Response:
        """"Count" and "Preview" without a script: the same form, with the figures (and the preview)."""

        def work(sql_session) -> dict[str, Any]:
            shown: dict[str, Any] = {"plan": broadcasts.count(sql_session, audience_of(sql_session, form),
                                                              self.clock())}
            if with_texts:
                shown["previews"] = previews(checked(TextsForm, form).texts())
            return shown

        try:
            shown = await anyio.to_thread.run_sync(self._run, work)
        except Invalid as problem:
            return await self._form(request, form=form, error=str(problem), status_code=400)
        return await self._form(request, form=form, **shown)

    def _draft(self, sql_session, form) -> tuple[Draft, Plan]:
        """Everything checked, in the order the operator reads the form."""
        texts = checked(TextsForm, form).texts()
        audience = audience_of(sql_session, form)
        send_at = checked(WhenForm, form, now=self.clock()).send_at.data
        plan = broadcasts.count(sql_session, audience, self.clock())
        if not plan.recipients:
            raise Invalid(_("Nobody would receive this broadcast: change the audience."), reason="nobody")
        return Draft(texts, audience, send_at), plan

    async def _review(self, request: Request, form) -> Response:
        def work(sql_session) -> dict[str, Any]:
            draft, plan = self._draft(sql_session, form)
            return {"draft": draft, "plan": plan, "previews": previews(draft.texts),
                    "audience": describe(draft.audience, self._workshops(sql_session))}

        try:
            shown = await anyio.to_thread.run_sync(self._run, work)
        except Invalid as problem:
            return await self._form(request, form=form, error=str(problem), status_code=400)
        context = {"title": _("Confirm the broadcast"), "form": form, "fields": FIELDS, "when": format_datetime,
                   "count_line": count_line(shown["plan"]), "request_key": secrets.token_urlsafe(24), **shown}
        return await self.templates.TemplateResponse(request, "office/broadcast_confirm.html", context)

    async def _send(self, request: Request, form) -> Response:
        operator = request.state.operator.username
        key = str(form.get("request_key") or "")[:64] or None

        def repeated(sql_session) -> tuple[int, str]:
            sent = broadcast_lookups.sent_with_key(sql_session, key)
            return sent, _("This confirmation was already sent: broadcast %(id)s, once.") % {"id": sent}

        def work(sql_session) -> tuple[int, str]:
            now = self.clock()
            if broadcast_lookups.sent_with_key(sql_session, key):
                return repeated(sql_session)  # before any check: the first one passed them
            draft, _plan = self._draft(sql_session, form)
            try:
                broadcast = broadcasts.create(sql_session, texts=draft.texts, audience=draft.audience,
                                              send_at=draft.send_at or now, created_by=operator, now=now,
                                              request_key=key)
            except broadcasts.BroadcastError as problem:
                if problem.reason == "repeated":  # the same page sent twice at the same moment
                    return repeated(sql_session)
                raise Invalid(refusal(problem), reason=problem.reason) from None
            if draft.send_at is not None:
                return broadcast.id, (_("Broadcast %(id)s scheduled for %(when)s.")
                                      % {"id": broadcast.id, "when": format_datetime(draft.send_at)})
            queued = broadcasts.queue(sql_session, broadcast.id, now=now)
            audit.record(sql_session, action="queue_broadcast", actor=audit.current_actor.get(), at=now,
                         table="broadcast", row_id=broadcast.id, after={"status": "queued", "queued": queued})
            return broadcast.id, (_("Broadcast %(id)s queued: %(count)s messages; the bot sends them within the "
                                    "platforms' limits.") % {"id": broadcast.id, "count": queued})

        try:
            sent, done = await anyio.to_thread.run_sync(lambda: self._run(work, action="send_broadcast"))
        except Invalid as problem:
            return await self._form(request, form=form, error=str(problem), status_code=400)
        Flash.success(request, done)
        url = request.url_for("admin:view-broadcasts-report").include_query_params(broadcast=sent)
        return RedirectResponse(str(url), status_code=303)

    async def _form(self, request: Request, *, form=None, error: str | None = None, plan: Plan | None = None,
                    previews: list | None = None, status_code: int = 200) -> Response:
        can_edit = roles.can(request, EDIT, "edit")
        workshops = await anyio.to_thread.run_sync(self._run, self._workshops) if can_edit else {}
        context = {"title": _("New broadcast"), "error": error, "form": form or {}, "plan": plan,
                   "count_line": count_line(plan) if plan else None, "previews": previews,
                   "can_edit": can_edit, "workshops": workshops, "languages": LANGUAGE_NAMES,
                   "channels": {key: CHANNEL_NAMES[key] for key in CHANNELS}, "comuni": municipalities.COMUNI,
                   "max_text": broadcasts.MAX_TEXT,
                   "example": (self.clock() + dt.timedelta(days=1)).astimezone(TIMEZONE).strftime("%d/%m/%Y 09:00")}
        return await self.templates.TemplateResponse(request, "office/broadcast_compose.html", context,
                                                     status_code=status_code)

"""The broadcasts' pages: compose a notice (text per language, the audience with a live count,
a preview exactly as each person reads it, now or at a Rome date and time, a confirmation
showing the count), the list with cancel, and each broadcast's delivery report.

The same functions as ``python -m bot broadcasts`` do the work (services.broadcasts, services.audience):
counting, queueing, cancelling and the report are computed in one place. Everyone with the
pages' ``list`` grant reads the list and the reports; composing, counting and cancelling need
``edit`` (operators, admins). Every POST is CSRF-checked by the middleware and runs in one
audited transaction; a wrong input is shown on the form and nothing is written."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any, Callable

import anyio
from sqladmin import BaseView, Flash, expose
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from conversations import languages, municipalities
from conversations.i18n import TIMEZONE
from services import agenda, broadcasts
from services.audience import CHANNELS, Audience, Plan
from store.models import Broadcast, WorkshopSession, utcnow

from services.office import audit

from backoffice import roles
from backoffice.i18n import L_, _, format_datetime, person_language, person_languages
from backoffice.views.broadcasts import STATUSES

EDIT = "broadcasts"  # the grant that lets one compose, count and cancel
LANGUAGE_NAMES = person_languages()
CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp", "console": L_("Terminal"), "web": L_("Web chat")}
# The compose form's fields: carried through the confirmation step as hidden inputs.
FIELDS = (*(f"text_{code}" for code in languages.CODES), "not_interviewed", "workshop", "with_waitlist",
          "language", "channel", "municipality", "when", "send_at")
WHEN_FORMATS = ("%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M")


class Invalid(ValueError):
    """A wrong input, shown on the form."""


@dataclass(frozen=True)
class Draft:
    """A checked compose form: nothing written yet."""

    texts: dict[str, str]
    audience: Audience
    send_at: dt.datetime | None  # None: now



def _text(form, key: str) -> str:
    """Browsers send a textarea's line breaks as CRLF; the chat wants plain newlines."""
    return str(form.get(key) or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _no_default_text() -> str:
    return _("Write the text in %(language)s: it is required (who chats in another language gets it when "
             "there is no text in theirs).") % {"language": person_language(languages.DEFAULT, in_text=True)}


def parse_texts(form) -> dict[str, str]:
    texts = {language: _text(form, f"text_{language}") for language in languages.CODES}
    if not texts[languages.DEFAULT]:
        raise Invalid(_no_default_text())
    for language, text in texts.items():
        if len(text) > broadcasts.MAX_TEXT:
            raise Invalid(_("Text too long: %(count)s characters, at most %(max)s (%(language)s).")
                          % {"language": LANGUAGE_NAMES[language], "count": len(text), "max": broadcasts.MAX_TEXT})
    return {language: text for language, text in texts.items() if text}


def parse_audience(session, form) -> Audience:
    """The filters of the form, checked against the database and the list of comuni."""
    raw = str(form.get("workshop") or "").strip()
    workshop = None
    if raw:
        if not raw.isdigit() or len(raw) > 18 or session.get(WorkshopSession, int(raw)) is None:
            raise Invalid(_("This workshop session does not exist."))
        workshop = int(raw)
    with_waitlist = bool(form.get("with_waitlist")) and workshop is not None
    language = str(form.get("language") or "") or None
    if language is not None and language not in languages.CODES:
        raise Invalid(_("Choose the language."))
    channel = str(form.get("channel") or "") or None
    if channel is not None and channel not in CHANNELS:
        raise Invalid(_("Choose the channel."))
    return Audience(not_interviewed=bool(form.get("not_interviewed")), workshop=workshop,
                    with_waitlist=with_waitlist, language=language, channel=channel,
                    municipality=_municipality(str(form.get("municipality") or "").strip()))


def _municipality(typed: str) -> str | None:
    if not typed:
        return None
    found = municipalities.find(typed[:100])
    if found.name:
        return found.name
    if found.outside:
        raise Invalid(_("%(name)s is not a comune of the Città metropolitana di Bologna.") % {"name": found.outside})
    if found.suggestions:
        raise Invalid(_("Comune not recognised: %(typed)s (perhaps: %(suggestions)s?)")
                      % {"typed": typed, "suggestions": ", ".join(found.suggestions)})
    raise Invalid(_("Comune not recognised: %(typed)s") % {"typed": typed})


def parse_when(form, now: dt.datetime) -> dt.datetime | None:
    """None to send at once; otherwise a Rome date and time, as a UTC instant in the future."""
    if str(form.get("when") or "now") != "later":
        return None
    typed = str(form.get("send_at") or "").strip()
    for fmt in WHEN_FORMATS:
        try:
            moment = dt.datetime.strptime(typed, fmt)
            break
        except ValueError:
            pass
    else:
        raise Invalid(_("Write the date and time of sending as dd/mm/yyyy hh:mm."))
    send_at = agenda.local(moment.date(), moment.time())
    if send_at <= now:
        raise Invalid(_("That time is already past."))
    return send_at


def previews(texts: dict[str, str]) -> list[tuple[str, str, str]]:
    """(language, its name, the message) as each person reads it: the outbox's own text."""
    return [(language, str(LANGUAGE_NAMES[language]), broadcasts.text_for(texts, language))
            for language in languages.CODES]


def count_line(plan: Plan) -> str:
    return (_("Recipients: %(count)s (left out: %(opted_out)s who do not want notices, %(unreachable)s not "
              "reachable)") % {"count": len(plan.recipients), "opted_out": plan.opted_out,
                               "unreachable": plan.unreachable})


def describe(audience: Audience | dict, workshops: dict[int, str]) -> str:
    """The filters, in the operator's language: "not interviewed yet, language: English"."""
    try:
        a = Audience.of(audience)
    except (TypeError, ValueError):  # written by hand, not by these pages or the command line
        return str(audience)
    parts = []
    if a.not_interviewed:
        parts.append(_("not interviewed yet"))
    if a.workshop is not None:
        title = workshops.get(a.workshop) or f"#{a.workshop}"
        parts.append((_("seats at %(workshop)s and its waiting list") if a.with_waitlist
                       else _("seats at %(workshop)s")) % {"workshop": title})
    if a.language:
        parts.append(_("language: %(language)s") % {"language": LANGUAGE_NAMES.get(a.language, a.language)})
    if a.channel:
        parts.append(_("channel: %(channel)s") % {"channel": CHANNEL_NAMES.get(a.channel, a.channel)})
    if a.municipality:
        parts.append(_("comune: %(name)s") % {"name": a.municipality})
    return ", ".join(str(p) for p in parts) or _("everyone registered")


def status_label(status: str, pending: int) -> str:
    if status == "queued" and not pending:
        return _("Completed")
    return str(STATUSES.get(status, status))


def cancellable(status: str, pending: int) -> bool:
    """What broadcasts.cancel accepts: a scheduled one, or one under way with rows still to send."""
    return status == "scheduled" or (status == "queued" and pending > 0)


def _workshops(session) -> dict[int, str]:
    rows = session.execute(select(WorkshopSession.id, WorkshopSession.title, WorkshopSession.starts_at,
                                  WorkshopSession.cancelled_at).order_by(WorkshopSession.starts_at))
    return {row.id: f"{row.title} ({format_datetime(row.starts_at)})" + (" ✕" if row.cancelled_at else "")
            for row in rows}


def _refusal(problem: broadcasts.BroadcastError) -> str:
    return {"no_italian": _no_default_text(),
            "too_long": _("Text too long: at most %(max)s characters.") % {"max": broadcasts.MAX_TEXT},
            "past": _("That time is already past."),
            "not_found": _("Not found."),
            "cancelled": _("This broadcast is already cancelled."),
            "finished": _("This broadcast has already gone to everyone: there is nothing left to cancel.")}.get(
        problem.reason, problem.reason)


class _Page(BaseView):
    session_maker: sessionmaker | None = None
    clock: Callable[[], dt.datetime] = staticmethod(utcnow)

    def _run(self, work: Callable, *args, action: str | None = None):
        """Read (nothing committed), or with ``action`` change, in one audited transaction."""
        if action:
            return audit.run(self.session_maker, action, lambda session: work(session, *args))
        with self.session_maker() as session:
            return work(session, *args)


class BroadcastsPage(_Page):
    """/office/broadcasts: every broadcast with its status; the report; cancel."""

    name = L_("Broadcasts")
    icon = "fa-solid fa-bullhorn"

    # The first route is the menu's (sqladmin names the view after it).
    @expose("/broadcasts", methods=["GET"], identity="broadcasts")
    async def listing(self, request: Request) -> Response:
        return await self._list(request)

    @expose("/broadcasts/report", methods=["GET"], identity="broadcasts-report")
    async def report(self, request: Request) -> Response:
        raw = request.query_params.get("broadcast", "")
        return await self._report(request, int(raw) if raw.isdigit() and len(raw) < 18 else 0)

    @expose("/broadcasts/cancel", methods=["POST"], identity="broadcasts-cancel")
    async def cancel(self, request: Request) -> Response:
        roles.require(request, EDIT)
        form = await request.form()
        raw = str(form.get("broadcast") or "")
        broadcast_id = int(raw) if raw.isdigit() and len(raw) < 18 else 0
        back_to_report = form.get("back") == "report"

        def work(session) -> str:
            now = self.clock()
            try:
                done = broadcasts.cancel(session, broadcast_id, now)
            except broadcasts.BroadcastError as problem:
                raise Invalid(_refusal(problem)) from None
            audit.record(session, action="cancel_broadcast", actor=audit.current_actor.get(), at=now,
                         table="broadcast", row_id=broadcast_id, before={"status": done.was},
                         after={"status": "cancelled", "withdrawn": done.withdrawn})
            if done.was == "scheduled":
                return _("Broadcast %(id)s cancelled: it will not be sent.") % {"id": broadcast_id}
            return (_("Broadcast %(id)s stopped: %(count)s messages not yet sent were withdrawn; those sent "
                      "stay sent.") % {"id": broadcast_id, "count": done.withdrawn})

        try:
            done = await anyio.to_thread.run_sync(lambda: self._run(work, action="cancel_broadcast"))
        except Invalid as problem:
            if back_to_report and broadcast_id:
                return await self._report(request, broadcast_id, error=str(problem), status_code=400)
            return await self._list(request, error=str(problem), status_code=400)
        Flash.success(request, done)
        if back_to_report:
            url = request.url_for("admin:view-broadcasts-report").include_query_params(broadcast=broadcast_id)
        else:
            url = request.url_for("admin:view-broadcasts")
        return RedirectResponse(str(url), status_code=303)

    async def _list(self, request: Request, *, error: str | None = None, status_code: int = 200) -> Response:
        def load(session) -> dict[str, Any]:
            rows = broadcasts.recent(session, limit=200)
            named = _workshops(session)
            session.expunge_all()
            return {"rows": [{"summary": row, "status": status_label(row.broadcast.status, row.pending),
                              "audience": describe(row.broadcast.audience, named),
                              "cancellable": cancellable(row.broadcast.status, row.pending),
                              "text": _short(row.broadcast.texts.get(languages.DEFAULT) or "")} for row in rows]}

        data = await anyio.to_thread.run_sync(self._run, load)
        context = {"title": _("Broadcasts"), "error": error, "when": format_datetime,
                   "can_edit": roles.can(request, EDIT, "edit"),
                   "can_export": roles.can(request, "broadcast", "export"), **data}
        return await self.templates.TemplateResponse(request, "office/broadcast_list.html", context,
                                                     status_code=status_code)

    async def _report(self, request: Request, broadcast_id: int, *, error: str | None = None,
                      status_code: int = 200) -> Response:
        def load(session) -> dict[str, Any] | None:
            try:
                found = broadcasts.report(session, broadcast_id)
            except broadcasts.BroadcastError:
                return None
            named = _workshops(session)
            session.expunge_all()
            return {"report": found, "audience": describe(found.broadcast.audience, named),
                    "status": status_label(found.broadcast.status, found.pending),
                    "cancellable": cancellable(found.broadcast.status, found.pending),
                    "texts": [(str(LANGUAGE_NAMES.get(language, language)), text)
                              for language, text in found.broadcast.texts.items()]}

        data = await anyio.to_thread.run_sync(self._run, load)
        if data is None:
            return await self._list(request, error=_("Not found."), status_code=404)
        context = {"title": _("Broadcast %(id)s") % {"id": broadcast_id}, "error": error, "when": format_datetime,
                   "can_edit": roles.can(request, EDIT, "edit"), **data}
        return await self.templates.TemplateResponse(request, "office/broadcast_report.html", context,
                                                     status_code=status_code)


class ComposePage(_Page):
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

        def work(session) -> dict[str, Any]:
            plan = broadcasts.count(session, parse_audience(session, form), self.clock())
            return {"count": len(plan.recipients), "opted_out": plan.opted_out, "unreachable": plan.unreachable,
                    "text": count_line(plan)}

        try:
            return JSONResponse(await anyio.to_thread.run_sync(self._run, work))
        except Invalid as problem:
            return JSONResponse({"error": str(problem)}, status_code=400)

    # -- steps ----------------------------------------------------------------------------

    async def _checked_form(self, request: Request, form, *, with_texts: bool) -> Response:
        """"Count" and "Preview" without a script: the same form, with the figures (and the preview)."""

        def work(session) -> dict[str, Any]:
            shown: dict[str, Any] = {"plan": broadcasts.count(session, parse_audience(session, form), self.clock())}
            if with_texts:
                shown["previews"] = previews(parse_texts(form))
            return shown

        try:
            shown = await anyio.to_thread.run_sync(self._run, work)
        except Invalid as problem:
            return await self._form(request, form=form, error=str(problem), status_code=400)
        return await self._form(request, form=form, **shown)

    def _draft(self, session, form) -> tuple[Draft, Plan]:
        """Everything checked, in the order the operator reads the form."""
        texts = parse_texts(form)
        audience = parse_audience(session, form)
        send_at = parse_when(form, self.clock())
        plan = broadcasts.count(session, audience, self.clock())
        if not plan.recipients:
            raise Invalid(_("Nobody would receive this broadcast: change the audience."))
        return Draft(texts, audience, send_at), plan

    async def _review(self, request: Request, form) -> Response:
        def work(session) -> dict[str, Any]:
            draft, plan = self._draft(session, form)
            return {"draft": draft, "plan": plan, "previews": previews(draft.texts),
                    "audience": describe(draft.audience, _workshops(session))}

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

        def repeated(session) -> tuple[int, str]:
            sent = session.scalar(select(Broadcast.id).where(Broadcast.request_key == key))
            return sent, _("This confirmation was already sent: broadcast %(id)s, once.") % {"id": sent}

        def work(session) -> tuple[int, str]:
            now = self.clock()
            if key and session.scalar(select(Broadcast.id).where(Broadcast.request_key == key)):
                return repeated(session)  # before any check: the first one passed them
            draft, _plan = self._draft(session, form)
            try:
                broadcast = broadcasts.create(session, texts=draft.texts, audience=draft.audience,
                                              send_at=draft.send_at or now, created_by=operator, now=now,
                                              request_key=key)
            except broadcasts.BroadcastError as problem:
                if problem.reason == "repeated":  # the same page sent twice at the same moment
                    return repeated(session)
                raise Invalid(_refusal(problem)) from None
            if draft.send_at is not None:
                return broadcast.id, (_("Broadcast %(id)s scheduled for %(when)s.")
                                      % {"id": broadcast.id, "when": format_datetime(draft.send_at)})
            queued = broadcasts.queue(session, broadcast.id, now=now)
            audit.record(session, action="queue_broadcast", actor=audit.current_actor.get(), at=now,
                         table="broadcast", row_id=broadcast.id, after={"status": "queued", "queued": queued})
            return broadcast.id, (_("Broadcast %(id)s queued: %(count)s messages; the bot sends them within the "
                                    "platforms' limits.") % {"id": broadcast.id, "count": queued})

        try:
            broadcast_id, done = await anyio.to_thread.run_sync(
                lambda: self._run(work, action="send_broadcast"))
        except Invalid as problem:
            return await self._form(request, form=form, error=str(problem), status_code=400)
        Flash.success(request, done)
        url = request.url_for("admin:view-broadcasts-report").include_query_params(broadcast=broadcast_id)
        return RedirectResponse(str(url), status_code=303)

    async def _form(self, request: Request, *, form=None, error: str | None = None, plan: Plan | None = None,
                    previews: list | None = None, status_code: int = 200) -> Response:
        can_edit = roles.can(request, EDIT, "edit")
        workshops = await anyio.to_thread.run_sync(self._run, _workshops) if can_edit else {}
        context = {"title": _("New broadcast"), "error": error, "form": form or {}, "plan": plan,
                   "count_line": count_line(plan) if plan else None, "previews": previews,
                   "can_edit": can_edit, "workshops": workshops, "languages": LANGUAGE_NAMES,
                   "channels": {key: CHANNEL_NAMES[key] for key in CHANNELS}, "comuni": municipalities.COMUNI,
                   "max_text": broadcasts.MAX_TEXT,
                   "example": (self.clock() + dt.timedelta(days=1)).astimezone(TIMEZONE).strftime("%d/%m/%Y 09:00")}
        return await self.templates.TemplateResponse(request, "office/broadcast_compose.html", context,
                                                     status_code=status_code)


def _short(value: str, limit: int = 60) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def views(clock: Callable[[], dt.datetime], session_maker: sessionmaker) -> list[type]:
    """Fresh subclasses for each application, as backoffice.app.views makes."""
    return [type(base.__name__, (base,), {"clock": staticmethod(clock), "session_maker": session_maker})
            for base in (BroadcastsPage, ComposePage)]

"""Programme information (#15): the topics the chat answers questions with, and their texts per
language (title, answer, words and phrases that point to them; services.info). Everyone with the
page's ``list`` grant reads; saving needs ``edit`` (operators, admins), in one audited
transaction; a wrong input is shown on the form with what was typed, nothing written."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import anyio
from sqladmin import BaseView, Flash, expose
from sqlalchemy.orm import sessionmaker
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from conversations import languages
from services import info
from services.clock import utcnow
from services.office import audit
from services.operator_input import Invalid

from backoffice import roles
from backoffice.i18n import L_, _

IDENTITY = "programme-info"
# The audit log's words for the table's columns (backoffice.views.audit_words).
COLUMN_LABELS = {"topic": L_("Key"), "language": L_("Language"), "position": L_("Position"), "title": L_("Title"),
                 "answer": L_("Answer"), "keywords": L_("Words and phrases"), "updated_by": L_("Saved by"),
                 "updated_at": L_("Updated on")}


class InfoPage(BaseView):
    """/office/programme-info: the topics; ?topic=KEY&language=xx one text; ?new=1 a new topic."""

    name = L_("Programme information")
    icon = "fa-solid fa-circle-info"
    session_maker: sessionmaker | None = None
    clock: Callable[[], dt.datetime] = staticmethod(utcnow)

    @expose("/programme-info", methods=["GET"], identity=IDENTITY)
    async def listing(self, request: Request) -> Response:
        return await self._page(request)

    @expose("/programme-info/save", methods=["POST"], identity="programme-info-save")
    async def save(self, request: Request) -> Response:
        roles.require(request, IDENTITY)
        form = await request.form()
        who, now = request.state.operator.username, self.clock()
        topic, language = str(form.get("topic", ""))[:40].strip().lower(), str(form.get("language", ""))[:10]

        def work(sql_session) -> str:
            raw = str(form.get("position", "")).strip()
            if raw and not (raw.isdigit() and len(raw) < 4):
                raise Invalid(f"posizione: un numero da 0 a {info.MAX_POSITION}", reason="position")
            if form.get("new") and topic in {t.key for t in info.topics(sql_session)}:
                raise Invalid(f"c'è già un argomento con la chiave «{topic}»", reason="topic")
            saved = info.save(sql_session, topic=topic, language=language, title=str(form.get("title", "")),
                              answer=str(form.get("answer", "")), keywords=str(form.get("keywords", "")),
                              position=int(raw) if raw else None, by=who, now=now)
            return _("Text saved.") if saved else _("Translation removed: the Italian text is shown instead.")

        try:
            done = await anyio.to_thread.run_sync(audit.run, self.session_maker, "info_save", work)
        except Invalid as problem:
            return await self._page(request, error=str(problem), form=form, status_code=400)
        Flash.success(request, done)
        url = request.url_for("admin:view-programme-info").include_query_params(topic=topic, language=language)
        return RedirectResponse(str(url), status_code=303)

    async def _page(self, request: Request, *, error: str | None = None, form=None, status_code: int = 200) -> Response:
        params = form or request.query_params
        topic = str(params.get("topic", ""))[:40]
        language = str(params.get("language", "")) or languages.DEFAULT
        language = language if language in languages.CODES else languages.DEFAULT
        new = bool(params.get("new"))

        def load() -> dict[str, Any]:
            with self.session_maker() as sql_session:
                topics = info.topics(sql_session)
                sql_session.expunge_all()
            return {"topics": topics, "chosen": next((t for t in topics if t.key == topic), None)}

        data = await anyio.to_thread.run_sync(load)
        chosen = data["chosen"]
        context = {"title": _("Programme information"), "error": error, "form": form, "new": new and chosen is None,
                   "language": language, "codes": languages.CODES, "default": languages.DEFAULT,
                   "can_edit": roles.can(request, IDENTITY, "edit"), "limits": info.LIMITS,
                   "text": chosen.texts.get(language) if chosen else None,
                   "italian": chosen.texts.get(languages.DEFAULT) if chosen else None, **data}
        return await self.templates.TemplateResponse(request, "office/programme_info.html", context,
                                                     status_code=status_code)


def views(clock: Callable[[], dt.datetime], session_maker: sessionmaker) -> list[type]:
    """A fresh subclass for each application, as backoffice.app.views makes."""
    return [type(InfoPage.__name__, (InfoPage,), {"clock": staticmethod(clock), "session_maker": session_maker})]

"""/office/inbox: the people's messages to the office (services.inbox, services.inbox_views). The
list by status with the unread ones marked; a conversation's page with the person's name, code,
language, channel and registration, its history (a file the person sent with its download link,
for those who may download it), the reply box with the canned replies of the
person's language, internal notes, "prendo io", close and reopen. The page asks a small JSON
endpoint every few seconds for new messages (backoffice/static/inbox.js), and the navigation's
badge asks for the unread count. Every role reads; operators act (viewers get 403 on every POST);
every change is in the audit log (services.office.audit)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import anyio
from sqladmin import BaseView, Flash, expose
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from services import inbox, inbox_views
from services.clock import utcnow
from services.office import audit
from services.operator_input import Invalid

from backoffice import roles
from backoffice.i18n import L_, _, format_datetime

STATUS_LABELS = {"new": L_("New"), "assigned": L_("In progress"), "waiting": L_("Waiting for the person"),
                 "closed": L_("Closed")}
KIND_LABELS = {"person": L_("The person"), "operator": L_("Reply"), "note": L_("Internal note")}
ACTIONS = ("take", "reply", "note", "close", "reopen")
CHANNELS = {"telegram": "Telegram", "whatsapp": "WhatsApp", "web": L_("Web chat"), "console": L_("Terminal")}
DOCUMENTS = "documents"  # backoffice.views.document_pages: operators and admins download, viewers see the name


def _number(raw: object) -> int | None:
    text = str(raw or "")
    return int(text) if text.isdigit() and len(text) < 12 else None


def line_json(line: inbox_views.Line, download: str | None = None) -> dict[str, Any]:
    """One message for the page's poll; a file the person sent has ``document``, and ``download``
    (its link) for those who may download it (as on the registration's page)."""
    shown = {"id": line.id, "kind": line.kind, "label": str(KIND_LABELS[line.kind]), "author": line.author or "",
             "at": format_datetime(line.at), "text": line.text, "document": line.document_id is not None}
    if line.document_id is not None and download:
        shown["download"] = f"{download}?id={line.document_id}"
    return shown


class InboxPage(BaseView):
    """The list, a conversation, the two JSON endpoints and the operators' actions."""

    name = L_("Messages to the office")
    icon = "fa-solid fa-inbox"
    session_maker: sessionmaker | None = None
    clock: Callable[[], dt.datetime] = staticmethod(utcnow)
    page_identity = "inbox"

    @expose("/inbox", methods=["GET"], identity="inbox")
    async def inbox_list(self, request: Request) -> Response:
        raw = request.query_params.get("status", "")
        status = raw if raw in inbox.STATUS_WORDS else None
        data = await anyio.to_thread.run_sync(self._list, status)
        context = {"title": _("Messages to the office"), "status": status, "labels": STATUS_LABELS,
                   "channels": CHANNELS, **data}
        return await self.templates.TemplateResponse(request, "office/inbox.html", context)

    @expose("/inbox/conversation", methods=["GET"], identity="inbox-conversation")
    async def conversation(self, request: Request) -> Response:
        conversation_id = _number(request.query_params.get("id"))
        if conversation_id is None:
            raise HTTPException(status_code=404)
        data = await anyio.to_thread.run_sync(self._conversation, conversation_id)
        context = {"title": _("Conversation %(id)s") % {"id": conversation_id}, "labels": STATUS_LABELS,
                   "kinds": KIND_LABELS, "channels": CHANNELS, "can_edit": roles.can(request, self.page_identity, "edit"),
                   "can_download": roles.can(request, DOCUMENTS, "list"), "max_reply": inbox.MAX_REPLY, **data}
        return await self.templates.TemplateResponse(request, "office/inbox_conversation.html", context)

    @expose("/inbox/messages.json", methods=["GET"], identity="inbox-messages")
    async def messages(self, request: Request) -> Response:
        """What came after message ``after``: the page's poll (it also marks them read)."""
        conversation_id = _number(request.query_params.get("id"))
        after = _number(request.query_params.get("after")) or 0
        if conversation_id is None:
            raise HTTPException(status_code=404)
        data = await anyio.to_thread.run_sync(self._conversation, conversation_id, after)
        found = data["detail"]
        download = str(request.url_for("admin:view-documents")) if roles.can(request, DOCUMENTS, "list") else None
        return JSONResponse({"lines": [line_json(line, download) for line in found.lines],
                             "status": found.conversation.status,
                             "status_label": str(STATUS_LABELS[found.conversation.status])},
                            headers={"Cache-Control": "no-store"})

    @expose("/inbox/counts.json", methods=["GET"], identity="inbox-counts")
    async def counts(self, request: Request) -> Response:
        """The navigation's badge: conversations with a message nobody opened yet."""
        found = await anyio.to_thread.run_sync(self._counts)
        label = _("%(count)s unread") % {"count": found["unread"]}
        return JSONResponse({**found, "label": label}, headers={"Cache-Control": "no-store"})

    @expose("/inbox/act", methods=["POST"], identity="inbox-act")
    async def act(self, request: Request) -> Response:
        roles.require(request, self.page_identity)
        form = await request.form()
        conversation_id, action = _number(form.get("id")), str(form.get("action", ""))
        if conversation_id is None or action not in ACTIONS:
            raise HTTPException(status_code=400)
        who, text, now = request.state.operator.username, str(form.get("text", "")), self.clock()

        def work(sql_session) -> None:
            if action == "reply":
                inbox.reply(sql_session, conversation_id, text=text, by=who, now=now)
            elif action == "note":
                inbox.note(sql_session, conversation_id, text=text, by=who, now=now)
            elif action == "take":
                inbox.take(sql_session, conversation_id, by=who)
            elif action == "close":
                inbox.close(sql_session, conversation_id, now=now)
            else:
                inbox.reopen(sql_session, conversation_id)

        back = str(request.url_for("admin:view-inbox-conversation").include_query_params(id=conversation_id))
        try:
            await anyio.to_thread.run_sync(audit.run, self.session_maker, f"inbox_{action}", work)
        except Invalid as problem:
            Flash.error(request, _why(problem))
            return RedirectResponse(back + "#reply", status_code=303)
        Flash.success(request, str(DONE[action]))
        return RedirectResponse(back + ("#reply" if action in ("reply", "note") else ""), status_code=303)

    # -- reading, in worker threads ------------------------------------------------------------
    def _list(self, status: str | None) -> dict[str, Any]:
        with self.session_maker() as sql_session:
            return {"conversations": inbox_views.listing(sql_session, status), "counts": inbox_views.counts(sql_session)}

    def _conversation(self, conversation_id: int, after: int = 0) -> dict[str, Any]:
        with self.session_maker() as sql_session:
            try:
                found = inbox_views.detail(sql_session, conversation_id, after)
            except Invalid:
                raise HTTPException(status_code=404) from None
            canned = [(reply.title, reply.text) for reply in inbox_views.canned(sql_session, found.conversation.language)]
            inbox.seen(sql_session, conversation_id, self.clock())
            sql_session.commit()
        return {"detail": found, "canned": canned}

    def _counts(self) -> dict[str, int]:
        with self.session_maker() as sql_session:
            return inbox_views.counts(sql_session)


DONE = {"reply": L_("Reply sent: the bot delivers it on the person's channel."), "note": L_("Note saved."),
        "take": L_("The conversation is yours."), "close": L_("Conversation closed."),
        "reopen": L_("Conversation reopened.")}
WHY = {"empty": L_("Write the text first."), "too_long": L_("The text is too long."),
       "closed": L_("The conversation is closed: reopen it first."),
       "erased": L_("The person erased their data: they cannot be answered."),
       "unreachable": L_("No channel reaches the person (they blocked the bot?): the reply was not sent."),
       "other_open": L_("The person has another conversation open: write there."),
       "not_found": L_("This conversation does not exist.")}


def _why(problem: Invalid) -> str:
    return str(WHY.get(problem.reason, problem))


def views(clock: Callable[[], dt.datetime], session_maker: sessionmaker) -> list[type]:
    return [type(InboxPage.__name__, (InboxPage,), {"clock": staticmethod(clock), "session_maker": session_maker})]

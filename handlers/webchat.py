"""The web chat: a page at /chat talking to the conversation engine on channel "web".

The person holds a random secret in an HttpOnly, SameSite=Lax cookie (``webchat_id``; it lasts
a year). Their external_id on channel "web" is a hash of it (handlers.webchat_parts.identity): the
database, the logs and "see my data" never hold the secret, so what is shown or logged cannot be
replayed as a cookie. (Ids were the cookie's value itself before: such an identity moves to the
hash the first time its cookie is seen, ``people.rekey``.) The page carries a token bound to the
cookie (an HMAC of it, "signed double submit"): every POST must send it back in the
``X-CSRF-Token`` header, which a cross-site form cannot do. Floods are refused politely (429),
per person and per address. A POST's body is at most MAX_BODY bytes (413), checked before and
while it is read. Every response carries a Content-Security-Policy without inline script, no
framing, no sniffing, no referrer.

- ``GET /chat`` the page (handlers/web/chat.html + chat.js, served from here: no CDN, no build);
- ``POST /chat/messages`` JSON ``{"text": ...}`` or ``{"payload": ...}`` with a ``client_id``
  (the browser's id for that message: a repeated POST is handled once, via update_key, and gets
  that step's replies again); answers ``{"messages": [...]}`` (each with its outbox row's id: the
  page says it showed them, as for the polled ones), and ``"forget": true`` once the person erased their data (the page
  then clears its transcript);
- ``POST /chat/upload`` a file from the page's paperclip (handlers/webchat_upload.py), answered as a message;
- ``POST /chat/forget`` "forget this device" (shared computers): the cookie is deleted, the page
  clears its transcript and starts again;
- ``GET /chat/messages`` what the bot sent meanwhile (reminders, notices, promotions: outbox rows
  of channel "web"), each with its id; a read that changes nothing: the page then says what it
  has shown with ``POST /chat/messages/seen`` ``{"ids": [...]}``, and those are marked sent;
- ``GET /chat/files/{token}`` a calendar file of a reply, kept in memory for an hour, only for
  the person it was made for.

History: the browser keeps the last messages shown in its localStorage (under a key derived from
the cookie's id, so another person on that browser does not see them) and shows them again after
a reload; the conversation itself lives in the database, as on every channel.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path
from typing import Callable

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from conversations import languages
from conversations.i18n import translator
from conversations.messages import Inbound, Outbound
from services.outbox_rows import Pending
from services.reply_rows import Hold
from services.web_chat import HOLD, WebChatPeople

from handlers import webchat_upload
from handlers.webchat_parts import (CHANNEL, HEADERS, MAX_BODY, Files, RateLimit, identity, inbound, json_body,  # noqa: F401
                                    new_secret, render, safe_name)

COOKIE = "webchat_id"
HEADER = "x-csrf-token"
PREFIX = "/chat"
COOKIE_AGE = 365 * 24 * 3600
LEGACY_COOKIE = 24    # secrets.token_urlsafe(18): the ids of before, the cookie's value itself
PLAN_EVERY = 30.0  # seconds between two runs of the outbox's planners from the page's polls
WEB = Path(__file__).resolve().parent / "web"
_templates = Environment(loader=FileSystemLoader(str(WEB)), autoescape=select_autoescape(default=True))


def _(message: str) -> str:
    """Mark for extraction; translated where shown."""
    return message


# Page chrome, translated with the bot's catalog (English msgids, Italian by default).
CHROME = {"title": _("Chat with Insieme per il lavoro"), "placeholder": _("Write a message"),
          "send": _("Send"), "forget": _("Forget this device"), "attach": _("Attach a file")}
TOO_FAST = _("You are writing very fast: please wait a few seconds and try again.")


def chrome(t) -> dict[str, str]:
    """The page's own words in the language of translator ``t``."""
    return {name: t.gettext(text) for name, text in CHROME.items()}


def language(request: Request) -> str:
    """The first of the bot's languages in Accept-Language; the default otherwise. Only for a
    person who has not chosen a language in the chat yet: the chosen one wins."""
    for part in request.headers.get("accept-language", "").split(","):
        if code := languages.from_tag(part.split(";")[0]):
            return code
    return languages.DEFAULT


def router(handle: Callable[[Inbound], list[Outbound]], *, secret: str, outbox=None,
           people: WebChatPeople | None = None, step: Callable[[Inbound, Hold], list[Pending]] | None = None,
           per_person: tuple[int, float] = (20, 10.0), per_address: tuple[int, float] = (60, 10.0),
           clock: Callable[[], float] = time.monotonic, documents=None) -> APIRouter:
    """The chat's routes. ``handle`` is ConversationService.handle; ``outbox`` an
    services.outbox.OutboxService (or None: no messages started by the bot) whose planners, if it has
    any, run at most every PLAN_EVERY seconds when a page asks for news (give it none where a
    scheduler plans already); ``people`` (services.web_chat) what the chat asks of the database
    besides the conversation (None: nothing, as in tests with a fake engine); ``secret`` signs
    tokens. ``step`` (ConversationService.step), when given, instead of ``handle``: the replies are
    outbox rows of the step (services.web_chat), answered with their ids for the page to confirm.
    ``documents`` (services.documents.Documents): files from the page's paperclip (POST /chat/upload)."""
    key = hmac.new(secret.encode(), b"webchat-csrf", hashlib.sha256).digest()
    person_limit, address_limit = RateLimit(*per_person, clock=clock), RateLimit(*per_address, clock=clock)
    files = Files(clock)
    next_plan = [clock()]
    rekeyed: set[str] = set()
    routes = APIRouter(prefix=PREFIX)

    def token(cookie: str, purpose: str = "csrf") -> str:
        return hmac.new(key, f"{purpose}:{cookie}".encode(), hashlib.sha256).hexdigest()

    def cookie_of(request: Request) -> str | None:
        found = request.cookies.get(COOKIE)
        return found if found and 16 <= len(found) <= 64 and found.replace("-", "").replace("_", "").isalnum() else None

    def person_of(request: Request) -> str | None:
        """The person's id: the hash of their cookie's secret (handlers.webchat_parts.identity)."""
        cookie = cookie_of(request)
        return identity(cookie) if cookie else None

    def moved(cookie: str) -> None:
        """A person of the time the cookie's value was the id itself moves to its hash, once. Only
        a cookie of that time's shape (LEGACY_COOKIE characters): a hashed id set as a cookie must
        not move its owner's identity to whoever set it."""
        if people is not None and len(cookie) == LEGACY_COOKIE and cookie not in rekeyed:
            people.rekey(cookie, identity(cookie))
            if len(rekeyed) > 100_000:
                rekeyed.clear()
            rekeyed.add(cookie)

    def chosen_language(person: str) -> str | None:
        return people.person(person)[1] if people is not None else None

    def shown(person: str, replies: list[Outbound], language: str | None = None) -> list[dict]:
        return [render(reply, lambda r: f"{PREFIX}/files/{files.keep(person, r.file)}", language)
                for reply in replies]

    def private(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        response.headers.update(HEADERS)
        return response

    @routes.get("", response_class=HTMLResponse)
    async def page(request: Request) -> Response:
        cookie = cookie_of(request)
        new = cookie is None
        cookie = cookie or new_secret()
        chosen = None
        if not new:
            chosen = await anyio.to_thread.run_sync(lambda: moved(cookie) or chosen_language(identity(cookie)))
        t = translator(chosen or language(request))
        html = _templates.get_template("chat.html").render(
            lang=t.language, direction=t.direction, csrf=token(cookie), history=token(cookie, "history")[:16],
            max_bytes=documents.max_bytes if documents is not None else 0, **chrome(t))
        response = private(HTMLResponse(html))
        if new:
            response.set_cookie(COOKIE, cookie, max_age=COOKIE_AGE, path=PREFIX, httponly=True, samesite="lax")
        return response

    @routes.get("/chat.js")
    async def script() -> Response:
        return FileResponse(WEB / "chat.js", media_type="text/javascript", headers=HEADERS)

    @routes.get("/chat.css")
    async def style() -> Response:
        return FileResponse(WEB / "chat.css", media_type="text/css", headers=HEADERS)

    def refused(request: Request) -> JSONResponse | None:
        cookie = cookie_of(request)
        given = request.headers.get(HEADER, "")
        if cookie is None or not hmac.compare_digest(given.encode(), token(cookie).encode()):
            return private(JSONResponse({"error": "forbidden"}, status_code=403))
        return None

    def held_back(request: Request) -> Response | None:
        """403 without the cookie's token; 429 (politely) over the flood limits."""
        if (answer := refused(request)) is not None:
            return answer
        address = request.client.host if request.client else "-"
        if not (person_limit.allow(identity(cookie_of(request))) and address_limit.allow(address)):
            t = translator(language(request))
            return private(JSONResponse({"error": t.gettext(TOO_FAST)}, status_code=429,
                                        headers={"Retry-After": str(int(per_person[1]))}))
        return None

    @routes.post("/messages")
    async def post(request: Request) -> Response:
        if (answer := held_back(request)) is not None:
            return answer
        body = await json_body(request)
        if isinstance(body, Response):
            return body
        message = inbound(identity(cookie_of(request)), body) if isinstance(body, dict) else None
        if message is None:
            return private(JSONResponse({"error": "empty"}, status_code=400))
        return await reply(request, message)

    @routes.post("/upload")
    async def upload(request: Request) -> Response:
        """A file from the page's paperclip: checked and kept, then a step (handlers.webchat_upload)."""
        if documents is None or (answer := held_back(request)) is not None:
            return answer or Response(status_code=404)
        message = await webchat_upload.read(request, identity(cookie_of(request)), documents)
        return await reply(request, message) if isinstance(message, Inbound) else private(message)

    async def reply(request: Request, message: Inbound) -> Response:
        """The step's replies as the page shows them, in the language the person chose."""
        cookie = cookie_of(request)
        person = identity(cookie)

        def answer() -> tuple[list[tuple[int | None, Outbound]], bool, str | None]:
            moved(cookie)
            if step is None:
                replies = [(None, reply) for reply in handle(message)]
            else:  # a POST repeated (its answer lost on the way) gets the replies of its step again
                replies = [(row.id, row.message) for row in step(message, HOLD)] or (
                    people.replies_of(message.update_key) if people is not None and message.update_key else [])
            known, chosen = people.person(person) if people is not None else (True, None)
            return replies, not known, chosen
        replies, erased, chosen = await anyio.to_thread.run_sync(answer)
        # the replies are in the language chosen (the default before a choice; unknown once erased)
        written = chosen or (None if erased else languages.DEFAULT)
        answered = {"messages": [shown(person, [reply], written)[0] | ({"id": row_id} if row_id else {})
                                 for row_id, reply in replies]}
        if erased:  # "erase my data" took the identity away: the page forgets the transcript too
            answered["forget"] = True
        if chosen:  # the page's own words in the language chosen in the chat (it may just have changed)
            t = translator(chosen)
            answered["page"] = {"lang": t.language, "dir": t.direction} | chrome(t)
        return private(JSONResponse(answered))

    @routes.post("/forget")
    async def forget(request: Request) -> Response:
        """"Forget this device" (a shared computer): the identity cookie goes; the page clears
        its transcript and starts again as a stranger."""
        if (answer := refused(request)) is not None:
            return answer
        response = private(JSONResponse({"forget": True}))
        response.delete_cookie(COOKIE, path=PREFIX, httponly=True, samesite="lax")
        return response

    @routes.get("/messages")
    async def pending(request: Request) -> Response:
        """What the bot started itself and the page has not shown yet: a read, changing nothing
        (the page says what it showed with POST /chat/messages/seen)."""
        person = person_of(request)
        if person is None:
            return private(JSONResponse({"messages": []}))

        def waiting() -> list[tuple[int, Outbound]]:
            if outbox is not None and clock() >= next_plan[0]:  # the outbox's planners, now and then
                next_plan[0] = clock() + PLAN_EVERY
                outbox.plan()
            return people.waiting(person) if people is not None else []
        found = await anyio.to_thread.run_sync(waiting)
        return private(JSONResponse({"messages": [
            shown(person, [message])[0] | {"id": row_id} for row_id, message in found]}))

    @routes.post("/messages/seen")
    async def seen(request: Request) -> Response:
        """``{"ids": [...]}``: the messages of GET /chat/messages the page has shown, marked sent."""
        if (answer := refused(request)) is not None:
            return answer
        body = await json_body(request)
        if isinstance(body, Response):
            return body
        ids = body.get("ids") if isinstance(body, dict) else None
        if not (isinstance(ids, list) and len(ids) <= 100 and all(type(i) is int for i in ids)):
            return private(JSONResponse({"error": "ids"}, status_code=400))
        person = person_of(request)
        count = await anyio.to_thread.run_sync(lambda: people.shown(person, ids) if people is not None else 0)
        return private(JSONResponse({"seen": count}))

    @routes.get("/files/{file_token}")
    async def file(request: Request, file_token: str) -> Response:
        person = person_of(request)
        found = files.get(person, file_token) if person else None
        if found is None:
            return Response(status_code=404)
        return private(Response(found.content, media_type=found.mime_type, headers={
            "Content-Disposition": f'attachment; filename="{safe_name(found.filename)}"'}))

    return routes

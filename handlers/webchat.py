"""The web chat: a page at /chat talking to the conversation engine on channel "web".

The person is a random id in an HttpOnly, SameSite=Lax cookie (``webchat_id``, the external_id of
their "web" channel identity; it lasts a year). The page carries a token bound to that id (an HMAC
of it, "signed double submit"): every POST must send it back in the ``X-CSRF-Token`` header, which
a cross-site form cannot do. Floods are refused politely (429), per person and per address.

- ``GET /chat`` the page (handlers/web/chat.html + chat.js, served from here: no CDN, no build);
- ``POST /chat/messages`` JSON ``{"text": ...}`` or ``{"payload": ...}`` with a ``client_id``
  (the browser's id for that message: a repeated POST is handled once, via update_key); answers
  ``{"messages": [...]}``;
- ``GET /chat/messages`` what the bot sent meanwhile (reminders, notices, promotions: outbox rows
  of channel "web", claimed and marked sent once handed to the page, as the terminal chat does);
- ``GET /chat/files/{token}`` a calendar file of a reply, kept in memory for an hour, only for
  the person it was made for.

History: the browser keeps the last messages shown in its localStorage (under a key derived from
the cookie's id, so another person on that browser does not see them) and shows them again after
a reload; the conversation itself lives in the database, as on every channel.
"""
from __future__ import annotations

import collections
import hashlib
import hmac
import secrets
import threading
import time
from pathlib import Path
from typing import Callable

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from conversations import languages
from conversations.i18n import translator
from conversations.messages import Inbound, Kind, Outbound

CHANNEL = "web"
COOKIE = "webchat_id"
HEADER = "x-csrf-token"
PREFIX = "/chat"
COOKIE_AGE = 365 * 24 * 3600
MAX_TEXT = 4000
FILE_LIFE = 3600.0
MAX_FILES = 1000
PLAN_EVERY = 30.0  # seconds between two runs of the outbox's planners from the page's polls
WEB = Path(__file__).resolve().parent / "web"
_templates = Environment(loader=FileSystemLoader(str(WEB)), autoescape=select_autoescape(default=True))


def _(message: str) -> str:
    """Mark for extraction; translated where shown."""
    return message


# Page chrome, translated with the bot's catalog (English msgids, Italian by default).
CHROME = {"title": _("Chat with Insieme per il lavoro"), "placeholder": _("Write a message"),
          "send": _("Send")}
TOO_FAST = _("You are writing very fast: please wait a few seconds and try again.")


# -- Outbound <-> JSON ----------------------------------------------------------------------------
def render(outbound: Outbound, file_url: Callable[[Outbound], str] | None = None) -> dict:
    """One reply as the page shows it. Text stays text: the page puts it in with textContent."""
    shown = {"text": outbound.text,
             "buttons": [{"label": b.label, "payload": b.payload} for b in outbound.buttons]}
    if outbound.file and file_url:
        shown["file"] = {"filename": outbound.file.filename, "url": file_url(outbound)}
    return shown


def inbound(person: str, body: dict) -> Inbound | None:
    """The page's message as the engine's Inbound; None if it carries nothing usable."""
    client_id = body.get("client_id")
    key = f"web:{person}:{client_id}" if isinstance(client_id, str) and 0 < len(client_id) <= 100 else None
    payload, text = body.get("payload"), body.get("text")
    if isinstance(payload, str) and payload and len(payload) <= 200:
        return Inbound(channel=CHANNEL, external_id=person, kind=Kind.BUTTON, payload=payload, update_key=key)
    if isinstance(text, str) and text.strip():
        return Inbound(channel=CHANNEL, external_id=person, text=text.strip()[:MAX_TEXT], update_key=key)
    return None


# -- pieces ---------------------------------------------------------------------------------------
class RateLimit:
    """At most ``limit`` hits in ``window`` seconds per key (a sliding window, in memory)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._hits: dict[str, collections.deque] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            if len(self._hits) > 10_000:  # forget quiet keys now and then
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window}
            hits = self._hits.setdefault(key, collections.deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True


class Files:
    """Calendar files of replies, in memory for a while, each for one person."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._files: dict[str, tuple[str, float, object]] = {}
        self._lock = threading.Lock()

    def keep(self, person: str, attachment) -> str:
        token = secrets.token_urlsafe(16)
        now = self.clock()
        with self._lock:
            self._files = {k: v for k, v in self._files.items() if v[1] > now}
            if len(self._files) >= MAX_FILES:
                self._files.pop(next(iter(self._files)))
            self._files[token] = (person, now + FILE_LIFE, attachment)
        return token

    def get(self, person: str, token: str):
        with self._lock:
            found = self._files.get(token)
        if found and hmac.compare_digest(found[0], person) and found[1] > self.clock():
            return found[2]
        return None


def language(request: Request) -> str:
    """The first of the bot's languages in Accept-Language; the default otherwise."""
    for part in request.headers.get("accept-language", "").split(","):
        if code := languages.from_tag(part.split(";")[0]):
            return code
    return languages.DEFAULT


def router(handle: Callable[[Inbound], list[Outbound]], *, secret: str, outbox=None,
           per_person: tuple[int, float] = (20, 10.0), per_address: tuple[int, float] = (60, 10.0),
           clock: Callable[[], float] = time.monotonic) -> APIRouter:
    """The chat's routes. ``handle`` is ConversationService.handle; ``outbox`` an
    services.outbox.OutboxService (or None: no messages started by the bot) whose planners, if it has
    any, run at most every PLAN_EVERY seconds when a page asks for news (give it none where a
    scheduler plans already); ``secret`` signs tokens."""
    key = hmac.new(secret.encode(), b"webchat-csrf", hashlib.sha256).digest()
    person_limit, address_limit = RateLimit(*per_person, clock=clock), RateLimit(*per_address, clock=clock)
    files = Files(clock)
    next_plan = [clock()]
    routes = APIRouter(prefix=PREFIX)

    def token(person: str, purpose: str = "csrf") -> str:
        return hmac.new(key, f"{purpose}:{person}".encode(), hashlib.sha256).hexdigest()

    def person_of(request: Request) -> str | None:
        found = request.cookies.get(COOKIE)
        return found if found and 16 <= len(found) <= 64 and found.replace("-", "").replace("_", "").isalnum() else None

    def shown(person: str, replies: list[Outbound]) -> list[dict]:
        return [render(reply, lambda r: f"{PREFIX}/files/{files.keep(person, r.file)}") for reply in replies]

    def private(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        return response

    @routes.get("", response_class=HTMLResponse)
    async def page(request: Request) -> Response:
        person = person_of(request)
        new = person is None
        person = person or secrets.token_urlsafe(18)
        t = translator(language(request))
        html = _templates.get_template("chat.html").render(
            lang=t.language, direction=t.direction, csrf=token(person), history=token(person, "history")[:16],
            **{name: t.gettext(text) for name, text in CHROME.items()})
        response = private(HTMLResponse(html))
        if new:
            response.set_cookie(COOKIE, person, max_age=COOKIE_AGE, path=PREFIX, httponly=True, samesite="lax")
        return response

    @routes.get("/chat.js")
    async def script() -> Response:
        return FileResponse(WEB / "chat.js", media_type="text/javascript")

    @routes.get("/chat.css")
    async def style() -> Response:
        return FileResponse(WEB / "chat.css", media_type="text/css")

    def refused(request: Request) -> JSONResponse | None:
        person = person_of(request)
        given = request.headers.get(HEADER, "")
        if person is None or not hmac.compare_digest(given.encode(), token(person).encode()):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        return None

    @routes.post("/messages")
    async def post(request: Request) -> Response:
        if (answer := refused(request)) is not None:
            return answer
        person = person_of(request)
        address = request.client.host if request.client else "-"
        if not (person_limit.allow(person) and address_limit.allow(address)):
            t = translator(language(request))
            return private(JSONResponse({"error": t.gettext(TOO_FAST)}, status_code=429,
                                        headers={"Retry-After": str(int(per_person[1]))}))
        try:
            body = await request.json()
        except ValueError:
            body = None
        message = inbound(person, body) if isinstance(body, dict) else None
        if message is None:
            return JSONResponse({"error": "empty"}, status_code=400)
        replies = await anyio.to_thread.run_sync(handle, message)
        return private(JSONResponse({"messages": shown(person, replies)}))

    @routes.get("/messages")
    async def pending(request: Request) -> Response:
        person = person_of(request)
        if person is None or outbox is None:
            return private(JSONResponse({"messages": []}))

        def take() -> list[Outbound]:
            if clock() >= next_plan[0]:  # the outbox's planners (if it has any), now and then
                next_plan[0] = clock() + PLAN_EVERY
                outbox.plan()
            claimed = outbox.claim(CHANNEL, person)
            if claimed:
                outbox.sent(claimed)
            return [p.message for p in claimed]
        return private(JSONResponse({"messages": shown(person, await anyio.to_thread.run_sync(take))}))

    @routes.get("/files/{file_token}")
    async def file(request: Request, file_token: str) -> Response:
        person = person_of(request)
        found = files.get(person, file_token) if person else None
        if found is None:
            return Response(status_code=404)
        return private(Response(found.content, media_type=found.mime_type, headers={
            "Content-Disposition": f'attachment; filename="{_safe_name(found.filename)}"'}))

    return routes


def _safe_name(name: str) -> str:
    return "".join(c for c in name if c.isalnum() or c in "._-")[:100] or "file"

"""Two ASGI middlewares: a CSRF token checked on every unsafe request of the back office, and
response hardening (Secure cookies over HTTPS, no framing, no caching of pages with personal data).

The CSRF token is random per session (kept in the signed session cookie) and must come back in
the form field ``csrf_token`` or the header ``X-CSRF-Token`` of every POST, PUT, PATCH and DELETE,
the login form included. Pages carry it in ``<meta name="csrf-token">``; static/office.js adds it
to sqladmin's forms and requests (loaded by templates/sqladmin/base.html)."""
from __future__ import annotations

import hmac
import re
import secrets
from urllib.parse import parse_qs

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SESSION_KEY = "csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
MAX_BODY = 20 * 1024 * 1024
_SECURE = re.compile(r";\s*secure\s*(;|$)", re.IGNORECASE)
# Scripts only from this site's files (templates/sqladmin/base.html loads sqladmin's and
# static/office.js), never inline. Styles may be inline: the dashboard's pygal charts are SVG with
# their own <style>, and tabler, select2 and flatpickr write style attributes; the office's own
# styles are a file all the same (static/office.css). Fonts and tabler's small icons come as data:.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")

REFUSED = """<!doctype html><html lang="it"><meta charset="utf-8"><title>403</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>Richiesta rifiutata</h1><p>La pagina era scaduta o la richiesta non veniva dal back office.
<a href="{home}">Torna al back office</a>, ricarica la pagina e riprova.</p>
<p lang="en">Request refused: the page had expired or the request did not come from the back office.
Go back, reload the page and try again.</p></body></html>"""


def csrf_token(connection: HTTPConnection) -> str:
    """This session's token (created on first use)."""
    session = connection.session
    if not isinstance(session.get(SESSION_KEY), str):
        session[SESSION_KEY] = secrets.token_urlsafe(32)
    return session[SESSION_KEY]


class CSRFMiddleware:
    """Inside the session middleware: reads the body once, checks the token, hands the same body on."""

    def __init__(self, app: ASGIApp, home: str = "/office/") -> None:
        self.app, self.home = app, home

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            await PlainTextResponse("Request too large", status_code=413)(scope, receive, send)
            return
        expected = scope.get("session", {}).get(SESSION_KEY)
        given = Headers(scope=scope).get(HEADER) or await _form_field(scope, body)
        if not (isinstance(expected, str) and given and hmac.compare_digest(expected.encode(), given.encode())):
            await HTMLResponse(REFUSED.format(home=self.home), status_code=403)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


async def _read_body(receive: Receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _form_field(scope: Scope, body: bytes) -> str | None:
    content_type = Headers(scope=scope).get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(FIELD)
        return values[0] if values else None
    if content_type.startswith("multipart/form-data"):
        request = Request(scope, _replay(body, _no_more))
        async with request.form() as form:
            value = form.get(FIELD)
        return value if isinstance(value, str) else None
    return None


async def _no_more() -> Message:
    return {"type": "http.disconnect"}


class HardenResponses:
    """Secure on every cookie when the request came over HTTPS (uvicorn's proxy headers make a TLS
    proxy's requests count), no framing, no sniffing, a Content-Security-Policy (``CSP``; the web
    chat sends its own, stricter) and pages of the back office not cached."""

    def __init__(self, app: ASGIApp, private_prefix: str = "/office") -> None:
        self.app, self.private_prefix = app, private_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        private = (scope["path"].startswith(self.private_prefix)
                   and not any(files in scope["path"] for files in ("/statics/", "/static/")))

        async def send_hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("Content-Security-Policy", CSP)
                if private:
                    headers["Cache-Control"] = "no-store"
                cookies = headers.getlist("set-cookie")
                if https and cookies:
                    del headers["set-cookie"]
                    for cookie in cookies:
                        headers.append("set-cookie", cookie if _SECURE.search(cookie) else cookie + "; Secure")
            await send(message)

        await self.app(scope, receive, send_hardened)

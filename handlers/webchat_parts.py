"""The web chat's small pieces (handlers/webchat.py): a reply as JSON, the page's message as an
Inbound, the cookie's secret and the identity derived from it, a flood limit, calendar files, a
POST's JSON body within MAX_BODY, the headers of every answer."""
from __future__ import annotations

import base64
import collections
import hashlib
import hmac
import json
import secrets
import threading
import time
from typing import Callable

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from conversations import languages
from conversations.messages import Inbound, Kind, Outbound

CHANNEL = "web"
MAX_TEXT = 4000
FILE_LIFE = 3600.0
MAX_FILES = 1000
MAX_BODY = 16 * 1024  # bytes of a POST's body; a message is at most 4000 characters
# No inline script or style anywhere (chat.js and chat.css are files of their own), no framing.
HEADERS = {"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                                      "connect-src 'self'; img-src 'self'; form-action 'self'; "
                                      "base-uri 'none'; frame-ancestors 'none'",
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}


def identity(secret: str) -> str:
    """The person's external id on channel "web": a hash of their cookie's secret. The id is what
    the database, the logs and "see my data" hold; it cannot be turned back into the cookie, so
    a screenshot or a log line does not let anyone else into the conversation."""
    return "h" + base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()).decode().rstrip("=")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


# -- Outbound <-> JSON ----------------------------------------------------------------------------
def render(outbound: Outbound, file_url: Callable[[Outbound], str] | None = None,
           language: str | None = None) -> dict:
    """One reply as the page shows it. Text stays text: the page puts it in with textContent.
    ``language``: the one it is written in, for the bubble's ``lang`` and ``dir`` (Arabic and
    Urdu right to left); None when unknown (a broadcast may fall back to Italian): ``dir`` is
    then "auto", the browser's guess from the first letter."""
    shown = {"text": outbound.text,
             "buttons": [{"label": b.label, "payload": b.payload} for b in outbound.buttons],
             "dir": "auto"}
    if language is not None:
        written = languages.get(language)
        shown |= {"lang": written.code, "dir": written.direction}
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


# -- bodies ------------------------------------------------------------------------------------
async def json_body(request: Request) -> object | Response:
    """The request's JSON body; a 413 response past MAX_BODY bytes (told by Content-Length, or
    counted while it arrives: the length may be absent or lie), 400 if it is not JSON (nested too
    deep for the parser included)."""
    try:
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            return _refusal("too large", 413)
    except ValueError:
        return _refusal("bad length", 400)
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > MAX_BODY:
            return _refusal("too large", 413)
    try:
        return json.loads(received)
    except (ValueError, RecursionError):
        return _refusal("not json", 400)


def _refusal(error: str, status: int) -> Response:
    return JSONResponse({"error": error}, status_code=status, headers={"Cache-Control": "no-store", **HEADERS})


def safe_name(name: str) -> str:
    return "".join(c for c in name if c.isalnum() or c in "._-")[:100] or "file"

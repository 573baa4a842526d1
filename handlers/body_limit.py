"""A ceiling on request bodies for the webhooks, enforced before the application reads them: a
Content-Length over the limit is refused at once, and a body without one (or lying about it) is
counted while it arrives. Without it, one 200 MB post to a webhook was read into memory whole.
Platforms' updates are a few kilobytes (WhatsApp batches a few hundred statuses at most)."""
from __future__ import annotations

from typing import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

WEBHOOK_LIMIT = 1024 * 1024  # bytes: far above any real update, far below what hurts


class BodyLimit:
    """413 for a body over ``limits[path]`` bytes; other paths pass untouched."""

    def __init__(self, app: ASGIApp, *, limits: Mapping[str, int]):
        self.app = app
        self.limits = dict(limits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limits.get(scope.get("path", "")) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _refuse(send)
            return
        # Read it here, up to the limit, then hand it on: the application never sees a larger one.
        chunks, received = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away: let the application see it
            received += len(message.get("body", b""))
            if received > limit:
                await _refuse(send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return message

        await self.app(scope, replay, send)


async def _refuse(send: Send) -> None:
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": b"Request body too large\n"})

"""WhatsApp's side of the outbox sender (services/outbox_sender.py, given this transport by
bot/wiring.py): the Cloud API messages an outbox row needs, the 24-hour window, templates,
opt-in, and what Meta's errors mean.

**The window.** Inside the 24-hour customer service window (the person wrote to us on WhatsApp
less than 24 hours ago: channel_identity.last_inbound_at) a row goes as it is: its rendered
messages (handlers/whatsapp_render.py), each a call. Outside it only a pre-approved template may
go (PLATFORM.md), and only to a person who opted in:

- **which template**: a ``reminder`` row goes as ``WHATSAPP_REMINDER_TEMPLATE``, a ``proposal``
  (a job offer, services.proposals) as ``WHATSAPP_PROPOSAL_TEMPLATE``; every other kind
  (``notice``: the office's notices about a person's own bookings, ``promotion``: a seat from the
  waiting list, ``broadcast``: the operators' notices) as ``WHATSAPP_NOTICE_TEMPLATE``. Both
  should be UTILITY templates (Meta may reclassify a broadcast-like one as MARKETING). Its
  language: the person's, when it is listed in ``..._TEMPLATE_LANGUAGE`` (e.g. "it,en"), else the
  first one listed. No template set for the row's kind: the row fails, saying so.
- **its parameters** (body, in order): a reminder's are written when it is queued (services.reminders:
  {{1}} what, e.g. "your orientation interview", {{2}} when, e.g. "giovedì 26 novembre 2026,
  10:00"); a notice's single {{1}} is the message's text on one line, shortened. Meta refuses a
  parameter with a newline, a tab or more than 4 spaces in a row (132018), and a body over 1,024
  characters all told: parameters are put on one line and cut at a word, with "…", to
  ``PARAM_MAX`` (``NOTICE_PARAM_MAX`` for a notice's text, leaving the template's own words room).
  The template carries no buttons of ours: answering it opens the window, and the bot goes on.
- **opt-in**: a person is opted in on WhatsApp when they accepted the privacy notice (a Consent
  row: it says we contact them about interviews and workshops) and wrote to us on WhatsApp at
  least once (last_inbound_at: they gave us that number themselves). Somebody who never did gets
  nothing outside the window (the row fails with ``NOT_OPTED_IN``). /stop turns the operators'
  notices off: a ``broadcast`` row then gets no template either (``NOTICES_OFF``); reminders and
  notices about their own bookings still go, as /stop tells them (conversations/preferences.py).

**Meta's errors.** Throttling answers 429 and is never a refusal of the message: 130429
(throughput) -> Flood: the channel waits ``THROUGHPUT_WAIT`` and the same call goes again, not
counted as an attempt; 80007 (the account's rate limit) -> Flood for the time Meta's
X-Business-Use-Case-Usage header gives to regain access (its ``estimated_time_to_regain_access``,
minutes), else ``RATE_LIMIT_WAIT``; 131056 (pair rate: too many to one person) -> transient, not
Flood: only that person waits (the row is tried again after the sender's delay, an attempt),
since a Flood would pause the channel for everybody; 131047 (re-engagement: the window
closed, though our clock said open) -> the template at once, instead of the whole message, when
the row may have one (otherwise it fails, with both reasons); Meta may also accept the free-form
message and report 131047 later in a "failed" status webhook: handlers/whatsapp.record_status
queues the row again, marked to go as a template, once (services.outbox.resend_as_template);
131026 (undeliverable) -> Unreachable: the identity is marked and nothing more goes there until
the person writes again; other 4xx -> Rejected; 5xx and network errors -> transient.

**Replies** (rows of kind ``reply``, services.reply_rows: what a step answers) are inside the
window by nature: the person just wrote. They go as they are, the page of a long list their
content names (services.outbox_rows.PAGE), and never as a template: a 131047 fails the row.

**Files.** A calendar file goes as handlers/whatsapp_files.py says. Its text went already: a file
that Meta refuses, or that fails ``FILE_TRIES`` times, is logged and left, and the row counts as
sent (a waiting-list promotion reached the person even if its .ics did not).
Pacing: ``bot.wiring.whatsapp_limits`` (settings: 80 a second per number, one every 6 s to a person).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from conversations import languages
from services.clock import utcnow
from services.outbox import Pending
from services.outbox_sender import Flood, Rejected, Unreachable

from handlers.whatsapp import CHANNEL, Settings, WhatsAppClient
from handlers.whatsapp_files import FILE_TRIES
from handlers.whatsapp_render import WaMessage, render

log = logging.getLogger(__name__)
WINDOW = dt.timedelta(hours=24)
THROUGHPUT_WAIT = 1.0   # seconds; Meta gives no retry-after for 130429
RATE_LIMIT_WAIT = 60.0  # seconds, for 80007 when Meta does not say how long
PARAM_MAX = 200         # characters of one template parameter (a reminder's what, when)
NOTICE_PARAM_MAX = 700  # a notice's text as {{1}}: Meta caps the whole body at 1,024
REMINDER = "reminder"
PROPOSAL = "proposal"  # a job proposal (services.proposals): its own template, {{1}} job {{2}} where {{3}} contract, hours
REPLY = "reply"  # services.reply_rows.KIND: inside the window by nature, never a template
REPLY_NO_TEMPLATE = "whatsapp: a reply goes as it is or not at all (never as a template)"
NOT_OPTED_IN = ("whatsapp: outside the 24-hour window and not opted in "
                "(never wrote to us on WhatsApp, or never accepted the privacy notice)")
NOTICES_OFF = "whatsapp: outside the 24-hour window and notices are off (/stop)"
RE_ENGAGEMENT = 131047


def no_template(kind: str) -> str:
    setting = {REMINDER: "WHATSAPP_REMINDER_TEMPLATE", PROPOSAL: "WHATSAPP_PROPOSAL_TEMPLATE"}.get(
        kind, "WHATSAPP_NOTICE_TEMPLATE")
    return f"whatsapp: outside the 24-hour window and no template for {kind} messages ({setting} is not set)"


@dataclass(eq=False)
class _Row:
    """What the calls of one row share: its template (or why it has none), and whether the
    template went instead of the free-form message (131047 at the first call)."""

    template: WaMessage | None
    refusal: str | None
    replaced: bool = field(default=False)
    file_tries: int = field(default=0)


@dataclass(frozen=True)
class _Call:
    message: WaMessage
    row: _Row
    first: bool
    is_template: bool = False


class WhatsAppTransport:
    channel = CHANNEL

    def __init__(self, client: WhatsAppClient, clock: Callable[[], dt.datetime] = utcnow,
                 settings: Settings | None = None):
        self.client, self.clock = client, clock
        self.settings = settings or client.settings

    def calls(self, pending: Pending) -> list[Any]:
        row = _Row(*self.template(pending))
        via_template = bool(pending.template and pending.template.get("via"))
        if via_template or not (pending.kind == REPLY or self.in_window(pending)):
            if row.template is None:
                raise Rejected(row.refusal or "whatsapp: no template")
            return [_Call(row.template, row, True, True)]
        parts = render(pending.message, pending.page, pending.language)
        return [_Call(part, row, index == 0) for index, part in enumerate(parts)]

    def in_window(self, pending: Pending) -> bool:
        last = pending.last_inbound_at
        return last is not None and self.clock() - last < WINDOW

    def template(self, pending: Pending) -> tuple[WaMessage | None, str | None]:
        """The template message this row may go as outside the window, or why it may not."""
        if pending.kind == REPLY:
            return None, REPLY_NO_TEMPLATE
        if not pending.consented or pending.last_inbound_at is None:
            return None, NOT_OPTED_IN
        if pending.kind == "broadcast" and pending.notices_off:
            return None, NOTICES_OFF
        settings = self.settings
        if pending.kind == REMINDER:
            name, approved = settings.reminder_template, settings.reminder_template_language
        elif pending.kind == PROPOSAL:
            name = getattr(settings, "proposal_template", None)
            approved = getattr(settings, "proposal_template_language", "it")
        else:
            name, approved = settings.notice_template, settings.notice_template_language
        if not name:
            return None, no_template(pending.kind)
        stored = (pending.template or {}).get("params")
        if isinstance(stored, list) and stored:
            params = [parameter(str(p), PARAM_MAX) for p in stored]
        else:
            params = [parameter(pending.message.text, NOTICE_PARAM_MAX)]
        return template_message(name, language_for(pending.language, approved), params), None

    def beside(self, call: Any) -> bool:
        return False  # nothing here edits an earlier message: every call keeps its place

    def new_message(self, call: Any) -> bool:
        return True

    async def send(self, external_id: str, call: Any) -> str | None:
        if call.row.replaced:
            return None  # the template went instead of the whole message
        if call.message.attachment is not None and not call.first:
            return await self._send_file(external_id, call)
        try:
            return await self._send(external_id, call.message)
        except _ReEngagement as error:
            if not call.first or call.is_template:
                raise Rejected(error.reason) from None
            if call.row.template is None:
                raise Rejected(f"{error.reason}; {call.row.refusal}") from None
            try:
                message_id = await self._send(external_id, call.row.template)
            except _ReEngagement as again:
                raise Rejected(again.reason) from None
            call.row.replaced = True
            return message_id

    async def _send_file(self, external_id: str, call: _Call) -> str | None:
        """The file after its text: a refusal, or ``FILE_TRIES`` failures, leave the row sent."""
        try:
            return await self._send(external_id, call.message)
        except (Flood, Unreachable):
            raise
        except Exception as error:  # noqa: BLE001  (Rejected, 131047 too: the text went)
            call.row.file_tries += 1
            final = isinstance(error, (Rejected, _ReEngagement)) or call.row.file_tries >= FILE_TRIES
            if not final:
                raise
            log.warning("whatsapp: the text went to %s, its file %s did not: %s", external_id,
                        call.message.attachment.filename, getattr(error, "reason", None) or error)
            return None

    async def _send(self, external_id: str, message: WaMessage) -> str:
        from pywa.errors import WhatsAppError

        try:
            return await self.client.send(external_id, message)
        except WhatsAppError as error:
            reason = f"whatsapp {error.code}: {error.message}"[:300]
            if error.code == 130429:
                raise Flood(THROUGHPUT_WAIT) from None
            if error.code == 80007:
                raise Flood(regain_access(error.raw_response) or RATE_LIMIT_WAIT) from None
            if error.code == 131056:
                raise RuntimeError(reason) from None  # transient: later, after the sender's delay
            if error.code == RE_ENGAGEMENT:
                raise _ReEngagement(reason) from None
            if error.code == 131026:
                raise Unreachable(reason) from None
            status = error.status_code or 400
            if 400 <= status < 500:
                raise Rejected(reason) from None
            raise RuntimeError(reason) from None


def regain_access(response) -> float | None:
    """Seconds until the account may call again, from Meta's X-Business-Use-Case-Usage header
    ({"<business id>": [{"type": ..., "estimated_time_to_regain_access": minutes, ...}]})."""
    try:
        usage = json.loads(response.headers["X-Business-Use-Case-Usage"])
        minutes = max(float(entry.get("estimated_time_to_regain_access") or 0)
                      for entries in usage.values() for entry in entries)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    return minutes * 60 if minutes > 0 else None


class _ReEngagement(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


_SPACES = re.compile(r"\s+")


def parameter(text: str, limit: int) -> str:
    """A template parameter: on one line (Meta refuses newlines, tabs and more than 4 spaces in a
    row: 132018), at most ``limit`` characters, cut at a word with "…"; never empty."""
    flat = _SPACES.sub(" ", text).strip()
    if len(flat) > limit:
        cut = flat[:limit - 1]
        if " " in cut[limit // 2:]:
            cut = cut[:cut.rindex(" ")]
        flat = cut.rstrip(" ,;:.-") + "…"
    return flat or "-"


def language_for(language: str | None, configured: str) -> str:
    """WhatsApp's code for the person's language when the template was approved in it
    (``configured``: WhatsApp's codes, "it" or "it,en,uk"), else the first one configured."""
    approved = [code.strip() for code in configured.split(",") if code.strip()] or [languages.get(None).whatsapp]
    wanted = languages.get(language).whatsapp if language in languages.CODES else None
    return wanted if wanted in approved else approved[0]


def template_message(name: str, language: str, params: list[str]) -> WaMessage:
    body: dict = {"name": name, "language": {"code": language}}
    if params:
        body["components"] = [{"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}]
    return WaMessage("template", body)


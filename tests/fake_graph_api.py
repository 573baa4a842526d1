"""A fake WhatsApp Cloud API (Graph API) server on 127.0.0.1, for the WhatsApp tests.

Standard library only: a ``ThreadingHTTPServer`` in a daemon thread, on a free port. It answers
``POST /v<version>/<phone id>/messages`` and ``POST /v<version>/<phone id>/media`` the way
graph.facebook.com does, checks the bearer token, and refuses (400, code 131009, counted in
``refused``) what Meta refuses: blank or over-long text (4,096), interactive bodies over 1,024,
more than 3 reply buttons, button titles over 20 or repeated, lists over 10 rows, row titles over
24, descriptions over 72, list button text over 20, repeated row ids, documents with an unknown
media id or a caption over 1,024; template messages whose parameters hold a newline, a tab or 5 spaces in a row (132018)
and, once ``templates`` lists the approved ones, unknown templates (132001) or a wrong number of
body parameters (132000).

Usage::

    with FakeGraphApi(token="t", phone_id="123") as api:
        # or WaChat(client, api): a person posting signed webhooks (Meta's shape) to our app
        settings.api_url = api.url
        api.fail(131047, times=1)      # the next send answers Meta's error 131047
        api.fail(131047, only="text")  # ... only a text message (the template then goes)
        api.templates = {("promemoria", "it"): 2}  # approved templates, with their parameters
        api.sent                       # every accepted message body (dicts, as posted)
        api.templates_sent()           # the template objects of those
        status_value(...), failed_status(wamid, wa_id, 131047)  # status webhook values

Media people send (#15): ``add_media(content, mime_type)`` gives a media id for an ``image(...)`` or
``document(...)`` message; ``GET /v<version>/<media id>`` answers its URL, MIME type, sha256 and
``file_size`` (as Meta does; ``size=`` announces another), and ``GET /download/<media id>`` (Meta's
lookaside host, here) serves the bytes, with the bearer token only (``downloads`` counts them).

Errors are Meta's shape: ``{"error": {"message", "type", "code", "error_data", "fbtrace_id"}}``
(130429 throughput, 80007 account rate limit and 131056 pair rate answer 429, the others 400).

The network's faults (tests/fake_network.py), off unless asked for:

- ``latency=0.05`` (or ``api.latency = 0.05``): every answer comes 50 ms late, without holding up
  the other requests;
- ``refuse(fault, kind="messages"|"media"|None, to=..., times=1)``: the next call(s) of that kind
  and/or to that number meet ``fault`` (the GETs of a received media, ``kind="media-url"`` and
  ``"download"``, meet only an ``Answer``, such as 502): ``BAD_GATEWAY`` (502), ``THROUGHPUT`` (429, 130429),
  ``RATE_LIMIT`` (429, 80007), ``Hold(seconds, deliver=...)`` (slower than the client waits),
  ``RESET`` (the connection reset) or ``Down(seconds)``; ``down()`` / ``up()`` by hand;
- media types, checked as Meta does (``check_media``, on unless ``check_media=False``): an upload
  whose type (its ``type`` field or its file part's Content-Type) is outside ``MEDIA_TYPES``, such
  as text/calendar, gets Meta's 400 "(#100) Param file must be a file with one of the following
  types: ..." and is counted in ``refused_media``;
- ``calls``: every request, with its times (``GraphCall.at``, ``answered_at``, ``status``, ``fault``).
"""
from __future__ import annotations

import email.parser
import email.policy
import hashlib
import functools
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable

from bot.settings import WhatsAppSettings
from tests.fake_network import RESET, Answer, Down, Fault, FaultControls, Hold, Network, write_json

__all__ = ["BAD_GATEWAY", "Down", "ERRORS", "FakeGraphApi", "GraphCall", "Hold", "MEDIA_TYPES", "RATE_LIMIT",
           "RESET", "THROUGHPUT", "Upload", "WaChat", "failed_status"]

ERRORS = {
    130429: "Rate limit hit",
    80007: "Rate limit issues",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    131047: "Re-engagement message",
    131026: "Message Undeliverable",
    131009: "Parameter value is not valid",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    132018: "There was an issue with the parameters in your template",
}


THROTTLED = (130429, 80007, 131056)  # answered 429
# The media Meta's Cloud API takes (developers.facebook.com/docs/whatsapp/cloud-api/reference/media
# #supported-media-types); anything else, text/calendar included, is refused with (#100).
MEDIA_TYPES = (
    "audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg",
    "text/plain", "application/pdf", "application/vnd.ms-powerpoint", "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "image/jpeg", "image/png", "image/webp", "video/3gpp", "video/mp4",
)


@dataclass
class GraphCall:
    """One request: "messages" or "media" (or the path, for others), the JSON body or the upload's
    form fields, and when and how it was answered."""

    kind: str
    body: dict
    to: str | None = None
    at: float = field(default_factory=time.monotonic)
    answered_at: float | None = None
    status: int | None = None
    fault: Fault | None = None

    @property
    def seconds(self) -> float | None:
        return None if self.answered_at is None else self.answered_at - self.at


@dataclass
class Upload:
    id: str
    filename: str
    mime_type: str
    content: bytes


class FakeGraphApi(FaultControls):
    def __init__(self, *, token: str, phone_id: str, version: str = "21.0", latency: float = 0.0,
                 check_media: bool = True):
        self.token, self.phone_id, self.version = token, phone_id, version
        self.check_media = check_media
        self.refused_media: list[tuple[str, str]] = []  # (filename, MIME type) of refused uploads
        self.calls: list[GraphCall] = []
        self._listeners: list[Callable[[GraphCall], None]] = []
        self._latency = latency
        self.sent: list[dict] = []
        self.uploads: dict[str, Upload] = {}
        self.media: dict[str, tuple[bytes, str, int]] = {}  # what people sent: id -> (bytes, MIME, announced size)
        self.downloads: list[str] = []
        self.refused: list[tuple[dict, str]] = []
        self.errors: list[tuple[int, dict]] = []  # (code, body) answered with an injected error
        self._fail: list[list] = []  # [code, times left, recipient or None, message type or None]
        # approved templates: (name, language) -> body parameters; None accepts any named template
        self.templates: dict[tuple[str, str], int] | None = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._network: Network | None = None

    # -- control -----------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._network.address[1]}"

    @property
    def latency(self) -> float:
        return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._latency = seconds
        if self._network:
            self._network.latency = seconds

    def refuse(self, fault: Fault, *, kind: str | None = None, to: str | None = None,
               times: int | None = 1) -> None:
        """The next ``times`` calls (None: all, until ``clear_faults()``) of ``kind`` ("messages",
        "media"; any when None) to ``to`` (any when None) meet ``fault`` (see the module's docstring)."""
        self._network.refuse(fault, method=kind, target=to, times=times)

    def calls_to(self, to: str, kind: str = "messages") -> list[GraphCall]:
        """The calls of ``kind`` to one number, in the order they arrived."""
        with self._lock:
            return [call for call in self.calls if call.kind == kind and call.to == to]

    def fail(self, code: int, *, times: int = 1, to: str | None = None, only: str | None = None) -> None:
        """The next ``times`` sends (to ``to``; of message type ``only``, e.g. "text") answer ``code``."""
        with self._lock:
            self._fail.append([code, times, to, only])

    def add_media(self, content: bytes, mime_type: str, *, size: int | None = None) -> str:
        """A file a person sends: its media id, for ``image(...)`` or ``document(...)``."""
        media_id = f"in-media{next(self._ids)}"
        with self._lock:
            self.media[media_id] = (content, mime_type, len(content) if size is None else size)
        return media_id

    def _get(self, path: str, headers) -> tuple[int, dict | bytes]:
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, _error(190, "Invalid OAuth access token")
        if path.startswith("/download/"):
            found = self.media.get(path[len("/download/"):])
            if found is None:
                return 404, _error(100, "Unknown media")
            with self._lock:
                self.downloads.append(path)
            return 200, found[0]
        media_id = path.removeprefix(f"/v{self.version}/")
        if media_id not in self.media:
            return 400, _error(100, "(#100) Invalid parameter")
        content, mime_type, size = self.media[media_id]
        return 200, {"url": f"{self.url}/download/{media_id}", "mime_type": mime_type,
                     "sha256": hashlib.sha256(content).hexdigest(), "file_size": size, "id": media_id,
                     "messaging_product": "whatsapp"}

    def start(self) -> "FakeGraphApi":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                # a media's URL (GET /<version>/<media id>) or its bytes (GET /download/<id>): Answer faults only
                fault = fake._network.fault_for("download" if self.path.startswith("/download/") else "media-url",
                                                None)
                if isinstance(fault, Answer):
                    return write_json(self, fault.status, fault.body)
                status, body = fake._get(self.path, self.headers)
                if isinstance(body, dict):
                    return write_json(self, status, body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client stopped reading: too big
                    pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                call = fake._record(self.path, raw)
                fault = fake._network.fault_for(call.kind, call.to)
                try:
                    fake._network.serve(self, call, fault, lambda: fake._answer(self.path, self.headers, raw),
                                        functools.partial(write_json, self))
                finally:
                    for listener in list(fake._listeners):
                        listener(call)

        self._network = Network(Handler, latency=self._latency, name="fake-graph-api")
        self._network.start()
        return self

    def stop(self) -> None:
        if self._network:
            self._network.stop()

    def __enter__(self) -> "FakeGraphApi":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def texts(self, to: str | None = None) -> list[str]:
        """What the person read: text bodies and interactive bodies, in order."""
        shown = []
        for body in self.sent:
            if to and body.get("to") != to:
                continue
            if body["type"] == "text":
                shown.append(body["text"]["body"])
            elif body["type"] == "interactive":
                shown.append(body["interactive"]["body"]["text"])
        return shown

    # -- the API -----------------------------------------------------------
    def _record(self, path: str, raw: bytes) -> GraphCall:
        """Every request, before it is answered: its kind, body (or form fields) and recipient."""
        kind = path.rsplit("/", 1)[-1] if path.startswith(f"/v{self.version}/{self.phone_id}/") else path
        body: dict = {}
        if kind == "messages":
            try:
                body = json.loads(raw)
            except ValueError:
                body = {}
            body = body if isinstance(body, dict) else {}
        call = GraphCall(kind, body, body.get("to") or body.get("recipient"))
        with self._lock:
            self.calls.append(call)
        return call

    def _answer(self, path: str, headers, raw: bytes) -> tuple[int, dict]:
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, _error(190, "Invalid OAuth access token")
        if path == f"/v{self.version}/{self.phone_id}/media":
            return self._upload(headers, raw)
        if path != f"/v{self.version}/{self.phone_id}/messages":
            return 404, _error(100, f"Unknown path {path}")
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, _error(100, "not JSON")
        with self._lock:
            for rule in self._fail:
                code, left, to, only = rule
                if (left > 0 and (to is None or body.get("to") == to or body.get("recipient") == to)
                        and (only is None or body.get("type") == only)):
                    rule[1] -= 1
                    self.errors.append((code, body))
                    return (429 if code in THROTTLED else 400), _error(code, ERRORS.get(code, "error"))
        problem = self.check(body)
        if problem:
            with self._lock:
                self.refused.append((body, problem))
            code = int(problem[2:8]) if problem.startswith("(#") else 131009
            return 400, _error(code, problem)
        message_id = f"wamid.fake{next(self._ids)}"
        with self._lock:
            self.sent.append(body)
        to = body.get("to") or body.get("recipient")
        return 200, {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                     "messages": [{"id": message_id}]}

    def _upload(self, headers, raw: bytes) -> tuple[int, dict]:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + headers.get("Content-Type", "").encode() + b"\r\n\r\n" + raw)
        fields, upload = {}, None
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name == "file":
                upload = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
            else:
                fields[name] = part.get_content()
        if upload is None or fields.get("messaging_product") != "whatsapp":
            return 400, _error(100, "file and messaging_product are required")
        if self.check_media:
            for mime_type in {fields.get("type") or upload[1], upload[1]}:
                if mime_type.split(";")[0].strip().lower() not in MEDIA_TYPES:
                    with self._lock:
                        self.refused_media.append((upload[0], mime_type))
                    return 400, media_type_error(mime_type)
        media_id = f"media{next(self._ids)}"
        with self._lock:
            self.uploads[media_id] = Upload(media_id, upload[0], fields.get("type") or upload[1], upload[2])
        return 200, {"id": media_id}

    def check(self, body: dict) -> str | None:
        """Why Meta would refuse this message, or None."""
        if body.get("messaging_product") != "whatsapp" or not (body.get("to") or body.get("recipient")):
            return "messaging_product and to are required"
        kind = body.get("type")
        if kind == "text":
            text = body.get("text", {}).get("body", "")
            if not text.strip() or len(text) > 4096:
                return f"text of {len(text)} characters"
            return None
        if kind == "document":
            document = body.get("document", {})
            if document.get("id") not in self.uploads and not document.get("link"):
                return "unknown media id"
            if len(document.get("caption", "")) > 1024:
                return f"document caption of {len(document['caption'])} characters"
            return None
        if kind == "template":
            return self.check_template(body.get("template", {}))
        if kind != "interactive":
            return f"unsupported type {kind}"
        return check_interactive(body.get("interactive", {}))


    def check_template(self, template: dict) -> str | None:
        """Meta's checks of a template message: a known name (132001) in a known language, as
        many body parameters as the template has (132000), each one line of text (132018)."""
        name, language = template.get("name"), template.get("language", {}).get("code")
        if not name or not language:
            return "template without a name or a language"
        if self.templates is not None and (name, language) not in self.templates:
            return f"(#132001) template {name!r} does not exist in {language!r}"
        params = [p for c in template.get("components", []) if c.get("type") == "body"
                  for p in c.get("parameters", [])]
        if self.templates is not None and len(params) != self.templates[(name, language)]:
            return f"(#132000) {len(params)} parameters for {name!r}"
        for param in params:
            value = param.get("text", "")
            if param.get("type") != "text" or not value.strip():
                return "(#132018) empty parameter"
            if "\n" in value or "\t" in value or "     " in value:
                return "(#132018) Param text cannot have new-line/tab characters or more than 4 consecutive spaces"
        if sum(len(p.get("text", "")) for p in params) > 1024:
            return "(#132018) parameters over 1,024 characters"
        return None

    def templates_sent(self, to: str | None = None) -> list[dict]:
        """The template objects accepted, in order (to one person, with ``to``)."""
        return [body["template"] for body in self.sent
                if body["type"] == "template" and (to is None or to in (body.get("to"), body.get("recipient")))]


def check_interactive(interactive: dict) -> str | None:
    text = interactive.get("body", {}).get("text", "")
    if not text.strip() or len(text) > 1024:
        return f"interactive body of {len(text)} characters"
    action = interactive.get("action", {})
    if interactive.get("type") == "button":
        buttons = action.get("buttons", [])
        titles = [b.get("reply", {}).get("title", "") for b in buttons]
        ids = [b.get("reply", {}).get("id", "") for b in buttons]
        if not 1 <= len(buttons) <= 3:
            return f"{len(buttons)} reply buttons"
        if any(not t.strip() or len(t) > 20 for t in titles) or len(set(titles)) != len(titles):
            return f"bad button titles {titles}"
        if any(not i or len(i) > 256 for i in ids) or len(set(ids)) != len(ids):
            return f"bad button ids {ids}"
        return None
    if interactive.get("type") == "list":
        button = action.get("button", "")
        if not button.strip() or len(button) > 20:
            return f"list button {button!r}"
        rows = [row for section in action.get("sections", []) for row in section.get("rows", [])]
        if not 1 <= len(rows) <= 10:
            return f"{len(rows)} list rows"
        for row in rows:
            if not row.get("title", "").strip() or len(row["title"]) > 24:
                return f"row title {row.get('title')!r}"
            if len(row.get("description", "")) > 72:
                return f"row description {row['description']!r}"
            if not row.get("id") or len(row["id"]) > 200:
                return f"row id {row.get('id')!r}"
        if len({row["id"] for row in rows}) != len(rows):
            return "repeated row ids"
        return None
    return f"unsupported interactive type {interactive.get('type')}"


def media_type_error(mime_type: str) -> dict:
    """Meta's answer to an upload of a type it does not take (code 100, "Invalid parameter")."""
    message = (f"(#100) Param file must be a file with one of the following types: {', '.join(MEDIA_TYPES)}. "
               f"Received file of type '{mime_type}'.")
    return {"error": {"message": message, "type": "OAuthException", "code": 100,
                      "fbtrace_id": "AfakeTrace"}}


THROUGHPUT = Answer(429, {"error": {"message": "(#130429) Rate limit hit", "type": "OAuthException",
                                    "code": 130429, "error_data": {"messaging_product": "whatsapp",
                                    "details": "Cloud API message throughput has been reached."},
                                    "fbtrace_id": "AfakeTrace"}})
RATE_LIMIT = Answer(429, {"error": {"message": "(#80007) Rate limit issues", "type": "OAuthException",
                                    "code": 80007, "error_data": {"messaging_product": "whatsapp",
                                    "details": "The WhatsApp Business Account has reached its rate limit."},
                                    "fbtrace_id": "AfakeTrace"}})
BAD_GATEWAY = Answer(502, {"error": {"message": "(#2) Service temporarily unavailable", "type": "OAuthException",
                                     "code": 2, "is_transient": True, "fbtrace_id": "AfakeTrace"}})


def _error(code: int, message: str) -> dict:
    return {"error": {"message": f"({code}) {message}", "type": "OAuthException", "code": code,
                      "error_data": {"messaging_product": "whatsapp", "details": message},
                      "fbtrace_id": "AfakeTrace"}}


# -- the other side: Meta posting webhooks to our app -------------------------------------------
TOKEN, PHONE_ID, SECRET, VERIFY = "wa-token", "1065550001", "wa-app-secret", "wa-verify"
PATH = "/whatsapp/webhook"
_inbound_ids = itertools.count(1)


def settings_for(api: FakeGraphApi) -> WhatsAppSettings:
    return WhatsAppSettings(phone_number_id=PHONE_ID, access_token=TOKEN, app_secret=SECRET,
                            verify_token=VERIFY, api_url=api.url, api_version=api.version)


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(values: list[dict]) -> dict:
    """Meta's webhook shape: one entry, one change per value."""
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "WABA1", "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550001", "phone_number_id": PHONE_ID}, **value}}
                for value in values]}]}


def message_value(wa_id: str, *messages: dict, name: str = "Maria") -> dict:
    return {"contacts": [{"profile": {"name": name}, "wa_id": wa_id, "user_id": f"IT.{wa_id}"}],
            "messages": [{"from": wa_id, "id": m.pop("id", None) or f"wamid.in{next(_inbound_ids)}",
                          "timestamp": "1795600000", **m} for m in messages]}


def text(body: str, **fields) -> dict:
    return {"type": "text", "text": {"body": body}, **fields}


def button_reply(reply_id: str, title: str = "x", **fields) -> dict:
    return {"type": "interactive", "interactive": {"type": "button_reply",
                                                   "button_reply": {"id": reply_id, "title": title}}, **fields}


def list_reply(reply_id: str, title: str = "x", **fields) -> dict:
    return {"type": "interactive", "interactive": {"type": "list_reply",
                                                   "list_reply": {"id": reply_id, "title": title}}, **fields}


def image(media_id: str, caption: str | None = None, **fields) -> dict:
    """A photo a person sends (the media id from FakeGraphApi.add_media)."""
    return {"type": "image", "image": {"id": media_id, "mime_type": "image/jpeg", "sha256": "x",
                                       **({"caption": caption} if caption else {})}, **fields}


def document(media_id: str, filename: str, mime_type: str = "application/pdf", **fields) -> dict:
    return {"type": "document", "document": {"id": media_id, "filename": filename, "mime_type": mime_type,
                                             "sha256": "x"}, **fields}


def failed_status(message_id: str, wa_id: str, code: int) -> dict:
    """A "failed" status webhook value with Meta's error, e.g. 131047 for a window that closed."""
    title = ERRORS.get(code, "error")
    return status_value(message_id, "failed", wa_id, [{
        "code": code, "title": title, "message": title,
        "error_data": {"details": title}, "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}])


def status_value(message_id: str, status: str, wa_id: str, errors: list[dict] | None = None) -> dict:
    item = {"id": message_id, "status": status, "timestamp": "1795600100", "recipient_id": wa_id}
    if errors:
        item["errors"] = errors
    return {"statuses": [item]}


def settle(client) -> None:
    """Wait for the replies the webhook is sending (it answers Meta once their step is committed,
    handlers/whatsapp_webhook.py), through the test client's event loop."""
    waiting = getattr(getattr(client.app, "state", None), "whatsapp_settle", None)
    if waiting is not None:
        client.portal.call(waiting)


class WaChat:
    """One person on WhatsApp, with the Chat driver's say/press/text (tests.registration_helpers
    walks it): each call posts a signed webhook and reads what the fake Graph API received."""

    def __init__(self, client, api: FakeGraphApi, wa_id: str = "393471234567"):
        self.client, self.api, self.wa_id = client, api, wa_id
        self.sent: list[dict] = []  # the messages sent after the last post

    def post(self, payload: dict, *, signature: str | None = "sign") -> int:
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            headers["X-Hub-Signature-256"] = sign(body)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        mark = len(self.api.sent)
        answer = self.client.post(PATH, content=body, headers=headers)
        settle(self.client)
        self.sent = self.api.sent[mark:]
        return answer.status_code

    def send(self, *messages: dict) -> list[dict]:
        assert self.post(envelope([message_value(self.wa_id, *messages)])) == 200
        return self.sent

    def say(self, body: str) -> list[dict]:
        return self.send(text(body))

    def choices(self) -> list[tuple[str, str, str]]:
        """(id, title, description) of the buttons and rows of the last interactive message."""
        for message in reversed(self.sent):
            if message["type"] != "interactive":
                continue
            interactive = message["interactive"]
            if interactive["type"] == "button":
                return [(b["reply"]["id"], b["reply"]["title"], "") for b in interactive["action"]["buttons"]]
            return [(r["id"], r["title"], r.get("description", ""))
                    for s in interactive["action"]["sections"] for r in s["rows"]]
        return []

    def press(self, label: str) -> list[dict]:
        """Tap the choice showing this label, turning a paged list's pages as a person would."""
        for _page in range(10):
            choices = self.choices()
            for reply_id, title, description in choices:
                if label in title or label in description:
                    kind = button_reply if self._last_kind() == "button" else list_reply
                    return self.send(kind(reply_id, title))
            more = [c for c in choices if c[0].startswith("wa|more|")]
            if not more:
                break
            self.send(list_reply(more[0][0], more[0][1]))
        raise AssertionError(f"no choice {label!r} in {self.choices()}")

    def _last_kind(self) -> str:
        return next(m["interactive"]["type"] for m in reversed(self.sent) if m["type"] == "interactive")

    @property
    def text(self) -> str:
        return "\n".join(_texts(self.sent))

    @property
    def labels(self) -> list[str]:
        return [title for _id, title, _description in self.choices()]


def _texts(sent: list[dict]) -> list[str]:
    shown = []
    for body in sent:
        if body["type"] == "text":
            shown.append(body["text"]["body"])
        elif body["type"] == "interactive":
            shown.append(body["interactive"]["body"]["text"])
    return shown

"""A fake Telegram Bot API server on 127.0.0.1, for end-to-end tests and benchmarks.

Standard library only: a ``ThreadingHTTPServer`` in a daemon thread, on a free port.
It answers ``POST|GET /bot<token>/<method>`` the way api.telegram.org does, for the
methods our bot uses, with the same body encodings python-telegram-bot 22 sends
(``application/x-www-form-urlencoded`` with JSON-encoded non-string values,
``multipart/form-data`` when a file goes along) plus plain JSON bodies.

Usage::

    with FakeBotApi(token=TOKEN) as api:          # or api.start() ... api.stop()
        env["TELEGRAM_API_URL"] = api.url          # http://127.0.0.1:<port>
        mark = api.mark()
        api.push(message_update("ciao"))            # queued for getUpdates
        sent = api.wait_sent(1, since=mark)         # the bot's sendMessage params

Every call is kept in ``api.calls`` as a ``Call(method, params, files, token)``.
``getUpdates`` long-polls: it honours ``offset`` (lower update ids are confirmed and
dropped, as Telegram does), ``limit``, ``timeout`` and ``allowed_updates``, and it is
refused (409) while a webhook is set. Like Telegram it refuses what it would refuse:
empty or over-long text (4,096 characters), callback data over 64 bytes, editing a
message it never sent or with nothing changed, answering an unknown or already
answered callback query. Files people send: ``add_file(content)`` gives a document or a photo
its ``file_id`` for an update; ``getFile`` answers its ``file_path`` (refusing, as Telegram does,
files over 20 MB: "Bad Request: file is too big"), and ``GET /file/bot<token>/<file_path>`` serves
its bytes (``downloads`` counts them). ``hold(method)`` keeps that method's answers back until
``release(method)``, to stop a bot at a chosen point (e.g. to kill it mid-update).

Limits and faults, both off unless asked for:

- ``rate=30`` enforces an overall rate on the calls that send or edit messages (a token bucket
  holding ``burst`` seconds of calls, one by default), ``per_chat_rate=1`` a rate per chat (a bucket
  of ``per_chat_burst`` calls: a button press legitimately makes two or three). Over either,
  the answer is Telegram's: 429 "Too Many Requests: retry after N" with ``parameters.retry_after``
  (whole seconds), counted in ``rate_limited``.
- ``faults=Faults(seed=1, flood=0.02, blocked=0.01, chat_not_found=0.01, server_error=0.05)``
  makes sendMessage/sendDocument fail at random (seeded) as Telegram does: 429 with retry_after,
  403 "Forbidden: bot was blocked by the user" and 400 "Bad Request: chat not found" (both for
  good: that chat answers so from then on; ``block(chat_id)`` does it on purpose) and 5xx.
  Injected faults are counted in ``faults_injected``; a faulty call delivers nothing.
  ``fail(chat_id, status, description, retry_after=..., times=...)`` scripts one chat's answers.
- ``delivered[chat_id]`` counts the messages (sendMessage/sendDocument) that reached each chat.

The network's faults (tests/fake_network.py), off unless asked for too:

- ``latency=0.05`` (or ``api.latency = 0.05``): every answer comes 50 ms late, without holding up
  the other requests (each connection has its thread);
- ``refuse(fault, method=..., chat_id=..., times=1)``: the next call(s) to that method and/or chat
  meet ``fault``: ``BAD_GATEWAY`` (502), ``FLOOD`` (429 "Too Many Requests: retry after 20", with
  ``parameters.retry_after``; ``flood(seconds)`` for another wait), ``Hold(seconds, deliver=...)``
  (slower than the client waits: python-telegram-bot gives up after 5 s), ``RESET`` (the
  connection reset, no answer) or ``Down(seconds)`` (reset, then connections refused for a while);
  ``down()`` / ``up()`` stop and resume listening by hand;
- every call is recorded with its times: ``Call.at`` (arrival), ``Call.answered_at``, ``Call.status``,
  ``Call.fault``; ``chat_calls(chat_id)`` lists one chat's calls in order; ``listen(callback)`` is
  told of each call once it is answered (or reset).
"""
from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import math
import random
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable

from tests.fake_network import RESET, Answer, Down, Fault, FaultControls, Hold, Network, write_json

__all__ = ["BAD_GATEWAY", "BOT_USER", "Call", "Down", "FLOOD", "FakeBotApi", "Faults", "Hold", "RESET",
           "flood"]

BOT_USER = {"id": 424242, "is_bot": True, "first_name": "Insieme", "username": "insieme_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False,
            "supports_inline_queries": False}
MAX_TEXT = 4096          # characters of a message (core.telegram.org/bots/api#sendmessage)
MAX_CALLBACK_DATA = 64   # bytes of callback_data (core.telegram.org/bots/api#inlinekeyboardbutton)
MAX_LONG_POLL = 50       # seconds; Telegram caps getUpdates' timeout too
MAX_DOWNLOAD = 20 * 1024 * 1024  # bytes a bot may download (core.telegram.org/bots/api#getfile)
# Form fields whose values are plain strings, never JSON (PTB does not JSON-encode str values).
_STRING_FIELDS = {"text", "caption", "file_id", "callback_query_id", "url", "secret_token", "language_code",
                  "parse_mode", "inline_message_id", "filename", "ip_address", "scope_type"}
# Calls that send or change a message in a chat: what Telegram's flood limits count.
LIMITED = {"sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup", "copyMessage", "forwardMessage",
           "editMessageText", "editMessageReplyMarkup", "editMessageCaption"}
DELIVERING = {"sendMessage", "sendDocument"}  # where faults are injected and deliveries counted
BLOCKED = (403, "Forbidden: bot was blocked by the user")
CHAT_NOT_FOUND = (400, "Bad Request: chat not found")
_UPDATE_TYPES = ("message", "edited_message", "channel_post", "edited_channel_post",
                 "callback_query", "inline_query", "my_chat_member", "chat_member")


@dataclass
class Call:
    """One request the bot made: method name, decoded parameters and uploaded files."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # field -> (filename, content)
    token: str = ""
    at: float = field(default_factory=time.monotonic)  # when the request arrived
    answered_at: float | None = None  # when the answer was written (None: not yet, or never)
    status: int | None = None         # HTTP status answered (None: reset, or not answered yet)
    fault: Fault | None = None        # the fault given by refuse() that this call met
    done: bool = False                # the fake is through with it (answered, refused or reset):
                                      # its effect, if any, shows in messages()

    @property
    def seconds(self) -> float | None:
        """How long the answer took (None: not answered)."""
        return None if self.answered_at is None else self.answered_at - self.at

    @property
    def chat_id(self) -> int | None:
        """The chat the call is about (sends and edits), as an int; None for other calls."""
        value = self.params.get("chat_id")
        try:
            return int(value)
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Faults:
    """Chances, per sendMessage/sendDocument call, of each fault (see the module's docstring)."""

    seed: int = 0
    flood: float = 0.0            # 429 with retry_after in retry_after_range
    blocked: float = 0.0          # 403, and the chat stays blocked
    chat_not_found: float = 0.0   # 400 chat not found, for good too
    server_error: float = 0.0     # 500 or 502, once
    retry_after_range: tuple[int, int] = (1, 3)


class _Bucket:
    """A token bucket: ``rate`` tokens a second, at most ``capacity`` kept."""

    def __init__(self, rate: float, capacity: float, now: float):
        self.rate, self.capacity, self.tokens, self.at = rate, capacity, capacity, now

    def wait(self, now: float) -> float:
        """Seconds until a token is there (0: one is there now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


class FakeBotApi(FaultControls):
    def __init__(self, token: str | None = None, *, bot_user: dict[str, Any] | None = None,
                 host: str = "127.0.0.1", port: int = 0, rate: float | None = None, burst: float = 1.0,
                 per_chat_rate: float | None = None, per_chat_burst: float = 3.0,
                 faults: Faults | None = None, latency: float = 0.0) -> None:
        """``token``: when given, other tokens get 401 like Telegram's; None accepts any.
        ``rate``, ``per_chat_rate``, ``faults``, ``latency``: see the module's docstring."""
        self.token = token
        self.rate, self.burst, self.per_chat_rate, self.per_chat_burst = rate, burst, per_chat_rate, per_chat_burst
        self.faults = faults
        self._random = random.Random(faults.seed if faults else 0)
        self._bucket = _Bucket(rate, rate * burst, time.monotonic()) if rate else None
        self._chat_buckets: dict[int, _Bucket] = {}
        self._gone: dict[int, tuple[int, str]] = {}  # chat id -> the error it answers for good
        self._failing: dict[int, list] = {}          # chat id -> [status, description, parameters, times left]
        self.rate_limited = 0                          # 429s provoked by going over a rate
        self.floods: list[tuple[float, str, int]] = []   # (when, "overall" or "chat", chat id) of each
        self.faults_injected: Counter[str] = Counter()
        self.delivered: Counter[int] = Counter()
        self.bot_user = dict(bot_user or BOT_USER)
        self.calls: list[Call] = []
        self.webhook: dict[str, Any] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = itertools.count(100_000)
        self._message_ids = itertools.count(1)
        self._document_ids = itertools.count(1)
        # chat id -> message id -> message: a chat's messages without scanning everybody's
        # (the benchmarks ask for them at every step of hundreds of people)
        self._messages: dict[int, dict[int, dict[str, Any]]] = {}
        self._open_queries: set[str] = set()
        self._allowed_updates: list[str] | None = None
        self._held: dict[str, threading.Event] = {}
        self._cond = threading.Condition()
        self._closing = False
        self._listeners: list[Callable[[Call], None]] = []
        self._files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        self.downloads: list[str] = []                   # file paths served
        self._network = Network(self._handler_class(), host=host, port=port, latency=latency,
                                name="fake-bot-api")

    # -- life cycle ----------------------------------------------------------
    @property
    def url(self) -> str:
        """The root to give the bot (TELEGRAM_API_URL): requests go to <url>/bot<token>/<method>."""
        host, port = self._network.address
        return f"http://{host}:{port}"

    def start(self) -> "FakeBotApi":
        self._network.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        for event in list(self._held.values()):
            event.set()
        self._network.stop()

    def __enter__(self) -> "FakeBotApi":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what a test does ----------------------------------------------------
    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (an update_id is given when missing); returns it.

        A pushed callback query becomes answerable (answerCallbackQuery)."""
        update = dict(update)
        with self._cond:
            update.setdefault("update_id", next(self._next_update_id))
            if "callback_query" in update:
                self._open_queries.add(str(update["callback_query"]["id"]))
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def add_file(self, content: bytes, *, size: int | None = None, kind: str = "documents") -> dict[str, Any]:
        """A file a person sends: the fields of a Document or PhotoSize for an update (``file_id``,
        ``file_unique_id``, ``file_size``: ``size`` when given, as a client may announce another)."""
        with self._cond:
            number = len(self._files) + 1
            file_id = f"file{number}"
            self._files[file_id] = (f"{kind}/file_{number}", content)
        return {"file_id": file_id, "file_unique_id": f"u{number}",
                "file_size": len(content) if size is None else size}

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates pushed and not yet confirmed by a getUpdates offset."""
        with self._cond:
            return list(self._updates)

    def mark(self) -> int:
        """A position in ``calls``: pass it as ``since`` to wait only for later calls."""
        with self._cond:
            return len(self.calls)

    def calls_to(self, method: str, since: int = 0) -> list[Call]:
        with self._cond:
            return [call for call in self.calls[since:] if call.method == method]

    def sent(self, since: int = 0) -> list[dict[str, Any]]:
        """Parameters of the sendMessage calls since ``since``."""
        return [call.params for call in self.calls_to("sendMessage", since)]

    def wait_for(self, method: str, count: int = 1, *, since: int = 0, timeout: float = 10.0,
                 where=None, done: bool = False) -> list[Call]:
        """Block until at least ``count`` calls to ``method`` (matching ``where(call)``) came
        after ``since``; returns them all. Raises AssertionError on timeout.

        A call counts once it arrives (a held one too), before the fake has acted on it: with
        ``done``, only once the fake is through with it, so that ``messages()`` shows its effect."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls[since:]
                         if c.method == method and (where is None or where(c)) and (c.done or not done)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls[since:]]
                    raise AssertionError(f"waited {timeout}s for {count} {method} call(s); "
                                         f"got {len(found)}; calls since: {seen}")
                self._cond.wait(left)

    def wait_sent(self, count: int = 1, *, since: int = 0, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The parameters of the bot's next ``count`` (or more) sendMessage calls, once the fake has
        answered them: the messages are in ``messages()`` (a person can press their buttons)."""
        return [call.params for call in self.wait_for("sendMessage", count, since=since, timeout=timeout,
                                                       done=True)]

    def wait_quiet(self, seconds: float = 0.3, *, timeout: float = 10.0) -> None:
        """Wait until no call other than getUpdates arrived for ``seconds`` (the bot is idle)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._cond:
                last = max((c.at for c in self.calls if c.method != "getUpdates"), default=0.0)
            if time.monotonic() - last >= seconds:
                return
            time.sleep(0.05)
        raise AssertionError(f"the bot kept calling for {timeout}s")

    def hold(self, method: str) -> None:
        """Record calls to ``method`` but keep their answers back until ``release``."""
        self._held.setdefault(method, threading.Event()).clear()

    def release(self, method: str) -> None:
        event = self._held.pop(method, None)
        if event:
            event.set()

    def block(self, chat_id: int, error: tuple[int, str] = BLOCKED) -> None:
        """From now on ``chat_id`` answers ``error`` (403 blocked, or CHAT_NOT_FOUND)."""
        with self._cond:
            self._gone[int(chat_id)] = error

    def fail(self, chat_id: int, status: int, description: str, *, retry_after: int | None = None,
             times: int | None = None) -> None:
        """sendMessage/sendDocument to ``chat_id`` answer this error, ``times`` times (None: until
        ``fail(chat_id, 0, "")`` clears it); ``retry_after`` goes in ``parameters`` (a 429)."""
        with self._cond:
            if not status:
                self._failing.pop(int(chat_id), None)
                return
            parameters = {"retry_after": retry_after} if retry_after is not None else None
            self._failing[int(chat_id)] = [status, description, parameters, times]

    # -- the network's faults (tests/fake_network.py) ------------------------
    @property
    def latency(self) -> float:
        """Seconds added to every answer."""
        return self._network.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._network.latency = seconds

    def refuse(self, fault: Fault, *, method: str | None = None, chat_id: int | None = None,
               times: int | None = 1) -> None:
        """The next ``times`` calls (None: all, until ``clear_faults()``) to ``method`` (any when None)
        about ``chat_id`` (any when None) meet ``fault``: BAD_GATEWAY, FLOOD, flood(s), Hold(...),
        RESET or Down(seconds). A refused call has no effect (a Hold with deliver=True has)."""
        self._network.refuse(fault, method=method, target=chat_id, times=times)

    def chat_calls(self, chat_id: int, methods: set[str] | None = None, since: int = 0) -> list[Call]:
        """The calls about one chat (of ``methods``, by default those that send or edit), in the
        order they arrived."""
        methods = LIMITED if methods is None else methods
        with self._cond:
            return [c for c in self.calls[since:] if c.method in methods and c.chat_id == int(chat_id)]

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The messages the bot sent to a chat, oldest first, as they are now (after edits)."""
        with self._cond:
            chat = self._messages.get(int(chat_id), {})
            return [chat[message_id] for message_id in sorted(chat)]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """A message as the bot sent (and maybe edited) it, Telegram's JSON."""
        with self._cond:
            return self._messages.get(int(chat_id), {}).get(int(message_id))

    # -- the API -------------------------------------------------------------
    def _call(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        try:
            if method in LIMITED:
                self._admit(method, params)
            result = handler(params)
        except _ApiError as error:
            answer = {"ok": False, "error_code": error.status, "description": error.description}
            if error.parameters:
                answer["parameters"] = error.parameters
            return error.status, answer
        if method in DELIVERING and str(params.get("chat_id")).lstrip("-").isdigit():
            with self._cond:
                self.delivered[int(params["chat_id"])] += 1
        return 200, {"ok": True, "result": result}

    def delivered_now(self) -> dict[int, int]:
        """A copy of ``delivered``, taken while no call is counted (safe from another thread)."""
        with self._cond:
            return dict(self.delivered)

    def _admit(self, method: str, params: dict[str, Any]) -> None:
        """Telegram's answers for a blocked chat, over a rate, or a fault drawn at random."""
        try:
            chat_id = int(params.get("chat_id"))
        except (TypeError, ValueError):
            return  # the method's own check refuses it
        with self._cond:
            if chat_id in self._gone:
                raise _ApiError(*self._gone[chat_id])
            now = time.monotonic()
            buckets = [self._bucket] if self._bucket else []
            if self.per_chat_rate:
                buckets.append(self._chat_buckets.setdefault(
                    chat_id, _Bucket(self.per_chat_rate, self.per_chat_burst, now)))
            waits = [bucket.wait(now) for bucket in buckets]
            wait = max(waits, default=0.0)
            if wait > 0:
                self.rate_limited += 1
                self.floods.append((now, "overall" if self._bucket and waits[0] > 0 else "chat", chat_id))
                raise _flood(max(1, math.ceil(wait)))
            for bucket in buckets:
                bucket.take()
            scripted = self._failing.get(chat_id) if method in DELIVERING else None
            if scripted:
                status, description, parameters, times = scripted
                if times is not None:
                    scripted[3] -= 1
                    if scripted[3] <= 0:
                        del self._failing[chat_id]
                raise _ApiError(status, description, parameters)
            if self.faults and method in DELIVERING:
                self._inject(chat_id)

    def _inject(self, chat_id: int) -> None:
        faults, draw = self.faults, self._random.random()
        for name, chance in (("flood", faults.flood), ("blocked", faults.blocked),
                             ("chat_not_found", faults.chat_not_found), ("server_error", faults.server_error)):
            if draw < chance:
                self.faults_injected[name] += 1
                if name == "flood":
                    raise _flood(self._random.randint(*faults.retry_after_range))
                if name == "server_error":
                    raise _ApiError(*self._random.choice([(500, "Internal Server Error"), (502, "Bad Gateway")]))
                self._gone[chat_id] = BLOCKED if name == "blocked" else CHAT_NOT_FOUND
                raise _ApiError(*self._gone[chat_id])
            draw -= chance

    def _m_getme(self, params):
        return self.bot_user

    def _m_getupdates(self, params):
        if self.webhook.get("url"):
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                 "use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0), MAX_LONG_POLL)
        if params.get("allowed_updates") is not None:
            self._allowed_updates = list(params["allowed_updates"]) or None
        deadline = time.monotonic() + timeout
        with self._cond:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]  # confirmed
            while True:
                ready = [u for u in self._updates if self._allowed(u)][:limit]
                left = deadline - time.monotonic()
                if ready or left <= 0 or self._closing:
                    return ready
                self._cond.wait(left)

    def _allowed(self, update: dict[str, Any]) -> bool:
        kinds = self._allowed_updates or [k for k in _UPDATE_TYPES if k not in ("chat_member",)]
        return any(kind in update for kind in kinds)

    def _m_sendmessage(self, params):
        chat_id = _required(params, "chat_id")
        text = str(params.get("text") or "")
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise _ApiError(400, "Bad Request: message is too long")
        _check_markup(params.get("reply_markup"))
        return self._store(chat_id, {"text": text}, params.get("reply_markup"))

    def _m_senddocument(self, params):
        chat_id = _required(params, "chat_id")
        document = params.get("document")
        if not document:
            raise _ApiError(400, "Bad Request: there is no document in the request")
        name, content = document if isinstance(document, tuple) else (str(document), b"")
        extra = {"document": {"file_id": f"doc{next(self._document_ids)}", "file_unique_id": "u",
                              "file_name": name, "file_size": len(content)}}
        if params.get("caption"):
            extra["caption"] = params["caption"]
        return self._store(chat_id, extra, params.get("reply_markup"))

    def _m_getfile(self, params):
        file_id = str(_required(params, "file_id"))
        with self._cond:
            found = self._files.get(file_id)
        if found is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        path, content = found
        if len(content) > MAX_DOWNLOAD:
            raise _ApiError(400, "Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content), "file_path": path}

    def _download(self, token: str, path: str) -> bytes | None:
        if self.token is not None and token != self.token:
            return None
        with self._cond:
            found = next((content for file_path, content in self._files.values() if file_path == path), None)
            if found is not None:
                self.downloads.append(path)
        return found

    def _m_editmessagetext(self, params):
        message = self._editable(params)
        text = str(params.get("text") or "")
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        markup = _check_markup(params.get("reply_markup"))
        if text == message.get("text") and markup == message.get("reply_markup"):
            raise _ApiError(400, "Bad Request: message is not modified: specified new message content "
                                 "and reply markup are exactly the same as a current content and reply "
                                 "markup of the message")
        return self._replace(message, text=text, reply_markup=markup)

    def _m_editmessagereplymarkup(self, params):
        message = self._editable(params)
        markup = _check_markup(params.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise _ApiError(400, "Bad Request: message is not modified: specified new message content "
                                 "and reply markup are exactly the same as a current content and reply "
                                 "markup of the message")
        return self._replace(message, reply_markup=markup)

    def _m_answercallbackquery(self, params):
        query_id = str(_required(params, "callback_query_id"))
        with self._cond:
            if query_id not in self._open_queries:
                raise _ApiError(400, "Bad Request: query is too old and response timeout expired "
                                     "or query ID is invalid")
            self._open_queries.discard(query_id)
        return True

    def _m_setmycommands(self, params):
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _ApiError(400, "Bad Request: commands must be a list of at most 100")
        return True

    def _m_deletemycommands(self, params):
        return True

    def _m_setwebhook(self, params):
        url = str(params.get("url") or "")
        self.webhook = {"url": url, "secret_token": params.get("secret_token"),
                        "allowed_updates": params.get("allowed_updates")} if url else {}
        return True

    def _m_deletewebhook(self, params):
        self.webhook = {}
        if params.get("drop_pending_updates"):
            with self._cond:
                self._updates.clear()
        return True

    def _m_getwebhookinfo(self, params):
        with self._cond:
            pending = len(self._updates)
        info = {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": pending}
        if self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    def _m_close(self, params):
        return True

    def _m_logout(self, params):
        return True

    # -- sent messages -------------------------------------------------------
    def _store(self, chat_id, content: dict[str, Any], markup) -> dict[str, Any]:
        chat_id = int(chat_id)
        chat = ({"id": chat_id, "type": "private", "first_name": "Maria"} if chat_id > 0
                else {"id": chat_id, "type": "supergroup", "title": "Gruppo"})
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat,
                   "from": self.bot_user, **content}
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes inline keyboards only
        with self._cond:
            self._messages.setdefault(chat_id, {})[message["message_id"]] = message
        return message

    def _editable(self, params) -> dict[str, Any]:
        if params.get("inline_message_id"):
            raise _ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat_id, message_id = _required(params, "chat_id"), _required(params, "message_id")
        message = self.message(int(chat_id), int(message_id))
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        return message

    def _replace(self, message: dict[str, Any], **changes) -> dict[str, Any]:
        edited = {**message, "edit_date": int(time.time())}
        for key, value in changes.items():
            if key == "reply_markup" and not (isinstance(value, dict) and "inline_keyboard" in value):
                edited.pop(key, None)
            else:
                edited[key] = value
        with self._cond:
            self._messages[edited["chat"]["id"]][edited["message_id"]] = edited
        return edited

    # -- HTTP ----------------------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def _answered(self, call: Call) -> None:
        with self._cond:
            call.done = True
            self._cond.notify_all()
        for listener in list(self._listeners):
            listener(call)

    def _handler_class(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms wait

            def do_POST(self):  # noqa: N802 - http.server's naming
                self._serve()

            def do_GET(self):  # noqa: N802
                if self.path.startswith("/file/bot"):  # a file's download: /file/bot<token>/<file_path>
                    token, _slash, path = self.path[len("/file/bot"):].partition("/")
                    # python-telegram-bot sends the token's ":" as %3A, as Telegram takes it
                    content = api._download(urllib.parse.unquote(token), urllib.parse.unquote(path))
                    if content is None:
                        return self._answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)
                    return
                self._serve()

            def _serve(self):
                parsed = urllib.parse.urlsplit(self.path)
                parts = parsed.path.strip("/").split("/")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if len(parts) != 2 or not parts[0].startswith("bot"):
                    return self._answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                token, method = parts[0][3:], parts[1]
                if api.token is not None and token != api.token:
                    return self._answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                try:
                    params, files = _decode_body(self.headers.get("Content-Type", ""), body)
                except ValueError as error:
                    return self._answer(400, {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"})
                params.update({k: _form_value(k, v) for k, v in urllib.parse.parse_qsl(parsed.query)})
                for name, (filename, content) in files.items():
                    params[name] = (filename, content)
                call = Call(method, params, files, token)
                api._record(call)
                held = api._held.get(method)
                if held is not None:
                    held.wait(timeout=60)
                fault = api._network.fault_for(method, call.chat_id)
                try:
                    api._network.serve(self, call, fault, lambda: api._call(method, params), self._answer)
                finally:
                    api._answered(call)

            def _answer(self, status: int, payload: dict[str, Any]) -> None:
                write_json(self, status, payload)

            def log_message(self, format, *args):  # quiet: the URL path carries the token
                pass

        return Handler


class _ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


def _flood(seconds: int) -> _ApiError:
    return _ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})


def flood(seconds: int = 20) -> Answer:
    """Telegram's 429, body for body: {"ok":false,"error_code":429,"description":"Too Many
    Requests: retry after 20","parameters":{"retry_after":20}}."""
    return Answer(429, {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {seconds}",
                        "parameters": {"retry_after": seconds}})


FLOOD = flood(20)
BAD_GATEWAY = Answer(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})


def _required(params: dict[str, Any], name: str) -> Any:
    if params.get(name) in (None, ""):
        raise _ApiError(400, f"Bad Request: {name} is empty")
    return params[name]


def _check_markup(markup: Any) -> Any:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise _ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
    return markup


def _form_value(name: str, value: str) -> Any:
    """PTB sends str values as they are and everything else JSON-encoded."""
    if name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _decode_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    kind = content_type.split(";")[0].strip().lower()
    if not body:
        return {}, {}
    if kind == "application/json":
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("the JSON body must be an object")
        return data, {}
    if kind == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        params, files = {}, {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            content = part.get_payload(decode=True) or b""
            if filename is not None:
                files[name] = (filename, content)
            else:
                params[name] = _form_value(name, content.decode("utf-8"))
        return params, files
    # application/x-www-form-urlencoded (what PTB sends without files)
    return {k: _form_value(k, v) for k, v in urllib.parse.parse_qsl(body.decode("utf-8"))}, {}

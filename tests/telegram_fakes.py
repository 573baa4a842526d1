"""A recording stand-in for python-telegram-bot's HTTP layer, and raw update JSON builders.

``RecordingRequest`` answers Bot API calls the way Telegram would (enough for our
adapter) without any network; every call is kept in ``calls`` as (method, params),
the messages it "sent" in ``messages`` (message id -> Telegram's JSON), and
``errors[method] = (status, description)`` makes a method fail as Telegram would.
"""
from __future__ import annotations

import itertools
import json
import time
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_USER = {"id": 424242, "is_bot": True, "first_name": "Insieme", "username": "insieme_test_bot"}
TOKEN = "424242:TEST-token-not-real"


class RecordingRequest(BaseRequest):
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.errors: dict[str, tuple[int, str]] = {}
        self._message_ids = itertools.count(1000)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=None, write_timeout=None, connect_timeout=None,
                         pool_timeout=None) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        if request_data and request_data.multipart_data:  # uploaded files: (filename, bytes, mime)
            params = {**params, "files": dict(request_data.multipart_data)}
        self.calls.append((name, params))
        if name in self.errors:
            status, description = self.errors[name]
            return status, json.dumps({"ok": False, "error_code": status, "description": description}).encode()
        return 200, json.dumps({"ok": True, "result": self.result_for(name, params)}).encode()

    def result_for(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return BOT_USER
        if name in {"sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup"}:
            message_id = int(params.get("message_id") or next(self._message_ids))
            message = {**self.messages.get(message_id, {}), "message_id": message_id,
                       "date": int(time.time()), "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                       "from": BOT_USER}
            if name != "editMessageReplyMarkup":
                message["text"] = params.get("text", "")
            markup = params.get("reply_markup")
            if isinstance(markup, dict) and "inline_keyboard" in markup:
                message["reply_markup"] = markup  # Telegram echoes inline keyboards only
            else:
                message.pop("reply_markup", None)
            self.messages[message_id] = message
            return message
        if name == "getUpdates":
            return []
        return True

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    def clear(self) -> None:
        self.calls.clear()


_update_ids = itertools.count(1)


def user(user_id: int = 5001, language_code: str = "it") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Maria", "language_code": language_code}


def chat(chat_id: int = 5001, chat_type: str = "private") -> dict[str, Any]:
    return {"id": chat_id, "type": chat_type, **({"title": "Gruppo"} if chat_type != "private" else {})}


def message_update(text: str | None = None, *, user_id: int = 5001, chat_type: str = "private",
                   chat_id: int | None = None, update_id: int | None = None, **extra: Any) -> dict[str, Any]:
    """A raw ``message`` update as Telegram sends it; ``extra`` adds e.g. sticker, contact."""
    message = {"message_id": next(_update_ids) + 10_000, "date": int(time.time()),
               "chat": chat(chat_id or user_id, chat_type), "from": user(user_id)}
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    message.update(extra)
    return {"update_id": update_id or next(_update_ids), "message": message}


def callback_update(data: str, *, user_id: int = 5001, message_text: str = "?",
                    keyboard: list[list[dict[str, str]]] | None = None,
                    update_id: int | None = None, message_id: int = 777,
                    chat_id: int | None = None, chat_type: str = "private") -> dict[str, Any]:
    """A raw ``callback_query`` update: the person pressed an inline button."""
    message = {"message_id": message_id, "date": int(time.time()),
               "chat": chat(chat_id or user_id, chat_type), "from": BOT_USER,
               "text": message_text,
               "reply_markup": {"inline_keyboard": keyboard or [[{"text": "?", "callback_data": data}]]}}
    return {"update_id": update_id or next(_update_ids),
            "callback_query": {"id": str(next(_update_ids)), "from": user(user_id), "chat_instance": "1",
                               "data": data, "message": message}}


def press_update(message: dict[str, Any], label: str, *, user_id: int = 5001,
                 update_id: int | None = None) -> dict[str, Any]:
    """The callback query of pressing the button labelled ``label`` (or containing it) on
    ``message``, a message as the bot sent it (Telegram's JSON, with its inline keyboard)."""
    keyboard = message.get("reply_markup", {}).get("inline_keyboard", [])
    buttons = [b for row in keyboard for b in row]
    button = next((b for b in buttons if b["text"] == label), None) or next(
        (b for b in buttons if label in b["text"]), None)
    if button is None:
        raise AssertionError(f"no button {label!r} in {[b['text'] for b in buttons]}")
    return callback_update(button["callback_data"], user_id=user_id, message_text=message.get("text", ""),
                           keyboard=keyboard, update_id=update_id, message_id=message["message_id"],
                           chat_id=message["chat"]["id"], chat_type=message["chat"]["type"])

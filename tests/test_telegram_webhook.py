"""Webhook mode (bot.webhook): the secret token is checked before anything is processed, and
Telegram hears 200 once the update's step is in the database, not after its replies went out."""
from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text

from bot.webhook import WEBHOOK_PATH, create_app
from handlers.telegram import build_application
from tests.telegram_fakes import TOKEN, RecordingRequest, message_update

SECRET = "s3cret-Token_for-tests"
PUBLIC_URL = "https://bot.example.org" + WEBHOOK_PATH


@pytest.fixture
def request_():
    return RecordingRequest()


@pytest.fixture
async def client(service, request_):
    """The ASGI app with its lifespan run (ASGITransport does not run it by itself)."""
    application = build_application(token=TOKEN, api_url="http://127.0.0.1:9", service=service,
                                     request=request_)
    app = create_app(application, secret=SECRET, public_url=PUBLIC_URL)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://testserver") as http:
            yield http


def contacts(db) -> int:
    with db.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM contact")).scalar_one()


def processed(db) -> int:
    with db.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM processed_update")).scalar_one()


async def test_start_up_registers_the_webhook_with_its_secret(client, request_):
    [params] = [params for name, params in request_.calls if name == "setWebhook"]
    assert params["url"] == PUBLIC_URL and params["secret_token"] == SECRET
    assert set(params["allowed_updates"]) == {"message", "callback_query"}


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
                                     {"X-Telegram-Bot-Api-Secret-Token": ""},
                                     {"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"},
                                     {"X-Telegram-Bot-Api-Secret-Token": SECRET[:-1]}])
async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_processed(client, request_, db, headers):
    request_.clear()
    response = await client.post(WEBHOOK_PATH, json=message_update("ciao"), headers=headers)
    assert response.status_code == 403
    assert request_.calls == []
    assert contacts(db) == 0 and processed(db) == 0


async def sent_soon(request_, count: int = 1) -> list[dict]:
    """The messages sent, once there are ``count`` (the replies go out after the webhook's 200)."""
    for _ in range(200):
        if len(request_.sent()) >= count:
            break
        await asyncio.sleep(0.01)
    return request_.sent()


async def test_the_right_secret_is_processed(client, request_, db):
    request_.clear()
    response = await client.post(WEBHOOK_PATH, json=message_update("ciao", user_id=6001),
                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status_code == 200
    [welcome] = await sent_soon(request_)
    assert welcome["chat_id"] == 6001 and welcome["reply_markup"]["inline_keyboard"]
    assert contacts(db) == 1


@pytest.mark.parametrize("body", [b"not json", b"", b"null", b"[]", b"42", b'"update"', b"{}",
                                  b'{"update_id": "abc"}', b'{"message": {"text": "hi"}}'])
async def test_a_garbage_body_is_a_400(client, request_, db, body):
    request_.clear()
    response = await client.post(WEBHOOK_PATH, content=body, headers={
        "X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert request_.calls == [] and contacts(db) == 0


async def test_the_wrong_secret_is_checked_before_the_body(client, db):
    response = await client.post(WEBHOOK_PATH, content=b"not json",
                                 headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
    assert response.status_code == 403


def test_an_empty_secret_is_refused(service):
    application = build_application(token=TOKEN, api_url="http://127.0.0.1:9", service=service,
                                    request=RecordingRequest())
    with pytest.raises(ValueError):
        create_app(application, secret="")


class SlowRequest(RecordingRequest):
    """A Bot API whose sendMessage waits until the test lets it answer."""

    def __init__(self) -> None:
        super().__init__()
        self.answer = asyncio.Event()

    async def do_request(self, url, method, request_data=None, **timeouts):
        if url.endswith("/sendMessage"):
            await self.answer.wait()
        return await super().do_request(url, method, request_data, **timeouts)


async def test_telegram_hears_200_once_the_step_is_saved_while_its_reply_is_still_on_the_way(service, db):
    """A slow sendMessage (Telegram 50 ms away, or a 429's wait) must not keep Telegram's POST
    open: it waits for the step's commit only; the reply is a row by then and goes out after."""
    request_ = SlowRequest()
    application = build_application(token=TOKEN, api_url="http://127.0.0.1:9", service=service, request=request_)
    app = create_app(application, secret=SECRET)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
            response = await asyncio.wait_for(http.post(
                WEBHOOK_PATH, json=message_update("ciao", user_id=6002),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}), timeout=5)
            assert response.status_code == 200
            assert contacts(db) == 1 and processed(db) == 1
            with db.connect() as connection:
                waiting = connection.execute(text(
                    "SELECT count(*) FROM outbox WHERE kind = 'reply' AND status = 'sending'")).scalar_one()
            assert waiting >= 1 and request_.sent() == []
            request_.answer.set()
            [welcome] = await sent_soon(request_)
            assert welcome["chat_id"] == 6002

"""The webhooks refuse a body over handlers.body_limit.WEBHOOK_LIMIT with 413 before reading it,
whether Content-Length tells the size or not (issue 13's hardening: a 200 MB post was read whole)."""
from __future__ import annotations

import json

import httpx
from fastapi import FastAPI, Request
from starlette.testclient import TestClient

from bot.app import create_app
from handlers.whatsapp_webhook import whatsapp_router
from handlers.body_limit import WEBHOOK_LIMIT, BodyLimit
from tests.conftest import NOW
from tests.fake_graph_api import PATH, PHONE_ID, TOKEN, FakeGraphApi, envelope, message_value, settings_for, sign, text


def test_the_whatsapp_webhook_of_the_app_refuses_a_huge_body_and_still_takes_a_normal_one(db, service):
    with FakeGraphApi(token=TOKEN, phone_id=PHONE_ID) as graph:
        router = whatsapp_router(service, settings_for(graph), clock=lambda: NOW)
        app = create_app(db, routers=[router], clock=lambda: NOW, announce=lambda _message: None)
        with TestClient(app) as client:
            huge = b"{" + b" " * (WEBHOOK_LIMIT + 10) + b"}"
            refused = client.post(PATH, content=huge, headers={"X-Hub-Signature-256": sign(huge)})
            assert refused.status_code == 413
            body = json.dumps(envelope([message_value("393471234567", text("ciao"))])).encode()
            taken = client.post(PATH, content=body, headers={"X-Hub-Signature-256": sign(body),
                                                             "Content-Type": "application/json"})
            assert taken.status_code == 200
            client.portal.call(router.whatsapp_client.aclose)


async def test_a_body_without_content_length_is_counted_as_it_arrives():
    seen = []
    inner = FastAPI()

    @inner.post("/hook")
    async def hook(request: Request) -> dict:
        seen.append(len(await request.body()))
        return {"ok": True}

    app = BodyLimit(inner, limits={"/hook": 1000})

    async def chunks(size: int):
        for _ in range(size // 100):
            yield b"x" * 100

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://office") as client:
        assert (await client.post("/hook", content=chunks(5000))).status_code == 413
        assert (await client.post("/hook", content=chunks(900))).status_code == 200
        assert (await client.post("/elsewhere", content=b"x" * 5000)).status_code == 404  # not limited: the app's answer
        assert (await client.post("/hook", content=b"x" * 1001)).status_code == 413  # by Content-Length
    assert seen == [900]

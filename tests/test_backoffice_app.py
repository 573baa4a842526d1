"""The one ASGI application: health, the root, Telegram's webhook next to the back office."""
from __future__ import annotations

import time

from sqlalchemy import text

from bot.app import create_app
from backoffice.settings import OfficeSettings
from bot.webhook import WEBHOOK_PATH
from handlers.telegram import build_application
from tests.office_support import (TestClient, client, fast_hashes, logged_in, office,  # noqa: F401
                                  office_accounts)
from tests.telegram_fakes import TOKEN, RecordingRequest, message_update

SECRET = "s3cret-Token_for-tests"


def test_health_answers_with_the_database_state(client, db):
    response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


def test_health_says_so_when_the_database_is_gone(tmp_path):
    from store.engine import make_engine

    broken = make_engine(f"sqlite:///{tmp_path}/no-such-folder/none.db")
    app = create_app(broken, settings=OfficeSettings(secret_key="k" * 40))  # a set key: no database read
    response = TestClient(app).get("/health")  # no lifespan: it would need the database too
    assert response.status_code == 503 and response.json()["database"] == "unreachable"


def test_the_root_leads_to_the_back_office(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["location"] == "/office/"


def test_the_webhook_lives_in_the_same_application_and_checks_its_secret(db, service, office_accounts):
    request = RecordingRequest()
    application = build_application(token=TOKEN, api_url="http://127.0.0.1:9", service=service, request=request)
    app = create_app(db, telegram_application=application, telegram_secret=SECRET,
                     telegram_public_url="https://bot.example.org" + WEBHOOK_PATH,
                     settings=OfficeSettings(secret_key="k" * 40))
    with TestClient(app, follow_redirects=False) as http:
        assert [name for name, _ in request.calls if name == "setWebhook"] == ["setWebhook"]
        refused = http.post(WEBHOOK_PATH, json=message_update("ciao", user_id=7001),
                            headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
        assert refused.status_code == 403
        accepted = http.post(WEBHOOK_PATH, json=message_update("ciao", user_id=7001),
                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert accepted.status_code == 200  # once the step is saved: its reply goes out just after
        deadline = time.monotonic() + 5
        while not any(name == "sendMessage" for name, _ in request.calls) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert [params["chat_id"] for name, params in request.calls if name == "sendMessage"] == [7001]
        assert http.get("/office/").status_code == 302  # the back office is there too
        logged_in(http, "otto")
        assert http.get("/office/registration/list").status_code == 200
    with db.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM contact")).scalar_one() == 1


def test_without_telegram_there_is_no_webhook_route(client):
    assert client.post(WEBHOOK_PATH, json={"update_id": 1}).status_code in (404, 405)

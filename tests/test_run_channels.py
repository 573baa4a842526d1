"""End to end: ``python -m bot run`` is one process serving everything. With a Telegram token and
the WhatsApp settings, against the fake Bot API and the fake Graph API on 127.0.0.1: a Telegram
user (long polling) and a WhatsApp user (signed webhook posts to the process) both get answers,
the outbox reaches both through the one scheduler, /health answers, and SIGINT stops it cleanly.
Settings that cannot work (a port taken, WhatsApp without its app secret) end it at once with one
clear line and exit status 2."""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conversations.messages import Outbound
from store.engine import make_engine
from tests.fake_bot_api import FakeBotApi
from tests.fake_graph_api import (PATH, PHONE_ID, SECRET, TOKEN as WA_TOKEN, VERIFY, FakeGraphApi, envelope,
                                  message_value, sign, text)
from tests.outbox_helpers import queue
from tests.postgres import free_port
from tests.telegram_fakes import message_update

ROOT = Path(__file__).resolve().parent.parent
TG_TOKEN = "555000111:AAChannels-token_that-must-not-leak"
TG_USER = 7101
WA_ID = "393479990001"
WAIT = 20.0  # seconds for the process to come up or to answer: generous for a busy machine
# What a developer's .env could hold, blanked so that it cannot change the test.
BLANK = {"TELEGRAM_WEBHOOK_URL": "", "TELEGRAM_WEBHOOK_SECRET": "", "WHATSAPP_PHONE_NUMBER_ID": "",
         "WHATSAPP_ACCESS_TOKEN": "", "WHATSAPP_APP_SECRET": "", "WHATSAPP_VERIFY_TOKEN": ""}


class Run:
    """``python -m bot run`` in its own process group, logging to a file, on a free port."""

    def __init__(self, tmp_path: Path, **env: str):
        self.port = int(env.pop("OFFICE_PORT", 0)) or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db_url = f"sqlite:///{tmp_path / 'run.db'}"
        self.log_path = tmp_path / "bot.log"
        environment = {k: v for k, v in os.environ.items()
                       if not k.startswith(("TELEGRAM_", "WHATSAPP_", "DATABASE_", "OFFICE_"))}
        environment.update(BLANK, DATABASE_URL=self.db_url, OFFICE_PORT=str(self.port), LOG_LEVEL="INFO",
                           PYTHONUNBUFFERED="1", **env)
        with open(self.log_path, "wb") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=environment,
                                            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                if httpx.get(self.base + "/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, f"the bot ended ({self.process.returncode}):\n{self.log()}"
            assert time.monotonic() < deadline, f"the server did not start:\n{self.log()}"
            time.sleep(0.1)

    def interrupt(self) -> int:
        """Ctrl+C; the exit status."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=WAIT)

    def ended(self) -> int:
        return self.process.wait(timeout=WAIT)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT)


@pytest.fixture
def runs():
    started: list[Run] = []
    yield started
    for run in started:
        run.kill()


def post_whatsapp(run: Run, payload: dict, secret: str = SECRET) -> int:
    body = json.dumps(payload).encode()
    return httpx.post(run.base + PATH, content=body, timeout=WAIT,
                      headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, secret)}).status_code


def test_one_process_serves_telegram_whatsapp_and_the_office(tmp_path, runs):
    with FakeBotApi(token=TG_TOKEN) as telegram, FakeGraphApi(token=WA_TOKEN, phone_id=PHONE_ID) as graph:
        run = Run(tmp_path, TELEGRAM_BOT_TOKEN=TG_TOKEN, TELEGRAM_API_URL=telegram.url,
                  WHATSAPP_PHONE_NUMBER_ID=PHONE_ID, WHATSAPP_ACCESS_TOKEN=WA_TOKEN, WHATSAPP_APP_SECRET=SECRET,
                  WHATSAPP_VERIFY_TOKEN=VERIFY, WHATSAPP_API_URL=graph.url, WHATSAPP_API_VERSION=graph.version)
        runs.append(run)
        telegram.push(message_update("ciao", user_id=TG_USER))
        answer = telegram.wait_sent(timeout=WAIT)[0]  # long polling runs in the same process
        assert int(answer["chat_id"]) == TG_USER and answer["text"]

        run.wait_until_serving()
        health = httpx.get(run.base + "/health").json()
        assert health == {"status": "ok", "database": "ok"}
        assert "password" in httpx.get(run.base + "/office/", follow_redirects=True).text.lower()
        challenge = httpx.get(run.base + PATH, params={"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                                       "hub.challenge": "42"})
        assert (challenge.status_code, challenge.text) == (200, "42")
        assert post_whatsapp(run, envelope([message_value(WA_ID, text("ciao"))]), secret="forged") == 403
        assert graph.sent == []
        assert post_whatsapp(run, envelope([message_value(WA_ID, text("ciao"))])) == 200
        deadline = time.monotonic() + WAIT  # answered once its step is committed; the reply follows
        while not graph.texts(WA_ID) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert graph.texts(WA_ID), "the WhatsApp user got no answer"
        assert graph.refused == []

        # What the bot starts itself (a notice) goes out on both channels through the one scheduler.
        db = make_engine(run.db_url)
        now = dt.datetime.now(dt.timezone.utc)
        mark = telegram.mark()
        queue(db, str(TG_USER), channel="telegram", key="notice:tg", message=Outbound("Notice for Telegram"),
              due_at=now)
        queue(db, WA_ID, channel="whatsapp", key="notice:wa", message=Outbound("Notice for WhatsApp"), due_at=now)
        db.dispose()
        assert telegram.wait_sent(since=mark, timeout=WAIT)[0]["text"] == "Notice for Telegram"
        deadline = time.monotonic() + WAIT
        while "Notice for WhatsApp" not in graph.texts(WA_ID):
            assert time.monotonic() < deadline, f"no WhatsApp notice:\n{run.log()}"
            time.sleep(0.1)

        assert run.interrupt() == 0  # Ctrl+C: a clean stop
    log = run.log()
    assert "Traceback" not in log, log[-4000:]
    assert TG_TOKEN not in log and TG_TOKEN.split(":")[1] not in log and WA_TOKEN not in log
    assert "Application shutdown complete" in log


def test_the_telegram_webhook_is_a_route_of_the_same_application(tmp_path, runs):
    with FakeBotApi(token=TG_TOKEN) as telegram:
        run = Run(tmp_path, TELEGRAM_BOT_TOKEN=TG_TOKEN, TELEGRAM_API_URL=telegram.url,
                  TELEGRAM_WEBHOOK_URL="https://bot.example.org/telegram/webhook",
                  TELEGRAM_WEBHOOK_SECRET="webhook-secret_1")
        runs.append(run)
        run.wait_until_serving()
        assert telegram.calls_to("setWebhook")[0].params["url"] == "https://bot.example.org/telegram/webhook"
        update = message_update("ciao", user_id=TG_USER)
        refused = httpx.post(run.base + "/telegram/webhook", json=update,
                             headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
        assert refused.status_code == 403
        answered = httpx.post(run.base + "/telegram/webhook", json=update, timeout=WAIT,
                              headers={"X-Telegram-Bot-Api-Secret-Token": "webhook-secret_1"})
        assert answered.status_code == 200
        assert int(telegram.wait_sent(timeout=WAIT)[0]["chat_id"]) == TG_USER
        assert telegram.calls_to("getUpdates") == []  # no polling beside the webhook
        assert run.interrupt() == 0
    assert "Traceback" not in run.log()


def test_a_port_already_taken_is_one_clear_line(tmp_path, runs):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = Run(tmp_path, OFFICE_PORT=str(port), TELEGRAM_BOT_TOKEN="")
        runs.append(run)
        assert run.ended() == 2
    log = run.log()
    assert f"127.0.0.1:{port} is already in use" in log and "OFFICE_PORT" in log
    assert "Traceback" not in log


def test_whatsapp_without_its_app_secret_does_not_start(tmp_path, runs):
    run = Run(tmp_path, TELEGRAM_BOT_TOKEN="", WHATSAPP_PHONE_NUMBER_ID=PHONE_ID, WHATSAPP_ACCESS_TOKEN=WA_TOKEN,
              WHATSAPP_VERIFY_TOKEN=VERIFY)
    runs.append(run)
    assert run.ended() == 2
    log = run.log()
    assert "WHATSAPP_APP_SECRET is required" in log and "Traceback" not in log


# -- in this process: the lifespan starts and stops the channels, in order ------------------------

def test_the_lifespan_runs_telegram_polling_and_the_scheduler_and_stops_them(db, service):
    from starlette.testclient import TestClient

    from bot.app import create_app
    from bot.channels import Channels
    from bot.settings import Settings, TelegramSettings, WhatsAppSettings

    with FakeBotApi(token=TG_TOKEN) as telegram:
        settings = Settings(telegram=TelegramSettings(bot_token=TG_TOKEN, api_url=telegram.url, webhook_url=None),
                            whatsapp=WhatsAppSettings(phone_number_id=None, access_token=None))
        channels = Channels(settings, service)
        app = create_app(db, announce=lambda _message: None, **channels.app_options())
        with TestClient(app) as client:
            assert channels.telegram.running and channels.scheduler is not None
            assert client.get("/health").status_code == 200
            assert client.get(PATH).status_code == 404  # no WhatsApp settings: the channel is off
            pushed = telegram.push(message_update("ciao", user_id=TG_USER))
            assert int(telegram.wait_sent(timeout=WAIT)[0]["chat_id"]) == TG_USER
        assert channels.scheduler is None and not channels.telegram.running
        # the update handled was confirmed to Telegram on the way out (telegram_polling)
        assert telegram.calls_to("getUpdates")[-1].params.get("offset") == pushed["update_id"] + 1
        assert telegram.pending_updates() == []

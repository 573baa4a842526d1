"""The README's run command without a Telegram token: the web chat and the back office on
127.0.0.1, in one real process; with no WhatsApp settings, no WhatsApp webhook either
(with both channels: tests/test_run_channels.py)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.postgres import free_port

ROOT = Path(__file__).resolve().parent.parent


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.status, answer.read().decode()


def test_run_without_a_token_serves_the_web_chat_and_the_back_office(tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}", "OFFICE_PORT": str(port),
           "TELEGRAM_BOT_TOKEN": "", "WHATSAPP_PHONE_NUMBER_ID": "", "WHATSAPP_ACCESS_TOKEN": "",
           "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/health")
                break
            except OSError:
                assert process.poll() is None, process.stdout.read()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert status == 200 and '"database":"ok"' in body
        status, page = _get(f"http://127.0.0.1:{port}/chat")
        assert status == 200 and "<html" in page.lower()
        status, login = _get(f"http://127.0.0.1:{port}/office/")  # redirected to the login form
        assert status == 200 and "password" in login.lower()
        with pytest.raises(urllib.error.HTTPError) as off:  # no WhatsApp settings: the channel is off
            _get(f"http://127.0.0.1:{port}/whatsapp/webhook?hub.mode=subscribe&hub.challenge=1")
        assert off.value.code == 404
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0  # Ctrl+C: a clean stop
    assert "Traceback" not in output, output[-3000:]
    assert f"http://127.0.0.1:{port}/chat" in output
    assert "admin" in output  # the first operator account, its password shown once

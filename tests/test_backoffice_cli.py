"""``python -m backoffice``: accounts from the command line, and the server as a real process."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx
import pytest

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.__main__ import main
from store.engine import make_engine
from store.models import OfficeOperator
from tests.conftest import ROOT
from tests.office_support import CSRF, fast_hashes  # noqa: F401
from tests.postgres import free_port


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_create_admin_prints_a_password_once_and_refuses_a_second_time(db_url, monkeypatch, capsys, fast_hashes):
    monkeypatch.setenv("DATABASE_URL", db_url)
    status, out, _ = run(capsys, "create-admin", "Boss", "--full-name", "Bea Boss")
    assert status == 0
    password = re.search(r"password:\s+(\S+)", out).group(1)
    assert "boss" in out and len(password) == 16
    status, _, err = run(capsys, "create-admin", "boss")
    assert status == 2 and "errore: questo nome utente è già in uso" in err
    status, _, err = run(capsys, "create-user", "someone", "--role", "boss")
    assert status == 2 and "errore:" in err
    status, out, _ = run(capsys, "create-user", "someone", "--role", "viewer")
    assert status == 0 and "someone" in out
    status, out, _ = run(capsys, "reset-password", "boss")
    assert status == 0 and re.search(r"password:\s+(\S+)", out).group(1) != password
    assert run(capsys, "reset-password", "nobody")[0] == 2
    with Session(make_engine(db_url)) as session:
        roles = {o.username: o.role for o in session.scalars(select(OfficeOperator))}
    assert roles == {"boss": "admin", "someone": "viewer"}


def test_the_server_starts_prints_the_first_admin_and_lets_it_in(tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/office.db", "OFFICE_PORT": str(port),
           "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([sys.executable, "-m", "backoffice"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start: {process.stderr.read() if process.poll() is not None else ''}")
            time.sleep(0.1)
        with httpx.Client(base_url=base) as http:
            page = http.get("/office/login")
            token = CSRF.search(page.text)
            token = token.group(1) or token.group(2)
            process_output = _read_until(process, "password:")
            password = re.search(r"password:\s+(\S+)", process_output).group(1)
            response = http.post("/office/login", data={"username": "admin", "password": password,
                                                         "csrf_token": token})
            assert response.status_code == 302
            assert "Iscrizioni" in http.get("/office/").text
    finally:
        process.terminate()
        process.wait(timeout=10)


def _read_until(process: subprocess.Popen, marker: str) -> str:
    seen = ""
    while marker not in seen:
        line = process.stderr.readline()
        if not line:
            break
        seen += line
    return seen

"""Browser tests' fixtures: Debian's chromium driven by Playwright (no browser download), one
browser for the whole session, a fresh context (cookies) per test, and the application served
by a real uvicorn on 127.0.0.1.

Without chromium the tests skip, saying so, unless CI is set: there a missing browser fails."""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time

import pytest

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CANDIDATES = ("chromium", "chromium-browser")


def chromium_path() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


_shared: dict = {}  # one Playwright and one chromium for every module that imports the fixture


@pytest.fixture(scope="session")
def browser():
    """Each test module importing this fixture gets a session fixture of its own; they share one
    browser (Playwright's sync API cannot start twice in one thread), closed after the last."""
    path = chromium_path()
    if path is None:
        reason = "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set: a missing browser is a failure)")
        pytest.skip(reason)
    if not _shared:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _shared.update(playwright=playwright, users=0, browser=playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_FLAGS))
    _shared["users"] += 1
    yield _shared["browser"]
    _shared["users"] -= 1
    if not _shared["users"]:
        _shared["browser"].close()
        _shared["playwright"].stop()
        _shared.clear()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="it-IT", timezone_id="Europe/Rome")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


class Served:
    """An ASGI application under uvicorn in a thread, on a port of its own."""

    def __init__(self, app) -> None:
        import uvicorn

        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d" % self.socket.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> "Served":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@pytest.fixture
def served(office):
    with Served(office.app) as running:
        yield running.url


def pytest_collection_modifyitems(items):
    """Browser tests last (imported by tests/conftest.py): Playwright's sync API keeps its event
    loop marked as running in the main thread for as long as the session's browser lives, and
    asyncio tests after it would find "a running event loop"."""
    items.sort(key=lambda item: "browser" in getattr(item, "fixturenames", ()))

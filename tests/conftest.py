"""Shared fixtures: every test gets its own migrated database, and a chat driver.

``db_url``/``db``/``service`` are SQLite; ``pytest --database=postgresql`` puts every test that
uses them on PostgreSQL, and a test marked ``both_databases`` runs on each. ``any_db_url``/``any_db``
always run on both. PostgreSQL comes from tests/postgres.py."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface

from conversations.commands import build_engine
from conversations.messages import Inbound, Kind, Outbound
from store import migrate
from services.conversation import ConversationService
from store.engine import make_engine
from tests.postgres import pg_empty_url, pg_url, postgres  # noqa: F401  (fixtures)
from tests.browser import pytest_collection_modifyitems  # noqa: F401  (browser tests run last)

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone.utc)


def pytest_sessionstart(session):
    """Compiled catalogs are built at install; build them here too when pytest runs alone."""
    CommandLineInterface().run(["pybabel", "--quiet", "compile", "-d", str(ROOT / "locales"), "-D", "messages"])


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


BACKENDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql))


def pytest_addoption(parser):
    parser.addoption("--database", choices=("sqlite", "postgresql"), default="sqlite",
                     help="where the db/db_url/service fixtures put their database (default: sqlite)")


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("both_databases") and "db_url" in metafunc.fixturenames:
        metafunc.parametrize("db_url", BACKENDS, indirect=True)


def _database(request, backend: str) -> str:
    if backend == "postgresql":
        return request.getfixturevalue("pg_url")
    path = request.getfixturevalue("tmp_path") / "test.db"
    shutil.copy(request.getfixturevalue("migrated_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def db_url(request) -> str:
    return _database(request, getattr(request, "param", None) or request.config.getoption("database"))


@pytest.fixture
def db(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def any_db_url(request) -> str:
    """A fresh migrated database on SQLite, then on PostgreSQL."""
    return _database(request, request.param)


@pytest.fixture
def any_db(any_db_url):
    engine = make_engine(any_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def service(db) -> ConversationService:
    return ConversationService(db, build_engine(), clock=lambda: NOW)


class Chat:
    """One person talking to the service, as a channel adapter would pass it on."""

    def __init__(self, service: ConversationService, external_id: str = "p1", channel: str = "console"):
        self.service, self.external_id, self.channel = service, external_id, channel
        self.replies: list[Outbound] = []

    def _send(self, **fields) -> list[Outbound]:
        self.replies = self.service.handle(Inbound(channel=self.channel, external_id=self.external_id, **fields))
        return self.replies

    def say(self, text: str) -> list[Outbound]:
        return self._send(kind=Kind.TEXT, text=text)

    def press(self, label: str) -> list[Outbound]:
        """Press the button with this label (or containing it) among the last replies."""
        for reply in reversed(self.replies):
            for button in reply.buttons:
                if button.label == label or label in button.label:
                    return self._send(kind=Kind.BUTTON, payload=button.payload)
        raise AssertionError(f"no button {label!r} in {[b.label for r in self.replies for b in r.buttons]}")

    def share_phone(self, phone: str) -> list[Outbound]:
        return self._send(kind=Kind.CONTACT, phone=phone)

    def send_sticker(self) -> list[Outbound]:
        return self._send(kind=Kind.UNSUPPORTED)

    def send_voice(self) -> list[Outbound]:
        return self._send(kind=Kind.VOICE)

    @property
    def text(self) -> str:
        return "\n".join(reply.text for reply in self.replies)

    @property
    def labels(self) -> list[str]:
        return [button.label for reply in self.replies for button in reply.buttons]


@pytest.fixture
def chat(service) -> Chat:
    return Chat(service)

"""Shared fixtures: every test gets its own migrated SQLite database, and a chat driver."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface

from conversations.commands import build_engine
from conversations.messages import Inbound, Kind, Outbound
from db import migrate
from db.conversation_service import ConversationService
from db.engine import make_engine

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


@pytest.fixture
def db_url(tmp_path, migrated_template) -> str:
    path = tmp_path / "test.db"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(db_url):
    engine = make_engine(db_url)
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

    @property
    def text(self) -> str:
        return "\n".join(reply.text for reply in self.replies)

    @property
    def labels(self) -> list[str]:
        return [button.label for reply in self.replies for button in reply.buttons]


@pytest.fixture
def chat(service) -> Chat:
    return Chat(service)

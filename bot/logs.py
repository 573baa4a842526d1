"""Logging set-up: one format, and secrets blanked out of every line.

Secrets end up in log text by routes we do not control: python-telegram-bot logs its
API URL (which carries the bot token) at DEBUG, and puts the token in the message of
``InvalidToken``; httpx logs request URLs at INFO. A formatter on the root handler
replaces each secret in the finished line, traceback included.
"""
from __future__ import annotations

import logging
from typing import Iterable

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HIDDEN = "[secret]"


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str], fmt: str = FORMAT):
        super().__init__(fmt)
        # Longest first, so a secret that contains another is blanked whole.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, HIDDEN)
        return text


def configure(level: str, secrets: Iterable[str] = ()) -> RedactingFormatter:
    """Log to stderr at ``level``, never showing any of ``secrets``."""
    formatter = RedactingFormatter(secrets)
    logging.basicConfig(level=level.upper(), force=True)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # set-up chatter
    return formatter

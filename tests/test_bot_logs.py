"""Secrets never reach a log line, not even inside a traceback."""
from __future__ import annotations

import logging

from bot.logs import HIDDEN, RedactingFormatter
from bot.settings import Settings, TelegramSettings

TOKEN = "123456789:AAH-secret_part-of-the-token"


def test_the_token_and_its_secret_part_are_blanked_out_everywhere():
    settings = Settings(telegram=TelegramSettings(bot_token=TOKEN, webhook_secret="hook-secret-1"))
    formatter = RedactingFormatter(settings.secrets())
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError as error:
        record = logging.LogRecord("telegram", logging.ERROR, __file__, 1, "calling %s and %s",
                                   (f"http://api/bot{TOKEN}/getMe", "hook-secret-1"), (type(error), error,
                                                                                      error.__traceback__))
    line = formatter.format(record)
    assert "AAH-secret_part-of-the-token" not in line and "hook-secret-1" not in line
    assert line.count(HIDDEN) >= 3 and "Traceback" in line

"""All configuration, from the environment or a .env file (see .env.example)."""
from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from db.engine import DEFAULT_URL

_ENV = {"env_file": ".env", "env_file_encoding": "utf-8", "extra": "ignore"}


class TelegramSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TELEGRAM_", **_ENV)

    bot_token: SecretStr | None = None
    # The Bot API server's root (Telegram's, a self-hosted one, or a test fake).
    api_url: str = "https://api.telegram.org"
    # Webhook mode when set: Telegram posts updates to this public URL.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8080

    @field_validator("api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("bot_token", "webhook_secret", mode="before")
    @classmethod
    def _empty_is_none(cls, value):
        return value or None


class BookingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOOKING_", **_ENV)

    # Interviews and workshop seats can be booked or moved up to this many hours before the start.
    cutoff_hours: float = Field(default=2.0, ge=0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(**_ENV)

    database_url: str = DEFAULT_URL
    log_level: str = "INFO"
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    booking: BookingSettings = Field(default_factory=BookingSettings)

    @field_validator("database_url", mode="before")
    @classmethod
    def _default_when_empty(cls, value):
        return value or DEFAULT_URL

    def secrets(self) -> list[str]:
        """Values that must never appear in a log line."""
        telegram = self.telegram
        values = [s.get_secret_value() for s in (telegram.bot_token, telegram.webhook_secret) if s]
        token = telegram.bot_token.get_secret_value() if telegram.bot_token else ""
        if ":" in token:
            values.append(token.split(":", 1)[1])  # the part after the bot id is the secret one
        return values

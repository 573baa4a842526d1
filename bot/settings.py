"""All configuration, from the environment or a .env file (see .env.example)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.database import DEFAULT_URL

_ENV = {"env_file": ".env", "env_file_encoding": "utf-8", "extra": "ignore"}


class TelegramSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TELEGRAM_", **_ENV)

    bot_token: SecretStr | None = None
    # The Bot API server's root (Telegram's, a self-hosted one, or a test fake).
    api_url: str = "https://api.telegram.org"
    # Webhook mode when set: Telegram posts updates to this public URL, which a proxy passes on to
    # /telegram/webhook of the one application (OFFICE_HOST:OFFICE_PORT).
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None

    @field_validator("api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("bot_token", "webhook_secret", mode="before")
    @classmethod
    def _empty_is_none(cls, value):
        return value or None


class WhatsAppSettings(BaseSettings):
    """WhatsApp Cloud API. With no phone number id and access token the channel is off."""

    model_config = SettingsConfigDict(env_prefix="WHATSAPP_", **_ENV)

    phone_number_id: str | None = None
    access_token: SecretStr | None = None
    app_secret: SecretStr | None = None      # checks X-Hub-Signature-256 on every webhook POST
    verify_token: SecretStr | None = None    # the webhook verification handshake
    # The Graph API root (Meta's, or a local fake in tests and staging).
    api_url: str = "https://graph.facebook.com"
    api_version: str = "21.0"
    # The app's public address (https://..., as people reach it): WhatsApp's calendar files then
    # carry a link that adds the event on an iPhone (handlers/whatsapp_files.py). Unset: no link.
    public_url: str | None = None
    # Pre-approved templates (utility) used outside the 24-hour window (handlers/whatsapp_outbox.py):
    # reminders go as the reminder template, body {{1}} what and {{2}} when; every other row
    # (office notices, waiting-list promotions, broadcasts) as the notice template, body {{1}} the
    # notice's text. Unset: those rows fail outside the window. The languages it was approved in,
    # as WhatsApp's codes (comma-separated, e.g. "it,en"): the person's (conversations.languages
    # gives its code) when listed, else the first.
    reminder_template: str | None = None
    reminder_template_language: str = "it"
    notice_template: str | None = None
    notice_template_language: str = "it"
    # Job proposals (services.proposals) outside the window: body {{1}} the job, {{2}} the comune,
    # {{3}} contract and hours. Unset: proposals fail outside the window.
    proposal_template: str | None = None
    proposal_template_language: str = "it"
    # Outbox pacing: 80 messages a second per number by default (Meta's throughput); to one person
    # about one every 6 seconds (Meta's pair rate limit, error 131056).
    per_second: float = Field(default=80.0, gt=0)
    per_user_per_second: float = Field(default=1 / 6, gt=0)

    @field_validator("api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("public_url")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        return (value or "").rstrip("/") or None

    @field_validator("api_version")
    @classmethod
    def _bare_version(cls, value: str) -> str:
        return value.lstrip("v")

    @field_validator("phone_number_id", "access_token", "app_secret", "verify_token", "reminder_template",
                     "notice_template", "proposal_template", mode="before")
    @classmethod
    def _empty_is_none(cls, value):
        return value or None

    @property
    def enabled(self) -> bool:
        return bool(self.phone_number_id and self.access_token)


class BookingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOOKING_", **_ENV)

    # Interviews and workshop seats can be booked or moved up to this many hours before the start.
    cutoff_hours: float = Field(default=2.0, ge=0)


class OutboxSettings(BaseSettings):
    """How fast the bot may send the messages it starts itself (reminders, notices, promotions)."""

    model_config = SettingsConfigDict(env_prefix="OUTBOX_", **_ENV)

    # Telegram: about 30 messages a second overall and 1 a second to one chat (Bot API FAQ).
    telegram_per_second: float = Field(default=30.0, gt=0)
    telegram_per_chat_per_second: float = Field(default=1.0, gt=0)
    # Attempts before a message is marked failed (429 waits do not count).
    max_attempts: int = Field(default=5, ge=1)
    # How long the rows of a sender that died wait before another sender takes them.
    lease_seconds: float = Field(default=30.0, ge=1)
    # Calls in flight at once; by default enough for the rate with a 0.3 s round trip.
    concurrency: int | None = Field(default=None, ge=1)


class ReminderSettings(BaseSettings):
    """When reminders go out: hours before the appointment, never in the quiet hours (Rome time)."""

    model_config = SettingsConfigDict(env_prefix="REMINDER_", **_ENV)

    workshop_hours: list[float] = Field(default_factory=lambda: [24.0, 2.0])  # REMINDER_WORKSHOP_HOURS=[24,2]
    interview_hours: list[float] = Field(default_factory=lambda: [24.0])
    quiet_start: dt.time = dt.time(21, 0)
    quiet_end: dt.time = dt.time(8, 0)


class ProposalSettings(BaseSettings):
    """Job proposals (services.proposals)."""

    model_config = SettingsConfigDict(env_prefix="PROPOSALS_", **_ENV)

    per_week: int = Field(default=2, ge=1)  # at most this many proposals to one person in 7 days


class DocumentSettings(BaseSettings):
    """The files job seekers send (services.documents): where they are kept, and how big they may be."""

    model_config = SettingsConfigDict(env_prefix="DOCUMENTS_", **_ENV)

    dir: Path | None = None  # DOCUMENTS_DIR; unset: "documents" in the project folder, beside insieme.db
    max_mb: float = Field(default=10.0, gt=0)

    @field_validator("dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value):
        return value or None

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1024 * 1024)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(**_ENV)

    database_url: str = DEFAULT_URL
    log_level: str = "INFO"
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    whatsapp: WhatsAppSettings = Field(default_factory=WhatsAppSettings)
    booking: BookingSettings = Field(default_factory=BookingSettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)
    proposals: ProposalSettings = Field(default_factory=ProposalSettings)
    documents: DocumentSettings = Field(default_factory=DocumentSettings)

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
        whatsapp = self.whatsapp
        values += [s.get_secret_value() for s in (whatsapp.access_token, whatsapp.app_secret,
                                                  whatsapp.verify_token) if s]
        return values

"""The back office's settings (OFFICE_*), next to the bot's own (bot.settings); DATABASE_URL and
LOG_LEVEL, shared with the bot, for ``python -m backoffice`` alone."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.database import DEFAULT_URL


class OfficeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OFFICE_", env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore", populate_by_name=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    # Signs the session cookie. Unset: a random key is generated once and kept in the database
    # (table office_secret), so every process on that database shares it and restarts keep
    # people logged in.
    secret_key: SecretStr | None = None
    # A session ends after this many minutes without a request (and at logout).
    session_idle_minutes: int = Field(default=8 * 60, ge=1)

    # Job proposals to one person in 7 days at most: the bot's own setting (bot.settings.ProposalSettings).
    proposals_per_week: int = Field(default=2, ge=1, validation_alias="PROPOSALS_PER_WEEK")

    # The folder of the documents job seekers send (the bot's DOCUMENTS_DIR; unset: services.documents' default).
    documents_dir: Path | None = Field(default=None, validation_alias="DOCUMENTS_DIR")

    database_url: str = Field(default=DEFAULT_URL, validation_alias="DATABASE_URL")
    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")

    @field_validator("database_url", mode="before")
    @classmethod
    def _default_when_empty(cls, value):
        return value or DEFAULT_URL

    @field_validator("secret_key", "documents_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value):
        return value or None

"""Settings from the environment (which wins) and `.env` (development defaults)."""

import logging
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./data/app.db"

log = logging.getLogger(__name__)


class ConfigError(Exception):
    """The configuration cannot be used to start the server."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    jwt_secret: str | None = None
    jwt_ttl_seconds: int = Field(default=900, ge=1)
    log_level: str = "info"
    app_env: str = "development"
    migrate_on_start: bool = True
    # Where the committed OpenAPI document lives; found automatically when unset.
    openapi_path: Path | None = None
    # Login rate limit: failed attempts per lower-cased email per window.
    login_max_failures: int = 10
    login_window_seconds: int = 60
    # argon2id cost; the tests lower it so they do not spend minutes hashing.
    password_hash_time_cost: int = Field(default=2, ge=1)
    password_hash_memory_kib: int = Field(default=19456, ge=8)

    @property
    def is_production(self) -> bool:
        return self.app_env.lower() == "production"

    @cached_property
    def effective_jwt_secret(self) -> str:
        """The signing secret; a random per-process one in development only."""
        if self.jwt_secret:
            return self.jwt_secret
        if self.is_production:
            raise ConfigError("JWT_SECRET must be set when APP_ENV=production")
        log.warning("JWT_SECRET is not set: using a random secret, tokens die with the process")
        return secrets.token_urlsafe(48)

    @property
    def sqlalchemy_url(self) -> str:
        return to_sqlalchemy_url(self.database_url)


def to_sqlalchemy_url(url: str) -> str:
    """Turn a libpq-style `postgres://` URL into SQLAlchemy's psycopg 3 form."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_settings() -> Settings:
    settings = Settings()
    settings.effective_jwt_secret  # noqa: B018 - fail fast on a missing production secret
    return settings

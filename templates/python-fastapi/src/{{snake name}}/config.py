"""Settings from the environment (which wins) and `.env` (development defaults).

`load_settings()` decides whether the server may start at all: with APP_ENV=production it refuses
a missing DATABASE_URL and a missing or short JWT_SECRET, so a forgotten variable fails loudly
instead of writing to a throwaway SQLite file or signing tokens with a guessable key.
"""

import logging
import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Used only outside production when DATABASE_URL is unset (production refuses to start instead).
DEVELOPMENT_DATABASE_URL = "sqlite:///./data/app.db"
# RFC 7518 section 3.2: an HS256 key must be at least as long as the hash output (256 bits).
MIN_JWT_SECRET_BYTES = 32
KEY_RECIPE = "make one with: openssl rand -hex 32"

log = logging.getLogger(__name__)


class ConfigError(Exception):
    """The configuration cannot be used to start the server."""


def available_cpus() -> int:
    """CPUs this process may run on (a container's cpuset counts, not the host's cores)."""
    process_cpu_count = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if process_cpu_count is not None:
        return process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = None
    jwt_secret: str | None = None
    jwt_ttl_seconds: int = Field(default=900, ge=1)
    log_level: str = "info"
    app_env: str = "development"
    migrate_on_start: bool = True
    # Where the committed OpenAPI document lives; found automatically when unset.
    openapi_path: Path | None = None
    # Login rate limit: failed attempts per normalised email per window.
    login_max_failures: int = Field(default=10, ge=1)
    login_window_seconds: int = Field(default=60, ge=1)
    # Requests to register + login per client IP per minute; 0 turns the limit off.
    auth_rate_limit_per_ip: int = Field(default=100, ge=0)
    # argon2id cost; the tests lower it so they do not spend minutes hashing.
    password_hash_time_cost: int = Field(default=2, ge=1)
    password_hash_memory_kib: int = Field(default=19456, ge=8)
    # At most this many hashes run at once (each takes ~19 MiB and a core); the rest queue
    # for up to HASH_QUEUE_TIMEOUT_SECONDS, then get a 503.
    hash_concurrency: int = Field(default_factory=available_cpus, ge=1)
    hash_queue_timeout_seconds: float = Field(default=5.0, gt=0)

    @property
    def is_production(self) -> bool:
        return self.app_env.strip().lower() == "production"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        if self.is_production:
            raise ConfigError(
                "DATABASE_URL must be set when APP_ENV=production"
                " (e.g. postgres://user:password@host:5432/dbname)"
            )
        return DEVELOPMENT_DATABASE_URL

    @cached_property
    def effective_jwt_secret(self) -> str:
        """The signing secret; a random per-process one outside production only."""
        if not self.jwt_secret:
            if self.is_production:
                raise ConfigError(f"JWT_SECRET must be set when APP_ENV=production; {KEY_RECIPE}")
            log.warning("JWT_SECRET is not set: using a random secret, tokens die with the process")
            return secrets.token_urlsafe(48)
        size = len(self.jwt_secret.encode())
        if size < MIN_JWT_SECRET_BYTES:
            message = (
                f"JWT_SECRET is {size} bytes; at least {MIN_JWT_SECRET_BYTES} are needed"
                f" when APP_ENV=production; {KEY_RECIPE}"
            )
            if self.is_production:
                raise ConfigError(message)
            log.warning(message)
        return self.jwt_secret


def to_sqlalchemy_url(url: str) -> str:
    """Turn a libpq-style `postgres://` URL into SQLAlchemy's psycopg 3 form."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def check_startable(settings: Settings) -> Settings:
    """Raise ConfigError now, at start-up, for a configuration the server must not run with."""
    settings.effective_database_url  # noqa: B018 - each property raises on a bad value
    settings.effective_jwt_secret  # noqa: B018
    return settings


def load_settings() -> Settings:
    return check_startable(Settings())

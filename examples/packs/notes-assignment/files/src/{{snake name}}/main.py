"""The application factory: `uvicorn --factory <package>.main:create_app`."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy.orm import sessionmaker

from . import __version__, notes, openapi
from .api import auth, health, tasks, users
from .config import ConfigError, Settings, check_startable, load_settings
from .db import create_db_engine
from .log import configure_logging
from .metrics import Metrics
from .middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from .migrate import upgrade_to_head
from .passwords import Passwords
from .problems import install_problem_handlers
from .ratelimit import SlidingWindowLimiter

log = logging.getLogger(__name__)

AUTH_IP_WINDOW_SECONDS = 60


def create_app(settings: Settings | None = None) -> FastAPI:
    if settings is None:
        settings = _settings_or_exit()
    else:
        configure_logging(settings.log_level)
        check_startable(settings)

    engine = create_db_engine(settings.effective_database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            upgrade_to_head(engine)
            log.info("migrations applied")
        yield
        engine.dispose()

    app = FastAPI(
        title=(__package__ or "app").replace("_", "-"),
        version=__version__,
        lifespan=lifespan,
        # Served by openapi.router instead, from the committed openapi.yaml.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,  # an unknown path is a 404, not a redirect
    )
    # Read through the typed dependencies in api/deps.py, never directly by handlers.
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = sessionmaker(engine, expire_on_commit=False)
    app.state.metrics = Metrics()
    app.state.passwords = Passwords(
        settings.password_hash_time_cost,
        settings.password_hash_memory_kib,
        concurrency=settings.hash_concurrency,
        queue_timeout=settings.hash_queue_timeout_seconds,
    )
    app.state.login_limiter = SlidingWindowLimiter(
        settings.login_max_failures, settings.login_window_seconds
    )
    app.state.auth_ip_limiter = SlidingWindowLimiter(
        settings.auth_rate_limit_per_ip, AUTH_IP_WINDOW_SECONDS
    )

    install_problem_handlers(app)
    # Added last = outermost: the context layer sees (and labels) even 413s and 500s.
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)

    # The assignment's notes resource, beside the starter's routes.
    for module in (health, openapi, auth, users, tasks, notes):
        app.include_router(module.router)

    # The committed contract, served at /openapi.json (None: FastAPI's generated schema).
    app.state.openapi_document = openapi.load_openapi(settings.openapi_path)
    return app


def _settings_or_exit() -> Settings:
    configure_logging("info")
    try:
        settings = load_settings()
    except (ConfigError, ValidationError) as exc:
        # One line, and the process exits non-zero before serving anything.
        log.critical("refusing to start: %s", " ".join(str(exc).split()))
        raise SystemExit(1) from None
    configure_logging(settings.log_level)
    return settings

"""The application factory: `uvicorn --factory <package>.main:create_app`."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy.orm import sessionmaker

from . import __version__, openapi
from .api import auth, health, tasks, users
from .config import ConfigError, Settings, load_settings
from .db import create_db_engine
from .log import configure_logging
from .metrics import Metrics
from .middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from .migrate import upgrade_to_head
from .problems import install_problem_handlers
from .ratelimit import LoginRateLimiter
from .security import Passwords

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    if settings is None:
        settings = _settings_or_exit()
    else:
        configure_logging(settings.log_level)

    engine = create_db_engine(settings.database_url)

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
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = sessionmaker(engine, expire_on_commit=False)
    app.state.metrics = Metrics()
    app.state.passwords = Passwords(
        settings.password_hash_time_cost, settings.password_hash_memory_kib
    )
    app.state.login_limiter = LoginRateLimiter(
        settings.login_max_failures, settings.login_window_seconds
    )

    install_problem_handlers(app)
    # Added last = outermost: the context layer sees (and labels) even 413s and 500s.
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)

    for module in (health, openapi, auth, users, tasks):
        app.include_router(module.router)

    contract = openapi.load_openapi(settings.openapi_path)
    if contract is not None:
        app.openapi = lambda: contract  # type: ignore[method-assign]
    return app


def _settings_or_exit() -> Settings:
    configure_logging("info")
    try:
        settings = load_settings()
    except (ConfigError, ValidationError) as exc:
        log.critical("refusing to start: %s", exc)
        raise SystemExit(1) from None
    configure_logging(settings.log_level)
    return settings

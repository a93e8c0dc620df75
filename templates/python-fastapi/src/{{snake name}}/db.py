"""Engine and sessions. One code path for SQLite and PostgreSQL: the URL picks the driver."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import Request
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from .config import to_sqlalchemy_url


def create_db_engine(database_url: str) -> Engine:
    url = make_url(to_sqlalchemy_url(database_url))
    if url.get_backend_name() == "sqlite":
        in_file = bool(url.database) and url.database != ":memory:"
        if in_file:
            # The server creates the folder of its SQLite file (e.g. data/) when missing.
            Path(str(url.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:  # a DB-API connection
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            if in_file:
                # Readers no longer block the writer (nor it them); persists in the file.
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    connect_args = {"connect_timeout": 5} if url.get_backend_name() == "postgresql" else {}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: one session per request, closed afterwards."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        yield session

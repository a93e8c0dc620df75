"""Apply Alembic migrations from code (start-up) or the command line (`alembic upgrade head`).

Several replicas may start at once and each migrates on start, so on PostgreSQL every migration
run first takes a transaction-level advisory lock: the replicas go one at a time, and the later
ones find the schema at head and do nothing. The lock ends with the migration's transaction,
also when a process dies. (SQLite is one file on one host, written by one server.)
"""

import hashlib
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from pydantic import ValidationError
from sqlalchemy import Connection, Engine, text

from .config import ConfigError, load_settings
from .db import create_db_engine
from .log import configure_logging

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed signed 64-bit number works; deriving it from the package name keeps two services
# that share one database from queueing behind each other's migrations.
MIGRATION_LOCK_ID = int.from_bytes(
    hashlib.sha256(f"{__package__}:migrations".encode()).digest()[:8], "big", signed=True
)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def lock_for_migration(connection: Connection) -> None:
    """Wait until no other process migrates this database (PostgreSQL; see the module doc)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})


def upgrade_to_head(engine: Engine) -> None:
    """Bring the database to the latest revision on an existing engine."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def main() -> None:
    """`python -m <package>.migrate` (the image's `app-migrate`): migrate DATABASE_URL, exit.

    What a Kubernetes migration Job or a release step runs before the replicas start.
    """
    configure_logging("info")
    try:
        settings = load_settings()
    except (ConfigError, ValidationError) as exc:
        logging.getLogger(__name__).critical("refusing to migrate: %s", " ".join(str(exc).split()))
        raise SystemExit(1) from None
    configure_logging(settings.log_level)
    engine = create_db_engine(settings.effective_database_url)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()

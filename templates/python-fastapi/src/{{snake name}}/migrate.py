"""Apply Alembic migrations from code (start-up) or the command line (`alembic upgrade head`).

Several replicas may start at once and each migrates on start, so on PostgreSQL every migration
run first takes a transaction-level advisory lock: the replicas go one at a time, and the later
ones find the schema at head and do nothing. The lock ends with the migration's transaction,
also when a process dies. (SQLite is one file on one host, written by one server.)
"""

import hashlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

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

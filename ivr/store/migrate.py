"""Run Alembic migrations on the app's database."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from ivr.store.database import engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(revision: str = "head") -> None:
    """Create or migrate the schema of the current app's database."""
    config = alembic_config()
    with engine().begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

"""Schema migrations (Alembic, in migrations/ at the repository root), run from code."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


def new_revision(database_url: str, message: str) -> None:
    """Autogenerate a revision from the models against an up-to-date database (developers only)."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)

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


def regenerate_initial(message: str = "initial schema") -> Path:
    """Rewrite migrations/versions/0001 from the models (only while nothing is deployed)."""
    import re
    import tempfile

    versions = MIGRATIONS / "versions"
    for old in versions.glob("*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        command.revision(alembic_config(f"sqlite:///{tmp}/empty.db"), message=message, autogenerate=True,
                         rev_id="0001")
    [path] = versions.glob("0001_*.py")
    target = versions / "0001_initial_schema.py"
    source = re.sub(r"Create Date: .*\n", "", path.read_text())
    path.unlink()
    target.write_text(source)
    return target


if __name__ == "__main__":
    print(regenerate_initial())

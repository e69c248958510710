"""Apply Alembic migrations (the first one enables pgvector)."""

from __future__ import annotations

from alembic.config import Config
from sqlalchemy import create_engine

from alembic import command
from cyberhub.settings import ROOT


def upgrade(url: str) -> None:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["skip_logging"] = True
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()

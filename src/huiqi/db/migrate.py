"""Bring a database to the current schema with Alembic (no alembic.ini needed).

Every command that touches the database calls :func:`upgrade` first, so a new data
directory or an older database is brought up to date on first use.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _current(engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str, revision: str = "head") -> None:
    """Run the migrations on ``url`` up to ``revision``, under the database's writer lock so
    that two commands started at once on a new database do not both create it."""
    from alembic.script import ScriptDirectory
    from sqlalchemy.exc import OperationalError

    from huiqi.db.engine import make_engine
    from huiqi.db.locks import writer_lock

    engine = make_engine(url)
    try:
        config = alembic_config(url)
        head = ScriptDirectory.from_config(config).get_current_head()
        try:
            current = _current(engine)
        except OperationalError:  # another command is creating the database: decide under the lock
            current = None
        if revision == "head" and current == head:
            return
        with writer_lock(engine), engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                # SQLite alters a table by copying it: foreign keys must not fire on the copy
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
    finally:
        engine.dispose()

"""Alembic environment: runs migrations on the connection handed over by huiqi.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from huiqi.db.models import Base, described_by_models

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # plain `alembic` command line
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as connection:
            _migrate(connection)
        return
    _migrate(connection)


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=described_by_models,  # the full-text index is the database's own
    )
    with context.begin_transaction():
        context.run_migrations()


run()

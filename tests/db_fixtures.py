"""Database fixtures: every test that asks for a database runs once on SQLite, once on PostgreSQL.

``database_url`` is parametrized (ids ``sqlite`` and ``postgresql``) and gives each test its own
empty database: a file under ``tmp_path`` for SQLite, and a freshly created database on the
server named by ``HUIQI_TEST_POSTGRES_URL`` for PostgreSQL (dropped after the test).
``make test`` sets that variable by running pytest under ``scripts/with-postgres.sh``.

Without ``HUIQI_TEST_POSTGRES_URL`` the PostgreSQL half fails, so it cannot go missing unnoticed;
a developer who wants SQLite only sets ``HUIQI_TEST_SQLITE_ONLY=1`` and the PostgreSQL half is
skipped instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

POSTGRES_URL_VAR = "HUIQI_TEST_POSTGRES_URL"
SQLITE_ONLY_VAR = "HUIQI_TEST_SQLITE_ONLY"


def _postgres_database(server_url: str) -> Iterator[str]:
    """Create an empty database on ``server_url``'s server, yield its URL, drop it afterwards."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    server = make_url(server_url)
    connect_args = {
        "host": server.host,
        "port": server.port,
        "user": server.username,
        "password": server.password,
        "dbname": server.database or "postgres",
    }
    connect_args = {key: value for key, value in connect_args.items() if value is not None}
    name = f"huiqi_t_{uuid.uuid4().hex[:20]}"

    with psycopg.connect(**connect_args, autocommit=True) as admin:
        # template0 and UTF8: a pristine database that holds Chinese text whatever the server default.
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name))
        )
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**connect_args, autocommit=True) as admin:
            # FORCE: a connection the test leaked must not keep the database alive.
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty database for this test (SQLite, then PostgreSQL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/huiqi.db"
        return

    server_url = os.environ.get(POSTGRES_URL_VAR)
    if not server_url:
        if os.environ.get(SQLITE_ONLY_VAR) == "1":
            pytest.skip(f"PostgreSQL half skipped: {SQLITE_ONLY_VAR}=1")
        pytest.fail(
            f"{POSTGRES_URL_VAR} is not set, so there is no PostgreSQL server to test against. "
            "Run the tests with `make test`, or as `scripts/with-postgres.sh .venv/bin/pytest ...` "
            "(starts a throwaway cluster and sets the variable). "
            f"To skip the PostgreSQL half on purpose, set {SQLITE_ONLY_VAR}=1.",
            pytrace=False,
        )
    yield from _postgres_database(server_url)


@pytest.fixture
def engine(database_url: str):
    """An engine on ``database_url`` with the schema migrated to head (disposed afterwards)."""
    from huiqi.db.engine import make_engine
    from huiqi.db.migrate import upgrade

    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def session(engine):
    """A ``sqlalchemy.orm.Session`` on ``engine`` (closed afterwards; nothing is committed for you)."""
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        yield session

"""The ``database_url`` fixture (tests/db_fixtures.py): a working, empty database per test, per backend.

These tests use plain SQLAlchemy on purpose, so they check the harness and not huiqi.db.
pytest runs them in file order, so the second test sees what the first one left behind.
"""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, make_url, text

# Backend id -> URL of the database the first test wrote to.
_written: dict[str, str] = {}


def test_database_url_is_a_working_database(database_url, request):
    backend = request.node.callspec.id
    engine = create_engine(database_url)
    try:
        assert engine.dialect.name == backend
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE harness_probe (id INTEGER PRIMARY KEY, name VARCHAR(40))"))
            conn.execute(
                text("INSERT INTO harness_probe (id, name) VALUES (:id, :name)"),
                [{"id": 1, "name": "惠企"}, {"id": 2, "name": "政策"}],
            )
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, name FROM harness_probe ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [(1, "惠企"), (2, "政策")]
    finally:
        engine.dispose()
    _written[backend] = database_url


def test_database_url_is_fresh_and_empty(database_url, request):
    backend = request.node.callspec.id
    engine = create_engine(database_url)
    try:
        # The table the first test created (and left behind) is not here.
        assert inspect(engine).get_table_names() == []
        previous = _written.get(backend)
        assert previous != database_url
        if backend == "postgresql" and previous:
            # ... and the first test's database was dropped after it.
            with engine.connect() as conn:
                left = conn.execute(
                    text("SELECT count(*) FROM pg_database WHERE datname = :name"),
                    {"name": make_url(previous).database},
                ).scalar_one()
            assert left == 0
    finally:
        engine.dispose()

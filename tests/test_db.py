"""Storage on SQLite and PostgreSQL: migrations, the policy library's versioning."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from huiqi.db.engine import database_url, session_scope
from huiqi.db.migrate import alembic_config, upgrade
from huiqi.db.models import Base, Document, DocumentVersion, described_by_models
from huiqi.errors import DocumentError
from huiqi.library import current_versions, ingest_file

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def test_migrations_build_exactly_the_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": described_by_models})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def head_revision() -> str:

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_upgrade_twice_is_harmless(database_url, engine):
    upgrade(database_url)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()


def test_default_url_is_sqlite_in_the_data_dir():
    assert database_url({"HUIQI_DATA_DIR": "d"}) == "sqlite:///d/huiqi.db"
    assert database_url({}) == "sqlite:///huiqi-data/huiqi.db"


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_ingest_same_file_is_a_no_op_and_a_changed_file_a_new_version(engine, tmp_path):
    path = tmp_path / "001.txt"
    shutil.copy(next(SEEDS.glob("001_*.txt")), path)
    with session_scope(engine) as session:
        first = ingest_file(session, path)
    with session_scope(engine) as session:
        again = ingest_file(session, path)
    assert (first.status, again.status, again.version) == ("new", "unchanged", 1)
    path.write_text(path.read_text("utf-8").replace("给予最高80万元奖励", "给予最高90万元奖励"), "utf-8")
    with session_scope(engine) as session:
        changed = ingest_file(session, path)
        assert (changed.status, changed.version) == ("new_version", 2)
        assert _count(session, Document) == 1 and _count(session, DocumentVersion) == 2
        [latest] = current_versions(session)
        caps = [i.get("cap_wan") for i in latest.extraction["incentives"]]
        assert 90.0 in caps and 80.0 in caps  # 单项冠军 stays 80; 小巨人 is now 90
        old = session.scalar(select(DocumentVersion).where(DocumentVersion.version == 1))
        assert old.extraction != latest.extraction  # the old reading is kept for old results
        assert latest.expires_on.isoformat() == "2025-12-31"


def test_a_bad_file_stores_nothing(engine, tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("", "utf-8")
    with pytest.raises(DocumentError), session_scope(engine) as session:
        ingest_file(session, path)
    with session_scope(engine) as session:
        assert _count(session, Document) == 0


def test_a_database_of_the_first_schema_keeps_its_data_through_the_upgrade(database_url):
    """An installation from before 0002: documents known by file name, events whose identity
    still held their 说明. The upgrade gives every row an identity and loses nothing."""
    from sqlalchemy import text

    from huiqi.db.engine import make_engine

    upgrade(database_url, "0001")
    engine = make_engine(database_url)
    extraction = '{"document": {"title": "丰原市人民政府关于支持制造业发展的若干措施", "doc_number": "丰政发〔2024〕5号"}}'
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO documents (id, name, title) VALUES (1, '政策.txt', 't')"))
            conn.execute(
                text(
                    "INSERT INTO document_versions (id, document_id, version, sha256, source_path, extraction) "
                    "VALUES (1, 1, 1, 'abc', '政策.txt', :e)"
                ),
                {"e": extraction},
            )
            conn.execute(
                text(
                    "INSERT INTO enterprises (uscc, name, region_code, extras) "
                    "VALUES ('91370705000000011A', '甲', '370705', '{}')"
                )
            )
            for key, detail in (("k1", "广交会"), ("k2", "广交会(已更正)")):
                conn.execute(
                    text(
                        "INSERT INTO events (natural_key, uscc, kind, occurred_on, detail, extras) "
                        "VALUES (:k, '91370705000000011A', '参展', '2021-06-02', :d, '{}')"
                    ),
                    {"k": key, "d": detail},
                )
            conn.execute(
                text(
                    "INSERT INTO match_runs (as_of, year, enterprises, rules, entitlements, total_wan) "
                    "VALUES ('2025-01-01', NULL, 1, 1, 0, 0)"
                )
            )
        upgrade(database_url)
        with engine.connect() as conn:
            doc = conn.execute(text("SELECT identity, current_version_id FROM documents")).one()
            assert doc[0].startswith("docnum:") and doc[1] == 1
            rows = conn.execute(text("SELECT id, identity, near_duplicate_of FROM events ORDER BY id")).all()
            (first, ident, near), (_, second_ident, second_near) = rows
            assert ident.startswith("nk:") and near is None
            assert second_ident.startswith(ident) and second_near == first  # one fact now, flagged
            assert conn.execute(text("SELECT run_key FROM match_runs")).scalar() == "2025-01-01|all"
    finally:
        engine.dispose()

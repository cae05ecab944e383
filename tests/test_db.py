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
from huiqi.db.models import Base, Document, DocumentVersion
from huiqi.errors import DocumentError
from huiqi.library import ingest_file, latest_versions

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def test_migrations_build_exactly_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(database_url, engine):
    upgrade(database_url)
    with engine.connect() as conn:
        head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
        assert MigrationContext.configure(conn).get_current_revision() == head


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
        [latest] = latest_versions(session)
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

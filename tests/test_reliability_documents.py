"""No document is lost to another that shares its file name, and old texts can come back
(SQLite and PostgreSQL)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from huiqi.db.engine import session_scope
from huiqi.db.models import Document, DocumentVersion
from huiqi.library import DocumentConflictError, current_versions, ingest_file

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def policy(title: str, number: str, amount: int = 50) -> str:
    return (
        f"{title}\n{number}\n各区县人民政府,市政府各部门:\n为支持企业发展,制定以下措施。\n"
        f"一、支持企业创新\n1.对新认定的国家级专精特新“小巨人”企业,给予{amount}万元奖励。"
        "(责任单位:市工信局、市财政局)\n某某市人民政府\n2024年3月1日\n"
    )


def ingest(engine, path: Path, **kwargs):
    with session_scope(engine) as session:
        return ingest_file(session, path, **kwargs)


def titles_in_force(engine) -> list[str]:
    with session_scope(engine) as session:
        return sorted(v.extraction["document"]["title"] for v in current_versions(session))


def test_two_documents_saved_under_one_file_name_are_both_kept(engine, tmp_path):
    first, second = tmp_path / "a" / "政策.txt", tmp_path / "b" / "政策.txt"
    first.parent.mkdir()
    second.parent.mkdir()
    first.write_text(policy("丰原市人民政府关于支持制造业发展的若干措施", "丰政发〔2024〕5号"), "utf-8")
    second.write_text(policy("丰原市人民政府关于促进外贸稳定增长的若干措施", "丰政发〔2024〕9号"), "utf-8")
    assert ingest(engine, first).status == "new"
    result = ingest(engine, second)
    assert result.status == "new" and "文件名与已入库的" in result.note
    assert titles_in_force(engine) == [
        "丰原市人民政府关于促进外贸稳定增长的若干措施",
        "丰原市人民政府关于支持制造业发展的若干措施",
    ]


def test_the_same_document_under_another_name_is_a_new_version(engine, tmp_path):
    old, new = tmp_path / "index.html.txt", tmp_path / "措施.txt"
    old.write_text(policy("丰原市人民政府关于支持制造业发展的若干措施", "丰政发〔2024〕5号"), "utf-8")
    new.write_text(policy("丰原市人民政府关于支持制造业发展的若干措施", "丰政发[2024]5号", 60), "utf-8")
    ingest(engine, old)
    result = ingest(engine, new)
    assert (result.status, result.version) == ("new_version", 2)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1


def test_ingesting_an_earlier_text_makes_it_current_again(engine, tmp_path):
    path = tmp_path / "措施.txt"
    path.write_text(policy("丰原市人民政府关于支持制造业发展的若干措施", "丰政发〔2024〕5号", 50), "utf-8")
    ingest(engine, path)
    path.write_text(policy("丰原市人民政府关于支持制造业发展的若干措施", "丰政发〔2024〕5号", 90), "utf-8")
    ingest(engine, path)
    path.write_text(policy("丰原市人民政府关于支持制造业发展的若干措施", "丰政发〔2024〕5号", 50), "utf-8")
    result = ingest(engine, path)
    assert (result.status, result.version) == ("reinstated", 1)
    with session_scope(engine) as session:
        [current] = current_versions(session)
        assert current.version == 1 and current.extraction["incentives"][0]["amount_wan"] == 50
        assert session.scalar(select(func.count()).select_from(DocumentVersion)) == 2


def test_a_changed_title_under_the_same_number_needs_the_officers_word(engine, tmp_path):
    path = tmp_path / "措施.txt"
    path.write_text(policy("丰原市人民政府关于支持制造业发展的若干措施", "丰政发〔2024〕5号"), "utf-8")
    first = ingest(engine, path)
    path.write_text(policy("丰原市人民政府关于支持制造业高质量发展的若干措施", "丰政发〔2024〕5号"), "utf-8")
    with pytest.raises(DocumentConflictError, match=f"--version-of {first.document_id}"):
        ingest(engine, path)
    assert titles_in_force(engine) == ["丰原市人民政府关于支持制造业发展的若干措施"]
    result = ingest(engine, path, version_of=first.document_id)
    assert (result.status, result.version) == ("new_version", 2)
    assert titles_in_force(engine) == ["丰原市人民政府关于支持制造业高质量发展的若干措施"]


def test_the_seeds_reingest_as_unchanged(engine, tmp_path):
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, tmp_path / seed.name)
        assert ingest(engine, tmp_path / seed.name).status == "new"
    assert [ingest(engine, p).status for p in sorted(tmp_path.glob("*.txt"))] == ["unchanged"] * 5


def test_a_missing_file_stores_nothing(engine, tmp_path):
    from huiqi.errors import DocumentError

    with pytest.raises(DocumentError):
        ingest(engine, tmp_path / "没有这个文件.txt")
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0

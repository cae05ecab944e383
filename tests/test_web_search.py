"""Full-text search (huiqi.search) on SQLite FTS5 and PostgreSQL full-text search: any collection
of text, Chinese words, stale items, restriction to keys, the substring fallback, hostile
queries, the policy library's index and text. The product names below are written for these
tests."""

from __future__ import annotations

import shutil

from sqlalchemy import text

from huiqi.search import index, policy
from huiqi.search.highlight import marks, snippet

PRODUCTS = {
    "p1": ["五轴联动数控机床", "适用于航空发动机叶片的精密加工,配套国产数控系统"],
    "p2": ["新能源汽车动力电池包", "磷酸铁锂电芯,循环寿命三千次,配套整车企业"],
    "p3": ["工业机器人精密减速器", "谐波减速器,用于六轴工业机器人关节"],
}


def _index_products(session) -> None:
    for key, (name, body) in PRODUCTS.items():
        parts = [index.Part("name", name), index.Part("body", body)]
        index.replace(session, "product", key, parts, digest=f"{key}-1")
    session.commit()


def _keys(hits) -> list[str]:
    return [h.key for h in hits]


def test_any_collection_is_indexed_and_found_by_chinese_words(session):
    _index_products(session)
    assert _keys(index.search_items(session, "product", "数控机床")) == ["p1"]
    assert _keys(index.search_items(session, "product", "电池")) == ["p2"]
    assert _keys(index.search_items(session, "product", "减速器")) == ["p3"]
    # every word must be in one part: 机器人 and 关节 are both in p3's body
    assert _keys(index.search_items(session, "product", "机器人 关节")) == ["p3"]
    # words from two different items never make a hit together
    assert index.search_items(session, "product", "电池 减速器") == []
    # the name and body of p3 both hold 机器人; p3 ranks first for it, with both parts shown
    [robot] = index.search_items(session, "product", "工业机器人")
    assert robot.key == "p3" and [p.part for p in robot.parts] == ["name", "body"]
    # another collection does not see these items
    assert index.search(session, "policy", "数控机床") == []


def test_replacing_an_item_and_finding_what_is_stale_or_gone(session):
    _index_products(session)
    changed, gone = index.stale(session, "product", {"p1": "p1-1", "p2": "p2-2", "p4": "p4-1"})
    assert sorted(changed) == ["p2", "p4"] and gone == ["p3"]
    index.replace(session, "product", "p2", [index.Part("name", "氢燃料电池电堆")], digest="p2-2")
    index.remove(session, "product", gone)
    session.commit()
    assert _keys(index.search_items(session, "product", "磷酸铁锂")) == []
    assert _keys(index.search_items(session, "product", "氢燃料")) == ["p2"]
    assert index.search_items(session, "product", "减速器") == []
    assert index.stale(session, "product", {"p1": "p1-1", "p2": "p2-2"}) == ([], [])
    assert [p.text for p in index.parts_of(session, "product", "p2")] == ["氢燃料电池电堆"]


def test_search_within_given_keys(session):
    _index_products(session)
    assert _keys(index.search_items(session, "product", "配套", keys=["p2", "p3"])) == ["p2"]
    assert sorted(_keys(index.search_items(session, "product", "配套"))) == ["p1", "p2"]
    assert index.search_items(session, "product", "配套", keys=[]) == []


def test_fragments_the_tokens_miss_are_found_as_written_and_hostile_queries_are_harmless(session):
    _index_products(session)
    # 控机 is no word of its own: the tokens cannot answer, the text as written can
    [hit] = index.search(session, "product", "控机")
    assert hit.key == "p1" and hit.words == ("控机",)
    for hostile in (
        '"',
        "'",
        "电池'); DROP TABLE search_entries; --",
        "a & b | !c",
        "NEAR(电池",
        "*",
        "电池:*",
        "\\",
    ):
        index.search(session, "product", hostile)  # no error from FTS5 or tsquery syntax
    assert _keys(index.search_items(session, "product", "电池")) == ["p2"]  # the table is intact
    assert index.search(session, "product", "   ") == [] and index.search(session, "product", "的") == []


def test_the_database_full_text_index_is_what_answers(session, engine):
    _index_products(session)
    if engine.dialect.name == "sqlite":
        rows = session.execute(
            text("SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"电池\"'")
        ).scalar()
        assert rows == 1  # the FTS5 table is kept in step by triggers
        index.remove(session, "product", ["p2"])
        rows = session.execute(
            text("SELECT count(*) FROM search_fts WHERE search_fts MATCH '\"电池\"'")
        ).scalar()
        assert rows == 0
    else:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            session.execute(
                text(
                    "EXPLAIN SELECT id FROM search_entries WHERE "
                    "array_to_tsvector(string_to_array(tokens, ' ')) @@ CAST('''电池''' AS tsquery)"
                )
            ).scalars()
        )
        assert "ix_search_entries_fulltext" in plan


def test_highlight_marks_the_words_and_cuts_around_the_first(session):
    assert marks("Huiqi 惠企 HUIQI", ["huiqi"]) == [("Huiqi", True), (" 惠企 ", False), ("HUIQI", True)]
    long = "前" * 100 + "减速器" + "后" * 100
    cut = snippet(long, ["减速器"], width=40)
    assert cut[0][0].startswith("…") and cut[1] == ("减速器", True) and cut[-1][0].endswith("…")
    assert sum(len(t) for t, _ in cut) == 40 + 2


def test_the_policy_library_index_follows_new_versions_and_keeps_the_text(world, tmp_path):
    from huiqi.db.models import Document, DocumentVersion
    from huiqi.library import ingest_file

    with world.session() as s:
        assert policy.sync(s) == 1
        assert policy.sync(s) == 0  # nothing changed, nothing indexed again
    with world.session() as s:
        [hit] = policy.search(s, "绿色工厂")
        assert hit.key == str(world.city) and "绿色工厂" in hit.parts[0].text
        assert policy.search(s, "数字孪生") == []
    world.city_path.write_text(
        world.city_path.read_text("utf-8").replace(
            "二、保障措施", "5.支持数字孪生工厂建设。(责任单位:市工业和信息化局)\n二、保障措施"
        ),
        "utf-8",
    )
    with world.session() as s:
        ingest_file(s, world.city_path)
    with world.session() as s:
        assert policy.sync(s) == 1
    with world.session() as s:
        [hit] = policy.search(s, "数字孪生")
        assert hit.key == str(world.city)
        version = s.get(DocumentVersion, s.get(Document, world.city).current_version_id)
        lines, from_file = policy.document_lines(version)
        assert from_file and lines[0].startswith("济南市人民政府关于支持制造业高质量发展的若干措施")
        assert any("数字孪生" in line for line in lines)
        # the file gone (or changed since): the text is rebuilt from the reading, never made up
        moved = tmp_path / "moved.txt"
        shutil.move(world.city_path, moved)
        policy._file_lines.cache_clear()
        lines, from_file = policy.document_lines(version)
        assert not from_file and lines[0] == "济南市人民政府关于支持制造业高质量发展的若干措施"
        assert any(line.startswith("对新认定的国家级专精特新") for line in lines)

"""智能检索 on SQLite (FTS5) and PostgreSQL (tsvector): ranking, synonyms, filters, freshness."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import catalog_fixtures
from catalog_fixtures import JN_ELECTRIC, JN_MACHINE, JN_TUNNEL, WF_MACHINE, load_population, write_csv
from huiqi.catalog import index as index_module
from huiqi.catalog import search as search_module
from huiqi.catalog.errors import CatalogError
from huiqi.catalog.index import refresh
from huiqi.catalog.search import search
from huiqi.db.models import CatalogSearchEntry
from huiqi.registry.importer import import_file

catalog_db = catalog_fixtures.catalog_db


def titles(result) -> list[str]:
    return [hit.title for hit in result.items]


def test_synonyms_find_the_same_machine_under_every_name(catalog_db):
    for query in ("加工中心", "数控机床", "CNC"):
        found = titles(search(catalog_db, query))
        assert {"立式加工中心 VMC850", "CNC立式加工中心", "龙门加工中心"} <= set(found), query
        assert "医用外科口罩" not in found


def test_the_head_of_the_name_counts_most_then_the_name_then_the_description(catalog_db):
    # both names hold 盾构机, but only the first product is one (the second is a 滚刀)
    assert titles(search(catalog_db, "盾构机")) == ["土压平衡盾构机", "盾构机刀盘滚刀"]
    # 加工中心 heads three names and is only in the description of the guard
    found = titles(search(catalog_db, "加工中心"))
    assert found[-1] == "机床防护罩"


def test_every_word_must_match_unless_none_does(catalog_db):
    result = search(catalog_db, "干式变压器")
    assert titles(result) == ["干式变压器 SCB13"] and not result.relaxed
    result = search(catalog_db, "蝶阀 口罩")  # no product is both
    assert result.relaxed and {"电动蝶阀", "医用外科口罩"} <= set(titles(result))


def test_a_single_character_finds_the_products_it_heads(catalog_db):
    assert titles(search(catalog_db, "泵")) == ["不锈钢离心泵"]
    assert titles(search(catalog_db, "阀")) == ["电动蝶阀"]


def test_an_ascii_word_finds_the_model_numbers_it_begins(catalog_db):
    assert titles(search(catalog_db, "vmc")) == ["立式加工中心 VMC850"]
    assert titles(search(catalog_db, "SCB13")) == ["干式变压器 SCB13"]


def test_filters_by_region_industry_and_certification(catalog_db):
    in_jinan = search(catalog_db, "加工中心", region="济南")
    assert "CNC立式加工中心" not in titles(in_jinan) and "立式加工中心 VMC850" in titles(in_jinan)
    assert in_jinan.filters["region"] == "370100"
    in_weifang = search(catalog_db, "加工中心", region="370700")
    assert set(titles(in_weifang)) == {"CNC立式加工中心", "龙门加工中心"}
    assert set(titles(search(catalog_db, "", industry="C38"))) == {
        "油浸式电力变压器 S13-630kVA",
        "干式变压器 SCB13",
        "变压器绝缘油",
    }
    assert titles(search(catalog_db, "变压器", industry="电气机械和器材制造业"))[0].startswith(
        ("油浸式", "干式")
    )
    first_sets = search(catalog_db, "", certification="首台套")
    assert set(titles(first_sets)) == {"立式加工中心 VMC850", "土压平衡盾构机"}
    # a maker's title counts for its products
    giants = search(catalog_db, "", certification='专精特新"小巨人"')
    assert {h.uscc for h in giants.items} == {JN_MACHINE} and giants.total == 3


def test_enterprises_are_found_by_what_they_make_and_their_titles(catalog_db):
    result = search(catalog_db, "盾构机", kind="enterprise")
    assert [h.ref for h in result.items] == [JN_TUNNEL]
    makers = {h.ref for h in search(catalog_db, "加工中心", kind="enterprise").items}
    assert makers == {JN_MACHINE, WF_MACHINE}
    champions = search(catalog_db, "", kind="enterprise", certification="单项冠军")
    assert [h.ref for h in champions.items] == [JN_TUNNEL]
    by_name = search(catalog_db, "输变电", kind="enterprise")
    assert [h.ref for h in by_name.items] == [JN_ELECTRIC]


def test_a_product_hit_carries_its_maker_category_and_certifications(catalog_db):
    [hit] = search(catalog_db, "土压平衡盾构机").items
    assert hit.maker == "济南章丘隧道装备股份有限公司" and hit.category == "隧道施工机械"
    assert {"首台(套)", "制造业单项冠军"} <= set(hit.certifications)
    assert hit.region_code == "370114" and hit.industry_code == "C3511"


def test_pages_and_totals(catalog_db):
    everything = search(catalog_db, "", limit=500)
    assert everything.total == 14 == len(everything.items)
    first = search(catalog_db, "", limit=5)
    second = search(catalog_db, "", limit=5, offset=5)
    assert len(first.items) == len(second.items) == 5 and first.total == 14
    assert not {h.ref for h in first.items} & {h.ref for h in second.items}


def test_a_broad_query_is_ranked_within_the_window_and_the_total_stays_exact(catalog_db, monkeypatch):
    config = dict(search_module.settings().search, rank_window=3)
    fake = search_module.settings().__class__(search_module.settings().certifications, {}, config)
    monkeypatch.setattr(search_module, "settings", lambda: fake)
    result = search(catalog_db, "加工中心")  # 3 named so, the guard, and the 数控车床 (a 数控机床)
    assert result.windowed and result.total == 5 and len(result.items) == 3
    assert not search(catalog_db, "盾构机").windowed


def test_new_imports_reach_the_index_and_withdrawn_products_leave_it(catalog_db, tmp_path):
    assert titles(search(catalog_db, "叉车")) == []
    header = ["统一社会信用代码", "产品名称", "产品类别"]
    path = write_csv(tmp_path / "新产品.csv", header, [[JN_MACHINE, "电动叉车", "工业车辆"]])
    import_file(catalog_db, "products", path, tmp_path / "r.csv")
    assert titles(search(catalog_db, "叉车")) == ["电动叉车"]
    assert titles(search(catalog_db, "堆高车")) == ["电动叉车"]  # a synonym
    import_file(catalog_db, "products", path, tmp_path / "r2.csv", withdraw=True)
    assert titles(search(catalog_db, "叉车")) == []


def test_a_refresh_with_nothing_new_writes_nothing(catalog_db):
    refresh(catalog_db)
    again = refresh(catalog_db)
    assert (again.written, again.removed) == (0, 0)
    full = refresh(catalog_db, full=True)
    assert full.full and full.written == full.removed == 14 + 6
    with catalog_db.connect() as conn:
        kinds = [r[0] for r in conn.execute(select(CatalogSearchEntry.kind).order_by(CatalogSearchEntry.id))]
    # products first, those with more certifications first
    assert kinds == ["product"] * 14 + ["enterprise"] * 6


def test_an_incremental_refresh_touches_only_the_changed_enterprise(engine, tmp_path, monkeypatch):
    load_population(engine, tmp_path / "p")
    refresh(engine)
    monkeypatch.setattr(index_module, "_FULL_SHARE", 1.0)
    header = ["统一社会信用代码", "产品名称"]
    import_file(engine, "products", write_csv(tmp_path / "x.csv", header, [[JN_ELECTRIC, "箱式变电站"]]))
    summary = refresh(engine)
    assert not summary.full
    assert summary.removed == 3 + 1 and summary.written == 4 + 1  # its products and itself


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"region": "火星"}, "不是有效的行政区划代码或地名"),
        ({"industry": "Z99"}, "行业"),
        ({"industry": "设备"}, "对应多个大类"),
        ({"kind": "people"}, "检索类型"),
        ({"limit": 0}, "每页条数"),
    ],
)
def test_bad_filters_say_why_in_chinese(catalog_db, options, message):
    with pytest.raises(CatalogError, match=message):
        search(catalog_db, "变压器", **options)


def test_a_query_of_only_filler_words_finds_nothing(catalog_db):
    result = search(catalog_db, "的 产品 有限公司")
    assert result.total == 0 and result.words == []


def test_entries_naming_the_query_words_come_before_those_holding_only_synonyms(catalog_db):
    found = titles(search(catalog_db, "加工中心"))
    assert set(found[:3]) == {"立式加工中心 VMC850", "CNC立式加工中心", "龙门加工中心"}
    assert found.index("数控车床 CK6150") > 2  # a 数控机床, so a synonym, but not named 加工中心
    paged = titles(search(catalog_db, "加工中心", limit=2, offset=2))
    assert paged == found[2:4]


def test_a_search_during_another_write_answers_from_the_index_as_it_is(tmp_path):
    from huiqi.db.engine import make_engine
    from huiqi.db.locks import writer_lock
    from huiqi.db.migrate import upgrade

    url = f"sqlite:///{tmp_path}/huiqi.db"  # a file: the writer lock is a real lock
    upgrade(url)
    engine = make_engine(url)
    load_population(engine, tmp_path / "p")
    assert titles(search(engine, "叉车")) == []
    header = ["统一社会信用代码", "产品名称"]
    import_file(engine, "products", write_csv(tmp_path / "x.csv", header, [[JN_MACHINE, "电动叉车"]]))
    with writer_lock(engine):  # another job is writing
        assert titles(search(engine, "叉车")) == []  # not yet indexed, and no waiting
    assert titles(search(engine, "叉车")) == ["电动叉车"]
    engine.dispose()

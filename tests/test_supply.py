"""供需对接: scoring rules on hand-made products (no database), then the database path on SQLite
and PostgreSQL with the hand-made population of ``catalog_fixtures``."""

from __future__ import annotations

import datetime as dt

import pytest

import catalog_fixtures
from catalog_fixtures import JN_ELECTRIC, JN_MACHINE, JN_TUNNEL, WF_MACHINE, load_population
from huiqi.catalog.errors import NotFoundError
from huiqi.catalog.matching import (
    DemandTerms,
    ProductView,
    demands_for_product,
    match_all,
    match_demand,
    read_demand,
    records,
    score,
)
from huiqi.catalog.tokens import analyzer

catalog_db = catalog_fixtures.catalog_db


def demand(
    title: str, description: str = "", category: str | None = None, region: str = "370100"
) -> DemandTerms:
    row = {
        "id": 1,
        "demand_id": "T-1",
        "title": title,
        "description": description,
        "category": category,
        "buyer": "某采购单位",
        "buyer_uscc": None,
        "region_code": region,
        "deadline": None,
    }
    return read_demand(row)


def product(
    name: str,
    category: str = "",
    description: str = "",
    region: str = "370112",
    industry: str | None = None,
    certifications: tuple[str, ...] = (),
    product_id: int = 1,
) -> ProductView:
    words = analyzer()
    head_words = set(words.head_words(name))
    return ProductView(
        id=product_id,
        uscc="X" * 18,
        name=name,
        maker="某制造企业",
        region_code=region,
        industry_code=industry,
        category=category,
        certifications=list(certifications),
        head=words.head(name),
        head_words=head_words,
        category_head_words=set(words.head_words(category)),
        fields={
            "head": head_words,
            "name": set(words.index_words(name)),
            "category": set(words.index_words(category)),
            "body": set(words.index_words(description)),
        },
    )


def flat(word: str) -> float:
    return 1.0  # every word equally rare, so the tests read the rules alone


def test_a_demand_is_read_into_its_words_head_and_named_certifications():
    d = demand("地铁隧道施工用盾构机采购一批", "要求具备首台(套)认定,列入优势工业产品目录优先")
    assert d.head == "盾构机" and "采购" not in d.title_words and "一批" not in d.title_words
    assert d.wanted == ["首台(套)", "优势工业产品目录"]
    assert demand("口罩生产设备").head is None  # 设备 says nothing about what is wanted


def test_the_thing_itself_beats_its_parts_and_the_reason_says_so():
    wanted = demand("盾构机")
    machine = score(wanted, product("土压平衡盾构机"), flat)
    cutter = score(wanted, product("盾构机刀盘滚刀", product_id=2), flat)
    assert machine.parts["text"] == 70.0 and "本身" not in machine.reason
    assert cutter.parts["text"] == 35.0  # the same words, but another kind of thing: halved
    assert "但产品“盾构机刀盘滚刀”不是需求所要的“盾构机”本身" in cutter.reason


def test_a_synonym_counts_a_little_less_than_the_word_itself():
    exact = score(demand("数控机床"), product("数控机床"), flat)
    synonym = score(demand("数控机床"), product("立式加工中心"), flat)
    assert exact.parts["text"] == 70.0 and synonym.parts["text"] == pytest.approx(70.0 * 0.85)
    assert "“数控机床”(同义“加工中心”)" in synonym.reason


def test_a_compound_the_product_lacks_counts_by_its_pieces():
    match = score(demand("化工泵"), product("不锈钢化工离心泵"), flat)
    assert match is not None and match.parts["text"] == pytest.approx(70.0 * 0.8)
    assert "部分" in match.reason


def test_local_products_are_preferred_on_equal_terms_only():
    wanted = demand("数控车床", region="370112")
    here = score(wanted, product("数控车床", region="370112"), flat)
    city = score(wanted, product("数控车床", region="370105"), flat)
    away = score(wanted, product("数控车床", region="370705"), flat)
    assert here.parts["local"] == 6.0 and city.parts["local"] == 4.0 and away.parts["local"] == 0.0
    assert here.score > city.score > away.score
    assert "本地企业(历城区),同等条件下优先(同一区县)" in here.reason
    # a better fit from elsewhere still wins over a weaker local one
    weaker = score(demand("卧式数控车床", region="370112"), product("数控车床", region="370112"), flat)
    better = score(demand("卧式数控车床", region="370112"), product("卧式数控车床", region="370705"), flat)
    assert better.score > weaker.score


def test_a_provincial_demand_prefers_the_province():
    match = score(demand("数控车床", region="370000"), product("数控车床", region="370705"), flat)
    assert match.parts["local"] == 4.0


def test_certifications_the_demand_names_and_catalogs_count():
    wanted = demand("盾构机", "优先选用首台(套)装备")
    first = score(wanted, product("盾构机", certifications=("首台(套)",)), flat)
    plain = score(wanted, product("盾构机"), flat)
    listed = score(wanted, product("盾构机", certifications=("优势工业产品目录",)), flat)
    assert first.parts["certification"] == 8.0 and plain.parts["certification"] == 0.0
    assert "具备需求提到的首台(套)" in first.reason
    assert listed.parts["catalog"] == 4.0 and "列入《优势工业产品目录》,同等条件下优先" in listed.reason


def test_category_by_code_and_by_words():
    by_code = score(demand("变压器", category="C3821"), product("干式变压器", industry="C3821"), flat)
    same_division = score(demand("变压器", category="C3821"), product("干式变压器", industry="C3824"), flat)
    other = score(demand("变压器", category="C3821"), product("干式变压器", industry="C3511"), flat)
    assert (by_code.parts["category"], same_division.parts["category"], other.parts["category"]) == (
        12.0,
        8.4,
        0.0,
    )
    by_words = score(demand("变压器", category="电力变压器"), product("干式变压器", "电力变压器"), flat)
    assert by_words.parts["category"] == 12.0 and "类别相符" in by_words.reason


def test_a_product_covering_too_little_is_not_listed():
    assert score(demand("医用外科口罩", "三层 无纺布 细菌过滤"), product("医用防护服"), flat) is None


# --- through the database (SQLite and PostgreSQL) --------------------------------------------


def test_suppliers_of_a_demand_ranked_with_reasons(catalog_db):
    result = match_demand(catalog_db, "XQ-01")
    names = [m.product for m in result.matches]
    assert names[0] == "土压平衡盾构机" and result.matches[0].uscc == JN_TUNNEL
    assert result.matches[0].rank == 1 and "本地企业" in result.matches[0].reason
    assert "医用外科口罩" not in names


def test_the_local_district_comes_first_among_equals(catalog_db):
    result = match_demand(catalog_db, "XQ-02")  # 历城 wants a 立式加工中心
    top = result.matches[0]
    assert (top.product, top.uscc) == ("立式加工中心 VMC850", JN_MACHINE)
    weifang = next(m for m in result.matches if m.uscc == WF_MACHINE)
    assert top.parts["local"] == 6.0 and weifang.parts["local"] == 0.0
    assert top.parts["category"] == 12.0  # 金属切削机床 is the demand's category


def test_json_items_carry_what_other_systems_need(catalog_db):
    items = records(match_all(catalog_db))
    assert items and {"demand_id", "uscc", "product", "score", "reason"} <= set(items[0])
    assert "XQ-04" not in {i["demand_id"] for i in items}  # its deadline has passed
    assert {i["demand_id"] for i in items} == {"XQ-01", "XQ-02", "XQ-03"}
    masks = [i for i in items if i["demand_id"] == "XQ-03"]
    assert masks[0]["product"] == "医用外科口罩"


def test_open_demands_a_product_could_serve(catalog_db):
    from sqlalchemy import select

    from huiqi.db.models import Product

    with catalog_db.connect() as conn:
        ids = dict(conn.execute(select(Product.record_id, Product.id)).all())
    served = demands_for_product(catalog_db, ids["JN-1"])  # 立式加工中心
    assert [m.demand_id for m in served] == ["XQ-02"]
    assert demands_for_product(catalog_db, ids["JE-1"]) == []  # the transformer demand has closed
    later = demands_for_product(catalog_db, ids["JE-1"], on=dt.date(2019, 12, 1))
    assert [m.demand_id for m in later] == ["XQ-04"]
    with pytest.raises(NotFoundError, match="没有产品"):
        demands_for_product(catalog_db, 999999)


def test_a_buyer_is_not_its_own_supplier(engine, tmp_path):
    tables = {
        "enterprises": catalog_fixtures.ENTERPRISES,
        "products": catalog_fixtures.PRODUCTS,
        "demands": [["XQ-9", f"济南历城精工机床有限公司({JN_MACHINE})", "加工中心", "", "", "370100", ""]],
    }
    load_population(engine, tmp_path / "p", tables)
    makers = {m.uscc for m in match_demand(engine, "XQ-9").matches}
    assert JN_MACHINE not in makers and WF_MACHINE in makers


def test_unknown_and_ambiguous_demands_say_so(engine, tmp_path):
    tables = {
        "enterprises": catalog_fixtures.ENTERPRISES,
        "products": catalog_fixtures.PRODUCTS,
        "demands": [
            ["GD-1", "济南市城乡建设局", "变压器", "", "", "370100", ""],
            ["GD-2", "潍坊市城乡建设局", "变压器", "", "", "370700", ""],
        ],
    }
    load_population(engine, tmp_path / "p", tables)
    same_number = tables["demands"][1][:]
    same_number[0] = "GD-1"
    load_population(engine, tmp_path / "q", {"demands": [same_number]})
    with pytest.raises(NotFoundError, match="多个需求方"):
        match_demand(engine, "GD-1")
    with pytest.raises(NotFoundError, match="没有需求"):
        match_demand(engine, "GD-404")
    assert match_demand(engine, "GD-2").matches[0].uscc == JN_ELECTRIC

"""Catalog editions on SQLite and PostgreSQL: create, propose, select, publish, take out; the
Excel of an edition and of a 对接清单 (text never a formula); listing as recognition-like facts."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

import catalog_fixtures
from catalog_fixtures import JN_ELECTRIC, JN_MACHINE, JN_TUNNEL
from huiqi.catalog.editions import (
    DRAFT,
    PUBLISHED,
    add_products,
    catalog_facts,
    create_edition,
    entries,
    get_edition,
    list_editions,
    propose,
    publish,
    remove_product,
)
from huiqi.catalog.errors import CatalogError, NotFoundError
from huiqi.catalog.export import write_demand_xlsx, write_edition_xlsx, write_matches_csv, write_matches_xlsx
from huiqi.catalog.matching import DemandMatches, Match, read_demand
from huiqi.catalog.search import search
from huiqi.db.models import Product

catalog_db = catalog_fixtures.catalog_db


def product_ids(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Product.record_id, Product.id)).all())


def test_an_edition_takes_the_catalogs_criteria_and_length(catalog_db):
    info = create_edition(catalog_db, "优势产品目录", "2025年版", "济南", valid_from=dt.date(2025, 3, 1))
    assert (info.catalog, info.region_code, info.status, info.level) == (
        "优势工业产品目录",
        "370100",
        DRAFT,
        "市级",
    )
    assert info.valid_to == dt.date(2027, 2, 28) and "无质量问题" in info.criteria
    assert info.title == "《济南市优势工业产品目录(2025年版)》"
    with pytest.raises(CatalogError, match="已存在"):
        create_edition(catalog_db, "优势工业产品目录", "2025年版", "370100")
    with pytest.raises(CatalogError, match="可选:优势工业产品目录、政府首购创新产品目录"):
        create_edition(catalog_db, "名优产品名录", "2025年版", "370100")
    with pytest.raises(CatalogError, match="有效期止早于有效期起"):
        create_edition(
            catalog_db, "首购目录", "第一批", "370100", None, dt.date(2025, 5, 1), dt.date(2025, 1, 1)
        )


def test_select_publish_and_take_out(catalog_db):
    ids = product_ids(catalog_db)
    info = create_edition(catalog_db, "优势工业产品目录", "2025年版", "济南市")
    candidates = {h.ref for h in propose(catalog_db, info.id, "加工中心").items}
    assert str(ids["JN-1"]) in candidates and str(ids["WF-1"]) not in candidates  # 潍坊 is not 济南
    with pytest.raises(CatalogError, match="还没有产品"):
        publish(catalog_db, info.id)
    outcome = add_products(
        catalog_db, info.id, [ids["JN-1"], ids["JT-1"], ids["WF-1"], 999999], note="技术领先"
    )
    assert outcome.added == sorted([ids["JN-1"], ids["JT-1"]])
    assert outcome.refused == {ids["WF-1"]: "生产企业不在济南市", 999999: "没有该产品(或已撤回)"}
    assert add_products(catalog_db, info.id, [ids["JN-1"]]).already == [ids["JN-1"]]
    day = dt.date(2025, 6, 1)
    published = publish(catalog_db, info.id, on=day)
    assert (published.status, published.published_on, published.valid_from) == (PUBLISHED, day, day)
    assert published.valid_to == dt.date(2027, 5, 31) and published.listed == 2
    with pytest.raises(CatalogError, match="已发布,不能再增加产品"):
        add_products(catalog_db, info.id, [ids["JE-2"]])

    facts = catalog_facts(catalog_db)
    assert facts.columns[:6] == ["uscc", "kind", "level", "granted_on", "review", "expires_on"]
    assert set(facts["uscc"]) == {JN_MACHINE, JN_TUNNEL}
    row = facts.filter(facts["uscc"] == JN_TUNNEL).row(0, named=True)
    assert (row["kind"], row["level"], row["granted_on"], row["expires_on"]) == (
        "优势工业产品目录",
        "市级",
        day,
        dt.date(2027, 5, 31),
    )

    remove_product(catalog_db, info.id, ids["JT-1"], "抽检不合格,强制退出", on=dt.date(2026, 1, 10))
    with pytest.raises(CatalogError, match="已于2026-01-10退出"):
        remove_product(catalog_db, info.id, ids["JT-1"], "再次退出")
    with pytest.raises(CatalogError, match="须写明原因"):
        remove_product(catalog_db, info.id, ids["JN-1"], " ")
    facts = catalog_facts(catalog_db)
    gone = facts.filter(facts["uscc"] == JN_TUNNEL).row(0, named=True)
    assert gone["expires_on"] == dt.date(2026, 1, 9)
    assert catalog_facts(catalog_db, on=dt.date(2026, 2, 1))["uscc"].to_list() == [JN_MACHINE]
    rows = entries(catalog_db, info.id)
    assert [(r["product"], r["removed_reason"]) for r in rows] == [
        ("立式加工中心 VMC850", None),
        ("土压平衡盾构机", "抽检不合格,强制退出"),
    ]
    assert get_edition(catalog_db, info.id).removed == 1


def test_listing_in_force_shows_in_search(catalog_db):
    ids = product_ids(catalog_db)
    info = create_edition(catalog_db, "政府首购创新产品目录", "第一批", "370100")
    add_products(catalog_db, info.id, [ids["JE-2"]])
    assert search(catalog_db, "", certification="首购目录").total == 0  # a draft lists nothing yet
    publish(catalog_db, info.id)
    found = search(catalog_db, "", certification="首购目录")
    assert [h.title for h in found.items] == ["干式变压器 SCB13"]
    assert [h.ref for h in search(catalog_db, "", kind="enterprise", certification="政府首购").items] == [
        JN_ELECTRIC
    ]
    remove_product(catalog_db, info.id, ids["JE-2"], "企业申请退出")
    assert search(catalog_db, "", certification="首购目录").total == 0


def test_unknown_editions_say_so(catalog_db):
    with pytest.raises(NotFoundError, match="没有编号为42的目录版次"):
        publish(catalog_db, 42)
    assert list_editions(catalog_db) == []


def test_the_edition_workbook_keeps_text_as_text(catalog_db, tmp_path):
    ids = product_ids(catalog_db)
    info = create_edition(catalog_db, "优势工业产品目录", "2025年版", "370100", criteria='=HYPERLINK("x")')
    add_products(catalog_db, info.id, [ids["JN-1"], ids["JE-1"]], note="@备注")
    publish(catalog_db, info.id, on=dt.date(2025, 6, 1))
    remove_product(catalog_db, info.id, ids["JE-1"], "-质量问题")
    path = write_edition_xlsx(
        get_edition(catalog_db, info.id), entries(catalog_db, info.id), tmp_path / "目录.xlsx"
    )
    book = load_workbook(path)
    assert book.sheetnames == ["说明", "入选产品", "已退出"]
    notes = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True)}
    assert notes["目录"] == "《济南市优势工业产品目录(2025年版)》" and notes["入选产品数"] == 1
    criteria = next(c for c in book["说明"]["B"] if c.value == '=HYPERLINK("x")')
    assert criteria.data_type == "s" and criteria.quotePrefix
    listed = list(book["入选产品"].iter_rows(values_only=True))
    assert listed[0][:3] == ("序号", "产品名称", "产品类别") and listed[1][1] == "立式加工中心 VMC850"
    assert (listed[1][4], listed[1][5], listed[1][6], listed[1][8]) == (
        JN_MACHINE,
        "历城区",
        "首台(套)",
        "@备注",
    )
    removed = list(book["已退出"].iter_rows(values_only=True))
    assert removed[1][0] == "油浸式电力变压器 S13-630kVA" and removed[1][-1] == "-质量问题"
    cell = book["已退出"].cell(row=2, column=7)
    assert cell.data_type == "s" and cell.quotePrefix


def _matches() -> list[DemandMatches]:
    row = {
        "id": 1,
        "demand_id": "=XQ-1",
        "title": "盾构机",
        "description": "",
        "category": None,
        "buyer": "+某局",
        "buyer_uscc": None,
        "region_code": "370100",
        "deadline": dt.date(2030, 1, 1),
    }
    demand = read_demand(row)
    match = Match(
        "=XQ-1", 1, "盾构机", 7, "=SUM(A1)盾构机", "X" * 18, "@制造公司", "370114", 80.5, "-理由", rank=1
    )
    return [DemandMatches(demand, [match], 1)]


def test_match_exports_never_hold_a_formula(tmp_path):
    book = load_workbook(write_matches_xlsx(_matches(), tmp_path / "a.xlsx"))
    assert book.sheetnames == ["对接清单", "需求"]
    header, row = list(book["对接清单"].iter_rows())[:2]
    assert [c.value for c in header][:4] == ["需求编号", "需求名称", "需求方", "排名"]
    texts = [c for c in row if isinstance(c.value, str) and c.value[0] in "=+-@"]
    assert len(texts) == 5 and all(c.data_type == "s" and c.quotePrefix for c in texts)
    assert row[7].value == "章丘区" and row[8].value == 80.5
    one = load_workbook(write_demand_xlsx(_matches()[0], tmp_path / "b.xlsx"))
    info = {r[0]: r[1] for r in one["需求信息"].iter_rows(values_only=True)}
    assert info["需求编号"] == "=XQ-1" and info["可对接产品数"] == 1
    with write_matches_csv(_matches(), tmp_path / "c.csv").open(encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))
    assert lines[1][0] == "'=XQ-1" and lines[1][2] == "'+某局" and lines[1][4] == "'=SUM(A1)盾构机"
    assert lines[1][9] == "'-理由"


def test_a_listed_product_is_a_title_its_maker_is_rewarded_for(catalog_db):
    from huiqi.extract.pipeline import extract_text
    from huiqi.match.service import load_registry, match_frames
    from huiqi.registry.codes import code_for_place
    from huiqi.rules.compile import compile_document

    ids = product_ids(catalog_db)
    info = create_edition(catalog_db, "优势工业产品目录", "2025年版", "济南市")
    add_products(catalog_db, info.id, [ids["JN-1"], ids["JT-1"]])
    publish(catalog_db, info.id, on=dt.date(2025, 6, 1))
    enterprises, facts = load_registry(catalog_db)
    text = (
        "济南市人民政府关于促进工业产品消费的若干措施\n济政发〔2025〕2号\n各区县人民政府:\n一、支持优势产品\n"
        "1.对新列入市级优势工业产品目录的产品,给予生产企业5万元奖励。(责任单位:市工业和信息化局)\n"
        "济南市人民政府\n2025年1月1日\n"
    )
    rules, _ = compile_document(1, extract_text(text).model_dump(mode="json"), code_for_place)
    frame = match_frames(enterprises, facts, rules, dt.date(2025, 12, 31))
    assert set(frame["uscc"]) == {JN_MACHINE, JN_TUNNEL} and set(frame["amount_wan"]) == {5.0}
    assert set(frame["fact_ref"]) == {f"c:{info.id}:{ids['JN-1']}", f"c:{info.id}:{ids['JT-1']}"}

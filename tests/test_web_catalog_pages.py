"""The 产品库 pages rendered on the server (TestClient, SQLite and PostgreSQL): the navigation
link for every role, 智能检索 with its search box and filters, a product's page, 供需对接 (the
demands, a demand with its ranked suppliers, the Excel), 产品目录 (create, select, take out,
publish, Excel) with CSRF on every form, 404 pages for what is not the viewer's, and the 产品 /
需求 templates of 数据导入."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from catalog_fixtures import JN_MACHINE
from catalog_web_support import add_market
from huiqi.db.models import CatalogEdition, CatalogEntry
from web_support import Pages, text_of


@pytest.fixture
def pages(world, tmp_path) -> Pages:
    return Pages(world, tmp_path / "evidence")


@pytest.fixture
def market(world, tmp_path):
    return add_market(world, tmp_path)


def _editions(world) -> int:
    with world.session() as s:
        return s.scalar(select(func.count()).select_from(CatalogEdition))


def _listed(world, edition_id: int) -> set[int]:
    with world.session() as s:
        return set(
            s.scalars(
                select(CatalogEntry.product_id).where(
                    CatalogEntry.edition_id == edition_id, CatalogEntry.removed_on.is_(None)
                )
            )
        )


def _flash(page) -> str:
    found = re.search(r'<div class="flash (\w+)"[^>]*>(.*?)</div>', page.text, re.S)
    return f"{found.group(1)}:{found.group(2)}" if found else ""


def test_every_role_finds_the_product_library_and_searches_it_with_filters(pages, market):
    for name in ("e1", "li", "cai", "shen", "admin"):
        page = pages.user(name).get("/products")
        assert page.status_code == 200, (name, page.text[:300])
        nav = re.search(r'<nav class="nav".*?</nav>', page.text, re.S).group(0)
        assert re.search(r'<a href="/products" class="current" aria-current="page">产品库</a>', nav), name
    e4 = pages.user("e4")
    page = e4.get("/products")
    assert re.search(r'<input id="q" type="search" name="q"', page.text)
    for label in ("地区", "行业", "资质"):
        assert f'aria-label="{label}"' in page.text
    assert '<option value="370100">济南市(全市)</option>' in page.text
    assert '<option value="C34">C34 通用设备制造业</option>' in page.text
    assert "共 14 个产品" in text_of(page.text)
    found = e4.get("/products", params={"q": "加工中心", "region": "370100"})
    text = text_of(found.text)
    assert "“加工中心”:找到 3 个产品" in text and "潍坊" not in text.split("找到")[1]
    assert (
        "<mark>加工中心</mark>" in found.text and "<mark>数控车床</mark>" in found.text
    )  # a synonym, marked
    assert found.text.index("立式<mark>加工中心</mark> VMC850") < found.text.index(
        "<mark>数控车床</mark> CK6150"
    )
    certified = text_of(e4.get("/products", params={"certification": "首台(套)"}).text)
    assert "找到 2 个产品" in certified and "土压平衡盾构机" in certified
    pumps = e4.get("/products", params={"industry": "C34", "q": "泵"}).text
    assert "不锈钢离心<mark>泵</mark>" in pumps and "找到 1 个产品" in text_of(pumps)
    firms = e4.get("/products", params={"q": "盾构机", "kind": "enterprise"})
    assert "找到 1 家企业" in text_of(firms.text)
    assert re.search(r'class="chip" href="/products/\d+"><mark>盾构机</mark>刀盘滚刀', firms.text)
    assert 'href="/enterprises/' not in firms.text  # e4 may not open another enterprise's page
    officer = pages.user("li").get("/products", params={"q": "加工中心", "kind": "enterprise"})
    assert f'href="/enterprises/{JN_MACHINE}"' in officer.text  # an officer of the region may
    relaxed = text_of(e4.get("/products", params={"q": "盾构机 口罩"}).text)
    assert "没有同时含全部检索词的结果" in relaxed
    nothing = text_of(e4.get("/products", params={"q": "航空发动机叶片"}).text)
    assert "没有找到符合条件的产品" in nothing
    bad = e4.get("/products", params={"region": "潍坊"})
    assert bad.status_code == 422 and "查询条件不正确" in text_of(bad.text)
    paged = e4.get("/products", params={"page": 2})
    assert paged.status_code == 200 and "医用" not in text_of(paged.text).split("共 14 个产品")[1][:20]


def test_a_product_page_shows_its_maker_catalogs_and_for_its_scope_the_demands_it_could_serve(pages, market):
    vmc = market.products["JN-1"]
    stranger = pages.user("e4").get(f"/products/{vmc}")
    assert stranger.status_code == 200
    text = text_of(stranger.text)
    assert (
        "立式加工中心 VMC850" in text and "济南历城精工机床有限公司" in text and "山东省济南市历城区" in text
    )
    assert "尚未列入产品目录" in text and "可对接的需求" not in text
    assert f'href="/enterprises/{JN_MACHINE}"' not in stranger.text
    maker = pages.user("maker").get(f"/products/{vmc}")
    assert "本企业" in text_of(maker.text) and "数控机床采购" in text_of(maker.text)
    assert re.search(r"<meter [^>]*value=\"\d+(\.\d+)?\"", maker.text)
    officer = pages.user("li").get(f"/products/{vmc}")
    assert f'href="/enterprises/{JN_MACHINE}"' in officer.text and "可对接的需求" in text_of(officer.text)
    missing = pages.user("e4").get("/products/999999")
    assert missing.status_code == 404 and "没有找到" in text_of(missing.text)
    assert pages.user("e4").get("/products/abc").status_code == 404


def test_demands_and_a_demand_with_its_suppliers_for_the_buyer_and_the_region(pages, market):
    e4 = pages.user("e4")
    listed = text_of(e4.get("/products/demands").text)
    assert "共 5 个未截止的需求" in listed and "配电变压器" not in listed
    assert "配电变压器" in text_of(e4.get("/products/demands", params={"status": "all"}).text)
    assert "地铁隧道施工用盾构机" not in text_of(
        e4.get("/products/demands", params={"region": "370102"}).text
    )
    tunnel = market.demands["XQ-01"]
    officer = pages.user("li").get(f"/products/demands/{tunnel}")
    text = text_of(officer.text)
    assert "推荐的供应产品" in text and "土压平衡盾构机" in text and "本地企业(章丘区)" in text
    assert f'href="/products/demands/{tunnel}/export"' in officer.text
    hidden = e4.get(f"/products/demands/{tunnel}")
    assert hidden.status_code == 200
    assert 'class="grid matches"' not in hidden.text and "济南章丘隧道装备" not in text_of(hidden.text)
    assert "/export" not in hidden.text
    export = pages.user("li").get(f"/products/demands/{tunnel}/export")
    assert export.status_code == 200
    assert load_workbook(io.BytesIO(export.content))["对接清单"]["B2"].value == "土压平衡盾构机"
    assert e4.get(f"/products/demands/{tunnel}/export").status_code == 404
    # a maker that did not ask sees how its own products fit, and nothing of the others'
    lathe = pages.user("maker").get(f"/products/demands/{market.demands['XQ-05']}")
    text = text_of(lathe.text)
    assert "贵企业以下产品可满足这个需求" in text and "数控车床 CK6150" in text
    assert "潍坊" not in text and '<th class="num">排名</th>' not in lathe.text  # no one else's products
    buyer = text_of(pages.user("e1").get(f"/products/demands/{market.demands['XQ-05']}").text)
    assert "推荐的供应产品" in buyer and "数控车床 CK6150" in buyer
    assert pages.user("e4").get("/products/demands/999999").status_code == 404


def test_an_officer_creates_selects_takes_out_and_publishes_an_edition_on_the_pages(pages, world, market):
    vmc, lathe, wf = market.products["JN-1"], market.products["JN-2"], market.products["WF-1"]
    e1 = pages.user("e1")
    assert "新建版次" not in text_of(e1.get("/products/catalogs").text)
    for name in ("e1", "cai", "shen"):  # enterprises, finance and auditors read catalogs, never make them
        denied = pages.user(name).post(
            "/products/catalogs", {"catalog": "优势工业产品目录", "edition": "2025年版"}
        )
        assert denied.status_code == 403 and "无权访问" in text_of(denied.text), name
        assert "您的角色不能使用这个页面" in text_of(denied.text)
    li = pages.user("li")
    form = li.get("/products/catalogs")
    assert (
        "新建版次" in text_of(form.text) and '<option value="370112">山东省济南市历城区</option>' in form.text
    )
    refused = li.post(
        "/products/catalogs", {"catalog": "优势工业产品目录", "edition": "2025年版"}, csrf="forged"
    )
    assert refused.status_code == 403 and _editions(world) == 0
    wrong = li.follow(li.post("/products/catalogs", {"catalog": "土特产目录", "edition": "2025年版"}))
    assert _flash(wrong).startswith("error:未新建:没有名为“土特产目录”的目录") and _editions(world) == 0
    dates = li.follow(
        li.post(
            "/products/catalogs",
            {"catalog": "优势工业产品目录", "edition": "2025年版", "valid_from": "2025-13-01"},
        )
    )
    assert "有效期起应为日期" in _flash(dates) and _editions(world) == 0
    made = li.post(
        "/products/catalogs", {"catalog": "优势工业产品目录", "edition": "2025年版", "region": "370100"}
    )
    target = made.headers["location"]
    edition = int(target.rsplit("/", 1)[1])
    page = li.follow(made)
    assert "已新建《济南市优势工业产品目录(2025年版)》(草稿)" in _flash(page)
    assert re.search(r"<button[^>]*disabled[^>]*>发布目录</button>", page.text)
    # the draft is not found by others
    assert pages.user("zhao").get(target).status_code == 404 and e1.get(target).status_code == 404
    candidates = li.get(target, params={"q": "加工中心", "propose": "1"})
    assert f'name="product_id" value="{vmc}"' in candidates.text
    assert f'value="{wf}"' not in candidates.text  # 潍坊's products are not 济南's candidates
    assert (
        li.post(f"{target}/add", {"product_id": [vmc, lathe], "note": "技术领先"}, csrf="").status_code == 403
    )
    assert _listed(world, edition) == set()
    for step, data in (
        ("add", {"product_id": [vmc]}),
        ("remove", {"product_id": vmc, "reason": "x"}),
        ("publish", {}),
    ):
        denied = e1.post(f"{target}/{step}", data)
        assert denied.status_code == 403 and "只有经办人员和管理员可以管理产品目录" in text_of(denied.text), (
            step
        )
    assert _listed(world, edition) == set()
    added = li.follow(li.post(f"{target}/add", {"product_id": [vmc, lathe, wf], "note": "技术领先"}))
    assert "已选入 2 个产品" in _flash(added) and "生产企业不在济南市" in _flash(added)
    assert _listed(world, edition) == {vmc, lathe}
    empty = li.follow(li.post(f"{target}/remove", {"product_id": lathe, "reason": " "}))
    assert _flash(empty).startswith("error:未退出") and _listed(world, edition) == {vmc, lathe}
    li.follow(li.post(f"{target}/remove", {"product_id": lathe, "reason": "型号停产"}))
    assert _listed(world, edition) == {vmc}
    assert pages.user("zhao").post(f"{target}/publish", {}).status_code == 404
    done = li.follow(li.post(f"{target}/publish", {}))
    assert "已发布《济南市优势工业产品目录(2025年版)》:共 1 个产品" in _flash(done)
    again = li.follow(li.post(f"{target}/publish", {}))
    assert _flash(again).startswith("error:未发布")
    late = li.follow(li.post(f"{target}/add", {"product_id": [lathe]}))
    assert _flash(late).startswith("error:未选入") and _listed(world, edition) == {vmc}
    # published: everyone reads it, without the forms; the Excel lists it
    public = e1.get(target)
    text = text_of(public.text)
    assert "已发布" in text and "立式加工中心 VMC850" in text and "型号停产" in text
    assert "/remove" not in public.text and "遴选产品" not in text
    book = load_workbook(io.BytesIO(e1.get(f"{target}/export").content))
    assert book["入选产品"]["B2"].value == "立式加工中心 VMC850" and book["已退出"]["G2"].value == "型号停产"
    listing = text_of(e1.get(f"/products/{vmc}").text)
    assert "《济南市优势工业产品目录(2025年版)》" in listing and "有效" in listing


def test_an_officer_selects_a_product_into_a_draft_from_the_product_page(pages, world, market):
    oil = market.products["JE-1"]
    li = pages.user("li")
    edition = int(
        li.post(
            "/products/catalogs", {"catalog": "政府首购创新产品目录", "edition": "第一批", "region": "370100"}
        )
        .headers["location"]
        .rsplit("/", 1)[1]
    )
    page = li.get(f"/products/{oil}")
    assert f'<option value="{edition}">《济南市政府首购创新产品目录(第一批)》(草稿)</option>' in page.text
    assert "选入目录" not in text_of(pages.user("zhao").get(f"/products/{oil}").text)
    assert li.post(f"/products/{oil}/catalog", {"edition_id": edition}, csrf="x").status_code == 403
    moved = li.post(f"/products/{oil}/catalog", {"edition_id": edition, "note": "首购"})
    assert moved.headers["location"] == f"/products/catalogs/{edition}"
    assert _listed(world, edition) == {oil}
    assert "该产品已在这个目录中" in _flash(
        li.follow(li.post(f"/products/{oil}/catalog", {"edition_id": edition}))
    )
    wf = market.products["WF-2"]
    assert pages.user("zhao").post(f"/products/{wf}/catalog", {"edition_id": edition}).status_code == 404


def test_the_import_page_offers_the_product_and_demand_templates(pages, market):
    li = pages.user("li")
    page = li.get("/import")
    assert (
        '<option value="products">产品</option>' in page.text
        and 'href="/import/template/demands"' in page.text
    )
    template = li.get("/import/template/products")
    assert template.status_code == 200
    assert "统一社会信用代码" in [
        c.value for c in load_workbook(io.BytesIO(template.content)).worksheets[0][1]
    ]

"""The product platform's API (SQLite and PostgreSQL): 智能检索 for anyone signed in, a product and
the demands it could serve for those who see its maker, a demand's ranked suppliers and 对接清单
for the buyer and the officers of its region, catalog editions managed by the region's officers
(create, propose, select, take out, publish, Excel), imports of products and demands with the
row-by-row report — each with the contract's error shape in Chinese and an audit entry."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from catalog_fixtures import JN_ELECTRIC, JN_MACHINE, WF_MACHINE, code
from catalog_web_support import add_market
from huiqi.db.models import AuditEntry, Product

ENGLISH = re.compile(r"Field required|Input should|value is not|Traceback|Not Found|Method Not Allowed")


def _error(answer, status: int, field: str | None = "-") -> dict:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    assert re.search(r"[\u4e00-\u9fff]", body["error"]["message"]) and not ENGLISH.search(answer.text)
    assert "huiqi " not in body["error"]["message"]  # no command-line hints on the web
    if field != "-":
        assert body["error"]["field"] == field, body
    return body["error"]


@pytest.fixture
def market(api, tmp_path):
    return add_market(api.world, tmp_path)


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in rows).encode("utf-8-sig")


# ----------------------------------------------------------------------------- 智能检索


def test_search_products_and_enterprises_with_filters_for_anyone_signed_in(api, market):
    found = api.get("/search", "e4", params={"q": "加工中心"})  # an enterprise with no products
    assert found.status_code == 200, found.text
    body = found.json()
    names = [h["title"] for h in body["items"]]
    assert (
        names[0] in ("立式加工中心 VMC850", "CNC立式加工中心") and "数控车床 CK6150" in names
    )  # 数控机床 synonyms
    assert body["total"] == len(names) and body["next"] is None
    first = body["items"][0]
    assert first["kind"] == "product" and first["product_id"] == int(first["ref"]) and first["maker"]
    local = api.get("/search", "e4", params={"q": "加工中心", "region": "济南"}).json()
    assert WF_MACHINE not in {h["uscc"] for h in local["items"]} and local["filters"]["region"] == "370100"
    assert {h["uscc"] for h in local["items"]} == {JN_MACHINE}
    first_set = api.get("/search", "cai", params={"certification": "首台套"}).json()
    assert {h["title"] for h in first_set["items"]} == {"立式加工中心 VMC850", "土压平衡盾构机"}
    makers = api.get("/search", "li", params={"q": "盾构机", "kind": "enterprise"}).json()
    assert (
        makers["items"][0]["title"] == "济南章丘隧道装备股份有限公司"
        and makers["items"][0]["product_id"] is None
    )
    paged = api.get("/search", "e1", params={"q": "变压器", "limit": 1}).json()
    assert paged["total"] >= 2 and paged["next"] == "1"
    second = api.get("/search", "e1", params={"q": "变压器", "limit": 1, "cursor": paged["next"]}).json()
    assert second["items"][0]["ref"] != paged["items"][0]["ref"]
    _error(api.get("/search", "e1", params={"q": "泵", "region": "火星"}), 422, "region")
    _error(api.get("/search", "e1", params={"industry": "钢铁冶炼和外星制造"}), 422, "industry")
    _error(api.get("/search", "e1", params={"kind": "person"}), 422, "kind")
    api.http.cookies.clear()
    _error(api.http.get("/api/v1/search", params={"q": "泵"}), 401)


# ----------------------------------------------------------------------------- products


def test_a_product_for_anyone_and_the_demands_it_could_serve_for_those_who_see_its_maker(api, market):
    vmc = market.products["JN-1"]
    product = api.get(f"/products/{vmc}", "e4")
    assert product.status_code == 200
    body = product.json()
    assert body["name"] == "立式加工中心 VMC850" and body["uscc"] == JN_MACHINE
    assert body["region"] == "山东省济南市历城区" and body["certifications"] == ["首台(套)"]
    assert body["catalogs"] == [] and body["number"] == "JN-1"
    for user in ("maker", "li", "cai", "admin", "shen"):  # the maker, its region's officer, read-all roles
        serves = api.get(f"/products/{vmc}/demands", user)
        assert serves.status_code == 200, (user, serves.text)
        items = serves.json()["items"]
        assert items[0]["demand_id"] == "XQ-02" and items[0]["demand_key"] == market.demands["XQ-02"]
        assert "加工中心" in items[0]["reason"] and items[0]["score"] > 50
        assert "XQ-04" not in {i["demand_id"] for i in items}  # its deadline has passed
    for user in ("zhao", "wang", "e1"):  # another city's officer, another district's, another firm
        _error(api.get(f"/products/{vmc}/demands", user), 404)
    _error(api.get("/products/999999", "e1"), 404)
    _error(api.get("/products/0", "e1"), 422, "product_id")


# ----------------------------------------------------------------------------- demands


def test_demands_for_anyone_their_matches_for_the_buyer_and_the_officers_of_the_region(api, market):
    listed = api.get("/demands", "e4").json()
    numbers = {d["demand_id"] for d in listed["items"]}
    assert {"XQ-01", "XQ-02", "XQ-03", "XQ-05"} <= numbers and "XQ-04" not in numbers  # open ones
    assert listed["total"] == len(listed["items"])
    everything = api.get("/demands", "e4", params={"status": "all"}).json()
    assert "XQ-04" in {d["demand_id"] for d in everything["items"]}
    in_lixia = api.get("/demands", "e4", params={"region": "370102"}).json()
    assert {d["demand_id"] for d in in_lixia["items"]} == {"XQ-03", "XQ-05"}
    named = api.get("/demands", "e4", params={"q": "盾构"}).json()
    assert [d["demand_id"] for d in named["items"]] == ["XQ-01"]
    page = api.get("/demands", "e4", params={"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next"] == str(page["items"][-1]["id"])
    tunnel = market.demands["XQ-01"]
    one = api.get(f"/demands/{tunnel}", "e4").json()
    assert one["title"] == "地铁隧道施工用盾构机" and one["open"] and one["region"] == "山东省济南市"

    # the path's number is the stored one, even though another demand's 需求编号 is that number
    matches = api.get(f"/demands/{tunnel}/matches", "li")
    assert matches.status_code == 200, matches.text
    body = matches.json()
    assert body["demand"]["demand_id"] == "XQ-01"
    assert body["items"][0]["product"] == "土压平衡盾构机" and body["items"][0]["rank"] == 1
    assert "盾构机" in body["items"][0]["reason"] and "本地企业" in body["items"][0]["reason"]
    assert "盾构机刀盘滚刀" not in [m["product"] for m in body["items"][:1]]
    masks = api.get(f"/demands/{market.tricky}/matches", "li").json()
    assert masks["demand"]["title"] == "医用防护服" and masks["items"][0]["product"] == "医用防护服"
    # who may see a demand's suppliers
    wang = api.get(f"/demands/{tunnel}/matches", "wang")  # 市中区: inside the city-wide demand
    assert wang.status_code == 200
    for user in ("zhao", "e1", "maker"):  # 潍坊's officer; enterprises that did not ask
        _error(api.get(f"/demands/{tunnel}/matches", user), 404)
    own = market.demands["XQ-05"]
    mine = api.get(f"/demands/{own}/matches", "e1")
    assert mine.status_code == 200
    assert mine.json()["items"][0]["product"] == "数控车床 CK6150"
    assert all(m["uscc"] != api.world.E1 for m in mine.json()["items"])
    _error(api.get(f"/demands/{own}/matches", "wang"), 404)  # 市中区 is not 历下区
    _error(api.get("/demands/999999", "e1"), 404)


def test_the_match_list_of_a_demand_in_excel_keeps_every_name_as_text(api, market, tmp_path):
    from catalog_fixtures import load_population

    hostile = "=1+1 土压平衡盾构机"  # a formula, were Excel to read it as one
    load_population(
        api.world.engine,
        tmp_path / "hostile",
        {
            "products": [
                [JN_MACHINE, hostile, "隧道施工机械", "城市地铁隧道施工用土压平衡盾构机", "", "", "JN-9"]
            ]
        },
    )
    tunnel = market.demands["XQ-01"]
    answer = api.get(f"/demands/{tunnel}/matches/xlsx", "li")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["需求信息", "对接清单"]
    info = {row[0].value: row[1].value for row in book["需求信息"].iter_rows()}
    assert info["需求编号"] == "XQ-01" and info["需求方"] == "济南市轨道交通建设指挥部"
    sheet = book["对接清单"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["排名", "产品", "生产企业"] and "匹配理由" in header
    products = {sheet.cell(r, 2).value: sheet.cell(r, 2) for r in range(2, sheet.max_row + 1)}
    assert "土压平衡盾构机" in products and hostile in products
    assert products[hostile].data_type == "s" and products[hostile].value == hostile
    _error(api.get(f"/demands/{tunnel}/matches/xlsx", "zhao"), 404)


# ----------------------------------------------------------------------------- catalog editions


def test_an_officer_creates_selects_publishes_and_takes_out_an_edition_of_the_region(api, market):
    vmc, lathe, guard = market.products["JN-1"], market.products["JN-2"], market.products["JN-3"]
    wf_cnc, oil = market.products["WF-1"], market.products["JE-1"]
    created = api.post("/catalogs", "li", json={"catalog": "优势产品目录", "edition": "2025年版"})
    assert created.status_code == 201, created.text
    edition = created.json()
    assert edition["title"] == "《济南市优势工业产品目录(2025年版)》" and edition["status"] == "草稿"
    assert edition["region_code"] == "370100" and edition["level"] == "市级" and edition["criteria"]
    eid = edition["id"]
    # a draft is the region's officers' (and the read-all roles'): others do not learn it exists
    for user in ("zhao", "e1", "wang"):
        _error(api.get(f"/catalogs/{eid}", user), 404)
        assert eid not in {e["id"] for e in api.get("/catalogs", user).json()["items"]}
    assert api.get(f"/catalogs/{eid}", "shen").status_code == 200
    _error(api.post(f"/catalogs/{eid}/products", "e1", json={"product_ids": [vmc]}), 403)
    _error(api.post(f"/catalogs/{eid}/products", "zhao", json={"product_ids": [vmc]}), 404)
    _error(api.post(f"/catalogs/{eid}/publish", "li", json={}), 409)  # nothing selected yet
    # candidates are the region's products only
    proposed = api.get(f"/catalogs/{eid}/candidates", "li", params={"q": "加工中心"}).json()
    assert {h["uscc"] for h in proposed["items"]} == {JN_MACHINE}
    added = api.post(
        f"/catalogs/{eid}/products",
        "li",
        json={"product_ids": [vmc, lathe, guard, wf_cnc], "note": "技术领先"},
    )
    assert added.status_code == 200, added.text
    outcome = added.json()
    assert sorted(outcome["added"]) == sorted([vmc, lathe, guard])
    assert outcome["refused"] == [{"product_id": wf_cnc, "reason": "生产企业不在济南市"}]
    assert outcome["edition"]["listed"] == 3
    # taken out of the draft, then selected again: listed once more
    out = api.post(f"/catalogs/{eid}/products/{guard}/removal", "li", json={"reason": "不是整机产品"})
    assert out.status_code == 200 and out.json()["listed"] == 2
    again = api.post(f"/catalogs/{eid}/products", "li", json={"product_ids": [guard]}).json()
    assert again["added"] == [guard] and again["edition"]["listed"] == 3
    assert api.post(f"/catalogs/{eid}/products", "li", json={"product_ids": [guard]}).json()["already"] == [
        guard
    ]
    published = api.post(f"/catalogs/{eid}/publish", "li", json={})
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "已发布" and published.json()["valid_to"]
    _error(api.post(f"/catalogs/{eid}/publish", "li", json={}), 409)
    _error(api.post(f"/catalogs/{eid}/products", "li", json={"product_ids": [oil]}), 409)
    # published: everyone sees it, the product carries it, search filters on it
    seen = api.get(f"/catalogs/{eid}", "e1").json()
    assert {e["product"] for e in seen["entries"]} == {"立式加工中心 VMC850", "数控车床 CK6150", "机床防护罩"}
    listing = api.get(f"/products/{vmc}", "e4").json()["catalogs"]
    assert listing[0]["edition_id"] == eid and listing[0]["in_force"] and listing[0]["note"] == "技术领先"
    certified = api.get(
        "/search", "e4", params={"certification": "优势工业产品目录", "region": "370112"}
    ).json()
    assert {h["title"] for h in certified["items"]} == {
        "立式加工中心 VMC850",
        "数控车床 CK6150",
        "机床防护罩",
    }
    # 强制退出 at any time, with the reason kept
    _error(api.post(f"/catalogs/{eid}/products/{lathe}/removal", "li", json={"reason": ""}), 422, "reason")
    removed = api.post(
        f"/catalogs/{eid}/products/{lathe}/removal", "li", json={"reason": "抽检不合格,强制退出"}
    )
    assert removed.status_code == 200 and removed.json()["removed"] == 1
    _error(api.post(f"/catalogs/{eid}/products/{lathe}/removal", "li", json={"reason": "再次退出"}), 422)
    book = load_workbook(io.BytesIO(api.get(f"/catalogs/{eid}/xlsx", "e4").content))
    assert book.sheetnames == ["说明", "入选产品", "已退出"]
    assert [r[1] for r in book["入选产品"].iter_rows(min_row=2, values_only=True)] == [
        "立式加工中心 VMC850",
        "机床防护罩",
    ]
    gone = list(book["已退出"].iter_rows(min_row=2, values_only=True))
    assert len(gone) == 1 and gone[0][0] == "数控车床 CK6150" and gone[0][-1] == "抽检不合格,强制退出"
    # every change is in the audit log, by the officer who made it
    with api.world.session() as s:
        actions = s.execute(
            select(AuditEntry.action, AuditEntry.actor).where(AuditEntry.object_type == "catalog_edition")
        ).all()
    assert [a for a, _ in actions] == [
        "catalog.create",
        "catalog.add",
        "catalog.remove",
        "catalog.add",
        "catalog.publish",
        "catalog.remove",
    ]
    assert {who for _, who in actions} == {"li"}


def test_editions_are_refused_outside_the_officers_region_and_with_bad_values(api, market):
    _error(
        api.post(
            "/catalogs", "li", json={"catalog": "优势工业产品目录", "edition": "2025年版", "region": "潍坊"}
        ),
        403,
        "region",
    )
    _error(api.post("/catalogs", "e1", json={"catalog": "优势工业产品目录", "edition": "2025年版"}), 403)
    _error(
        api.post("/catalogs", "li", json={"catalog": "名优特产目录", "edition": "2025年版"}), 422, "catalog"
    )
    _error(
        api.post(
            "/catalogs", "li", json={"catalog": "优势工业产品目录", "edition": "2025年版", "region": "火星"}
        ),
        422,
        "region",
    )
    _error(
        api.post(
            "/catalogs",
            "li",
            json={
                "catalog": "优势工业产品目录",
                "edition": "2026年版",
                "valid_from": "2026-05-01",
                "valid_to": "2026-01-01",
            },
        ),
        422,
        "valid_to",
    )
    _error(api.post("/catalogs", "li", json={"catalog": "优势工业产品目录"}), 422, "edition")
    _error(
        api.post("/catalogs", "li", json={"catalog": "优势工业产品目录", "edition": "x", "extra": 1}),
        422,
        "extra",
    )
    first = api.post("/catalogs", "wang", json={"catalog": "政府首购创新产品目录", "edition": "第一批"})
    assert first.status_code == 201 and first.json()["region_code"] == "370103"  # the officer's district
    _error(api.post("/catalogs", "wang", json={"catalog": "政府首购", "edition": "第一批"}), 409, "edition")
    admin = api.post(
        "/catalogs", "admin", json={"catalog": "优势工业产品目录", "edition": "2025年版", "region": "370700"}
    )
    assert admin.status_code == 201 and admin.json()["title"] == "《潍坊市优势工业产品目录(2025年版)》"
    eid = admin.json()["id"]
    _error(api.get(f"/catalogs/{eid}/candidates", "li"), 404)  # 潍坊's draft is not 济南's
    listed = {e["id"] for e in api.get("/catalogs", "zhao").json()["items"]}
    assert eid in listed and first.json()["id"] not in listed
    _error(api.get("/catalogs/424242", "admin"), 404)
    _error(api.post(f"/catalogs/{eid}/products", "admin", json={"product_ids": []}), 422, "product_ids")


# ----------------------------------------------------------------------------- imports


def test_products_and_demands_are_imported_through_the_api_with_the_row_by_row_report(api, market):
    header = ["统一社会信用代码", "产品名称", "产品类别", "产品描述", "资质"]
    bad_code = code("370112", 999)[:-1] + "0"
    rows = [
        header,
        [JN_ELECTRIC, "箱式变电站 YB-12", "变压器", "10kV预装式箱式变电站", "首台(套)"],
        [bad_code, "智能断路器", "低压电器", "", ""],
        [JN_ELECTRIC, "", "变压器", "名称为空", ""],
    ]
    answer = api.post("/imports/products", "li", files={"file": ("产品-输变电.csv", _csv(rows), "text/csv")})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["kind_zh"] == "产品" and body["mode"] == "导入" and body["file_name"] == "产品-输变电.csv"
    assert (body["rows_total"], body["rows_new"], body["rows_bad"]) == (3, 1, 2)
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "统一社会信用代码"), (4, "产品名称")]
    assert all(re.search(r"[\u4e00-\u9fff]", e["reason"]) for e in body["errors"])
    assert body["errors"][0]["value"] == bad_code and body["errors_total"] == 2
    assert "有误 2" in body["message"] and "明细见" not in body["message"]
    found = api.get("/search", "e4", params={"q": "箱式变电站"}).json()
    assert [h["title"] for h in found["items"]] == ["箱式变电站 YB-12"]
    again = api.post(
        "/imports/products", "li", files={"file": ("产品-输变电.csv", _csv(rows), "text/csv")}
    ).json()
    assert (again["rows_new"], again["rows_unchanged"]) == (0, 1)
    # demands from an Excel workbook, then the same file as 撤回
    book = Workbook()
    sheet = book.active
    sheet.append(["需求编号", "需求方", "需求名称", "需求描述", "行政区划代码", "截止日期"])
    sheet.append(["GC-7", "济南市城投集团", "箱式变电站采购", "10kV箱式变电站6台", "370100", "2030-06-30"])
    sheet.append(["GC-8", "济南市城投集团", "路灯", "", "999999", "2030-06-30"])
    data = io.BytesIO()
    book.save(data)
    xlsx = ("需求.xlsx", data.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    demands = api.post("/imports/demands", "admin", files={"file": xlsx}).json()
    assert (demands["rows_new"], demands["rows_bad"]) == (1, 1)
    assert demands["errors"][0]["row"] == 3 and demands["errors"][0]["column"] == "行政区划代码"
    new = api.get("/demands", "e4", params={"q": "GC-7"}).json()["items"]
    assert len(new) == 1
    served = api.get(f"/demands/{new[0]['id']}/matches", "li").json()
    assert served["items"][0]["product"] == "箱式变电站 YB-12"
    withdrawn = api.post(
        "/imports/demands", "admin", params={"mode": "withdraw"}, files={"file": xlsx}
    ).json()
    assert withdrawn["mode"] == "撤回" and withdrawn["rows_withdrawn"] == 1
    assert api.get("/demands", "e4", params={"q": "GC-7"}).json()["items"] == []
    # who may import, and files that cannot be imported at all
    _error(api.post("/imports/products", "e1", files={"file": ("a.csv", _csv(rows), "text/csv")}), 403)
    _error(api.post("/imports/products", "cai", files={"file": ("a.csv", _csv(rows), "text/csv")}), 403)
    _error(api.post("/imports/products", "li", files={"file": ("a.txt", b"x", "text/plain")}), 415, "file")
    empty = _error(
        api.post("/imports/products", "li", files={"file": ("b.csv", _csv([header]), "text/csv")}), 422
    )
    assert empty["field"] == "file" and "b.csv" in empty["message"] and "只有表头" in empty["message"]
    missing = _error(
        api.post(
            "/imports/products", "li", files={"file": ("c.csv", _csv([["产品名称"], ["泵"]]), "text/csv")}
        ),
        422,
    )
    assert "统一社会信用代码" in missing["message"]
    _error(api.post("/imports/products", "li"), 422, "file")
    _error(api.post("/imports/enterprises", "li", files={"file": ("a.csv", b"x", "text/csv")}), 422, "kind")
    with api.world.session() as s:
        audited = s.execute(
            select(AuditEntry.action, AuditEntry.actor).where(AuditEntry.object_type == "import_run")
        ).all()
        assert ("import.products", "li") in audited and ("import.demands", "admin") in audited
        assert (
            s.scalar(select(Product.id).where(Product.name == "智能断路器")) is None
        )  # bad rows stored nothing


def test_import_templates_come_with_their_instructions(api, market):
    template = api.get("/imports/templates/demands", "li")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.content))
    assert "说明" in book.sheetnames and "需求编号" in [c.value for c in book.worksheets[0][1]]
    _error(api.get("/imports/templates/products", "e1"), 403)


def test_an_upload_larger_than_the_limit_is_refused(world, tmp_path, monkeypatch):
    import huiqi.web.routes.imports as imports
    from conftest import ServiceClient

    monkeypatch.setattr(imports, "MAX_BYTES", 1024)  # the body limit allows this plus 256 KB of form
    api = ServiceClient(world, tmp_path / "evidence")
    rows = _csv([["统一社会信用代码", "产品名称"], *[[JN_MACHINE, f"产品{n}"] for n in range(200)]])
    assert 1024 < len(rows) < 256 * 1024
    over_file = api.post("/imports/products", "li", files={"file": ("a.csv", rows, "text/csv")})
    assert "超过" in _error(over_file, 413, "file")["message"]
    over_body = api.post("/imports/products", "li", files={"file": ("b.csv", rows * 100, "text/csv")})
    assert "超过" in _error(over_body, 413)["message"]
    assert api.get("/search", "li", params={"q": "产品1"}).json()["total"] == 0


def test_a_cookie_session_must_send_the_csrf_token_to_change_a_catalog(api, market):
    signed = api.http.post("/api/v1/session", json={"username": "li", "password": api.world.password("li")})
    body = {"catalog": "优势工业产品目录", "edition": "2027年版"}
    _error(api.http.post("/api/v1/catalogs", json=body), 403)
    ok = api.http.post("/api/v1/catalogs", json=body, headers={"X-CSRF-Token": signed.json()["csrf"]})
    assert ok.status_code == 201

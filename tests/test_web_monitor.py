"""运行监测, 亩产效益 and 督查督办 over HTTP and as pages, on SQLite and PostgreSQL.

A tiny population is built in each test beside the service world (conftest.ServiceWorld): a few
enterprises with monthly figures in 济南 (历下区 370102, 市中区 370103) and 潍坊 (370702), four
with land for 亩产效益, a 济南 document with two targets and three task rows. Every expectation
is worked out by hand from those figures (in the comments), never copied from the output.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, insert, select

from huiqi.db.models import AuditEntry, Recognition, TaskUpdate, WatchEntry
from monitor_fixtures import add_registry, code
from web_support import Pages, text_of

ENGLISH = re.compile(r"Field required|Input should|value is not|Traceback|Not Found|Method Not Allowed")

F1, F2, F3, F4 = code(101, "370102"), code(102, "370102"), code(103, "370103"), code(104, "370702")
F5, F6, F7, F8 = code(105, "370102"), code(106, "370102"), code(107, "370102"), code(108, "370102")
M1, M2, M3, M4 = code(201, "370102"), code(202, "370103"), code(203, "370102"), code(204, "370102")
FORMULA_NAME = '=HYPERLINK("http://x.invalid","点我")'

PLAN_DOC = """济南市人民政府关于推动工业稳定增长的实施方案
济政字〔2025〕3号
各区县人民政府,市政府各部门:
为推动全市工业稳定增长,结合我市实际,制定本方案。
一、主要目标
到2025年,全市市级以上绿色工厂达到3家以上,软件和信息技术服务业营业收入达到100亿元。
二、重点任务
1.培育绿色工厂。支持企业开展绿色化改造,建设一批绿色工厂。(责任单位:市工业和信息化局、市生态环境局)
2.推动数字化转型。支持企业上云用数赋智。(责任单位:市科技局)
本方案自印发之日起施行,有效期至2025年12月31日。
济南市人民政府
2025年1月1日
"""

# 亩产效益 scheme the 济南 officer adds: 亩均税收 against the group, 研发投入占比 against 4%, cap 2.
MU_SCHEME = {
    "cap": 2,
    "indicators": [
        {"name": "亩均税收", "numerator": "税收", "denominator": "用地面积", "weight": 50, "benchmark": "group",
         "unit": "万元/亩"},
        {"name": "研发投入占比", "numerator": "研发投入", "denominator": "营业收入", "weight": 50,
         "benchmark": 0.04, "unit": "比值"},
    ],
    "measures": {"A": ["优先供地"], "B": ["正常供地"], "C": ["从严供地"], "D": ["不再新增用地"]},
}  # fmt: skip


def populate(world) -> None:
    """The monitoring population beside the service world."""
    from huiqi.accounts.users import add_user
    from huiqi.library import ingest_file

    firms = [
        (F1, "泉城重工有限公司", "370102", "规上"),
        (F2, "历山纺织有限公司", "370102", "规上"),
        (F3, "趵突泉电子有限公司", "370103", "规上"),
        (F4, "潍水机械有限公司", "370702", "规上"),
        (F5, FORMULA_NAME, "370102", "规上"),
        (F6, "华山建材有限公司", "370102", "规下"),
        (F7, "千佛山食品有限公司", "370102", "规上"),
        (F8, "大明湖印务有限公司", "370102", "规下"),
        (M1, "甲钢铁有限公司", "370102", "规上"),
        (M2, "乙化工有限公司", "370103", "规上"),
        (M3, "丙纸业有限公司", "370102", "规上"),
        (M4, "丁陶瓷有限公司", "370102", "规上"),
    ]
    metrics = [
        (F1, "2024-06", "营业收入", 100), (F1, "2025-06", "营业收入", 70),  # −30%: 下滑
        (F2, "2024-06", "营业收入", 100), (F2, "2025-06", "营业收入", 103),  # +3%: nothing
        (F4, "2024-06", "用电量", 50),  # reported a year before, not now: 未报送
        (F5, "2024-06", "营业收入", 100), (F5, "2025-06", "营业收入", 160),  # +60%: 异常增长
    ]  # fmt: skip
    for month in ("04", "05", "06"):  # three small falls of 税收: 持续下滑 (−1%, −2%, −3%)
        metrics += [(F3, f"2024-{month}", "税收", 100), (F3, f"2025-{month}", "税收", 100 - int(month) + 3)]
    twelve = [f"2024-{m:02d}" for m in range(7, 13)] + [f"2025-{m:02d}" for m in range(1, 7)]
    for month in twelve:  # 营业收入 over 2024-07..2025-06: 150×12 = 1800 for F6 and F7, 100×12 for F8
        metrics += [(F6, month, "营业收入", 150), (F7, month, "营业收入", 150), (F8, month, "营业收入", 100)]
    for uscc, land, tax, rd, revenue in ((M1, 10, 80, 6, 100), (M2, 20, 40, 2, 100), (M3, 10, 0, 0, 50)):
        metrics += [(uscc, "2025", "用地面积", land), (uscc, "2025", "税收", tax)]
        metrics += [(uscc, "2025", "研发投入", rd), (uscc, "2025", "营业收入", revenue)]
    metrics += [(M4, "2025", "用地面积", 5), (M4, "2025", "税收", 10), (M4, "2025", "营业收入", 30)]
    add_registry(world.engine, firms, metrics)
    path = world.folder / "plan.txt"
    path.write_text(PLAN_DOC, "utf-8")

    def green(key, uscc, level, granted, expires):
        return {"identity": key, "natural_key": key, "uscc": uscc, "kind": "绿色工厂", "level": level,
                "granted_on": granted, "review": False, "expires_on": expires, "extras": {}}  # fmt: skip

    with world.session() as s:
        world.plan = ingest_file(s, path).document_id
        world.plan_name = "plan.txt"
        # E1 holds a valid 国家级 绿色工厂 already (conftest); E2's expired, E3's is in 潍坊
        s.execute(
            insert(Recognition),
            [
                green("g-expired", world.E2, "省级", dt.date(2022, 1, 1), dt.date(2024, 12, 31)),
                green("g-weifang", world.E3, "省级", dt.date(2024, 1, 1), None),
            ],
        )
        for username, role, scope in (
            ("m1", "enterprise", {"uscc": M1}),
            ("m4", "enterprise", {"uscc": M4}),
            ("kj", "officer", {"region": "370100", "department": "市科技局"}),
        ):
            add_user(s, username, world.password(username), role, **scope)


@pytest.fixture
def mapi(world, tmp_path):
    from conftest import ServiceClient

    populate(world)
    return ServiceClient(world, tmp_path / "evidence")


@pytest.fixture
def mpages(world, tmp_path) -> Pages:
    populate(world)
    return Pages(world, tmp_path / "evidence")


def _error(answer, status: int, code: str | None = None) -> dict:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    assert re.search(r"[\u4e00-\u9fff]", body["error"]["message"]) and not ENGLISH.search(answer.text)
    assert "\n" not in body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def _book(answer):
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(answer.content))


def _rows(sheet) -> list[dict]:
    header, *rows = list(sheet.iter_rows())
    names = [c.value for c in header]
    return [dict(zip(names, row, strict=True)) for row in rows]


# ----------------------------------------------------------------------------- 波动企业


def test_alerts_list_falls_streaks_surges_and_missing_by_region(mapi):
    answer = mapi.get("/monitor/alerts?period=2025-06", "li")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["period"] == "2025-06" and body["region"] == "370100"
    got = {(i["uscc"], i["indicator"]): i for i in body["items"]}
    # 济南: F1 −30% 下滑, F3 three falls 持续下滑 (the last −3%), F5 +60% 异常增长; F2's +3% is not listed
    assert set(got) == {(F1, "营业收入"), (F3, "税收"), (F5, "营业收入")} and body["total"] == 3
    fall = got[(F1, "营业收入")]
    assert (fall["value"], fall["previous"], fall["change"]) == (70.0, 100.0, -0.3)
    assert fall["rule"] == "下滑" and fall["rules"] == ["下滑"] and fall["district"] == "历下区"
    assert "同比下降30%" in fall["reason"]
    assert got[(F3, "税收")]["rules"] == ["持续下滑"] and got[(F3, "税收")]["change"] == -0.03
    assert got[(F5, "营业收入")]["rule"] == "异常增长" and got[(F5, "营业收入")]["change"] == 0.6
    assert body["counts"] == {"未报送": 0, "下滑": 1, "持续下滑": 1, "异常增长": 1}
    assert [s["label"] for s in body["settings"]] == ["全部地区第1版(2000-01-01起,默认阈值)"]
    # filters, paging
    assert [
        i["uscc"] for i in mapi.get("/monitor/alerts?period=2025-06&rule=下滑", "li").json()["items"]
    ] == [F1]
    assert {
        i["uscc"] for i in mapi.get("/monitor/alerts?period=2025-06&indicator=税收", "li").json()["items"]
    } == {F3}
    first = mapi.get("/monitor/alerts?period=2025-06&limit=2", "li").json()
    rest = mapi.get(f"/monitor/alerts?period=2025-06&limit=2&cursor={first['next']}", "li").json()
    assert [i["uscc"] for i in first["items"] + rest["items"]] == [i["uscc"] for i in body["items"]]
    assert rest["next"] is None
    # 市中区 sees F3 only; 潍坊 only F4's missing report; the leadership's view everything
    assert [i["uscc"] for i in mapi.get("/monitor/alerts?period=2025-06", "wang").json()["items"]] == [F3]
    weifang = mapi.get("/monitor/alerts?period=2025-06", "zhao").json()["items"]
    assert [(i["uscc"], i["rule"], i["value"], i["previous"]) for i in weifang] == [
        (F4, "未报送", None, 50.0)
    ]
    assert mapi.get("/monitor/alerts?period=2025-06", "cai").json()["total"] == 4
    assert mapi.get("/monitor/alerts?period=2025-06&region=370103", "li").json()["total"] == 1


def test_alerts_refuse_enterprises_other_regions_and_bad_input_in_one_chinese_line(mapi):
    _error(mapi.get("/monitor/alerts?period=2025-06", "e1"), 403, "forbidden")
    error = _error(mapi.get("/monitor/alerts?period=2025-06&region=370700", "li"), 403)
    assert error["field"] == "region" and "济南市" in error["message"]
    _error(mapi.get("/monitor/alerts?period=2025-06&region=济南市", "wang"), 403)
    error = _error(mapi.get("/monitor/alerts?period=2024-13", "li"), 422, "invalid")
    assert (
        error["field"] == "period" and error["message"] == "期间 2024-13: 应为 YYYY-MM 形式的月份,如 2025-06"
    )
    assert _error(mapi.get("/monitor/alerts?region=火星市", "li"), 422)["field"] == "region"
    assert _error(mapi.get("/monitor/alerts?rule=大跌", "li"), 422)["field"] == "rule"
    assert "营业收入" in _error(mapi.get("/monitor/alerts?indicator=利润", "li"), 422)["message"]


def test_an_officers_threshold_version_changes_the_list_and_is_named(mapi):
    # a 下滑 line of −35% for 历下区: F1's −30% is no longer a fall there; F3 (市中区) keeps the default
    before = mapi.get("/monitor/alerts?period=2025-06&rule=下滑", "li").json()
    assert [i["uscc"] for i in before["items"]] == [F1]
    body = {"kind": "alerts", "region": "370102", "effective_from": "2025-01-01", "params": {"decline": -0.35},
            "note": "历下区试行"}  # fmt: skip
    added = mapi.post("/monitor/settings", "li", json=body)
    assert added.status_code == 201, added.text
    setting = added.json()
    assert (setting["region"], setting["version"], setting["stored"]) == ("370102", 1, True)
    assert (
        setting["params"]["decline"] == -0.35 and setting["params"]["surge"] == 0.5
    )  # laid over the default
    assert setting["label"] == "历下区第1版(2025-01-01起,历下区试行)"
    after = mapi.get("/monitor/alerts?period=2025-06", "li").json()
    assert [i["uscc"] for i in after["items"] if i["rule"] == "下滑"] == []
    assert {s["label"] for s in after["settings"]} == {
        setting["label"],
        "全部地区第1版(2000-01-01起,默认阈值)",
    }
    listed = mapi.get("/monitor/settings?kind=alerts", "li").json()["items"]
    assert [(s["region"], s["version"]) for s in listed] == [("", 1), ("370102", 1)]
    assert mapi.get("/monitor/settings?kind=alerts", "zhao").json()["total"] == 1  # not 济南's version
    # who may add: not the leadership's view, not another region; bad params are named
    _error(mapi.post("/monitor/settings", "cai", json=body), 403)
    _error(mapi.post("/monitor/settings", "zhao", json=body), 403)
    _error(mapi.post("/monitor/settings", "e1", json=body), 403)
    bad = _error(mapi.post("/monitor/settings", "li", json={**body, "params": {"decline": 0.2}}), 422)
    assert bad["field"] == "params" and "下滑阈值" in bad["message"]
    with mapi.world.session() as s:
        assert s.scalar(select(func.count()).where(AuditEntry.action == "monitor.setting")) == 1


def test_alerts_export_keeps_a_formula_like_name_as_text(mapi):
    book = _book(mapi.get("/monitor/alerts/export?period=2025-06", "li"))
    rows = _rows(book["波动企业清单"])
    by_code = {r["统一社会信用代码"].value: r for r in rows}
    assert set(by_code) == {F1, F3, F5}
    cell = by_code[F5]["企业名称"]
    assert cell.value == FORMULA_NAME and cell.data_type == "s" and cell.quotePrefix
    assert by_code[F1]["同比"].value == -0.3 and by_code[F1]["类型"].value == "下滑"
    _error(mapi.get("/monitor/alerts/export?period=2025-06", "e1"), 403)


# ----------------------------------------------------------------------------- 重点企业, 升规纳统


def test_watch_list_import_is_scoped_and_the_view_has_months_trend_and_district_totals(mapi):
    csv = f"统一社会信用代码,备注\n{F1},重点\n12345,坏代码\n{F4},潍坊的\n".encode()
    imported = mapi.http.put(
        "/api/v1/monitor/watch-list", headers=mapi.login("li"), files={"file": ("名单.csv", csv, "text/csv")}
    )
    assert imported.status_code == 200, imported.text
    body = imported.json()
    assert body["listed"] == 1 and body["region"] == "370100" and len(body["errors"]) == 2
    assert body["errors"][0].startswith("第3行 统一社会信用代码 12345")
    assert body["errors"][1] == f"第4行 统一社会信用代码 {F4}: 济南市的企业名录中没有这家企业"
    view = mapi.get("/monitor/watch?period=2025-06", "li").json()
    assert view["source"] == "导入名单 1 家" and [i["uscc"] for i in view["items"]] == [F1]
    item = view["items"][0]
    # 2025-06: 70 against 100; the year to date is that one month: 70 against 100
    assert (item["value"], item["previous"], item["change"]) == (70.0, 100.0, -0.3)
    assert (item["ytd"], item["ytd_previous"], item["ytd_change"]) == (70.0, 100.0, -0.3)
    assert item["months"][0]["period"] == "2024-07" and len(item["months"]) == 12
    assert item["trend"] == "···········▅"  # one month of twelve: its own low and high, drawn mid-height
    june = [d for d in view["districts"] if d["period"] == "2025-06"]
    assert [(d["district"], d["enterprises"], d["value"], d["previous"], d["change"]) for d in june] == [
        ("历下区", 1, 70.0, 100.0, -0.3)
    ]
    # 潍坊's officer replaces 潍坊's list; 济南's stays
    csv = f"统一社会信用代码\n{F4}\n".encode()
    again = mapi.http.put(
        "/api/v1/monitor/watch-list", headers=mapi.login("zhao"), files={"file": ("w.csv", csv, "text/csv")}
    )
    assert again.json()["listed"] == 1
    assert [e["uscc"] for e in mapi.get("/monitor/watch-list", "admin").json()["items"]] == sorted([F1, F4])
    assert [e["uscc"] for e in mapi.get("/monitor/watch-list", "li").json()["items"]] == [F1]
    # a file with no good row changes nothing and says why; the leadership's view cannot import
    bad = mapi.http.put(
        "/api/v1/monitor/watch-list",
        headers=mapi.login("li"),
        files={"file": ("x.csv", "统一社会信用代码\n123\n".encode(), "text/csv")},
    )
    assert "原名单未改动" in _error(bad, 422)["message"]
    _error(
        mapi.http.put(
            "/api/v1/monitor/watch-list", headers=mapi.login("cai"), files={"file": ("x.csv", csv)}
        ),
        403,
    )
    with mapi.world.session() as s:
        assert sorted(s.scalars(select(WatchEntry.uscc))) == sorted([F1, F4])


def test_watch_without_a_list_takes_the_top_by_last_years_revenue(mapi):
    view = mapi.get("/monitor/watch?period=2025-06&top=2", "li").json()
    # 2024 營业收入 summed by month: F6 and F7 900 each (July to December), F8 600, F1 F2 F5 100
    assert view["source"] == "按2024年营业收入前 2 家"
    assert [i["uscc"] for i in view["items"]] == sorted([F6, F7])
    book = _book(mapi.get("/monitor/watch/export?period=2025-06&top=2", "li"))
    rows = _rows(book["重点企业"])
    assert [r["统一社会信用代码"].value for r in rows] == sorted([F6, F7]) and rows[0]["2025-06"].value == 150
    _error(mapi.get("/monitor/watch", "e1"), 403)


def test_upgrade_candidates_are_the_small_firms_within_reach(mapi):
    body = mapi.get("/monitor/upgrade?period=2025-06", "li").json()
    # F6 规下 1800 万元 over twelve months: 90% of 2000, 200 short; F7 is 规上, F8's 1200 is under 70%
    assert [(i["uscc"], i["revenue_wan"], i["gap_wan"], i["share"]) for i in body["items"]] == [
        (F6, 1800.0, 200.0, 0.9)
    ]
    assert body["items"][0]["basis"] == "近12个月(2024-07至2025-06)"
    assert (body["line_wan"], body["reach"]) == (2000.0, 0.7)
    assert mapi.get("/monitor/upgrade?period=2025-06", "zhao").json()["total"] == 0
    rows = _rows(_book(mapi.get("/monitor/upgrade/export?period=2025-06", "cai"))["升规纳统培育"])
    assert [(r["企业名称"].value, r["距规上标准(万元)"].value) for r in rows] == [("华山建材有限公司", 200)]


# ----------------------------------------------------------------------------- 亩产效益


def test_mu_run_grades_with_each_indicator_and_lists_what_is_missing(mapi):
    scheme = {"kind": "mu", "effective_from": "2025-01-01", "params": MU_SCHEME, "note": "济南市试行办法"}
    assert mapi.post("/monitor/settings", "li", json=scheme).status_code == 201
    _error(mapi.post("/mu-runs", "cai", json={"year": 2025}), 403)
    run = mapi.post("/mu-runs", "li", json={"year": 2025})
    assert run.status_code == 201, run.text
    summary = run.json()
    assert (summary["region"], summary["scored"], summary["missing"]) == ("370100", 3, 1)
    assert summary["grades"] == {"A": 1, "B": 2}
    assert [s["label"] for s in summary["settings"]] == ["济南市第1版(2025-01-01起,济南市试行办法)"]
    body = mapi.get("/mu-grades?year=2025", "li").json()
    # benchmark of 亩均税收 = (80 + 40 + 0) / (10 + 20 + 10) = 3 万元/亩
    # M1: 50 × min(8/3, 2) = 100 and 50 × 0.06/0.04 = 75 → 175, A; M2: 50 × 2/3 = 33.33 and 25 → 58.33;
    # M3: 0 → rank 3 of 3, (3 − 1)/3 = 0.67 < 0.7 → B
    assert [(i["uscc"], i["score"], i["grade"], i["rank"]) for i in body["items"]] == [
        (M1, 175.0, "A", 1), (M2, 58.33, "B", 2), (M3, 0.0, "B", 3),
    ]  # fmt: skip
    assert body["grades"] == {"A": 1, "B": 2} and body["total"] == 3
    first = body["items"][0]
    assert [(i["name"], i["value"], i["benchmark"], i["points"]) for i in first["indicators"]] == [
        ("亩均税收", 8.0, 3.0, 100.0), ("研发投入占比", 0.06, 0.04, 75.0),
    ]  # fmt: skip
    assert first["measures"] == ["优先供地"] and body["items"][1]["measures"] == ["正常供地"]
    missing = mapi.get("/mu-missing?year=2025", "li").json()
    assert [(m["uscc"], m["missing"]) for m in missing["items"]] == [(M4, ["缺研发投入"])]
    # an enterprise sees its own row only; another region's officer sees none and may not ask for 济南
    own = mapi.get("/mu-grades?year=2025&region=370700", "m1").json()
    assert [i["uscc"] for i in own["items"]] == [M1]
    assert [m["uscc"] for m in mapi.get("/mu-missing?year=2025", "m4").json()["items"]] == [M4]
    assert mapi.get("/mu-missing?year=2025", "m1").json()["items"] == []
    assert mapi.get("/mu-grades?year=2025", "zhao").json()["total"] == 0
    _error(mapi.get("/mu-grades?year=2025&region=370100", "zhao"), 403)
    assert mapi.get("/mu-grades?year=2025&grade=B", "cai").json()["total"] == 2
    book = _book(mapi.get("/mu-grades/export?year=2025", "li"))
    rows = _rows(book["亩产效益评价"])
    assert [(r["企业名称"].value, r["得分"].value, r["亩均税收得分"].value) for r in rows] == [
        ("甲钢铁有限公司", 175, 100), ("乙化工有限公司", 58.33, 33.33), ("丙纸业有限公司", 0, 0),
    ]  # fmt: skip
    assert [r["缺少"].value for r in _rows(book["缺数据企业"])] == ["缺研发投入"]
    # the grades reach the matcher as recognitions of the next year
    from huiqi.monitor.mu import grade_facts
    from huiqi.monitor.store import load_grades

    facts = grade_facts(load_grades(mapi.world.engine, 2025))
    assert dict(zip(facts["uscc"], facts["kind"], strict=True))[M1] == "亩产效益A类"


# ----------------------------------------------------------------------------- 目标


def test_targets_count_valid_recognitions_of_the_region_and_officers_enter_figures(mapi):
    body = mapi.get("/targets?document=稳定增长", "li").json()
    items = {i["indicator"]: i for i in body["items"]}
    assert set(items) == {"市级以上绿色工厂", "软件和信息技术服务业营业收入"} and body["bound"] == 1
    green = items["市级以上绿色工厂"]
    # E1's 国家级 green factory counts; E2's expired one and E3's in 潍坊 do not: 1 of 3
    assert green["current"] == 1.0 and green["progress"] == 0.3333 and green["source"] == "自动"
    software = items["软件和信息技术服务业营业收入"]
    assert software["measure"] is None and software["current"] is None and software["progress"] is None
    key = software["key"]
    _error(mapi.post(f"/targets/{key}/binding", "cai", json={"value": 42}), 403)
    _error(mapi.post(f"/targets/{key}/binding", "zhao", json={"value": 42}), 404)
    both = _error(mapi.post(f"/targets/{key}/binding", "li", json={"value": 42, "measure": "规上企业"}), 422)
    assert "之一" in both["message"]
    assert (
        "不在资格词表中"
        in _error(mapi.post(f"/targets/{key}/binding", "li", json={"measure": "认定:没有这种认定"}), 422)[
            "message"
        ]
    )
    bound = mapi.post(f"/targets/{key}/binding", "li", json={"value": 42, "note": "统计局快报"})
    assert bound.status_code == 201, bound.text
    entered = bound.json()
    assert (entered["current"], entered["progress"], entered["source"], entered["basis"]) == (
        42.0, 0.42, "人工填报", "统计局快报",
    )  # fmt: skip
    assert mapi.get("/targets?document=稳定增长&bound=false", "li").json()["total"] == 0
    assert mapi.get("/targets?document=稳定增长", "zhao").json()["total"] == 0
    assert mapi.get("/targets?document=稳定增长", "shen").json()["total"] == 2
    _error(mapi.get("/targets", "e1"), 403)
    rows = _rows(_book(mapi.get("/targets/export?document=稳定增长", "li"))["目标进度"])
    assert {r["目标"].value: r["当前值"].value for r in rows} == {
        "市级以上绿色工厂": 1,
        "软件和信息技术服务业营业收入": 42,
    }


# ----------------------------------------------------------------------------- 督查督办


def test_task_ledger_updates_overdue_flags_and_report_by_unit(mapi):
    ask = "/tasks?document=稳定增长&as_of=2026-01-15"
    rows = mapi.get(ask, "li").json()["items"]
    # the plan expires on 2025-12-31 and no target is tied to a task: every row is overdue on 2026-01-15
    assert sorted(
        (r["task_id"], r["unit"], r["status"], r["deadline"], r["overdue"], r["can_update"]) for r in rows
    ) == [
        ("1", "市工业和信息化局", "未启动", "2025-12-31", True, True),
        ("1", "市生态环境局", "未启动", "2025-12-31", True, True),
        ("2", "市科技局", "未启动", "2025-12-31", True, True),
    ]
    update = {"document": "plan.txt", "task_id": "1", "unit": "市工业和信息化局", "status": "已完成",
              "note": "方案已印发", "date": "2025-11-30"}  # fmt: skip
    done = mapi.post("/tasks/updates", "li", json=update)
    assert done.status_code == 201, done.text
    assert done.json() | {"deadline": None} == update | {"deadline": None}
    rows = {(r["task_id"], r["unit"]): r for r in mapi.get(ask, "li").json()["items"]}
    first = rows[("1", "市工业和信息化局")]
    assert (first["status"], first["note"], first["updated_on"], first["overdue"]) == (
        "已完成", "方案已印发", "2025-11-30", False,
    )  # fmt: skip
    report = {
        u["unit"]: u
        for u in mapi.get("/tasks/by-unit?document=稳定增长&as_of=2026-01-15", "li").json()["items"]
    }
    assert (
        report["市工业和信息化局"]["statuses"]["已完成"] == 1 and report["市工业和信息化局"]["overdue"] == 0
    )
    assert report["市生态环境局"]["statuses"]["未启动"] == 1 and report["市生态环境局"]["overdue"] == 1
    assert mapi.get(f"{ask}&overdue=true", "li").json()["total"] == 2
    # a document filter that matches nothing is an empty ledger, not a server error
    nothing = mapi.get("/tasks?document=0", "li")
    assert nothing.status_code == 200, nothing.text
    assert (nothing.json()["items"], nothing.json()["total"]) == ([], 0)
    assert mapi.get("/tasks/by-unit?document=0", "cai").json()["items"] == []
    assert _rows(_book(mapi.get("/tasks/export?document=0", "li"))["任务台账"]) == []
    # an officer of 市科技局 updates its own row only
    mine = {r["unit"]: r["can_update"] for r in mapi.get(ask, "kj").json()["items"]}
    assert mine == {"市工业和信息化局": False, "市生态环境局": False, "市科技局": True}
    _error(mapi.post("/tasks/updates", "kj", json=update), 403)
    late = {
        "document": "plan.txt",
        "task_id": "2",
        "unit": "市科技局",
        "status": "滞后",
        "note": "资金未到位",
    }
    assert mapi.post("/tasks/updates", "kj", json=late).status_code == 201
    # the leadership reads and writes nothing; another district sees nothing; an enterprise nothing
    assert all(not r["can_update"] for r in mapi.get(ask, "cai").json()["items"])
    _error(mapi.post("/tasks/updates", "cai", json=update), 403)
    assert mapi.get(ask, "wang").json()["total"] == 0
    _error(mapi.post("/tasks/updates", "wang", json=update), 404)
    _error(mapi.get(ask, "e1"), 403)
    # bad input: one Chinese line naming the field, nothing stored
    error = _error(mapi.post("/tasks/updates", "li", json={**update, "status": "差不多了"}), 422, "invalid")
    assert error["field"] == "status" and "未启动" in error["message"]
    assert (
        _error(mapi.post("/tasks/updates", "li", json={**update, "date": "2025-13-01"}), 422)["field"]
        == "date"
    )
    _error(mapi.post("/tasks/updates", "li", json={**update, "unit": "市财政局"}), 404)
    with mapi.world.session() as s:
        assert s.scalar(select(func.count()).select_from(TaskUpdate)) == 2
        assert s.scalar(select(func.count()).where(AuditEntry.action == "monitor.task_update")) == 2
    book = _book(mapi.get("/tasks/export?document=稳定增长&as_of=2026-01-15", "li"))
    ledger = _rows(book["任务台账"])
    assert sorted((r["责任单位"].value, r["状态"].value, r["逾期"].value or "") for r in ledger) == [
        ("市工业和信息化局", "已完成", ""), ("市生态环境局", "未启动", "逾期"), ("市科技局", "滞后", "逾期"),
    ]  # fmt: skip
    units = {r["责任单位"].value: r["逾期"].value for r in _rows(book["按单位汇总"])}
    assert units == {"市工业和信息化局": 0, "市生态环境局": 1, "市科技局": 1}


def test_a_cookie_session_without_the_csrf_token_changes_nothing(mapi):
    signed = mapi.http.post("/api/v1/session", json={"username": "li", "password": mapi.world.password("li")})
    csrf = signed.json()["csrf"]
    update = {"document": "plan.txt", "task_id": "2", "unit": "市科技局", "status": "推进中"}
    _error(mapi.http.post("/api/v1/tasks/updates", json=update), 403, "csrf_failed")
    _error(mapi.http.post("/api/v1/tasks/updates", json=update, headers={"X-CSRF-Token": "forged"}), 403)
    _error(mapi.http.post("/api/v1/mu-runs", json={"year": 2025}), 403, "csrf_failed")
    with mapi.world.session() as s:
        assert s.scalar(select(func.count()).select_from(TaskUpdate)) == 0
    assert (
        mapi.http.post("/api/v1/tasks/updates", json=update, headers={"X-CSRF-Token": csrf}).status_code
        == 201
    )


def test_the_openapi_document_lists_every_endpoint_in_chinese(mapi):
    schema = mapi.http.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path, method in (
        ("/api/v1/monitor/alerts", "get"), ("/api/v1/monitor/watch", "get"), ("/api/v1/monitor/watch-list", "put"),
        ("/api/v1/monitor/upgrade", "get"), ("/api/v1/monitor/settings", "post"), ("/api/v1/mu-runs", "post"),
        ("/api/v1/mu-grades", "get"), ("/api/v1/mu-missing", "get"), ("/api/v1/targets", "get"),
        ("/api/v1/targets/{key}/binding", "post"), ("/api/v1/tasks", "get"), ("/api/v1/tasks/by-unit", "get"),
        ("/api/v1/tasks/updates", "post"), ("/api/v1/tasks/export", "get"),
    ):  # fmt: skip
        operation = paths[path][method]
        assert re.search(r"[\u4e00-\u9fff]", operation["summary"]), path
        assert operation["tags"][0] in ("运行监测", "亩产效益", "督查督办")
        assert "422" in operation["responses"]


# ----------------------------------------------------------------------------- pages


def test_pages_show_each_list_to_officers_and_the_navigation_follows_the_role(mpages):
    officer = mpages.user("li")
    desk = officer.get("/desk").text
    nav = re.search(r'<nav class="nav".*?</nav>', desk, re.S).group(0)
    assert 'href="/monitor"' in nav and 'href="/supervision"' in nav
    page = officer.get("/monitor?period=2025-06")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "泉城重工有限公司" in text and "-30.0%" in text and "历山纺织有限公司" not in text
    assert FORMULA_NAME in text  # shown as text, escaped
    assert 'href="/monitor/export?period=2025-06"' in page.text
    filtered = text_of(officer.get("/monitor?period=2025-06&rule=异常增长").text)
    assert "泉城重工有限公司" not in filtered and "+60.0%" in filtered
    watch = officer.get("/monitor/watch?period=2025-06")
    assert watch.status_code == 200 and watch.text.count('<svg class="spark"') == 6
    assert "华山建材有限公司" in text_of(officer.get("/monitor/upgrade?period=2025-06").text)
    # no run yet: nothing graded, and under the default scheme all four with land lack figures
    mu = text_of(officer.get("/monitor/mu?year=2025").text)
    assert "参评 0 家" in mu and "缺数据未评价 4 家" in mu and "丁陶瓷有限公司" in mu
    targets = text_of(officer.get("/supervision").text)
    assert "市级以上绿色工厂" in targets and "33.3%" in targets
    tasks = officer.get("/supervision/tasks?document=plan.txt")
    assert tasks.text.count('action="/supervision/tasks/update"') == 3
    xlsx = officer.get("/monitor/export?period=2025-06")
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    # the leadership's view: lists without forms; an enterprise: its own 亩产效益 and no lists
    finance = mpages.user("cai")
    assert 'action="/supervision/tasks/update"' not in finance.get("/supervision/tasks").text
    assert 'action="/monitor/mu/run"' not in finance.get("/monitor/mu").text
    firm = mpages.user("m1")
    nav = re.search(r'<nav class="nav".*?</nav>', firm.get("/me").text, re.S).group(0)
    assert 'href="/monitor/mu"' in nav and 'href="/monitor"' not in nav
    assert firm.get("/monitor").status_code == 403 and firm.get("/supervision/tasks").status_code == 403
    assert firm.get(f"/monitor/mu/{M2}").status_code == 404


def test_page_forms_update_a_task_run_mu_and_refuse_a_forged_form(mpages):
    officer = mpages.user("li")
    form = {"document": "plan.txt", "task_id": "2", "unit": "市科技局", "status": "推进中", "note": "已上云50家",
            "date": "2025-10-01", "back": "/supervision/tasks?document=plan.txt"}  # fmt: skip
    forged = officer.post("/supervision/tasks/update", form, csrf="forged")
    assert forged.status_code == 403 and "表单令牌" in text_of(forged.text)
    with mpages.world.session() as s:
        assert s.scalar(select(func.count()).select_from(TaskUpdate)) == 0
    page = officer.follow(officer.post("/supervision/tasks/update", form))
    assert "已更新:任务 2 市科技局 → 推进中" in text_of(page.text) and "已上云50家" in text_of(page.text)
    wrong = officer.follow(officer.post("/supervision/tasks/update", {**form, "status": "差不多"}))
    assert "未保存:状态 差不多 应为未启动/推进中/已完成/滞后之一" in text_of(wrong.text)
    finance = mpages.user("cai")
    refused = finance.follow(
        finance.post("/supervision/tasks/update", {**form, "back": "/supervision/tasks"})
    )
    assert "领导查看视图只能查看,不能修改" in text_of(refused.text)
    ran = officer.follow(officer.post("/monitor/mu/run", {"year": "2025"}))
    text = text_of(ran.text)
    # the default scheme wants 工业增加值, 综合能耗 and 从业人员, which nobody reported: all four missing
    assert "2025年济南市亩产效益评价完成:参评 0 家(无),缺数据未评价 4 家" in text
    assert "甲钢铁有限公司 历下区 缺从业人员、缺工业增加值、缺综合能耗" in text
    with mpages.world.session() as s:
        assert s.scalar(select(func.count()).select_from(TaskUpdate)) == 1

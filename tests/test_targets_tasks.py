"""目标与任务 on SQLite and PostgreSQL: targets bound to registry counts (expired recognitions and
other regions left out), sums of metrics, hand bindings; the task ledger with statuses, deadlines,
overdue flags and the report by unit."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import insert

from huiqi.db.engine import session_scope
from huiqi.db.models import Document, DocumentVersion, Recognition
from huiqi.monitor.errors import MonitorError
from huiqi.monitor.targets import auto_measure, bind_target, target_items
from huiqi.monitor.tasks import by_unit, ledger, update_task
from monitor_fixtures import add_registry, code
from test_monitor import run_cli

A, B, C, D = code(21), code(22), code(23, "370102"), code(24, "370703")
TODAY = dt.date(2026, 1, 15)


def _target(
    text: str, indicator: str, value: float, unit: str, by: int | None = 2025, task: str | None = None
):
    return {
        "text": text,
        "indicator": indicator,
        "value": value,
        "unit": unit,
        "comparator": ">=",
        "by": by,
        "task": task,
    }


EXTRACTION = {
    "document": {"title": "潍坊市制造业若干措施", "region": "潍坊市", "expires_on": "2025-06-30"},
    "tasks": [
        {"id": "1", "title": "推动企业智能化改造", "responsible": ["市工信局", "市财政局等有关部门"]},
        {"id": "2", "title": "推动企业绿色化发展", "responsible": ["市发改委"]},
    ],
    "targets": [
        _target("市级以上绿色工厂达到3家以上", "市级以上绿色工厂", 3, "家", task="1"),
        _target("规上工业企业数量达到4家", "规上工业企业数量", 4, "家"),
        _target("全市规上工业企业年营业收入达到1亿元", "全市规上工业企业年营业收入", 1, "亿元"),
        _target("软件和信息技术服务业营业收入达到6000亿元", "软件和信息技术服务业营业收入", 6000, "亿元"),
    ],
    "incentives": [],
    "stacking": [],
}


@pytest.fixture
def library(engine):
    firms = [
        (A, "甲", "370702", "规上"),
        (B, "乙", "370702", "规上"),
        (C, "丙", "370102", "规上"),
        (D, "丁", "370703", "规下"),
    ]
    metrics = [(A, "2025", "营业收入", 6000), (B, "2025", "营业收入", 2500), (C, "2025", "营业收入", 9000)]
    metrics += [(D, "2025", "营业收入", 1500), (A, "2024", "营业收入", 99999)]
    add_registry(engine, firms, metrics)

    def recognition(key, uscc, level, granted, expires, review=False):
        return {"identity": key, "natural_key": key, "uscc": uscc, "kind": "绿色工厂", "level": level,
                "granted_on": granted, "review": review, "expires_on": expires, "extras": {}}  # fmt: skip

    with session_scope(engine) as session:
        session.execute(
            insert(Recognition),
            [
                recognition("r1", A, "省级", dt.date(2023, 5, 1), None),  # valid
                recognition("r2", B, "国家级", dt.date(2020, 5, 1), dt.date(2024, 1, 1)),  # expired
                recognition("r3", C, "省级", dt.date(2023, 5, 1), None),  # 济南: another region
                recognition("r4", D, "省级", dt.date(2022, 5, 1), None),  # valid
                recognition("r5", D, "省级", dt.date(2025, 5, 1), None, review=True),  # same holder again
                recognition("r6", A, "省级", dt.date(2027, 5, 1), None),  # not yet granted
            ],
        )
        doc = Document(
            identity="title:weifang",
            name="weifang.txt",
            title="潍坊市制造业若干措施",
            region="潍坊市",
            level="市级",
        )
        session.add(doc)
        session.flush()
        version = DocumentVersion(
            document_id=doc.id, version=1, sha256="x", source_path="weifang.txt", extraction=EXTRACTION
        )
        session.add(version)
        session.flush()
        doc.current_version_id = version.id
    return engine


def test_targets_bound_counted_and_summed(library):
    items = {i["indicator"]: i for i in target_items(library, as_of=TODAY)}
    green = items["市级以上绿色工厂"]
    # A and D hold a valid one in 潍坊; B's expired, C is in 济南, A's 2027 grant is not yet
    assert (green["current"], green["progress"], green["source"]) == (2.0, 0.6667, "自动")
    assert green["measure"] == "有效认定企业数:绿色工厂(国家级/省级/市级)"
    assert items["规上工业企业数量"]["current"] == 2.0  # A and B; C is in 济南, D is 规下
    revenue = items["全市规上工业企业年营业收入"]
    assert (revenue["current"], revenue["progress"], revenue["basis"]) == (
        0.85,
        0.85,
        "2025年合计",
    )  # (6000+2500)/1e4
    software = items["软件和信息技术服务业营业收入"]
    assert (software["measure"], software["current"], software["progress"]) == (None, None, None)
    for item in items.values():
        assert {"document", "text", "value", "unit", "measure", "current", "progress"} <= set(item)


def test_hand_binding_and_hand_figures(library):
    items = {i["indicator"]: i for i in target_items(library, as_of=TODAY)}
    bind_target(library, items["软件和信息技术服务业营业收入"]["key"], value=4500, note="统计局季报")
    bind_target(library, items["市级以上绿色工厂"]["key"], measure="认定:绿色工厂:国家级")
    again = {i["indicator"]: i for i in target_items(library, as_of=TODAY)}
    software = again["软件和信息技术服务业营业收入"]
    assert (software["current"], software["progress"], software["source"], software["basis"]) == (
        4500,
        0.75,
        "人工填报",
        "统计局季报",
    )
    green = again["市级以上绿色工厂"]
    assert (green["current"], green["source"]) == (0.0, "人工绑定")  # the only 国家级 one expired
    with pytest.raises(MonitorError, match="目标编号"):
        bind_target(library, "nope", value=1)
    with pytest.raises(MonitorError, match="不在资格词表"):
        bind_target(library, green["key"], measure="认定:区块链示范")


def test_auto_binding_is_exact_or_nothing():
    assert auto_measure("单项冠军企业", "家")["kinds"] == ["制造业单项冠军"]
    assert auto_measure("新增中国驰名商标", "个")["flow"] is True
    assert auto_measure("制造业和数字经济领域上市企业", "家") is None
    assert auto_measure("实现上市和“新三板”挂牌企业", "家") == {
        "type": "listings",
        "kinds": ["上市", "挂牌"],
        "flow": True,
    }
    assert auto_measure("省级以上瞪羚、专精特新、独角兽、创新型中小企业等优质企业数量", "家") is None
    assert auto_measure("规上企业生产工艺", "%") is None


def test_task_ledger_statuses_deadlines_and_report(library):
    update_task(library, "潍坊", "1", "市工信局", "推进中", "已印发方案", on=dt.date(2025, 3, 1))
    update_task(library, "weifang.txt", "1", "市财政局等有关部门", "已完成", on=dt.date(2025, 4, 1))
    rows = {(r["task_id"], r["unit"]): r for r in ledger(library, today=TODAY).to_dicts()}
    assert set(rows) == {("1", "市工信局"), ("1", "市财政局"), ("2", "市发改委")}
    busy = rows[("1", "市工信局")]
    # task 1 has a target of 2025: its deadline is the end of 2025, passed on 2026-01-15
    assert (busy["status"], busy["note"], busy["deadline"], busy["overdue"]) == (
        "推进中",
        "已印发方案",
        dt.date(2025, 12, 31),
        True,
    )
    assert (rows[("1", "市财政局")]["status"], rows[("1", "市财政局")]["overdue"]) == ("已完成", False)
    idle = rows[("2", "市发改委")]  # no target: the document's expiry date
    assert (idle["status"], idle["deadline"], idle["overdue"]) == ("未启动", dt.date(2025, 6, 30), True)
    update_task(library, "潍坊", "2", "市发改委", "滞后", "资金未到位", deadline=dt.date(2026, 6, 30))
    later = {(r["task_id"], r["unit"]): r for r in ledger(library, today=TODAY).to_dicts()}
    assert (later[("2", "市发改委")]["deadline"], later[("2", "市发改委")]["overdue"]) == (
        dt.date(2026, 6, 30),
        False,
    )
    report = {r["unit"]: r for r in by_unit(ledger(library, today=TODAY)).to_dicts()}
    assert report["市工信局"] == {
        "unit": "市工信局",
        "未启动": 0,
        "推进中": 1,
        "已完成": 0,
        "滞后": 0,
        "tasks": 1,
        "overdue": 1,
    }
    assert report["市发改委"]["滞后"] == 1
    assert ledger(library, unit="财政", today=TODAY).height == 1
    with pytest.raises(MonitorError, match="不是任务 1 的责任单位"):
        update_task(library, "潍坊", "1", "市发改委", "推进中")
    with pytest.raises(MonitorError, match="状态 完了"):
        update_task(library, "潍坊", "1", "市工信局", "完了")


def test_commands_json(library, database_url, tmp_path):
    out = run_cli(tmp_path, database_url, "targets", "--format", "json", "--as-of", "2026-01-15")
    assert out.returncode == 0, out.stderr
    items = json.loads(out.stdout)["items"]
    assert [i["current"] for i in items] == [2.0, 2.0, 0.85, None]
    out = run_cli(
        tmp_path,
        database_url,
        "tasks",
        "--document",
        "潍坊",
        "--update",
        "1",
        "--unit",
        "市工信局",
        "--status",
        "推进中",
    )
    assert out.returncode == 0, out.stderr
    out = run_cli(tmp_path, database_url, "tasks", "--format", "json")
    payload = json.loads(out.stdout)
    assert {r["unit"]: r["status"] for r in payload["items"]}["市工信局"] == "推进中"
    bad = run_cli(
        tmp_path,
        database_url,
        "tasks",
        "--document",
        "潍坊",
        "--update",
        "9",
        "--unit",
        "市工信局",
        "--status",
        "推进中",
    )
    assert bad.returncode == 1 and "任务 9" in bad.stderr and "Traceback" not in bad.stderr

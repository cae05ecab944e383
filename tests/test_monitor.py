"""运行监测 on SQLite and PostgreSQL: the four 波动 rules with hand-computed figures, thresholds
per region and version, the watch list, 升规纳统 candidates, the command's JSON and Excel."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from huiqi.db.models import MonitorRun
from huiqi.monitor.alerts import ITEM_KEYS, fluctuations, needed_periods, watched_indicators
from huiqi.monitor.errors import MonitorError
from huiqi.monitor.settings import add_setting, all_settings
from huiqi.monitor.store import import_watch_list, load_enterprises, load_metrics, watch_list
from huiqi.monitor.watch import (
    district_totals,
    top_enterprises,
    upgrade_candidates,
    watch_months,
    watch_summary,
)
from monitor_fixtures import add_registry, code

A, B, C, D, E, F, G = (code(i) for i in range(1, 8))
JINAN = code(8, "370102")


def _firms() -> list[tuple]:
    names = ["甲下滑", "乙微增", "丙缓降", "丁停报", "戊猛增", "己恰二成", "庚缺去年"]
    return [(u, n, "370702", "规上") for u, n in zip((A, B, C, D, E, F, G), names, strict=True)] + [
        (JINAN, "辛济南", "370102", "规上")
    ]


def _metrics() -> list[tuple]:
    rows = []

    def pair(uscc, month, indicator, now, before):
        if now is not None:
            rows.append((uscc, f"2025-{month}", indicator, now))
        if before is not None:
            rows.append((uscc, f"2024-{month}", indicator, before))

    pair(A, "06", "营业收入", 700, 1000)  # −30%: 下滑
    pair(B, "06", "营业收入", 103, 100)  # +3%: nothing
    for month, now in (("04", 99), ("05", 98), ("06", 97)):  # −1%, −2%, −3%: 持续下滑
        pair(C, month, "营业收入", now, 100)
    pair(C, "06", "税收", 10, 10)  # no change: nothing
    pair(D, "06", "用电量", None, 50)  # last June only: 未报送
    pair(D, "06", "营业收入", 500, 480)  # reported this year: only 用电量 is missing
    pair(E, "06", "营业收入", 160, 100)  # +60%: 异常增长
    pair(F, "06", "工业增加值", 80, 100)  # exactly −20%: 下滑 (the line is included)
    pair(G, "06", "营业收入", 50, None)  # nothing a year before: no change to judge
    pair(JINAN, "06", "营业收入", 700, 1000)  # −30% in 济南
    pair(A, "06", "从业人员", 10, 100)  # not a watched indicator
    return rows


@pytest.fixture
def registry(engine):
    add_registry(engine, _firms(), _metrics())
    return engine


def _run(engine, period="2025-06", region=None) -> pl.DataFrame:
    settings = all_settings(engine, "alerts")
    monthly = load_metrics(engine, needed_periods(period, settings), watched_indicators(settings), region)
    return fluctuations(monthly, load_enterprises(engine, region), period, settings)


def test_four_rules_by_hand(registry):
    items = _run(registry, region="370700")
    found = {(r["uscc"], r["indicator"]): r for r in items.to_dicts()}
    assert set(found) == {(A, "营业收入"), (C, "营业收入"), (D, "用电量"), (E, "营业收入"), (F, "工业增加值")}
    fall = found[(A, "营业收入")]
    assert (fall["value"], fall["previous"], fall["change"], fall["rule"]) == (700, 1000, -0.3, "下滑")
    assert fall["reason"] == "营业收入同比下降30%,达到下滑线20%(去年同月1000万元,本月700万元)"
    slide = found[(C, "营业收入")]
    assert (slide["rule"], slide["rules"], slide["change"]) == ("持续下滑", ["持续下滑"], -0.03)
    assert slide["reason"] == "营业收入已连续3个月同比下降"
    silent = found[(D, "用电量")]
    assert (silent["rule"], silent["value"], silent["previous"], silent["change"]) == (
        "未报送",
        None,
        50,
        None,
    )
    assert silent["reason"] == "去年同月报送了用电量(50万千瓦时),本月未报送"
    surge = found[(E, "营业收入")]
    assert (surge["rule"], surge["change"]) == ("异常增长", 0.6)
    assert "请核实数据" in surge["reason"]
    assert found[(F, "工业增加值")]["rule"] == "下滑"
    assert set(ITEM_KEYS) <= set(items.columns)
    assert {r["setting"] for r in found.values()} == {"全部地区第1版(2000-01-01起,默认阈值)"}


def test_a_fall_that_is_also_a_streak_names_both(engine):
    add_registry(
        engine,
        [(A, "甲", "370702", "规上")],
        [(A, f"2025-{m}", "税收", v) for m, v in (("04", 9), ("05", 9), ("06", 5))]
        + [(A, f"2024-{m}", "税收", 10) for m in ("04", "05", "06")],
    )
    [item] = _run(engine).to_dicts()
    assert item["rules"] == ["下滑", "持续下滑"] and item["rule"] == "下滑"
    assert item["reason"].count(";") == 1 and "已连续3个月同比下降" in item["reason"]


def test_region_filter_keeps_other_cities_out(registry):
    assert JINAN not in set(_run(registry, region="370702")["uscc"])
    assert JINAN in set(_run(registry)["uscc"])


def test_thresholds_per_region_and_version(registry):
    add_setting(registry, "alerts", "370700", dt.date(2025, 1, 1), {"decline": -0.35}, "潍坊从严")
    items = _run(registry)
    rules = {(r["uscc"], r["indicator"]): (r["rule"], r["setting"]) for r in items.to_dicts()}
    # 潍坊 now needs a 35% fall: A's 30% is no longer listed, F's 20% neither
    assert (A, "营业收入") not in rules and (F, "工业增加值") not in rules
    assert rules[(E, "营业收入")] == ("异常增长", "潍坊市第1版(2025-01-01起,潍坊从严)")
    # 济南 keeps the default
    assert rules[(JINAN, "营业收入")] == ("下滑", "全部地区第1版(2000-01-01起,默认阈值)")
    # a month before the new version took effect still uses version 1
    add_registry(registry, [], [(A, "2024-12", "营业收入", 70), (A, "2023-12", "营业收入", 100)])
    december = _run(registry, "2024-12")
    assert december.filter(pl.col("uscc") == A)["setting"].to_list() == [
        "全部地区第1版(2000-01-01起,默认阈值)"
    ]
    with pytest.raises(MonitorError, match="decline"):
        add_setting(registry, "alerts", "370700", dt.date(2025, 1, 1), {"decline": 0.2})


def run_cli(data: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "HUIQI_DATA_DIR": str(data), "HUIQI_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "huiqi.cli", *args], capture_output=True, text=True, timeout=300, env=env
    )


def test_command_json_excel_and_recorded_run(registry, database_url, tmp_path):
    out = run_cli(
        tmp_path, database_url, "monitor", "--period", "2025-06", "--region", "潍坊市", "--format", "json"
    )
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["settings"][0]["version"] == 1 and payload["region"] == "370700"
    assert {(i["uscc"], i["rule"]) for i in payload["items"]} == {
        (A, "下滑"),
        (C, "持续下滑"),
        (D, "未报送"),
        (E, "异常增长"),
        (F, "下滑"),
    }
    for item in payload["items"]:
        assert set(ITEM_KEYS) <= set(item)
    with registry.connect() as conn:
        run = conn.execute(select(MonitorRun).where(MonitorRun.id == payload["run_id"])).one()
    assert (run.kind, run.period, run.items, run.settings[0]["version"]) == ("alerts", "2025-06", 5, 1)
    path = tmp_path / "波动.xlsx"
    out = run_cli(
        tmp_path, database_url, "monitor", "--period", "2025-06", "--format", "xlsx", "--out", str(path)
    )
    assert out.returncode == 0, out.stderr
    sheet = load_workbook(path)["波动企业清单"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("统一社会信用代码", "企业名称", "区县", "指标") and len(rows) == 7
    bad = run_cli(tmp_path, database_url, "monitor", "--period", "2025-13")
    assert bad.returncode == 1 and "期间 2025-13" in bad.stderr and "Traceback" not in bad.stderr


def test_watch_list_top_months_trend_and_districts(engine):
    firms = [(A, "甲", "370702", "规上"), (B, "乙", "370702", "规上"), (C, "丙", "370703", "规上")]
    metrics = [(A, "2024", "营业收入", 1200), (B, "2024", "营业收入", 600), (C, "2024", "营业收入", 900)]
    for month in range(1, 13):
        for uscc, base in ((A, 100), (B, 50), (C, 75)):
            metrics.append((uscc, f"2024-{month:02d}", "营业收入", base))
            metrics.append((uscc, f"2025-{month:02d}", "营业收入", base + month))
    add_registry(engine, firms, metrics)
    figures = load_metrics(engine, indicators=["营业收入"])
    everyone = load_enterprises(engine)
    top = top_enterprises(figures.filter(pl.col("period").str.starts_with("2024")), everyone, 2024, 2)
    assert top["uscc"].to_list() == [A, C]
    months = watch_months(figures, top, "2025-12", "营业收入")
    assert months.height == 24
    summary = {r["uscc"]: r for r in watch_summary(months, "2025-12").to_dicts()}
    # A: 112 in December against 100; the year 1278 against 1200
    assert (summary[A]["value"], summary[A]["previous"], summary[A]["change"]) == (
        112,
        100,
        pytest.approx(0.12),
    )
    assert (summary[A]["ytd"], summary[A]["ytd_previous"]) == (1278, 1200)
    assert summary[A]["ytd_change"] == pytest.approx(0.065)
    assert summary[A]["trend"] == "▁▂▂▃▄▄▅▅▆▇▇█"  # 101…112: round((v − 101) / 11 × 7)
    totals = district_totals(months, everyone).filter(pl.col("period") == "2025-12")
    assert totals.select("region_code", "enterprises", "value", "previous").rows() == [
        ("370702", 1, 112.0, 100.0),
        ("370703", 1, 87.0, 75.0),
    ]


def test_watch_list_import_keeps_good_rows_and_names_bad_ones(engine, tmp_path):
    add_registry(engine, [(A, "甲", "370702", "规上"), (B, "乙", "370702", "规上")], [])
    path = tmp_path / "重点企业.csv"
    path.write_text(
        f"序号,统一社会信用代码,企业名称\n1,{A},甲\n2,12345,错\n3,{code(99)},外地\n4,{B},乙\n", "utf-8"
    )
    count, errors = import_watch_list(engine, path)
    assert count == 2 and watch_list(engine) == sorted([A, B])
    assert errors[0].startswith("第3行 统一社会信用代码 12345: 长度应为18位")
    assert errors[1] == f"第4行 统一社会信用代码 {code(99)}: 企业名录中没有这家企业"


def test_upgrade_candidates_by_hand(engine):
    firms = [
        (A, "近线", "370702", "规下"),
        (B, "太远", "370702", "规下"),
        (C, "已规上", "370702", "规上"),
        (D, "只有年报", "370702", "规下"),
        (E, "已过线", "370702", "规下"),
    ]
    metrics = [(A, f"2025-{m:02d}", "营业收入", 1900 / 12) for m in range(1, 13)]
    metrics += [(B, f"2025-{m:02d}", "营业收入", 1000 / 12) for m in range(1, 13)]
    metrics += [(C, f"2025-{m:02d}", "营业收入", 1900 / 12) for m in range(1, 13)]
    metrics += [(D, "2024", "营业收入", 1500), (D, "2025-12", "营业收入", 200)]
    metrics += [(E, f"2025-{m:02d}", "营业收入", 2100 / 12) for m in range(1, 13)]
    add_registry(engine, firms, metrics)
    items = upgrade_candidates(load_metrics(engine), load_enterprises(engine), "2025-12", 2000, 0.7)
    assert items.select("uscc", "revenue_wan", "gap_wan", "share", "basis").rows() == [
        (E, 2100.0, -100.0, 1.05, "近12个月(2025-01至2025-12)"),
        (A, 1900.0, 100.0, 0.95, "近12个月(2025-01至2025-12)"),
        (D, 1500.0, 500.0, 0.75, "2024年度"),
    ]

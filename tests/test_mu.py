"""亩产效益 on SQLite and PostgreSQL: a small population scored and graded by hand, the missing list,
the grades as recognition-like facts, the stored run, the command's JSON; Excel stays formula-free."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import polars as pl
import pytest
from openpyxl import load_workbook

from huiqi.monitor.export import write_workbook
from huiqi.monitor.mu import grade_facts, score
from huiqi.monitor.settings import add_setting, all_settings, packaged
from huiqi.monitor.store import load_enterprises, load_grades, load_metrics, save_mu
from monitor_fixtures import add_registry, code
from test_monitor import run_cli

A, B, C, D, E, F = (code(i) for i in range(11, 17))
SCHEME = {
    "group_by": "all",
    "cap": 1.5,
    "indicators": [
        {
            "name": "亩均税收",
            "numerator": "税收",
            "denominator": "用地面积",
            "weight": 60,
            "benchmark": "group",
        },
        {
            "name": "研发投入占比",
            "numerator": "研发投入",
            "denominator": "营业收入",
            "weight": 40,
            "benchmark": 0.05,
        },
    ],
}


@pytest.fixture
def population(engine):
    firms = [(u, n, "370702", "规上") for u, n in zip((A, B, C, D, E, F), "甲乙丙丁戊己", strict=True)]
    figures = {
        A: {"用地面积": 10, "税收": 100, "研发投入": 50, "营业收入": 1000},
        B: {"用地面积": 20, "税收": 100, "研发投入": 20, "营业收入": 1000},
        C: {"用地面积": 10, "税收": 20, "研发投入": 90, "营业收入": 1000},
        D: {"用地面积": 10, "税收": 0, "研发投入": 0, "营业收入": 500},
        E: {"用地面积": 5, "税收": 10, "营业收入": 100},  # no 研发投入
        F: {"税收": 10, "研发投入": 1, "营业收入": 100},  # no land: not evaluated
    }
    metrics = [(u, "2024", name, v) for u, row in figures.items() for name, v in row.items()]
    metrics.append((A, "2023", "用地面积", 99))  # an older land figure is not used
    add_registry(engine, firms, metrics)
    add_setting(engine, "mu", "370700", dt.date(2024, 1, 1), SCHEME, "测试办法")
    return engine


def _score(engine, year=2024):
    return score(load_metrics(engine), load_enterprises(engine), year, all_settings(engine, "mu"))


def test_scores_and_grades_by_hand(population):
    result = _score(population)
    # group benchmark of 亩均税收: (100+100+20+0) / (10+20+10+10) = 4.4 万元/亩
    # A: 60×min(10/4.4, 1.5)=90 + 40×(0.05/0.05)=40 → 130
    # C: 60×2/4.4=27.27 + 40×min(0.09/0.05, 1.5)=60 → 87.27
    # B: 60×5/4.4=68.18 + 40×0.4=16 → 84.18;  D: 0
    rows = result.scored.select("uscc", "score", "rank", "grade").rows()
    assert rows == [(A, 130.0, 1, "A"), (C, 87.27, 2, "B"), (B, 84.18, 3, "B"), (D, 0.0, 4, "C")]
    a = {i["name"]: i for i in result.scored.row(0, named=True)["indicators"]}
    assert a["亩均税收"] == {
        "name": "亩均税收",
        "value": 10.0,
        "benchmark": 4.4,
        "points": 90.0,
        "weight": 60.0,
        "unit": "",
    }
    assert (a["研发投入占比"]["value"], a["研发投入占比"]["points"]) == (0.05, 40.0)
    assert result.missing.select("uscc", "missing").rows() == [(E, ["缺研发投入"])]
    assert [s.label() for s in result.settings] == ["潍坊市第1版(2024-01-01起,测试办法)"]


def test_default_grade_shares_on_ten_enterprises():
    firms = pl.DataFrame({"uscc": [f"U{i}" for i in range(10)], "name": list("一二三四五六七八九十")})
    firms = firms.with_columns(region_code=pl.lit("370702"))
    metrics = pl.DataFrame(
        [
            (f"U{i}", "2024", name, v)
            for i in range(10)
            for name, v in (("用地面积", 1.0), ("税收", 10.0 - i))
        ],
        schema=["uscc", "period", "indicator", "value"],
        orient="row",
    )
    scheme = {**SCHEME, "indicators": [{**SCHEME["indicators"][0], "benchmark": 100}]}
    from huiqi.monitor.settings import Setting

    setting = Setting("mu", "", 9, dt.date(2000, 1, 1), {**packaged("mu")[0].params, **scheme})
    result = score(metrics, firms, 2024, [setting])
    assert "".join(result.scored["grade"]) == "AABBBBBCCD"
    # tied scores share the better grade
    tied = metrics.with_columns(
        value=pl.when((pl.col("indicator") == "税收") & pl.col("uscc").is_in(["U1", "U2"]))
        .then(9.0)
        .otherwise(pl.col("value"))
    )
    assert "".join(score(tied, firms, 2024, [setting]).scored["grade"]) == "AAABBBBCCD"


def test_grades_as_recognition_like_facts_and_stored(population):
    result = _score(population)
    facts = grade_facts(result.scored, 2024)
    assert facts.columns[:4] == ["uscc", "kind", "level", "grade"]
    row = facts.filter(pl.col("uscc") == A).row(0, named=True)
    assert (row["kind"], row["level"], row["grade"]) == ("亩产效益A类", None, "A")
    assert (row["granted_on"], row["expires_on"]) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    save_mu(population, 2024, None, result.settings, result.scored)
    save_mu(population, 2024, None, result.settings, result.scored)  # a re-run replaces, not piles up
    grades = load_grades(population, 2024)
    assert grades.select("uscc", "grade").sort("uscc").rows() == sorted(
        [(A, "A"), (B, "B"), (C, "B"), (D, "C")]
    )


def test_command_json(population, database_url, tmp_path):
    out = run_cli(tmp_path, database_url, "mu", "--year", "2024", "--format", "json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    first = payload["items"][0]
    assert {"uscc", "name", "score", "grade", "indicators", "measures"} <= set(first)
    assert (first["uscc"], first["score"], first["grade"]) == (A, 130.0, "A")
    assert first["measures"] and payload["missing"][0]["missing"] == ["缺研发投入"]
    assert payload["settings"][0]["region"] == "370700"


def test_excel_text_never_becomes_a_formula(tmp_path):
    rows = [{"name": '=HYPERLINK("http://x","点我")', "note": "+1", "at": "@SUM(A1)", "n": 1.5, "m": "-2"}]
    headers = [("name", "企业名称"), ("note", "备注"), ("at", "其他"), ("n", "数值"), ("m", "负号")]
    path = write_workbook(tmp_path / "x.xlsx", [("清单", headers, rows)])
    sheet = load_workbook(path)["清单"]
    cells = next(iter(sheet.iter_rows(min_row=2)))
    assert [c.value for c in cells] == ['=HYPERLINK("http://x","点我")', "+1", "@SUM(A1)", 1.5, "-2"]
    assert [c.data_type for c in cells] == ["s", "s", "s", "n", "s"]
    with zipfile.ZipFile(path) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml


def test_stored_grades_are_titles_the_matcher_rewards(population):
    from huiqi.extract.pipeline import extract_text
    from huiqi.match.service import load_registry, match_frames
    from huiqi.registry.codes import code_for_place
    from huiqi.rules.compile import compile_document

    result = _score(population)
    save_mu(population, 2024, None, result.settings, result.scored)
    enterprises, facts = load_registry(population)
    held = facts.filter(pl.col("kind").str.starts_with("亩产效益"))
    assert held.height == result.scored.height and set(held["date"]) == {dt.date(2025, 1, 1)}
    text = (
        "潍坊市人民政府关于亩均效益评价结果运用的若干措施\n潍政发〔2024〕3号\n各县市区人民政府:\n"
        "一、实施差别化政策\n1.对亩产效益评价为A类的企业,给予10万元奖励。(责任单位:市工业和信息化局)\n"
        "潍坊市人民政府\n2024年1月1日\n"
    )
    rules, _ = compile_document(1, extract_text(text).model_dump(mode="json"), code_for_place)
    frame = match_frames(enterprises, facts, rules, dt.date(2025, 6, 30))
    graded_a = set(result.scored.filter(pl.col("grade") == "A")["uscc"])
    assert graded_a and set(frame["uscc"]) == graded_a and set(frame["amount_wan"]) == {10.0}

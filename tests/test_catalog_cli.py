"""The product platform's commands as a user runs them (a real subprocess), on SQLite and
PostgreSQL: import products and demands, search, supply match in every format, a catalog edition
from creation to its Excel, and bad input answered in one Chinese line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

import catalog_fixtures
from catalog_fixtures import JN_MACHINE, write_csv


def run(data: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "HUIQI_DATA_DIR": str(data), "HUIQI_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "huiqi.cli", *args], capture_output=True, text=True, timeout=300, env=env
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_import_search_match_and_publish(database_url, tmp_path):
    data = tmp_path / "data"
    for kind in ("enterprises", "recognitions", "products", "demands"):
        rows = getattr(catalog_fixtures, kind.upper())
        path = write_csv(tmp_path / f"{kind}.csv", catalog_fixtures._HEADERS[kind], rows)
        out = ok(run(data, database_url, "import", kind, str(path)))
        assert f"共 {len(rows)} 行" in out and "有误 0" in out

    found = json.loads(
        ok(run(data, database_url, "search", "加工中心", "--region", "济南", "--format", "json"))
    )
    assert (
        next(i["title"] for i in found["items"]) == "立式加工中心 VMC850"
        and found["filters"]["region"] == "370100"
    )
    table = ok(run(data, database_url, "search", "盾构机", "--kind", "enterprise"))
    assert "济南章丘隧道装备股份有限公司" in table and "共 1 条" in table

    items = json.loads(ok(run(data, database_url, "supply", "match", "--format", "json")))
    assert {"demand_id", "uscc", "product", "score", "reason"} <= set(items[0])
    assert items[0]["demand_id"] == "XQ-01" and items[0]["product"] == "土压平衡盾构机"
    sheet = tmp_path / "对接清单.xlsx"
    ok(
        run(
            data,
            database_url,
            "supply",
            "match",
            "--demand",
            "XQ-02",
            "--format",
            "xlsx",
            "--out",
            str(sheet),
        )
    )
    book = load_workbook(sheet)
    assert book.sheetnames == ["需求信息", "对接清单"]
    assert book["对接清单"].cell(row=2, column=2).value == "立式加工中心 VMC850"
    ok(run(data, database_url, "supply", "match", "--format", "csv", "--out", str(tmp_path / "all.csv")))
    assert (tmp_path / "all.csv").read_text("utf-8-sig").splitlines()[0].startswith("需求编号,需求名称")
    text = ok(run(data, database_url, "supply", "match", "--demand", "XQ-03"))
    assert "医用外科口罩" in text and "本地企业" in text

    ok(
        run(
            data,
            database_url,
            "catalog",
            "create",
            "优势工业产品目录",
            "--edition",
            "2025年版",
            "--region",
            "济南市",
        )
    )
    [edition] = json.loads(ok(run(data, database_url, "catalog", "list", "--format", "json")))
    product = next(i for i in found["items"] if i["uscc"] == JN_MACHINE)["ref"]
    ok(run(data, database_url, "catalog", "add", str(edition["id"]), product, "--note", "技术领先"))
    published = ok(
        run(
            data, database_url, "catalog", "publish", str(edition["id"]), "--out", str(tmp_path / "目录.xlsx")
        )
    )
    assert "已发布《济南市优势工业产品目录(2025年版)》:入选 1 个产品" in published
    assert (
        load_workbook(tmp_path / "目录.xlsx")["入选产品"].cell(row=2, column=2).value == "立式加工中心 VMC850"
    )
    facts = json.loads(ok(run(data, database_url, "catalog", "facts", "--format", "json")))
    assert [(f["uscc"], f["kind"], f["level"]) for f in facts] == [(JN_MACHINE, "优势工业产品目录", "市级")]
    served = json.loads(ok(run(data, database_url, "supply", "product", product, "--format", "json")))
    assert [m["demand_id"] for m in served] == ["XQ-02"]


def test_bad_input_is_one_chinese_line(database_url, tmp_path):
    data = tmp_path / "data"
    for args, message in (
        (("search", "变压器", "--region", "火星"), "地区“火星”不是有效的行政区划代码或地名"),
        (("supply", "match", "--demand", "XQ-404"), "没有需求“XQ-404”"),
        (("catalog", "publish", "7"), "没有编号为7的目录版次"),
        (
            ("catalog", "create", "名优目录", "--edition", "2025年版", "--region", "济南"),
            "没有名为“名优目录”的目录",
        ),
        (("supply", "match", "--as-of", "2025-02-30"), "不是有效日期"),
    ):
        result = run(data, database_url, *args)
        assert result.returncode == 1, args
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.stderr


def test_templates_for_products_and_demands(database_url, tmp_path):
    out = ok(
        run(tmp_path, database_url, "import", "--template", "产品", "--out", str(tmp_path / "产品.xlsx"))
    )
    assert "模板已生成" in out
    assert [c.value for c in load_workbook(tmp_path / "产品.xlsx")["产品"][1]][:2] == [
        "统一社会信用代码",
        "产品名称",
    ]


def test_every_subcommand_has_help_and_a_documented_example():
    from huiqi.cli_catalog import catalog_app, supply_app

    root = Path(__file__).resolve().parents[1]
    docs = "\n".join(p.read_text("utf-8") for p in [root / "README.md", *(root / "docs").glob("*.md")])
    for group, app in (("supply", supply_app), ("catalog", catalog_app)):
        for command in app.registered_commands:
            assert f"huiqi {group} {command.name}" in docs, command.name
            assert "例:huiqi" in (command.callback.__doc__ or ""), command.name

"""The database commands as a user runs them (a real subprocess), on SQLite and PostgreSQL:
demo end to end, match output formats, one enterprise explained, import errors, templates."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
REQUIRED_KEYS = {"uscc", "document", "subject", "kind", "amount_wan", "cap_wan", "payers", "mode", "reason"}


def run(data: Path, url: str | None, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "HUIQI_DATA_DIR": str(data)}
    env.pop("HUIQI_DATABASE_URL", None)
    if url:
        env["HUIQI_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "huiqi.cli", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.mark.seeds
def test_demo_then_match_explain_and_reingest(database_url, tmp_path):
    url = None if database_url.startswith("sqlite") else database_url
    demo = run(tmp_path, url, "demo", "--seeds", str(SEEDS), "--n", "800")
    assert demo.returncode == 0, demo.stderr
    out = demo.stdout.replace("\n", "")
    for heading in (
        "政策找企业:匹配结果",
        "免申即享确定金额",
        "按政策文件",
        "按区县",
        "按兑现方式",
        "金额最大的 10 项应享",
        "Excel 清单",
    ):
        assert heading in out
    assert "Traceback" not in demo.stderr
    [xlsx] = (tmp_path / "exports").glob("*.xlsx")
    sheet = load_workbook(xlsx, read_only=True)["应享清单"]
    assert sum(1 for _ in sheet.iter_rows()) > 10

    listed = run(tmp_path, url, "match", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert rows and all(set(r) >= REQUIRED_KEYS for r in rows)
    assert {r["mode"] for r in rows} == {"免申即享", "需申报"}
    for r in rows:
        assert sum(p["share"] for p in r["payers"]) == pytest.approx(1.0)
        if r["kind"] == "max":  # a ceiling is never reported as money owed
            assert r["amount_wan"] is None and r["cap_wan"] is not None
    documents = {r["document"] for r in rows}
    assert len(documents) >= 3  # Jinan, Weifang, Licheng (and Binzhou) all pay someone

    # the same run partitioned by region on a local Dask cluster of two worker processes
    spread = run(tmp_path, url, "match", "--format", "json", "--cluster", "local:2")
    assert spread.returncode == 0, spread.stderr
    key = lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False)  # noqa: E731
    assert sorted(map(key, json.loads(spread.stdout))) == sorted(map(key, rows))
    assert not any((tmp_path / "partitions").iterdir())  # its temporary partitions are removed

    exported = run(tmp_path, url, "match", "--format", "csv", "--out", str(tmp_path / "清单.csv"))
    assert exported.returncode == 0 and "CSV 已导出" in exported.stdout, exported.stderr
    with (tmp_path / "清单.csv").open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    paid = [r for r in table if r["状态"] == "享受"]  # the CSV holds paid and unpaid rows, like the workbook
    assert len(paid) == len(rows) and len(table) > len(paid)
    assert sorted(r["统一社会信用代码"] for r in paid) == sorted(r["uscc"] for r in rows)

    firm = max(rows, key=lambda r: r["amount_wan"] or 0)["uscc"]
    explained = run(tmp_path, url, "match", "--enterprise", firm)
    assert explained.returncode == 0, explained.stderr
    assert firm in explained.stdout and "应享" in explained.stdout
    as_json = json.loads(run(tmp_path, url, "match", "--enterprise", firm, "--format", "json").stdout)
    assert as_json["uscc"] == firm and as_json["entitlements"]
    assert {r["uscc"] for r in as_json["entitlements"]} == {firm}
    assert all(m["missing"] for m in as_json["nearest_misses"])

    again = run(tmp_path, url, "ingest", str(SEEDS))
    assert again.returncode == 0 and again.stdout.count("未变化") == 5

    rules = json.loads(run(tmp_path, url, "rules", "--format", "json").stdout)
    assert rules["rules"] and rules["uncompiled"]
    assert all(u["reason"] for u in rules["uncompiled"])


def test_match_on_an_empty_registry_says_what_to_do(tmp_path):
    result = run(tmp_path, None, "match")
    assert result.returncode == 1
    assert "企业名录为空" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("address", ["local:", "local:0", "local:two", "192.168.1.5"])
def test_a_cluster_address_that_cannot_be_one_is_a_clear_error(tmp_path, address):
    result = run(tmp_path, None, "match", "--cluster", address)
    assert result.returncode == 1 and f"--cluster {address}" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_enterprise_is_a_clear_error(tmp_path):
    result = run(tmp_path, None, "match", "--enterprise", "91370705MA3C7X0Q1D")
    assert result.returncode == 1 and "没有这家企业" in result.stderr


def test_generate_then_import_with_a_bad_row(tmp_path):
    gen = run(
        tmp_path, None, "registry", "generate", "--n", "200", "--city", "潍坊市", "--out", str(tmp_path / "g")
    )
    assert gen.returncode == 0, gen.stderr
    path = tmp_path / "g" / "enterprises.csv"
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert all(r[rows[0].index("region_code")].startswith("3707") for r in rows[1:])
    rows[3][rows[0].index("uscc")] = "91370700ABCDEFGHI0"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    report = tmp_path / "错误.csv"
    result = run(tmp_path, None, "import", "enterprises", str(path), "--out", str(report))
    assert result.returncode == 1  # some rows were refused
    assert "新增 199" in result.stdout and "有误 1" in result.stdout
    with report.open(encoding="utf-8-sig") as handle:
        [error] = list(csv.DictReader(handle))
    assert error["行号"] == "4" and error["列"] == "uscc" and error["原因"]
    again = run(tmp_path, None, "import", "enterprises", str(path), "--out", str(report))
    assert "新增 0" in again.stdout and "未变 199" in again.stdout


def test_import_of_a_missing_file_and_a_template(tmp_path):
    missing = run(tmp_path, None, "import", "企业", str(tmp_path / "nope.xlsx"))
    assert missing.returncode == 1 and "nope.xlsx" in missing.stderr and "Traceback" not in missing.stderr
    template = run(tmp_path, None, "import", "--template", "事项", "--out", str(tmp_path / "t.xlsx"))
    assert template.returncode == 0 and (tmp_path / "t.xlsx").is_file()


def test_rules_on_an_empty_library_and_a_date_that_does_not_exist(tmp_path):
    empty = run(tmp_path, None, "rules")
    assert empty.returncode == 1 and "huiqi ingest" in empty.stderr
    bad_day = run(tmp_path, None, "match", "--as-of", "2024-02-30")
    assert bad_day.returncode == 1 and "不是有效日期" in bad_day.stderr and "Traceback" not in bad_day.stderr

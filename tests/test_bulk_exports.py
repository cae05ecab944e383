"""The streamed exports of match results (match/report.py): the JSON is the same text the
whole-list form gave, the CSV and the workbook hold the same rows, and no cell a user typed runs
as a formula in either."""

from __future__ import annotations

import csv
import io
import json

import polars as pl
from openpyxl import load_workbook

from huiqi.match import report

PAYERS = pl.List(pl.Struct({"payer": pl.String, "share": pl.Float64}))


def frame(n: int) -> pl.DataFrame:
    rows = []
    for i in range(n):
        rows.append(
            {
                "uscc": f"9137010200000{i:05d}",
                "name": "=HYPERLINK(1)" if i == 1 else f"企业{i}",
                "document": "-1+1" if i == 2 else "济南市若干措施",
                "subject": "新认定的企业",
                "formula": "fixed",
                "fact": "2024-03-01 国家级 专精特新小巨人",
                "year": 2024,
                "amount_wan": None if i % 5 == 4 else 10.0 + i / 3,
                "cap_wan": 50.0 if i % 5 == 4 else None,
                "payers": [{"payer": "市级", "share": 0.3}, {"payer": "区级", "share": 0.7}],
                "mode": "免申即享",
                "status": "享受" if i % 3 else "不重复享受",
                "reason": "符合条件",
                "limit_factor": 0.5 if i == 7 else None,
                "limit_payers": ["区级"] if i == 7 else None,
            }
        )
    return pl.DataFrame(rows, schema_overrides={"payers": PAYERS, "limit_payers": pl.List(pl.String)})


def test_streamed_json_is_the_whole_list_text(monkeypatch):
    monkeypatch.setattr(report, "_SLICE", 7)  # several slices
    data = frame(40)
    out = io.StringIO()
    written = report.write_json(data, out)
    expected = json.dumps(report.records(data), ensure_ascii=False, default=str) + "\n"
    assert out.getvalue() == expected and written == data.filter(pl.col("status") == "享受").height
    capped = next(r for r in json.loads(out.getvalue()) if r["uscc"].endswith("00007"))
    assert sum(p["amount_wan"] for p in capped["payers"]) < capped["amount_wan"]  # the district share is cut


def test_csv_and_workbook_hold_the_same_rows_and_no_formula(monkeypatch, tmp_path):
    monkeypatch.setattr(report, "_SLICE", 7)
    data = frame(40)
    with report.write_csv(data, tmp_path / "x.csv").open(encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == [h for _, h in report.EXPORT_COLUMNS] and len(lines) == 41
    assert lines[2][1] == "'=HYPERLINK(1)" and lines[3][2] == "'-1+1"
    book = load_workbook(report.write_xlsx(data, tmp_path / "x.xlsx"))
    paid, unpaid = book["应享清单"], book["未享受"]
    assert paid.max_row - 1 + unpaid.max_row - 1 == 40
    cells = [c for sheet in (paid, unpaid) for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    risky = {c.value: c.quotePrefix for c in cells if c.value in ("=HYPERLINK(1)", "-1+1")}
    assert risky == {"=HYPERLINK(1)": True, "-1+1": True}
    names = sorted(r[1].value for sheet in (paid, unpaid) for r in sheet.iter_rows(min_row=2))
    assert names == sorted(line[1].lstrip("'") for line in lines[1:])

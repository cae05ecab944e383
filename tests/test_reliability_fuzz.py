"""Property tests over the registry reader: whatever an official (or an attacker) puts in the
cells, reading and checking never crashes, and nothing that comes out carries a formula, a
control character or a number that is not finite."""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from huiqi.exports import FORMULA_STARTS
from huiqi.registry.errors import RegistryFileError
from huiqi.registry.reader import read_table
from huiqi.registry.report import write_error_report
from huiqi.registry.schema import table_spec
from huiqi.registry.validate import validate

KINDS = ("enterprises", "recognitions", "events", "metrics")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

tricky = st.sampled_from(
    [
        "=1+1",
        '=HYPERLINK("http://x.invalid","点")',
        "+1",
        "-1",
        "@SUM(A1)",
        "\x1b[31m红\x1b[0m",
        "\u202e反向",
        "9" * 400,
        "1e400",
        "-1e400",
        "nan",
        "inf",
        "1,2,3",
        "12,34",
        "1.2亿",
        "￥100",
        "1万",
        "45000",
        "1800-01-01",
        "2099-01-01",
        "2024-02-30",
        "91370705MA3C7X0Q1D",
        "370705",
        "国家级",
        "专精特新小巨人",
        "参展",
        "营业收入",
        "2024-03",
        "",
    ]
)
cell = st.one_of(tricky, st.text(max_size=30), st.integers(-(10**20), 10**20).map(str), st.floats().map(str))


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _check(kind: str, path: Path, report: Path) -> None:
    try:
        raw = read_table(path, kind)
    except RegistryFileError:
        return
    result = validate(raw)
    for record in result.records:
        for value in [*record.values(), *(record.get("extras") or {}).values()]:
            if isinstance(value, str):
                assert not CONTROL.search(value), value
            if isinstance(value, float):
                assert math.isfinite(value), record
    write_error_report(result.errors, report)
    with report.open(encoding="utf-8-sig") as handle:
        for line in csv.reader(handle):
            for text in line:
                assert not text.startswith(FORMULA_STARTS), text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(KINDS), rows=st.lists(st.lists(cell, min_size=1, max_size=9), max_size=6))
def test_arbitrary_csv_cells_never_crash_or_leak(tmp_path, kind, rows):
    header = [c.zh for c in table_spec(kind).columns] + ["备注"]
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(_csv(header, rows))
    _check(kind, path, tmp_path / "report.csv")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(KINDS),
    rows=st.lists(
        st.lists(st.one_of(cell, st.integers(-(10**12), 10**12), st.floats(allow_nan=True)), max_size=8),
        max_size=5,
    ),
)
def test_arbitrary_workbook_cells_never_crash_or_leak(tmp_path, kind, rows):
    book = Workbook()
    sheet = book.active
    sheet.append([c.zh for c in table_spec(kind).columns])
    for row in rows:
        sheet.append([v if not isinstance(v, str) else CONTROL.sub("", v) for v in row])
    path = tmp_path / f"{kind}.xlsx"
    book.save(path)
    _check(kind, path, tmp_path / "report.csv")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_are_a_file_error_or_a_table(tmp_path, data):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    _check("enterprises", path, tmp_path / "report.csv")

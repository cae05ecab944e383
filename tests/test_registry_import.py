"""``huiqi import`` end to end on SQLite and PostgreSQL: good rows stored in one go, bad rows
reported with row/column/reason, re-import changes nothing, nothing is half-written."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from stdnum.cn import uscc as uscc_lib

from huiqi.db.engine import session_scope
from huiqi.db.models import Enterprise, ImportRun, Recognition
from huiqi.registry.errors import RegistryFileError
from huiqi.registry.importer import import_file, template_file


def code(region: str, serial: int) -> str:
    body = f"91{region}{serial:09d}"[:17]
    return body + uscc_lib.calc_check_digit(body)


A, B, C = code("370705", 1), code("370102", 2), code("350502", 3)
BROKEN = A[:-1] + ("0" if A[-1] != "0" else "1")


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def count(engine, model) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def enterprises_file(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "企业.csv",
        ["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "规模", "成立日期", "联系人"],
        [
            [A, "潍坊甲机械有限公司", "370705", "C3484", "规上", "2010-05-01", "张三"],
            [B, "济南乙电子有限公司", "370102", "3985", "规下", "2015/3/9", ""],
            [BROKEN, "坏代码公司", "370705", "C3484", "规上", "2010-05-01", ""],
            [C, "鲤城丙鞋业有限公司", "999999", "C1953", "规上", "2012-01-01", ""],
        ],
    )


def test_good_rows_are_stored_and_bad_rows_reported(engine, tmp_path):
    report = tmp_path / "errors.csv"
    summary = import_file(engine, "企业", enterprises_file(tmp_path), report)
    assert (summary.rows_total, summary.rows_new, summary.rows_bad) == (4, 2, 2)
    with session_scope(engine) as session:
        stored = {e.uscc: e for e in session.scalars(select(Enterprise))}
    assert set(stored) == {A, B}
    assert stored[B].industry_code == "C3985" and stored[A].extras == {"联系人": "张三"}
    with report.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["行号"], r["列"]) for r in rows] == [("4", "统一社会信用代码"), ("5", "行政区划代码")]
    assert all(r["原因"] for r in rows)
    assert count(engine, ImportRun) == 1


def test_reimporting_the_same_file_changes_nothing(engine, tmp_path):
    path = enterprises_file(tmp_path)
    import_file(engine, "enterprises", path, tmp_path / "e1.csv")
    again = import_file(engine, "enterprises", path, tmp_path / "e2.csv")
    assert (again.rows_new, again.rows_changed, again.rows_unchanged) == (0, 0, 2)
    assert count(engine, Enterprise) == 2


def test_a_changed_row_is_updated_not_duplicated(engine, tmp_path):
    import_file(engine, "enterprises", enterprises_file(tmp_path), tmp_path / "e.csv")
    path = write_csv(
        tmp_path / "更新.csv",
        ["uscc", "name", "region_code", "industry_code", "scale", "established_on"],
        [[A, "潍坊甲机械股份有限公司", "370705", "C3484", "规上", "2010-05-01"]],
    )
    summary = import_file(engine, "enterprises", path)
    assert (summary.rows_new, summary.rows_changed) == (0, 1)
    with session_scope(engine) as session:
        assert session.get(Enterprise, A).name == "潍坊甲机械股份有限公司"
    assert count(engine, Enterprise) == 2


def test_recognitions_from_xlsx_resolve_kind_spellings_and_need_a_known_enterprise(engine, tmp_path):
    import_file(engine, "enterprises", enterprises_file(tmp_path), tmp_path / "e.csv")
    book = Workbook()
    sheet = book.active
    sheet.title = "认定"
    sheet.append(["级别", "认定类型", "统一社会信用代码", "认定日期", "复核"])
    sheet.append(["国家级", '专精特新"小巨人"企业', A, "2024-07-15", ""])
    sheet.append(["", "国家级专精特新小巨人", B, "2023年5月1日", "是"])
    sheet.append(["省级", "区块链先锋", A, "2024-01-01", ""])
    sheet.append(["国家级", "小巨人企业", C, "2024-01-01", ""])  # valid code, not in the registry
    path = tmp_path / "认定.xlsx"
    book.save(path)
    summary = import_file(engine, "recognitions", path, tmp_path / "r.csv")
    assert (summary.rows_new, summary.rows_bad, summary.rows_pending) == (2, 1, 1)
    with session_scope(engine) as session:
        rows = session.scalars(select(Recognition).order_by(Recognition.uscc)).all()
        assert {(r.uscc, r.kind, r.level, r.review) for r in rows} == {
            (A, "专精特新小巨人", "国家级", False),
            (B, "专精特新小巨人", "国家级", True),
        }
    reasons = {e.row: e.reason for e in summary.errors}
    assert "企业不在名录中" in reasons[5]
    assert [(w.row, w.value) for w in summary.warnings] == [(4, "区块链先锋")]  # kept aside, not lost
    again = import_file(engine, "recognitions", path, tmp_path / "r2.csv")
    assert again.rows_new == 0 and count(engine, Recognition) == 2


def test_a_file_missing_a_required_column_stores_nothing(engine, tmp_path):
    path = write_csv(tmp_path / "缺列.csv", ["企业名称", "行政区划代码"], [["某公司", "370705"]])
    with pytest.raises(RegistryFileError) as caught:
        import_file(engine, "enterprises", path)
    assert "统一社会信用代码" in str(caught.value)
    assert count(engine, Enterprise) == 0 and count(engine, ImportRun) == 0


def test_template_has_the_chinese_headers(tmp_path):
    path = template_file("认定", tmp_path / "t.xlsx")
    headers = [c.value for c in next(load_workbook(path).worksheets[0].iter_rows(max_row=1))]
    assert "统一社会信用代码" in headers and "认定类型" in headers


def test_a_corrected_amount_updates_the_event_instead_of_adding_one(engine, tmp_path):
    from huiqi.db.models import Event

    import_file(engine, "enterprises", enterprises_file(tmp_path), tmp_path / "e.csv")
    header = ["uscc", "kind", "occurred_on", "amount_wan", "quantity", "level", "detail"]
    first = write_csv(
        tmp_path / "ev1.csv", header, [[A, "设备购置", "2024-03-01", "100", "", "", "数控机床"]]
    )
    import_file(engine, "events", first)
    fixed = write_csv(
        tmp_path / "ev2.csv", header, [[A, "设备购置", "2024-03-01", "120", "", "", "数控机床"]]
    )
    summary = import_file(engine, "events", fixed)
    assert (summary.rows_new, summary.rows_changed) == (0, 1)
    with session_scope(engine) as session:
        assert [e.amount_wan for e in session.scalars(select(Event))] == [120.0]

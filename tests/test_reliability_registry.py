"""Registry imports that must never pay twice or lose a row, on SQLite and PostgreSQL.

Each test is a case an official or an attacker would produce: a corrected date re-imported,
a (已更正) added to a 说明, a replacing or withdrawing file, a kind the vocabulary does not know,
a number too large for the database, a name that is a formula or carries terminal escapes.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import polars as pl
from openpyxl import load_workbook
from sqlalchemy import func, select
from stdnum.cn import uscc as uscc_lib

from huiqi.db.engine import session_scope
from huiqi.db.models import Enterprise, Event, ImportRun, PendingRow, Recognition
from huiqi.match.service import load_registry
from huiqi.registry.importer import import_file, map_kind, pending_kinds


def code(region: str, serial: int) -> str:
    body = f"91{region}{serial:09d}"[:17]
    return body + uscc_lib.calc_check_digit(body)


A, B = code("370705", 11), code("370102", 12)
EVENT_HEADER = ["统一社会信用代码", "事项类型", "日期", "金额/万元", "数量", "级别", "说明"]
RECOGNITION_HEADER = ["统一社会信用代码", "认定类型", "级别", "认定日期", "复核"]


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def count(engine, model, *where) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def firms(engine, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "企业.csv",
        ["统一社会信用代码", "企业名称", "行政区划代码"],
        [[A, "潍坊甲机械有限公司", "370705"], [B, "济南乙电子有限公司", "370102"]],
    )
    assert import_file(engine, "enterprises", path, tmp_path / "e.csv").rows_new == 2


def events(engine) -> list[Event]:
    with session_scope(engine) as session:
        return list(session.scalars(select(Event).order_by(Event.id)))


# --- corrections are updates, not new facts --------------------------------------------------


def test_a_corrected_detail_updates_the_event(engine, tmp_path):
    firms(engine, tmp_path)
    first = write_csv(
        tmp_path / "事项.csv", EVENT_HEADER, [[A, "参展", "2021-06-02", "8", "", "外地", "广交会"]]
    )
    import_file(engine, "events", first)
    fixed = write_csv(
        tmp_path / "事项.csv", EVENT_HEADER, [[A, "参展", "2021-06-02", "8", "", "外地", "广交会(已更正)"]]
    )
    summary = import_file(engine, "events", fixed)
    assert (summary.rows_new, summary.rows_changed, summary.warnings) == (0, 1, [])
    assert [e.detail for e in events(engine)] == ["广交会(已更正)"]


def test_a_corrected_level_updates_the_event(engine, tmp_path):
    firms(engine, tmp_path)
    path = tmp_path / "事项.csv"
    import_file(
        engine, "events", write_csv(path, EVENT_HEADER, [[A, "参展", "2021-06-02", "8", "", "外地", ""]])
    )
    import_file(
        engine, "events", write_csv(path, EVENT_HEADER, [[A, "参展", "2021-06-02", "8", "", "境外", ""]])
    )
    assert [e.level for e in events(engine)] == ["境外"]


def test_a_corrected_date_with_a_record_id_updates_the_event(engine, tmp_path):
    firms(engine, tmp_path)
    header = [*EVENT_HEADER, "记录编号"]
    path = tmp_path / "事项.csv"
    import_file(
        engine, "events", write_csv(path, header, [[A, "参展", "2021-06-02", "8", "", "外地", "", "Z-1"]])
    )
    summary = import_file(
        engine, "events", write_csv(path, header, [[A, "参展", "2021-06-12", "8", "", "外地", "", "Z-1"]])
    )
    assert (summary.rows_new, summary.rows_changed) == (0, 1)
    assert [(e.occurred_on, e.record_id) for e in events(engine)] == [(dt.date(2021, 6, 12), "Z-1")]


def test_a_record_id_added_later_adopts_the_stored_row(engine, tmp_path):
    firms(engine, tmp_path)
    path = tmp_path / "事项.csv"
    import_file(
        engine, "events", write_csv(path, EVENT_HEADER, [[A, "参展", "2021-06-02", "8", "", "外地", ""]])
    )
    header = [*EVENT_HEADER, "记录编号"]
    summary = import_file(
        engine, "events", write_csv(path, header, [[A, "参展", "2021-06-02", "9", "", "外地", "", "Z-7"]])
    )
    assert (summary.rows_new, summary.rows_changed) == (0, 1)
    assert [(e.amount_wan, e.record_id) for e in events(engine)] == [(9.0, "Z-7")]


def test_a_record_id_reused_for_another_kind_is_refused(engine, tmp_path):
    firms(engine, tmp_path)
    header = [*EVENT_HEADER, "记录编号"]
    path = tmp_path / "事项.csv"
    import_file(
        engine, "events", write_csv(path, header, [[A, "参展", "2021-06-02", "8", "", "外地", "", "7"]])
    )
    summary = import_file(
        engine, "events", write_csv(path, header, [[A, "设备购置", "2021-07-02", "80", "", "", "", "7"]])
    )
    assert summary.rows_bad == 1 and "记录编号已用于另一条记录" in summary.errors[0].reason
    assert [e.kind for e in events(engine)] == ["参展"]


def test_a_corrected_date_without_a_record_id_is_flagged_and_needs_an_application(engine, tmp_path):
    firms(engine, tmp_path)
    path = tmp_path / "事项.csv"
    import_file(
        engine, "events", write_csv(path, EVENT_HEADER, [[A, "参展", "2021-06-02", "8", "", "外地", ""]])
    )
    summary = import_file(
        engine,
        "events",
        write_csv(path, EVENT_HEADER, [[A, "参展", "2021-06-12", "8", "", "外地", ""]]),
        tmp_path / "报告.csv",
    )
    assert summary.rows_new == 1
    (warning,) = summary.warnings
    assert warning.row == 2 and "2021-06-02" in warning.reason and "--replace" in warning.reason
    first, second = events(engine)
    assert (first.near_duplicate_of, second.near_duplicate_of) == (None, first.id)
    _, facts = load_registry(engine)
    doubtful = dict(facts.select("date", "doubtful").iter_rows())
    assert doubtful == {dt.date(2021, 6, 2): False, dt.date(2021, 6, 12): True}
    with summary.report.open(encoding="utf-8-sig") as out:
        rows = list(csv.DictReader(out))
    assert [(r["行号"], r["处理"]) for r in rows] == [("2", "已导入,请核实")]


def test_two_exhibitions_a_month_apart_in_one_file_are_two_facts(engine, tmp_path):
    firms(engine, tmp_path)
    rows = [[A, "参展", "2021-06-02", "8", "", "外地", ""], [A, "参展", "2021-06-20", "5", "", "外地", ""]]
    summary = import_file(engine, "events", write_csv(tmp_path / "事项.csv", EVENT_HEADER, rows))
    assert (summary.rows_new, summary.warnings) == (2, [])


def test_replace_makes_a_corrected_date_one_fact(engine, tmp_path):
    firms(engine, tmp_path)
    path = tmp_path / "参展名单.csv"
    rows = [[A, "参展", "2021-06-02", "8", "", "外地", ""], [B, "参展", "2021-09-01", "3", "", "本地", ""]]
    import_file(engine, "events", write_csv(path, EVENT_HEADER, rows))
    rows[0][2] = "2021-06-12"
    summary = import_file(engine, "events", write_csv(path, EVENT_HEADER, rows), replace=True)
    assert (summary.rows_new, summary.rows_unchanged, summary.rows_withdrawn) == (1, 1, 1)
    assert summary.warnings == []
    live = [e for e in events(engine) if e.withdrawn_run_id is None]
    assert {(e.uscc, e.occurred_on, e.near_duplicate_of) for e in live} == {
        (A, dt.date(2021, 6, 12), None),
        (B, dt.date(2021, 9, 1), None),
    }
    _, facts = load_registry(engine)
    assert facts.height == 2 and not facts["doubtful"].any()
    with session_scope(engine) as session:
        last = session.scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()
        assert (last.mode, last.source, last.rows_withdrawn) == ("替换", "参展名单.csv", 1)


def test_replace_only_withdraws_rows_of_its_own_source(engine, tmp_path):
    firms(engine, tmp_path)
    import_file(
        engine,
        "events",
        write_csv(tmp_path / "一月.csv", EVENT_HEADER, [[A, "参展", "2021-01-05", "8", "", "外地", ""]]),
    )
    summary = import_file(
        engine,
        "events",
        write_csv(tmp_path / "二月.csv", EVENT_HEADER, [[B, "参展", "2021-02-05", "3", "", "本地", ""]]),
        replace=True,
    )
    assert summary.rows_withdrawn == 0
    assert count(engine, Event, Event.withdrawn_run_id.is_(None)) == 2


def test_delete_withdraws_listed_rows_and_reimport_revives_them(engine, tmp_path):
    firms(engine, tmp_path)
    rows = [[A, "参展", "2021-06-02", "8", "", "外地", ""], [B, "参展", "2021-09-01", "3", "", "本地", ""]]
    import_file(engine, "events", write_csv(tmp_path / "事项.csv", EVENT_HEADER, rows))
    listed = write_csv(
        tmp_path / "撤回.csv", EVENT_HEADER, [rows[0], [A, "参展", "2020-01-01", "", "", "", ""]]
    )
    summary = import_file(engine, "events", listed, withdraw=True)
    assert (summary.rows_withdrawn, summary.rows_bad) == (1, 1)
    assert "没有找到要撤回的记录" in summary.errors[0].reason
    _, facts = load_registry(engine)
    assert facts["uscc"].to_list() == [B]
    again = import_file(engine, "events", write_csv(tmp_path / "事项.csv", EVENT_HEADER, rows))
    assert (again.rows_new, again.rows_changed, again.rows_unchanged) == (0, 1, 1)
    assert count(engine, Event, Event.withdrawn_run_id.is_(None)) == 2 and count(engine, Event) == 2


def test_a_withdrawn_enterprise_leaves_the_match(engine, tmp_path):
    firms(engine, tmp_path)
    listed = write_csv(
        tmp_path / "注销.csv", ["统一社会信用代码", "企业名称", "行政区划代码"], [[B, "乙", "370102"]]
    )
    assert import_file(engine, "enterprises", listed, withdraw=True).rows_withdrawn == 1
    enterprises, _ = load_registry(engine)
    assert enterprises["uscc"].to_list() == [A]
    assert count(engine, Enterprise) == 2  # withdrawn, not deleted


# --- kinds the vocabulary does not know are kept, listed and mapped ---------------------------


def test_an_official_full_name_resolves(engine, tmp_path):
    firms(engine, tmp_path)
    rows = [
        [A, "制造业单项冠军示范企业", "国家级", "2023-12-01", ""],
        [B, "浙江省专精特新中小企业", "", "2023-03-01", ""],
    ]
    summary = import_file(engine, "recognitions", write_csv(tmp_path / "认定.csv", RECOGNITION_HEADER, rows))
    assert (summary.rows_new, summary.rows_bad, summary.rows_pending) == (2, 0, 0)
    with session_scope(engine) as session:
        stored = {(r.kind, r.level) for r in session.scalars(select(Recognition))}
    assert stored == {("制造业单项冠军", "国家级"), ("专精特新中小企业", "省级")}


def test_an_unknown_kind_waits_for_an_officer_and_is_imported_once_mapped(engine, tmp_path):
    firms(engine, tmp_path)
    rows = [
        [A, "国家级单项冠军企业(第七批次)", "国家级", "2023-12-01", ""],
        [B, "区块链先锋", "", "2023-03-01", ""],
    ]
    path = write_csv(tmp_path / "认定.csv", RECOGNITION_HEADER, rows)
    summary = import_file(engine, "recognitions", path)
    assert (summary.rows_new, summary.rows_pending) == (1, 1)
    assert count(engine, PendingRow) == 1
    [waiting] = pending_kinds(engine)
    assert (waiting.table, waiting.raw_kind, waiting.rows) == ("recognitions", "区块链先锋", 1)
    mapped = map_kind(engine, "认定", "区块链先锋", "企业技术中心", "省级")
    assert (mapped.rows_new, mapped.rows_bad) == (1, 0)
    assert count(engine, PendingRow) == 0 and pending_kinds(engine) == []
    again = import_file(engine, "recognitions", path)  # the mapping is remembered
    assert (again.rows_new, again.rows_unchanged, again.rows_pending) == (0, 2, 0)


# --- numbers the database cannot hold, and text that is not just text -------------------------


def test_oversized_and_infinite_numbers_are_row_errors_and_good_rows_stay(engine, tmp_path):
    firms(engine, tmp_path)
    rows = [
        [A, "首台套销售", "2023-03-01", "100", "99999999999", "", ""],
        [A, "设备购置", "2023-04-01", "9" * 400, "", "", ""],
        [B, "设备购置", "2023-05-01", "1e400", "", "", ""],
        [B, "参展", "2023-06-01", "3.5", "1", "本地", ""],
    ]
    summary = import_file(engine, "events", write_csv(tmp_path / "事项.csv", EVENT_HEADER, rows))
    assert (summary.rows_new, summary.rows_bad) == (1, 3)
    reasons = {e.row: e.reason for e in summary.errors}
    assert "数量过大" in reasons[2] and "数字过大" in reasons[3] and "数字过大" in reasons[4]
    assert [(e.kind, e.amount_wan) for e in events(engine)] == [("参展", 3.5)]


def test_control_characters_are_stripped_and_formulas_never_reach_a_spreadsheet(engine, tmp_path):
    from huiqi.match.report import write_xlsx

    evil = '=HYPERLINK("http://example.invalid","点此")'
    rows = [[A, "\x1b[31m红色\x1b[0m机械\u202e有限公司", "370705"], ["@SUM(1+1)", evil, "370705"]]
    path = write_csv(tmp_path / "企业.csv", ["统一社会信用代码", "企业名称", "行政区划代码"], rows)
    report = tmp_path / "错误.csv"
    summary = import_file(engine, "enterprises", path, report)
    with session_scope(engine) as session:
        assert [e.name for e in session.scalars(select(Enterprise))] == ["红色机械有限公司"]
    with report.open(encoding="utf-8-sig") as out:
        values = [r["值"] for r in csv.DictReader(out)]
    assert values == ["'@SUM(1+1)"] and summary.rows_bad == 1

    frame = pl.DataFrame(
        {"uscc": [A], "name": [evil], "document": ["-1+1"], "status": ["享受"], "payers": [[]]},
        schema_overrides={"payers": pl.List(pl.Struct({"payer": pl.String, "share": pl.Float64}))},
    )
    book = load_workbook(write_xlsx(frame, tmp_path / "x.xlsx"))
    cells = [c for row in book["应享清单"].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    risky = {c.value: c.quotePrefix for c in cells if c.value in (evil, "-1+1")}
    assert risky == {evil: True, "-1+1": True}  # kept exactly, as text

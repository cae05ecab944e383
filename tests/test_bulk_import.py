"""The bulk import path at its edges, on SQLite and PostgreSQL: an import killed half-way leaves
the database as it was, a file cut into many chunks gives the same outcome as one chunk, and a
key repeated far apart in a file is still found."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from stdnum.cn import uscc as uscc_lib

from huiqi.db.engine import session_scope
from huiqi.db.models import Enterprise, Event, ImportRun, Metric
from huiqi.registry.importer import import_file


def code(serial: int) -> str:
    body = f"913701{serial:011d}"
    return body + uscc_lib.calc_check_digit(body)


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def firms(tmp_path: Path, n: int) -> Path:
    rows = [[code(i), f"测试企业{i}有限公司", "370102"] for i in range(n)]
    return write_csv(tmp_path / "企业.csv", ["统一社会信用代码", "企业名称", "行政区划代码"], rows)


def metrics(tmp_path: Path, n: int, name: str = "指标.csv", value: int = 100) -> Path:
    rows = [[code(i), str(year), "营业收入", str(value + i)] for i in range(n) for year in (2023, 2024)]
    return write_csv(tmp_path / name, ["统一社会信用代码", "期间", "指标", "数值"], rows)


def snapshot(engine) -> tuple:
    with session_scope(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(Enterprise)),
            session.scalar(select(func.count()).select_from(Metric)),
            session.scalar(select(func.sum(Metric.value))),
            session.scalar(select(func.count()).select_from(ImportRun)),
        )


KILLED = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from huiqi.db.engine import make_engine
    from huiqi.registry.importer import import_file

    def step(text):
        print(text, flush=True)
        if text.startswith("已写入"):  # every row is written, nothing committed: wait to be killed
            time.sleep(600)

    from huiqi.registry import bulk
    bulk.KEYS_ONCE_ROWS = int(sys.argv[3])  # 0: PostgreSQL's foreign keys are dropped while it writes
    import_file(make_engine(sys.argv[1]), "metrics", Path(sys.argv[2]), step=step, chunk_rows=500)
    """
)


@pytest.mark.parametrize("keys_once", [100_000, 0])
def test_an_import_killed_half_way_leaves_the_database_as_it_was(engine, database_url, tmp_path, keys_once):
    from sqlalchemy import inspect

    keys = sorted(str(k) for k in inspect(engine).get_foreign_keys("metrics"))
    import_file(engine, "enterprises", firms(tmp_path, 2000))
    import_file(engine, "metrics", metrics(tmp_path, 2000))
    before = snapshot(engine)
    changed = metrics(tmp_path, 2000, "改.csv", value=500)
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED, database_url, str(changed), str(keys_once)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "HUIQI_LOCK_TIMEOUT": "60"},
    )
    seen = []
    try:
        for line in child.stdout:  # the import reports each step; kill it once all rows are written
            seen.append(line.strip())
            if line.startswith("已写入"):
                break
        assert seen and seen[-1].startswith("已写入"), seen
        assert any(s.startswith("已校验并暂存") for s in seen)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    engine.dispose()
    assert snapshot(engine) == before
    assert sorted(str(k) for k in inspect(engine).get_foreign_keys("metrics")) == keys
    orphans = set(Path(tempfile.gettempdir()).glob(f"huiqi-stage-{child.pid}-*.db"))  # SQLite's scratch file
    assert len(orphans) == (1 if engine.dialect.name == "sqlite" else 0)
    # the writer lock died with the process: the next import runs and is the only change
    summary = import_file(engine, "metrics", changed)
    assert (summary.rows_changed, summary.rows_new) == (4000, 0)
    assert snapshot(engine)[2] == before[2] + 400 * 4000
    assert not any(path.exists() for path in orphans)  # the next import removed the killed one's


def test_chunks_change_nothing_in_the_outcome(engine, tmp_path):
    import_file(engine, "enterprises", firms(tmp_path, 30))
    header = ["统一社会信用代码", "事项类型", "日期", "金额/万元", "数量", "级别", "说明"]
    rows = []
    for i in range(30):
        rows.append([code(i), "设备购置", f"2024-0{1 + i % 9}-15", str(10 + i), "", "", ""])
        rows.append([code(i), "参展", "2024-05-01", "3", "", "本地" if i % 2 else "境外", "展会"])
    rows.append([code(3), "设备购置", "2024-04-15", "99", "", "", "与第8行同一天"])  # repeats row 8's key
    rows.append([code(999), "参展", "2024-05-01", "3", "", "本地", ""])  # enterprise not stored
    rows.append([code(4), "设备购置", "不是日期", "1", "", "", ""])
    path = write_csv(tmp_path / "事项.csv", header, rows)
    small = import_file(engine, "events", path, tmp_path / "a.csv", chunk_rows=4)
    assert (small.rows_total, small.rows_new, small.rows_bad) == (63, 60, 3)
    reasons = {e.row: e.reason for e in small.errors}
    assert reasons[62] == "与第8行重复(统一社会信用代码+事项类型+日期相同)"
    assert "企业不在名录中" in reasons[63] and "无法识别的日期" in reasons[64]
    with session_scope(engine) as session:
        stored = sorted(
            session.execute(select(Event.uscc, Event.kind, Event.occurred_on, Event.amount_wan)).all()
        )
    again = import_file(engine, "events", path, tmp_path / "b.csv")  # one chunk: nothing new, same errors
    assert (again.rows_new, again.rows_changed, again.rows_unchanged) == (0, 0, 60)
    assert [(e.row, e.column, e.reason) for e in again.errors] == [
        (e.row, e.column, e.reason) for e in small.errors
    ]
    with session_scope(engine) as session:
        assert (
            sorted(session.execute(select(Event.uscc, Event.kind, Event.occurred_on, Event.amount_wan)).all())
            == stored
        )
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


@pytest.mark.parametrize("keys_once", [False, True])
def test_the_database_still_enforces_foreign_keys_after_an_import(engine, tmp_path, monkeypatch, keys_once):
    """The import checks every row's enterprise itself; SQLite's own foreign-key check is off on
    the import's connection, and PostgreSQL's keys are dropped and added back around a large
    write (every write counts as large here when ``keys_once``). Afterwards the keys are the
    same and the database enforces them again."""
    from sqlalchemy import inspect

    from huiqi.registry import bulk

    if keys_once:
        monkeypatch.setattr(bulk, "KEYS_ONCE_ROWS", 0)
    before = sorted(str(k) for k in inspect(engine).get_foreign_keys("metrics"))
    import_file(engine, "enterprises", firms(tmp_path, 3))
    summary = import_file(engine, "metrics", metrics(tmp_path, 5))  # two codes are not stored
    assert (summary.rows_new, summary.rows_bad) == (6, 4)
    assert {e.reason for e in summary.errors} == {"企业不在名录中,请先导入企业表(enterprises)"}
    changed = import_file(engine, "metrics", metrics(tmp_path, 3, "新指标.csv", value=500))
    assert (changed.rows_changed, changed.rows_new) == (6, 0)
    assert sorted(str(k) for k in inspect(engine).get_foreign_keys("metrics")) == before
    assert len(before) == 3
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(Metric(uscc=code(77), period="2024", indicator="营业收入", value=1.0))


def test_a_large_workbook_is_streamed_and_its_errors_name_the_spreadsheet_rows(engine, tmp_path, monkeypatch):
    """A workbook above the size opened whole is read row by row; checked in chunks of 40 rows,
    it gives the same rows, errors and row numbers as the same workbook read whole."""
    import datetime as dt

    from openpyxl import Workbook

    from huiqi.registry import reader

    import_file(engine, "enterprises", firms(tmp_path, 60))
    book = Workbook()
    sheet = book.active
    sheet.title = "事项"
    sheet.append(["2024年企业事项台账"])  # a title line, then a blank line, then the header on row 3
    sheet.append([])
    sheet.append(["统一社会信用代码", "事项类型", "日期", "金额/万元", "备注"])
    for i in range(60):
        sheet.append([code(i), "设备购置", dt.datetime(2024, 1 + i % 12, 10), 10.5 + i, f"第{i}号"])
    sheet.append([code(7), "设备购置", dt.datetime(2024, 8, 10), 1, "重复"])  # row 64 repeats row 11
    sheet.append(["91370100MA3C", "设备购置", dt.datetime(2024, 3, 1), 2, ""])  # row 65: bad code
    sheet.append([code(8), "设备购置", "不是日期", 3, ""])  # row 66
    path = tmp_path / "事项.xlsx"
    book.save(path)

    monkeypatch.setattr(reader, "_MERGE_READ_LIMIT", 0)
    stream = reader.open_table(path, "events")
    assert stream.workbook and stream.table is None and stream.header_row == 3
    streamed = import_file(engine, "events", path, tmp_path / "a.csv", chunk_rows=40)
    assert (streamed.rows_total, streamed.rows_new, streamed.rows_bad) == (63, 60, 3)
    assert streamed.sheet == "事项"
    reasons = {e.row: (e.column, e.reason) for e in streamed.errors}
    assert reasons[64] == ("统一社会信用代码", "与第11行重复(统一社会信用代码+事项类型+日期相同)")
    assert reasons[65][0] == "统一社会信用代码" and reasons[66][0] == "日期"
    with session_scope(engine) as session:
        assert session.scalar(select(func.sum(Event.amount_wan))) == sum(10.5 + i for i in range(60))

    monkeypatch.undo()  # the same workbook read whole: nothing new, the same errors
    whole = import_file(engine, "events", path, tmp_path / "b.csv")
    assert (whole.rows_new, whole.rows_unchanged) == (0, 60)
    assert [(e.row, e.column, e.reason) for e in whole.errors] == [
        (e.row, e.column, e.reason) for e in streamed.errors
    ]

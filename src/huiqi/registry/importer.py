"""``huiqi import``: read a registry file, validate every row, store the good rows in one
transaction, and write the bad ones to an error report (行号, 列, 值, 原因).

Re-importing the same file changes nothing (rows are matched by their natural keys); a file
that cannot be read at all (no such file, missing required columns) stores nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from huiqi.db.engine import data_dir, session_scope
from huiqi.db.models import ImportRun
from huiqi.registry.reader import read_table
from huiqi.registry.report import write_error_report
from huiqi.registry.schema import table_name
from huiqi.registry.store import store
from huiqi.registry.templates import write_template
from huiqi.registry.validate import RowError, validate
from huiqi.rules.vocabulary import load_vocabulary

KINDS = ("enterprises", "recognitions", "events", "metrics")
KIND_ZH = {"enterprises": "企业", "recognitions": "认定", "events": "事项", "metrics": "指标"}


@dataclass
class ImportSummary:
    """What one import did, for the command line and the import log."""

    kind: str
    path: Path
    rows_total: int
    rows_new: int
    rows_changed: int
    rows_unchanged: int
    errors: list[RowError] = field(default_factory=list)
    report: Path | None = None

    @property
    def rows_bad(self) -> int:
        return len({e.row for e in self.errors})

    def describe(self) -> str:
        """One Chinese line (plus the report path when rows were refused)."""
        line = (
            f"{KIND_ZH[self.kind]}表 {self.path.name}:共 {self.rows_total:,} 行,"
            f"新增 {self.rows_new:,},更新 {self.rows_changed:,},未变 {self.rows_unchanged:,},"
            f"有误 {self.rows_bad:,}"
        )
        if self.report:
            line += f";错误明细见 {self.report}"
        return line


def template_file(kind: str, out: Path | None) -> Path:
    """Write a blank template for ``kind`` (Chinese headers plus a 说明 sheet)."""
    name = table_name(kind)
    path = out or Path(f"{KIND_ZH[name]}模板.xlsx")
    write_template(name, path)
    return path


def import_file(
    engine: Engine,
    kind: str,
    path: Path,
    report: Path | None = None,
    step: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Validate and store one file; raises a RegistryFileError when the file as a whole is unusable.

    ``step`` is told (in Chinese) which phase is running, for a progress display.
    """
    step = step or (lambda _: None)
    name = table_name(kind)
    step(f"读取 {path.name}")
    raw = read_table(path, name)
    step(f"校验 {len(raw.rows):,} 行")
    result = validate(raw, load_vocabulary())
    errors = list(result.errors)
    records = result.records
    rows = [r.pop("row") for r in records]
    step(f"写入数据库({len(records):,} 行)")
    with session_scope(engine) as session:
        outcome = store(session, name, records, rows, header=raw.header("uscc"))
        errors.extend(outcome.errors)
        session.add(
            ImportRun(
                kind=name,
                file_name=path.name,
                sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                rows_total=len(raw.rows),
                rows_ok=outcome.new + outcome.changed + outcome.unchanged,
                rows_bad=len({e.row for e in errors}),
                rows_new=outcome.new,
                rows_changed=outcome.changed,
            )
        )
    summary = ImportSummary(
        name, path, len(raw.rows), outcome.new, outcome.changed, outcome.unchanged, errors
    )
    if errors:
        errors.sort(key=lambda e: (e.row, e.column))
        target = report or data_dir() / "import-errors" / f"{path.stem}.错误报告.csv"
        summary.report = write_error_report(errors, target)
    return summary

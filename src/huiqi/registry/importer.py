"""``huiqi import``: read a registry file, validate every row, store the good rows in one
transaction, and write the bad ones to an error report (行号, 列, 值, 原因).

Three modes, each recorded in the import history (``import_runs``):

* **导入** (default): new rows are added, rows already stored are corrected in place (see
  :mod:`huiqi.registry.store` for what identifies a row), rows stored as they are stay
  untouched — so re-importing the same file changes nothing;
* **替换** (``replace=True``): the same, and then every stored row that came from the same
  source (the file name, or ``source``) and is missing from this file is withdrawn;
* **撤回** (``withdraw=True``): the file lists rows to withdraw.

A row whose 认定 or 事项 kind is not in the vocabulary is kept aside (:class:`PendingRow`) for
an officer to map (:func:`map_kind`), never dropped. A file that cannot be read at all (no
such file, missing required columns) stores nothing, and neither does an import that fails
halfway: everything happens in one transaction under the database's writer lock.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from huiqi.db.engine import data_dir, session_scope
from huiqi.db.locks import writer_lock
from huiqi.db.models import ImportRun, KindMapping, PendingRow
from huiqi.errors import HuiqiError
from huiqi.registry.errors import UnreadableTableError
from huiqi.registry.reader import RawRow, RawTable, read_table
from huiqi.registry.report import write_error_report
from huiqi.registry.schema import table_name, table_spec
from huiqi.registry.store import store, withdraw_listed, withdraw_missing
from huiqi.registry.templates import write_template
from huiqi.registry.validate import RowError, show, validate
from huiqi.rules.vocabulary import Resolved, load_vocabulary, squash

KINDS = ("enterprises", "recognitions", "events", "metrics", "products", "demands")
KIND_ZH = {
    "enterprises": "企业",
    "recognitions": "认定",
    "events": "事项",
    "metrics": "指标",
    "products": "产品",
    "demands": "需求",
}
MODE_IMPORT, MODE_REPLACE, MODE_WITHDRAW = "导入", "替换", "撤回"
_VOCAB_TABLE = {"recognitions": "recognition", "events": "event"}


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
    rows_withdrawn: int = 0
    warnings: list[RowError] = field(default_factory=list)
    rows_pending: int = 0
    mode: str = MODE_IMPORT
    sheet: str | None = None

    @property
    def rows_bad(self) -> int:
        return len({e.row for e in self.errors})

    def describe(self) -> str:
        """One Chinese line (plus the report path when rows were refused or warned about)."""
        where = f"(工作表“{self.sheet}”)" if self.sheet else ""
        if self.mode == MODE_WITHDRAW:
            line = (
                f"{KIND_ZH[self.kind]}表 {self.path.name}{where} 撤回:共 {self.rows_total:,} 行,"
                f"已撤回 {self.rows_withdrawn:,},有误 {self.rows_bad:,}"
            )
        else:
            line = (
                f"{KIND_ZH[self.kind]}表 {self.path.name}{where}:共 {self.rows_total:,} 行,"
                f"新增 {self.rows_new:,},更新 {self.rows_changed:,},未变 {self.rows_unchanged:,},"
                f"有误 {self.rows_bad:,}"
            )
            if self.mode == MODE_REPLACE:
                line += f",撤回文件中已没有的 {self.rows_withdrawn:,}"
            if self.rows_pending:
                line += f";{self.rows_pending:,} 行的类型不在词表中,已暂存待对应(huiqi registry kinds)"
            if self.warnings:
                line += f";{len(self.warnings):,} 行疑似重复,已导入但相关奖补改为需申报"
        if self.report:
            line += f";明细见 {self.report}"
        return line


def template_file(kind: str, out: Path | None) -> Path:
    """Write a blank template for ``kind`` (Chinese headers plus a 说明 sheet)."""
    name = table_name(kind)
    path = out or Path(f"{KIND_ZH[name]}模板.xlsx")
    write_template(name, path)
    return path


def load_mappings(session: Session) -> dict[tuple[str, str], Resolved]:
    """Officers' kind mappings: (vocabulary table, name as written) → the kind it means."""
    return {
        (m.table, m.raw): Resolved(m.table, m.kind, m.level)  # type: ignore[arg-type]
        for m in session.scalars(select(KindMapping))
    }


def import_file(
    engine: Engine,
    kind: str,
    path: Path,
    report: Path | None = None,
    step: Callable[[str], None] | None = None,
    replace: bool = False,
    withdraw: bool = False,
    source: str | None = None,
) -> ImportSummary:
    """Validate and store one file; raises a RegistryFileError when the file as a whole is unusable.

    ``step`` is told (in Chinese) which phase is running, for a progress display.
    """
    if replace and withdraw:
        raise HuiqiError("--replace 与 --delete 不能同时使用")
    step = step or (lambda _: None)
    name = table_name(kind)
    mode = MODE_WITHDRAW if withdraw else MODE_REPLACE if replace else MODE_IMPORT
    source = source or path.name
    step(f"读取 {path.name}")
    raw = read_table(path, name)
    if not raw.rows:
        raise UnreadableTableError(path, "只有表头,没有数据行", raw.sheet)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    step(f"等待写入权限并校验 {len(raw.rows):,} 行")
    with writer_lock(engine), session_scope(engine) as session:
        result = validate(raw, load_vocabulary(), load_mappings(session))
        errors = list(result.errors)
        records = result.records
        rows = [r.pop("row") for r in records]
        run = ImportRun(
            kind=name,
            mode=mode,
            source=source,
            sheet=raw.sheet,
            file_name=path.name,
            sha256=digest,
            rows_total=len(raw.rows),
            rows_ok=0,
            rows_bad=0,
            rows_new=0,
            rows_changed=0,
        )
        session.add(run)
        session.flush()
        step(f"写入数据库({len(records):,} 行)")
        summary = ImportSummary(name, path, len(raw.rows), 0, 0, 0, mode=mode, sheet=raw.sheet)
        if withdraw:
            outcome = withdraw_listed(session, name, records, rows, run.id)
            summary.rows_withdrawn = outcome.withdrawn
        else:
            pending = [i for i, r in enumerate(records) if r.get("pending_kind")]
            if pending:
                summary.rows_pending = _keep_pending(session, name, records, rows, pending, run.id, raw)
                summary.warnings.extend(_pending_notes(raw, records, rows, pending))
                keep = set(range(len(records))) - set(pending)
                records = [r for i, r in enumerate(records) if i in keep]
                rows = [n for i, n in enumerate(rows) if i in keep]
            header = raw.header("uscc") if "uscc" in {c.name for c in raw.spec.columns} else ""
            outcome = store(session, name, records, rows, header=header, source=source, run_id=run.id)
            summary.rows_new, summary.rows_changed = outcome.new, outcome.changed
            summary.rows_unchanged = outcome.unchanged
            if replace:
                summary.rows_withdrawn = withdraw_missing(session, name, source, outcome, run.id)
            summary.warnings.extend(outcome.warnings)
        errors.extend(outcome.errors)
        summary.errors = sorted(errors, key=lambda e: (e.row, e.column))
        run.rows_ok = summary.rows_new + summary.rows_changed + summary.rows_unchanged
        run.rows_bad = summary.rows_bad
        run.rows_new, run.rows_changed = summary.rows_new, summary.rows_changed
        run.rows_withdrawn, run.rows_warned = summary.rows_withdrawn, len(summary.warnings)
    if summary.errors or summary.warnings:
        target = report or data_dir() / "import-errors" / f"{path.stem}.错误报告.csv"
        summary.report = write_error_report(summary.errors, target, summary.warnings, raw.sheet)
    return summary


def _keep_pending(
    session: Session,
    name: str,
    records: list[dict[str, Any]],
    rows: list[int],
    pending: list[int],
    run_id: int,
    raw: RawTable,
) -> int:
    by_row = {r.row: r for r in raw.rows}
    for index in pending:
        record = records[index]
        session.add(
            PendingRow(
                table=name,
                raw_kind=squash(record["pending_kind"]),
                uscc=record["uscc"],
                row=rows[index],
                record=_raw_values(by_row[rows[index]]),
                import_run_id=run_id,
            )
        )
    return len(pending)


def _raw_values(row: RawRow) -> dict[str, Any]:
    """The row as the official wrote it (cells as text), to be checked again once mapped."""
    return {
        "values": {k: show(v) if v is not None else None for k, v in row.values.items()},
        "extras": {k: show(v) for k, v in row.extras.items()},
    }


def _pending_notes(raw: RawTable, records: list[dict], rows: list[int], pending: list[int]) -> list[RowError]:
    table = "认定" if raw.kind == "recognitions" else "事项"
    return [
        RowError(
            rows[i],
            raw.header("kind"),
            records[i]["pending_kind"],
            f"未知{table}类型:已暂存,待管理员用 huiqi registry map-kind 对应到词表中的类型后生效",
            "kind",
        )
        for i in pending
    ]


@dataclass
class PendingKind:
    """A name written in the registry that no vocabulary kind matches yet, with its rows."""

    table: str
    raw_kind: str
    rows: int
    enterprises: int


def pending_kinds(engine: Engine) -> list[PendingKind]:
    """Every unmapped kind name with how many rows and enterprises wait for it, most first."""
    with session_scope(engine) as session:
        counts: Counter[tuple[str, str]] = Counter()
        firms: dict[tuple[str, str], set[str]] = {}
        for table, raw_kind, uscc in session.execute(
            select(PendingRow.table, PendingRow.raw_kind, PendingRow.uscc)
        ):
            counts[(table, raw_kind)] += 1
            firms.setdefault((table, raw_kind), set()).add(uscc)
    return [PendingKind(t, k, n, len(firms[(t, k)])) for (t, k), n in counts.most_common()]


def map_kind(engine: Engine, kind: str, raw: str, canonical: str, level: str | None = None) -> ImportSummary:
    """Map a name written in the registry to a vocabulary kind and import the rows waiting for it.

    The mapping is kept (``kind_mappings``) so later imports resolve the name too. The waiting
    rows are checked again like a new import; rows still in error stay waiting.
    """
    name = table_name(kind)
    if name not in _VOCAB_TABLE:
        raise HuiqiError("只有认定表和事项表有类型需要对应")
    table = _VOCAB_TABLE[name]
    vocab = load_vocabulary()
    if (table, canonical) not in vocab.kinds:
        known = "、".join(vocab.kinds_of(table)[:12])
        raise HuiqiError(f"词表中没有{KIND_ZH[name]}类型“{canonical}”(例如:{known} …)")
    info = vocab.info(table, canonical)
    if level and level not in info.levels:
        raise HuiqiError(f"{canonical}没有{level}(可选:{'/'.join(info.levels) or '不分级别'})")
    key = squash(raw)
    with writer_lock(engine), session_scope(engine) as session:
        existing = session.scalar(
            select(KindMapping).where(KindMapping.table == table, KindMapping.raw == key)
        )
        if existing is None:
            session.add(KindMapping(table=table, raw=key, kind=canonical, level=level))
        else:
            existing.kind, existing.level = canonical, level
        session.flush()
        waiting = list(
            session.scalars(select(PendingRow).where(PendingRow.table == name, PendingRow.raw_kind == key))
        )
        if not waiting:
            raise HuiqiError(f"没有等待对应的{KIND_ZH[name]}类型“{raw}”(huiqi registry kinds 查看)")
        table_raw = _pending_table(name, waiting)
        result = validate(table_raw, vocab, load_mappings(session))
        records = result.records
        rows = [r.pop("row") for r in records]
        run = ImportRun(
            kind=name,
            mode=MODE_IMPORT,
            source=f"词表对应:{raw}",
            file_name=f"暂存行({raw})",
            sha256="",
            rows_total=len(waiting),
            rows_ok=0,
            rows_bad=0,
            rows_new=0,
            rows_changed=0,
        )
        session.add(run)
        session.flush()
        outcome = store(session, name, records, rows, source=run.source, run_id=run.id)
        stored_rows = set(rows) - {e.row for e in outcome.errors}
        done = [p.id for p in waiting if p.row in stored_rows]
        session.execute(delete(PendingRow).where(PendingRow.id.in_(done)))
        run.rows_ok, run.rows_new, run.rows_changed = len(done), outcome.new, outcome.changed
        errors = sorted([*result.errors, *outcome.errors], key=lambda e: e.row)
        run.rows_bad = len({e.row for e in errors})
    summary = ImportSummary(
        name, Path(run.file_name), len(waiting), outcome.new, outcome.changed, outcome.unchanged
    )
    summary.errors, summary.warnings = errors, outcome.warnings
    return summary


def _pending_table(name: str, waiting: Sequence[PendingRow]) -> RawTable:
    """The waiting rows as a table again, numbered as in their original files."""
    spec = table_spec(name)
    rows = [RawRow(p.row, dict(p.record["values"]), dict(p.record["extras"])) for p in waiting]
    headers = {c.name: c.zh for c in spec.columns}
    return RawTable(spec.name, Path("暂存行"), headers, [], rows)

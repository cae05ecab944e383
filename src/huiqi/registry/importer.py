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

import contextlib
import csv
import heapq
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.orm import Session

from huiqi.db.engine import data_dir, session_scope
from huiqi.db.locks import writer_lock
from huiqi.db.models import ImportRun, KindMapping, PendingRow
from huiqi.errors import HuiqiError
from huiqi.exports import safe_row
from huiqi.registry.bulk import REPORT_LIMIT, BulkStore, import_connection
from huiqi.registry.columnar import CHUNK_ROWS, records_chunks, validated_chunks
from huiqi.registry.errors import UnreadableTableError
from huiqi.registry.reader import RawRow, RawTable, open_table
from huiqi.registry.report import KEPT, REFUSED, REPORT_HEADER
from huiqi.registry.schema import table_name, table_spec
from huiqi.registry.templates import write_template
from huiqi.registry.validate import RowError, validate
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
    refused: int | None = None  # rows refused, when more were than ``errors`` holds

    @property
    def rows_bad(self) -> int:
        if self.refused is not None:
            return self.refused
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


def load_mappings(session: Session | Connection) -> dict[tuple[str, str], Resolved]:
    """Officers' kind mappings: (vocabulary table, name as written) → the kind it means."""
    query = select(KindMapping.table, KindMapping.raw, KindMapping.kind, KindMapping.level)
    return {
        (table, raw): Resolved(table, kind, level)  # type: ignore[arg-type]
        for table, raw, kind, level in session.execute(query)
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
    chunk_rows: int = CHUNK_ROWS,
) -> ImportSummary:
    """Validate and store one file; raises a RegistryFileError when the file as a whole is unusable.

    The file is read and checked ``chunk_rows`` rows at a time and staged in the database
    (:mod:`huiqi.registry.bulk`), so memory is bounded by the chunk, not the file. ``step`` is
    told (in Chinese) which phase is running, for a progress display.
    """
    if replace and withdraw:
        raise HuiqiError("--replace 与 --delete 不能同时使用")
    step = step or (lambda _: None)
    name = table_name(kind)
    mode = MODE_WITHDRAW if withdraw else MODE_REPLACE if replace else MODE_IMPORT
    source = source or path.name
    step(f"读取 {path.name}")
    stream = open_table(path, name)
    has_uscc = "uscc" in {c.name for c in stream.spec.columns}
    step("等待写入权限")
    summary = ImportSummary(name, path, 0, 0, 0, 0, mode=mode, sheet=stream.sheet)
    vocab = load_vocabulary()
    with writer_lock(engine), engine.connect() as opened, import_connection(opened) as conn:
        bulk: BulkStore | None = None
        try:
            with conn.begin():
                run_id = _new_run(conn, name, mode, source, stream.sheet, path.name, stream.digest, 0)
                bulk = BulkStore(conn, name, stream.headers, stream.header, check_enterprises=not withdraw)
                for chunk in validated_chunks(stream, vocab, load_mappings(conn), chunk_rows):
                    bulk.add(chunk)
                    step(f"已校验并暂存 {bulk.rows_seen:,} 行")
                if bulk.rows_seen == 0:
                    raise UnreadableTableError(path, "只有表头,没有数据行", stream.sheet)
                key = {MODE_IMPORT: "import", MODE_REPLACE: "replace", MODE_WITHDRAW: "withdraw"}[mode]
                outcome = bulk.finish(key, source, run_id, stream.header("uscc") if has_uscc else "", step)
                summary.rows_total = bulk.rows_seen
                summary.rows_new, summary.rows_changed = outcome.new, outcome.changed
                summary.rows_unchanged, summary.rows_withdrawn = outcome.unchanged, outcome.withdrawn
                summary.rows_pending, summary.refused = outcome.pending, outcome.refused
                conn.execute(
                    update(ImportRun)
                    .where(ImportRun.id == run_id)
                    .values(
                        rows_total=bulk.rows_seen,
                        rows_ok=outcome.new + outcome.changed + outcome.unchanged,
                        rows_bad=outcome.refused,
                        rows_new=outcome.new,
                        rows_changed=outcome.changed,
                        rows_withdrawn=outcome.withdrawn,
                        rows_warned=outcome.warned,
                    )
                )
            summary.errors = list(bulk.issues(False, REPORT_LIMIT))
            summary.warnings = list(bulk.issues(True, REPORT_LIMIT))
            if summary.errors or summary.warnings:
                target = report or data_dir() / "import-errors" / f"{path.stem}.错误报告.csv"
                summary.report = _write_report(bulk, target, stream.sheet)
        finally:
            if bulk is not None:
                with contextlib.suppress(Exception):
                    bulk.close()
    return summary


def _new_run(
    conn: Connection,
    kind: str,
    mode: str,
    source: str,
    sheet: str | None,
    file_name: str,
    digest: str,
    total: int,
) -> int:
    values = {
        "kind": kind,
        "mode": mode,
        "source": source,
        "sheet": sheet,
        "file_name": file_name,
        "sha256": digest,
        "rows_total": total,
        "rows_ok": 0,
        "rows_bad": 0,
        "rows_new": 0,
        "rows_changed": 0,
        "rows_withdrawn": 0,
        "rows_warned": 0,
    }
    return conn.execute(insert(ImportRun).values(**values).returning(ImportRun.id)).scalar_one()


def _write_report(bulk: BulkStore, path: Path, sheet: str | None) -> Path:
    """The error report (see :mod:`huiqi.registry.report`), written as the errors are read back
    in row order: errors before warnings of the same row, never all of them in memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    errors = ((e.row, 0, e, REFUSED) for e in bulk.issues(False))
    warnings = ((w.row, 1, w, "已暂存,待对应类型" if w.field == "kind" else KEPT) for w in bulk.issues(True))
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(REPORT_HEADER)
        for _, _, e, handling in heapq.merge(errors, warnings, key=lambda item: (item[0], item[1])):
            writer.writerow(safe_row((e.row, e.column, e.value, e.reason, handling, sheet or "")))
    return path


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
    with writer_lock(engine), engine.connect() as conn:
        bulk: BulkStore | None = None
        try:
            with conn.begin():
                existing = conn.execute(
                    select(KindMapping.id).where(KindMapping.table == table, KindMapping.raw == key)
                ).scalar()
                if existing is None:
                    conn.execute(
                        insert(KindMapping).values(table=table, raw=key, kind=canonical, level=level)
                    )
                else:
                    conn.execute(
                        update(KindMapping)
                        .where(KindMapping.id == existing)
                        .values(kind=canonical, level=level)
                    )
                waiting = list(
                    Session(bind=conn).scalars(
                        select(PendingRow).where(PendingRow.table == name, PendingRow.raw_kind == key)
                    )
                )
                if not waiting:
                    raise HuiqiError(f"没有等待对应的{KIND_ZH[name]}类型“{raw}”(huiqi registry kinds 查看)")
                table_raw = _pending_table(name, waiting)
                result = validate(table_raw, vocab, load_mappings(conn))
                run_source = f"词表对应:{raw}"
                run_id = _new_run(
                    conn, name, MODE_IMPORT, run_source, None, f"暂存行({raw})", "", len(waiting)
                )
                bulk = BulkStore(conn, name, table_raw.headers, table_raw.header)
                for chunk in records_chunks(table_raw, result.records, result.errors):
                    bulk.add(chunk)
                outcome = bulk.finish("import", run_source, run_id, "统一社会信用代码")
                stored_rows = set(bulk.stored_rows())
                done = [p.id for p in waiting if p.row in stored_rows]
                for start in range(0, len(done), 5000):
                    conn.execute(delete(PendingRow).where(PendingRow.id.in_(done[start : start + 5000])))
                conn.execute(
                    update(ImportRun)
                    .where(ImportRun.id == run_id)
                    .values(
                        rows_ok=len(done),
                        rows_new=outcome.new,
                        rows_changed=outcome.changed,
                        rows_bad=outcome.refused,
                        rows_warned=outcome.warned,
                    )
                )
            errors = list(bulk.issues(False, REPORT_LIMIT))
            warnings = list(bulk.issues(True, REPORT_LIMIT))
        finally:
            if bulk is not None:
                with contextlib.suppress(Exception):
                    bulk.close()
    summary = ImportSummary(
        name, Path(f"暂存行({raw})"), len(waiting), outcome.new, outcome.changed, outcome.unchanged
    )
    summary.errors, summary.warnings = errors, warnings
    return summary


def _pending_table(name: str, waiting: Sequence[PendingRow]) -> RawTable:
    """The waiting rows as a table again, numbered as in their original files."""
    spec = table_spec(name)
    rows = [RawRow(p.row, dict(p.record["values"]), dict(p.record["extras"])) for p in waiting]
    headers = {c.name: c.zh for c in spec.columns}
    return RawTable(spec.name, Path("暂存行"), headers, [], rows)

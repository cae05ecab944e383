"""The error report (错误报告) of an import: one line per bad cell, for the official to fix.

A CSV in UTF-8 with BOM, so that Excel on a Chinese Windows opens it without garbling, with
the columns 行号, 列, 值, 原因, 处理 (未导入 for a refused row; 已导入,请核实 or 已暂存 for a
row kept with a warning) and 工作表 (for workbooks). Cells are neutralised
(:mod:`huiqi.exports`): the value a user typed is shown as text, never run as a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from huiqi.exports import safe_row
from huiqi.registry.validate import RowError

REPORT_HEADER = ("行号", "列", "值", "原因", "处理", "工作表")
REFUSED, KEPT = "未导入", "已导入,请核实"


def write_error_report(
    errors: Iterable[RowError],
    path: Path | str,
    warnings: Iterable[RowError] = (),
    sheet: str | None = None,
) -> Path:
    """Write ``errors`` and ``warnings`` in row order to ``path`` (folders created); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [(e, REFUSED) for e in errors]
    lines += [(w, "已暂存,待对应类型" if w.field == "kind" else KEPT) for w in warnings]
    lines.sort(key=lambda item: item[0].row)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(REPORT_HEADER)
        writer.writerows(
            safe_row((e.row, e.column, e.value, e.reason, handling, sheet or "")) for e, handling in lines
        )
    return path

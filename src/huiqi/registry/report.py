"""The error report (错误报告) of an import: one line per bad cell, for the official to fix.

A CSV in UTF-8 with BOM, so that Excel on a Chinese Windows opens it without garbling, with
the columns 行号, 列, 值, 原因.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from huiqi.registry.validate import RowError

REPORT_HEADER = ("行号", "列", "值", "原因")


def write_error_report(errors: Iterable[RowError], path: Path | str) -> Path:
    """Write ``errors`` in row order to ``path`` (folders created as needed); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(errors, key=lambda e: e.row)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(REPORT_HEADER)
        writer.writerows((e.row, e.column, e.value, e.reason) for e in ordered)
    return path

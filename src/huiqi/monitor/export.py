"""Excel workbooks of the monitoring lists; a text cell never becomes a formula
(:func:`huiqi.exports.xlsx_cell`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from huiqi.exports import xlsx_cell


def _cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, list | tuple):
        value = "、".join(str(v) for v in value)
    if isinstance(value, float):
        return round(value, 4)
    return xlsx_cell(sheet, value)


def write_workbook(
    path: Path, sheets: Iterable[tuple[str, Sequence[tuple[str, str]], Iterable[dict]]]
) -> Path:
    """One sheet per (title, [(key, 中文表头)], rows); returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title[:31])
        head = []
        for _, zh in headers:
            cell = WriteOnlyCell(sheet, value=zh)
            cell.data_type = "s"
            cell.font = Font(bold=True)
            head.append(cell)
        sheet.append(head)
        for row in rows:
            sheet.append([_cell(sheet, row.get(key)) for key, _ in headers])
    book.save(path)
    return path

"""Excel workbooks of the monitoring lists; a text cell never becomes a formula.

openpyxl stores a string starting with ``=`` as a formula, and Excel reads a cell typed as
``+``, ``-`` or ``@`` as one when it is edited. Every text cell here is written as a string
(``data_type = "s"``) and, when it starts with one of those characters, with Excel's quote
prefix, so a name such as ``=HYPERLINK(…)`` from an imported file stays text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

RISKY = ("=", "+", "-", "@", "\t", "\r")


def _cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, list | tuple):
        value = "、".join(str(v) for v in value)
    if isinstance(value, float):
        return round(value, 4)
    if value is None or isinstance(value, int | dt.date):
        return value
    text = str(value)
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    if text.startswith(RISKY):
        cell.quotePrefix = True
    return cell


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

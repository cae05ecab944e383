"""Writing user-supplied text into spreadsheets safely (导出安全).

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is
read by Excel, WPS and LibreOffice as a formula: ``=HYPERLINK("http://…")`` in an enterprise
name would become a live link in an officer's export. So:

* in a workbook every text cell is written as a string cell (:func:`xlsx_cell`), and one that
  starts with such a character also carries Excel's quote prefix: the text is kept exactly,
  shown as typed, and stays text even when an officer edits the cell;
* in a CSV file (which has no cell types) such text gets an apostrophe in front
  (:func:`neutralise`), the usual way to say "this is text" in a spreadsheet.

Numbers, dates and ``None`` pass unchanged.

>>> neutralise("=1+1"), neutralise("@SUM(A1)"), neutralise("-3"), neutralise("济南"), neutralise(-3)
("'=1+1", "'@SUM(A1)", "'-3", '济南', -3)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def neutralise(value: Any) -> Any:
    """``value`` as it may go into a cell: text that a spreadsheet would run is made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A whole row of cells through :func:`neutralise`."""
    return [neutralise(v) for v in values]


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """A value for a write-only openpyxl sheet: text as a string cell, never a formula."""
    if value is None or isinstance(value, bool | int | float | dt.date):
        return value
    from openpyxl.cell import WriteOnlyCell

    text = str(value)
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A whole row through :func:`xlsx_cell`."""
    return [xlsx_cell(sheet, v) for v in values]


def listed_cell(sheet: Any, value: Any) -> Any:
    """:func:`xlsx_cell` for a list row's value: a list joined with 、, a float to 4 places."""
    if isinstance(value, list | tuple):
        value = "、".join(str(v) for v in value)
    if isinstance(value, float):
        return round(value, 4)
    return xlsx_cell(sheet, value)


def add_sheet(
    book: Any,
    title: str,
    headers: Sequence[tuple[str, str]],
    rows: Iterable[dict],
    widths: Sequence[float] = (),
) -> Any:
    """A sheet of ``rows`` in a write-only workbook: bold Chinese headers from ``[(key, 表头)]``,
    then one row per dict through :func:`listed_cell`; returns the sheet."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    head = []
    for _, zh in headers:
        cell = WriteOnlyCell(sheet, value=zh)
        cell.data_type = "s"
        cell.font = Font(bold=True)
        head.append(cell)
    sheet.append(head)
    for row in rows:
        sheet.append([listed_cell(sheet, row.get(key)) for key, _ in headers])
    return sheet

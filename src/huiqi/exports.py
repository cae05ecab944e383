"""Writing user-supplied text into spreadsheets safely (导出安全).

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is
read by Excel, WPS and LibreOffice as a formula: ``=HYPERLINK("http://…")`` in an enterprise
name would become a live link in an officer's export. Every export and error report passes
its cells through :func:`neutralise`, which puts an apostrophe in front of such text, the
usual way to say "this is text" in a spreadsheet. Numbers, dates and ``None`` pass unchanged.

>>> neutralise("=1+1"), neutralise("@SUM(A1)"), neutralise("-3"), neutralise("济南"), neutralise(-3)
("'=1+1", "'@SUM(A1)", "'-3", '济南', -3)
"""

from __future__ import annotations

from collections.abc import Iterable
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

"""Excel workbooks of the monitoring lists; a text cell never becomes a formula
(:func:`huiqi.exports.add_sheet`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook

from huiqi.exports import add_sheet


def write_workbook(
    path: Path, sheets: Iterable[tuple[str, Sequence[tuple[str, str]], Iterable[dict]]]
) -> Path:
    """One sheet per (title, [(key, 中文表头)], rows); returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        add_sheet(book, title, headers, rows)
    book.save(path)
    return path

"""Reading a registry table (名录表) from CSV or .xlsx into raw rows, cells untouched.

* CSV: UTF-8 with or without BOM, GB18030 (what Excel saves on a Chinese Windows) or UTF-16
  with BOM; comma, tab or semicolon separated, whichever the header line uses.
* .xlsx / .xlsm: the sheet named like the table (``认定`` or ``recognitions``), else the only
  sheet, else the first sheet not named for another table.

Headers are matched to column names ignoring case, spaces, full-width forms and brackets.
A title line above the header row (``2024年专精特新企业名单``) is skipped. Every row keeps
its spreadsheet row number (the header is row 1 when nothing is above it); blank rows are
dropped. Values are checked later, by :mod:`huiqi.registry.validate`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huiqi.registry.errors import DuplicateColumnError, MissingColumnsError, UnreadableTableError
from huiqi.registry.schema import TableName, TableSpec, column_for_header, header_key, sheet_names, table_spec

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_HEADER_SEARCH = 10  # rows looked at for the header line
_STRIP = " \t\r\n\u3000\u00a0\ufeff"


@dataclass
class RawRow:
    """One data row: ``values`` by English column name, ``extras`` by header as written."""

    row: int
    values: dict[str, Any]
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class RawTable:
    """A table as read: which columns the headers name, and its non-blank rows."""

    kind: TableName
    path: Path
    headers: dict[str, str]  # English column name → header as written in the file
    extra_headers: list[str]
    rows: list[RawRow]
    sheet: str | None = None
    header_row: int = 1

    @property
    def spec(self) -> TableSpec:
        return table_spec(self.kind)

    def header(self, column: str) -> str:
        """The header the file used for ``column`` (the spec's Chinese header if absent)."""
        return self.headers.get(column) or self.spec.column(column).zh


def read_table(path: Path | str, kind: str) -> RawTable:
    """Read ``path`` as a table of ``kind`` (English or Chinese: ``events`` / ``事项``).

    Raises :class:`~huiqi.registry.errors.UnreadableTableError` for a file that cannot be
    read, :class:`~huiqi.registry.errors.MissingColumnsError` when a required column is
    absent and :class:`~huiqi.registry.errors.DuplicateColumnError` when two headers name
    the same column.
    """
    spec = table_spec(kind)
    path = Path(path)
    if not path.is_file():
        raise UnreadableTableError(path, "文件不存在")
    sheet, rows = _read_cells(path, spec)
    numbered = [(n, cells) for n, cells in rows if not _blank(cells)]
    if not numbered:
        raise UnreadableTableError(path, "表格为空" + (f"(工作表 {sheet})" if sheet else ""))
    header_index = _find_header(numbered, spec)
    header_row, header_cells = numbered[header_index]
    columns, extras = _map_headers(path, spec, header_cells)
    missing = [f"{c.zh}({c.name})" for c in spec.required if c.name not in columns.values()]
    if missing:
        raise MissingColumnsError(path, missing)
    headers = {name: _text(header_cells[i]) for i, name in columns.items()}
    data = [_raw_row(n, cells, columns, extras) for n, cells in numbered[header_index + 1 :]]
    used = {h for r in data for h in r.extras}
    named = [h for i, h in extras.items() if _text(header_cells[i]) or h in used]
    return RawTable(spec.name, path, headers, named, data, sheet, header_row)


def _read_cells(path: Path, spec: TableSpec) -> tuple[str | None, list[tuple[int, list[Any]]]]:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise UnreadableTableError(path, "不支持旧版.xls文件,请另存为.xlsx或CSV")
    if suffix in XLSX_SUFFIXES or (suffix not in CSV_SUFFIXES and zipfile.is_zipfile(path)):
        return _read_xlsx(path, spec)
    return None, list(enumerate(_read_csv(path), start=1))


# --- CSV ------------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (BOM or not), UTF-16 with BOM, or GB18030.

    >>> decode("名称".encode("gb18030")), decode(b"\\xef\\xbb\\xbfuscc")
    ('名称', 'uscc')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _read_csv(path: Path) -> list[list[Any]]:
    data = path.read_bytes()
    if not data.strip():
        raise UnreadableTableError(path, "文件为空")
    try:
        text = decode(data)
    except UnicodeDecodeError:
        raise UnreadableTableError(path, "无法识别文件编码(应为UTF-8或GB18030)") from None
    if "\x00" in text:
        raise UnreadableTableError(path, "不是文本表格(CSV)文件")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [[_cell(c) for c in row] for row in reader]


# --- xlsx -----------------------------------------------------------------------------------


def _read_xlsx(path: Path, spec: TableSpec) -> tuple[str, list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged or encrypted files
        raise UnreadableTableError(path, f"不是有效的.xlsx文件({type(exc).__name__})") from None
    try:
        sheet = book[_pick_sheet(path, book.sheetnames, spec)]
        rows = [(n, [_cell(c) for c in cells]) for n, cells in _sheet_rows(sheet)]
        return sheet.title, rows
    finally:
        book.close()


def _sheet_rows(sheet: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Rows with their true row numbers (read-only sheets may skip empty rows)."""
    for cells in sheet.iter_rows():
        number = next((c.row for c in cells if getattr(c, "row", None)), None)
        if number is not None:
            yield number, tuple(c.value for c in cells)


def _pick_sheet(path: Path, names: list[str], spec: TableSpec) -> str:
    wanted = {header_key(n) for n in sheet_names(spec.name)}
    for name in names:
        if header_key(name) in wanted:
            return name
    if len(names) == 1:
        return names[0]
    others = {
        header_key(n) for t in ("enterprises", "recognitions", "events", "metrics") for n in sheet_names(t)
    }
    free = [n for n in names if header_key(n) not in others and header_key(n) not in {"说明", "填表说明"}]
    if not free:
        raise UnreadableTableError(path, f"工作簿中没有“{spec.zh}”({spec.name})工作表")
    return free[0]


# --- rows and headers -----------------------------------------------------------------------


def _cell(value: Any) -> Any:
    """A cell with surrounding spaces removed; empty text becomes None."""
    if isinstance(value, str):
        value = value.strip(_STRIP)
        return value or None
    return value


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip(_STRIP)


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip(_STRIP)) for c in cells)


def _find_header(rows: list[tuple[int, list[Any]]], spec: TableSpec) -> int:
    """Index (in ``rows``) of the header line: the first that names two known columns."""
    needed = min(2, len(spec.columns))
    for index, (_, cells) in enumerate(rows[:_HEADER_SEARCH]):
        known = {column_for_header(spec.name, _text(c)) for c in cells if c is not None} - {None}
        if len(known) >= needed:
            return index
    return 0


def _map_headers(path: Path, spec: TableSpec, cells: list[Any]) -> tuple[dict[int, str], dict[int, str]]:
    """Position → English column name, and position → header of each extra column."""
    columns: dict[int, str] = {}
    extras: dict[int, str] = {}
    for i, cell in enumerate(cells):
        header = _text(cell)
        name = column_for_header(spec.name, header) if header else None
        if name is None:
            label = header or f"第{i + 1}列"
            if label in extras.values():
                label = f"{label}(第{i + 1}列)"
            extras[i] = label
            continue
        if name in columns.values():
            first = next(_text(cells[j]) for j, n in columns.items() if n == name)
            raise DuplicateColumnError(path, name, [first, header])
        columns[i] = name
    return columns, extras


def _raw_row(number: int, cells: list[Any], columns: dict[int, str], extras: dict[int, str]) -> RawRow:
    def at(i: int) -> Any:
        return cells[i] if i < len(cells) else None

    values = {name: at(i) for i, name in columns.items()}
    extra = {header: at(i) for i, header in extras.items() if at(i) is not None}
    return RawRow(number, values, extra)

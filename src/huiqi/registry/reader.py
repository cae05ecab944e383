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

import codecs
import csv
import hashlib
import io
import itertools
import re
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
# Terminal escape sequences, other control characters and bidirectional overrides: never part
# of a name, and dangerous when echoed to a terminal or shown reversed in a list.
_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?"
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


@dataclass
class RawRow:
    """One data row: ``values`` by English column name, ``extras`` by header as written."""

    row: int
    values: dict[str, Any]
    extras: dict[str, Any] = field(default_factory=dict)


class _Headed:
    """A table's kind and the headers its file used (shared by a read table and a stream)."""

    kind: Any
    headers: dict[str, str]

    @property
    def spec(self) -> TableSpec:
        return table_spec(self.kind)

    def header(self, column: str) -> str:
        """The header the file used for ``column`` (the spec's Chinese header if absent)."""
        return self.headers.get(column) or self.spec.column(column).zh


@dataclass
class RawTable(_Headed):
    """A table as read: which columns the headers name, and its non-blank rows."""

    kind: TableName
    path: Path
    headers: dict[str, str]  # English column name → header as written in the file
    extra_headers: list[str]
    rows: list[RawRow]
    sheet: str | None = None
    header_row: int = 1


def read_table(path: Path | str, kind: str) -> RawTable:
    """Read ``path`` as a table of ``kind`` (English or Chinese: ``events`` / ``事项``).

    Raises :class:`~huiqi.registry.errors.UnreadableTableError` for a file that cannot be
    read, :class:`~huiqi.registry.errors.MissingColumnsError` when a required column is
    absent and :class:`~huiqi.registry.errors.DuplicateColumnError` when two headers name
    the same column. Errors about one worksheet name it.
    """
    spec = table_spec(kind)
    path = _checked_path(path)
    if _is_workbook(path):
        return _read_workbook(path, spec)
    text = _read_csv_text(path)
    try:
        return _table(path, spec, None, list(enumerate(_csv_rows(text), start=1)))
    except MissingColumnsError:
        if _reads_as_big5(path, spec):
            raise UnreadableTableError(
                path, "文件是繁体中文Big5编码,请另存为UTF-8或GB18030编码的CSV后再导入"
            ) from None
        raise


def _checked_path(path: Path | str) -> Path:
    path = Path(path)
    if path.is_dir():
        raise UnreadableTableError(path, "是文件夹,不是表格文件;请给出其中的CSV或.xlsx文件")
    if not path.exists():
        raise UnreadableTableError(path, "文件不存在")
    if path.suffix.lower() == ".xls":
        raise UnreadableTableError(path, "不支持旧版.xls文件,请另存为.xlsx或CSV")
    return path


def _is_workbook(path: Path) -> bool:
    suffix = path.suffix.lower()
    return suffix in XLSX_SUFFIXES or (suffix not in CSV_SUFFIXES and zipfile.is_zipfile(path))


@dataclass
class TableStream(_Headed):
    """A table whose header has been read and whose data rows are still to come (流式读取).

    ``rows`` yields ``(row number, cells)`` for every line after the header, blank ones
    included; the cells of a CSV file are the text as written (``clean`` tells they still need
    :func:`clean_text` and stripping), those of a workbook are already cleaned. ``columns``
    maps a cell's position to its English column name, ``extras`` to an extra column's header.
    A workbook small enough to be opened whole (so merged cells can be read) is handed over as
    ``table``; a larger one is streamed like a CSV file (``workbook``: its cells are typed values,
    checked row by row a chunk at a time), so memory does not grow with the file.
    """

    kind: TableName
    path: Path
    headers: dict[str, str]
    columns: dict[int, str]
    extras: dict[int, str]
    rows: Iterator[tuple[int, list[Any]]]
    sheet: str | None = None
    header_row: int = 1
    clean: bool = True
    digest: str = ""
    table: RawTable | None = None  # a workbook, read whole
    encoding: str = "utf-8"
    delimiter: str = ","
    header_lines: int = 1  # lines of the file up to the header's end (a quoted cell may span lines)
    width: int = 0  # cells in the header line
    workbook: bool = False  # a workbook streamed row by row (cells typed and cleaned)

    def rows_after(self, row: int) -> Iterator[tuple[int, list[Any]]]:
        """The CSV rows numbered after ``row``, as the csv module reads them."""
        with self.path.open(encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            yield from zip(itertools.count(row + 1), itertools.islice(reader, row, None), strict=False)


def open_table(path: Path | str, kind: str) -> TableStream:
    """Read the header of ``path`` and stream its rows (see :class:`TableStream`).

    File-level problems raise the same errors as :func:`read_table`, before any data row is
    read. ``digest`` is the file's SHA-256.
    """
    spec = table_spec(kind)
    path = _checked_path(path)
    if _is_workbook(path):
        if path.stat().st_size > _MERGE_READ_LIMIT:
            return _stream_workbook(path, spec)
        table = _read_workbook(path, spec)
        columns = {i: name for i, name in enumerate(table.headers)}
        return TableStream(
            spec.name, path, table.headers, columns, {}, iter(()), table.sheet, table.header_row, True,
            _digest(path), table,
        )  # fmt: skip
    encoding, digest = _sniff_csv(path)
    handle = path.open(encoding=encoding, newline="")
    try:
        first = next((line for line in handle if line.strip()), "")
        handle.seek(0)
        delimiter = max(",\t;", key=first.count)
        numbered = enumerate(csv.reader(handle, delimiter=delimiter), start=1)
        head: list[tuple[int, list[Any]]] = []
        for n, raw in numbered:
            cells = [_cell(c) for c in raw]
            if not _blank(cells):
                head.append((n, cells))
                if len(head) >= _HEADER_SEARCH:
                    break
        if not head:
            raise UnreadableTableError(path, "表格为空")
        header_row, header_cells = head[_find_header(head, spec)]
        try:
            columns, extras = _map_headers(path, spec, header_cells, None)
            missing = [f"{c.zh}({c.name})" for c in spec.required if c.name not in columns.values()]
            if missing:
                raise MissingColumnsError(path, missing)
        except MissingColumnsError:
            if _reads_as_big5(path, spec):
                raise UnreadableTableError(
                    path, "文件是繁体中文Big5编码,请另存为UTF-8或GB18030编码的CSV后再导入"
                ) from None
            raise
    except BaseException:
        handle.close()
        raise
    headers = {name: _text(header_cells[i]) for i, name in columns.items()}
    handle.seek(0)
    reader = csv.reader(handle, delimiter=delimiter)
    for _ in itertools.islice(reader, header_row):
        pass
    header_lines = reader.line_num
    handle.close()
    stream = TableStream(spec.name, path, headers, columns, extras, iter(()), None, header_row, False, digest)
    stream.encoding, stream.delimiter, stream.header_lines = encoding, delimiter, header_lines
    stream.width = len(header_cells)
    stream.rows = stream.rows_after(header_row)
    return stream


_BLOCK = 1 << 22


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            sha.update(block)
    return sha.hexdigest()


def _sniff_csv(path: Path) -> tuple[str, str]:
    """The encoding a CSV file is read with (as :func:`decode` decides, without holding the
    whole file) and its SHA-256; a file that is empty, undecodable or binary is refused."""
    with path.open("rb") as handle:
        start = handle.read(4)
    if start.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif start.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    digest = ""
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        sha = hashlib.sha256()
        content = nul = False
        try:
            with path.open("rb") as handle:
                while True:
                    block = handle.read(_BLOCK)
                    final = not block
                    text = decoder.decode(block, final=final)
                    sha.update(block)
                    nul = nul or "\x00" in text
                    content = content or bool(text.strip())
                    if final:
                        break
        except UnicodeDecodeError:
            continue
        digest = sha.hexdigest()
        if nul:
            raise UnreadableTableError(path, "不是文本表格(CSV)文件")
        if not content:
            raise UnreadableTableError(path, "文件为空")
        return encoding, digest
    if path.stat().st_size == 0:
        raise UnreadableTableError(path, "文件为空")
    raise UnreadableTableError(path, "无法识别文件编码(应为UTF-8或GB18030)")


def _table(path: Path, spec: TableSpec, sheet: str | None, rows: list[tuple[int, list[Any]]]) -> RawTable:
    """The table in ``rows`` (one CSV file or one worksheet)."""
    numbered = [(n, cells) for n, cells in rows if not _blank(cells)]
    if not numbered:
        raise UnreadableTableError(path, "表格为空", sheet)
    header_index = _find_header(numbered, spec)
    header_row, header_cells = numbered[header_index]
    columns, extras = _map_headers(path, spec, header_cells, sheet)
    missing = [f"{c.zh}({c.name})" for c in spec.required if c.name not in columns.values()]
    if missing:
        raise MissingColumnsError(path, missing, sheet)
    headers = {name: _text(header_cells[i]) for i, name in columns.items()}
    data = [_raw_row(n, cells, columns, extras) for n, cells in numbered[header_index + 1 :]]
    used = {h for r in data for h in r.extras}
    named = [h for i, h in extras.items() if _text(header_cells[i]) or h in used]
    return RawTable(spec.name, path, headers, named, data, sheet, header_row)


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


def _read_csv_text(path: Path) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise UnreadableTableError(path, "文件为空")
    try:
        text = decode(data)
    except UnicodeDecodeError:
        raise UnreadableTableError(path, "无法识别文件编码(应为UTF-8或GB18030)") from None
    if "\x00" in text:
        raise UnreadableTableError(path, "不是文本表格(CSV)文件")
    return text


def _csv_rows(text: str) -> list[list[Any]]:
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [[_cell(c) for c in row] for row in reader]


def _reads_as_big5(path: Path, spec: TableSpec) -> bool:
    """Whether the file's header makes sense once read as Big5 (traditional Chinese)."""
    from huiqi.text.normalize import normalize

    try:
        text = normalize(path.read_bytes()[:20000].decode("big5", errors="strict"))
    except UnicodeDecodeError:
        return False
    rows = [(n, cells) for n, cells in enumerate(_csv_rows(text), start=1) if not _blank(cells)]
    if not rows:
        return False
    _, cells = rows[_find_header(rows, spec)]
    named = {column_for_header(spec.name, _text(c)) for c in cells if c is not None} - {None}
    return all(c.name in named for c in spec.required)


# --- xlsx -----------------------------------------------------------------------------------

# Workbooks up to this size are opened whole, so merged cells can be read; larger ones are
# streamed (openpyxl's read-only mode does not expose merged ranges).
_MERGE_READ_LIMIT = 20 * 1024 * 1024


def _read_workbook(path: Path, spec: TableSpec) -> RawTable:
    """The worksheet holding the table: the one named for it, else the first whose header has
    every required column (a cover sheet or a notes sheet before it is passed over)."""
    from openpyxl import load_workbook

    streamed = path.stat().st_size > _MERGE_READ_LIMIT
    try:
        book = load_workbook(path, read_only=streamed, data_only=True)
    except Exception:  # openpyxl raises many kinds for damaged or encrypted files
        raise UnreadableTableError(
            path, "不是有效的.xlsx文件(文件已损坏、加密或实为其他格式),请用Excel打开后另存为.xlsx"
        ) from None
    try:
        named, others = _sheet_order(book.sheetnames, spec)
        if named:
            return _table(path, spec, named, _worksheet_rows(book[named]))
        if not others:
            raise UnreadableTableError(path, f"工作簿中没有“{spec.zh}”({spec.name})工作表")
        first_error: MissingColumnsError | UnreadableTableError | None = None
        for name in others:
            try:
                return _table(path, spec, name, _worksheet_rows(book[name]))
            except (MissingColumnsError, UnreadableTableError) as exc:
                first_error = first_error or exc
        if len(others) == 1 and first_error is not None:
            raise first_error
        sheets = "、".join(f"“{n}”" for n in others)
        required = "、".join(c.zh for c in spec.required)
        raise UnreadableTableError(
            path, f"工作簿中找不到“{spec.zh}”表:工作表{sheets}都没有{required}等必填列的表头"
        )
    except Exception as exc:
        if isinstance(exc, UnreadableTableError | MissingColumnsError | DuplicateColumnError):
            raise
        raise UnreadableTableError(path, "工作簿内容损坏,无法读取,请用Excel打开后另存为.xlsx") from None
    finally:
        book.close()


def _stream_workbook(path: Path, spec: TableSpec) -> TableStream:
    """A large workbook's table, its rows read as they are checked (openpyxl's read-only mode).

    The worksheet is chosen as :func:`_read_workbook` chooses it, from the first rows of each
    sheet; the data rows are then read from the file one at a time, with their true row numbers.
    """
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for damaged or encrypted files
        raise UnreadableTableError(
            path, "不是有效的.xlsx文件(文件已损坏、加密或实为其他格式),请用Excel打开后另存为.xlsx"
        ) from None
    try:
        named, others = _sheet_order(book.sheetnames, spec)
        candidates = [named] if named else others
        if not candidates:
            raise UnreadableTableError(path, f"工作簿中没有“{spec.zh}”({spec.name})工作表")
        first_error: MissingColumnsError | UnreadableTableError | None = None
        for name in candidates:
            rows = _numbered_rows(book[name])
            head: list[tuple[int, list[Any]]] = []
            for number, cells in rows:
                if not _blank(cells):
                    head.append((number, cells))
                    if len(head) >= _HEADER_SEARCH:
                        break
            try:
                if not head:
                    raise UnreadableTableError(path, "表格为空", name)
                index = _find_header(head, spec)
                header_row, header_cells = head[index]
                columns, extras = _map_headers(path, spec, header_cells, name)
                missing = [f"{c.zh}({c.name})" for c in spec.required if c.name not in columns.values()]
                if missing:
                    raise MissingColumnsError(path, missing, name)
            except (MissingColumnsError, UnreadableTableError) as exc:
                first_error = first_error or exc
                continue
            headers = {column: _text(header_cells[i]) for i, column in columns.items()}
            stream = TableStream(
                spec.name, path, headers, columns, extras, iter(()), name, header_row, True, _digest(path)
            )
            stream.workbook, stream.width = True, len(header_cells)
            stream.rows = _rest_of_sheet(book, path, head[index + 1 :], rows)
            return stream
        if len(candidates) == 1 and first_error is not None:
            raise first_error
        sheets = "、".join(f"“{n}”" for n in others)
        required = "、".join(c.zh for c in spec.required)
        raise UnreadableTableError(
            path, f"工作簿中找不到“{spec.zh}”表:工作表{sheets}都没有{required}等必填列的表头"
        )
    except BaseException as exc:
        book.close()
        if isinstance(
            exc, UnreadableTableError | MissingColumnsError | DuplicateColumnError
        ) or not isinstance(exc, Exception):
            raise
        raise UnreadableTableError(path, "工作簿内容损坏,无法读取,请用Excel打开后另存为.xlsx") from None


def _numbered_rows(sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    """A read-only worksheet's rows with their true row numbers, cells cleaned."""
    for cells in sheet.iter_rows():
        number = next((c.row for c in cells if getattr(c, "row", None)), None)
        if number is not None:
            yield number, [_cell(c.value) for c in cells]


def _rest_of_sheet(
    book: Any, path: Path, read: list[tuple[int, list[Any]]], rows: Iterator[tuple[int, list[Any]]]
) -> Iterator[tuple[int, list[Any]]]:
    """The rows after the header: those already read, then the rest of the sheet; the workbook
    is closed once they are all read (or the reader stops)."""
    try:
        yield from read
        try:
            yield from rows
        except Exception:  # a damaged part of the file, met half-way
            raise UnreadableTableError(path, "工作簿内容损坏,无法读取,请用Excel打开后另存为.xlsx") from None
    finally:
        book.close()


def _sheet_order(names: list[str], spec: TableSpec) -> tuple[str | None, list[str]]:
    """The sheet named for this table (if any), and the other sheets that may hold it."""
    wanted = {header_key(n) for n in sheet_names(spec.name)}
    for name in names:
        if header_key(name) in wanted:
            return name, []
    other_tables = {
        header_key(n)
        for t in ("enterprises", "recognitions", "events", "metrics", "products", "demands")
        for n in sheet_names(t)
    }
    notes = {"说明", "填表说明", "填写说明", "封面", "目录"}
    return None, [n for n in names if header_key(n) not in other_tables and header_key(n) not in notes]


def _worksheet_rows(sheet: Any) -> list[tuple[int, list[Any]]]:
    """Rows with their true row numbers; a cell inside a merged range takes the range's value."""
    rows: dict[int, list[Any]] = {}
    for cells in sheet.iter_rows():
        number = next((c.row for c in cells if getattr(c, "row", None)), None)
        if number is not None:
            rows[number] = [_cell(c.value) for c in cells]
    merged_ranges = sheet.merged_cells.ranges if hasattr(sheet, "merged_cells") else ()
    for merged in merged_ranges:
        value = rows.get(merged.min_row, [])[merged.min_col - 1 : merged.min_col]
        if not value:
            continue
        for number in range(merged.min_row, merged.max_row + 1):
            row = rows.setdefault(number, [])
            row.extend([None] * (merged.max_col - len(row)))
            for column in range(merged.min_col - 1, merged.max_col):
                row[column] = value[0]
    return sorted(rows.items())


# --- rows and headers -----------------------------------------------------------------------


def clean_text(text: str) -> str:
    """Text without terminal escapes, control characters or bidirectional overrides.

    >>> clean_text("\\x1b[31m红色\\x1b[0m公司\\x07")
    '红色公司'
    """
    return _CONTROL.sub("", text)


def _cell(value: Any) -> Any:
    """A cell with control characters and surrounding spaces removed; empty text becomes None."""
    if isinstance(value, str):
        value = clean_text(value).strip(_STRIP)
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


def _map_headers(
    path: Path, spec: TableSpec, cells: list[Any], sheet: str | None = None
) -> tuple[dict[int, str], dict[int, str]]:
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
            raise DuplicateColumnError(path, name, [first, header], sheet)
        columns[i] = name
    return columns, extras


def _raw_row(number: int, cells: list[Any], columns: dict[int, str], extras: dict[int, str]) -> RawRow:
    def at(i: int) -> Any:
        return cells[i] if i < len(cells) else None

    values = {name: at(i) for i, name in columns.items()}
    extra = {header: at(i) for i, header in extras.items() if at(i) is not None}
    return RawRow(number, values, extra)
